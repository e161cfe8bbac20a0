// The freedesktop.org Trash (trash.h).
#include "act/trash.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>

#include "act/fs_ops.h"

namespace neardup::act {
namespace {

TrashDir Layout(const std::string& root) { return {root, root + "/files", root + "/info"}; }

Status CreateLayout(const TrashDir& t) {
  RETURN_IF_ERROR(MakeDirs(t.files, 0700));
  return MakeDirs(t.info, 0700);
}

// The device of `path`, or of its nearest existing folder.
dev_t DeviceOf(std::string path) {
  struct stat st;
  while (::stat(path.c_str(), &st) != 0) {
    const std::string up = DirName(path);
    if (up == path) return 0;
    path = up;
  }
  return st.st_dev;
}

}  // namespace

std::string HomeTrashPath() {
  const char* data = std::getenv("XDG_DATA_HOME");
  if (data && data[0] == '/') return std::string(data) + "/Trash";
  const char* home = std::getenv("HOME");
  return std::string(home && home[0] ? home : "/") + "/.local/share/Trash";
}

std::string MountTopdir(const std::string& path) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) return "/";
  std::string dir = S_ISDIR(st.st_mode) ? path : DirName(path);
  const dev_t dev = st.st_dev;
  for (;;) {
    const std::string up = DirName(dir);
    struct stat ust;
    if (up == dir || ::stat(up.c_str(), &ust) != 0 || ust.st_dev != dev) return dir;
    dir = up;
  }
}

StatusOr<TrashDir> TopdirTrash(const std::string& topdir, uid_t uid, bool create) {
  const std::string base = topdir == "/" ? "" : topdir;
  const std::string uid_s = std::to_string(uid);
  std::string why_not_shared;
  struct stat st;
  const std::string shared = base + "/.Trash";
  if (LStat(shared, &st)) {
    if (S_ISLNK(st.st_mode)) {
      why_not_shared = shared + " is a symbolic link";
    } else if (!S_ISDIR(st.st_mode)) {
      why_not_shared = shared + " is not a folder";
    } else if (!(st.st_mode & S_ISVTX)) {
      why_not_shared = shared + " is not sticky";
    } else {
      TrashDir t = Layout(shared + "/" + uid_s);
      if (!create) return t;
      if (::mkdir(t.root.c_str(), 0700) == 0 || errno == EEXIST) {
        struct stat ut;
        if (LStat(t.root, &ut) && S_ISDIR(ut.st_mode) && ut.st_uid == uid && CreateLayout(t).ok()) {
          return t;
        }
      }
      why_not_shared = t.root + " cannot be used";
    }
  }
  TrashDir t = Layout(base + "/.Trash-" + uid_s);
  if (LStat(t.root, &st)) {
    if (S_ISLNK(st.st_mode) || !S_ISDIR(st.st_mode) || st.st_uid != uid) {
      return IOError(t.root + " is not a folder of this user" +
                     (why_not_shared.empty() ? "" : " (and " + why_not_shared + ")"));
    }
  } else {
    if (!create) return t;
    if (::mkdir(t.root.c_str(), 0700) != 0 && errno != EEXIST) {
      return ErrnoStatus(t.root, "cannot create the volume's trash", errno);
    }
    RETURN_IF_ERROR(FsyncDir(topdir));
  }
  if (create) RETURN_IF_ERROR(CreateLayout(t));
  return t;
}

StatusOr<TrashDir> TrashFor(const std::string& path, bool create) {
  const TrashDir home = Layout(HomeTrashPath());
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) return ErrnoStatus(path, "cannot stat", errno);
  if (st.st_dev == DeviceOf(home.root)) {
    if (create) {
      Status s = CreateLayout(home);
      if (!s.ok()) return IOError(path + ": the home trash cannot be used: " + s.message());
    }
    return home;
  }
  const std::string topdir = MountTopdir(path);
  StatusOr<TrashDir> t = TopdirTrash(topdir, ::getuid(), create);
  if (!t.ok()) {
    return IOError(path + ": no usable trash on its file system (top " + topdir + ", not that of " +
                   home.root + "): " + t.status().message() +
                   "; not copied across file systems (use --move-to or --delete)");
  }
  return t;
}

std::string PercentEncode(std::string_view path) {
  static const char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : path) {
    const bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                       c == '/' || c == '-' || c == '_' || c == '.' || c == '~' || c == '!' ||
                       c == '*' || c == '\'' || c == '(' || c == ')';
    if (plain) {
      out.push_back(char(c));
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  return out;
}

std::string TrashInfoText(const std::string& original, std::time_t when) {
  std::tm tm{};
  localtime_r(&when, &tm);
  char date[32];
  std::strftime(date, sizeof date, "%Y-%m-%dT%H:%M:%S", &tm);
  return "[Trash Info]\nPath=" + PercentEncode(original) + "\nDeletionDate=" + date + "\n";
}

std::string FreeTrashName(const TrashDir& trash, const std::string& name) {
  // "a.tar.gz" -> "a.tar" + ".gz": the number goes before the last extension.
  const size_t dot = name.find_last_of('.');
  const bool ext = dot != std::string::npos && dot > 0;
  const std::string stem = ext ? name.substr(0, dot) : name;
  const std::string tail = ext ? name.substr(dot) : "";
  for (int n = 1;; ++n) {
    const std::string cand = n == 1 ? name : stem + "." + std::to_string(n) + tail;
    if (!Exists(trash.files + "/" + cand) && !Exists(trash.info + "/" + cand + ".trashinfo")) {
      return cand;
    }
  }
}

Status WriteTrashInfo(const TrashDir& trash, const std::string& name, const std::string& original) {
  const std::string path = trash.info + "/" + name + ".trashinfo";
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) {
    if (errno == EEXIST) return ResourceExhaustedError(path + ": exists");
    return ErrnoStatus(path, "cannot create", errno);
  }
  const std::string text = TrashInfoText(original, std::time(nullptr));
  const bool ok = ::write(fd, text.data(), text.size()) == ssize_t(text.size()) && ::fsync(fd) == 0;
  const int e = errno;
  ::close(fd);
  if (!ok) {
    ::unlink(path.c_str());
    return ErrnoStatus(path, "cannot write", e);
  }
  return FsyncDir(trash.info);
}

}  // namespace neardup::act
