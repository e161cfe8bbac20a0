// A word for a file's type from its st_mode, for error messages (private to the library).
#ifndef NEARDUP_SRC_CORE_FILE_TYPE_H_
#define NEARDUP_SRC_CORE_FILE_TYPE_H_

#include <sys/stat.h>

namespace neardup {

inline const char* FileTypeName(mode_t mode) {
  if (S_ISREG(mode)) return "regular file";
  if (S_ISDIR(mode)) return "directory";
  if (S_ISFIFO(mode)) return "FIFO";
  if (S_ISCHR(mode)) return "character device";
  if (S_ISBLK(mode)) return "block device";
  if (S_ISSOCK(mode)) return "socket";
  if (S_ISLNK(mode)) return "symlink";
  return "special file";
}

}  // namespace neardup

#endif  // NEARDUP_SRC_CORE_FILE_TYPE_H_
