#include "search/mih.h"

#include <algorithm>
#include <cassert>

#include "core/parallel.h"
#include "search/hamming.h"

namespace neardup::search_internal {
namespace {

constexpr int kValues = 1 << kMihChunkBits;
constexpr int64_t kRange = 256;  // buckets per unit of parallel (and distributed) work

// Chunk c (0-based) of a code: bits [16c, 16c + 16) of its words.
inline uint32_t Chunk(const uint64_t* code, int c) {
  return uint32_t(code[c / 4] >> (16 * (c % 4))) & 0xffffu;
}

// Every 16-bit mask with at most `radius` bits set (radius 0: just 0).
std::vector<uint32_t> Masks(int radius) {
  std::vector<uint32_t> out;
  for (uint32_t m = 0; m < uint32_t(kValues); ++m) {
    if (__builtin_popcount(m) <= radius) out.push_back(m);
  }
  return out;
}

// Codes bucketed by the value of one chunk (a stable counting sort): the codes whose chunk has
// value v are rows start[v] .. start[v + 1] of `codes` (words each), in ascending item order,
// row r being a code of item ids[r]. Stored in bucket order so that comparing two buckets
// streams through memory.
struct Buckets {
  std::vector<uint32_t> start;  // kValues + 1
  std::vector<uint32_t> ids;
  std::vector<uint64_t> codes;
};

// The buckets of chunk c over variant 0 of every item (all_variants = false) or over every
// variant of every item (true).
Buckets BuildBuckets(const CodeSet& set, int c, bool all_variants) {
  const int words = set.words;
  const int per_item = all_variants ? set.variants : 1;
  const int64_t rows = set.n * per_item;
  auto code = [&](int64_t row) {
    return set.codes + (row / per_item) * set.variants * words + (row % per_item) * words;
  };
  Buckets b;
  b.start.assign(kValues + 1, 0);
  for (int64_t r = 0; r < rows; ++r) ++b.start[Chunk(code(r), c) + 1];
  for (int v = 0; v < kValues; ++v) b.start[v + 1] += b.start[v];
  b.ids.resize(size_t(rows));
  b.codes.resize(size_t(rows) * words);
  std::vector<uint32_t> next(b.start.begin(), b.start.end() - 1);
  for (int64_t r = 0; r < rows; ++r) {
    const uint32_t at = next[Chunk(code(r), c)]++;
    b.ids[at] = uint32_t(r / per_item);
    std::copy_n(code(r), words, &b.codes[size_t(at) * words]);
  }
  return b;
}

// True when chunk c is the first chunk in which codes x and y differ by at most `radius` bits:
// each pair of codes is then reported from one chunk only.
bool FirstNearChunk(const uint64_t* x, const uint64_t* y, int c, int radius) {
  for (int e = 0; e < c; ++e) {
    if (__builtin_popcount(Chunk(x, e) ^ Chunk(y, e)) <= radius) return false;
  }
  return true;
}

struct JoinArgs {
  const CodeSet* set;
  int chunk;
  int chunk_radius;
  int max_distance;
  DistFn dist;  // the item distance (variants included)
};

// Row a of `q` against row b of `base`: a pair when their codes are within the radius, chunk c
// is the first near one, and they are different items. The pair's distance is the item distance
// (for one variant, that of these two codes).
inline void CheckRows(const JoinArgs& j, const Buckets& q, uint32_t a, const Buckets& base,
                      uint32_t b, std::vector<ScoredPair>* out) {
  const int words = j.set->words;
  const uint64_t* x = q.codes.data() + size_t(a) * words;
  const uint64_t* y = base.codes.data() + size_t(b) * words;
  int d = 0;
  for (int w = 0; w < words; ++w) d += __builtin_popcountll(x[w] ^ y[w]);
  if (d > j.max_distance || q.ids[a] == base.ids[b] ||
      !FirstNearChunk(x, y, j.chunk, j.chunk_radius)) {
    return;
  }
  const uint32_t lo = std::min(q.ids[a], base.ids[b]), hi = std::max(q.ids[a], base.ids[b]);
  if (j.set->variants > 1) d = j.dist(*j.set, lo, *j.set, hi);
  out->push_back({int64_t(lo), int64_t(hi), double(d)});
}

// Buckets [begin, end) of `q` against the buckets of `base` within the chunk radius. With
// q == base (one variant) each unordered pair of buckets and of rows is compared once.
void JoinRange(const JoinArgs& j, const Buckets& q, const Buckets& base,
               const std::vector<uint32_t>& masks, int64_t begin, int64_t end,
               std::vector<ScoredPair>* out) {
  const bool self = &q == &base;
  for (int64_t unit = begin; unit < end; ++unit) {
    const uint32_t v = uint32_t(unit);
    if (q.start[v] == q.start[v + 1]) continue;
    for (uint32_t m : masks) {
      const uint32_t u = v ^ m;
      if (self && u < v) continue;  // the pair of buckets is handled from u
      for (uint32_t a = q.start[v]; a < q.start[v + 1]; ++a) {
        for (uint32_t b = (self && u == v) ? a + 1 : base.start[u]; b < base.start[u + 1]; ++b) {
          CheckRows(j, q, a, base, b, out);
        }
      }
    }
  }
}

}  // namespace

int64_t MihProbes(int radius) {
  int64_t total = 0, term = 1;
  for (int k = 0; k <= std::min(radius, kMihChunkBits); ++k) {
    total += term;
    term = term * (kMihChunkBits - k) / (k + 1);
  }
  return total;
}

double MihCost(const CodeSet& set, int max_distance) {
  const int chunks = set.words * 64 / kMihChunkBits;
  const double per_bucket = std::max(1.0, double(set.n) / kValues);
  return double(set.n) * set.variants * chunks * double(MihProbes(max_distance / chunks)) *
             per_bucket +
         double(chunks) * (set.n * set.variants + kValues);
}

std::vector<ScoredPair> MihSelfJoin(const CodeSet& set, int max_distance, int threads,
                                    JoinShard shard) {
  assert(set.n * set.variants < (int64_t{1} << 31));
  if (set.n < 2 || max_distance < 0) return {};
  const int chunks = set.words * 64 / kMihChunkBits;
  const int chunk_radius = std::min(max_distance / chunks, kMihChunkBits);
  const std::vector<uint32_t> masks = Masks(chunk_radius);
  threads = ResolveThreads(threads);
  std::vector<std::vector<ScoredPair>> parts(threads);
  // `threads` chunks at a time (their buckets built in parallel, then joined bucket range by
  // bucket range), so only those chunks' buckets are in memory. With several variants a pair can
  // be near through a variant of either item: every variant of every item is matched against
  // variant 0 of the others, which finds both directions.
  const bool variants = set.variants > 1;
  for (int first = 0; first < chunks; first += threads) {
    const int count = std::min(threads, chunks - first);
    std::vector<Buckets> base(count), queries(variants ? count : 0);
    ParallelFor(count, threads, 1, [&](int64_t b, int64_t e, int) {
      for (int64_t k = b; k < e; ++k) {
        base[k] = BuildBuckets(set, first + int(k), /*all_variants=*/false);
        if (variants) queries[k] = BuildBuckets(set, first + int(k), /*all_variants=*/true);
      }
    });
    for (int k = 0; k < count; ++k) {
      const Buckets& q = variants ? queries[k] : base[k];
      const JoinArgs args{&set, first + k, chunk_radius, max_distance, PickDistance(set.words)};
      ParallelFor(kValues, threads, kRange, [&](int64_t begin, int64_t end, int worker) {
        if ((begin / kRange) % shard.parts != shard.part) return;
        JoinRange(args, q, base[k], masks, begin, end, &parts[worker]);
      });
    }
  }
  std::vector<ScoredPair> all;
  size_t total = 0;
  for (const auto& p : parts) total += p.size();
  all.reserve(total);
  for (auto& p : parts) all.insert(all.end(), p.begin(), p.end());
  // With variants, a pair can be found through several pairs of codes.
  SortUniquePairs(&all);
  return all;
}

}  // namespace neardup::search_internal
