// Small helpers shared by the benchmarks in bench/ (never part of the library).
#ifndef NEARDUP_BENCH_BENCH_UTIL_H_
#define NEARDUP_BENCH_BENCH_UTIL_H_

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstddef>
#include <filesystem>
#include <string>
#include <vector>

namespace neardup::bench {

// Seconds on the steady clock (differences only).
inline double NowSeconds() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

// True for a .jpg / .jpeg name, in any case.
inline bool IsJpegName(const std::filesystem::path& p) {
  std::string ext = p.extension().string();
  for (char& c : ext) c = char(std::tolower(static_cast<unsigned char>(c)));
  return ext == ".jpg" || ext == ".jpeg";
}

// The JPEG files under `folder` (recursively), sorted; the first `max_images` when > 0.
inline std::vector<std::string> ListJpegs(const std::string& folder, size_t max_images) {
  std::vector<std::string> files;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(folder)) {
    if (entry.is_regular_file() && IsJpegName(entry.path())) files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  if (max_images > 0 && files.size() > max_images) files.resize(max_images);
  return files;
}

}  // namespace neardup::bench

#endif  // NEARDUP_BENCH_BENCH_UTIL_H_
