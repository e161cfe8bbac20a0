// JSON output of the subcommands: paths that are not UTF-8, serialising, the evidence on a pair.
#ifndef NEARDUP_TOOLS_JSON_OUT_H_
#define NEARDUP_TOOLS_JSON_OUT_H_

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "neardup/act.h"
#include "neardup/explain.h"
#include "neardup/fuse.h"
#include "neardup/image_index.h"

namespace neardup::cli {

// Sets j["path"] to the path; when it is not valid UTF-8 (include/neardup/text.h), the invalid
// bytes are replaced by U+FFFD there and j["path_hex"] carries the exact bytes in hex.
void SetJsonPath(nlohmann::ordered_json& j, const std::string& path, const char* key = "path");

// Serialises JSON, replacing any invalid UTF-8 left in strings (never throws).
std::string DumpJson(const nlohmann::ordered_json& j, int indent = 2);

// The evidence on a pair as JSON (what each source said, the verification, the matched region in
// both images' pixels), without the paths: the caller names the pair.
nlohmann::ordered_json EvidenceJson(const PairEvidence& e);

// The document of `explain --json`: "a", "b", each method's verdict, the fused evidence, the
// verdict of `verdict` (the default method's), the methods not run and the files written.
nlohmann::ordered_json ExplanationJson(const std::string& a, const std::string& b,
                                       const Explanation& e, const MethodVerdict& verdict,
                                       const std::vector<std::string>& written);

// `index stats --json`: path, method, index (the Faiss factory), dims, images, vectors, trained,
// catalog_bytes, vector_bytes, bytes_per_image.
nlohmann::ordered_json IndexStatsJson(const IndexStats& s);

// Which view of a query an index hit came from, for a query image of width x height pixels:
// {"turn": degrees clockwise, "mirrored": bool} when turned, {"region": {x, y, width, height}} in
// those pixels when a picture inside it; null when upright. The same in words for the table
// (empty when upright): "turned 90°, mirrored", "in region 500,150 163x171".
nlohmann::ordered_json QueryViewJson(const QueryView& v, int width, int height);
std::string QueryViewText(const QueryView& v, int width, int height);

// An act run as JSON, the same for `neardup act --json` and POST /v1/actions: dry_run, action,
// journal, done/skipped/failed and one record per file (path, keep, outcome, detail, destination).
nlohmann::ordered_json ActReportJson(const ActReport& r, const ActOptions& o);

// An undo run as JSON (`neardup undo --json`, POST /v1/undo): journal, restored/skipped/failed and
// one record per file.
nlohmann::ordered_json UndoReportJson(const UndoReport& r);

}  // namespace neardup::cli

#endif  // NEARDUP_TOOLS_JSON_OUT_H_
