// The libpng decoder: every colour type and bit depth gives the pixels the former OpenCV path
// (DecodeWithOpenCV, still built for the other formats) gave, libpng's warnings never reach
// stderr, and damaged files and bombs are refused.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <png.h>
#include <unistd.h>

#include <chrono>
#include <csetjmp>
#include <cstdio>
#include <cstring>
#include <opencv2/imgcodecs.hpp>
#include <string>
#include <vector>

#include "image/decoders.h"
#include "image_test_helpers.h"
#include "neardup/decode.h"
#include "testutil/testutil.h"

namespace neardup {
namespace {

using image_internal::DecodePng;
using image_internal::DecodeWithOpenCV;
using image_internal::Format;
using testing::MakeTestPhoto;
using testing::MeanAbsDiff;

// What to write: `samples` holds rows of width * channels samples (16-bit ones big-endian, as
// PNG stores them), or palette indices for PNG_COLOR_TYPE_PALETTE.
struct PngSpec {
  int width = 0;
  int height = 0;
  int color_type = PNG_COLOR_TYPE_RGB;
  int bit_depth = 8;
  bool interlaced = false;
  std::vector<uint8_t> samples;  // packed rows for bit depths under 8
  std::vector<png_color> palette;
  std::vector<uint8_t> palette_alpha;  // tRNS for a palette
  int grey_key = -1;                   // tRNS for a grey image
  std::string extra_chunks;            // raw chunks inserted right after IHDR
};

void AppendToString(png_structp png, png_bytep data, size_t length) {
  static_cast<std::string*>(png_get_io_ptr(png))->append(reinterpret_cast<char*>(data), length);
}

// Encodes `spec` with libpng's classic API (no gAMA/sRGB chunks are written).
std::string WritePng(const PngSpec& spec) {
  std::string out;
  png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, nullptr, nullptr, nullptr);
  png_infop info = png_create_info_struct(png);
  if (setjmp(png_jmpbuf(png))) std::abort();
  png_set_write_fn(png, &out, AppendToString, nullptr);
  png_set_IHDR(png, info, spec.width, spec.height, spec.bit_depth, spec.color_type,
               spec.interlaced ? PNG_INTERLACE_ADAM7 : PNG_INTERLACE_NONE,
               PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
  if (!spec.palette.empty()) {
    png_set_PLTE(png, info, spec.palette.data(), int(spec.palette.size()));
  }
  if (!spec.palette_alpha.empty()) {
    png_set_tRNS(png, info, spec.palette_alpha.data(), int(spec.palette_alpha.size()), nullptr);
  }
  if (spec.grey_key >= 0) {
    png_color_16 key{};
    key.gray = png_uint_16(spec.grey_key);
    png_set_tRNS(png, info, nullptr, 1, &key);
  }
  png_write_info(png, info);
  const size_t row_bytes = png_get_rowbytes(png, info);
  std::vector<png_bytep> rows(spec.height);
  for (int y = 0; y < spec.height; ++y) {
    rows[y] = const_cast<png_bytep>(spec.samples.data()) + y * row_bytes;
  }
  png_write_image(png, rows.data());
  png_write_end(png, info);
  png_destroy_write_struct(&png, &info);
  if (!spec.extra_chunks.empty()) out.insert(8 + 25, spec.extra_chunks);
  return out;
}

int Channels(int color_type) {
  switch (color_type) {
    case PNG_COLOR_TYPE_GRAY:
    case PNG_COLOR_TYPE_PALETTE:
      return 1;
    case PNG_COLOR_TYPE_GRAY_ALPHA:
      return 2;
    case PNG_COLOR_TYPE_RGB:
      return 3;
    default:
      return 4;
  }
}

// A spec filled with varied samples: gradients, noise and (with alpha) every alpha level.
PngSpec Varied(int color_type, int bit_depth, uint32_t seed = 1) {
  PngSpec spec;
  spec.width = 37;  // odd, so rows of sub-byte samples end mid-byte
  spec.height = 23;
  spec.color_type = color_type;
  spec.bit_depth = bit_depth;
  const int channels = Channels(color_type);
  const size_t row_bytes = (size_t(spec.width) * channels * bit_depth + 7) / 8;
  spec.samples.resize(row_bytes * spec.height);
  uint32_t state = seed * 2654435761u + 12345;
  for (auto& byte : spec.samples) {
    state = state * 1103515245u + 12345;
    byte = uint8_t(state >> 24);
  }
  if (color_type == PNG_COLOR_TYPE_PALETTE) {
    const int entries = 1 << bit_depth;
    for (size_t i = 0; i < spec.samples.size(); ++i) {
      if (bit_depth == 8) spec.samples[i] %= entries;  // sub-byte indices are always in range
    }
    for (int i = 0; i < entries; ++i) {
      spec.palette.push_back(png_color{uint8_t(i * 37), uint8_t(255 - i * 11), uint8_t(i * i)});
    }
  }
  return spec;
}

DecodeOptions Grey(bool grey) {
  DecodeOptions options;
  options.grey = grey;
  return options;
}

// libpng's result equals OpenCV's, as RGB and as grey.
void ExpectSameAsOpenCv(const std::string& png, const std::string& what) {
  for (bool grey : {false, true}) {
    ImageInfo info_png, info_cv;
    StatusOr<Image> ours = DecodePng(png, Grey(grey), &info_png);
    StatusOr<Image> theirs = DecodeWithOpenCV(png, Format::kPng, Grey(grey), &info_cv);
    ASSERT_TRUE(ours.ok()) << what << ": " << ours.status().ToString();
    ASSERT_TRUE(theirs.ok()) << what << ": " << theirs.status().ToString();
    EXPECT_EQ(ours->channels, grey ? 1 : 3) << what;
    EXPECT_EQ(ours->width, theirs->width) << what;
    EXPECT_EQ(ours->height, theirs->height) << what;
    EXPECT_EQ(ours->channels, theirs->channels) << what;
    EXPECT_EQ(ours->pixels, theirs->pixels) << what << (grey ? " (grey)" : " (rgb)")
                                            << ", mean abs diff " << MeanAbsDiff(*ours, *theirs);
    EXPECT_EQ(info_png.original_width, info_cv.original_width);
    EXPECT_EQ(info_png.original_height, info_cv.original_height);
  }
}

TEST(PngDecoderTest, EightBitColourTypesMatchOpenCv) {
  ExpectSameAsOpenCv(WritePng(Varied(PNG_COLOR_TYPE_RGB, 8)), "rgb8");
  ExpectSameAsOpenCv(WritePng(Varied(PNG_COLOR_TYPE_RGB_ALPHA, 8)), "rgba8");
  ExpectSameAsOpenCv(WritePng(Varied(PNG_COLOR_TYPE_GRAY, 8)), "grey8");
  ExpectSameAsOpenCv(WritePng(Varied(PNG_COLOR_TYPE_GRAY_ALPHA, 8)), "grey+alpha8");
  PngSpec interlaced = Varied(PNG_COLOR_TYPE_RGB_ALPHA, 8, 2);
  interlaced.interlaced = true;
  ExpectSameAsOpenCv(WritePng(interlaced), "rgba8 interlaced");
}

TEST(PngDecoderTest, LowBitDepthGreyMatchesOpenCv) {
  for (int depth : {1, 2, 4}) {
    ExpectSameAsOpenCv(WritePng(Varied(PNG_COLOR_TYPE_GRAY, depth)),
                       "grey" + std::to_string(depth));
  }
}

TEST(PngDecoderTest, PalettesMatchOpenCv) {
  for (int depth : {1, 2, 4, 8}) {
    ExpectSameAsOpenCv(WritePng(Varied(PNG_COLOR_TYPE_PALETTE, depth)),
                       "palette" + std::to_string(depth));
  }
  // tRNS shorter than the palette: the remaining entries are opaque.
  PngSpec transparent = Varied(PNG_COLOR_TYPE_PALETTE, 8);
  for (int i = 0; i < 100; ++i) transparent.palette_alpha.push_back(uint8_t(i * 5 % 256));
  ExpectSameAsOpenCv(WritePng(transparent), "palette8 + tRNS");
}

TEST(PngDecoderTest, SixteenBitMatchesOpenCv) {
  ExpectSameAsOpenCv(WritePng(Varied(PNG_COLOR_TYPE_RGB, 16)), "rgb16");
  ExpectSameAsOpenCv(WritePng(Varied(PNG_COLOR_TYPE_RGB_ALPHA, 16)), "rgba16");
  ExpectSameAsOpenCv(WritePng(Varied(PNG_COLOR_TYPE_GRAY, 16)), "grey16");
  ExpectSameAsOpenCv(WritePng(Varied(PNG_COLOR_TYPE_GRAY_ALPHA, 16)), "grey+alpha16");
}

TEST(PngDecoderTest, SixteenBitSamplesAreRoundedOverTwoFiftySeven) {
  PngSpec spec;
  spec.width = 4;
  spec.height = 1;
  spec.color_type = PNG_COLOR_TYPE_GRAY;
  spec.bit_depth = 16;
  // 0x8000 / 257 = 127.5 (-> 128), 0x807F / 257 = 127.99, 0x0080 / 257 = 0.498, 0xFFFF -> 255.
  spec.samples = {0x80, 0x00, 0x80, 0x7F, 0x00, 0x80, 0xFF, 0xFF};
  StatusOr<Image> img = DecodeImage(WritePng(spec), Grey(true));
  ASSERT_TRUE(img.ok()) << img.status().ToString();
  EXPECT_EQ(img->pixels, (std::vector<uint8_t>{128, 128, 0, 255}));
}

TEST(PngDecoderTest, PhotoPngsMatchOpenCv) {
  ExpectSameAsOpenCv(testing::MustEncode(MakeTestPhoto(640, 480, 3), ".png"), "test photo");
  for (const char* name : {"pdq/pdq01.png", "pdq/pdq02.png", "pdq/grey.png", "pdq/flat.png"}) {
    std::string bytes;
    ASSERT_TRUE(ReadFileBytes(testing::TestDataPath(name), &bytes).ok()) << name;
    ExpectSameAsOpenCv(bytes, name);
  }
}

TEST(PngDecoderTest, GreyTransparencyKeyIsComposited) {
  // OpenCV ignored tRNS on grey images; libpng turns it into alpha like on RGB and palette ones.
  PngSpec spec;
  spec.width = 3;
  spec.height = 1;
  spec.color_type = PNG_COLOR_TYPE_GRAY;
  spec.samples = {10, 50, 90};
  spec.grey_key = 50;
  StatusOr<Image> img = DecodeImage(WritePng(spec), Grey(true));
  ASSERT_TRUE(img.ok()) << img.status().ToString();
  EXPECT_EQ(img->pixels, (std::vector<uint8_t>{10, 255, 90}));  // dark content: white background
}

// Runs `fn` with file descriptor 2 redirected to a pipe; returns what was written there.
template <typename Fn>
std::string CaptureStderr(Fn fn) {
  int fds[2];
  if (pipe(fds) != 0) std::abort();
  fflush(stderr);
  const int saved = dup(2);
  dup2(fds[1], 2);
  close(fds[1]);
  fn();
  fflush(stderr);
  dup2(saved, 2);
  close(saved);
  std::string captured;
  fcntl(fds[0], F_SETFL, O_NONBLOCK);
  char buffer[4096];
  for (ssize_t n; (n = read(fds[0], buffer, sizeof buffer)) > 0;) captured.append(buffer, n);
  close(fds[0]);
  return captured;
}

TEST(PngDecoderTest, LibpngWarningsDoNotReachStderr) {
  // An iCCP chunk whose profile is not zlib data, and a tEXt chunk with a bad CRC: both are
  // benign problems libpng warns about.
  const std::string bad_iccp = testing::PngChunk("iCCP", std::string("icc\0\0not zlib", 13));
  std::string bad_text = testing::PngChunk("tEXt", std::string("Comment\0hello", 13));
  bad_text[bad_text.size() - 1] ^= 1;
  PngSpec spec = Varied(PNG_COLOR_TYPE_RGB, 8);
  spec.extra_chunks = bad_iccp + bad_text;
  const std::string png = WritePng(spec);

  png_image probe;
  std::memset(&probe, 0, sizeof probe);
  probe.version = PNG_IMAGE_VERSION;
  ASSERT_TRUE(png_image_begin_read_from_memory(&probe, png.data(), png.size())) << probe.message;
  EXPECT_NE(probe.warning_or_error & PNG_IMAGE_WARNING, 0u) << "the file does not make libpng warn";
  png_image_free(&probe);

  StatusOr<Image> img = InvalidArgumentError("not run");
  const std::string printed = CaptureStderr([&] { img = DecodeImage(png, DecodeOptions{}); });
  ASSERT_TRUE(img.ok()) << img.status().ToString();
  EXPECT_EQ(printed, "");
  EXPECT_EQ(CaptureStderr([] { std::fputs("seen", stderr); }), "seen");  // the capture works

  ImageInfo unused;
  StatusOr<Image> reference = InvalidArgumentError("not run");
  CaptureStderr([&] {  // OpenCV lets libpng print its warnings
    reference = DecodeWithOpenCV(png, Format::kPng, DecodeOptions{}, &unused);
  });
  ASSERT_TRUE(reference.ok());
  EXPECT_EQ(img->pixels, reference->pixels);
}

TEST(PngDecoderTest, TruncatedPngIsCorruptionWithLibpngsMessage) {
  const std::string png = WritePng(Varied(PNG_COLOR_TYPE_RGB, 8));
  for (size_t keep : {png.size() / 2, size_t(8 + 25 + 10), size_t(20)}) {
    StatusOr<Image> img = InvalidArgumentError("not run");
    const std::string printed = CaptureStderr(
        [&] { img = DecodeImage(png.substr(0, keep), DecodeOptions{}, nullptr, "cut.png"); });
    ASSERT_FALSE(img.ok()) << keep;
    EXPECT_EQ(img.status().code(), StatusCode::kCorruption) << keep;
    EXPECT_EQ(img.status().message().rfind("cut.png: png decoder: ", 0), 0u)
        << img.status().message();
    EXPECT_GT(img.status().message().size(), std::strlen("cut.png: png decoder: "));
    EXPECT_EQ(printed, "");
  }
}

TEST(PngDecoderTest, DamagedImageDataIsCorruption) {
  std::string png = WritePng(Varied(PNG_COLOR_TYPE_RGB, 8));
  const size_t idat = png.find("IDAT");
  ASSERT_NE(idat, std::string::npos);
  png[idat + 10] ^= 0x55;  // the zlib stream breaks (and the CRC no longer matches)
  StatusOr<Image> img = DecodeImage(png, DecodeOptions{});
  ASSERT_FALSE(img.ok());
  EXPECT_EQ(img.status().code(), StatusCode::kCorruption);
  EXPECT_NE(img.status().message().find("png decoder: IDAT: "), std::string::npos)
      << img.status().message();
}

TEST(PngDecoderTest, BombIsRefusedFromTheHeaderBeforeLibpngRuns) {
  using testing::Be32;
  // 60000 x 60000 RGBA (14.4 GB decoded) with no image data at all.
  const std::string ihdr = Be32(60000) + Be32(60000) + std::string("\x08\x06\0\0\0", 5);
  const std::string png = std::string("\x89PNG\r\n\x1a\n", 8) + testing::PngChunk("IHDR", ihdr) +
                          testing::PngChunk("IEND", "");
  const auto start = std::chrono::steady_clock::now();
  ImageInfo info;
  StatusOr<Image> img = DecodePng(png, DecodeOptions{}, &info);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(200));
  ASSERT_FALSE(img.ok());
  EXPECT_EQ(img.status().code(), StatusCode::kResourceExhausted);
  EXPECT_EQ(img.status().message(),
            "image is 60000x60000 = 3600000000 pixels, over the limit of 268435456");

  DecodeOptions small;
  small.max_pixels = 37 * 23 - 1;
  img = DecodePng(WritePng(Varied(PNG_COLOR_TYPE_RGB, 8)), small, &info);
  EXPECT_EQ(img.status().code(), StatusCode::kResourceExhausted);
}

}  // namespace
}  // namespace neardup
