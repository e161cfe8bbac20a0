// The edits applied to each original (crops, the small rotation, the caption bar, the Edits()
// table) and the hashes and distances of the methods.
#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>
#include <string>
#include <vector>

#include "hash_robustness/common.h"
#include "image/cv_image.h"
#include "neardup/augment.h"
#include "neardup/hash.h"
#include "neardup/image.h"
#include "neardup/preprocess.h"

namespace hash_robustness {
namespace {

Image OrExit(neardup::StatusOr<Image> image, const char* what) {
  if (!image.ok()) {
    std::fprintf(stderr, "error: %s: %s\n", what, image.status().ToString().c_str());
    std::exit(1);
  }
  return std::move(*image);
}

// Keeps `area` of the image at its aspect; centred, or anchored at the top-left corner.
Image CropArea(const Image& m, double area, bool centred) {
  const double s = std::sqrt(area);
  const int w = std::max(1, int(std::lround(m.width * s)));
  const int h = std::max(1, int(std::lround(m.height * s)));
  const int x = centred ? (m.width - w) / 2 : 0;
  const int y = centred ? (m.height - h) / 2 : 0;
  return neardup::Crop(m, x, y, w, h);
}

// Own edit: rotates by `degrees` about the centre on a canvas grown to hold the whole image,
// black corners (augment's "rotate" keeps the size and cuts the corners off).
Image RotateSmall(const Image& img, double degrees) {
  const cv::Mat m = neardup::image_internal::AsMat(img);
  const cv::Point2f centre(m.cols / 2.0f, m.rows / 2.0f);
  cv::Mat r = cv::getRotationMatrix2D(centre, degrees, 1.0);
  const cv::Rect2f box = cv::RotatedRect(centre, m.size(), float(degrees)).boundingRect2f();
  r.at<double>(0, 2) += box.width / 2.0 - centre.x;
  r.at<double>(1, 2) += box.height / 2.0 - centre.y;
  cv::Mat out;
  cv::warpAffine(m, out, r, cv::Size(int(std::ceil(box.width)), int(std::ceil(box.height))),
                 cv::INTER_LINEAR, cv::BORDER_CONSTANT, cv::Scalar(0, 0, 0));
  return neardup::image_internal::FromMat(out);
}

// Own edit: a black band over the bottom eighth with a white caption, as a social-media repost
// has (augment's "caption" adds a band above or below instead of covering the picture).
Image Caption(const Image& img) {
  cv::Mat out = neardup::image_internal::AsMat(img).clone();
  const int band = std::max(12, out.rows / 8);
  cv::rectangle(out, cv::Rect(0, out.rows - band, out.cols, band), cv::Scalar(0, 0, 0), cv::FILLED);
  const std::string text = "Summer 2023 - shared with neardup";
  const int font = cv::FONT_HERSHEY_SIMPLEX;
  int base = 0;
  const cv::Size unit = cv::getTextSize(text, font, 1.0, 2, &base);
  const double scale = std::min(0.6 * band / unit.height, 0.9 * out.cols / unit.width);
  const int thickness = std::max(1, int(std::lround(scale * 2)));
  const cv::Size size = cv::getTextSize(text, font, scale, thickness, &base);
  const cv::Point origin((out.cols - size.width) / 2, out.rows - (band - size.height) / 2);
  cv::putText(out, text, origin, font, scale, cv::Scalar(255, 255, 255), thickness, cv::LINE_AA);
  return neardup::image_internal::FromMat(out);
}

}  // namespace

const std::vector<Edit>& Edits() {
  using namespace neardup;
  static const std::vector<Edit> edits = {
      {"resize 50%", [](const Image& m) { return DownscaleBy(m, 0.5); }},
      {"resize 25%", [](const Image& m) { return DownscaleBy(m, 0.25); }},
      {"JPEG q30", [](const Image& m) { return OrExit(JpegRoundTrip(m, 30), "JPEG q30"); }},
      {"JPEG q10", [](const Image& m) { return OrExit(JpegRoundTrip(m, 10), "JPEG q10"); }},
      {"crop 80% centred", [](const Image& m) { return CropArea(m, 0.8, true); }},
      {"crop 80% corner", [](const Image& m) { return CropArea(m, 0.8, false); }},
      {"crop 60% centred", [](const Image& m) { return CropArea(m, 0.6, true); }},
      {"crop 60% corner", [](const Image& m) { return CropArea(m, 0.6, false); }},
      {"rotate 90°", [](const Image& m) { return Rotate90(m, 1); }},
      {"rotate 5° (border)", [](const Image& m) { return RotateSmall(m, 5.0); }},
      {"mirror", [](const Image& m) { return FlipHorizontal(m); }},
      {"greyscale", [](const Image& m) { return GreyscaleRgb(m); }},
      {"gamma 0.6", [](const Image& m) { return ApplyGamma(m, 0.6); }},
      {"caption bar", Caption},
      {"blur sigma 2", [](const Image& m) { return GaussianDenoise(m, 2.0); }},
  };
  return edits;
}

Hashes HashAll(const Image& img, bool dihedral) {
  Hashes h;
  h.h64[kAhash] = neardup::AverageHash(img);
  h.h64[kDhash] = neardup::DifferenceHash(img);
  h.h64[kPhash] = neardup::PerceptualHash(img);
  h.h64[kWhash] = neardup::WaveletHash(img);
  h.pdq = neardup::PdqHash(img);
  std::copy(h.pdq.hash.w.begin(), h.pdq.hash.w.end(), h.pdq8.begin());
  if (dihedral) {
    const neardup::PdqDihedral d = neardup::PdqDihedralHashes(img);
    for (int v = 1; v < 8; ++v)
      std::copy(d.hashes[v].w.begin(), d.hashes[v].w.end(), &h.pdq8[4 * v]);
    h.variants = 8;
  }
  return h;
}

std::array<int, kMethods> Distances(const Hashes& a, const Hashes& b) {
  std::array<int, kMethods> d{};
  for (int m = kAhash; m <= kWhash; ++m) d[m] = neardup::HammingDistance64(a.h64[m], b.h64[m]);
  d[kPdq] = neardup::HammingDistance(a.pdq.hash, b.pdq.hash);
  d[kPdq8] = neardup::VariantDistance<4>(a.pdq8.data(), a.variants, b.pdq8.data(), 1);
  return d;
}

std::array<int, kMethods> FindDistances(const Hashes& a, const Hashes& b) {
  std::array<int, kMethods> d = Distances(a, b);
  d[kPdq8] = neardup::VariantDistance<4>(a.pdq8.data(), a.variants, b.pdq8.data(), b.variants);
  return d;
}

}  // namespace hash_robustness
