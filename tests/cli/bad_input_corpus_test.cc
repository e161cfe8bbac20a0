// Issue 12's bad-input corpus: one run of the CLI over a folder holding every kind of bad input
// the hostile-input campaign found, plus good near-duplicates. Every bad file is reported exactly
// once with its path, every planted group is still found, exit status 2, no crash, nothing of
// OpenCV's on stderr; a second run from the cache says the same (no good file cached as broken).
#include <fcntl.h>
#include <gtest/gtest.h>
#include <limits.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "neardup/decode.h"
#include "neardup/preprocess.h"
#include "testutil/run_cli.h"
#include "testutil/testutil.h"

namespace neardup {
namespace {

using testing::RunCli;
using testing::TempDir;

// Creates `levels` nested folders named `name` under `root` and an empty `file` at the bottom,
// relative to each other (the whole path is longer than PATH_MAX).
void MakeDeepFile(const std::string& root, const std::string& name, int levels,
                  const std::string& file) {
  int fd = ::open(root.c_str(), O_DIRECTORY);
  for (int i = 0; i < levels; ++i) {
    ASSERT_EQ(::mkdirat(fd, name.c_str(), 0755), 0);
    const int next = ::openat(fd, name.c_str(), O_DIRECTORY);
    ::close(fd);
    fd = next;
  }
  ::close(::openat(fd, file.c_str(), O_CREAT | O_WRONLY, 0644));
  ::close(fd);
}

class BadInputCorpusTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const std::string d = dir_.path();
    for (const char* name :
         {"two_sof_markers.jpg", "valid_after_bad.jpg", "strip_500x1.png", "strip_1000x2.png",
          "gif_frame_offscreen.gif", "damaged.tif", "lossless_16383x16383.webp"}) {
      testing::WriteBytes(
          dir_.Join(name),
          testing::ReadFile(testing::TestDataPath(std::string("reliability/") + name)));
    }
    testing::WriteBytes(dir_.Join("header_bomb.png"), testing::PngHeaderClaiming(16383, 16383));
    const Image a = testing::MakeBusyPhoto(480, 360, 11);
    const Image b = testing::MakeBusyPhoto(480, 360, 12);
    ASSERT_TRUE(WriteImage(dir_.Join("a.png"), a).ok());
    ASSERT_TRUE(WriteImage(dir_.Join("a_small.jpg"), Resize(a, 320, 240), 85).ok());
    ASSERT_TRUE(WriteImage(dir_.Join("a_q60.jpg"), a, 60).ok());
    ASSERT_TRUE(WriteImage(dir_.Join("b.jpg"), b, 92).ok());
    ASSERT_TRUE(WriteImage(dir_.Join("b_copy.webp"), b, 80).ok());
    ASSERT_TRUE(WriteImage(dir_.Join("c.png"), testing::MakeBusyPhoto(400, 400, 13)).ok());
    const std::string jpeg = EncodeImage(a, ".jpg", 90).value();
    testing::WriteBytes(dir_.Join("truncated.jpg"), jpeg.substr(0, jpeg.size() / 3));
    testing::WriteBytes(dir_.Join("empty.jpg"), "");
    testing::WriteBytes(dir_.Join("text.png"), "not a picture\n");
    ASSERT_EQ(::symlink("gone.jpg", dir_.Join("dangling.jpg").c_str()), 0);
    ASSERT_EQ(::mkfifo(dir_.Join("fifo.jpg").c_str(), 0644), 0);
    ASSERT_EQ(::symlink("/proc", dir_.Join("proc_link").c_str()), 0);
    MakeDeepFile(d, std::string(200, 'n'), (PATH_MAX / 201) + 2, "deep.jpg");
  }

  static int Count(const std::string& text, const std::string& what) {
    int n = 0;
    for (size_t p = text.find(what); p != std::string::npos; p = text.find(what, p + 1)) ++n;
    return n;
  }

  // Checks one run's output; returns the groups as sets of file names.
  std::vector<std::set<std::string>> Check(const testing::CliResult& r) {
    EXPECT_EQ(r.exit_code, 2) << r.err;
    for (const char* bad :
         {"two_sof_markers.jpg", "damaged.tif", "lossless_16383x16383.webp", "header_bomb.png",
          "truncated.jpg", "empty.jpg", "text.png", "dangling.jpg", "fifo.jpg"}) {
      EXPECT_EQ(Count(r.err, std::string(bad) + ": "), 1) << bad << "\n" << r.err.substr(0, 4000);
    }
    // The folder where the path outgrows PATH_MAX is reported (nothing below it can be opened).
    EXPECT_EQ(Count(r.err, "longer than the system's limit (PATH_MAX"), 1) << r.err.substr(0, 400);
    EXPECT_NE(r.err.find("proc_link: not entered"), std::string::npos) << r.err.substr(0, 4000);
    // Only neardup's own lines: none of OpenCV's, libpng's or libtiff's.
    std::istringstream lines(r.err);
    for (std::string line; std::getline(lines, line);) {
      if (line.empty()) continue;
      const bool ours = line.rfind("neardup: ", 0) == 0 ||
                        line.find("groups") != std::string::npos ||
                        line.find("group,") != std::string::npos;
      EXPECT_TRUE(ours) << "a line not from neardup: " << line;
    }
    auto j = nlohmann::json::parse(r.out);
    std::set<std::string> errors;
    for (const auto& e : j["errors"]) {
      errors.insert(std::filesystem::path(e["path"].get<std::string>()).filename().string());
    }
    EXPECT_EQ(errors.size(), 10u);
    EXPECT_EQ(errors.count("valid_after_bad.jpg"), 0u) << "a good JPEG after a bad one";
    for (const char* good : {"strip_500x1.png", "strip_1000x2.png", "gif_frame_offscreen.gif"}) {
      EXPECT_EQ(errors.count(good), 0u) << good;
    }
    std::vector<std::set<std::string>> groups;
    for (const auto& g : j["groups"]) {
      std::set<std::string> names;
      for (const auto& f : g["files"]) {
        names.insert(std::filesystem::path(f["path"].get<std::string>()).filename().string());
      }
      groups.push_back(names);
    }
    return groups;
  }

