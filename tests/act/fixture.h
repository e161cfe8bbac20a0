// Shared by the act tests: a scratch folder with a scanned root, its own Trash and journal
// folder ($XDG_DATA_HOME and $XDG_STATE_HOME point into it), files with chosen bytes, mode and
// mtime, and plans made from them.
#ifndef NEARDUP_TESTS_ACT_FIXTURE_H_
#define NEARDUP_TESTS_ACT_FIXTURE_H_

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <string>
#include <vector>

#include "neardup/act.h"
#include "testutil/act_files.h"
#include "testutil/testutil.h"

namespace neardup::act_test {

class ActFixture : public ::testing::Test {
 protected:
  void SetUp() override {
    ::setenv("XDG_DATA_HOME", (tmp_.path() + "/data").c_str(), 1);
    ::setenv("XDG_STATE_HOME", (tmp_.path() + "/state").c_str(), 1);
    std::filesystem::create_directories(tmp_.path() + "/photos");
    root_ = std::filesystem::canonical(tmp_.path() + "/photos").string();
    journal_dir_ = tmp_.path() + "/state/neardup/journal";
    ASSERT_EQ(DefaultJournalDir(), journal_dir_);
  }

  // root/<name>
  std::string At(const std::string& name) const { return root_ + "/" + name; }
  // A group: `keep` and `dups` under the root, made with distinct bytes unless `same` (then all
  // hold the bytes of `keep`).
  PlanGroup MakeGroup(const std::string& keep, const std::vector<std::string>& dups,
                      bool same = false) {
    PlanGroup g;
    testing::MakeFile(At(keep), "kept bytes of " + keep);
    g.files.push_back(testing::Facts(At(keep), true));
    for (const std::string& d : dups) {
      testing::MakeFile(At(d), same ? "kept bytes of " + keep : "other bytes of " + d);
      g.files.push_back(testing::Facts(At(d), false));
    }
    return g;
  }
  Plan PlanOf(std::vector<PlanGroup> groups) const { return Plan{{root_}, std::move(groups)}; }
  ActOptions Options(ActionKind kind, bool dry_run = false) const {
    ActOptions o;
    o.kind = kind;
    o.dry_run = dry_run;
    return o;
  }
  std::string TrashFiles() const { return tmp_.path() + "/data/Trash/files"; }
  std::string TrashInfo() const { return tmp_.path() + "/data/Trash/info"; }

  testing::TempDir tmp_;
  std::string root_;         // the scanned root (canonical)
  std::string journal_dir_;  // tmp/state/neardup/journal (DefaultJournalDir())
};

}  // namespace neardup::act_test

#endif  // NEARDUP_TESTS_ACT_FIXTURE_H_
