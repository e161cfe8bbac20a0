#include "neardup/bench_run.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>

#include "neardup/bench_maker.h"
#include "neardup/decode.h"
#include "neardup/find.h"
#include "testutil/run_cli.h"
#include "testutil/testutil.h"

namespace neardup {
namespace {

namespace fs = std::filesystem;

// One small benchmark for the whole suite: 5 originals with a horizontal flip and a JPEG copy
// each, and distractors, from synthetic photos.
class BenchRunTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new testing::TempDir();
    fs::create_directory(dir_->Join("src"));
    for (int i = 0; i < 12; ++i) {
      Image img = testing::MakeTestPhoto(320, 240, 900 + i);
      // Distinct leading letters: alike names ("p1", "p2") are one family to bench make.
      made_ = WriteImage(dir_->Join("src/" + std::string(1, char('a' + i)) + ".png"), img);
      if (!made_.ok()) return;
    }
    BenchMakeOptions o;
    o.sources = {dir_->Join("src")};
    o.out_dir = dir_->Join("bench");
    o.originals = 5;
    o.distractor_count = 7;
    o.families = {Family::kFlipH, Family::kJpeg};
    o.seed = 3;
    made_ = MakeBenchmark(o).status();
  }
  // A failure in SetUpTestSuite would only skip the tests; here it fails each of them.
  void SetUp() override { ASSERT_TRUE(made_.ok()) << made_.ToString(); }
  static void TearDownTestSuite() {
    delete dir_;
    dir_ = nullptr;
  }

  static BenchRunOptions Options() {
    BenchRunOptions o;
    o.bench_dir = dir_->Join("bench");
    o.methods = {"pdq8", "pdq"};
    o.k = 5;
    o.threads = 2;
    return o;
  }

  static testing::TempDir* dir_;
  static Status made_;
};

testing::TempDir* BenchRunTest::dir_ = nullptr;
Status BenchRunTest::made_;

const FamilyStats* FindFamily(const EvalReport& r, const std::string& name) {
  for (const FamilyStats& f : r.families) {
    if (f.family == name) return &f;
  }
  return nullptr;
}

TEST_F(BenchRunTest, EvaluatesEveryMethod) {
  StatusOr<BenchRunResult> r = RunBenchmark(Options());
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->originals, 5);
  EXPECT_EQ(r->copies, 10);
  EXPECT_EQ(r->distractors, 7);
  EXPECT_EQ(r->positives, 10);
  EXPECT_EQ(r->families, (std::vector<std::string>{"flip_h", "jpeg"}));
  EXPECT_TRUE(r->errors.empty());
  EXPECT_TRUE(r->unknown_files.empty());
  ASSERT_EQ(r->methods.size(), 2u);
  EXPECT_EQ(r->methods[0].method, "pdq8");
  EXPECT_EQ(r->methods[1].method, "pdq");
  for (const MethodRun& m : r->methods) {
    SCOPED_TRACE(m.method);
    EXPECT_EQ(m.described, 22);
    EXPECT_EQ(m.failed, 0);
    EXPECT_GT(m.images_per_second, 0);
    EXPECT_GE(m.search_seconds, 0);
    EXPECT_EQ(m.report.positives, r->positives);
    EXPECT_GE(m.report.micro_ap, 0);
    EXPECT_LE(m.report.micro_ap, 1);
  }
  // pdq8 compares every dihedral variant, so mirrors match; plain PDQ does not see them.
  const MethodRun& pdq8 = r->methods[0];
  const MethodRun& pdq = r->methods[1];
  ASSERT_TRUE(pdq8.report.recall_at_p99.has_value());
  const FamilyStats* flip8 = FindFamily(pdq8.report, "flip_h");
  ASSERT_NE(flip8, nullptr);
  EXPECT_EQ(flip8->found_at_p99, flip8->positives);
  EXPECT_EQ(FindFamily(pdq8.report, "jpeg")->found_at_p99, 5);
  const FamilyStats* flip = FindFamily(pdq.report, "flip_h");
  ASSERT_NE(flip, nullptr);
  EXPECT_LE(flip->found_at_p99, 1);
  EXPECT_GT(pdq8.report.micro_ap, pdq.report.micro_ap);
}

