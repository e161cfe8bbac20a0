// MakeTextureVariant (augment.h): images made from one template, for the benchmark's hard
// negatives that share a texture but not a picture.
#include <algorithm>
#include <cmath>
#include <new>
#include <opencv2/imgproc.hpp>
#include <string>

#include "augment/draw.h"
#include "augment/rng.h"
#include "augment/transforms.h"
#include "image/cv_image.h"
#include "neardup/augment.h"
#include "neardup/preprocess.h"

namespace neardup {

using augment_internal::DeriveSeed;
using augment_internal::NameKey;
using augment_internal::Params;
using augment_internal::RandomColour;
using augment_internal::Rng;
using image_internal::AsMat;
using image_internal::FromMat;

namespace {

// The tile of the template: a random background with 3-6 shapes, drawn from `rng`.
cv::Mat MakeTile(int tile, Rng& rng) {
  cv::Mat m(tile, tile, CV_8UC3, RandomColour(rng));
  const int shapes = rng.UniformInt(3, 6);
  for (int i = 0; i < shapes; ++i) {
    const cv::Scalar colour = RandomColour(rng);
    const cv::Point a(rng.UniformInt(0, tile - 1), rng.UniformInt(0, tile - 1));
    const cv::Point b(rng.UniformInt(0, tile - 1), rng.UniformInt(0, tile - 1));
    switch (rng.UniformInt(0, 2)) {
      case 0:
        cv::rectangle(m, a, b, colour, cv::FILLED);
        break;
      case 1:
        cv::circle(m, a, rng.UniformInt(2, std::max(2, tile / 3)), colour, cv::FILLED, cv::LINE_AA);
        break;
      default:
        cv::line(m, a, b, colour, rng.UniformInt(1, std::max(1, tile / 8)), cv::LINE_AA);
        break;
    }
  }
  return m;
}

// Rotates the hue of an RGB Mat by `degrees`.
cv::Mat RotateHue(const cv::Mat& rgb, double degrees) {
  cv::Mat hsv;
  cv::cvtColor(rgb, hsv, cv::COLOR_RGB2HSV);  // 8-bit hue in [0,180): 2 degrees a step
  const int shift = int(std::lround(degrees / 2));
  for (int y = 0; y < hsv.rows; ++y) {
    auto* row = hsv.ptr<cv::Vec3b>(y);
    for (int x = 0; x < hsv.cols; ++x) row[x][0] = uchar((row[x][0] + shift + 180) % 180);
  }
  cv::Mat out;
  cv::cvtColor(hsv, out, cv::COLOR_HSV2RGB);
  return out;
}

}  // namespace

StatusOr<TextureVariant> MakeTextureVariant(const Image& content, int width, int height,
                                            uint64_t texture_seed, uint64_t variant_seed) {
  if (width < kMinAugmentSide || height < kMinAugmentSide) {
    return InvalidArgumentError("texture variant: canvas " + std::to_string(width) + "x" +
                                std::to_string(height) + " is smaller than " +
                                std::to_string(kMinAugmentSide) + " px on a side");
  }
  if (content.empty() || (content.channels != 1 && content.channels != 3)) {
    return InvalidArgumentError("texture variant: content must be a grey or RGB image");
  }
  try {
    Rng tex(DeriveSeed(texture_seed, NameKey("texture")));
    const int tile = std::min(tex.UniformInt(24, 72), std::min(width, height) / 2);
    const cv::Mat cell = MakeTile(tile, tex);

    Rng var(DeriveSeed(variant_seed, NameKey("texture_variant")));
    const double hue = var.Param(-90, 90);
    const int dx = var.UniformInt(0, tile - 1), dy = var.UniformInt(0, tile - 1);
    const double scale = var.Param(0.45, 0.7);
    cv::Mat tiled;
    cv::repeat(cell, (height + dy) / tile + 1, (width + dx) / tile + 1, tiled);
    cv::Mat canvas = RotateHue(tiled(cv::Rect(dx, dy, width, height)), hue);

    const double fit =
        scale * std::min(double(width) / content.width, double(height) / content.height);
    const int cw = std::clamp(int(std::lround(content.width * fit)), 1, width);
    const int ch = std::clamp(int(std::lround(content.height * fit)), 1, height);
    const int x = var.UniformInt(0, width - cw), y = var.UniformInt(0, height - ch);
    const Image pasted = Resize(content, cw, ch);
    if (pasted.channels == 1) {
      cv::cvtColor(AsMat(pasted), canvas(cv::Rect(x, y, cw, ch)), cv::COLOR_GRAY2RGB);
    } else {
      AsMat(pasted).copyTo(canvas(cv::Rect(x, y, cw, ch)));
    }

    Params p = {{"tile", tile}, {"hue_shift", hue}, {"dx", dx},    {"dy", dy},    {"scale", scale},
                {"x", x},       {"y", y},           {"width", cw}, {"height", ch}};
    return TextureVariant{FromMat(canvas), p.dump()};
  } catch (const cv::Exception& e) {
    return InvalidArgumentError(std::string("texture variant: OpenCV: ") + e.what());
  } catch (const std::bad_alloc&) {
    return ResourceExhaustedError("texture variant: out of memory for " + std::to_string(width) +
                                  "x" + std::to_string(height) + " pixels");
  }
}

}  // namespace neardup
