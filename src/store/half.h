// Float descriptors on disk: L2-normalised embeddings (components in [-1, 1]) are stored as IEEE
// binary16: half the bytes, and a 10-bit mantissa moves a unit vector's components by at most
// 2^-11 relative, so a cosine similarity changes by less than 1e-3 (typically ~1e-4).
#ifndef NEARDUP_SRC_STORE_HALF_H_
#define NEARDUP_SRC_STORE_HALF_H_

#include <cstring>
#include <vector>

namespace neardup {

using Half = _Float16;
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
