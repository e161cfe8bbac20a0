// ReadFileBytes: whole-file reads that never block on, or open, anything but a regular file.
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>
#include <new>
#include <string>

#include "core/file_type.h"
#include "neardup/decode.h"

namespace neardup {
namespace {

// Maps an errno from stat/open/read to a Status whose message starts with `path`.
Status ErrnoStatus(const std::string& path, const char* what, int err) {
  switch (err) {
    case ENOENT: {
      struct stat st;
      if (::lstat(path.c_str(), &st) == 0 && S_ISLNK(st.st_mode)) {
        return NotFoundError(path + ": broken symlink (target does not exist)");
      }
      return NotFoundError(path + ": no such file");
    }
    case ENOTDIR:
      return NotFoundError(path + ": no such file (a path component is not a directory)");
    case ELOOP:
      return IOError(path + ": symlink loop (too many levels of symbolic links)");
    default:
      return IOError(path + ": " + what + ": " + std::strerror(err));
  }
}

Status NotRegular(const std::string& path, mode_t mode) {
  return InvalidArgumentError(path + ": not a regular file (" + FileTypeName(mode) + ")");
}

// Closes the descriptor on every return path.
class FdCloser {
 public:
  explicit FdCloser(int fd) : fd_(fd) {}
  ~FdCloser() { ::close(fd_); }
  FdCloser(const FdCloser&) = delete;
  FdCloser& operator=(const FdCloser&) = delete;

 private:
  int fd_;
};

Status ReadError(const std::string& path, std::string* out) {
  const int err = errno;
  out->clear();
  return ErrnoStatus(path, "read", err);
}

}  // namespace

Status ReadFileBytes(const std::string& path, std::string* out) {
  out->clear();
  // stat first so devices are refused without being opened (opening some has side effects).
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) return ErrnoStatus(path, "stat", errno);
  if (!S_ISREG(st.st_mode)) return NotRegular(path, st.st_mode);

  // O_NONBLOCK: should the path be swapped for a FIFO after the stat, open still returns at once
  // and the fstat below refuses it.
  const int fd = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) return ErrnoStatus(path, "open", errno);
  FdCloser closer(fd);
  if (::fstat(fd, &st) != 0) return ErrnoStatus(path, "fstat", errno);
  if (!S_ISREG(st.st_mode)) return NotRegular(path, st.st_mode);
  if (st.st_size == 0) return InvalidArgumentError(path + ": empty file");

  try {
    out->resize(size_t(st.st_size));
    size_t done = 0;
    bool eof = false;
    while (done < out->size()) {
      const ssize_t n = ::read(fd, out->data() + done, out->size() - done);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) return ReadError(path, out);
      if (n == 0) {
        eof = true;
        break;
      }
      done += size_t(n);
    }
    out->resize(done);
    // The file may have grown since fstat: take the rest too.
    char tail[1 << 16];
    while (!eof) {
      const ssize_t n = ::read(fd, tail, sizeof(tail));
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) return ReadError(path, out);
      if (n == 0) break;
      out->append(tail, size_t(n));
    }
  } catch (const std::bad_alloc&) {
    out->clear();
    return ResourceExhaustedError(path + ": out of memory reading " + std::to_string(st.st_size) +
                                  " bytes");
  }
  if (out->empty()) return InvalidArgumentError(path + ": empty file");
  return Status::Ok();
}

}  // namespace neardup
