// Candidate pairs for fused scoring (private to the library): hash neighbours and local-feature
// votes (see include/neardup/fuse.h for what each source contributes).
#ifndef NEARDUP_SRC_FUSE_CANDIDATES_H_
#define NEARDUP_SRC_FUSE_CANDIDATES_H_

#include <cstdint>
#include <vector>

#include "neardup/fuse.h"
#include "neardup/search.h"
#include "neardup/status.h"

namespace neardup::fuse_internal {

struct Candidate {
  int64_t a = 0;  // a < b
  int64_t b = 0;
  int votes = 0;  // 0 when proposed by the hash only
};

// Pairs by pdq8: each item's hash_neighbors nearest within hash_max_bits, and all pairs within
// hash_join_bits. `codes` holds 8 variants of 4 words per item.
std::vector<Candidate> HashCandidates(const CodeSet& codes, const FuseOptions& options,
                                      int threads);

// Pairs by local-feature votes. `features[i]` may be null (unparsable: the item takes no part).
// Only binary descriptors vote; float ones (SIFT) yield no candidates.
// The vote index searches on Faiss's own OpenMP threads.
StatusOr<std::vector<Candidate>> VoteCandidates(const std::vector<const LocalFeatures*>& features,
                                                const FuseOptions& options);

// Unites candidate lists: one entry per (a, b), votes summed; sorted by (a, b).
std::vector<Candidate> UniteCandidates(std::vector<Candidate> all);

}  // namespace neardup::fuse_internal

#endif  // NEARDUP_SRC_FUSE_CANDIDATES_H_
