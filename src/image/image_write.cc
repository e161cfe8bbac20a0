// WriteImage / EncodeImage through cv::imencode.
#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <opencv2/imgcodecs.hpp>  // flag constants only
#include <opencv2/imgproc.hpp>
#include <string>
#include <vector>

#include "image/cv_image.h"
#include "image/lazy_imgcodecs.h"
#include "neardup/decode.h"

namespace neardup {

StatusOr<std::string> EncodeImage(const Image& image, std::string_view ext, int quality) {
  if (image.empty() || (image.channels != 1 && image.channels != 3)) {
    return InvalidArgumentError("cannot encode an empty image or one with " +
                                std::to_string(image.channels) + " channels");
  }
  std::string lower(ext);
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return char(std::tolower(c)); });
  if (lower.empty() || lower[0] != '.') lower.insert(0, ".");
  if (lower == ".gif") return UnimplementedError("GIF encoding is not supported");
  cv::Mat mat = image_internal::AsMat(image);
  if (image.channels == 3) {
    cv::Mat bgr;  // not in place: `mat` is a view of the caller's pixels
    cv::cvtColor(mat, bgr, cv::COLOR_RGB2BGR);
    mat = bgr;
  }
  const std::vector<int> params = {cv::IMWRITE_JPEG_QUALITY, quality, cv::IMWRITE_WEBP_QUALITY,
                                   quality};
  std::vector<uchar> buffer;
  try {
    StatusOr<bool> encoded = image_internal::LazyImencode(lower, mat, &buffer, params);
    if (!encoded.ok()) return encoded.status();
    if (!*encoded) {
      return InvalidArgumentError("cannot encode as " + lower);
    }
  } catch (const cv::Exception& e) {
    return InvalidArgumentError("cannot encode as " + lower + ": " + e.msg);
  }
  return std::string(buffer.begin(), buffer.end());
}

Status WriteImage(const std::string& path, const Image& image, int quality) {
  const size_t dot = path.find_last_of('.');
  const size_t slash = path.find_last_of('/');
  if (dot == std::string::npos || (slash != std::string::npos && dot < slash)) {
    return InvalidArgumentError(path + ": no file extension to choose the format by");
  }
  StatusOr<std::string> bytes = EncodeImage(image, std::string_view(path).substr(dot), quality);
  if (!bytes.ok()) return bytes.status().WithPrefix(path);
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (f == nullptr) return IOError(path + ": cannot open for writing: " + std::strerror(errno));
  const bool written = std::fwrite(bytes->data(), 1, bytes->size(), f) == bytes->size();
  const bool closed = std::fclose(f) == 0;
  if (!written || !closed) return IOError(path + ": write failed: " + std::strerror(errno));
  return Status::Ok();
}

}  // namespace neardup
