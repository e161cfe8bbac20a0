// Act (src/act/act.cc): the dry run, each action kind, and the safety rules one by one.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <regex>

#include "act/journal.h"
#include "act/trash.h"
#include "fixture.h"

namespace neardup::act_test {
namespace {

namespace fs = std::filesystem;
using testing::FileState;
using testing::ListDir;
using testing::MakeFile;
using testing::StateOf;

class ActTest : public ActFixture {
 protected:
  // Acts and expects the run itself to succeed.
  ActReport Run(const Plan& plan, const ActOptions& o) {
    StatusOr<ActReport> r = Act(plan, o);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : ActReport{};
  }
};

TEST_F(ActTest, DryRunTouchesNothingAndWritesNoJournal) {
  const Plan plan = PlanOf({MakeGroup("a.jpg", {"b.jpg", "c.jpg"})});
  const auto before = StateOf(At("b.jpg"));
  for (ActionKind k : {ActionKind::kTrash, ActionKind::kHardlink, ActionKind::kSymlink,
                       ActionKind::kDelete, ActionKind::kMoveTo}) {
    ActOptions o = Options(k, /*dry_run=*/true);
    o.force = true;
    o.move_to = tmp_.path() + "/moved";
    const ActReport r = Run(plan, o);
    EXPECT_EQ(r.done, 2) << ActionKindName(k);
    EXPECT_TRUE(r.journal.empty());
    EXPECT_NE(r.actions[0].detail.find("would"), std::string::npos) << r.actions[0].detail;
  }
  EXPECT_EQ(StateOf(At("b.jpg")), before);
  EXPECT_TRUE(StateOf(At("c.jpg")));
  EXPECT_FALSE(fs::exists(tmp_.path() + "/data"));   // no trash made
  EXPECT_FALSE(fs::exists(tmp_.path() + "/state"));  // no journal
  EXPECT_FALSE(fs::exists(tmp_.path() + "/moved"));
  EXPECT_TRUE(ActOptions().dry_run);  // nothing happens unless asked
}

TEST_F(ActTest, TrashFollowsTheFreedesktopLayout) {
  const Plan plan = PlanOf({MakeGroup("keep.jpg", {"sub/my photo é.jpg"})});
  const FileState before = *StateOf(At("sub/my photo é.jpg"));
  const ActReport r = Run(plan, Options(ActionKind::kTrash));
  ASSERT_EQ(r.done, 1) << r.actions[0].detail;
  EXPECT_FALSE(fs::exists(At("sub/my photo é.jpg")));
  EXPECT_TRUE(StateOf(At("keep.jpg")));
  EXPECT_EQ(r.actions[0].destination, TrashFiles() + "/my photo é.jpg");
  EXPECT_EQ(StateOf(TrashFiles() + "/my photo é.jpg"), before);  // bytes, mode, mtime kept
  const std::string info = testing::ReadFile(TrashInfo() + "/my photo é.jpg.trashinfo");
  const std::string path = act::PercentEncode(root_) + "/sub/my%20photo%20%C3%A9.jpg";
  EXPECT_TRUE(std::regex_match(
      info, std::regex("\\[Trash Info\\]\nPath=" + path +
                       "\nDeletionDate=\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\n")))
      << info;
  struct stat st;
  ASSERT_EQ(::stat((tmp_.path() + "/data/Trash").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u);
  EXPECT_FALSE(r.journal.empty());
  EXPECT_TRUE(fs::exists(r.journal));
}

TEST_F(ActTest, TrashNamesNeverCollide) {
  MakeFile(TrashFiles() + "/b.jpg", "someone else's");
  MakeFile(TrashInfo() + "/b.2.jpg.trashinfo", "[Trash Info]\n");
  const Plan plan = PlanOf({MakeGroup("a.jpg", {"b.jpg"})});
  const ActReport r = Run(plan, Options(ActionKind::kTrash));
  ASSERT_EQ(r.done, 1);
  EXPECT_EQ(r.actions[0].destination, TrashFiles() + "/b.3.jpg");
  EXPECT_EQ(testing::ReadFile(TrashFiles() + "/b.jpg"), "someone else's");
  EXPECT_TRUE(fs::exists(TrashInfo() + "/b.3.jpg.trashinfo"));
}

TEST_F(ActTest, ChangedFilesAreSkipped) {
  Plan plan = PlanOf({MakeGroup("a.jpg", {"same_size.jpg", "bigger.jpg", "touched.jpg"})});
  // Same size and mtime, other bytes: only the hash tells.
  const auto st = *StateOf(At("same_size.jpg"));
  std::string other = st.bytes;
  other[0] ^= 1;
  MakeFile(At("same_size.jpg"), other, st.mode, st.mtime_ns);
  MakeFile(At("bigger.jpg"), st.bytes + "x");
  MakeFile(At("touched.jpg"), StateOf(At("touched.jpg"))->bytes, 0640, 1700000000000000000);
  const ActReport r = Run(plan, Options(ActionKind::kTrash));
  EXPECT_EQ(r.done, 0);
  EXPECT_EQ(r.skipped, 3);
  for (const ActionRecord& a : r.actions) {
    EXPECT_EQ(a.outcome, Outcome::kSkipped);
    EXPECT_NE(a.detail.find("changed since the scan"), std::string::npos) << a.detail;
    EXPECT_TRUE(fs::exists(a.path));
  }
  EXPECT_TRUE(ListDir(TrashFiles()).empty());
}

TEST_F(ActTest, AChangedOrMissingKeptFileSkipsItsGroup) {
  Plan plan = PlanOf({MakeGroup("k1.jpg", {"d1.jpg"}), MakeGroup("k2.jpg", {"d2.jpg", "d3.jpg"}),
                      MakeGroup("k3.jpg", {"d4.jpg"})});
  ASSERT_EQ(::unlink(At("k2.jpg").c_str()), 0);
  MakeFile(At("k3.jpg"), "edited since");
  const ActReport r = Run(plan, Options(ActionKind::kTrash));
  EXPECT_EQ(r.done, 1);  // d1 only
  EXPECT_FALSE(fs::exists(At("d1.jpg")));
  for (const char* d : {"d2.jpg", "d3.jpg", "d4.jpg"}) EXPECT_TRUE(fs::exists(At(d))) << d;
  EXPECT_NE(r.actions[1].detail.find("kept file " + At("k2.jpg") + " is gone"), std::string::npos)
      << r.actions[1].detail;
  EXPECT_NE(r.actions[3].detail.find("changed since the scan"), std::string::npos)
      << r.actions[3].detail;
}

TEST_F(ActTest, TheLastMemberOfAGroupIsNeverRemoved) {
  // "alias" is the same folder as "real": both plan entries are one file.
  MakeFile(At("real/a.jpg"), "the only copy");
  fs::create_directory_symlink(At("real"), At("alias"));
  Plan plan = PlanOf({PlanGroup{
      {testing::Facts(At("real/a.jpg"), true), testing::Facts(At("alias/a.jpg"), false)}}});
  for (ActionKind k : {ActionKind::kTrash, ActionKind::kDelete, ActionKind::kSymlink}) {
    const ActReport r = Run(plan, Options(k));
    EXPECT_EQ(r.done, 0) << ActionKindName(k);
    EXPECT_NE(r.actions[0].detail.find("it is the kept file"), std::string::npos)
        << r.actions[0].detail;
    EXPECT_EQ(testing::ReadFile(At("real/a.jpg")), "the only copy");
  }
}

TEST_F(ActTest, PathsOutsideTheRootsAreRefused) {
  MakeFile(tmp_.path() + "/elsewhere/x.jpg", "outside");
  MakeFile(tmp_.path() + "/elsewhere/y.jpg", "outside too");
  MakeFile(tmp_.path() + "/elsewhere/z.jpg", "outside three");
  fs::create_symlink(tmp_.path() + "/elsewhere/y.jpg", At("link.jpg"));
  fs::create_directory_symlink(tmp_.path() + "/elsewhere", At("door"));
  PlanGroup g = MakeGroup("a.jpg", {});
  g.files.push_back(testing::Facts(tmp_.path() + "/elsewhere/x.jpg", false));
  PlanFile via_link = testing::Facts(tmp_.path() + "/elsewhere/y.jpg", false);
  via_link.path = At("link.jpg");
  g.files.push_back(via_link);
  PlanFile via_dotdot = testing::Facts(tmp_.path() + "/elsewhere/z.jpg", false);
  via_dotdot.path = root_ + "/../elsewhere/z.jpg";
  g.files.push_back(via_dotdot);
  PlanFile via_dir = testing::Facts(tmp_.path() + "/elsewhere/z.jpg", false);
  via_dir.path = At("door/z.jpg");
  Plan plan = PlanOf({g, PlanGroup{{testing::Facts(At("a.jpg"), true), via_dir}}});
  plan.groups[1].files[0].path = At("a.jpg");
  // a.jpg kept in two groups is fine for Act (ParsePlan would refuse it; here it is one file).
  const ActReport r = Run(plan, Options(ActionKind::kDelete));
  EXPECT_EQ(r.done, 0);
  ASSERT_EQ(r.actions.size(), 4u);
  for (const ActionRecord& a : r.actions) {
    EXPECT_NE(a.detail.find("outside the scanned roots"), std::string::npos) << a.detail;
  }
  EXPECT_EQ(testing::ReadFile(tmp_.path() + "/elsewhere/x.jpg"), "outside");
  EXPECT_EQ(testing::ReadFile(tmp_.path() + "/elsewhere/y.jpg"), "outside too");
  EXPECT_EQ(testing::ReadFile(tmp_.path() + "/elsewhere/z.jpg"), "outside three");
  EXPECT_TRUE(fs::is_symlink(At("link.jpg")));
}

TEST_F(ActTest, AFileReplacedByASymlinkIsRefused) {
  Plan plan = PlanOf({MakeGroup("a.jpg", {"b.jpg"})});
  MakeFile(At("real_b.jpg"), StateOf(At("b.jpg"))->bytes, 0640);
  ASSERT_EQ(::unlink(At("b.jpg").c_str()), 0);
  fs::create_symlink(At("real_b.jpg"), At("b.jpg"));
  const ActReport r = Run(plan, Options(ActionKind::kTrash));
  EXPECT_EQ(r.done, 0);
  EXPECT_NE(r.actions[0].detail.find("symbolic link"), std::string::npos) << r.actions[0].detail;
}

TEST_F(ActTest, PlanRootsOutsideTheAllowedRootsFail) {
  Plan plan = PlanOf({MakeGroup("a.jpg", {"b.jpg"})});
  ActOptions o = Options(ActionKind::kTrash);
  o.roots = {tmp_.path() + "/data"};
  StatusOr<ActReport> r = Act(plan, o);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(r.status().message().find(root_), std::string::npos);
  EXPECT_TRUE(fs::exists(At("b.jpg")));
  o.roots = {tmp_.path()};
  EXPECT_EQ(Run(plan, o).done, 1);
}

TEST_F(ActTest, AGroupWithoutFactsIsSkipped) {
  Plan plan = PlanOf({MakeGroup("a.jpg", {"b.jpg"})});
  plan.groups[0].files[0].sha256.clear();  // even the kept file's
  const ActReport r = Run(plan, Options(ActionKind::kTrash));
  EXPECT_EQ(r.skipped, 1);
  EXPECT_NE(r.actions[0].detail.find("find --json"), std::string::npos);
  EXPECT_TRUE(fs::exists(At("b.jpg")));
}

TEST_F(ActTest, HardlinkOnlyByteIdenticalFilesUnlessForced) {
  Plan plan =
      PlanOf({MakeGroup("a.jpg", {"same.jpg"}, /*same=*/true), MakeGroup("k.jpg", {"other.jpg"})});
  const FileState original = *StateOf(At("same.jpg"));
  ActReport r = Run(plan, Options(ActionKind::kHardlink));
  ASSERT_EQ(r.actions.size(), 2u);
  EXPECT_EQ(r.actions[0].outcome, Outcome::kDone) << r.actions[0].detail;
  EXPECT_EQ(r.actions[1].outcome, Outcome::kSkipped);
  EXPECT_NE(r.actions[1].detail.find("not byte-identical"), std::string::npos);
  struct stat sa, sb;
  ASSERT_EQ(::stat(At("a.jpg").c_str(), &sa), 0);
  ASSERT_EQ(::stat(At("same.jpg").c_str(), &sb), 0);
  EXPECT_EQ(sa.st_ino, sb.st_ino);
  EXPECT_EQ(StateOf(r.actions[0].destination), original);  // the original waits in the Trash
  EXPECT_EQ(testing::ReadFile(At("other.jpg")), "other bytes of other.jpg");
  // A second run: already linked.
  plan.groups[0].files[1] = testing::Facts(At("same.jpg"), false);
  r = Run(plan, Options(ActionKind::kHardlink));
  EXPECT_NE(r.actions[0].detail.find("already a hard link"), std::string::npos);
  ActOptions forced = Options(ActionKind::kHardlink);
  forced.force = true;
  r = Run(PlanOf({plan.groups[1]}), forced);
  EXPECT_EQ(r.done, 1) << r.actions[0].detail;
  EXPECT_EQ(testing::ReadFile(At("other.jpg")), "kept bytes of k.jpg");
}

TEST_F(ActTest, SymlinkPointsAtTheKeptFile) {
  const Plan plan = PlanOf({MakeGroup("a.jpg", {"b.jpg"})});
  const ActReport r = Run(plan, Options(ActionKind::kSymlink));
  ASSERT_EQ(r.done, 1) << r.actions[0].detail;
  EXPECT_TRUE(fs::is_symlink(At("b.jpg")));
  EXPECT_EQ(fs::read_symlink(At("b.jpg")).string(), At("a.jpg"));
  EXPECT_EQ(testing::ReadFile(r.actions[0].destination), "other bytes of b.jpg");
}

TEST_F(ActTest, MoveToKeepsTheRelativePathAndNeverReplaces) {
  const Plan plan = PlanOf({MakeGroup("a.jpg", {"x/y/b.jpg", "c.jpg"})});
  const FileState before = *StateOf(At("x/y/b.jpg"));
  ActOptions o = Options(ActionKind::kMoveTo);
  o.move_to = tmp_.path() + "/moved";
  MakeFile(o.move_to + "/c.jpg", "already there");
  const ActReport r = Run(plan, o);
  EXPECT_EQ(r.done, 1);
  EXPECT_EQ(StateOf(o.move_to + "/x/y/b.jpg"), before);
  EXPECT_FALSE(fs::exists(At("x/y/b.jpg")));
  EXPECT_NE(r.actions[1].detail.find("already exists"), std::string::npos);
  EXPECT_EQ(testing::ReadFile(o.move_to + "/c.jpg"), "already there");
  EXPECT_TRUE(fs::exists(At("c.jpg")));
}

TEST_F(ActTest, MoveToOptionsAreChecked) {
  StatusOr<ActReport> r =
      Act(PlanOf({MakeGroup("a.jpg", {"b.jpg"})}), Options(ActionKind::kMoveTo));
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
}

TEST_F(ActTest, DeleteUnlinks) {
  const ActReport r = Run(PlanOf({MakeGroup("a.jpg", {"b.jpg"})}), Options(ActionKind::kDelete));
  EXPECT_EQ(r.done, 1);
  EXPECT_FALSE(fs::exists(At("b.jpg")));
  EXPECT_TRUE(fs::exists(At("a.jpg")));
}

TEST_F(ActTest, ASecondRunOnTheSameJournalFolderIsRefused) {
  act::JournalEntry start;
  start.type = "start";
  auto held = act::JournalWriter::Create(journal_dir_, start);
  ASSERT_TRUE(held.ok()) << held.status().ToString();
  StatusOr<ActReport> r = Act(PlanOf({MakeGroup("a.jpg", {"b.jpg"})}), Options(ActionKind::kTrash));
  EXPECT_EQ(r.status().code(), StatusCode::kResourceExhausted);
  EXPECT_TRUE(fs::exists(At("b.jpg")));
}

}  // namespace
}  // namespace neardup::act_test
