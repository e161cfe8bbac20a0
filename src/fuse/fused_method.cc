// The fused method: pdq8 codes plus local features in one descriptor (so both are cached together
// and read once per image), searched as pairs by its PairPipeline (fuse.h).
#include "fuse/fused_method.h"

#include <cmath>

#include "hash/hash_methods.h"
#include "neardup/fuse.h"
#include "store/half.h"

namespace neardup {
namespace {

class FusedPipeline : public PairPipeline {
 public:
  explicit FusedPipeline(const FuseModel& model) { options_.model = model; }
  StatusOr<std::vector<PairEvidence>> ScoreCandidates(const std::vector<const Descriptor*>& items,
                                                      const ScoreOptions& run) const override {
    return FusedPairs(items, options_, run);
  }
  StatusOr<PairEvidence> ScorePair(const Descriptor& a, const Descriptor& b,
                                   bool keep_inliers) const override {
    FuseOptions o = options_;
    o.keep_inliers = keep_inliers;
    return FusePair(a, b, o);
  }
  const FuseOptions& options() const { return options_; }

 private:
  FuseOptions options_;
};

class FusedMethod : public Method {
 public:
  // `learned` may be null (plain "fused").
  explicit FusedMethod(std::unique_ptr<Method> learned)
      : pdq8_(MakeHashMethod("pdq8")),
        learned_(std::move(learned)),
        pipeline_(learned_ ? DefaultLearnedFuseModel() : DefaultFuseModel()) {}

  std::string name() const override {
    return learned_ ? std::string(kFusedMethodName) + ":" + learned_->name() : kFusedMethodName;
  }
  // 2: pdq8 + ORB (1000 keypoints at 640 px, mirrored too; small images enlarged to 640 px).
  // 3: the features carry an 8x8 colour thumbnail (pixel agreement of low-information images).
  // With a learned method, its version too (the model file's content).
  int version() const override {
    if (!learned_) return kVersion;
    return int((uint64_t(kVersion) * 1000003u + uint64_t(learned_->version())) & 0x7fffffff);
  }
  int preferred_batch() const override { return learned_ ? learned_->preferred_batch() : 1; }
  // The codes are pdq8's; pairs are found by the pipeline, not by distances between them.
  Metric metric() const override { return Metric::kHamming; }
  SearchKind search_kind() const override { return SearchKind::kPairPipeline; }
  const PairPipeline* pipeline() const override { return &pipeline_; }
  int dims() const override { return pdq8_->dims(); }
  int variants() const override { return pdq8_->variants(); }
  // Features are taken at 640 px on the longer side; 480 on the shorter keeps 4:3 pictures whole.
  int min_decode_side() const override { return 480; }
  // The fused score estimates a probability: 0.5 is the balanced decision.
  double default_threshold() const override { return 0.5; }

  StatusOr<Descriptor> Compute(const Image& image) const override {
    return std::move(ComputeBatch({&image})[0]);
  }

  // The hash and local features per image; the learned embeddings in one network call.
  std::vector<StatusOr<Descriptor>> ComputeBatch(
      const std::vector<const Image*>& images) const override {
    std::vector<StatusOr<Descriptor>> out;
    out.reserve(images.size());
    for (const Image* image : images) out.push_back(ComputeOwn(*image));
    if (!learned_) return out;
    std::vector<StatusOr<Descriptor>> embedded = learned_->ComputeBatch(images);
    for (size_t i = 0; i < out.size(); ++i) {
      if (!out[i].ok()) continue;
      if (!embedded[i].ok()) {
        out[i] = embedded[i].status();
        continue;
      }
      // Rounded as the cache stores them (binary16), so a pair's fingerprint, and so its cached
      // evidence, is the same whether its descriptors were computed or read back.
      const std::vector<Half> half = ToHalf(embedded[i]->values);
      out[i]->values = FromHalfBytes(half.data(), half.size() * sizeof(Half));
    }
    return out;
  }

  Status CheckDescriptor(const Descriptor& d) const override {
    // The hash part as pdq8's (the base check allows no values beside bits), the embedding as the
    // learned method's.
    Descriptor codes;
    codes.bits = d.bits;
    codes.quality = d.quality;
    RETURN_IF_ERROR(Method::CheckDescriptor(codes));
    if (learned_) {
      Descriptor embedding;
      embedding.values = d.values;
      RETURN_IF_ERROR(learned_->CheckDescriptor(embedding));
    } else if (!d.values.empty()) {
      return CorruptionError(std::to_string(d.values.size()) + " values, expected 0");
    }
    // FusePair parses the same record; one that does not parse would silently lose its matches.
    ASSIGN_OR_RETURN(LocalFeatures f, ParseFeatures(d.local.data(), d.local.size()));
    if (f.width <= 0 || f.height <= 0 || !std::isfinite(f.feature_scale) || f.feature_scale <= 0) {
      return CorruptionError("local features of a " + std::to_string(f.width) + "x" +
                             std::to_string(f.height) + " image at scale " +
                             std::to_string(f.feature_scale));
    }
    if (!f.points.empty() && f.descriptor_bytes == 0) {
      return CorruptionError("local features: keypoints without descriptors");
    }
    for (const auto* side : {&f.points, &f.mirrored_points}) {
      for (const Point2& p : *side) {
        if (!std::isfinite(p.x) || !std::isfinite(p.y)) {
          return CorruptionError("local features: a keypoint position is not finite");
        }
      }
    }
    return Status::Ok();
  }

  // 1 - the score of verifying the pair; a descriptor whose features do not parse is an error.
  StatusOr<double> Distance(const Descriptor& a, const Descriptor& b) const override {
    ASSIGN_OR_RETURN(PairEvidence e, pipeline_.ScorePair(a, b, false));
    return 1.0 - e.score;
  }
  double Score(double distance) const override { return 1.0 - distance; }
  double DistanceForScore(double score) const override { return 1.0 - score; }

 private:
  static constexpr int kVersion = 3;

  StatusOr<Descriptor> ComputeOwn(const Image& image) const {
    ASSIGN_OR_RETURN(Descriptor d, pdq8_->Compute(image));
    ASSIGN_OR_RETURN(LocalFeatures f, ExtractFeatures(image, pipeline_.options().verify));
    d.local = SerializeFeatures(f);
    return d;
  }

  std::unique_ptr<Method> pdq8_;
  std::unique_ptr<Method> learned_;
  FusedPipeline pipeline_;
};

}  // namespace

std::unique_ptr<Method> MakeFusedMethod(std::string_view name) {
  if (name != kFusedMethodName) return nullptr;
  return std::make_unique<FusedMethod>(nullptr);
}

std::unique_ptr<Method> MakeFusedMethodWith(std::unique_ptr<Method> learned) {
  return std::make_unique<FusedMethod>(std::move(learned));
}

}  // namespace neardup
