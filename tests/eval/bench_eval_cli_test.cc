// `neardup bench eval` end to end: exit codes, the report, --json.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "testutil/run_cli.h"
#include "testutil/testutil.h"

namespace neardup {
namespace {

using testing::RunCli;
using testing::TempDir;
using testing::WriteBytes;

class BenchEvalCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    WriteBytes(dir_.Join("truth.csv"),
               "image,group,role,family\n"
               "o1.jpg,g1,original,\n"
               "c1.jpg,g1,copy,jpeg\n"
               "o2.jpg,g2,original,\n"
               "c2.jpg,g2,copy,crop\n"
               "d.jpg,,distractor,\n");
    images_ = dir_.Join("images");
  }
  // A pairs file as `neardup pairs` prints it for the images folder.
  std::string Pairs(const std::string& extra = "") {
    const std::string i = images_ + "/";
    WriteBytes(dir_.Join("pairs.csv"), "a,b,score\n" + i + "o1.jpg," + i + "c1.jpg,0.900000\n" + i +
                                           "c1.jpg," + i + "o1.jpg,0.900000\n" + i + "o1.jpg," + i +
                                           "d.jpg,0.700000\n" + i + "o2.jpg," + i +
                                           "c2.jpg,0.600000\n" + extra);
    return dir_.Join("pairs.csv");
  }

  TempDir dir_;
  std::string images_;
};

