// Every hash method's descriptor of one file, for `hash`.
#ifndef NEARDUP_TOOLS_DESCRIBE_ALL_H_
#define NEARDUP_TOOLS_DESCRIBE_ALL_H_

#include <memory>
#include <string>
#include <vector>

#include "neardup/decode.h"
#include "neardup/descriptor.h"
#include "neardup/registry.h"

namespace neardup::cli {

struct MethodDescriptor {
  std::shared_ptr<const Method> method;
  Descriptor descriptor;
};

struct DescribedFile {
  ImageInfo info;
  std::vector<MethodDescriptor> methods;  // in MethodNames() order
};

// Decodes `path` at full resolution and computes every method on it.
StatusOr<DescribedFile> DescribeWithAllMethods(const std::string& path);

// Hex of a descriptor's first code (64 hex digits for PDQ, 16 for 64-bit hashes).
std::string CodeHex(const Descriptor& d, int words, int variant = 0);

}  // namespace neardup::cli

#endif  // NEARDUP_TOOLS_DESCRIBE_ALL_H_
