// report.json and summary.md of `neardup bench run`.
#include "eval/report_text.h"

#include <cmath>
#include <limits>
#include <memory>
#include <nlohmann/json.hpp>

#include "eval/report_json.h"
#include "eval/svg_chart.h"
#include "neardup/descriptor.h"
#include "neardup/registry.h"

namespace neardup::report {
namespace {

using Json = nlohmann::ordered_json;

// The distance of a score threshold in the method's unit (NaN for an unknown method).
double DistanceFor(const std::string& method, double score, bool* bits) {
  StatusOr<std::unique_ptr<Method>> m = MakeMethod(method);
  if (!m.ok()) return std::numeric_limits<double>::quiet_NaN();
  *bits = (*m)->threshold_range().unit == "bits";
  return (*m)->DistanceForScore(score);
}

// The unit of the method's thresholds ("bits", "cosine similarity", ...); "" when unknown.
std::string ThresholdUnit(const std::string& method) {
  StatusOr<std::unique_ptr<Method>> m = MakeMethod(method);
  return m.ok() ? (*m)->threshold_range().unit : "";
}

Json ExamplesJson(const BenchRunResult& result, const std::vector<PairExample>& examples) {
  Json out = Json::array();
  for (const PairExample& e : examples) {
    Json j = {{"a", result.benchmark.images()[e.a].path},
              {"b", result.benchmark.images()[e.b].path},
              {"score", e.score},
              {"distance", e.distance}};
    if (!e.family.empty()) j["family"] = e.family;
    j["retrieved"] = e.retrieved;
    out.push_back(std::move(j));
  }
  return out;
}

Json MethodJson(const BenchRunResult& result, const MethodRun& run) {
  Json j = {{"method", run.method},
            {"describe",
             {{"seconds", run.describe_seconds},
              {"images_per_second", run.images_per_second},
              {"described", run.described},
              {"failed", run.failed}}},
            {"search_seconds", run.search_seconds}};
  EvalJsonOptions o;
  o.distance_for_score = [&run](double score) {
    bool bits = false;
    return DistanceFor(run.method, score, &bits);
  };
  Json report = EvalReportToJson(run.report, o);
  for (auto it = report.begin(); it != report.end(); ++it) j[it.key()] = std::move(*it);
  Json groups = {{"threshold", run.group_threshold},
                 {"threshold_unit", ThresholdUnit(run.method)},
                 {"matched_pairs", run.matched_pairs},
                 {"seconds", run.join_seconds}};
  for (const GroupEvalReport& g : run.groups) {
    groups[EvalProtocolName(g.protocol)] = GroupEvalReportToJson(g);
  }
  j["groups"] = std::move(groups);
  j["worst_misses"] = ExamplesJson(result, run.worst_misses);
  j["worst_false_positives"] = ExamplesJson(result, run.worst_false_positives);
  return j;
}

}  // namespace

std::string MethodThresholdText(const std::string& method, double threshold) {
  const std::string unit = ThresholdUnit(method);
  if (unit == "bits") return "≤ " + Fixed(threshold, 0) + " bits";
  return "≥ " + Fixed(threshold, 4) + (unit.empty() ? "" : " " + unit);
}

std::string ProtocolCell(const std::optional<OperatingPoint>& op) {
  return op ? Fixed(op->recall, 4) : "n/a";
}

double FamilyRecallAtP99(const MethodRun& run, const std::string& family) {
  for (const FamilyStats& f : run.report.families) {
    if (f.family == family) return neardup::FamilyRecallAtP99(run.report, f);
  }
  return std::numeric_limits<double>::quiet_NaN();
}

std::string ThresholdText(const std::string& method, double score) {
  bool bits = false;
  const double d = DistanceFor(method, score, &bits);
  if (std::isnan(d)) return Fixed(score, 4);
  // Scores are 1 - d / bits: round away the float noise of the inverse.
  return Fixed(score, 4) +
         (bits ? " (≤ " + Fixed(std::round(d), 0) + " bits)" : " (distance ≤ " + Fixed(d, 3) + ")");
}

std::string PairScoreText(const std::string& method, double score, double distance) {
  bool bits = false;
  (void)DistanceFor(method, score, &bits);
  return Fixed(score, 4) +
         (bits ? " (" + Fixed(distance, 0) + " bits)" : " (distance " + Fixed(distance, 3) + ")");
}

std::string Rate(double images_per_second) {
  return Fixed(images_per_second, images_per_second >= 100 ? 0 : 1);
}

std::string BenchReportJson(const BenchRunResult& result) {
  Json j;
  j["bench_dir"] = result.bench_dir;
  j["date"] = result.date;
  j["k"] = result.k;
  j["threads"] = result.threads;
  j["protocol"] = EvalProtocolName(result.protocol);
  j["benchmark"] = {{"images", result.benchmark.images().size()},
                    {"originals", result.originals},
                    {"copies", result.copies},
                    {"naturals", result.naturals},
                    {"distractors", result.distractors},
                    {"positives", result.positives},
                    {"families", result.families}};
  Json methods = Json::array();
  for (const MethodRun& run : result.methods) methods.push_back(MethodJson(result, run));
  j["methods"] = std::move(methods);
  Json errors = Json::array();
  for (const BenchImageError& e : result.errors) {
    errors.push_back({{"path", e.path}, {"message", e.message}});
  }
  j["errors"] = std::move(errors);
  j["unknown_files"] = result.unknown_files;
  return j.dump(2, ' ', false, Json::error_handler_t::replace) + "\n";
}

}  // namespace neardup::report

