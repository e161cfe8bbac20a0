// The preprocessing steps of neardup/preprocess.h, on OpenCV.
#include "neardup/preprocess.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <opencv2/imgproc.hpp>

#include "image/cv_image.h"

namespace neardup {

using image_internal::AsMat;
using image_internal::FromMat;

namespace {

[[maybe_unused]] bool Valid(const Image& image) {
  return !image.empty() && (image.channels == 1 || image.channels == 3) &&
         image.pixels.size() == size_t(image.width) * image.height * image.channels;
}

// Runs `op` on the luma of an RGB image (Y of YCrCb) or on a grey image directly.
template <typename Op>
Image OnLuma(const Image& image, Op op) {
  assert(Valid(image));
  cv::Mat in = AsMat(image);
  if (image.channels == 1) {
    cv::Mat out;
    op(in, out);
    return FromMat(out);
  }
  cv::Mat ycrcb;
  cv::cvtColor(in, ycrcb, cv::COLOR_RGB2YCrCb);
  std::vector<cv::Mat> planes;
  cv::split(ycrcb, planes);
  cv::Mat y;
  op(planes[0], y);
  planes[0] = y;
  cv::merge(planes, ycrcb);
  cv::Mat out;
  cv::cvtColor(ycrcb, out, cv::COLOR_YCrCb2RGB);
  return FromMat(out);
}

// out = in - amount * response, saturated.
Image SubtractScaled(const Image& image, const cv::Mat& response, double amount) {
  cv::Mat in_f, out_f, out;
  AsMat(image).convertTo(in_f, CV_32F);
  cv::scaleAdd(response, -amount, in_f, out_f);
  out_f.convertTo(out, CV_8U);  // rounds and saturates
  return FromMat(out);
}

}  // namespace

Image Resize(const Image& image, int width, int height) {
  assert(Valid(image) && width > 0 && height > 0);
  if (width == image.width && height == image.height) return image;
  const bool shrinking = width <= image.width && height <= image.height;
  cv::Mat out;
  cv::resize(AsMat(image), out, cv::Size(width, height), 0, 0,
             shrinking ? cv::INTER_AREA : cv::INTER_LINEAR);
  return FromMat(out);
}

Image ResizeToSquare(const Image& image, int size, SquareMode mode, Rgb pad) {
  assert(Valid(image) && size > 0);
  const int w = image.width, h = image.height;
  if (mode == SquareMode::kCentreCrop) {
    const double scale = double(size) / std::min(w, h);
    const int rw = w <= h ? size : std::max(size, int(std::lround(w * scale)));
    const int rh = h < w ? size : std::max(size, int(std::lround(h * scale)));
    const Image resized = Resize(image, rw, rh);
    return Crop(resized, (rw - size) / 2, (rh - size) / 2, size, size);
  }
  const double scale = double(size) / std::max(w, h);
  const int rw = w >= h ? size : std::clamp(int(std::lround(w * scale)), 1, size);
  const int rh = h > w ? size : std::clamp(int(std::lround(h * scale)), 1, size);
  const Image resized = Resize(image, rw, rh);
  Image out(size, size, image.channels);
  const cv::Scalar colour =
      image.channels == 3 ? cv::Scalar(pad.r, pad.g, pad.b)
                          : cv::Scalar(std::lround(0.299 * pad.r + 0.587 * pad.g + 0.114 * pad.b));
  cv::Mat canvas = AsMat(out);
  canvas.setTo(colour);
  AsMat(resized).copyTo(canvas(cv::Rect((size - rw) / 2, (size - rh) / 2, rw, rh)));
  return out;
}

Image Crop(const Image& image, int x, int y, int width, int height) {
  assert(Valid(image) && width > 0 && height > 0 && x >= 0 && y >= 0 && x + width <= image.width &&
         y + height <= image.height);
  Image out(width, height, image.channels);
  const size_t row_bytes = size_t(width) * image.channels;
  for (int r = 0; r < height; ++r) {
    std::memcpy(out.row(r), image.row(y + r) + size_t(x) * image.channels, row_bytes);
  }
  return out;
}

Image Rotate90(const Image& image, int k) {
  assert(Valid(image));
  const int turns = ((k % 4) + 4) % 4;
  if (turns == 0) return image;
  static constexpr cv::RotateFlags kCode[] = {cv::ROTATE_90_CLOCKWISE, cv::ROTATE_180,
                                              cv::ROTATE_90_COUNTERCLOCKWISE};
  cv::Mat out;
  cv::rotate(AsMat(image), out, kCode[turns - 1]);
  return FromMat(out);
}

Image FlipHorizontal(const Image& image) {
  assert(Valid(image));
  cv::Mat out;
  cv::flip(AsMat(image), out, 1);
  return FromMat(out);
}

Image FlipVertical(const Image& image) {
  assert(Valid(image));
  cv::Mat out;
  cv::flip(AsMat(image), out, 0);
  return FromMat(out);
}

Image ToGrey(const Image& image) {
  assert(Valid(image));
  if (image.channels == 1) return image;
  cv::Mat out;
  cv::cvtColor(AsMat(image), out, cv::COLOR_RGB2GRAY);
  return FromMat(out);
}

Image EqualizeHistogram(const Image& image) {
  return OnLuma(image, [](const cv::Mat& in, cv::Mat& out) { cv::equalizeHist(in, out); });
}

Image Clahe(const Image& image, double clip_limit, int tile) {
  assert(clip_limit > 0 && tile >= 1);
  cv::Ptr<cv::CLAHE> clahe = cv::createCLAHE(clip_limit, cv::Size(tile, tile));
  return OnLuma(image, [&](const cv::Mat& in, cv::Mat& out) { clahe->apply(in, out); });
}

Image GaussianDenoise(const Image& image, double sigma) {
  assert(Valid(image) && sigma > 0);
  const int radius = std::max(1, int(std::ceil(3 * sigma)));
  cv::Mat out;
  cv::GaussianBlur(AsMat(image), out, cv::Size(2 * radius + 1, 2 * radius + 1), sigma, sigma,
                   cv::BORDER_REFLECT_101);
  return FromMat(out);
}

Image MedianDenoise(const Image& image, int ksize) {
  assert(Valid(image) && ksize >= 3 && ksize % 2 == 1);
  cv::Mat out;
  cv::medianBlur(AsMat(image), out, ksize);
  return FromMat(out);
}

Image SharpenSobel(const Image& image, double amount) {
  assert(Valid(image) && amount >= 0);
  cv::Mat dxx, dyy;
  cv::Sobel(AsMat(image), dxx, CV_32F, 2, 0, 3, 0.25, 0, cv::BORDER_REFLECT_101);
  cv::Sobel(AsMat(image), dyy, CV_32F, 0, 2, 3, 0.25, 0, cv::BORDER_REFLECT_101);
  return SubtractScaled(image, dxx + dyy, amount);
}

Image SharpenLaplacian(const Image& image, double amount) {
  assert(Valid(image) && amount >= 0);
  cv::Mat laplacian;
  cv::Laplacian(AsMat(image), laplacian, CV_32F, 1, 1, 0, cv::BORDER_REFLECT_101);
  return SubtractScaled(image, laplacian, amount);
}

FloatImage ToFloat(const Image& image, FloatRange range) {
  assert(Valid(image));
  FloatImage out(image.width, image.height, image.channels);
  const float scale = range == FloatRange::kZeroOne ? 1.f / 255.f : 1.f / 127.5f;
  const float offset = range == FloatRange::kZeroOne ? 0.f : -1.f;
  for (size_t i = 0; i < image.pixels.size(); ++i) out.data[i] = image.pixels[i] * scale + offset;
  return out;
}

void Normalize(FloatImage& image, const float (&mean)[3], const float (&stddev)[3]) {
  assert(image.channels == 1 || image.channels == 3);
  const int c = image.channels;
  float inv[3];
  for (int k = 0; k < 3; ++k) {
    assert(stddev[k] != 0);
    inv[k] = 1.f / stddev[k];
  }
  for (size_t i = 0; i < image.data.size(); ++i) {
    const int k = int(i % c);
    image.data[i] = (image.data[i] - mean[k]) * inv[k];
  }
}

}  // namespace neardup
