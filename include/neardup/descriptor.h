// Descriptors and the methods that compute and compare them: types only, and what every method
// promises. The methods themselves live beside what they stand on (hashes in src/hash/, the fused
// pipeline in src/fuse/, learned methods in the LibTorch plugin); registry.h makes one from its
// name, and src/method/search.h searches a set of descriptors the way the method declares.
//
// A method is chosen by a string, like Faiss's index_factory: "pdq", "pdq8" (PDQ with the 8
// dihedral variants, so rotated and mirrored copies match), "phash", "dhash", "ahash", "whash",
// "fused" (pdq8 plus local features, scored as pairs by a pipeline; see fuse.h), "fused:<learned>"
// (the same with a learned embedding as a third candidate source and a score feature, e.g.
// "fused:cnn:mobilenet_v2") and the learned "stn-cnn:<backbone>", "cnn:<backbone>",
// "torchscript:<file>" (nn.h).
// The string and the method's version are stored beside every cached descriptor, so data always
// reopens with the method that made it.
//
// Units: a hash method's distance is the Hamming distance in bits; its similarity score is
// 1 - distance / bits, in [0,1], higher = more similar. Thresholds passed to a hash method are in
// bits (a pair matches when distance <= threshold). Cosine methods: distance 1 - cosine, threshold
// a minimum cosine. Pair-pipeline methods: distance 1 - the pipeline's score, threshold a minimum
// score.
#ifndef NEARDUP_DESCRIPTOR_H_
#define NEARDUP_DESCRIPTOR_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "neardup/image.h"
#include "neardup/status.h"

namespace neardup {

// The output of a method for one image.
// Hash methods fill `bits`: `variants` consecutive codes of `words_per_code` uint64 each; variant 0
// is the image as it is, the others (pdq8) its rotations and mirrors.
// Float methods (CNN embeddings) fill `values` with an L2-normalised vector.
// The fused method fills `bits` as pdq8 does and `local` with its local features
// (SerializeFeatures, verify.h).
struct Descriptor {
  std::vector<uint64_t> bits;
  std::vector<float> values;
  std::vector<uint8_t> local;
  int quality = 100;  // 0-100; PDQ's gradient quality, 100 for methods without one
};

// The space a method's codes or vectors live in.
enum class Metric {
  kHamming,  // packed bits (`bits`), distance in bits, smallest over the variants
  kCosine,   // unit vectors (`values`), distance 1 - cosine
};

// How a method's descriptors are searched. Find, Pairs, ImageIndex and Explain do what this says
// (src/method/search.h), never what the method's name or metric suggests.
enum class SearchKind {
  // Each descriptor is a point of the metric() space: pairs come from a self-join within the
  // threshold, neighbours from a self-kNN, and an index (image_index.h) answers queries.
  kVectorSpace,
  // Pairs are proposed and scored by the method's PairPipeline (fuse.h: candidates ->
  // verification -> score); there is no space to index. A pair's distance is 1 - its score.
  kPairPipeline,
};

// What a threshold of a method may be, for validation and for people.
struct ThresholdRange {
  double lo = 0;
  double hi = 0;
  std::string unit;      // "bits", "cosine similarity", "fused score"
  std::string unit_key;  // the same in one word or two, for JSON: "bits", "cosine", "fused score"
  int decimals = 0;      // digits worth printing of a value in this unit (0 for bits)
};

class PairPipeline;  // fuse.h

// A descriptor method. Implementations are immutable after construction and thread-safe.
class Method {
 public:
  virtual ~Method() = default;
  Method() = default;
  Method(const Method&) = delete;
  Method& operator=(const Method&) = delete;

