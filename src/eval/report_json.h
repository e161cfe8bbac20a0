// EvalReport as JSON (private to the library: nlohmann types stay in src/eval/). The public,
// serialised forms are neardup::EvalReportJson and GroupEvalReportJson (include/neardup/eval.h).
#ifndef NEARDUP_SRC_EVAL_REPORT_JSON_H_
#define NEARDUP_SRC_EVAL_REPORT_JSON_H_

#include <nlohmann/json.hpp>

#include "neardup/eval.h"

namespace neardup::report {

// The object EvalReportJson serialises (its keys are documented there).
nlohmann::ordered_json EvalReportToJson(const EvalReport& report, const EvalJsonOptions& options);

// The object GroupEvalReportJson serialises.
nlohmann::ordered_json GroupEvalReportToJson(const GroupEvalReport& report);

}  // namespace neardup::report

#endif  // NEARDUP_SRC_EVAL_REPORT_JSON_H_
