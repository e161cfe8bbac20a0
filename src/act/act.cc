// Act (neardup/act.h): the per-file checks, then each action journaled before and after.
#include "neardup/act.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <ctime>
#include <filesystem>
#include <memory>

#include "act/fs_ops.h"
#include "act/journal.h"
#include "act/trash.h"

namespace neardup {
namespace {

using act::JournalEntry;
using act::JournalWriter;

// Gives up after this many trash names taken by someone else between our look and our create.
constexpr int kTrashNameTries = 100;

// A file that passed the checks: its canonical path, what stat said then, and its root.
struct Checked {
  std::string canon;
  std::string root;
  struct stat st {};
};

std::string LocalIsoTime(std::time_t t) {
  std::tm tm{};
  localtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  return buf;
}

bool HasFacts(const PlanFile& f) { return f.bytes >= 0 && f.mtime_ns >= 0 && !f.sha256.empty(); }

// The checks made just before a file is touched. The error's message is the reason it is not.
StatusOr<Checked> Check(const PlanFile& f, const std::vector<std::string>& roots) {
  struct stat lst;
  if (!act::LStat(f.path, &lst)) {
    return errno == ENOENT ? NotFoundError("gone since the scan")
                           : act::ErrnoStatus(f.path, "cannot stat", errno);
  }
  Checked c;
  StatusOr<std::string> canon = act::RealPath(f.path);
  if (!canon.ok()) {
    return InvalidArgumentError(S_ISLNK(lst.st_mode) ? "a symbolic link that leads nowhere now"
                                                     : canon.status().message());
  }
  c.canon = *canon;
  for (const std::string& r : roots) {
    if (act::IsInside(c.canon, r) && r.size() > c.root.size()) c.root = r;
  }
  if (c.root.empty()) {
    return InvalidArgumentError("outside the scanned roots (it resolves to " + c.canon + ")");
  }
  if (S_ISLNK(lst.st_mode)) {
    return InvalidArgumentError("a symbolic link now, not the file the scan saw");
  }
  if (!S_ISREG(lst.st_mode)) return InvalidArgumentError("no longer a regular file");
  if (::stat(c.canon.c_str(), &c.st) != 0) return act::ErrnoStatus(c.canon, "cannot stat", errno);
  if (c.st.st_size != f.bytes) {
    return InvalidArgumentError("changed since the scan (" + std::to_string(c.st.st_size) +
                                " bytes, the plan says " + std::to_string(f.bytes) + ")");
  }
  if (act::MtimeNs(c.st) != f.mtime_ns) {
    return InvalidArgumentError("changed since the scan (modified again)");
  }
  ASSIGN_OR_RETURN(const std::string sha, FileSha256(c.canon));
  if (sha != f.sha256) return InvalidArgumentError("changed since the scan (other content)");
  return c;
}

// The kept file is still the one Check saw (same inode, size and mtime).
bool StillSame(const Checked& c) {
  struct stat st;
  return ::lstat(c.canon.c_str(), &st) == 0 && S_ISREG(st.st_mode) && st.st_dev == c.st.st_dev &&
         st.st_ino == c.st.st_ino && st.st_size == c.st.st_size &&
         act::MtimeNs(st) == act::MtimeNs(c.st);
}

class Runner {
 public:
  Runner(const ActOptions& o, std::unique_ptr<JournalWriter> journal)
      : o_(o), journal_(std::move(journal)) {}

  // Acts on `dup` (checked) whose group keeps `keep`. Returns the record's detail; fills
  // `destination`. An error is a failure with the file where it was.
  StatusOr<std::string> Do(const Checked& dup, const Checked& keep, std::string* destination);

  StatusOr<std::string> Plan(const Checked& dup, const Checked& keep, std::string* destination);

  Status End(const ActReport& r) {
    JournalEntry e;
    e.type = "end";
    e.done = r.done;
    e.skipped = r.skipped;
    e.failed = r.failed;
    return journal_->Append(e);
  }