  // The method string that makes this method again, e.g. "pdq8".
  virtual std::string name() const = 0;
  // Bumped whenever the same image would get a different descriptor; cached data of another
  // version is recomputed.
  virtual int version() const = 0;
  // The space of the descriptor's codes or vectors. A kPairPipeline method's codes (the fused
  // method's pdq8 bits) are in it too, but its pairs are not found by distances there.
  virtual Metric metric() const = 0;
  virtual SearchKind search_kind() const { return SearchKind::kVectorSpace; }
  // The pipeline that proposes and scores pairs: non-null exactly when search_kind() is
  // kPairPipeline; it lives as long as the method.
  virtual const PairPipeline* pipeline() const { return nullptr; }
  // Bits per code (Hamming methods) or dimensions (float methods).
  virtual int dims() const = 0;
  // The unit of dims(), for people: "bits" or "dims".
  const char* dims_unit() const;
  // Number of codes per descriptor (8 for pdq8, else 1).
  virtual int variants() const { return 1; }
  // The decoder may downscale until the shorter side is this many pixels (JPEG DCT scaling).
  virtual int min_decode_side() const = 0;
  // The threshold used when the caller gives none, in the method's unit (bits for hashes),
  // chosen from measurements (see README.md).
  virtual double default_threshold() const = 0;

  // The thresholds this method accepts: Hamming 0..dims() bits (dims() matches everything),
  // cosine 0..1 (a negative minimum cosine would match unrelated images), a pipeline's score
  // 0..1.
  ThresholdRange threshold_range() const;
  // Ok when `threshold` is finite and inside threshold_range(), else InvalidArgument
  // "1000 is out of range for method pdq8 (0..256 bits)".
  Status CheckThreshold(double threshold) const;
  // `threshold` when given (checked as above), else default_threshold().
  StatusOr<double> ResolveThreshold(std::optional<double> threshold) const;
  // A distance in the threshold's unit: bits as they are, else the similarity 1 - distance.
  // IsMatch compares this with the threshold.
  double InThresholdUnit(double distance) const;

  // Computes the descriptor of an upright RGB or grey image.
  virtual StatusOr<Descriptor> Compute(const Image& image) const = 0;

  // Ok when `d` has the shape Compute gives, else Corruption saying what is wrong (e.g. "1 hash
  // word, expected 32"). Descriptors read back from a cache or catalog go through this, never
  // trusted blindly. The default checks: Hamming metric `variants()` codes of dims() bits; cosine
  // `dims()` finite values of unit length (float16 tolerance); nothing of the other kind; quality
  // in [0,100]; `local` empty except for kPairPipeline methods, which parse it themselves.
  virtual Status CheckDescriptor(const Descriptor& d) const;

  // How many images ComputeBatch handles best at once: a learned method runs its network on a
  // whole batch (several times the images/s of one at a time on a CPU); 1 = no gain.
  virtual int preferred_batch() const { return 1; }
  // Compute for each image: out[i] is Compute(*images[i]) up to float rounding, and an image that
  // fails gets its own error without failing the others. The default calls Compute in turn.
  virtual std::vector<StatusOr<Descriptor>> ComputeBatch(
      const std::vector<const Image*>& images) const;

  // Distance in the method's unit: for hashes the smallest Hamming distance between any variant of
  // `a` and variant 0 of `b` (and vice versa, so it is symmetric); for cosine methods 1 - cosine;
  // for a pair pipeline 1 - the score of verifying the pair. An error (descriptors of another
  // shape, local features that do not parse) is returned, never turned into a distance.
  virtual StatusOr<double> Distance(const Descriptor& a, const Descriptor& b) const = 0;
  // Similarity score in [0,1], higher = more similar, comparable across methods of one metric.
  virtual double Score(double distance) const = 0;
  // The inverse of Score: the distance whose score is `score`.
  virtual double DistanceForScore(double score) const = 0;
};

// True when two descriptors at `distance` (Method::Distance) are near-duplicates under
// `threshold` in the method's own unit: distance <= threshold bits for Hamming methods,
// cosine similarity (1 - distance) >= threshold for cosine methods, the pipeline's score
// (1 - distance) >= threshold for a pair pipeline.
bool IsMatch(const Method& method, double distance, double threshold);

}  // namespace neardup

#endif  // NEARDUP_DESCRIPTOR_H_
