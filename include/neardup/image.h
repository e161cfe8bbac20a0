// Plain pixel buffers, the currency between decoding, preprocessing and descriptors.
// Convention for this whole library: row-major, interleaved HxWxC, no row padding.
// Image holds uint8 samples in [0,255] with 1 (grey) or 3 (RGB, in that order) channels;
// FloatImage holds float samples, usually in [0,1] or normalised, with 1 or 3 channels.
#ifndef NEARDUP_IMAGE_H_
#define NEARDUP_IMAGE_H_

#include <cstddef>
#include <cstdint>
#include <vector>

namespace neardup {

struct Image {
  int width = 0;
  int height = 0;
  int channels = 0;             // 1 = grey, 3 = RGB
  std::vector<uint8_t> pixels;  // size width * height * channels

  Image() = default;
  Image(int w, int h, int c) : width(w), height(h), channels(c), pixels(size_t(w) * h * c) {}

  bool empty() const { return pixels.empty(); }
  uint8_t* row(int y) { return pixels.data() + size_t(y) * width * channels; }
  const uint8_t* row(int y) const { return pixels.data() + size_t(y) * width * channels; }
  uint8_t& at(int y, int x, int c = 0) { return pixels[(size_t(y) * width + x) * channels + c]; }
  uint8_t at(int y, int x, int c = 0) const {
    return pixels[(size_t(y) * width + x) * channels + c];
  }
};

struct FloatImage {
  int width = 0;
  int height = 0;
  int channels = 0;
  std::vector<float> data;  // size width * height * channels

  FloatImage() = default;
  FloatImage(int w, int h, int c) : width(w), height(h), channels(c), data(size_t(w) * h * c) {}

  bool empty() const { return data.empty(); }
  float& at(int y, int x, int c = 0) { return data[(size_t(y) * width + x) * channels + c]; }
  float at(int y, int x, int c = 0) const { return data[(size_t(y) * width + x) * channels + c]; }
};

// What a decoder learned about the file besides its pixels.
struct ImageInfo {
  int original_width = 0;  // as stored in the file, after EXIF orientation is applied
  int original_height = 0;
  // Pixels were decoded at num/denom of the original size (JPEG DCT scaling: 1/8, 1/4, 3/8, ...).
  int decode_scale_num = 1;
  int decode_scale_denom = 1;
  int exif_orientation = 1;  // 1..8, 1 = as stored
  const char* format = "";   // "jpeg", "png", "webp", "tiff", "bmp", "gif", "heif", ...
};

}  // namespace neardup

#endif  // NEARDUP_IMAGE_H_
