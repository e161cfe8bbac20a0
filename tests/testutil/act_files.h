// Files and plans for the act tests (tests/act/): files with chosen bytes, mode and mtime, their
// state as undo must bring it back, and plans made from them.
#ifndef NEARDUP_TESTS_ACT_FILES_H_
#define NEARDUP_TESTS_ACT_FILES_H_

#include <sys/stat.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "neardup/act.h"

namespace neardup::testing {

// What undo must bring back exactly.
struct FileState {
  std::string bytes;
  mode_t mode = 0;
  int64_t mtime_ns = 0;
  bool operator==(const FileState& o) const {
    return bytes == o.bytes && mode == o.mode && mtime_ns == o.mtime_ns;
  }
};

// The state of the regular file at `path` (not followed if a symlink), or nullopt.
std::optional<FileState> StateOf(const std::string& path);

// Writes `bytes` to `path` (folders made), then sets `mode` and an mtime with nanoseconds.
void MakeFile(const std::string& path, const std::string& bytes, mode_t mode = 0640,
              int64_t mtime_ns = 1600000000123456789);

// A PlanFile with the size, mtime and SHA-256 the file has now.
PlanFile Facts(const std::string& path, bool keep);

// find --json-like text for `plan` (absolute paths, "cwd", "roots").
std::string PlanJson(const Plan& plan);

// The entries of a folder (names), sorted; empty when it does not exist.
std::vector<std::string> ListDir(const std::string& dir);

}  // namespace neardup::testing

#endif  // NEARDUP_TESTS_ACT_FILES_H_
