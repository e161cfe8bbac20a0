// Photometric edits: each checked for the change it promises, on images where it is measurable.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "augment/augment_test_helpers.h"
#include "neardup/augment.h"
#include "testutil/testutil.h"

namespace neardup {
namespace {

using testing::Filled;
using testing::GradientEnergy;
using testing::MakeTestPhoto;
using testing::Mean;
using testing::MeanAbsDiff;
using testing::MustApply;
using testing::ParamsOf;
using testing::StdDev;

double MeanLuma(const Image& img) {
  double sum = 0;
  for (size_t i = 0; i < img.pixels.size(); i += 3) {
    sum += 0.299 * img.pixels[i] + 0.587 * img.pixels[i + 1] + 0.114 * img.pixels[i + 2];
  }
  return sum / (img.pixels.size() / 3);
}

TEST(AugmentPhotometricTest, JpegReallyReencodesAtLowQuality) {
  const Image src = MakeTestPhoto(96, 72, 1);
  for (uint64_t seed = 0; seed < 4; ++seed) {
    const Augmented a = MustApply(src, Family::kJpeg, seed);
    const int quality = ParamsOf(a)["quality"];
    EXPECT_GE(quality, 10);
    EXPECT_LE(quality, 30);
    const double diff = MeanAbsDiff(a.image, src);
    EXPECT_GT(diff, 1.0);
    EXPECT_LT(diff, 15.0);
  }
}

TEST(AugmentPhotometricTest, BlurLowersGradientEnergy) {
  const Image src = MakeTestPhoto(96, 72, 2);
  for (uint64_t seed = 0; seed < 4; ++seed) {
    const Augmented a = MustApply(src, Family::kBlur, seed);
    const double sigma = ParamsOf(a)["sigma"];
    EXPECT_GE(sigma, 1.5);
    EXPECT_LE(sigma, 4.0);
    EXPECT_LT(GradientEnergy(a.image), 0.5 * GradientEnergy(src));
  }
}

TEST(AugmentPhotometricTest, NoiseRaisesStdOfAFlatImageBySigma) {
  const Image flat = Filled(128, 128, 128, 128, 128);
  for (uint64_t seed = 0; seed < 4; ++seed) {
    const Augmented a = MustApply(flat, Family::kNoise, seed);
    const double sigma = ParamsOf(a)["sigma"];
    EXPECT_GE(sigma, 8.0);
    EXPECT_LE(sigma, 25.0);
    EXPECT_NEAR(StdDev(a.image), sigma, 0.05 * sigma);
    EXPECT_NEAR(Mean(a.image), 128.0, 0.5);
  }
}

TEST(AugmentPhotometricTest, GreyscaleHasEqualChannels) {
  const Image src = MakeTestPhoto(64, 48, 3);
  const Augmented a = MustApply(src, Family::kGreyscale, 1);
  ASSERT_EQ(a.image.channels, 3);
  for (size_t i = 0; i < a.image.pixels.size(); i += 3) {
    ASSERT_EQ(a.image.pixels[i], a.image.pixels[i + 1]);
    ASSERT_EQ(a.image.pixels[i], a.image.pixels[i + 2]);
  }
  // BT.601 luma of the first pixel.
  const double luma = 0.299 * src.pixels[0] + 0.587 * src.pixels[1] + 0.114 * src.pixels[2];
  EXPECT_NEAR(a.image.pixels[0], luma, 1.0);
}

TEST(AugmentPhotometricTest, GammaMovesTheMeanTheRightWay) {
  const Image src = MakeTestPhoto(64, 48, 4);
  bool brighter = false, darker = false;
  for (uint64_t seed = 0; seed < 12; ++seed) {
    const Augmented a = MustApply(src, Family::kGamma, seed);
    const double gamma = ParamsOf(a)["gamma"];
    ASSERT_TRUE((gamma >= 0.5 && gamma <= 0.7) || (gamma >= 1.5 && gamma <= 2.2)) << gamma;
    if (gamma < 1) {
      EXPECT_GT(Mean(a.image), Mean(src) + 10);
      brighter = true;
    } else {
      EXPECT_LT(Mean(a.image), Mean(src) - 10);
      darker = true;
    }
  }
  EXPECT_TRUE(brighter && darker);
}

TEST(AugmentPhotometricTest, BrightnessScalesTheMeanAndContrastTheSpread) {
  // Mid-tones only, so nothing saturates and the formula holds on the statistics.
  Image src = MakeTestPhoto(64, 48, 5);
  for (uint8_t& p : src.pixels) p = uint8_t(90 + p * 60 / 255);
  for (uint64_t seed = 0; seed < 6; ++seed) {
    const Augmented a = MustApply(src, Family::kBrightnessContrast, seed);
    const nlohmann::json p = ParamsOf(a);
    const double b = p["brightness"], c = p["contrast"];
    EXPECT_GE(b, 0.7);
    EXPECT_LE(b, 1.3);
    EXPECT_GE(c, 0.6);
    EXPECT_LE(c, 1.4);
    // v'' = b c v + (1 - c) b mean_luma(v), sample by sample.
    EXPECT_NEAR(Mean(a.image), b * c * Mean(src) + (1 - c) * b * MeanLuma(src), 0.5);
    EXPECT_NEAR(testing::StdDev(a.image), b * c * StdDev(src), 1.0);
  }
}

TEST(AugmentPhotometricTest, ColorJitterRangesAndGreyStaysGrey) {
  const Image src = MakeTestPhoto(64, 48, 6);
  for (uint64_t seed = 0; seed < 6; ++seed) {
    const Augmented a = MustApply(src, Family::kColorJitter, seed);
    const nlohmann::json p = ParamsOf(a);
    EXPECT_LE(std::abs(double(p["hue_shift"])), 18.0);
    EXPECT_GE(double(p["saturation"]), 0.6);
    EXPECT_LE(double(p["saturation"]), 1.4);
    EXPECT_GT(MeanAbsDiff(a.image, src), 0.5);
    // Hue and saturation leave the value channel, max(R,G,B), alone.
    for (int i = 0; i < 50; ++i) {
      const size_t j = size_t(i) * 61 % (src.pixels.size() / 3) * 3;
      const int before = std::max({src.pixels[j], src.pixels[j + 1], src.pixels[j + 2]});
      const int after = std::max({a.image.pixels[j], a.image.pixels[j + 1], a.image.pixels[j + 2]});
      EXPECT_NEAR(after, before, 1);
    }
  }
  const Image grey = Filled(32, 32, 77, 77, 77);
  const Augmented g = MustApply(grey, Family::kColorJitter, 3);
  EXPECT_LE(MeanAbsDiff(g.image, grey), 0.5);
}

}  // namespace
}  // namespace neardup
