// What the files of hash_robustness_bench share: the options, the hashed images, and the steps
// main runs (pool.cc selects the images, edits.cc edits and hashes them, sweep.cc the sweep).
#ifndef NEARDUP_BENCH_HASH_ROBUSTNESS_COMMON_H_
#define NEARDUP_BENCH_HASH_ROBUSTNESS_COMMON_H_

#include <array>
#include <cstdint>
#include <functional>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "neardup/hash.h"
#include "neardup/image.h"

namespace hash_robustness {

using neardup::Image;

inline constexpr int kMaxSide = 1024;
inline constexpr double kDupCorrelation = 0.95;

struct ListSpec {
  std::string path;
  int count = -1;  // -1: a share of what --n leaves
};

struct Options {
  std::vector<ListSpec> lists;
  int n = 300;
  uint64_t seed = 1;
  int negatives = 50000;
  int threads = 2;
  int closest = 5;  // closest negative pairs to print
  // The large negative set (section "Thresholds on a large negative set"); off when empty.
  std::vector<ListSpec> neg_lists;
  int neg_n = 5000;         // images shared among the --negatives-list files without a count
  int neg_max_side = 512;   // negatives are downscaled to this long side
  int neg_min_side = 64;    // and skipped when their short side is smaller
  int sweep_closest = 20;   // closest negative pairs listed per method
  std::string closest_dir;  // where to write contact sheets of them (none when empty)
};

// Runs fn(i) for i in [0, n) on `threads` threads; fn must only write to slot i of its outputs.
void ParallelFor(int n, int threads, const std::function<void(int)>& fn);

// RGB as DecodeFile gives it, downscaled (area averaging) so its long side is <= max_side. Empty
// when it cannot be decoded (the reason is printed unless the file is simply not an image).
Image LoadOriginal(const std::string& path, int max_side = kMaxSide);

// Zero-mean, unit-norm 16x16 grey thumbnails (the dot product of two is their correlation) of the
// whole image and of its centred square, which catches one design cut to 4:3 and to 16:9; and
// the grey standard deviation, to reject flat images.
using Thumb16 = std::array<float, 256>;
struct Thumb {
  Thumb16 whole{}, square{};
  double stddev = 0;
};

// The 16x16 thumbnails of Thumb, scaled by 2^14 to int16: their integer dot product is the
// correlation times 2^28 (no overflow: both have unit norm).
struct QThumb {
  std::array<int16_t, 256> whole{}, square{};
};

QThumb Quantise(const Thumb& t);

// ---- the edits (edits.cc) ----
// The library's edits where one exists (neardup/augment.h, neardup/preprocess.h); the two that no
// augment family makes are drawn with OpenCV.

struct Edit {
  const char* name;
  std::function<Image(const Image&)> apply;
};

const std::vector<Edit>& Edits();

// ---- the methods (edits.cc) ----

enum Method { kAhash, kDhash, kPhash, kWhash, kPdq, kPdq8, kMethods };
inline constexpr const char* kMethodNames[kMethods] = {"ahash", "dhash", "phash",
                                                       "whash", "pdq",   "pdq8"};
inline constexpr int kMethodBits[kMethods] = {64, 64, 64, 64, neardup::kPdqBits, neardup::kPdqBits};

struct Hashes {
  uint64_t h64[4] = {};
  neardup::PdqResult pdq;
  // PDQ codes of 4 words, variant 0 the plain hash, then (for originals and pool images, and for
  // copies in the sweep) the 7 other dihedral hashes in PdqDihedralHashes' order.
  std::array<uint64_t, 8 * 4> pdq8{};
  int variants = 1;
};

// The four 64-bit hashes and PDQ of `img`; with `dihedral`, also its 7 other dihedral PDQ hashes.
Hashes HashAll(const Image& img, bool dihedral);

// Distances from original `a` (with its dihedral hashes) to image `b`, per method, in bits; pdq8
// one-sided: any variant of `a` against the plain hash of `b`.
std::array<int, kMethods> Distances(const Hashes& a, const Hashes& b);

// Distances as `neardup find` measures them: pdq8 is VariantDistance (neardup/hash.h), the one
// definition the methods and the searches use (symmetric).
std::array<int, kMethods> FindDistances(const Hashes& a, const Hashes& b);

// find's quality rule (neardup/find.h): below PDQ quality kPdqReliableQuality a pair matches only
// at distance <= kLowQualityMaxBits (the sweep applies it; main counts the low-quality pairs).
inline constexpr int kMinQuality = neardup::kPdqReliableQuality;

// ---- selection (pool.cc) ----

struct Original {
  std::string path;
  int list = 0;
  Image image;  // RGB, long side <= kMaxSide
};

// Also hands back the thumbnails and family keys of the chosen originals (for the negatives).
std::vector<Original> SelectOriginals(const Options& opt, std::mt19937_64& rng,
                                      std::vector<Thumb>* thumbs_out,
                                      std::set<std::string>* families_out);

struct PoolImage {
  std::string path;
  int list = -1;       // index into --negatives-list; -1 for an original
  Hashes hashes;       // dihedral filled
  int short_side = 0;  // of the decoded, downscaled image
};

struct NegListStats {
  int got = 0, small = 0, flat = 0, family = 0, near = 0, bad = 0;
};

// Draws the negative images: per list, seeded round-robin over folders (as the originals), each
// decoded, downscaled to opt.neg_max_side, skipped if its short side is < opt.neg_min_side, flat,
// of a family already in the pool (originals included; localised copies under .../l10n/LANG/ are
// one family), or a near-copy of a pool image: 16x16 thumbnails (whole or centre square)
// correlating at |r| > 0.95 as they are, or after one of the 7 rotations/mirrors (those are
// tried only against pool images that some hash already puts within the sweep's range:
// pdq8 <= 64 bits or a 64-bit hash <= 16 bits; the others cannot be false positives in it).
// Appends the accepted ones, hashed, to `pool`.
std::vector<NegListStats> SelectNegatives(const Options& opt, std::vector<PoolImage>& pool,
                                          std::vector<QThumb>& qthumbs,
                                          std::set<std::string>& families);

// ---- the large negative set and the threshold sweep (sweep.cc, --negatives-list) ----

struct SweepPositives {
  std::vector<std::array<std::vector<int>, kMethods>> d;  // [edit][method][original]
  std::vector<std::vector<int>> min_quality;              // [edit][original]: min PDQ quality
};

// Draws the negatives (SelectNegatives), scores every pair of the pool against the positives P,
// and prints the section "Thresholds on a large negative set".
void LargeNegatives(const Options& opt, const SweepPositives& P, std::vector<PoolImage>& pool,
                    std::vector<QThumb>& qthumbs, std::set<std::string>& families);

}  // namespace hash_robustness

#endif  // NEARDUP_BENCH_HASH_ROBUSTNESS_COMMON_H_
