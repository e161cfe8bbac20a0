// The CLI's numeric options (tools/neardup/flags.h) end to end: NaN, infinities and values out of
// range are usage errors (exit 1) naming the option, the value and the range; an option left out
// keeps its default, distinct from any value a user can type.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "neardup/decode.h"
#include "neardup/preprocess.h"
#include "testutil/run_cli.h"
#include "testutil/testutil.h"

namespace neardup {
namespace {

using testing::RunCli;

class FlagsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    photo_ = testing::MakeTestPhoto(320, 240, 1);
    ASSERT_TRUE(WriteImage(dir_.Join("orig.png"), photo_).ok());
    ASSERT_TRUE(WriteImage(dir_.Join("small.jpg"), Resize(photo_, 160, 120), 85).ok());
    ASSERT_TRUE(WriteImage(dir_.Join("other.png"), testing::MakeTestPhoto(320, 240, 2)).ok());
  }
  std::vector<std::string> Find(std::vector<std::string> extra) {
    std::vector<std::string> a = {"find", dir_.path(), "--no-cache", "-q"};
    a.insert(a.end(), extra.begin(), extra.end());
    return a;
  }
  // Runs `args` and expects a usage error whose message holds every one of `parts`.
  void ExpectUsageError(const std::vector<std::string>& args,
                        const std::vector<std::string>& parts) {
    std::string cmd;
    for (const std::string& a : args) cmd += a + " ";
    auto r = RunCli(args);
    EXPECT_EQ(r.exit_code, 1) << cmd << "\n" << r.err;
    EXPECT_EQ(r.out, "") << cmd;
    for (const std::string& p : parts) EXPECT_NE(r.err.find(p), std::string::npos) << cmd << r.err;
    EXPECT_EQ(r.err.rfind("neardup: ", 0), 0u) << cmd << r.err;
  }

  testing::TempDir dir_, scratch_;
  Image photo_;
};

// Defect 7: `--threshold nan`, `-1` or `-inf` were silently replaced by the default; `inf` and
// `1e18` gave no groups while `1000` grouped everything.
TEST_F(FlagsTest, FindThresholdOutsideTheMethodsRangeIsAUsageError) {
  for (const char* v : {"nan", "-nan", "inf", "-inf", "NaN", "Infinity"}) {
    // "=": CLI11 reads a lone "-inf" as options -i -n -f.
    ExpectUsageError(Find({"-m", "pdq8", std::string("--threshold=") + v}),
                     {"--threshold", std::string(v) + " is not a finite number"});
  }
  auto r = RunCli(Find({"-m", "pdq8", "--threshold", "1000"}));
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err, "neardup: --threshold: 1000 is out of range for method pdq8 (0..256 bits)\n");
  ExpectUsageError(Find({"-m", "pdq8", "-t", "1e18"}), {"1e+18 is out of range", "0..256 bits"});
  ExpectUsageError(Find({"-m", "pdq8", "-t", "-1"}), {"-1 is out of range", "pdq8"});
  ExpectUsageError(Find({"-m", "phash", "-t", "65"}), {"65 is out of range", "(0..64 bits)"});
  ExpectUsageError(Find({"-t", "1.5"}),
                   {"1.5 is out of range for method fused", "(0..1 fused score)"});
  ExpectUsageError(Find({"-t", "abc"}), {"--threshold", "abc is not a number"});
  // The ends of the range are accepted: 256 bits matches every pair, 0 only identical hashes.
  auto all = RunCli(Find({"-m", "pdq8", "-t", "256", "--json"}));
  ASSERT_EQ(all.exit_code, 0) << all.err;
  auto j = nlohmann::json::parse(all.out);
  EXPECT_EQ(j["threshold"], 256);
  ASSERT_EQ(j["groups"].size(), 1u);
  EXPECT_EQ(j["groups"][0]["files"].size(), 3u);
  auto exact = RunCli(Find({"-m", "pdq8", "-t", "0", "--json"}));
  ASSERT_EQ(exact.exit_code, 0) << exact.err;
  EXPECT_EQ(nlohmann::json::parse(exact.out)["threshold"], 0);
}

TEST_F(FlagsTest, ThresholdLeftOutIsTheMethodsDefault) {
  auto r = RunCli(Find({"-m", "pdq8", "--json"}));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(nlohmann::json::parse(r.out)["threshold"], 32);
}

TEST_F(FlagsTest, IndexQueryAndDupsCheckTheThresholdAgainstTheIndexMethod) {
  const std::string ix = scratch_.Join("ix");
  ASSERT_EQ(RunCli({"index", "create", ix, "-m", "pdq"}).exit_code, 0);
  ASSERT_EQ(RunCli({"index", "add", ix, dir_.path(), "-q"}).exit_code, 0);
  const std::string q = dir_.Join("small.jpg");
  ExpectUsageError({"index", "query", ix, q, "-t", "257", "--no-cache"},
                   {"--threshold: 257 is out of range for method pdq (0..256 bits)"});
  ExpectUsageError({"index", "query", ix, q, "-t", "nan", "--no-cache"},
                   {"nan is not a finite number"});
  ExpectUsageError({"index", "dups", ix, "-t", "-0.5"},
                   {"--threshold: -0.5 is out of range for method pdq (0..256 bits)"});
  ExpectUsageError({"index", "dups", ix, "-t", "inf"}, {"inf is not a finite number"});
  auto ok = RunCli({"index", "dups", ix, "-t", "256"});
  EXPECT_EQ(ok.exit_code, 0) << ok.err;
  EXPECT_NE(ok.out.find("orig.png"), std::string::npos) << ok.out;
}

