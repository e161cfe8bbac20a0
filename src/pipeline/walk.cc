#include "pipeline/walk.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <sys/stat.h>
#include <sys/statfs.h>

#include <algorithm>
#include <cstring>
#include <set>
#include <utility>

#include "core/file_type.h"

namespace neardup {
namespace {

std::string Join(const std::string& dir, const std::string& name) {
  if (!dir.empty() && dir.back() == '/') return dir + name;
  return dir + "/" + name;
}

// The name of the pseudo file system `path` is on (kernel state, not files a user keeps), or
// nullptr for a file system that stores files. Magic numbers from linux/magic.h.
const char* PseudoFileSystem(const std::string& path) {
  struct statfs fs;
  if (::statfs(path.c_str(), &fs) != 0) return nullptr;
  static constexpr struct {
    unsigned long magic;
    const char* name;
  } kPseudo[] = {
      {0x9fa0, "proc"},         {0x62656572, "sysfs"},       {0x1cd1, "devpts"},
      {0x27e0eb, "cgroup"},     {0x63677270, "cgroup2"},     {0x64626720, "debugfs"},
      {0x74726163, "tracefs"},  {0x73636673, "securityfs"},  {0x6165676c, "pstore"},
      {0xcafe4a11, "bpf"},      {0x62656570, "configfs"},    {0x65735543, "fusectl"},
      {0x19800202, "mqueue"},   {0x42494e4d, "binfmt_misc"}, {0xf97cff8c, "selinuxfs"},
      {0xde5e81e4, "efivarfs"}, {0x6e736673, "nsfs"},        {0x958458f6, "hugetlbfs"},
  };
  for (const auto& p : kPseudo) {
    if (static_cast<unsigned long>(fs.f_type) == p.magic) return p.name;
  }
  return nullptr;
}

class Walker {
 public:
  explicit Walker(const WalkOptions& options) : options_(options) {}

  void Input(const std::string& path) {
    struct stat st;
    if (!StatFollow(path, &st)) return;
    if (S_ISDIR(st.st_mode)) {
      if (const char* pseudo = PseudoFileSystem(path)) {
        Error(path, InvalidArgumentError(std::string("is on a pseudo file system (") + pseudo +
                                         "), which holds no photos: not walked"));
        return;
      }
      root_devices_.insert(st.st_dev);
      Dir(path, st);
    } else {
      File(path, st);  // named on the command line: tried whatever its extension
    }
  }

  WalkResult Take() {
    std::sort(out_.files.begin(), out_.files.end(),
              [](const ListedFile& a, const ListedFile& b) { return a.path < b.path; });
    out_.files.erase(
        std::unique(out_.files.begin(), out_.files.end(),
                    [](const ListedFile& a, const ListedFile& b) { return a.path == b.path; }),
        out_.files.end());
    std::sort(out_.errors.begin(), out_.errors.end(),
              [](const InputError& a, const InputError& b) { return a.path < b.path; });
    return std::move(out_);
  }

 private:
  void Error(const std::string& path, Status s) { out_.errors.push_back({path, std::move(s)}); }

  // stat() that follows links and reports why it failed, naming dangling links and loops.
  bool StatFollow(const std::string& path, struct stat* st) {
    if (::stat(path.c_str(), st) == 0) return true;
    int err = errno;
    struct stat lst;
    bool is_link = ::lstat(path.c_str(), &lst) == 0 && S_ISLNK(lst.st_mode);
    if (err == ELOOP) {
      Error(path, IOError("symlink loop"));
    } else if (err == ENOENT && is_link) {
      Error(path, NotFoundError("broken symlink (its target does not exist)"));
    } else if (err == ENOENT) {
      Error(path, NotFoundError("no such file or directory"));
    } else {
      Error(path, IOError(std::strerror(err)));
    }
    return false;
  }

