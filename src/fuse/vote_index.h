// The inverted file local-feature votes are looked up in (private to src/fuse/).
//
// Binary descriptors (32 bytes for ORB) are kept in lists of about kCodesPerList codes, each the
// codes nearest one centroid. Centroids come in two levels: about sqrt(lists) coarse ones drawn
// from a sample of the codes, and each coarse cell's share of the fine ones drawn from the sample
// codes in that cell; a code is placed, and a query finds its lists, with about 3 sqrt(lists)
// distance computations. As the lists grow in number with the folder rather than in length, a
// query costs the same at any size and a run's vote search grows linearly with N. (Faiss's BIVF
// with a flat quantizer, used before, costs `nlist` per query with nlist ~ sqrt(codes), and keeps
// 8-byte ids in lists that grow by doubling: about 60 bytes per code where this keeps 36.)
//
// Building takes two passes over the same codes (so nothing is held twice): Count() each code's
// list, Start(), then Put() each code. Count and Put may run on several threads at once; the
// order of codes within a list then varies, which SearchBatch() does not depend on.
#ifndef NEARDUP_SRC_FUSE_VOTE_INDEX_H_
#define NEARDUP_SRC_FUSE_VOTE_INDEX_H_

#include <atomic>
#include <cstdint>
#include <memory>
#include <vector>

namespace neardup::fuse_internal {

inline constexpr int64_t kCodesPerList = 1024;

class VoteIndex {
 public:
  struct Hit {
    int distance = 0;
    int32_t owner = 0;
  };
  struct Scratch;

  // Centroids drawn from `sample` (sample_count codes of `bytes` bytes, spread over the folder)
  // for about `expected` codes. Fewer than 8 * kCodesPerList expected: one list (exact search).
  VoteIndex(const uint8_t* sample, int64_t sample_count, int bytes, int64_t expected);

  int lists() const { return int(offsets_.size()) - 1; }
  // The list a code goes to (its nearest fine centroid among those of its nearest coarse ones).
  int ListOf(const uint8_t* code, Scratch* scratch) const;
  void Count(int list) { counts_[list].fetch_add(1, std::memory_order_relaxed); }
  // After every Count: lays out the lists.
  void Start();
  // Stores a code (counted before) for image `owner`.
  void Put(int list, const uint8_t* code, int32_t owner);

  // Working memory of ListOf, one per thread.
  struct Scratch {
    std::vector<int> distances, cells, lists;
    std::vector<std::pair<int, int>> fine;  // (distance, list)
  };

  // For each of the queries (codes of `bytes`), the `k` nearest stored codes within `max_bits`
  // in its `probes` nearest lists, nearest first (ties by owner), into (*out)[q]. Searched list by
  // list: each list is read once for all the queries that probe it, not once per query (the
  // index is far larger than the CPU's caches; per query, memory bandwidth was the cost). Uses
  // `threads` threads (0: all).
  void SearchBatch(const std::vector<const uint8_t*>& queries, int probes, int max_bits, int k,
                   int threads, std::vector<std::vector<Hit>>* out) const;

 private:
  // The `want` nearest fine lists of `code` (nearest first) into scratch->lists.
  void NearestLists(const uint8_t* code, int want, Scratch* scratch) const;

  int bytes_ = 0;
  std::vector<uint8_t> coarse_;               // coarse centroids
  std::vector<uint8_t> fine_;                 // fine centroids, grouped by coarse cell
  std::vector<int> fine_begin_;               // cell c's fine centroids: [fine_begin_[c], [c+1])
  int widest_cell_ = 1;                       // most fine centroids of one cell
  std::unique_ptr<std::atomic<int64_t>[]> counts_;  // per list: Count()s, then Put() cursors
  std::vector<int64_t> offsets_;              // list l: entries [offsets_[l], offsets_[l + 1])
  std::vector<uint8_t> codes_;
  std::vector<int32_t> owners_;
};

}  // namespace neardup::fuse_internal

#endif  // NEARDUP_SRC_FUSE_VOTE_INDEX_H_
