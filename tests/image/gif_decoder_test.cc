// GIF decoding through giflib: palette expansion, the first frame on the logical screen,
// transparency and background as white, interlacing, and the pixel limit.
#include <gif_lib.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "neardup/decode.h"

namespace neardup {
namespace {

GifColorType PaletteColour(int i) {
  return GifColorType{uint8_t(i), uint8_t(255 - i), uint8_t((i * 7) & 255)};
}

struct Frame {
  int left = 0, top = 0, width = 0, height = 0;
  bool interlace = false;
  int transparent = NO_TRANSPARENT_COLOR;
  std::vector<uint8_t> indices;  // width * height, rows top to bottom
};

int AppendToString(GifFileType* gif, const GifByteType* data, int length) {
  static_cast<std::string*>(gif->UserData)->append(reinterpret_cast<const char*>(data), length);
  return length;
}

// Writes a GIF89a with a 256-colour global palette (PaletteColour) and the given frames.
std::string WriteGif(int screen_w, int screen_h, int background, const std::vector<Frame>& frames) {
  std::string out;
  int error = 0;
  GifFileType* gif = EGifOpen(&out, AppendToString, &error);
  if (gif == nullptr) std::abort();
  EGifSetGifVersion(gif, true);
  std::vector<GifColorType> colours(256);
  for (int i = 0; i < 256; ++i) colours[i] = PaletteColour(i);
  ColorMapObject* map = GifMakeMapObject(256, colours.data());
  bool ok = EGifPutScreenDesc(gif, screen_w, screen_h, 8, background, map) == GIF_OK;
  for (const Frame& f : frames) {
    GraphicsControlBlock gcb{};
    gcb.TransparentColor = f.transparent;
    GifByteType ext[4];
    const size_t n = EGifGCBToExtension(&gcb, ext);
    ok = ok && EGifPutExtension(gif, GRAPHICS_EXT_FUNC_CODE, int(n), ext) == GIF_OK;
    ok = ok &&
         EGifPutImageDesc(gif, f.left, f.top, f.width, f.height, f.interlace, nullptr) == GIF_OK;
    std::vector<int> order;  // giflib writes rows in the order given: interlace them ourselves
    if (f.interlace) {
      for (int pass = 0; pass < 4; ++pass) {
        static constexpr int kStart[] = {0, 4, 2, 1}, kStep[] = {8, 8, 4, 2};
        for (int y = kStart[pass]; y < f.height; y += kStep[pass]) order.push_back(y);
      }
    } else {
      for (int y = 0; y < f.height; ++y) order.push_back(y);
    }
    for (int y : order) {
      std::vector<GifPixelType> row(f.indices.begin() + size_t(y) * f.width,
                                    f.indices.begin() + size_t(y + 1) * f.width);
      ok = ok && EGifPutLine(gif, row.data(), f.width) == GIF_OK;
    }
  }
  ok = EGifCloseFile(gif, &error) == GIF_OK && ok;
  GifFreeMapObject(map);
  if (!ok) std::abort();
  return out;
}

Frame PatternFrame(int left, int top, int width, int height, int seed) {
  Frame f;
  f.left = left;
  f.top = top;
  f.width = width;
  f.height = height;
  f.indices.resize(size_t(width) * height);
  for (int y = 0; y < height; ++y) {
    for (int x = 0; x < width; ++x) f.indices[size_t(y) * width + x] = uint8_t(x + 3 * y + seed);
  }
  return f;
}

void ExpectColour(const Image& img, int y, int x, GifColorType c) {
  EXPECT_EQ(img.at(y, x, 0), c.Red) << x << "," << y;
  EXPECT_EQ(img.at(y, x, 1), c.Green) << x << "," << y;
  EXPECT_EQ(img.at(y, x, 2), c.Blue) << x << "," << y;
}

TEST(GifDecoderTest, PaletteIsExpanded) {
  const Frame f = PatternFrame(0, 0, 40, 30, 0);
  ImageInfo info;
  StatusOr<Image> img = DecodeImage(WriteGif(40, 30, 0, {f}), DecodeOptions{}, &info);
  ASSERT_TRUE(img.ok()) << img.status().ToString();
  EXPECT_STREQ(info.format, "gif");
  ASSERT_EQ(img->width, 40);
  ASSERT_EQ(img->height, 30);
  ASSERT_EQ(img->channels, 3);
  for (int y = 0; y < 30; y += 7) {
    for (int x = 0; x < 40; x += 5) ExpectColour(*img, y, x, PaletteColour(uint8_t(x + 3 * y)));
  }
}

TEST(GifDecoderTest, FirstFrameOnScreenWithWhiteBackgroundAndTransparency) {
  Frame first = PatternFrame(10, 5, 20, 10, 1);
  first.transparent = first.indices[0];  // the top-left pixel's colour index is transparent
  const Frame second = PatternFrame(0, 0, 50, 40, 99);
  StatusOr<Image> img = DecodeImage(WriteGif(50, 40, 7, {first, second}), DecodeOptions{});
  ASSERT_TRUE(img.ok()) << img.status().ToString();
  ASSERT_EQ(img->width, 50);
  ASSERT_EQ(img->height, 40);
  ExpectColour(*img, 0, 0, GifColorType{255, 255, 255});         // outside the frame: background
  ExpectColour(*img, 5, 10, GifColorType{255, 255, 255});        // transparent index
  ExpectColour(*img, 6, 12, PaletteColour(uint8_t(2 + 3 + 1)));  // inside, from frame 1
  ExpectColour(*img, 39, 49, GifColorType{255, 255, 255});       // frame 2 never drawn
}

TEST(GifDecoderTest, InterlacedRowsLandInPlace) {
  Frame f = PatternFrame(0, 0, 16, 21, 5);
  f.interlace = true;
  StatusOr<Image> img = DecodeImage(WriteGif(16, 21, 0, {f}), DecodeOptions{});
  ASSERT_TRUE(img.ok()) << img.status().ToString();
  for (int y = 0; y < 21; ++y) ExpectColour(*img, y, 3, PaletteColour(uint8_t(3 + 3 * y + 5)));
}

TEST(GifDecoderTest, GreyOption) {
  DecodeOptions options;
  options.grey = true;
  StatusOr<Image> img = DecodeImage(WriteGif(8, 8, 0, {PatternFrame(0, 0, 8, 8, 0)}), options);
  ASSERT_TRUE(img.ok());
  EXPECT_EQ(img->channels, 1);
}

TEST(GifDecoderTest, ScreenOverLimitIsRefused) {
  std::string gif = WriteGif(8, 8, 0, {PatternFrame(0, 0, 8, 8, 0)});
  gif[6] = gif[7] = gif[8] = gif[9] = char(0xFF);  // screen 65535 x 65535
  StatusOr<Image> img = DecodeImage(gif, DecodeOptions{});
  ASSERT_FALSE(img.ok());
  EXPECT_EQ(img.status().code(), StatusCode::kResourceExhausted);
  EXPECT_NE(img.status().message().find("65535x65535"), std::string::npos);

  DecodeOptions options;
  options.max_pixels = 63;
  EXPECT_EQ(DecodeImage(WriteGif(8, 8, 0, {PatternFrame(0, 0, 8, 8, 0)}), options).status().code(),
            StatusCode::kResourceExhausted);
}

TEST(GifDecoderTest, TruncatedGifIsCorruption) {
  std::string gif = WriteGif(64, 64, 0, {PatternFrame(0, 0, 64, 64, 0)});
  gif.resize(gif.size() / 2);
  StatusOr<Image> img = DecodeImage(gif, DecodeOptions{});
  ASSERT_FALSE(img.ok());
  EXPECT_EQ(img.status().code(), StatusCode::kCorruption) << img.status().ToString();
}

}  // namespace
}  // namespace neardup
