#include "image/montage.h"

#include <algorithm>
#include <cmath>
#include <opencv2/imgproc.hpp>

#include "image/cv_image.h"

namespace neardup {
namespace {

using image_internal::AsMat;
using image_internal::FromMat;

constexpr int kGap = 8;  // px between cells and around the picture
constexpr int kFont = cv::FONT_HERSHEY_SIMPLEX;
constexpr double kFontScale = 0.5;
constexpr int kLineHeight = 20;

// `image` as an RGB Mat scaled to `height` px high and at most `max_width` wide.
cv::Mat Fit(const Image& image, int height, int max_width) {
  cv::Mat rgb;
  if (image.channels == 1) {
    cv::cvtColor(AsMat(image), rgb, cv::COLOR_GRAY2RGB);
  } else {
    rgb = AsMat(image);
  }
  const double f = std::min(double(height) / image.height, double(max_width) / image.width);
  const int w = std::max(1, int(std::lround(image.width * f)));
  const int h = std::max(1, int(std::lround(image.height * f)));
  cv::Mat out;
  cv::resize(rgb, out, cv::Size(w, h), 0, 0, f < 1 ? cv::INTER_AREA : cv::INTER_LINEAR);
  return out;
}

void Text(cv::Mat& canvas, const std::string& text, int x, int baseline_y) {
  cv::putText(canvas, text, cv::Point(x, baseline_y), kFont, kFontScale, cv::Scalar(20, 20, 20), 1,
              cv::LINE_AA);
}

}  // namespace

Image Montage(const std::vector<std::vector<MontageCell>>& rows,
              const std::vector<std::string>& lines, int cell_height) {
  cell_height = std::max(16, cell_height);
  const int max_cell_width = 2 * cell_height;
  std::vector<std::vector<cv::Mat>> fitted(rows.size());
  int width = 0;
  for (size_t r = 0; r < rows.size(); ++r) {
    int row_width = kGap;
    for (const MontageCell& cell : rows[r]) {
      cv::Mat m;
      if (cell.image != nullptr && !cell.image->empty()) {
        m = Fit(*cell.image, cell_height, max_cell_width);
      }
      int baseline = 0;
      const int caption_w = cv::getTextSize(cell.caption, kFont, kFontScale, 1, &baseline).width;
      row_width += std::max({m.cols, caption_w, cell_height / 2}) + kGap;
      fitted[r].push_back(m);
    }
    width = std::max(width, row_width);
  }
  for (const std::string& line : lines) {
    int baseline = 0;
    width = std::max(width, 2 * kGap + cv::getTextSize(line, kFont, kFontScale, 1, &baseline).width);
  }
  const int row_height = cell_height + kLineHeight + kGap;
  const int height = kGap + int(rows.size()) * row_height + int(lines.size()) * kLineHeight + kGap;
  cv::Mat canvas(std::max(1, height), std::max(1, width), CV_8UC3, cv::Scalar(255, 255, 255));
  int y = kGap;
  for (size_t r = 0; r < rows.size(); ++r) {
    int x = kGap;
    for (size_t c = 0; c < rows[r].size(); ++c) {
      const cv::Mat& m = fitted[r][c];
      if (!m.empty()) {
        const cv::Rect where(x, y + (cell_height - m.rows) / 2, m.cols, m.rows);
        m.copyTo(canvas(where));
        // A frame, so white images stay visible on the white page.
        cv::rectangle(canvas, where - cv::Point(1, 1) + cv::Size(2, 2), cv::Scalar(160, 160, 160));
      }
      Text(canvas, rows[r][c].caption, x, y + cell_height + kLineHeight - 5);
      int baseline = 0;
      const int caption_w =
          cv::getTextSize(rows[r][c].caption, kFont, kFontScale, 1, &baseline).width;
      x += std::max({m.cols, caption_w, cell_height / 2}) + kGap;
    }
    y += row_height;
  }
  for (const std::string& line : lines) {
    y += kLineHeight;
    Text(canvas, line, kGap, y - 5);
  }
  return FromMat(canvas);
}

}  // namespace neardup
