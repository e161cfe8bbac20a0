// MakeMethod and MethodNames (registry.h): hashes, the fused pipeline, then the learned methods.
#include "neardup/registry.h"

#include "fuse/fused_method.h"
#include "hash/hash_methods.h"
#include "neardup/nn.h"

namespace neardup {

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
