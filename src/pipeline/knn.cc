#include "pipeline/knn.h"

#include <algorithm>

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

StatusOr<std::vector<PairEvidence>> FusedFilePairs(const std::vector<ScannedFile>& files,
                                                   int threads) {
  std::vector<const Descriptor*> items;
  items.reserve(files.size());
  for (const ScannedFile& f : files) items.push_back(&f.descriptor);
  ASSIGN_OR_RETURN(std::vector<PairEvidence> pairs, FusedPairs(items, FuseOptions{}, threads));
  // Features were taken on the decoded image, which the decoder may have reduced: report the
  // geometry in the pixels of the files.
  auto scale = [&](int64_t i, double* sx, double* sy) {
    const Descriptor& d = files[i].descriptor;
    int w = 0, h = 0;
    *sx = *sy = 1;
    if (FeaturesImageSize(d.local.data(), d.local.size(), &w, &h) && w > 0 && h > 0 &&
        files[i].facts.width > 0 && files[i].facts.height > 0) {
      *sx = double(files[i].facts.width) / w;
      *sy = double(files[i].facts.height) / h;
    }
  };
  for (PairEvidence& e : pairs) {
    if (!e.verified) continue;
    double ax, ay, bx, by;
    scale(e.a, &ax, &ay);
    scale(e.b, &bx, &by);
    if (ax != 1 || ay != 1 || bx != 1 || by != 1)
      ScaleVerification(&e.verification, ax, ay, bx, by);
  }
  return pairs;
}

StatusOr<std::vector<std::vector<Neighbor>>> SelfKnn(const std::vector<ScannedFile>& files,
                                                     const Method& method, int k, int threads) {
  if (method.metric() == Metric::kFused) {
    ASSIGN_OR_RETURN(std::vector<PairEvidence> pairs, FusedFilePairs(files, threads));
    std::vector<std::vector<Neighbor>> out(files.size());
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
