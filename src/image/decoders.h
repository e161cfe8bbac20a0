// Private to src/image/: the per-format decoders behind DecodeImage, and the helpers they share.
// Every decoder takes the whole file in `bytes`, honours DecodeOptions (max_pixels before any
// pixel is decoded, grey, min_side where the format can use it) and fills `info` (never null
// here) except `format`, which the dispatcher sets. EXIF orientation is applied by the dispatcher
// from `info->exif_orientation`, which each decoder sets from the metadata it found (HEIF
// applies its own irot/imir transforms and leaves it at 1), so it happens exactly once.
#ifndef NEARDUP_SRC_IMAGE_DECODERS_H_
#define NEARDUP_SRC_IMAGE_DECODERS_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "neardup/decode.h"
#include "neardup/image.h"
#include "neardup/status.h"

namespace neardup::image_internal {

enum class Format { kUnknown, kJpeg, kPng, kGif, kBmp, kWebp, kTiff, kHeif, kPnm, kJpeg2000 };

// Identifies the format from magic bytes only (never from a file name).
Format SniffFormat(std::string_view bytes);
// "jpeg", "png", ...; "" for kUnknown.
const char* FormatName(Format format);

StatusOr<Image> DecodeJpeg(std::string_view bytes, const DecodeOptions& options, ImageInfo* info);
// PNG through libpng's simplified API (warnings are dropped, never printed; no OpenCV involved).
StatusOr<Image> DecodePng(std::string_view bytes, const DecodeOptions& options, ImageInfo* info);
// WebP, TIFF, BMP, PNM, JPEG 2000: anything else cv::imdecode reads.
StatusOr<Image> DecodeWithOpenCV(std::string_view bytes, Format format,
                                 const DecodeOptions& options, ImageInfo* info);
StatusOr<Image> DecodeGif(std::string_view bytes, const DecodeOptions& options, ImageInfo* info);
#ifdef NEARDUP_HAVE_HEIF
StatusOr<Image> DecodeHeif(std::string_view bytes, const DecodeOptions& options, ImageInfo* info);
#endif

// Width and height read from the file header without decoding, for the pixel-limit check.
// Returns false when the header is not understood (the decoder then checks after decoding).
bool SniffDimensions(std::string_view bytes, Format format, int64_t* width, int64_t* height);

// Corruption when a PNG's IDAT chunks are too short to hold `width` x `height` pixels even at
// deflate's largest ratio (1032:1), e.g. a 69-byte file whose header claims 16383x16383: refused
// before a buffer of the claimed size is reserved or allocated (libpng would fail after it).
Status CheckPngDataSize(std::string_view bytes, int64_t width, int64_t height);

// The grey level transparent pixels are composited over: white, unless the visible content is
// light (alpha-weighted mean luma above 170), then black, so a white logo on a transparent
// background stays visible instead of vanishing into a white page.
inline uint8_t AlphaBackground(double visible_mean_luma) {
  return visible_mean_luma > 170.0 ? 0 : 255;
}

// Composites 8-bit straight-alpha RGBA pixels (`width` x `height`, rows packed) over the grey
// AlphaBackground picks for them (from the alpha-weighted mean BT.601 luma), into an RGB Image.
// The one compositing routine of every decoder that meets alpha.
Image CompositeRgba(const uint8_t* rgba, int width, int height);

// ResourceExhausted when width * height > max_pixels, naming the dimensions.
Status CheckPixelLimit(int64_t width, int64_t height, int64_t max_pixels);

// EXIF Orientation (1..8) from a TIFF-structured EXIF block ("II*\0" / "MM\0*" header, tag
// 0x0112 in IFD0). Returns 1 when absent or malformed; never reads outside `tiff`.
int OrientationFromTiff(std::string_view tiff);
// The same from a JPEG stream (APP1 "Exif\0\0"), a PNG (eXIf chunk), a WebP (EXIF chunk) or a
// TIFF file. Returns 1 for other formats or when absent.
int ExifOrientation(std::string_view bytes, Format format);
// Rotates/flips `image` from EXIF orientation `orientation` (1..8) to upright.
Image ApplyOrientation(Image image, int orientation);

}  // namespace neardup::image_internal

#endif  // NEARDUP_SRC_IMAGE_DECODERS_H_
