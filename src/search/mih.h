// Multi-index hashing (Norouzi, Punjani and Fleet, "Fast Search in Hamming Space with
// Multi-Index Hashing", CVPR 2012) for the Hamming self-join: private to src/search/.
//
// A code of B bits is cut into m = B / 16 chunks of 16 bits. If two codes differ in at most r
// bits, some chunk differs in at most floor(r / m) bits (pigeonhole), so every pair within r is
// found by comparing, chunk by chunk, the codes of buckets whose 16-bit values are within
// floor(r / m) bits. A chunk's buckets are its codes copied in the order of their value (a
// counting sort: 4 + 8 * words bytes per code plus 256 KiB), so comparing two buckets streams
// through memory; probing each item's buckets in turn instead jumps to a random place per probe
// and took 108 s where this takes 16-22 s (1M 256-bit codes, radius 31, 2 cores,
// bench/selfjoin_bench.cc). Only `threads` chunks are held at once, so memory is O(n) and small
// (104 MB peak for those 1M codes); the work, on codes spread over the buckets, is about
// n * variants * m * (probes per chunk) * (n / 65536) / 2 code comparisons instead of n^2 / 2.
#ifndef NEARDUP_SRC_SEARCH_MIH_H_
#define NEARDUP_SRC_SEARCH_MIH_H_

#include <cstdint>
#include <vector>

#include "neardup/search.h"

namespace neardup::search_internal {

inline constexpr int kMihChunkBits = 16;

// Number of 16-bit values within `radius` bits of a value (the probes per chunk and code).
int64_t MihProbes(int radius);

// Estimated candidate checks of MihSelfJoin on `set` at `max_distance` (for uniformly spread
// codes), to compare with the n^2 / 2 of the brute-force join.
double MihCost(const CodeSet& set, int max_distance);

// Exactly HammingSelfJoin's result (all pairs a < b with distance <= max_distance, distance as in
// search.h, variants included, sorted by (a, b)), for any set; fast when floor(max_distance / m)
// is small (m = 16 * words / 16 chunks). n must be < 2^31. With a shard, only the query buckets
// of ranges r with r % parts == part are joined (every process still builds every chunk's
// buckets, O(n) each; the join, the bulk of the work, is split).
std::vector<ScoredPair> MihSelfJoin(const CodeSet& set, int max_distance, int threads,
                                    JoinShard shard = {});

}  // namespace neardup::search_internal

#endif  // NEARDUP_SRC_SEARCH_MIH_H_
