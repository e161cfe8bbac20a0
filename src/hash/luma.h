// Luma of one row of an 8-bit image, shared by ToLuma and PDQ, and its exact integer form used by
// the area resampler of the 64-bit hashes.
#ifndef NEARDUP_SRC_HASH_LUMA_H_
#define NEARDUP_SRC_HASH_LUMA_H_

#include <array>
#include <cassert>
#include <cstddef>
#include <cstdint>

namespace neardup::hash_internal {

// PDQ's coefficients as floats. Luma is evaluated as the reference does,
// (kLumaR * R + kLumaG * G) + kLumaB * B in float, so it is bit-identical to pdqhashing's
// fillFloatLumaFromRGB; the products come from tables (the same floats, without the int to float
// conversions that dominate the plain loop).
inline constexpr float kLumaR = 0.299f;
inline constexpr float kLumaG = 0.587f;
inline constexpr float kLumaB = 0.114f;

struct LumaTables {
  std::array<float, 256> r, g, b;
};
inline const LumaTables& FloatLumaTables() {
  static const LumaTables tables = [] {
    LumaTables t;
    for (int v = 0; v < 256; ++v) {
      t.r[v] = kLumaR * float(v);
      t.g[v] = kLumaG * float(v);
      t.b[v] = kLumaB * float(v);
    }
    return t;
  }();
  return tables;
}

// Writes `width` luma values in [0,255] for the pixels at `row` (1 = grey, copied; 3 = RGB) to
// out[x * out_stride].
inline void LumaRow(const uint8_t* row, int width, int channels, float* out, int out_stride = 1) {
  assert(channels == 1 || channels == 3);
  if (channels == 1) {
    for (int x = 0; x < width; ++x) out[size_t(x) * out_stride] = float(row[x]);
    return;
  }
  const LumaTables& t = FloatLumaTables();
  for (int x = 0; x < width; ++x) {
    const uint8_t* p = row + 3 * x;
    out[size_t(x) * out_stride] = (t.r[p[0]] + t.g[p[1]]) + t.b[p[2]];
  }
}

// 1000 x luma with the same weights, exactly, in integers: 299 R + 587 G + 114 B (grey: 1000 v).
inline void LumaRowX1000(const uint8_t* row, int width, int channels, int32_t* out) {
  assert(channels == 1 || channels == 3);
  if (channels == 1) {
    for (int x = 0; x < width; ++x) out[x] = 1000 * int32_t(row[x]);
    return;
  }
  for (int x = 0; x < width; ++x) {
    const uint8_t* p = row + 3 * x;
    out[x] = 299 * int32_t(p[0]) + 587 * int32_t(p[1]) + 114 * int32_t(p[2]);
  }
}

}  // namespace neardup::hash_internal

#endif  // NEARDUP_SRC_HASH_LUMA_H_
