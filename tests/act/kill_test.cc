// kill -9 during `neardup act --trash --yes` (a real child process, SIGKILL after delays from 0
// to the whole run's length): no file is lost or duplicated, each is at its path or where the
// journal says, `neardup undo` restores every byte, mode and mtime, and a re-run of act after a
// kill completes the rest.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <set>
#include <thread>

#include "act/journal.h"
#include "fixture.h"
#include "testutil/run_cli.h"

extern char** environ;

namespace neardup::act_test {
namespace {

namespace fs = std::filesystem;
using testing::FileState;
using testing::StateOf;

constexpr int kGroups = 100;  // 3 files each: 300 files, 200 to trash

class KillTest : public ActFixture {
 protected:
  // Makes the folder and its plan; returns the plan file.
  std::string MakePlan() {
    std::vector<PlanGroup> groups;
    for (int g = 0; g < kGroups; ++g) {
      const std::string d = "g" + std::to_string(g % 10) + "/";
      groups.push_back(
          MakeGroup(d + std::to_string(g) + "_keep.jpg",
                    {d + std::to_string(g) + "_a.jpg", d + std::to_string(g) + "_b.png"}));
      ::chmod(At(d + std::to_string(g) + "_a.jpg").c_str(), g % 2 ? 0600 : 0644);
    }
    plan_ = PlanOf(groups);
    for (PlanGroup& g : plan_.groups) {
      for (PlanFile& f : g.files) {
        f = testing::Facts(f.path, f.keep);
        before_[f.path] = *StateOf(f.path);
        if (!f.keep) dups_.push_back(f.path);
      }
    }
    const std::string path = tmp_.path() + "/plan.json";
    testing::WriteBytes(path, testing::PlanJson(plan_));
    return path;
  }

  // Starts `neardup act PLAN --trash --yes`, SIGKILLs it after `delay` (unless it ended);
  // returns the run's length.
  std::chrono::microseconds RunAndKill(const std::string& plan, std::chrono::microseconds delay,
                                       bool* finished) {
    const std::string devnull = "/dev/null";
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 1, devnull.c_str(), O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 2, devnull.c_str(), O_WRONLY, 0);
    std::vector<std::string> args = {NEARDUP_CLI_PATH, "act", plan, "--trash", "--yes"};
    std::vector<char*> argv;
    for (std::string& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    const auto t0 = std::chrono::steady_clock::now();
    pid_t pid = -1;
    EXPECT_EQ(posix_spawn(&pid, NEARDUP_CLI_PATH, &fa, nullptr, argv.data(), environ), 0);
    posix_spawn_file_actions_destroy(&fa);
    int status = 0;
    *finished = false;
    const auto deadline = t0 + delay;
    for (;;) {
      const pid_t w = ::waitpid(pid, &status, WNOHANG);
      if (w == pid) {
        *finished = true;
        break;
      }
      if (std::chrono::steady_clock::now() >= deadline) {
        ::kill(pid, SIGKILL);
        ::waitpid(pid, &status, 0);
        break;
      }
      std::this_thread::sleep_for(std::chrono::microseconds(200));
    }
    return std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() -
                                                                 t0);
  }

  // Where the journals say each path may have gone (intents not abandoned; an undone run and a
  // later one may name the same trash name).
  std::map<std::string, std::set<std::string>> Destinations() {
    std::map<std::string, std::set<std::string>> out;
    StatusOr<std::vector<std::string>> files = act::JournalFiles(journal_dir_);
    EXPECT_TRUE(files.ok());
    for (const std::string& j : *files) {
      StatusOr<std::vector<act::JournalEntry>> entries = act::ReadJournal(j);
      EXPECT_TRUE(entries.ok()) << entries.status().ToString();
      if (!entries.ok()) continue;
      std::map<int64_t, const act::JournalEntry*> open;
      for (const act::JournalEntry& e : *entries) {
        if (e.type == "intent") open[e.id] = &e;
        if (e.type == "abandon") open.erase(e.id);
      }
      for (const auto& [id, e] : open) out[e->path].insert(e->dest);
    }
    return out;
  }

