#include "json_out.h"

#include <array>
#include <cmath>

#include "neardup/text.h"

namespace neardup::cli {

void SetJsonPath(nlohmann::ordered_json& j, const std::string& path, const char* key) {
  if (IsValidUtf8(path)) {
    j[key] = path;
    return;
  }
  j[key] = ToValidUtf8(path);
  j[std::string(key) + "_hex"] = HexBytes(path);
}

nlohmann::ordered_json EvidenceJson(const PairEvidence& e) {
  auto quad = [](const std::array<Point2, 4>& q) {
    nlohmann::ordered_json j = nlohmann::ordered_json::array();
    for (const Point2& p : q) j.push_back({std::round(p.x * 10) / 10, std::round(p.y * 10) / 10});
    return j;
  };
  nlohmann::ordered_json j;
  j["score"] = e.score;
  j["hash_bits"] = e.hash_bits;
  j["low_quality_hash"] = e.low_quality;
  j["votes"] = e.votes;
  if (e.cosine != kNoCosine) j["cosine"] = e.cosine;  // fused:<learned>: the embeddings' cosine
  j["verified"] = e.verified;
  if (!e.verified) {
    j["why_not_verified"] = e.why_not_verified;
    return j;
  }
  const Verification& v = e.verification;
  nlohmann::ordered_json jv;
  jv["match"] = v.match;
  jv["score"] = v.score;
  jv["keypoints_a"] = v.keypoints_a;
  jv["keypoints_b"] = v.keypoints_b;
  jv["matches"] = v.matches;
  jv["inliers"] = v.inliers;
  jv["spread"] = v.spread;
  jv["mirrored"] = v.mirrored;
  if (v.inliers > 0) {
    jv["homography"] = v.homography;
    jv["region_a"] = quad(v.region_a);
    jv["region_b"] = quad(v.region_b);
  }
  if (!v.reason.empty()) jv["reason"] = v.reason;
  j["verification"] = std::move(jv);
  return j;
}

std::string DumpJson(const nlohmann::ordered_json& j, int indent) {
  return j.dump(indent, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

namespace {

nlohmann::ordered_json RecordsJson(const std::vector<ActionRecord>& records) {
  nlohmann::ordered_json out = nlohmann::ordered_json::array();
  for (const ActionRecord& a : records) {
    nlohmann::ordered_json j;
    SetJsonPath(j, a.path);
    SetJsonPath(j, a.keep, "keep");
    j["outcome"] = OutcomeName(a.outcome);
    j["detail"] = a.detail;
    if (!a.destination.empty()) SetJsonPath(j, a.destination, "destination");
    out.push_back(std::move(j));
  }
  return out;
}

}  // namespace

nlohmann::ordered_json ExplanationJson(const std::string& a, const std::string& b,
                                       const Explanation& e, const MethodVerdict& verdict,
                                       const std::vector<std::string>& written) {
  nlohmann::ordered_json methods = nlohmann::ordered_json::array();
  for (const MethodVerdict& v : e.verdicts) {
    methods.push_back({{"method", v.method},
                       {"distance", v.distance},
                       {"score", v.score},
                       {"threshold", v.threshold},
                       {"match", v.match}});
  }
  nlohmann::ordered_json out;
  SetJsonPath(out, a, "a");
  SetJsonPath(out, b, "b");
  out["methods"] = methods;
  if (e.fused) out["fused"] = EvidenceJson(*e.fused);
  out["near_duplicate"] = verdict.match;
  out["verdict_method"] = verdict.method;
  out["not_run"] = e.notes;
  out["files"] = written;
  return out;
}

nlohmann::ordered_json IndexStatsJson(const IndexStats& s) {
  nlohmann::ordered_json j;
  SetJsonPath(j, s.path);
  j["method"] = s.method;
  j["index"] = s.factory;
  j["dims"] = s.dims;
  j["images"] = s.images;
  j["vectors"] = s.vectors;
  j["trained"] = s.trained;
  j["catalog_bytes"] = s.catalog_bytes;
  j["vector_bytes"] = s.vector_bytes;
  j["bytes_per_image"] =
      s.images ? double(s.catalog_bytes + s.vector_bytes) / double(s.images) : 0.0;
  return j;
}

nlohmann::ordered_json ActReportJson(const ActReport& r, const ActOptions& o) {
  nlohmann::ordered_json j;
  j["dry_run"] = o.dry_run;
  j["action"] = ActionKindName(o.kind);
  if (!r.journal.empty()) SetJsonPath(j, r.journal, "journal");
  j["done"] = r.done;
  j["skipped"] = r.skipped;
  j["failed"] = r.failed;
  j["actions"] = RecordsJson(r.actions);
  return j;
}

nlohmann::ordered_json UndoReportJson(const UndoReport& r) {
  nlohmann::ordered_json j;
  SetJsonPath(j, r.journal, "journal");
  j["restored"] = r.restored;
  j["skipped"] = r.skipped;
  j["failed"] = r.failed;
  j["actions"] = RecordsJson(r.actions);
  return j;
}

namespace {

struct Window {
  long x, y, width, height;
};
Window InPixels(const QueryView& v, int width, int height) {
  return {std::lround(v.x * width), std::lround(v.y * height), std::lround(v.width * width),
          std::lround(v.height * height)};
}

}  // namespace

nlohmann::ordered_json QueryViewJson(const QueryView& v, int width, int height) {
  if (v.upright()) return nullptr;
  nlohmann::ordered_json j;
  if (v.width > 0) {
    const Window w = InPixels(v, width, height);
    j["region"] = {{"x", w.x}, {"y", w.y}, {"width", w.width}, {"height", w.height}};
  } else {
    j["turn"] = 90 * v.quarter_turns;
    j["mirrored"] = v.mirrored;
  }
  return j;
}

std::string QueryViewText(const QueryView& v, int width, int height) {
  if (v.upright()) return "";
  if (v.width > 0) {
    const Window w = InPixels(v, width, height);
    return "in region " + std::to_string(w.x) + "," + std::to_string(w.y) + " " +
           std::to_string(w.width) + "x" + std::to_string(w.height);
  }
  std::string s = v.quarter_turns ? "turned " + std::to_string(90 * v.quarter_turns) + "\u00b0" : "";
  if (v.mirrored) s += s.empty() ? "mirrored" : ", mirrored";
  return s;
}

}  // namespace neardup::cli
