// Fused near-duplicate scoring, the default of `neardup find` and `pairs` (method "fused"):
// cheap sources propose candidate pairs, local features prove them, and one calibrated score in
// [0,1] (an estimate of the probability that the pair is a near-duplicate) combines the evidence.
//
// Candidates of each image (the sources are united; each pair is scored once):
//  - hash neighbours: its `hash_neighbors` nearest images by pdq8 (all 8 dihedral variants, so
//    rotated and mirrored copies are near) within `hash_max_bits`, and every image within
//    `hash_join_bits` (so a large group of copies is complete);
//  - local-feature votes: its `vote_keypoints` strongest keypoints (as they are and mirrored) are
//    looked up among all other images' strongest keypoints (a Faiss inverted-file binary index);
//    every other image that `min_votes` of them find is a candidate, the `vote_neighbors` most
//    voted per image. This finds the crops, paste-ins, rotations and perspective changes that a
//    global hash misses.
//  - learned neighbours (a "fused:<learned method>" method, e.g. "fused:cnn:mobilenet_v2", whose
//    descriptors also carry the learned embedding in Descriptor::values): its `learned_neighbors`
//    nearest images by cosine at or above `learned_min_cosine`. The embedding sees crops,
//    rotations and paste-ins that share few keypoints with their source; its cosine is also a
//    feature of both scores.
// Each candidate is verified (VerifyPair, verify.h) unless its pdq8 distance is at most
// `trusted_bits` between reliable hashes (then the hash alone is conclusive and the pair costs
// nothing), or one image has fewer than `min_keypoints` keypoints (smooth images: verification
// cannot speak), or the two share fewer than `min_votes_to_verify` strong keypoints (no copy
// relation to prove); such pairs are scored on the hash alone.
// The score: a logistic model of the evidence (FuseModel), fitted on the development
// benchmark's training set by `build/bench/fuse_fit_bench` (README.md, "Fused scoring").
//
// Thread safety: functions are pure; FusedPairs uses `threads` threads internally.
#ifndef NEARDUP_FUSE_H_
#define NEARDUP_FUSE_H_

#include <cstdint>
#include <string>
#include <vector>

#include "neardup/cache.h"
#include "neardup/descriptor.h"
#include "neardup/status.h"
#include "neardup/verify.h"

