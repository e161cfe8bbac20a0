// Photometric edits: brightness/contrast, colour jitter, JPEG re-encoding, blur, noise, greyscale,
// gamma. All keep the size.
#include <algorithm>
#include <array>
#include <cassert>
#include <cmath>
#include <opencv2/imgproc.hpp>

#include "augment/transforms.h"
#include "image/cv_image.h"
#include "neardup/augment.h"
#include "neardup/decode.h"
#include "neardup/preprocess.h"

namespace neardup::augment_internal {

using image_internal::AsMat;
using image_internal::FromMat;

namespace {

uint8_t Saturate(double v) { return uint8_t(std::clamp(std::lround(v), 0L, 255L)); }

Image ApplyLut(const Image& rgb, const std::array<uint8_t, 256>& lut) {
  Image out = rgb;
  for (uint8_t& p : out.pixels) p = lut[p];
  return out;
}

}  // namespace

StatusOr<Image> BrightnessContrastEdit(const Image& rgb, Rng& rng, Params& params) {
  const double brightness = rng.Param(0.7, 1.3);
  const double contrast = rng.Param(0.6, 1.4);
  params["brightness"] = brightness;
  params["contrast"] = contrast;
  // Contrast pulls towards the mean luma of the brightened image (torchvision's definition).
  double luma_sum = 0;
  for (size_t i = 0; i < rgb.pixels.size(); i += 3) {
    luma_sum += 0.299 * rgb.pixels[i] + 0.587 * rgb.pixels[i + 1] + 0.114 * rgb.pixels[i + 2];
  }
  const double mean = brightness * luma_sum / (double(rgb.width) * rgb.height);
  std::array<uint8_t, 256> lut;
  for (int v = 0; v < 256; ++v)
    lut[v] = Saturate(contrast * brightness * v + (1 - contrast) * mean);
  return ApplyLut(rgb, lut);
}

StatusOr<Image> ColorJitterEdit(const Image& rgb, Rng& rng, Params& params) {
  const double hue_shift = rng.Param(-18, 18);
  const double saturation = rng.Param(0.6, 1.4);
  params["hue_shift"] = hue_shift;
  params["saturation"] = saturation;
  // Float HSV: hue in degrees [0,360) (8-bit HSV quantises hue to 2-degree steps).
  cv::Mat f, hsv;
  AsMat(rgb).convertTo(f, CV_32F, 1.0 / 255.0);
  cv::cvtColor(f, hsv, cv::COLOR_RGB2HSV);
  for (int y = 0; y < hsv.rows; ++y) {
    float* p = hsv.ptr<float>(y);
    for (int x = 0; x < hsv.cols; ++x, p += 3) {
      float h = p[0] + float(hue_shift);
      if (h < 0) h += 360.f;
      if (h >= 360.f) h -= 360.f;
      p[0] = h;
      p[1] = std::min(1.f, p[1] * float(saturation));
    }
  }
  cv::cvtColor(hsv, f, cv::COLOR_HSV2RGB);
  cv::Mat out;
  f.convertTo(out, CV_8U, 255.0);
  return FromMat(out);
}

StatusOr<Image> JpegEdit(const Image& rgb, Rng& rng, Params& params) {
  const int quality = rng.UniformInt(10, 30);
  params["quality"] = quality;
  return JpegRoundTrip(rgb, quality);
}

StatusOr<Image> BlurEdit(const Image& rgb, Rng& rng, Params& params) {
  const double sigma = rng.Param(1.5, 4);
  params["sigma"] = sigma;
  return GaussianDenoise(rgb, sigma);
}

StatusOr<Image> NoiseEdit(const Image& rgb, Rng& rng, Params& params) {
  const double sigma = rng.Param(8, 25);
  params["sigma"] = sigma;
  Image out = rgb;
  for (uint8_t& p : out.pixels) p = Saturate(p + sigma * rng.Normal());
  return out;
}

StatusOr<Image> GreyscaleEdit(const Image& rgb, Rng&, Params& params) {
  params = Params::object();
  return GreyscaleRgb(rgb);
}

StatusOr<Image> GammaEdit(const Image& rgb, Rng& rng, Params& params) {
  const bool brighter = rng.Bernoulli(0.5);
  const double gamma = brighter ? rng.Param(0.5, 0.7) : rng.Param(1.5, 2.2);
  params["gamma"] = gamma;
  return ApplyGamma(rgb, gamma);
}

}  // namespace neardup::augment_internal

namespace neardup {

StatusOr<Image> JpegRoundTrip(const Image& rgb, int quality) {
  assert(rgb.channels == 3 && quality >= 1 && quality <= 100);
  ASSIGN_OR_RETURN(const std::string bytes, EncodeImage(rgb, ".jpg", quality));
  return DecodeImage(bytes, DecodeOptions{}, nullptr, "jpeg edit");
}

Image GreyscaleRgb(const Image& rgb) {
  assert(rgb.channels == 3);
  const Image grey = ToGrey(rgb);
  Image out(rgb.width, rgb.height, 3);
  for (size_t i = 0; i < grey.pixels.size(); ++i) {
    out.pixels[3 * i] = out.pixels[3 * i + 1] = out.pixels[3 * i + 2] = grey.pixels[i];
  }
  return out;
}

Image ApplyGamma(const Image& rgb, double gamma) {
  assert(rgb.channels == 3 && gamma > 0);
  std::array<uint8_t, 256> lut;
  for (int v = 0; v < 256; ++v) {
    lut[v] = augment_internal::Saturate(255.0 * std::pow(v / 255.0, gamma));
  }
  return augment_internal::ApplyLut(rgb, lut);
}

}  // namespace neardup
