#include <gtest/gtest.h>

#include "hash/test_images.h"
#include "neardup/hash.h"

namespace neardup {
namespace {

using testing::BenignEdits;
using testing::GreyImage;
using testing::MakeTestPhoto;

bool Bit(uint64_t h, int u, int v) { return (h >> (u * 8 + v)) & 1; }

// Top half bright, bottom half dark, on the 32x32 grid: its DCT is the DC term (positive) and the
// odd vertical frequencies of a step, with signs + - + - for u = 1, 3, 5, 7; every other
// coefficient is zero up to rounding, so the median is about zero.
TEST(PerceptualHashTest, HorizontalEdgeSetsTheExpectedBits) {
  for (auto [w, h] : {std::pair{32, 32}, {64, 64}, {96, 32}}) {
    Image img = GreyImage(w, h, [h](int, int y) { return uint8_t(2 * y < h ? 220 : 30); });
    const uint64_t p = PerceptualHash(img);
    EXPECT_TRUE(Bit(p, 0, 0)) << w << "x" << h;
    EXPECT_TRUE(Bit(p, 1, 0)) << w << "x" << h;
    EXPECT_FALSE(Bit(p, 3, 0)) << w << "x" << h;
    EXPECT_TRUE(Bit(p, 5, 0)) << w << "x" << h;
    EXPECT_FALSE(Bit(p, 7, 0)) << w << "x" << h;
  }
}

// The same edge turned vertical (left bright) lands on the first row of the 8x8 block.
TEST(PerceptualHashTest, VerticalEdgeSetsTheTransposedBits) {
  Image img = GreyImage(32, 32, [](int x, int) { return uint8_t(x < 16 ? 220 : 30); });
  const uint64_t p = PerceptualHash(img);
  EXPECT_TRUE(Bit(p, 0, 0));
  EXPECT_TRUE(Bit(p, 0, 1));
  EXPECT_FALSE(Bit(p, 0, 3));
  EXPECT_TRUE(Bit(p, 0, 5));
  EXPECT_FALSE(Bit(p, 0, 7));
}

TEST(PerceptualHashTest, Deterministic) {
  Image img = MakeTestPhoto(333, 222, 9);
  EXPECT_EQ(PerceptualHash(img), PerceptualHash(img));
  Image flat(50, 50, 1);
  std::fill(flat.pixels.begin(), flat.pixels.end(), 128);
  EXPECT_EQ(PerceptualHash(flat), PerceptualHash(flat));
}

TEST(PerceptualHashTest, StableUnderBenignEdits) {
  for (uint32_t seed = 1; seed <= 5; ++seed) {
    Image img = MakeTestPhoto(400, 300, seed);
    const uint64_t p = PerceptualHash(img);
    for (const auto& [name, edited] : BenignEdits(img)) {
      EXPECT_LE(HammingDistance64(p, PerceptualHash(edited)), 10)
          << "seed " << seed << ", " << name;
    }
  }
}

TEST(PerceptualHashTest, UnrelatedPhotosAreFar) {
  double sum = 0;
  const int pairs = 20;
  for (uint32_t i = 0; i < pairs; ++i) {
    Image x = MakeTestPhoto(200, 150, 100 + 2 * i), y = MakeTestPhoto(200, 150, 101 + 2 * i);
    sum += HammingDistance64(PerceptualHash(x), PerceptualHash(y));
  }
  EXPECT_GE(sum / pairs, 20);
}

}  // namespace
}  // namespace neardup
