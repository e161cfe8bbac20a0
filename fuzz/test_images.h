// Small synthetic pictures for the fuzz targets' fixed inputs and the seed corpus.
#ifndef NEARDUP_FUZZ_TEST_IMAGES_H_
#define NEARDUP_FUZZ_TEST_IMAGES_H_

#include <cstdint>

#include "neardup/descriptor.h"
#include "neardup/fuse.h"
#include "neardup/image.h"
#include "neardup/verify.h"

namespace neardup::fuzz {

// An RGB picture of random rectangles on a gradient (deterministic in `seed`): enough corners for
// ORB keypoints and a PDQ hash of good quality.
inline Image TexturedImage(int width, int height, uint32_t seed, int channels = 3) {
  Image im(width, height, channels);
  uint32_t s = seed * 2654435761u + 1;
  auto next = [&s] {
    s ^= s << 13;
    s ^= s >> 17;
    s ^= s << 5;
    return s;
  };
  for (int y = 0; y < height; ++y) {
    for (int x = 0; x < width; ++x) {
      for (int c = 0; c < channels; ++c) {
        im.at(y, x, c) = uint8_t((x * 255 / width + y * 128 / height + c * 60) & 0xff);
      }
    }
  }
  for (int r = 0; r < 24; ++r) {
    const int x0 = int(next() % uint32_t(width)), y0 = int(next() % uint32_t(height));
    const int w = 1 + int(next() % uint32_t(width / 3 + 1)),
              h = 1 + int(next() % uint32_t(height / 3 + 1));
    const uint32_t colour = next();
    for (int y = y0; y < y0 + h && y < height; ++y) {
      for (int x = x0; x < x0 + w && x < width; ++x) {
        for (int c = 0; c < channels; ++c) im.at(y, x, c) = uint8_t(colour >> (8 * c));
      }
    }
  }
  return im;
}

// The method's descriptor of `image`, its local features (if any) cut to 64 keypoints: verifying
// two images of 1,000 keypoints costs ~50 ms under the sanitizers, and what is fuzzed is the
// reader, not the matcher's speed.
inline Descriptor Describe(const Method& method, const Image& image) {
  Descriptor d = std::move(method.Compute(image)).value();
  if (!d.local.empty()) {
    VerifyOptions small = FuseOptions{}.verify;
    small.max_keypoints = 64;
    d.local = SerializeFeatures(ExtractFeatures(image, small).value());
  }
  return d;
}

}  // namespace neardup::fuzz

#endif  // NEARDUP_FUZZ_TEST_IMAGES_H_
