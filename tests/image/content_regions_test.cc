// ContentRegions (src/image/content_regions.h): pictures laid on flat surroundings are found,
// flat bars and boxes are not, and a photo that fills its frame has no region.
#include "image/content_regions.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "neardup/preprocess.h"
#include "testutil/testutil.h"

namespace neardup {
namespace {

using testing::MakeBusyPhoto;

void Fill(Image* image, int x, int y, int w, int h, uint8_t r, uint8_t g, uint8_t b) {
  for (int yy = y; yy < y + h; ++yy) {
    for (int xx = x; xx < x + w; ++xx) {
      image->at(yy, xx, 0) = r;
      image->at(yy, xx, 1) = g;
      image->at(yy, xx, 2) = b;
    }
  }
}

void Paste(Image* canvas, const Image& picture, int x, int y) {
  for (int yy = 0; yy < picture.height; ++yy) {
    for (int xx = 0; xx < picture.width; ++xx) {
      for (int c = 0; c < 3; ++c) canvas->at(y + yy, x + xx, c) = picture.at(yy, xx, c);
    }
  }
}

// A light screenshot-like canvas: a title bar, a side bar and a button, all flat.
Image Screenshot(int width, int height) {
  Image canvas(width, height, 3);
  Fill(&canvas, 0, 0, width, height, 242, 242, 242);
  Fill(&canvas, 0, 0, width, height / 12, 66, 133, 244);
  Fill(&canvas, 0, height / 12, width / 10, height - height / 12, 220, 220, 220);
  Fill(&canvas, width - 160, height - 60, 120, 30, 52, 168, 83);
  return canvas;
}

double IoU(const Region& a, int x, int y, int w, int h) {
  const int ix = std::max(0, std::min(a.x + a.width, x + w) - std::max(a.x, x));
  const int iy = std::max(0, std::min(a.y + a.height, y + h) - std::max(a.y, y));
  const double inter = double(ix) * iy;
  return inter / (double(a.width) * a.height + double(w) * h - inter);
}

TEST(ContentRegionsTest, FindsAPictureInAScreenshot) {
  Image canvas = Screenshot(800, 600);
  Paste(&canvas, MakeBusyPhoto(240, 180, 3), 300, 200);
  std::vector<Region> found = ContentRegions(canvas);
  ASSERT_EQ(found.size(), 1u);  // the bars and the button are flat
  EXPECT_GT(IoU(found[0], 300, 200, 240, 180), 0.9)
      << found[0].x << "," << found[0].y << " " << found[0].width << "x" << found[0].height;
  // The same on a dark theme, and in grey.
  Image dark(800, 600, 3);
  Fill(&dark, 0, 0, 800, 600, 18, 18, 18);
  Paste(&dark, MakeBusyPhoto(240, 180, 3), 300, 200);
  found = ContentRegions(ToGrey(dark));
  ASSERT_EQ(found.size(), 1u);
  EXPECT_GT(IoU(found[0], 300, 200, 240, 180), 0.9);
}

TEST(ContentRegionsTest, TwoPicturesLargestFirstAndAtMostAsMany) {
  Image canvas = Screenshot(1000, 700);
  Paste(&canvas, MakeBusyPhoto(200, 150, 5), 150, 120);
  Paste(&canvas, MakeBusyPhoto(320, 240, 6), 550, 300);
  std::vector<Region> found = ContentRegions(canvas);
  ASSERT_EQ(found.size(), 2u);
  EXPECT_GT(IoU(found[0], 550, 300, 320, 240), 0.9);
  EXPECT_GT(IoU(found[1], 150, 120, 200, 150), 0.9);
  ASSERT_EQ(ContentRegions(canvas, 1).size(), 1u);
  EXPECT_GT(IoU(ContentRegions(canvas, 1)[0], 550, 300, 320, 240), 0.9);
}

TEST(ContentRegionsTest, NoRegionInAFullFramePhotoAFlatImageOrATinyOne) {
  EXPECT_TRUE(ContentRegions(MakeBusyPhoto(640, 480, 9)).empty());
  EXPECT_TRUE(ContentRegions(Screenshot(800, 600)).empty());
  EXPECT_TRUE(ContentRegions(MakeBusyPhoto(24, 24, 9)).empty());
  // A picture too small to be worth a query (under 2% of the frame) is left out.
  Image canvas = Screenshot(800, 600);
  Paste(&canvas, MakeBusyPhoto(60, 45, 3), 300, 200);
  EXPECT_TRUE(ContentRegions(canvas).empty());
}

}  // namespace
}  // namespace neardup