  static bool HasGroup(const std::vector<std::set<std::string>>& groups,
                       const std::set<std::string>& want) {
    for (const auto& g : groups) {
      if (g == want) return true;
    }
    return false;
  }

  TempDir dir_;
  TempDir cache_;
};

TEST_F(BadInputCorpusTest, EveryBadFileOnceEveryGroupFoundExitTwo) {
  const std::string cache = cache_.Join("c.sqlite");
  // -j 1 first: the bad JPEG and the good one decode on one thread (the poisoning case).
  testing::CliResult cold =
      RunCli({"find", dir_.path(), "-r", "-j", "1", "--json", "--cache", cache}, -1, 120);
  ASSERT_GE(cold.exit_code, 0) << "killed by a signal: " << cold.err.substr(0, 2000);
  auto groups = Check(cold);
  EXPECT_TRUE(HasGroup(groups, {"a.png", "a_small.jpg", "a_q60.jpg"}));
  EXPECT_TRUE(HasGroup(groups, {"b.jpg", "b_copy.webp"}));
  for (const auto& g : groups) EXPECT_EQ(g.count("c.png"), 0u);

  // The same from the cache, on every core: nothing good was stored as broken.
  testing::CliResult warm =
      RunCli({"find", dir_.path(), "-r", "--json", "--cache", cache}, -1, 120);
  ASSERT_GE(warm.exit_code, 0) << warm.err.substr(0, 2000);
  EXPECT_EQ(Check(warm), groups);
  auto j = nlohmann::json::parse(warm.out);
  EXPECT_GT(j["stats"]["cached"].get<int>(), 10);

  // Nothing was changed: the bad files are all still there, byte for byte where they were read.
  EXPECT_EQ(testing::ReadFile(dir_.Join("two_sof_markers.jpg")),
            testing::ReadFile(testing::TestDataPath("reliability/two_sof_markers.jpg")));
  struct stat st;
  ASSERT_EQ(::lstat(dir_.Join("fifo.jpg").c_str(), &st), 0);
  EXPECT_TRUE(S_ISFIFO(st.st_mode));
}

TEST_F(BadInputCorpusTest, HashAndCompareOfElongatedImagesDoNotAbort) {
  for (const char* name : {"strip_500x1.png", "strip_1000x2.png", "gif_frame_offscreen.gif"}) {
    testing::CliResult r = RunCli({"hash", dir_.Join(name)});
    EXPECT_EQ(r.exit_code, 0) << name << ": " << r.err;
  }
  testing::CliResult c =
      RunCli({"compare", dir_.Join("strip_500x1.png"), dir_.Join("strip_1000x2.png")});
  EXPECT_GE(c.exit_code, 0) << c.err;
  EXPECT_LE(c.exit_code, 1) << c.err;
  testing::CliResult e = RunCli({"explain", dir_.Join("strip_500x1.png"),
                                 dir_.Join("gif_frame_offscreen.gif"), "--out", cache_.Join("x")});
  EXPECT_GE(e.exit_code, 0) << e.err;
  EXPECT_NE(e.exit_code, 2) << e.err;
}

TEST(MemoryFlagsTest, MaxMemoryBoundsWhatOneImageMayTakeAndCrossDevicesKeepsOutOfProc) {
  TempDir dir, cache;
  // 4000 x 3000 PNG: about 132 MB to decode, over a 64 MiB budget and far under the default.
  ASSERT_TRUE(WriteImage(dir.Join("big.png"), Image(4000, 3000, 3)).ok());
  ASSERT_EQ(::symlink("/proc", dir.Join("proc_link").c_str()), 0);
  testing::CliResult tight = RunCli({"find", dir.path(), "--no-cache", "--max-memory", "64"});
  EXPECT_EQ(tight.exit_code, 2) << tight.err;
  EXPECT_NE(tight.err.find("big.png: a 4000x3000 png needs about"), std::string::npos) << tight.err;
  testing::CliResult plenty = RunCli({"find", dir.path(), "--no-cache"});
  EXPECT_EQ(plenty.exit_code, 0) << plenty.err;
  testing::CliResult cross =
      RunCli({"find", dir.path(), "-r", "--cross-devices", "--no-cache"}, -1, 30);
  EXPECT_EQ(cross.exit_code, 0) << cross.err.substr(0, 2000);
  EXPECT_NE(cross.err.find("proc_link: not entered: a pseudo file system"), std::string::npos);
  EXPECT_EQ(RunCli({"find", dir.path(), "--max-memory", "nan"}).exit_code, 1);
  EXPECT_EQ(RunCli({"find", dir.path(), "--max-memory", "0"}).exit_code, 1);
}

}  // namespace
}  // namespace neardup
