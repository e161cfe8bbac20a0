// The perceptual hashes behind the Method interface (private to the library).
#ifndef NEARDUP_SRC_HASH_HASH_METHODS_H_
#define NEARDUP_SRC_HASH_HASH_METHODS_H_

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "neardup/descriptor.h"

namespace neardup {

// "ahash", "dhash", "phash", "whash", "pdq", "pdq8"; nullptr for any other name.
std::unique_ptr<Method> MakeHashMethod(std::string_view name);

// The names MakeHashMethod accepts.
const std::vector<std::string>& HashMethodNames();

}  // namespace neardup

#endif  // NEARDUP_SRC_HASH_HASH_METHODS_H_
