#include "pipeline/local_spill.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

namespace neardup {

StatusOr<std::unique_ptr<LocalSpill>> LocalSpill::Create(const std::string& folder) {
  std::string dir = folder;
  if (dir.empty()) {
    const char* tmp = std::getenv("TMPDIR");
    dir = tmp && *tmp ? tmp : "/tmp";
  }
  std::string name = dir + "/neardup-local-XXXXXX";
  const int fd = mkostemp(name.data(), O_CLOEXEC);
  if (fd < 0) {
    return IOError("temporary file for local features in " + dir + ": " + std::strerror(errno));
  }
  unlink(name.c_str());  // gone when closed, whatever happens to the process
  return std::unique_ptr<LocalSpill>(new LocalSpill(fd));
}

LocalSpill::~LocalSpill() {
  if (fd_ >= 0) close(fd_);
}

StatusOr<LocalSpill::Ticket> LocalSpill::Write(const std::vector<uint8_t>& bytes) {
  Ticket t{end_.fetch_add(bytes.size()), bytes.size()};
  size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t w = pwrite(fd_, bytes.data() + done, bytes.size() - done, off_t(t.offset + done));
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) {
      return IOError(std::string("temporary file for local features: ") +
                     (w < 0 ? std::strerror(errno) : "nothing written"));
    }
    done += size_t(w);
  }
  return t;
}

StatusOr<std::vector<uint8_t>> LocalSpill::Load(int64_t item) const {
  if (item < 0 || item >= int64_t(items_.size())) {
    return InvalidArgumentError("no spilled local features for item " + std::to_string(item));
  }
  const Ticket& t = items_[item];
  std::vector<uint8_t> out(t.size);
  size_t done = 0;
  while (done < out.size()) {
    const ssize_t r = pread(fd_, out.data() + done, out.size() - done, off_t(t.offset + done));
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) {
      return IOError(std::string("temporary file for local features: ") +
                     (r < 0 ? std::strerror(errno) : "shorter than written"));
    }
    done += size_t(r);
  }
  return out;
}

}  // namespace neardup
