// PDQ (Meta, 2017), computing the same floats as the reference C++ (facebook/ThreatExchange
// pdq/cpp, pdqHash256FromFloatLuma): luma -> Jarosz downsample to 64x64 (jarosz.h) -> quality from
// the 64x64 gradients -> 16x16 DCT-II of frequencies 1..16 -> threshold at the median.
// Unlike the reference's file hasher (pdqHash256FromFile) we never pre-shrink images larger than
// 512 px by nearest-neighbour resizing to 512x512: callers hand us the pixels they want hashed.
#include <algorithm>
#include <cassert>
#include <cmath>
#include <cstdlib>

#include "hash/jarosz.h"
#include "hash/pdq_internal.h"
#include "neardup/hash.h"

namespace neardup {
namespace hash_internal {
namespace {

constexpr int kDctSize = 16;

// Row k, column n: sqrt(2/64) * cos(pi/128 * (k+1) * (2n+1)), in float, with the reference's
// mix of float scale factor and double cosine so the table is bit-identical.
using DctMatrix = std::array<std::array<float, kPdqGrid>, kDctSize>;
const DctMatrix& PdqDctMatrix() {
  static const DctMatrix matrix = [] {
    constexpr double kPi = 3.14159265358979323846;
    const float scale = float(std::sqrt(2.0 / double{kPdqGrid}));
    DctMatrix m;
    for (int k = 0; k < kDctSize; ++k) {
      for (int n = 0; n < kPdqGrid; ++n) {
        m[k][n] = float(
            scale * std::cos((kPi / 2.0 / double{kPdqGrid}) * double(k + 1) * double(2 * n + 1)));
      }
    }
    return m;
  }();
  return matrix;
}

// Counts significant gradients between neighbouring cells of the 64x64 downsample (each
// difference in percent of full scale, truncated), scaled so that ordinary photos saturate at 100.
int QualityMetric(const PdqGrid& g) {
  int gradient_sum = 0;
  auto step = [](float u, float v) { return std::abs(int(((u - v) * 100) / 255)); };
  for (int i = 0; i + 1 < kPdqGrid; ++i) {
    for (int j = 0; j < kPdqGrid; ++j) {
      gradient_sum += step(g[i * kPdqGrid + j], g[(i + 1) * kPdqGrid + j]);
    }
  }
  for (int i = 0; i < kPdqGrid; ++i) {
    for (int j = 0; j + 1 < kPdqGrid; ++j) {
      gradient_sum += step(g[i * kPdqGrid + j], g[i * kPdqGrid + j + 1]);
    }
  }
  return std::min(gradient_sum / 90, 100);
}

// D * A * D^T with D the 16x64 matrix above. Every output accumulates its 64 products in the
// reference's order (k = 0..63, from 0.0f); the loops are only arranged so the compiler can
// vectorise across outputs.
PdqDct Dct64To16(const PdqGrid& a) {
  const DctMatrix& d = PdqDctMatrix();
  std::array<std::array<float, kPdqGrid>, kDctSize> t{};  // D * A
  for (int i = 0; i < kDctSize; ++i) {
    for (int k = 0; k < kPdqGrid; ++k) {
      const float dik = d[i][k];
      const float* row = a.data() + k * kPdqGrid;
      for (int j = 0; j < kPdqGrid; ++j) t[i][j] += dik * row[j];
    }
  }
  std::array<std::array<float, kDctSize>, kPdqGrid> dt;  // D^T
  for (int k = 0; k < kPdqGrid; ++k) {
    for (int j = 0; j < kDctSize; ++j) dt[k][j] = d[j][k];
  }
  PdqDct b{};
  for (int i = 0; i < kDctSize; ++i) {
    for (int k = 0; k < kPdqGrid; ++k) {
      const float tik = t[i][k];
      for (int j = 0; j < kDctSize; ++j) b[i][j] += tik * dt[k][j];
    }
  }
  return b;
}

}  // namespace

PdqFloat PdqFloatFromSource(const LumaSource& source) {
  assert(source.height() >= kPdqMinSide && source.width() >= kPdqMinSide);
  PdqGrid grid;
  PdqDownsample(source, grid);
  PdqFloat result;
  result.quality = QualityMetric(grid);
  result.dct = Dct64To16(grid);
  return result;
}

Hash256 PdqBitsFromDct(const PdqDct& dct) {
  std::array<float, 256> values;
  for (int i = 0; i < kDctSize; ++i) {
    std::copy(dct[i].begin(), dct[i].end(), values.begin() + kDctSize * i);
  }
  std::nth_element(values.begin(), values.begin() + 127, values.end());
  const float median = values[127];
  Hash256 h;
  for (int i = 0; i < kDctSize; ++i) {
    for (int j = 0; j < kDctSize; ++j) {
      const int bit = i * kDctSize + j;
      if (dct[i][j] > median) h.w[bit / 64] |= uint64_t{1} << (bit % 64);
    }
  }
  return h;
}

}  // namespace hash_internal

PdqResult PdqHash(const Image& image) {
  if (image.width < hash_internal::kPdqMinSide || image.height < hash_internal::kPdqMinSide) {
    return {};
  }
  hash_internal::PdqFloat f = hash_internal::PdqFloatFromSource({.image = &image});
  return {hash_internal::PdqBitsFromDct(f.dct), f.quality};
}

PdqResult PdqHashFromLuma(const FloatImage& luma) {
  assert(luma.channels == 1 || luma.empty());
  if (luma.width < hash_internal::kPdqMinSide || luma.height < hash_internal::kPdqMinSide) {
    return {};
  }
  hash_internal::PdqFloat f = hash_internal::PdqFloatFromSource({.luma = &luma});
  return {hash_internal::PdqBitsFromDct(f.dct), f.quality};
}

}  // namespace neardup