TEST_F(BenchEvalCliTest, JsonReport) {
  // Ranking P(0.9) N(0.7) P(0.6): AP = (1 + 2/3) / 2 = 5/6.
  auto r = RunCli({"bench", "eval", dir_.path(), Pairs(), "--json", "--threshold", "0.65"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_NEAR(j["micro_ap"].get<double>(), 5.0 / 6.0, 1e-9);
  EXPECT_EQ(j["counts"]["images"], 5);
  EXPECT_EQ(j["counts"]["positives"], 2);
  EXPECT_EQ(j["counts"]["positives_listed"], 2);
  EXPECT_EQ(j["counts"]["negatives_listed"], 1);
  EXPECT_EQ(j["counts"]["duplicate_pairs"], 1);
  EXPECT_EQ(j["no_positives"], false);
  EXPECT_NEAR(j["recall_at_p99"]["recall"].get<double>(), 0.5, 1e-12);
  EXPECT_NEAR(j["recall_at_p99"]["threshold"].get<double>(), 0.9, 1e-12);
  EXPECT_TRUE(j["recall_at_p999"].is_object());
  EXPECT_NEAR(j["best_f1"]["f1"].get<double>(), 0.8, 1e-12);  // 2*2 / (2 + 1 + 2)
  EXPECT_NEAR(j["at_threshold"]["precision"].get<double>(), 0.5, 1e-12);
  ASSERT_EQ(j["families"].size(), 2u);
  EXPECT_EQ(j["families"][0]["family"], "crop");
  EXPECT_EQ(j["families"][0]["recall_at_p99"], 0.0);
  EXPECT_EQ(j["families"][1]["family"], "jpeg");
  EXPECT_EQ(j["families"][1]["recall_at_p99"], 1.0);
  EXPECT_EQ(j["families"][1]["recall_at_threshold"], 1.0);
  EXPECT_EQ(j["families"][1]["found_at_p99"], j["families"][1]["positives"]);
  EXPECT_FALSE(j["pr_curve"].empty());
  // The CLI's own keys, then the library's EvalReportJson (whose points have no "distance": the
  // CLI does not know the detector).
  EXPECT_EQ(nlohmann::ordered_json::parse(r.out).begin().key(), "bench");
  EXPECT_TRUE(j.contains("pairs"));
  EXPECT_FALSE(j["best_f1"].contains("distance"));
  EXPECT_TRUE(j["problems"].is_array());
}

TEST_F(BenchEvalCliTest, HumanReport) {
  auto r = RunCli({"bench", "eval", dir_.path(), Pairs()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("µAP        0.8333"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("R@P0.99    0.5000 at score >= 0.9"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("jpeg"), std::string::npos);
  EXPECT_EQ(r.err, "");
}

TEST_F(BenchEvalCliTest, UnusableLinesExitTwo) {
  auto r = RunCli({"bench", "eval", dir_.path(), Pairs("o1.jpg,nowhere.jpg,0.5\nx,y\n"), "--json"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("pairs.csv:6: 'nowhere.jpg' is not an image of the benchmark"),
            std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("pairs.csv:7: expected 3 fields"), std::string::npos) << r.err;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["counts"]["unmatched_lines"], 1);
  EXPECT_EQ(j["counts"]["malformed_lines"], 1);
  EXPECT_NEAR(j["micro_ap"].get<double>(), 5.0 / 6.0, 1e-9);
}

TEST_F(BenchEvalCliTest, BadTruthOrMissingFilesExitOne) {
  TempDir empty;
  auto r = RunCli({"bench", "eval", empty.path(), Pairs()});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("truth.csv"), std::string::npos) << r.err;

  WriteBytes(empty.Join("truth.csv"), "image,group,role,family\na.jpg,g,boss,\n");
  r = RunCli({"bench", "eval", empty.path(), Pairs()});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("truth.csv:2: role"), std::string::npos) << r.err;

  r = RunCli({"bench", "eval", dir_.path(), dir_.Join("missing.csv")});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("missing.csv"), std::string::npos) << r.err;

  r = RunCli({"bench", "eval", dir_.path()});
  EXPECT_EQ(r.exit_code, 1);
  r = RunCli({"bench"});
  EXPECT_EQ(r.exit_code, 1);
}

// Defect 8: a 10 MB bad line was echoed whole in the warning. A field quoted in a message is cut
// to its first 60 bytes, with its size, and control bytes are escaped.
TEST_F(BenchEvalCliTest, AHugeBadLineIsQuotedShortAndEscaped) {
  const std::string huge(10 << 20, 'x');
  auto r = RunCli({"bench", "eval", dir_.path(),
                   Pairs("o1.jpg,c1.jpg," + huge + "\n" + huge + "\x1b[2J,c1.jpg,0.5\n")});
  EXPECT_EQ(r.exit_code, 2) << r.err.substr(0, 500);
  EXPECT_LT(r.err.size(), 1000u) << r.err.substr(0, 500);
  const std::string cut = std::string(60, 'x') + "... (10485760 bytes)";
  EXPECT_NE(r.err.find("pairs.csv:6: score '" + cut + "' is not a finite number"),
            std::string::npos)
      << r.err;
  // Line 7's path is the same 10 MB and 4 bytes of an escape sequence.
  EXPECT_NE(
      r.err.find("pairs.csv:7: '" + std::string(60, 'x') + "... (10485764 bytes)' is not an image"),
      std::string::npos)
      << r.err;
  // A short field keeps its end, escaped: no raw escape sequence reaches the terminal.
  r = RunCli({"bench", "eval", dir_.path(), Pairs("o1.jpg,c1.jpg,\x1b[2J\\n\n")});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err.find('\x1b'), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("score '\\x1B[2J\\\\n' is not a finite number"), std::string::npos) << r.err;
}

TEST_F(BenchEvalCliTest, AHugeTruthFieldIsQuotedShort) {
  TempDir bad;
  WriteBytes(bad.Join("truth.csv"),
             "image,group,role,family\na.jpg,g," + std::string(1 << 20, 'r') + ",\n");
  auto r = RunCli({"bench", "eval", bad.path(), Pairs()});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_LT(r.err.size(), 400u) << r.err.substr(0, 400);
  EXPECT_NE(r.err.find("truth.csv:2: role must be original, copy, natural or distractor, not '" +
                       std::string(60, 'r') + "... (1048576 bytes)'"),
            std::string::npos)
      << r.err;
}

TEST_F(BenchEvalCliTest, NoPositives) {
  WriteBytes(dir_.Join("truth.csv"),
             "image,group,role,family\no1.jpg,g1,original,\nd.jpg,,distractor,\n");
  WriteBytes(dir_.Join("p.csv"), "a,b,score\no1.jpg,d.jpg,0.5\n");
  auto r = RunCli({"bench", "eval", dir_.path(), dir_.Join("p.csv"), "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["no_positives"], true);
  EXPECT_EQ(j["micro_ap"], 0.0);
  EXPECT_TRUE(j["best_f1"].is_null());
}

// Two distractors: the query-side protocol and the groups of `neardup find --json`.
class BenchEvalProtocolCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    WriteBytes(dir_.Join("truth.csv"),
               "image,group,role,family\no1.jpg,g1,original,\nc1.jpg,g1,copy,jpeg\n"
               "d1.jpg,,distractor,\nd2.jpg,,distractor,\n");
    const std::string i = dir_.Join("images") + "/";
    // Ranking: N (d1, d2) 0.95, P 0.9, N (o1, d1) 0.5. All pairs AP 1/2, query-side AP 1.
    WriteBytes(dir_.Join("pairs.csv"), "a,b,score\n" + i + "d1.jpg," + i + "d2.jpg,0.95\n" + i +
                                           "o1.jpg," + i + "c1.jpg,0.9\n" + i + "o1.jpg," + i +
                                           "d1.jpg,0.5\n");
    // {o1, c1}: right. {d1, d2, ?}: one pair of two distractors, and a file not in the truth.
    WriteBytes(dir_.Join("find.json"),
               R"({"groups": [{"files": [{"path": ")" + i + R"(o1.jpg"}, {"path": ")" + i +
                   R"(c1.jpg"}]}, {"files": [{"path": ")" + i + R"(d1.jpg"}, {"path": ")" + i +
                   R"(d2.jpg"}, {"path": "/elsewhere/x.jpg"}]}]})");
  }
  TempDir dir_;
};

