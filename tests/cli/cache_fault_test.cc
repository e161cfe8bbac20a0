// Fault injection for the descriptor cache of `neardup find` (issue 12): a full disk and a
// read-only folder under the cache (a small tmpfs, so root only), and SIGINT/SIGTERM in the middle
// of a run. In every case the groups are printed as without a cache, the exit status is the one of
// a clean run, no user file changes, the problem is named in one warning, and the next run with a
// usable cache folder works again and stores no "broken" verdict.
#include <gtest/gtest.h>
#include <signal.h>
#include <sqlite3.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>

#include "neardup/decode.h"
#include "neardup/find.h"
#include "neardup/preprocess.h"
#include "neardup/registry.h"
#include "testutil/run_cli.h"
#include "testutil/testutil.h"

namespace neardup {
namespace {

using testing::CliResult;
using testing::RunCli;

// A tmpfs of `size` (mount(8) syntax, "256k") mounted on a fresh folder for the test's lifetime.
class Tmpfs {
 public:
  explicit Tmpfs(const std::string& size) {
    const std::string options = "size=" + size;
    if (::mount("tmpfs", dir_.path().c_str(), "tmpfs", 0, options.c_str()) == 0) {
      mounted_ = true;
    } else {
      error_ = std::strerror(errno);
    }
  }
  ~Tmpfs() {
    if (mounted_) ::umount2(dir_.path().c_str(), MNT_DETACH);
  }
  Tmpfs(const Tmpfs&) = delete;
  Tmpfs& operator=(const Tmpfs&) = delete;

  bool mounted() const { return mounted_; }
  const std::string& error() const { return error_; }
  std::string Join(const std::string& name) const { return dir_.Join(name); }
  // Remounts with `options`, e.g. "ro", "rw,size=16m".
  bool Remount(const std::string& options) {
    unsigned long flags = MS_REMOUNT;
    std::string rest;
    for (size_t at = 0; at <= options.size();) {
      size_t comma = options.find(',', at);
      if (comma == std::string::npos) comma = options.size();
      const std::string o = options.substr(at, comma - at);
      if (o == "ro") {
        flags |= MS_RDONLY;
      } else if (o != "rw" && !o.empty()) {
        rest += (rest.empty() ? "" : ",") + o;
      }
      at = comma + 1;
    }
    return ::mount("tmpfs", dir_.path().c_str(), "tmpfs", flags, rest.c_str()) == 0;
  }

