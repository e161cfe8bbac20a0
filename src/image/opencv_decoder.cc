// WebP, TIFF, BMP, PNM and JPEG 2000 through cv::imdecode (PNG has its own, png_decoder.cc).
#include <new>
#include <opencv2/imgcodecs.hpp>  // flag constants only
#include <string>

#include "image/cv_image.h"
#include "image/decoders.h"
#include "image/lazy_imgcodecs.h"

namespace neardup::image_internal {

StatusOr<Image> DecodeWithOpenCV(std::string_view bytes, Format format,
                                 const DecodeOptions& options, ImageInfo* info) {
  int64_t width = 0, height = 0;
  if (SniffDimensions(bytes, format, &width, &height)) {
    RETURN_IF_ERROR(CheckPixelLimit(width, height, options.max_pixels));
  }
  cv::Mat mat;
  try {
    const cv::Mat buffer(1, int(bytes.size()), CV_8U, const_cast<char*>(bytes.data()));
    // IMREAD_UNCHANGED keeps 16 bits and alpha for us to reduce properly, and makes OpenCV skip
    // EXIF orientation, which the dispatcher applies for every format alike.
    StatusOr<cv::Mat> decoded = LazyImdecode(buffer, cv::IMREAD_UNCHANGED);
    if (!decoded.ok()) return decoded.status();
    mat = std::move(decoded).value();
  } catch (const cv::Exception& e) {
    return CorruptionError(std::string(FormatName(format)) + " decoder: " + e.msg);
  }
  if (mat.empty()) {
    return CorruptionError(std::string("cannot decode ") + FormatName(format) +
                           " data (damaged, truncated or an unsupported variant)");
  }
  // Formats whose header is not sniffed are checked after the fact (OpenCV has its own cap).
  RETURN_IF_ERROR(CheckPixelLimit(mat.cols, mat.rows, options.max_pixels));
  info->original_width = mat.cols;
  info->original_height = mat.rows;
  info->exif_orientation = ExifOrientation(bytes, format);
  return NormaliseDecodedMat(mat, options.grey);
}

}  // namespace neardup::image_internal
