#include <algorithm>
#include <cassert>
#include <climits>
#include <cmath>
#include <queue>

#include "core/hamming.h"
#include "core/parallel.h"
#include "neardup/search.h"
#include "search/mih.h"

namespace neardup {
namespace {

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
  // Worst distance kept, +inf while fewer than k, -inf when k <= 0 (nothing is kept).
  double Bound() const {
    if (k_ <= 0) return -1e300;
    return int(heap_.size()) < k_ ? 1e300 : heap_.top().first;
  }
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

// Distances from item i of `a` to items [begin, end) of `b`, into row[0, end - begin): one call
// of the POPCNT kernel (core/hamming.h) per row.
inline const int* DistanceRow(const CodeSet& a, int64_t i, const CodeSet& b, int64_t begin,
                              int64_t end, std::vector<int>* row) {
  row->resize(size_t(std::max<int64_t>(0, end - begin)));
  VariantDistanceRow(a.codes + i * a.variants * a.words, a.variants,
                     b.codes + begin * b.variants * b.words, end - begin, b.variants, b.words,
                     row->data());
  return row->data();
}

// The brute-force kNN's tiles: queries searched together (each base item is read once for all
// of them) and base items per tile (the tile of distances stays in the L2 cache).
constexpr int64_t kTileRows = 16;
constexpr int64_t kTileCols = 2048;

// For each query, its k nearest items of `base` (smaller distance, then smaller id, first);
// with `self` (queries = base), an item is not its own neighbour.
std::vector<std::vector<Neighbor>> TiledKnn(const CodeSet& queries, const CodeSet& base, int k,
                                            bool self, int threads) {
  assert(base.words == queries.words);
  std::vector<std::vector<Neighbor>> out(queries.n);
  const int64_t blocks = (queries.n + kTileRows - 1) / kTileRows;
  const int64_t qstride = queries.variants * queries.words, bstride = base.variants * base.words;
  ParallelFor(blocks, threads, 1, [&](int64_t first, int64_t last, int) {
    std::vector<int> tile(size_t(kTileRows * kTileCols));
    std::vector<TopK> tops;
    for (int64_t block = first; block < last; ++block) {
      const int64_t q0 = block * kTileRows, rows = std::min(kTileRows, queries.n - q0);
      tops.assign(size_t(rows), TopK(k));
      for (int64_t j0 = 0; j0 < base.n; j0 += kTileCols) {
        const int64_t cols = std::min(kTileCols, base.n - j0);
        VariantDistanceTile(queries.codes + q0 * qstride, rows, queries.variants,
                            base.codes + j0 * bstride, cols, base.variants, base.words,
                            tile.data());
        for (int64_t r = 0; r < rows; ++r) {
          TopK& top = tops[size_t(r)];
          const int* d = tile.data() + r * cols;
          double bound = top.Bound();
          for (int64_t c = 0; c < cols; ++c) {
            if (d[c] >= bound || (self && j0 + c == q0 + r)) continue;
            top.Push(j0 + c, d[c]);
            bound = top.Bound();
          }
        }
      }
      for (int64_t r = 0; r < rows; ++r) out[size_t(q0 + r)] = tops[size_t(r)].Take();
    }
  });
  return out;
}

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
  threads = ResolveThreads(threads);
  std::vector<std::vector<ScoredPair>> parts(threads);
  ParallelFor(set.n, threads, kRowChunk, [&](int64_t begin, int64_t end, int worker) {
    std::vector<int> row;
    for (int64_t i = begin; i < end; ++i) {
      if (i % shard.parts != shard.part) continue;  // rows interleaved: balanced work
      const int* d = DistanceRow(set, i, set, i + 1, set.n, &row);
      for (int64_t j = i + 1; j < set.n; ++j) {
        if (d[j - i - 1] <= max_distance) parts[worker].push_back({i, j, double(d[j - i - 1])});
      }
    }
  });
  return MergeSorted(parts);
}

std::vector<std::vector<Neighbor>> HammingKnn(const CodeSet& base, const CodeSet& queries, int k,
                                              int threads) {
  return TiledKnn(queries, base, k, /*self=*/false, threads);
}

std::vector<std::vector<Neighbor>> HammingRadius(const CodeSet& base, const CodeSet& queries,
                                                 int max_distance, int threads) {
  assert(base.words == queries.words);
  std::vector<std::vector<Neighbor>> out(queries.n);
  ParallelFor(queries.n, threads, kRowChunk, [&](int64_t begin, int64_t end, int) {
    std::vector<int> row;
    for (int64_t q = begin; q < end; ++q) {
      const int* d = DistanceRow(queries, q, base, 0, base.n, &row);
      for (int64_t j = 0; j < base.n; ++j) {
        if (d[j] <= max_distance) out[q].push_back({j, double(d[j])});
      }
      std::sort(out[q].begin(), out[q].end(), [](const Neighbor& x, const Neighbor& y) {
        return x.distance != y.distance ? x.distance < y.distance : x.id < y.id;
      });
    }
  });
  return out;
}

std::vector<std::vector<Neighbor>> HammingSelfKnn(const CodeSet& set, int k, int threads) {
  return TiledKnn(set, set, k, /*self=*/true, threads);
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
