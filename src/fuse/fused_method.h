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

// "fused:" + learned->name(): the fused method whose descriptors also carry `learned`'s
// embedding (a kCosine, kVectorSpace method), used as a candidate source and a score feature
// (fuse.h) with DefaultLearnedFuseModel().
std::unique_ptr<Method> MakeFusedMethodWith(std::unique_ptr<Method> learned);

}  // namespace neardup

#endif  // NEARDUP_SRC_FUSE_FUSED_METHOD_H_
