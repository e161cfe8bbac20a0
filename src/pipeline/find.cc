#include "neardup/find.h"

#include <algorithm>
#include <cmath>

namespace neardup {
namespace {

// Contiguous codes of every scanned file, for the search kernels.
struct PackedCodes {
  std::vector<uint64_t> codes;
  CodeSet set;
};

PackedCodes PackCodes(const ScanResult& scan, const Method& method) {
  PackedCodes p;
  const int words = method.dims() / 64, variants = method.variants();
  p.codes.reserve(scan.files.size() * words * variants);
  for (const ScannedFile& f : scan.files) {
    p.codes.insert(p.codes.end(), f.descriptor.bits.begin(), f.descriptor.bits.end());
  }
  p.set = {p.codes.data(), int64_t(scan.files.size()), words, variants};
  return p;
}

std::vector<float> PackVectors(const ScanResult& scan) {
  std::vector<float> v;
  for (const ScannedFile& f : scan.files) {
    v.insert(v.end(), f.descriptor.values.begin(), f.descriptor.values.end());
  }
  return v;
}

}  // namespace

StatusOr<FindResult> Find(const FindOptions& options) {
  ASSIGN_OR_RETURN(std::unique_ptr<Method> method, MakeMethod(options.scan.method));
  const double threshold = options.threshold.value_or(method->default_threshold());
  if (!(threshold >= 0)) return InvalidArgumentError("threshold must be >= 0");
  FindResult out;
  out.threshold = threshold;
  ASSIGN_OR_RETURN(out.scan, Scan(options.scan, *method));
  const ScanResult& scan = out.scan;

  if (method->metric() == Metric::kHamming) {
    PackedCodes packed = PackCodes(scan, *method);
    out.pairs = HammingSelfJoin(packed.set, int(std::floor(threshold)), options.scan.threads);
    // Unreliable (low-quality) hashes only match near-exact copies.
    std::erase_if(out.pairs, [&](const ScoredPair& p) {
      int q = std::min(scan.files[p.a].descriptor.quality, scan.files[p.b].descriptor.quality);
      return q < options.min_quality && p.distance > kLowQualityMaxBits;
    });
  } else {
    std::vector<float> vectors = PackVectors(scan);
    VectorSet set{vectors.data(), int64_t(scan.files.size()), method->dims()};
    out.pairs = CosineSelfJoin(set, float(threshold), options.scan.threads);
  }

  std::vector<FileFacts> facts;
  facts.reserve(scan.files.size());
  for (const ScannedFile& f : scan.files) facts.push_back(f.facts);
  out.groups = GroupPairs(
      int64_t(scan.files.size()), out.pairs, options.mode, facts, [&](int64_t a, int64_t b) {
        return method->Score(method->Distance(scan.files[a].descriptor, scan.files[b].descriptor));
      });
  return out;
}

StatusOr<PairsResult> Pairs(const ScanOptions& options, int k) {
  if (k < 1) return InvalidArgumentError("k must be >= 1");
  ASSIGN_OR_RETURN(std::unique_ptr<Method> method, MakeMethod(options.method));
  PairsResult out;
  ASSIGN_OR_RETURN(out.scan, Scan(options, *method));
  if (method->metric() == Metric::kHamming) {
    PackedCodes packed = PackCodes(out.scan, *method);
    out.neighbors = HammingSelfKnn(packed.set, k, options.threads);
  } else {
    std::vector<float> vectors = PackVectors(out.scan);
    VectorSet set{vectors.data(), int64_t(out.scan.files.size()), method->dims()};
    out.neighbors = CosineSelfKnn(set, k, options.threads);
  }
  return out;
}

}  // namespace neardup
