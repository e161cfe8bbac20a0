// Helpers shared by the tests in tests/image/: byte-level builders for crafted files.
#ifndef NEARDUP_TESTS_IMAGE_IMAGE_TEST_HELPERS_H_
#define NEARDUP_TESTS_IMAGE_IMAGE_TEST_HELPERS_H_

#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "neardup/decode.h"
#include "neardup/image.h"

namespace neardup::testing {

// Mean absolute difference per sample; images must have the same shape.
inline double MeanAbsDiff(const Image& a, const Image& b) {
  if (a.width != b.width || a.height != b.height || a.channels != b.channels) return 1e9;
  double sum = 0;
  for (size_t i = 0; i < a.pixels.size(); ++i) sum += std::abs(int(a.pixels[i]) - b.pixels[i]);
  return sum / double(a.pixels.size());
}

// Encodes or aborts (tests only call it with valid images and extensions).
inline std::string MustEncode(const Image& image, const char* ext, int quality = 95) {
  StatusOr<std::string> bytes = EncodeImage(image, ext, quality);
  if (!bytes.ok()) std::abort();
  return *bytes;
}

inline std::string Be32(uint32_t v) {
  return std::string{char(v >> 24), char(v >> 16), char(v >> 8), char(v)};
}
inline std::string Be16(uint32_t v) { return std::string{char(v >> 8), char(v)}; }

// CRC-32 (ISO-HDLC) as PNG chunks use.
inline uint32_t Crc32(const std::string& data) {
  uint32_t crc = 0xFFFFFFFFu;
  for (unsigned char byte : data) {
    crc ^= byte;
    for (int k = 0; k < 8; ++k) crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1)));
  }
  return ~crc;
}

// A complete PNG chunk: length, type, data, CRC over type + data.
inline std::string PngChunk(const std::string& type, const std::string& data) {
  return Be32(uint32_t(data.size())) + type + data + Be32(Crc32(type + data));
}

// A big-endian TIFF block whose IFD0 holds only Orientation = `orientation`.
inline std::string ExifTiffWithOrientation(int orientation) {
  return std::string("MM\0*", 4) + Be32(8) + Be16(1) +  // header, IFD0 at 8, 1 entry
         Be16(0x0112) + Be16(3) + Be32(1) + Be16(orientation) + Be16(0) +  // SHORT x1
         Be32(0);                                                          // no next IFD
}

// `jpeg` with an APP1 Exif segment carrying `orientation` inserted right after SOI.
inline std::string JpegWithOrientation(const std::string& jpeg, int orientation) {
  const std::string payload = std::string("Exif\0\0", 6) + ExifTiffWithOrientation(orientation);
  const std::string app1 = "\xff\xe1" + Be16(uint32_t(payload.size() + 2)) + payload;
  return jpeg.substr(0, 2) + app1 + jpeg.substr(2);
}

// `png` with an eXIf chunk carrying `orientation` inserted right after IHDR.
inline std::string PngWithOrientation(const std::string& png, int orientation) {
  const size_t after_ihdr = 8 + 25;
  return png.substr(0, after_ihdr) + PngChunk("eXIf", ExifTiffWithOrientation(orientation)) +
         png.substr(after_ihdr);
}

}  // namespace neardup::testing

#endif  // NEARDUP_TESTS_IMAGE_IMAGE_TEST_HELPERS_H_
