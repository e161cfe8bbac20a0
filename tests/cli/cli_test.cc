// End-to-end tests of the neardup binary: output formats, exit codes and every kind of bad input.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <set>

#include "neardup/decode.h"
#include "neardup/preprocess.h"
#include "testutil/run_cli.h"
#include "testutil/testutil.h"

namespace neardup {
namespace {

using testing::CliResult;
using testing::RunCli;

class CliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ::chmod(dir_.path().c_str(), 0755);
    photo_ = testing::MakeTestPhoto(400, 300, 1);
    ASSERT_TRUE(WriteImage(dir_.Join("orig.png"), photo_).ok());
    ASSERT_TRUE(WriteImage(dir_.Join("small.jpg"), Resize(photo_, 200, 150), 85).ok());
    ASSERT_TRUE(WriteImage(dir_.Join("other.png"), testing::MakeTestPhoto(400, 300, 2)).ok());
  }
  std::vector<std::string> Find(std::vector<std::string> extra) {
    std::vector<std::string> a = {"find", dir_.path(), "--cache", cache_.Join("c.sqlite")};
    a.insert(a.end(), extra.begin(), extra.end());
    return a;
  }
  // The stderr lines that name `path`.
  int Mentions(const std::string& err, const std::string& path) {
    int n = 0;
    for (size_t p = err.find(path); p != std::string::npos; p = err.find(path, p + 1)) ++n;
    return n;
  }

  testing::TempDir dir_, cache_;
  Image photo_;
};

TEST_F(CliTest, JsonHasGroupsWithKeepAndScore) {
  auto r = RunCli(Find({"--json"}));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto j = nlohmann::json::parse(r.out);
  ASSERT_EQ(j["groups"].size(), 1u);
  auto files = j["groups"][0]["files"];
  ASSERT_EQ(files.size(), 2u);
  EXPECT_EQ(files[0]["path"], dir_.Join("orig.png"));
  EXPECT_EQ(files[0]["keep"], true);
  EXPECT_EQ(files[1]["keep"], false);
  EXPECT_GT(files[1]["score"].get<double>(), 0.8);
  EXPECT_LE(files[1]["score"].get<double>(), 1.0);
  // The default: "fused", or "fused:cnn:mobilenet_v2" where that model is installed.
  EXPECT_EQ(j["method"].get<std::string>().rfind("fused", 0), 0u) << j["method"];
  // The pair that made the group, with its evidence: the copy is verified and located.
  auto pairs = j["groups"][0]["pairs"];
  ASSERT_EQ(pairs.size(), 1u) << r.out;
  EXPECT_GT(pairs[0]["score"].get<double>(), 0.5);
  EXPECT_TRUE(pairs[0].contains("hash_bits"));
  if (pairs[0]["verified"].get<bool>()) {
    EXPECT_EQ(pairs[0]["verification"]["region_a"].size(), 4u);
  } else {
    EXPECT_NE(pairs[0]["why_not_verified"].get<std::string>(), "");
  }
}

TEST_F(CliTest, TableAndCsv) {
  auto t = RunCli(Find({}));
  ASSERT_EQ(t.exit_code, 0);
  EXPECT_NE(t.out.find("Group 1 (2 files)"), std::string::npos) << t.out;
  EXPECT_NE(t.out.find("KEEP"), std::string::npos);
  auto c = RunCli(Find({"--csv"}));
  ASSERT_EQ(c.exit_code, 0);
  EXPECT_EQ(c.out.rfind("group,path,keep,score,", 0), 0u);
  EXPECT_NE(c.out.find("1," + dir_.Join("orig.png") + ",true,1.000000"), std::string::npos)
      << c.out;
}