TEST_F(BenchRunTest, WorstListsArePositivesAndNegativesInOrder) {
  BenchRunOptions o = Options();
  o.examples = 4;
  StatusOr<BenchRunResult> r = RunBenchmark(o);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  const Benchmark& bench = r->benchmark;
  for (const MethodRun& m : r->methods) {
    SCOPED_TRACE(m.method);
    ASSERT_EQ(m.worst_misses.size(), 4u);
    ASSERT_FALSE(m.worst_false_positives.empty());
    EXPECT_LE(m.worst_false_positives.size(), 4u);
    for (size_t i = 0; i < m.worst_misses.size(); ++i) {
      const PairExample& e = m.worst_misses[i];
      std::string family;
      EXPECT_EQ(ClassifyPair(bench, e.a, e.b, &family), PairKind::kPositive);
      EXPECT_EQ(e.family, family);
      EXPECT_EQ(bench.images()[e.a].role, BenchRole::kOriginal);
      if (i > 0) {
        EXPECT_LE(m.worst_misses[i - 1].score, e.score);
      }
    }
    for (size_t i = 0; i < m.worst_false_positives.size(); ++i) {
      const PairExample& e = m.worst_false_positives[i];
      EXPECT_EQ(ClassifyPair(bench, e.a, e.b), PairKind::kNegative);
      EXPECT_TRUE(e.family.empty());
      EXPECT_TRUE(e.retrieved);
      if (i > 0) {
        EXPECT_GE(m.worst_false_positives[i - 1].score, e.score);
      }
    }
  }
  // Plain PDQ's worst misses are the mirrors.
  EXPECT_EQ(r->methods[1].worst_misses[0].family, "flip_h");
}

TEST(ClassifyPair, FollowsTheRulesOfEvalH) {
  std::vector<BenchImage> images = {
      {"o.jpg", "g", BenchRole::kOriginal, ""},  {"c1.jpg", "g", BenchRole::kCopy, "jpeg"},
      {"c2.jpg", "g", BenchRole::kCopy, ""},     {"n.jpg", "g", BenchRole::kNatural, ""},
      {"d.jpg", "", BenchRole::kDistractor, ""}, {"o2.jpg", "h", BenchRole::kOriginal, ""},
      {"c3.jpg", "h", BenchRole::kCopy, "crop"},
  };
  StatusOr<Benchmark> b = Benchmark::Create("/tmp/x/images", images, {{"c3.jpg", "o2.jpg"}});
  ASSERT_TRUE(b.ok()) << b.status().ToString();
  std::string family = "stale";
  EXPECT_EQ(ClassifyPair(*b, 1, 0, &family), PairKind::kPositive);
  EXPECT_EQ(family, "jpeg");
  EXPECT_EQ(ClassifyPair(*b, 0, 2, &family), PairKind::kPositive);
  EXPECT_EQ(family, kUnknownFamily);
  EXPECT_EQ(ClassifyPair(*b, 3, 0, &family), PairKind::kPositive);
  EXPECT_EQ(family, kNaturalFamily);
  EXPECT_EQ(ClassifyPair(*b, 1, 2, &family), PairKind::kIgnored);  // copy <-> copy
  EXPECT_EQ(family, "");
  EXPECT_EQ(ClassifyPair(*b, 1, 3), PairKind::kIgnored);  // copy <-> natural
  EXPECT_EQ(ClassifyPair(*b, 0, 4), PairKind::kNegative);
  EXPECT_EQ(ClassifyPair(*b, 0, 6), PairKind::kNegative);  // another group
  EXPECT_EQ(ClassifyPair(*b, 6, 5), PairKind::kIgnored);   // ignore.csv
  // The same rules as Evaluate: its positive count over all pairs.
  int64_t positives = 0;
  for (int32_t i = 0; i < 7; ++i) {
    for (int32_t j = i + 1; j < 7; ++j) positives += ClassifyPair(*b, i, j) == PairKind::kPositive;
  }
  EXPECT_EQ(Evaluate(*b, PairsInput{}).positives, positives);
}

