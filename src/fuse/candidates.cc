#include "fuse/candidates.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "search/vector_index.h"

namespace neardup::fuse_internal {
namespace {

using search_internal::VectorIndex;

// Per-query neighbours looked up in the vote index.
constexpr int kVoteK = 32;
// Queries are searched in slices of this many images (bounds the result's memory).
constexpr int64_t kVoteSlice = 512;

// Copies the first `limit` of `count` descriptors in `bytes` as codes of `words` uint64.
void AppendCodes(const std::vector<uint8_t>& bytes, size_t count, int descriptor_bytes, int limit,
                 int words, std::vector<uint64_t>* out) {
  const size_t n = std::min(count, size_t(std::max(0, limit)));
  const size_t at = out->size();
  out->resize(at + n * words, 0);
  for (size_t i = 0; i < n; ++i) {
    std::memcpy(out->data() + at + i * words, bytes.data() + i * descriptor_bytes,
                descriptor_bytes);
  }
}

// A Faiss inverted-file index over the codes (exact search when they are too few to train one).
StatusOr<std::unique_ptr<VectorIndex>> BuildVoteIndex(const std::vector<uint64_t>& codes, int words,
                                                      const FuseOptions& o) {
  const int64_t n = int64_t(codes.size()) / words;
  int nlist = o.vote_lists;
  if (nlist <= 0) {
    nlist = 16;
    while (nlist < 4096 && 4.0 * nlist * nlist < double(n)) nlist *= 2;
  }
  std::string factory =
      o.vote_lists < 0 ? "BHNSW" + std::to_string(-o.vote_lists) : "BIVF" + std::to_string(nlist);
  ASSIGN_OR_RETURN(std::unique_ptr<VectorIndex> index,
                   VectorIndex::Create(factory, Metric::kHamming, words * 64));
  if (index->trained()) {
    index->SetEffort(o.vote_probes);
  } else if (n < index->min_train()) {
    ASSIGN_OR_RETURN(index, VectorIndex::Create("BFlat", Metric::kHamming, words * 64));
  } else {
    // Train on an even sample of at most 64 codes per list (Faiss's k-means needs no more).
    const int64_t want = std::min<int64_t>(n, int64_t(nlist) * 64);
    std::vector<uint64_t> sample;
    sample.reserve(size_t(want) * words);
    for (int64_t i = 0; i < want; ++i) {
      const int64_t row = i * n / want;
      sample.insert(sample.end(), codes.begin() + row * words, codes.begin() + (row + 1) * words);
    }
    RETURN_IF_ERROR(index->Train(CodeSet{sample.data(), want, words, 1}));
    index->SetEffort(o.vote_probes);
  }
  std::vector<int64_t> ids(n);
  for (int64_t i = 0; i < n; ++i) ids[i] = i;
  RETURN_IF_ERROR(index->Add(CodeSet{codes.data(), n, words, 1}, ids.data()));
  return index;
}

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

StatusOr<std::vector<Candidate>> VoteCandidates(const std::vector<ItemKeys>& keys,
                                                const FuseOptions& o) {
  const int64_t n = int64_t(keys.size());
  int descriptor_bytes = 0;
  for (const ItemKeys& k : keys) {
    if (k.usable && k.binary && k.keypoints > 0) descriptor_bytes = k.descriptor_bytes;
  }
  if (descriptor_bytes == 0 || o.vote_keypoints <= 0) return std::vector<Candidate>{};
  const int words = (descriptor_bytes + 7) / 8;
  auto usable = [&](const ItemKeys& k) {
    return k.usable && k.binary && k.descriptor_bytes == descriptor_bytes;
  };
  std::vector<uint64_t> codes;
  std::vector<int32_t> owner;  // image of each code
  for (int64_t i = 0; i < n; ++i) {
    if (!usable(keys[i])) continue;
    const size_t before = codes.size();
    AppendCodes(keys[i].strongest, size_t(keys[i].strongest_count()), descriptor_bytes,
                o.vote_index_keypoints, words, &codes);
    owner.resize(owner.size() + (codes.size() - before) / words, int32_t(i));
  }
  if (owner.empty()) return std::vector<Candidate>{};
  ASSIGN_OR_RETURN(std::unique_ptr<VectorIndex> index, BuildVoteIndex(codes, words, o));

  std::vector<Candidate> out;
  std::vector<uint64_t> queries;
  std::vector<int32_t> query_owner;
  std::vector<int32_t> found;                      // images one query found (deduplicated)
  std::vector<std::pair<int32_t, int32_t>> votes;  // (other image, count) of one image
  for (int64_t begin = 0; begin < n; begin += kVoteSlice) {
    const int64_t end = std::min(n, begin + kVoteSlice);
    queries.clear();
    query_owner.clear();
    for (int64_t i = begin; i < end; ++i) {
      const ItemKeys& k = keys[i];
      if (!usable(k)) continue;
      const size_t before = queries.size();
      AppendCodes(k.strongest, size_t(k.strongest_count()), descriptor_bytes, o.vote_keypoints,
                  words, &queries);
      AppendCodes(k.strongest_mirrored, size_t(k.mirrored_count()), descriptor_bytes,
                  o.vote_keypoints, words, &queries);
      query_owner.resize(query_owner.size() + (queries.size() - before) / words, int32_t(i));
    }
    if (query_owner.empty()) continue;
    ASSIGN_OR_RETURN(
        std::vector<std::vector<Neighbor>> hits,
        index->Search(CodeSet{queries.data(), int64_t(query_owner.size()), words, 1}, kVoteK));
    // Count, per image of the slice, the queries that found each other image.
    size_t q = 0;
    while (q < query_owner.size()) {
      const int32_t i = query_owner[q];
      votes.clear();
      for (; q < query_owner.size() && query_owner[q] == i; ++q) {
        found.clear();
        for (const Neighbor& nb : hits[q]) {
          if (nb.distance > o.vote_max_bits) continue;
          const int32_t j = owner[nb.id];
          if (j != i) found.push_back(j);
        }
        std::sort(found.begin(), found.end());
        found.erase(std::unique(found.begin(), found.end()), found.end());
        for (int32_t j : found) votes.push_back({j, 1});
      }
      std::sort(votes.begin(), votes.end());
      std::vector<std::pair<int32_t, int32_t>> counted;  // (count, image)
      for (size_t k = 0; k < votes.size();) {
        size_t e = k;
        while (e < votes.size() && votes[e].first == votes[k].first) ++e;
        if (int(e - k) >= o.min_votes) counted.push_back({int32_t(e - k), votes[k].first});
        k = e;
      }
      std::sort(counted.begin(), counted.end(), [](const auto& x, const auto& y) {
        return x.first != y.first ? x.first > y.first : x.second < y.second;
      });
      if (int(counted.size()) > o.vote_neighbors) counted.resize(o.vote_neighbors);
      for (const auto& [count, j] : counted) {
        out.push_back({std::min<int64_t>(i, j), std::max<int64_t>(i, j), count});
      }
    }
  }
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
