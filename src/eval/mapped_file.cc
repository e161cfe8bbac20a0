#include "eval/mapped_file.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>
#include <utility>

namespace neardup::eval {
namespace {

Status ErrnoError(const std::string& path, int err) {
  if (err == ENOENT || err == ENOTDIR) return NotFoundError(path + ": no such file");
  return IOError(path + ": " + std::strerror(err));
}

}  // namespace

StatusOr<MappedFile> MappedFile::Open(const std::string& path) {
  struct stat st;
  // stat first so that a FIFO or device is refused without being opened.
  if (::stat(path.c_str(), &st) != 0) return ErrnoError(path, errno);
  if (!S_ISREG(st.st_mode)) return IOError(path + ": not a regular file");
  const int fd = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) return ErrnoError(path, errno);
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    const int err = errno;
    ::close(fd);
    return err != 0 ? ErrnoError(path, err) : IOError(path + ": not a regular file");
  }
  if (st.st_size == 0) {
    ::close(fd);
    return MappedFile(nullptr, 0);
  }
  void* addr = ::mmap(nullptr, size_t(st.st_size), PROT_READ, MAP_PRIVATE, fd, 0);
  const int err = errno;
  ::close(fd);  // the mapping keeps the file open
  if (addr == MAP_FAILED) return IOError(path + ": cannot map the file: " + std::strerror(err));
  ::madvise(addr, size_t(st.st_size), MADV_SEQUENTIAL);
  return MappedFile(addr, size_t(st.st_size));
}

MappedFile::MappedFile(MappedFile&& other) noexcept
    : addr_(std::exchange(other.addr_, nullptr)), size_(std::exchange(other.size_, 0)) {}

MappedFile& MappedFile::operator=(MappedFile&& other) noexcept {
  if (this != &other) {
    if (addr_ != nullptr) ::munmap(addr_, size_);
    addr_ = std::exchange(other.addr_, nullptr);
    size_ = std::exchange(other.size_, 0);
  }
  return *this;
}

MappedFile::~MappedFile() {
  if (addr_ != nullptr) ::munmap(addr_, size_);
}

}  // namespace neardup::eval
