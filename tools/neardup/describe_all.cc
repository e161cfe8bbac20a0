#include "describe_all.h"

#include <cstdio>

#include "neardup/hash.h"
#include "neardup/registry.h"

namespace neardup::cli {

StatusOr<DescribedFile> DescribeWithAllMethods(const std::string& path) {
  DescribedFile out;
  ASSIGN_OR_RETURN(Image img, DecodeFile(path, DecodeOptions{}, &out.info));
  for (const std::string& name : MethodNames()) {
    ASSIGN_OR_RETURN(std::unique_ptr<Method> m, MakeMethod(name));
    ASSIGN_OR_RETURN(Descriptor d, m->Compute(img));
    out.methods.push_back({std::shared_ptr<const Method>(std::move(m)), std::move(d)});
  }
  return out;
}

std::string CodeHex(const Descriptor& d, int words, int variant) {
  if (words == 4) {
    Hash256 h;
    for (int i = 0; i < 4; ++i) h.w[i] = d.bits[variant * 4 + i];
    return ToHex(h);
  }
  std::string out;
  for (int i = 0; i < words; ++i) {
    char buf[17];
    std::snprintf(buf, sizeof buf, "%016llx",
                  static_cast<unsigned long long>(d.bits[variant * words + i]));
    out += buf;
  }
  return out;
}

}  // namespace neardup::cli
