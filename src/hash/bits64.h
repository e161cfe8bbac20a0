// Thresholding a grid of 64 values into a 64-bit hash: bit i is cell i of the 8x8 grid in
// row-major order (row i/8, column i%8), least significant bit first.
#ifndef NEARDUP_SRC_HASH_BITS64_H_
#define NEARDUP_SRC_HASH_BITS64_H_

#include <algorithm>
#include <array>
#include <cstdint>

namespace neardup::hash_internal {

// The median as numpy computes it (imagehash's threshold): the mean of the two middle values.
inline double Median64(std::array<double, 64> v) {
  std::nth_element(v.begin(), v.begin() + 32, v.end());
  double upper = v[32];
  double lower = *std::max_element(v.begin(), v.begin() + 32);
  return (lower + upper) / 2;
}

// Sets bit i where v[i] > threshold.
inline uint64_t BitsAbove(const std::array<double, 64>& v, double threshold) {
  uint64_t bits = 0;
  for (int i = 0; i < 64; ++i) {
    if (v[i] > threshold) bits |= uint64_t{1} << i;
  }
  return bits;
}

}  // namespace neardup::hash_internal

#endif  // NEARDUP_SRC_HASH_BITS64_H_