TEST_F(BenchEvalProtocolCliTest, BothProtocolsInJson) {
  auto r = RunCli({"bench", "eval", dir_.path(), dir_.Join("pairs.csv"), "--protocol", "query",
                   "--json", "-t", "0.92"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["protocol"], "query");
  EXPECT_DOUBLE_EQ(j["micro_ap"].get<double>(), 1.0);
  EXPECT_EQ(j["counts"]["negatives_listed"], 1);
  EXPECT_EQ(j["counts"]["distractor_pairs_listed"], 1);
  EXPECT_DOUBLE_EQ(j["protocols"]["all"]["micro_ap"].get<double>(), 0.5);
  EXPECT_DOUBLE_EQ(j["protocols"]["query"]["micro_ap"].get<double>(), 1.0);
  EXPECT_TRUE(j["protocols"]["all"]["recall_at_p99"].is_null());
  EXPECT_DOUBLE_EQ(j["protocols"]["query"]["recall_at_p99"]["recall"].get<double>(), 1.0);
  // At T = 0.92 only (d1, d2) is predicted: a false positive under all pairs only.
  EXPECT_EQ(j["protocols"]["all"]["at_threshold"]["false_positives"], 1);
  EXPECT_EQ(j["protocols"]["query"]["at_threshold"]["false_positives"], 0);
  EXPECT_FALSE(j.contains("groups"));

  r = RunCli({"bench", "eval", dir_.path(), dir_.Join("pairs.csv"), "--protocol", "some"});
  EXPECT_EQ(r.exit_code, 1);
}

TEST_F(BenchEvalProtocolCliTest, BothProtocolsInText) {
  auto r = RunCli({"bench", "eval", dir_.path(), dir_.Join("pairs.csv")});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("µAP        0.5000"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("protocol   all pairs"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("µAP                0.5000       1.0000"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("R@P0.99               n/a       1.0000"), std::string::npos) << r.out;
}

TEST_F(BenchEvalProtocolCliTest, Groups) {
  auto r = RunCli({"bench", "eval", dir_.path(), "--groups", dir_.Join("find.json"), "--json"});
  EXPECT_EQ(r.exit_code, 2) << r.err;  // a file that is not in the benchmark
  EXPECT_NE(r.err.find("group 2: '/elsewhere/x.jpg' is not an image of the benchmark"),
            std::string::npos)
      << r.err;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_FALSE(j.contains("micro_ap"));  // no pairs file
  const auto& g = j["groups"];
  EXPECT_EQ(g["files"], 5);
  EXPECT_EQ(g["unmatched_files"], 1);
  EXPECT_EQ(g["all"]["groups"], 2);
  EXPECT_EQ(g["all"]["predicted_pairs"], 2);
  EXPECT_DOUBLE_EQ(g["all"]["precision"].get<double>(), 0.5);
  EXPECT_DOUBLE_EQ(g["query"]["precision"].get<double>(), 1.0);
  EXPECT_DOUBLE_EQ(g["all"]["recall"].get<double>(), 1.0);
  EXPECT_EQ(g["all"]["families"][0]["found"], 1);

  r = RunCli(
      {"bench", "eval", dir_.path(), dir_.Join("pairs.csv"), "--groups", dir_.Join("find.json")});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.out.find("µAP        0.5000"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("pairwise precision               0.5000       1.0000"), std::string::npos)
      << r.out;

  WriteBytes(dir_.Join("bad.json"), "[1, 2]");
  r = RunCli({"bench", "eval", dir_.path(), "--groups", dir_.Join("bad.json")});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("bad.json"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace neardup
