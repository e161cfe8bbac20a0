#include "verify/match_picture.h"

#include <algorithm>
#include <opencv2/imgproc.hpp>

#include "image/cv_image.h"

namespace neardup {
namespace {

cv::Mat Rgb(const Image& image, double scale) {
  cv::Mat src = image_internal::AsMat(image), rgb, out;
  if (image.channels == 1) {
    cv::cvtColor(src, rgb, cv::COLOR_GRAY2RGB);
  } else {
    rgb = src;
  }
  cv::resize(rgb, out,
             cv::Size(std::max(1, int(image.width * scale + 0.5)),
                      std::max(1, int(image.height * scale + 0.5))),
             0, 0, scale < 1 ? cv::INTER_AREA : cv::INTER_LINEAR);
  return out;
}

void Outline(cv::Mat& canvas, const std::array<Point2, 4>& q, double scale, int dx,
             const cv::Scalar& colour) {
  std::vector<cv::Point> pts;
  for (const Point2& p : q) pts.emplace_back(int(p.x * scale + 0.5) + dx, int(p.y * scale + 0.5));
  cv::polylines(canvas, pts, /*isClosed=*/true, colour, 2, cv::LINE_AA);
}

}  // namespace

Image DrawMatches(const Image& a, const Image& b,
                  const std::vector<std::pair<Point2, Point2>>& matches,
                  const std::array<Point2, 4>& region_a, const std::array<Point2, 4>& region_b,
                  int height, size_t max_lines) {
  const double sa = double(height) / std::max(1, a.height);
  const double sb = double(height) / std::max(1, b.height);
  cv::Mat ma = Rgb(a, sa), mb = Rgb(b, sb);
  const int gap = 8;
  cv::Mat canvas(height, ma.cols + gap + mb.cols, CV_8UC3, cv::Scalar(255, 255, 255));
  ma.copyTo(canvas(cv::Rect(0, 0, ma.cols, std::min(height, ma.rows))));
  mb.copyTo(canvas(cv::Rect(ma.cols + gap, 0, mb.cols, std::min(height, mb.rows))));
  const int dx = ma.cols + gap;
  const size_t step =
      std::max<size_t>(1, (matches.size() + max_lines - 1) / std::max<size_t>(1, max_lines));
  for (size_t i = 0; i < matches.size(); i += step) {
    const auto& [pa, pb] = matches[i];
    // Colours vary along the list so crossing lines stay tellable apart (RGB order).
    const double t = double(i) / std::max<size_t>(1, matches.size());
    const cv::Scalar colour(255 * (1 - t), 160, 255 * t);
    const cv::Point p(int(pa.x * sa + 0.5), int(pa.y * sa + 0.5));
    const cv::Point q(int(pb.x * sb + 0.5) + dx, int(pb.y * sb + 0.5));
    cv::line(canvas, p, q, colour, 1, cv::LINE_AA);
    cv::circle(canvas, p, 2, colour, -1, cv::LINE_AA);
    cv::circle(canvas, q, 2, colour, -1, cv::LINE_AA);
  }
  Outline(canvas, region_a, sa, 0, cv::Scalar(255, 220, 0));
  Outline(canvas, region_b, sb, dx, cv::Scalar(255, 220, 0));
  return image_internal::FromMat(canvas);
}

}  // namespace neardup
