// The document of `find --json` (and of the server's GET /v1/groups): the plan `neardup act`
// reads (neardup/act.h).
#ifndef NEARDUP_TOOLS_FIND_JSON_H_
#define NEARDUP_TOOLS_FIND_JSON_H_

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "neardup/find.h"

namespace neardup::cli {

// "cwd" and "roots" (the scan's working folder and `inputs`, absolute), "method", "threshold",
// "threshold_unit", "groups" (files with keep, score, reason, size, mtime and SHA-256 read now, so
// act can tell a file that changed since; the pairs that joined the group with their evidence),
// "errors", "stats" (with `seconds`).
nlohmann::ordered_json FindJson(const FindResult& r, const std::vector<std::string>& inputs,
                                double seconds);

}  // namespace neardup::cli

#endif  // NEARDUP_TOOLS_FIND_JSON_H_
