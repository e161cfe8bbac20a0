// Hamming distances between items of a CodeSet (search.h), shared by the exact searches and the
// multi-index join: private to src/search/.
#ifndef NEARDUP_SRC_SEARCH_HAMMING_H_
#define NEARDUP_SRC_SEARCH_HAMMING_H_

#include <algorithm>
#include <cstdint>

#include "neardup/search.h"

namespace neardup::search_internal {

template <int W>
inline int Popcount(const uint64_t* x, const uint64_t* y) {
  int d = 0;
  for (int i = 0; i < W; ++i) d += __builtin_popcountll(x[i] ^ y[i]);
  return d;
}

inline int PopcountN(const uint64_t* x, const uint64_t* y, int words) {
  int d = 0;
  for (int i = 0; i < words; ++i) d += __builtin_popcountll(x[i] ^ y[i]);
  return d;
}

// Distance between item i of `a` and item j of `b` (see search.h); W = words (0: runtime).
template <int W>
inline int ItemDistance(const CodeSet& a, int64_t i, const CodeSet& b, int64_t j) {
  const int words = W > 0 ? W : a.words;
  const uint64_t* x = a.codes + i * a.variants * words;
  const uint64_t* y = b.codes + j * b.variants * words;
  auto pc = [words](const uint64_t* p, const uint64_t* q) {
    if constexpr (W > 0) {
      return Popcount<W>(p, q);
    } else {
      return PopcountN(p, q, words);
    }
  };
  int best = pc(x, y);
  for (int v = 1; v < a.variants && best > 0; ++v) best = std::min(best, pc(x + v * words, y));
  for (int v = 1; v < b.variants && best > 0; ++v) best = std::min(best, pc(x, y + v * words));
  return best;
}

using DistFn = int (*)(const CodeSet&, int64_t, const CodeSet&, int64_t);

inline DistFn PickDistance(int words) {
  switch (words) {
    case 1:
      return &ItemDistance<1>;
    case 4:
      return &ItemDistance<4>;
    default:
      return &ItemDistance<0>;
  }
}

}  // namespace neardup::search_internal

#endif  // NEARDUP_SRC_SEARCH_HAMMING_H_
