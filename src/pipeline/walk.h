// Listing the files to read from the command line's inputs (private to the library).
#ifndef NEARDUP_SRC_PIPELINE_WALK_H_
#define NEARDUP_SRC_PIPELINE_WALK_H_

#include <string>
#include <vector>

#include "neardup/find.h"

namespace neardup {

// A file the walk found, with the stat facts the cache is keyed on.
struct ListedFile {
  std::string path;  // as found
  int64_t size = 0;
  int64_t mtime_ns = 0;
};

struct WalkResult {
  std::vector<ListedFile> files;  // regular files to decode, sorted by path, no duplicates
  std::vector<InputError> errors;
  // Folders deliberately not entered (another file system, a pseudo file system), one line each
  // naming the folder and why: information, not failures.
  std::vector<std::string> notes;
  int64_t skipped_non_images = 0;
};

struct WalkOptions {
  bool recursive = false;  // descend into sub-folders of input folders
  // Enter folders (sub-folders, mount points, folder symlinks) on another device than the
  // named inputs' own. Off by default, like `find -xdev` and czkawka's "exclude other file
  // systems": a link in a photo folder must not turn a scan into a walk of the whole machine.
  bool cross_devices = false;
};

// True when `name` ends in one of the image extensions Scan lists (any case).
bool HasImageExtension(const std::string& name);

// Lists `inputs` as described at Scan (find.h). Never opens a file for reading.
// Pseudo file systems (proc, sysfs, cgroup, debugfs, ...) are never walked: named as an input
// they are an error, reached through a folder they are a note. A path longer than PATH_MAX is an
// error naming it (it cannot be opened), never silently skipped.
WalkResult WalkInputs(const std::vector<std::string>& inputs, const WalkOptions& options);
inline WalkResult WalkInputs(const std::vector<std::string>& inputs, bool recursive) {
  WalkOptions options;
  options.recursive = recursive;
  return WalkInputs(inputs, options);
}

}  // namespace neardup

#endif  // NEARDUP_SRC_PIPELINE_WALK_H_