 private:
  testing::TempDir dir_;
  bool mounted_ = false;
  std::string error_;
};

#define NEED_TMPFS(fs)                                                                \
  if (!(fs).mounted()) {                                                              \
    GTEST_SKIP() << "cannot mount a tmpfs (" << (fs).error() << "): needs root in a " \
                 << "container that permits mount(2)";                                \
  }

// Two photos with a copy each and three unrelated ones: groups {a, a_copy} and {b, b_copy}.
// `busy`: photos with many keypoints (~80 KB of local features each in the cache).
void MakePhotos(const testing::TempDir& d, bool busy) {
  auto photo = [busy](uint32_t seed) {
    return busy ? testing::MakeBusyPhoto(400, 300, seed) : testing::MakeTestPhoto(400, 300, seed);
  };
  const Image a = photo(11), b = photo(12);
  ASSERT_TRUE(WriteImage(d.Join("a.png"), a).ok());
  ASSERT_TRUE(WriteImage(d.Join("a_copy.jpg"), Resize(a, 200, 150), 85).ok());
  ASSERT_TRUE(WriteImage(d.Join("b.png"), b).ok());
  ASSERT_TRUE(WriteImage(d.Join("b_copy.jpg"), b, 60).ok());
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(WriteImage(d.Join("u" + std::to_string(i) + ".png"), photo(20 + i)).ok());
  }
}

// Every file under `dir` with its bytes and modification time: what "no user file changed" means.
std::map<std::string, std::pair<std::string, int64_t>> Snapshot(const std::string& dir) {
  std::map<std::string, std::pair<std::string, int64_t>> s;
  for (const auto& e : std::filesystem::recursive_directory_iterator(dir)) {
    struct stat st {};
    ::lstat(e.path().c_str(), &st);
    s[e.path().string()] = {testing::ReadFile(e.path().string()),
                            int64_t(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec};
  }
  return s;
}

using GroupSet = std::set<std::set<std::string>>;

// The groups of a `find --json` output, as sets of file names.
GroupSet Groups(const std::string& json) {
  GroupSet groups;
  const auto j = nlohmann::json::parse(json);
  for (const auto& g : j["groups"]) {
    std::set<std::string> names;
    for (const auto& f : g["files"]) {
      names.insert(std::filesystem::path(f["path"].get<std::string>()).filename().string());
    }
    groups.insert(names);
  }
  return groups;
}

int64_t Stat(const std::string& json, const char* key) {
  return nlohmann::json::parse(json)["stats"][key].get<int64_t>();
}

int WarningLines(const std::string& err) {
  int n = 0;
  for (size_t p = err.find("warning:"); p != std::string::npos; p = err.find("warning:", p + 1)) {
    ++n;
  }
  return n;
}

// Checks the cache file as a later run would meet it (on a copy, so nothing is added to it): it
// opens, PRAGMA integrity_check is "ok", it holds no failure verdict (every photo is good), and
// every row it holds for the photos in `photos` passes the readers' validation for `method_name`.
// Returns the number of photos it answers.
int ExpectConsistentCache(const std::string& cache, const std::string& photos,
                          const std::string& method_name) {
  testing::TempDir copy;
  for (const char* suffix : {"", "-wal", "-shm"}) {
    if (std::filesystem::exists(cache + suffix)) {
      std::filesystem::copy_file(cache + suffix, copy.Join(std::string("c.sqlite") + suffix));
    }
  }
  const std::string db_path = copy.Join("c.sqlite");
  sqlite3* db = nullptr;
  EXPECT_EQ(sqlite3_open_v2(db_path.c_str(), &db, SQLITE_OPEN_READWRITE, nullptr), SQLITE_OK);
  sqlite3_stmt* st = nullptr;
  EXPECT_EQ(sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &st, nullptr), SQLITE_OK);
  EXPECT_EQ(sqlite3_step(st), SQLITE_ROW);
  EXPECT_STREQ(reinterpret_cast<const char*>(sqlite3_column_text(st, 0)), "ok");
  sqlite3_finalize(st);
  // The table may not exist yet when the run was stopped before the cache was created.
  if (sqlite3_prepare_v2(db, "SELECT count(*) FROM descriptors WHERE error_code != 0", -1, &st,
                         nullptr) == SQLITE_OK) {
    EXPECT_EQ(sqlite3_step(st), SQLITE_ROW);
    EXPECT_EQ(sqlite3_column_int(st, 0), 0) << "a good file was stored as broken";
    sqlite3_finalize(st);
  }
  sqlite3_close(db);

  // A "fused:<learned>" default reads the model the CLI found beside it (models/ of the repo).
  setenv("NEARDUP_MODEL_DIR", (std::string(NEARDUP_TEST_DATA) + "/../../models").c_str(), 0);
  StatusOr<std::unique_ptr<Method>> made = MakeMethod(method_name);
  EXPECT_TRUE(made.ok()) << made.status().ToString();
  if (!made.ok()) return 0;
  auto method = std::move(made).value();
  auto opened = OpenSqliteCache(db_path, *method);
  EXPECT_TRUE(opened.ok()) << opened.status().ToString();
  if (!opened.ok()) return 0;
  int hits = 0;
  for (const auto& e : std::filesystem::directory_iterator(photos)) {
    struct stat s {};
    ::stat(e.path().c_str(), &s);
    const FileStamp stamp{std::filesystem::absolute(e.path()).lexically_normal().string(),
                          int64_t(s.st_size),
                          int64_t(s.st_mtim.tv_sec) * 1000000000 + s.st_mtim.tv_nsec};
    std::optional<CacheEntry> hit = (*opened)->Lookup(stamp);
    if (!hit) continue;
    ++hits;
    EXPECT_TRUE(hit->error.ok()) << stamp.path;
    EXPECT_TRUE(method->CheckDescriptor(hit->descriptor).ok()) << stamp.path;
  }
  EXPECT_TRUE((*opened)->TakeWarnings().empty());
  return hits;
}

// Disk full: the descriptors of 7 photos (local features included) do not fit in 256 KiB. The run
// still prints the groups and exits 0, names the cache and the reason once; with space again the
// next run saves the cache and the one after it is answered from it.
TEST(CacheFault, DiskFullDuringFindWarnsAndTheNextRunRecovers) {
  Tmpfs fs("256k");
  NEED_TMPFS(fs);
  testing::TempDir photos;
  MakePhotos(photos, /*busy=*/true);
  const auto before = Snapshot(photos.path());
  const GroupSet expected = {{"a.png", "a_copy.jpg"}, {"b.png", "b_copy.jpg"}};
  const std::string cache = fs.Join("cache/c.sqlite");

  CliResult full = RunCli({"find", photos.path(), "--json", "--cache", cache});
  ASSERT_EQ(full.exit_code, 0) << full.err;
  EXPECT_EQ(Groups(full.out), expected);
  EXPECT_EQ(WarningLines(full.err), 1) << full.err;
  EXPECT_NE(full.err.find("warning: cache not saved: " + cache), std::string::npos) << full.err;
  EXPECT_NE(full.err.find("database or disk is full"), std::string::npos) << full.err;
  EXPECT_EQ(Snapshot(photos.path()), before);

  ASSERT_TRUE(fs.Remount("rw,size=16m"));
  CliResult saved = RunCli({"find", photos.path(), "--json", "--cache", cache});
  ASSERT_EQ(saved.exit_code, 0) << saved.err;
  EXPECT_EQ(WarningLines(saved.err), 0) << saved.err;
  EXPECT_EQ(Groups(saved.out), expected);
  CliResult hit = RunCli({"find", photos.path(), "--json", "--cache", cache});
  ASSERT_EQ(hit.exit_code, 0) << hit.err;
  EXPECT_EQ(WarningLines(hit.err), 0) << hit.err;
  EXPECT_EQ(Stat(hit.out, "cached"), 7);
  EXPECT_EQ(Stat(hit.out, "decoded"), 0);
  EXPECT_EQ(Groups(hit.out), expected);
  EXPECT_EQ(Snapshot(photos.path()), before);
  // The default method: "fused", or "fused:cnn:mobilenet_v2" where that model is installed.
  EXPECT_EQ(ExpectConsistentCache(cache, photos.path(),
                                  nlohmann::json::parse(hit.out)["method"].get<std::string>()),
            7);
}

// A read-only cache folder: with no cache yet the run says the cache is disabled and why; with a
// cache made earlier, lookups still answer and only what is new cannot be saved (one warning).
TEST(CacheFault, ReadOnlyCacheFolderWarnsAndStillGroups) {
  Tmpfs fs("16m");
  NEED_TMPFS(fs);
  testing::TempDir photos;
  MakePhotos(photos, /*busy=*/false);
  const GroupSet expected = {{"a.png", "a_copy.jpg"}, {"b.png", "b_copy.jpg"}};
  const std::string cache = fs.Join("c.sqlite");
  // pdq8 (fast); the default method's larger rows are what the disk-full test fills a disk with.
  const std::vector<std::string> find = {"find",   photos.path(), "-m", "pdq8",
                                         "--json", "--cache",     cache};

  ASSERT_TRUE(fs.Remount("ro"));
  CliResult none = RunCli(find);
  ASSERT_EQ(none.exit_code, 0) << none.err;
  EXPECT_EQ(Groups(none.out), expected);
  EXPECT_EQ(WarningLines(none.err), 1) << none.err;
  EXPECT_NE(none.err.find("warning: cache disabled: " + cache), std::string::npos) << none.err;
  EXPECT_NE(none.err.find("Read-only file system"), std::string::npos) << none.err;
  EXPECT_FALSE(std::filesystem::exists(cache));

  ASSERT_TRUE(fs.Remount("rw"));
  CliResult warm = RunCli(find);
  ASSERT_EQ(warm.exit_code, 0) << warm.err;
  EXPECT_EQ(WarningLines(warm.err), 0) << warm.err;

  // The cache made before still answers; the new photo is described but cannot be saved.
  ASSERT_TRUE(WriteImage(photos.Join("new.png"), testing::MakeTestPhoto(300, 200, 30)).ok());
  const auto before = Snapshot(photos.path());
  ASSERT_TRUE(fs.Remount("ro"));
  CliResult read_only = RunCli(find);
  ASSERT_EQ(read_only.exit_code, 0) << read_only.err;
  EXPECT_EQ(Groups(read_only.out), expected);
  EXPECT_EQ(Stat(read_only.out, "cached"), 7);
  EXPECT_EQ(Stat(read_only.out, "decoded"), 1);
  EXPECT_EQ(WarningLines(read_only.err), 1) << read_only.err;
  EXPECT_NE(read_only.err.find("warning: cache not saved: " + cache), std::string::npos)
      << read_only.err;
  EXPECT_NE(read_only.err.find("readonly"), std::string::npos) << read_only.err;
  EXPECT_EQ(Snapshot(photos.path()), before);

  ASSERT_TRUE(fs.Remount("rw"));
  CliResult again = RunCli(find);
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_EQ(WarningLines(again.err), 0) << again.err;
  EXPECT_EQ(Stat(again.out, "decoded"), 1);
  EXPECT_EQ(Groups(again.out), expected);
  EXPECT_EQ(ExpectConsistentCache(cache, photos.path(), "pdq8"), 8);
}

// Starts `neardup args...` and returns its pid (stdout and stderr to /dev/null).
pid_t Spawn(const std::vector<std::string>& args) {
  const pid_t pid = ::fork();
  if (pid == 0) {
    FILE* null = std::fopen("/dev/null", "w");
    ::dup2(fileno(null), 1);
    ::dup2(fileno(null), 2);
    std::vector<std::string> copy = args;
    std::vector<char*> argv = {const_cast<char*>(NEARDUP_CLI_PATH)};
    for (std::string& a : copy) argv.push_back(a.data());
    argv.push_back(nullptr);
    ::execv(NEARDUP_CLI_PATH, argv.data());
    ::_exit(127);
  }
  return pid;
}

// The size of the file at `path`, 0 when there is none.
int64_t FileSize(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 ? int64_t(st.st_size) : 0;
}

// SIGINT and SIGTERM during a `find` over 600 tiny images leave a cache that reopens, passes
// integrity_check, holds only valid rows, and lets the next run finish with every image. Each
// signal is sent at three points: early (before the first commit), while the first commit of 512
// rows is being written (the WAL is growing), and late (around the final commit).
TEST(CacheFault, SigintAndSigtermLeaveTheCacheConsistent) {
  testing::TempDir photos, cache_dir;
  constexpr int kImages = 600;
  for (int i = 0; i < kImages; ++i) {
    ASSERT_TRUE(
        WriteImage(photos.Join("p" + std::to_string(i) + ".png"), testing::MakeTestPhoto(32, 24, i))
            .ok());
  }
  const std::string cache = cache_dir.Join("c.sqlite");
  const std::vector<std::string> args = {"find", photos.path(), "-m",      "pdq8",
                                         "-q",   "--json",      "--cache", cache};
  // How long a whole run with a fresh cache takes here, to place the early and late stops.
  const auto start = std::chrono::steady_clock::now();
  CliResult timing = RunCli(
      {"find", photos.path(), "-m", "pdq8", "--json", "--cache", cache_dir.Join("timing.sqlite")});
  ASSERT_EQ(timing.exit_code, 0) << timing.err;
  const auto whole = std::chrono::steady_clock::now() - start;

  enum When { kEarly, kDuringCommit, kLate };
  int signalled = 0;
  std::vector<int> rows_left;  // what each stopped run left in the cache
  for (When when : {kEarly, kDuringCommit, kLate}) {
    for (int sig : {SIGINT, SIGTERM}) {
      SCOPED_TRACE(std::string(sig == SIGINT ? "SIGINT" : "SIGTERM") + " at point " +
                   std::to_string(int(when)));
      for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(cache + suffix);
      const pid_t pid = Spawn(args);
      ASSERT_GT(pid, 0);
      if (when == kDuringCommit) {
        // The schema takes a few pages of WAL; 512 rows of pdq8 codes take ~150 KB.
        const auto give_up = std::chrono::steady_clock::now() + whole * 4;
        while (FileSize(cache + "-wal") < 48 * 1024 && std::chrono::steady_clock::now() < give_up) {
          std::this_thread::sleep_for(std::chrono::microseconds(100));
        }
      } else {
        std::this_thread::sleep_for(std::chrono::duration_cast<std::chrono::microseconds>(
            whole * (when == kEarly ? 0.4 : 0.9)));
      }
      ::kill(pid, sig);
      int status = 0;
      ASSERT_EQ(::waitpid(pid, &status, 0), pid);
      if (WIFSIGNALED(status)) {
        EXPECT_EQ(WTERMSIG(status), sig);
        ++signalled;
      } else {
        EXPECT_EQ(WEXITSTATUS(status), 0);  // finished before the signal
      }
      if (std::filesystem::exists(cache)) {
        rows_left.push_back(ExpectConsistentCache(cache, photos.path(), "pdq8"));
      }
    }
  }
  EXPECT_GT(signalled, 0) << "every run finished before its signal: the test proved nothing";
  std::printf("run %.0f ms; rows left by the stopped runs: %s\n",
              std::chrono::duration<double, std::milli>(whole).count(),
              ::testing::PrintToString(rows_left).c_str());

  // The next run finishes with every image, and the one after is answered by the cache.
  CliResult next = RunCli(args);
  ASSERT_EQ(next.exit_code, 0) << next.err;
  EXPECT_EQ(Stat(next.out, "images"), kImages);
  CliResult cached = RunCli(args);
  ASSERT_EQ(cached.exit_code, 0) << cached.err;
  EXPECT_EQ(Stat(cached.out, "cached"), kImages);
  EXPECT_EQ(Groups(cached.out), Groups(next.out));
}

}  // namespace
}  // namespace neardup