  void File(const std::string& path, const struct stat& st) {
    if (!S_ISREG(st.st_mode)) {
      Error(path, InvalidArgumentError(std::string("not a regular file (") +
                                       FileTypeName(st.st_mode) + ")"));
      return;
    }
    // The same file reached twice (a symlink, a hard link, a folder alias) is listed once: shown
    // as its own duplicate, deleting one "copy" would delete the only one.
    if (!files_seen_.insert({st.st_dev, st.st_ino}).second) return;
    out_.files.push_back(
        {path, int64_t(st.st_size), int64_t(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec});
  }

  void Dir(const std::string& path, const struct stat& st) {
    const std::pair<dev_t, ino_t> id{st.st_dev, st.st_ino};
    if (std::find(ancestors_.begin(), ancestors_.end(), id) != ancestors_.end()) {
      Error(path, IOError("symlink loop (links back to a folder that contains it)"));
      return;
    }
    if (!visited_.insert(id).second) return;  // another name of a folder already listed
    ancestors_.push_back(id);
    ListDir(path);
    ancestors_.pop_back();
  }

  void ListDir(const std::string& path) {
    DIR* d = ::opendir(path.c_str());
    if (d == nullptr) {
      Error(path, IOError(std::string("cannot list folder: ") + std::strerror(errno)));
      return;
    }
    std::vector<std::string> names;
    while (struct dirent* e = ::readdir(d)) {
      if (std::strcmp(e->d_name, ".") == 0 || std::strcmp(e->d_name, "..") == 0) continue;
      names.emplace_back(e->d_name);
    }
    ::closedir(d);
    std::sort(names.begin(), names.end());
    for (const std::string& name : names) {
      const std::string child = Join(path, name);
      const bool image_name = HasImageExtension(name);
      struct stat lst;
      if (::lstat(child.c_str(), &lst) != 0) {
        if (errno == ENAMETOOLONG) {
          Error(child, IOError("path longer than the system's limit (PATH_MAX, " +
                               std::to_string(PATH_MAX) + " bytes): cannot be opened"));
        } else if (errno != ENOENT) {  // ENOENT: removed while the folder was listed
          Error(child, IOError(std::strerror(errno)));
        }
        continue;
      }
      // Non-image names are skipped without following them (a folder of sidecar files is normal).
      if (!S_ISDIR(lst.st_mode) && !S_ISLNK(lst.st_mode) && !image_name) {
        ++out_.skipped_non_images;
        continue;
      }
      struct stat cst;
      if (S_ISLNK(lst.st_mode)) {
        if (::stat(child.c_str(), &cst) != 0) {
          if (image_name) StatFollow(child, &cst);  // reports it; other names are not images
          continue;
        }
      } else {
        cst = lst;
      }
      if (S_ISDIR(cst.st_mode)) {
        if (options_.recursive) {
          if (FolderToEnter(child, cst)) Dir(child, cst);
        } else if (image_name) {
          Error(child, InvalidArgumentError("is a directory (use -r to search inside it)"));
        }
        continue;
      }
      if (!image_name) {
        ++out_.skipped_non_images;
        continue;
      }
      File(child, cst);
    }
  }

  // False (with a note) for a sub-folder on a pseudo file system, or on a device none of the
  // named folders is on unless cross_devices.
  bool FolderToEnter(const std::string& path, const struct stat& st) {
    if (root_devices_.count(st.st_dev) != 0) return true;
    if (const char* pseudo = PseudoFileSystem(path)) {
      out_.notes.push_back(path + ": not entered: a pseudo file system (" + pseudo + ")");
      return false;
    }
    if (options_.cross_devices) return true;
    out_.notes.push_back(path +
                         ": not entered: on another file system (use --cross-devices to include "
                         "it)");
    return false;
  }

  WalkOptions options_;
  std::set<dev_t> root_devices_;                    // devices of the named folders
  std::set<std::pair<dev_t, ino_t>> visited_;       // folders listed so far
  std::vector<std::pair<dev_t, ino_t>> ancestors_;  // folders being listed, outermost first
  std::set<std::pair<dev_t, ino_t>> files_seen_;
  WalkResult out_;
};

}  // namespace

bool HasImageExtension(const std::string& name) {
  static const char* kExts[] = {"jpg",  "jpeg", "jpe", "jfif", "png",  "webp", "tif",
                                "tiff", "bmp",  "gif", "heic", "heif", "avif"};
  size_t dot = name.rfind('.');
  if (dot == std::string::npos || dot + 1 >= name.size()) return false;
  std::string ext = name.substr(dot + 1);
  for (char& c : ext) c = char(std::tolower(static_cast<unsigned char>(c)));
  for (const char* e : kExts) {
    if (ext == e) return true;
  }
  return false;
}

WalkResult WalkInputs(const std::vector<std::string>& inputs, const WalkOptions& options) {
  Walker w(options);
  for (const std::string& in : inputs) w.Input(in);
  return w.Take();
}

}  // namespace neardup
