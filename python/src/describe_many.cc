#include "describe_many.h"

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <map>
#include <mutex>
#include <thread>

namespace neardup::py {
namespace {

// Arrays: chunks of Method::preferred_batch() images, one chunk per worker thread at a time (as
// Scan does: a learned method runs its network on one intra-op thread per caller).
void DescribeArrays(const Method& method, const std::vector<ImageArg>& items,
                    const std::vector<size_t>& which, int threads, const ProgressFn& progress,
                    int64_t done_before, int64_t total, std::vector<StatusOr<Descriptor>>* out) {
  const size_t batch = size_t(std::max(1, method.preferred_batch()));
  const size_t chunks = (which.size() + batch - 1) / batch;
  int workers = threads > 0 ? threads : int(std::max(1u, std::thread::hardware_concurrency()));
  workers = int(std::min<size_t>(size_t(workers), std::max<size_t>(chunks, 1)));
  std::atomic<size_t> next{0};
  std::mutex progress_mu;  // serialises `progress` and guards `done`
  int64_t done = done_before;
  auto work = [&] {
    for (size_t c; (c = next.fetch_add(1)) < chunks;) {
      std::vector<const Image*> images;
      const size_t begin = c * batch, end = std::min(which.size(), begin + batch);
      for (size_t k = begin; k < end; ++k) images.push_back(&items[which[k]].image);
      std::vector<StatusOr<Descriptor>> got = method.ComputeBatch(images);
      for (size_t k = begin; k < end; ++k) (*out)[which[k]] = std::move(got[k - begin]);
      if (progress) {
        std::lock_guard<std::mutex> lock(progress_mu);
        done += int64_t(end - begin);
        progress(done, total);
      }
    }
  };
  std::vector<std::thread> pool;
  for (int t = 1; t < workers; ++t) pool.emplace_back(work);
  work();
  for (std::thread& t : pool) t.join();
}

}  // namespace

std::vector<StatusOr<Descriptor>> DescribeMany(const Method& method,
                                               const std::vector<ImageArg>& items, int threads,
                                               const ProgressFn& progress) {
  std::vector<StatusOr<Descriptor>> out(items.size(), IOError("not described"));
  std::vector<size_t> arrays, files;  // indexes of items
  ScanOptions scan;
  scan.method = method.name();
  scan.threads = threads;
  scan.use_cache = false;  // describe() answers for the pixels of now, never from a cache
  for (size_t i = 0; i < items.size(); ++i) {
    if (!items[i].path) {
      arrays.push_back(i);
      continue;
    }
    std::error_code ec;
    if (std::filesystem::is_directory(*items[i].path, ec)) {
      out[i] = InvalidArgumentError(
          *items[i].path + ": is a folder (describe takes image files; find takes folders)");
      continue;
    }
    scan.inputs.push_back(*items[i].path);
    files.push_back(i);
  }
  const int64_t total = int64_t(items.size());
  int64_t files_done = 0;
  if (!scan.inputs.empty()) {
    if (progress) {
      scan.progress = [&](int64_t done, int64_t) {
        files_done = done;
        progress(done, total);
      };
    }
    StatusOr<ScanResult> r = Scan(scan, method);
    std::map<std::string, StatusOr<Descriptor>> by_path;
    if (r.ok()) {
      for (ScannedFile& f : r->files) by_path.emplace(f.path, std::move(f.descriptor));
      for (const InputError& e : r->errors) by_path.emplace(e.path, e.status.WithPrefix(e.path));
      files_done = int64_t(r->files.size() + r->errors.size());
    }
    for (size_t i : files) {
      if (!r.ok()) {
        out[i] = r.status();
        continue;
      }
      auto it = by_path.find(*items[i].path);
      if (it == by_path.end()) {
        out[i] = NotFoundError(*items[i].path + ": not read (not a regular image file)");
      } else {
        out[i] = it->second;
      }
    }
  }
  if (!arrays.empty()) {
    DescribeArrays(method, items, arrays, threads, progress, files_done, total, &out);
  }
  return out;
}

}  // namespace neardup::py