TEST(ClassifyPair, QuerySideAndIgnorePairsAcrossGroups) {
  std::vector<BenchImage> images = {
      {"o.jpg", "g", BenchRole::kOriginal, ""},   {"c.jpg", "g", BenchRole::kCopy, "jpeg"},
      {"d1.jpg", "", BenchRole::kDistractor, ""}, {"d2.jpg", "", BenchRole::kDistractor, ""},
      {"d3.jpg", "", BenchRole::kDistractor, ""},
  };
  StatusOr<Benchmark> b =
      Benchmark::Create("/tmp/x/images", images, {{"o.jpg", "d1.jpg"}, {"d2.jpg", "d3.jpg"}});
  ASSERT_TRUE(b.ok()) << b.status().ToString();
  constexpr EvalProtocol kQuery = EvalProtocol::kQuerySide;
  // ignore.csv wins over "another group" too, as Evaluate labels it.
  EXPECT_EQ(ClassifyPair(*b, 0, 2), PairKind::kIgnored);
  EXPECT_EQ(ClassifyPair(*b, 3, 4), PairKind::kIgnored);
  EXPECT_EQ(ClassifyPair(*b, 2, 3), PairKind::kNegative);
  EXPECT_EQ(ClassifyPair(*b, 2, 3, nullptr, kQuery), PairKind::kIgnored);
  EXPECT_EQ(ClassifyPair(*b, 1, 3, nullptr, kQuery), PairKind::kNegative);
  std::string family;
  EXPECT_EQ(ClassifyPair(*b, 0, 1, &family, kQuery), PairKind::kPositive);
  EXPECT_EQ(family, "jpeg");
  // Evaluate agrees pair by pair under both protocols.
  for (EvalProtocol p : {EvalProtocol::kAllPairs, kQuery}) {
    PairsInput in;
    int64_t negatives = 0, ignored = 0;
    for (int32_t i = 0; i < 5; ++i) {
      for (int32_t j = i + 1; j < 5; ++j) {
        in.pairs.push_back({i, j, 0.5});
        const PairKind kind = ClassifyPair(*b, i, j, nullptr, p);
        negatives += kind == PairKind::kNegative;
        ignored += kind == PairKind::kIgnored;
      }
    }
    EvalOptions o;
    o.protocol = p;
    const EvalReport r = Evaluate(*b, std::move(in), o);
    EXPECT_EQ(r.negatives_listed, negatives) << EvalProtocolName(p);
    EXPECT_EQ(r.ignored_listed, ignored) << EvalProtocolName(p);
  }
}

