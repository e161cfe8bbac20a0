// Decoding image files into 8-bit RGB or grey Images.
//
// Formats: JPEG (libjpeg-turbo, with DCT-domain downscaling), PNG (libpng), WebP, TIFF, BMP
// (OpenCV), GIF (first frame, giflib), HEIC/AVIF (libheif, where the build has it).
// Normalisation done here, so every consumer sees the same pixels:
//  - EXIF orientation is applied (the Image is upright as a viewer shows it);
//  - 16-bit samples are reduced to 8 bits; CMYK/YCCK JPEGs become RGB;
//  - alpha is composited over white, or over black when the visible content is light (so a
//    white logo on a transparent background stays visible); palette images are expanded.
// Thread safety: all functions are safe to call concurrently on different inputs.
#ifndef NEARDUP_DECODE_H_
#define NEARDUP_DECODE_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "neardup/image.h"
#include "neardup/status.h"

namespace neardup {

// The largest image (in pixels, width * height as stored) that is decoded by default: a guard
// against decompression bombs. 2^28 pixels = 268 MP, larger than any camera sensor.
inline constexpr int64_t kDefaultMaxPixels = int64_t{1} << 28;

// The version of what the decoders accept and how they report failures. Bumped whenever a file
// that failed before may now decode (or fail for another reason), so a cached "cannot decode"
// verdict is trusted only when it was reached by the same decoders (see neardup/cache.h).
// 2: decoder state is never reused after an error; elongated images are reported, not aborted.
inline constexpr int kDecoderVersion = 2;

// Decoding memory. Every DecodeImage/DecodeFile call in the process first reserves, out of one
// shared budget, the bytes its decoder holds at most for the dimensions in the file's header
// (about 11 bytes per pixel for WebP/TIFF/BMP, 11 for PNG, 5 for GIF, 4 per decoded pixel for
// JPEG), and waits while other threads hold too much of it: so decoding on all workers together
// stays within the budget. An image that alone needs more fails at once with ResourceExhausted,
// before any pixel buffer is allocated. Reservations of 16 MB or less are not counted.
inline constexpr int64_t kDefaultDecodeMemoryBudget = int64_t{2} << 30;  // 2 GiB
// Sets the budget for later decodes (bytes <= 0: the default). Thread-safe.
void SetDecodeMemoryBudget(int64_t bytes);
int64_t DecodeMemoryBudget();

struct DecodeOptions {
  // The consumer needs at least this many pixels on the image's shorter side. 0 = full size.
  // JPEGs are then decoded at the smallest DCT scale (1/8, 1/4, 3/8, 1/2, ... 1) whose shorter
  // side is still >= min_side; other formats are decoded at full size, and an image of over
  // 32 MP is then reduced at once to 4 * min_side on its shorter side (ImageInfo keeps the
  // file's own size).
  int min_side = 0;
  // Decode in grey (1 channel) instead of RGB.
  bool grey = false;
  // Images with more pixels than this fail with ResourceExhausted before their pixels are decoded.
  int64_t max_pixels = kDefaultMaxPixels;
  // Apply the EXIF orientation tag (default). Off: pixels as stored.
  bool apply_orientation = true;
};

// Decodes `bytes` (the whole file). `name` is only used in error messages, which start with it.
// The format is recognised from magic bytes only, never from a name. `info`, when given, is
// overwritten (also on error, as far as the header was read).
// Errors: InvalidArgument (empty, not an image / unknown format), Corruption (truncated or
// damaged), ResourceExhausted (over max_pixels), Unimplemented (a format this build cannot read).
// Damaged data is an error, not a partial image: a JPEG that ends early or whose entropy-coded
// data is corrupt fails with Corruption (libjpeg would only warn and fill the rest grey), so a
// half-copied file is never indexed as an image of its own. Harmless libjpeg warnings (e.g.
// extraneous bytes between markers, common in camera files) are ignored.
StatusOr<Image> DecodeImage(std::string_view bytes, const DecodeOptions& options,
                            ImageInfo* info = nullptr, std::string_view name = "<memory>");

// Reads and decodes the file at `path`. Refuses anything that is not a regular file (FIFO,
// device, directory) without blocking on it. Errors as DecodeImage plus NotFound and IOError;
// messages start with the path.
StatusOr<Image> DecodeFile(const std::string& path, const DecodeOptions& options,
                           ImageInfo* info = nullptr);

// True for the names ImageInfo::format takes for a decoded image ("jpeg", "png", ...), e.g. to
// validate one read back from a store.
bool IsDecodedFormatName(std::string_view name);

// True when `status` is the decoders' refusal of an image whose header declares more than
// DecodeOptions::max_pixels pixels: a fact of the file under that limit, unlike running out of
// memory or over the decoding memory budget.
bool IsPixelLimitRefusal(const Status& status);

// Reads the whole regular file at `path` into `out`. Refuses non-regular files without blocking.
Status ReadFileBytes(const std::string& path, std::string* out);

// Encodes `image` to a file whose format follows the extension (.png, .jpg, .webp, .bmp, .tiff,
// .ppm; not .gif, which is Unimplemented). `quality` applies to JPEG/WebP (1-100; WebP > 100 is
// lossless). Used by tests, benchmarks and reports. Errors: InvalidArgument (no or unknown
// extension, empty image), IOError (cannot write).
Status WriteImage(const std::string& path, const Image& image, int quality = 95);

// Encodes `image` into memory; `ext` is ".png", ".jpg", ...
StatusOr<std::string> EncodeImage(const Image& image, std::string_view ext, int quality = 95);

}  // namespace neardup

#endif  // NEARDUP_DECODE_H_
