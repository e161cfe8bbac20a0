// JPEG decoding: DCT-domain downscaling, pixel limits before decoding, damaged data, CMYK.
#include <gtest/gtest.h>
#include <turbojpeg.h>

#include <chrono>
#include <string>

#include "image_test_helpers.h"
#include "neardup/decode.h"
#include "neardup/preprocess.h"
#include "testutil/testutil.h"

namespace neardup {
namespace {

using testing::MakeTestPhoto;
using testing::MeanAbsDiff;
using testing::MustEncode;

DecodeOptions MinSide(int min_side) {
  DecodeOptions options;
  options.min_side = min_side;
  return options;
}

class JpegScalingTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    photo_ = new std::string(MustEncode(MakeTestPhoto(4000, 3000, 11), ".jpg", 90));
  }
  static void TearDownTestSuite() {
    delete photo_;
    photo_ = nullptr;
  }
  static std::string* photo_;
};
std::string* JpegScalingTest::photo_ = nullptr;

TEST_F(JpegScalingTest, MinSide256PicksOneEighth) {
  ImageInfo info;
  StatusOr<Image> img = DecodeImage(*photo_, MinSide(256), &info);
  ASSERT_TRUE(img.ok()) << img.status().ToString();
  EXPECT_EQ(img->width, 500);
  EXPECT_EQ(img->height, 375);
  EXPECT_EQ(info.decode_scale_num, 1);
  EXPECT_EQ(info.decode_scale_denom, 8);
  EXPECT_EQ(info.original_width, 4000);
  EXPECT_EQ(info.original_height, 3000);
}

TEST_F(JpegScalingTest, PicksTheSmallestScaleThatKeepsMinSide) {
  struct Case {
    int min_side, width, height;
  };
  // Shorter side 3000: 1/8 -> 375, 1/4 -> 750, 3/8 -> 1125, 1/2 -> 1500, 5/8 -> 1875.
  for (const Case& c : {Case{375, 500, 375}, Case{376, 1000, 750}, Case{1000, 1500, 1125},
                        Case{1400, 2000, 1500}, Case{1600, 2500, 1875}, Case{2999, 4000, 3000},
                        Case{5000, 4000, 3000}, Case{0, 4000, 3000}}) {
    StatusOr<Image> img = DecodeImage(*photo_, MinSide(c.min_side));
    ASSERT_TRUE(img.ok()) << img.status().ToString();
    EXPECT_EQ(img->width, c.width) << "min_side " << c.min_side;
    EXPECT_EQ(img->height, c.height) << "min_side " << c.min_side;
  }
}

TEST_F(JpegScalingTest, ReducedDecodeIsCloseToResizedFullDecode) {
  StatusOr<Image> full = DecodeImage(*photo_, MinSide(0));
  StatusOr<Image> reduced = DecodeImage(*photo_, MinSide(256));
  ASSERT_TRUE(full.ok() && reduced.ok());
  const Image resized = Resize(*full, reduced->width, reduced->height);
  EXPECT_LT(MeanAbsDiff(*reduced, resized), 3.0);
}

TEST_F(JpegScalingTest, GreyDecodeAtScale) {
  DecodeOptions options = MinSide(256);
  options.grey = true;
  StatusOr<Image> img = DecodeImage(*photo_, options);
  ASSERT_TRUE(img.ok());
  EXPECT_EQ(img->channels, 1);
  EXPECT_EQ(img->width, 500);
  StatusOr<Image> rgb = DecodeImage(*photo_, MinSide(256));
  ASSERT_TRUE(rgb.ok());
  EXPECT_LT(MeanAbsDiff(*img, ToGrey(*rgb)), 2.0);
}

// Overwrites the frame size in the first SOF0 marker.
std::string WithFrameSize(std::string jpeg, int width, int height) {
  const size_t sof = jpeg.find("\xff\xc0");
  if (sof == std::string::npos) std::abort();
  jpeg.replace(sof + 5, 4, testing::Be16(height) + testing::Be16(width));
  return jpeg;
}

TEST(JpegDecoderTest, HugeDimensionsAreRefusedBeforeDecoding) {
  const std::string bomb =
      WithFrameSize(MustEncode(MakeTestPhoto(16, 16, 1), ".jpg"), 60000, 60000);
  const auto start = std::chrono::steady_clock::now();
  StatusOr<Image> img = DecodeImage(bomb, DecodeOptions{}, nullptr, "bomb.jpg");
  const auto elapsed = std::chrono::steady_clock::now() - start;
  ASSERT_FALSE(img.ok());
  EXPECT_EQ(img.status().code(), StatusCode::kResourceExhausted);
  EXPECT_NE(img.status().message().find("60000x60000"), std::string::npos)
      << img.status().message();
  EXPECT_LT(elapsed, std::chrono::milliseconds(500));
}