// The groups of bench run are those `neardup find` prints: same threshold, join and grouping.
TEST_F(BenchRunTest, GroupsAreThoseOfFind) {
  BenchRunOptions o = Options();
  o.protocol = EvalProtocol::kQuerySide;
  StatusOr<BenchRunResult> r = RunBenchmark(o);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->protocol, EvalProtocol::kQuerySide);
  for (const MethodRun& m : r->methods) {
    SCOPED_TRACE(m.method);
    EXPECT_EQ(m.report.protocol, EvalProtocol::kQuerySide);
    FindOptions f;
    f.scan.inputs = {r->benchmark.images_dir()};
    f.scan.recursive = true;
    f.scan.method = m.method;
    f.scan.use_cache = false;
    f.scan.threads = 2;
    StatusOr<FindResult> found = Find(f);
    ASSERT_TRUE(found.ok()) << found.status().ToString();
    EXPECT_DOUBLE_EQ(m.group_threshold, found->threshold);
    EXPECT_EQ(m.matched_pairs, int64_t(found->pairs.size()));
    std::vector<std::vector<int32_t>> groups;
    for (const Group& g : found->groups) {
      groups.emplace_back();
      for (const GroupMember& member : g.members) {
        groups.back().push_back(r->benchmark.MapPath(found->scan.files[member.item].path));
      }
    }
    for (EvalProtocol p : {EvalProtocol::kAllPairs, EvalProtocol::kQuerySide}) {
      const GroupEvalReport want = EvaluateGroups(r->benchmark, groups, p);
      const GroupEvalReport& got = m.groups[int(p)];
      EXPECT_EQ(got.protocol, p);
      EXPECT_EQ(got.groups, want.groups);
      EXPECT_EQ(got.images_grouped, want.images_grouped);
      EXPECT_EQ(got.predicted_pairs, want.predicted_pairs);
      EXPECT_EQ(got.right_pairs, want.right_pairs);
      EXPECT_EQ(got.truth_pairs, 5 * 3);  // an original and two copies: copy <-> copy counts too
    }
    EXPECT_GT(m.groups[0].groups, 0);
    EXPECT_GE(m.groups[0].predicted_pairs, m.groups[1].predicted_pairs);
  }
}

TEST_F(BenchRunTest, WritesTheReport) {
  StatusOr<BenchRunResult> r = RunBenchmark(Options());
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  testing::TempDir out;
  const std::string report = out.Join("report");  // created by WriteBenchReport
  ASSERT_TRUE(WriteBenchReport(*r, report).ok());

  const std::string html = testing::ReadFile(report + "/index.html");
  EXPECT_NE(html.find("<svg"), std::string::npos);
  EXPECT_EQ(html.find("<script"), std::string::npos);
  EXPECT_EQ(html.find("http://"), html.find("http://www.w3.org/2000/svg"));  // no network
  for (const char* name : {"pdq8", "pdq", "flip_h", "jpeg"}) {
    EXPECT_NE(html.find(name), std::string::npos) << name;
  }
  // Every thumbnail the page shows exists and is at most 160 px per side.
  int thumbs = 0;
  for (size_t at = html.find("src=\"thumbs/"); at != std::string::npos;
       at = html.find("src=\"thumbs/", at + 1)) {
    const size_t begin = at + 5, end = html.find('"', begin);
    const std::string path = report + "/" + html.substr(begin, end - begin);
    ImageInfo info;
    StatusOr<Image> img = DecodeFile(path, DecodeOptions{}, &info);
    ASSERT_TRUE(img.ok()) << img.status().ToString();
    EXPECT_LE(std::max(img->width, img->height), 160);
    ++thumbs;
  }
  EXPECT_GT(thumbs, 0);

  nlohmann::json j = nlohmann::json::parse(testing::ReadFile(report + "/report.json"));
  ASSERT_EQ(j["methods"].size(), 2u);
  EXPECT_EQ(j["methods"][0]["method"], "pdq8");
  EXPECT_EQ(j["benchmark"]["positives"], 10);
  EXPECT_NEAR(j["methods"][1]["micro_ap"].get<double>(), r->methods[1].report.micro_ap, 1e-12);
  EXPECT_FALSE(j["methods"][0]["pr_curve"].empty());
  EXPECT_FALSE(j["methods"][0]["worst_misses"].empty());
  // The method's EvalReportJson, with distances in the method's unit (bits for pdq8).
  EXPECT_TRUE(j["methods"][0]["best_f1"]["distance"].is_number());
  EXPECT_EQ(j["methods"][0]["counts"]["images"], j["benchmark"]["images"]);
  EXPECT_TRUE(j["methods"][0]["families"][0].contains("recall_at_p99"));
  // Both protocols' headline figures and the groups of both.
  EXPECT_EQ(j["protocol"], "all");
  EXPECT_NEAR(j["methods"][1]["protocols"]["query"]["micro_ap"].get<double>(),
              r->methods[1].report.figures(EvalProtocol::kQuerySide).micro_ap, 1e-12);
  EXPECT_EQ(j["methods"][0]["groups"]["threshold_unit"], "bits");
  EXPECT_EQ(j["methods"][0]["groups"]["all"]["right_pairs"], r->methods[0].groups[0].right_pairs);
  EXPECT_EQ(j["methods"][0]["groups"]["query"]["protocol"], "query");
  EXPECT_NE(html.find("group P query"), std::string::npos);
  EXPECT_NE(html.find("Groups at the default threshold"), std::string::npos);

  const std::string md = testing::ReadFile(report + "/summary.md");
  EXPECT_NE(md.find("| method | µAP all | µAP query | best F1 | R@P0.99 all | R@P0.99 query | "
                    "R@P0.999 all | R@P0.999 query | group P all | group P query | group R | "
                    "describe img/s |"),
            std::string::npos)
      << md;
  EXPECT_NE(md.find("| method | threshold | pairs | groups | images | largest | P all | P query | "
                    "R | F1 all | F1 query | mixed | joining |"),
            std::string::npos)
      << md;
  EXPECT_NE(md.find("| pdq8 | "), std::string::npos);
  EXPECT_NE(md.find("| family | pdq8 | pdq |"), std::string::npos);
  EXPECT_NE(md.find("| flip_h | 1.00 |"), std::string::npos) << md;
}

