// Candidate pairs for fused scoring (private to the library): hash neighbours and local-feature
// votes (see include/neardup/fuse.h for what each source contributes).
#ifndef NEARDUP_SRC_FUSE_CANDIDATES_H_
#define NEARDUP_SRC_FUSE_CANDIDATES_H_

#include <cstdint>
#include <functional>
#include <vector>

#include "neardup/fuse.h"
#include "neardup/search.h"
#include "neardup/status.h"

namespace neardup::fuse_internal {

// What candidate search and the cheap part of scoring need of one image's local features, kept
// for every image of a run (about 10 KB each, where the whole features are 50-80 KB): the
// strongest descriptors that are looked up (and that look, with the mirrored ones), the image's
// size, keypoint count and thumbnail. The whole features are parsed again only to verify.
struct ItemKeys {
  bool usable = false;  // the features parsed
  bool binary = true;
  int descriptor_bytes = 0;
  int keypoints = 0;  // LocalFeatures::points.size()
  int width = 0;
  int height = 0;
  std::vector<uint8_t> strongest;           // the first vote_index_keypoints descriptors
  std::vector<uint8_t> strongest_mirrored;  // the first vote_keypoints mirrored descriptors
  std::vector<uint8_t> thumbnail;
  int strongest_count() const {
    return descriptor_bytes > 0 ? int(strongest.size()) / descriptor_bytes : 0;
  }
  int mirrored_count() const {
    return descriptor_bytes > 0 ? int(strongest_mirrored.size()) / descriptor_bytes : 0;
  }
};

ItemKeys KeysOf(const LocalFeatures& f, const FuseOptions& options);
// Parses `local` (Descriptor::local); an unparsable record gives keys that are not usable.
ItemKeys KeysOf(const std::vector<uint8_t>& local, const FuseOptions& options);

struct Candidate {
  int64_t a = 0;  // a < b
  int64_t b = 0;
  int votes = 0;  // 0 when proposed by the hash only
};

// Pairs by pdq8: each item's hash_neighbors nearest within hash_max_bits, and all pairs within
// hash_join_bits. `codes` holds 8 variants of 4 words per item.
std::vector<Candidate> HashCandidates(const CodeSet& codes, const FuseOptions& options,
                                      int threads);

// Pairs by the learned embeddings (rows of `vectors`, unit length; an item without one has a
// zero row and takes no part): each item's learned_neighbors nearest by cosine at or above
// learned_min_cosine.
std::vector<Candidate> LearnedCandidates(const VectorSet& vectors, const FuseOptions& options,
                                         int threads);

// Item i's keys, made when asked (from several threads at once): candidate search asks a few
// times per item rather than holding every item's keys.
using KeysFn = std::function<ItemKeys(int64_t)>;

// Pairs by local-feature votes among items [0, n) (vote_index.h; each item's keys are asked for
// four times at most: the sample, two passes building the index, the queries). Items whose keys
// are not usable take no part. Only binary descriptors vote; float ones (SIFT) yield no
// candidates. Uses `threads` threads (0: all).
std::vector<Candidate> VoteCandidates(int64_t n, const KeysFn& keys_of, const FuseOptions& options,
                                      int threads);

// Unites candidate lists: one entry per (a, b), votes summed; sorted by (a, b).
std::vector<Candidate> UniteCandidates(std::vector<Candidate> all);

}  // namespace neardup::fuse_internal

#endif  // NEARDUP_SRC_FUSE_CANDIDATES_H_
