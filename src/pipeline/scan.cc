#include <atomic>
#include <filesystem>
#include <mutex>

#include "core/parallel.h"
#include "neardup/cache.h"
#include "neardup/find.h"
#include "pipeline/walk.h"

namespace neardup {
namespace {

// Errors caused by the bytes of the file (worth caching) rather than by the operating system.
bool IsContentError(const Status& s) {
  switch (s.code()) {
    case StatusCode::kInvalidArgument:
    case StatusCode::kCorruption:
    case StatusCode::kResourceExhausted:
    case StatusCode::kUnimplemented:
      return true;
    default:
      return false;
  }
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

}  // namespace

StatusOr<ScanResult> Scan(const ScanOptions& options, const Method& method) {
  WalkResult walk = WalkInputs(options.inputs, options.recursive);
  ScanResult out;
  out.errors = std::move(walk.errors);
  out.skipped_non_images = walk.skipped_non_images;
  std::unique_ptr<DescriptorCache> cache = OpenCache(options, method, &out.warnings);

  const int64_t n = int64_t(walk.files.size());
  std::vector<ScannedFile> files(n);
  std::vector<Status> status(n);
  std::atomic<int64_t> done{0}, decoded{0}, cached{0};
  std::mutex progress_mu;  // serialises calls of options.progress

  DecodeOptions dopt;
  dopt.min_side = method.min_decode_side();
  dopt.max_pixels = options.max_pixels;

  ParallelFor(n, options.threads, 1, [&](int64_t begin, int64_t end, int) {
    for (int64_t i = begin; i < end; ++i) {
      const Candidate& c = walk.files[i];
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
        ++cached;
        f.from_cache = true;
        status[i] = hit->error;
        f.descriptor = std::move(hit->descriptor);
        f.facts.width = hit->width;
        f.facts.height = hit->height;
        f.facts.format = hit->format;
      } else {
        ++decoded;
        ImageInfo info;
        StatusOr<Image> img = DecodeFile(c.path, dopt, &info);
        CacheEntry entry;
        if (img.ok()) {
          StatusOr<Descriptor> d = method.Compute(*img);
          if (d.ok()) {
            entry.descriptor = std::move(d).value();
          } else {
            entry.error = d.status();
          }
          entry.width = info.original_width;
          entry.height = info.original_height;
          entry.format = info.format;
        } else {
          entry.error = StripPath(img.status(), c.path);
        }
        status[i] = entry.error;
        if (cache && (entry.error.ok() || IsContentError(entry.error))) cache->Put(stamp, entry);
        f.descriptor = std::move(entry.descriptor);
        f.facts.width = entry.width;
        f.facts.height = entry.height;
        f.facts.format = entry.format;
      }
      int64_t now = ++done;
      if (options.progress) {
        std::lock_guard<std::mutex> lock(progress_mu);
        options.progress(now, n);
      }
    }
  });
  if (cache) {
    Status s = cache->Flush();
    if (!s.ok()) out.warnings.push_back("cache not saved: " + s.message());
  }

  for (int64_t i = 0; i < n; ++i) {
    if (status[i].ok()) {
      out.files.push_back(std::move(files[i]));
    } else {
      out.errors.push_back({files[i].path, status[i]});
    }
  }
  std::sort(out.errors.begin(), out.errors.end(),
            [](const InputError& a, const InputError& b) { return a.path < b.path; });
  out.decoded = decoded;
  out.cached = cached;
  return out;
}

}  // namespace neardup