TEST_F(BenchRunTest, RejectsBadOptions) {
  BenchRunOptions o = Options();
  o.methods = {"pdq8", "nosuch"};
  EXPECT_EQ(RunBenchmark(o).status().code(), StatusCode::kNotFound);
  o = Options();
  o.k = 0;
  EXPECT_EQ(RunBenchmark(o).status().code(), StatusCode::kInvalidArgument);
  o = Options();
  o.bench_dir = dir_->Join("nowhere");
  EXPECT_FALSE(RunBenchmark(o).ok());
}

TEST_F(BenchRunTest, Cli) {
  testing::TempDir out;
  testing::CliResult r = testing::RunCli({"bench", "run", dir_->Join("bench"), "--methods",
                                          "pdq8,phash", "--out", out.Join("r"), "-k", "5", "-q"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("| pdq8 | "), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("| phash | "), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("report: " + out.Join("r") + "/index.html"), std::string::npos) << r.out;
  EXPECT_TRUE(fs::exists(out.Join("r/index.html")));
  EXPECT_EQ(r.err, "");

  r = testing::RunCli(
      {"bench", "run", dir_->Join("bench"), "--methods", "nosuch", "--out", out.Join("r2")});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("nosuch"), std::string::npos) << r.err;
}

TEST(BenchRunCli, UnreadableImagesExitTwo) {
  testing::TempDir d;
  fs::create_directories(d.Join("bench/images"));
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(WriteImage(d.Join("bench/images/i" + std::to_string(i) + ".png"),
                           testing::MakeTestPhoto(96, 96, 40 + i))
                    .ok());
  }
  testing::WriteBytes(d.Join("bench/images/broken.jpg"), "not a jpeg");
  testing::WriteBytes(d.Join("bench/truth.csv"),
                      "image,group,role,family\ni0.png,g,original,\ni1.png,g,copy,jpeg\n"
                      "i2.png,,distractor,\nbroken.jpg,g,copy,crop\n");
  testing::CliResult r = testing::RunCli(
      {"bench", "run", d.Join("bench"), "--methods", "pdq", "--out", d.Join("out"), "-q"});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("broken.jpg"), std::string::npos) << r.err;
  EXPECT_TRUE(fs::exists(d.Join("out/index.html")));
}

}  // namespace
}  // namespace neardup
