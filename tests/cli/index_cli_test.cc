// `neardup index ...` end to end, and durability: `index add` killed with SIGKILL at many moments
// leaves an index that opens and answers, and running the add again completes it.
#include <gtest/gtest.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <thread>

#include "neardup/decode.h"
#include "neardup/preprocess.h"
#include "testutil/run_cli.h"
#include "testutil/testutil.h"

extern char** environ;

namespace neardup {
namespace {

using testing::RunCli;

class IndexCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (int i = 0; i < kPhotos; ++i) {
      ASSERT_TRUE(WriteImage(photos_.Join("p" + std::to_string(100 + i) + ".jpg"),
                             testing::MakeTestPhoto(640, 480, 500 + i), 90)
                      .ok());
    }
    ASSERT_TRUE(WriteImage(uploads_.Join("copy.jpg"),
                           Resize(testing::MakeTestPhoto(640, 480, 507), 320, 240), 70)
                    .ok());
  }
  std::string Ix() const { return scratch_.Join("ix"); }
  int64_t Images() {
    auto r = RunCli({"index", "stats", Ix(), "--json"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return nlohmann::json::parse(r.out, nullptr, false).value("images", int64_t(-1));
  }

  static constexpr int kPhotos = 64;
  testing::TempDir photos_, uploads_, scratch_;
};

TEST_F(IndexCliTest, CreateAddQueryDupsRemove) {
  auto c = RunCli({"index", "create", Ix(), "-m", "pdq8"});
  ASSERT_EQ(c.exit_code, 0) << c.err;
  EXPECT_NE(c.out.find("BFlat"), std::string::npos);
  EXPECT_NE(RunCli({"index", "create", Ix()}).exit_code, 0);  // exists: refused, kept

  auto a = RunCli({"index", "add", Ix(), photos_.path()});
  ASSERT_EQ(a.exit_code, 0) << a.err;
  EXPECT_NE(a.err.find("64 added"), std::string::npos) << a.err;
  EXPECT_EQ(Images(), kPhotos);

  auto q = RunCli({"index", "query", Ix(), uploads_.Join("copy.jpg"), "--k", "2", "--json",
                   "--no-cache"});
  ASSERT_EQ(q.exit_code, 0) << q.err;
  auto j = nlohmann::json::parse(q.out);
  ASSERT_EQ(j["queries"].size(), 1u);
  auto hits = j["queries"][0]["hits"];
  ASSERT_EQ(hits.size(), 2u);
  EXPECT_EQ(std::filesystem::path(hits[0]["path"].get<std::string>()).filename(), "p107.jpg");
  EXPECT_TRUE(hits[0]["match"].get<bool>());
  EXPECT_FALSE(hits[1]["match"].get<bool>());

  // An unreadable query is named and the others still answered.
  testing::WriteBytes(uploads_.Join("bad.jpg"), "garbage");
  auto q2 = RunCli({"index", "query", Ix(), uploads_.path(), "--matches", "--no-cache"});
  EXPECT_EQ(q2.exit_code, 2);
  EXPECT_NE(q2.err.find("bad.jpg"), std::string::npos);
  EXPECT_NE(q2.out.find("p107.jpg"), std::string::npos);

  // A copy of p103 in the index makes exactly one pair.
  std::filesystem::copy_file(photos_.Join("p103.jpg"), scratch_.Join("p103-copy.jpg"));
  ASSERT_EQ(RunCli({"index", "add", Ix(), scratch_.Join("p103-copy.jpg")}).exit_code, 0);
  auto d = RunCli({"index", "dups", Ix(), "--threshold", "31"});
  ASSERT_EQ(d.exit_code, 0) << d.err;
  EXPECT_EQ(d.out, "a,b,score\n" + photos_.Join("p103.jpg") + "," + scratch_.Join("p103-copy.jpg") +
                       ",0\n");

  auto r = RunCli({"index", "remove", Ix(), scratch_.Join("p103-copy.jpg"), "nope.jpg"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("nope.jpg: not in the index"), std::string::npos);
  EXPECT_EQ(Images(), kPhotos);
  EXPECT_EQ(RunCli({"index", "dups", Ix()}).out, "a,b,score\n");
  EXPECT_NE(RunCli({"index", "stats", scratch_.Join("none")}).err.find("none"), std::string::npos);
}

TEST_F(IndexCliTest, PdqHexImportExportRoundTrip) {
  ASSERT_EQ(RunCli({"index", "create", Ix(), "-m", "pdq"}).exit_code, 0);
  const std::string h1 = "f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22";
  const std::string h2 = "0000000000000000000000000000000000000000000000000000000000000000";
  testing::WriteBytes(scratch_.Join("list.txt"),
                      "# partner list\n" + h1 + ",case-17\n" + h2 + "\nnot-hex,x\n");
  auto i = RunCli({"index", "import", Ix(), "--pdq-hex", scratch_.Join("list.txt")});
  EXPECT_EQ(i.exit_code, 2);  // one bad line, named with its number
  EXPECT_NE(i.err.find("list.txt:4"), std::string::npos) << i.err;
  EXPECT_NE(i.err.find("2 hashes imported"), std::string::npos) << i.err;
  auto e = RunCli({"index", "export", Ix()});
  ASSERT_EQ(e.exit_code, 0) << e.err;
  EXPECT_EQ(e.out, h1 + ",case-17\n" + h2 + "," + h2 + "\n");

  auto fresh = scratch_.Join("ix2");
  ASSERT_EQ(RunCli({"index", "create", fresh, "-m", "pdq"}).exit_code, 0);
  testing::WriteBytes(scratch_.Join("out.txt"), e.out);
  ASSERT_EQ(RunCli({"index", "import", fresh, "--pdq-hex", scratch_.Join("out.txt")}).exit_code,
            0);
  EXPECT_EQ(RunCli({"index", "export", fresh}).out, e.out);
  // Export refuses an index of another method.
  ASSERT_EQ(RunCli({"index", "create", scratch_.Join("ph"), "-m", "phash"}).exit_code, 0);
  EXPECT_EQ(RunCli({"index", "export", scratch_.Join("ph")}).exit_code, 1);
}

// Starts `neardup args...` without waiting for it.
pid_t Spawn(const std::vector<std::string>& args) {
  std::vector<std::string> all = {NEARDUP_CLI_PATH};
  all.insert(all.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (std::string& s : all) argv.push_back(s.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
  pid_t pid = -1;
  int rc = posix_spawn(&pid, argv[0], &fa, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&fa);
  return rc == 0 ? pid : -1;
}

TEST_F(IndexCliTest, KillNineDuringAddLeavesAWorkingIndexAndReaddCompletes) {
  ASSERT_EQ(RunCli({"index", "create", Ix(), "-m", "pdq8"}).exit_code, 0);
  // Time one whole add in a scratch index, then kill adds at moments spread over that time.
  auto probe = scratch_.Join("probe");
  ASSERT_EQ(RunCli({"index", "create", probe, "-m", "pdq8"}).exit_code, 0);
  auto t0 = std::chrono::steady_clock::now();
  ASSERT_EQ(RunCli({"index", "add", probe, photos_.path(), "-j", "1"}).exit_code, 0);
  const double full_ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();

  int64_t last = 0;
  int killed_midway = 0;
  for (int round = 0; round < 10; ++round) {
    pid_t pid = Spawn({"index", "add", Ix(), photos_.path(), "-j", "1"});
    ASSERT_GT(pid, 0);
    // From just after start-up to past the last commit and into the vector-file write.
    const double at_ms = full_ms * (0.1 + 0.06 * round);
    std::this_thread::sleep_for(std::chrono::microseconds(int64_t(at_ms * 1000)));
    ::kill(pid, SIGKILL);
    int status = 0;
    ASSERT_EQ(::waitpid(pid, &status, 0), pid);
    killed_midway += WIFSIGNALED(status);

    // The index opens and answers after every kill, and never loses committed rows.
    const int64_t now = Images();
    EXPECT_GE(now, last);
    EXPECT_LE(now, kPhotos);
    last = now;
    auto q = RunCli({"index", "query", Ix(), photos_.Join("p100.jpg"), "--json", "--no-cache"});
    ASSERT_EQ(q.exit_code, 0) << q.err;
    auto j = nlohmann::json::parse(q.out);
    if (now == kPhotos) {
      EXPECT_EQ(j["queries"][0]["hits"][0]["distance"].get<double>(), 0);
    }
  }
  EXPECT_GE(killed_midway, 3);  // the kills really landed while the add was running
  auto a = RunCli({"index", "add", Ix(), photos_.path()});
  ASSERT_EQ(a.exit_code, 0) << a.err;
  EXPECT_NE(a.err.find(std::to_string(kPhotos - last) + " added"), std::string::npos) << a.err;
  EXPECT_EQ(Images(), kPhotos);
  // Every image finds itself at distance 0.
  auto q = RunCli({"index", "query", Ix(), photos_.path(), "--k", "1", "--json", "--no-cache"});
  ASSERT_EQ(q.exit_code, 0);
  auto j = nlohmann::json::parse(q.out);
  ASSERT_EQ(j["queries"].size(), size_t(kPhotos));
  for (const auto& query : j["queries"]) {
    EXPECT_EQ(query["hits"][0]["path"], query["query"].get<std::string>());
    EXPECT_EQ(query["hits"][0]["distance"].get<double>(), 0);
  }
}

}  // namespace
}  // namespace neardup
