// File-system steps of the actions (fs_ops.h).
#include "act/fs_ops.h"

#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>
#include <vector>

namespace neardup::act {
namespace {

// Closes a descriptor on scope exit.
class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }
  int release() {
    const int f = fd_;
    fd_ = -1;
    return f;
  }

 private:
  int fd_;
};

Status WriteAll(int fd, const char* p, size_t n, const std::string& path) {
  while (n > 0) {
    const ssize_t w = ::write(fd, p, n);
    if (w < 0) {
      if (errno == EINTR) continue;
      return ErrnoStatus(path, "write failed", errno);
    }
    p += w;
    n -= size_t(w);
  }
  return Status::Ok();
}

}  // namespace

Status ErrnoStatus(const std::string& path, const std::string& what, int error) {
  std::string m = path + ": " + what + ": " + std::strerror(error);
  return error == ENOENT ? NotFoundError(std::move(m)) : IOError(std::move(m));
}

StatusOr<std::string> RealPath(const std::string& path) {
  std::unique_ptr<char, void (*)(void*)> r(::realpath(path.c_str(), nullptr), ::free);
  if (!r) return ErrnoStatus(path, "cannot resolve", errno);
  return std::string(r.get());
}

bool IsInside(const std::string& path, const std::string& root) {
  if (root == "/") return !path.empty() && path[0] == '/';
  if (path.size() < root.size() || path.compare(0, root.size(), root) != 0) return false;
  return path.size() == root.size() || path[root.size()] == '/';
}

std::string DirName(const std::string& path) {
  const size_t slash = path.find_last_of('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

std::string BaseName(const std::string& path) {
  const size_t slash = path.find_last_of('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

bool LStat(const std::string& path, struct stat* st) { return ::lstat(path.c_str(), st) == 0; }

bool Exists(const std::string& path) {
  struct stat st;
  return LStat(path, &st);
}

Status MakeDirs(const std::string& dir, mode_t mode) {
  struct stat st;
  if (::stat(dir.c_str(), &st) == 0) {
    if (!S_ISDIR(st.st_mode)) return IOError(dir + ": exists and is not a folder");
    return Status::Ok();
  }
  const std::string parent = DirName(dir);
  if (parent != dir) RETURN_IF_ERROR(MakeDirs(parent, mode));
  if (::mkdir(dir.c_str(), mode) != 0 && errno != EEXIST) {
    return ErrnoStatus(dir, "cannot create folder", errno);
  }
  return FsyncDir(parent);
}

Status FsyncDir(const std::string& dir) {
  Fd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (fd.get() < 0) return ErrnoStatus(dir, "cannot open folder", errno);
  if (::fsync(fd.get()) != 0) return ErrnoStatus(dir, "fsync failed", errno);
  return Status::Ok();
}

int RenameNoReplace(const std::string& from, const std::string& to) {
  if (::renameat2(AT_FDCWD, from.c_str(), AT_FDCWD, to.c_str(), RENAME_NOREPLACE) == 0) return 0;
  if (errno != EINVAL) return errno;
  // A file system without RENAME_NOREPLACE: a hard link cannot replace either.
  if (::link(from.c_str(), to.c_str()) != 0) return errno;
  if (::unlink(from.c_str()) != 0) return errno;
  return 0;
}

Status CopyPreserving(const std::string& from, const std::string& to) {
  Fd in(::open(from.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW));
  if (in.get() < 0) return ErrnoStatus(from, "cannot read", errno);
  struct stat st;
  if (::fstat(in.get(), &st) != 0) return ErrnoStatus(from, "cannot stat", errno);
  if (!S_ISREG(st.st_mode)) return IOError(from + ": not a regular file");
  Fd out(::open(to.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600));
  if (out.get() < 0) return ErrnoStatus(to, "cannot create", errno);
  auto fail = [&](Status s) {
    ::unlink(to.c_str());
    return s;
  };
  std::vector<char> buf(1 << 20);
  for (;;) {
    const ssize_t n = ::read(in.get(), buf.data(), buf.size());
    if (n == 0) break;
    if (n < 0) {
      if (errno == EINTR) continue;
      return fail(ErrnoStatus(from, "read failed", errno));
    }
    Status w = WriteAll(out.get(), buf.data(), size_t(n), to);
    if (!w.ok()) return fail(w);
  }
  if (::fchmod(out.get(), st.st_mode & 07777) != 0) {
    return fail(ErrnoStatus(to, "cannot set permissions", errno));
  }
  const struct timespec times[2] = {st.st_atim, st.st_mtim};
  if (::futimens(out.get(), times) != 0) return fail(ErrnoStatus(to, "cannot set mtime", errno));
  if (::fsync(out.get()) != 0) return fail(ErrnoStatus(to, "fsync failed", errno));
  if (::close(out.release()) != 0) return fail(ErrnoStatus(to, "close failed", errno));
  return FsyncDir(DirName(to));
}

Status MoveFile(const std::string& from, const std::string& to) {
  const int e = RenameNoReplace(from, to);
  if (e == 0) {
    RETURN_IF_ERROR(FsyncDir(DirName(to)));
    return FsyncDir(DirName(from));
  }
  if (e == EEXIST) return IOError(to + ": already exists");
  if (e != EXDEV) return ErrnoStatus(from, "cannot move to " + to, e);
  // Another file system: copy beside the destination, then rename it into place, so `to` is
  // either absent or whole.
  const std::string part = to + kPartSuffix;
  ::unlink(part.c_str());  // a copy left by a killed run
  RETURN_IF_ERROR(CopyPreserving(from, part));
  const int r = RenameNoReplace(part, to);
  if (r != 0) {
    ::unlink(part.c_str());
    return ErrnoStatus(to, "cannot create", r);
  }
  RETURN_IF_ERROR(FsyncDir(DirName(to)));
  if (::unlink(from.c_str()) != 0) return ErrnoStatus(from, "copied but cannot remove", errno);
  return FsyncDir(DirName(from));
}

StatusOr<bool> SameBytes(const std::string& a, const std::string& b) {
  Fd fa(::open(a.c_str(), O_RDONLY | O_CLOEXEC));
  if (fa.get() < 0) return ErrnoStatus(a, "cannot read", errno);
  Fd fb(::open(b.c_str(), O_RDONLY | O_CLOEXEC));
  if (fb.get() < 0) return ErrnoStatus(b, "cannot read", errno);
  std::vector<char> ba(1 << 16), bb(1 << 16);
  for (;;) {
    const ssize_t na = ::read(fa.get(), ba.data(), ba.size());
    if (na < 0) return ErrnoStatus(a, "read failed", errno);
    // Fill the same count from b (a short read of a regular file is rare but allowed).
    ssize_t nb = 0;
    while (nb < na) {
      const ssize_t r = ::read(fb.get(), bb.data() + nb, size_t(na - nb));
      if (r < 0) return ErrnoStatus(b, "read failed", errno);
      if (r == 0) break;
      nb += r;
    }
    if (nb != na) return false;
    if (na == 0) {
      char c;
      return ::read(fb.get(), &c, 1) == 0;
    }
    if (std::memcmp(ba.data(), bb.data(), size_t(na)) != 0) return false;
  }
}

}  // namespace neardup::act
