// Paths in JSON, as find --json writes them: "<key>" holds the path when it is valid UTF-8, else
// its U+FFFD-replaced text beside "<key>_hex" with the exact bytes. Shared by the plan reader and
// the journal.
#ifndef NEARDUP_SRC_ACT_JSON_PATH_H_
#define NEARDUP_SRC_ACT_JSON_PATH_H_

#include <nlohmann/json.hpp>
#include <string>

#include "neardup/status.h"

namespace neardup::act {

void SetJsonPath(nlohmann::json& j, const std::string& key, const std::string& path);

// The path under `key` ("<key>_hex" wins when present). InvalidArgument when neither is a string
// or the hex is malformed.
StatusOr<std::string> GetJsonPath(const nlohmann::json& j, const std::string& key);

}  // namespace neardup::act

#endif  // NEARDUP_SRC_ACT_JSON_PATH_H_
