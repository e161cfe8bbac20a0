#include <cmath>
#include <string>
#include <vector>

#include "descriptor/hash_methods.h"
#include "fuse/fused_method.h"
#include "neardup/descriptor.h"
#include "neardup/nn.h"

namespace neardup {

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
  if (metric() != Metric::kFused && !d.local.empty()) {
    return wrong(d.local.size(), "bytes of local features", 0);
  }
  return Status::Ok();
}

bool IsMatch(const Method& method, double distance, double threshold) {
  if (method.metric() != Metric::kHamming) return 1.0 - distance >= threshold;
  return distance <= threshold;
}

std::vector<std::string> MethodNames() {
  std::vector<std::string> names = HashMethodNames();
  names.push_back(kFusedMethodName);
  return names;
}

StatusOr<std::unique_ptr<Method>> MakeMethod(std::string_view spec) {
  if (std::unique_ptr<Method> m = MakeHashMethod(spec)) return m;
  if (std::unique_ptr<Method> m = MakeFusedMethod(spec)) return m;
  // Learned methods with default options: weights from the default model lookup (nn.h).
  if (IsNnMethod(spec)) return MakeNnMethod(spec, NnMethodOptions{});
  std::string known;
  for (const std::string& n : MethodNames()) known += (known.empty() ? "" : ", ") + n;
  return NotFoundError("unknown method '" + std::string(spec) + "' (known: " + known + ")");
}

}  // namespace neardup
