// EXIF Orientation: finding tag 0x0112 in JPEG/PNG/WebP/TIFF metadata, and undoing it.
//
// Parsed here rather than by OpenCV so that every format gets it applied exactly once and the
// value can be reported in ImageInfo (OpenCV's imdecode with IMREAD_UNCHANGED ignores it).
#include <opencv2/core.hpp>

#include "image/cv_image.h"
#include "image/decoders.h"

namespace neardup::image_internal {
namespace {

constexpr uint16_t kOrientationTag = 0x0112;
constexpr uint16_t kTiffShort = 3;

uint32_t Be32(const unsigned char* p) {
  return uint32_t(p[0]) << 24 | uint32_t(p[1]) << 16 | uint32_t(p[2]) << 8 | p[3];
}
uint32_t Le32(const unsigned char* p) {
  return uint32_t(p[3]) << 24 | uint32_t(p[2]) << 16 | uint32_t(p[1]) << 8 | p[0];
}

const unsigned char* U(std::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}

int OrientationFromJpeg(std::string_view b) {
  const unsigned char* p = U(b);
  size_t i = 2;  // after SOI
  while (i + 4 <= b.size()) {
    if (p[i] != 0xFF) return 1;  // lost sync: not worth guessing
    const unsigned char marker = p[i + 1];
    if (marker == 0xFF) {  // fill byte
      ++i;
      continue;
    }
    if (marker == 0xD8 || marker == 0x01 || (marker >= 0xD0 && marker <= 0xD7)) {  // no length
      i += 2;
      continue;
    }
    if (marker == 0xDA || marker == 0xD9) return 1;  // image data: metadata is over
    const size_t len = size_t(p[i + 2]) << 8 | p[i + 3];
    if (len < 2 || i + 2 + len > b.size()) return 1;
    const std::string_view payload = b.substr(i + 4, len - 2);
    if (marker == 0xE1 && payload.substr(0, 6) == std::string_view("Exif\0\0", 6)) {
      return OrientationFromTiff(payload.substr(6));
    }
    i += 2 + len;
  }
  return 1;
}

int OrientationFromPng(std::string_view b) {
  size_t i = 8;  // after the signature
  while (i + 12 <= b.size()) {
    const size_t len = Be32(U(b) + i);
    const std::string_view type = b.substr(i + 4, 4);
    if (len > b.size() - i - 12) return 1;
    if (type == "eXIf") return OrientationFromTiff(b.substr(i + 8, len));
    if (type == "IEND") return 1;
    i += 12 + len;
  }
  return 1;
}

int OrientationFromWebp(std::string_view b) {
  size_t i = 12;  // after "RIFF" size "WEBP"
  while (i + 8 <= b.size()) {
    const size_t len = Le32(U(b) + i + 4);
    if (len > b.size() - i - 8) return 1;
    if (b.substr(i, 4) == "EXIF") {
      std::string_view exif = b.substr(i + 8, len);
      // Some writers keep the JPEG APP1 prefix.
      if (exif.substr(0, 6) == std::string_view("Exif\0\0", 6)) exif.remove_prefix(6);
      return OrientationFromTiff(exif);
    }
    i += 8 + len + (len & 1);
  }
  return 1;
}

}  // namespace

int OrientationFromTiff(std::string_view tiff) {
  if (tiff.size() < 8) return 1;
  const unsigned char* p = U(tiff);
  bool little;
  if (p[0] == 'I' && p[1] == 'I') {
    little = true;
  } else if (p[0] == 'M' && p[1] == 'M') {
    little = false;
  } else {
    return 1;
  }
  auto u16 = [&](size_t at) -> uint16_t {
    return little ? uint16_t(p[at] | p[at + 1] << 8) : uint16_t(p[at] << 8 | p[at + 1]);
  };
  auto u32 = [&](size_t at) -> uint32_t { return little ? Le32(p + at) : Be32(p + at); };
  if (u16(2) != 42) return 1;
  const size_t ifd = u32(4);
  if (ifd > tiff.size() || tiff.size() - ifd < 2) return 1;
  const size_t entries = u16(ifd);
  for (size_t e = 0; e < entries; ++e) {
    const size_t at = ifd + 2 + 12 * e;
    if (at + 12 > tiff.size()) return 1;
    if (u16(at) != kOrientationTag) continue;
    if (u16(at + 2) != kTiffShort || u32(at + 4) < 1) return 1;
    const int value = u16(at + 8);  // a single SHORT sits at the start of the value field
    return value >= 1 && value <= 8 ? value : 1;
  }
  return 1;
}

int ExifOrientation(std::string_view bytes, Format format) {
  switch (format) {
    case Format::kJpeg:
      return OrientationFromJpeg(bytes);
    case Format::kPng:
      return OrientationFromPng(bytes);
    case Format::kWebp:
      return OrientationFromWebp(bytes);
    case Format::kTiff:
      return OrientationFromTiff(bytes);
    default:
      return 1;
  }
}

Image ApplyOrientation(Image image, int orientation) {
  if (orientation <= 1 || orientation > 8) return image;
  cv::Mat in = AsMat(image), out;
  switch (orientation) {
    case 2:  // mirrored left-right
      cv::flip(in, out, 1);
      break;
    case 3:  // upside down
      cv::rotate(in, out, cv::ROTATE_180);
      break;
    case 4:  // mirrored top-bottom
      cv::flip(in, out, 0);
      break;
    case 5:  // transposed
      cv::transpose(in, out);
      break;
    case 6:  // needs a quarter turn clockwise
      cv::rotate(in, out, cv::ROTATE_90_CLOCKWISE);
      break;
    case 7:  // transverse: a quarter turn clockwise, then top-bottom mirror
      cv::rotate(in, out, cv::ROTATE_90_CLOCKWISE);
      cv::flip(out, out, 0);
      break;
    case 8:  // needs a quarter turn counter-clockwise
      cv::rotate(in, out, cv::ROTATE_90_COUNTERCLOCKWISE);
      break;
  }
  return FromMat(out);
}

}  // namespace neardup::image_internal
