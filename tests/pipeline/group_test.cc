#include "neardup/group.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "neardup/find.h"

namespace neardup {
namespace {

FileFacts Facts(const std::string& path, int w, int h, int64_t bytes, const std::string& fmt,
                int64_t mtime = 0) {
  FileFacts f;
  f.path = path;
  f.width = w;
  f.height = h;
  f.bytes = bytes;
  f.format = fmt;
  f.mtime_ns = mtime;
  return f;
}

double NoScore(int64_t, int64_t) { return 0.5; }

TEST(RankForKeeping, ResolutionThenFormatThenBytesThenAge) {
  std::vector<FileFacts> f = {
      Facts("small.jpg", 800, 600, 900000, "jpeg"), Facts("big.jpg", 4000, 3000, 100, "jpeg"),
      Facts("big.png", 4000, 3000, 50, "png"),      Facts("big2.png", 4000, 3000, 60, "png"),
      Facts("old.png", 4000, 3000, 60, "png", -5),
  };
  auto order = RankForKeeping(f, {0, 1, 2, 3, 4});
  EXPECT_EQ(order, (std::vector<int64_t>{4, 3, 2, 1, 0}));
  EXPECT_EQ(KeepReason(f[1], f[0]), "higher resolution (4000x3000 vs 800x600)");
  EXPECT_EQ(KeepReason(f[2], f[1]), "same resolution, better format (png vs jpeg)");
  EXPECT_EQ(KeepReason(f[3], f[2]), "same resolution and format, larger file (60 B vs 50 B)");
  EXPECT_EQ(KeepReason(f[4], f[3]), "same resolution, format and size, older file");
}

TEST(GroupPairs, ConnectedComponentsWithOneKeeperEach) {
  std::vector<FileFacts> f;
  for (int i = 0; i < 7; ++i) f.push_back(Facts("f" + std::to_string(i), 100 + i, 100, 1, "jpeg"));
  // {0,1,2} by a chain, {4,5}, 3 and 6 alone.
  std::vector<ScoredPair> pairs = {{0, 1, 3}, {1, 2, 4}, {4, 5, 0}};
  auto groups = GroupPairs(7, pairs, GroupMode::kConnected, f, NoScore);
  ASSERT_EQ(groups.size(), 2u);
  ASSERT_EQ(groups[0].members.size(), 3u);
  EXPECT_EQ(groups[0].members[0].item, 2);  // widest
  EXPECT_TRUE(groups[0].members[0].keep);
  EXPECT_FALSE(groups[0].members[1].keep);
  EXPECT_EQ(groups[0].members[0].score, 1.0);
  EXPECT_EQ(groups[0].members[1].score, 0.5);
  EXPECT_NE(groups[0].members[1].reason.find("higher resolution"), std::string::npos);
  ASSERT_EQ(groups[1].members.size(), 2u);
  EXPECT_EQ(groups[1].members[0].item, 5);
  // Each group lists the pairs (indices into `pairs`) that join its members.
  EXPECT_EQ(groups[0].pairs, (std::vector<int64_t>{0, 1}));
  EXPECT_EQ(groups[1].pairs, (std::vector<int64_t>{2}));
}

TEST(GroupPairs, StrictModeSplitsChains) {
  std::vector<FileFacts> f;
  for (int i = 0; i < 4; ++i) f.push_back(Facts("f" + std::to_string(i), 100 + i, 100, 1, "jpeg"));
  // A chain 3-2-1-0: the keeper (3) matches only 2; then 1 is kept and matches 0.
  std::vector<ScoredPair> pairs = {{2, 3, 1}, {1, 2, 1}, {0, 1, 1}};
  auto strict = GroupPairs(4, pairs, GroupMode::kStrict, f, NoScore);
  ASSERT_EQ(strict.size(), 2u);
  for (const Group& g : strict) {
    ASSERT_EQ(g.members.size(), 2u);
    int64_t keeper = g.members[0].item, other = g.members[1].item;
    EXPECT_TRUE((keeper == 3 && other == 2) || (keeper == 1 && other == 0));
    // The pair 1-2 runs between the two strict groups: it belongs to neither.
    EXPECT_EQ(g.pairs, (std::vector<int64_t>{keeper == 3 ? 0 : 2}));
  }
  auto connected = GroupPairs(4, pairs, GroupMode::kConnected, f, NoScore);
  ASSERT_EQ(connected.size(), 1u);
  EXPECT_EQ(connected[0].members.size(), 4u);
}

std::vector<FileFacts> Numbered(int n) {
  std::vector<FileFacts> f;
  for (int i = 0; i < n; ++i) f.push_back(Facts("f" + std::to_string(i), 100 + i, 100, 1, "jpeg"));
  return f;
}

std::vector<std::vector<int64_t>> Items(const std::vector<Group>& groups) {
  std::vector<std::vector<int64_t>> out;
  for (const Group& g : groups) {
    std::vector<int64_t> items;
    for (const GroupMember& m : g.members) items.push_back(m.item);
    std::sort(items.begin(), items.end());
    out.push_back(items);
  }
  std::sort(out.begin(), out.end());
  return out;
}

// Two originals (0 and 5) with four copies each, every copy matching its original, and one false
// match (a shared caption) between copy 3 and copy 8 at distance `false_distance`.
std::vector<ScoredPair> TwoStarsAndAFalseLink(double false_distance) {
  std::vector<ScoredPair> pairs;
  for (int64_t c = 1; c <= 4; ++c) pairs.push_back({0, c, double(c)});
  for (int64_t c = 6; c <= 9; ++c) pairs.push_back({5, c, double(c)});
  pairs.push_back({3, 8, false_distance});
  std::sort(pairs.begin(), pairs.end(), [](const ScoredPair& x, const ScoredPair& y) {
    return x.a != y.a ? x.a < y.a : x.b < y.b;
  });
  return pairs;
}

TEST(GroupPairs, ConfirmedModeIgnoresOneFalseLinkBetweenTwoGroups) {
  const auto f = Numbered(10);
  const auto pairs = TwoStarsAndAFalseLink(9.5);  // weaker than every true match
  EXPECT_EQ(Items(GroupPairs(10, pairs, GroupMode::kConfirmed, f, NoScore)),
            (std::vector<std::vector<int64_t>>{{0, 1, 2, 3, 4}, {5, 6, 7, 8, 9}}));
  // Connected components merge them through the one false link.
  EXPECT_EQ(GroupPairs(10, pairs, GroupMode::kConnected, f, NoScore).size(), 1u);
  // The default of `find`.
  EXPECT_EQ(FindOptions{}.mode, GroupMode::kConfirmed);
}

TEST(GroupPairs, ConfirmedModeNeverJoinsTheOriginalsThroughAStrongFalseLink) {
  // The false match is stronger than some true ones: its two copies pair up first, and then
  // neither original's group can take them; the originals stay apart.
  const auto f = Numbered(10);
  EXPECT_EQ(Items(GroupPairs(10, TwoStarsAndAFalseLink(2.5), GroupMode::kConfirmed, f, NoScore)),
            (std::vector<std::vector<int64_t>>{{0, 1, 2, 4}, {3, 8}, {5, 6, 7, 9}}));
}

TEST(GroupPairs, ConfirmedModeSplitsALongChainAtItsWeakestLink) {
  // 0-1-2-3-4-5, the link 2-3 weakest: each half is a chain of three (members match the hub).
  std::vector<ScoredPair> pairs = {{0, 1, 1}, {1, 2, 1}, {2, 3, 9}, {3, 4, 1}, {4, 5, 1}};
  const auto f = Numbered(6);
  EXPECT_EQ(Items(GroupPairs(6, pairs, GroupMode::kConfirmed, f, NoScore)),
            (std::vector<std::vector<int64_t>>{{0, 1, 2}, {3, 4, 5}}));
}

TEST(GroupPairs, ConfirmedModeKeepsCliquesAndStarsWhole) {
  // A clique of four (identical files) and a star of five (an original and its copies).
  std::vector<ScoredPair> pairs;
  for (int64_t a = 0; a < 4; ++a) {
    for (int64_t b = a + 1; b < 4; ++b) pairs.push_back({a, b, 0});
  }
  for (int64_t c = 5; c <= 8; ++c) pairs.push_back({4, c, double(c)});
  const auto f = Numbered(9);
  EXPECT_EQ(Items(GroupPairs(9, pairs, GroupMode::kConfirmed, f, NoScore)),
            (std::vector<std::vector<int64_t>>{{0, 1, 2, 3}, {4, 5, 6, 7, 8}}));
}

TEST(GroupPairs, NoPairsNoGroups) {
  std::vector<FileFacts> f = {Facts("a", 1, 1, 1, "png"), Facts("b", 1, 1, 1, "png")};
  EXPECT_TRUE(GroupPairs(2, {}, GroupMode::kConnected, f, NoScore).empty());
  EXPECT_TRUE(GroupPairs(2, {}, GroupMode::kConfirmed, f, NoScore).empty());
}

}  // namespace
}  // namespace neardup
