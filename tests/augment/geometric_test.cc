// Geometric edits: each output checked against what its params say was done.
#include <gtest/gtest.h>

#include <cmath>

#include "augment/augment_test_helpers.h"
#include "neardup/augment.h"
#include "neardup/preprocess.h"
#include "testutil/testutil.h"

namespace neardup {
namespace {

using testing::MakeTestPhoto;
using testing::MeanAbsDiff;
using testing::MustApply;
using testing::ParamsOf;
using testing::SubImageAt;

TEST(AugmentGeometricTest, FlipsAreExactMirrors) {
  const Image src = MakeTestPhoto(50, 30, 1);
  const Augmented h = MustApply(src, Family::kFlipH, 5);
  const Augmented v = MustApply(src, Family::kFlipV, 5);
  ASSERT_EQ(h.image.width, 50);
  ASSERT_EQ(v.image.height, 30);
  for (int y = 0; y < 30; ++y) {
    for (int x = 0; x < 50; ++x) {
      for (int c = 0; c < 3; ++c) {
        ASSERT_EQ(h.image.at(y, x, c), src.at(y, 49 - x, c));
        ASSERT_EQ(v.image.at(y, x, c), src.at(29 - y, x, c));
      }
    }
  }
}

TEST(AugmentGeometricTest, Rotate90SwapsSidesAndMapsPixels) {
  const Image src = MakeTestPhoto(48, 32, 2);
  for (uint64_t seed = 0; seed < 6; ++seed) {
    const Augmented a = MustApply(src, Family::kRotate90, seed);
    const int degrees = ParamsOf(a)["degrees"];
    ASSERT_TRUE(degrees == 90 || degrees == 180 || degrees == 270);
    const Image& out = a.image;
    if (degrees == 180) {
      ASSERT_EQ(out.width, 48);
      EXPECT_EQ(out.at(0, 0, 1), src.at(31, 47, 1));
      EXPECT_EQ(out.at(5, 9, 2), src.at(31 - 5, 47 - 9, 2));
    } else {
      ASSERT_EQ(out.width, 32);
      ASSERT_EQ(out.height, 48);
      // Clockwise 90: out(y, x) = src(H-1-x, y); 270 is its inverse.
      for (int y = 0; y < out.height; ++y) {
        for (int x = 0; x < out.width; ++x) {
          const uint8_t expected = degrees == 90 ? src.at(31 - x, y, 0) : src.at(x, 47 - y, 0);
          ASSERT_EQ(out.at(y, x, 0), expected) << degrees << " at " << x << "," << y;
        }
      }
    }
  }
}

TEST(AugmentGeometricTest, RotateAngleMagnitudeAndFill) {
  const Image src = MakeTestPhoto(64, 48, 3);
  bool positive = false, negative = false, black = false, reflect = false;
  for (uint64_t seed = 0; seed < 16; ++seed) {
    const Augmented a = MustApply(src, Family::kRotate, seed);
    const nlohmann::json p = ParamsOf(a);
    const double angle = p["angle"];
    EXPECT_GE(std::abs(angle), 15.0);
    EXPECT_LE(std::abs(angle), 30.0);
    (angle > 0 ? positive : negative) = true;
    const std::string fill = p["fill"];
    ASSERT_TRUE(fill == "black" || fill == "reflect");
    (fill == "black" ? black : reflect) = true;
    ASSERT_EQ(a.image.width, 64);
    ASSERT_EQ(a.image.height, 48);
    EXPECT_GT(MeanAbsDiff(a.image, src), 3.0);
    if (fill == "black") {
      EXPECT_EQ(a.image.at(0, 0, 0) + a.image.at(0, 0, 1) + a.image.at(0, 0, 2), 0);
    }
  }
  EXPECT_TRUE(positive && negative && black && reflect);
}

TEST(AugmentGeometricTest, RotateTurnsCounterClockwiseAboutTheCentre) {
  // A white dot 20 px right of the centre of a black image; find it after the rotation.
  Image src = testing::Filled(97, 97, 0, 0, 0);
  for (int y = 47; y <= 49; ++y) {
    for (int x = 67; x <= 69; ++x) src.at(y, x, 0) = src.at(y, x, 1) = src.at(y, x, 2) = 255;
  }
  for (uint64_t seed = 0; seed < 6; ++seed) {
    const Augmented a = MustApply(src, Family::kRotate, seed);
    const double t = double(ParamsOf(a)["angle"]) * M_PI / 180;
    const double ex = 48 + 20 * std::cos(t), ey = 48 - 20 * std::sin(t);  // y points down
    double sum = 0, sx = 0, sy = 0;
    for (int y = int(ey) - 6; y <= int(ey) + 6; ++y) {
      for (int x = int(ex) - 6; x <= int(ex) + 6; ++x) {
        sum += a.image.at(y, x, 0);
        sx += x * a.image.at(y, x, 0);
        sy += y * a.image.at(y, x, 0);
      }
    }
    ASSERT_GT(sum, 255 * 4);
    EXPECT_NEAR(sx / sum, ex, 1.0);
    EXPECT_NEAR(sy / sum, ey, 1.0);
  }
}

TEST(AugmentGeometricTest, ScaleTranslateRanges) {
  const Image src = MakeTestPhoto(64, 48, 4);
  for (uint64_t seed = 0; seed < 8; ++seed) {
    const Augmented a = MustApply(src, Family::kScaleTranslate, seed);
    const nlohmann::json p = ParamsOf(a);
    EXPECT_GE(double(p["scale"]), 0.8);
    EXPECT_LE(double(p["scale"]), 1.2);
    EXPECT_LE(std::abs(double(p["tx"])), 0.1);
    EXPECT_LE(std::abs(double(p["ty"])), 0.1);
    EXPECT_EQ(a.image.width, 64);
    EXPECT_EQ(a.image.height, 48);
    EXPECT_GT(MeanAbsDiff(a.image, src), 1.0);
  }
}

TEST(AugmentGeometricTest, DownscaleSidesWithinRange) {
  const Image src = MakeTestPhoto(200, 120, 5);
  for (uint64_t seed = 0; seed < 8; ++seed) {
    const Augmented a = MustApply(src, Family::kDownscale, seed);
    const nlohmann::json p = ParamsOf(a);
    EXPECT_EQ(a.image.width, int(p["width"]));
    EXPECT_EQ(a.image.height, int(p["height"]));
    EXPECT_GE(a.image.width, 0.2 * 200 - 0.5);
    EXPECT_LE(a.image.width, 0.5 * 200 + 0.5);
    EXPECT_GE(a.image.height, 0.2 * 120 - 0.5);
    EXPECT_LE(a.image.height, 0.5 * 120 + 0.5);
    // Looks like the source at the smaller size.
    EXPECT_LT(MeanAbsDiff(a.image, Resize(src, a.image.width, a.image.height)), 0.5);
  }
}

// Both crop families: a sub-image at the reported offset with the reported area fraction.
void CheckCrop(Family family, double lo, double hi, bool keeps_aspect) {
  const Image src = MakeTestPhoto(160, 120, 6);
  for (uint64_t seed = 0; seed < 10; ++seed) {
    const Augmented a = MustApply(src, family, seed);
    const nlohmann::json p = ParamsOf(a);
    const double target = p["area_fraction"];
    EXPECT_GE(target, lo);
    EXPECT_LE(target, hi);
    ASSERT_EQ(a.image.width, int(p["width"]));
    ASSERT_EQ(a.image.height, int(p["height"]));
    const double fraction = double(a.image.width) * a.image.height / (160.0 * 120.0);
    EXPECT_NEAR(fraction, target, 0.02);
    EXPECT_TRUE(SubImageAt(src, a.image, p["x"], p["y"]));
    const double aspect = (double(a.image.width) / a.image.height) / (160.0 / 120.0);
    if (keeps_aspect) {
      EXPECT_NEAR(aspect, 1.0, 0.03);
    } else {
      EXPECT_GE(aspect, 0.75 - 0.03);
      EXPECT_LE(aspect, 4.0 / 3.0 + 0.03);
    }
  }
}

TEST(AugmentGeometricTest, CropIsSubImageKeeping40To70Percent) {
  CheckCrop(Family::kCrop, 0.4, 0.7, true);
}

TEST(AugmentGeometricTest, RandomCropIsSubImageKeeping50To90Percent) {
  CheckCrop(Family::kRandomCrop, 0.5, 0.9, false);
}

TEST(AugmentGeometricTest, PerspectiveMovesCornersInwardsAndKeepsTheCentreCovered) {
  // No pure black in the source, so black output pixels are the fill.
  Image src = MakeTestPhoto(100, 80, 7);
  for (uint8_t& p : src.pixels) p = uint8_t(40 + p * 200 / 255);
  for (uint64_t seed = 0; seed < 6; ++seed) {
    const Augmented a = MustApply(src, Family::kPerspective, seed);
    ASSERT_EQ(a.image.width, 100);
    ASSERT_EQ(a.image.height, 80);
    const nlohmann::json corners = ParamsOf(a)["corners"];
    ASSERT_EQ(corners.size(), 4u);
    const double sx[4] = {0, 99, 99, 0}, sy[4] = {0, 0, 79, 79};
    for (int i = 0; i < 4; ++i) {
      EXPECT_LE(std::abs(double(corners[i][0]) - sx[i]), 0.15 * 100 + 1e-9);
      EXPECT_LE(std::abs(double(corners[i][1]) - sy[i]), 0.15 * 80 + 1e-9);
    }
    int fill_inside = 0, fill_outside = 0;
    for (int y = 0; y < 80; ++y) {
      for (int x = 0; x < 100; ++x) {
        const bool is_fill = a.image.at(y, x, 0) + a.image.at(y, x, 1) + a.image.at(y, x, 2) < 30;
        const bool central = x >= 16 && x < 84 && y >= 13 && y < 67;
        (central ? fill_inside : fill_outside) += is_fill;
      }
    }
    EXPECT_EQ(fill_inside, 0);
    EXPECT_GT(fill_outside, 0);
    EXPECT_GT(MeanAbsDiff(a.image, src), 2.0);
  }
}

}  // namespace
}  // namespace neardup
