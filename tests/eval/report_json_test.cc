// EvalReportJson: the one JSON form of an EvalReport (bench eval --json, report.json).
#include <gtest/gtest.h>

#include <cmath>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "neardup/eval.h"

namespace neardup {
namespace {

EvalReport SampleReport() {
  EvalReport r;
  r.images = 7;
  r.positives = 3;
  r.positives_listed = 2;
  r.negatives_listed = 1;
  r.listed_pairs = 4;
  r.duplicate_pairs = 1;
  r.lines = 5;
  r.unmatched_lines = 1;
  r.micro_ap = 0.5;
  r.best_f1 = OperatingPoint{0.9, 2, 1, 2.0 / 3, 2.0 / 3, 2.0 / 3};
  r.recall_at_p99 = OperatingPoint{0.95, 1, 0, 1.0, 1.0 / 3, 0.5};
  r.families = {{"crop", 1, 1, 0, 0}, {"jpeg", 2, 1, 1, 1}, {"empty", 0, 0, 0, 0}};
  r.pr_curve = {{1.0 / 3, 1.0, 0.95}, {2.0 / 3, 2.0 / 3, 0.9}};
  r.problems = {"pairs.csv:3: bad \xFF byte"};
  r.protocol = EvalProtocol::kQuerySide;
  r.protocols[0].protocol = EvalProtocol::kAllPairs;
  r.protocols[0].negatives_listed = 3;
  r.protocols[0].micro_ap = 0.25;
  r.protocols[1].protocol = EvalProtocol::kQuerySide;
  r.protocols[1].negatives_listed = 1;
  r.protocols[1].micro_ap = 0.5;
  r.protocols[1].best_f1 = r.best_f1;
  return r;
}

TEST(EvalReportJsonTest, KeysInDocumentedOrder) {
  const nlohmann::ordered_json j = nlohmann::ordered_json::parse(EvalReportJson(SampleReport()));
  std::vector<std::string> keys;
  for (auto it = j.begin(); it != j.end(); ++it) keys.push_back(it.key());
  EXPECT_EQ(keys, (std::vector<std::string>{"protocol", "counts", "no_positives", "micro_ap",
                                            "best_f1", "recall_at_p99", "recall_at_p999",
                                            "protocols", "families", "pr_curve", "problems"}));
  EXPECT_EQ(j["protocol"], "query");
  // Both protocols' headline figures, under their names.
  EXPECT_DOUBLE_EQ(j["protocols"]["all"]["micro_ap"].get<double>(), 0.25);
  EXPECT_EQ(j["protocols"]["all"]["negatives_listed"], 3);
  EXPECT_TRUE(j["protocols"]["all"]["best_f1"].is_null());
  EXPECT_DOUBLE_EQ(j["protocols"]["query"]["micro_ap"].get<double>(), 0.5);
  EXPECT_EQ(j["protocols"]["query"]["best_f1"]["true_positives"], 2);
  EXPECT_FALSE(j["protocols"]["query"].contains("at_threshold"));
  std::vector<std::string> counts;
  for (auto it = j["counts"].begin(); it != j["counts"].end(); ++it) counts.push_back(it.key());
  EXPECT_EQ(counts, (std::vector<std::string>{
                        "images", "positives", "positives_listed", "negatives_listed",
                        "ignored_listed", "distractor_pairs_listed", "lines", "listed_pairs",
                        "duplicate_pairs", "self_pairs", "unmatched_lines", "malformed_lines"}));
  EXPECT_EQ(j["counts"]["images"], 7);
  EXPECT_EQ(j["counts"]["unmatched_lines"], 1);
  EXPECT_DOUBLE_EQ(j["micro_ap"].get<double>(), 0.5);
  // Without a distance function, points carry no "distance"; a missing point is null.
  EXPECT_FALSE(j["best_f1"].contains("distance"));
  EXPECT_EQ(j["best_f1"]["true_positives"], 2);
  EXPECT_DOUBLE_EQ(j["recall_at_p99"]["threshold"].get<double>(), 0.95);
  EXPECT_TRUE(j["recall_at_p999"].is_null());
  EXPECT_EQ(j["pr_curve"].size(), 2u);
  EXPECT_DOUBLE_EQ(j["pr_curve"][1]["threshold"].get<double>(), 0.9);
  // Invalid UTF-8 is replaced, not thrown on.
  EXPECT_EQ(j["problems"][0], "pairs.csv:3: bad \xEF\xBF\xBD byte");
}

TEST(EvalReportJsonTest, FamilyRecallsAndUndefinedOnesAsNull) {
  const nlohmann::json j = nlohmann::json::parse(EvalReportJson(SampleReport()));
  const nlohmann::json& crop = j["families"][0];
  EXPECT_EQ(crop["family"], "crop");
  EXPECT_EQ(crop["found_at_p99"], 0);
  EXPECT_DOUBLE_EQ(crop["recall_listed"].get<double>(), 1.0);
  EXPECT_DOUBLE_EQ(crop["recall_at_p99"].get<double>(), 0.0);
  EXPECT_FALSE(crop.contains("recall_at_threshold"));  // no threshold was given
  EXPECT_DOUBLE_EQ(j["families"][1]["recall_at_p99"].get<double>(), 0.5);
  // A family without positives has no recall.
  EXPECT_TRUE(j["families"][2]["recall_listed"].is_null());
  EXPECT_TRUE(j["families"][2]["recall_at_p99"].is_null());

  EvalReport never99 = SampleReport();
  never99.recall_at_p99.reset();
  const nlohmann::json k = nlohmann::json::parse(EvalReportJson(never99));
  EXPECT_TRUE(k["recall_at_p99"].is_null());
  EXPECT_TRUE(k["families"][1]["recall_at_p99"].is_null());
  EXPECT_TRUE(std::isnan(FamilyRecallAtP99(never99, never99.families[1])));
}

TEST(EvalReportJsonTest, ThresholdAndDistanceWhenAsked) {
  EvalReport r = SampleReport();
  r.at_threshold = OperatingPoint{0.8, 2, 1, 2.0 / 3, 2.0 / 3, 2.0 / 3};
  r.families[1].found_at_threshold = 2;
  EvalJsonOptions o;
  o.distance_for_score = [](double score) { return (1 - score) * 256; };
  o.indent = -1;
  const std::string text = EvalReportJson(r, o);
  EXPECT_EQ(text.find('\n'), std::string::npos);  // one line
  const nlohmann::json j = nlohmann::json::parse(text);
  EXPECT_DOUBLE_EQ(j["at_threshold"]["threshold"].get<double>(), 0.8);
  EXPECT_NEAR(j["best_f1"]["distance"].get<double>(), 25.6, 1e-9);
  EXPECT_NEAR(j["at_threshold"]["distance"].get<double>(), 51.2, 1e-9);
  EXPECT_EQ(j["families"][1]["found_at_threshold"], 2);
  EXPECT_DOUBLE_EQ(j["families"][1]["recall_at_threshold"].get<double>(), 1.0);
}

}  // namespace
}  // namespace neardup
