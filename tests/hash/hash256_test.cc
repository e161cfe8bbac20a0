#include <gtest/gtest.h>

#include <random>

#include "neardup/hash.h"

namespace neardup {
namespace {

Hash256 RandomHash(uint32_t seed) {
  std::mt19937_64 rng(seed);
  Hash256 h;
  for (auto& w : h.w) w = rng();
  return h;
}

TEST(Hash256Test, HexRoundTrip) {
  for (uint32_t seed = 0; seed < 20; ++seed) {
    Hash256 h = RandomHash(seed);
    std::string hex = ToHex(h);
    ASSERT_EQ(hex.size(), 64u);
    StatusOr<Hash256> back = Hash256FromHex(hex);
    ASSERT_TRUE(back.ok()) << back.status().ToString();
    EXPECT_EQ(back.value(), h);
  }
}

TEST(Hash256Test, ParsesUpperCase) {
  const std::string hex = "83D28BF235B6C1A79D0705866796581EDE9F760BA878EA5A026DA5E98568DE85";
  StatusOr<Hash256> h = Hash256FromHex(hex);
  ASSERT_TRUE(h.ok());
  EXPECT_EQ(ToHex(h.value()), "83d28bf235b6c1a79d0705866796581ede9f760ba878ea5a026da5e98568de85");
}

// The reference stores bit k in 16-bit word k/16 and prints word 15 first: bit 0 is the last hex
// digit's low bit, bit 16 the low bit of the second-to-last group of four, bit 255 the first
// digit's high bit.
TEST(Hash256Test, BitPositionsFollowTheReferencePrintOrder) {
  Hash256 h;
  h.w[0] = 1;
  EXPECT_EQ(ToHex(h), std::string(63, '0') + "1");
  h = Hash256();
  h.w[0] = uint64_t{1} << 16;
  EXPECT_EQ(ToHex(h), std::string(59, '0') + "10000");
  h = Hash256();
  h.w[3] = uint64_t{1} << 63;
  EXPECT_EQ(ToHex(h), "8" + std::string(63, '0'));
  h = Hash256();
  h.w[1] = 0xabcd;  // reference word 4
  EXPECT_EQ(ToHex(h), std::string(32, '0') + "000000000000abcd" + std::string(16, '0'));
}

TEST(Hash256Test, RejectsMalformedHex) {
  EXPECT_EQ(Hash256FromHex("").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(Hash256FromHex(std::string(63, 'a')).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(Hash256FromHex(std::string(65, 'a')).status().code(), StatusCode::kInvalidArgument);
  std::string bad(64, '0');
  bad[10] = 'g';
  StatusOr<Hash256> h = Hash256FromHex(bad);
  ASSERT_FALSE(h.ok());
  EXPECT_EQ(h.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(h.status().message().find("10"), std::string::npos) << h.status().message();
  bad[10] = ' ';
  EXPECT_FALSE(Hash256FromHex(bad).ok());
}

TEST(Hash256Test, HammingDistance) {
  Hash256 a = RandomHash(1);
  EXPECT_EQ(HammingDistance(a, a), 0);
  Hash256 inverted = a;
  for (auto& w : inverted.w) w = ~w;
  EXPECT_EQ(HammingDistance(a, inverted), kPdqBits);
  Hash256 b = a;
  b.w[0] ^= 1;
  b.w[2] ^= uint64_t{1} << 40;
  b.w[3] ^= uint64_t{3} << 62;
  EXPECT_EQ(HammingDistance(a, b), 4);
  EXPECT_EQ(HammingDistance(b, a), 4);
}

TEST(Hash256Test, HammingDistance64) {
  EXPECT_EQ(HammingDistance64(0, 0), 0);
  EXPECT_EQ(HammingDistance64(0, ~uint64_t{0}), 64);
  EXPECT_EQ(HammingDistance64(0xF0, 0x0F), 8);
}

}  // namespace
}  // namespace neardup
