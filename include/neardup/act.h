// Acting on a find plan: trash, move, hardlink, symlink or delete the duplicates a person chose,
// safely, with a journal from which every action but a delete is undone exactly.
//
// A plan is `neardup find --json` output, optionally edited by the person (which file of a group
// has "keep": true, which groups are left in). The rules, checked for every file just before
// it is touched (not only when the plan is read):
//  - only files with "keep": false are acted on, and a group is acted on only while its kept file
//    is still there and unchanged: the last remaining member of a group is never removed;
//  - a file whose size, mtime or content hash (SHA-256) differs from the plan is skipped
//    ("changed since the scan"), as is one that is gone or is no longer a regular file;
//  - a path outside the plan's scanned roots (or the caller's, when given) is refused, after
//    symlinks and ".." are resolved;
//  - a hardlink is made only on the same file system and only to a byte-identical kept file,
//    unless `force`.
// Every action is appended to the journal (one JSON object per line, fsync'ed) before it
// happens and marked done after, so a process killed at any point (kill -9) leaves every file
// either where it was or where the journal says, and Undo or a re-run of the plan completes.
// Nothing here runs unless the caller asks: ActOptions::dry_run is true by default.
#ifndef NEARDUP_ACT_H_
#define NEARDUP_ACT_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "neardup/status.h"

namespace neardup {

// ---- The plan -------------------------------------------------------------------------------
struct PlanFile {
  std::string path;   // absolute (resolved against the plan's "cwd"); "path_hex" bytes when given
  bool keep = false;  // the one file of its group that stays
  // What the scan saw. A file (kept or not) whose plan lacks any of them is never acted on: Act
  // skips its group ("the plan has no size, mtime and SHA-256 for it: make it with find --json").
  int64_t bytes = -1;      // -1: not in the plan
  int64_t mtime_ns = -1;   // -1: not in the plan
  std::string sha256;      // lowercase hex; empty: not in the plan
};

struct PlanGroup {
  std::vector<PlanFile> files;  // exactly one has keep = true (ParsePlan checks)
};

struct Plan {
  // Absolute folders or files the scan was given (find --json "roots"); actions stay inside.
  std::vector<std::string> roots;
  std::vector<PlanGroup> groups;
};

// Parses find --json output (extra fields are ignored): "cwd" (the absolute working folder of the
// scan), "roots" (absolute), "groups"[].files[]: "path" (or "path_hex"), "keep", "bytes",
// "mtime_ns", "sha256". A relative path is resolved against "cwd". InvalidArgument naming what is
// wrong: not JSON, no "groups", a group without exactly one kept file, a file in two groups, a
// relative path and no "cwd".
StatusOr<Plan> ParsePlan(std::string_view json);

// The lowercase hex SHA-256 of a file's bytes. NotFound / IOError naming the path.
StatusOr<std::string> FileSha256(const std::string& path);

// ---- Acting ---------------------------------------------------------------------------------
enum class ActionKind {
  kTrash,     // to the freedesktop.org Trash ($XDG_DATA_HOME/Trash or the volume's .Trash-$uid)
  kMoveTo,    // into ActOptions::move_to, under the file's path relative to its root
  kHardlink,  // replaced by a hard link to the kept file (the original goes to the Trash first)
  kSymlink,   // replaced by a symlink to the kept file (the original goes to the Trash first)
  kDelete,    // unlinked: the one action Undo cannot reverse
};
const char* ActionKindName(ActionKind kind);  // "trash", "move", "hardlink", "symlink", "delete"

struct ActOptions {
  ActionKind kind = ActionKind::kTrash;
  std::string move_to;    // kMoveTo: the destination folder (created when missing)
  bool dry_run = true;    // true: report what would happen, touch nothing, write no journal
  bool force = false;     // hardlink files that are not byte-identical
  // Roots that bound the actions; empty = the plan's. A plan root outside these is refused.
  std::vector<std::string> roots;
  std::string journal_dir;  // empty = DefaultJournalDir()
};

enum class Outcome {
  kDone,     // it happened (or, in a dry run, would happen)
  kSkipped,  // a rule said no (changed since the scan, outside the roots, last member, ...)
  kFailed,   // the operating system refused; the file is where it was
};
const char* OutcomeName(Outcome outcome);  // "done", "skipped", "failed"

struct ActionRecord {
  std::string path;         // the duplicate
  std::string keep;         // its group's kept file
  Outcome outcome = Outcome::kDone;
  std::string detail;       // why skipped/failed, or what was done ("trashed as foo.2.jpg")
  std::string destination;  // where the file went (trash, move), empty otherwise
};

struct ActReport {
  std::string journal;  // the journal written (empty in a dry run)
  std::vector<ActionRecord> actions;
  int64_t done = 0, skipped = 0, failed = 0;
};

// Acts on every non-kept file of the plan in order. The returned Status fails only for bad
// options (no move_to for kMoveTo, a journal that cannot be created) and for a plan root outside
// ActOptions::roots; per-file problems are records in the report. Not safe to run twice at once on
// one journal directory (the journal file is locked; a second run gets ResourceExhausted).
StatusOr<ActReport> Act(const Plan& plan, const ActOptions& options);

// ---- Journal and undo -----------------------------------------------------------------------
// $XDG_STATE_HOME/neardup/journal, else ~/.local/state/neardup/journal.
std::string DefaultJournalDir();

// The journals in `dir` (empty = default), newest first: file name, start time, action kind,
// actions done, and whether it was undone already.
struct JournalSummary {
  std::string path;
  std::string started;  // ISO 8601, local time
  std::string kind;
  int64_t done = 0;
  bool undone = false;
  bool complete = false;  // the run reached its end (false after a kill)
};
StatusOr<std::vector<JournalSummary>> ListJournals(const std::string& dir = {});

// The newest journal in `dir` (empty = default) not undone yet: what a plain Undo() reverses.
// NotFound when every journal there is undone (or there is none).
StatusOr<std::string> LatestJournal(const std::string& dir = {});

struct UndoReport {
  std::string journal;
  std::vector<ActionRecord> actions;  // destination = where the file came back from
  int64_t restored = 0, skipped = 0, failed = 0;
};

// Reverses the actions of `journal` (empty = the newest journal in DefaultJournalDir() not undone
// yet), newest first: a trashed or moved file goes back to its path with its bytes, permissions
// and mtime (a rename; a copy preserving them across file systems); a link made by hardlink or
// symlink is removed and the original comes back from the Trash; a delete is reported as not
// reversible. An action whose intent was journaled but not marked done (a kill) is checked on disk
// and reversed when it happened. A path that is occupied again is left alone (skipped, saying
// so). The journal is marked undone, so a second Undo is a no-op (an empty report); an action
// that failed to come back (the OS refused) leaves it open for another try. NotFound: no such
// journal; ResourceExhausted: an act or undo is using its folder.
StatusOr<UndoReport> Undo(const std::string& journal = {});

}  // namespace neardup

#endif  // NEARDUP_ACT_H_
