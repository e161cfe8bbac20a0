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

std::string DefaultMethod() {
  if (!NnPluginInstalled()) return kDefaultMethod;
  for (const std::string& m : InstalledNnMethods()) {
    if (m == kDefaultLearnedMethod) return std::string(kFusedMethodName) + ":" + m;
  }
  return kDefaultMethod;
}

StatusOr<std::unique_ptr<Method>> MakeMethod(std::string_view spec) {
  if (std::unique_ptr<Method> m = MakeHashMethod(spec)) return m;
  if (std::unique_ptr<Method> m = MakeFusedMethod(spec)) return m;
  // "fused:<learned>": the fused pipeline with a learned embedding as a source and a feature.
  const std::string fused_prefix = std::string(kFusedMethodName) + ":";
  if (spec.substr(0, fused_prefix.size()) == fused_prefix) {
    const std::string_view learned = spec.substr(fused_prefix.size());
    if (!IsNnMethod(learned) || learned.substr(0, 12) == "torchscript:") {
      return NotFoundError("'" + std::string(spec) + "': fused: takes a stn-cnn: or cnn: method");
    }
    ASSIGN_OR_RETURN(std::unique_ptr<Method> nn, MakeNnMethod(learned, NnMethodOptions{}));
    return MakeFusedMethodWith(std::move(nn));
  }
  // Learned methods with default options: weights from the default model lookup (nn.h).
  if (IsNnMethod(spec)) return MakeNnMethod(spec, NnMethodOptions{});
  std::string known;
  for (const std::string& n : MethodNames()) known += (known.empty() ? "" : ", ") + n;
  return NotFoundError("unknown method '" + std::string(spec) + "' (known: " + known + ")");
}

}  // namespace neardup
