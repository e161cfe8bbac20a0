// Undo and ListJournals (src/act/undo.cc): each action kind reversed exactly, twice is a no-op,
// an occupied path is left alone, a delete is reported irreversible.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <map>

#include "fixture.h"

namespace neardup::act_test {
namespace {

namespace fs = std::filesystem;
using testing::FileState;
using testing::ListDir;
using testing::StateOf;

class UndoTest : public ActFixture {
 protected:
  // Every file of the plan with its state now.
  std::map<std::string, FileState> Snapshot(const Plan& plan) {
    std::map<std::string, FileState> out;
    for (const PlanGroup& g : plan.groups) {
      for (const PlanFile& f : g.files) {
        auto s = StateOf(f.path);
        EXPECT_TRUE(s) << f.path;
        if (s) out[f.path] = *s;
      }
    }
    return out;
  }
  void ExpectRestored(const std::map<std::string, FileState>& before) {
    for (const auto& [path, state] : before) {
      EXPECT_TRUE(StateOf(path) == state) << path << " is not as it was";
    }
    EXPECT_TRUE(ListDir(TrashFiles()).empty());
    EXPECT_TRUE(ListDir(TrashInfo()).empty());
  }
};

TEST_F(UndoTest, EachReversibleKindComesBackExactly) {
  for (ActionKind k :
       {ActionKind::kTrash, ActionKind::kMoveTo, ActionKind::kHardlink, ActionKind::kSymlink}) {
    SCOPED_TRACE(ActionKindName(k));
    const std::string tag = ActionKindName(k);
    const Plan plan = PlanOf({MakeGroup(tag + "/a.jpg", {tag + "/b.jpg", tag + "/sub/c.png"},
                                        /*same=*/true)});
    ASSERT_EQ(::chmod(At(tag + "/b.jpg").c_str(), 0604), 0);
    const Plan fresh = PlanOf({PlanGroup{{testing::Facts(At(tag + "/a.jpg"), true),
                                          testing::Facts(At(tag + "/b.jpg"), false),
                                          testing::Facts(At(tag + "/sub/c.png"), false)}}});
    const auto before = Snapshot(fresh);
    ActOptions o = Options(k);
    o.move_to = tmp_.path() + "/moved";
    StatusOr<ActReport> r = Act(fresh, o);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    ASSERT_EQ(r->done, 2) << r->actions[0].detail;
    StatusOr<UndoReport> u = Undo();  // the newest journal
    ASSERT_TRUE(u.ok()) << u.status().ToString();
    EXPECT_EQ(u->journal, r->journal);
    EXPECT_EQ(u->restored, 2) << u->actions[0].detail;
    ExpectRestored(before);
    EXPECT_FALSE(fs::is_symlink(At(tag + "/b.jpg")));
    struct stat sa, sb;
    ASSERT_EQ(::stat(At(tag + "/a.jpg").c_str(), &sa), 0);
    ASSERT_EQ(::stat(At(tag + "/b.jpg").c_str(), &sb), 0);
    EXPECT_NE(sa.st_ino, sb.st_ino);
    EXPECT_EQ(sa.st_nlink, 1u);
    // Twice: nothing more happens.
    StatusOr<UndoReport> again = Undo(r->journal);
    ASSERT_TRUE(again.ok()) << again.status().ToString();
    EXPECT_TRUE(again->actions.empty());
    ExpectRestored(before);
  }
  EXPECT_EQ(LatestJournal().status().code(), StatusCode::kNotFound);
  EXPECT_EQ(Undo().status().code(), StatusCode::kNotFound);
}

TEST_F(UndoTest, ACrossDeviceMoveIsCopiedBackWithModeAndMtime) {
  if (!fs::is_directory("/dev/shm")) GTEST_SKIP() << "no /dev/shm";
  struct stat shm, tmp;
  ASSERT_EQ(::stat("/dev/shm", &shm), 0);
  ASSERT_EQ(::stat(root_.c_str(), &tmp), 0);
  if (shm.st_dev == tmp.st_dev) GTEST_SKIP() << "/dev/shm is on the temp folder's file system";
  char name[] = "/dev/shm/neardup-act-XXXXXX";
  ASSERT_NE(::mkdtemp(name), nullptr);
  const Plan plan = PlanOf({MakeGroup("a.jpg", {"d/b.jpg"})});
  const auto before = Snapshot(plan);
  ActOptions o = Options(ActionKind::kMoveTo);
  o.move_to = std::string(name) + "/out";
  StatusOr<ActReport> r = Act(plan, o);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->done, 1) << r->actions[0].detail;
  EXPECT_TRUE(StateOf(o.move_to + "/d/b.jpg") == before.at(At("d/b.jpg")));
  EXPECT_FALSE(fs::exists(At("d/b.jpg")));
  StatusOr<UndoReport> u = Undo(r->journal);
  ASSERT_TRUE(u.ok()) << u.status().ToString();
  EXPECT_EQ(u->restored, 1) << u->actions[0].detail;
  ExpectRestored(before);
  EXPECT_FALSE(fs::exists(o.move_to + "/d/b.jpg"));
  fs::remove_all(name);
}

TEST_F(UndoTest, AnOccupiedPathIsLeftAlone) {
  const Plan plan = PlanOf({MakeGroup("a.jpg", {"b.jpg"})});
  StatusOr<ActReport> r = Act(plan, Options(ActionKind::kTrash));
  ASSERT_TRUE(r.ok() && r->done == 1);
  testing::MakeFile(At("b.jpg"), "a new file with the old name");
  StatusOr<UndoReport> u = Undo(r->journal);
  ASSERT_TRUE(u.ok());
  EXPECT_EQ(u->restored, 0);
  EXPECT_EQ(u->skipped, 1);
  EXPECT_NE(u->actions[0].detail.find("occupied again"), std::string::npos) << u->actions[0].detail;
  EXPECT_EQ(testing::ReadFile(At("b.jpg")), "a new file with the old name");
  EXPECT_EQ(testing::ReadFile(r->actions[0].destination), "other bytes of b.jpg");
}

TEST_F(UndoTest, ADeleteIsReportedIrreversible) {
  StatusOr<ActReport> r =
      Act(PlanOf({MakeGroup("a.jpg", {"b.jpg"})}), Options(ActionKind::kDelete));
  ASSERT_TRUE(r.ok() && r->done == 1);
  StatusOr<UndoReport> u = Undo(r->journal);
  ASSERT_TRUE(u.ok());
  EXPECT_EQ(u->restored, 0);
  EXPECT_EQ(u->failed, 1);
  EXPECT_NE(u->actions[0].detail.find("cannot be undone"), std::string::npos);
  EXPECT_FALSE(fs::exists(At("b.jpg")));
  EXPECT_TRUE(Undo(r->journal)->actions.empty());  // said once
}

TEST_F(UndoTest, ListJournalsNewestFirst) {
  ASSERT_TRUE(Act(PlanOf({MakeGroup("a.jpg", {"b.jpg"})}), Options(ActionKind::kTrash)).ok());
  StatusOr<ActReport> second =
      Act(PlanOf({MakeGroup("c.jpg", {"d.jpg", "e.jpg"})}), Options(ActionKind::kDelete));
  ASSERT_TRUE(second.ok());
  ASSERT_TRUE(Undo(second->journal).ok());
  StatusOr<std::vector<JournalSummary>> all = ListJournals();
  ASSERT_TRUE(all.ok()) << all.status().ToString();
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ((*all)[0].path, second->journal);
  EXPECT_EQ((*all)[0].kind, "delete");
  EXPECT_EQ((*all)[0].done, 2);
  EXPECT_TRUE((*all)[0].undone);
  EXPECT_TRUE((*all)[0].complete);
  EXPECT_EQ((*all)[1].kind, "trash");
  EXPECT_EQ((*all)[1].done, 1);
  EXPECT_FALSE((*all)[1].undone);
  EXPECT_EQ((*all)[1].started.size(), 19u);  // YYYY-MM-DDThh:mm:ss
  EXPECT_EQ(*LatestJournal(), (*all)[1].path);
  EXPECT_EQ(Undo(tmp_.path() + "/nope.jsonl").status().code(), StatusCode::kNotFound);
}

}  // namespace
}  // namespace neardup::act_test