TEST(JpegDecoderTest, MaxPixelsIsHonoured) {
  const std::string jpeg = MustEncode(MakeTestPhoto(200, 100, 1), ".jpg");
  DecodeOptions options;
  options.max_pixels = 20000;
  EXPECT_TRUE(DecodeImage(jpeg, options).ok());
  options.max_pixels = 19999;
  EXPECT_EQ(DecodeImage(jpeg, options).status().code(), StatusCode::kResourceExhausted);
}

// Decision: a JPEG whose entropy-coded data ends early is reported as Corruption (libjpeg would
// fill the rest grey and only warn), so a half-downloaded photo is not indexed as a new image.
TEST(JpegDecoderTest, TruncatedJpegIsCorruption) {
  std::string jpeg = MustEncode(MakeTestPhoto(320, 240, 4), ".jpg");
  jpeg.resize(jpeg.size() / 2);
  StatusOr<Image> img = DecodeImage(jpeg, DecodeOptions{}, nullptr, "half.jpg");
  ASSERT_FALSE(img.ok());
  EXPECT_EQ(img.status().code(), StatusCode::kCorruption) << img.status().ToString();
  EXPECT_EQ(img.status().message().rfind("half.jpg: ", 0), 0u) << img.status().message();
}

TEST(JpegDecoderTest, TruncatedHeaderIsCorruption) {
  std::string jpeg = MustEncode(MakeTestPhoto(64, 64, 4), ".jpg");
  jpeg.resize(40);
  StatusOr<Image> img = DecodeImage(jpeg, DecodeOptions{});
  ASSERT_FALSE(img.ok());
  EXPECT_EQ(img.status().code(), StatusCode::kCorruption) << img.status().ToString();
}

TEST(JpegDecoderTest, ExtraneousBytesBeforeMarkerAreTolerated) {
  // Junk between segments only makes libjpeg warn; the pixels are intact.
  const Image photo = MakeTestPhoto(64, 48, 4);
  std::string jpeg = MustEncode(photo, ".jpg");
  const size_t eoi = jpeg.rfind("\xff\xd9");
  jpeg.insert(eoi, "junk");
  StatusOr<Image> img = DecodeImage(jpeg, DecodeOptions{});
  ASSERT_TRUE(img.ok()) << img.status().ToString();
  EXPECT_LT(MeanAbsDiff(*img, photo), 8.0);
}

// A CMYK JPEG as Photoshop writes it (Adobe marker, inverted CMYK, YCCK-coded) via TurboJPEG.
std::string EncodeAdobeCmyk(const Image& rgb) {
  std::vector<unsigned char> cmyk(size_t(rgb.width) * rgb.height * 4);
  for (size_t i = 0, n = size_t(rgb.width) * rgb.height; i < n; ++i) {
    const uint8_t* p = &rgb.pixels[i * 3];
    const int max = std::max({p[0], p[1], p[2], uint8_t{1}});
    // Inverted: stored C = 255 - ink = R * 255 / max; stored K = 255 - black ink = max.
    for (int c = 0; c < 3; ++c) cmyk[i * 4 + c] = uint8_t(p[c] * 255 / max);
    cmyk[i * 4 + 3] = uint8_t(max);
  }
  tjhandle tj = tjInitCompress();
  unsigned char* out = nullptr;
  unsigned long size = 0;
  const int rc = tjCompress2(tj, cmyk.data(), rgb.width, 0, rgb.height, TJPF_CMYK, &out, &size,
                             TJSAMP_444, 95, 0);
  std::string bytes = rc == 0 ? std::string(reinterpret_cast<char*>(out), size) : "";
  tjFree(out);
  tjDestroy(tj);
  return bytes;
}

TEST(JpegDecoderTest, CmykJpegDecodesToPlausibleRgb) {
  const Image photo = MakeTestPhoto(160, 120, 21);
  const std::string jpeg = EncodeAdobeCmyk(photo);
  ASSERT_FALSE(jpeg.empty());
  ImageInfo info;
  StatusOr<Image> img = DecodeImage(jpeg, DecodeOptions{}, &info);
  ASSERT_TRUE(img.ok()) << img.status().ToString();
  EXPECT_EQ(img->channels, 3);
  EXPECT_EQ(img->width, 160);
  EXPECT_EQ(img->height, 120);
  EXPECT_LT(MeanAbsDiff(*img, photo), 8.0);

  // Downscaled consistently with min_side through OpenCV's reduced modes.
  StatusOr<Image> reduced = DecodeImage(jpeg, MinSide(30), &info);
  ASSERT_TRUE(reduced.ok()) << reduced.status().ToString();
  EXPECT_EQ(reduced->width, 40);
  EXPECT_EQ(reduced->height, 30);
  EXPECT_EQ(info.decode_scale_denom, 4);
  EXPECT_LT(MeanAbsDiff(*reduced, Resize(photo, 40, 30)), 10.0);
}

}  // namespace
}  // namespace neardup
