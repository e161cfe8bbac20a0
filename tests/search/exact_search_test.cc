#include <gtest/gtest.h>

#include <algorithm>
#include <random>

#include "neardup/hash.h"
#include "neardup/search.h"

namespace neardup {
namespace {

std::vector<uint64_t> RandomCodes(int n, int words, uint32_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<uint64_t> c(size_t(n) * words);
  for (auto& w : c) w = rng();
  return c;
}

// Flips `bits` distinct bits of the code at `dst` (words long).
void FlipBits(uint64_t* dst, int words, int bits, uint32_t seed) {
  std::mt19937 rng(seed);
  std::vector<int> pos(words * 64);
  for (int i = 0; i < words * 64; ++i) pos[i] = i;
  std::shuffle(pos.begin(), pos.end(), rng);
  for (int i = 0; i < bits; ++i) dst[pos[i] / 64] ^= uint64_t{1} << (pos[i] % 64);
}

TEST(HammingSelfJoin, FindsPlantedPairsAndOnlyThem) {
  const int n = 300, words = 4;
  std::vector<uint64_t> codes = RandomCodes(n, words, 1);
  // Plant: item 2i+1 is item 2i with 5*i % 40 bits flipped, for i < 50.
  for (int i = 0; i < 50; ++i) {
    std::copy_n(&codes[2 * i * words], words, &codes[(2 * i + 1) * words]);
    FlipBits(&codes[(2 * i + 1) * words], words, (5 * i) % 40, i);
  }
  CodeSet set{codes.data(), n, words, 1};
  std::vector<ScoredPair> pairs = HammingSelfJoin(set, 31, 2);
  int expected = 0;
  for (int i = 0; i < 50; ++i) expected += (5 * i) % 40 <= 31;
  ASSERT_EQ(int(pairs.size()), expected);  // random 256-bit codes are ~128 bits apart
  for (const ScoredPair& p : pairs) {
    EXPECT_EQ(p.a % 2, 0);
    EXPECT_EQ(p.b, p.a + 1);
    EXPECT_EQ(int(p.distance), (5 * (p.a / 2)) % 40);
  }
}

TEST(HammingSelfJoin, SameResultForAnyThreadCount) {
  std::vector<uint64_t> codes = RandomCodes(500, 1, 7);
  CodeSet set{codes.data(), 500, 1, 1};
  auto one = HammingSelfJoin(set, 22, 1);
  auto three = HammingSelfJoin(set, 22, 3);
  ASSERT_EQ(one.size(), three.size());
  ASSERT_FALSE(one.empty());
  for (size_t i = 0; i < one.size(); ++i) {
    EXPECT_EQ(one[i].a, three[i].a);
    EXPECT_EQ(one[i].b, three[i].b);
    EXPECT_EQ(one[i].distance, three[i].distance);
  }
}

TEST(HammingSelfJoin, VariantsMatchEitherDirection) {
  // Item 0 has variants {A, B}; item 1 is B exactly; item 2 is unrelated.
  std::vector<uint64_t> r = RandomCodes(3, 4, 3);
  std::vector<uint64_t> codes(3 * 2 * 4);
  std::copy_n(&r[0], 4, &codes[0]);   // item 0, variant 0 = A
  std::copy_n(&r[4], 4, &codes[4]);   // item 0, variant 1 = B
  std::copy_n(&r[4], 4, &codes[8]);   // item 1, variant 0 = B
  std::copy_n(&r[0], 4, &codes[12]);  // item 1, variant 1 = A (its mirror)
  std::copy_n(&r[8], 4, &codes[16]);  // item 2
  codes[20] = ~codes[16];             // item 2's variant: far from everything
  CodeSet set{codes.data(), 3, 4, 2};
  auto pairs = HammingSelfJoin(set, 0, 1);
  ASSERT_EQ(pairs.size(), 1u);
  EXPECT_EQ(pairs[0].a, 0);
  EXPECT_EQ(pairs[0].b, 1);
}

TEST(HammingKnn, MatchesBruteForceOrder) {
  std::vector<uint64_t> codes = RandomCodes(200, 1, 11);
  CodeSet set{codes.data(), 200, 1, 1};
  auto knn = HammingSelfKnn(set, 5, 2);
  ASSERT_EQ(knn.size(), 200u);
  for (int i = 0; i < 200; ++i) {
    std::vector<std::pair<int, int64_t>> all;
    for (int j = 0; j < 200; ++j) {
      if (j != i) all.push_back({__builtin_popcountll(codes[i] ^ codes[j]), j});
    }
    std::sort(all.begin(), all.end());
    ASSERT_EQ(knn[i].size(), 5u);
    for (int r = 0; r < 5; ++r) {
      EXPECT_EQ(knn[i][r].id, all[r].second);
      EXPECT_EQ(knn[i][r].distance, all[r].first);
    }
  }
  auto q = HammingKnn(set, CodeSet{codes.data(), 1, 1, 1}, 1, 1);
  EXPECT_EQ(q[0][0].id, 0);  // a query finds itself at distance 0
  EXPECT_EQ(q[0][0].distance, 0);
}

TEST(HammingRadius, ReturnsEveryItemWithinTheRadiusSorted) {
  std::vector<uint64_t> base = RandomCodes(100, 1, 21);
  uint64_t q = base[7] ^ 0x7;  // 3 bits from item 7
  base[40] = base[7] ^ 0x1;    // item 40 is 2 bits from the query
  auto r = HammingRadius(CodeSet{base.data(), 100, 1, 1}, CodeSet{&q, 1, 1, 1}, 3, 2);
  ASSERT_EQ(r.size(), 1u);
  int expected = 0;
  for (int j = 0; j < 100; ++j) expected += __builtin_popcountll(base[j] ^ q) <= 3;
  ASSERT_EQ(int(r[0].size()), expected);
  EXPECT_EQ(r[0][0].id, 40);
  EXPECT_EQ(r[0][0].distance, 2);
  EXPECT_EQ(r[0][1].id, 7);
}

TEST(HammingKnn, WithVariantsMatchesVariantDistanceOrder) {
  const int n = 120, words = 4, variants = 8;
  std::vector<uint64_t> codes = RandomCodes(n * variants, words, 17);
  // Item 9's mirror (variant 3) is item 50 with 5 bits changed: each is the other's nearest.
  std::copy_n(&codes[50 * variants * words], words, &codes[(9 * variants + 3) * words]);
  codes[(9 * variants + 3) * words] ^= 0x1f;
  CodeSet set{codes.data(), n, words, variants};
  auto knn = HammingSelfKnn(set, 3, 2);
  for (int i = 0; i < n; ++i) {
    std::vector<std::pair<int, int64_t>> all;
    for (int j = 0; j < n; ++j) {
      if (j == i) continue;
      all.push_back({VariantDistance(&codes[i * variants * words], variants,
                                     &codes[j * variants * words], variants, words),
                     j});
    }
    std::sort(all.begin(), all.end());
    ASSERT_EQ(knn[i].size(), 3u);
    for (int r = 0; r < 3; ++r) {
      EXPECT_EQ(knn[i][r].id, all[r].second);
      EXPECT_EQ(knn[i][r].distance, all[r].first);
    }
  }
  EXPECT_EQ(knn[9][0].id, 50);
  EXPECT_EQ(knn[50][0].id, 9);
  EXPECT_EQ(knn[9][0].distance, 5);
  for (const auto& row : HammingSelfKnn(set, 0, 1)) EXPECT_TRUE(row.empty());
}

TEST(HammingKnn, FewerItemsThanK) {
  std::vector<uint64_t> codes = RandomCodes(3, 4, 5);
  auto knn = HammingSelfKnn(CodeSet{codes.data(), 3, 4, 1}, 10, 2);
  for (const auto& row : knn) EXPECT_EQ(row.size(), 2u);
}

TEST(Cosine, SelfJoinAndKnn) {
  // Unit vectors at angles 0, 10, 90 and 180 degrees in 2-D, padded to 4-D.
  const float deg = 3.14159265f / 180;
  std::vector<float> v;
  for (float a : {0.f, 10.f, 90.f, 180.f}) {
    v.insert(v.end(), {std::cos(a * deg), std::sin(a * deg), 0.f, 0.f});
  }
  VectorSet set{v.data(), 4, 4};
  auto pairs = CosineSelfJoin(set, 0.9f, 2);
  ASSERT_EQ(pairs.size(), 1u);
  EXPECT_EQ(pairs[0].a, 0);
  EXPECT_EQ(pairs[0].b, 1);
  EXPECT_NEAR(pairs[0].distance, 1 - std::cos(10 * deg), 1e-6);
  auto knn = CosineSelfKnn(set, 1, 1);
  EXPECT_EQ(knn[0][0].id, 1);
  EXPECT_EQ(knn[3][0].id, 2);  // 180 is nearest to 90
  EXPECT_NEAR(SquaredL2(&v[0], &v[12], 4), 4.f, 1e-5);
  auto l2 = EuclideanSelfKnn(set, 2, 2);
  EXPECT_EQ(l2[0][0].id, 1);
  EXPECT_NEAR(l2[0][0].distance, std::sqrt(2 - 2 * std::cos(10 * deg)), 1e-5);
  EXPECT_EQ(l2[0][1].id, 2);  // 90 degrees away: sqrt(2)
  EXPECT_NEAR(Dot(&v[0], &v[8], 4), 0.f, 1e-6);
}

}  // namespace
}  // namespace neardup
