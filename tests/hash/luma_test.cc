#include <gtest/gtest.h>

#include "neardup/hash.h"

namespace neardup {
namespace {

TEST(LumaTest, GreyIsCopied) {
  Image grey(3, 2, 1);
  for (size_t i = 0; i < grey.pixels.size(); ++i) grey.pixels[i] = uint8_t(40 * i);
  FloatImage luma = ToLuma(grey);
  ASSERT_EQ(luma.width, 3);
  ASSERT_EQ(luma.height, 2);
  ASSERT_EQ(luma.channels, 1);
  for (size_t i = 0; i < grey.pixels.size(); ++i) EXPECT_EQ(luma.data[i], float(40 * i));
}

TEST(LumaTest, RgbUsesPdqWeights) {
  Image rgb(4, 1, 3);
  const uint8_t px[4][3] = {{255, 0, 0}, {0, 255, 0}, {0, 0, 255}, {10, 20, 30}};
  for (int x = 0; x < 4; ++x) {
    for (int c = 0; c < 3; ++c) rgb.at(0, x, c) = px[x][c];
  }
  FloatImage luma = ToLuma(rgb);
  EXPECT_FLOAT_EQ(luma.at(0, 0), 0.299f * 255);
  EXPECT_FLOAT_EQ(luma.at(0, 1), 0.587f * 255);
  EXPECT_FLOAT_EQ(luma.at(0, 2), 0.114f * 255);
  EXPECT_FLOAT_EQ(luma.at(0, 3), 0.299f * 10 + 0.587f * 20 + 0.114f * 30);
}

TEST(LumaTest, WhiteIsFullScale) {
  Image white(2, 2, 3);
  std::fill(white.pixels.begin(), white.pixels.end(), 255);
  for (float v : ToLuma(white).data) EXPECT_NEAR(v, 255.f, 1e-3);
}

}  // namespace
}  // namespace neardup
