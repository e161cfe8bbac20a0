// ParsePairsCsv / ReadPairsCsv: quoting, headers, line numbers, unmatched paths.
#include <gtest/gtest.h>

#include "neardup/eval.h"
#include "testutil/testutil.h"

namespace neardup {
namespace {

using testing::TempDir;
using testing::WriteBytes;

class EvalPairsCsvTest : public ::testing::Test {
 protected:
  void SetUp() override {
    WriteBytes(dir_.Join("truth.csv"),
               "image,group,role,family\n"
               "a.jpg,g,original,\n"
               "\"x,1.jpg\",g,copy,crop\n"
               "\"we\"\"ird.jpg\",g,copy,jpeg\n"
               "d/e.jpg,,distractor,\n");
    auto b = LoadBenchmark(dir_.path());
    ASSERT_TRUE(b.ok()) << b.status().ToString();
    bench_.emplace(std::move(b).value());
    images_ = dir_.Join("images");
  }
  PairsInput Parse(const std::string& csv) { return ParsePairsCsv(csv, *bench_, "p.csv"); }

  TempDir dir_;
  std::optional<Benchmark> bench_;
  std::string images_;
};

TEST_F(EvalPairsCsvTest, AbsoluteRelativeAndQuotedPaths) {
  const std::string csv = "a,b,score\n" + images_ + "/a.jpg,\"" + images_ + "/x,1.jpg\",0.9\n" +
                          "\"" + images_ + "/a.jpg\",\"bench/images/we\"\"ird.jpg\",0.8\r\n" +
                          "other/images/d/e.jpg,a.jpg, 0.25 \n\n";
  PairsInput in = Parse(csv);
  EXPECT_EQ(in.lines, 3);
  EXPECT_EQ(in.unmatched_lines, 0);
  EXPECT_EQ(in.malformed_lines, 0);
  ASSERT_EQ(in.pairs.size(), 3u);
  EXPECT_EQ(in.pairs[0].a, 0);
  EXPECT_EQ(in.pairs[0].b, 1);
  EXPECT_DOUBLE_EQ(in.pairs[0].score, 0.9);
  EXPECT_EQ(in.pairs[1].b, 2);
  EXPECT_EQ(in.pairs[2].a, 3);
  EXPECT_EQ(in.pairs[2].b, 0);
  EXPECT_DOUBLE_EQ(in.pairs[2].score, 0.25);
}

TEST_F(EvalPairsCsvTest, HeaderIsOptional) {
  PairsInput in = Parse("a.jpg,d/e.jpg,1\n");
  EXPECT_EQ(in.lines, 1);
  EXPECT_EQ(in.pairs.size(), 1u);
}

TEST_F(EvalPairsCsvTest, EmptyInput) {
  for (const std::string csv : {"", "a,b,score\n",
                                "\xEF\xBB\xBF"
                                "a,b,score\r\n"}) {
    PairsInput in = Parse(csv);
    EXPECT_EQ(in.lines, 0);
    EXPECT_TRUE(in.pairs.empty());
    EXPECT_TRUE(in.problems.empty());
  }
  EXPECT_EQ(Evaluate(*bench_, Parse("")).micro_ap, 0.0);
}

TEST_F(EvalPairsCsvTest, UnmatchedPathsAreCountedAndReportedOnce) {
  PairsInput in = Parse("a,b,score\na.jpg,zz.jpg,0.5\nzz.jpg,a.jpg,0.4\na.jpg,d/e.jpg,0.3\n");
  EXPECT_EQ(in.lines, 3);
  EXPECT_EQ(in.unmatched_lines, 2);
  EXPECT_EQ(in.pairs.size(), 1u);
  ASSERT_EQ(in.problems.size(), 1u);
  EXPECT_EQ(in.problems[0], "p.csv:2: 'zz.jpg' is not an image of the benchmark");
}

TEST_F(EvalPairsCsvTest, MalformedLinesHaveLineNumbers) {
  PairsInput in = Parse(
      "a,b,score\n"
      "a.jpg,d/e.jpg\n"              // 2: two fields
      "a.jpg,d/e.jpg,high\n"         // 3: not a number
      "a.jpg,d/e.jpg,nan\n"          // 4: not finite
      "\"a.jpg\"x,d/e.jpg,0.1\n"     // 5: text after a closing quote
      "a.jpg,\"multi\nline\",0.2\n"  // 6-7: a quoted newline; an unmatched path
      "a.jpg,d/e.jpg,0.5,extra\n"    // 8: four fields
      "a.jpg,d/e.jpg,0.5\n");        // 9: fine
  EXPECT_EQ(in.lines, 7);
  EXPECT_EQ(in.malformed_lines, 5);
  EXPECT_EQ(in.unmatched_lines, 1);
  ASSERT_EQ(in.pairs.size(), 1u);
  ASSERT_EQ(in.problems.size(), 6u);
  EXPECT_EQ(in.problems[0], "p.csv:2: expected 3 fields a,b,score, found 2");
  EXPECT_EQ(in.problems[1], "p.csv:3: score 'high' is not a finite number");
  EXPECT_EQ(in.problems[2], "p.csv:4: score 'nan' is not a finite number");
  EXPECT_EQ(in.problems[3], "p.csv:5: text after a closing quote");
  EXPECT_EQ(in.problems[4], "p.csv:6: 'multi\\x0Aline' is not an image of the benchmark");
  EXPECT_EQ(in.problems[5], "p.csv:8: expected 3 fields a,b,score, found 4");
}

TEST_F(EvalPairsCsvTest, UnterminatedQuoteResynchronisesAtTheLineEnd) {
  PairsInput in = Parse("\"a.jpg,d/e.jpg,0.1\na.jpg,d/e.jpg,0.2\n");
  EXPECT_EQ(in.malformed_lines, 1);
  ASSERT_EQ(in.pairs.size(), 1u);
  EXPECT_DOUBLE_EQ(in.pairs[0].score, 0.2);
  EXPECT_EQ(in.problems[0], "p.csv:1: unterminated quoted field");
}

// A field quoted in a problem is cut to 60 bytes (at a character boundary) with its size, and
// control bytes and backslashes are escaped: a real newline and the text \x0A differ.
TEST_F(EvalPairsCsvTest, ProblemsQuoteShortEscapedExcerpts) {
  const std::string long_path = std::string(59, 'p') + "\xC3\xA9" + std::string(100, 'q');
  PairsInput in = Parse("a.jpg,\"new\nline\",0.1\na.jpg,new\\x0Aline,0.1\n" + long_path +
                        ",a.jpg,0.1\na.jpg,d/e.jpg,1\t2\n");
  ASSERT_EQ(in.problems.size(), 4u);
  EXPECT_EQ(in.problems[0], "p.csv:1: 'new\\x0Aline' is not an image of the benchmark");
  EXPECT_EQ(in.problems[1], "p.csv:3: 'new\\\\x0Aline' is not an image of the benchmark");
  // The two-byte e-acute would end at byte 61: the cut is before it.
  EXPECT_EQ(in.problems[2], "p.csv:4: '" + std::string(59, 'p') +
                                "... (161 bytes)' is not an image of the benchmark");
  EXPECT_EQ(in.problems[3], "p.csv:5: score '1\\x092' is not a finite number");
}

TEST_F(EvalPairsCsvTest, ProblemsAreCapped) {
  std::string csv;
  for (int i = 0; i < 50; ++i) csv += "a.jpg,d/e.jpg,x\n";
  PairsInput in = Parse(csv);
  EXPECT_EQ(in.malformed_lines, 50);
  EXPECT_EQ(in.problems.size(), size_t(kMaxProblems));
}

TEST_F(EvalPairsCsvTest, ReadFile) {
  WriteBytes(dir_.Join("p.csv"), "a,b,score\na.jpg,d/e.jpg,0.5\n");
  auto in = ReadPairsCsv(dir_.Join("p.csv"), *bench_);
  ASSERT_TRUE(in.ok());
  EXPECT_EQ(in->pairs.size(), 1u);
  WriteBytes(dir_.Join("empty.csv"), "");
  auto empty = ReadPairsCsv(dir_.Join("empty.csv"), *bench_);
  ASSERT_TRUE(empty.ok());
  EXPECT_EQ(empty->lines, 0);
  auto missing = ReadPairsCsv(dir_.Join("none.csv"), *bench_);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
  EXPECT_NE(missing.status().message().find("none.csv"), std::string::npos);
}

}  // namespace
}  // namespace neardup
