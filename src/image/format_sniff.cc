// Recognising formats by their magic bytes, and reading dimensions from headers so that
// decompression bombs are refused before a decoder allocates anything.
#include <cstdlib>
#include <string>

#include "image/decoders.h"

namespace neardup::image_internal {
namespace {

const unsigned char* U(std::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}
uint32_t Be16(const unsigned char* p) { return uint32_t(p[0]) << 8 | p[1]; }
uint32_t Le16(const unsigned char* p) { return uint32_t(p[1]) << 8 | p[0]; }
uint32_t Be32(const unsigned char* p) { return Be16(p) << 16 | Be16(p + 2); }
uint32_t Le32(const unsigned char* p) { return Le16(p + 2) << 16 | Le16(p); }
uint32_t Le24(const unsigned char* p) { return uint32_t(p[2]) << 16 | Le16(p); }

bool StartsWith(std::string_view b, std::string_view prefix) {
  return b.substr(0, prefix.size()) == prefix;
}

constexpr std::string_view kPngSignature("\x89PNG\r\n\x1a\n", 8);
constexpr std::string_view kJp2Signature("\0\0\0\x0cjP  \r\n\x87\n", 12);
constexpr std::string_view kJ2kCodestream("\xff\x4f\xff\x51", 4);

bool IsBmp(std::string_view b) {
  if (b.size() < 26 || !StartsWith(b, "BM")) return false;
  switch (Le32(U(b) + 14)) {  // the DIB header sizes that exist
    case 12:
    case 16:
    case 40:
    case 52:
    case 56:
    case 64:
    case 108:
    case 124:
      return true;
    default:
      return false;
  }
}

bool IsHeif(std::string_view b) {
  if (b.size() < 12 || b.substr(4, 4) != "ftyp") return false;
  const std::string_view brand = b.substr(8, 4);
  for (std::string_view known :
       {"heic", "heix", "hevc", "hevx", "heim", "heis", "mif1", "msf1", "avif", "avis"}) {
    if (brand == known) return true;
  }
  return false;
}

bool IsPnm(std::string_view b) {
  return b.size() >= 3 && b[0] == 'P' && b[1] >= '1' && b[1] <= '7' &&
         (b[2] == ' ' || b[2] == '\n' || b[2] == '\r' || b[2] == '\t');
}

// The frame size of the first SOF marker, walking the marker segments from SOI.
bool JpegDimensions(std::string_view b, int64_t* width, int64_t* height) {
  const unsigned char* p = U(b);
  size_t at = 2;  // after FF D8
  while (at + 4 <= b.size()) {
    if (p[at] != 0xff) return false;
    const unsigned char marker = p[at + 1];
    if (marker == 0xff) {  // fill byte
      ++at;
      continue;
    }
    const size_t length = Be16(p + at + 2);
    const bool sof =
        marker >= 0xc0 && marker <= 0xcf && marker != 0xc4 && marker != 0xc8 && marker != 0xcc;
    if (sof) {
      if (length < 7 || at + 9 > b.size()) return false;
      *height = Be16(p + at + 5);
      *width = Be16(p + at + 7);
      return *height > 0 && *width > 0;  // a height of 0 is given later (DNL): unknown here
    }
    if (marker == 0xda || length < 2) return false;  // scan data before any frame header
    at += 2 + length;
  }
  return false;
}

bool TiffDimensions(std::string_view b, int64_t* width, int64_t* height) {
  if (b.size() < 8) return false;
  const unsigned char* p = U(b);
  const bool little = p[0] == 'I';
  auto u16 = [&](size_t at) { return little ? Le16(p + at) : Be16(p + at); };
  auto u32 = [&](size_t at) { return little ? Le32(p + at) : Be32(p + at); };
  const size_t ifd = u32(4);
  if (ifd > b.size() || b.size() - ifd < 2) return false;
  int64_t w = -1, h = -1;
  const size_t entries = u16(ifd);
  for (size_t e = 0; e < entries; ++e) {
    const size_t at = ifd + 2 + 12 * e;
    if (at + 12 > b.size()) break;
    const uint32_t tag = u16(at), type = u16(at + 2);
    if (tag != 256 && tag != 257) continue;
    const int64_t value = type == 3 ? u16(at + 8) : type == 4 ? u32(at + 8) : -1;
    (tag == 256 ? w : h) = value;
  }
  if (w < 0 || h < 0) return false;
  *width = w;
  *height = h;
  return true;
}

}  // namespace

Format SniffFormat(std::string_view b) {
  if (StartsWith(b, "\xff\xd8\xff")) return Format::kJpeg;
  if (StartsWith(b, kPngSignature)) return Format::kPng;
  if (StartsWith(b, "GIF87a") || StartsWith(b, "GIF89a")) return Format::kGif;
  if (b.size() >= 12 && StartsWith(b, "RIFF") && b.substr(8, 4) == "WEBP") return Format::kWebp;
  if (StartsWith(b, std::string_view("II*\0", 4)) || StartsWith(b, std::string_view("MM\0*", 4))) {
    return Format::kTiff;
  }
  if (IsBmp(b)) return Format::kBmp;
  if (IsHeif(b)) return Format::kHeif;
  if (StartsWith(b, kJp2Signature) || StartsWith(b, kJ2kCodestream)) return Format::kJpeg2000;
  if (IsPnm(b)) return Format::kPnm;
  return Format::kUnknown;
}

const char* FormatName(Format format) {
  switch (format) {
    case Format::kJpeg:
      return "jpeg";
    case Format::kPng:
      return "png";
    case Format::kGif:
      return "gif";
    case Format::kBmp:
      return "bmp";
    case Format::kWebp:
      return "webp";
    case Format::kTiff:
      return "tiff";
    case Format::kHeif:
      return "heif";
    case Format::kPnm:
      return "pnm";
    case Format::kJpeg2000:
      return "jpeg2000";
    case Format::kUnknown:
      break;
  }
  return "";
}

bool SniffDimensions(std::string_view b, Format format, int64_t* width, int64_t* height) {
  const unsigned char* p = U(b);
  switch (format) {
    case Format::kJpeg:
      return JpegDimensions(b, width, height);
    case Format::kPng:
      if (b.size() < 24 || b.substr(12, 4) != "IHDR") return false;
      *width = Be32(p + 16);
      *height = Be32(p + 20);
      return true;
    case Format::kGif:
      if (b.size() < 10) return false;
      *width = Le16(p + 6);
      *height = Le16(p + 8);
      return true;
    case Format::kBmp:
      if (Le32(p + 14) == 12) {  // OS/2 BITMAPCOREHEADER: 16-bit sizes
        *width = Le16(p + 18);
        *height = Le16(p + 20);
      } else {
        *width = std::abs(int64_t(int32_t(Le32(p + 18))));
        *height = std::abs(int64_t(int32_t(Le32(p + 22))));  // negative: stored top-down
      }
      return true;
    case Format::kWebp: {
      if (b.size() < 30) return false;
      const std::string_view chunk = b.substr(12, 4);
      if (chunk == "VP8 " && Be16(p + 23) == 0x9d01 && p[25] == 0x2a) {
        *width = Le16(p + 26) & 0x3fff;
        *height = Le16(p + 28) & 0x3fff;
        return true;
      }
      if (chunk == "VP8L" && p[20] == 0x2f) {
        const uint32_t bits = Le32(p + 21);
        *width = (bits & 0x3fff) + 1;
        *height = ((bits >> 14) & 0x3fff) + 1;
        return true;
      }
      if (chunk == "VP8X") {
        *width = int64_t(Le24(p + 24)) + 1;
        *height = int64_t(Le24(p + 27)) + 1;
        return true;
      }
      return false;
    }
    case Format::kTiff:
      return TiffDimensions(b, width, height);
    default:
      return false;
  }
}

namespace {
constexpr const char* kOverPixelLimit = " pixels, over the limit of ";
}  // namespace

Status CheckPixelLimit(int64_t width, int64_t height, int64_t max_pixels) {
  if (width <= 0 || height <= 0) {
    return CorruptionError("invalid image dimensions " + std::to_string(width) + "x" +
                           std::to_string(height));
  }
  // Headers give sides up to 2^32 (TIFF): their product can overflow int64_t.
  int64_t pixels = 0;
  const bool overflow = __builtin_mul_overflow(width, height, &pixels);
  if (overflow || pixels > max_pixels) {
    return ResourceExhaustedError("image is " + std::to_string(width) + "x" +
                                  std::to_string(height) + " = " +
                                  (overflow ? std::string("over 2^63") : std::to_string(pixels)) +
                                  kOverPixelLimit + std::to_string(max_pixels));
  }
  return Status::Ok();
}

}  // namespace neardup::image_internal

namespace neardup {

bool IsDecodedFormatName(std::string_view name) {
  using image_internal::Format;
  for (Format f : {Format::kJpeg, Format::kPng, Format::kGif, Format::kBmp, Format::kWebp,
                   Format::kTiff, Format::kHeif, Format::kPnm, Format::kJpeg2000}) {
    if (name == image_internal::FormatName(f)) return true;
  }
  return false;
}

bool IsPixelLimitRefusal(const Status& status) {
  return status.code() == StatusCode::kResourceExhausted &&
         status.message().find(image_internal::kOverPixelLimit) != std::string::npos;
}

}  // namespace neardup
