// `neardup index ...` end to end, and durability: `index add` killed with SIGKILL at many moments
// leaves an index that opens and answers, and running the add again completes it.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>

#include "neardup/decode.h"
#include "neardup/hash_list.h"
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
  // The nearest indexed image of `query` (index query --json, no cache), with `extra` flags.
  nlohmann::json TopHit(const std::string& query, std::vector<std::string> extra) {
    std::vector<std::string> args = {"index", "query", Ix(),        query, "-k", "1",
                                     "--json", "--no-cache"};
    args.insert(args.end(), extra.begin(), extra.end());
    auto q = RunCli(args);
    EXPECT_EQ(q.exit_code, 0) << q.err;
    return nlohmann::json::parse(q.out)["queries"][0]["hits"][0];
  }
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

  auto q = RunCli(
      {"index", "query", Ix(), uploads_.Join("copy.jpg"), "--k", "2", "--json", "--no-cache"});
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

TEST_F(IndexCliTest, QueryOrientationsFindsASidewaysCopyWithAMethodThatDoesNotSeeIt) {
  ASSERT_EQ(RunCli({"index", "create", Ix(), "-m", "phash"}).exit_code, 0);
  ASSERT_EQ(RunCli({"index", "add", Ix(), photos_.path(), "-q"}).exit_code, 0);
  ASSERT_TRUE(WriteImage(uploads_.Join("sideways.png"),
                         FlipHorizontal(Rotate90(testing::MakeTestPhoto(640, 480, 505), 1)))
                  .ok());
  auto plain = TopHit(uploads_.Join("sideways.png"), {});
  auto turned = TopHit(uploads_.Join("sideways.png"), {"--orientations"});
  EXPECT_FALSE(plain["match"].get<bool>()) << plain;
  EXPECT_EQ(std::filesystem::path(turned["path"].get<std::string>()).filename(), "p105.jpg");
  EXPECT_TRUE(turned["match"].get<bool>()) << turned;
  // The upload is the photo turned 90 degrees then mirrored: mirroring it and turning it by 270
  // is the same as turning it by 90 and then mirroring it.
  EXPECT_EQ(turned["view"]["turn"], 90) << turned;
  EXPECT_EQ(turned["view"]["mirrored"], true);
}

TEST_F(IndexCliTest, QueryRegionsFindsAPhotoPastedIntoAScreenshot) {
  ASSERT_EQ(RunCli({"index", "create", Ix(), "-m", "pdq"}).exit_code, 0);
  ASSERT_EQ(RunCli({"index", "add", Ix(), photos_.path(), "-q"}).exit_code, 0);
  // p102 at half size in a flat, light page with a dark title bar.
  const Image photo = Resize(testing::MakeTestPhoto(640, 480, 502), 320, 240);
  Image page(1024, 768, 3);
  for (int y = 0; y < page.height; ++y) {
    for (int x = 0; x < page.width; ++x) {
      for (int c = 0; c < 3; ++c) {
        page.at(y, x, c) = y < 70 ? 40 : y >= 200 && y < 440 && x >= 600 && x < 920
                                              ? photo.at(y - 200, x - 600, c)
                                              : 245;
      }
    }
  }
  ASSERT_TRUE(WriteImage(uploads_.Join("page.png"), page).ok());
  auto plain = TopHit(uploads_.Join("page.png"), {});
  auto regions = TopHit(uploads_.Join("page.png"), {"--regions"});
  EXPECT_FALSE(plain["match"].get<bool>()) << plain;
  EXPECT_EQ(std::filesystem::path(regions["path"].get<std::string>()).filename(), "p102.jpg");
  EXPECT_TRUE(regions["match"].get<bool>()) << regions;
  // Where the picture is, in the page's pixels.
  const nlohmann::json& window = regions["view"]["region"];
  EXPECT_NEAR(window["x"].get<double>(), 600, 8) << regions;
  EXPECT_NEAR(window["y"].get<double>(), 200, 8);
  EXPECT_NEAR(window["width"].get<double>(), 320, 8);
  EXPECT_NEAR(window["height"].get<double>(), 240, 8);
  EXPECT_FALSE(plain.contains("view"));
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
  ASSERT_EQ(RunCli({"index", "import", fresh, "--pdq-hex", scratch_.Join("out.txt")}).exit_code, 0);
  EXPECT_EQ(RunCli({"index", "export", fresh}).out, e.out);
  // Export refuses an index of another method.
  ASSERT_EQ(RunCli({"index", "create", scratch_.Join("ph"), "-m", "phash"}).exit_code, 0);
  EXPECT_EQ(RunCli({"index", "export", scratch_.Join("ph")}).exit_code, 1);
}

