// JPEG through libjpeg-turbo's TurboJPEG API, decoding at the smallest DCT scale the caller
// needs; CMYK/YCCK files go through OpenCV, whose libjpeg path understands Adobe's inverted CMYK.
#include <turbojpeg.h>

#include <algorithm>
#include <memory>
#include <opencv2/imgcodecs.hpp>  // flag constants only
#include <string>

#include "image/cv_image.h"
#include "image/decoders.h"
#include "image/lazy_imgcodecs.h"

namespace neardup::image_internal {
namespace {

struct TjDestroyer {
  void operator()(void* handle) const { tjDestroy(handle); }
};

using TjHandle = std::unique_ptr<void, TjDestroyer>;

// One decompressor per thread: creating one per image costs more than decoding a thumbnail.
// A handle that saw an error is never used again: libjpeg-turbo 2.1 leaves it in a state where
// every later header fails with the first error's message (one bad file poisoned every JPEG
// decoded after it on that thread).
TjHandle& ThreadDecompressor() {
  thread_local TjHandle handle;
  if (handle == nullptr) handle.reset(tjInitDecompress());
  return handle;
}

// Returns `status` after dropping this thread's decompressor (see ThreadDecompressor).
Status DiscardDecompressor(Status status) {
  ThreadDecompressor().reset();
  return status;
}

// libjpeg warnings known to leave the pixels intact (common in camera and editor files). Every
// other warning counts as damage: TurboJPEG reports only the last message, so a corrupt stream
// can surface as a warning-level "Unsupported marker type" after an earlier "premature end of
// data segment" that filled the rest of the image with grey.
bool WarningDamagesPixels(const std::string& message) {
  for (const char* harmless : {"extraneous bytes", "Invalid SOS parameters"}) {
    if (message.find(harmless) != std::string::npos) return false;
  }
  return true;
}

// The DCT scale num/denom (<= 1) with the fewest pixels whose shorter side is >= min_side.
tjscalingfactor ChooseScale(int width, int height, int min_side) {
  tjscalingfactor best{1, 1};
  if (min_side <= 0) return best;
  int count = 0;
  const tjscalingfactor* factors = tjGetScalingFactors(&count);
  const int shorter = std::min(width, height);
  for (int i = 0; factors != nullptr && i < count; ++i) {
    const tjscalingfactor f = factors[i];
    if (f.num > f.denom) continue;  // never upscale
    if (TJSCALED(shorter, f) < min_side) continue;
    if (int64_t(f.num) * best.denom < int64_t(best.num) * f.denom) best = f;
  }
  return best;
}

// CMYK/YCCK: OpenCV at the reduced size (1/2, 1/4, 1/8) that keeps shorter side >= min_side.
StatusOr<Image> DecodeCmykJpeg(std::string_view bytes, int width, int height,
                               const DecodeOptions& options, ImageInfo* info) {
  int denom = 1;
  if (options.min_side > 0) {
    const int shorter = std::min(width, height);
    for (int d : {8, 4, 2}) {
      if ((shorter + d - 1) / d >= options.min_side) {
        denom = d;
        break;
      }
    }
  }
  int flags = options.grey ? cv::IMREAD_GRAYSCALE : cv::IMREAD_COLOR;
  if (denom == 2)
    flags = options.grey ? cv::IMREAD_REDUCED_GRAYSCALE_2 : cv::IMREAD_REDUCED_COLOR_2;
  if (denom == 4)
    flags = options.grey ? cv::IMREAD_REDUCED_GRAYSCALE_4 : cv::IMREAD_REDUCED_COLOR_4;
  if (denom == 8)
    flags = options.grey ? cv::IMREAD_REDUCED_GRAYSCALE_8 : cv::IMREAD_REDUCED_COLOR_8;
  flags |= cv::IMREAD_IGNORE_ORIENTATION;  // applied once, by the dispatcher
  cv::Mat mat;
  try {
    const cv::Mat buffer(1, int(bytes.size()), CV_8U, const_cast<char*>(bytes.data()));
    StatusOr<cv::Mat> decoded = LazyImdecode(buffer, flags);
    if (!decoded.ok()) return decoded.status();
    mat = std::move(decoded).value();
  } catch (const cv::Exception& e) {
    return CorruptionError("CMYK JPEG: " + e.msg);
  }
  if (mat.empty()) return CorruptionError("CMYK JPEG could not be decoded");
  info->decode_scale_num = 1;
  info->decode_scale_denom = denom;
  return NormaliseDecodedMat(mat, options.grey);
}

}  // namespace

StatusOr<Image> DecodeJpeg(std::string_view bytes, const DecodeOptions& options, ImageInfo* info) {
  tjhandle tj = ThreadDecompressor().get();
  if (tj == nullptr) return ResourceExhaustedError("cannot create a JPEG decompressor");
  auto* data = reinterpret_cast<const unsigned char*>(bytes.data());
  const unsigned long size = bytes.size();
  int width = 0, height = 0, subsampling = 0, colorspace = 0;
  if (tjDecompressHeader3(tj, data, size, &width, &height, &subsampling, &colorspace) != 0) {
    return DiscardDecompressor(
        CorruptionError(std::string("bad JPEG header: ") + tjGetErrorStr2(tj)));
  }
  RETURN_IF_ERROR(CheckPixelLimit(width, height, options.max_pixels));
  info->original_width = width;
  info->original_height = height;
  info->exif_orientation = ExifOrientation(bytes, Format::kJpeg);
  if (colorspace == TJCS_CMYK || colorspace == TJCS_YCCK) {
    return DecodeCmykJpeg(bytes, width, height, options, info);
  }

  const tjscalingfactor scale = ChooseScale(width, height, options.min_side);
  Image image(TJSCALED(width, scale), TJSCALED(height, scale), options.grey ? 1 : 3);
  const int rc = tjDecompress2(tj, data, size, image.pixels.data(), image.width, 0, image.height,
                               options.grey ? TJPF_GRAY : TJPF_RGB, 0);
  if (rc != 0) {
    const std::string message = tjGetErrorStr2(tj);
    // Warnings still produce a whole image; only damage to the pixels is reported.
    const bool damaged = tjGetErrorCode(tj) != TJERR_WARNING || WarningDamagesPixels(message);
    ThreadDecompressor().reset();  // even a warning leaves its message behind in the handle
    if (damaged) return CorruptionError("damaged JPEG data: " + message);
  }
  info->decode_scale_num = scale.num;
  info->decode_scale_denom = scale.denom;
  return image;
}

}  // namespace neardup::image_internal
