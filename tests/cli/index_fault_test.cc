// Fault injection for `neardup index add` (issue 12): a full disk and a read-only index folder,
// on a small tmpfs mounted by the test (root only; skipped where mount is not permitted). The
// real CLI must fail with a clear error naming the index and the reason and a non-zero exit,
// lose nothing already indexed, and the next add with room must complete a consistent index.
#include <gtest/gtest.h>
#include <sys/mount.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "neardup/decode.h"
#include "testutil/run_cli.h"
#include "testutil/testutil.h"

namespace neardup {
namespace {

using testing::RunCli;
namespace fs = std::filesystem;

class IndexFaultTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (::geteuid() != 0) GTEST_SKIP() << "mounting a tmpfs needs root";
    mnt_ = scratch_.Join("mnt");
    fs::create_directories(mnt_);
    if (::mount("tmpfs", mnt_.c_str(), "tmpfs", 0, "size=512k") != 0) {
      GTEST_SKIP() << "mount -t tmpfs not permitted here: " << std::strerror(errno);
    }
    mounted_ = true;
    for (int i = 0; i < kPhotos; ++i) {
      ASSERT_TRUE(WriteImage(photos_.Join("p" + std::to_string(10 + i) + ".png"),
                             testing::MakeTestPhoto(96, 72, 700 + i))
                      .ok());
    }
    fs::copy_file(photos_.Join("p10.png"), photos_.Join("p10-copy.png"));  // one dup pair
    ASSERT_EQ(RunCli({"index", "create", Ix(), "-m", "pdq8"}).exit_code, 0);
    first_ = photos_.Join("p10.png");
    auto a = RunCli({"index", "add", Ix(), first_, photos_.Join("p11.png")});
    ASSERT_EQ(a.exit_code, 0) << a.err;
  }
  void TearDown() override {
    if (!mounted_) return;
    (void)::mount(nullptr, mnt_.c_str(), nullptr, MS_REMOUNT, "size=512k");  // writable again
    EXPECT_EQ(::umount2(mnt_.c_str(), MNT_DETACH), 0) << std::strerror(errno);
  }
  std::string Ix() const { return mnt_ + "/ix"; }

  // Fills the tmpfs to the last byte.
  void FillDisk() {
    std::ofstream f(mnt_ + "/filler", std::ios::binary);
    const std::string block(4096, 'x');
    while (f.write(block.data(), std::streamsize(block.size()))) f.flush();
    std::ofstream tail(mnt_ + "/filler-tail", std::ios::binary);
    while (tail.put('x')) tail.flush();
  }

  // stats, query and dups agree with `images` indexed files including p10 and its copy.
  void ExpectConsistent(int64_t images) {
    auto s = RunCli({"index", "stats", Ix(), "--json"});
    ASSERT_EQ(s.exit_code, 0) << s.err;
    auto j = nlohmann::json::parse(s.out);
    EXPECT_EQ(j["images"], images);
    EXPECT_EQ(j["vectors"], images);
    auto q = RunCli({"index", "query", Ix(), photos_.path(), "--json", "--no-cache", "-k", "1"});
    ASSERT_EQ(q.exit_code, 0) << q.err;
    auto qj = nlohmann::json::parse(q.out);
    ASSERT_EQ(qj["queries"].size(), size_t(kPhotos + 1));
    for (const auto& query : qj["queries"]) {
      ASSERT_EQ(query["hits"].size(), 1u) << query["query"];
      EXPECT_EQ(query["hits"][0]["distance"].get<double>(), 0) << query["query"];
    }
    auto d = RunCli({"index", "dups", Ix()});
    ASSERT_EQ(d.exit_code, 0) << d.err;
    EXPECT_EQ(d.out, "a,b,score\n" + first_ + "," + photos_.Join("p10-copy.png") + ",0\n");
  }

  static constexpr int kPhotos = 40;
  testing::TempDir scratch_, photos_;
  std::string mnt_, first_;
  bool mounted_ = false;
};

