#include "pipeline/knn.h"

namespace neardup {

void PackCodes(const std::vector<ScannedFile>& files, const Method& method, PackedCodes* out) {
  const int words = method.dims() / 64, variants = method.variants();
  out->codes.clear();
  out->codes.reserve(files.size() * words * variants);
  for (const ScannedFile& f : files) {
    out->codes.insert(out->codes.end(), f.descriptor.bits.begin(), f.descriptor.bits.end());
  }
  out->set = {out->codes.data(), int64_t(files.size()), words, variants};
}

std::vector<float> PackVectors(const std::vector<ScannedFile>& files) {
  std::vector<float> v;
  for (const ScannedFile& f : files) {
    v.insert(v.end(), f.descriptor.values.begin(), f.descriptor.values.end());
  }
  return v;
}

std::vector<std::vector<Neighbor>> SelfKnn(const std::vector<ScannedFile>& files,
                                           const Method& method, int k, int threads) {
  if (method.metric() == Metric::kHamming) {
    PackedCodes packed;
    PackCodes(files, method, &packed);
    return HammingSelfKnn(packed.set, k, threads);
  }
  std::vector<float> vectors = PackVectors(files);
  VectorSet set{vectors.data(), int64_t(files.size()), method.dims()};
  return CosineSelfKnn(set, k, threads);
}

}  // namespace neardup
