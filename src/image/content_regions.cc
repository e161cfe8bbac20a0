// ContentRegions (image/content_regions.h), with OpenCV.
#include "image/content_regions.h"

#include <algorithm>
#include <cmath>
#include <opencv2/imgproc.hpp>

#include "image/cv_image.h"

namespace neardup {
namespace {

constexpr int kWorkSide = 256;
constexpr double kMinSurroundings = 0.30;  // of the image in the commonest colour
constexpr double kMinArea = 0.02, kMaxArea = 0.80, kMaxAspect = 4.0;
// Textured seeds, grown over flat margins.
constexpr double kTexturedStd = 4.0;  // grey levels over 5x5: texture
constexpr double kMinSeed = 0.003;    // of the image: a textured area worth growing
constexpr double kMinTextured = 0.10; // of a region that varies
constexpr double kSameLine = 16.0;    // mean level step between lines inside one picture
constexpr double kFlatLine = 12.0;    // grey std of a line of a flat margin
// Areas apart from the surroundings' colour.
constexpr int kApart = 12;                // levels (any channel) from the surroundings
constexpr double kMinFill = 0.6;          // of its box that such an area covers
constexpr int kMinColours = 4;            // colour bins (16 levels a channel), each holding
constexpr double kMinColourShare = 0.005; // at least this share of the box
constexpr double kSameRegion = 0.6;       // IoU at which two regions are one

size_t Bin(const uint8_t* px, int channels) {
  size_t bin = 0;
  for (int c = 0; c < channels; ++c) bin = (bin << 4) | (px[c] >> 4);
  return bin;
}

// The commonest colour (the mean of the commonest bin) and its share of the pixels: in a
// screenshot, a page or a slide, the background.
struct Commonest {
  cv::Scalar colour;
  double share = 0;
};
Commonest CommonestColour(const cv::Mat& image) {
  const int channels = image.channels();
  std::vector<int> count(size_t(1) << (4 * channels));
  std::vector<cv::Scalar> sum(count.size());
  for (int y = 0; y < image.rows; ++y) {
    const uint8_t* row = image.ptr<uint8_t>(y);
    for (int x = 0; x < image.cols; ++x) {
      const uint8_t* px = row + size_t(x) * size_t(channels);
      const size_t bin = Bin(px, channels);
      ++count[bin];
      for (int c = 0; c < channels; ++c) sum[bin][c] += px[c];
    }
  }
  const size_t best = size_t(std::max_element(count.begin(), count.end()) - count.begin());
  return {sum[best] / std::max(1, count[best]), double(count[best]) / double(image.total())};
}

// How many colour bins hold at least kMinColourShare of `box`: a picture has many, a flat bar or
// a button with lettering two or three.
int Colours(const cv::Mat& image, const cv::Rect& box) {
  const int channels = image.channels();
  std::vector<int> count(size_t(1) << (4 * channels));
  for (int y = box.y; y < box.y + box.height; ++y) {
    const uint8_t* row = image.ptr<uint8_t>(y);
    for (int x = box.x; x < box.x + box.width; ++x) {
      ++count[Bin(row + size_t(x) * size_t(channels), channels)];
    }
  }
  const double least = kMinColourShare * box.area();
  return int(std::count_if(count.begin(), count.end(), [least](int n) { return n >= least; }));
}

double Step(const cv::Scalar& a, const cv::Scalar& b, int channels) {
  double d = 0;
  for (int c = 0; c < channels; ++c) d = std::max(d, std::abs(a[c] - b[c]));
  return d;
}

// Grows `box` a line at a time on each side while the next line outward is a flat continuation
// of the box's edge line (a picture's plain margin or sky, which is not textured) and not the
// surroundings' colour.
cv::Rect Grow(const cv::Mat& image, const cv::Mat& grey, cv::Rect box, const cv::Scalar& around) {
  const int channels = image.channels();
  auto outside = [&](int side, const cv::Rect& b) -> cv::Rect {
    switch (side) {
      case 0: return b.y > 0 ? cv::Rect(b.x, b.y - 1, b.width, 1) : cv::Rect();
      case 1:
        return b.y + b.height < image.rows ? cv::Rect(b.x, b.y + b.height, b.width, 1) : cv::Rect();
      case 2: return b.x > 0 ? cv::Rect(b.x - 1, b.y, 1, b.height) : cv::Rect();
      default:
        return b.x + b.width < image.cols ? cv::Rect(b.x + b.width, b.y, 1, b.height) : cv::Rect();
    }
  };
  auto edge = [](int side, const cv::Rect& b) -> cv::Rect {
    switch (side) {
      case 0: return cv::Rect(b.x, b.y, b.width, 1);
      case 1: return cv::Rect(b.x, b.y + b.height - 1, b.width, 1);
      case 2: return cv::Rect(b.x, b.y, 1, b.height);
      default: return cv::Rect(b.x + b.width - 1, b.y, 1, b.height);
    }
  };
  for (bool grew = true; grew;) {
    grew = false;
    for (int side = 0; side < 4; ++side) {
      const cv::Rect next = outside(side, box);
      if (next.area() == 0) continue;
      cv::Scalar mean, sd;
      cv::meanStdDev(grey(next), mean, sd);
      const cv::Scalar out = cv::mean(image(next)), in = cv::mean(image(edge(side, box)));
      if (sd[0] > kFlatLine || Step(out, in, channels) > kSameLine ||
          Step(out, around, channels) <= kSameLine / 2) {
        continue;
      }
      box |= next;
      grew = true;
    }
  }
  return box;
}

bool Plausible(const cv::Rect& box, double total) {
  const double area = double(box.area()) / total;
  const double aspect =
      double(std::max(box.width, box.height)) / std::max(1, std::min(box.width, box.height));
  return area >= kMinArea && area <= kMaxArea && aspect <= kMaxAspect;
}

// Textured areas (a 5x5 standard deviation above kTexturedStd, less the bands along the edges of
// flat shapes and lettering, joined by a closing), each grown over the picture's flat margins.
std::vector<cv::Rect> TexturedRegions(const cv::Mat& small, const cv::Mat& grey,
                                      const cv::Scalar& around) {
  cv::Mat f, mean, sq_mean;
  grey.convertTo(f, CV_32F);
  cv::boxFilter(f, mean, CV_32F, cv::Size(5, 5));
  cv::boxFilter(f.mul(f), sq_mean, CV_32F, cv::Size(5, 5));
  const cv::Mat textured = (sq_mean - mean.mul(mean)) > kTexturedStd * kTexturedStd;
  cv::Mat opened, joined;
  cv::morphologyEx(textured, opened, cv::MORPH_OPEN,
                   cv::getStructuringElement(cv::MORPH_RECT, cv::Size(7, 7)));
  const int k = std::max(3, std::max(small.cols, small.rows) / 32) | 1;
  cv::morphologyEx(opened, joined, cv::MORPH_CLOSE,
                   cv::getStructuringElement(cv::MORPH_RECT, cv::Size(k, k)));
  cv::Mat labels, stats, centroids;
  const int n = cv::connectedComponentsWithStats(joined, labels, stats, centroids, 8, CV_32S);
  const double total = double(small.total());
  std::vector<cv::Rect> boxes;
  for (int i = 1; i < n; ++i) {
    cv::Rect box(stats.at<int>(i, cv::CC_STAT_LEFT), stats.at<int>(i, cv::CC_STAT_TOP),
                 stats.at<int>(i, cv::CC_STAT_WIDTH), stats.at<int>(i, cv::CC_STAT_HEIGHT));
    if (box.area() < kMinSeed * total) continue;
    // The 5x5 window spreads the texture 2 px beyond the picture.
    if (box.width > 8 && box.height > 8) {
      box = cv::Rect(box.x + 2, box.y + 2, box.width - 4, box.height - 4);
    }
    boxes.push_back(Grow(small, grey, box, around));
  }
  for (bool merged = true; merged;) {  // boxes that overlap are one picture
    merged = false;
    for (size_t i = 0; i < boxes.size() && !merged; ++i) {
      for (size_t j = i + 1; j < boxes.size() && !merged; ++j) {
        if ((boxes[i] & boxes[j]).area() > 0) {
          boxes[i] |= boxes[j];
          boxes.erase(boxes.begin() + long(j));
          merged = true;
        }
      }
    }
  }
  std::vector<cv::Rect> out;
  for (const cv::Rect& box : boxes) {
    if (Plausible(box, total) && cv::countNonZero(textured(box)) >= kMinTextured * box.area()) {
      out.push_back(box);
    }
  }
  return out;
}

// Solid areas apart from the surroundings' colour (a picture with a plain background of its
// own) that hold many colours, unlike a flat bar or button.
std::vector<cv::Rect> ApartRegions(const cv::Mat& small, const cv::Scalar& around) {
  cv::Mat diff;
  cv::absdiff(small, around, diff);
  if (diff.channels() > 1) {
    std::vector<cv::Mat> planes;
    cv::split(diff, planes);
    diff = planes[0];
    for (size_t c = 1; c < planes.size(); ++c) diff = cv::max(diff, planes[c]);
  }
  cv::Mat apart = diff > kApart, opened;
  cv::morphologyEx(apart, opened, cv::MORPH_OPEN,
                   cv::getStructuringElement(cv::MORPH_RECT, cv::Size(3, 3)));
  cv::Mat labels, stats, centroids;
  const int n = cv::connectedComponentsWithStats(opened, labels, stats, centroids, 8, CV_32S);
  std::vector<cv::Rect> out;
  for (int i = 1; i < n; ++i) {
    const cv::Rect box(stats.at<int>(i, cv::CC_STAT_LEFT), stats.at<int>(i, cv::CC_STAT_TOP),
                       stats.at<int>(i, cv::CC_STAT_WIDTH), stats.at<int>(i, cv::CC_STAT_HEIGHT));
    if (!Plausible(box, double(small.total()))) continue;
    if (stats.at<int>(i, cv::CC_STAT_AREA) < kMinFill * box.area()) continue;
    if (Colours(small, box) < kMinColours) continue;
    out.push_back(box);
  }
  return out;
}

double IoU(const cv::Rect& a, const cv::Rect& b) {
  const double inter = (a & b).area();
  return inter / (double(a.area()) + double(b.area()) - inter);
}

}  // namespace

std::vector<Region> ContentRegions(const Image& image, int max_regions) {
  if (image.width < 32 || image.height < 32 || max_regions <= 0) return {};
  const cv::Mat src = image_internal::AsMat(image);
  const double scale = std::min(1.0, double(kWorkSide) / std::max(image.width, image.height));
  cv::Mat small, grey;
  if (scale < 1) {
    cv::resize(src, small, cv::Size(), scale, scale, cv::INTER_AREA);
  } else {
    small = src;
  }
  if (small.channels() == 1) {
    grey = small;
  } else {
    cv::cvtColor(small, grey, cv::COLOR_RGB2GRAY);
  }
  const Commonest around = CommonestColour(small);
  if (around.share < kMinSurroundings) return {};  // no flat surroundings: a photo
  // Both finders; a region found by both is kept once, as the solid area (its edges are the
  // picture's own, where a grown textured area may stop short of a smooth part).
  std::vector<cv::Rect> all = ApartRegions(small, around.colour);
  for (const cv::Rect& b : TexturedRegions(small, grey, around.colour)) {
    if (std::none_of(all.begin(), all.end(),
                     [&](const cv::Rect& a) { return IoU(a, b) >= kSameRegion; })) {
      all.push_back(b);
    }
  }
  std::stable_sort(all.begin(), all.end(),
                   [](const cv::Rect& a, const cv::Rect& b) { return a.area() > b.area(); });
  const double to_full = 1.0 / scale;
  std::vector<Region> out;
  for (const cv::Rect& r : all) {
    if (int(out.size()) == max_regions) break;
    Region g;
    g.x = std::clamp(int(std::lround(r.x * to_full)), 0, image.width - 1);
    g.y = std::clamp(int(std::lround(r.y * to_full)), 0, image.height - 1);
    g.width = std::clamp(int(std::lround(r.width * to_full)), 1, image.width - g.x);
    g.height = std::clamp(int(std::lround(r.height * to_full)), 1, image.height - g.y);
    out.push_back(g);
  }
  return out;
}

}  // namespace neardup
