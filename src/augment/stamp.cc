// Edits that stamp a small graphic onto the picture, as people do before sharing it: an emoji-like
// sticker and a semi-transparent watermark. Drawing is in draw.cc, shared with the other overlays.
#include <algorithm>
#include <cmath>
#include <iterator>
#include <opencv2/imgproc.hpp>
#include <string>

#include "augment/draw.h"
#include "augment/transforms.h"
#include "image/cv_image.h"

namespace neardup::augment_internal {

using image_internal::AsMat;

namespace {

// Sticker colours: emoji yellow, red, pink, orange, green, blue, purple.
const cv::Scalar kStickerColours[] = {{255, 204, 0}, {230, 40, 50},  {255, 105, 180}, {255, 140, 0},
                                      {60, 180, 75}, {30, 120, 230}, {145, 80, 200}};

// Words a watermark says.
constexpr const char* kWatermarks[] = {"SAMPLE", "PREVIEW", "STOCK",     "PHOTO",
                                       "DRAFT",  "PROOF",   "COPYRIGHT", "WATERMARK"};

// Where a watermark goes.
constexpr const char* kPlaces[] = {"top_left", "top_right", "bottom_left", "bottom_right",
                                   "centre"};

}  // namespace

StatusOr<Image> StickerEdit(const Image& rgb, Rng& rng, Params& params) {
  const double size = rng.Param(0.15, 0.30);
  const int shape = rng.UniformInt(0, kStickerShapes - 1);
  const cv::Scalar colour = kStickerColours[rng.UniformInt(0, int(std::size(kStickerColours)) - 1)];
  const int d = std::max(8, int(std::lround(size * std::min(rgb.width, rgb.height))));
  const int x = rng.UniformInt(0, rgb.width - d), y = rng.UniformInt(0, rgb.height - d);
  Image out = rgb;
  DrawSticker(AsMat(out)(cv::Rect(x, y, d, d)), shape, colour);
  params["shape"] = StickerShapeName(shape);
  params["size"] = size;
  params["x"] = x;
  params["y"] = y;
  params["width"] = d;
  params["height"] = d;
  PutColour(params, colour);
  return out;
}

StatusOr<Image> WatermarkEdit(const Image& rgb, Rng& rng, Params& params) {
  const std::string text = kWatermarks[rng.UniformInt(0, int(std::size(kWatermarks)) - 1)];
  const double size = rng.Param(0.08, 0.15);
  const double alpha = rng.Param(0.30, 0.60);
  const bool white = rng.Bernoulli(0.5);
  const int place = rng.UniformInt(0, int(std::size(kPlaces)) - 1);
  const int w = rgb.width, h = rgb.height;
  // A logo (a ring holding the first letter) left of the word, both `size` of the height tall,
  // narrowed together to 90% of the width.
  const int max_w = std::max(4, w * 9 / 10);
  int logo = std::max(4, int(std::lround(size * h)));
  TextLayout t = LayoutText(text, size * h, std::max(1, max_w - logo * 5 / 4), false);
  logo = std::min(logo, std::max(4, t.size.height + t.baseline));
  const int gap = logo / 4;
  const int box_w = std::min(w, logo + gap + t.size.width + 2);
  const int box_h = std::min(h, std::max(logo, t.size.height + t.baseline) + 2);
  const int mx = w * 3 / 100, my = h * 3 / 100;
  const std::string where = kPlaces[place];
  int x = (w - box_w) / 2, y = (h - box_h) / 2;
  if (where != "centre") {
    x = where.ends_with("left") ? mx : w - box_w - mx;
    y = where.starts_with("top") ? my : h - box_h - my;
  }
  x = std::clamp(x, 0, w - box_w);
  y = std::clamp(y, 0, h - box_h);
  const cv::Rect box(x, y, box_w, box_h);

  Image out = rgb;
  cv::Mat region = AsMat(out)(box);
  cv::Mat layer = region.clone();
  // The ink with a thin rim of the opposite colour, so the mark shows on dark and light pictures.
  const cv::Scalar ink = cv::Scalar::all(white ? 255 : 0), rim = cv::Scalar::all(white ? 0 : 255);
  const cv::Point centre(1 + logo / 2, 1 + logo / 2);
  const int ring = std::max(1, logo / 10);
  cv::circle(layer, centre, std::max(1, logo / 2 - 1), rim, ring + 2, cv::LINE_AA);
  cv::circle(layer, centre, std::max(1, logo / 2 - 1), ink, ring, cv::LINE_AA);
  const std::string letter = text.substr(0, 1);
  const TextLayout lt = LayoutText(letter, logo * 0.5, logo, false);
  const cv::Point letter_at(centre.x - lt.size.width / 2,
                            centre.y + (lt.size.height - lt.baseline) / 2);
  const cv::Point text_at(1 + logo + gap, 1 + t.size.height);
  auto stroke = [&](const std::string& s, cv::Point at, const TextLayout& l) {
    cv::putText(layer, s, at, kFont, l.scale, rim, l.thickness + 2, cv::LINE_AA);
    cv::putText(layer, s, at, kFont, l.scale, ink, l.thickness, cv::LINE_AA);
  };
  stroke(letter, letter_at, lt);
  stroke(text, text_at, t);
  cv::addWeighted(region, 1.0 - alpha, layer, alpha, 0.0, region);
  params["text"] = text;
  params["size"] = size;
  params["alpha"] = alpha;
  params["colour"] = white ? "white" : "black";
  params["place"] = where;
  params["x"] = x;
  params["y"] = y;
  params["width"] = box_w;
  params["height"] = box_h;
  return out;
}

}  // namespace neardup::augment_internal
