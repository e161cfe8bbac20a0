// A read-only memory mapping of a whole regular file (private to the eval layer): pairs files
// reach hundreds of megabytes, and mapping them avoids a copy.
#ifndef NEARDUP_SRC_EVAL_MAPPED_FILE_H_
#define NEARDUP_SRC_EVAL_MAPPED_FILE_H_

#include <string>
#include <string_view>

#include "neardup/status.h"

namespace neardup::eval {

class MappedFile {
 public:
  // Maps `path`. Errors (message starts with the path): NotFound, IOError (not a regular file,
  // permission, mmap failure). An empty file maps to an empty view.
  static StatusOr<MappedFile> Open(const std::string& path);

  MappedFile(MappedFile&& other) noexcept;
  MappedFile& operator=(MappedFile&& other) noexcept;
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;
  ~MappedFile();

  std::string_view data() const { return {static_cast<const char*>(addr_), size_}; }

 private:
  MappedFile(void* addr, size_t size) : addr_(addr), size_(size) {}
  void* addr_ = nullptr;
  size_t size_ = 0;
};

}  // namespace neardup::eval

#endif  // NEARDUP_SRC_EVAL_MAPPED_FILE_H_
