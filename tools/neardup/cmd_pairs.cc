// `neardup pairs DIR... --k K --csv`: every image's K most similar other images, the machine
// interface that evaluation reads: lines "a,b,score" with score in [0,1], higher = more similar.
#include <cstdio>

#include "commands.h"
#include "display.h"
#include "flags.h"
#include "neardup/text.h"
#include "scan_flags.h"
#include "scan_report.h"

namespace neardup::cli {
namespace {

struct PairsFlags {
  ScanFlags scan;
  int k = 10;
  bool csv = true;
};

int Run(const PairsFlags& flags) {
  StatusOr<PairsResult> r = Pairs(MakeScanOptions(flags.scan), flags.k);
  if (!r.ok()) {
    std::fprintf(stderr, "neardup: %s\n", DisplayText(r.status().message()).c_str());
    return kExitUsage;
  }
  PrintProblems(r->scan);
  std::printf("a,b,score\n");
  const auto& files = r->scan.files;
  for (size_t i = 0; i < files.size(); ++i) {
    const std::string a = CsvField(files[i].path);
    for (const Neighbor& n : r->neighbors[i]) {
      std::printf("%s,%s,%.6f\n", a.c_str(), CsvField(files[n.id].path).c_str(),
                  r->method->Score(n.distance));
    }
  }
  return r->scan.errors.empty() ? kExitOk : kExitSomeFailed;
}

}  // namespace

void AddPairsCommand(CLI::App& root, std::vector<Command>* out) {
  auto flags = std::make_shared<PairsFlags>();
  CLI::App* cmd = root.add_subcommand(
      "pairs", "For every image, its K most similar other images as CSV lines a,b,score");
  AddScanFlags(cmd, &flags->scan);
  cmd->add_option("-k,--k", flags->k, "Neighbours per image")
      ->check(WholeNumberIn(1, kMaxNeighbors))
      ->capture_default_str();
  cmd->add_flag("--csv", flags->csv, "CSV output (the only format; accepted for clarity)");
  out->push_back({cmd, [flags] { return Run(*flags); }});
}

}  // namespace neardup::cli
