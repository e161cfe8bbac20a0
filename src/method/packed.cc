#include "method/packed.h"

#include <cassert>
#include <cmath>

namespace neardup {

PackedDescriptors::PackedDescriptors(const Method& m)
    : hamming_(m.metric() == Metric::kHamming),
      words_(m.dims() / 64),
      variants_(m.variants()),
      dim_(m.dims()) {}

bool PackedDescriptors::Fits(const Descriptor& d) const {
  if (hamming_) return d.bits.size() == size_t(words_ * variants_) && d.values.empty();
  return d.values.size() == size_t(dim_) && d.bits.empty();
}

void PackedDescriptors::Push(const Descriptor& d, int64_t id) {
  assert(Fits(d));
  ids_.push_back(id);
  if (hamming_) {
    codes_.insert(codes_.end(), d.bits.begin(), d.bits.end());
  } else {
    values_.insert(values_.end(), d.values.begin(), d.values.end());
  }
}

void PackedDescriptors::Clear() {
  codes_.clear();
  values_.clear();
  ids_.clear();
}

Status PackedDescriptors::AddTo(search_internal::VectorIndex* vi) const {
  if (n() == 0) return Status::Ok();
  return hamming_ ? vi->Add(code_set(), ids_.data()) : vi->Add(vector_set(), ids_.data());
}

Status PackedDescriptors::TrainOn(search_internal::VectorIndex* vi) const {
  return hamming_ ? vi->Train(code_set()) : vi->Train(vector_set());
}

StatusOr<std::vector<std::vector<Neighbor>>> PackedDescriptors::Search(
    const search_internal::VectorIndex& vi, int k) const {
  return hamming_ ? vi.Search(code_set(), k) : vi.Search(vector_set(), k);
}

std::vector<ScoredPair> PackedDescriptors::SelfJoin(double threshold, int threads,
                                                    JoinShard shard) const {
  if (hamming_) return HammingSelfJoin(code_set(), int(std::floor(threshold)), threads, shard);
  return CosineSelfJoin(vector_set(), float(threshold), threads, shard);
}

std::vector<std::vector<Neighbor>> PackedDescriptors::SelfKnn(int k, int threads) const {
  return hamming_ ? HammingSelfKnn(code_set(), k, threads)
                  : CosineSelfKnn(vector_set(), k, threads);
}

}  // namespace neardup
