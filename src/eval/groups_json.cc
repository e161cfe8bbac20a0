// Reading the groups of `neardup find --json` for EvaluateGroups (eval.h).
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "eval/csv_reader.h"
#include "eval/mapped_file.h"
#include "neardup/eval.h"

namespace neardup {
namespace {

using Json = nlohmann::json;

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// The bytes of an even-length hex string; empty when it is not one.
std::optional<std::string> FromHex(const std::string& hex) {
  if (hex.size() % 2 != 0) return std::nullopt;
  std::string out;
  out.reserve(hex.size() / 2);
  for (size_t i = 0; i < hex.size(); i += 2) {
    const int hi = HexDigit(hex[i]), lo = HexDigit(hex[i + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out.push_back(char(hi * 16 + lo));
  }
  return out;
}

// The exact path of a file entry: "path_hex" when present and valid (paths that are not UTF-8),
// else "path"; empty when the entry has neither.
std::optional<std::string> EntryPath(const Json& file) {
  if (!file.is_object()) return std::nullopt;
  if (auto it = file.find("path_hex"); it != file.end() && it->is_string()) {
    if (std::optional<std::string> bytes = FromHex(it->get<std::string>())) return bytes;
  }
  if (auto it = file.find("path"); it != file.end() && it->is_string()) {
    return it->get<std::string>();
  }
  return std::nullopt;
}

}  // namespace

StatusOr<GroupsInput> ParseGroupsJson(std::string_view text, const Benchmark& bench,
                                      const std::string& name) {
  const Json j = Json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return InvalidArgumentError(name + ": not valid JSON");
  if (!j.is_object() || !j.contains("groups") || !j["groups"].is_array()) {
    return InvalidArgumentError(name + ": no \"groups\" array (expected `neardup find --json`)");
  }
  GroupsInput out;
  const Json& groups = j["groups"];
  for (size_t g = 0; g < groups.size(); ++g) {
    const Json& group = groups[g];
    const std::string where = name + ": group " + std::to_string(g + 1);
    if (!group.is_object() || !group.contains("files") || !group["files"].is_array()) {
      return InvalidArgumentError(where + ": no \"files\" array");
    }
    std::vector<int32_t> ids;
    for (const Json& file : group["files"]) {
      std::optional<std::string> path = EntryPath(file);
      if (!path) return InvalidArgumentError(where + ": a file without a \"path\" string");
      ++out.files;
      const int32_t id = bench.MapPath(*path);
      if (id < 0) {
        ++out.unmatched_files;
        if (out.problems.size() < size_t(kMaxProblems)) {
          out.problems.push_back(where + ": '" + eval::Excerpt(*path) +
                                 "' is not an image of the benchmark");
        }
        continue;
      }
      ids.push_back(id);
    }
    out.groups.push_back(std::move(ids));
  }
  return out;
}

StatusOr<GroupsInput> ReadGroupsJson(const std::string& path, const Benchmark& bench) {
  ASSIGN_OR_RETURN(eval::MappedFile file, eval::MappedFile::Open(path));
  return ParseGroupsJson(file.data(), bench, path);
}

}  // namespace neardup
