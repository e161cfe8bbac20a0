#include "neardup/group.h"

#include <algorithm>
#include <cstdio>
#include <map>
#include <numeric>
#include <set>

#include "neardup/text.h"
#include "pipeline/confirmed_clusters.h"

namespace neardup {
namespace {

int FormatRank(const std::string& format) {
  if (format == "png" || format == "tiff") return 3;
  if (format == "heif" || format == "webp" || format == "jpeg") return 2;
  return 1;
}

class DisjointSets {
 public:
  explicit DisjointSets(int64_t n) : parent_(n) { std::iota(parent_.begin(), parent_.end(), 0); }
  int64_t Find(int64_t x) {
    while (parent_[x] != x) x = parent_[x] = parent_[parent_[x]];
    return x;
  }
  void Union(int64_t a, int64_t b) {
    a = Find(a);
    b = Find(b);
    if (a != b) parent_[std::max(a, b)] = std::min(a, b);
  }

 private:
  std::vector<int64_t> parent_;
};

std::string Dims(const FileFacts& f) {
  return std::to_string(f.width) + "x" + std::to_string(f.height);
}

}  // namespace

namespace {

// Negative when a should be kept before b.
int Compare(const FileFacts& a, const FileFacts& b) {
  int64_t pa = int64_t(a.width) * a.height, pb = int64_t(b.width) * b.height;
  if (pa != pb) return pa > pb ? -1 : 1;
  int fa = FormatRank(a.format), fb = FormatRank(b.format);
  if (fa != fb) return fa > fb ? -1 : 1;
  if (a.bytes != b.bytes) return a.bytes > b.bytes ? -1 : 1;
  if (a.mtime_ns != b.mtime_ns) return a.mtime_ns < b.mtime_ns ? -1 : 1;
  if (a.path.size() != b.path.size()) return a.path.size() < b.path.size() ? -1 : 1;
  return a.path.compare(b.path);
}

// One strict group around the best-ranked item of `items`; the rest is returned in `rest`.
Group StrictGroup(const std::vector<int64_t>& ranked,
                  const std::set<std::pair<int64_t, int64_t>>& edges, std::vector<int64_t>* rest) {
  Group g;
  const int64_t keeper = ranked[0];
  g.members.push_back({keeper, true, 1.0, ""});
  for (size_t i = 1; i < ranked.size(); ++i) {
    int64_t x = ranked[i];
    if (edges.count({std::min(x, keeper), std::max(x, keeper)})) {
      g.members.push_back({x, false, 0, ""});
    } else {
      rest->push_back(x);
    }
  }
  return g;
}

}  // namespace

std::vector<int64_t> RankForKeeping(const std::vector<FileFacts>& facts,
                                    const std::vector<int64_t>& items) {
  std::vector<int64_t> order = items;
  std::sort(order.begin(), order.end(),
            [&](int64_t x, int64_t y) { return Compare(facts[x], facts[y]) < 0; });
  return order;
}

std::string KeepReason(const FileFacts& a, const FileFacts& b) {
  int64_t pa = int64_t(a.width) * a.height, pb = int64_t(b.width) * b.height;
  if (pa != pb) return "higher resolution (" + Dims(a) + " vs " + Dims(b) + ")";
  if (FormatRank(a.format) != FormatRank(b.format)) {
    return "same resolution, better format (" + a.format + " vs " + b.format + ")";
  }
  if (a.bytes != b.bytes) {
    std::string sa = HumanBytes(a.bytes), sb = HumanBytes(b.bytes);
    if (sa == sb) {
      sa = std::to_string(a.bytes) + " B";
      sb = std::to_string(b.bytes) + " B";
    }
    return "same resolution and format, larger file (" + sa + " vs " + sb + ")";
  }
  if (a.mtime_ns != b.mtime_ns) return "same resolution, format and size, older file";
  return "identical file facts, shorter or first path";
}

std::vector<Group> GroupPairs(int64_t n, const std::vector<ScoredPair>& pairs, GroupMode mode,
                              const std::vector<FileFacts>& facts,
                              const std::function<double(int64_t, int64_t)>& similarity) {
  std::map<int64_t, std::vector<int64_t>> components;
  if (mode == GroupMode::kConfirmed) {
    for (auto& c : pipeline_internal::ConfirmedClusters(n, pairs)) components[c[0]] = std::move(c);
  } else {
    DisjointSets sets(n);
    for (const ScoredPair& p : pairs) sets.Union(p.a, p.b);
    for (const ScoredPair& p : pairs) components[sets.Find(p.a)];
    for (int64_t i = 0; i < n; ++i) {
      auto it = components.find(sets.Find(i));
      if (it != components.end()) it->second.push_back(i);
    }
  }

  std::set<std::pair<int64_t, int64_t>> edges;
  if (mode == GroupMode::kStrict) {
    for (const ScoredPair& p : pairs) edges.insert({std::min(p.a, p.b), std::max(p.a, p.b)});
  }

  std::vector<Group> groups;
  for (auto& [root, items] : components) {
    if (mode != GroupMode::kStrict) {
      Group g;
      std::vector<int64_t> ranked = RankForKeeping(facts, items);
      for (size_t i = 0; i < ranked.size(); ++i) g.members.push_back({ranked[i], i == 0, 1.0, ""});
      groups.push_back(std::move(g));
      continue;
    }
    std::vector<int64_t> pending = items;
    while (pending.size() >= 2) {
      std::vector<int64_t> rest;
      Group g = StrictGroup(RankForKeeping(facts, pending), edges, &rest);
      if (g.members.size() >= 2) groups.push_back(std::move(g));
      // The kept file of a singleton still leaves; its neighbours may group among themselves.
      pending = std::move(rest);
    }
  }

  for (Group& g : groups) {
    const int64_t keeper = g.members[0].item;
    for (size_t i = 1; i < g.members.size(); ++i) {
      GroupMember& m = g.members[i];
      m.score = similarity(keeper, m.item);
      m.reason = "kept file has " + KeepReason(facts[keeper], facts[m.item]);
    }
    if (g.members.size() > 1) {
      g.members[0].reason = KeepReason(facts[keeper], facts[g.members[1].item]);
    }
    std::sort(g.members.begin() + 1, g.members.end(),
              [&](const GroupMember& x, const GroupMember& y) {
                if (x.score != y.score) return x.score > y.score;
                return facts[x.item].path < facts[y.item].path;
              });
  }
  std::sort(groups.begin(), groups.end(), [&](const Group& x, const Group& y) {
    return facts[x.members[0].item].path < facts[y.members[0].item].path;
  });
  std::vector<int64_t> group_of(size_t(n), -1);
  for (size_t gi = 0; gi < groups.size(); ++gi) {
    for (const GroupMember& m : groups[gi].members) group_of[m.item] = int64_t(gi);
  }
  for (size_t k = 0; k < pairs.size(); ++k) {
    const int64_t g = group_of[pairs[k].a];
    if (g >= 0 && g == group_of[pairs[k].b]) groups[g].pairs.push_back(int64_t(k));
  }
  return groups;
}

}  // namespace neardup
