#include "method/search.h"

#include <algorithm>

#include "method/packed.h"

namespace neardup {
namespace {

PackedDescriptors Pack(const Method& method, const std::vector<const Descriptor*>& items) {
  PackedDescriptors packed(method);
  for (size_t i = 0; i < items.size(); ++i) packed.Push(*items[i], int64_t(i));
  return packed;
}

}  // namespace

StatusOr<JoinResult> SelfJoin(const Method& method, const std::vector<const Descriptor*>& items,
                              const JoinOptions& options) {
  JoinResult out;
  if (const PairPipeline* pipeline = method.pipeline()) {
    ASSIGN_OR_RETURN(std::vector<PairEvidence> all,
                     pipeline->ScoreCandidates(items, ScoreOptions{options.threads, options.cache,
                                                                   options.local,
                                                                   options.threshold}));
    for (PairEvidence& e : all) {
      if (e.score < options.threshold) continue;  // a pipeline's threshold is a minimum score
      out.pairs.push_back({e.a, e.b, 1.0 - e.score});
      out.evidence.push_back(std::move(e));
    }
    return out;
  }
  out.pairs = Pack(method, items).SelfJoin(options.threshold, options.threads, options.shard);
  out.sharded = options.shard.parts > 1;
  // Unreliable (low-quality) hashes only match near-exact copies. Float methods have quality
  // 100 (descriptor.h), so this only ever drops pairs of hash methods.
  std::erase_if(out.pairs, [&](const ScoredPair& p) {
    const int q = std::min(items[p.a]->quality, items[p.b]->quality);
    return q < options.min_quality && p.distance > options.low_quality_max_bits;
  });
  return out;
}

StatusOr<std::vector<std::vector<Neighbor>>> SelfKnn(const Method& method,
                                                     const std::vector<const Descriptor*>& items,
                                                     int k, int threads, DescriptorCache* cache,
                                                     const LocalFeatureSource* local) {
  if (const PairPipeline* pipeline = method.pipeline()) {
    ASSIGN_OR_RETURN(std::vector<PairEvidence> pairs,
                     pipeline->ScoreCandidates(items, ScoreOptions{threads, cache, local, 0}));
    std::vector<std::vector<Neighbor>> out(items.size());
    for (const PairEvidence& e : pairs) {
      out[e.a].push_back({e.b, 1.0 - e.score});
      out[e.b].push_back({e.a, 1.0 - e.score});
    }
    for (auto& list : out) {
      std::sort(list.begin(), list.end(), [](const Neighbor& x, const Neighbor& y) {
        return x.distance != y.distance ? x.distance < y.distance : x.id < y.id;
      });
      if (int(list.size()) > k) list.resize(k);
    }
    return out;
  }
  return Pack(method, items).SelfKnn(k, threads);
}

StatusOr<PairComparison> ComparePair(const Method& method, const Descriptor& a, const Descriptor& b,
                                     bool keep_inliers) {
  PairComparison out;
  if (const PairPipeline* pipeline = method.pipeline()) {
    ASSIGN_OR_RETURN(PairEvidence e, pipeline->ScorePair(a, b, keep_inliers));
    out.distance = 1.0 - e.score;
    out.evidence = std::move(e);
    return out;
  }
  ASSIGN_OR_RETURN(out.distance, method.Distance(a, b));
  return out;
}

}  // namespace neardup