TEST_F(IndexFaultTest, DiskFullDuringAddFailsClearlyAndTheNextAddRecovers) {
  FillDisk();
  auto a = RunCli({"index", "add", Ix(), photos_.path()});
  EXPECT_NE(a.exit_code, 0) << a.err;
  EXPECT_NE(a.err.find(Ix() + "/"), std::string::npos) << a.err;  // names the index's file
  EXPECT_TRUE(a.err.find("full") != std::string::npos ||
              a.err.find("No space left") != std::string::npos)
      << a.err;
  EXPECT_EQ(a.err.find(" added,"), std::string::npos) << "no success summary: " << a.err;

  // Room again: nothing was lost and the add completes.
  fs::remove(mnt_ + "/filler");
  fs::remove(mnt_ + "/filler-tail");
  auto s = RunCli({"index", "stats", Ix(), "--json"});
  ASSERT_EQ(s.exit_code, 0) << s.err;
  EXPECT_GE(nlohmann::json::parse(s.out)["images"].get<int64_t>(), 2);
  auto again = RunCli({"index", "add", Ix(), photos_.path()});
  ASSERT_EQ(again.exit_code, 0) << again.err;
  ExpectConsistent(kPhotos + 1);
}

TEST_F(IndexFaultTest, DiskFillingUpMidAddKeepsTheCommittedRows) {
  // Leave room to open the index and commit a little, not for 41 rows and the vector file.
  FillDisk();
  // (64 KB: the first commit of 16 rows fits, the second does not, on this tmpfs.)
  fs::resize_file(mnt_ + "/filler", fs::file_size(mnt_ + "/filler") - 64 * 1024);
  auto a = RunCli({"index", "add", Ix(), photos_.path(), "-j", "1"});
  EXPECT_NE(a.exit_code, 0) << a.err;
  EXPECT_NE(a.err.find(Ix() + "/"), std::string::npos) << a.err;
  EXPECT_TRUE(a.err.find("full") != std::string::npos ||
              a.err.find("No space left") != std::string::npos)
      << a.err;
  fs::remove(mnt_ + "/filler");
  fs::remove(mnt_ + "/filler-tail");
  // The rows committed before the disk filled are there, their vectors caught up on open.
  auto s = RunCli({"index", "stats", Ix(), "--json"});
  ASSERT_EQ(s.exit_code, 0) << s.err;
  auto j = nlohmann::json::parse(s.out);
  EXPECT_GE(j["images"].get<int64_t>(), 2);
  EXPECT_EQ(j["vectors"], j["images"]);
  auto again = RunCli({"index", "add", Ix(), photos_.path()});
  ASSERT_EQ(again.exit_code, 0) << again.err;
  ExpectConsistent(kPhotos + 1);
}

TEST_F(IndexFaultTest, ReadOnlyIndexFolderRefusesAddButStillAnswers) {
  ASSERT_EQ(::mount(nullptr, mnt_.c_str(), nullptr, MS_REMOUNT | MS_RDONLY, "size=512k"), 0)
      << std::strerror(errno);
  auto a = RunCli({"index", "add", Ix(), photos_.path()});
  EXPECT_EQ(a.exit_code, 1) << a.err;
  EXPECT_EQ(a.err, "neardup: " + Ix() +
                       "/catalog.sqlite: cannot write the index catalog: the file or its folder "
                       "is read-only\n");
  // Reading a read-only index works: nothing indexed is lost.
  auto s = RunCli({"index", "stats", Ix(), "--json"});
  ASSERT_EQ(s.exit_code, 0) << s.err;
  EXPECT_EQ(nlohmann::json::parse(s.out)["images"], 2);
  auto q = RunCli({"index", "query", Ix(), first_, "--json", "--no-cache", "-k", "1"});
  ASSERT_EQ(q.exit_code, 0) << q.err;
  EXPECT_EQ(nlohmann::json::parse(q.out)["queries"][0]["hits"][0]["path"], first_);
  auto r = RunCli({"index", "remove", Ix(), first_});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("read-only"), std::string::npos) << r.err;

  ASSERT_EQ(::mount(nullptr, mnt_.c_str(), nullptr, MS_REMOUNT, "size=512k"), 0);
  auto again = RunCli({"index", "add", Ix(), photos_.path()});
  ASSERT_EQ(again.exit_code, 0) << again.err;
  ExpectConsistent(kPhotos + 1);
}

}  // namespace
}  // namespace neardup
