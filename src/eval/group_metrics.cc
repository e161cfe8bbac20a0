// EvaluateGroups(): pairwise precision and recall of predicted duplicate groups, counted per group
// from the truth groups of its members (never by listing the pairs: one group of 10,000 images
// holds 50 million of them).
#include <algorithm>
#include <cassert>
#include <cmath>
#include <limits>
#include <map>
#include <string>
#include <unordered_set>

#include "neardup/eval.h"

namespace neardup {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

int64_t PairsOf(int64_t n) { return n * (n - 1) / 2; }

}  // namespace

GroupEvalReport EvaluateGroups(const Benchmark& bench,
                               const std::vector<std::vector<int32_t>>& groups,
                               EvalProtocol protocol) {
  const std::vector<BenchImage>& images = bench.images();
  const size_t n = images.size();
  const bool query_side = protocol == EvalProtocol::kQuerySide;
  GroupEvalReport report;
  report.protocol = protocol;

  // Dense truth groups (-1 for distractors) and the size of each.
  std::vector<int32_t> truth(n, -1);
  std::vector<int64_t> truth_size;
  {
    std::map<std::string, int32_t> ids;
    for (size_t i = 0; i < n; ++i) {
      if (images[i].group.empty()) continue;
      auto [it, added] = ids.emplace(images[i].group, int32_t(ids.size()));
      if (added) truth_size.push_back(0);
      truth[i] = it->second;
      ++truth_size[it->second];
    }
  }
  auto is_distractor = [&](int32_t i) { return images[i].role == BenchRole::kDistractor; };
  auto is_picture = [&](int32_t i) {  // an original or a natural: a picture of its own
    return images[i].role == BenchRole::kOriginal || images[i].role == BenchRole::kNatural;
  };

  // Each image in its first group only; `group_of` indexes the kept groups.
  std::vector<int32_t> group_of(n, -1);
  std::vector<std::vector<int32_t>> kept;
  std::vector<int32_t> members;
  for (const std::vector<int32_t>& group : groups) {
    const int32_t index = int32_t(kept.size());
    members.clear();
    for (int32_t id : group) {
      assert(id >= 0 && size_t(id) < n);
      if (group_of[id] == index) continue;  // listed twice in this group
      if (group_of[id] >= 0) {
        ++report.repeated_images;
        continue;
      }
      group_of[id] = index;
      members.push_back(id);
    }
    if (members.size() < 2) {
      for (int32_t id : members) group_of[id] = -1;
      continue;
    }
    kept.push_back(members);
  }

  std::vector<int32_t> seen_truth;  // scratch: truth groups of one group's members
  std::vector<int32_t> seen_pictures;
  std::unordered_set<uint64_t> with_original;  // (kept group << 32) | truth group
  for (size_t g = 0; g < kept.size(); ++g) {
    const std::vector<int32_t>& m = kept[g];
    ++report.groups;
    report.images_grouped += int64_t(m.size());
    report.largest_group = std::max(report.largest_group, int64_t(m.size()));
    seen_truth.clear();
    seen_pictures.clear();
    int64_t distractors = 0;
    for (int32_t id : m) {
      if (truth[id] < 0) {
        distractors += is_distractor(id);
        continue;
      }
      seen_truth.push_back(truth[id]);
      if (is_picture(id)) seen_pictures.push_back(truth[id]);
      if (images[id].role == BenchRole::kOriginal) {
        with_original.insert((uint64_t(g) << 32) | uint32_t(truth[id]));
      }
    }
    report.predicted_pairs += PairsOf(int64_t(m.size())) - (query_side ? PairsOf(distractors) : 0);
    std::sort(seen_truth.begin(), seen_truth.end());
    for (size_t i = 0; i < seen_truth.size();) {
      size_t j = i;
      while (j < seen_truth.size() && seen_truth[j] == seen_truth[i]) ++j;
      report.right_pairs += PairsOf(int64_t(j - i));
      i = j;
    }
    const auto distinct = [](std::vector<int32_t>& v) {
      std::sort(v.begin(), v.end());
      return std::unique(v.begin(), v.end()) - v.begin();
    };
    if (distinct(seen_truth) >= 2) ++report.mixed_groups;
    if (distinct(seen_pictures) >= 2) ++report.groups_joining_originals;
  }

  for (int64_t size : truth_size) report.truth_pairs += PairsOf(size);
  // ignore.csv: out of every count it would be in.
  for (const auto& [a, b] : bench.ignored()) {
    const bool same_truth = truth[a] >= 0 && truth[a] == truth[b];
    if (same_truth) --report.truth_pairs;
    if (group_of[a] < 0 || group_of[a] != group_of[b]) continue;
    if (query_side && is_distractor(a) && is_distractor(b)) continue;  // already left out
    --report.predicted_pairs;
    if (same_truth) --report.right_pairs;
  }

  report.precision = report.predicted_pairs > 0
                         ? double(report.right_pairs) / double(report.predicted_pairs)
                         : kNaN;
  report.recall =
      report.truth_pairs > 0 ? double(report.right_pairs) / double(report.truth_pairs) : kNaN;
  const double p = report.precision, r = report.recall;
  report.f1 = (p > 0 && r > 0) ? 2 * p * r / (p + r) : 0.0;  // false for NaN

  // Copy families: found when grouped with an original of their truth group.
  std::map<std::string, GroupFamilyStats> families;
  for (size_t i = 0; i < n; ++i) {
    if (images[i].role != BenchRole::kCopy) continue;
    const std::string& name = images[i].family.empty() ? kUnknownFamily : images[i].family;
    GroupFamilyStats& f = families[name];
    f.family = name;
    ++f.copies;
    const int32_t g = group_of[i];
    if (g >= 0 && with_original.count((uint64_t(g) << 32) | uint32_t(truth[i])) > 0) ++f.found;
  }
  for (auto& [name, f] : families) report.families.push_back(std::move(f));
  return report;
}

}  // namespace neardup
