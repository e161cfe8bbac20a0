// The "fused" method behind the Method interface (private to the library): pdq8 codes plus local
// features in one descriptor, so both are cached together and read once per image.
#ifndef NEARDUP_SRC_FUSE_FUSED_METHOD_H_
#define NEARDUP_SRC_FUSE_FUSED_METHOD_H_

#include <memory>
#include <string_view>

#include "neardup/descriptor.h"

namespace neardup {

inline constexpr const char* kFusedMethodName = "fused";

// The fused method for "fused"; nullptr for any other name.
std::unique_ptr<Method> MakeFusedMethod(std::string_view name);

}  // namespace neardup

#endif  // NEARDUP_SRC_FUSE_FUSED_METHOD_H_
