// Searching a set of descriptors the way their method declares (Method::search_kind(),
// descriptor.h), private to the library: vector-space methods through the exact kernels of
// search.h, pair-pipeline methods through their PairPipeline (fuse.h). Find, Pairs, the
// benchmark runner and Explain call these and never look at the method's kind themselves.
#ifndef NEARDUP_SRC_METHOD_SEARCH_H_
#define NEARDUP_SRC_METHOD_SEARCH_H_

#include <cstdint>
#include <optional>
#include <vector>

#include "neardup/cache.h"
#include "neardup/descriptor.h"
#include "neardup/fuse.h"
#include "neardup/hash.h"
#include "neardup/search.h"

namespace neardup {

struct JoinOptions {
  double threshold = 0;  // the method's unit (Method::CheckThreshold)
  int threads = 0;
  // This process's share of a vector-space join (a pipeline scores every candidate on every
  // process: its result does not depend on the share).
  JoinShard shard;
  // Hamming methods: hashes below this quality (0-100) match only at <= kLowQualityMaxBits.
  int min_quality = kPdqReliableQuality;
  int low_quality_max_bits = 8;
  // Pair-pipeline methods: remembers the evidence of scored pairs across runs (optional; the
  // caller flushes it).
  DescriptorCache* cache = nullptr;
  // Pair-pipeline methods: the local features of items whose Descriptor::local is empty.
  const LocalFeatureSource* local = nullptr;
};

struct JoinResult {
  std::vector<ScoredPair> pairs;  // a < b, sorted by (a, b), distance in the method's unit
  // Pair-pipeline methods: the evidence of each pair, in the same order; else empty.
  std::vector<PairEvidence> evidence;
  // True when `pairs` is this process's share only (the caller gathers the shares).
  bool sharded = false;
};

// Every pair of `items` (descriptors of `method`, CheckDescriptor'ed) that matches under
// `options.threshold` (IsMatch). Errors: the pipeline's.
StatusOr<JoinResult> SelfJoin(const Method& method, const std::vector<const Descriptor*>& items,
                              const JoinOptions& options);

// For each item, its k most similar other items, ascending distance (ties by id), distance in the
// method's unit. A pipeline knows only the candidates it proposes, so it may give fewer than k.
// k >= 1. `cache` and `local` as in JoinOptions.
StatusOr<std::vector<std::vector<Neighbor>>> SelfKnn(const Method& method,
                                                     const std::vector<const Descriptor*>& items,
                                                     int k, int threads,
                                                     DescriptorCache* cache = nullptr,
                                                     const LocalFeatureSource* local = nullptr);

// One pair compared: its distance in the method's unit and, for a pipeline, the evidence
// (`keep_inliers`: with the inlier pairs, for pictures). Errors: descriptors of another shape,
// features that do not parse.
struct PairComparison {
  double distance = 0;
  std::optional<PairEvidence> evidence;
};
StatusOr<PairComparison> ComparePair(const Method& method, const Descriptor& a, const Descriptor& b,
                                     bool keep_inliers = false);

}  // namespace neardup

#endif  // NEARDUP_SRC_METHOD_SEARCH_H_
