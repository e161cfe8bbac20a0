// EvalReport and GroupEvalReport as JSON: EvalReportJson, GroupEvalReportJson
// (include/neardup/eval.h) and their object forms.
#include "eval/report_json.h"

#include <cmath>
#include <limits>

namespace neardup {
namespace {

using Json = nlohmann::ordered_json;

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

double Ratio(int64_t num, int64_t den) { return den > 0 ? double(num) / double(den) : kNaN; }

Json PointJson(const std::optional<OperatingPoint>& op, const EvalJsonOptions& o) {
  if (!op) return nullptr;
  Json j = {{"threshold", op->threshold}};
  if (o.distance_for_score) j["distance"] = o.distance_for_score(op->threshold);
  j["precision"] = op->precision;
  j["recall"] = op->recall;
  j["f1"] = op->f1;
  j["true_positives"] = op->true_positives;
  j["false_positives"] = op->false_positives;
  return j;
}

}  // namespace

double FamilyRecallAtP99(const EvalReport& report, const FamilyStats& f) {
  if (!report.recall_at_p99) return kNaN;
  return Ratio(f.found_at_p99, f.positives);
}

namespace report {

Json ProtocolFiguresToJson(const ProtocolFigures& f, const EvalJsonOptions& o) {
  Json out = {{"negatives_listed", f.negatives_listed}, {"micro_ap", f.micro_ap}};
  out["best_f1"] = PointJson(f.best_f1, o);
  out["recall_at_p99"] = PointJson(f.recall_at_p99, o);
  out["recall_at_p999"] = PointJson(f.recall_at_p999, o);
  if (f.at_threshold) out["at_threshold"] = PointJson(f.at_threshold, o);
  return out;
}

Json EvalReportToJson(const EvalReport& r, const EvalJsonOptions& o) {
  Json out;
  out["protocol"] = EvalProtocolName(r.protocol);
  out["counts"] = {{"images", r.images},
                   {"positives", r.positives},
                   {"positives_listed", r.positives_listed},
                   {"negatives_listed", r.negatives_listed},
                   {"ignored_listed", r.ignored_listed},
                   {"distractor_pairs_listed", r.distractor_pairs_listed},
                   {"lines", r.lines},
                   {"listed_pairs", r.listed_pairs},
                   {"duplicate_pairs", r.duplicate_pairs},
                   {"self_pairs", r.self_pairs},
                   {"unmatched_lines", r.unmatched_lines},
                   {"malformed_lines", r.malformed_lines}};
  out["no_positives"] = r.no_positives;
  out["micro_ap"] = r.micro_ap;
  out["best_f1"] = PointJson(r.best_f1, o);
  out["recall_at_p99"] = PointJson(r.recall_at_p99, o);
  out["recall_at_p999"] = PointJson(r.recall_at_p999, o);
  if (r.at_threshold) out["at_threshold"] = PointJson(r.at_threshold, o);
  Json protocols = Json::object();
  for (const ProtocolFigures& f : r.protocols) {
    protocols[EvalProtocolName(f.protocol)] = ProtocolFiguresToJson(f, o);
  }
  out["protocols"] = std::move(protocols);
  Json families = Json::array();
  for (const FamilyStats& f : r.families) {
    Json j = {{"family", f.family},
              {"positives", f.positives},
              {"listed", f.listed},
              {"found_at_p99", f.found_at_p99},
              {"recall_listed", Ratio(f.listed, f.positives)},
              {"recall_at_p99", FamilyRecallAtP99(r, f)}};
    if (r.at_threshold) {
      j["found_at_threshold"] = f.found_at_threshold;
      j["recall_at_threshold"] = Ratio(f.found_at_threshold, f.positives);
    }
    families.push_back(std::move(j));
  }
  out["families"] = std::move(families);
  Json curve = Json::array();
  for (const PrPoint& p : r.pr_curve) {
    curve.push_back({{"recall", p.recall}, {"precision", p.precision}, {"threshold", p.threshold}});
  }
  out["pr_curve"] = std::move(curve);
  out["problems"] = r.problems;
  return out;
}

Json GroupEvalReportToJson(const GroupEvalReport& r) {
  Json out = {{"protocol", EvalProtocolName(r.protocol)},
              {"groups", r.groups},
              {"images_grouped", r.images_grouped},
              {"largest_group", r.largest_group},
              {"repeated_images", r.repeated_images},
              {"predicted_pairs", r.predicted_pairs},
              {"right_pairs", r.right_pairs},
              {"truth_pairs", r.truth_pairs},
              {"precision", r.precision},
              {"recall", r.recall},
              {"f1", r.f1},
              {"mixed_groups", r.mixed_groups},
              {"groups_joining_originals", r.groups_joining_originals}};
  Json families = Json::array();
  for (const GroupFamilyStats& f : r.families) {
    families.push_back({{"family", f.family},
                        {"copies", f.copies},
                        {"found", f.found},
                        {"recall", Ratio(f.found, f.copies)}});
  }
  out["families"] = std::move(families);
  return out;
}

}  // namespace report

std::string GroupEvalReportJson(const GroupEvalReport& report, int indent) {
  return report::GroupEvalReportToJson(report).dump(indent, ' ', false,
                                                    Json::error_handler_t::replace);
}

std::string EvalReportJson(const EvalReport& report, const EvalJsonOptions& options) {
  return report::EvalReportToJson(report, options)
      .dump(options.indent, ' ', false, Json::error_handler_t::replace);
}

}  // namespace neardup
