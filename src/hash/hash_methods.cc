#include "hash/hash_methods.h"

#include <algorithm>
#include <cmath>

#include "neardup/hash.h"

namespace neardup {
namespace {

class HashMethod : public Method {
 public:
  enum class Kind { kAHash, kDHash, kPHash, kWHash, kPdq, kPdq8 };

  HashMethod(Kind kind, std::string name, double threshold)
      : kind_(kind), name_(std::move(name)), threshold_(threshold) {}

  std::string name() const override { return name_; }
  int version() const override { return 1; }
  Metric metric() const override { return Metric::kHamming; }
  int dims() const override { return IsPdq() ? kPdqBits : 64; }
  int variants() const override { return kind_ == Kind::kPdq8 ? 8 : 1; }
  // PDQ reduces to 64x64 with a tent filter: 256 px on the short side keeps each output cell fed
  // by >= 4x4 input pixels. The 64-bit hashes reduce to <= 64x64.
  int min_decode_side() const override { return IsPdq() ? 256 : 128; }
  double default_threshold() const override { return threshold_; }

  StatusOr<Descriptor> Compute(const Image& image) const override {
    if (image.empty()) return InvalidArgumentError("empty image");
    Descriptor d;
    switch (kind_) {
      case Kind::kAHash:
        d.bits = {AverageHash(image)};
        break;
      case Kind::kDHash:
        d.bits = {DifferenceHash(image)};
        break;
      case Kind::kPHash:
        d.bits = {PerceptualHash(image)};
        break;
      case Kind::kWHash:
        d.bits = {WaveletHash(image)};
        break;
      case Kind::kPdq: {
        PdqResult r = PdqHash(image);
        d.bits.assign(r.hash.w.begin(), r.hash.w.end());
        d.quality = r.quality;
        break;
      }
      case Kind::kPdq8: {
        PdqDihedral r = PdqDihedralHashes(image);
        for (const Hash256& h : r.hashes) d.bits.insert(d.bits.end(), h.w.begin(), h.w.end());
        d.quality = r.quality;
        break;
      }
    }
    return d;
  }

  StatusOr<double> Distance(const Descriptor& a, const Descriptor& b) const override {
    const int words = dims() / 64;
    for (const Descriptor* d : {&a, &b}) {
      if (d->bits.empty() || d->bits.size() % words != 0) {
        return InvalidArgumentError(std::to_string(d->bits.size()) + " hash words is not a " +
                                    name_ + " descriptor");
      }
    }
    return double(VariantDistance(a.bits.data(), int(a.bits.size()) / words, b.bits.data(),
                                  int(b.bits.size()) / words, words));
  }
  double Score(double distance) const override { return 1.0 - distance / dims(); }
  double DistanceForScore(double score) const override { return (1.0 - score) * dims(); }

 private:
  bool IsPdq() const { return kind_ == Kind::kPdq || kind_ == Kind::kPdq8; }

  Kind kind_;
  std::string name_;
  double threshold_;
};

}  // namespace

const std::vector<std::string>& HashMethodNames() {
  static const std::vector<std::string> names = {"pdq8", "pdq", "phash", "dhash", "ahash", "whash"};
  return names;
}

std::unique_ptr<Method> MakeHashMethod(std::string_view name) {
  using K = HashMethod::Kind;
  // Default thresholds in bits, measured by bench/hash_robustness_bench on 10.1 M pairs of
  // unrelated images (bench/results/hash_thresholds.md): the largest distance whose precision
  // stays >= 0.99 (at the 95% upper bound of the false-positive count) for a folder of 1,000
  // images with 100 duplicate pairs. aHash, dHash and wHash reach that at no distance (0 is their
  // best), so they are offered for comparison only.
  if (name == "ahash") return std::make_unique<HashMethod>(K::kAHash, "ahash", 0);
  if (name == "dhash") return std::make_unique<HashMethod>(K::kDHash, "dhash", 0);
  if (name == "phash") return std::make_unique<HashMethod>(K::kPHash, "phash", 0);
  if (name == "whash") return std::make_unique<HashMethod>(K::kWHash, "whash", 0);
  if (name == "pdq") return std::make_unique<HashMethod>(K::kPdq, "pdq", 36);
  if (name == "pdq8") return std::make_unique<HashMethod>(K::kPdq8, "pdq8", 32);
  return nullptr;
}

}  // namespace neardup
