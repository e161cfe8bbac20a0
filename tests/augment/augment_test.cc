// The public contract of neardup/augment.h common to every family: names, determinism, valid
// outputs, input checks, and chains.
#include "neardup/augment.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <string>

#include "augment/augment_test_helpers.h"
#include "testutil/testutil.h"

namespace neardup {
namespace {

using testing::MakeTestPhoto;
using testing::MustApply;

// Families whose edit has nothing to draw.
bool Parameterless(Family f) {
  return f == Family::kFlipH || f == Family::kFlipV || f == Family::kGreyscale;
}

TEST(AugmentNamesTest, RoundTripAndStable) {
  const std::vector<Family> all = AllFamilies();
  ASSERT_EQ(all.size(), 24u);
  std::set<std::string> names;
  for (Family f : all) {
    ASSERT_EQ(FamilyFromName(FamilyName(f)), f);
    names.insert(FamilyName(f));
  }
  EXPECT_EQ(names.size(), all.size());
  EXPECT_STREQ(FamilyName(Family::kScaleTranslate), "scale_translate");
  EXPECT_STREQ(FamilyName(Family::kPasteInCanvas), "paste");
  EXPECT_STREQ(FamilyName(Family::kCaptionBar), "caption");
  EXPECT_STREQ(FamilyName(Family::kStrong), "strong");
  EXPECT_STREQ(FamilyName(Family::kSticker), "sticker");
  EXPECT_STREQ(FamilyName(Family::kWatermark), "watermark");
  EXPECT_FALSE(FamilyFromName("Rotate").has_value());
  EXPECT_FALSE(FamilyFromName("").has_value());
}

TEST(AugmentNamesTest, Sets) {
  const std::vector<Family> paper = PaperFamilies();
  const std::vector<Family> copy = CopyDetectionFamilies();
  ASSERT_EQ(paper.size(), 8u);
  ASSERT_EQ(copy.size(), 13u);
  EXPECT_EQ(paper.front(), Family::kRotate);
  EXPECT_EQ(paper.back(), Family::kColorJitter);
  EXPECT_EQ(copy.front(), Family::kJpeg);
  EXPECT_EQ(copy.back(), Family::kCaptionBar);
}

TEST(AugmentDeterminismTest, SameSeedSameBytesForEveryFamily) {
  const Image src = MakeTestPhoto(96, 72, 1);
  for (Family f : AllFamilies()) {
    SCOPED_TRACE(FamilyName(f));
    for (uint64_t seed : {0ull, 7ull, 0xdeadbeefcafef00dull}) {
      const Augmented a = MustApply(src, f, seed);
      const Augmented b = MustApply(src, f, seed);
      EXPECT_EQ(a.image.width, b.image.width);
      EXPECT_EQ(a.image.height, b.image.height);
      EXPECT_TRUE(a.image.pixels == b.image.pixels);
      ASSERT_EQ(a.applied.size(), b.applied.size());
      for (size_t i = 0; i < a.applied.size(); ++i) {
        EXPECT_EQ(a.applied[i].family, b.applied[i].family);
        EXPECT_EQ(a.applied[i].params, b.applied[i].params);
      }
    }
  }
}

TEST(AugmentDeterminismTest, DifferentSeedsDrawDifferentParams) {
  const Image src = MakeTestPhoto(96, 72, 2);
  for (Family f : AllFamilies()) {
    SCOPED_TRACE(FamilyName(f));
    std::set<std::string> params;
    for (uint64_t seed = 1; seed <= 6; ++seed) {
      const Augmented a = MustApply(src, f, seed);
      std::string all;
      for (const TransformRecord& r : a.applied)
        all += std::string(FamilyName(r.family)) + r.params;
      params.insert(all);
      if (!Parameterless(f)) {
        for (const TransformRecord& r : a.applied) EXPECT_NE(r.params, "{}");
      }
    }
    if (Parameterless(f)) {
      EXPECT_EQ(params.size(), 1u);
      EXPECT_EQ(*params.begin(), std::string(FamilyName(f)) + "{}");
    } else {
      // rotate90 draws from 3 values, jpeg from 21, downscale from 301: repeats happen.
      const size_t least = f == Family::kRotate90 ? 2 : f == Family::kJpeg ? 3 : 5;
      EXPECT_GE(params.size(), least);
    }
  }
}

// Logged (seed, family) pairs must keep reproducing the same edit: a change to the RNG stream, the
// sub-seed derivation or the order of draws breaks old logs and benchmarks, and shows up here.
TEST(AugmentDeterminismTest, GoldenParams) {
  const Image src(64, 48, 3);  // params of these families do not depend on the pixels
  auto params = [&](Family f) {
    std::string all;
    for (const TransformRecord& r : MustApply(src, f, 42).applied) {
      all += std::string(all.empty() ? "" : " ") + FamilyName(r.family) + r.params;
    }
    return all;
  };
  EXPECT_EQ(params(Family::kRotate), R"(rotate{"angle":29.78,"fill":"black"})");
  EXPECT_EQ(params(Family::kCrop),
            R"(crop{"area_fraction":0.569,"x":2,"y":5,"width":49,"height":36})");
  EXPECT_EQ(params(Family::kJpeg), R"(jpeg{"quality":17})");
  EXPECT_EQ(params(Family::kCutout),
            R"(cutout{"area_fraction":0.197,"rects":[{"x":20,"y":13,"width":32,"height":19,)"
            R"("r":128,"g":128,"b":128}]})");
  EXPECT_EQ(
      params(Family::kStrong),
      R"(rotate90{"degrees":180} )"
      R"(perspective{"corners":[[8.156,1.069],[62.436,6.259],[62.988,39.824],[8.703,44.171]]} )"
      R"(paste{"canvas_width":88,"canvas_height":108,"scale":0.892,"x":16,"y":6,"width":57,)"
      R"("height":43})");
}

TEST(AugmentDeterminismTest, RecordsAreJsonObjectsNamingTheFamily) {
  const Image src = MakeTestPhoto(80, 64, 3);
  for (Family f : AllFamilies()) {
    const Augmented a = MustApply(src, f, 11);
    for (const TransformRecord& r : a.applied) {
      EXPECT_TRUE(nlohmann::json::parse(r.params).is_object()) << r.params;
      EXPECT_NE(r.family, Family::kStrong);
    }
    if (f != Family::kStrong) {
      EXPECT_EQ(a.applied[0].family, f);
    }
  }
}

TEST(AugmentValidityTest, OutputsAreRgbAndAtLeastMinSide) {
  // The smallest legal input, a thin one and a grey one.
  Image grey(40, 30, 1);
  for (size_t i = 0; i < grey.pixels.size(); ++i) grey.pixels[i] = uint8_t(i * 7);
  const Image inputs[] = {MakeTestPhoto(kMinAugmentSide, kMinAugmentSide, 4),
                          MakeTestPhoto(200, kMinAugmentSide, 5), grey};
  for (const Image& src : inputs) {
    for (Family f : AllFamilies()) {
      SCOPED_TRACE(std::string(FamilyName(f)) + " on " + std::to_string(src.width) + "x" +
                   std::to_string(src.height) + "x" + std::to_string(src.channels));
      for (uint64_t seed : {1ull, 2ull, 3ull}) {
        const Augmented a = MustApply(src, f, seed);
        EXPECT_EQ(a.image.channels, 3);
        EXPECT_GE(a.image.width, kMinAugmentSide);
        EXPECT_GE(a.image.height, kMinAugmentSide);
        EXPECT_EQ(a.image.pixels.size(), size_t(a.image.width) * a.image.height * 3);
      }
    }
  }
}

TEST(AugmentValidityTest, GreyInputIsExpandedFirst) {
  Image grey(32, 32, 1);
  for (size_t i = 0; i < grey.pixels.size(); ++i) grey.pixels[i] = uint8_t(i);
  const Augmented a = MustApply(grey, Family::kFlipV, 0);
  ASSERT_EQ(a.image.channels, 3);
  EXPECT_EQ(a.image.at(0, 5, 0), grey.at(31, 5));
  EXPECT_EQ(a.image.at(0, 5, 2), grey.at(31, 5));
}

TEST(AugmentValidityTest, RejectsBadInput) {
  EXPECT_EQ(ApplyFamily(Image(), Family::kBlur, 1).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ApplyFamily(Image(15, 40, 3), Family::kBlur, 1).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(ApplyFamily(Image(40, 40, 4), Family::kBlur, 1).status().code(),
            StatusCode::kInvalidArgument);
  Image truncated(40, 40, 3);
  truncated.pixels.resize(100);
  EXPECT_EQ(ApplyFamily(truncated, Family::kBlur, 1).status().code(), StatusCode::kInvalidArgument);
}

TEST(AugmentChainTest, StrongAppliesThreeDifferentCopyEdits) {
  const Image src = MakeTestPhoto(96, 72, 6);
  const std::vector<Family> copy = CopyDetectionFamilies();
  std::set<Family> seen;
  for (uint64_t seed = 0; seed < 8; ++seed) {
    const Augmented a = MustApply(src, Family::kStrong, seed);
    ASSERT_EQ(a.applied.size(), 3u);
    std::set<Family> distinct;
    for (const TransformRecord& r : a.applied) {
      EXPECT_NE(std::find(copy.begin(), copy.end(), r.family), copy.end()) << FamilyName(r.family);
      distinct.insert(r.family);
      seen.insert(r.family);
    }
    EXPECT_EQ(distinct.size(), 3u);
  }
  EXPECT_GE(seen.size(), 8u);  // 24 draws from 13 families
}

TEST(AugmentChainTest, RandomChainDrawsKDistinctFamilies) {
  const Image src = MakeTestPhoto(96, 72, 7);
  const std::vector<Family> set = {Family::kBlur, Family::kFlipH, Family::kGamma, Family::kBlur,
                                   Family::kCrop};
  for (int k = 0; k <= 4; ++k) {
    StatusOr<Augmented> a = ApplyRandomChain(src, set, k, 99);
    ASSERT_TRUE(a.ok()) << a.status().ToString();
    ASSERT_EQ(a->applied.size(), size_t(k));
    std::set<Family> distinct;
    for (const TransformRecord& r : a->applied) {
      EXPECT_NE(std::find(set.begin(), set.end(), r.family), set.end());
      distinct.insert(r.family);
    }
    EXPECT_EQ(distinct.size(), size_t(k));
    if (k == 0) {
      EXPECT_TRUE(a->image.pixels == src.pixels);
    }
    StatusOr<Augmented> again = ApplyRandomChain(src, set, k, 99);
    ASSERT_TRUE(again.ok());
    EXPECT_TRUE(again->image.pixels == a->image.pixels);
  }
  EXPECT_EQ(ApplyRandomChain(src, set, 5, 1).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ApplyRandomChain(src, set, -1, 1).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ApplyRandomChain(src, {}, 1, 1).status().code(), StatusCode::kInvalidArgument);
}

TEST(AugmentChainTest, ChainOrderVaries) {
  const Image src = MakeTestPhoto(64, 64, 8);
  const std::vector<Family> set = {Family::kBlur, Family::kGamma};
  std::set<Family> first;
  for (uint64_t seed = 0; seed < 16; ++seed) {
    StatusOr<Augmented> a = ApplyRandomChain(src, set, 2, seed);
    ASSERT_TRUE(a.ok());
    first.insert(a->applied[0].family);
  }
  EXPECT_EQ(first.size(), 2u);
}

TEST(AugmentChainTest, TrainingViewsUsePaperFamilies) {
  const Image src = MakeTestPhoto(96, 72, 9);
  const std::vector<Family> paper = PaperFamilies();
  std::set<size_t> lengths;
  for (uint64_t seed = 0; seed < 12; ++seed) {
    StatusOr<Augmented> v = MakeTrainingView(src, seed);
    ASSERT_TRUE(v.ok()) << v.status().ToString();
    ASSERT_GE(v->applied.size(), 1u);
    ASSERT_LE(v->applied.size(), 3u);
    lengths.insert(v->applied.size());
    for (const TransformRecord& r : v->applied) {
      EXPECT_NE(std::find(paper.begin(), paper.end(), r.family), paper.end());
    }
    StatusOr<Augmented> again = MakeTrainingView(src, seed);
    ASSERT_TRUE(again.ok());
    EXPECT_TRUE(again->image.pixels == v->image.pixels);
  }
  EXPECT_GE(lengths.size(), 2u);
}

}  // namespace
}  // namespace neardup
