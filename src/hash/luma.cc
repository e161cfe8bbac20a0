#include "hash/luma.h"

#include <cassert>

#include "neardup/hash.h"

namespace neardup {

FloatImage ToLuma(const Image& image) {
  assert(image.channels == 1 || image.channels == 3);
  FloatImage luma(image.width, image.height, 1);
  for (int y = 0; y < image.height; ++y) {
    hash_internal::LumaRow(image.row(y), image.width, image.channels,
                           luma.data.data() + size_t(y) * image.width);
  }
  return luma;
}

}  // namespace neardup
