// Listing the files to read from the command line's inputs (private to the library).
#ifndef NEARDUP_SRC_PIPELINE_WALK_H_
#define NEARDUP_SRC_PIPELINE_WALK_H_

#include <string>
#include <vector>

#include "neardup/find.h"

namespace neardup {

struct Candidate {
  std::string path;  // as found
  int64_t size = 0;
  int64_t mtime_ns = 0;
};

struct WalkResult {
  std::vector<Candidate> files;  // regular files to decode, sorted by path, no duplicates
  std::vector<InputError> errors;
  int64_t skipped_non_images = 0;
};

// True when `name` ends in one of the image extensions Scan lists (any case).
bool HasImageExtension(const std::string& name);

// Lists `inputs` as described at Scan (find.h). Never opens a file for reading.
WalkResult WalkInputs(const std::vector<std::string>& inputs, bool recursive);

}  // namespace neardup

#endif  // NEARDUP_SRC_PIPELINE_WALK_H_
