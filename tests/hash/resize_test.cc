// The area resampler is private to src/hash; its contract is what the 64-bit hashes rest on.
#include "hash/resize.h"

#include <gtest/gtest.h>

#include <array>

#include "hash/test_images.h"

namespace neardup::hash_internal {
namespace {

using testing::GreyImage;

TEST(AreaResizeTest, FlatImageStaysExactlyFlat) {
  const int sizes[][2] = {{37, 23}, {8, 8}, {5, 3}, {1, 1}, {640, 479}};
  const int outs[][2] = {{8, 8}, {9, 8}, {32, 32}, {64, 64}};
  for (auto [w, h] : sizes) {
    Image img(w, h, 3);
    for (size_t i = 0; i < img.pixels.size(); i += 3) {
      img.pixels[i] = 200, img.pixels[i + 1] = 31, img.pixels[i + 2] = 7;
    }
    const double expected = (299.0 * 200 + 587.0 * 31 + 114.0 * 7) / 1000;
    for (auto [ow, oh] : outs) {
      for (double v : AreaResizeLuma(img, ow, oh)) {
        ASSERT_EQ(v, expected) << w << "x" << h << " -> " << ow << "x" << oh;
      }
    }
  }
}

TEST(AreaResizeTest, IntegerFactorAveragesBlocks) {
  // 4x2 grey, shrunk to 2x1: each output is the mean of a 2x2 block.
  Image img = GreyImage(4, 2, [](int x, int y) { return uint8_t(10 * x + 100 * y); });
  std::vector<double> out = AreaResizeLuma(img, 2, 1);
  ASSERT_EQ(out.size(), 2u);
  EXPECT_DOUBLE_EQ(out[0], (0 + 10 + 100 + 110) / 4.0);
  EXPECT_DOUBLE_EQ(out[1], (20 + 30 + 120 + 130) / 4.0);
}

TEST(AreaResizeTest, FractionalFactorWeightsByOverlap) {
  // Three pixels onto two: output 0 covers pixel 0 and a half of pixel 1.
  Image img = GreyImage(3, 1, [](int x, int) { return uint8_t(std::array{0, 30, 90}[x]); });
  std::vector<double> out = AreaResizeLuma(img, 2, 1);
  EXPECT_DOUBLE_EQ(out[0], (2 * 0 + 30) / 3.0);
  EXPECT_DOUBLE_EQ(out[1], (30 + 2 * 90) / 3.0);
}

TEST(AreaResizeTest, EnlargingRepeatsOrBlendsPixels) {
  // Two pixels onto three: the middle output straddles both.
  Image img = GreyImage(2, 1, [](int x, int) { return uint8_t(x == 0 ? 30 : 90); });
  std::vector<double> out = AreaResizeLuma(img, 3, 1);
  EXPECT_DOUBLE_EQ(out[0], 30);
  EXPECT_DOUBLE_EQ(out[1], 60);
  EXPECT_DOUBLE_EQ(out[2], 90);
}

TEST(AreaResizeTest, GreyAndEqualRgbAgree) {
  Image grey = testing::MakeTestPhoto(50, 40, 3);
  Image g1(50, 40, 1), g3(50, 40, 3);
  for (int y = 0; y < 40; ++y) {
    for (int x = 0; x < 50; ++x) {
      g1.at(y, x) = grey.at(y, x, 1);
      for (int c = 0; c < 3; ++c) g3.at(y, x, c) = grey.at(y, x, 1);
    }
  }
  EXPECT_EQ(AreaResizeLuma(g1, 9, 8), AreaResizeLuma(g3, 9, 8));
}

}  // namespace
}  // namespace neardup::hash_internal
