// File-system steps the actions are made of (POSIX, Linux): canonical paths, fsync of files and
// folders, renames that never replace, and a copy that keeps bytes, mode and mtime. Every error
// names the path and the reason. Paths are byte strings; nothing here follows a symlink unless
// it says so.
#ifndef NEARDUP_SRC_ACT_FS_OPS_H_
#define NEARDUP_SRC_ACT_FS_OPS_H_

#include <sys/stat.h>

#include <cstdint>
#include <string>

#include "neardup/status.h"

namespace neardup::act {

// A Status for a failed system call: NotFound for ENOENT, else IOError; "<path>: <what>: <why>".
Status ErrnoStatus(const std::string& path, const std::string& what, int error);

// realpath(3): the absolute path with every symlink, "." and ".." resolved.
StatusOr<std::string> RealPath(const std::string& path);

// `path` is `root` or below it; both canonical (RealPath), compared component-wise as bytes.
bool IsInside(const std::string& path, const std::string& root);

// The folder part ("/a/b" for "/a/b/c"; "/" for "/c") and the last component of a path.
std::string DirName(const std::string& path);
std::string BaseName(const std::string& path);

// lstat(2): true and fills `st` when something is at `path` (a dangling symlink counts).
bool LStat(const std::string& path, struct stat* st);
bool Exists(const std::string& path);

// mkdir -p with `mode` for the folders it creates; fsyncs each parent it adds to.
Status MakeDirs(const std::string& dir, mode_t mode);

// fsync(2) of a folder, so a rename or create in it survives a crash.
Status FsyncDir(const std::string& dir);

// rename(2) that fails with EEXIST instead of replacing `to` (renameat2 RENAME_NOREPLACE).
// Returns 0 or the errno (EXDEV: another file system).
int RenameNoReplace(const std::string& from, const std::string& to);

// Copies the regular file `from` to `to`, which must not exist (O_EXCL): bytes, permission bits
// and mtime (atime too); fsyncs the new file and its folder. On failure `to` is removed again.
Status CopyPreserving(const std::string& from, const std::string& to);

// Moves `from` to `to` (which must not exist; its folder must): a rename on one file system, else
// CopyPreserving to `to` + kPartSuffix, a rename to `to`, fsync, and unlink of `from`. Folders of
// both ends are fsync'ed. `from` is left in place on any failure before its unlink.
inline constexpr const char* kPartSuffix = ".neardup-part";
Status MoveFile(const std::string& from, const std::string& to);

// True when both files hold the same bytes. IOError naming the file that cannot be read.
StatusOr<bool> SameBytes(const std::string& a, const std::string& b);

// Nanoseconds since the epoch of st_mtim.
inline int64_t MtimeNs(const struct stat& st) {
  return int64_t(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec;
}

}  // namespace neardup::act

#endif  // NEARDUP_SRC_ACT_FS_OPS_H_
