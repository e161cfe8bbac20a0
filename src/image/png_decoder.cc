// PNG through libpng's simplified API (png_image_*), not cv::imdecode: libpng's warnings (such as
// "iCCP: known incorrect sRGB profile") land in png_image::message instead of on stderr, and
// decoding a PNG no longer loads libopencv_imgcodecs (~55 ms per process, lazy_imgcodecs.h).
//
// Pixels are those OpenCV gave (tests/image/png_decoder_test.cc compares the two): 8-bit samples
// as stored, 16-bit ones rounded to v / 257, palettes and tRNS expanded, alpha composited by
// CompositeRgba, grey as cv::cvtColor computes it. Differences, all in rare files:
//  - a gAMA chunk that is not sRGB's (e.g. gAMA 1.0) is honoured: samples are converted to sRGB,
//    where OpenCV ignored gAMA;
//  - a grey PNG with a tRNS key colour is composited like an RGB one (OpenCV dropped grey tRNS);
//  - a file cut off after its last IDAT (no IEND) decodes; OpenCV refused it.
#include <png.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <opencv2/imgproc.hpp>
#include <string>
#include <vector>

#include "image/cv_image.h"
#include "image/decoders.h"

namespace neardup::image_internal {
namespace {

// Owns a png_image; png_image_free is safe after png_image_finish_read has freed it already.
class PngReader {
 public:
  PngReader() {
    std::memset(&image_, 0, sizeof image_);
    image_.version = PNG_IMAGE_VERSION;
  }
  ~PngReader() { png_image_free(&image_); }
  PngReader(const PngReader&) = delete;
  PngReader& operator=(const PngReader&) = delete;

  png_image& image() { return image_; }
  // The error libpng reported (the last warning when there was no error).
  Status Error() const { return CorruptionError(std::string("png decoder: ") + image_.message); }

 private:
  png_image image_;
};

// Reads the whole image as `format` (PNG_FORMAT_GRAY, _RGB or _RGBA) into `out`, whose size is
// width * height * channels of that format.
Status FinishRead(PngReader& reader, uint32_t format, uint8_t* out) {
  png_image& image = reader.image();
  image.format = format;
  if (!png_image_finish_read(&image, /*background=*/nullptr, out, /*row_stride=*/0, nullptr)) {
    return reader.Error();
  }
  return Status::Ok();
}

Image ToGrey(const Image& rgb) {
  cv::Mat grey;
  cv::cvtColor(AsMat(rgb), grey, cv::COLOR_RGB2GRAY);
  return FromMat(grey);
}

uint32_t Be32At(std::string_view b, size_t at) {
  const auto* p = reinterpret_cast<const unsigned char*>(b.data()) + at;
  return uint32_t(p[0]) << 24 | uint32_t(p[1]) << 16 | uint32_t(p[2]) << 8 | p[3];
}

}  // namespace

Status CheckPngDataSize(std::string_view bytes, int64_t width, int64_t height) {
  if (bytes.size() < 33) return Status::Ok();  // libpng reports the short header itself
  static constexpr int kChannels[] = {1, 0, 3, 1, 2, 0, 4};  // by colour type
  const int bit_depth = static_cast<unsigned char>(bytes[24]);
  const int colour = static_cast<unsigned char>(bytes[25]);
  const int channels = colour < 7 ? kChannels[colour] : 0;
  if (channels == 0 || bit_depth == 0) return Status::Ok();
  int64_t idat = 0;
  for (size_t at = 8; at + 12 <= bytes.size();) {
    const int64_t length = Be32At(bytes, at);
    if (bytes.compare(at + 4, 4, "IDAT") == 0) idat += std::min<int64_t>(length, bytes.size());
    at += size_t(std::min<int64_t>(length, bytes.size())) + 12;
  }
  // In double: the sides come from the header, before any limit bounds their product.
  const double row_bytes = 1 + std::ceil(double(width) * channels * bit_depth / 8);
  constexpr double kMaxDeflateRatio = 1032;
  if ((double(idat) + 64) * kMaxDeflateRatio < double(height) * row_bytes) {
    return CorruptionError("truncated PNG: " + std::to_string(idat) +
                           " bytes of image data cannot hold " + std::to_string(width) + "x" +
                           std::to_string(height) + " pixels");
  }
  return Status::Ok();
}

StatusOr<Image> DecodePng(std::string_view bytes, const DecodeOptions& options, ImageInfo* info) {
  int64_t width = 0, height = 0;
  if (SniffDimensions(bytes, Format::kPng, &width, &height)) {
    RETURN_IF_ERROR(CheckPixelLimit(width, height, options.max_pixels));
    RETURN_IF_ERROR(CheckPngDataSize(bytes, width, height));
  }
  PngReader reader;
  png_image& image = reader.image();
  if (!png_image_begin_read_from_memory(&image, bytes.data(), bytes.size())) {
    return reader.Error();
  }
  // The same check when the IHDR was not where SniffDimensions looks (libpng read it anyway).
  RETURN_IF_ERROR(CheckPixelLimit(image.width, image.height, options.max_pixels));
  width = image.width;
  height = image.height;
  // 16-bit files without gAMA/sRGB are sRGB-encoded like 8-bit ones (libpng's default would take
  // them as linear and brighten them); scaling to 8 bits is then round(v / 257), as OpenCV did.
  image.flags |= PNG_IMAGE_FLAG_16BIT_sRGB;

  const bool alpha = (image.format & PNG_FORMAT_FLAG_ALPHA) != 0;   // alpha channel or tRNS
  const bool colour = (image.format & PNG_FORMAT_FLAG_COLOR) != 0;  // RGB or palette
  Image out;
  if (alpha) {
    std::vector<uint8_t> rgba(size_t(width) * size_t(height) * 4);
    RETURN_IF_ERROR(FinishRead(reader, PNG_FORMAT_RGBA, rgba.data()));
    out = CompositeRgba(rgba.data(), int(width), int(height));
    if (options.grey) out = ToGrey(out);
  } else if (colour || !options.grey) {
    out = Image(int(width), int(height), 3);
    RETURN_IF_ERROR(FinishRead(reader, PNG_FORMAT_RGB, out.pixels.data()));
    if (colour && options.grey) out = ToGrey(out);
  } else {
    out = Image(int(width), int(height), 1);
    RETURN_IF_ERROR(FinishRead(reader, PNG_FORMAT_GRAY, out.pixels.data()));
  }
  info->original_width = int(width);
  info->original_height = int(height);
  info->exif_orientation = ExifOrientation(bytes, Format::kPng);
  return out;
}

}  // namespace neardup::image_internal