namespace neardup {

std::string BenchSummaryMarkdown(const BenchRunResult& result, bool with_families) {
  using report::Fixed;
  std::string md =
      "Benchmark `" + result.bench_dir + "`: " + std::to_string(result.benchmark.images().size()) +
      " images (" + std::to_string(result.originals) + " originals, " +
      std::to_string(result.copies) + " copies, " + std::to_string(result.distractors) +
      " distractors), " + std::to_string(result.positives) + " positive pairs, " +
      std::to_string(result.families.size()) + " families; k = " + std::to_string(result.k) + ", " +
      std::to_string(result.threads) + " threads, " + result.date + ".\n\n";
  constexpr EvalProtocol kAll = EvalProtocol::kAllPairs, kQuery = EvalProtocol::kQuerySide;
  md +=
      "Pairs: every image's k nearest neighbours, under both protocols (all pairs; query-side "
      "leaves out distractor ↔ distractor pairs); best F1 " +
      std::string(EvalProtocolTitle(result.protocol)) +
      ". Groups: what `neardup find` prints at the method's default threshold, pairwise "
      "precision (all / query-side) and recall.\n\n";
  md +=
      "| method | µAP all | µAP query | best F1 | R@P0.99 all | R@P0.99 query | R@P0.999 all | "
      "R@P0.999 query | group P all | group P query | group R | describe img/s |\n";
  md += "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n";
  for (const MethodRun& run : result.methods) {
    const EvalReport& r = run.report;
    const ProtocolFigures& all = r.figures(kAll);
    const ProtocolFigures& query = r.figures(kQuery);
    md += "| " + run.method + " | " + Fixed(all.micro_ap, 4) + " | " + Fixed(query.micro_ap, 4) +
          " | ";
    md += r.best_f1 ? Fixed(r.best_f1->f1, 4) + " @ " +
                          report::ThresholdText(run.method, r.best_f1->threshold)
                    : "n/a";
    md += " | " + report::ProtocolCell(all.recall_at_p99) + " | " +
          report::ProtocolCell(query.recall_at_p99) + " | " +
          report::ProtocolCell(all.recall_at_p999) + " | " +
          report::ProtocolCell(query.recall_at_p999);
    md += " | " + Fixed(run.groups[int(kAll)].precision, 4) + " | " +
          Fixed(run.groups[int(kQuery)].precision, 4) + " | " +
          Fixed(run.groups[int(kAll)].recall, 4);
    md += " | " + report::Rate(run.images_per_second) + " |\n";
  }
  md +=
      "\nGroups at each method's default threshold (`neardup find`'s default mode); mixed: "
      "groups holding images of two or more truth groups, joining: of those, groups holding "
      "originals of two or more:\n\n";
  md +=
      "| method | threshold | pairs | groups | images | largest | P all | P query | R | F1 all | "
      "F1 query | mixed | joining |\n";
  md +=
      "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: "
      "|\n";
  for (const MethodRun& run : result.methods) {
    const GroupEvalReport& a = run.groups[int(kAll)];
    const GroupEvalReport& q = run.groups[int(kQuery)];
    md += "| " + run.method + " | " + report::MethodThresholdText(run.method, run.group_threshold) +
          " | " + std::to_string(run.matched_pairs) + " | " + std::to_string(a.groups) + " | " +
          std::to_string(a.images_grouped) + " | " + std::to_string(a.largest_group) + " | " +
          Fixed(a.precision, 4) + " | " + Fixed(q.precision, 4) + " | " + Fixed(a.recall, 4) +
          " | " + Fixed(a.f1, 4) + " | " + Fixed(q.f1, 4) + " | " + std::to_string(a.mixed_groups) +
          " | " + std::to_string(a.groups_joining_originals) + " |\n";
  }
  if (!with_families || result.families.empty()) return md;
  md += "\nRecall per family at each method's precision ≥ 0.99 threshold (" +
        std::string(EvalProtocolTitle(result.protocol)) + "):\n\n| family |";
  std::string rule = "| --- |";
  for (const MethodRun& run : result.methods) {
    md += " " + run.method + " |";
    rule += " ---: |";
  }
  md += "\n" + rule + "\n";
  for (const std::string& family : result.families) {
    md += "| " + family + " |";
    for (const MethodRun& run : result.methods) {
      md += " " + Fixed(report::FamilyRecallAtP99(run, family), 2) + " |";
    }
    md += "\n";
  }
  return md;
}

}  // namespace neardup
