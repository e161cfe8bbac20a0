// `neardup bench eval BENCH_DIR PAIRS.csv [--threshold T] [--json]`: scores a detector's pairs
// (what `neardup pairs --csv` prints) against a benchmark folder's truth: µAP, best F1,
// recall at precision 0.99 / 0.999, per-family recall. See include/neardup/eval.h.
#include <algorithm>
#include <cmath>
#include <cstdio>

#include "commands.h"
#include "display.h"
#include "flags.h"
#include "json_out.h"
#include "neardup/eval.h"

namespace neardup::cli {
namespace {

struct BenchEvalFlags {
  std::string bench_dir;
  std::string pairs;
  std::optional<double> threshold;  // any finite score; empty when not given
  bool json = false;
};

// "0.1234", or "n/a" for NaN.
std::string Fixed4(double x) {
  if (std::isnan(x)) return "n/a";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.4f", x);
  return buf;
}

double Ratio(int64_t num, int64_t den) { return den > 0 ? double(num) / double(den) : 0.0; }

// The library's report JSON (EvalReportJson) after the two inputs' paths.
nlohmann::ordered_json ReportJson(const BenchEvalFlags& flags, const EvalReport& r) {
  nlohmann::ordered_json out;
  SetJsonPath(out, flags.bench_dir, "bench");
  SetJsonPath(out, flags.pairs, "pairs");
  EvalJsonOptions one_line;
  one_line.indent = -1;
  nlohmann::ordered_json report = nlohmann::ordered_json::parse(EvalReportJson(r, one_line));
  for (auto it = report.begin(); it != report.end(); ++it) out[it.key()] = std::move(*it);
  return out;
}

// "0.7494 at score >= 0.93 (P 0.9901, R 0.7494)" or "n/a (...)".
std::string PointText(const std::optional<OperatingPoint>& op, double value, const char* none) {
  if (!op) return std::string("n/a (") + none + ")";
  char buf[160];
  std::snprintf(buf, sizeof buf, "%.4f at score >= %.6g (P %.4f, R %.4f, tp %lld, fp %lld)", value,
                op->threshold, op->precision, op->recall, (long long)op->true_positives,
                (long long)op->false_positives);
  return buf;
}

void PrintReport(const BenchEvalFlags& flags, const EvalReport& r) {
  std::printf("benchmark  %s: %lld images, %lld positive pairs\n",
              DisplayPath(flags.bench_dir).c_str(), (long long)r.images, (long long)r.positives);
  std::printf("pairs      %s: %lld lines, %lld distinct pairs (%lld repeats merged, %lld self)\n",
              DisplayPath(flags.pairs).c_str(), (long long)r.lines,
              (long long)(r.positives_listed + r.negatives_listed + r.ignored_listed),
              (long long)r.duplicate_pairs, (long long)r.self_pairs);
  std::printf("scored     %lld positives (%.1f%% of all), %lld negatives, %lld ignored\n",
              (long long)r.positives_listed, 100.0 * Ratio(r.positives_listed, r.positives),
              (long long)r.negatives_listed, (long long)r.ignored_listed);
  if (r.no_positives) std::printf("note       the truth has no positive pair: metrics are 0\n");
  std::printf("µAP        %.4f\n", r.micro_ap);
  std::printf("best F1    %s\n",
              PointText(r.best_f1, r.best_f1 ? r.best_f1->f1 : 0, "no positive listed").c_str());
  std::printf("R@P0.99    %s\n",
              PointText(r.recall_at_p99, r.recall_at_p99 ? r.recall_at_p99->recall : 0,
                        "precision 0.99 is never reached")
                  .c_str());
  std::printf("R@P0.999   %s\n",
              PointText(r.recall_at_p999, r.recall_at_p999 ? r.recall_at_p999->recall : 0,
                        "precision 0.999 is never reached")
                  .c_str());
  if (r.at_threshold) {
    const OperatingPoint& t = *r.at_threshold;
    std::printf("at T=%-6g P %s, R %.4f, F1 %.4f (tp %lld, fp %lld)\n", t.threshold,
                Fixed4(t.precision).c_str(), t.recall, t.f1, (long long)t.true_positives,
                (long long)t.false_positives);
  }
  if (r.families.empty()) return;
  int width = 12;
  for (const FamilyStats& f : r.families) width = std::max(width, int(f.family.size()));
  std::printf("\n%-*s %10s %10s %9s %9s", width, "family", "positives", "listed", "R@listed",
              "R@P0.99");
  if (r.at_threshold) std::printf(" %9s", "R@T");
  std::printf("\n");
  for (const FamilyStats& f : r.families) {
    std::printf("%-*s %10lld %10lld %9.4f %9.4f", width, f.family.c_str(), (long long)f.positives,
                (long long)f.listed, Ratio(f.listed, f.positives),
                Ratio(f.found_at_p99, f.positives));
    if (r.at_threshold) std::printf(" %9.4f", Ratio(f.found_at_threshold, f.positives));
    std::printf("\n");
  }
}

int Run(const BenchEvalFlags& flags) {
  StatusOr<Benchmark> bench = LoadBenchmark(flags.bench_dir);
  if (!bench.ok()) {
    std::fprintf(stderr, "neardup: %s\n", DisplayText(bench.status().message()).c_str());
    return kExitUsage;
  }
  StatusOr<PairsInput> input = ReadPairsCsv(flags.pairs, *bench);
  if (!input.ok()) {
    std::fprintf(stderr, "neardup: %s\n", DisplayText(input.status().message()).c_str());
    return kExitUsage;
  }
  EvalOptions options;
  options.threshold = flags.threshold;
  const EvalReport r = Evaluate(*bench, std::move(*input), options);

  for (const std::string& p : r.problems) {
    std::fprintf(stderr, "neardup: warning: %s\n", DisplayText(p).c_str());
  }
  if (r.unmatched_lines > 0) {
    std::fprintf(stderr, "neardup: warning: %lld line%s of %s name images that are not in %s\n",
                 (long long)r.unmatched_lines, r.unmatched_lines == 1 ? "" : "s",
                 DisplayPath(flags.pairs).c_str(),
                 DisplayPath(flags.bench_dir + "/truth.csv").c_str());
  }
  if (r.malformed_lines > 0) {
    std::fprintf(stderr, "neardup: warning: %lld malformed line%s of %s skipped\n",
                 (long long)r.malformed_lines, r.malformed_lines == 1 ? "" : "s",
                 DisplayPath(flags.pairs).c_str());
  }
  if (flags.json) {
    std::printf("%s\n", DumpJson(ReportJson(flags, r)).c_str());
  } else {
    PrintReport(flags, r);
  }
  return r.unmatched_lines + r.malformed_lines > 0 ? kExitSomeFailed : kExitOk;
}

}  // namespace

void AddBenchEvalCommand(CLI::App& bench, std::vector<Command>* out) {
  auto flags = std::make_shared<BenchEvalFlags>();
  CLI::App* cmd = bench.add_subcommand(
      "eval", "Score a pairs CSV (from `neardup pairs --csv`) against a benchmark's truth.csv");
  cmd->add_option("bench_dir", flags->bench_dir, "Benchmark folder (images/, truth.csv)")
      ->required();
  cmd->add_option("pairs", flags->pairs, "CSV file a,b,score (higher score = more similar)")
      ->required();
  AddOptionalNumber(cmd, "-t,--threshold", &flags->threshold,
                    "Also report precision, recall and F1 at score >= T (any finite number: the "
                    "scores are the detector's)");
  cmd->add_flag("--json", flags->json, "Print JSON");
  out->push_back({cmd, [flags] { return Run(*flags); }});
}

}  // namespace neardup::cli
