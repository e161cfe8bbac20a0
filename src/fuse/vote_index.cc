#include "fuse/vote_index.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "core/hamming.h"
#include "core/parallel.h"

namespace neardup::fuse_internal {
namespace {

// Fewer codes than this are searched exactly, in one list (small folders: no approximation, and
// the candidates among old files stay the same when a file is added).
constexpr int64_t kExactBelow = 8 * kCodesPerList;
// Coarse cells a code's fine lists are looked for in.
constexpr int kCoarseProbes = 3;

// The indices of the `want` smallest of `d[0, n)`, smallest first (ties by index).
void Smallest(const std::vector<int>& d, int n, int want, std::vector<int>* out) {
  out->resize(n);
  for (int i = 0; i < n; ++i) (*out)[i] = i;
  want = std::min(want, n);
  std::partial_sort(out->begin(), out->begin() + want, out->end(),
                    [&](int x, int y) { return d[x] != d[y] ? d[x] < d[y] : x < y; });
  out->resize(want);
}

// `count` of the `n` codes at `from` (every n/count-th), appended to *to.
void Spread(const uint8_t* from, int64_t n, int64_t count, int bytes, std::vector<uint8_t>* to) {
  for (int64_t i = 0; i < count; ++i) {
    const uint8_t* c = from + size_t(i * n / count) * bytes;
    to->insert(to->end(), c, c + bytes);
  }
}

}  // namespace

VoteIndex::VoteIndex(const uint8_t* sample, int64_t sample_count, int bytes, int64_t expected)
    : bytes_(bytes) {
  const int64_t want_lists =
      sample_count > 0 && expected >= kExactBelow ? expected / kCodesPerList : 1;
  const int64_t lists = std::min<int64_t>(want_lists, std::max<int64_t>(1, sample_count));
  const int64_t coarse = std::max<int64_t>(1, std::llround(std::ceil(std::sqrt(double(lists)))));
  if (sample_count == 0) {
    coarse_.assign(bytes, 0);
    fine_ = coarse_;
    fine_begin_ = {0, 1};
  } else {
    Spread(sample, sample_count, std::min(coarse, sample_count), bytes, &coarse_);
    const int cells = int(coarse_.size() / bytes);
    // The sample's codes by coarse cell, then each cell's share of the fine centroids.
    std::vector<int> d(cells);
    std::vector<std::vector<int64_t>> members(cells);
    for (int64_t i = 0; i < sample_count; ++i) {
      const uint8_t* c = sample + size_t(i) * bytes;
      HammingDistances(c, coarse_.data(), cells, bytes, d.data());
      members[std::min_element(d.begin(), d.end()) - d.begin()].push_back(i);
    }
    fine_begin_.push_back(0);
    for (int c = 0; c < cells; ++c) {
      const int64_t m = int64_t(members[c].size());
      int64_t share = std::llround(double(lists) * double(m) / double(sample_count));
      share = std::clamp<int64_t>(share, 1, std::max<int64_t>(1, m));
      if (m == 0) {
        fine_.insert(fine_.end(), coarse_.begin() + size_t(c) * bytes,
                     coarse_.begin() + size_t(c + 1) * bytes);
      } else {
        for (int64_t k = 0; k < share; ++k) {
          const uint8_t* code = sample + size_t(members[c][k * m / share]) * bytes;
          fine_.insert(fine_.end(), code, code + bytes);
        }
      }
      fine_begin_.push_back(int(fine_.size() / bytes));
      widest_cell_ = std::max(widest_cell_, fine_begin_[c + 1] - fine_begin_[c]);
    }
  }
  const int n_lists = int(fine_.size() / bytes);
  counts_ = std::make_unique<std::atomic<int64_t>[]>(n_lists);
  for (int l = 0; l < n_lists; ++l) counts_[l].store(0);
  offsets_.assign(n_lists + 1, 0);
}

void VoteIndex::NearestLists(const uint8_t* code, int want, Scratch* s) const {
  const int cells = int(fine_begin_.size()) - 1;
  std::vector<int>& d = s->distances;
  d.resize(std::max(cells, widest_cell_));
  std::vector<int>& best_cells = s->cells;
  std::vector<int>* lists = &s->lists;
  lists->clear();
  if (cells == 1) {
    best_cells = {0};
  } else {
    HammingDistances(code, coarse_.data(), cells, bytes_, d.data());
    Smallest(d, cells, kCoarseProbes, &best_cells);
  }
  // Fine centroids of the chosen cells, nearest first.
  std::vector<std::pair<int, int>>& fine = s->fine;
  fine.clear();
  for (int c : best_cells) {
    const int begin = fine_begin_[c], end = fine_begin_[c + 1];
    HammingDistances(code, fine_.data() + size_t(begin) * bytes_, end - begin, bytes_, d.data());
    for (int k = begin; k < end; ++k) fine.push_back({d[k - begin], k});
  }
  want = std::min<int>(want, int(fine.size()));
  std::partial_sort(fine.begin(), fine.begin() + want, fine.end());
  for (int k = 0; k < want; ++k) lists->push_back(fine[k].second);
}

int VoteIndex::ListOf(const uint8_t* code, Scratch* scratch) const {
  NearestLists(code, 1, scratch);
  return scratch->lists.empty() ? 0 : scratch->lists[0];
}

void VoteIndex::Start() {
  const int n = lists();
  for (int l = 0; l < n; ++l) offsets_[l + 1] = offsets_[l] + counts_[l].load();
  codes_.assign(size_t(offsets_[n]) * bytes_, 0);
  owners_.assign(size_t(offsets_[n]), 0);
  for (int l = 0; l < n; ++l) counts_[l].store(offsets_[l]);
}

void VoteIndex::Put(int list, const uint8_t* code, int32_t owner) {
  const int64_t at = counts_[list].fetch_add(1, std::memory_order_relaxed);
  if (at >= offsets_[list + 1]) return;  // not counted: a caller's error, never overflow
  std::memcpy(codes_.data() + size_t(at) * bytes_, code, bytes_);
  owners_[at] = owner;
}

void VoteIndex::SearchBatch(const std::vector<const uint8_t*>& queries, int probes, int max_bits,
                            int k, int threads, std::vector<std::vector<Hit>>* out) const {
  const int64_t nq = int64_t(queries.size());
  const int p = std::max(1, std::min(probes, lists()));
  auto less = [](const Hit& x, const Hit& y) {
    return x.distance != y.distance ? x.distance < y.distance : x.owner < y.owner;
  };
  // Each query's lists (probe q * p + j is query q's j-th list).
  std::vector<int> probe_list(size_t(nq) * p, 0);
  ParallelFor(nq, threads, 256, [&](int64_t begin, int64_t end, int) {
    Scratch scratch;
    for (int64_t q = begin; q < end; ++q) {
      NearestLists(queries[q], p, &scratch);
      for (int j = 0; j < int(scratch.lists.size()); ++j) probe_list[q * p + j] = scratch.lists[j];
      for (int j = int(scratch.lists.size()); j < p; ++j) probe_list[q * p + j] = -1;
    }
  });
  // The probes by list (a counting sort), then each list against all the queries probing it.
  const int n_lists = lists();
  std::vector<int64_t> first(n_lists + 1, 0);
  for (int l : probe_list) {
    if (l >= 0) ++first[l + 1];
  }
  for (int l = 0; l < n_lists; ++l) first[l + 1] += first[l];
  std::vector<int64_t> by_list(static_cast<size_t>(first[n_lists]));
  {
    std::vector<int64_t> at(first.begin(), first.end() - 1);
    for (int64_t probe = 0; probe < int64_t(probe_list.size()); ++probe) {
      if (probe_list[probe] >= 0) by_list[at[probe_list[probe]]++] = probe;
    }
  }
  std::vector<Hit> slots(probe_list.size() * size_t(k));
  std::vector<int> filled(probe_list.size(), 0);
  ParallelFor(n_lists, threads, 4, [&](int64_t begin, int64_t end, int) {
    std::vector<int> d;
    std::vector<int64_t> at;
    std::vector<Hit> hits;
    for (int64_t l = begin; l < end; ++l) {
      const int64_t lo = offsets_[l], hi = offsets_[l + 1];
      d.resize(size_t(hi - lo));
      at.resize(size_t(hi - lo));
      for (int64_t x = first[l]; x < first[l + 1]; ++x) {
        const int64_t probe = by_list[x];
        const int64_t found =
            HammingWithin(queries[probe / p], codes_.data() + size_t(lo) * bytes_, hi - lo, bytes_,
                          max_bits, at.data(), d.data());
        hits.clear();
        for (int64_t f = 0; f < found; ++f) hits.push_back({d[f], owners_[lo + at[f]]});
        const int keep = std::min<int>(k, int(hits.size()));
        std::partial_sort(hits.begin(), hits.begin() + keep, hits.end(), less);
        std::copy_n(hits.begin(), keep, slots.begin() + probe * k);
        filled[probe] = keep;
      }
    }
  });
  out->assign(size_t(nq), {});
  ParallelFor(nq, threads, 256, [&](int64_t begin, int64_t end, int) {
    for (int64_t q = begin; q < end; ++q) {
      std::vector<Hit>& hits = (*out)[q];
      for (int j = 0; j < p; ++j) {
        const int64_t probe = q * p + j;
        hits.insert(hits.end(), slots.begin() + probe * k, slots.begin() + probe * k + filled[probe]);
      }
      const int keep = std::min<int>(k, int(hits.size()));
      std::partial_sort(hits.begin(), hits.begin() + keep, hits.end(), less);
      hits.resize(keep);
    }
  });
}

}  // namespace neardup::fuse_internal