// Every other numeric option of every command: NaN and infinities always, and values outside the
// option's range, are usage errors naming the option, the value and the range.
TEST_F(FlagsTest, EveryNumericOptionRejectsNonFiniteAndOutOfRangeValues) {
  const std::string d = dir_.path();
  const std::string ix = scratch_.Join("ix");
  const std::string img = dir_.Join("orig.png");
  struct Case {
    std::vector<std::string> args;
    std::vector<std::string> parts;
  };
  const std::vector<Case> cases = {
      {{"find", d, "-j", "-1"}, {"--threads: -1 is out of range (0..1024)"}},
      {{"find", d, "-j", "nan"}, {"--threads: nan is not a finite number"}},
      {{"find", d, "-j", "1e18"}, {"--threads: 1e18 is out of range (0..1024)"}},
      {{"find", d, "-j", "2.5"}, {"--threads: 2.5 is not a whole number"}},
      {{"pairs", d, "-k", "0"}, {"--k: 0 is out of range (1..10000)"}},
      {{"pairs", d, "-k", "inf"}, {"--k: inf is not a finite number"}},
      {{"pairs", d, "-k", "-3"}, {"--k: -3 is out of range (1..10000)"}},
      {{"pairs", d, "-j", "99999"}, {"--threads: 99999 is out of range"}},
      {{"index", "query", ix, img, "-k", "0"}, {"--k: 0 is out of range"}},
      {{"index", "query", ix, img, "--effort", "-1"}, {"--effort: -1 is out of range (0..65536)"}},
      {{"index", "query", ix, img, "--threads=-inf"}, {"--threads: -inf is not a finite number"}},
      {{"index", "query", ix, img, "-t", "nan"}, {"--threshold: nan is not a finite number"}},
      {{"index", "dups", ix, "-j", "-2"}, {"--threads: -2 is out of range"}},
      {{"index", "add", ix, d, "-j", "1025"}, {"--threads: 1025 is out of range (0..1024)"}},
      {{"index", "dups", ix, "--threshold=-inf"}, {"--threshold: -inf is not a finite number"}},
      {{"bench", "eval", d, img, "-t", "nan"}, {"--threshold: nan is not a finite number"}},
      {{"bench", "eval", d, img, "-t", "inf"}, {"--threshold: inf is not a finite number"}},
      {{"bench", "run", d, "-o", ix, "-k", "0"}, {"--k: 0 is out of range"}},
      {{"bench", "run", d, "-o", ix, "-j", "1e9"}, {"--threads: 1e9 is out of range"}},
      {{"bench", "make", d, ix, "--originals", "0"}, {"--originals: 0 is out of range"}},
      {{"bench", "make", d, ix, "--distractor-count", "-1"},
       {"--distractor-count: -1 is out of range (0..10000000)"}},
      {{"bench", "make", d, ix, "--max-side", "10"},
       {"--max-side: 10 is out of range (64..16384)"}},
      {{"bench", "make", d, ix, "--seed", "-1"}, {"--seed: -1 is out of range"}},
      {{"bench", "make", d, ix, "-j", "nan"}, {"--threads: nan is not a finite number"}},
      {{"train", "--data", d, "--out", ix, "--epochs", "0"}, {"--epochs: 0 is out of range"}},
      {{"train", "--data", d, "--out", ix, "--batch", "1"},
       {"--batch: 1 is out of range (2..65536)"}},
      {{"train", "--data", d, "--out", ix, "--dim", "0"}, {"--dim: 0 is out of range"}},
      {{"train", "--data", d, "--out", ix, "--train-size", "16"}, {"--train-size: 16 is out"}},
      {{"train", "--data", d, "--out", ix, "--input-size", "1e6"}, {"--input-size: 1e6 is out"}},
      {{"train", "--data", d, "--out", ix, "--lr", "nan"}, {"--lr: nan is not a finite number"}},
      {{"train", "--data", d, "--out", ix, "--lr", "inf"}, {"--lr: inf is not a finite number"}},
      {{"train", "--data", d, "--out", ix, "--lr", "0"},
       {"--lr: 0 is out of range (> 0 and <= 10)"}},
      {{"train", "--data", d, "--out", ix, "--temperature=-inf"},
       {"--temperature: -inf is not a finite number"}},
      {{"train", "--data", d, "--out", ix, "--temperature", "0"},
       {"--temperature: 0 is out of range (> 0)"}},
      {{"train", "--data", d, "--out", ix, "--entropy-weight", "nan"},
       {"--entropy-weight: nan is not a finite number"}},
      {{"train", "--data", d, "--out", ix, "--entropy-weight", "-1"},
       {"--entropy-weight: -1 is out of range (>= 0)"}},
      {{"train", "--data", d, "--out", ix, "--max-images", "-1"}, {"--max-images: -1 is out"}},
      {{"train", "--data", d, "--out", ix, "--seed", "-1"}, {"--seed: -1 is out of range"}},
      {{"train", "--data", d, "--out", ix, "-j", "-1"}, {"--threads: -1 is out of range"}},
  };
  for (const Case& c : cases) ExpectUsageError(c.args, c.parts);
  // Nothing was created by the refused commands.
  EXPECT_FALSE(std::filesystem::exists(ix));
}

TEST_F(FlagsTest, AnEchoedValueIsShortAndEscaped) {
  const std::string huge(100000, '9');
  auto r = RunCli({"pairs", dir_.path(), "-k", huge});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_LT(r.err.size(), 300u) << r.err;
  EXPECT_NE(r.err.find("999..."), std::string::npos) << r.err;
  auto esc = RunCli({"find", dir_.path(), "-t", "1\n2\x1b[31m"});
  EXPECT_EQ(esc.exit_code, 1);
  EXPECT_NE(esc.err.find("1\\x0A2\\x1B[31m is not a number"), std::string::npos) << esc.err;
}

}  // namespace
}  // namespace neardup
