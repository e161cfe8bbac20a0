// ParsePlan (neardup/act.h): find --json output -> the groups and roots Act works on.
#include <filesystem>
#include <nlohmann/json.hpp>
#include <set>

#include "act/json_path.h"
#include "neardup/act.h"

namespace neardup {
namespace {

// `path` made absolute against `cwd` and lexically normal (symlinks are resolved by Act, when it
// checks the roots, not here).
StatusOr<std::string> Absolute(const std::string& path, const std::string& cwd,
                               const std::string& what) {
  if (path.empty()) return InvalidArgumentError(what + ": empty path");
  if (path[0] == '/') return std::filesystem::path(path).lexically_normal().string();
  if (cwd.empty()) {
    return InvalidArgumentError(what + ": relative path \"" + path +
                                "\" and the plan has no \"cwd\" to resolve it against");
  }
  return (std::filesystem::path(cwd) / path).lexically_normal().string();
}

StatusOr<int64_t> OptionalInt(const nlohmann::json& f, const char* key, const std::string& what) {
  const auto it = f.find(key);
  if (it == f.end() || it->is_null()) return int64_t(-1);
  if (!it->is_number_integer() || it->get<int64_t>() < 0) {
    return InvalidArgumentError(what + ": \"" + key + "\" is not a non-negative integer");
  }
  return it->get<int64_t>();
}

StatusOr<Plan> ParseJson(const nlohmann::json& j) {
  if (!j.is_object()) return InvalidArgumentError("the plan is not a JSON object");
  std::string cwd;
  if (j.contains("cwd")) {
    ASSIGN_OR_RETURN(cwd, act::GetJsonPath(j, "cwd"));
    if (cwd.empty() || cwd[0] != '/') {
      return InvalidArgumentError("\"cwd\" is not an absolute path: " + cwd);
    }
  }
  Plan plan;
  if (const auto roots = j.find("roots"); roots != j.end()) {
    if (!roots->is_array()) return InvalidArgumentError("\"roots\" is not an array");
    for (const auto& r : *roots) {
      if (!r.is_string()) return InvalidArgumentError("\"roots\" holds a value that is not a path");
      ASSIGN_OR_RETURN(std::string root, Absolute(r.get<std::string>(), cwd, "roots"));
      plan.roots.push_back(std::move(root));
    }
  }
  const auto groups = j.find("groups");
  if (groups == j.end() || !groups->is_array()) {
    return InvalidArgumentError("the plan has no \"groups\" array (is it find --json output?)");
  }
  std::set<std::string> seen;
  for (size_t gi = 0; gi < groups->size(); ++gi) {
    const nlohmann::json& g = (*groups)[gi];
    const std::string gname = "group " + std::to_string(gi + 1);
    if (!g.is_object() || !g.contains("files") || !g["files"].is_array()) {
      return InvalidArgumentError(gname + ": no \"files\" array");
    }
    PlanGroup group;
    int kept = 0;
    for (const nlohmann::json& f : g["files"]) {
      if (!f.is_object()) return InvalidArgumentError(gname + ": a file is not an object");
      StatusOr<std::string> raw = act::GetJsonPath(f, "path");
      if (!raw.ok()) return InvalidArgumentError(gname + ": " + raw.status().message());
      PlanFile pf;
      ASSIGN_OR_RETURN(pf.path, Absolute(*raw, cwd, gname));
      const std::string what = gname + ": " + pf.path;
      const auto keep = f.find("keep");
      if (keep == f.end() || !keep->is_boolean()) {
        return InvalidArgumentError(what + ": no \"keep\" true or false");
      }
      pf.keep = keep->get<bool>();
      kept += pf.keep;
      ASSIGN_OR_RETURN(pf.bytes, OptionalInt(f, "bytes", what));
      ASSIGN_OR_RETURN(pf.mtime_ns, OptionalInt(f, "mtime_ns", what));
      if (const auto sha = f.find("sha256"); sha != f.end() && !sha->is_null()) {
        if (!sha->is_string()) return InvalidArgumentError(what + ": \"sha256\" is not a string");
        pf.sha256 = sha->get<std::string>();
        if (pf.sha256.size() != 64 ||
            pf.sha256.find_first_not_of("0123456789abcdef") != std::string::npos) {
          return InvalidArgumentError(what + ": \"sha256\" is not 64 lowercase hex digits");
        }
      }
      if (!seen.insert(pf.path).second) {
        return InvalidArgumentError(what + ": the file is listed twice in the plan");
      }
      group.files.push_back(std::move(pf));
    }
    if (kept != 1) {
      return InvalidArgumentError(gname + ": " + std::to_string(kept) +
                                  " files have \"keep\": true; exactly one must");
    }
    plan.groups.push_back(std::move(group));
  }
  return plan;
}

}  // namespace

StatusOr<Plan> ParsePlan(std::string_view json) {
  nlohmann::json j = nlohmann::json::parse(json, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return InvalidArgumentError("the plan is not valid JSON");
  try {
    return ParseJson(j);
  } catch (const nlohmann::json::exception& e) {
    return InvalidArgumentError(std::string("the plan is malformed: ") + e.what());
  }
}

}  // namespace neardup
