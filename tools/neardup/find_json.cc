#include "find_json.h"

#include <filesystem>

#include "json_out.h"
#include "neardup/act.h"
#include "neardup/text.h"

namespace neardup::cli {

nlohmann::ordered_json FindJson(const FindResult& r, const std::vector<std::string>& inputs,
                                double seconds) {
  const Method& method = *r.method;
  nlohmann::ordered_json out;
  std::error_code ec;
  SetJsonPath(out, std::filesystem::current_path(ec).string(), "cwd");
  nlohmann::ordered_json roots = nlohmann::ordered_json::array();
  for (const std::string& in : inputs) {
    nlohmann::ordered_json j;
    SetJsonPath(j, std::filesystem::absolute(in, ec).lexically_normal().string(), "root");
    roots.push_back(j["root"]);
  }
  out["roots"] = std::move(roots);
  out["method"] = method.name();
  out["threshold"] = r.threshold;
  out["threshold_unit"] = method.threshold_range().unit_key;
  nlohmann::ordered_json groups = nlohmann::ordered_json::array();
  for (const Group& g : r.groups) {
    nlohmann::ordered_json files = nlohmann::ordered_json::array();
    for (const GroupMember& m : g.members) {
      const ScannedFile& f = r.scan.files[m.item];
      nlohmann::ordered_json jf;
      SetJsonPath(jf, f.path);
      jf["keep"] = m.keep;
      jf["score"] = m.score;
      jf["reason"] = m.reason;
      jf["width"] = f.facts.width;
      jf["height"] = f.facts.height;
      jf["bytes"] = f.facts.bytes;
      jf["mtime_ns"] = f.facts.mtime_ns;
      jf["format"] = f.facts.format;
      StatusOr<std::string> sha = FileSha256(f.path);
      if (sha.ok()) jf["sha256"] = *sha;  // else act refuses to touch it (no hash to re-check)
      files.push_back(std::move(jf));
    }
    // The pairs that joined the group, with their evidence (fused) or distance (single methods).
    nlohmann::ordered_json pairs = nlohmann::ordered_json::array();
    for (int64_t k : g.pairs) {
      const ScoredPair& p = r.pairs[k];
      nlohmann::ordered_json jp;
      SetJsonPath(jp, r.scan.files[p.a].path, "a");
      SetJsonPath(jp, r.scan.files[p.b].path, "b");
      if (size_t(k) < r.evidence.size()) {
        jp.update(EvidenceJson(r.evidence[k]));
      } else {
        jp["score"] = method.Score(p.distance);
        jp["distance"] = p.distance;
      }
      pairs.push_back(std::move(jp));
    }
    groups.push_back({{"files", std::move(files)}, {"pairs", std::move(pairs)}});
  }
  out["groups"] = std::move(groups);
  nlohmann::ordered_json errors = nlohmann::ordered_json::array();
  for (const InputError& e : r.scan.errors) {
    nlohmann::ordered_json je;
    SetJsonPath(je, e.path);
    je["error"] = e.status.message();
    je["code"] = StatusCodeName(e.status.code());
    errors.push_back(std::move(je));
  }
  out["errors"] = std::move(errors);
  out["stats"] = {{"images", r.scan.files.size()},
                  {"decoded", r.scan.decoded},
                  {"cached", r.scan.cached},
                  {"unreadable", r.scan.errors.size()},
                  {"skipped", r.scan.skipped_non_images},
                  {"seconds", seconds}};
  return out;
}


}  // namespace neardup::cli
