#include <gtest/gtest.h>

#include "hash/test_images.h"
#include "neardup/hash.h"

namespace neardup {
namespace {

using testing::BenignEdits;
using testing::GreyImage;
using testing::MakeTestPhoto;

TEST(WaveletHashTest, LeftDarkRightBright) {
  // 100 columns onto 64: the edge at column 50 falls exactly on cell boundary 32, i.e. between LL
  // cells 3 and 4.
  for (auto [w, h] : {std::pair{64, 64}, {100, 80}, {8, 8}}) {
    Image img = GreyImage(w, h, [w](int x, int) { return uint8_t(2 * x < w ? 10 : 240); });
    EXPECT_EQ(WaveletHash(img), 0xF0F0F0F0F0F0F0F0ull) << w << "x" << h;
  }
}

TEST(WaveletHashTest, BrightCornerBlock) {
  // The top-left 16x16 of a 64x64 image is bright: LL cells (0..1, 0..1). With 60 dark cells the
  // median is dark, so exactly those 4 bits are set.
  Image img = GreyImage(64, 64, [](int x, int y) { return uint8_t(x < 16 && y < 16 ? 200 : 50); });
  EXPECT_EQ(WaveletHash(img), 0x303ull);
}

TEST(WaveletHashTest, FlatImageHashesToZero) {
  for (auto [w, h] : {std::pair{1, 1}, {64, 64}, {37, 23}}) {
    Image img(w, h, 1);
    std::fill(img.pixels.begin(), img.pixels.end(), 99);
    EXPECT_EQ(WaveletHash(img), 0u) << w << "x" << h;
  }
}

TEST(WaveletHashTest, StableUnderBenignEdits) {
  for (uint32_t seed = 1; seed <= 5; ++seed) {
    Image img = MakeTestPhoto(400, 300, seed);
    const uint64_t wh = WaveletHash(img);
    for (const auto& [name, edited] : BenignEdits(img)) {
      EXPECT_LE(HammingDistance64(wh, WaveletHash(edited)), 10) << "seed " << seed << ", " << name;
    }
  }
}

TEST(WaveletHashTest, UnrelatedPhotosAreFar) {
  double sum = 0;
  const int pairs = 20;
  for (uint32_t i = 0; i < pairs; ++i) {
    Image x = MakeTestPhoto(200, 150, 100 + 2 * i), y = MakeTestPhoto(200, 150, 101 + 2 * i);
    sum += HammingDistance64(WaveletHash(x), WaveletHash(y));
  }
  EXPECT_GE(sum / pairs, 18);
}

}  // namespace
}  // namespace neardup
