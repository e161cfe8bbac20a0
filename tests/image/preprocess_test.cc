// Preprocessing steps: each checked for the behaviour it promises, not just the shape.
#include "neardup/preprocess.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>

#include "testutil/testutil.h"

namespace neardup {
namespace {

using testing::GradientEnergy;
using testing::MakeTestPhoto;

Image Filled(int w, int h, int channels, std::initializer_list<uint8_t> colour) {
  Image img(w, h, channels);
  for (size_t i = 0; i < img.pixels.size(); ++i) img.pixels[i] = colour.begin()[i % channels];
  return img;
}

double Variance(const Image& img) {
  double mean = 0, sq = 0;
  for (uint8_t p : img.pixels) mean += p;
  mean /= img.pixels.size();
  for (uint8_t p : img.pixels) sq += (p - mean) * (p - mean);
  return sq / img.pixels.size();
}

// Mean over 8x8 blocks of the standard deviation inside the block (grey images).
double MeanLocalStd(const Image& img) {
  double total = 0;
  int blocks = 0;
  for (int by = 0; by + 8 <= img.height; by += 8) {
    for (int bx = 0; bx + 8 <= img.width; bx += 8) {
      double mean = 0, sq = 0;
      for (int y = by; y < by + 8; ++y) {
        for (int x = bx; x < bx + 8; ++x) mean += img.at(y, x);
      }
      mean /= 64;
      for (int y = by; y < by + 8; ++y) {
        for (int x = bx; x < bx + 8; ++x) sq += (img.at(y, x) - mean) * (img.at(y, x) - mean);
      }
      total += std::sqrt(sq / 64);
      ++blocks;
    }
  }
  return total / blocks;
}

TEST(ResizeTest, ShrinkAveragesAndEnlargeInterpolates) {
  Image checker(64, 64, 1);
  for (int y = 0; y < 64; ++y) {
    for (int x = 0; x < 64; ++x) checker.at(y, x) = (x + y) % 2 ? 200 : 0;
  }
  const Image small = Resize(checker, 16, 16);
  ASSERT_EQ(small.width, 16);
  ASSERT_EQ(small.height, 16);
  for (uint8_t p : small.pixels) EXPECT_EQ(p, 100);  // area: no aliasing to 0 or 200

  Image two(2, 1, 1);
  two.pixels = {0, 200};
  const Image big = Resize(two, 8, 3);
  ASSERT_EQ(big.width, 8);
  EXPECT_EQ(big.at(1, 0), 0);
  EXPECT_EQ(big.at(1, 7), 200);
  EXPECT_GT(big.at(1, 4), 0);
  EXPECT_LT(big.at(1, 4), 200);
  EXPECT_LE(big.at(1, 3), big.at(1, 4));  // monotone ramp
}

TEST(ResizeToSquareTest, LetterboxPadsAndCentresWideImage) {
  const Image red = Filled(200, 100, 3, {255, 0, 0});
  const Image out = ResizeToSquare(red, 100, SquareMode::kLetterbox, Rgb{10, 20, 30});
  ASSERT_EQ(out.width, 100);
  ASSERT_EQ(out.height, 100);
  for (int y = 0; y < 100; ++y) {
    const bool content = y >= 25 && y < 75;
    for (int x : {0, 50, 99}) {
      EXPECT_EQ(out.at(y, x, 0), content ? 255 : 10) << y;
      EXPECT_EQ(out.at(y, x, 1), content ? 0 : 20) << y;
      EXPECT_EQ(out.at(y, x, 2), content ? 0 : 30) << y;
    }
  }
}

TEST(ResizeToSquareTest, LetterboxTallAndGrey) {
  const Image white = Filled(30, 90, 1, {255});
  const Image out = ResizeToSquare(white, 60, SquareMode::kLetterbox, Rgb{255, 0, 0});
  ASSERT_EQ(out.channels, 1);
  ASSERT_EQ(out.width, 60);
  // Content 20 wide in columns 20..39; the bars take the luma of pure red.
  for (int x = 0; x < 60; ++x) {
    EXPECT_EQ(out.at(30, x), x >= 20 && x < 40 ? 255 : 76) << x;
  }
}

TEST(ResizeToSquareTest, CentreCropKeepsTheMiddleOfAWideImage) {
  // Thirds: red | green | blue, 600x200 -> resized 300x100 -> middle 100 columns.
  Image wide(600, 200, 3);
  for (int y = 0; y < 200; ++y) {
    for (int x = 0; x < 600; ++x) wide.at(y, x, x / 200) = 255;
  }
  const Image out = ResizeToSquare(wide, 100, SquareMode::kCentreCrop);
  ASSERT_EQ(out.width, 100);
  ASSERT_EQ(out.height, 100);
  for (int y = 0; y < 100; y += 9) {
    for (int x = 0; x < 100; x += 9) {
      EXPECT_EQ(out.at(y, x, 0), 0);
      EXPECT_EQ(out.at(y, x, 1), 255);
      EXPECT_EQ(out.at(y, x, 2), 0);
    }
  }
  const Image tall = ResizeToSquare(MakeTestPhoto(50, 170, 1), 64, SquareMode::kCentreCrop);
  EXPECT_EQ(tall.width, 64);
  EXPECT_EQ(tall.height, 64);
}

TEST(GeometryTest, CropRotateFlip) {
  Image img(3, 2, 1);
  img.pixels = {1, 2, 3,  //
                4, 5, 6};
  const Image crop = Crop(img, 1, 0, 2, 2);
  EXPECT_EQ(crop.pixels, (std::vector<uint8_t>{2, 3, 5, 6}));
  const Image cw = Rotate90(img, 1);
  ASSERT_EQ(cw.width, 2);
  ASSERT_EQ(cw.height, 3);
  EXPECT_EQ(cw.pixels, (std::vector<uint8_t>{4, 1, 5, 2, 6, 3}));
  EXPECT_EQ(Rotate90(img, -1).pixels, (std::vector<uint8_t>{3, 6, 2, 5, 1, 4}));
  EXPECT_EQ(Rotate90(img, 2).pixels, (std::vector<uint8_t>{6, 5, 4, 3, 2, 1}));
  EXPECT_EQ(Rotate90(img, 4).pixels, img.pixels);
  EXPECT_EQ(Rotate90(Rotate90(img, 3), 1).pixels, img.pixels);
  EXPECT_EQ(FlipHorizontal(img).pixels, (std::vector<uint8_t>{3, 2, 1, 6, 5, 4}));
  EXPECT_EQ(FlipVertical(img).pixels, (std::vector<uint8_t>{4, 5, 6, 1, 2, 3}));
}

TEST(ColourTest, ToGreyUsesLuma) {
  const Image grey = ToGrey(Filled(4, 4, 3, {255, 0, 0}));
  ASSERT_EQ(grey.channels, 1);
  EXPECT_NEAR(grey.at(0, 0), 76, 1);
  EXPECT_NEAR(ToGrey(Filled(4, 4, 3, {0, 255, 0})).at(1, 1), 150, 1);
  EXPECT_NEAR(ToGrey(Filled(4, 4, 3, {0, 0, 255})).at(1, 1), 29, 1);
}

TEST(FloatTest, RangesAndNormalize) {
  Image img(3, 1, 1);
  img.pixels = {0, 128, 255};
  const FloatImage unit = ToFloat(img, FloatRange::kZeroOne);
  EXPECT_FLOAT_EQ(unit.at(0, 0), 0.f);
  EXPECT_NEAR(unit.at(0, 1), 128 / 255.f, 1e-6);
  EXPECT_FLOAT_EQ(unit.at(0, 2), 1.f);
  const FloatImage sym = ToFloat(img, FloatRange::kMinusOneOne);
  EXPECT_FLOAT_EQ(sym.at(0, 0), -1.f);
  EXPECT_NEAR(sym.at(0, 1), 0.5f / 127.5f, 1e-6);
  EXPECT_FLOAT_EQ(sym.at(0, 2), 1.f);

  FloatImage rgb(2, 1, 3);
  rgb.data = {0.485f, 0.456f, 0.406f, 1.f, 1.f, 1.f};
  Normalize(rgb);
  EXPECT_NEAR(rgb.at(0, 0, 0), 0.f, 1e-6);
  EXPECT_NEAR(rgb.at(0, 0, 1), 0.f, 1e-6);
  EXPECT_NEAR(rgb.at(0, 0, 2), 0.f, 1e-6);
  EXPECT_NEAR(rgb.at(0, 1, 0), (1 - 0.485f) / 0.229f, 1e-5);
  EXPECT_NEAR(rgb.at(0, 1, 1), (1 - 0.456f) / 0.224f, 1e-5);
  EXPECT_NEAR(rgb.at(0, 1, 2), (1 - 0.406f) / 0.225f, 1e-5);

  FloatImage custom(1, 1, 3);
  custom.data = {1.f, 2.f, 3.f};
  Normalize(custom, {1.f, 1.f, 1.f}, {1.f, 2.f, 4.f});
  EXPECT_EQ(custom.data, (std::vector<float>{0.f, 0.5f, 0.5f}));
}

TEST(DenoiseTest, MedianRemovesSaltAndPepper) {
  Image img = Filled(100, 100, 1, {128});
  std::mt19937 rng(3);
  for (int i = 0; i < 500; ++i) img.pixels[rng() % img.pixels.size()] = (rng() & 1) ? 255 : 0;
  const Image clean = MedianDenoise(img, 3);
  const auto still_noisy =
      std::count_if(clean.pixels.begin(), clean.pixels.end(), [](uint8_t p) { return p != 128; });
  EXPECT_LT(still_noisy, 10);  // from 5% of pixels to (almost) none
}

TEST(DenoiseTest, GaussianLowersVarianceOfNoise) {
  Image img(80, 80, 3);
  std::mt19937 rng(5);
  std::normal_distribution<float> noise(128.f, 30.f);
  for (auto& p : img.pixels) p = uint8_t(std::clamp(noise(rng), 0.f, 255.f));
  const Image smooth = GaussianDenoise(img, 1.5);
  ASSERT_EQ(smooth.channels, 3);
  EXPECT_LT(Variance(smooth), Variance(img) / 5);
  EXPECT_NEAR(Variance(GaussianDenoise(Filled(20, 20, 1, {90}), 2.0)), 0.0, 1e-9);
}

TEST(EqualizeTest, SpreadsALowContrastHistogram) {
  Image grey(64, 64, 1);
  for (int y = 0; y < 64; ++y) {
    for (int x = 0; x < 64; ++x) grey.at(y, x) = uint8_t(100 + (x + y) % 21);  // 100..120
  }
  const Image eq = EqualizeHistogram(grey);
  const auto [lo, hi] = std::minmax_element(eq.pixels.begin(), eq.pixels.end());
  EXPECT_GT(*hi - *lo, 200);

  // RGB: the luma is stretched the same way.
  Image rgb(64, 64, 3);
  for (int y = 0; y < 64; ++y) {
    for (int x = 0; x < 64; ++x) {
      const uint8_t v = grey.at(y, x);
      rgb.at(y, x, 0) = v;
      rgb.at(y, x, 1) = uint8_t(v - 20);
      rgb.at(y, x, 2) = uint8_t(v - 40);
    }
  }
  const Image eq_rgb = ToGrey(EqualizeHistogram(rgb));
  const auto [lo2, hi2] = std::minmax_element(eq_rgb.pixels.begin(), eq_rgb.pixels.end());
  EXPECT_GT(*hi2 - *lo2, 150);
}

TEST(EqualizeTest, ClaheRaisesLocalContrast) {
  // A broad gradient carrying a faint texture of +-4 levels.
  Image img(128, 128, 1);
  for (int y = 0; y < 128; ++y) {
    for (int x = 0; x < 128; ++x) img.at(y, x) = uint8_t(60 + x / 2 + ((x / 2 + y / 2) % 2) * 8);
  }
  const Image out = Clahe(img, 3.0, 8);
  EXPECT_GT(MeanLocalStd(out), 1.5 * MeanLocalStd(img));
  const Image rgb = Clahe(MakeTestPhoto(64, 64, 2), 2.0, 4);
  EXPECT_EQ(rgb.channels, 3);
}

TEST(SharpenTest, BothSharpenersIncreaseGradientEnergy) {
  const Image soft = GaussianDenoise(MakeTestPhoto(96, 96, 12), 2.0);
  const double before = GradientEnergy(soft);
  EXPECT_GT(GradientEnergy(SharpenSobel(soft, 1.0)), 1.3 * before);
  EXPECT_GT(GradientEnergy(SharpenLaplacian(soft, 1.0)), 1.3 * before);
  EXPECT_EQ(SharpenSobel(soft, 0.0).pixels, soft.pixels);
  EXPECT_EQ(SharpenLaplacian(soft, 0.0).pixels, soft.pixels);
  // A flat image has no edges to enhance.
  const Image flat = Filled(16, 16, 1, {77});
  EXPECT_EQ(SharpenSobel(flat, 2.0).pixels, flat.pixels);
  EXPECT_EQ(SharpenLaplacian(flat, 2.0).pixels, flat.pixels);
}

TEST(ComposeTest, StepsChainAsPlainCalls) {
  const Image photo = MakeTestPhoto(320, 200, 4);
  FloatImage input = ToFloat(
      ResizeToSquare(SharpenLaplacian(MedianDenoise(photo, 3), 0.5), 224, SquareMode::kCentreCrop),
      FloatRange::kZeroOne);
  Normalize(input);
  EXPECT_EQ(input.width, 224);
  EXPECT_EQ(input.height, 224);
  EXPECT_EQ(input.channels, 3);
  EXPECT_EQ(input.data.size(), size_t(224) * 224 * 3);
  const auto [lo, hi] = std::minmax_element(input.data.begin(), input.data.end());
  EXPECT_GE(*lo, -0.485f / 0.229f - 1e-4f);
  EXPECT_LE(*hi, (1 - 0.406f) / 0.225f + 1e-4f);
}

}  // namespace
}  // namespace neardup
