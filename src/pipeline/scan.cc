// Scan: list the inputs, then decode and describe every file on all cores through the cache.
#include "pipeline/scan.h"

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <mutex>
#include <vector>

#include "core/parallel.h"
#include "neardup/cache.h"
#include "neardup/find.h"
#include "pipeline/walk.h"

namespace neardup {
namespace {

// Failures caused by the bytes of the file (worth caching) rather than by the operating system,
// the build or the run (read errors, missing files, a format this build lacks such as HEIF
// without libheif, memory). A pixel-limit verdict holds for the default limit only, the one
// cached verdicts are reached under.
bool IsContentError(const Status& s, const ScanOptions& options) {
  switch (s.code()) {
    case StatusCode::kInvalidArgument:
    case StatusCode::kCorruption:
      return true;
    case StatusCode::kResourceExhausted:
      return IsPixelLimitRefusal(s) && options.max_pixels == kDefaultMaxPixels;
    default:
      return false;
  }
}

// Why a cache hit cannot be used as it is: a damaged descriptor (Corruption, reported) or a
// verdict this run's pixel limit would not reach (NotFound, silently recomputed); Ok otherwise.
Status CheckHit(const CacheEntry& e, const ScanOptions& options, const Method& method) {
  if (!e.error.ok()) {
    if (e.error.code() == StatusCode::kResourceExhausted && options.max_pixels != kDefaultMaxPixels)
      return NotFoundError("pixel limit differs");
    return Status::Ok();
  }
  if (e.width <= 0 || e.height <= 0) {
    return CorruptionError("image size " + std::to_string(e.width) + "x" +
                           std::to_string(e.height));
  }
  if (int64_t(e.width) * e.height > options.max_pixels) return NotFoundError("over pixel limit");
  return method.CheckDescriptor(e.descriptor);
}

// DecodeFile's messages start with "<path>: "; InputError keeps the path separately.
Status StripPath(const Status& s, const std::string& path) {
  const std::string& m = s.message();
  if (m.compare(0, path.size() + 2, path + ": ") == 0) {
    return Status(s.code(), m.substr(path.size() + 2));
  }
  return s;
}

std::unique_ptr<DescriptorCache> OpenCache(const ScanOptions& options, const Method& method,
                                           std::vector<std::string>* warnings) {
  if (!options.use_cache) return nullptr;
  std::string path = options.cache_path.empty() ? DefaultCachePath() : options.cache_path;
  auto cache = OpenSqliteCache(path, method);
  if (!cache.ok()) {
    warnings->push_back("cache disabled: " + cache.status().message());
    return nullptr;
  }
  return std::move(cache).value();
}

// A file's outcome, from the cache or just computed, into its ScannedFile and status slot.
void TakeEntry(CacheEntry&& entry, ScannedFile& f, Status& status) {
  status = entry.error;
  f.descriptor = std::move(entry.descriptor);
  f.facts.width = entry.width;
  f.facts.height = entry.height;
  f.facts.format = entry.format;
}

}  // namespace

StatusOr<ScanResult> Scan(const ScanOptions& options, const Method& method) {
  return ScanWith(options, method, ScanPlumbing{});
}

std::unique_ptr<DescriptorCache> OpenScanCache(const ScanOptions& options, const Method& method,
                                               std::vector<std::string>* warnings) {
  return OpenCache(options, method, warnings);
}

StatusOr<ScanResult> ScanWith(const ScanOptions& options, const Method& method,
                              const ScanPlumbing& plumbing) {
  WalkOptions walk_options;
  walk_options.recursive = options.recursive;
  walk_options.cross_devices = options.cross_devices;
  WalkResult walk = WalkInputs(options.inputs, walk_options);
  if (plumbing.shards > 1) {
    const int64_t total = int64_t(walk.files.size());
    const int64_t begin = total * plumbing.shard / plumbing.shards;
    const int64_t end = total * (plumbing.shard + 1) / plumbing.shards;
    walk.files = std::vector<ListedFile>(walk.files.begin() + begin, walk.files.begin() + end);
    if (plumbing.shard != 0) {
      walk.errors.clear();
      walk.skipped_non_images = 0;
    }
  }
  ScanResult out;
  out.errors = std::move(walk.errors);
  if (plumbing.shard == 0) out.warnings = std::move(walk.notes);
  out.skipped_non_images = walk.skipped_non_images;
  std::unique_ptr<DescriptorCache> owned_cache =
      plumbing.cache ? nullptr : OpenCache(options, method, &out.warnings);
  DescriptorCache* cache = plumbing.cache ? plumbing.cache : owned_cache.get();

  const int64_t n = int64_t(walk.files.size());
  std::vector<ScannedFile> files(n);
  std::vector<Status> status(n);
  std::atomic<int64_t> decoded{0}, cached{0};
  std::mutex progress_mu;            // guards `done` and serialises calls of options.progress
  std::mutex damaged_mu;             // guards `damaged`
  std::vector<std::string> damaged;  // warnings about cache hits that could not be used
  int64_t done = 0;
  std::vector<LocalSpill::Ticket> tickets(plumbing.spill ? n : 0);
  std::string spill_error;  // the first write that failed; guarded by damaged_mu
  // Moves file i's local features to the spill (they stay when the write fails).
  auto spill = [&](int64_t i) {
    std::vector<uint8_t>& local = files[i].descriptor.local;
    if (!plumbing.spill || local.empty()) return;
    StatusOr<LocalSpill::Ticket> t = plumbing.spill->Write(local);
    if (!t.ok()) {
      std::lock_guard<std::mutex> lock(damaged_mu);
      if (spill_error.empty()) spill_error = t.status().message();
      return;
    }
    tickets[i] = *t;
    std::vector<uint8_t>().swap(local);
  };

  DecodeOptions dopt;
  dopt.min_side = method.min_decode_side();
  dopt.max_pixels = options.max_pixels;

  // Chunks of the method's preferred batch: cache hits are taken as they are, the misses of a
  // chunk are decoded one by one and described together (one network call for learned methods).
  const int batch = std::max(1, method.preferred_batch());
  ParallelFor(n, options.threads, batch, [&](int64_t begin, int64_t end, int) {
    struct Miss {
      int64_t i;
      FileStamp stamp;
      CacheEntry entry;
      Image image;
    };
    std::vector<Miss> misses;
    int64_t finished = 0;
    for (int64_t i = begin; i < end; ++i) {
      const ListedFile& c = walk.files[i];
      ScannedFile& f = files[i];
      f.path = c.path;
      f.facts.path = c.path;
      f.facts.bytes = c.size;
      f.facts.mtime_ns = c.mtime_ns;
      std::error_code ec;
      FileStamp stamp{std::filesystem::absolute(c.path, ec).lexically_normal().string(), c.size,
                      c.mtime_ns};
      std::optional<CacheEntry> hit = cache ? cache->Lookup(stamp) : std::nullopt;
      if (hit) {
        Status usable = CheckHit(*hit, options, method);
        if (usable.code() == StatusCode::kCorruption) {
          std::lock_guard<std::mutex> lock(damaged_mu);
          damaged.push_back("cache row for " + stamp.path + " was damaged (" + usable.message() +
                            "); recomputed");
        }
        if (!usable.ok()) hit.reset();
      }
      if (hit) {
        ++cached;
        ++finished;
        f.from_cache = true;
        TakeEntry(std::move(*hit), f, status[i]);
        spill(i);
        continue;
      }
      ++decoded;
      Miss m{i, std::move(stamp), {}, {}};
      ImageInfo info;
      StatusOr<Image> img = DecodeFile(c.path, dopt, &info);
      if (img.ok()) {
        m.image = std::move(img).value();
        m.entry.width = info.original_width;
        m.entry.height = info.original_height;
        m.entry.format = info.format;
      } else {
        m.entry.error = StripPath(img.status(), c.path);
      }
      misses.push_back(std::move(m));
    }
    std::vector<const Image*> images;
    std::vector<Miss*> described;
    for (Miss& m : misses) {
      if (m.entry.error.ok()) {
        images.push_back(&m.image);
        described.push_back(&m);
      }
    }
    if (!images.empty()) {
      std::vector<StatusOr<Descriptor>> d = method.ComputeBatch(images);
      for (size_t k = 0; k < described.size(); ++k) {
        if (d[k].ok()) {
          described[k]->entry.descriptor = std::move(d[k]).value();
        } else {
          described[k]->entry.error = d[k].status();
        }
        described[k]->image = Image();  // free the pixels before the next chunk
      }
    }
    for (Miss& m : misses) {
      if (cache && (m.entry.error.ok() || IsContentError(m.entry.error, options))) {
        cache->Put(m.stamp, m.entry);
      }
      TakeEntry(std::move(m.entry), files[m.i], status[m.i]);
      spill(m.i);
    }
    finished += int64_t(misses.size());
    // Counted under the lock, so progress sees `done` only grow.
    std::lock_guard<std::mutex> lock(progress_mu);
    done += finished;
    if (options.progress) options.progress(done, n);
  });
  if (cache) {
    Status s = cache->Flush();
    for (std::string& w : cache->TakeWarnings()) damaged.push_back(std::move(w));
    std::sort(damaged.begin(), damaged.end());
    out.warnings.insert(out.warnings.end(), damaged.begin(), damaged.end());
    if (!s.ok()) out.warnings.push_back("cache not saved: " + s.message());
  }

  if (!spill_error.empty()) {
    out.warnings.push_back("local features of some images kept in memory: " + spill_error);
  }
  std::vector<LocalSpill::Ticket> kept;
  for (int64_t i = 0; i < n; ++i) {
    if (status[i].ok()) {
      if (plumbing.spill) kept.push_back(tickets[i]);
      out.files.push_back(std::move(files[i]));
    } else {
      out.errors.push_back({files[i].path, status[i]});
    }
  }
  if (plumbing.spill) plumbing.spill->SetItems(std::move(kept));
  std::sort(out.errors.begin(), out.errors.end(),
            [](const InputError& a, const InputError& b) { return a.path < b.path; });
  out.decoded = decoded;
  out.cached = cached;
  return out;
}

}  // namespace neardup
