// EXIF orientation: parsing tag 0x0112 and applying it exactly once, for JPEG and PNG (eXIf).
#include <gtest/gtest.h>

#include <functional>
#include <string>

#include "image/decoders.h"
#include "image_test_helpers.h"
#include "neardup/decode.h"
#include "neardup/preprocess.h"
#include "testutil/testutil.h"

namespace neardup {
namespace {

using testing::MakeTestPhoto;
using testing::MustEncode;

// Where the upright pixel (y, x) comes from in the stored W x H image, per the EXIF spec's
// meaning of each value (written out independently of the implementation).
struct Source {
  int y, x;
};
Source StoredPixelFor(int orientation, int y, int x, int w, int h) {
  switch (orientation) {
    case 2:
      return {y, w - 1 - x};  // mirrored left-right
    case 3:
      return {h - 1 - y, w - 1 - x};  // rotated 180
    case 4:
      return {h - 1 - y, x};  // mirrored top-bottom
    case 5:
      return {x, y};  // transposed
    case 6:
      return {h - 1 - x, y};  // stored 90 CCW: turn clockwise to view
    case 7:
      return {h - 1 - x, w - 1 - y};  // transverse
    case 8:
      return {x, w - 1 - y};  // stored 90 CW: turn counter-clockwise to view
    default:
      return {y, x};
  }
}

class JpegOrientationTest : public ::testing::TestWithParam<int> {};

TEST_P(JpegOrientationTest, DecodedPixelsAreUpright) {
  const int orientation = GetParam();
  const int w = 64, h = 40;
  const std::string jpeg =
      testing::JpegWithOrientation(MustEncode(MakeTestPhoto(w, h, 3), ".jpg"), orientation);

  DecodeOptions as_stored;
  as_stored.apply_orientation = false;
  ImageInfo stored_info;
  StatusOr<Image> stored = DecodeImage(jpeg, as_stored, &stored_info);
  ASSERT_TRUE(stored.ok()) << stored.status().ToString();
  EXPECT_EQ(stored_info.exif_orientation, orientation);
  EXPECT_EQ(stored->width, w);

  ImageInfo info;
  StatusOr<Image> upright = DecodeImage(jpeg, DecodeOptions{}, &info);
  ASSERT_TRUE(upright.ok()) << upright.status().ToString();
  EXPECT_EQ(info.exif_orientation, orientation);
  const bool swapped = orientation >= 5;
  ASSERT_EQ(upright->width, swapped ? h : w);
  ASSERT_EQ(upright->height, swapped ? w : h);
  EXPECT_EQ(info.original_width, upright->width);
  EXPECT_EQ(info.original_height, upright->height);
  for (int y = 0; y < upright->height; ++y) {
    for (int x = 0; x < upright->width; ++x) {
      const Source s = StoredPixelFor(orientation, y, x, w, h);
      for (int c = 0; c < 3; ++c) {
        ASSERT_EQ(upright->at(y, x, c), stored->at(s.y, s.x, c))
            << "orientation " << orientation << " at " << x << "," << y;
      }
    }
  }
}

INSTANTIATE_TEST_SUITE_P(AllEight, JpegOrientationTest, ::testing::Range(1, 9));

TEST(ExifOrientationTest, DownscaledJpegIsOrientedToo) {
  const std::string jpeg =
      testing::JpegWithOrientation(MustEncode(MakeTestPhoto(800, 400, 3), ".jpg"), 6);
  DecodeOptions options;
  options.min_side = 100;
  ImageInfo info;
  StatusOr<Image> img = DecodeImage(jpeg, options, &info);
  ASSERT_TRUE(img.ok());
  EXPECT_EQ(img->width, 100);
  EXPECT_EQ(img->height, 200);
  EXPECT_EQ(info.original_width, 400);
  EXPECT_EQ(info.original_height, 800);
}

TEST(ExifOrientationTest, PngExifChunkIsAppliedExactlyOnce) {
  const Image photo = MakeTestPhoto(50, 30, 8);
  for (int orientation : {3, 6, 8}) {
    const std::string png = testing::PngWithOrientation(MustEncode(photo, ".png"), orientation);
    ImageInfo info;
    StatusOr<Image> img = DecodeImage(png, DecodeOptions{}, &info);
    ASSERT_TRUE(img.ok()) << img.status().ToString();
    EXPECT_EQ(info.exif_orientation, orientation);
    const Image expected = Rotate90(photo, orientation == 3 ? 2 : orientation == 6 ? 1 : -1);
    EXPECT_EQ(img->width, expected.width);
    EXPECT_EQ(img->pixels, expected.pixels) << "orientation " << orientation;
  }
}

TEST(ExifOrientationTest, TiffParserIsBoundsCheckedAndDefaultsToOne) {
  using image_internal::OrientationFromTiff;
  const std::string good = testing::ExifTiffWithOrientation(6);
  EXPECT_EQ(OrientationFromTiff(good), 6);
  // Every truncation of a valid block must parse safely (ASan/valgrind would flag overreads).
  for (size_t n = 0; n < good.size(); ++n) {
    const int value = OrientationFromTiff(good.substr(0, n));
    EXPECT_TRUE(value == 1 || value == 6) << n;
  }
  EXPECT_EQ(OrientationFromTiff(testing::ExifTiffWithOrientation(9)), 1);  // out of range
  EXPECT_EQ(OrientationFromTiff(testing::ExifTiffWithOrientation(0)), 1);
  std::string bad_offset = good;
  bad_offset[7] = char(0xF0);  // IFD0 beyond the end
  EXPECT_EQ(OrientationFromTiff(bad_offset), 1);
  std::string many_entries = good;
  many_entries[8] = char(0xFF);  // claims 65280+ entries, and the one present is another tag
  many_entries[10] = char(0x01);
  many_entries[11] = char(0x00);
  EXPECT_EQ(OrientationFromTiff(many_entries), 1);
  // Little-endian variant.
  const std::string le =
      std::string("II*\0\x08\0\0\0\x01\0\x12\x01\x03\0\x01\0\0\0\x08\0\0\0", 22) +
      std::string(4, '\0');
  EXPECT_EQ(OrientationFromTiff(le), 8);
}

TEST(ExifOrientationTest, JpegWithoutExifIsOrientationOne) {
  ImageInfo info;
  StatusOr<Image> img =
      DecodeImage(MustEncode(MakeTestPhoto(20, 10, 1), ".jpg"), DecodeOptions{}, &info);
  ASSERT_TRUE(img.ok());
  EXPECT_EQ(info.exif_orientation, 1);
  EXPECT_EQ(img->width, 20);
}

}  // namespace
}  // namespace neardup
