// VariantDistanceTile (core/hamming.h): the brute-force hash search's kernel.
//
// pdq8 (8 variants of 4 words on both sides) is the case that matters, so it is written out and
// compiled three times: for CPUs with AVX-512 VPOPCNTQ (the compiler vectorises the 15 code
// distances of a pair: ~7 ns a pair at 2 GHz against ~45 with scalar POPCNT and ~250 with the
// baseline's libgcc popcount), for POPCNT, and for the x86-64 baseline; the first call picks the
// best the CPU runs. This file is built at -O3 (CMakeLists.txt): at -O2 GCC 12 does not
// vectorise it. Other word and variant counts take the generic loop.
#include <algorithm>

#include "core/hamming.h"

namespace neardup {
namespace {

constexpr int kWords = 4, kVariants = 8, kStride = kWords * kVariants;
// Rows of a tile handled as one block (the exact search's tiles have 16: exact_search.cc).
constexpr int kTileRows = 16;

// VariantDistance (neardup/hash.h) of two pdq8 items, without its early exit (which never changes the result).
__attribute__((always_inline)) inline int Pdq8Distance(const uint64_t* x, const uint64_t* y) {
  int best = 1 << 30;
  for (int v = 0; v < kVariants; ++v) {
    const int d = __builtin_popcountll(x[v * 4] ^ y[0]) + __builtin_popcountll(x[v * 4 + 1] ^ y[1]) +
                  __builtin_popcountll(x[v * 4 + 2] ^ y[2]) +
                  __builtin_popcountll(x[v * 4 + 3] ^ y[3]);
    best = std::min(best, d);
  }
  for (int v = 1; v < kVariants; ++v) {
    const int d = __builtin_popcountll(x[0] ^ y[v * 4]) + __builtin_popcountll(x[1] ^ y[v * 4 + 1]) +
                  __builtin_popcountll(x[2] ^ y[v * 4 + 2]) +
                  __builtin_popcountll(x[3] ^ y[v * 4 + 3]);
    best = std::min(best, d);
  }
  return best;
}

// With the row count known at compile time (kRows > 0) the compiler lays the rows' distances out
// across vector lanes: 3.5x faster than with a runtime count.
template <int kRows>
__attribute__((always_inline)) inline void Pdq8Rows(const uint64_t* a, int64_t rows,
                                                    const uint64_t* b, int64_t cols, int* out) {
  const int64_t n = kRows > 0 ? kRows : rows;
  for (int64_t c = 0; c < cols; ++c) {
    const uint64_t* y = b + c * kStride;
    for (int64_t r = 0; r < n; ++r) out[r * cols + c] = Pdq8Distance(a + r * kStride, y);
  }
}

__attribute__((always_inline)) inline void Pdq8Tile(const uint64_t* a, int64_t rows,
                                                    const uint64_t* b, int64_t cols, int* out) {
  int64_t r = 0;
  for (; r + kTileRows <= rows; r += kTileRows) {
    Pdq8Rows<kTileRows>(a + r * kStride, kTileRows, b, cols, out + r * cols);
  }
  if (r < rows) Pdq8Rows<0>(a + r * kStride, rows - r, b, cols, out + r * cols);
}

using TileFn = void (*)(const uint64_t*, int64_t, const uint64_t*, int64_t, int*);

#if defined(__GNUC__) && defined(__x86_64__) && !defined(__clang__)
__attribute__((target("popcnt,avx2,avx512f,avx512bw,avx512vl,avx512vpopcntdq"))) void
Pdq8TileAvx512(const uint64_t* a, int64_t rows, const uint64_t* b, int64_t cols, int* out) {
  Pdq8Tile(a, rows, b, cols, out);
}
__attribute__((target("popcnt"))) void Pdq8TilePopcnt(const uint64_t* a, int64_t rows,
                                                      const uint64_t* b, int64_t cols, int* out) {
  Pdq8Tile(a, rows, b, cols, out);
}
#endif
void Pdq8TileBaseline(const uint64_t* a, int64_t rows, const uint64_t* b, int64_t cols,
                      int* out) {
  Pdq8Tile(a, rows, b, cols, out);
}

TileFn PickPdq8Tile() {
#if defined(__GNUC__) && defined(__x86_64__) && !defined(__clang__)
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx512vpopcntdq") && __builtin_cpu_supports("avx512vl") &&
      __builtin_cpu_supports("avx512bw")) {
    return &Pdq8TileAvx512;
  }
  if (__builtin_cpu_supports("popcnt")) return &Pdq8TilePopcnt;
#endif
  return &Pdq8TileBaseline;
}

}  // namespace

void VariantDistanceTile(const uint64_t* a, int64_t rows, int variants_a, const uint64_t* b,
                         int64_t cols, int variants_b, int words, int* out) {
  if (words == kWords && variants_a == kVariants && variants_b == kVariants) {
    static const TileFn pdq8 = PickPdq8Tile();
    pdq8(a, rows, b, cols, out);
    return;
  }
  for (int64_t r = 0; r < rows; ++r) {
    VariantDistanceRow(a + r * int64_t(variants_a) * words, variants_a, b, cols, variants_b, words,
                       out + r * cols);
  }
}

}  // namespace neardup
