// The freedesktop.org Trash (src/act/trash.cc): which trash a volume's file goes to.
#include "act/trash.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>

#include "fixture.h"

namespace neardup::act_test {
namespace {

namespace fs = std::filesystem;

TEST(TrashTest, PercentEncoding) {
  EXPECT_EQ(act::PercentEncode("/a b/é%.jpg"), "/a%20b/%C3%A9%25.jpg");
  EXPECT_EQ(act::PercentEncode("/x-y_z.~(1)"), "/x-y_z.~(1)");
}

TEST(TrashTest, TopdirTrashRules) {
  testing::TempDir top;
  const uid_t uid = ::getuid();
  const std::string uid_s = std::to_string(uid);
  // No .Trash: .Trash-$uid, created 0700.
  StatusOr<act::TrashDir> t = act::TopdirTrash(top.path(), uid, /*create=*/false);
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->root, top.path() + "/.Trash-" + uid_s);
  EXPECT_FALSE(fs::exists(t->root));  // not created in a dry run
  t = act::TopdirTrash(top.path(), uid, /*create=*/true);
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  struct stat st;
  ASSERT_EQ(::stat(t->root.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0700u);
  EXPECT_TRUE(fs::is_directory(t->files));
  EXPECT_TRUE(fs::is_directory(t->info));
  // A .Trash that is not sticky is not used.
  fs::create_directory(top.Join(".Trash"));
  ASSERT_EQ(::chmod(top.Join(".Trash").c_str(), 0777), 0);
  EXPECT_EQ(act::TopdirTrash(top.path(), uid, true)->root, top.path() + "/.Trash-" + uid_s);
  // Sticky: .Trash/$uid.
  ASSERT_EQ(::chmod(top.Join(".Trash").c_str(), 01777), 0);
  t = act::TopdirTrash(top.path(), uid, true);
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ(t->root, top.Join(".Trash/" + uid_s));
  EXPECT_TRUE(fs::is_directory(t->files));
  // A symlink named .Trash is never followed.
  testing::TempDir top2;
  fs::create_directory(top2.Join("real"));
  ASSERT_EQ(::chmod(top2.Join("real").c_str(), 01777), 0);
  fs::create_directory_symlink(top2.Join("real"), top2.Join(".Trash"));
  EXPECT_EQ(act::TopdirTrash(top2.path(), uid, true)->root, top2.path() + "/.Trash-" + uid_s);
  // A .Trash-$uid that is a symlink is refused.
  testing::TempDir top3;
  fs::create_directory(top3.Join("elsewhere"));
  fs::create_directory_symlink(top3.Join("elsewhere"), top3.Join(".Trash-" + uid_s));
  EXPECT_FALSE(act::TopdirTrash(top3.path(), uid, true).ok());
}

class VolumeTrashTest : public ActFixture {};

TEST_F(VolumeTrashTest, AFileOnAnotherVolumeGoesToThatVolumesTrash) {
  struct stat shm, home;
  if (::stat("/dev/shm", &shm) != 0 || ::access("/dev/shm", W_OK) != 0) GTEST_SKIP();
  ASSERT_EQ(::stat(root_.c_str(), &home), 0);
  if (shm.st_dev == home.st_dev) GTEST_SKIP() << "/dev/shm is on the home trash's file system";
  const std::string topdir = act::MountTopdir("/dev/shm");
  char name[] = "/dev/shm/neardup-trash-XXXXXX";
  ASSERT_NE(::mkdtemp(name), nullptr);
  const std::string vol_trash = topdir + "/.Trash-" + std::to_string(::getuid());
  const bool had_trash = fs::exists(vol_trash);
  const std::string dup = std::string(name) + "/dup.jpg";
  testing::MakeFile(std::string(name) + "/keep.jpg", "k");
  testing::MakeFile(dup, "d", 0604);
  const auto before = testing::StateOf(dup);
  Plan plan{{name},
            {PlanGroup{{testing::Facts(std::string(name) + "/keep.jpg", true),
                        testing::Facts(dup, false)}}}};
  StatusOr<ActReport> r = Act(plan, Options(ActionKind::kTrash));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->done, 1) << r->actions[0].detail;
  const std::string dest = r->actions[0].destination;
  EXPECT_EQ(dest.rfind(vol_trash + "/files/", 0), 0u) << dest;
  EXPECT_TRUE(testing::StateOf(dest) == before);
  EXPECT_FALSE(fs::exists(TrashFiles()));  // the home trash was not used
  StatusOr<UndoReport> u = Undo(r->journal);
  ASSERT_TRUE(u.ok());
  EXPECT_EQ(u->restored, 1);
  EXPECT_TRUE(testing::StateOf(dup) == before);
  fs::remove_all(name);
  if (!had_trash) fs::remove_all(vol_trash);
}

}  // namespace
}  // namespace neardup::act_test
