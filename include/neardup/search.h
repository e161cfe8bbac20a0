// Exact nearest-neighbour search over a set of descriptors of one method.
//
// Codes of a Hamming method are packed bits (see descriptor.h): `words` uint64 per code and
// `variants` codes per item; the distance between items i and j is the smallest Hamming distance
// between any variant of one and variant 0 of the other (symmetric), in bits.
// Float vectors are compared by cosine similarity (dot product of L2-normalised vectors, in
// [-1,1]); the distance reported for them is 1 - cosine, in [0,2].
// Every search here is exact and brute force, split over `threads` threads; results are
// deterministic and independent of the thread count.
#ifndef NEARDUP_SEARCH_H_
#define NEARDUP_SEARCH_H_

#include <cstdint>
#include <vector>

namespace neardup {

struct Neighbor {
  int64_t id = 0;       // index of the item in the searched set
  double distance = 0;  // bits (Hamming) or 1 - cosine (float)
};

struct ScoredPair {
  int64_t a = 0;  // a < b
  int64_t b = 0;
  double distance = 0;
};

// Sorts pairs by (a, b) and keeps one of each (a, b) (the first after sorting).
void SortUniquePairs(std::vector<ScoredPair>* pairs);

// A read-only view of N items of a Hamming method. The caller keeps `codes` alive.
struct CodeSet {
  const uint64_t* codes = nullptr;  // n * variants * words
  int64_t n = 0;
  int words = 4;
  int variants = 1;
};

// A read-only view of N float vectors of `dim` dimensions, row-major.
struct VectorSet {
  const float* data = nullptr;  // n * dim
  int64_t n = 0;
  int dim = 0;
};

// One process's share of a self-join split over `parts` processes: the union over part = 0 ..
// parts - 1 of the pairs each returns is the whole join (src/dist/ gathers them).
struct JoinShard {
  int part = 0;
  int parts = 1;
};

// All pairs (a < b) with distance <= max_distance, sorted by (a, b).
std::vector<ScoredPair> HammingSelfJoin(const CodeSet& set, int max_distance, int threads,
                                        JoinShard shard = {});
// For each item, its k nearest other items (ascending distance, ties by id).
std::vector<std::vector<Neighbor>> HammingSelfKnn(const CodeSet& set, int k, int threads);
// For each query (its variants as in `queries`), the k nearest items of `base`.
std::vector<std::vector<Neighbor>> HammingKnn(const CodeSet& base, const CodeSet& queries, int k,
                                              int threads);

// For each query, every item of `base` within max_distance (ascending distance, ties by id).
std::vector<std::vector<Neighbor>> HammingRadius(const CodeSet& base, const CodeSet& queries,
                                                 int max_distance, int threads);

// All pairs (a < b) with cosine similarity >= min_cosine, sorted by (a, b).
std::vector<ScoredPair> CosineSelfJoin(const VectorSet& set, float min_cosine, int threads,
                                       JoinShard shard = {});
// For each item, its k nearest other items by cosine (distance = 1 - cosine).
std::vector<std::vector<Neighbor>> CosineSelfKnn(const VectorSet& set, int k, int threads);
// For each item, its k nearest other items by Euclidean distance (distance = ||a - b||).
std::vector<std::vector<Neighbor>> EuclideanSelfKnn(const VectorSet& set, int k, int threads);
// Squared Euclidean distance between two vectors of `dim` floats.
float SquaredL2(const float* a, const float* b, int dim);
float Dot(const float* a, const float* b, int dim);

}  // namespace neardup

#endif  // NEARDUP_SEARCH_H_
