// ReadFileBytes: regular files only, never blocking, errors that name the path and the reason.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <string>

#include "neardup/decode.h"
#include "testutil/testutil.h"

namespace neardup {
namespace {

using testing::TempDir;
using testing::WriteBytes;

bool StartsWith(const std::string& s, const std::string& prefix) {
  return s.compare(0, prefix.size(), prefix) == 0;
}

TEST(ReadFileBytesTest, ReadsWholeRegularFile) {
  TempDir dir;
  std::string content(300000, '\0');
  for (size_t i = 0; i < content.size(); ++i) content[i] = char(i * 31 + 7);
  WriteBytes(dir.Join("a.bin"), content);
  std::string out;
  ASSERT_TRUE(ReadFileBytes(dir.Join("a.bin"), &out).ok());
  EXPECT_EQ(out, content);
}

TEST(ReadFileBytesTest, EmptyFileIsInvalidArgument) {
  TempDir dir;
  WriteBytes(dir.Join("empty.jpg"), "");
  std::string out;
  const Status s = ReadFileBytes(dir.Join("empty.jpg"), &out);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(StartsWith(s.message(), dir.Join("empty.jpg") + ": ")) << s.message();
  EXPECT_NE(s.message().find("empty file"), std::string::npos) << s.message();
}

TEST(ReadFileBytesTest, MissingFileIsNotFound) {
  TempDir dir;
  std::string out;
  const Status s = ReadFileBytes(dir.Join("nope.jpg"), &out);
  EXPECT_EQ(s.code(), StatusCode::kNotFound) << s.ToString();
  EXPECT_TRUE(StartsWith(s.message(), dir.Join("nope.jpg"))) << s.message();
}

TEST(ReadFileBytesTest, DirectoryIsRefused) {
  TempDir dir;
  ASSERT_EQ(mkdir(dir.Join("sub.jpg").c_str(), 0755), 0);
  std::string out;
  const Status s = ReadFileBytes(dir.Join("sub.jpg"), &out);
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("not a regular file (directory)"), std::string::npos) << s.message();
}

TEST(ReadFileBytesTest, CharacterDeviceIsRefused) {
  std::string out;
  const Status s = ReadFileBytes("/dev/zero", &out);  // would never end if read
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("not a regular file (character device)"), std::string::npos)
      << s.message();
}

// Runs `body` in a child process that is killed after `seconds`; returns its exit code, or -1
// when it was killed (it hung) or crashed.
template <typename Body>
int RunInChild(int seconds, Body body) {
  const pid_t pid = fork();
  if (pid == 0) {
    alarm(unsigned(seconds));
    _exit(body());
  }
  int wstatus = 0;
  if (pid < 0 || waitpid(pid, &wstatus, 0) != pid) return -2;
  return WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : -1;
}

TEST(ReadFileBytesTest, FifoIsRefusedWithoutBlocking) {
  TempDir dir;
  const std::string fifo = dir.Join("x.jpg");
  ASSERT_EQ(mkfifo(fifo.c_str(), 0644), 0);
  // No writer ever opens the FIFO: a blocking open or read would hang until the alarm.
  const int rc = RunInChild(5, [&] {
    std::string out;
    const Status s = ReadFileBytes(fifo, &out);
    return s.code() == StatusCode::kInvalidArgument &&
                   s.message() == fifo + ": not a regular file (FIFO)"
               ? 0
               : 1;
  });
  EXPECT_EQ(rc, 0) << "-1 means the read blocked on the FIFO";
  // And the same in-process, now that it is known not to hang.
  std::string out;
  EXPECT_EQ(ReadFileBytes(fifo, &out).message(), fifo + ": not a regular file (FIFO)");
}

TEST(ReadFileBytesTest, BrokenSymlinkIsNotFound) {
  TempDir dir;
  ASSERT_EQ(symlink(dir.Join("missing.jpg").c_str(), dir.Join("link.jpg").c_str()), 0);
  std::string out;
  const Status s = ReadFileBytes(dir.Join("link.jpg"), &out);
  EXPECT_EQ(s.code(), StatusCode::kNotFound) << s.ToString();
  EXPECT_NE(s.message().find("broken symlink"), std::string::npos) << s.message();
}

TEST(ReadFileBytesTest, SymlinkLoopIsIOError) {
  TempDir dir;
  ASSERT_EQ(symlink(dir.Join("b.jpg").c_str(), dir.Join("a.jpg").c_str()), 0);
  ASSERT_EQ(symlink(dir.Join("a.jpg").c_str(), dir.Join("b.jpg").c_str()), 0);
  std::string out;
  const Status s = ReadFileBytes(dir.Join("a.jpg"), &out);
  EXPECT_EQ(s.code(), StatusCode::kIOError) << s.ToString();
  EXPECT_NE(s.message().find("symlink loop"), std::string::npos) << s.message();
}

TEST(ReadFileBytesTest, SymlinkToRegularFileIsFollowed) {
  TempDir dir;
  WriteBytes(dir.Join("real.bin"), "abc");
  ASSERT_EQ(symlink(dir.Join("real.bin").c_str(), dir.Join("link.bin").c_str()), 0);
  std::string out;
  ASSERT_TRUE(ReadFileBytes(dir.Join("link.bin"), &out).ok());
  EXPECT_EQ(out, "abc");
}

TEST(ReadFileBytesTest, PermissionDeniedIsIOError) {
  TempDir dir;
  const std::string path = dir.Join("secret.jpg");
  WriteBytes(path, "data");
  ASSERT_EQ(chmod(path.c_str(), 0), 0);
  ASSERT_EQ(chmod(dir.path().c_str(), 0755), 0);  // let `nobody` reach the file itself
  auto check = [&] {
    std::string out;
    const Status s = ReadFileBytes(path, &out);
    return s.code() == StatusCode::kIOError && StartsWith(s.message(), path + ": ") &&
                   s.message().find("Permission denied") != std::string::npos
               ? 0
               : 1;
  };
  if (geteuid() == 0) {
    // root reads everything: drop to nobody in a child so the test process keeps its rights.
    const int rc = RunInChild(10, [&] {
      if (setgid(65534) != 0 || setuid(65534) != 0) return 2;
      return check();
    });
    ASSERT_NE(rc, 2) << "setuid(65534) failed";
    EXPECT_EQ(rc, 0);
    return;
  }
  if (access(path.c_str(), R_OK) == 0) GTEST_SKIP() << "chmod 000 does not block reads here";
  EXPECT_EQ(check(), 0);
}

}  // namespace
}  // namespace neardup
