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

}  // namespace neardup::cli
