#include "neardup/split.h"

#include <cctype>
#include <cstdint>

#include "augment/rng.h"

namespace neardup {

std::string FamilyKey(std::string_view path) {
  // Only the innermost folder counts, so the key does not depend on where the data root is.
  const size_t slash = path.rfind('/');
  std::string_view dir = slash == std::string_view::npos ? "" : path.substr(0, slash);
  if (const size_t up = dir.rfind('/'); up != std::string_view::npos) dir = dir.substr(up + 1);
  const std::string_view name = slash == std::string_view::npos ? path : path.substr(slash + 1);
  size_t end = 0;
  while (end < name.size() && std::isalpha(static_cast<unsigned char>(name[end]))) ++end;
  return std::string(dir) + "/" + std::string(name.substr(0, end));
}

bool IsHeldOut(std::string_view path) {
  // FNV-1a from this start value rather than FNV's standard offset basis (it is that number with
  // its last digit dropped): it fixes which families are held out, so it never changes.
  constexpr uint64_t kSplitHashStart = 1469598103934665603ull;
  return augment_internal::Fnv1a64(FamilyKey(path), kSplitHashStart) % kHoldoutModulus == 0;
}

}  // namespace neardup
