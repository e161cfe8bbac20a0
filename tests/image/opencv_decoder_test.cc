// Formats decoded through OpenCV: bit depth and alpha normalisation, channel handling, and
// pixel limits checked from the header before decoding.
#include <gtest/gtest.h>

#include <chrono>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <string>
#include <vector>

#include "image_test_helpers.h"
#include "neardup/decode.h"
#include "testutil/testutil.h"

namespace neardup {
namespace {

using testing::MakeTestPhoto;
using testing::MustEncode;

std::string CvEncode(const cv::Mat& mat, const char* ext) {
  std::vector<uchar> buffer;
  if (!cv::imencode(ext, mat, buffer)) std::abort();
  return std::string(buffer.begin(), buffer.end());
}

TEST(OpenCvDecoderTest, SixteenBitPngIsReducedToEightBits) {
  // BGR in OpenCV's order: B = 0x1234, G = 0x8000, R = 0xFFFF everywhere.
  cv::Mat mat(20, 30, CV_16UC3, cv::Scalar(0x1234, 0x8000, 0xFFFF));
  for (const char* ext : {".png", ".tiff"}) {
    StatusOr<Image> img = DecodeImage(CvEncode(mat, ext), DecodeOptions{});
    ASSERT_TRUE(img.ok()) << ext << ": " << img.status().ToString();
    EXPECT_EQ(img->channels, 3);
    EXPECT_EQ(img->at(5, 5, 0), 255) << ext;           // R
    EXPECT_EQ(img->at(5, 5, 1), 128) << ext;           // 0x8000 / 257 = 127.5
    EXPECT_EQ(img->at(5, 5, 2), 0x1234 / 257) << ext;  // B
  }
}

TEST(OpenCvDecoderTest, GreyPngStaysGreyOrExpandsToRgb) {
  cv::Mat grey(10, 12, CV_8UC1);
  for (int y = 0; y < 10; ++y) {
    for (int x = 0; x < 12; ++x) grey.at<uint8_t>(y, x) = uint8_t(20 * y + x);
  }
  const std::string png = CvEncode(grey, ".png");
  DecodeOptions as_grey;
  as_grey.grey = true;
  StatusOr<Image> g = DecodeImage(png, as_grey);
  ASSERT_TRUE(g.ok());
  EXPECT_EQ(g->channels, 1);
  EXPECT_EQ(g->at(3, 4), 64);
  StatusOr<Image> rgb = DecodeImage(png, DecodeOptions{});
  ASSERT_TRUE(rgb.ok());
  EXPECT_EQ(rgb->channels, 3);
  for (int c = 0; c < 3; ++c) EXPECT_EQ(rgb->at(3, 4, c), 64);

  cv::Mat grey16;
  grey.convertTo(grey16, CV_16U, 257.0);
  g = DecodeImage(CvEncode(grey16, ".png"), as_grey);
  ASSERT_TRUE(g.ok());
  EXPECT_EQ(g->at(3, 4), 64);
}

TEST(OpenCvDecoderTest, ColourPngBecomesLumaWhenGreyIsAsked) {
  cv::Mat bgr(4, 4, CV_8UC3, cv::Scalar(0, 0, 255));  // pure red
  DecodeOptions as_grey;
  as_grey.grey = true;
  StatusOr<Image> g = DecodeImage(CvEncode(bgr, ".png"), as_grey);
  ASSERT_TRUE(g.ok());
  EXPECT_EQ(g->channels, 1);
  EXPECT_NEAR(g->at(1, 1), 76, 1);  // 0.299 * 255
}

TEST(OpenCvDecoderTest, AlphaIsCompositedOverWhite) {
  cv::Mat bgra(8, 8, CV_8UC4);
  for (int x = 0; x < 8; ++x) {
    // Opaque red, fully transparent black, half-transparent blue.
    const cv::Vec4b colour = x < 3   ? cv::Vec4b(0, 0, 255, 255)
                             : x < 6 ? cv::Vec4b(0, 0, 0, 0)
                                     : cv::Vec4b(255, 0, 0, 128);
    for (int y = 0; y < 8; ++y) bgra.at<cv::Vec4b>(y, x) = colour;
  }
  for (const char* ext : {".png", ".webp", ".tiff"}) {
    std::vector<uchar> buffer;
    std::vector<int> params;
    if (std::string(ext) == ".webp") params = {cv::IMWRITE_WEBP_QUALITY, 101};  // lossless
    ASSERT_TRUE(cv::imencode(ext, bgra, buffer, params));
    StatusOr<Image> img = DecodeImage(std::string(buffer.begin(), buffer.end()), DecodeOptions{});
    ASSERT_TRUE(img.ok()) << ext << ": " << img.status().ToString();
    ASSERT_EQ(img->channels, 3);
    EXPECT_EQ(img->at(4, 1, 0), 255) << ext;
    EXPECT_EQ(img->at(4, 1, 1), 0) << ext;
    for (int c = 0; c < 3; ++c) EXPECT_EQ(img->at(4, 4, c), 255) << ext << " transparent";
    EXPECT_NEAR(img->at(4, 7, 0), 127, 1) << ext;  // white showing through half of the blue
    EXPECT_NEAR(img->at(4, 7, 2), 255, 1) << ext;
  }
}

TEST(OpenCvDecoderTest, LightContentOnTransparencyIsCompositedOverBlack) {
  // A white disc on a fully transparent background: over white it would vanish.
  cv::Mat bgra(32, 32, CV_8UC4, cv::Scalar(0, 0, 0, 0));
  cv::circle(bgra, {16, 16}, 8, cv::Scalar(255, 255, 255, 255), cv::FILLED);
  for (const char* ext : {".png", ".webp"}) {
    std::vector<uchar> buffer;
    std::vector<int> params;
    if (std::string(ext) == ".webp") params = {cv::IMWRITE_WEBP_QUALITY, 101};
    ASSERT_TRUE(cv::imencode(ext, bgra, buffer, params));
    StatusOr<Image> img = DecodeImage(std::string(buffer.begin(), buffer.end()), DecodeOptions{});
    ASSERT_TRUE(img.ok()) << ext;
    for (int c = 0; c < 3; ++c) {
      EXPECT_EQ(img->at(16, 16, c), 255) << ext << " the disc";
      EXPECT_EQ(img->at(1, 1, c), 0) << ext << " the background";
    }
  }
}

// A PNG whose IHDR (with a valid CRC) claims width x height; no image data follows.
std::string PngHeader(uint32_t width, uint32_t height) {
  using testing::Be32;
  const std::string ihdr = Be32(width) + Be32(height) + std::string("\x08\x02\0\0\0", 5);
  return std::string("\x89PNG\r\n\x1a\n", 8) + testing::PngChunk("IHDR", ihdr) +
         testing::PngChunk("IDAT", std::string("\x78\x9c\x03\0\0\0\0\x01", 8)) +
         testing::PngChunk("IEND", "");
}

TEST(OpenCvDecoderTest, PngBombIsRefusedFromItsHeader) {
  const auto start = std::chrono::steady_clock::now();
  StatusOr<Image> img = DecodeImage(PngHeader(100000, 100000), DecodeOptions{}, nullptr, "b.png");
  const auto elapsed = std::chrono::steady_clock::now() - start;
  ASSERT_FALSE(img.ok());
  EXPECT_EQ(img.status().code(), StatusCode::kResourceExhausted);
  EXPECT_EQ(img.status().message(),
            "b.png: image is 100000x100000 = 10000000000 pixels, over the limit of 268435456");
  EXPECT_LT(elapsed, std::chrono::milliseconds(200));  // no 30 GB allocation was attempted
}

class HeaderLimitTest : public ::testing::TestWithParam<const char*> {};

// Every format whose header is sniffed refuses an image one pixel over max_pixels.
TEST_P(HeaderLimitTest, MaxPixelsIsCheckedForEachFormat) {
  const std::string bytes = MustEncode(MakeTestPhoto(120, 80, 2), GetParam());
  DecodeOptions options;
  options.max_pixels = 120 * 80;
  EXPECT_TRUE(DecodeImage(bytes, options).ok()) << GetParam();
  options.max_pixels = 120 * 80 - 1;
  StatusOr<Image> img = DecodeImage(bytes, options);
  ASSERT_FALSE(img.ok());
  EXPECT_EQ(img.status().code(), StatusCode::kResourceExhausted) << GetParam();
  EXPECT_NE(img.status().message().find("120x80"), std::string::npos) << img.status().message();
}

INSTANTIATE_TEST_SUITE_P(Formats, HeaderLimitTest,
                         ::testing::Values(".png", ".bmp", ".webp", ".tiff", ".jpg", ".ppm"),
                         [](const auto& info) { return std::string(info.param + 1); });

TEST(OpenCvDecoderTest, LosslessWebpHeaderIsSniffed) {
  std::vector<uchar> buffer;
  cv::Mat bgr(77, 33, CV_8UC3, cv::Scalar(1, 2, 3));
  ASSERT_TRUE(cv::imencode(".webp", bgr, buffer, {cv::IMWRITE_WEBP_QUALITY, 101}));
  const std::string webp(buffer.begin(), buffer.end());
  ASSERT_EQ(webp.substr(12, 4), "VP8L");
  DecodeOptions options;
  options.max_pixels = 77 * 33 - 1;
  EXPECT_EQ(DecodeImage(webp, options).status().code(), StatusCode::kResourceExhausted);
}

}  // namespace
}  // namespace neardup
