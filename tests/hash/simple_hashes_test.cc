#include <gtest/gtest.h>

#include "hash/test_images.h"
#include "neardup/hash.h"

namespace neardup {
namespace {

using testing::BenignEdits;
using testing::GreyImage;
using testing::MakeTestPhoto;

TEST(AverageHashTest, LeftDarkRightBright) {
  Image img = GreyImage(8, 8, [](int x, int) { return uint8_t(x < 4 ? 20 : 230); });
  // Bit r*8 + c is set for c >= 4 in every row r.
  EXPECT_EQ(AverageHash(img), 0xF0F0F0F0F0F0F0F0ull);
}

TEST(AverageHashTest, TopBrightAtAnySize) {
  // Rows above the middle are bright: the first 32 bits (rows 0-3).
  for (auto [w, h] : {std::pair{8, 8}, {80, 64}, {123, 40}}) {
    Image img = GreyImage(w, h, [h](int, int y) { return uint8_t(2 * y < h ? 250 : 5); });
    EXPECT_EQ(AverageHash(img), 0x00000000FFFFFFFFull) << w << "x" << h;
  }
}

TEST(AverageHashTest, SingleBrightCell) {
  Image img =
      GreyImage(16, 16, [](int x, int y) { return uint8_t(x / 2 == 5 && y / 2 == 2 ? 255 : 0); });
  EXPECT_EQ(AverageHash(img), uint64_t{1} << (2 * 8 + 5));
}

TEST(DifferenceHashTest, RampsAndSteps) {
  Image rising = GreyImage(9, 8, [](int x, int) { return uint8_t(20 * x); });
  EXPECT_EQ(DifferenceHash(rising), ~uint64_t{0});
  Image falling = GreyImage(9, 8, [](int x, int) { return uint8_t(200 - 20 * x); });
  EXPECT_EQ(DifferenceHash(falling), 0u);
  // One step up between columns 4 and 5: bit 4 of every row.
  Image step = GreyImage(9, 8, [](int x, int) { return uint8_t(x <= 4 ? 50 : 200); });
  EXPECT_EQ(DifferenceHash(step), 0x1010101010101010ull);
  // The same ramp at another size, with a vertical gradient that dHash ignores.
  Image big = GreyImage(90, 40, [](int x, int y) { return uint8_t(x * 2 + y); });
  EXPECT_EQ(DifferenceHash(big), ~uint64_t{0});
}

TEST(SimpleHashesTest, FlatImagesHashToZero) {
  for (auto [w, h] : {std::pair{1, 1}, {8, 8}, {37, 23}, {400, 300}}) {
    Image img(w, h, 3);
    std::fill(img.pixels.begin(), img.pixels.end(), 77);
    EXPECT_EQ(AverageHash(img), 0u) << w << "x" << h;
    EXPECT_EQ(DifferenceHash(img), 0u) << w << "x" << h;
  }
}

TEST(SimpleHashesTest, Deterministic) {
  Image img = MakeTestPhoto(321, 207, 5);
  EXPECT_EQ(AverageHash(img), AverageHash(img));
  EXPECT_EQ(DifferenceHash(img), DifferenceHash(img));
}

TEST(SimpleHashesTest, StableUnderBenignEdits) {
  for (uint32_t seed = 1; seed <= 5; ++seed) {
    Image img = MakeTestPhoto(400, 300, seed);
    const uint64_t a = AverageHash(img), d = DifferenceHash(img);
    for (const auto& [name, edited] : BenignEdits(img)) {
      EXPECT_LE(HammingDistance64(a, AverageHash(edited)), 10)
          << "aHash, seed " << seed << ", " << name;
      EXPECT_LE(HammingDistance64(d, DifferenceHash(edited)), 10)
          << "dHash, seed " << seed << ", " << name;
    }
  }
}

TEST(SimpleHashesTest, UnrelatedPhotosAreFar) {
  double a_sum = 0, d_sum = 0;
  const int pairs = 20;
  for (uint32_t i = 0; i < pairs; ++i) {
    Image x = MakeTestPhoto(200, 150, 100 + 2 * i), y = MakeTestPhoto(200, 150, 101 + 2 * i);
    a_sum += HammingDistance64(AverageHash(x), AverageHash(y));
    d_sum += HammingDistance64(DifferenceHash(x), DifferenceHash(y));
  }
  EXPECT_GE(a_sum / pairs, 18);
  EXPECT_GE(d_sum / pairs, 18);
}

}  // namespace
}  // namespace neardup
