#include "core/hamming.h"

#include <algorithm>
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

// neardup/hash.h's VariantDistance (the smallest distance between any variant of one item and
// variant 0 of the other), restated here because core/ sits below hash/; the tests check that
// the two agree.
template <int W>
inline int VariantDist(const uint64_t* a, int variants_a, const uint64_t* b, int variants_b,
                       int words) {
  const int n = W > 0 ? W : words;
  auto code = [n](const uint64_t* x, const uint64_t* y) {
    int d = 0;
    for (int i = 0; i < n; ++i) d += std::popcount(x[i] ^ y[i]);
    return d;
  };
  int best = code(a, b);
  for (int v = 1; v < variants_a && best > 0; ++v) best = std::min(best, code(a + v * n, b));
  for (int v = 1; v < variants_b && best > 0; ++v) best = std::min(best, code(a, b + v * n));
  return best;
}

// VariantDistanceRow with the word count known at compile time (0: `words`).
template <int W>
inline void VariantRow(const uint64_t* a, int variants_a, const uint64_t* table, int64_t n,
                       int variants_b, int words, int* out) {
  const int64_t stride = int64_t(variants_b) * words;
  for (int64_t j = 0; j < n; ++j) {
    out[j] = VariantDist<W>(a, variants_a, table + j * stride, variants_b, words);
  }
}

}  // namespace

NEARDUP_POPCNT_CLONES
void VariantDistanceRow(const uint64_t* a, int variants_a, const uint64_t* table, int64_t n,
                        int variants_b, int words, int* out) {
  switch (words) {
    case 1:
      VariantRow<1>(a, variants_a, table, n, variants_b, words, out);
      break;
    case 4:
      VariantRow<4>(a, variants_a, table, n, variants_b, words, out);
      break;
    default:
      VariantRow<0>(a, variants_a, table, n, variants_b, words, out);
  }
}

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

namespace neardup {
namespace {

template <int kBytes>
inline void AllDistances(const uint8_t* query, const uint8_t* table, int64_t n, int bytes,
                         int* out) {
  const int size = kBytes > 0 ? kBytes : bytes;
  for (int64_t j = 0; j < n; ++j) out[j] = Distance(query, table + size_t(j) * size, size);
}

// 256-bit strings, the loop over words unrolled (GCC leaves it rolled at -O2).
inline int Distance32(const uint64_t* q, const uint8_t* t) {
  uint64_t w[4];
  std::memcpy(w, t, 32);
  return std::popcount(q[0] ^ w[0]) + std::popcount(q[1] ^ w[1]) + std::popcount(q[2] ^ w[2]) +
         std::popcount(q[3] ^ w[3]);
}

}  // namespace

NEARDUP_POPCNT_CLONES
int64_t HammingWithin(const uint8_t* query, const uint8_t* table, int64_t n, int bytes,
                      int max_bits, int64_t* index, int* distance) {
  int64_t found = 0;
  if (bytes == 32) {
    uint64_t q[4];
    std::memcpy(q, query, 32);
    for (int64_t j = 0; j < n; ++j) {
      const int d = Distance32(q, table + size_t(j) * 32);
      if (d <= max_bits) {
        index[found] = j;
        distance[found++] = d;
      }
    }
    return found;
  }
  for (int64_t j = 0; j < n; ++j) {
    const int d = Distance(query, table + size_t(j) * bytes, bytes);
    if (d <= max_bits) {
      index[found] = j;
      distance[found++] = d;
    }
  }
  return found;
}

namespace {

}  // namespace

NEARDUP_POPCNT_CLONES
void HammingDistances(const uint8_t* query, const uint8_t* table, int64_t n, int bytes,
                      int* out) {
  if (bytes == 32) {
    AllDistances<32>(query, table, n, bytes, out);
  } else {
    AllDistances<0>(query, table, n, bytes, out);
  }
}

}  // namespace neardup
