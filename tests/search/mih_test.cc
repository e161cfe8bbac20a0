#include "search/mih.h"

#include <gtest/gtest.h>

#include <random>

#include "neardup/search.h"

namespace neardup::search_internal {
namespace {

// n items of `variants` codes of `words` words: random, then `planted` items made from earlier
// ones by flipping 0..max_flips bits of one of their variants (so some pairs are near only
// through a variant), and a run of identical codes (a crowded bucket).
std::vector<uint64_t> MakeCodes(int64_t n, int words, int variants, int64_t planted, int max_flips,
                                uint32_t seed) {
  std::mt19937_64 rng(seed);
  const int stride = words * variants;
  std::vector<uint64_t> codes(size_t(n * stride));
  for (uint64_t& w : codes) w = rng();
  for (int64_t p = 0; p < planted && p + 1 < n; ++p) {
    const int64_t dst = n - 1 - p;
    const int64_t src = int64_t(rng() % uint64_t(dst));
    const int v = int(rng() % uint64_t(variants));
    for (int w = 0; w < words; ++w) codes[dst * stride + w] = codes[src * stride + v * words + w];
    const int flips = int(rng() % uint64_t(max_flips + 1));
    for (int f = 0; f < flips; ++f) {
      const int bit = int(rng() % uint64_t(64 * words));
      codes[dst * stride + bit / 64] ^= uint64_t{1} << (bit % 64);
    }
  }
  for (int64_t i = 0; i < std::min<int64_t>(20, n); ++i) {
    for (int w = 0; w < stride; ++w) codes[i * stride + w] = 0;  // 20 identical items
  }
  return codes;
}

// The brute-force answer, from HammingRadius of the set against itself.
std::vector<ScoredPair> Reference(const CodeSet& set, int r) {
  std::vector<ScoredPair> out;
  std::vector<std::vector<Neighbor>> nn = HammingRadius(set, set, r, 2);
  for (int64_t i = 0; i < set.n; ++i) {
    for (const Neighbor& x : nn[i]) {
      if (x.id > i) out.push_back({i, x.id, x.distance});
    }
  }
  std::sort(out.begin(), out.end(), [](const ScoredPair& x, const ScoredPair& y) {
    return x.a != y.a ? x.a < y.a : x.b < y.b;
  });
  return out;
}

void ExpectSame(const std::vector<ScoredPair>& got, const std::vector<ScoredPair>& want) {
  ASSERT_EQ(got.size(), want.size());
  for (size_t k = 0; k < got.size(); ++k) {
    EXPECT_EQ(got[k].a, want[k].a) << k;
    EXPECT_EQ(got[k].b, want[k].b) << k;
    EXPECT_EQ(got[k].distance, want[k].distance) << k;
  }
}

struct Case {
  int words, variants, radius, max_flips;
};

TEST(MihTest, SameAsBruteForce) {
  for (const Case& c : {Case{4, 1, 31, 45}, Case{4, 1, 0, 3}, Case{4, 1, 47, 60},
                        Case{4, 8, 31, 45}, Case{1, 1, 10, 16}, Case{1, 1, 3, 6}}) {
    SCOPED_TRACE(::testing::Message()
                 << "words " << c.words << " variants " << c.variants << " radius " << c.radius);
    std::vector<uint64_t> codes = MakeCodes(3000, c.words, c.variants, 600, c.max_flips, 5);
    CodeSet set{codes.data(), 3000, c.words, c.variants};
    std::vector<ScoredPair> want = Reference(set, c.radius);
    EXPECT_GT(want.size(), 190u);  // the identical run alone gives 190 pairs
    ExpectSame(MihSelfJoin(set, c.radius, 2), want);
    ExpectSame(MihSelfJoin(set, c.radius, 1), want);
  }
}

TEST(MihTest, HammingSelfJoinUsesItOnLargeSetsWithTheSameResult) {
  std::vector<uint64_t> codes = MakeCodes(9000, 4, 1, 500, 40, 9);
  CodeSet set{codes.data(), 9000, 4, 1};
  EXPECT_LT(MihCost(set, 31), 0.5 * 9000.0 * 9000.0);  // so the join takes the MIH path
  ExpectSame(HammingSelfJoin(set, 31, 2), Reference(set, 31));
  EXPECT_EQ(MihProbes(0), 1);
  EXPECT_EQ(MihProbes(1), 17);
  EXPECT_EQ(MihProbes(2), 137);
}

TEST(MihTest, TinyAndEmptySets) {
  std::vector<uint64_t> one(4, 7);
  EXPECT_TRUE(MihSelfJoin(CodeSet{one.data(), 1, 4, 1}, 31, 2).empty());
  EXPECT_TRUE(MihSelfJoin(CodeSet{nullptr, 0, 4, 1}, 31, 2).empty());
}

}  // namespace
}  // namespace neardup::search_internal
