// Decode throughput on a folder of JPEGs: OpenCV's reduced/full imread against our DecodeFile
// at full size and with DCT downscaling (min_side 256).
//
//   decode_bench <folder> [threads=2] [max_images=0 (all)]
//   decode_bench --synthetic <count> [threads=2]   (writes 4000x3000 JPEGs to a temp folder)
//   NEARDUP_DECODE_ONLY=reduced8 decode_bench ...   runs only the methods whose name contains it
//   (bench/find_vs_decode.sh uses it); each line also prints the seconds taken.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <string>
#include <thread>
#include <vector>

#include "bench_util.h"
#include "neardup/decode.h"

namespace fs = std::filesystem;

namespace {

using neardup::bench::ListJpegs;

// Photo-sized JPEGs with smooth structure and noise, so they compress like photos.
std::string MakeSynthetic(int count) {
  const fs::path dir = fs::temp_directory_path() / "neardup_decode_bench";
  fs::create_directories(dir);
  cv::RNG rng(1);
  for (int i = 0; i < count; ++i) {
    cv::Mat small(30, 40, CV_8UC3), big, noise(3000, 4000, CV_8UC3);
    rng.fill(small, cv::RNG::UNIFORM, 0, 255);
    cv::resize(small, big, cv::Size(4000, 3000), 0, 0, cv::INTER_CUBIC);
    rng.fill(noise, cv::RNG::NORMAL, 0, 6);
    big += noise;
    cv::imwrite((dir / ("synthetic_" + std::to_string(i) + ".jpg")).string(), big,
                {cv::IMWRITE_JPEG_QUALITY, 90});
  }
  return dir.string();
}

struct Result {
  double seconds = 0;
  size_t decoded = 0;
  size_t failed = 0;
  double mean_pixels = 0;
};

// Runs `decode` (returns pixels decoded, 0 on failure) over all files on `threads` threads.
Result Run(const std::vector<std::string>& files, int threads,
           const std::function<size_t(const std::string&)>& decode) {
  std::atomic<size_t> next{0}, ok{0}, failed{0}, pixels{0};
  const auto start = std::chrono::steady_clock::now();
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) {
    pool.emplace_back([&] {
      for (size_t i; (i = next.fetch_add(1)) < files.size();) {
        const size_t n = decode(files[i]);
        (n > 0 ? ok : failed).fetch_add(1);
        pixels.fetch_add(n);
      }
    });
  }
  for (auto& t : pool) t.join();
  Result r;
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  r.decoded = ok;
  r.failed = failed;
  r.mean_pixels = ok > 0 ? double(pixels) / double(ok) : 0;
  return r;
}

size_t CvRead(const std::string& path, int flags) {
  const cv::Mat m = cv::imread(path, flags);
  return m.total();
}

size_t OurDecode(const std::string& path, int min_side) {
  neardup::DecodeOptions options;
  options.min_side = min_side;
  neardup::StatusOr<neardup::Image> img = neardup::DecodeFile(path, options);
  return img.ok() ? size_t(img->width) * img->height : 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr,
                 "usage: %s <folder> [threads=2] [max_images=0]\n"
                 "       %s --synthetic <count> [threads=2]\n",
                 argv[0], argv[0]);
    return 2;
  }
  std::string folder = argv[1];
  int arg = 2;
  if (folder == "--synthetic") {
    if (argc < 3) return 2;
    folder = MakeSynthetic(std::atoi(argv[2]));
    arg = 3;
  }
  const int threads = argc > arg ? std::max(1, std::atoi(argv[arg])) : 2;
  const size_t max_images = argc > arg + 1 ? size_t(std::atoll(argv[arg + 1])) : 0;
  cv::setNumThreads(1);  // one image per thread, as the pipeline schedules them

  const std::vector<std::string> files = ListJpegs(folder, max_images);
  if (files.empty()) {
    std::fprintf(stderr, "no .jpg/.jpeg files under %s\n", folder.c_str());
    return 1;
  }
  std::printf("%zu JPEGs from %s, %d thread(s)\n\n", files.size(), folder.c_str(), threads);

  struct Method {
    const char* name;
    std::function<size_t(const std::string&)> decode;
  };
  const std::vector<Method> methods = {
      {"cv::imread reduced8", [](auto& p) { return CvRead(p, cv::IMREAD_REDUCED_COLOR_8); }},
      {"DecodeFile min_side=0", [](auto& p) { return OurDecode(p, 0); }},
      {"DecodeFile min_side=256", [](auto& p) { return OurDecode(p, 256); }},
      {"cv::imread full", [](auto& p) { return CvRead(p, cv::IMREAD_COLOR); }},
  };
  // Warm the page cache so the first method is not charged for disk reads.
  Run(files, threads, [](const std::string& p) {
    std::string bytes;
    return neardup::ReadFileBytes(p, &bytes).ok() ? size_t{1} : size_t{0};
  });

  const char* only = std::getenv("NEARDUP_DECODE_ONLY");
  std::printf("%-28s %8s %8s %10s %12s %9s\n", "method", "images", "failed", "images/s", "mean MP",
              "seconds");
  for (const Method& m : methods) {
    if (only != nullptr && std::string(m.name).find(only) == std::string::npos) continue;
    const Result r = Run(files, threads, m.decode);
    std::printf("%-28s %8zu %8zu %10.1f %12.3f %9.3f\n", m.name, r.decoded, r.failed,
                r.seconds > 0 ? double(r.decoded) / r.seconds : 0.0, r.mean_pixels / 1e6,
                r.seconds);
  }
  return 0;
}
