// `neardup act PLAN.json [--trash|--move-to DIR|--hardlink|--symlink|--delete] [--yes] ...`: acts
// on a find --json plan (a dry run unless --yes); `neardup undo [JOURNAL] [--list]`: reverses a
// run from its journal (neardup/act.h).
#include <cstdio>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>

#include "commands.h"
#include "display.h"
#include "json_out.h"
#include "neardup/act.h"

namespace neardup::cli {
namespace {

struct ActFlags {
  std::string plan;
  ActOptions options;
  bool trash = false, hardlink = false, symlink = false, del = false;
  bool yes = false;
  bool json = false;
};

struct UndoFlags {
  std::string journal;
  std::string journal_dir;
  bool list = false;
  bool json = false;
};

// One line per file: "done", "skipped" or "failed" ("dry-run" for what a dry run would do).
void PrintRecords(const std::vector<ActionRecord>& actions, bool dry_run = false) {
  for (const ActionRecord& a : actions) {
    const char* label = dry_run && a.outcome == Outcome::kDone ? "dry-run" : OutcomeName(a.outcome);
    std::printf("%-8s %s: %s\n", label, DisplayPath(a.path).c_str(), DisplayText(a.detail).c_str());
  }
}

int Fail(const Status& s) {
  std::fprintf(stderr, "neardup: %s\n", DisplayText(s.message()).c_str());
  return s.code() == StatusCode::kIOError ? kExitSomeFailed : kExitUsage;
}

int RunAct(ActFlags& f) {
  ActOptions& o = f.options;
  o.dry_run = !f.yes;
  if (!o.move_to.empty()) o.kind = ActionKind::kMoveTo;
  if (f.hardlink) o.kind = ActionKind::kHardlink;
  if (f.symlink) o.kind = ActionKind::kSymlink;
  if (f.del) o.kind = ActionKind::kDelete;
  std::ifstream in(f.plan, std::ios::binary);
  if (!in) {
    std::fprintf(stderr, "neardup: %s: cannot read the plan\n", DisplayPath(f.plan).c_str());
    return kExitUsage;
  }
  std::stringstream text;
  text << in.rdbuf();
  StatusOr<Plan> plan = ParsePlan(text.str());
  if (!plan.ok()) return Fail(plan.status().WithPrefix(f.plan));
  StatusOr<ActReport> r = Act(*plan, o);
  if (!r.ok()) return Fail(r.status());
  const int rc = r->failed > 0 ? kExitSomeFailed : kExitOk;
  if (f.json) {
    const nlohmann::ordered_json j = ActReportJson(*r, o);
    std::printf("%s\n", j.dump(2).c_str());
    return rc;
  }
  PrintRecords(r->actions, o.dry_run);
  if (o.dry_run) {
    std::printf("dry run: %lld to %s, %lld skipped; nothing was touched (add --yes to act)\n",
                static_cast<long long>(r->done), ActionKindName(o.kind),
                static_cast<long long>(r->skipped));
  } else {
    std::printf("%s: %lld done, %lld skipped, %lld failed; journal %s (neardup undo reverses it)\n",
                ActionKindName(o.kind), static_cast<long long>(r->done),
                static_cast<long long>(r->skipped), static_cast<long long>(r->failed),
                DisplayPath(r->journal).c_str());
  }
  return rc;
}

int RunList(const UndoFlags& f) {
  StatusOr<std::vector<JournalSummary>> all = ListJournals(f.journal_dir);
  if (!all.ok()) return Fail(all.status());
  if (f.json) {
    nlohmann::ordered_json arr = nlohmann::ordered_json::array();
    for (const JournalSummary& s : *all) {
      nlohmann::ordered_json j;
      SetJsonPath(j, s.path, "journal");
      j["started"] = s.started;
      j["kind"] = s.kind;
      j["done"] = s.done;
      j["complete"] = s.complete;
      j["undone"] = s.undone;
      arr.push_back(std::move(j));
    }
    std::printf("%s\n", arr.dump(2).c_str());
    return kExitOk;
  }
  for (const JournalSummary& s : *all) {
    std::printf("%s  %-8s %5lld done%s%s  %s\n", s.started.c_str(), s.kind.c_str(),
                static_cast<long long>(s.done), s.complete ? "" : "  (interrupted)",
                s.undone ? "  (undone)" : "", DisplayPath(s.path).c_str());
  }
  if (all->empty())
    std::printf("no journals in %s\n",
                DisplayPath(f.journal_dir.empty() ? DefaultJournalDir() : f.journal_dir).c_str());
  return kExitOk;
}

int RunUndo(const UndoFlags& f) {
  if (f.list) return RunList(f);
  std::string journal = f.journal;
  if (journal.empty()) {
    StatusOr<std::string> latest = LatestJournal(f.journal_dir);
    if (!latest.ok() && latest.status().code() == StatusCode::kNotFound) {
      std::printf("nothing to undo: %s\n", DisplayText(latest.status().message()).c_str());
      return kExitOk;
    }
    if (!latest.ok()) return Fail(latest.status());
    journal = *latest;
  } else if (journal.find('/') == std::string::npos) {
    // A bare name, as `undo --list` prints it, is looked up in the journal folder.
    journal = (f.journal_dir.empty() ? DefaultJournalDir() : f.journal_dir) + "/" + journal;
  }
  StatusOr<UndoReport> r = Undo(journal);
  if (!r.ok()) return Fail(r.status());
  const int rc = r->failed > 0 ? kExitSomeFailed : kExitOk;
  if (f.json) {
    const nlohmann::ordered_json j = UndoReportJson(*r);
    std::printf("%s\n", j.dump(2).c_str());
    return rc;
  }
  PrintRecords(r->actions);
  std::printf("undo %s: %lld restored, %lld skipped, %lld failed\n",
              DisplayPath(r->journal).c_str(), static_cast<long long>(r->restored),
              static_cast<long long>(r->skipped), static_cast<long long>(r->failed));
  return rc;
}

}  // namespace

void AddActCommand(CLI::App& root, std::vector<Command>* out) {
  auto f = std::make_shared<ActFlags>();
  CLI::App* cmd = root.add_subcommand(
      "act",
      "Act on the duplicates of a find --json plan (a dry run unless --yes): each file is "
      "checked again first (changed files, files outside the scanned roots and the last file of "
      "a group are never touched) and journaled, so `neardup undo` reverses it. Exit 2 when "
      "some action failed");
  cmd->add_option("plan", f->plan, "find --json output (edit \"keep\" to choose)")->required();
  auto* trash = cmd->add_flag("--trash", f->trash, "Move them to the Trash (the default)");
  auto* move = cmd->add_option("--move-to", f->options.move_to,
                               "Move them into DIR, under their path relative to their root");
  auto* hard = cmd->add_flag("--hardlink", f->hardlink,
                             "Replace them by hard links to the kept file (byte-identical only, "
                             "same file system; the originals go to the Trash)");
  auto* sym = cmd->add_flag("--symlink", f->symlink,
                            "Replace them by symbolic links to the kept file (the originals go "
                            "to the Trash)");
  auto* del = cmd->add_flag("--delete", f->del, "Delete them (cannot be undone)");
  const std::vector<CLI::Option*> kinds = {trash, move, hard, sym, del};
  for (CLI::Option* a : kinds) {
    for (CLI::Option* b : kinds) {
      if (a != b) a->excludes(b);
    }
  }
  cmd->add_flag("--yes,-y", f->yes, "Act (without it, only print what would happen)");
  cmd->add_flag("--force", f->options.force, "--hardlink files that are not byte-identical");
  cmd->add_option("--journal-dir", f->options.journal_dir,
                  "Journal folder (default $XDG_STATE_HOME/neardup/journal)");
  cmd->add_flag("--json", f->json, "Print JSON");
  out->push_back({cmd, [f] { return RunAct(*f); }});

  auto u = std::make_shared<UndoFlags>();
  CLI::App* undo = root.add_subcommand(
      "undo",
      "Reverse the last act run (or JOURNAL): files come back to their paths with their bytes, "
      "permissions and mtimes; a delete cannot be undone. Undoing twice does nothing");
  undo->add_option("journal", u->journal, "Journal file (a name from --list, or a path)");
  undo->add_option("--journal-dir", u->journal_dir,
                   "Journal folder (default $XDG_STATE_HOME/neardup/journal)");
  undo->add_flag("--list", u->list, "List the journals, newest first");
  undo->add_flag("--json", u->json, "Print JSON");
  out->push_back({undo, [u] { return RunUndo(*u); }});
}

}  // namespace neardup::cli
