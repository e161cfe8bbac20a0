// Descriptors of one method packed side by side for the search kernels and the vector index
// (private to the library): the one place that picks the hash or the float side of a method's
// space (Method::metric()).
#ifndef NEARDUP_SRC_METHOD_PACKED_H_
#define NEARDUP_SRC_METHOD_PACKED_H_

#include <cstdint>
#include <vector>

#include "neardup/descriptor.h"
#include "neardup/search.h"
#include "search/vector_index.h"

namespace neardup {

class PackedDescriptors {
 public:
  explicit PackedDescriptors(const Method& m);

  // Whether `d` has the shape of the method's codes or vectors (Push's precondition).
  bool Fits(const Descriptor& d) const;
  // Appends `d` (which must Fit: a short one would shift every later one onto another item) with
  // the caller's id (a catalog row id; callers that need none pass the item's index).
  void Push(const Descriptor& d, int64_t id = 0);
  void Clear();
  int64_t n() const { return int64_t(ids_.size()); }
  const std::vector<int64_t>& ids() const { return ids_; }
  // Views into the packed data: valid until the next Push or Clear.
  CodeSet code_set() const { return {codes_.data(), n(), words_, variants_}; }
  VectorSet vector_set() const { return {values_.data(), n(), dim_}; }

  // The vector index (search/vector_index.h) on the packed side.
  Status AddTo(search_internal::VectorIndex* vi) const;
  Status TrainOn(search_internal::VectorIndex* vi) const;
  StatusOr<std::vector<std::vector<Neighbor>>> Search(const search_internal::VectorIndex& vi,
                                                      int k) const;
  // Whether SelfJoin is fast on a large set (the Hamming join runs on multi-index hashing); the
  // cosine join is brute force, O(n^2), and an index may do better.
  bool has_fast_exact_join() const { return hamming_; }
  // The exact self-join of the packed items: pairs (a < b, item indices) within `threshold` in
  // the method's unit (bits, or a minimum cosine), this process's share `shard`.
  std::vector<ScoredPair> SelfJoin(double threshold, int threads, JoinShard shard) const;
  // The exact k nearest other items of each packed item.
  std::vector<std::vector<Neighbor>> SelfKnn(int k, int threads) const;

 private:
  bool hamming_;
  int words_, variants_, dim_;
  std::vector<uint64_t> codes_;
  std::vector<float> values_;
  std::vector<int64_t> ids_;
};

}  // namespace neardup

#endif  // NEARDUP_SRC_METHOD_PACKED_H_
