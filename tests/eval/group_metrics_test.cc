// EvaluateGroups() and ParseGroupsJson() on small benchmarks whose figures are counted by hand.
#include <gtest/gtest.h>

#include <cmath>
#include <nlohmann/json.hpp>

#include "neardup/eval.h"

namespace neardup {
namespace {

BenchImage Img(std::string path, std::string group, BenchRole role, std::string family = "") {
  return {std::move(path), std::move(group), role, std::move(family)};
}

// Ids:  0 o1 (g1 original)  1 c1a (g1 copy, jpeg)  2 c1b (g1 copy, crop)
//       3 o2 (g2 original)  4 c2a (g2 copy, jpeg)  5 d1, 6 d2, 7 d3 (distractors)
// Truth pairs: g1's three pairs (copy <-> copy included) and g2's one: 4.
Benchmark SmallBench(const std::vector<std::pair<std::string, std::string>>& ignored = {}) {
  auto b = Benchmark::Create(
      "/bench/images",
      {Img("o1.jpg", "g1", BenchRole::kOriginal), Img("c1a.jpg", "g1", BenchRole::kCopy, "jpeg"),
       Img("c1b.jpg", "g1", BenchRole::kCopy, "crop"), Img("o2.jpg", "g2", BenchRole::kOriginal),
       Img("c2a.jpg", "g2", BenchRole::kCopy, "jpeg"), Img("d1.jpg", "", BenchRole::kDistractor),
       Img("d2.jpg", "", BenchRole::kDistractor), Img("d3.jpg", "", BenchRole::kDistractor)},
      ignored);
  EXPECT_TRUE(b.ok()) << b.status().ToString();
  return std::move(b).value();
}

const GroupFamilyStats& Family(const GroupEvalReport& r, const std::string& name) {
  for (const GroupFamilyStats& f : r.families) {
    if (f.family == name) return f;
  }
  ADD_FAILURE() << "no family " << name;
  static GroupFamilyStats none;
  return none;
}

// A = {o1, c1a, d1}: 3 pairs, 1 right.  B = {o2, c2a, c1b}: 3 pairs, 1 right, mixed (g1 and g2),
// but only one original.  C = {d2, d3}: 1 pair of two distractors, wrong.
const std::vector<std::vector<int32_t>> kGroups = {{0, 1, 5}, {3, 4, 2}, {6, 7}};

TEST(EvaluateGroupsTest, AllPairsHandCounted) {
  const GroupEvalReport r = EvaluateGroups(SmallBench(), kGroups, EvalProtocol::kAllPairs);
  EXPECT_EQ(r.protocol, EvalProtocol::kAllPairs);
  EXPECT_EQ(r.groups, 3);
  EXPECT_EQ(r.images_grouped, 8);
  EXPECT_EQ(r.largest_group, 3);
  EXPECT_EQ(r.repeated_images, 0);
  EXPECT_EQ(r.predicted_pairs, 7);
  EXPECT_EQ(r.right_pairs, 2);
  EXPECT_EQ(r.truth_pairs, 4);
  EXPECT_DOUBLE_EQ(r.precision, 2.0 / 7.0);
  EXPECT_DOUBLE_EQ(r.recall, 0.5);
  EXPECT_DOUBLE_EQ(r.f1, 2 * (2.0 / 7) * 0.5 / (2.0 / 7 + 0.5));
  EXPECT_EQ(r.mixed_groups, 1);
  EXPECT_EQ(r.groups_joining_originals, 0);
  // jpeg: c1a with o1 in A, c2a with o2 in B; crop: c1b is in B, away from o1.
  ASSERT_EQ(r.families.size(), 2u);
  EXPECT_EQ(r.families[0].family, "crop");
  EXPECT_EQ(Family(r, "crop").copies, 1);
  EXPECT_EQ(Family(r, "crop").found, 0);
  EXPECT_EQ(Family(r, "jpeg").copies, 2);
  EXPECT_EQ(Family(r, "jpeg").found, 2);
}

TEST(EvaluateGroupsTest, QuerySideDropsDistractorPairs) {
  const GroupEvalReport r = EvaluateGroups(SmallBench(), kGroups, EvalProtocol::kQuerySide);
  EXPECT_EQ(r.protocol, EvalProtocol::kQuerySide);
  // C's pair is gone; A's (o1, d1) and (c1a, d1) stay: one image is not a distractor.
  EXPECT_EQ(r.predicted_pairs, 6);
  EXPECT_EQ(r.right_pairs, 2);
  EXPECT_DOUBLE_EQ(r.precision, 1.0 / 3.0);
  EXPECT_DOUBLE_EQ(r.recall, 0.5);
  EXPECT_EQ(r.groups, 3);  // the groups themselves are still counted
  EXPECT_EQ(r.mixed_groups, 1);
}

TEST(EvaluateGroupsTest, GroupJoiningTwoOriginals) {
  // {o1, c1a, o2}: 3 pairs, 1 right; mixed and joining two originals.
  const GroupEvalReport r = EvaluateGroups(SmallBench(), {{0, 1, 3}});
  EXPECT_EQ(r.predicted_pairs, 3);
  EXPECT_EQ(r.right_pairs, 1);
  EXPECT_EQ(r.mixed_groups, 1);
  EXPECT_EQ(r.groups_joining_originals, 1);
  EXPECT_DOUBLE_EQ(r.recall, 0.25);
  EXPECT_EQ(Family(r, "jpeg").found, 1);
}

TEST(EvaluateGroupsTest, PerfectGroups) {
  const GroupEvalReport r = EvaluateGroups(SmallBench(), {{0, 1, 2}, {4, 3}});
  EXPECT_DOUBLE_EQ(r.precision, 1.0);
  EXPECT_DOUBLE_EQ(r.recall, 1.0);
  EXPECT_DOUBLE_EQ(r.f1, 1.0);
  EXPECT_EQ(r.mixed_groups, 0);
  EXPECT_EQ(Family(r, "crop").found, 1);
}

TEST(EvaluateGroupsTest, IgnoreCsvPairsAreLeftOut) {
  // (o1, c1a) and (d2, d3) are in ignore.csv: out of the truth pairs, of A and of C.
  const Benchmark bench = SmallBench({{"o1.jpg", "c1a.jpg"}, {"d3.jpg", "d2.jpg"}});
  GroupEvalReport r = EvaluateGroups(bench, kGroups, EvalProtocol::kAllPairs);
  EXPECT_EQ(r.truth_pairs, 3);
  EXPECT_EQ(r.predicted_pairs, 5);
  EXPECT_EQ(r.right_pairs, 1);
  EXPECT_DOUBLE_EQ(r.precision, 0.2);
  EXPECT_DOUBLE_EQ(r.recall, 1.0 / 3.0);
  // Under query-side (d2, d3) is left out once, not twice.
  r = EvaluateGroups(bench, kGroups, EvalProtocol::kQuerySide);
  EXPECT_EQ(r.predicted_pairs, 5);
}

TEST(EvaluateGroupsTest, RepeatsSingletonsAndNoGroups) {
  // o1 twice in the first group counts once; c1a in a second group counts in the first only,
  // which leaves {c1b} alone: skipped.
  GroupEvalReport r = EvaluateGroups(SmallBench(), {{0, 0, 1}, {1, 2}, {5}});
  EXPECT_EQ(r.groups, 1);
  EXPECT_EQ(r.images_grouped, 2);
  EXPECT_EQ(r.repeated_images, 1);
  EXPECT_EQ(r.predicted_pairs, 1);
  EXPECT_EQ(r.right_pairs, 1);
  EXPECT_DOUBLE_EQ(r.precision, 1.0);

  r = EvaluateGroups(SmallBench(), {});
  EXPECT_EQ(r.groups, 0);
  EXPECT_EQ(r.largest_group, 0);
  EXPECT_TRUE(std::isnan(r.precision));
  EXPECT_DOUBLE_EQ(r.recall, 0.0);
  EXPECT_DOUBLE_EQ(r.f1, 0.0);
  const nlohmann::json j = nlohmann::json::parse(GroupEvalReportJson(r));
  EXPECT_TRUE(j["precision"].is_null());
  EXPECT_EQ(j["protocol"], "all");
  EXPECT_EQ(j["families"][0]["recall"], 0.0);
}

TEST(EvaluateGroupsTest, NaturalGroupsCountEveryPair) {
  auto b = Benchmark::Create(
      "/bench/images",
      {Img("a.jpg", "n", BenchRole::kOriginal), Img("b.jpg", "n", BenchRole::kNatural),
       Img("c.jpg", "n", BenchRole::kNatural), Img("x.jpg", "m", BenchRole::kNatural),
       Img("y.jpg", "m", BenchRole::kNatural)},
      {});
  ASSERT_TRUE(b.ok()) << b.status().ToString();
  // {a, b, x, y}: right (a,b), (x,y) of 6; two pictures of different groups joined.
  const GroupEvalReport r = EvaluateGroups(*b, {{0, 1, 3, 4}});
  EXPECT_EQ(r.truth_pairs, 4);
  EXPECT_EQ(r.right_pairs, 2);
  EXPECT_DOUBLE_EQ(r.precision, 1.0 / 3.0);
  EXPECT_DOUBLE_EQ(r.recall, 0.5);
  EXPECT_EQ(r.groups_joining_originals, 1);
  EXPECT_TRUE(r.families.empty());
}

TEST(ParseGroupsJsonTest, MapsPathsAndCountsUnmatched) {
  const Benchmark bench = SmallBench();
  const std::string json = R"({"method": "pdq8", "groups": [
      {"files": [{"path": "/bench/images/o1.jpg", "keep": true}, {"path": "images/c1a.jpg"},
                 {"path": "/elsewhere/nothing.jpg"}]},
      {"files": [{"path": "garbled", "path_hex": "2f62656e63682f696d616765732f64312e6a7067"},
                 {"path": "d2.jpg"}]}], "pairs": []})";
  StatusOr<GroupsInput> in = ParseGroupsJson(json, bench, "find.json");
  ASSERT_TRUE(in.ok()) << in.status().ToString();
  ASSERT_EQ(in->groups.size(), 2u);
  EXPECT_EQ(in->groups[0], (std::vector<int32_t>{0, 1}));
  EXPECT_EQ(in->groups[1], (std::vector<int32_t>{5, 6}));  // path_hex is /bench/images/d1.jpg
  EXPECT_EQ(in->files, 5);
  EXPECT_EQ(in->unmatched_files, 1);
  ASSERT_EQ(in->problems.size(), 1u);
  EXPECT_EQ(in->problems[0],
            "find.json: group 1: '/elsewhere/nothing.jpg' is not an image of the benchmark");
}

TEST(ParseGroupsJsonTest, RejectsOtherShapes) {
  const Benchmark bench = SmallBench();
  for (const char* text : {"not json", "[]", R"({"pairs": []})", R"({"groups": [{"x": 1}]})",
                           R"({"groups": [{"files": [{"size": 3}]}]})"}) {
    StatusOr<GroupsInput> in = ParseGroupsJson(text, bench, "f.json");
    EXPECT_EQ(in.status().code(), StatusCode::kInvalidArgument) << text;
    EXPECT_EQ(in.status().message().rfind("f.json", 0), 0u) << in.status().message();
  }
  EXPECT_EQ(ReadGroupsJson("/nonexistent/f.json", bench).status().code(), StatusCode::kNotFound);
}

}  // namespace
}  // namespace neardup