// Hash lists and damaged indexes through the CLI, without IndexCliTest's 64 photos.
class IndexListCliTest : public ::testing::Test {
 protected:
  std::string Ix() const { return dir_.Join("ix"); }
  int64_t Images(const std::string& ix) {
    auto r = RunCli({"index", "stats", ix, "--json"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return nlohmann::json::parse(r.out, nullptr, false).value("images", int64_t(-1));
  }
  testing::TempDir dir_;
};

const std::string kH1 = "f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22";
const std::string kH2 = "1111111111111111111111111111111111111111111111111111111111111111";
const std::string kH3 = "2222222222222222222222222222222222222222222222222222222222222222";

// Defect 7: the good lines of a list with bad ones are imported, exit 2, each bad line named
// once with its number; CR line ends, a BOM and NUL bytes are read as what they are; one ID with
// two hashes is an error naming both lines; an ID equal to an indexed file's path is refused.
TEST_F(IndexListCliTest, ImportTakesTheGoodLinesAndNamesEachBadOne) {
  ASSERT_EQ(RunCli({"index", "create", Ix(), "-m", "pdq"}).exit_code, 0);
  const std::string photo = dir_.Join("photo.png");
  ASSERT_TRUE(WriteImage(photo, testing::MakeTestPhoto(160, 120, 3)).ok());
  ASSERT_EQ(RunCli({"index", "add", Ix(), photo}).exit_code, 0);
  const std::string before = RunCli({"index", "export", Ix()}).out;

  std::string nul = "zz";
  nul += '\0';
  nul += "tail-after-nul";
  const std::string list = "\xEF\xBB\xBF" + kH1 + ",first\r" +  // old-Mac CR line ends
                           kH2 + ",second\r" + nul + "\r" +     // line 3: bad, with a NUL
                           kH3 + ",twice\r" +                   // line 4
                           kH2 + ",twice\r" +                   // line 5: another hash
                           kH3 + "," + photo + "\r";            // line 6: a file's path
  testing::WriteBytes(dir_.Join("list.txt"), list);
  auto r = RunCli({"index", "import", Ix(), "--pdq-hex", dir_.Join("list.txt")});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_EQ(r.err.find("list.txt:1:"), std::string::npos) << "the BOM is not an error: " << r.err;
  EXPECT_NE(r.err.find("list.txt:3: not a PDQ hash (64 hex digits): \"zz\\x00tail-after-nul\""),
            std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("list.txt:5: ID twice has another hash on line 4"), std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("is the path of an indexed file"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("2 hashes imported, 0 already there, 0 repeated lines, 3 bad"),
            std::string::npos)
      << r.err;
  EXPECT_EQ(Images(Ix()), 3);  // the photo, first, second
  const std::string after = RunCli({"index", "export", Ix()}).out;
  EXPECT_EQ(after, before + kH1 + ",first\n" + kH2 + ",second\n");  // the photo's hash kept

  // A list of only good lines: exit 0; the same list again changes nothing.
  testing::WriteBytes(dir_.Join("good.txt"), kH1 + ",first\r\n" + kH3 + "\r\n" + kH3 + "\r\n");
  r = RunCli({"index", "import", Ix(), "--pdq-hex", dir_.Join("good.txt")});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("1 hashes imported, 1 already there, 1 repeated lines, 0 bad"),
            std::string::npos)
      << r.err;
  EXPECT_EQ(Images(Ix()), 4);
}

// Defect 7: export escapes IDs, so its output re-imports to the same index content whatever the
// file names hold (a newline, a comma, a backslash, bytes that are not UTF-8).
TEST_F(IndexListCliTest, ExportOfOddNamesReimportsToTheSameContent) {
  ASSERT_EQ(RunCli({"index", "create", Ix(), "-m", "pdq8"}).exit_code, 0);
  const std::string photos = dir_.Join("photos");
  std::filesystem::create_directories(photos);
  const std::vector<std::string> names = {"new\nline.png", "a,b.png", "back\\slash\\x0A.png",
                                          "latin1-\xE9\xFF.png", "plain.png"};
  for (size_t i = 0; i < names.size(); ++i) {
    ASSERT_TRUE(WriteImage(photos + "/" + names[i], testing::MakeTestPhoto(160, 120, 20 + i)).ok());
  }
  auto a = RunCli({"index", "add", Ix(), photos});
  ASSERT_EQ(a.exit_code, 0) << a.err;
  auto e = RunCli({"index", "export", Ix()});
  ASSERT_EQ(e.exit_code, 0) << e.err;
  EXPECT_EQ(std::count(e.out.begin(), e.out.end(), '\n'), 5) << e.out;  // one line per image
  EXPECT_NE(e.out.find("new\\nline.png"), std::string::npos) << e.out;
  EXPECT_NE(e.out.find("back\\\\slash\\\\x0A.png"), std::string::npos) << e.out;
  EXPECT_NE(e.out.find("latin1-\\xe9\\xff.png"), std::string::npos) << e.out;
  // The library reads back the exact paths.
  HashList parsed = ParseHashList(e.out);
  ASSERT_TRUE(parsed.errors.empty());
  std::set<std::string> ids;
  for (const HashListEntry& h : parsed.entries) ids.insert(h.id);
  for (const std::string& n : names) {
    EXPECT_TRUE(ids.count(std::filesystem::absolute(photos + "/" + n).lexically_normal().string()))
        << n;
  }

  const std::string fresh = dir_.Join("ix2");
  ASSERT_EQ(RunCli({"index", "create", fresh, "-m", "pdq8"}).exit_code, 0);
  testing::WriteBytes(dir_.Join("out.txt"), e.out);
  auto i = RunCli({"index", "import", fresh, "--pdq-hex", dir_.Join("out.txt")});
  ASSERT_EQ(i.exit_code, 0) << i.err;
  EXPECT_EQ(RunCli({"index", "export", fresh}).out, e.out);
  EXPECT_EQ(Images(fresh), 5);
}

// Defect 4 and 8: a damaged catalog fails every command with a non-zero exit and a message that
// says what is wrong; a damaged vectors.faiss is rebuilt with a warning.
TEST_F(IndexListCliTest, DamagedIndexFailsLoudlyOrIsRebuilt) {
  ASSERT_EQ(RunCli({"index", "create", Ix(), "-m", "pdq"}).exit_code, 0);
  const std::string photo = dir_.Join("photo.png");
  ASSERT_TRUE(WriteImage(photo, testing::MakeTestPhoto(160, 120, 3)).ok());
  std::string list;
  for (int i = 0; i < 170; ++i) {
    char hex[65];
    std::snprintf(hex, sizeof hex, "%064x", i * 7919 + 1);
    list += std::string(hex) + ",id" + std::to_string(i) + "\n";
  }
  testing::WriteBytes(dir_.Join("list.txt"), list);
  ASSERT_EQ(RunCli({"index", "import", Ix(), "--pdq-hex", dir_.Join("list.txt")}).exit_code, 0);
  std::filesystem::copy(Ix(), dir_.Join("backup"));

  // vectors.faiss truncated: rebuilt from the catalog, with a warning, and the command answers.
  const std::string vectors = Ix() + "/vectors.faiss";
  std::filesystem::resize_file(vectors, std::filesystem::file_size(vectors) / 3);
  auto q = RunCli({"index", "query", Ix(), photo, "--json", "--no-cache", "-k", "3"});
  EXPECT_EQ(q.exit_code, 0) << q.err;
  EXPECT_NE(q.err.find("warning: " + vectors + ": damaged or truncated"), std::string::npos)
      << q.err;
  EXPECT_EQ(nlohmann::json::parse(q.out)["queries"][0]["hits"].size(), 3u);
  auto s = RunCli({"index", "stats", Ix(), "--json"});
  EXPECT_EQ(s.err, "");  // saved when rebuilt
  EXPECT_EQ(nlohmann::json::parse(s.out)["vectors"], 170);

  // The rows' table overwritten: no "(no indexed image)" with exit 0, no silent "added".
  {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open((Ix() + "/catalog.sqlite").c_str(), &db), SQLITE_OK);
    sqlite3_stmt* st = nullptr;
    sqlite3_prepare_v2(db, "SELECT rootpage FROM sqlite_master WHERE name='items'", -1, &st,
                       nullptr);
    ASSERT_EQ(sqlite3_step(st), SQLITE_ROW);
    const int page = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    sqlite3_close(db);
    std::fstream f(Ix() + "/catalog.sqlite", std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(std::streamoff(page - 1) * 4096);
    f.write(std::string(4096, '\x55').data(), 4096);
  }
  for (const std::vector<std::string>& cmd :
       {std::vector<std::string>{"index", "query", Ix(), photo, "--no-cache"},
        {"index", "add", Ix(), photo},
        {"index", "stats", Ix()},
        {"index", "dups", Ix()},
        {"index", "export", Ix()}}) {
    auto r = RunCli(cmd);
    EXPECT_EQ(r.exit_code, 1) << cmd[1] << ": " << r.out << r.err;
    EXPECT_NE(r.err.find(Ix() + "/catalog.sqlite: the index catalog is damaged"), std::string::npos)
        << cmd[1] << ": " << r.err;
    EXPECT_EQ(r.out.find("no indexed image"), std::string::npos);
  }

  // A dropped table is named (it used to say "not an error").
  const std::string backup = dir_.Join("backup");
  {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open((backup + "/catalog.sqlite").c_str(), &db), SQLITE_OK);
    ASSERT_EQ(sqlite3_exec(db, "DROP TABLE items", nullptr, nullptr, nullptr), SQLITE_OK);
    sqlite3_close(db);
  }
  auto d = RunCli({"index", "stats", backup});
  EXPECT_EQ(d.exit_code, 1);
  EXPECT_EQ(d.err, "neardup: " + backup +
                       "/catalog.sqlite: table items is missing: not a neardup index or damaged\n");
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
