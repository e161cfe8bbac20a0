#include "pipeline/distributed_scan.h"

#include <algorithm>

#include "dist/distributed.h"
#include "dist/wire.h"
#include "pipeline/scan.h"

namespace neardup::dist {

std::string EncodeScan(const ScanResult& scan) {
  Writer w;
  w.I64(int64_t(scan.files.size()));
  for (const ScannedFile& f : scan.files) {
    w.Str(f.path);
    w.I64(f.facts.width);
    w.I64(f.facts.height);
    w.I64(f.facts.bytes);
    w.I64(f.facts.mtime_ns);
    w.Str(f.facts.format);
    w.Str(f.facts.path);
    w.Vec(f.descriptor.bits);
    w.Vec(f.descriptor.values);
    w.Vec(f.descriptor.local);
    w.I64(f.descriptor.quality);
    w.I64(f.from_cache);
  }
  w.I64(int64_t(scan.errors.size()));
  for (const InputError& e : scan.errors) {
    w.Str(e.path);
    w.I64(int64_t(e.status.code()));
    w.Str(e.status.message());
  }
  w.I64(int64_t(scan.warnings.size()));
  for (const std::string& s : scan.warnings) w.Str(s);
  w.I64(scan.skipped_non_images);
  w.I64(scan.decoded);
  w.I64(scan.cached);
  return w.Take();
}

Status DecodeScanInto(const std::string& bytes, ScanResult* out) {
  Reader r(bytes);
  for (int64_t n = r.I64(); r.ok() && n > 0; --n) {
    ScannedFile f;
    f.path = r.Str();
    f.facts.width = int(r.I64());
    f.facts.height = int(r.I64());
    f.facts.bytes = r.I64();
    f.facts.mtime_ns = r.I64();
    f.facts.format = r.Str();
    f.facts.path = r.Str();
    f.descriptor.bits = r.Vec<uint64_t>();
    f.descriptor.values = r.Vec<float>();
    f.descriptor.local = r.Vec<uint8_t>();
    f.descriptor.quality = int(r.I64());
    f.from_cache = r.I64() != 0;
    out->files.push_back(std::move(f));
  }
  for (int64_t n = r.I64(); r.ok() && n > 0; --n) {
    InputError e;
    e.path = r.Str();
    auto code = static_cast<StatusCode>(r.I64());
    e.status = Status(code, r.Str());
    out->errors.push_back(std::move(e));
  }
  for (int64_t n = r.I64(); r.ok() && n > 0; --n) out->warnings.push_back(r.Str());
  out->skipped_non_images += r.I64();
  out->decoded += r.I64();
  out->cached += r.I64();
  if (!r.ok() || !r.done()) return CorruptionError("damaged scan data from another process");
  return Status::Ok();
}

StatusOr<ScanResult> ScanAll(const ScanOptions& options, const Method& method,
                             const ClusterInfo& cluster, DescriptorCache* cache,
                             LocalSpill* spill) {
  if (cluster.size <= 1) return ScanWith(options, method, ScanPlumbing{cache, 0, 1, spill});
  ScanOptions mine = options;
  if (cluster.rank != 0) mine.progress = nullptr;
  ASSIGN_OR_RETURN(ScanResult part,
                   ScanWith(mine, method, ScanPlumbing{cache, cluster.rank, cluster.size}));
  ASSIGN_OR_RETURN(std::vector<std::string> all, AllGather(EncodeScan(part)));
  ScanResult out;
  for (const std::string& bytes : all) RETURN_IF_ERROR(DecodeScanInto(bytes, &out));
  // Slices are contiguous and in rank order, so files are already in one process's order;
  // errors come from several slices.
  std::stable_sort(out.errors.begin(), out.errors.end(),
                   [](const InputError& a, const InputError& b) { return a.path < b.path; });
  std::sort(out.warnings.begin(), out.warnings.end());
  out.warnings.erase(std::unique(out.warnings.begin(), out.warnings.end()), out.warnings.end());
  return out;
}

}  // namespace neardup::dist
