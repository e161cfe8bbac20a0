#include "pipeline/walk.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <limits.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <vector>

#include "testutil/testutil.h"

namespace neardup {
namespace {

const InputError* FindError(const WalkResult& w, const std::string& path) {
  for (const InputError& e : w.errors) {
    if (e.path == path) return &e;
  }
  return nullptr;
}

TEST(HasImageExtension, CaseInsensitiveAndStrict) {
  EXPECT_TRUE(HasImageExtension("a.JPG"));
  EXPECT_TRUE(HasImageExtension("x.y.webp"));
  EXPECT_TRUE(HasImageExtension("IMG.HEIC"));
  EXPECT_FALSE(HasImageExtension("notes.txt"));
  EXPECT_FALSE(HasImageExtension("jpg"));
  EXPECT_FALSE(HasImageExtension("a."));
}

TEST(WalkInputs, ListsImagesSkipsOthersAndReportsOddEntries) {
  testing::TempDir d;
  const std::string root = d.path();
  testing::WriteBytes(d.Join("b.jpg"), "x");
  testing::WriteBytes(d.Join("a.png"), "x");
  testing::WriteBytes(d.Join("notes.txt"), "x");
  ASSERT_EQ(::mkfifo(d.Join("pipe.jpg").c_str(), 0644), 0);
  ASSERT_EQ(::symlink("missing.jpg", d.Join("dangling.jpg").c_str()), 0);
  ASSERT_EQ(::symlink("loop2.jpg", d.Join("loop1.jpg").c_str()), 0);
  ASSERT_EQ(::symlink("loop1.jpg", d.Join("loop2.jpg").c_str()), 0);
  ASSERT_EQ(::symlink("a.png", d.Join("link.png").c_str()), 0);
  std::filesystem::create_directory(d.Join("folder.jpg"));
  std::filesystem::create_directory(d.Join("sub"));
  testing::WriteBytes(d.Join("sub/c.gif"), "x");
  ASSERT_EQ(::symlink("..", d.Join("sub/up").c_str()), 0);

  WalkResult flat = WalkInputs({root}, false);
  std::vector<std::string> names;
  for (const ListedFile& c : flat.files) names.push_back(c.path.substr(root.size() + 1));
  EXPECT_EQ(names, (std::vector<std::string>{"a.png", "b.jpg"}));  // link.png is a.png
  EXPECT_EQ(flat.skipped_non_images, 1);
  ASSERT_NE(FindError(flat, d.Join("pipe.jpg")), nullptr);
  EXPECT_NE(FindError(flat, d.Join("pipe.jpg"))->status.message().find("FIFO"), std::string::npos);
  ASSERT_NE(FindError(flat, d.Join("dangling.jpg")), nullptr);
  EXPECT_NE(FindError(flat, d.Join("dangling.jpg"))->status.message().find("broken symlink"),
            std::string::npos);
  ASSERT_NE(FindError(flat, d.Join("loop1.jpg")), nullptr);
  EXPECT_NE(FindError(flat, d.Join("loop1.jpg"))->status.message().find("loop"), std::string::npos);
  ASSERT_NE(FindError(flat, d.Join("folder.jpg")), nullptr);
  EXPECT_EQ(flat.errors.size(), 5u);  // pipe, dangling, loop1, loop2, folder.jpg: once each

  WalkResult deep = WalkInputs({root}, true);
  bool found_c = false;
  for (const ListedFile& c : deep.files) found_c |= c.path == d.Join("sub/c.gif");
  EXPECT_TRUE(found_c);
  EXPECT_EQ(FindError(deep, d.Join("folder.jpg")), nullptr);  // descended, not an error
  ASSERT_NE(FindError(deep, d.Join("sub/up")), nullptr);      // the folder cycle is reported
}

TEST(WalkInputs, AliasesOfOneFileOrFolderAreListedOnceAndAreNotErrors) {
  testing::TempDir d;
  std::filesystem::create_directory(d.Join("real"));
  testing::WriteBytes(d.Join("real/a.jpg"), "x");
  ASSERT_EQ(::symlink("real", d.Join("alias").c_str()), 0);           // a folder alias
  ASSERT_EQ(::symlink("real/a.jpg", d.Join("link.jpg").c_str()), 0);  // a file alias
  ASSERT_EQ(::link(d.Join("real/a.jpg").c_str(), d.Join("hard.jpg").c_str()), 0);
  WalkResult w = WalkInputs({d.path()}, true);
  EXPECT_TRUE(w.errors.empty()) << w.errors[0].path << ": " << w.errors[0].status.message();
  ASSERT_EQ(w.files.size(), 1u);
}

TEST(WalkInputs, ExplicitFilesAreTriedWhateverTheirNameAndDuplicatesMerge) {
  testing::TempDir d;
  testing::WriteBytes(d.Join("photo.dat"), "x");
  WalkResult w = WalkInputs({d.Join("photo.dat"), d.Join("photo.dat"), d.Join("nope.jpg")}, false);
  ASSERT_EQ(w.files.size(), 1u);
  EXPECT_EQ(w.files[0].size, 1);
  ASSERT_EQ(w.errors.size(), 1u);
  EXPECT_EQ(w.errors[0].status.code(), StatusCode::kNotFound);
}

bool AnyNoteMentions(const WalkResult& w, const std::string& text) {
  for (const std::string& n : w.notes) {
    if (n.find(text) != std::string::npos) return true;
  }
  return false;
}

TEST(WalkInputs, ALinkToProcIsNotFollowedAndProcNamedIsRefused) {
  testing::TempDir d;
  testing::WriteBytes(d.Join("a.jpg"), "x");
  ASSERT_EQ(::symlink("/proc", d.Join("proc").c_str()), 0);
  ASSERT_EQ(::symlink("/sys", d.Join("sys").c_str()), 0);
  // Before: the walk went through the whole file system (2.9 GB in 10 s).
  WalkResult w = WalkInputs({d.path()}, true);
  ASSERT_EQ(w.files.size(), 1u);
  EXPECT_TRUE(w.errors.empty());
  EXPECT_TRUE(AnyNoteMentions(w, d.Join("proc") + ": not entered: a pseudo file system (proc)"));
  EXPECT_TRUE(AnyNoteMentions(w, d.Join("sys") + ": not entered"));
  WalkResult named = WalkInputs({"/proc"}, true);
  EXPECT_TRUE(named.files.empty());
  ASSERT_EQ(named.errors.size(), 1u);
  EXPECT_NE(named.errors[0].status.message().find("pseudo file system (proc)"), std::string::npos);
}

TEST(WalkInputs, OtherFileSystemsAreEnteredOnlyWhenAsked) {
  if (::geteuid() != 0) GTEST_SKIP() << "mounting a tmpfs needs root";
  testing::TempDir d;
  testing::WriteBytes(d.Join("a.jpg"), "x");
  std::filesystem::create_directory(d.Join("usb"));
  if (::mount("tmpfs", d.Join("usb").c_str(), "tmpfs", 0, "size=64k") != 0) {
    GTEST_SKIP() << "cannot mount a tmpfs here: " << std::strerror(errno);
  }
  testing::WriteBytes(d.Join("usb/b.jpg"), "y");
  WalkResult same = WalkInputs({d.path()}, true);
  WalkOptions cross;
  cross.recursive = true;
  cross.cross_devices = true;
  WalkResult all = WalkInputs({d.path()}, cross);
  WalkResult named = WalkInputs({d.Join("usb")}, true);  // a named root is always walked
  ::umount(d.Join("usb").c_str());
  EXPECT_EQ(same.files.size(), 1u);
  EXPECT_TRUE(AnyNoteMentions(same, d.Join("usb") + ": not entered: on another file system"));
  EXPECT_EQ(all.files.size(), 2u);
  EXPECT_TRUE(all.notes.empty());
  EXPECT_EQ(named.files.size(), 1u);
}

TEST(WalkInputs, APathLongerThanPathMaxIsReportedNotSkipped) {
  testing::TempDir d;
  // Nested folders of 200-byte names, made relative to each other (no call sees the whole path).
  const std::string name(200, 'd');
  int fd = ::open(d.path().c_str(), O_DIRECTORY);
  ASSERT_GE(fd, 0);
  size_t length = d.path().size();
  while (length < PATH_MAX + 300) {
    ASSERT_EQ(::mkdirat(fd, name.c_str(), 0755), 0);
    const int next = ::openat(fd, name.c_str(), O_DIRECTORY);
    ::close(fd);
    ASSERT_GE(next, 0);
    fd = next;
    length += 1 + name.size();
  }
  const int file = ::openat(fd, "deep.jpg", O_CREAT | O_WRONLY, 0644);
  ASSERT_GE(file, 0);
  ::close(file);
  ::close(fd);
  WalkResult w = WalkInputs({d.path()}, true);
  EXPECT_TRUE(w.files.empty());
  ASSERT_FALSE(w.errors.empty());
  bool reported = false;
  for (const InputError& e : w.errors) {
    reported |= e.status.message().find("PATH_MAX") != std::string::npos;
  }
  EXPECT_TRUE(reported) << w.errors[0].path.substr(0, 80) << ": " << w.errors[0].status.message();
}

}  // namespace
}  // namespace neardup
