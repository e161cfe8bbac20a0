#include "neardup/explain.h"

#include <cstdio>
#include <memory>

#include "image/montage.h"
#include "method/search.h"
#include "neardup/descriptor.h"
#include "neardup/nn.h"
#include "neardup/registry.h"
#include "verify/match_picture.h"

namespace neardup {

StatusOr<Explanation> ExplainPair(const Image& a, const Image& b, const ExplainOptions& options) {
  if (a.empty() || b.empty()) return InvalidArgumentError("explain: an image is empty");
  std::vector<std::string> methods = options.methods;
  if (methods.empty()) {
    methods = MethodNames();
    for (const std::string& m : InstalledNnMethods()) methods.push_back(m);
    if (const std::string d = DefaultMethod(); d != kDefaultMethod) methods.push_back(d);
  }
  Explanation out;
  for (const std::string& spec : methods) {
    StatusOr<std::unique_ptr<Method>> m = MakeMethod(spec);
    if (!m.ok()) {
      out.notes.push_back(spec + ": " + m.status().message());
      continue;
    }
    StatusOr<Descriptor> da = (*m)->Compute(a);
    StatusOr<Descriptor> db = (*m)->Compute(b);
    if (!da.ok() || !db.ok()) {
      out.notes.push_back(spec + ": " + (da.ok() ? db : da).status().message());
      continue;
    }
    MethodVerdict v;
    v.method = (*m)->name();
    StatusOr<PairComparison> compared = ComparePair(**m, *da, *db, /*keep_inliers=*/true);
    if (!compared.ok()) {
      out.notes.push_back(spec + ": " + compared.status().message());
      continue;
    }
    v.distance = compared->distance;
    if (compared->evidence) out.fused = std::move(*compared->evidence);
    v.score = (*m)->Score(v.distance);
    v.threshold = (*m)->default_threshold();
    v.value = (*m)->InThresholdUnit(v.distance);
    const ThresholdRange range = (*m)->threshold_range();
    v.unit = range.unit_key;
    v.at_most = range.decimals == 0;
    v.match = IsMatch(**m, v.distance, v.threshold);
    out.verdicts.push_back(v);
    if (spec.rfind("stn-cnn:", 0) == 0) {
      StatusOr<std::vector<Image>> aligned = AlignWithStn(spec, NnMethodOptions{}, {&a, &b});
      if (aligned.ok()) {
        out.aligned.push_back({spec, std::move((*aligned)[0]), std::move((*aligned)[1])});
      } else {
        out.notes.push_back(spec + ": no aligned images: " + aligned.status().message());
      }
    }
  }
  if (out.verdicts.empty()) {
    std::string why;
    for (const std::string& n : out.notes) why += "\n  " + n;
    return InvalidArgumentError("explain: no method could run:" + why);
  }
  return out;
}

std::string FormatVerdict(const MethodVerdict& v) {
  // "pdq8  12 bits (match: <= 31)  score 0.953  match" / "cnn:x  cosine 0.916 (match: >= 0.941)"
  char value[64];
  if (v.at_most) {
    std::snprintf(value, sizeof value, "%g %s (match: <= %g)", v.value, v.unit.c_str(), v.threshold);
  } else {
    std::snprintf(value, sizeof value, "%s %.4f (match: >= %.4g)", v.unit.c_str(), v.value,
                  v.threshold);
  }
  char buf[200];
  std::snprintf(buf, sizeof buf, "%-16s %-34s score %.3f  %s", v.method.c_str(), value, v.score,
                v.match ? "match" : "no match");
  return buf;
}

std::vector<std::string> FormatEvidence(const PairEvidence& e) {
  char buf[256];
  std::vector<std::string> lines;
  std::snprintf(buf, sizeof buf, "fused score %.3f: pdq8 %d bits%s, %d votes", e.score, e.hash_bits,
                e.low_quality ? " (low-quality hash)" : "", e.votes);
  lines.push_back(buf);
  if (e.cosine != kNoCosine) {
    std::snprintf(buf, sizeof buf, "  learned embedding: cosine %.3f", e.cosine);
    lines.push_back(buf);
  }
  if (!e.verified) {
    lines.push_back("  not verified: " + e.why_not_verified);
    return lines;
  }
  const Verification& v = e.verification;
  std::snprintf(buf, sizeof buf,
                "  verification: %s, %d inliers of %d matches (%d / %d keypoints), spread %.2f%s",
                v.match ? "match" : ("no match: " + v.reason).c_str(), v.inliers, v.matches,
                v.keypoints_a, v.keypoints_b, v.spread, v.mirrored ? ", mirrored" : "");
  lines.push_back(buf);
  if (v.inliers > 0) {
    auto quad = [](const std::array<Point2, 4>& q) {
      std::string s;
      for (const Point2& p : q)
        s += " (" + std::to_string(int(p.x)) + "," + std::to_string(int(p.y)) + ")";
      return s;
    };
    lines.push_back("  region in A:" + quad(v.region_a));
    lines.push_back("  region in B:" + quad(v.region_b));
  }
  return lines;
}

Image RenderExplanation(const Image& a, const Image& b, const Explanation& e,
                        const std::string& name_a, const std::string& name_b) {
  std::vector<std::vector<MontageCell>> rows;
  rows.push_back({{&a, "A: " + name_a}, {&b, "B: " + name_b}});
  Image matches;
  if (e.fused && e.fused->verified && e.fused->verification.inliers > 0) {
    const Verification& v = e.fused->verification;
    matches = DrawMatches(a, b, v.inlier_pairs, v.region_a, v.region_b);
    rows.push_back({{&matches, std::to_string(v.inliers) + " inlier matches and the matched "
                                                           "region (fused verification)"}});
  }
  for (const AlignedPair& p : e.aligned) {
    rows.push_back(
        {{&p.a, "A as " + p.method + " aligned it"}, {&p.b, "B as " + p.method + " aligned it"}});
  }
  std::vector<std::string> lines;
  for (const MethodVerdict& v : e.verdicts) lines.push_back(FormatVerdict(v));
  if (e.fused) {
    for (const std::string& l : FormatEvidence(*e.fused)) lines.push_back(l);
  }
  for (const std::string& n : e.notes) lines.push_back("not run: " + n);
  return Montage(rows, lines);
}

}  // namespace neardup
