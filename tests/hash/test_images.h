// Test-only image helpers for tests/hash: decoding with OpenCV straight into neardup::Image (the
// hashes are checked independently of the library's own decoder), OpenCV edits of an Image, and
// reading the tab-separated expectation files.
#ifndef NEARDUP_TESTS_HASH_TEST_IMAGES_H_
#define NEARDUP_TESTS_HASH_TEST_IMAGES_H_

#include <gtest/gtest.h>

#include <cstring>
#include <fstream>
#include <functional>
#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "neardup/image.h"
#include "testutil/testutil.h"

namespace neardup::testing {

// Wraps an 8-bit OpenCV matrix (1 channel grey, or 3 channels in RGB order) as an Image.
inline Image ImageFromMat(const cv::Mat& mat) {
  EXPECT_EQ(mat.depth(), CV_8U);
  Image img(mat.cols, mat.rows, mat.channels());
  for (int y = 0; y < mat.rows; ++y) {
    std::memcpy(img.row(y), mat.ptr(y), size_t(mat.cols) * mat.channels());
  }
  return img;
}

inline cv::Mat MatFromImage(const Image& img) {
  cv::Mat mat(img.height, img.width, img.channels == 1 ? CV_8UC1 : CV_8UC3);
  for (int y = 0; y < img.height; ++y) {
    std::memcpy(mat.ptr(y), img.row(y), size_t(img.width) * img.channels);
  }
  return mat;
}

// Decodes tests/data/<relative> as stored (no EXIF rotation, as the PDQ reference's CImg loader):
// grey stays 1 channel, colour becomes RGB.
inline Image LoadTestImage(const std::string& relative) {
  cv::Mat mat = cv::imread(TestDataPath(relative), cv::IMREAD_UNCHANGED);
  EXPECT_FALSE(mat.empty()) << relative;
  if (mat.empty()) return Image();
  if (mat.channels() == 3) cv::cvtColor(mat, mat, cv::COLOR_BGR2RGB);
  if (mat.channels() == 4) cv::cvtColor(mat, mat, cv::COLOR_BGRA2RGB);
  return ImageFromMat(mat);
}

// Applies an OpenCV operation to an Image (channel order does not matter to the edits used).
inline Image Edit(const Image& img, const std::function<void(const cv::Mat&, cv::Mat&)>& op) {
  cv::Mat out;
  op(MatFromImage(img), out);
  return ImageFromMat(out);
}

inline Image JpegRecompress(const Image& img, int quality) {
  std::vector<uint8_t> bytes;
  EXPECT_TRUE(cv::imencode(".jpg", MatFromImage(img), bytes, {cv::IMWRITE_JPEG_QUALITY, quality}));
  return ImageFromMat(cv::imdecode(bytes, cv::IMREAD_UNCHANGED));
}

// The benign edits a near-duplicate finder must see through, each with its name.
inline std::vector<std::pair<std::string, Image>> BenignEdits(const Image& img) {
  return {
      {"resized to 60%",
       Edit(img, [](const cv::Mat& in,
                    cv::Mat& out) { cv::resize(in, out, cv::Size(), 0.6, 0.6, cv::INTER_AREA); })},
      {"gaussian blur sigma 1",
       Edit(img, [](const cv::Mat& in,
                    cv::Mat& out) { cv::GaussianBlur(in, out, cv::Size(5, 5), 1.0); })},
      {"jpeg quality 75", JpegRecompress(img, 75)},
  };
}

// A grey image of the given size whose pixel (x, y) is f(x, y).
inline Image GreyImage(int w, int h, const std::function<uint8_t(int, int)>& f) {
  Image img(w, h, 1);
  for (int y = 0; y < h; ++y) {
    for (int x = 0; x < w; ++x) img.at(y, x) = f(x, y);
  }
  return img;
}

// Rows of a tab-separated file under tests/data, header line skipped.
inline std::vector<std::vector<std::string>> ReadTsv(const std::string& relative) {
  std::ifstream in(TestDataPath(relative));
  EXPECT_TRUE(in.good()) << relative;
  std::vector<std::vector<std::string>> rows;
  std::string line;
  std::getline(in, line);
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    std::vector<std::string> fields;
    std::stringstream ss(line);
    std::string field;
    while (std::getline(ss, field, '\t')) fields.push_back(field);
    rows.push_back(fields);
  }
  return rows;
}

}  // namespace neardup::testing

#endif  // NEARDUP_TESTS_HASH_TEST_IMAGES_H_
