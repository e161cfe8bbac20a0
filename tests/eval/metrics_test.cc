// Evaluate() on small benchmarks whose metrics are computed by hand.
#include <gtest/gtest.h>

#include <cmath>

#include "neardup/eval.h"

namespace neardup {
namespace {

BenchImage Img(std::string path, std::string group, BenchRole role, std::string family = "") {
  return {std::move(path), std::move(group), role, std::move(family)};
}

// Ids:  0 o1 (g1 original)  1 c1a (g1 copy, jpeg)  2 c1b (g1 copy, crop)
//       3 o2 (g2 original)  4 c2a (g2 copy, jpeg)  5 d1, 6 d2 (distractors)
// Positives: (0,1) jpeg, (0,2) crop, (3,4) jpeg. (1,2) is copy <-> copy: ignored.
Benchmark SmallBench(const std::vector<std::pair<std::string, std::string>>& ignored = {}) {
  auto b = Benchmark::Create(
      "images",
      {Img("o1.jpg", "g1", BenchRole::kOriginal), Img("c1a.jpg", "g1", BenchRole::kCopy, "jpeg"),
       Img("c1b.jpg", "g1", BenchRole::kCopy, "crop"), Img("o2.jpg", "g2", BenchRole::kOriginal),
       Img("c2a.jpg", "g2", BenchRole::kCopy, "jpeg"), Img("d1.jpg", "", BenchRole::kDistractor),
       Img("d2.jpg", "", BenchRole::kDistractor)},
      ignored);
  EXPECT_TRUE(b.ok()) << b.status().ToString();
  return std::move(b).value();
}

EvalReport Score(const Benchmark& bench, std::vector<ListedPair> pairs,
                 std::optional<double> threshold = std::nullopt, int max_curve_points = 500) {
  PairsInput in;
  in.pairs = std::move(pairs);
  in.lines = int64_t(in.pairs.size());
  EvalOptions options;
  options.threshold = threshold;
  options.max_curve_points = max_curve_points;
  return Evaluate(bench, std::move(in), options);
}

const FamilyStats& Family(const EvalReport& r, const std::string& name) {
  for (const FamilyStats& f : r.families) {
    if (f.family == name) return f;
  }
  ADD_FAILURE() << "no family " << name;
  static FamilyStats none;
  return none;
}

TEST(EvalMetricsTest, CountsPositivesFromTheTruth) {
  EvalReport r = Score(SmallBench(), {});
  EXPECT_EQ(r.images, 7);
  EXPECT_EQ(r.positives, 3);
  EXPECT_FALSE(r.no_positives);
  EXPECT_EQ(r.micro_ap, 0.0);
  EXPECT_FALSE(r.best_f1.has_value());
  EXPECT_FALSE(r.recall_at_p99.has_value());
  ASSERT_EQ(r.families.size(), 2u);  // copy families sorted by name; no natural pairs
  EXPECT_EQ(r.families[0].family, "crop");
  EXPECT_EQ(r.families[0].positives, 1);
  EXPECT_EQ(r.families[1].family, "jpeg");
  EXPECT_EQ(r.families[1].positives, 2);
  EXPECT_TRUE(r.pr_curve.empty());
}

TEST(EvalMetricsTest, PerfectRankingHasApOne) {
  EvalReport r =
      Score(SmallBench(), {{0, 1, 0.9}, {2, 0, 0.8}, {3, 4, 0.7}, {5, 6, 0.5}, {0, 3, 0.4}});
  EXPECT_DOUBLE_EQ(r.micro_ap, 1.0);
  EXPECT_EQ(r.positives_listed, 3);
  EXPECT_EQ(r.negatives_listed, 2);
  ASSERT_TRUE(r.best_f1.has_value());
  EXPECT_DOUBLE_EQ(r.best_f1->f1, 1.0);
  EXPECT_DOUBLE_EQ(r.best_f1->threshold, 0.7);
  ASSERT_TRUE(r.recall_at_p999.has_value());
  EXPECT_DOUBLE_EQ(r.recall_at_p999->recall, 1.0);
}

TEST(EvalMetricsTest, InterleavedRankingHandComputedAp) {
  // Ranking: P(0.9) N(0.8) P(0.7) N(0.6) P(0.5).
  // Precision at each positive: 1/1, 2/3, 3/5.  AP = (1 + 2/3 + 3/5) / 3 = 34/45 = 0.7555...
  EvalReport r =
      Score(SmallBench(), {{0, 1, 0.9}, {5, 6, 0.8}, {0, 2, 0.7}, {0, 5, 0.6}, {3, 4, 0.5}});
  EXPECT_NEAR(r.micro_ap, 34.0 / 45.0, 1e-12);
  // F1 = 2tp / (tp + fp + P): at 0.9: 2/4 = 0.5; at 0.7: 4/6; at 0.5: 6/8 = 0.75 (best).
  ASSERT_TRUE(r.best_f1.has_value());
  EXPECT_DOUBLE_EQ(r.best_f1->f1, 0.75);
  EXPECT_DOUBLE_EQ(r.best_f1->threshold, 0.5);
  EXPECT_EQ(r.best_f1->true_positives, 3);
  EXPECT_EQ(r.best_f1->false_positives, 2);
  // Only the first point has precision >= 0.99.
  ASSERT_TRUE(r.recall_at_p99.has_value());
  EXPECT_DOUBLE_EQ(r.recall_at_p99->recall, 1.0 / 3.0);
  EXPECT_DOUBLE_EQ(r.recall_at_p99->threshold, 0.9);
  // Envelope: (1/3, 1), (2/3, 2/3), (1, 3/5): each beats every later precision.
  ASSERT_EQ(r.pr_curve.size(), 3u);
  EXPECT_DOUBLE_EQ(r.pr_curve[1].precision, 2.0 / 3.0);
  EXPECT_DOUBLE_EQ(r.pr_curve[2].recall, 1.0);
  EXPECT_DOUBLE_EQ(r.pr_curve[2].threshold, 0.5);
}

TEST(EvalMetricsTest, TiesRankNegativesFirst) {
  // P(0.9), then a positive and a negative both at 0.8: the negative ranks first, so the
  // positive is at rank 3 with precision 2/3. The third positive is not listed.
  // AP = (1/1 + 2/3) / 3 = 5/9 (it would be 2/3 if the tie helped).
  EvalReport r = Score(SmallBench(), {{0, 1, 0.9}, {3, 4, 0.8}, {5, 6, 0.8}});
  EXPECT_NEAR(r.micro_ap, 5.0 / 9.0, 1e-12);
  // At threshold 0.8 both are predicted: precision 2/3, not 1.
  EXPECT_DOUBLE_EQ(r.recall_at_p99->recall, 1.0 / 3.0);
  EXPECT_DOUBLE_EQ(r.recall_at_p99->threshold, 0.9);
}

TEST(EvalMetricsTest, UnlistedPositivesLowerRecallAndAp) {
  EvalReport r = Score(SmallBench(), {{0, 1, 0.9}, {5, 6, 0.1}});
  // One of three positives listed, at precision 1: AP = (1/1) / 3.
  EXPECT_NEAR(r.micro_ap, 1.0 / 3.0, 1e-12);
  EXPECT_DOUBLE_EQ(r.recall_at_p999->recall, 1.0 / 3.0);
  EXPECT_EQ(Family(r, "jpeg").listed, 1);
  EXPECT_EQ(Family(r, "crop").listed, 0);
}

TEST(EvalMetricsTest, NoPositives) {
  auto b = Benchmark::Create(
      "images",
      {Img("o.jpg", "g", BenchRole::kOriginal), Img("d1.jpg", "", BenchRole::kDistractor),
       Img("d2.jpg", "", BenchRole::kDistractor)},
      {});
  ASSERT_TRUE(b.ok());
  EvalReport r = Score(*b, {{0, 1, 0.9}, {1, 2, 0.5}}, 0.3);
  EXPECT_TRUE(r.no_positives);
  EXPECT_EQ(r.positives, 0);
  EXPECT_EQ(r.micro_ap, 0.0);
  EXPECT_FALSE(std::isnan(r.micro_ap));
  EXPECT_FALSE(r.best_f1.has_value());
  EXPECT_FALSE(r.recall_at_p99.has_value());
  ASSERT_TRUE(r.at_threshold.has_value());
  EXPECT_EQ(r.at_threshold->false_positives, 2);
  EXPECT_DOUBLE_EQ(r.at_threshold->precision, 0.0);
  EXPECT_DOUBLE_EQ(r.at_threshold->recall, 0.0);
  EXPECT_TRUE(r.families.empty());
}

TEST(EvalMetricsTest, RepeatedPairsCountOnceWithMaxScore) {
  // (0,1) listed as 0.2 and as (1,0) 0.95, and (5,6) twice: unique pairs (0,1)=0.95, (5,6)=0.5.
  EvalReport r =
      Score(SmallBench(), {{0, 1, 0.2}, {5, 6, 0.5}, {1, 0, 0.95}, {6, 5, 0.5}, {4, 4, 1}});
  EXPECT_EQ(r.listed_pairs, 5);
  EXPECT_EQ(r.self_pairs, 1);
  EXPECT_EQ(r.duplicate_pairs, 2);
  EXPECT_EQ(r.positives_listed, 1);
  EXPECT_EQ(r.negatives_listed, 1);
  // The positive ranks first (0.95 > 0.5): AP = 1/3. With 0.2 it would be (1/2)/3.
  EXPECT_NEAR(r.micro_ap, 1.0 / 3.0, 1e-12);
}

TEST(EvalMetricsTest, CopyToCopyIsIgnored) {
  // (1,2) are two copies of o1: neither positive nor negative, even ranked first.
  EvalReport r = Score(SmallBench(), {{1, 2, 0.99}, {0, 1, 0.9}, {0, 2, 0.8}, {3, 4, 0.7}});
  EXPECT_EQ(r.ignored_listed, 1);
  EXPECT_EQ(r.negatives_listed, 0);
  EXPECT_DOUBLE_EQ(r.micro_ap, 1.0);
}

TEST(EvalMetricsTest, IgnoreCsvPairsAreLeftOut) {
  // Ignoring a negative (o1, d1) and a positive (o2, c2a): 2 positives remain.
  Benchmark b = SmallBench({{"o1.jpg", "d1.jpg"}, {"c2a.jpg", "o2.jpg"}});
  ASSERT_EQ(b.ignored().size(), 2u);
  EvalReport r = Score(b, {{0, 5, 0.99}, {3, 4, 0.95}, {0, 1, 0.9}, {0, 2, 0.8}});
  EXPECT_EQ(r.positives, 2);
  EXPECT_EQ(r.ignored_listed, 2);
  EXPECT_DOUBLE_EQ(r.micro_ap, 1.0);
  EXPECT_EQ(Family(r, "jpeg").positives, 1);
}

TEST(EvalMetricsTest, NaturalGroupsGiveAllPairs) {
  // Group n: an original and two naturals (3 pairs) and a copy of the original (1 pair, "crop");
  // copy <-> natural is ignored.
  auto b = Benchmark::Create(
      "images",
      {Img("n/o.jpg", "n", BenchRole::kOriginal), Img("n/small.jpg", "n", BenchRole::kNatural),
       Img("n/tiny.jpg", "n", BenchRole::kNatural),
       Img("n/crop.jpg", "n", BenchRole::kCopy, "crop"), Img("m/a.jpg", "m", BenchRole::kNatural),
       Img("m/b.jpg", "m", BenchRole::kNatural), Img("d.jpg", "", BenchRole::kDistractor)},
      {});
  ASSERT_TRUE(b.ok()) << b.status().ToString();
  // Natural pairs: n: (0,1) (0,2) (1,2); m: (4,5). Copy: (0,3).
  EvalReport r =
      Score(*b, {{1, 2, 0.9}, {0, 1, 0.85}, {4, 5, 0.8}, {1, 3, 0.75}, {2, 6, 0.7}, {0, 3, 0.6}});
  EXPECT_EQ(r.positives, 5);
  EXPECT_EQ(Family(r, "natural").positives, 4);
  EXPECT_EQ(Family(r, "crop").positives, 1);
  EXPECT_EQ(r.families.back().family, "natural");
  EXPECT_EQ(r.ignored_listed, 1);  // (1,3) copy <-> natural
  EXPECT_EQ(r.positives_listed, 4);
  // Ranking P P P N P: AP = (1 + 1 + 1 + 4/5) / 5 = 0.76.
  EXPECT_NEAR(r.micro_ap, 0.76, 1e-12);
}

TEST(EvalMetricsTest, RecallAtPrecisionTargets) {
  // 200 groups (original + copy): 200 positives. Ranking: 150 positives, 1 negative,
  // 50 positives, 10 negatives.
  //   after the 150th positive: P 1,        R 0.75
  //   after the 200th positive: P 200/201 = 0.995 >= 0.99 but < 0.999, R 1
  std::vector<BenchImage> images;
  for (int g = 0; g < 200; ++g) {
    images.push_back(Img("o" + std::to_string(g), "g" + std::to_string(g), BenchRole::kOriginal));
    images.push_back(Img("c" + std::to_string(g), "g" + std::to_string(g), BenchRole::kCopy,
                         g % 2 ? "jpeg" : "crop"));
  }
  auto b = Benchmark::Create("images", std::move(images), {});
  ASSERT_TRUE(b.ok());
  std::vector<ListedPair> pairs;
  double s = 1.0;
  for (int g = 0; g < 150; ++g) pairs.push_back({2 * g, 2 * g + 1, s -= 0.001});
  const double t999 = s;
  pairs.push_back({0, 3, s -= 0.001});
  for (int g = 150; g < 200; ++g) pairs.push_back({2 * g, 2 * g + 1, s -= 0.001});
  const double t99 = s;
  for (int i = 0; i < 10; ++i) pairs.push_back({0, 5 + 2 * i, s -= 0.001});
  EvalReport r = Score(*b, pairs, t99, /*max_curve_points=*/10);
  ASSERT_TRUE(r.recall_at_p99.has_value());
  EXPECT_DOUBLE_EQ(r.recall_at_p99->recall, 1.0);
  EXPECT_DOUBLE_EQ(r.recall_at_p99->threshold, t99);
  EXPECT_DOUBLE_EQ(r.recall_at_p99->precision, 200.0 / 201.0);
  ASSERT_TRUE(r.recall_at_p999.has_value());
  EXPECT_DOUBLE_EQ(r.recall_at_p999->recall, 0.75);
  EXPECT_DOUBLE_EQ(r.recall_at_p999->threshold, t999);
  EXPECT_EQ(r.recall_at_p999->false_positives, 0);
  // At the threshold given: the same point.
  EXPECT_EQ(r.at_threshold->true_positives, 200);
  EXPECT_EQ(r.at_threshold->false_positives, 1);
  // The curve is cut to 10 points, recall ascending, precision non-increasing, ends kept.
  ASSERT_LE(r.pr_curve.size(), 10u);
  ASSERT_GE(r.pr_curve.size(), 2u);
  EXPECT_DOUBLE_EQ(r.pr_curve.front().recall, 0.75);  // the envelope's first corner
  EXPECT_DOUBLE_EQ(r.pr_curve.back().recall, 1.0);
  for (size_t i = 1; i < r.pr_curve.size(); ++i) {
    EXPECT_GT(r.pr_curve[i].recall, r.pr_curve[i - 1].recall);
    EXPECT_LE(r.pr_curve[i].precision, r.pr_curve[i - 1].precision);
  }
}

TEST(EvalMetricsTest, DownsampledCurveKeepsTheEnvelope) {
  // 1000 positives alternating with negatives: precision falls from 1 to ~1/2 over 1000 corners.
  std::vector<BenchImage> images;
  for (int g = 0; g < 1000; ++g) {
    images.push_back(Img("o" + std::to_string(g), "g" + std::to_string(g), BenchRole::kOriginal));
    images.push_back(Img("c" + std::to_string(g), "g" + std::to_string(g), BenchRole::kCopy, "x"));
  }
  auto b = Benchmark::Create("images", std::move(images), {});
  ASSERT_TRUE(b.ok());
  std::vector<ListedPair> pairs;
  double s = 10;
  for (int g = 0; g < 1000; ++g) {
    pairs.push_back({2 * g, 2 * g + 1, s -= 0.001});
    pairs.push_back({2 * g, 2 * ((g + 1) % 1000) + 1, s -= 0.001});
  }
  EvalReport r = Score(*b, pairs, std::nullopt, 50);
  ASSERT_LE(r.pr_curve.size(), 50u);
  ASSERT_GE(r.pr_curve.size(), 25u);
  EXPECT_DOUBLE_EQ(r.pr_curve.front().precision, 1.0);
  EXPECT_DOUBLE_EQ(r.pr_curve.back().recall, 1.0);
  EXPECT_NEAR(r.pr_curve.back().precision, 1000.0 / 1999.0, 1e-12);
}

TEST(EvalMetricsTest, PerFamilyRecallAtOperatingPoints) {
  // Ranking: P jpeg 0.9, P jpeg 0.8, N 0.5, P crop 0.3.
  //   AP = (1 + 1 + 3/4) / 3 = 11/12.
  //   P >= 0.99 up to 0.8: R = 2/3, jpeg 2/2, crop 0/1.
  //   At T = 0.5: tp 2, fp 1: P 2/3, R 2/3, F1 = 4/6.
  //   Best F1 at 0.3: 2*3 / (3 + 1 + 3) = 6/7 (at 0.8 it is 4/5).
  EvalReport r = Score(SmallBench(), {{0, 1, 0.9}, {3, 4, 0.8}, {5, 6, 0.5}, {0, 2, 0.3}}, 0.5);
  EXPECT_NEAR(r.micro_ap, 11.0 / 12.0, 1e-12);
  EXPECT_DOUBLE_EQ(r.recall_at_p99->threshold, 0.8);
  EXPECT_EQ(Family(r, "jpeg").found_at_p99, 2);
  EXPECT_EQ(Family(r, "crop").found_at_p99, 0);
  EXPECT_EQ(Family(r, "crop").listed, 1);
  ASSERT_TRUE(r.at_threshold.has_value());
  EXPECT_DOUBLE_EQ(r.at_threshold->precision, 2.0 / 3.0);
  EXPECT_DOUBLE_EQ(r.at_threshold->recall, 2.0 / 3.0);
  EXPECT_DOUBLE_EQ(r.at_threshold->f1, 4.0 / 6.0);
  EXPECT_EQ(Family(r, "jpeg").found_at_threshold, 2);
  EXPECT_EQ(Family(r, "crop").found_at_threshold, 0);
  EXPECT_NEAR(r.best_f1->f1, 6.0 / 7.0, 1e-12);
  EXPECT_DOUBLE_EQ(r.best_f1->threshold, 0.3);
}

TEST(EvalMetricsTest, ThresholdAboveEveryScorePredictsNothing) {
  EvalReport r = Score(SmallBench(), {{0, 1, 0.9}, {5, 6, 0.5}}, 0.95);
  ASSERT_TRUE(r.at_threshold.has_value());
  EXPECT_EQ(r.at_threshold->true_positives, 0);
  EXPECT_EQ(r.at_threshold->false_positives, 0);
  EXPECT_TRUE(std::isnan(r.at_threshold->precision));
  EXPECT_EQ(r.at_threshold->recall, 0.0);
  EXPECT_EQ(r.at_threshold->f1, 0.0);
}

TEST(EvalMetricsTest, ThresholdEqualToAScoreIncludesIt) {
  EvalReport r = Score(SmallBench(), {{0, 1, 0.95}, {5, 6, 0.5}}, 0.95);
  EXPECT_EQ(r.at_threshold->true_positives, 1);
}

TEST(EvalMetricsTest, LargeInputMatchesSmallSortPath) {
  // Above the radix sort's cut-off: many repeats of the same few pairs must still merge.
  std::vector<ListedPair> pairs;
  for (int i = 0; i < 5000; ++i) {
    pairs.push_back({0, 1, 0.5 + i * 1e-5});
    pairs.push_back({6, 5, 0.4});
  }
  EvalReport r = Score(SmallBench(), pairs);
  EXPECT_EQ(r.duplicate_pairs, 10000 - 2);
  EXPECT_EQ(r.positives_listed, 1);
  EXPECT_NEAR(r.micro_ap, 1.0 / 3.0, 1e-12);
}

TEST(EvalMetricsTest, QuerySideLeavesOutDistractorPairs) {
  // Ranking: P 0.9, N (d1, d2) 0.8, P 0.7, N (o1, d1) 0.6, P 0.5.
  //   All pairs: AP = (1 + 2/3 + 3/5) / 3 = 34/45; R@P0.99 = 1/3.
  //   Query-side: (d1, d2) is dropped: P P N P: AP = (1 + 1 + 3/4) / 3 = 11/12; R@P0.99 = 2/3.
  //   At T = 0.75: all pairs tp 1, fp 1 (P 1/2); query-side tp 1, fp 0 (P 1).
  const std::vector<ListedPair> ranking = {
      {0, 1, 0.9}, {5, 6, 0.8}, {0, 2, 0.7}, {0, 5, 0.6}, {3, 4, 0.5}};
  for (EvalProtocol chosen : {EvalProtocol::kAllPairs, EvalProtocol::kQuerySide}) {
    SCOPED_TRACE(EvalProtocolName(chosen));
    PairsInput in;
    in.pairs = ranking;
    EvalOptions options;
    options.protocol = chosen;
    options.threshold = 0.75;
    const EvalReport r = Evaluate(SmallBench(), std::move(in), options);
    const ProtocolFigures& all = r.figures(EvalProtocol::kAllPairs);
    const ProtocolFigures& query = r.figures(EvalProtocol::kQuerySide);
    // Both protocols' headline figures, whichever is chosen.
    EXPECT_EQ(all.protocol, EvalProtocol::kAllPairs);
    EXPECT_EQ(query.protocol, EvalProtocol::kQuerySide);
    EXPECT_NEAR(all.micro_ap, 34.0 / 45.0, 1e-12);
    EXPECT_NEAR(query.micro_ap, 11.0 / 12.0, 1e-12);
    EXPECT_EQ(all.negatives_listed, 2);
    EXPECT_EQ(query.negatives_listed, 1);
    ASSERT_TRUE(all.recall_at_p99 && query.recall_at_p99);
    EXPECT_DOUBLE_EQ(all.recall_at_p99->recall, 1.0 / 3.0);
    EXPECT_DOUBLE_EQ(query.recall_at_p99->recall, 2.0 / 3.0);
    EXPECT_DOUBLE_EQ(query.recall_at_p99->threshold, 0.7);
    ASSERT_TRUE(all.at_threshold && query.at_threshold);
    EXPECT_DOUBLE_EQ(all.at_threshold->precision, 0.5);
    EXPECT_DOUBLE_EQ(query.at_threshold->precision, 1.0);
    EXPECT_EQ(r.distractor_pairs_listed, 1);
    EXPECT_EQ(r.positives_listed, 3);
    EXPECT_EQ(r.positives, 3);  // positives are the same under both
    // The detailed figures are the chosen protocol's.
    const ProtocolFigures& main = r.figures(chosen);
    EXPECT_EQ(r.protocol, chosen);
    EXPECT_DOUBLE_EQ(r.micro_ap, main.micro_ap);
    EXPECT_EQ(r.negatives_listed, main.negatives_listed);
    EXPECT_EQ(r.ignored_listed, chosen == EvalProtocol::kQuerySide ? 1 : 0);
    EXPECT_DOUBLE_EQ(r.recall_at_p99->recall, main.recall_at_p99->recall);
    EXPECT_DOUBLE_EQ(r.at_threshold->precision, main.at_threshold->precision);
    // Families at the chosen protocol's P >= 0.99 point: crop (0, 2 at 0.7) only under query-side.
    EXPECT_EQ(Family(r, "crop").found_at_p99, chosen == EvalProtocol::kQuerySide ? 1 : 0);
    // The curve's last point: precision 3/5 or 3/4.
    ASSERT_FALSE(r.pr_curve.empty());
    EXPECT_DOUBLE_EQ(r.pr_curve.back().precision, chosen == EvalProtocol::kQuerySide ? 0.75 : 0.6);
  }
}

TEST(EvalMetricsTest, ProtocolNames) {
  EXPECT_EQ(ParseEvalProtocol("all"), EvalProtocol::kAllPairs);
  EXPECT_EQ(ParseEvalProtocol("query"), EvalProtocol::kQuerySide);
  EXPECT_FALSE(ParseEvalProtocol("Query").has_value());
  EXPECT_STREQ(EvalProtocolName(EvalProtocol::kQuerySide), "query");
  EXPECT_EQ(OtherProtocol(EvalProtocol::kAllPairs), EvalProtocol::kQuerySide);
}

}  // namespace
}  // namespace neardup
