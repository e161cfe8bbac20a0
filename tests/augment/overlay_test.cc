// Edits that add or cover content: what changes must stay inside the reported region, and the
// source must be found where the params say.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "augment/augment_test_helpers.h"
#include "neardup/augment.h"
#include "neardup/preprocess.h"
#include "testutil/testutil.h"

namespace neardup {
namespace {

using testing::MakeTestPhoto;
using testing::MeanAbsDiff;
using testing::MustApply;
using testing::ParamsOf;
using testing::SubImageAt;

bool SamePixel(const Image& a, const Image& b, int y, int x) {
  return a.at(y, x, 0) == b.at(y, x, 0) && a.at(y, x, 1) == b.at(y, x, 1) &&
         a.at(y, x, 2) == b.at(y, x, 2);
}

bool Inside(const nlohmann::json& r, int y, int x) {
  return x >= int(r["x"]) && x < int(r["x"]) + int(r["width"]) && y >= int(r["y"]) &&
         y < int(r["y"]) + int(r["height"]);
}

TEST(AugmentOverlayTest, CutoutFillsOnlyItsRectangles) {
  const Image src = MakeTestPhoto(120, 90, 1);
  for (uint64_t seed = 0; seed < 8; ++seed) {
    const Augmented a = MustApply(src, Family::kCutout, seed);
    const nlohmann::json p = ParamsOf(a);
    const double target = p["area_fraction"];
    EXPECT_GE(target, 0.10);
    EXPECT_LE(target, 0.25);
    const nlohmann::json& rects = p["rects"];
    ASSERT_GE(rects.size(), 1u);
    ASSERT_LE(rects.size(), 3u);
    double area = 0;
    for (const nlohmann::json& r : rects) area += double(r["width"]) * double(r["height"]);
    EXPECT_NEAR(area / (120.0 * 90), target, 0.02);
    for (int y = 0; y < 90; ++y) {
      for (int x = 0; x < 120; ++x) {
        const nlohmann::json* last = nullptr;  // a later rectangle covers an earlier one
        for (const nlohmann::json& r : rects) {
          if (Inside(r, y, x)) last = &r;
        }
        if (last == nullptr) {
          ASSERT_TRUE(SamePixel(a.image, src, y, x)) << x << "," << y;
        } else {
          ASSERT_EQ(a.image.at(y, x, 0), int((*last)["r"]));
          ASSERT_EQ(a.image.at(y, x, 1), int((*last)["g"]));
          ASSERT_EQ(a.image.at(y, x, 2), int((*last)["b"]));
        }
      }
    }
  }
}

TEST(AugmentOverlayTest, TextChangesOnlyItsBoxes) {
  const Image src = MakeTestPhoto(160, 120, 2);
  for (uint64_t seed = 0; seed < 8; ++seed) {
    const Augmented a = MustApply(src, Family::kTextOverlay, seed);
    ASSERT_EQ(a.image.width, 160);
    ASSERT_EQ(a.image.height, 120);
    const nlohmann::json words = ParamsOf(a)["words"];
    ASSERT_GE(words.size(), 1u);
    ASSERT_LE(words.size(), 3u);
    for (const nlohmann::json& w : words) {
      EXPECT_GE(double(w["size"]), 0.05);
      EXPECT_LE(double(w["size"]), 0.15);
      EXPECT_FALSE(std::string(w["text"]).empty());
      // Box = the glyphs plus outline and margins: a little over the drawn text height.
      EXPECT_LE(int(w["height"]), 0.15 * 120 * 1.6 + 8);
    }
    int changed = 0;
    for (int y = 0; y < 120; ++y) {
      for (int x = 0; x < 160; ++x) {
        if (SamePixel(a.image, src, y, x)) continue;
        ++changed;
        bool in_box = false;
        for (const nlohmann::json& w : words) in_box = in_box || Inside(w, y, x);
        ASSERT_TRUE(in_box) << "pixel " << x << "," << y << " changed outside every box";
      }
    }
    EXPECT_GT(changed, 20);
  }
}

TEST(AugmentOverlayTest, BorderSurroundsTheUnchangedSource) {
  const Image src = MakeTestPhoto(100, 80, 3);
  for (uint64_t seed = 0; seed < 6; ++seed) {
    const Augmented a = MustApply(src, Family::kBorder, seed);
    const nlohmann::json p = ParamsOf(a);
    const int top = p["top"], bottom = p["bottom"], left = p["left"], right = p["right"];
    for (int v : {top, bottom}) {
      EXPECT_GE(v, 4);
      EXPECT_LE(v, 16);
    }
    for (int v : {left, right}) {
      EXPECT_GE(v, 5);
      EXPECT_LE(v, 20);
    }
    ASSERT_EQ(a.image.width, 100 + left + right);
    ASSERT_EQ(a.image.height, 80 + top + bottom);
    EXPECT_TRUE(SubImageAt(a.image, src, left, top));
    const int r = p["r"], g = p["g"], b = p["b"];
    auto is_border = [&](int y, int x) {
      return a.image.at(y, x, 0) == r && a.image.at(y, x, 1) == g && a.image.at(y, x, 2) == b;
    };
    for (int x = 0; x < a.image.width; ++x) {
      ASSERT_TRUE(is_border(0, x) && is_border(top - 1, x));
      ASSERT_TRUE(is_border(a.image.height - 1, x) && is_border(a.image.height - bottom, x));
    }
    for (int y = 0; y < a.image.height; ++y) {
      ASSERT_TRUE(is_border(y, 0) && is_border(y, left - 1));
      ASSERT_TRUE(is_border(y, a.image.width - 1) && is_border(y, a.image.width - right));
    }
  }
}

TEST(AugmentOverlayTest, PasteShowsTheScaledSourceInALargerCanvas) {
  const Image src = MakeTestPhoto(80, 60, 4);
  for (uint64_t seed = 0; seed < 8; ++seed) {
    const Augmented a = MustApply(src, Family::kPasteInCanvas, seed);
    const nlohmann::json p = ParamsOf(a);
    const int cw = p["canvas_width"], ch = p["canvas_height"];
    ASSERT_EQ(a.image.width, cw);
    ASSERT_EQ(a.image.height, ch);
    EXPECT_GE(cw, 1.3 * 80 - 1);
    EXPECT_LE(cw, 2.5 * 80 + 1);
    EXPECT_GE(ch, 1.3 * 60 - 1);
    EXPECT_LE(ch, 2.5 * 60 + 1);
    const double scale = p["scale"];
    EXPECT_GE(scale, 0.4);
    EXPECT_LE(scale, 0.9);
    const int x = p["x"], y = p["y"], w = p["width"], h = p["height"];
    EXPECT_NEAR(w, scale * 80, 1.0);
    EXPECT_NEAR(h, scale * 60, 1.0);
    const Image window = Crop(a.image, x, y, w, h);
    EXPECT_LT(MeanAbsDiff(window, Resize(src, w, h)), 1.0);
    // The canvas around it is not the image: a flat UI background dominates.
    EXPECT_GT(MeanAbsDiff(Crop(a.image, 0, 0, 16, 16), Resize(src, 16, 16)), 5.0);
  }
}

TEST(AugmentOverlayTest, CaptionAddsABandAndKeepsTheSource) {
  const Image src = MakeTestPhoto(120, 100, 5);
  bool top_seen = false, bottom_seen = false;
  for (uint64_t seed = 0; seed < 10; ++seed) {
    const Augmented a = MustApply(src, Family::kCaptionBar, seed);
    const nlohmann::json p = ParamsOf(a);
    const int band = p["band_height"], y0 = p["y"];
    EXPECT_GE(band, 10);
    EXPECT_LE(band, 20);
    ASSERT_EQ(a.image.width, 120);
    ASSERT_EQ(a.image.height, 100 + band);
    const bool top = p["position"] == "top";
    (top ? top_seen : bottom_seen) = true;
    EXPECT_EQ(y0, top ? band : 0);
    EXPECT_TRUE(SubImageAt(a.image, src, 0, y0));
    EXPECT_FALSE(std::string(p["text"]).empty());
    // The band: grey levels only (black-on-white or white-on-black), both paper and ink present.
    const int band_y = top ? 0 : 100;
    int ink = 0;
    const uint8_t paper = a.image.at(band_y, 0, 0);
    EXPECT_TRUE(paper == 0 || paper == 255);
    for (int y = band_y; y < band_y + band; ++y) {
      for (int x = 0; x < 120; ++x) {
        ASSERT_EQ(a.image.at(y, x, 0), a.image.at(y, x, 1));
        ASSERT_EQ(a.image.at(y, x, 0), a.image.at(y, x, 2));
        ink += a.image.at(y, x, 0) != paper;
      }
    }
    EXPECT_GT(ink, 10);
    EXPECT_LT(ink, 120 * band / 2);
  }
  EXPECT_TRUE(top_seen && bottom_seen);
}

}  // namespace
}  // namespace neardup
