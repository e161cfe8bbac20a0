#include <gtest/gtest.h>

#include "neardup/descriptor.h"
#include "neardup/registry.h"
#include "testutil/testutil.h"

namespace neardup {
namespace {

TEST(MakeMethod, KnownAndUnknownNames) {
  for (const std::string& name : MethodNames()) {
    auto m = MakeMethod(name);
    ASSERT_TRUE(m.ok()) << name;
    EXPECT_EQ((*m)->name(), name);
    EXPECT_EQ((*m)->metric(), Metric::kHamming);  // fused's codes are pdq8's
    EXPECT_EQ((*m)->search_kind(),
              name == "fused" ? SearchKind::kPairPipeline : SearchKind::kVectorSpace);
    EXPECT_EQ((*m)->pipeline() != nullptr, name == "fused");
  }
  auto bad = MakeMethod("sift9000");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), StatusCode::kNotFound);
  EXPECT_NE(bad.status().message().find("pdq8"), std::string::npos);  // lists the known ones
}

TEST(HashMethods, SameImageScoresOneAndUnrelatedScoresLow) {
  Image a = testing::MakeTestPhoto(320, 240, 1), b = testing::MakeTestPhoto(320, 240, 2);
  for (const std::string& name : MethodNames()) {
    if (name == "fused") continue;  // a calibrated pair score, not a distance (tests/fuse/)
    auto m = std::move(MakeMethod(name)).value();
    Descriptor da = m->Compute(a).value(), da2 = m->Compute(a).value(), db = m->Compute(b).value();
    ASSERT_EQ(int(da.bits.size()), m->dims() / 64 * m->variants()) << name;
    EXPECT_EQ(m->Distance(da, da2).value(), 0) << name;
    EXPECT_EQ(m->Score(0), 1.0);
    EXPECT_GT(m->Distance(da, db).value(), m->default_threshold()) << name;
    EXPECT_DOUBLE_EQ(m->DistanceForScore(m->Score(17)), 17);
  }
}

TEST(HashMethods, Pdq8MatchesRotatedAndMirroredCopies) {
  Image a = testing::MakeTestPhoto(300, 200, 9);
  Image mirror(a.width, a.height, 3), rot90(a.height, a.width, 3);
  for (int y = 0; y < a.height; ++y) {
    for (int x = 0; x < a.width; ++x) {
      for (int c = 0; c < 3; ++c) {
        mirror.at(y, a.width - 1 - x, c) = a.at(y, x, c);
        rot90.at(a.width - 1 - x, y, c) = a.at(y, x, c);  // counter-clockwise
      }
    }
  }
  auto pdq = std::move(MakeMethod("pdq")).value();
  auto pdq8 = std::move(MakeMethod("pdq8")).value();
  for (const Image* copy : {&mirror, &rot90}) {
    double plain = pdq->Distance(pdq->Compute(a).value(), pdq->Compute(*copy).value()).value();
    double dihedral =
        pdq8->Distance(pdq8->Compute(a).value(), pdq8->Compute(*copy).value()).value();
    EXPECT_GT(plain, pdq->default_threshold());
    EXPECT_LE(dihedral, 16);
  }
}

TEST(HashMethods, RejectsEmptyImage) {
  auto m = std::move(MakeMethod("pdq")).value();
  EXPECT_FALSE(m->Compute(Image()).ok());
}

}  // namespace
}  // namespace neardup
