// DecodeImage / DecodeFile: dispatch by magic bytes, round trips of every format OpenCV writes,
// rejection of non-images, and error context.
#include "neardup/decode.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <random>
#include <string>

#include "image/decoders.h"
#include "image_test_helpers.h"
#include "testutil/testutil.h"

namespace neardup {
namespace {

using testing::MakeTestPhoto;
using testing::MeanAbsDiff;
using testing::MustEncode;
using testing::TempDir;
using testing::WriteBytes;

struct RoundTrip {
  const char* ext;
  const char* format;
  double max_mean_abs_diff;  // 0 for lossless formats
};

class RoundTripTest : public ::testing::TestWithParam<RoundTrip> {};

TEST_P(RoundTripTest, DecodesWhatWasEncoded) {
  const RoundTrip& p = GetParam();
  const Image original = MakeTestPhoto(96, 64, 7);
  const std::string bytes = MustEncode(original, p.ext);
  ImageInfo info;
  StatusOr<Image> decoded = DecodeImage(bytes, DecodeOptions{}, &info);
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  EXPECT_STREQ(info.format, p.format);
  EXPECT_EQ(decoded->width, 96);
  EXPECT_EQ(decoded->height, 64);
  EXPECT_EQ(decoded->channels, 3);
  EXPECT_EQ(info.original_width, 96);
  EXPECT_EQ(info.original_height, 64);
  EXPECT_LE(MeanAbsDiff(*decoded, original), p.max_mean_abs_diff);

  DecodeOptions grey;
  grey.grey = true;
  StatusOr<Image> g = DecodeImage(bytes, grey);
  ASSERT_TRUE(g.ok()) << g.status().ToString();
  EXPECT_EQ(g->channels, 1);
  EXPECT_EQ(g->width, 96);
}

INSTANTIATE_TEST_SUITE_P(
    Formats, RoundTripTest,
    ::testing::Values(RoundTrip{".jpg", "jpeg", 8.0}, RoundTrip{".png", "png", 0.0},
                      RoundTrip{".webp", "webp", 4.0}, RoundTrip{".tiff", "tiff", 0.0},
                      RoundTrip{".bmp", "bmp", 0.0}, RoundTrip{".ppm", "pnm", 0.0}),
    [](const auto& info) { return std::string(info.param.ext + 1); });

TEST(DecodeTest, FormatComesFromMagicBytesNotExtension) {
  TempDir dir;
  const Image original = MakeTestPhoto(40, 30, 3);
  ASSERT_TRUE(WriteImage(dir.Join("real.png"), original).ok());
  std::string png;
  ASSERT_TRUE(ReadFileBytes(dir.Join("real.png"), &png).ok());
  WriteBytes(dir.Join("actually_png.jpg"), png);
  ImageInfo info;
  StatusOr<Image> decoded = DecodeFile(dir.Join("actually_png.jpg"), DecodeOptions{}, &info);
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  EXPECT_STREQ(info.format, "png");
  EXPECT_EQ(MeanAbsDiff(*decoded, original), 0.0);
}

TEST(DecodeTest, SniffFormatRecognisesMagicBytes) {
  using image_internal::Format;
  using image_internal::SniffFormat;
  EXPECT_EQ(SniffFormat("\xff\xd8\xff\xe0"), Format::kJpeg);
  EXPECT_EQ(SniffFormat(std::string("\x89PNG\r\n\x1a\n", 8)), Format::kPng);
  EXPECT_EQ(SniffFormat("GIF87a...."), Format::kGif);
  EXPECT_EQ(SniffFormat("GIF89a...."), Format::kGif);
  EXPECT_EQ(SniffFormat(std::string("RIFF\x10\0\0\0WEBPVP8 ", 16)), Format::kWebp);
  EXPECT_EQ(SniffFormat(std::string("RIFF\x10\0\0\0WAVEfmt ", 16)), Format::kUnknown);
  EXPECT_EQ(SniffFormat(std::string("II*\0\x08\0\0\0", 8)), Format::kTiff);
  EXPECT_EQ(SniffFormat(std::string("MM\0*\0\0\0\x08", 8)), Format::kTiff);
  EXPECT_EQ(SniffFormat(std::string("\0\0\0\x18"
                                    "ftypheic\0\0\0\0",
                                    16)),
            Format::kHeif);
  EXPECT_EQ(SniffFormat(std::string("\0\0\0\x18"
                                    "ftypavif\0\0\0\0",
                                    16)),
            Format::kHeif);
  EXPECT_EQ(SniffFormat(std::string("\0\0\0\x18"
                                    "ftypmp42\0\0\0\0",
                                    16)),
            Format::kUnknown);
  EXPECT_EQ(SniffFormat("BM is how this text starts, but it is no bitmap"), Format::kUnknown);
  EXPECT_EQ(SniffFormat("\xff\xd8"), Format::kUnknown);
  EXPECT_EQ(SniffFormat(""), Format::kUnknown);
}

TEST(DecodeTest, RandomBytesAreNotAnImage) {
  std::mt19937 rng(1);
  std::string bytes(4096, '\0');
  for (char& c : bytes) c = char(rng());
  bytes[0] = 0x42;  // keep clear of every magic number
  bytes[1] = 0x00;
  StatusOr<Image> decoded = DecodeImage(bytes, DecodeOptions{}, nullptr, "noise.bin");
  ASSERT_FALSE(decoded.ok());
  EXPECT_EQ(decoded.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(decoded.status().message(), "noise.bin: not an image (unrecognised format)");
}

TEST(DecodeTest, TextFileNamedJpgIsNotAnImage) {
  TempDir dir;
  WriteBytes(dir.Join("notes.jpg"), "These are my holiday notes, not a photo.\n");
  StatusOr<Image> decoded = DecodeFile(dir.Join("notes.jpg"), DecodeOptions{});
  ASSERT_FALSE(decoded.ok());
  EXPECT_EQ(decoded.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(decoded.status().message(),
            dir.Join("notes.jpg") + ": not an image (unrecognised format)");
}

TEST(DecodeTest, EmptyInputIsInvalidArgument) {
  StatusOr<Image> decoded = DecodeImage("", DecodeOptions{}, nullptr, "x.png");
  ASSERT_FALSE(decoded.ok());
  EXPECT_EQ(decoded.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(decoded.status().message(), "x.png: empty file");

  TempDir dir;
  WriteBytes(dir.Join("zero.jpg"), "");
  decoded = DecodeFile(dir.Join("zero.jpg"), DecodeOptions{});
  ASSERT_FALSE(decoded.ok());
  EXPECT_EQ(decoded.status().code(), StatusCode::kInvalidArgument);
}

TEST(DecodeTest, FileErrorsCarryThePath) {
  TempDir dir;
  ASSERT_EQ(mkdir(dir.Join("folder.jpg").c_str(), 0755), 0);
  StatusOr<Image> decoded = DecodeFile(dir.Join("folder.jpg"), DecodeOptions{});
  ASSERT_FALSE(decoded.ok());
  EXPECT_EQ(decoded.status().message(),
            dir.Join("folder.jpg") + ": not a regular file (directory)");

  decoded = DecodeFile(dir.Join("missing.png"), DecodeOptions{});
  ASSERT_FALSE(decoded.ok());
  EXPECT_EQ(decoded.status().code(), StatusCode::kNotFound);
}

TEST(DecodeTest, DamagedPngIsCorruptionWithPath) {
  const Image original = MakeTestPhoto(64, 64, 5);
  std::string png = MustEncode(original, ".png");
  png.resize(png.size() / 2);
  StatusOr<Image> decoded = DecodeImage(png, DecodeOptions{}, nullptr, "half.png");
  ASSERT_FALSE(decoded.ok());
  EXPECT_EQ(decoded.status().code(), StatusCode::kCorruption) << decoded.status().ToString();
  EXPECT_EQ(decoded.status().message().rfind("half.png: ", 0), 0u);
}

TEST(EncodeTest, WriteImageChoosesFormatByExtension) {
  TempDir dir;
  const Image original = MakeTestPhoto(32, 24, 9);
  ASSERT_TRUE(WriteImage(dir.Join("a.PNG"), original).ok());
  ImageInfo info;
  StatusOr<Image> decoded = DecodeFile(dir.Join("a.PNG"), DecodeOptions{}, &info);
  ASSERT_TRUE(decoded.ok());
  EXPECT_STREQ(info.format, "png");
  EXPECT_EQ(MeanAbsDiff(*decoded, original), 0.0);

  Image grey(16, 8, 1);
  for (size_t i = 0; i < grey.pixels.size(); ++i) grey.pixels[i] = uint8_t(i);
  StatusOr<std::string> bytes = EncodeImage(grey, ".png");
  ASSERT_TRUE(bytes.ok());
  DecodeOptions as_grey;
  as_grey.grey = true;
  decoded = DecodeImage(*bytes, as_grey);
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(decoded->pixels, grey.pixels);
}

TEST(EncodeTest, ErrorsAreValues) {
  const Image img = MakeTestPhoto(8, 8, 1);
  EXPECT_EQ(WriteImage("/nonexistent-dir/x.png", img).code(), StatusCode::kIOError);
  EXPECT_EQ(WriteImage("/tmp/no_extension", img).code(), StatusCode::kInvalidArgument);
  EXPECT_FALSE(EncodeImage(img, ".nosuchformat").ok());
  EXPECT_FALSE(EncodeImage(Image(), ".png").ok());
}

}  // namespace
}  // namespace neardup
