#include "core/hamming.h"

#include <bit>
#include <climits>
#include <cstring>

namespace neardup {
namespace {

#if defined(__GNUC__) && defined(__x86_64__) && !defined(__clang__)
#define NEARDUP_POPCNT_CLONES __attribute__((target_clones("popcnt", "default")))
#else
#define NEARDUP_POPCNT_CLONES
#endif

inline int Distance(const uint8_t* a, const uint8_t* b, int bytes) {
  int d = 0, k = 0;
  for (; k + 8 <= bytes; k += 8) {
    uint64_t x, y;
    std::memcpy(&x, a + k, 8);
    std::memcpy(&y, b + k, 8);
    d += std::popcount(x ^ y);
  }
  for (; k < bytes; ++k) d += std::popcount(unsigned(a[k] ^ b[k]));
  return d;
}

// TwoNearestHamming with the string size known at compile time (0: `bytes`).
template <int kBytes>
inline void TwoNearest(const uint8_t* queries, int nq, const uint8_t* table, int nt, int bytes,
                       int* best, int* d1, int* d2) {
  const int size = kBytes > 0 ? kBytes : bytes;
  for (int i = 0; i < nq; ++i) {
    const uint8_t* q = queries + size_t(i) * size;
    int b = -1, first = INT_MAX, second = INT_MAX;
    for (int j = 0; j < nt; ++j) {
      const int d = Distance(q, table + size_t(j) * size, size);
      if (d < first) {
        second = first;
        first = d;
        b = j;
      } else if (d < second) {
        second = d;
      }
    }
    best[i] = b;
    d1[i] = first;
    d2[i] = second;
  }
}

}  // namespace

NEARDUP_POPCNT_CLONES
void TwoNearestHamming(const uint8_t* queries, int nq, const uint8_t* table, int nt, int bytes,
                       int* best, int* d1, int* d2) {
  if (bytes == 32) {
    TwoNearest<32>(queries, nq, table, nt, bytes, best, d1, d2);
  } else {
    TwoNearest<0>(queries, nq, table, nt, bytes, best, d1, d2);
  }
}

NEARDUP_POPCNT_CLONES
int HammingDistance(const uint8_t* a, const uint8_t* b, int bytes) {
  return Distance(a, b, bytes);
}

NEARDUP_POPCNT_CLONES
int FirstWithinHamming(const uint8_t* query, const uint8_t* table, int n, int bytes,
                       int max_bits) {
  for (int j = 0; j < n; ++j) {
    if (Distance(query, table + size_t(j) * bytes, bytes) <= max_bits) return j;
  }
  return -1;
}

}  // namespace neardup
