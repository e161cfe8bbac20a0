// The journal of one act run: a file of JSON lines in the journal folder, appended to and
// fsync'ed line by line, never rewritten. Its records, in order of writing:
//   start    {kind, started}                          the run began (first line)
//   intent   {id, op, path, keep, dest, info, ...}    an action is about to touch the disk
//   abandon  {id}                                     the intent was given up before any change
//   done     {id}                                     the action happened
//   end      {done, skipped, failed}                  the run reached its end
//   undone   {id}                                     Undo reversed (or settled) action id
//   undo_end {}                                       Undo finished: a second Undo does nothing
// Anything on disk that an action changes is named by its intent before the change, so after a
// kill the journal names every file that may have moved.
#ifndef NEARDUP_SRC_ACT_JOURNAL_H_
#define NEARDUP_SRC_ACT_JOURNAL_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "neardup/status.h"

namespace neardup::act {

struct JournalEntry {
  std::string type;  // "start", "intent", "abandon", "done", "end", "undone", "undo_end"
  int64_t id = 0;    // intent, abandon, done, undone
  // start
  std::string kind;     // ActionKindName
  std::string started;  // ISO 8601, local time
  // intent
  std::string op;    // ActionKindName of this action
  std::string path;  // the duplicate, canonical
  std::string keep;  // the kept file, canonical
  std::string dest;  // trash: files/NAME; move: the new path; hardlink/symlink: the original's
                     // place in the trash
  std::string info;  // the .trashinfo written for dest (trash, hardlink, symlink)
  int64_t keep_dev = 0, keep_ino = 0;  // hardlink: the inode the link shares
  // end
  int64_t done = 0, skipped = 0, failed = 0;
};

// Holds the journal folder's lock (flock on DIR/lock) and an append descriptor on one journal.
class JournalWriter {
 public:
  // A new journal in `dir` (created 0700 when missing) whose first line is `start`.
  // ResourceExhausted when another act or undo holds the folder's lock.
  static StatusOr<std::unique_ptr<JournalWriter>> Create(const std::string& dir,
                                                         const JournalEntry& start);
  // Appends to the existing journal `path`, under the lock of its folder.
  static StatusOr<std::unique_ptr<JournalWriter>> Open(const std::string& path);
  ~JournalWriter();
  JournalWriter(const JournalWriter&) = delete;
  JournalWriter& operator=(const JournalWriter&) = delete;

  // Appends one line and fsyncs it before returning.
  Status Append(const JournalEntry& e);
  const std::string& path() const { return path_; }

 private:
  JournalWriter(std::string path, int fd, int lock_fd)
      : path_(std::move(path)), fd_(fd), lock_fd_(lock_fd) {}
  std::string path_;
  int fd_ = -1;
  int lock_fd_ = -1;
};

// Every record of `path`. A last line cut short (a kill mid-write) is dropped; any other line
// that does not parse is Corruption naming the file and line.
StatusOr<std::vector<JournalEntry>> ReadJournal(const std::string& path);

// The journal files of `dir` ("*.jsonl"), newest first (their names start with the start time).
StatusOr<std::vector<std::string>> JournalFiles(const std::string& dir);

}  // namespace neardup::act

#endif  // NEARDUP_SRC_ACT_JOURNAL_H_
