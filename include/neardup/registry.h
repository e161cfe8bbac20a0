// The methods neardup has, by name: the top of the method layer, the one place that knows every
// kind (hashes, the fused pipeline, the learned methods of the LibTorch plugin).
#ifndef NEARDUP_REGISTRY_H_
#define NEARDUP_REGISTRY_H_

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "neardup/descriptor.h"
#include "neardup/status.h"

namespace neardup {

// Makes the method named by `spec` (descriptor.h lists the names). NotFound for an unknown name
// (the message lists the known); a learned method without its plugin or weights gets the
// plugin's error (nn.h).
StatusOr<std::unique_ptr<Method>> MakeMethod(std::string_view spec);

// The method names MakeMethod accepts without a model, e.g. {"pdq", "pdq8", ..., "fused"}.
std::vector<std::string> MethodNames();

// The library's default method (ScanOptions::method): needs no model file.
inline constexpr const char* kDefaultMethod = "fused";
// The learned method the zero-flag default adds to the fused pipeline when it is installed.
inline constexpr const char* kDefaultLearnedMethod = "cnn:mobilenet_v2";

// The method `neardup find`, `pairs` and `explain` use when none is given:
// "fused:" + kDefaultLearnedMethod when its model file is installed (ModelSearchDirs, nn.h) and
// the LibTorch plugin file exists, else kDefaultMethod. Opens neither.
std::string DefaultMethod();
// The method of a new index when none is given (an index needs a vector per image).
inline constexpr const char* kDefaultIndexMethod = "pdq8";

}  // namespace neardup

#endif  // NEARDUP_REGISTRY_H_