  // Every file is at its path or at one journaled destination, never both, never neither, with
  // its bytes, mode and mtime; the trash holds nothing else. Returns how many were trashed.
  int CheckInvariants() {
    const auto dest = Destinations();
    int trashed = 0;
    size_t in_trash = 0;
    for (const auto& [path, state] : before_) {
      int copies = StateOf(path).has_value();
      if (copies) {
        EXPECT_TRUE(*StateOf(path) == state) << path;
      }
      const auto it = dest.find(path);
      if (it != dest.end()) {
        for (const std::string& d : it->second) {
          if (auto s = StateOf(d)) {
            ++copies;
            ++trashed;
            EXPECT_TRUE(*s == state) << d;
          }
        }
      }
      EXPECT_EQ(copies, 1) << path;
      if (copies != 1) return -1;
    }
    for (const std::string& f : testing::ListDir(TrashFiles())) in_trash += !f.empty();
    EXPECT_EQ(in_trash, size_t(trashed));  // nothing in the trash the journal does not name
    for (const PlanGroup& g : plan_.groups) EXPECT_TRUE(StateOf(g.files[0].path)) << "a kept file";
    return trashed;
  }

  void ExpectAllRestored() {
    for (const auto& [path, state] : before_) {
      auto s = StateOf(path);
      ASSERT_TRUE(s && *s == state) << path;
    }
    EXPECT_TRUE(testing::ListDir(TrashFiles()).empty());
    EXPECT_TRUE(testing::ListDir(TrashInfo()).empty());  // no .trashinfo left behind either
  }

  // `neardup undo` until nothing is left to undo.
  void UndoAll() {
    for (int i = 0; i < 4; ++i) {
      testing::CliResult u = testing::RunCli({"undo"});
      ASSERT_EQ(u.exit_code, 0) << u.err;
      if (u.out.rfind("nothing to undo", 0) == 0) return;
    }
  }

  Plan plan_;
  std::map<std::string, FileState> before_;
  std::vector<std::string> dups_;
};

TEST_F(KillTest, KillsAtAnyPointLoseNothingAndUndoRestoresAll) {
  const std::string plan = MakePlan();
  // The whole run's length, uninterrupted; then undone, so the same files serve every kill.
  bool finished = false;
  const auto full = RunAndKill(plan, std::chrono::seconds(60), &finished);
  ASSERT_TRUE(finished);
  ASSERT_EQ(CheckInvariants(), int(dups_.size()));
  UndoAll();
  ExpectAllRestored();
  int early = 0, mid = 0, late = 0;
  for (double fraction : {0.0, 0.02, 0.08, 0.15, 0.25, 0.35, 0.45, 0.55, 0.65, 0.8}) {
    const auto delay = std::chrono::microseconds(int64_t(double(full.count()) * fraction));
    RunAndKill(plan, delay, &finished);
    const int trashed = CheckInvariants();
    ASSERT_GE(trashed, 0) << "after a kill at " << delay.count() << " us";
    (trashed == 0 ? early : trashed == int(dups_.size()) ? late : mid)++;
    std::printf("kill at %6lld us (%.0f%% of %lld us): %d of %zu trashed%s\n",
                static_cast<long long>(delay.count()), 100 * fraction,
                static_cast<long long>(full.count()), trashed, dups_.size(),
                finished ? " (it had finished)" : "");
    UndoAll();
    ExpectAllRestored();
  }
  std::printf("kills: %d before any action, %d mid-run, %d after the last\n", early, mid, late);
  EXPECT_GE(mid, 2) << "the kills should land mid-run";
}

TEST_F(KillTest, ARerunAfterAKillCompletesTheRest) {
  const std::string plan = MakePlan();
  bool finished = false;
  const auto full = RunAndKill(plan, std::chrono::seconds(60), &finished);
  ASSERT_TRUE(finished);
  UndoAll();
  ExpectAllRestored();
  for (double fraction : {0.3, 0.6}) {
    RunAndKill(plan, std::chrono::microseconds(int64_t(double(full.count()) * fraction)),
               &finished);
    ASSERT_GE(CheckInvariants(), 0);
    testing::CliResult again = testing::RunCli({"act", plan, "--trash", "--yes"});
    EXPECT_EQ(again.exit_code, 0) << again.err;
    // Everything is in the trash now, each file once, and the kept files are all there.
    EXPECT_EQ(CheckInvariants(), int(dups_.size()));
    for (const std::string& d : dups_) EXPECT_FALSE(fs::exists(d)) << d;
    UndoAll();  // both journals, newest first
    ExpectAllRestored();
  }
}

}  // namespace
}  // namespace neardup::act_test
