#include "describe_all.h"

#include "neardup/hash.h"
#include "neardup/registry.h"
#include "neardup/text.h"

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
  const uint64_t* code = d.bits.data() + size_t(variant) * words;
  if (words == 4) {
    Hash256 h;
    for (int i = 0; i < 4; ++i) h.w[i] = code[i];
    return ToHex(h);  // PDQ's own order: the last word first
  }
  return HexWords(code, size_t(words));
}

}  // namespace neardup::cli
