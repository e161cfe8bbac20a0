// Float descriptors on disk: L2-normalised embeddings (components in [-1, 1]) are stored as IEEE
// binary16: half the bytes, and a 10-bit mantissa moves a unit vector's components by at most
// 2^-11 relative, so a cosine similarity changes by less than 1e-3 (typically ~1e-4).
#ifndef NEARDUP_SRC_STORE_HALF_H_
#define NEARDUP_SRC_STORE_HALF_H_

#include <cstdint>
#include <cstring>
#include <vector>

namespace neardup {

#if defined(__FLT16_MAX__)
using Half = _Float16;
#else
// Compilers without _Float16 on this target (clang < 15 on x86-64): binary16 in software, with the
// same round-to-nearest-even as the hardware conversion, so the bytes on disk are identical.
struct Half {
  uint16_t bits = 0;
  Half() = default;
  explicit Half(float f) {
    uint32_t x;
    std::memcpy(&x, &f, 4);
    const uint32_t sign = (x >> 16) & 0x8000, exp = (x >> 23) & 0xff;
    uint32_t man = x & 0x7fffff;
    const int e = int(exp) - 127 + 15;
    if (exp == 0xff) {
      bits = uint16_t(sign | 0x7c00 | (man ? 0x200 | (man >> 13) : 0));
    } else if (e >= 31) {
      bits = uint16_t(sign | 0x7c00);
    } else if (e <= 0) {  // subnormal half (or zero)
      if (e < -10) {
        bits = uint16_t(sign);
        return;
      }
      man |= 0x800000;
      const int shift = 14 - e;
      uint32_t h = man >> shift;
      const uint32_t rem = man & ((1u << shift) - 1), halfway = 1u << (shift - 1);
      if (rem > halfway || (rem == halfway && (h & 1))) ++h;
      bits = uint16_t(sign | h);
    } else {
      uint32_t h = sign | (uint32_t(e) << 10) | (man >> 13);
      const uint32_t rem = man & 0x1fff;
      if (rem > 0x1000 || (rem == 0x1000 && (h & 1))) ++h;  // a carry into the exponent is right
      bits = uint16_t(h);
    }
  }
  operator float() const {
    const uint32_t sign = uint32_t(bits & 0x8000) << 16;
    uint32_t exp = (bits >> 10) & 0x1f, man = bits & 0x3ff, x;
    if (exp == 0x1f) {
      x = sign | 0x7f800000 | (man << 13) | (man ? 0x400000 : 0);  // NaNs come back quiet
    } else if (exp != 0) {
      x = sign | ((exp + 112) << 23) | (man << 13);
    } else if (man == 0) {
      x = sign;
    } else {
      int k = -1;
      do {
        ++k;
        man <<= 1;
      } while (!(man & 0x400));
      x = sign | (uint32_t(112 - k) << 23) | ((man & 0x3ff) << 13);
    }
    float f;
    std::memcpy(&f, &x, 4);
    return f;
  }
};
#endif
static_assert(sizeof(Half) == 2, "binary16 must be 2 bytes: it is written to disk");

inline std::vector<Half> ToHalf(const std::vector<float>& v) {
  std::vector<Half> out(v.size());
  for (size_t i = 0; i < v.size(); ++i) out[i] = Half(v[i]);
  return out;
}

// `bytes` bytes of binary16 values back to floats.
inline std::vector<float> FromHalfBytes(const void* p, size_t bytes) {
  std::vector<Half> half(bytes / sizeof(Half));
  if (!half.empty()) std::memcpy(half.data(), p, half.size() * sizeof(Half));
  return std::vector<float>(half.begin(), half.end());
}

}  // namespace neardup

#endif  // NEARDUP_SRC_STORE_HALF_H_
