#include "pipeline/confirmed_clusters.h"

#include <algorithm>
#include <numeric>

namespace neardup::pipeline_internal {
namespace {

class Clusters {
 public:
  Clusters(int64_t n, const std::vector<ScoredPair>& pairs)
      : adjacent_(n), cluster_(n), members_(n), degree_(n, 0), cross_(n, 0) {
    for (const ScoredPair& p : pairs) {
      adjacent_[p.a].push_back(p.b);
      adjacent_[p.b].push_back(p.a);
    }
    for (auto& list : adjacent_) std::sort(list.begin(), list.end());
    std::iota(cluster_.begin(), cluster_.end(), 0);
    for (int64_t i = 0; i < n; ++i) members_[i] = {i};
  }

  // Merges the clusters of x and y when the merged cluster is confirmed.
  void TryMerge(int64_t x, int64_t y) {
    int64_t big = cluster_[x], small = cluster_[y];
    if (big == small) return;
    if (members_[big].size() < members_[small].size()) std::swap(big, small);
    // Matches across the two clusters, counted from the smaller side.
    touched_.clear();
    for (int64_t s : members_[small]) {
      for (int64_t t : adjacent_[s]) {
        if (cluster_[t] != big) continue;
        if (cross_[s]++ == 0) touched_.push_back(s);
        if (cross_[t]++ == 0) touched_.push_back(t);
      }
    }
    const bool ok = Confirmed(members_[big], members_[small]);
    for (int64_t t : touched_) {
      if (ok) degree_[t] += cross_[t];
      cross_[t] = 0;
    }
    if (!ok) return;
    for (int64_t s : members_[small]) cluster_[s] = big;
    members_[big].insert(members_[big].end(), members_[small].begin(), members_[small].end());
    members_[small].clear();
    members_[small].shrink_to_fit();
  }

  std::vector<std::vector<int64_t>> Take() {
    std::vector<std::vector<int64_t>> out;
    for (auto& m : members_) {
      if (m.size() < 2) continue;
      std::sort(m.begin(), m.end());
      out.push_back(std::move(m));
    }
    std::sort(out.begin(), out.end());
    return out;
  }

 private:
  bool Linked(int64_t a, int64_t b) const {
    return std::binary_search(adjacent_[a].begin(), adjacent_[a].end(), b);
  }

  bool Confirmed(const std::vector<int64_t>& a, const std::vector<int64_t>& b) const {
    const int64_t others = int64_t(a.size() + b.size()) - 1;
    auto degree = [&](int64_t m) { return degree_[m] + cross_[m]; };
    int64_t hub = -1;
    for (const auto* side : {&a, &b}) {
      for (int64_t m : *side) {
        if (hub < 0 || degree(m) > degree(hub) || (degree(m) == degree(hub) && m < hub)) hub = m;
      }
    }
    for (const auto* side : {&a, &b}) {
      for (int64_t m : *side) {
        if (m != hub && 2 * degree(m) < others && !Linked(m, hub)) return false;
      }
    }
    return true;
  }

  std::vector<std::vector<int64_t>> adjacent_;  // sorted neighbours of each item
  std::vector<int64_t> cluster_;                // cluster id (a member's index) of each item
  std::vector<std::vector<int64_t>> members_;   // by cluster id
  std::vector<int64_t> degree_;                 // matches inside the item's cluster
  std::vector<int64_t> cross_;                  // scratch: matches into the other cluster
  std::vector<int64_t> touched_;                // scratch: items with cross_ > 0
};

}  // namespace

std::vector<std::vector<int64_t>> ConfirmedClusters(int64_t n,
                                                    const std::vector<ScoredPair>& pairs) {
  std::vector<size_t> order(pairs.size());
  std::iota(order.begin(), order.end(), size_t{0});
  std::sort(order.begin(), order.end(), [&](size_t x, size_t y) {
    const ScoredPair &p = pairs[x], &q = pairs[y];
    if (p.distance != q.distance) return p.distance < q.distance;
    return p.a != q.a ? p.a < q.a : p.b < q.b;
  });
  Clusters clusters(n, pairs);
  for (size_t k : order) clusters.TryMerge(pairs[k].a, pairs[k].b);
  return clusters.Take();
}

}  // namespace neardup::pipeline_internal
