#include "image/cv_image.h"

#include <cstring>
#include <opencv2/imgproc.hpp>
#include <string>

#include "image/decoders.h"

namespace neardup::image_internal {

cv::Mat AsMat(Image& image) {
  assert(image.channels == 1 || image.channels == 3);
  return cv::Mat(image.height, image.width, CV_8UC(image.channels), image.pixels.data());
}

cv::Mat AsMat(const Image& image) { return AsMat(const_cast<Image&>(image)); }

cv::Mat AsMat(FloatImage& image) {
  assert(image.channels >= 1 && image.channels <= 4);
  return cv::Mat(image.height, image.width, CV_32FC(image.channels), image.data.data());
}

cv::Mat AsMat(const FloatImage& image) { return AsMat(const_cast<FloatImage&>(image)); }

Image FromMat(const cv::Mat& mat) {
  assert(mat.depth() == CV_8U && (mat.channels() == 1 || mat.channels() == 3));
  Image out(mat.cols, mat.rows, mat.channels());
  const size_t row_bytes = size_t(mat.cols) * mat.channels();
  for (int y = 0; y < mat.rows; ++y) std::memcpy(out.row(y), mat.ptr<uint8_t>(y), row_bytes);
  return out;
}

namespace {

// Any depth to CV_8U: integer types are scaled from their full range, floats from [0,1].
cv::Mat To8Bit(const cv::Mat& mat) {
  cv::Mat out;
  switch (mat.depth()) {
    case CV_8U:
      return mat;
    case CV_8S:
      mat.convertTo(out, CV_8U, 1.0, 128.0);
      break;
    case CV_16U:
      mat.convertTo(out, CV_8U, 1.0 / 257.0);
      break;
    case CV_16S:
      mat.convertTo(out, CV_8U, 1.0 / 257.0, 128.0);
      break;
    case CV_32S:
      mat.convertTo(out, CV_8U, 1.0 / 16843009.0, 128.0);
      break;
    default:  // CV_16F, CV_32F, CV_64F: HDR/EXR/float TIFF, nominally in [0,1]
      mat.convertTo(out, CV_8U, 255.0);
      break;
  }
  return out;
}

// A continuous 8-bit RGBA Mat composited by CompositeRgba, then to grey if asked.
Image CompositeToImage(const cv::Mat& rgba, bool grey) {
  assert(rgba.type() == CV_8UC4 && rgba.isContinuous());
  Image rgb = CompositeRgba(rgba.ptr<uint8_t>(), rgba.cols, rgba.rows);
  if (!grey) return rgb;
  cv::Mat out;
  cv::cvtColor(AsMat(rgb), out, cv::COLOR_RGB2GRAY);
  return FromMat(out);
}

}  // namespace

StatusOr<Image> NormaliseDecodedMat(const cv::Mat& mat, bool grey) {
  if (mat.empty()) return CorruptionError("decoder returned no pixels");
  cv::Mat m = To8Bit(mat);
  cv::Mat out;
  switch (m.channels()) {
    case 1:
      if (grey) return FromMat(m);
      cv::cvtColor(m, out, cv::COLOR_GRAY2RGB);
      break;
    case 2: {  // grey + alpha: expand to RGBA
      std::vector<cv::Mat> planes;
      cv::split(m, planes);
      cv::merge(std::vector<cv::Mat>{planes[0], planes[0], planes[0], planes[1]}, out);
      return CompositeToImage(out, grey);
    }
    case 4:
      cv::cvtColor(m, out, cv::COLOR_BGRA2RGBA);
      return CompositeToImage(out, grey);
    case 3:
      cv::cvtColor(m, out, grey ? cv::COLOR_BGR2GRAY : cv::COLOR_BGR2RGB);
      break;
    default:
      return UnimplementedError("images with " + std::to_string(m.channels()) +
                                " channels are not supported");
  }
  return FromMat(out);
}

}  // namespace neardup::image_internal
