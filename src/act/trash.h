// The freedesktop.org Trash (https://specifications.freedesktop.org/trash-spec/latest/): the home
// trash $XDG_DATA_HOME/Trash (default ~/.local/share/Trash) for files on its file system, else
// the trash at the top of the file's volume: $topdir/.Trash/$uid when $topdir/.Trash is a
// sticky folder and no symlink, else $topdir/.Trash-$uid (mode 0700). A file is never copied
// across file systems to reach a trash.
#ifndef NEARDUP_SRC_ACT_TRASH_H_
#define NEARDUP_SRC_ACT_TRASH_H_

#include <sys/types.h>

#include <ctime>
#include <string>
#include <string_view>

#include "neardup/status.h"

namespace neardup::act {

struct TrashDir {
  std::string root;   // the trash folder itself
  std::string files;  // root + "/files"
  std::string info;   // root + "/info"
};

// $XDG_DATA_HOME/Trash, or $HOME/.local/share/Trash.
std::string HomeTrashPath();

// The trash for the (canonical) file `path`: the home trash when it is on the same device (of
// the home trash, or of its nearest existing folder), else its volume's. `create`: make the
// folders that are missing (false for a dry run: nothing is created, the path is what it would
// be). IOError saying why no trash can take the file.
StatusOr<TrashDir> TrashFor(const std::string& path, bool create);

// The volume trash under `topdir` for `uid` (the rules above). IOError when neither is usable.
StatusOr<TrashDir> TopdirTrash(const std::string& topdir, uid_t uid, bool create);

// The mount point of the file system holding `path` (the highest folder on its device).
std::string MountTopdir(const std::string& path);

// RFC 2396 escaping of a path for "Path=": bytes other than unreserved characters and '/' become
// %XX (uppercase hex).
std::string PercentEncode(std::string_view path);

// "[Trash Info]\nPath=<encoded>\nDeletionDate=YYYY-MM-DDThh:mm:ss\n" (local time).
std::string TrashInfoText(const std::string& original, std::time_t when);

// The first name free in both files/ and info/ (name.trashinfo): "a.jpg", "a.2.jpg", "a.3.jpg"...
std::string FreeTrashName(const TrashDir& trash, const std::string& name);

// Creates info/NAME.trashinfo with O_EXCL and writes and fsyncs it and its folder. EEXIST is
// ResourceExhausted (the caller picks another name); other errors IOError.
Status WriteTrashInfo(const TrashDir& trash, const std::string& name, const std::string& original);

}  // namespace neardup::act

#endif  // NEARDUP_SRC_ACT_TRASH_H_
