// DecodeImage / DecodeFile: format dispatch by magic bytes, EXIF orientation, error context.
#include "neardup/decode.h"

#include <algorithm>
#include <limits>
#include <new>
#include <opencv2/core.hpp>
#include <string>
#include <utility>

#include "core/memory_budget.h"
#include "image/decoders.h"
#include "neardup/preprocess.h"

namespace neardup {

using image_internal::Format;

namespace {

MemoryBudget& DecodeBudget() {
  static MemoryBudget budget(kDefaultDecodeMemoryBudget);
  return budget;
}

// Decoded images with more pixels than this, of a consumer that needs only min_side, are brought
// down to kShrinkFactor * min_side on their shorter side at once, so what the method does next
// (luma planes, feature pyramids) works on a small copy. Below it the pixels stay as decoded, so
// descriptors of ordinary photos are what they always were.
constexpr int64_t kShrinkAbovePixels = int64_t{1} << 25;  // 32 MP
constexpr int kShrinkFactor = 4;

// The most bytes decoding a `width` x `height` image of `format` holds at once, measured on
// OpenCV 4.6 / libpng / giflib / libjpeg-turbo (README.md, "Memory"): the decoder's own buffers,
// the output and one conversion. A JPEG is decoded at the DCT scale min_side allows, bounded here
// by the power-of-two scale TurboJPEG can always choose.
int64_t DecodeBytesBound(Format format, int64_t width, int64_t height,
                         const DecodeOptions& options) {
  // Saturates instead of overflowing when a caller's pixel limit lets huge sides through.
  if (width > (int64_t{1} << 40) / height) return std::numeric_limits<int64_t>::max();
  const int64_t channels = options.grey ? 1 : 3;
  switch (format) {
    case Format::kJpeg: {
      int64_t denom = 1;
      const int64_t shorter = std::min(width, height);
      for (int64_t d : {8, 4, 2}) {
        if (options.min_side > 0 && (shorter + d - 1) / d >= options.min_side) {
          denom = d;
          break;
        }
      }
      const int64_t w = (width + denom - 1) / denom, h = (height + denom - 1) / denom;
      return w * h * (channels + 1);  // output, plus libjpeg's buffers and colour conversion
    }
    case Format::kPng:
      return width * height * (8 + channels);  // 16-bit RGBA rows, then the composite
    case Format::kGif:
      return width * height * (2 + channels);  // the index canvas, then the RGB image
    default:
      // OpenCV: the codec's RGBA buffer, the BGR(A) Mat, the RGB/grey conversion.
      return width * height * (4 + 4 + channels);
  }
}

// Bytes that always fit: a lease this small is not worth the lock.
constexpr int64_t kUnmeteredBytes = int64_t{16} << 20;

std::string Megabytes(int64_t bytes) {
  return std::to_string((bytes >> 20) + ((bytes & ((1 << 20) - 1)) != 0)) + " MB";  // rounded up
}

StatusOr<Image> Dispatch(std::string_view bytes, Format format, const DecodeOptions& options,
                         ImageInfo* info) {
  switch (format) {
    case Format::kJpeg:
      return image_internal::DecodeJpeg(bytes, options, info);
    case Format::kPng:
      return image_internal::DecodePng(bytes, options, info);
    case Format::kGif:
      return image_internal::DecodeGif(bytes, options, info);
    case Format::kHeif:
#ifdef NEARDUP_HAVE_HEIF
      return image_internal::DecodeHeif(bytes, options, info);
#else
      return UnimplementedError("HEIF/AVIF support is not built in (libheif was not found)");
#endif
    case Format::kUnknown:
      return InvalidArgumentError("not an image (unrecognised format)");
    default:
      return image_internal::DecodeWithOpenCV(bytes, format, options, info);
  }
}

}  // namespace

StatusOr<Image> DecodeImage(std::string_view bytes, const DecodeOptions& options, ImageInfo* info,
                            std::string_view name) {
  const std::string prefix(name);
  if (bytes.empty()) return InvalidArgumentError(prefix + ": empty file");
  ImageInfo local;
  ImageInfo* out = info != nullptr ? info : &local;
  *out = ImageInfo{};
  const Format format = image_internal::SniffFormat(bytes);
  out->format = image_internal::FormatName(format);

  // Reserve what decoding will hold before any decoder allocates, so workers together stay
  // within the budget; an image that alone needs more is refused without being decoded.
  int64_t width = 0, height = 0, reserved = 0;
  if (image_internal::SniffDimensions(bytes, format, &width, &height) && width > 0 && height > 0) {
    RETURN_IF_ERROR(
        image_internal::CheckPixelLimit(width, height, options.max_pixels).WithPrefix(prefix));
    if (format == Format::kPng) {
      RETURN_IF_ERROR(image_internal::CheckPngDataSize(bytes, width, height).WithPrefix(prefix));
    }
    const int64_t need = DecodeBytesBound(format, width, height, options);
    if (need > kUnmeteredBytes) {
      if (!DecodeBudget().Acquire(need)) {
        return ResourceExhaustedError(
            prefix + ": a " + std::to_string(width) + "x" + std::to_string(height) + " " +
            out->format + " needs about " + Megabytes(need) +
            " to decode, more than the decoding memory budget of " +
            Megabytes(DecodeBudget().capacity()) + " (raise it with --max-memory)");
      }
      reserved = need;
    }
  }
  BudgetLease lease(reserved > 0 ? &DecodeBudget() : nullptr, reserved);

  Image image;
  try {
    StatusOr<Image> decoded = Dispatch(bytes, format, options, out);
    if (!decoded.ok()) return decoded.status().WithPrefix(prefix);
    image = std::move(decoded).value();
    const int shorter = std::min(image.width, image.height);
    if (options.min_side > 0 && int64_t(image.width) * image.height > kShrinkAbovePixels &&
        shorter > kShrinkFactor * options.min_side) {
      const double f = double(kShrinkFactor * options.min_side) / shorter;
      image = Resize(image, std::max(1, int(image.width * f + 0.5)),
                     std::max(1, int(image.height * f + 0.5)));
    }
    const int orientation = out->exif_orientation;
    if (!options.apply_orientation || orientation <= 1) return image;
    if (orientation >= 5) std::swap(out->original_width, out->original_height);
    return image_internal::ApplyOrientation(std::move(image), orientation);
  } catch (const std::bad_alloc&) {
    return ResourceExhaustedError(prefix + ": out of memory while decoding");
  } catch (const cv::Exception& e) {
    return CorruptionError(prefix + ": " + e.msg);
  }
}

void SetDecodeMemoryBudget(int64_t bytes) {
  DecodeBudget().set_capacity(bytes > 0 ? bytes : kDefaultDecodeMemoryBudget);
}

int64_t DecodeMemoryBudget() { return DecodeBudget().capacity(); }

StatusOr<Image> DecodeFile(const std::string& path, const DecodeOptions& options, ImageInfo* info) {
  std::string bytes;
  RETURN_IF_ERROR(ReadFileBytes(path, &bytes));
  return DecodeImage(bytes, options, info, path);
}

}  // namespace neardup