namespace neardup {

// The evidence on one pair and what it adds up to.
struct PairEvidence {
  int64_t a = 0;  // indices into the described items, a < b
  int64_t b = 0;
  int hash_bits = 0;         // pdq8 distance (smallest over the dihedral variants), 0-256
  bool low_quality = false;  // a PDQ quality below 50: the hash is unreliable
  // One image carries little information (an unreliable hash, fewer than min_keypoints
  // keypoints, or a side under 32 px): a hash alone never makes such a pair confident unless the
  // pixels agree (pixel_diff).
  bool low_information = false;
  double pixel_diff = -1;  // ThumbnailDistance (verify.h): 0-255 levels, -1 unknown
  // Strongest keypoints of one image (as it is and mirrored) that have a near descriptor among the
  // other's strongest, both ways (the candidate vote, counted exactly for this pair).
  int votes = 0;
  int mirrored_votes = 0;        // of `votes`: those of mirrored keypoints
  bool verified = false;         // VerifyPair ran (else: trusted hash, or too few keypoints)
  bool fallback = false;         // too few keypoints to verify: scored on the hash alone
  std::string why_not_verified;  // when !verified: the reason, for people
  Verification verification;     // when `verified`; inlier_pairs are dropped unless kept
  // Cosine similarity of the two learned embeddings ("fused:<learned>" methods), else
  // kNoCosine.
  double cosine = -2;
  double score = 0;              // fused, in [0,1]
};
inline constexpr double kNoCosine = -2;

// Coefficients of the two logistic models: score = 1 / (1 + exp(-z)).
//  verified:  z = v[0] + v[1]*h + v[2]*match + v[3]*log(1 + inliers) + v[4]*coverage
//                 + v[5]*log(1 + votes)
//  hash only: z = g[0] + g[1]*h + g[2]*low_quality + g[3]*low_information*d
// with h = hash_bits / 256, match = Verification::match (0/1), inliers and coverage taken from
// the verification when it is a match (else 0), d = min(pixel_diff, 64) / 64; pairs with a
// learned cosine c add c[0] * c (verified) or c[1] * c (hash only). Coverage matters:
// pictures that share only a logo or a caption verify with many inliers in a small part of both.
// On top of the model, a low-information pair whose pixels differ by more than
// kLowInformationMaxPixelDiff levels scores at most kLowInformationMaxScore.
struct FuseModel {
  double v[6];
  double g[4];
  double c[2] = {0, 0};
};
inline constexpr double kLowInformationMaxPixelDiff = 12;
inline constexpr double kLowInformationMaxScore = 0.1;

// The fitted models shipped with neardup (src/fuse/fuse_model.cc): for "fused", and for the
// "fused:<learned>" methods (fitted with the shipped cnn:mobilenet_v2 model).
const FuseModel& DefaultFuseModel();
const FuseModel& DefaultLearnedFuseModel();

struct FuseOptions {
  int hash_neighbors = 8;
  int hash_max_bits = 96;
  int hash_join_bits = 40;
  int vote_keypoints = 64;         // strongest keypoints per image that look (each orientation)
  int vote_index_keypoints = 256;  // strongest keypoints per image that are looked up
  int vote_max_bits = 40;          // a keypoint "finds" another within this Hamming distance
  int vote_probes = 2;             // lists of the vote index searched per keypoint
  int vote_neighbors = 24;
  int min_votes = 3;
  int trusted_bits = 16;
  int min_keypoints = 24;
  // Pairs with fewer votes are not verified (a copy shares keypoints; verification is the cost),
  // and verification matches only each image's strongest `verify_keypoints`.
  int min_votes_to_verify = 2;
  // The learned source (items with Descriptor::values): neighbours per image and the lowest
  // cosine proposed.
  int learned_neighbors = 10;
  double learned_min_cosine = 0.5;
  int verify_keypoints = 0;  // 0 = all (1,000)
  // Verification is a cascade, as matching 1,000 keypoints to 1,000 is most of a pair's cost: a
  // quick pass on each image's strongest `quick_keypoints` decides clear cases (a match with at
  // least `quick_accept_inliers` inliers; fewer than `quick_reject_matches` matches: nothing to
  // find), and only the rest are matched in full (0 disables the quick pass).
  int quick_keypoints = 300;
  int quick_accept_inliers = 40;
  int quick_reject_matches = 4;
  // The mirrored pass of VerifyPair runs only when the mirrored keypoints voted at least this
  // share of the direct ones (a mirrored copy's direct keypoints vote little).
  double mirrored_vote_share = 0.5;
  bool keep_inliers = false;  // keep Verification::inlier_pairs (for explanations)
  VerifyOptions verify;       // must match the features' type
  FuseModel model = DefaultFuseModel();
};

// The fused score of the evidence (the model above).
double FusedScore(const FuseModel& model, const PairEvidence& e);

// Scores one pair of fused descriptors (Descriptor::bits = pdq8 codes, Descriptor::local = local
// features). Corruption when a descriptor's local features cannot be parsed.
StatusOr<PairEvidence> FusePair(const Descriptor& a, const Descriptor& b,
                                const FuseOptions& options = {});

// Where a pipeline reads the local features of an item whose Descriptor::local is empty because
// they were moved out of memory: Find and Pairs write them to a temporary file during the scan,
// so a run holds about 10 KB per image instead of 60-80 KB (find.h). Thread-safe.
class LocalFeatureSource {
 public:
  virtual ~LocalFeatureSource() = default;
  // Item i's bytes, as Descriptor::local held them; an error naming the reason when they cannot
  // be read back (the pair is then scored on the hash alone, as with damaged features).
  virtual StatusOr<std::vector<uint8_t>> Load(int64_t item) const = 0;
};

// How a pipeline run gets its inputs and what it keeps.
struct ScoreOptions {
  int threads = 0;  // 0: all cores
  // Optional: the evidence of each candidate is looked up by both descriptors' fingerprints and
  // the options (DescriptorCache::LookupPair) and only the pairs not found are scored, then
  // stored (Put; the caller flushes). So an unchanged folder verifies nothing again and a folder
  // with a few new files verifies only their pairs. Not used with keep_inliers.
  DescriptorCache* cache = nullptr;
  // Optional: the local features of items whose Descriptor::local is empty.
  const LocalFeatureSource* local = nullptr;
  // Only pairs scoring at least this are returned (the rest are still scored and cached): a
  // folder of N images has ~20 N candidates, most of them not near-duplicates.
  double min_score = 0;
};

// Every candidate pair among `items` (fused descriptors) scoring at least options.min_score,
// sorted by (a, b). Memory: the candidate list (16 bytes per pair), the vote index (~9 KB per
// image, vote_index_keypoints codes) and the features of the pairs being verified; no item's
// keys or features are held for the whole run.
// Items whose local features cannot be parsed (or loaded) take part through their hash only
// (descriptors read back from a cache or catalog were checked by Method::CheckDescriptor, so this
// is the caller's own data).
StatusOr<std::vector<PairEvidence>> FusedPairs(const std::vector<const Descriptor*>& items,
                                               const FuseOptions& options,
                                               const ScoreOptions& run);
inline StatusOr<std::vector<PairEvidence>> FusedPairs(const std::vector<const Descriptor*>& items,
                                                      const FuseOptions& options, int threads,
                                                      DescriptorCache* cache = nullptr) {
  return FusedPairs(items, options, ScoreOptions{threads, cache, nullptr, 0});
}

// What a SearchKind::kPairPipeline method (descriptor.h) searches with: instead of distances in a
// space, candidates are proposed, verified and scored. The fused method's pipeline is FusedPairs
// and FusePair with its FuseOptions. Implementations are immutable and thread-safe.
class PairPipeline {
 public:
  virtual ~PairPipeline() = default;
  PairPipeline() = default;
  PairPipeline(const PairPipeline&) = delete;
  PairPipeline& operator=(const PairPipeline&) = delete;

  // Every candidate pair among `items` (descriptors of the pipeline's method) scoring at least
  // run.min_score, sorted by (a, b); pairs no source proposes are not listed (FusedPairs).
  virtual StatusOr<std::vector<PairEvidence>> ScoreCandidates(
      const std::vector<const Descriptor*>& items, const ScoreOptions& run) const = 0;
  // The evidence on one given pair, whether or not a source would propose it; `keep_inliers`
  // keeps Verification::inlier_pairs (for pictures). Corruption when a descriptor's local
  // features cannot be parsed.
  virtual StatusOr<PairEvidence> ScorePair(const Descriptor& a, const Descriptor& b,
                                           bool keep_inliers = false) const = 0;
};

}  // namespace neardup

#endif  // NEARDUP_FUSE_H_
