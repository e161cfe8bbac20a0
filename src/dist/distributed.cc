#include "dist/distributed.h"

#include <algorithm>
#include <cstring>

namespace neardup::dist {
namespace {

// Little-endian, length-prefixed fields; both ends run the same build.
class Writer {
 public:
  void I64(int64_t v) { Raw(&v, sizeof v); }
  void F64(double v) { Raw(&v, sizeof v); }
  void Str(const std::string& s) {
    I64(int64_t(s.size()));
    Raw(s.data(), s.size());
  }
  template <typename T>
  void Vec(const std::vector<T>& v) {
    I64(int64_t(v.size()));
    Raw(v.data(), v.size() * sizeof(T));
  }
  std::string Take() { return std::move(out_); }

 private:
  void Raw(const void* p, size_t n) { out_.append(static_cast<const char*>(p), n); }
  std::string out_;
};

class Reader {
 public:
  explicit Reader(const std::string& in) : in_(in) {}
  int64_t I64() {
    int64_t v = 0;
    Raw(&v, sizeof v);
    return v;
  }
  double F64() {
    double v = 0;
    Raw(&v, sizeof v);
    return v;
  }
  std::string Str() {
    int64_t n = Count(1);
    std::string s(static_cast<size_t>(n), '\0');
    Raw(s.data(), size_t(n));
    return s;
  }
  template <typename T>
  std::vector<T> Vec() {
    int64_t n = Count(sizeof(T));
    std::vector<T> v(static_cast<size_t>(n));
    Raw(v.data(), size_t(n) * sizeof(T));
    return v;
  }
  bool ok() const { return ok_; }
  bool done() const { return at_ == in_.size(); }

 private:
  int64_t Count(size_t unit) {
    int64_t n = I64();
    if (n < 0 || size_t(n) > (in_.size() - at_) / unit) {
      ok_ = false;
      return 0;
    }
    return n;
  }
  void Raw(void* p, size_t n) {
    if (!ok_ || in_.size() - at_ < n) {
      ok_ = false;
      return;
    }
    std::memcpy(p, in_.data() + at_, n);
    at_ += n;
  }
  const std::string& in_;
  size_t at_ = 0;
  bool ok_ = true;
};

}  // namespace

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

std::string EncodePairs(const std::vector<ScoredPair>& pairs) {
  Writer w;
  w.Vec(pairs);
  return w.Take();
}

Status DecodePairsInto(const std::string& bytes, std::vector<ScoredPair>* out) {
  Reader r(bytes);
  std::vector<ScoredPair> v = r.Vec<ScoredPair>();
  if (!r.ok() || !r.done()) return CorruptionError("damaged pair data from another process");
  out->insert(out->end(), v.begin(), v.end());
  return Status::Ok();
}

StatusOr<ScanResult> ScanAll(const ScanOptions& options, const Method& method,
                             const ClusterInfo& cluster) {
  if (cluster.size <= 1) return Scan(options, method);
  ScanOptions mine = options;
  mine.shard = cluster.rank;
  mine.shards = cluster.size;
  if (cluster.rank != 0) mine.progress = nullptr;
  ASSIGN_OR_RETURN(ScanResult part, Scan(mine, method));
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

StatusOr<std::vector<ScoredPair>> GatherPairs(std::vector<ScoredPair> mine) {
  if (CurrentCluster().size <= 1) return mine;  // one process: nothing to encode or exchange
  ASSIGN_OR_RETURN(std::vector<std::string> all, AllGather(EncodePairs(mine)));
  std::vector<ScoredPair> out;
  for (const std::string& bytes : all) RETURN_IF_ERROR(DecodePairsInto(bytes, &out));
  SortUniquePairs(&out);
  return out;
}

}  // namespace neardup::dist
