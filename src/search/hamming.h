// Hamming distances between items of a CodeSet (search.h), shared by the exact searches and the
// multi-index join: private to src/search/.
#ifndef NEARDUP_SRC_SEARCH_HAMMING_H_
#define NEARDUP_SRC_SEARCH_HAMMING_H_

#include <algorithm>
#include <cstdint>

#include "neardup/hash.h"
#include "neardup/search.h"

namespace neardup::search_internal {

// Distance between item i of `a` and item j of `b`: VariantDistance (hash.h), the one definition;
// W = words (0: runtime).
template <int W>
inline int ItemDistance(const CodeSet& a, int64_t i, const CodeSet& b, int64_t j) {
  const int words = W > 0 ? W : a.words;
  return VariantDistance<W>(a.codes + i * a.variants * words, a.variants,
                            b.codes + j * b.variants * words, b.variants, words);
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
