#include "neardup/find.h"

#include <algorithm>
#include <cmath>

#include "dist/distributed.h"
#include "pipeline/knn.h"

namespace neardup {

StatusOr<FindResult> Find(const FindOptions& options) {
  ASSIGN_OR_RETURN(std::unique_ptr<Method> method, MakeMethod(options.scan.method));
  const double threshold = options.threshold.value_or(method->default_threshold());
  if (!(threshold >= 0)) return InvalidArgumentError("threshold must be >= 0");
  FindResult out;
  out.threshold = threshold;
  // Under mpirun every process describes a slice of the files and joins a share of the pairs;
  // all of them end with the whole result (include/neardup/cluster.h).
  const ClusterInfo cluster = CurrentCluster();
  const JoinShard shard{cluster.rank, cluster.size};
  ASSIGN_OR_RETURN(out.scan, dist::ScanAll(options.scan, *method, cluster));
  const ScanResult& scan = out.scan;

  if (method->metric() == Metric::kFused) {
    // Every process scores all candidates (the scan was shared); the result is the same on each.
    ASSIGN_OR_RETURN(std::vector<PairEvidence> all,
                     FusedFilePairs(scan.files, options.scan.threads));
    for (PairEvidence& e : all) {
      if (e.score < threshold) continue;
      out.pairs.push_back({e.a, e.b, 1.0 - e.score});
      out.evidence.push_back(std::move(e));
    }
  } else if (method->metric() == Metric::kHamming) {
    PackedCodes packed;
    PackCodes(scan.files, *method, &packed);
    out.pairs =
        HammingSelfJoin(packed.set, int(std::floor(threshold)), options.scan.threads, shard);
    // Unreliable (low-quality) hashes only match near-exact copies.
    std::erase_if(out.pairs, [&](const ScoredPair& p) {
      int q = std::min(scan.files[p.a].descriptor.quality, scan.files[p.b].descriptor.quality);
      return q < options.min_quality && p.distance > kLowQualityMaxBits;
    });
  } else {
    std::vector<float> vectors = PackVectors(scan.files);
    VectorSet set{vectors.data(), int64_t(scan.files.size()), method->dims()};
    out.pairs = CosineSelfJoin(set, float(threshold), options.scan.threads, shard);
  }
  if (method->metric() != Metric::kFused) {
    ASSIGN_OR_RETURN(out.pairs, dist::GatherPairs(std::move(out.pairs)));
  }

  std::vector<FileFacts> facts;
  facts.reserve(scan.files.size());
  for (const ScannedFile& f : scan.files) facts.push_back(f.facts);
  out.groups = GroupPairs(
      int64_t(scan.files.size()), out.pairs, options.mode, facts, [&](int64_t a, int64_t b) {
        // A scored pair's score as found; others (members joined through a third) computed.
        auto it = std::lower_bound(out.pairs.begin(), out.pairs.end(),
                                   ScoredPair{std::min(a, b), std::max(a, b), 0},
                                   [](const ScoredPair& x, const ScoredPair& y) {
                                     return x.a != y.a ? x.a < y.a : x.b < y.b;
                                   });
        if (it != out.pairs.end() && it->a == std::min(a, b) && it->b == std::max(a, b)) {
          return method->Score(it->distance);
        }
        return method->Score(method->Distance(scan.files[a].descriptor, scan.files[b].descriptor));
      });
  return out;
}

StatusOr<PairsResult> Pairs(const ScanOptions& options, int k) {
  if (k < 1) return InvalidArgumentError("k must be >= 1");
  ASSIGN_OR_RETURN(std::unique_ptr<Method> method, MakeMethod(options.method));
  PairsResult out;
  ASSIGN_OR_RETURN(out.scan, Scan(options, *method));
  ASSIGN_OR_RETURN(out.neighbors, SelfKnn(out.scan.files, *method, k, options.threads));
  return out;
}

}  // namespace neardup
