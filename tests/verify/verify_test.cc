// Geometric verification: synthetic pairs with known transforms recover them, crops and paste-ins
// are located, mirrored copies match, textureless, repeated-pattern and unrelated images do not.
#include "neardup/verify.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <opencv2/imgproc.hpp>

#include "image/cv_image.h"
#include "testutil/testutil.h"

namespace neardup {
namespace {

using image_internal::AsMat;
using image_internal::FromMat;

// `img` warped by the 2x3 affine `m` into an out_w x out_h image (black outside).
Image Warp(const Image& img, const cv::Mat& m, int out_w, int out_h) {
  cv::Mat out;
  cv::warpAffine(AsMat(img), out, m, cv::Size(out_w, out_h), cv::INTER_LINEAR);
  return FromMat(out);
}

Verification VerifyImages(const Image& a, const Image& b, VerifyOptions o = {}) {
  auto fa = ExtractFeatures(a, o);
  auto fb = ExtractFeatures(b, o);
  EXPECT_TRUE(fa.ok() && fb.ok());
  return VerifyPair(*fa, *fb, o);
}

Point2 Map(const std::array<double, 9>& h, Point2 p) {
  double w = h[6] * p.x + h[7] * p.y + h[8];
  return {(h[0] * p.x + h[1] * p.y + h[2]) / w, (h[3] * p.x + h[4] * p.y + h[5]) / w};
}

double Dist(Point2 a, Point2 b) { return std::hypot(a.x - b.x, a.y - b.y); }

TEST(VerifyTest, RecoversAKnownRotationAndScale) {
  Image a = testing::MakeBusyPhoto(640, 480, 11);
  // 25 degrees, scale 0.7, about the centre of a 600x600 output.
  cv::Mat m = cv::getRotationMatrix2D(cv::Point2f(320, 240), 25, 0.7);
  m.at<double>(0, 2) += -20;
  m.at<double>(1, 2) += 60;
  Image b = Warp(a, m, 600, 600);
  for (const char* features : {"orb", "akaze", "sift"}) {
    VerifyOptions o;
    o.features = features;
    Verification v = VerifyImages(a, b, o);
    EXPECT_TRUE(v.match) << features << ": " << v.reason;
    EXPECT_FALSE(v.mirrored);
    EXPECT_GE(v.inliers, 30) << features;
    EXPECT_GT(v.score, 0.9) << features;
    // Every corner of A's centre area lands where the true transform puts it.
    for (Point2 p : {Point2{200, 150}, Point2{440, 150}, Point2{440, 330}, Point2{200, 330}}) {
      Point2 want{m.at<double>(0, 0) * p.x + m.at<double>(0, 1) * p.y + m.at<double>(0, 2),
                  m.at<double>(1, 0) * p.x + m.at<double>(1, 1) * p.y + m.at<double>(1, 2)};
      EXPECT_LT(Dist(Map(v.homography, p), want), 3.0) << features;
    }
  }
}

TEST(VerifyTest, MirroredCopiesMatchWithAReflection) {
  Image a = testing::MakeBusyPhoto(512, 384, 12);
  cv::Mat flipped;
  cv::flip(AsMat(a), flipped, 1);
  Verification v = VerifyImages(a, FromMat(flipped));
  EXPECT_TRUE(v.match) << v.reason;
  EXPECT_TRUE(v.mirrored);
  EXPECT_LT(Dist(Map(v.homography, {100, 50}), {511 - 100, 50}), 3.0);
  VerifyOptions no_mirror;
  no_mirror.mirrored = false;
  EXPECT_FALSE(VerifyImages(a, FromMat(flipped), no_mirror).match);
}

TEST(VerifyTest, LocatesACropInTheOriginal) {
  Image a = testing::MakeBusyPhoto(800, 600, 13);
  cv::Mat crop = AsMat(a)(cv::Rect(300, 200, 320, 240)).clone();
  cv::Mat bigger;
  cv::resize(crop, bigger, cv::Size(480, 360), 0, 0, cv::INTER_LINEAR);
  Image b = FromMat(bigger);
  // A = the crop, B = the original: the crop's whole area is found at (300,200)-(620,440).
  Verification v = VerifyImages(b, a);
  ASSERT_TRUE(v.match) << v.reason;
  EXPECT_GT(v.coverage_a, 0.6);  // the crop is matched over its whole area
  EXPECT_GT(v.coverage_b, 0.6);  // ... and over its place in the original (the overlap)
  EXPECT_LT(Dist(Map(v.homography, {0, 0}), {300, 200}), 4.0);
  EXPECT_LT(Dist(Map(v.homography, {479, 359}), {619.3, 439.3}), 4.0);
  for (const Point2& p : v.region_b) {
    EXPECT_GT(p.x, 290);
    EXPECT_LT(p.x, 630);
    EXPECT_GT(p.y, 190);
    EXPECT_LT(p.y, 450);
  }
}

TEST(VerifyTest, LocatesAPasteIntoAnotherPicture) {
  Image small = testing::MakeBusyPhoto(320, 240, 14);
  Image scene = testing::MakeBusyPhoto(900, 700, 15);
  cv::Mat s = AsMat(scene);
  AsMat(small).copyTo(s(cv::Rect(500, 380, 320, 240)));
  Verification v = VerifyImages(small, scene);
  ASSERT_TRUE(v.match) << v.reason;
  // The region in B is the pasted rectangle (the inliers' box may be a little inside it).
  for (const Point2& p : v.region_b) {
    EXPECT_GT(p.x, 495);
    EXPECT_LT(p.x, 825);
    EXPECT_GT(p.y, 375);
    EXPECT_LT(p.y, 625);
  }
  EXPECT_GT(v.spread, 0.05);  // well above the collapsed clusters of kMinSpread (0.01)
  // The pasted picture is matched over its whole area, and so is its place in the host (the rest
  // of the host does not overlap it and does not count).
  EXPECT_GT(v.coverage_a, 0.6);
  EXPECT_GT(v.coverage_b, 0.6);
  EXPECT_EQ(v.coverage, std::min(v.coverage_a, v.coverage_b));
}

// Two unrelated photos that carry the same overlay: a sticker (a busy patch pasted at one place)
// or a meme caption band with the same words.
void AddSticker(Image* img, const Image& sticker, int x, int y) {
  AsMat(sticker).copyTo(AsMat(*img)(cv::Rect(x, y, sticker.width, sticker.height)));
}
void AddCaption(Image* img, const std::string& text) {
  cv::Mat m = AsMat(*img);
  const int band = m.rows / 7;
  m(cv::Rect(0, m.rows - band, m.cols, band)).setTo(cv::Scalar(255, 255, 255));
  cv::putText(m, text, cv::Point(20, m.rows - band / 4), cv::FONT_HERSHEY_DUPLEX, 2.2,
              cv::Scalar(0, 0, 0), 4);
}

TEST(VerifyTest, ASharedStickerOrCaptionIsNotAMatch) {
  const Image sticker = testing::MakeBusyPhoto(130, 130, 40);
  for (bool caption : {false, true}) {
    Image a = testing::MakeBusyPhoto(800, 600, 41), b = testing::MakeBusyPhoto(800, 600, 42);
    for (Image* img : {&a, &b}) {
      if (caption) {
        AddCaption(img, "WHEN IT IS MONDAY");
      } else {
        AddSticker(img, sticker, 620, 40);
      }
    }
    Verification v = VerifyImages(a, b);
    EXPECT_FALSE(v.match) << (caption ? "caption" : "sticker") << ": " << v.inliers
                          << " inliers, coverage " << v.coverage;
    EXPECT_LT(v.coverage, 0.2);
    // The same overlaid photo is still its own copy: the overlay does not hide a real match.
    Image c = a;
    Verification same = VerifyImages(a, c);
    EXPECT_TRUE(same.match) << same.reason;
    EXPECT_GT(same.coverage, 0.8);
  }
}

// The same caption on a picture with little else (a plain background: every keypoint of it is
// on the caption) and on a photo: the caption covers all of the first but a band of the second.
// And one UI frame around two different pictures (a screenshot of one app).
TEST(VerifyTest, ACaptionOnAPlainPictureOrASharedFrameIsNotAMatch) {
  Image plain(800, 600, 3);
  std::fill(plain.pixels.begin(), plain.pixels.end(), uint8_t(90));
  Image photo = testing::MakeBusyPhoto(800, 600, 43);
  AddCaption(&plain, "WHEN IT IS MONDAY");
  AddCaption(&photo, "WHEN IT IS MONDAY");
  Verification v = VerifyImages(plain, photo);
  EXPECT_FALSE(v.match) << v.inliers << " inliers, coverage " << v.coverage_a << " / "
                        << v.coverage_b;
  EXPECT_LT(v.coverage, 0.2);

  const Image frame = testing::MakeBusyPhoto(800, 600, 44);
  Image a = frame, b = frame;
  const cv::Rect inside(120, 110, 560, 400);
  AsMat(testing::MakeBusyPhoto(560, 400, 45)).copyTo(AsMat(a)(inside));
  AsMat(testing::MakeBusyPhoto(560, 400, 46)).copyTo(AsMat(b)(inside));
  Verification ui = VerifyImages(a, b);
  EXPECT_LT(ui.coverage, 0.6) << ui.inliers << " inliers";
  EXPECT_LT(ui.coverage, VerifyImages(a, a).coverage - 0.3);
}

TEST(VerifyTest, TexturelessImagesAreNotConfidentMatches) {
  Image grad(400, 300, 3);
  for (int y = 0; y < 300; ++y) {
    for (int x = 0; x < 400; ++x) {
      grad.at(y, x, 0) = uint8_t(x * 255 / 399);
      grad.at(y, x, 1) = uint8_t(y * 255 / 299);
      grad.at(y, x, 2) = 128;
    }
  }
  Verification v = VerifyImages(grad, grad);
  EXPECT_FALSE(v.match);
  EXPECT_EQ(v.score, 0);
  EXPECT_NE(v.reason.find("too few"), std::string::npos) << v.reason;
}

TEST(VerifyTest, RepeatedPatternsAndUnrelatedPhotosDoNotMatch) {
  auto checker = [](int size, int period, int shift) {
    Image img(size, size, 1);
    for (int y = 0; y < size; ++y) {
      for (int x = 0; x < size; ++x) {
        img.at(y, x) = (((x + shift) / period + (y + shift) / period) % 2) ? 230 : 20;
      }
    }
    return img;
  };
  Verification v = VerifyImages(checker(400, 16, 0), checker(400, 20, 7));
  EXPECT_FALSE(v.match) << v.inliers << " inliers, spread " << v.spread;
  EXPECT_LT(v.score, 0.5);
  Verification u =
      VerifyImages(testing::MakeBusyPhoto(640, 480, 16), testing::MakeBusyPhoto(640, 480, 17));
  EXPECT_FALSE(u.match) << u.inliers << " inliers";
  EXPECT_LT(u.score, 0.5);
}

TEST(VerifyTest, ImplausibleHomographiesAreRejected) {
  const std::array<Point2, 4> region{Point2{0, 0}, Point2{100, 0}, Point2{100, 100},
                                     Point2{0, 100}};
  std::string why;
  EXPECT_TRUE(PlausibleHomography({1, 0, 0, 0, 1, 0, 0, 0, 1}, region, false, &why)) << why;
  EXPECT_FALSE(PlausibleHomography({0.01, 0, 5, 0, 0.01, 5, 0, 0, 1}, region, false, &why));
  EXPECT_NE(why.find("scale"), std::string::npos);
  EXPECT_FALSE(PlausibleHomography({1, 3, 0, 0, 0.5, 0, 0, 0, 1}, region, false, &why));
  EXPECT_NE(why.find("shear"), std::string::npos);
  EXPECT_FALSE(PlausibleHomography({-1, 0, 100, 0, 1, 0, 0, 0, 1}, region, false, &why));
  EXPECT_TRUE(PlausibleHomography({-1, 0, 100, 0, 1, 0, 0, 0, 1}, region, true, &why)) << why;
  EXPECT_FALSE(PlausibleHomography({1, 0, 0, 0, 1, 0, 0.02, 0, 1}, region, false, &why));
  EXPECT_NE(why.find("perspective"), std::string::npos);
}

TEST(VerifyTest, FeaturesSurviveSerialisation) {
  auto f = ExtractFeatures(testing::MakeBusyPhoto(400, 300, 21));
  ASSERT_TRUE(f.ok());
  ASSERT_GT(f->points.size(), 100u);
  std::vector<uint8_t> bytes = SerializeFeatures(*f);
  auto back = ParseFeatures(bytes.data(), bytes.size());
  ASSERT_TRUE(back.ok()) << back.status().message();
  EXPECT_EQ(back->width, 400);
  EXPECT_EQ(back->descriptors, f->descriptors);
  EXPECT_EQ(back->mirrored_descriptors, f->mirrored_descriptors);
  EXPECT_EQ(back->thumbnail, f->thumbnail);
  EXPECT_EQ(back->thumbnail.size(), size_t(kThumbnailSide * kThumbnailSide * 3));
  ASSERT_EQ(back->points.size(), f->points.size());
  EXPECT_NEAR(back->points[7].x, f->points[7].x, 1e-3);
  // The same pair verifies the same from the parsed copy.
  EXPECT_EQ(VerifyPair(*back, *back).inliers, VerifyPair(*f, *f).inliers);
  // Truncated or foreign bytes are refused, never read past their end.
  bytes.pop_back();
  EXPECT_EQ(ParseFeatures(bytes.data(), bytes.size()).status().code(), StatusCode::kCorruption);
  const uint8_t junk[40] = {1, 2, 3};
  EXPECT_EQ(ParseFeatures(junk, sizeof junk).status().code(), StatusCode::kCorruption);
}

TEST(VerifyTest, ThumbnailsTellFlatColoursApartUnderAnyOrientation) {
  cv::Mat green(200, 300, CV_8UC3, cv::Scalar(40, 160, 60)),
      grey(200, 300, CV_8UC3, cv::Scalar(120, 120, 120));
  auto g = ExtractFeatures(FromMat(green)), h = ExtractFeatures(FromMat(grey));
  ASSERT_TRUE(g.ok() && h.ok());
  EXPECT_GT(ThumbnailDistance(g->thumbnail, h->thumbnail), 40);
  EXPECT_EQ(ThumbnailDistance(g->thumbnail, g->thumbnail), 0);
  // A photo and itself rotated by 90 degrees and mirrored: the same pixels.
  Image photo = testing::MakeBusyPhoto(320, 320, 43);
  cv::Mat turned;
  cv::rotate(AsMat(photo), turned, cv::ROTATE_90_CLOCKWISE);
  cv::flip(turned, turned, 1);
  auto p = ExtractFeatures(photo), q = ExtractFeatures(FromMat(turned));
  ASSERT_TRUE(p.ok() && q.ok());
  EXPECT_LT(ThumbnailDistance(p->thumbnail, q->thumbnail), 2);
  LocalFeatures none;
  EXPECT_EQ(ThumbnailDistance(p->thumbnail, none.thumbnail), -1);
}

TEST(VerifyTest, ScaledVerificationMapsTheScaledPixels) {
  // Features taken on reduced decodes (1/2 of A, 3/4 of B) reported in the files' pixels.
  Verification v;
  v.homography = {1.1, 0.1, 20, -0.05, 0.9, 10, 0.0001, 0.00005, 1};
  v.region_a = {Point2{10, 10}, Point2{100, 10}, Point2{100, 80}, Point2{10, 80}};
  for (int i = 0; i < 4; ++i) v.region_b[i] = Map(v.homography, v.region_a[i]);
  v.inlier_pairs = {{Point2{50, 40}, Map(v.homography, {50, 40})}};
  Verification s = v;
  ScaleVerification(&s, 2, 2, 4.0 / 3, 4.0 / 3);
  for (int i = 0; i < 4; ++i) {
    EXPECT_NEAR(s.region_a[i].x, 2 * v.region_a[i].x, 1e-9);
    EXPECT_NEAR(s.region_b[i].y, 4.0 / 3 * v.region_b[i].y, 1e-9);
    const Point2 mapped = Map(s.homography, s.region_a[i]);
    EXPECT_NEAR(mapped.x, s.region_b[i].x, 1e-6);
    EXPECT_NEAR(mapped.y, s.region_b[i].y, 1e-6);
  }
  EXPECT_NEAR(s.inlier_pairs[0].first.x, 100, 1e-9);
  EXPECT_NEAR(Dist(Map(s.homography, s.inlier_pairs[0].first), s.inlier_pairs[0].second), 0, 1e-6);
}

TEST(VerifyTest, UnknownFeatureTypeIsAnError) {
  VerifyOptions o;
  o.features = "surf";
  auto f = ExtractFeatures(testing::MakeBusyPhoto(64, 64, 1), o);
  EXPECT_EQ(f.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(f.status().message().find("surf"), std::string::npos);
}

}  // namespace
}  // namespace neardup
