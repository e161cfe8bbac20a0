// Edits that add or cover content: cutout rectangles, text, borders, screenshot canvases and
// meme captions. Text is drawn with OpenCV's Hershey fonts (draw.h).
#include <algorithm>
#include <cmath>
#include <iterator>
#include <opencv2/imgproc.hpp>
#include <string>

#include "augment/draw.h"
#include "augment/transforms.h"
#include "image/cv_image.h"
#include "neardup/augment.h"
#include "neardup/preprocess.h"

namespace neardup::augment_internal {

using image_internal::AsMat;
using image_internal::FromMat;

namespace {

bool Overlaps(const cv::Rect& a, const std::vector<cv::Rect>& others) {
  return std::any_of(others.begin(), others.end(),
                     [&](const cv::Rect& o) { return (a & o).area() > 0; });
}

}  // namespace

StatusOr<Image> CutoutEdit(const Image& rgb, Rng& rng, Params& params) {
  constexpr int kPlacementTries = 20;
  const int w = rgb.width, h = rgb.height;
  const double fraction = rng.Param(0.10, 0.25);
  const int count = rng.UniformInt(1, 3);
  params["area_fraction"] = fraction;
  Image out = rgb;
  cv::Mat mat = AsMat(out);
  std::vector<cv::Rect> placed;
  Params rects = Params::array();
  for (int i = 0; i < count; ++i) {
    const double area = fraction * w * h / count;
    const double aspect = rng.Param(0.5, 2.0);  // width / height
    int rw = std::clamp(int(std::lround(std::sqrt(area * aspect))), 1, w);
    const int rh = std::clamp(int(std::lround(area / rw)), 1, h);
    rw = std::clamp(int(std::lround(area / rh)), 1, w);
    cv::Rect r;
    for (int t = 0; t < kPlacementTries; ++t) {
      r = cv::Rect(rng.UniformInt(0, w - rw), rng.UniformInt(0, h - rh), rw, rh);
      if (!Overlaps(r, placed)) break;
    }
    placed.push_back(r);
    const cv::Scalar colour = rng.Bernoulli(0.5) ? cv::Scalar::all(128) : RandomColour(rng);
    mat(r).setTo(colour);
    Params p = {{"x", r.x}, {"y", r.y}, {"width", r.width}, {"height", r.height}};
    PutColour(p, colour);
    rects.push_back(std::move(p));
  }
  params["rects"] = std::move(rects);
  return out;
}

StatusOr<Image> TextOverlayEdit(const Image& rgb, Rng& rng, Params& params) {
  Image out = rgb;
  cv::Mat mat = AsMat(out);
  const int count = rng.UniformInt(1, 3);
  Params words = Params::array();
  for (int i = 0; i < count; ++i) {
    const std::string text = RandomWord(rng);
    const double size = rng.Param(0.05, 0.15);
    const TextLayout t = LayoutText(text, size * rgb.height, rgb.width - 4, /*outline=*/true);
    // The box holds the outlined glyphs with a margin for anti-aliasing; it is clipped to the
    // image, and drawing goes into the box only.
    const int pad = 2;
    const int box_w = std::min(rgb.width, t.size.width + 2 * pad);
    const int box_h = std::min(rgb.height, t.size.height + t.baseline + 2 * pad);
    const cv::Rect box(rng.UniformInt(0, rgb.width - box_w), rng.UniformInt(0, rgb.height - box_h),
                       box_w, box_h);
    const cv::Scalar colour = RandomColour(rng);
    const cv::Scalar outline = Luma(colour) > 128 ? cv::Scalar::all(0) : cv::Scalar::all(255);
    DrawText(mat(box), text, cv::Point(pad, pad + t.size.height), t, colour, &outline);
    Params p = {{"text", text}, {"size", size},       {"x", box.x},
                {"y", box.y},   {"width", box.width}, {"height", box.height}};
    PutColour(p, colour);
    words.push_back(std::move(p));
  }
  params["words"] = std::move(words);
  return out;
}

StatusOr<Image> BorderEdit(const Image& rgb, Rng& rng, Params& params) {
  const int top = int(std::lround(rng.Param(0.05, 0.2) * rgb.height));
  const int bottom = int(std::lround(rng.Param(0.05, 0.2) * rgb.height));
  const int left = int(std::lround(rng.Param(0.05, 0.2) * rgb.width));
  const int right = int(std::lround(rng.Param(0.05, 0.2) * rgb.width));
  const cv::Scalar colour = RandomColour(rng);
  params["top"] = top;
  params["bottom"] = bottom;
  params["left"] = left;
  params["right"] = right;
  PutColour(params, colour);
  cv::Mat out;
  cv::copyMakeBorder(AsMat(rgb), out, top, bottom, left, right, cv::BORDER_CONSTANT, colour);
  return FromMat(out);
}

StatusOr<Image> PasteInCanvasEdit(const Image& rgb, Rng& rng, Params& params) {
  // Flat UI backgrounds (light and dark themes) and accent colours for bars and buttons.
  static const cv::Scalar kBackgrounds[] = {{255, 255, 255}, {242, 242, 242}, {250, 247, 240},
                                            {230, 236, 245}, {32, 33, 36},    {18, 18, 18},
                                            {48, 50, 56}};
  static const cv::Scalar kAccents[] = {{66, 133, 244},  {59, 89, 152}, {29, 161, 242},
                                        {220, 220, 220}, {90, 90, 90},  {234, 67, 53},
                                        {52, 168, 83},   {255, 193, 7}};
  const int canvas_w = int(std::lround(rng.Param(1.3, 2.5) * rgb.width));
  const int canvas_h = int(std::lround(rng.Param(1.3, 2.5) * rgb.height));
  const double scale = rng.Param(0.4, 0.9);
  const int iw = std::max(1, int(std::lround(rgb.width * scale)));
  const int ih = std::max(1, int(std::lround(rgb.height * scale)));
  const int x = rng.UniformInt(0, canvas_w - iw), y = rng.UniformInt(0, canvas_h - ih);

  const cv::Scalar background = kBackgrounds[rng.UniformInt(0, int(std::size(kBackgrounds)) - 1)];
  const bool dark = Luma(background) < 128;
  cv::Mat canvas(canvas_h, canvas_w, CV_8UC3, background);
  auto accent = [&] { return kAccents[rng.UniformInt(0, int(std::size(kAccents)) - 1)]; };
  // A title bar across the top, sometimes a side bar, a few boxes (buttons, cards) and labels.
  const int bar_h = std::max(2, int(std::lround(rng.Uniform(0.04, 0.1) * canvas_h)));
  canvas(cv::Rect(0, 0, canvas_w, bar_h)).setTo(accent());
  if (rng.Bernoulli(0.5)) {
    const int side_w = std::max(2, int(std::lround(rng.Uniform(0.05, 0.15) * canvas_w)));
    canvas(cv::Rect(0, bar_h, side_w, canvas_h - bar_h)).setTo(accent());
  }
  const int boxes = rng.UniformInt(1, 4);
  for (int i = 0; i < boxes; ++i) {
    const int bw = std::max(2, int(std::lround(rng.Uniform(0.05, 0.3) * canvas_w)));
    const int bh = std::max(2, int(std::lround(rng.Uniform(0.02, 0.08) * canvas_h)));
    canvas(cv::Rect(rng.UniformInt(0, canvas_w - bw), rng.UniformInt(bar_h, canvas_h - bh), bw, bh))
        .setTo(accent());
  }
  const int labels = rng.UniformInt(1, 3);
  const cv::Scalar ink = dark ? cv::Scalar::all(230) : cv::Scalar::all(30);
  for (int i = 0; i < labels; ++i) {
    const std::string text = RandomWord(rng);
    const TextLayout t = LayoutText(text, rng.Uniform(0.02, 0.05) * canvas_h, canvas_w - 4, false);
    const int tw = std::min(canvas_w, t.size.width);
    const int th = std::min(canvas_h, t.size.height + t.baseline);
    const cv::Rect box(rng.UniformInt(0, canvas_w - tw), rng.UniformInt(0, canvas_h - th), tw, th);
    DrawText(canvas(box), text, cv::Point(0, t.size.height), t, ink, nullptr);
  }
  const Image resized = Resize(rgb, iw, ih);
  AsMat(resized).copyTo(canvas(cv::Rect(x, y, iw, ih)));
  params["canvas_width"] = canvas_w;
  params["canvas_height"] = canvas_h;
  params["scale"] = scale;
  params["x"] = x;
  params["y"] = y;
  params["width"] = iw;
  params["height"] = ih;
  return FromMat(canvas);
}

StatusOr<Image> CaptionBarEdit(const Image& rgb, Rng& rng, Params& params) {
  const double fraction = rng.Param(0.10, 0.20);
  const int band_h = std::max(1, int(std::lround(fraction * rgb.height)));
  const bool top = rng.Bernoulli(0.5);
  const bool white = rng.Bernoulli(0.5);
  const int count = rng.UniformInt(1, 4);
  std::string text;
  for (int i = 0; i < count; ++i) {
    if (i > 0) text += ' ';
    text += Upper(RandomWord(rng));
  }
  const cv::Scalar paper = cv::Scalar::all(white ? 255 : 0);
  const cv::Scalar ink = cv::Scalar::all(white ? 0 : 255);
  cv::Mat band(band_h, rgb.width, CV_8UC3, paper);
  const TextLayout t = LayoutText(text, 0.6 * band_h, rgb.width - 4, false);
  const cv::Point origin((rgb.width - t.size.width) / 2, (band_h + t.size.height - t.baseline) / 2);
  DrawText(band, text, origin, t, ink, nullptr);
  cv::Mat out;
  if (top) {
    cv::vconcat(band, AsMat(rgb), out);
  } else {
    cv::vconcat(AsMat(rgb), band, out);
  }
  params["position"] = top ? "top" : "bottom";
  params["band_height"] = band_h;
  params["y"] = top ? band_h : 0;
  params["text"] = text;
  return FromMat(out);
}

}  // namespace neardup::augment_internal
