// `neardup bench eval BENCH_DIR [PAIRS.csv] [--groups FIND.json] [--protocol all|query]
// [--threshold T] [--json]`: scores a detector's pairs (what `neardup pairs --csv` prints) against
// a benchmark folder's truth (µAP, best F1, recall at precision 0.99 / 0.999, per-family recall,
// the headline figures of both protocols), and/or the groups of `neardup find --json` (pairwise
// precision and recall, mixed groups, per-family recall). See include/neardup/eval.h.
#include <algorithm>
#include <array>
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
  std::string pairs;   // empty: no pairs file
  std::string groups;  // empty: no groups file
  std::string protocol = "all";
  std::optional<double> threshold;  // any finite score; empty when not given
  bool json = false;
};

// The groups file read and scored under both protocols.
struct GroupsEval {
  GroupsInput input;
  std::array<GroupEvalReport, kNumEvalProtocols> reports;
};

// "0.1234", or "n/a" for NaN.
std::string Fixed4(double x) {
  if (std::isnan(x)) return "n/a";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.4f", x);
  return buf;
}

double Ratio(int64_t num, int64_t den) { return den > 0 ? double(num) / double(den) : 0.0; }

// The inputs' paths, the library's report JSON (EvalReportJson) and, with --groups, "groups":
// {"path", "files", "unmatched_files", "all": GroupEvalReportJson, "query": ..., "problems"}.
nlohmann::ordered_json ReportJson(const BenchEvalFlags& flags, const EvalReport* r,
                                  const GroupsEval* g) {
  nlohmann::ordered_json out;
  SetJsonPath(out, flags.bench_dir, "bench");
  if (r != nullptr) {
    SetJsonPath(out, flags.pairs, "pairs");
    EvalJsonOptions one_line;
    one_line.indent = -1;
    nlohmann::ordered_json report = nlohmann::ordered_json::parse(EvalReportJson(*r, one_line));
    for (auto it = report.begin(); it != report.end(); ++it) out[it.key()] = std::move(*it);
  }
  if (g != nullptr) {
    nlohmann::ordered_json groups;
    SetJsonPath(groups, flags.groups);
    groups["protocol"] = flags.protocol;
    groups["files"] = g->input.files;
    groups["unmatched_files"] = g->input.unmatched_files;
    for (const GroupEvalReport& report : g->reports) {
      groups[EvalProtocolName(report.protocol)] =
          nlohmann::ordered_json::parse(GroupEvalReportJson(report, -1));
    }
    groups["problems"] = g->input.problems;
    out["groups"] = std::move(groups);
  }
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

// `s` padded with spaces to `width` characters (UTF-8 code points, so "µAP" lines up).
std::string PadRight(const std::string& s, int width) {
  int chars = 0;
  for (unsigned char c : s) chars += (c & 0xC0) != 0x80;
  return s + std::string(size_t(std::max(0, width - chars)), ' ');
}

// "0.7494", or "n/a" when the point does not exist.
std::string Cell(const std::optional<OperatingPoint>& op, double OperatingPoint::*field) {
  return op ? Fixed4((*op).*field) : "n/a";
}

// The headline figures of both protocols side by side.
void PrintProtocols(const EvalReport& r) {
  const ProtocolFigures& all = r.figures(EvalProtocol::kAllPairs);
  const ProtocolFigures& query = r.figures(EvalProtocol::kQuerySide);
  std::printf("\n%-12s %12s %12s\n", "protocols", "all pairs", "query-side");
  auto row = [](const char* name, const std::string& a, const std::string& q) {
    std::printf("%s %12s %12s\n", PadRight(name, 12).c_str(), a.c_str(), q.c_str());
  };
  row("negatives", std::to_string(all.negatives_listed), std::to_string(query.negatives_listed));
  row("µAP", Fixed4(all.micro_ap), Fixed4(query.micro_ap));
  row("best F1", Cell(all.best_f1, &OperatingPoint::f1), Cell(query.best_f1, &OperatingPoint::f1));
  row("R@P0.99", Cell(all.recall_at_p99, &OperatingPoint::recall),
      Cell(query.recall_at_p99, &OperatingPoint::recall));
  row("R@P0.999", Cell(all.recall_at_p999, &OperatingPoint::recall),
      Cell(query.recall_at_p999, &OperatingPoint::recall));
  if (all.at_threshold) {
    row("P@T", Cell(all.at_threshold, &OperatingPoint::precision),
        Cell(query.at_threshold, &OperatingPoint::precision));
    row("R@T", Cell(all.at_threshold, &OperatingPoint::recall),
        Cell(query.at_threshold, &OperatingPoint::recall));
    row("F1@T", Cell(all.at_threshold, &OperatingPoint::f1),
        Cell(query.at_threshold, &OperatingPoint::f1));
  }
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
  std::printf("protocol   %s (%lld listed pairs of two distractors; --protocol %s for the other)\n",
              EvalProtocolTitle(r.protocol), (long long)r.distractor_pairs_listed,
              EvalProtocolName(OtherProtocol(r.protocol)));
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
  PrintProtocols(r);
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

void PrintGroups(const BenchEvalFlags& flags, const GroupsEval& g) {
  const GroupEvalReport& a = g.reports[int(EvalProtocol::kAllPairs)];
  const GroupEvalReport& q = g.reports[int(EvalProtocol::kQuerySide)];
  std::printf("groups     %s: %zu groups, %lld files (%lld not in the benchmark)\n",
              DisplayPath(flags.groups).c_str(), g.input.groups.size(), (long long)g.input.files,
              (long long)g.input.unmatched_files);
  std::printf("%-26s %12s %12s\n", "", "all pairs", "query-side");
  auto count = [](const char* name, int64_t x, int64_t y) {
    std::printf("%-26s %12lld %12lld\n", name, (long long)x, (long long)y);
  };
  auto ratio = [](const char* name, double x, double y) {
    std::printf("%-26s %12s %12s\n", name, Fixed4(x).c_str(), Fixed4(y).c_str());
  };
  count("groups (2+ images)", a.groups, q.groups);
  count("images grouped", a.images_grouped, q.images_grouped);
  count("largest group", a.largest_group, q.largest_group);
  if (a.repeated_images > 0)
    count("images in several groups", a.repeated_images, q.repeated_images);
  count("pairs in groups", a.predicted_pairs, q.predicted_pairs);
  count("right pairs", a.right_pairs, q.right_pairs);
  count("truth pairs", a.truth_pairs, q.truth_pairs);
  ratio("pairwise precision", a.precision, q.precision);
  ratio("pairwise recall", a.recall, q.recall);
  ratio("F1", a.f1, q.f1);
  count("mixed groups", a.mixed_groups, q.mixed_groups);
  count("groups joining originals", a.groups_joining_originals, q.groups_joining_originals);
  if (a.families.empty()) return;
  int width = 12;
  for (const GroupFamilyStats& f : a.families) width = std::max(width, int(f.family.size()));
  std::printf("\n%-*s %10s %10s %9s\n", width, "family", "copies", "grouped", "recall");
  for (const GroupFamilyStats& f : a.families) {
    std::printf("%-*s %10lld %10lld %9.4f\n", width, f.family.c_str(), (long long)f.copies,
                (long long)f.found, Ratio(f.found, f.copies));
  }
}

void Warn(const std::vector<std::string>& problems) {
  for (const std::string& p : problems) {
    std::fprintf(stderr, "neardup: warning: %s\n", DisplayText(p).c_str());
  }
}

int Run(const BenchEvalFlags& flags) {
  if (flags.pairs.empty() && flags.groups.empty()) {
    std::fprintf(stderr, "neardup: bench eval needs a pairs CSV, --groups FIND.json, or both\n");
    return kExitUsage;
  }
  const EvalProtocol protocol = ParseEvalProtocol(flags.protocol).value_or(EvalProtocol::kAllPairs);
  StatusOr<Benchmark> bench = LoadBenchmark(flags.bench_dir);
  if (!bench.ok()) {
    std::fprintf(stderr, "neardup: %s\n", DisplayText(bench.status().message()).c_str());
    return kExitUsage;
  }
  std::optional<EvalReport> pairs;
  if (!flags.pairs.empty()) {
    StatusOr<PairsInput> input = ReadPairsCsv(flags.pairs, *bench);
    if (!input.ok()) {
      std::fprintf(stderr, "neardup: %s\n", DisplayText(input.status().message()).c_str());
      return kExitUsage;
    }
    EvalOptions options;
    options.threshold = flags.threshold;
    options.protocol = protocol;
    pairs = Evaluate(*bench, std::move(*input), options);
  }
  std::optional<GroupsEval> groups;
  if (!flags.groups.empty()) {
    StatusOr<GroupsInput> input = ReadGroupsJson(flags.groups, *bench);
    if (!input.ok()) {
      std::fprintf(stderr, "neardup: %s\n", DisplayText(input.status().message()).c_str());
      return kExitUsage;
    }
    groups.emplace();
    groups->input = std::move(*input);
    for (int p = 0; p < kNumEvalProtocols; ++p) {
      groups->reports[p] = EvaluateGroups(*bench, groups->input.groups, EvalProtocol(p));
    }
  }

  int64_t unusable = 0;
  if (pairs) {
    const EvalReport& r = *pairs;
    Warn(r.problems);
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
    unusable += r.unmatched_lines + r.malformed_lines;
  }
  if (groups) {
    const GroupsInput& in = groups->input;
    Warn(in.problems);
    if (in.unmatched_files > 0) {
      std::fprintf(stderr, "neardup: warning: %lld file%s of %s name images that are not in %s\n",
                   (long long)in.unmatched_files, in.unmatched_files == 1 ? "" : "s",
                   DisplayPath(flags.groups).c_str(),
                   DisplayPath(flags.bench_dir + "/truth.csv").c_str());
    }
    unusable += in.unmatched_files;
  }
  if (flags.json) {
    std::printf("%s\n",
                DumpJson(ReportJson(flags, pairs ? &*pairs : nullptr, groups ? &*groups : nullptr))
                    .c_str());
  } else {
    if (pairs) PrintReport(flags, *pairs);
    if (pairs && groups) std::printf("\n");
    if (groups) PrintGroups(flags, *groups);
  }
  return unusable > 0 ? kExitSomeFailed : kExitOk;
}

}  // namespace

void AddBenchEvalCommand(CLI::App& bench, std::vector<Command>* out) {
  auto flags = std::make_shared<BenchEvalFlags>();
  CLI::App* cmd = bench.add_subcommand(
      "eval", "Score a pairs CSV (from `neardup pairs --csv`) against a benchmark's truth.csv");
  cmd->add_option("bench_dir", flags->bench_dir, "Benchmark folder (images/, truth.csv)")
      ->required();
  cmd->add_option("pairs", flags->pairs,
                  "CSV file a,b,score (higher score = more similar); optional with --groups");
  cmd->add_option("-g,--groups", flags->groups,
                  "Also score the groups of `neardup find --json` (pairwise precision/recall)");
  cmd->add_option("--protocol", flags->protocol,
                  "Protocol of the detailed figures: all (every pair) or query (pairs of two "
                  "distractors left out, as Copydays/DISC21); the other's headline figures are "
                  "always shown")
      ->check(CLI::IsMember({"all", "query"}))
      ->capture_default_str();
  AddOptionalNumber(cmd, "-t,--threshold", &flags->threshold,
                    "Also report precision, recall and F1 at score >= T (any finite number: the "
                    "scores are the detector's)");
  cmd->add_flag("--json", flags->json, "Print JSON");
  out->push_back({cmd, [flags] { return Run(*flags); }});
}

}  // namespace neardup::cli
