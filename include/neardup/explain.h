// Explanations of one pair of images that a person can check: every method's distance, score and
// verdict; for the fused method its evidence (hash distance, votes, the verification's inlier
// matches and the matched region in both images); and for each learned method with a spatial
// transformer the two images as its STN aligned them (what the CNN actually compared), drawn into
// one picture.
#ifndef NEARDUP_EXPLAIN_H_
#define NEARDUP_EXPLAIN_H_

#include <optional>
#include <string>
#include <vector>

#include "neardup/fuse.h"
#include "neardup/image.h"
#include "neardup/status.h"

namespace neardup {

struct MethodVerdict {
  std::string method;
  double distance = 0;   // Method::Distance, in the method's unit (descriptor.h)
  double score = 0;      // Method::Score, in [0,1]
  double threshold = 0;  // the method's default threshold, in its own unit
  double value = 0;      // the distance in the threshold's unit (Method::InThresholdUnit)
  std::string unit;      // that unit, for people: "bits", "cosine", "fused score"
  bool at_most = false;  // a match needs value <= threshold (bits), else value >= threshold
  bool match = false;    // IsMatch(distance, threshold)
};

// One STN method's view of the pair: the backbone's inputs (input_size square, RGB).
struct AlignedPair {
  std::string method;
  Image a, b;
};

struct Explanation {
  std::vector<MethodVerdict> verdicts;  // in the order of ExplainOptions::methods
  std::vector<AlignedPair> aligned;     // one per "stn-cnn:" method that ran
  std::optional<PairEvidence> fused;    // when "fused" ran; inlier_pairs kept
  std::vector<std::string> notes;       // methods that could not run, "method: reason"
};

struct ExplainOptions {
  // Methods to run; empty = every hash method (MethodNames()) and every installed learned method
  // (InstalledNnMethods()).
  std::vector<std::string> methods;
};

// Runs every method on both images. A method that cannot be made or fails on an image is left
// out with a note (the others still run); InvalidArgument when `a` or `b` is empty, or when no
// method at all could run.
StatusOr<Explanation> ExplainPair(const Image& a, const Image& b, const ExplainOptions& options);

// The picture of an explanation: A and B side by side; when the fused method verified the pair,
// A and B again with the inlier matches drawn as lines and the matched region outlined in both;
// one row per STN (A and B as it aligned them); then one line per method verdict, the fused
// evidence, and one per note. `name_a`/`name_b` caption the images.
Image RenderExplanation(const Image& a, const Image& b, const Explanation& e,
                        const std::string& name_a, const std::string& name_b);

// One line for a verdict: "pdq8      distance 12  score 0.953  threshold 32  match".
std::string FormatVerdict(const MethodVerdict& v);

// Lines for a fused evidence: what each source said and where the match is.
std::vector<std::string> FormatEvidence(const PairEvidence& e);

}  // namespace neardup

#endif  // NEARDUP_EXPLAIN_H_
