// The method layer's search dispatch (src/method/search.h) and the threshold contract of
// descriptor.h: a vector-space method is searched by the exact kernels, a pair pipeline by its
// candidates and scores, and a pipeline's errors come back as errors.
#include "method/search.h"

#include <gtest/gtest.h>

#include <opencv2/imgproc.hpp>

#include "image/cv_image.h"
#include "neardup/registry.h"
#include "testutil/testutil.h"

namespace neardup {
namespace {

using image_internal::AsMat;
using image_internal::FromMat;

std::unique_ptr<Method> Make(const std::string& name) {
  auto m = MakeMethod(name);
  EXPECT_TRUE(m.ok()) << name;
  return std::move(m).value();
}

// Six unrelated busy pictures, then a mirrored copy of #0, a half-size copy of #1 and a crop of #2
// enlarged (a copy only verification can prove).
std::vector<Descriptor> Describe(const Method& m) {
  std::vector<Image> images;
  for (uint32_t s = 0; s < 6; ++s) images.push_back(testing::MakeBusyPhoto(400, 300, 70 + s));
  cv::Mat flipped, small;
  cv::flip(AsMat(images[0]), flipped, 1);
  cv::resize(AsMat(images[1]), small, cv::Size(200, 150), 0, 0, cv::INTER_AREA);
  images.push_back(FromMat(flipped));
  images.push_back(FromMat(small));
  cv::Mat crop;
  cv::resize(AsMat(images[2])(cv::Rect(100, 75, 240, 180)), crop, cv::Size(400, 300));
  images.push_back(FromMat(crop));
  std::vector<Descriptor> out;
  for (const Image& im : images) out.push_back(m.Compute(im).value());
  return out;
}

std::vector<const Descriptor*> Pointers(const std::vector<Descriptor>& d) {
  std::vector<const Descriptor*> p;
  for (const Descriptor& x : d) p.push_back(&x);
  return p;
}

TEST(MethodSearch, AHashMethodJoinsWithinItsThresholdAndAgreesWithDistance) {
  auto m = Make("pdq8");
  const std::vector<Descriptor> d = Describe(*m);
  JoinOptions o;
  o.threshold = m->default_threshold();
  o.threads = 2;
  auto joined = SelfJoin(*m, Pointers(d), o);
  ASSERT_TRUE(joined.ok());
  EXPECT_TRUE(joined->evidence.empty());
  EXPECT_FALSE(joined->sharded);
  // Every pair within the threshold, no other: the join matches the method's own Distance.
  std::vector<std::pair<int64_t, int64_t>> expected, got;
  for (size_t a = 0; a < d.size(); ++a) {
    for (size_t b = a + 1; b < d.size(); ++b) {
      const double dist = m->Distance(d[a], d[b]).value();
      const int q = std::min(d[a].quality, d[b].quality);
      if (IsMatch(*m, dist, o.threshold) && (q >= o.min_quality || dist <= 8)) {
        expected.push_back({int64_t(a), int64_t(b)});
      }
    }
  }
  for (const ScoredPair& p : joined->pairs) {
    got.push_back({p.a, p.b});
    EXPECT_EQ(p.distance, m->Distance(d[p.a], d[p.b]).value());
  }
  EXPECT_EQ(got, expected);
  EXPECT_NE(std::find(got.begin(), got.end(), std::make_pair(int64_t(0), int64_t(6))), got.end())
      << "the mirrored copy";

  auto knn = SelfKnn(*m, Pointers(d), 1, 2);
  ASSERT_TRUE(knn.ok());
  EXPECT_EQ((*knn)[6][0].id, 0);
  EXPECT_EQ((*knn)[7][0].id, 1);
}

TEST(MethodSearch, APipelineMethodScoresItsCandidatesWithEvidence) {
  auto m = Make("fused");
  ASSERT_NE(m->pipeline(), nullptr);
  const std::vector<Descriptor> d = Describe(*m);
  JoinOptions o;
  o.threshold = m->default_threshold();
  o.threads = 2;
  o.shard = {0, 3};  // a pipeline scores everything on every process
  auto joined = SelfJoin(*m, Pointers(d), o);
  ASSERT_TRUE(joined.ok());
  EXPECT_FALSE(joined->sharded);
  ASSERT_EQ(joined->evidence.size(), joined->pairs.size());
  bool flipped = false, small = false;
  for (size_t k = 0; k < joined->pairs.size(); ++k) {
    const ScoredPair& p = joined->pairs[k];
    EXPECT_EQ(joined->evidence[k].a, p.a);
    EXPECT_EQ(joined->evidence[k].b, p.b);
    EXPECT_GE(joined->evidence[k].score, o.threshold);
    EXPECT_DOUBLE_EQ(p.distance, 1 - joined->evidence[k].score);
    flipped |= p.a == 0 && p.b == 6;
    small |= p.a == 1 && p.b == 7;
  }
  EXPECT_TRUE(flipped);
  EXPECT_TRUE(small);

  auto compared = ComparePair(*m, d[2], d[8], /*keep_inliers=*/true);
  ASSERT_TRUE(compared.ok());
  ASSERT_TRUE(compared->evidence.has_value());
  EXPECT_TRUE(compared->evidence->verified);
  EXPECT_FALSE(compared->evidence->verification.inlier_pairs.empty());
  EXPECT_DOUBLE_EQ(compared->distance, 1 - compared->evidence->score);
  EXPECT_DOUBLE_EQ(m->Distance(d[2], d[8]).value(), compared->distance);
}

TEST(MethodSearch, APipelinesErrorIsAnErrorNotADistance) {
  auto m = Make("fused");
  const std::vector<Descriptor> d = Describe(*m);
  Descriptor damaged = d[0];
  damaged.local.resize(damaged.local.size() / 2);
  auto distance = m->Distance(damaged, d[6]);
  EXPECT_FALSE(distance.ok());
  EXPECT_EQ(distance.status().code(), StatusCode::kCorruption);
  EXPECT_FALSE(ComparePair(*m, damaged, d[6]).ok());
  auto pdq8 = Make("pdq8");
  EXPECT_FALSE(pdq8->Distance(Descriptor{}, d[0]).ok()) << "no hash words";
}

TEST(MethodThresholds, EachKindHasItsRangeUnitAndDefault) {
  auto pdq8 = Make("pdq8");
  auto fused = Make("fused");
  EXPECT_EQ(pdq8->threshold_range().unit, "bits");
  EXPECT_EQ(pdq8->threshold_range().hi, 256);
  EXPECT_EQ(fused->threshold_range().unit_key, "fused score");
  EXPECT_EQ(fused->threshold_range().hi, 1);
  EXPECT_TRUE(pdq8->CheckThreshold(256).ok());
  EXPECT_EQ(pdq8->CheckThreshold(257).message(),
            "257 is out of range for method pdq8 (0..256 bits)");
  EXPECT_FALSE(fused->CheckThreshold(std::nan("")).ok());
  EXPECT_EQ(pdq8->ResolveThreshold(std::nullopt).value(), pdq8->default_threshold());
  EXPECT_EQ(fused->ResolveThreshold(0.7).value(), 0.7);
  EXPECT_FALSE(fused->ResolveThreshold(1.5).ok());
  // Bits are matched at or below the threshold, scores at or above it.
  EXPECT_EQ(pdq8->InThresholdUnit(12), 12);
  EXPECT_DOUBLE_EQ(fused->InThresholdUnit(0.25), 0.75);
  EXPECT_TRUE(IsMatch(*pdq8, 32, 32));
  EXPECT_FALSE(IsMatch(*pdq8, 33, 32));
  EXPECT_TRUE(IsMatch(*fused, 0.5, 0.5));
  EXPECT_FALSE(IsMatch(*fused, 0.51, 0.5));
  EXPECT_STREQ(pdq8->dims_unit(), "bits");
}

}  // namespace
}  // namespace neardup
