#include "index/mih.h"

#include <algorithm>
#include <cassert>

#include "core/parallel.h"
#include "index/hamming.h"

namespace neardup::index_internal {
namespace {

constexpr int kValues = 1 << kMihChunkBits;

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

// One table per chunk: the items whose variant 0 has value v in that chunk are
// ids[start[v] .. start[v + 1]) in ascending order (a stable counting sort). With one variant the
// table also holds their codes in the same order, so scanning a bucket reads memory in sequence
// instead of jumping through the whole set.
struct ChunkTable {
  std::vector<uint32_t> start;  // kValues + 1
  std::vector<uint32_t> ids;
  std::vector<uint64_t> codes;  // words per id; only when the set has one variant
};

ChunkTable BuildTable(const CodeSet& set, int c) {
  ChunkTable t;
  t.start.assign(kValues + 1, 0);
  const int stride = set.variants * set.words;
  for (int64_t i = 0; i < set.n; ++i) ++t.start[Chunk(set.codes + i * stride, c) + 1];
  for (int v = 0; v < kValues; ++v) t.start[v + 1] += t.start[v];
  t.ids.resize(size_t(set.n));
  std::vector<uint32_t> next(t.start.begin(), t.start.end() - 1);
  for (int64_t i = 0; i < set.n; ++i) t.ids[next[Chunk(set.codes + i * stride, c)]++] = uint32_t(i);
  if (set.variants == 1) {
    t.codes.resize(size_t(set.n) * set.words);
    for (size_t k = 0; k < t.ids.size(); ++k) {
      std::copy_n(set.codes + int64_t(t.ids[k]) * set.words, set.words, &t.codes[k * set.words]);
    }
  }
  return t;
}

// True when chunk c is the first chunk in which codes x and y differ by at most `radius` bits:
// each pair is then reported from one chunk only.
bool FirstNearChunk(const uint64_t* x, const uint64_t* y, int c, int radius) {
  for (int e = 0; e < c; ++e) {
    if (__builtin_popcount(Chunk(x, e) ^ Chunk(y, e)) <= radius) return false;
  }
  return true;
}

// Items a and b of a table's bucket arrays (rows of t.codes) as a pair, when within the radius
// and chunk c is the first chunk where they are near (so each pair is reported once).
inline void CheckPair(const ChunkTable& t, int words, uint32_t a, uint32_t b, int c,
                      int chunk_radius, int max_distance, std::vector<ScoredPair>* out) {
  const uint64_t* x = t.codes.data() + size_t(a) * words;
  const uint64_t* y = t.codes.data() + size_t(b) * words;
  int d = 0;
  for (int w = 0; w < words; ++w) d += __builtin_popcountll(x[w] ^ y[w]);
  if (d <= max_distance && FirstNearChunk(x, y, c, chunk_radius)) {
    const uint32_t i = t.ids[a], j = t.ids[b];
    out->push_back({int64_t(std::min(i, j)), int64_t(std::max(i, j)), double(d)});
  }
}

// One variant per code, bucket against bucket: for chunk c, every pair of buckets whose values
// are within the chunk radius (each unordered pair once) compares all their items. Each bucket
// is a short contiguous run of codes, so the work streams through memory instead of jumping to a
// random bucket for every probe of every item (that took 108 s against 16 s for 1M 256-bit codes
// at radius 31 on 2 cores, bench/selfjoin_bench.cc).
void JoinBuckets(const CodeSet& set, const std::vector<ChunkTable>& tables,
                 const std::vector<uint32_t>& masks, int chunk_radius, int max_distance,
                 int64_t begin, int64_t end, std::vector<ScoredPair>* out) {
  const int words = set.words;
  for (int64_t unit = begin; unit < end; ++unit) {
    const int c = int(unit / kValues);
    const uint32_t v = uint32_t(unit % kValues);
    const ChunkTable& t = tables[c];
    const uint32_t v_begin = t.start[v], v_end = t.start[v + 1];
    if (v_begin == v_end) continue;
    for (uint32_t m : masks) {
      const uint32_t u = v ^ m;
      if (u < v) continue;  // the pair of buckets is handled from u
      if (u == v) {
        for (uint32_t a = v_begin; a < v_end; ++a) {
          for (uint32_t b = a + 1; b < v_end; ++b) {
            CheckPair(t, words, a, b, c, chunk_radius, max_distance, out);
          }
        }
        continue;
      }
      for (uint32_t a = v_begin; a < v_end; ++a) {
        for (uint32_t b = t.start[u]; b < t.start[u + 1]; ++b) {
          CheckPair(t, words, a, b, c, chunk_radius, max_distance, out);
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
         double(chunks) * (set.n + kValues);
}

std::vector<ScoredPair> MihSelfJoin(const CodeSet& set, int max_distance, int threads) {
  assert(set.n < (int64_t{1} << 31));
  if (set.n < 2 || max_distance < 0) return {};
  const int chunks = set.words * 64 / kMihChunkBits;
  const std::vector<uint32_t> masks = Masks(std::min(max_distance / chunks, kMihChunkBits));
  std::vector<ChunkTable> tables(chunks);
  ParallelFor(chunks, threads, 1, [&](int64_t b, int64_t e, int) {
    for (int64_t c = b; c < e; ++c) tables[c] = BuildTable(set, int(c));
  });

  threads = ResolveThreads(threads);
  const int chunk_radius = std::min(max_distance / chunks, kMihChunkBits);
  std::vector<std::vector<ScoredPair>> parts(threads);
  if (set.variants == 1) {
    ParallelFor(int64_t(chunks) * kValues, threads, 1024,
                [&](int64_t begin, int64_t end, int worker) {
                  JoinBuckets(set, tables, masks, chunk_radius, max_distance, begin, end,
                              &parts[worker]);
                });
  } else {
    // Several variants: a pair can be near through a variant of either item, so every item
    // looks up every variant and checks each candidate once (seen[j] == i + 1 once checked).
    const int stride = set.variants * set.words;
    const DistFn dist = PickDistance(set.words);
    std::vector<std::vector<uint32_t>> seen(threads);
    ParallelFor(set.n, threads, 256, [&](int64_t begin, int64_t end, int worker) {
      std::vector<uint32_t>& mark = seen[worker];
      if (mark.empty()) mark.assign(size_t(set.n), 0);
      for (int64_t i = begin; i < end; ++i) {
        const uint32_t stamp = uint32_t(i) + 1;
        mark[i] = stamp;  // never pair an item with itself
        for (int v = 0; v < set.variants; ++v) {
          const uint64_t* q = set.codes + i * stride + v * set.words;
          for (int c = 0; c < chunks; ++c) {
            const ChunkTable& t = tables[c];
            const uint32_t value = Chunk(q, c);
            for (uint32_t m : masks) {
              const uint32_t probe = value ^ m;
              for (uint32_t k = t.start[probe]; k < t.start[probe + 1]; ++k) {
                const uint32_t j = t.ids[k];
                if (mark[j] == stamp) continue;
                mark[j] = stamp;
                const int d = dist(set, i, set, j);
                if (d <= max_distance) {
                  parts[worker].push_back(
                      {std::min<int64_t>(i, j), std::max<int64_t>(i, j), double(d)});
                }
              }
            }
          }
        }
      }
    });
  }
  std::vector<ScoredPair> all;
  size_t total = 0;
  for (const auto& p : parts) total += p.size();
  all.reserve(total);
  for (auto& p : parts) all.insert(all.end(), p.begin(), p.end());
  std::sort(all.begin(), all.end(), [](const ScoredPair& x, const ScoredPair& y) {
    return x.a != y.a ? x.a < y.a : x.b < y.b;
  });
  // With variants, a pair can be found from both of its items.
  all.erase(std::unique(all.begin(), all.end(),
                        [](const ScoredPair& x, const ScoredPair& y) {
                          return x.a == y.a && x.b == y.b;
                        }),
            all.end());
  return all;
}

}  // namespace neardup::index_internal
