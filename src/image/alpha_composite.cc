// CompositeRgba: straight alpha over the background AlphaBackground picks (see decoders.h).
#include "image/decoders.h"

namespace neardup::image_internal {

Image CompositeRgba(const uint8_t* rgba, int width, int height) {
  const size_t n = size_t(width) * size_t(height);
  double weighted = 0, weight = 0;
  const uint8_t* s = rgba;
  for (size_t i = 0; i < n; ++i, s += 4) {
    weighted += s[3] * (0.114 * s[2] + 0.587 * s[1] + 0.299 * s[0]);
    weight += s[3];
  }
  const int bg = AlphaBackground(weight > 0 ? weighted / weight : 0);
  Image rgb(width, height, 3);
  s = rgba;
  uint8_t* d = rgb.pixels.data();
  for (size_t i = 0; i < n; ++i, s += 4, d += 3) {
    const int a = s[3];
    for (int c = 0; c < 3; ++c) d[c] = uint8_t((s[c] * a + bg * (255 - a) + 127) / 255);
  }
  return rgb;
}

}  // namespace neardup::image_internal
