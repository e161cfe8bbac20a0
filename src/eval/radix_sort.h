// LSD radix sort by a 64-bit key (private to the eval layer). Sorting 10 million pairs is the
// bulk of an evaluation; std::sort takes about 1 s for that, this about a quarter of it, because
// byte positions that are equal in every key (the high bytes of small image ids) cost nothing.
#ifndef NEARDUP_SRC_EVAL_RADIX_SORT_H_
#define NEARDUP_SRC_EVAL_RADIX_SORT_H_

#include <algorithm>
#include <array>
#include <bit>
#include <cstdint>
#include <cstring>
#include <vector>

namespace neardup::eval {

// Sorts `v` by key(element), ascending and stable. `key` must be cheap: it is called up to 9
// times per element. T must be trivially copyable.
template <typename T, typename KeyFn>
void RadixSortByKey(std::vector<T>* v, KeyFn key) {
  const size_t n = v->size();
  if (n < 2048) {
    std::stable_sort(v->begin(), v->end(), [&](const T& x, const T& y) { return key(x) < key(y); });
    return;
  }
  std::vector<std::array<size_t, 256>> counts(8);
  for (auto& c : counts) c.fill(0);
  for (const T& x : *v) {
    uint64_t k = key(x);
    for (int b = 0; b < 8; ++b) ++counts[b][(k >> (8 * b)) & 0xFF];
  }
  std::vector<T> tmp(n);
  std::vector<T>* src = v;
  std::vector<T>* dst = &tmp;
  for (int b = 0; b < 8; ++b) {
    std::array<size_t, 256>& c = counts[b];
    // A byte that is the same in every key does not reorder anything.
    if (std::find(c.begin(), c.end(), n) != c.end()) continue;
    size_t sum = 0;
    for (size_t& x : c) {
      size_t count = x;
      x = sum;
      sum += count;
    }
    T* out = dst->data();
    const int shift = 8 * b;
    for (const T& x : *src) out[c[(key(x) >> shift) & 0xFF]++] = x;
    std::swap(src, dst);
  }
  if (src != v) v->swap(tmp);
}

// A key whose unsigned order is the order of the doubles (no NaN; -0.0 sorts before +0.0).
inline uint64_t OrderedBits(double d) {
  uint64_t u = std::bit_cast<uint64_t>(d);
  return (u & (uint64_t{1} << 63)) ? ~u : (u | (uint64_t{1} << 63));
}

// The inverse of OrderedBits.
inline double FromOrderedBits(uint64_t k) {
  uint64_t u = (k & (uint64_t{1} << 63)) ? (k & ~(uint64_t{1} << 63)) : ~k;
  return std::bit_cast<double>(u);
}

}  // namespace neardup::eval

#endif  // NEARDUP_SRC_EVAL_RADIX_SORT_H_
