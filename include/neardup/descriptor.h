// Descriptors and the methods that compute and compare them.
//
// A method is chosen by a string, like Faiss's index_factory: "pdq", "pdq8" (PDQ with the 8
// dihedral variants, so rotated and mirrored copies match), "phash", "dhash", "ahash", "whash",
// and "fused" (pdq8 plus local features: pairs are proposed by hashes and local-feature votes,
// proved by geometric verification and given one calibrated score; see fuse.h).
// The string and the method's version are stored beside every cached descriptor, so data always
// reopens with the method that made it.
//
// Units: a hash method's distance is the Hamming distance in bits; its similarity score is
// 1 - distance / bits, in [0,1], higher = more similar. Thresholds passed to a hash method are in
// bits (a pair matches when distance <= threshold).
#ifndef NEARDUP_DESCRIPTOR_H_
#define NEARDUP_DESCRIPTOR_H_

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
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

// kFused: a pair's distance is 1 - its fused score (fuse.h), computed by verifying the pair; there
// is no vector space to index, so such methods are searched by FusedPairs only.
enum class Metric { kHamming, kCosine, kFused };

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
  virtual Metric metric() const = 0;
  // Bits per code (Hamming methods) or dimensions (float methods).
  virtual int dims() const = 0;
  // Number of codes per descriptor (8 for pdq8, else 1).
  virtual int variants() const { return 1; }
  // The decoder may downscale until the shorter side is this many pixels (JPEG DCT scaling).
  virtual int min_decode_side() const = 0;
  // The threshold used when the caller gives none, in the method's unit (bits for hashes),
  // chosen from measurements (see README.md).
  virtual double default_threshold() const = 0;

  // Computes the descriptor of an upright RGB or grey image.
  virtual StatusOr<Descriptor> Compute(const Image& image) const = 0;

  // Ok when `d` has the shape Compute gives, else Corruption saying what is wrong (e.g. "1 hash
  // word, expected 32"). Descriptors read back from a cache or catalog go through this, never
  // trusted blindly. The default checks: hash metrics (and kFused) `variants()` codes of dims()
  // bits; cosine `dims()` finite values of unit length (float16 tolerance); nothing of the other
  // kind; quality in [0,100]; `local` empty except for kFused, whose method parses it.
  virtual Status CheckDescriptor(const Descriptor& d) const;

  // How many images ComputeBatch handles best at once: a learned method runs its network on a
  // whole batch (several times the images/s of one at a time on a CPU); 1 = no gain.
  virtual int preferred_batch() const { return 1; }
  // Compute for each image: out[i] is Compute(*images[i]) up to float rounding, and an image that
  // fails gets its own error without failing the others. The default calls Compute in turn.
  virtual std::vector<StatusOr<Descriptor>> ComputeBatch(
      const std::vector<const Image*>& images) const;

  // Distance in the method's unit: for hashes the smallest Hamming distance between any variant of
  // `a` and variant 0 of `b` (and vice versa, so it is symmetric).
  virtual double Distance(const Descriptor& a, const Descriptor& b) const = 0;
  // Similarity score in [0,1], higher = more similar, comparable across methods of one metric.
  virtual double Score(double distance) const = 0;
  // The inverse of Score: the distance whose score is `score`.
  virtual double DistanceForScore(double score) const = 0;
};

// True when two descriptors at `distance` (Method::Distance) are near-duplicates under
// `threshold` in the method's own unit: distance <= threshold bits for Hamming methods,
// cosine similarity (1 - distance) >= threshold for cosine methods, fused score (1 - distance)
// >= threshold for the fused method.
bool IsMatch(const Method& method, double distance, double threshold);

// Makes the method named by `spec`. NotFound for an unknown name (the message lists the known).
StatusOr<std::unique_ptr<Method>> MakeMethod(std::string_view spec);

// The method names MakeMethod accepts, e.g. {"pdq", "pdq8", ...}.
std::vector<std::string> MethodNames();

// The method `neardup find`, `pairs` and `explain` use when none is given.
inline constexpr const char* kDefaultMethod = "fused";
// The method of a new index when none is given (an index needs a vector per image).
inline constexpr const char* kDefaultIndexMethod = "pdq8";

}  // namespace neardup

#endif  // NEARDUP_DESCRIPTOR_H_