TEST_F(CliTest, PairsCsvHasKLinesPerImage) {
  auto r = RunCli({"pairs", dir_.path(), "--k", "2", "--csv", "--no-cache"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::istringstream in(r.out);
  std::string line;
  std::getline(in, line);
  EXPECT_EQ(line, "a,b,score");
  int lines = 0;
  while (std::getline(in, line)) {
    ++lines;
    double score = std::stod(line.substr(line.rfind(',') + 1));
    EXPECT_GE(score, 0);
    EXPECT_LE(score, 1);
  }
  EXPECT_EQ(lines, 3 * 2);
}

TEST_F(CliTest, HashAndCompare) {
  auto h = RunCli({"hash", dir_.Join("orig.png")});
  ASSERT_EQ(h.exit_code, 0) << h.err;
  for (const char* m : {"pdq ", "pdq8", "phash", "dhash", "ahash", "whash", "quality"}) {
    EXPECT_NE(h.out.find(m), std::string::npos) << m;
  }
  auto same = RunCli({"compare", dir_.Join("orig.png"), dir_.Join("small.jpg")});
  ASSERT_EQ(same.exit_code, 0);
  EXPECT_NE(same.out.find("near-duplicates"), std::string::npos) << same.out;
  auto diff = RunCli({"compare", dir_.Join("orig.png"), dir_.Join("other.png")});
  EXPECT_NE(diff.out.find("different images"), std::string::npos) << diff.out;
}

TEST_F(CliTest, ExplainWritesThePictureAndEveryVerdict) {
  testing::TempDir out;
  // Hash methods only (no model is needed): the copy matches, the unrelated image does not.
  auto r = RunCli({"explain", dir_.Join("orig.png"), dir_.Join("small.jpg"), "--out",
                   out.Join("pair"), "-m", "pdq8", "-m", "phash", "-m", "nope", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  nlohmann::json j = nlohmann::json::parse(r.out);
  ASSERT_EQ(j["methods"].size(), 2u);
  EXPECT_EQ(j["methods"][0]["method"], "pdq8");
  EXPECT_TRUE(j["methods"][0]["match"].get<bool>());
  EXPECT_TRUE(j["near_duplicate"].get<bool>());
  ASSERT_EQ(j["not_run"].size(), 1u);
  EXPECT_NE(j["not_run"][0].get<std::string>().find("nope"), std::string::npos);
  ASSERT_EQ(j["files"].size(), 1u);
  StatusOr<Image> picture = DecodeFile(out.Join("pair/explain.png"), DecodeOptions{});
  ASSERT_TRUE(picture.ok()) << picture.status().ToString();
  EXPECT_GT(picture->width, 300);  // both images side by side
  EXPECT_GT(picture->height, 256);

  auto diff = RunCli({"explain", dir_.Join("orig.png"), dir_.Join("other.png"), "-m", "pdq8"});
  ASSERT_EQ(diff.exit_code, 0) << diff.err;
  EXPECT_NE(diff.out.find("different images"), std::string::npos) << diff.out;
  auto none = RunCli({"explain", dir_.Join("orig.png"), dir_.Join("other.png"), "-m", "nope"});
  EXPECT_EQ(none.exit_code, 1);
  EXPECT_NE(none.err.find("no method could run"), std::string::npos) << none.err;
  auto missing = RunCli({"explain", dir_.Join("orig.png"), dir_.Join("gone.png")});
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_NE(missing.err.find("gone.png"), std::string::npos) << missing.err;
}

TEST_F(CliTest, UsageErrorsExitOne) {
  EXPECT_EQ(RunCli({"find"}).exit_code, 1);
  EXPECT_EQ(RunCli({"find", dir_.path(), "--method", "nope"}).exit_code, 1);
  EXPECT_EQ(RunCli({"frobnicate"}).exit_code, 1);
  EXPECT_EQ(RunCli({"find", "--help"}).exit_code, 0);
  EXPECT_EQ(RunCli({"pairs", "--help"}).exit_code, 0);
}

TEST_F(CliTest, EveryBadInputIsReportedOnceAndTheRunGoesOn) {
  const std::string d = dir_.path();
  std::string jpeg = EncodeImage(photo_, ".jpg", 90).value();
  testing::WriteBytes(dir_.Join("truncated.jpg"), jpeg.substr(0, jpeg.size() / 3));
  testing::WriteBytes(dir_.Join("empty.jpg"), "");
  // A JPEG whose entropy-coded data was overwritten in the middle.
  std::string corrupt = jpeg;
  for (size_t i = corrupt.size() / 3; i < corrupt.size() / 3 + 64; ++i) corrupt[i] = char(0xFF);
  testing::WriteBytes(dir_.Join("corrupt.jpg"), corrupt);
  testing::WriteBytes(dir_.Join("bad\xff.jpg"), "not an image either");
  testing::WriteBytes(dir_.Join("text.png"), "hello, I am not a picture\n");
  // A PNG whose header claims 100000 x 100000 pixels.
  std::string png = EncodeImage(Image(8, 8, 3), ".png").value();
  png[16] = 0;
  png[17] = 1;
  png[18] = char(0x86);
  png[19] = char(0xA0);
  png[20] = 0;
  png[21] = 1;
  png[22] = char(0x86);
  png[23] = char(0xA0);
  testing::WriteBytes(dir_.Join("bomb.png"), png);
  ASSERT_EQ(::symlink("gone.jpg", dir_.Join("dangling.jpg").c_str()), 0);
  ASSERT_EQ(::symlink("loopb.jpg", dir_.Join("loopa.jpg").c_str()), 0);
  ASSERT_EQ(::symlink("loopa.jpg", dir_.Join("loopb.jpg").c_str()), 0);
  ASSERT_EQ(::mkfifo(dir_.Join("fifo.jpg").c_str(), 0644), 0);
  std::filesystem::create_directory(dir_.Join("album.jpg"));
  ASSERT_TRUE(WriteImage(dir_.Join("caf\xe9.png"), Resize(photo_, 300, 225)).ok());

  auto r = RunCli(Find({"--json"}), -1, 30);
  ASSERT_NE(r.err, "timeout") << "the FIFO must not hang the run";
  EXPECT_EQ(r.exit_code, 2) << r.err;
  for (const char* bad :
       {"truncated.jpg", "corrupt.jpg", "bad\\xFF.jpg", "empty.jpg", "text.png", "bomb.png",
        "dangling.jpg", "loopa.jpg", "loopb.jpg", "fifo.jpg", "album.jpg"}) {
    EXPECT_EQ(Mentions(r.err, std::string(bad) + ":"), 1) << bad << "\n" << r.err;
  }
  EXPECT_NE(r.err.find("bomb.png: "), std::string::npos);
  EXPECT_NE(r.err.find("100000"), std::string::npos) << "the bomb's size is named";
  EXPECT_NE(r.err.find("FIFO"), std::string::npos);
  EXPECT_NE(r.err.find("broken symlink"), std::string::npos);
  auto j = nlohmann::json::parse(r.out);
  ASSERT_EQ(j["groups"].size(), 1u);
  ASSERT_EQ(j["groups"][0]["files"].size(), 3u);  // orig, small and the non-UTF-8 copy
  bool found_hex = false;
  for (auto& f : j["groups"][0]["files"]) found_hex |= f.contains("path_hex");
  EXPECT_TRUE(found_hex);
  EXPECT_EQ(j["errors"].size(), 11u);

  // Nothing was modified: the FIFO is still a FIFO, every file still there.
  struct stat st;
  ASSERT_EQ(::lstat(dir_.Join("fifo.jpg").c_str(), &st), 0);
  EXPECT_TRUE(S_ISFIFO(st.st_mode));
  EXPECT_TRUE(std::filesystem::exists(dir_.Join("truncated.jpg")));
}

TEST_F(CliTest, UnreadableFileAsUnprivilegedUser) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root to switch to an unprivileged user";
  ASSERT_TRUE(WriteImage(dir_.Join("secret.png"), photo_).ok());
  ::chmod(dir_.Join("secret.png").c_str(), 0000);
  ::chmod(cache_.path().c_str(), 0777);
  auto r = RunCli({"find", dir_.path(), "--no-cache"}, 65534);
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_EQ(Mentions(r.err, "secret.png: "), 1) << r.err;
  EXPECT_NE(r.err.find("ermission denied"), std::string::npos) << r.err;
  EXPECT_NE(r.out.find("Group 1"), std::string::npos);  // the rest still grouped
}

TEST_F(CliTest, UnwritableCacheWarnsAndSucceeds) {
  testing::WriteBytes(dir_.Join("blocker"), "x");
  auto r = RunCli({"find", dir_.path(), "--cache", dir_.Join("blocker/c.sqlite")});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("warning: cache disabled"), std::string::npos) << r.err;
  EXPECT_NE(r.out.find("Group 1"), std::string::npos);
}

// Fields of an RFC 4180 document (quoted fields may hold commas, quotes and line breaks).
std::vector<std::vector<std::string>> ParseCsv(const std::string& text) {
  std::vector<std::vector<std::string>> rows(1);
  std::string field;
  bool quoted = false, was_quoted = false;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (quoted) {
      if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') {
        field += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        field += c;
      }
    } else if (c == '"' && field.empty() && !was_quoted) {
      quoted = was_quoted = true;
    } else if (c == ',' || c == '\n') {
      rows.back().push_back(field);
      field.clear();
      was_quoted = false;
      if (c == '\n') rows.emplace_back();
    } else {
      EXPECT_FALSE(was_quoted) << "text after a closing quote";
      EXPECT_NE(c, '"') << "a bare quote in an unquoted field";
      EXPECT_NE(c, '\r') << "a bare CR in an unquoted field";
      field += c;
    }
  }
  EXPECT_FALSE(quoted) << "unterminated quote";
  if (rows.back().empty()) rows.pop_back();
  return rows;
}

