#include "nn/input.h"

#include <cassert>
#include <cstddef>
#include <cstdint>

#include "neardup/preprocess.h"

namespace neardup::nn {

void WriteModelInput(const Image& image, int size, const float (&mean)[3], const float (&stddev)[3],
                     float* out) {
  assert(!image.empty() && size > 0);
  const Image* src = &image;
  Image square;
  if (image.width != size || image.height != size) {
    square = ResizeToSquare(image, size, SquareMode::kLetterbox);
    src = &square;
  }
  // One lookup table per channel: (v / 255 - mean) / std for every uint8 v.
  float lut[3][256];
  for (int c = 0; c < 3; ++c) {
    for (int v = 0; v < 256; ++v) lut[c][v] = (float(v) / 255.f - mean[c]) / stddev[c];
  }
  const size_t plane = size_t(size) * size;
  const uint8_t* px = src->pixels.data();
  if (src->channels == 3) {
    for (size_t i = 0; i < plane; ++i) {
      out[i] = lut[0][px[3 * i]];
      out[plane + i] = lut[1][px[3 * i + 1]];
      out[2 * plane + i] = lut[2][px[3 * i + 2]];
    }
  } else {
    for (size_t i = 0; i < plane; ++i) {
      for (int c = 0; c < 3; ++c) out[c * plane + i] = lut[c][px[i]];
    }
  }
}

}  // namespace neardup::nn
