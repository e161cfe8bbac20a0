#include "fuse/candidates.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "core/parallel.h"
#include "fuse/vote_index.h"

namespace neardup::fuse_internal {
namespace {

// Per-query neighbours looked up in the vote index.
constexpr int kVoteK = 32;
// Images whose keypoints the vote index's centroids are drawn from (at most).
constexpr int64_t kSampleItems = 1024;
// Images whose queries are searched together (each list is read once per slice).
constexpr int64_t kVoteSlice = 512;
// Images per task of the parallel loops.
constexpr int64_t kItemChunk = 32;

}  // namespace

std::vector<Candidate> HashCandidates(const CodeSet& codes, const FuseOptions& o, int threads) {
  std::vector<Candidate> out;
  std::vector<std::vector<Neighbor>> knn = HammingSelfKnn(codes, o.hash_neighbors, threads);
  for (int64_t i = 0; i < int64_t(knn.size()); ++i) {
    for (const Neighbor& nb : knn[i]) {
      if (nb.distance > o.hash_max_bits) continue;
      out.push_back({std::min(i, nb.id), std::max(i, nb.id), 0});
    }
  }
  for (const ScoredPair& p : HammingSelfJoin(codes, o.hash_join_bits, threads)) {
    out.push_back({p.a, p.b, 0});
  }
  return UniteCandidates(std::move(out));
}

std::vector<Candidate> LearnedCandidates(const VectorSet& vectors, const FuseOptions& o,
                                         int threads) {
  if (o.learned_neighbors <= 0 || vectors.n < 2 || vectors.dim <= 0) return {};
  std::vector<Candidate> out;
  const std::vector<std::vector<Neighbor>> knn =
      CosineSelfKnn(vectors, o.learned_neighbors, threads);
  for (int64_t i = 0; i < int64_t(knn.size()); ++i) {
    for (const Neighbor& nb : knn[i]) {
      if (1 - nb.distance < o.learned_min_cosine) continue;
      out.push_back({std::min(i, nb.id), std::max(i, nb.id), 0});
    }
  }
  return UniteCandidates(std::move(out));
}

ItemKeys KeysOf(const LocalFeatures& f, const FuseOptions& o) {
  ItemKeys k;
  k.usable = true;
  k.binary = f.binary;
  k.descriptor_bytes = f.descriptor_bytes;
  k.keypoints = int(f.points.size());
  k.width = f.width;
  k.height = f.height;
  const size_t bytes = size_t(std::max(0, f.descriptor_bytes));
  const size_t strong = std::min(f.points.size(), size_t(std::max(0, o.vote_index_keypoints)));
  const size_t mirrored = std::min(f.mirrored_points.size(), size_t(std::max(0, o.vote_keypoints)));
  k.strongest.assign(f.descriptors.begin(), f.descriptors.begin() + strong * bytes);
  k.strongest_mirrored.assign(f.mirrored_descriptors.begin(),
                              f.mirrored_descriptors.begin() + mirrored * bytes);
  k.thumbnail = f.thumbnail;
  return k;
}

ItemKeys KeysOf(const std::vector<uint8_t>& local, const FuseOptions& o) {
  StatusOr<LocalFeatures> f = ParseFeatures(local.data(), local.size());
  return f.ok() ? KeysOf(*f, o) : ItemKeys{};
}

std::vector<Candidate> VoteCandidates(int64_t n, const KeysFn& keys_of, const FuseOptions& o,
                                      int threads) {
  if (o.vote_keypoints <= 0 || o.vote_index_keypoints <= 0 || n < 2) return {};
  // The sample the centroids are drawn from, and the descriptors' size.
  const int64_t stride = std::max<int64_t>(1, n / kSampleItems);
  int bytes = 0;
  int64_t sampled = 0;
  std::vector<uint8_t> sample;
  for (int64_t i = 0; i < n; i += stride) {
    const ItemKeys k = keys_of(i);
    if (!k.usable || !k.binary || k.keypoints == 0) continue;
    if (bytes == 0) bytes = k.descriptor_bytes;
    if (k.descriptor_bytes != bytes) continue;
    const size_t count = std::min<size_t>(k.strongest_count(), o.vote_index_keypoints);
    sample.insert(sample.end(), k.strongest.begin(), k.strongest.begin() + count * bytes);
    ++sampled;
  }
  if (bytes == 0) return {};
  auto usable = [&](const ItemKeys& k) {
    return k.usable && k.binary && k.descriptor_bytes == bytes;
  };
  auto indexed = [&](const ItemKeys& k) {
    return std::min(k.strongest_count(), o.vote_index_keypoints);
  };
  const int64_t sample_count = int64_t(sample.size()) / bytes;
  VoteIndex index(sample.data(), sample_count, bytes,
                  sampled > 0 ? sample_count * n / sampled : 0);
  sample = std::vector<uint8_t>();

  // Two passes over the items: count each code's list, then store the codes.
  for (int pass = 0; pass < 2; ++pass) {
    ParallelFor(n, threads, kItemChunk, [&](int64_t begin, int64_t end, int) {
      VoteIndex::Scratch scratch;
      for (int64_t i = begin; i < end; ++i) {
        const ItemKeys k = keys_of(i);
        if (!usable(k)) continue;
        for (int c = 0; c < indexed(k); ++c) {
          const uint8_t* code = k.strongest.data() + size_t(c) * bytes;
          const int list = index.ListOf(code, &scratch);
          if (pass == 0) {
            index.Count(list);
          } else {
            index.Put(list, code, int32_t(i));
          }
        }
      }
    });
    if (pass == 0) index.Start();
  }

  // Each image's keypoints (as they are and mirrored) look for the other images', a slice of
  // images at a time.
  const int workers = ResolveThreads(threads);
  std::vector<std::vector<Candidate>> parts(workers);
  std::vector<ItemKeys> slice;
  std::vector<const uint8_t*> queries;
  std::vector<int64_t> query_begin;  // image s of the slice: queries [query_begin[s], [s + 1])
  std::vector<std::vector<VoteIndex::Hit>> hits;
  for (int64_t start = 0; start < n; start += kVoteSlice) {
    const int64_t count = std::min(kVoteSlice, n - start);
    slice.assign(size_t(count), ItemKeys{});
    ParallelFor(count, threads, 8, [&](int64_t begin, int64_t end, int) {
      for (int64_t s = begin; s < end; ++s) slice[s] = keys_of(start + s);
    });
    queries.clear();
    query_begin.assign(1, 0);
    for (const ItemKeys& k : slice) {
      if (usable(k)) {
        for (int q = 0; q < std::min(k.strongest_count(), o.vote_keypoints); ++q) {
          queries.push_back(k.strongest.data() + size_t(q) * bytes);
        }
        for (int q = 0; q < std::min(k.mirrored_count(), o.vote_keypoints); ++q) {
          queries.push_back(k.strongest_mirrored.data() + size_t(q) * bytes);
        }
      }
      query_begin.push_back(int64_t(queries.size()));
    }
    index.SearchBatch(queries, o.vote_probes, o.vote_max_bits, kVoteK, threads, &hits);
    ParallelFor(count, threads, 8, [&](int64_t begin, int64_t end, int worker) {
      std::vector<int32_t> found;                        // images one query found (deduplicated)
      std::vector<int32_t> votes;                        // the other image of each vote
      std::vector<std::pair<int32_t, int32_t>> counted;  // (count, image)
      for (int64_t s = begin; s < end; ++s) {
        const int64_t i = start + s;
        votes.clear();
        for (int64_t q = query_begin[s]; q < query_begin[s + 1]; ++q) {
          found.clear();
          for (const VoteIndex::Hit& h : hits[q]) {
            if (h.owner != i) found.push_back(h.owner);
          }
          std::sort(found.begin(), found.end());
          found.erase(std::unique(found.begin(), found.end()), found.end());
          votes.insert(votes.end(), found.begin(), found.end());
        }
        std::sort(votes.begin(), votes.end());
        counted.clear();
        for (size_t v = 0; v < votes.size();) {
          size_t e = v;
          while (e < votes.size() && votes[e] == votes[v]) ++e;
          if (int(e - v) >= o.min_votes) counted.push_back({int32_t(e - v), votes[v]});
          v = e;
        }
        std::sort(counted.begin(), counted.end(), [](const auto& x, const auto& y) {
          return x.first != y.first ? x.first > y.first : x.second < y.second;
        });
        if (int(counted.size()) > o.vote_neighbors) counted.resize(o.vote_neighbors);
        for (const auto& [c, j] : counted) {
          parts[worker].push_back({std::min<int64_t>(i, j), std::max<int64_t>(i, j), c});
        }
      }
    });
  }
  std::vector<Candidate> out;
  for (auto& p : parts) out.insert(out.end(), p.begin(), p.end());
  return UniteCandidates(std::move(out));
}

std::vector<Candidate> UniteCandidates(std::vector<Candidate> all) {
  std::sort(all.begin(), all.end(), [](const Candidate& x, const Candidate& y) {
    return x.a != y.a ? x.a < y.a : x.b < y.b;
  });
  std::vector<Candidate> out;
  for (const Candidate& c : all) {
    if (!out.empty() && out.back().a == c.a && out.back().b == c.b) {
      out.back().votes += c.votes;
    } else {
      out.push_back(c);
    }
  }
  return out;
}

}  // namespace neardup::fuse_internal
