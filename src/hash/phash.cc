// pHash, after imagehash's phash (hash_size 8, highfreq_factor 4): luma area-resampled to 32x32,
// 2-D DCT-II, the 8x8 lowest frequencies (DC included, as imagehash keeps it) thresholded at
// their numpy-style median. Bit i is frequency (i/8 vertical, i%8 horizontal).
#include <array>
#include <cmath>
#include <numbers>
#include <vector>

#include "hash/bits64.h"
#include "hash/resize.h"
#include "neardup/hash.h"

namespace neardup {
namespace {

constexpr int kSide = 32;  // resampled image side
constexpr int kLow = 8;    // kept frequencies per axis

// cos(pi k (2n+1) / 2N) for k < 8, n < 32. Unnormalised, as scipy's dct(type=2, norm=None) up to
// its uniform factor 2: an orthonormal DCT would scale the DC term alone and move the median.
using DctTable = std::array<std::array<double, kSide>, kLow>;
const DctTable& DctBasis() {
  static const DctTable table = [] {
    DctTable t;
    for (int k = 0; k < kLow; ++k) {
      for (int n = 0; n < kSide; ++n) {
        t[k][n] = std::cos(std::numbers::pi * k * (2 * n + 1) / (2.0 * kSide));
      }
    }
    return t;
  }();
  return table;
}

}  // namespace

uint64_t PerceptualHash(const Image& image) {
  std::vector<double> px = hash_internal::AreaResizeLuma(image, kSide, kSide);
  const DctTable& c = DctBasis();

  // Columns first (vertical frequencies u), then rows (horizontal frequencies v).
  std::array<std::array<double, kSide>, kLow> cols{};
  for (int u = 0; u < kLow; ++u) {
    for (int y = 0; y < kSide; ++y) {
      const double cu = c[u][y];
      const double* row = px.data() + y * kSide;
      for (int x = 0; x < kSide; ++x) cols[u][x] += cu * row[x];
    }
  }
  std::array<double, 64> low;
  for (int u = 0; u < kLow; ++u) {
    for (int v = 0; v < kLow; ++v) {
      double s = 0;
      for (int x = 0; x < kSide; ++x) s += cols[u][x] * c[v][x];
      low[u * kLow + v] = s;
    }
  }
  return hash_internal::BitsAbove(low, hash_internal::Median64(low));
}

}  // namespace neardup