 private:
  JournalEntry Intent(const Checked& dup, const Checked& keep) {
    JournalEntry e;
    e.type = "intent";
    e.id = ++last_id_;
    e.op = ActionKindName(o_.kind);
    e.path = dup.canon;
    e.keep = keep.canon;
    return e;
  }
  Status Mark(const char* type, int64_t id) {
    JournalEntry e;
    e.type = type;
    e.id = id;
    return journal_->Append(e);
  }
  // Journals `intent` with a free trash name, writes the .trashinfo and renames the file into
  // the trash. On success the intent is journaled and not yet marked done.
  Status ToTrash(JournalEntry* intent);
  // Puts a trashed file back after a later step failed, and abandons the intent.
  void PutBack(const JournalEntry& intent);
  std::string MoveDest(const Checked& dup) const {
    const std::string rel =
        dup.canon == dup.root ? act::BaseName(dup.canon) : dup.canon.substr(dup.root.size() + 1);
    return o_.move_to + "/" + rel;
  }

  const ActOptions& o_;
  std::unique_ptr<JournalWriter> journal_;
  int64_t last_id_ = 0;
};

Status Runner::ToTrash(JournalEntry* intent) {
  ASSIGN_OR_RETURN(const act::TrashDir trash, act::TrashFor(intent->path, /*create=*/true));
  for (int tries = 0; tries < kTrashNameTries; ++tries) {
    const std::string name = act::FreeTrashName(trash, act::BaseName(intent->path));
    intent->dest = trash.files + "/" + name;
    intent->info = trash.info + "/" + name + ".trashinfo";
    RETURN_IF_ERROR(journal_->Append(*intent));
    Status info = act::WriteTrashInfo(trash, name, intent->path);
    if (!info.ok()) {
      RETURN_IF_ERROR(Mark("abandon", intent->id));
      if (info.code() == StatusCode::kResourceExhausted) {
        intent->id = ++last_id_;
        continue;
      }
      return info;
    }
    const int e = act::RenameNoReplace(intent->path, intent->dest);
    if (e != 0) {
      ::unlink(intent->info.c_str());
      RETURN_IF_ERROR(Mark("abandon", intent->id));
      if (e == EEXIST) {
        intent->id = ++last_id_;
        continue;
      }
      return act::ErrnoStatus(intent->path, "cannot move into " + trash.files, e);
    }
    RETURN_IF_ERROR(act::FsyncDir(trash.files));
    return act::FsyncDir(act::DirName(intent->path));
  }
  return IOError(intent->path + ": no free name in " + trash.files);
}

void Runner::PutBack(const JournalEntry& intent) {
  if (act::RenameNoReplace(intent.dest, intent.path) == 0) {
    ::unlink(intent.info.c_str());
    (void)act::FsyncDir(act::DirName(intent.path));
    (void)Mark("abandon", intent.id);
  }
  // Else the original stays in the trash with its .trashinfo and the intent open: Undo brings
  // it back once its path is free.
}

StatusOr<std::string> Runner::Plan(const Checked& dup, const Checked& keep,
                                   std::string* destination) {
  switch (o_.kind) {
    case ActionKind::kTrash: {
      ASSIGN_OR_RETURN(const act::TrashDir t, act::TrashFor(dup.canon, /*create=*/false));
      *destination = t.files + "/" + act::BaseName(dup.canon);
      return "would trash into " + t.files;
    }
    case ActionKind::kMoveTo:
      *destination = MoveDest(dup);
      if (act::Exists(*destination)) {
        return InvalidArgumentError(*destination + " already exists (never replaced)");
      }
      return "would move to " + *destination;
    case ActionKind::kHardlink:
      RETURN_IF_ERROR(act::TrashFor(dup.canon, /*create=*/false).status());
      return "would replace by a hard link to " + keep.canon;
    case ActionKind::kSymlink:
      RETURN_IF_ERROR(act::TrashFor(dup.canon, /*create=*/false).status());
      return "would replace by a symbolic link to " + keep.canon;
    case ActionKind::kDelete:
      return std::string("would delete (irreversible)");
  }
  return std::string();
}

StatusOr<std::string> Runner::Do(const Checked& dup, const Checked& keep,
                                 std::string* destination) {
  JournalEntry intent = Intent(dup, keep);
  switch (o_.kind) {
    case ActionKind::kTrash:
      RETURN_IF_ERROR(ToTrash(&intent));
      RETURN_IF_ERROR(Mark("done", intent.id));
      *destination = intent.dest;
      return "trashed as " + intent.dest;
    case ActionKind::kMoveTo: {
      intent.dest = MoveDest(dup);
      if (act::Exists(intent.dest)) {
        return InvalidArgumentError(intent.dest + " already exists (never replaced)");
      }
      RETURN_IF_ERROR(act::MakeDirs(act::DirName(intent.dest), 0755));
      RETURN_IF_ERROR(journal_->Append(intent));
      Status s = act::MoveFile(dup.canon, intent.dest);
      if (!s.ok()) {
        // A copy that could not remove its source: the copy goes, the file stays.
        if (act::Exists(dup.canon) && act::Exists(intent.dest)) ::unlink(intent.dest.c_str());
        if (act::Exists(dup.canon)) RETURN_IF_ERROR(Mark("abandon", intent.id));
        return s;
      }
      RETURN_IF_ERROR(Mark("done", intent.id));
      *destination = intent.dest;
      return "moved to " + intent.dest;
    }
    case ActionKind::kHardlink:
    case ActionKind::kSymlink: {
      const bool hard = o_.kind == ActionKind::kHardlink;
      if (hard) {
        intent.keep_dev = int64_t(keep.st.st_dev);
        intent.keep_ino = int64_t(keep.st.st_ino);
      }
      RETURN_IF_ERROR(ToTrash(&intent));
      const int r = hard ? ::link(keep.canon.c_str(), dup.canon.c_str())
                         : ::symlink(keep.canon.c_str(), dup.canon.c_str());
      if (r != 0) {
        const int e = errno;
        PutBack(intent);
        return act::ErrnoStatus(
            dup.canon, hard ? "cannot make the hard link" : "cannot make the symbolic link", e);
      }
      RETURN_IF_ERROR(act::FsyncDir(act::DirName(dup.canon)));
      RETURN_IF_ERROR(Mark("done", intent.id));
      *destination = intent.dest;
      return std::string(hard ? "replaced by a hard link to " : "replaced by a symbolic link to ") +
             keep.canon + " (the original trashed as " + intent.dest + ")";
    }
    case ActionKind::kDelete:
      RETURN_IF_ERROR(journal_->Append(intent));
      if (::unlink(dup.canon.c_str()) != 0) {
        const int e = errno;
        RETURN_IF_ERROR(Mark("abandon", intent.id));
        return act::ErrnoStatus(dup.canon, "cannot delete", e);
      }
      RETURN_IF_ERROR(act::FsyncDir(act::DirName(dup.canon)));
      RETURN_IF_ERROR(Mark("done", intent.id));
      return std::string("deleted");
  }
  return std::string();
}

StatusOr<std::vector<std::string>> CanonicalRoots(const std::vector<std::string>& in) {
  std::vector<std::string> out;
  for (const std::string& r : in) {
    StatusOr<std::string> c = act::RealPath(r);
    if (c.ok()) out.push_back(*c);  // a root that is gone bounds nothing
  }
  return out;
}

}  // namespace

const char* ActionKindName(ActionKind kind) {
  switch (kind) {
    case ActionKind::kTrash:
      return "trash";
    case ActionKind::kMoveTo:
      return "move";
    case ActionKind::kHardlink:
      return "hardlink";
    case ActionKind::kSymlink:
      return "symlink";
    case ActionKind::kDelete:
      return "delete";
  }
  return "?";
}

const char* OutcomeName(Outcome outcome) {
  switch (outcome) {
    case Outcome::kDone:
      return "done";
    case Outcome::kSkipped:
      return "skipped";
    case Outcome::kFailed:
      return "failed";
  }
  return "?";
}

StatusOr<ActReport> Act(const Plan& plan, const ActOptions& options) {
  ActOptions o = options;
  if (plan.roots.empty()) {
    return InvalidArgumentError("the plan names no scanned roots (make it with find --json)");
  }
  ASSIGN_OR_RETURN(const std::vector<std::string> roots, CanonicalRoots(plan.roots));
  if (!o.roots.empty()) {
    ASSIGN_OR_RETURN(const std::vector<std::string> bounds, CanonicalRoots(o.roots));
    for (const std::string& r : roots) {
      bool inside = false;
      for (const std::string& b : bounds) inside = inside || act::IsInside(r, b);
      if (!inside) return InvalidArgumentError("plan root " + r + " is outside the allowed roots");
    }
  }
  if (o.kind == ActionKind::kMoveTo) {
    if (o.move_to.empty()) return InvalidArgumentError("move: no destination folder given");
    o.move_to = std::filesystem::absolute(o.move_to).lexically_normal().string();
    if (o.move_to.size() > 1 && o.move_to.back() == '/') o.move_to.pop_back();
    if (!o.dry_run) {
      RETURN_IF_ERROR(act::MakeDirs(o.move_to, 0755));
      ASSIGN_OR_RETURN(o.move_to, act::RealPath(o.move_to));
    }
  }
  ActReport report;
  std::unique_ptr<JournalWriter> journal;
  if (!o.dry_run) {
    JournalEntry start;
    start.type = "start";
    start.kind = ActionKindName(o.kind);
    start.started = LocalIsoTime(std::time(nullptr));
    ASSIGN_OR_RETURN(
        journal,
        JournalWriter::Create(o.journal_dir.empty() ? DefaultJournalDir() : o.journal_dir, start));
    report.journal = journal->path();
  }
  Runner runner(o, std::move(journal));
  auto add = [&](const PlanFile& f, const std::string& keep, Outcome outcome, std::string detail,
                 std::string destination = {}) {
    report.actions.push_back({f.path, keep, outcome, std::move(detail), std::move(destination)});
    (outcome == Outcome::kDone      ? report.done
     : outcome == Outcome::kSkipped ? report.skipped
                                    : report.failed)++;
  };
  for (const PlanGroup& g : plan.groups) {
    const PlanFile* keep = nullptr;
    bool facts = true;
    for (const PlanFile& f : g.files) {
      if (f.keep) keep = &f;
      facts = facts && HasFacts(f);
    }
    if (!keep) continue;  // ParsePlan guarantees one; a hand-made Plan may not
    auto skip_group = [&](const std::string& why) {
      for (const PlanFile& f : g.files) {
        if (!f.keep) add(f, keep->path, Outcome::kSkipped, why);
      }
    };
    if (!facts) {
      skip_group("the plan has no size, mtime and SHA-256 for its group: make it with find --json");
      continue;
    }
    StatusOr<Checked> kept = Check(*keep, roots);
    if (!kept.ok()) {
      skip_group(
          "group skipped: the kept file " + keep->path + " is " +
          (kept.status().code() == StatusCode::kNotFound ? "gone" : kept.status().message()));
      continue;
    }
    for (const PlanFile& f : g.files) {
      if (f.keep) continue;
      if (!StillSame(*kept)) {
        add(f, keep->path, Outcome::kSkipped, "the kept file " + keep->path + " changed: skipped");
        continue;
      }
      StatusOr<Checked> dup = Check(f, roots);
      if (!dup.ok()) {
        add(f, keep->path, Outcome::kSkipped, dup.status().message());
        continue;
      }
      if (dup->canon == kept->canon) {
        add(f, keep->path, Outcome::kSkipped, "it is the kept file (" + kept->canon + ")");
        continue;
      }
      if (o.kind == ActionKind::kHardlink) {
        if (dup->st.st_dev != kept->st.st_dev) {
          add(f, keep->path, Outcome::kSkipped, "on another file system than the kept file");
          continue;
        }
        if (dup->st.st_ino == kept->st.st_ino) {
          add(f, keep->path, Outcome::kSkipped, "already a hard link to the kept file");
          continue;
        }
        if (!o.force) {
          StatusOr<bool> same = act::SameBytes(dup->canon, kept->canon);
          if (!same.ok() || !*same) {
            add(f, keep->path, Outcome::kSkipped,
                same.ok() ? "not byte-identical to the kept file (--force links it anyway)"
                          : same.status().message());
            continue;
          }
        }
      }
      std::string destination;
      StatusOr<std::string> detail =
          o.dry_run ? runner.Plan(*dup, *kept, &destination) : runner.Do(*dup, *kept, &destination);
      if (detail.ok()) {
        add(f, keep->path, Outcome::kDone, *detail, destination);
      } else {
        const bool rule = detail.status().code() == StatusCode::kInvalidArgument;
        add(f, keep->path, rule ? Outcome::kSkipped : Outcome::kFailed, detail.status().message());
      }
    }
  }
  if (!o.dry_run) RETURN_IF_ERROR(runner.End(report));
  return report;
}

}  // namespace neardup
