// "fused:<learned>": the fused method whose descriptors carry a learned embedding too.
#include <gtest/gtest.h>

#include <cstdlib>

#include "neardup/fuse.h"
#include "neardup/nn.h"
#include "neardup/registry.h"
#include "nn/model.h"
#include "nn/random_model.h"
#include "store/half.h"
#include "testutil/testutil.h"

namespace neardup {
namespace {

TEST(FusedLearned, DescriptorsCarryTheHashFeaturesAndTheEmbedding) {
  testing::TempDir dir;
  ASSERT_TRUE(
      nn::WriteRandomModel(dir.Join("cnn-mobile.pt"), nn::SmallCnnConfig("mobile", 16, 64), 5));
  ASSERT_EQ(setenv("NEARDUP_MODEL_DIR", dir.path().c_str(), 1), 0);

  StatusOr<std::unique_ptr<Method>> fused = MakeMethod("fused:cnn:mobile");
  ASSERT_TRUE(fused.ok()) << fused.status().message();
  const Method& m = **fused;
  EXPECT_EQ(m.name(), "fused:cnn:mobile");
  EXPECT_EQ(m.search_kind(), SearchKind::kPairPipeline);
  ASSERT_NE(m.pipeline(), nullptr);
  const Image a = testing::MakeBusyPhoto(320, 240, 11);
  const Image b = testing::MakeBusyPhoto(320, 240, 12);
  std::vector<StatusOr<Descriptor>> d = m.ComputeBatch({&a, &b, &a});
  ASSERT_EQ(d.size(), 3u);
  for (const auto& x : d) {
    ASSERT_TRUE(x.ok()) << x.status().message();
    EXPECT_EQ(x->values.size(), 16u);
    EXPECT_EQ(x->bits.size(), 32u);  // pdq8: 8 variants of 256 bits
    EXPECT_FALSE(x->local.empty());
    EXPECT_TRUE(m.CheckDescriptor(*x).ok());
    // Already rounded as the cache stores it, so a warm run's pair fingerprints are the cold
    // run's and its cached evidence is found.
    const std::vector<Half> half = ToHalf(x->values);
    EXPECT_EQ(FromHalfBytes(half.data(), half.size() * sizeof(Half)), x->values);
  }
  // One image alone gives the same descriptor as in a batch.
  StatusOr<Descriptor> single = m.Compute(a);
  ASSERT_TRUE(single.ok());
  for (int i = 0; i < 16; ++i) EXPECT_NEAR(single->values[i], d[0]->values[i], 1e-5);
  // The pair's evidence has the embeddings' cosine; an identical picture's is 1.
  StatusOr<PairEvidence> same = m.pipeline()->ScorePair(*d[0], *d[2]);
  ASSERT_TRUE(same.ok());
  EXPECT_NEAR(same->cosine, 1.0, 1e-5);
  StatusOr<PairEvidence> other = m.pipeline()->ScorePair(*d[0], *d[1]);
  ASSERT_TRUE(other.ok());
  EXPECT_LT(other->cosine, 1.0);
  EXPECT_GE(other->cosine, -1.0);
  // The plain fused method has neither the embedding nor a cosine, and refuses one.
  StatusOr<std::unique_ptr<Method>> plain = MakeMethod("fused");
  ASSERT_TRUE(plain.ok());
  EXPECT_EQ((*plain)->CheckDescriptor(*d[0]).code(), StatusCode::kCorruption);
  Descriptor stripped = *d[0];
  stripped.values.clear();
  EXPECT_TRUE((*plain)->CheckDescriptor(stripped).ok());
  EXPECT_EQ(m.CheckDescriptor(stripped).code(), StatusCode::kCorruption);
  // Anything but a stn-cnn:/cnn: method after "fused:" is unknown.
  EXPECT_EQ(MakeMethod("fused:pdq8").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(MakeMethod("fused:torchscript:x.pt").status().code(), StatusCode::kNotFound);
  unsetenv("NEARDUP_MODEL_DIR");
}

TEST(FusedLearned, TheDefaultAddsTheShippedModelWhereItIsInstalled) {
  testing::TempDir empty, with_model;
  // Where the test binary runs (build/tests/) there is no models/ folder: only the variable counts.
  ASSERT_EQ(setenv("NEARDUP_MODEL_DIR", empty.path().c_str(), 1), 0);
  EXPECT_EQ(DefaultMethod(), kDefaultMethod);
  ASSERT_TRUE(nn::WriteRandomModel(with_model.Join("cnn-mobilenet_v2.pt"),
                                   nn::SmallCnnConfig("mobile", 16, 64), 1));
  ASSERT_EQ(setenv("NEARDUP_MODEL_DIR", with_model.path().c_str(), 1), 0);
  EXPECT_TRUE(NnPluginInstalled());
  EXPECT_EQ(DefaultMethod(), "fused:cnn:mobilenet_v2");
  unsetenv("NEARDUP_MODEL_DIR");
}

}  // namespace
}  // namespace neardup