// Defect 8: a real newline and the four characters \x0A in a file name printed the same in the
// table. Backslashes are escaped too (as `ls -b` does); JSON and CSV carry the exact names.
TEST_F(CliTest, NamesWithNewlinesAndBackslashesPrintUnambiguously) {
  const std::string real = "a\nb.png", literal = "a\\x0Ab.png", odd = "c,\"d\"\r.png";
  for (const std::string& name : {real, literal, odd}) {
    ASSERT_TRUE(WriteImage(dir_.Join(name), photo_).ok()) << name;
  }
  auto t = RunCli(Find({"-m", "pdq8"}));
  ASSERT_EQ(t.exit_code, 0) << t.err;
  EXPECT_NE(t.out.find("/a\\x0Ab.png\n"), std::string::npos) << t.out;          // the newline
  EXPECT_NE(t.out.find("/a\\\\x0Ab.png\n"), std::string::npos) << t.out;        // the backslash
  EXPECT_NE(t.out.find("/c,\"d\"\\x0D.png\n"), std::string::npos) << t.out;     // the CR
  EXPECT_EQ(std::count(t.out.begin(), t.out.end(), '\n'), 1 + 5 + 2) << t.out;  // one line each

  auto j = nlohmann::json::parse(RunCli(Find({"-m", "pdq8", "--json"})).out);
  std::set<std::string> json_paths;
  for (auto& f : j["groups"][0]["files"]) json_paths.insert(f["path"].get<std::string>());
  for (const std::string& name : {real, literal, odd})
    EXPECT_EQ(json_paths.count(dir_.Join(name)), 1u);

  auto c = RunCli(Find({"-m", "pdq8", "--csv"}));
  ASSERT_EQ(c.exit_code, 0) << c.err;
  auto rows = ParseCsv(c.out);
  ASSERT_EQ(rows.size(), 1u + 5u) << c.out;
  std::set<std::string> csv_paths;
  for (const auto& row : rows) {
    ASSERT_EQ(row.size(), 9u) << c.out;  // group,path,keep,score,width,height,bytes,format,reason
    csv_paths.insert(row[1]);
  }
  EXPECT_EQ(rows[0][7], "format");
  EXPECT_EQ(rows[1][7], "png");
  for (const std::string& name : {real, literal, odd})
    EXPECT_EQ(csv_paths.count(dir_.Join(name)), 1u);
}

