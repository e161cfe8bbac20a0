#include <algorithm>
#include <cassert>
#include <climits>
#include <cmath>
#include <queue>

#include "core/parallel.h"
#include "neardup/search.h"
#include "search/hamming.h"
#include "search/mih.h"

namespace neardup {
namespace {

using search_internal::DistFn;
using search_internal::PickDistance;

// Keeps the k best neighbours seen so far (max-heap on (distance, id)).
class TopK {
 public:
  explicit TopK(int k) : k_(k) {}
  void Push(int64_t id, double d) {
    if (k_ <= 0) return;
    if (int(heap_.size()) < k_) {
      heap_.push({d, id});
    } else if (std::make_pair(d, id) < heap_.top()) {
      heap_.pop();
      heap_.push({d, id});
    }
  }
  // Worst distance kept, or +inf while fewer than k.
  double Bound() const { return int(heap_.size()) < k_ ? 1e300 : heap_.top().first; }
  std::vector<Neighbor> Take() {
    std::vector<Neighbor> out(heap_.size());
    for (size_t i = out.size(); i-- > 0;) {
      out[i] = {heap_.top().second, heap_.top().first};
      heap_.pop();
    }
    return out;
  }

 private:
  int k_;
  std::priority_queue<std::pair<double, int64_t>> heap_;
};

std::vector<ScoredPair> MergeSorted(std::vector<std::vector<ScoredPair>>& parts) {
  std::vector<ScoredPair> all;
  size_t total = 0;
  for (auto& p : parts) total += p.size();
  all.reserve(total);
  for (auto& p : parts) all.insert(all.end(), p.begin(), p.end());
  std::sort(all.begin(), all.end(), [](const ScoredPair& x, const ScoredPair& y) {
    return x.a != y.a ? x.a < y.a : x.b < y.b;
  });
  return all;
}

// Below this many items the brute-force join is fast anyway (and needs no tables).
constexpr int64_t kMihMinItems = 4096;

// Rows near the start of a triangular loop carry more work: small chunks keep threads balanced.
constexpr int64_t kRowChunk = 16;

}  // namespace

void SortUniquePairs(std::vector<ScoredPair>* pairs) {
  std::sort(pairs->begin(), pairs->end(), [](const ScoredPair& x, const ScoredPair& y) {
    return x.a != y.a ? x.a < y.a : x.b < y.b;
  });
  pairs->erase(std::unique(pairs->begin(), pairs->end(),
                           [](const ScoredPair& x, const ScoredPair& y) {
                             return x.a == y.a && x.b == y.b;
                           }),
               pairs->end());
}

std::vector<ScoredPair> HammingSelfJoin(const CodeSet& set, int max_distance, int threads,
                                        JoinShard shard) {
  // Multi-index hashing when it checks fewer candidates than all n^2 / 2 pairs (index/mih.h):
  // on large sets at the usual thresholds, O(n) memory and far less work; the result is the same.
  if (set.n >= kMihMinItems &&
      search_internal::MihCost(set, max_distance) < 0.5 * double(set.n) * double(set.n)) {
    return search_internal::MihSelfJoin(set, max_distance, threads, shard);
  }
  const DistFn dist = PickDistance(set.words);
  threads = ResolveThreads(threads);
  std::vector<std::vector<ScoredPair>> parts(threads);
  ParallelFor(set.n, threads, kRowChunk, [&](int64_t begin, int64_t end, int worker) {
    for (int64_t i = begin; i < end; ++i) {
      if (i % shard.parts != shard.part) continue;  // rows interleaved: balanced work
      for (int64_t j = i + 1; j < set.n; ++j) {
        int d = dist(set, i, set, j);
        if (d <= max_distance) parts[worker].push_back({i, j, double(d)});
      }
    }
  });
  return MergeSorted(parts);
}

std::vector<std::vector<Neighbor>> HammingKnn(const CodeSet& base, const CodeSet& queries, int k,
                                              int threads) {
  assert(base.words == queries.words);
  const DistFn dist = PickDistance(base.words);
  std::vector<std::vector<Neighbor>> out(queries.n);
  ParallelFor(queries.n, threads, kRowChunk, [&](int64_t begin, int64_t end, int) {
    for (int64_t q = begin; q < end; ++q) {
      TopK top(k);
      for (int64_t j = 0; j < base.n; ++j) top.Push(j, dist(queries, q, base, j));
      out[q] = top.Take();
    }
  });
  return out;
}

std::vector<std::vector<Neighbor>> HammingRadius(const CodeSet& base, const CodeSet& queries,
                                                 int max_distance, int threads) {
  assert(base.words == queries.words);
  const DistFn dist = PickDistance(base.words);
  std::vector<std::vector<Neighbor>> out(queries.n);
  ParallelFor(queries.n, threads, kRowChunk, [&](int64_t begin, int64_t end, int) {
    for (int64_t q = begin; q < end; ++q) {
      for (int64_t j = 0; j < base.n; ++j) {
        int d = dist(queries, q, base, j);
        if (d <= max_distance) out[q].push_back({j, double(d)});
      }
      std::sort(out[q].begin(), out[q].end(), [](const Neighbor& x, const Neighbor& y) {
        return x.distance != y.distance ? x.distance < y.distance : x.id < y.id;
      });
    }
  });
  return out;
}

std::vector<std::vector<Neighbor>> HammingSelfKnn(const CodeSet& set, int k, int threads) {
  const DistFn dist = PickDistance(set.words);
  std::vector<std::vector<Neighbor>> out(set.n);
  ParallelFor(set.n, threads, kRowChunk, [&](int64_t begin, int64_t end, int) {
    for (int64_t i = begin; i < end; ++i) {
      TopK top(k);
      for (int64_t j = 0; j < set.n; ++j) {
        if (j != i) top.Push(j, dist(set, i, set, j));
      }
      out[i] = top.Take();
    }
  });
  return out;
}

float Dot(const float* a, const float* b, int dim) {
  float s = 0;
  for (int i = 0; i < dim; ++i) s += a[i] * b[i];
  return s;
}

float SquaredL2(const float* a, const float* b, int dim) {
  float s = 0;
  for (int i = 0; i < dim; ++i) {
    float d = a[i] - b[i];
    s += d * d;
  }
  return s;
}

std::vector<ScoredPair> CosineSelfJoin(const VectorSet& set, float min_cosine, int threads,
                                       JoinShard shard) {
  threads = ResolveThreads(threads);
  std::vector<std::vector<ScoredPair>> parts(threads);
  ParallelFor(set.n, threads, kRowChunk, [&](int64_t begin, int64_t end, int worker) {
    for (int64_t i = begin; i < end; ++i) {
      if (i % shard.parts != shard.part) continue;  // rows interleaved: balanced work
      const float* x = set.data + i * set.dim;
      for (int64_t j = i + 1; j < set.n; ++j) {
        float c = Dot(x, set.data + j * set.dim, set.dim);
        if (c >= min_cosine) parts[worker].push_back({i, j, 1.0 - c});
      }
    }
  });
  return MergeSorted(parts);
}

namespace {

// For each item, its k nearest others under `dist` (smaller = nearer).
template <typename DistFn>
std::vector<std::vector<Neighbor>> FloatSelfKnn(const VectorSet& set, int k, int threads,
                                                DistFn dist) {
  std::vector<std::vector<Neighbor>> out(set.n);
  ParallelFor(set.n, threads, kRowChunk, [&](int64_t begin, int64_t end, int) {
    for (int64_t i = begin; i < end; ++i) {
      TopK top(k);
      const float* x = set.data + i * set.dim;
      for (int64_t j = 0; j < set.n; ++j) {
        if (j != i) top.Push(j, dist(x, set.data + j * set.dim, set.dim));
      }
      out[i] = top.Take();
    }
  });
  return out;
}

}  // namespace

std::vector<std::vector<Neighbor>> CosineSelfKnn(const VectorSet& set, int k, int threads) {
  return FloatSelfKnn(set, k, threads,
                      [](const float* a, const float* b, int dim) { return 1.0 - Dot(a, b, dim); });
}

std::vector<std::vector<Neighbor>> EuclideanSelfKnn(const VectorSet& set, int k, int threads) {
  return FloatSelfKnn(set, k, threads, [](const float* a, const float* b, int dim) {
    return std::sqrt(double(SquaredL2(a, b, dim)));
  });
}

}  // namespace neardup
