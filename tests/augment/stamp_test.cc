// The sticker and watermark edits and the texture variants of hard negatives: what changes stays
// inside the reported box, and one seed puts the identical overlay on unrelated pictures.
#include <gtest/gtest.h>

#include <set>
#include <string>

#include "augment/augment_test_helpers.h"
#include "neardup/augment.h"
#include "neardup/preprocess.h"
#include "testutil/testutil.h"

namespace neardup {
namespace {

using testing::Filled;
using testing::MakeTestPhoto;
using testing::MeanAbsDiff;
using testing::MustApply;
using testing::ParamsOf;
using testing::SubImageAt;

struct Box {
  int x, y, w, h;
  bool Contains(int px, int py) const { return px >= x && px < x + w && py >= y && py < y + h; }
};

Box BoxOf(const nlohmann::json& p) { return {p["x"], p["y"], p["width"], p["height"]}; }

// Pixels outside `box` where a and b differ.
int ChangedOutside(const Image& a, const Image& b, const Box& box) {
  int changed = 0;
  for (int y = 0; y < a.height; ++y) {
    for (int x = 0; x < a.width; ++x) {
      if (box.Contains(x, y)) continue;
      for (int c = 0; c < 3; ++c) changed += a.at(y, x, c) != b.at(y, x, c);
    }
  }
  return changed;
}

// Samples inside `box` where a and b differ.
int DifferInside(const Image& a, const Image& b, const Box& box) {
  int differ = 0;
  for (int y = box.y; y < box.y + box.h; ++y) {
    for (int x = box.x; x < box.x + box.w; ++x) {
      for (int c = 0; c < 3; ++c) differ += a.at(y, x, c) != b.at(y, x, c);
    }
  }
  return differ;
}

TEST(AugmentStampTest, StickerIsOpaqueInsideItsSquareOnly) {
  const Image src = MakeTestPhoto(160, 120, 1);
  std::set<std::string> shapes;
  for (uint64_t seed = 0; seed < 12; ++seed) {
    const Augmented a = MustApply(src, Family::kSticker, seed);
    const nlohmann::json p = ParamsOf(a);
    shapes.insert(p["shape"]);
    const Box box = BoxOf(p);
    EXPECT_EQ(box.w, box.h);
    EXPECT_GE(double(p["size"]), 0.15);
    EXPECT_LE(double(p["size"]), 0.30);
    EXPECT_NEAR(box.w, double(p["size"]) * 120, 1.0);
    EXPECT_EQ(ChangedOutside(a.image, src, box), 0) << seed;
    EXPECT_GT(DifferInside(a.image, src, box), box.w * box.h / 2) << seed;
    // The centre of the shape is painted, not blended: on another picture it is the same.
    const Augmented b = MustApply(MakeTestPhoto(160, 120, 77), Family::kSticker, seed);
    EXPECT_EQ(ParamsOf(b), p);
    const Box centre{box.x + box.w * 2 / 5, box.y + box.h * 2 / 5, box.w / 5, box.h / 5};
    EXPECT_EQ(DifferInside(a.image, b.image, centre), 0) << seed;
  }
  EXPECT_EQ(shapes.size(), 3u);
}

TEST(AugmentStampTest, WatermarkBlendsInsideItsBoxOnly) {
  const Image grey = Filled(200, 150, 128, 128, 128);
  std::set<std::string> places;
  for (uint64_t seed = 0; seed < 16; ++seed) {
    const Augmented a = MustApply(grey, Family::kWatermark, seed);
    const nlohmann::json p = ParamsOf(a);
    places.insert(p["place"]);
    const Box box = BoxOf(p);
    const double alpha = p["alpha"];
    EXPECT_GE(alpha, 0.3);
    EXPECT_LE(alpha, 0.6);
    EXPECT_EQ(ChangedOutside(a.image, grey, box), 0) << seed;
    // Semi-transparent: no sample reaches the ink (or its rim), and many move towards the ink.
    const bool white = p["colour"] == "white";
    int towards_ink = 0;
    for (int y = box.y; y < box.y + box.h; ++y) {
      for (int x = box.x; x < box.x + box.w; ++x) {
        const int v = a.image.at(y, x, 0);
        EXPECT_LE(std::abs(v - 128), int(alpha * 128 + 1.5));
        towards_ink += white ? v > 128 : v < 128;
      }
    }
    EXPECT_GT(towards_ink, 20) << seed;
  }
  EXPECT_GE(places.size(), 4u);
}

TEST(AugmentStampTest, StrongNeverDrawsTheLaterFamilies) {
  const Image src = MakeTestPhoto(96, 72, 6);
  for (uint64_t seed = 0; seed < 40; ++seed) {
    for (const TransformRecord& r : MustApply(src, Family::kStrong, seed).applied) {
      EXPECT_NE(r.family, Family::kSticker);
      EXPECT_NE(r.family, Family::kWatermark);
    }
  }
}

TEST(AugmentTextureTest, VariantsShareTheTextureNotTheContent) {
  const Image content_a = MakeTestPhoto(120, 90, 3), content_b = MakeTestPhoto(90, 120, 4);
  StatusOr<TextureVariant> a = MakeTextureVariant(content_a, 200, 160, 11, 1);
  StatusOr<TextureVariant> a2 = MakeTextureVariant(content_a, 200, 160, 11, 1);
  StatusOr<TextureVariant> b = MakeTextureVariant(content_b, 200, 160, 11, 2);
  StatusOr<TextureVariant> other = MakeTextureVariant(content_b, 200, 160, 12, 2);
  ASSERT_TRUE(a.ok() && a2.ok() && b.ok() && other.ok()) << a.status().ToString();
  EXPECT_EQ(a->image.width, 200);
  EXPECT_EQ(a->image.height, 160);
  EXPECT_EQ(a->image.channels, 3);
  EXPECT_TRUE(a->image.pixels == a2->image.pixels);
  EXPECT_EQ(a->params, a2->params);
  const nlohmann::json pa = nlohmann::json::parse(a->params);
  const nlohmann::json pb = nlohmann::json::parse(b->params);
  const nlohmann::json po = nlohmann::json::parse(other->params);
  EXPECT_EQ(pa["tile"], pb["tile"]);  // one template
  EXPECT_NE(a->params, b->params);    // another variant
  // The content is pasted, resized, where the params say.
  const Image resized = Resize(content_a, pa["width"], pa["height"]);
  EXPECT_TRUE(SubImageAt(a->image, resized, pa["x"], pa["y"]));
  EXPECT_GE(double(pa["scale"]), 0.45);
  EXPECT_LE(double(pa["scale"]), 0.7);
  // With the same variant draws, another texture seed gives another background.
  EXPECT_GT(MeanAbsDiff(b->image, other->image), 1.0);
  EXPECT_EQ(pb["hue_shift"], po["hue_shift"]);
  EXPECT_EQ(pb["scale"], po["scale"]);
}

TEST(AugmentTextureTest, RefusesATinyCanvas) {
  EXPECT_EQ(MakeTextureVariant(MakeTestPhoto(40, 40, 1), 8, 100, 1, 1).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(MakeTextureVariant(Image(), 100, 100, 1, 1).status().code(),
            StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace neardup
