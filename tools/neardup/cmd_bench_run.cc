// `neardup bench run BENCH_DIR [--methods M,...] --out REPORT_DIR [--k K] [--protocol all|query]
// [--threads N]`: runs descriptor methods on a benchmark folder and writes a side-by-side report
// (index.html, report.json, summary.md) of their pairs and their `find` groups. See
// include/neardup/bench_run.h.
#include <cstdio>

#include "commands.h"
#include "display.h"
#include "flags.h"
#include "neardup/bench_run.h"
#include "neardup/descriptor.h"
#include "neardup/registry.h"

namespace neardup::cli {
namespace {

struct BenchRunFlags {
  std::string bench_dir;
  std::vector<std::string> methods = MethodNames();
  std::string out;
  int k = 20;
  std::string protocol = "all";
  int threads = 0;
  bool quiet = false;
};

int Run(const BenchRunFlags& f) {
  BenchRunOptions o;
  o.bench_dir = f.bench_dir;
  o.methods = f.methods;
  o.k = f.k;
  o.protocol = ParseEvalProtocol(f.protocol).value_or(EvalProtocol::kAllPairs);
  o.threads = f.threads;
  if (!f.quiet) {
    o.log = [](const std::string& line) { std::fprintf(stderr, "neardup: %s\n", line.c_str()); };
  }
  StatusOr<BenchRunResult> r = RunBenchmark(o);
  if (!r.ok()) {
    std::fprintf(stderr, "neardup: %s\n", DisplayText(r.status().message()).c_str());
    return kExitUsage;
  }
  for (const BenchImageError& e : r->errors) {
    std::fprintf(stderr, "neardup: %s: %s\n", DisplayPath(e.path).c_str(),
                 DisplayText(e.message).c_str());
  }
  for (const std::string& path : r->unknown_files) {
    std::fprintf(stderr, "neardup: warning: %s is not in truth.csv, not scored\n",
                 DisplayPath(path).c_str());
  }
  Status written = WriteBenchReport(*r, f.out);
  if (!written.ok()) {
    std::fprintf(stderr, "neardup: %s\n", DisplayText(written.message()).c_str());
    return kExitSomeFailed;
  }
  std::printf("%s\nreport: %s/index.html\n",
              BenchSummaryMarkdown(*r, /*with_families=*/false).c_str(), f.out.c_str());
  return r->errors.empty() ? kExitOk : kExitSomeFailed;
}

}  // namespace

void AddBenchRunCommand(CLI::App& bench, std::vector<Command>* out) {
  auto f = std::make_shared<BenchRunFlags>();
  CLI::App* cmd = bench.add_subcommand(
      "run", "Run descriptor methods on a benchmark folder and write an HTML/JSON/Markdown report");
  cmd->add_option("bench_dir", f->bench_dir, "Benchmark folder (images/, truth.csv)")->required();
  cmd->add_option("--methods", f->methods, "Methods to compare (default: all)")
      ->delimiter(',')
      ->capture_default_str();
  cmd->add_option("-o,--out", f->out, "Report folder (created; files in it are replaced)")
      ->required();
  cmd->add_option("-k,--k", f->k, "Neighbours searched per image")
      ->check(WholeNumberIn(1, kMaxNeighbors))
      ->capture_default_str();
  cmd->add_option("--protocol", f->protocol,
                  "Protocol of the detailed tables and charts: all or query (pairs of two "
                  "distractors left out); the headline figures of both are always reported")
      ->check(CLI::IsMember({"all", "query"}))
      ->capture_default_str();
  AddThreadsOption(cmd, &f->threads);
  cmd->add_flag("-q,--quiet", f->quiet, "No progress lines");
  out->push_back({cmd, [f] { return Run(*f); }});
}

}  // namespace neardup::cli
