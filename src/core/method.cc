// What every method shares (descriptor.h): the default behaviour of Method and the threshold
// conventions of each search kind. The only place outside the method layer's dispatch
// (src/method/search.cc) that looks at a method's metric.
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "neardup/descriptor.h"

namespace neardup {
namespace {

std::string Number(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", v);
  return buf;
}

}  // namespace

std::vector<StatusOr<Descriptor>> Method::ComputeBatch(
    const std::vector<const Image*>& images) const {
  std::vector<StatusOr<Descriptor>> out;
  out.reserve(images.size());
  for (const Image* image : images) out.push_back(Compute(*image));
  return out;
}

Status Method::CheckDescriptor(const Descriptor& d) const {
  auto wrong = [](size_t n, const char* what, size_t expected) {
    return CorruptionError(std::to_string(n) + " " + what + ", expected " +
                           std::to_string(expected));
  };
  if (d.quality < 0 || d.quality > 100) {
    return CorruptionError("quality " + std::to_string(d.quality) + " outside [0,100]");
  }
  if (metric() == Metric::kCosine) {
    if (d.values.size() != size_t(dims())) return wrong(d.values.size(), "values", dims());
    if (!d.bits.empty()) return wrong(d.bits.size(), "hash words", 0);
    double norm2 = 0;
    for (float v : d.values) {
      if (!std::isfinite(v)) return CorruptionError("a value is not finite");
      norm2 += double(v) * v;
    }
    // Unit vectors (the float16 round trip keeps the norm within 1e-3).
    if (std::abs(std::sqrt(norm2) - 1.0) > 1e-2) {
      return CorruptionError("vector norm " + std::to_string(std::sqrt(norm2)) + ", expected 1");
    }
  } else {
    const size_t words = size_t(dims() + 63) / 64 * size_t(variants());
    if (d.bits.size() != words) return wrong(d.bits.size(), "hash words", words);
    if (!d.values.empty()) return wrong(d.values.size(), "values", 0);
  }
  if (search_kind() != SearchKind::kPairPipeline && !d.local.empty()) {
    return wrong(d.local.size(), "bytes of local features", 0);
  }
  return Status::Ok();
}

ThresholdRange Method::threshold_range() const {
  if (search_kind() == SearchKind::kPairPipeline) return {0, 1, "fused score", "fused score", 6};
  if (metric() == Metric::kHamming) return {0, double(dims()), "bits", "bits", 0};
  return {0, 1, "cosine similarity", "cosine", 6};
}

Status Method::CheckThreshold(double threshold) const {
  const ThresholdRange r = threshold_range();
  if (std::isfinite(threshold) && threshold >= r.lo && threshold <= r.hi) return Status::Ok();
  return InvalidArgumentError(Number(threshold) + " is out of range for method " + name() + " (" +
                              Number(r.lo) + ".." + Number(r.hi) + " " + r.unit + ")");
}

StatusOr<double> Method::ResolveThreshold(std::optional<double> threshold) const {
  if (!threshold) return default_threshold();
  RETURN_IF_ERROR(CheckThreshold(*threshold));
  return *threshold;
}

const char* Method::dims_unit() const { return metric() == Metric::kHamming ? "bits" : "dims"; }

double Method::InThresholdUnit(double distance) const {
  const bool bits = search_kind() == SearchKind::kVectorSpace && metric() == Metric::kHamming;
  return bits ? distance : 1.0 - distance;
}

bool IsMatch(const Method& method, double distance, double threshold) {
  const bool bits =
      method.search_kind() == SearchKind::kVectorSpace && method.metric() == Metric::kHamming;
  return bits ? distance <= threshold : 1.0 - distance >= threshold;
}

}  // namespace neardup
