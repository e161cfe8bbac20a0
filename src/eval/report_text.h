// The text parts of the benchmark report (private to the library): report.json, and the numbers
// that index.html and summary.md format alike.
#ifndef NEARDUP_SRC_EVAL_REPORT_TEXT_H_
#define NEARDUP_SRC_EVAL_REPORT_TEXT_H_

#include <string>

#include "neardup/bench_run.h"

namespace neardup::report {

// report.json: every number of the result, pretty-printed.
std::string BenchReportJson(const BenchRunResult& result);

// The recall of `family` at the P >= 0.99 operating point of `run`; NaN when the family has no
// positive or the method never reaches precision 0.99.
double FamilyRecallAtP99(const MethodRun& run, const std::string& family);

// "0.8750 (≤ 32 bits)": a score threshold with the method's distance, for people.
std::string ThresholdText(const std::string& method, double score);

// "0.5078 (126 bits)": one pair's score and distance.
std::string PairScoreText(const std::string& method, double score, double distance);

// "≤ 31 bits" or "≥ 0.5000 fused score": a threshold in the method's own unit (find's groups).
std::string MethodThresholdText(const std::string& method, double threshold);

// An operating point's recall for a table ("0.8123"), "n/a" when the point does not exist.
std::string ProtocolCell(const std::optional<OperatingPoint>& op);

// Images per second for a table: no decimals from 100 up, one below.
std::string Rate(double images_per_second);

}  // namespace neardup::report

#endif  // NEARDUP_SRC_EVAL_REPORT_TEXT_H_
