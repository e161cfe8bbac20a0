// Prints microseconds per hash for each method on synthetic photo-like images of two sizes.
// Times are this thread's CPU time (CLOCK_THREAD_CPUTIME_ID), so that other processes on a shared
// build machine do not inflate them; the best of 5 rounds is printed.
// Usage: hash_bench [iterations per round]   (default 100)
#include <time.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <random>

#include "neardup/hash.h"

namespace {

// Smooth gradients, a wave and noise: enough texture that no method takes a shortcut.
neardup::Image MakePhoto(int w, int h, uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int> noise(-8, 8);
  neardup::Image img(w, h, 3);
  for (int y = 0; y < h; ++y) {
    for (int x = 0; x < w; ++x) {
      for (int c = 0; c < 3; ++c) {
        double v = 128 + 60 * std::sin(0.03 * x * (c + 1) + 0.02 * y) + 40.0 * y / h + noise(rng);
        img.at(y, x, c) = uint8_t(std::clamp(v, 0.0, 255.0));
      }
    }
  }
  return img;
}

volatile uint64_t g_sink;  // keeps results alive

double ThreadMicros() {
  timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

double MicrosPerCall(int iterations, const std::function<uint64_t()>& fn) {
  for (int i = 0; i < 3; ++i) g_sink = g_sink + fn();  // warm caches and static tables
  double best = 1e300;
  for (int round = 0; round < 5; ++round) {
    const double start = ThreadMicros();
    for (int i = 0; i < iterations; ++i) g_sink = g_sink + fn();
    best = std::min(best, (ThreadMicros() - start) / iterations);
  }
  return best;
}

}  // namespace

int main(int argc, char** argv) {
  const int iterations = argc > 1 ? std::atoi(argv[1]) : 100;
  const int sizes[][2] = {{400, 300}, {1024, 768}};
  std::printf("%-12s %12s %12s\n", "method", "400x300 us", "1024x768 us");
  struct Method {
    const char* name;
    std::function<uint64_t(const neardup::Image&)> fn;
  };
  const Method methods[] = {
      {"luma", [](const neardup::Image& im) { return uint64_t(neardup::ToLuma(im).data[0]); }},
      {"ahash", [](const neardup::Image& im) { return neardup::AverageHash(im); }},
      {"dhash", [](const neardup::Image& im) { return neardup::DifferenceHash(im); }},
      {"phash", [](const neardup::Image& im) { return neardup::PerceptualHash(im); }},
      {"whash", [](const neardup::Image& im) { return neardup::WaveletHash(im); }},
      {"pdq", [](const neardup::Image& im) { return neardup::PdqHash(im).hash.w[0]; }},
      {"pdq-dihedral",
       [](const neardup::Image& im) { return neardup::PdqDihedralHashes(im).hashes[7].w[0]; }},
  };
  const neardup::Image small = MakePhoto(sizes[0][0], sizes[0][1], 1);
  const neardup::Image large = MakePhoto(sizes[1][0], sizes[1][1], 2);
  for (const Method& m : methods) {
    double a = MicrosPerCall(iterations, [&] { return m.fn(small); });
    double b = MicrosPerCall(iterations, [&] { return m.fn(large); });
    std::printf("%-12s %12.1f %12.1f\n", m.name, a, b);
  }
  return 0;
}
