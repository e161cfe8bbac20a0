// JSON output of the subcommands: paths that are not UTF-8, serialising, the evidence on a pair.
#ifndef NEARDUP_TOOLS_JSON_OUT_H_
#define NEARDUP_TOOLS_JSON_OUT_H_

#include <nlohmann/json.hpp>
#include <string>

#include "neardup/fuse.h"

namespace neardup::cli {

// Sets j["path"] to the path; when it is not valid UTF-8 (include/neardup/text.h), the invalid
// bytes are replaced by U+FFFD there and j["path_hex"] carries the exact bytes in hex.
void SetJsonPath(nlohmann::ordered_json& j, const std::string& path, const char* key = "path");

// Serialises JSON, replacing any invalid UTF-8 left in strings (never throws).
std::string DumpJson(const nlohmann::ordered_json& j, int indent = 2);

// The evidence on a pair as JSON (what each source said, the verification, the matched region in
// both images' pixels), without the paths: the caller names the pair.
nlohmann::ordered_json EvidenceJson(const PairEvidence& e);

}  // namespace neardup::cli

#endif  // NEARDUP_TOOLS_JSON_OUT_H_