// Defect 8: `train --data /nonexistent` said "fewer than 2 usable images"; the message names the
// folder and the reason. (Each run loads the LibTorch plugin, ~0.9 s: two tests of two runs.)
CliResult Train(const std::string& data, const testing::TempDir& out) {
  return RunCli({"train", "--data", data, "--out", out.Join("m.pt"), "-q"});
}

TEST_F(CliTest, TrainNamesAMissingDataFolderOrAFile) {
  testing::TempDir out;
  auto missing = Train(dir_.Join("nonexistent"), out);
  if (missing.err.find("training: ") != std::string::npos) GTEST_SKIP() << missing.err;
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_EQ(missing.err,
            "neardup: train: --data " + dir_.Join("nonexistent") + ": no such folder\n");
  auto file = Train(dir_.Join("orig.png"), out);
  EXPECT_EQ(file.exit_code, 1);
  EXPECT_EQ(file.err, "neardup: train: --data " + dir_.Join("orig.png") + ": not a folder\n");
  EXPECT_FALSE(std::filesystem::exists(out.Join("m.pt")));
}

TEST_F(CliTest, TrainSaysADataFolderHasNoImages) {
  testing::TempDir out, empty;
  testing::WriteBytes(empty.Join("notes.txt"), "not an image");
  auto none = Train(empty.path(), out);
  if (none.err.find("training: ") != std::string::npos) GTEST_SKIP() << none.err;
  EXPECT_EQ(none.exit_code, 1);
  EXPECT_EQ(none.err, "neardup: train: no images in " + empty.path() +
                          " (sub-folders included; 1 file without an image extension)\n");
  EXPECT_FALSE(std::filesystem::exists(out.Join("m.pt")));
}

TEST_F(CliTest, SecondRunDecodesNothing) {
  ASSERT_EQ(RunCli(Find({})).exit_code, 0);
  auto r = RunCli(Find({"--json"}));
  auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["stats"]["decoded"], 0);
  EXPECT_EQ(j["stats"]["cached"], 3);
}

}  // namespace
}  // namespace neardup
