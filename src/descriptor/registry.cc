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
