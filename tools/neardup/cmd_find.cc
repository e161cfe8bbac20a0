// `neardup find DIR...`: groups of near-duplicates, as a table, JSON or CSV.
#include <cstdio>

#include "commands.h"
#include "display.h"
#include "flags.h"
#include "find_json.h"
#include "json_out.h"
#include "neardup/text.h"
#include "progress.h"
#include "scan_flags.h"
#include "scan_report.h"

namespace neardup::cli {
namespace {

struct FindFlags {
  ScanFlags scan;
  std::optional<double> threshold;  // empty: the method's default
  bool json = false;
  bool csv = false;
  bool strict = false;
  bool connected = false;
};

std::string Dims(const FileFacts& f) {
  return std::to_string(f.width) + "x" + std::to_string(f.height);
}

void PrintTable(const FindResult& r) {
  int gi = 0;
  for (const Group& g : r.groups) {
    std::printf("Group %d (%zu files)\n", ++gi, g.members.size());
    for (const GroupMember& m : g.members) {
      const ScannedFile& f = r.scan.files[m.item];
      std::printf("  %-4s %6.1f%%  %-11s %-5s %9s  %s\n", m.keep ? "KEEP" : "", 100 * m.score,
                  Dims(f.facts).c_str(), DisplayExcerpt(f.facts.format, 8).c_str(),
                  HumanBytes(f.facts.bytes).c_str(), DisplayPath(f.path).c_str());
    }
    std::printf("  keep: %s\n\n", DisplayText(g.members[0].reason).c_str());
  }
}

void PrintJson(const FindResult& r, const std::vector<std::string>& inputs, double seconds) {
  std::printf("%s\n", DumpJson(FindJson(r, inputs, seconds)).c_str());
}

void PrintCsv(const FindResult& r) {
  std::printf("group,path,keep,score,width,height,bytes,format,reason\n");
  int gi = 0;
  for (const Group& g : r.groups) {
    ++gi;
    for (const GroupMember& m : g.members) {
      const ScannedFile& f = r.scan.files[m.item];
      std::printf("%d,%s,%s,%.6f,%d,%d,%lld,%s,%s\n", gi, CsvField(f.path).c_str(),
                  m.keep ? "true" : "false", m.score, f.facts.width, f.facts.height,
                  static_cast<long long>(f.facts.bytes), CsvField(f.facts.format).c_str(),
                  CsvField(m.reason).c_str());
    }
  }
}

int Run(const FindFlags& flags) {
  Stopwatch clock;
  FindOptions options;
  options.scan = MakeScanOptions(flags.scan);
  options.threshold = flags.threshold;
  options.mode = flags.strict      ? GroupMode::kStrict
                 : flags.connected ? GroupMode::kConnected
                                   : GroupMode::kConfirmed;
  StatusOr<std::unique_ptr<Method>> method = MakeMethod(flags.scan.method);
  if (!method.ok()) {
    std::fprintf(stderr, "neardup: %s\n", DisplayText(method.status().message()).c_str());
    return kExitUsage;
  }
  if (flags.threshold) {
    if (Status s = CheckThreshold(**method, *flags.threshold); !s.ok()) {
      std::fprintf(stderr, "neardup: %s\n", DisplayText(s.message()).c_str());
      return kExitUsage;
    }
  }
  options.method = std::move(method).value();
  StatusOr<FindResult> r = Find(options);
  if (!r.ok()) {
    std::fprintf(stderr, "neardup: %s\n", DisplayText(r.status().message()).c_str());
    return kExitUsage;
  }
  PrintProblems(r->scan);
  double seconds = clock.Seconds();
  if (flags.json) {
    PrintJson(*r, options.scan.inputs, seconds);
  } else if (flags.csv) {
    PrintCsv(*r);
  } else {
    PrintTable(*r);
    size_t dups = 0;
    for (const Group& g : r->groups) dups += g.members.size() - 1;
    std::fprintf(stderr, "%zu group%s, %zu duplicate%s to review. %s. Method %s, threshold %g%s.\n",
                 r->groups.size(), r->groups.size() == 1 ? "" : "s", dups, dups == 1 ? "" : "s",
                 ScanSummary(r->scan, seconds).c_str(), r->method->name().c_str(), r->threshold,
                 r->method->threshold_range().unit == "bits" ? " bits" : "");
  }
  return r->scan.errors.empty() ? kExitOk : kExitSomeFailed;
}

}  // namespace

void AddFindCommand(CLI::App& root, std::vector<Command>* out) {
  auto flags = std::make_shared<FindFlags>();
  CLI::App* cmd = root.add_subcommand(
      "find", "Group the near-duplicate images in folders; proposes which file of each to keep");
  AddScanFlags(cmd, &flags->scan);
  AddOptionalNumber(cmd, "-t,--threshold", &flags->threshold,
                    "Match threshold in the method's unit: the fused score in 0..1 for the fused "
                    "methods (the default, fused:cnn:mobilenet_v2 where the model is installed, "
                    "else fused; default 0.5); Hamming bits for hashes, 0..256 for pdq and pdq8, "
                    "0..64 for the 64-bit hashes (default: the method's measured default: 32 for "
                    "pdq8, 36 for pdq, 0 for the 64-bit hashes); minimum cosine similarity in 0..1 "
                    "for learned methods (default: the model's calibrated threshold)");
  auto* json = cmd->add_flag("--json", flags->json, "Print JSON");
  cmd->add_flag("--csv", flags->csv, "Print CSV")->excludes(json);
  auto* strict = cmd->add_flag(
      "--strict", flags->strict,
      "Every member of a group must match the kept file directly (default: every member matches "
      "the group's most matched member or half of the others, so one false match between two "
      "groups cannot merge them)");
  cmd->add_flag("--connected", flags->connected,
                "Groups are the connected components of the matches (one false match merges "
                "two groups)")
      ->excludes(strict);
  out->push_back({cmd, [flags] { return Run(*flags); }, /*distributed=*/true});
}

}  // namespace neardup::cli
