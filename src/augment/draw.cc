// The drawing helpers of src/augment/ (draw.h): text, colours, words and the sticker shapes.
#include "augment/draw.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <iterator>
#include <vector>

namespace neardup::augment_internal {
namespace {

constexpr const char* kWords[] = {
    "wow",  "lol",    "omg",   "best",   "day",  "ever",  "when",  "you",    "the",   "new",
    "sale", "free",   "photo", "copy",   "news", "share", "like",  "follow", "today", "look",
    "this", "cat",    "dog",   "summer", "trip", "home",  "final", "real",   "fake",  "viral",
    "love", "friday", "mood",  "me",     "just", "nope",  "yes",   "big",    "deal",  "hello"};

constexpr const char* kStickerShapeNames[kStickerShapes] = {"smiley", "heart", "star"};

// The outline of `shape` inside a d x d square, keeping `margin` px clear on every side.
std::vector<cv::Point> StickerOutline(int shape, int d, int margin) {
  const double c = d / 2.0, r = std::max(1.0, d / 2.0 - margin);
  std::vector<cv::Point> pts;
  if (shape == 0) {  // a disc
    cv::ellipse2Poly(cv::Point(int(c), int(c)), cv::Size(int(r), int(r)), 0, 0, 360, 5, pts);
  } else if (shape == 1) {  // the classic heart curve, scaled to the square
    constexpr int kSteps = 72;
    for (int i = 0; i < kSteps; ++i) {
      const double t = 2 * M_PI * i / kSteps;
      const double x = 16 * std::pow(std::sin(t), 3);
      const double y =
          13 * std::cos(t) - 5 * std::cos(2 * t) - 2 * std::cos(3 * t) - std::cos(4 * t);
      // x in [-16,16], y in [-17,12]: centred and scaled so the curve spans 2r.
      pts.emplace_back(int(std::lround(c + x * r / 16.5)),
                       int(std::lround(c - (y + 2.5) * r / 15.0)));
    }
  } else {  // a five-pointed star, one point up
    for (int i = 0; i < 10; ++i) {
      const double a = -M_PI / 2 + M_PI * i / 5;
      const double rr = i % 2 == 0 ? r : 0.45 * r;
      pts.emplace_back(int(std::lround(c + rr * std::cos(a))),
                       int(std::lround(c + 0.05 * r + rr * std::sin(a))));
    }
  }
  return pts;
}

}  // namespace

const char* RandomWord(Rng& rng) { return kWords[rng.UniformInt(0, int(std::size(kWords)) - 1)]; }

std::string Upper(const std::string& word) {
  std::string out = word;
  for (char& c : out) c = char(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

cv::Scalar RandomColour(Rng& rng) {
  const int r = rng.UniformInt(0, 255), g = rng.UniformInt(0, 255), b = rng.UniformInt(0, 255);
  return cv::Scalar(r, g, b);
}

void PutColour(Params& p, const cv::Scalar& c) {
  p["r"] = int(c[0]);
  p["g"] = int(c[1]);
  p["b"] = int(c[2]);
}

double Luma(const cv::Scalar& c) { return 0.299 * c[0] + 0.587 * c[1] + 0.114 * c[2]; }

TextLayout LayoutText(const std::string& text, double height, int max_width, bool outline) {
  int base = 0;
  const cv::Size unit = cv::getTextSize(text, kFont, 1.0, 1, &base);
  TextLayout t;
  t.scale = std::max(0.1, height / double(unit.height + base));
  for (;;) {
    t.thickness = std::max(1, int(std::lround(t.scale * 2)));
    const int stroke = outline ? 3 * t.thickness : t.thickness;
    t.size = cv::getTextSize(text, kFont, t.scale, stroke, &t.baseline);
    if (t.size.width <= max_width || t.scale <= 0.1) break;
    t.scale = std::max(0.1, t.scale * 0.9 * max_width / t.size.width);
  }
  return t;
}

void DrawText(cv::Mat target, const std::string& text, cv::Point origin, const TextLayout& t,
              const cv::Scalar& colour, const cv::Scalar* outline_colour) {
  if (outline_colour != nullptr) {
    cv::putText(target, text, origin, kFont, t.scale, *outline_colour, 3 * t.thickness,
                cv::LINE_AA);
  }
  cv::putText(target, text, origin, kFont, t.scale, colour, t.thickness, cv::LINE_AA);
}

const char* StickerShapeName(int shape) { return kStickerShapeNames[shape]; }

void DrawSticker(cv::Mat target, int shape, const cv::Scalar& colour) {
  const int d = std::min(target.cols, target.rows);
  const int edge = std::max(1, d / 40), rim = std::max(1, d / 14);
  const std::vector<cv::Point> pts = StickerOutline(shape, d, rim + edge + 1);
  const std::vector<std::vector<cv::Point>> polys = {pts};
  const cv::Scalar grey = cv::Scalar::all(110), white = cv::Scalar::all(255);
  const cv::Scalar ink = cv::Scalar::all(35);
  // Die-cut: a grey edge, a white rim, then the shape with a dark outline.
  cv::polylines(target, polys, true, grey, 2 * (rim + edge), cv::LINE_AA);
  cv::polylines(target, polys, true, white, 2 * rim, cv::LINE_AA);
  cv::fillPoly(target, polys, colour, cv::LINE_AA);
  cv::polylines(target, polys, true, ink, edge, cv::LINE_AA);
  if (shape == 0) {  // a smiling face
    const int eye_w = std::max(1, d / 14), eye_h = std::max(1, d / 8);
    cv::ellipse(target, cv::Point(d * 36 / 100, d * 40 / 100), cv::Size(eye_w, eye_h), 0, 0, 360,
                ink, cv::FILLED, cv::LINE_AA);
    cv::ellipse(target, cv::Point(d * 64 / 100, d * 40 / 100), cv::Size(eye_w, eye_h), 0, 0, 360,
                ink, cv::FILLED, cv::LINE_AA);
    cv::ellipse(target, cv::Point(d / 2, d * 55 / 100), cv::Size(d * 24 / 100, d * 18 / 100), 0, 15,
                165, ink, std::max(1, d / 22), cv::LINE_AA);
  } else {  // a highlight, as on glossy stickers
    cv::ellipse(target, cv::Point(d * 38 / 100, d * 34 / 100), cv::Size(d / 12, d / 20), -35, 0,
                360, cv::Scalar(255, 255, 255), cv::FILLED, cv::LINE_AA);
  }
}

}  // namespace neardup::augment_internal
