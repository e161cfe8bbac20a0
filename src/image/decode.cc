// DecodeImage / DecodeFile: format dispatch by magic bytes, EXIF orientation, error context.
#include "neardup/decode.h"

#include <new>
#include <opencv2/core.hpp>
#include <string>
#include <utility>

#include "image/decoders.h"

namespace neardup {

using image_internal::Format;

namespace {

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

  StatusOr<Image> decoded = InvalidArgumentError("not decoded");
  try {
    decoded = Dispatch(bytes, format, options, out);
  } catch (const std::bad_alloc&) {
    return ResourceExhaustedError(prefix + ": out of memory while decoding");
  } catch (const cv::Exception& e) {
    return CorruptionError(prefix + ": " + e.msg);
  }
  if (!decoded.ok()) return decoded.status().WithPrefix(prefix);

  const int orientation = out->exif_orientation;
  if (!options.apply_orientation || orientation <= 1) return decoded;
  if (orientation >= 5) std::swap(out->original_width, out->original_height);
  return image_internal::ApplyOrientation(std::move(decoded).value(), orientation);
}

StatusOr<Image> DecodeFile(const std::string& path, const DecodeOptions& options, ImageInfo* info) {
  std::string bytes;
  RETURN_IF_ERROR(ReadFileBytes(path, &bytes));
  return DecodeImage(bytes, options, info, path);
}

}  // namespace neardup
