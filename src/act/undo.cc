// Undo, ListJournals and DefaultJournalDir (neardup/act.h): the journal read back, newest action
// first, each checked on disk before it is reversed.
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstdlib>
#include <map>
#include <set>

#include "act/fs_ops.h"
#include "act/journal.h"
#include "neardup/act.h"

namespace neardup {
namespace {

using act::JournalEntry;

struct Reversal {
  Outcome outcome;
  std::string detail;
};

// Brings `from` (in the trash or the move destination) back to `to`, never replacing what is
// there: a rename, or a copy keeping bytes, mode and mtime across file systems.
Status Bring(const std::string& from, const std::string& to) { return act::MoveFile(from, to); }

void RemoveInfo(const JournalEntry& e) {
  if (!e.info.empty() && ::unlink(e.info.c_str()) == 0) (void)act::FsyncDir(act::DirName(e.info));
}

// Whether `path` is the link the action made (so it may be replaced by the original again).
bool IsOurLink(const JournalEntry& e) {
  struct stat st;
  if (!act::LStat(e.path, &st)) return false;
  if (e.op == "hardlink") {
    return S_ISREG(st.st_mode) && int64_t(st.st_dev) == e.keep_dev &&
           int64_t(st.st_ino) == e.keep_ino;
  }
  if (!S_ISLNK(st.st_mode)) return false;
  char buf[PATH_MAX];
  const ssize_t n = ::readlink(e.path.c_str(), buf, sizeof buf);
  return n >= 0 && std::string(buf, size_t(n)) == e.keep;
}

Reversal Reverse(const JournalEntry& e, bool done) {
  const bool at_path = act::Exists(e.path);
  const bool at_dest = !e.dest.empty() && act::Exists(e.dest);
  const std::string where = e.op == "move" ? "the destination" : "the trash";
  if (e.op == "delete") {
    if (!done && at_path) return {Outcome::kSkipped, "was never deleted (the run stopped before)"};
    return {Outcome::kFailed, "deleted: a delete cannot be undone"};
  }
  if (e.op == "move") ::unlink((e.dest + act::kPartSuffix).c_str());  // a killed copy's remains
  if (!at_dest) {
    const bool link_there = (e.op == "hardlink" || e.op == "symlink") && IsOurLink(e);
    if (!done && at_path && !link_there) {
      RemoveInfo(e);
      return {Outcome::kSkipped, "never left its place (the run stopped before)"};
    }
    return {Outcome::kFailed, e.dest + " is no longer in " + where + ": nothing to bring back"};
  }
  if (at_path) {
    const bool link = (e.op == "hardlink" || e.op == "symlink") && IsOurLink(e);
    if (link) {
      // rename(2) replaces the link by the original in one step.
      if (::rename(e.dest.c_str(), e.path.c_str()) != 0) {
        return {Outcome::kFailed, act::ErrnoStatus(e.dest, "cannot restore", errno).message()};
      }
      RemoveInfo(e);
      (void)act::FsyncDir(act::DirName(e.path));
      return {Outcome::kDone, "restored from " + e.dest + " (the link removed)"};
    }
    if (!done && e.op == "move") {
      // Killed after the copy and before the unlink: the copy goes, the original never left.
      StatusOr<bool> same = act::SameBytes(e.path, e.dest);
      if (same.ok() && *same && ::unlink(e.dest.c_str()) == 0) {
        return {Outcome::kSkipped, "never left its place (the run stopped before)"};
      }
    }
    return {Outcome::kSkipped, e.path + " is occupied again; left at " + e.dest};
  }
  Status s = Bring(e.dest, e.path);
  if (!s.ok()) return {Outcome::kFailed, s.message()};
  RemoveInfo(e);
  return {Outcome::kDone, "restored from " + e.dest};
}

std::string DefaultOr(const std::string& dir) { return dir.empty() ? DefaultJournalDir() : dir; }

}  // namespace

std::string DefaultJournalDir() {
  const char* state = std::getenv("XDG_STATE_HOME");
  if (state && state[0] == '/') return std::string(state) + "/neardup/journal";
  const char* home = std::getenv("HOME");
  return std::string(home && home[0] ? home : "/") + "/.local/state/neardup/journal";
}

StatusOr<std::vector<JournalSummary>> ListJournals(const std::string& dir) {
  ASSIGN_OR_RETURN(const std::vector<std::string> files, act::JournalFiles(DefaultOr(dir)));
  std::vector<JournalSummary> out;
  for (const std::string& f : files) {
    StatusOr<std::vector<JournalEntry>> entries = act::ReadJournal(f);
    if (!entries.ok()) continue;  // not ours, or damaged: Undo names the problem when asked
    JournalSummary s;
    s.path = f;
    s.started = (*entries)[0].started;
    s.kind = (*entries)[0].kind;
    for (const JournalEntry& e : *entries) {
      s.done += e.type == "done";
      s.undone = s.undone || e.type == "undo_end";
      s.complete = s.complete || e.type == "end";
    }
    out.push_back(std::move(s));
  }
  return out;
}

StatusOr<std::string> LatestJournal(const std::string& dir) {
  ASSIGN_OR_RETURN(const std::vector<JournalSummary> all, ListJournals(dir));
  for (const JournalSummary& s : all) {
    if (!s.undone) return s.path;
  }
  return NotFoundError(DefaultOr(dir) + ": no journal left to undo");
}

StatusOr<UndoReport> Undo(const std::string& journal) {
  std::string path = journal;
  if (path.empty()) {
    ASSIGN_OR_RETURN(path, LatestJournal({}));
  }
  // Read under the lock, so a run still writing this journal is not undone half-way.
  ASSIGN_OR_RETURN(std::unique_ptr<act::JournalWriter> writer, act::JournalWriter::Open(path));
  ASSIGN_OR_RETURN(const std::vector<JournalEntry> entries, act::ReadJournal(path));
  UndoReport report;
  report.journal = path;
  std::vector<const JournalEntry*> intents;
  std::set<int64_t> done, settled;
  int64_t open = 0;  // failures a later Undo may still reverse
  for (const JournalEntry& e : entries) {
    if (e.type == "undo_end") return report;  // undone already: nothing to do
    if (e.type == "intent") intents.push_back(&e);
    if (e.type == "done") done.insert(e.id);
    if (e.type == "abandon" || e.type == "undone") settled.insert(e.id);
  }
  for (auto it = intents.rbegin(); it != intents.rend(); ++it) {
    const JournalEntry& e = **it;
    if (settled.count(e.id)) continue;
    const Reversal r = Reverse(e, done.count(e.id) > 0);
    report.actions.push_back({e.path, e.keep, r.outcome, r.detail, e.dest});
    (r.outcome == Outcome::kDone      ? report.restored
     : r.outcome == Outcome::kSkipped ? report.skipped
                                      : report.failed)++;
    // A failure stays open, so a later Undo tries again; whatever settled is marked.
    if (r.outcome == Outcome::kFailed && e.op != "delete") {
      ++open;
    } else {
      JournalEntry u;
      u.type = "undone";
      u.id = e.id;
      RETURN_IF_ERROR(writer->Append(u));
    }
  }
  if (open > 0) return report;  // not marked undone: the next Undo tries those again
  JournalEntry end;
  end.type = "undo_end";
  RETURN_IF_ERROR(writer->Append(end));
  return report;
}

}  // namespace neardup
