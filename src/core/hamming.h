// Hamming distances between packed bit strings (private to the library).
//
// The library is built for the x86-64 baseline, where a plain __builtin_popcount becomes a call
// into libgcc for every word; these functions are compiled twice (with and without the POPCNT
// instruction) and the loader picks the one the CPU supports (GCC target_clones), so hot loops
// over binary descriptors run one instruction per 64 bits.
#ifndef NEARDUP_SRC_CORE_HAMMING_H_
#define NEARDUP_SRC_CORE_HAMMING_H_

#include <cstdint>

namespace neardup {

// Number of differing bits between a[0, bytes) and b[0, bytes).
int HammingDistance(const uint8_t* a, const uint8_t* b, int bytes);

// The index of the first of the `n` strings of `bytes` bytes packed at `table` that is within
// `max_bits` of `query`, or -1 when none is.
int FirstWithinHamming(const uint8_t* query, const uint8_t* table, int n, int bytes,
                       int max_bits);

// out[j] = the distance from `query` to the j-th of the `n` strings of `bytes` bytes at `table`.
void HammingDistances(const uint8_t* query, const uint8_t* table, int64_t n, int bytes, int* out);

// The strings of `table` (n of `bytes` bytes) within `max_bits` of `query`: their indices into
// index[] and distances into distance[] (both with room for n), in table order; returns how many.
int64_t HammingWithin(const uint8_t* query, const uint8_t* table, int64_t n, int bytes,
                      int max_bits, int64_t* index, int* distance);

// For each of the `nq` query strings at `queries`, the nearest and second-nearest of the `nt`
// strings at `table` (all of `bytes` bytes): best[i] is the index of the nearest (the first one
// on ties), d1[i] its distance, d2[i] the second-smallest distance over the other strings
// (INT_MAX when nt < 2). What a brute-force 2-NN matcher gives.
void TwoNearestHamming(const uint8_t* queries, int nq, const uint8_t* table, int nt, int bytes,
                       int* best, int* d1, int* d2);

// out[j] = VariantDistance (neardup/hash.h) between the item at `a` (variants_a codes of `words`
// uint64) and item j of the `n` items packed at `table` (variants_b codes each): one row of a
// brute-force search over hashes, with the POPCNT instruction where the CPU has it.
void VariantDistanceRow(const uint64_t* a, int variants_a, const uint64_t* table, int64_t n,
                        int variants_b, int words, int* out);

// out[r * cols + c] = VariantDistance between item r of the `rows` items at `a` and item c of
// the `cols` items at `b` (layouts as above). Each item of `b` is read once for all the rows, so
// a brute-force search over a large set is bound by the POPCNT instruction, not by memory.
void VariantDistanceTile(const uint64_t* a, int64_t rows, int variants_a, const uint64_t* b,
                         int64_t cols, int variants_b, int words, int* out);

}  // namespace neardup

#endif  // NEARDUP_SRC_CORE_HAMMING_H_
