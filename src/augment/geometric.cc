// Geometric edits: rotations, affine zoom/shift, flips, crops, downscaling, perspective.
#include <algorithm>
#include <cassert>
#include <cmath>
#include <opencv2/imgproc.hpp>

#include "augment/transforms.h"
#include "image/cv_image.h"
#include "neardup/augment.h"
#include "neardup/preprocess.h"

namespace neardup::augment_internal {

using image_internal::AsMat;
using image_internal::FromMat;

namespace {

// Corners uncovered by a rotation or zoom-out: black, or a mirror of the image (which hides the
// edit's tell-tale wedges, so a model cannot key on them). Drawn 50/50 and logged.
int DrawFill(Rng& rng, Params& params) {
  const bool reflect = rng.Bernoulli(0.5);
  params["fill"] = reflect ? "reflect" : "black";
  return reflect ? cv::BORDER_REFLECT_101 : cv::BORDER_CONSTANT;
}

Image WarpAffine(const Image& rgb, const cv::Mat& m, int border) {
  cv::Mat out;
  cv::warpAffine(AsMat(rgb), out, m, cv::Size(rgb.width, rgb.height), cv::INTER_LINEAR, border,
                 cv::Scalar::all(0));
  return FromMat(out);
}

// A window keeping ~`area_fraction` of the area, with the source's aspect times `aspect_factor`,
// at a random position; each side in [kMinAugmentSide, source side].
Image CropWindow(const Image& rgb, Rng& rng, Params& params, double area_fraction,
                 double aspect_factor) {
  const int w = rgb.width, h = rgb.height;
  const double area = area_fraction * w * h;
  int cw = std::clamp(int(std::lround(w * std::sqrt(area_fraction * aspect_factor))),
                      kMinAugmentSide, w);
  const int ch = std::clamp(int(std::lround(area / cw)), kMinAugmentSide, h);
  // A clamped height leaves area on the table: give it back to the width where it fits.
  cw = std::clamp(int(std::lround(area / ch)), kMinAugmentSide, w);
  const int x = rng.UniformInt(0, w - cw);
  const int y = rng.UniformInt(0, h - ch);
  params["x"] = x;
  params["y"] = y;
  params["width"] = cw;
  params["height"] = ch;
  return Crop(rgb, x, y, cw, ch);
}

}  // namespace

StatusOr<Image> RotateEdit(const Image& rgb, Rng& rng, Params& params) {
  const double magnitude = rng.Param(15, 30);
  const double angle = rng.Bernoulli(0.5) ? magnitude : -magnitude;
  params["angle"] = angle;
  const int border = DrawFill(rng, params);
  const cv::Point2f centre((rgb.width - 1) * 0.5f, (rgb.height - 1) * 0.5f);
  return WarpAffine(rgb, cv::getRotationMatrix2D(centre, angle, 1.0), border);
}

StatusOr<Image> ScaleTranslateEdit(const Image& rgb, Rng& rng, Params& params) {
  const double scale = rng.Param(0.8, 1.2);
  const double tx = rng.Param(-0.1, 0.1);
  const double ty = rng.Param(-0.1, 0.1);
  params["scale"] = scale;
  params["tx"] = tx;
  params["ty"] = ty;
  const int border = DrawFill(rng, params);
  const double cx = (rgb.width - 1) * 0.5, cy = (rgb.height - 1) * 0.5;
  const cv::Mat m = (cv::Mat_<double>(2, 3) << scale, 0, (1 - scale) * cx + tx * rgb.width,  //
                     0, scale, (1 - scale) * cy + ty * rgb.height);
  return WarpAffine(rgb, m, border);
}

StatusOr<Image> FlipHEdit(const Image& rgb, Rng&, Params& params) {
  params = Params::object();
  return FlipHorizontal(rgb);
}

StatusOr<Image> FlipVEdit(const Image& rgb, Rng&, Params& params) {
  params = Params::object();
  return FlipVertical(rgb);
}

StatusOr<Image> RandomCropEdit(const Image& rgb, Rng& rng, Params& params) {
  const double fraction = rng.Param(0.5, 0.9);
  const double aspect = Round3(std::exp(rng.Uniform(std::log(0.75), std::log(4.0 / 3.0))));
  params["area_fraction"] = fraction;
  params["aspect_factor"] = aspect;
  return CropWindow(rgb, rng, params, fraction, aspect);
}

StatusOr<Image> CropEdit(const Image& rgb, Rng& rng, Params& params) {
  const double fraction = rng.Param(0.4, 0.7);
  params["area_fraction"] = fraction;
  return CropWindow(rgb, rng, params, fraction, 1.0);
}

StatusOr<Image> DownscaleEdit(const Image& rgb, Rng& rng, Params& params) {
  const double factor = rng.Param(0.2, 0.5);
  Image out = DownscaleBy(rgb, factor);
  params["factor"] = factor;
  params["width"] = out.width;
  params["height"] = out.height;
  return out;
}

StatusOr<Image> Rotate90Edit(const Image& rgb, Rng& rng, Params& params) {
  const int k = rng.UniformInt(1, 3);
  params["degrees"] = 90 * k;
  return Rotate90(rgb, k);
}

StatusOr<Image> PerspectiveEdit(const Image& rgb, Rng& rng, Params& params) {
  constexpr double kMaxShift = 0.15;
  const float w1 = float(rgb.width - 1), h1 = float(rgb.height - 1);
  const cv::Point2f src[4] = {{0, 0}, {w1, 0}, {w1, h1}, {0, h1}};
  // Inward direction of each corner (top-left, top-right, bottom-right, bottom-left).
  const int sx[4] = {1, -1, -1, 1}, sy[4] = {1, 1, -1, -1};
  cv::Point2f dst[4];
  Params corners = Params::array();
  for (int i = 0; i < 4; ++i) {
    const double dx = Round3(rng.Uniform(0, kMaxShift) * rgb.width);
    const double dy = Round3(rng.Uniform(0, kMaxShift) * rgb.height);
    const double x = Round3(src[i].x + sx[i] * dx), y = Round3(src[i].y + sy[i] * dy);
    dst[i] = cv::Point2f(float(x), float(y));
    corners.push_back({x, y});
  }
  params["corners"] = std::move(corners);
  cv::Mat out;
  cv::warpPerspective(AsMat(rgb), out, cv::getPerspectiveTransform(src, dst),
                      cv::Size(rgb.width, rgb.height), cv::INTER_LINEAR, cv::BORDER_CONSTANT,
                      cv::Scalar::all(0));
  return FromMat(out);
}

}  // namespace neardup::augment_internal

namespace neardup {

Image DownscaleBy(const Image& rgb, double factor) {
  assert(rgb.channels == 3 && factor > 0 && factor <= 1);
  const int w = std::max(kMinAugmentSide, int(std::lround(rgb.width * factor)));
  const int h = std::max(kMinAugmentSide, int(std::lround(rgb.height * factor)));
  return Resize(rgb, w, h);  // never grows: factor <= 1 and source sides >= kMinAugmentSide
}

}  // namespace neardup
