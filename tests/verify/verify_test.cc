// Geometric verification: synthetic pairs with known transforms recover them, crops and paste-ins
// are located, mirrored copies match, textureless, repeated-pattern and unrelated images do not.
#include "neardup/verify.h"

#include <gtest/gtest.h>

#include <cmath>
#include <opencv2/imgproc.hpp>

#include "image/cv_image.h"
#include "testutil/testutil.h"

namespace neardup {
namespace {

using image_internal::AsMat;
using image_internal::FromMat;

// A busy picture: the test photo with 150 random rectangles, ellipses and lines and a few words
// drawn over it (corners and edges at many scales, as in real photos; MakeTestPhoto alone is
// smooth and has few stable keypoints).
Image Photo(int w, int h, uint32_t seed) {
  Image img = testing::MakeTestPhoto(w, h, seed);
  cv::Mat m = AsMat(img);
  cv::RNG rng(seed);
  auto colour = [&] { return cv::Scalar(rng.uniform(0, 256), rng.uniform(0, 256), rng.uniform(0, 256)); };
  for (int i = 0; i < 150; ++i) {
    cv::Point p(rng.uniform(0, w), rng.uniform(0, h));
    int s = rng.uniform(4, std::max(5, w / 12));
    switch (i % 3) {
      case 0:
        cv::rectangle(m, p, p + cv::Point(s, rng.uniform(4, s + 5)), colour(), cv::FILLED);
        break;
      case 1:
        cv::ellipse(m, p, cv::Size(s, s / 2 + 2), rng.uniform(0, 180), 0, 360, colour(), cv::FILLED);
        break;
      default:
        cv::line(m, p, cv::Point(rng.uniform(0, w), rng.uniform(0, h)), colour(), 2);
    }
  }
  for (int i = 0; i < 6; ++i) {
    cv::putText(m, "neardup " + std::to_string(seed * 7 + i),
                cv::Point(rng.uniform(0, w / 2), rng.uniform(20, h)), cv::FONT_HERSHEY_SIMPLEX,
                0.5 + rng.uniform(0.0, 1.0), colour(), 2);
  }
  return img;
}

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
  Image a = Photo(640, 480, 11);
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
  Image a = Photo(512, 384, 12);
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
  Image a = Photo(800, 600, 13);
  cv::Mat crop = AsMat(a)(cv::Rect(300, 200, 320, 240)).clone();
  cv::Mat bigger;
  cv::resize(crop, bigger, cv::Size(480, 360), 0, 0, cv::INTER_LINEAR);
  Image b = FromMat(bigger);
  // A = the crop, B = the original: the crop's whole area is found at (300,200)-(620,440).
  Verification v = VerifyImages(b, a);
  ASSERT_TRUE(v.match) << v.reason;
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
  Image small = Photo(320, 240, 14);
  Image scene = Photo(900, 700, 15);
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
  Verification u = VerifyImages(Photo(640, 480, 16), Photo(640, 480, 17));
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

TEST(VerifyTest, UnknownFeatureTypeIsAnError) {
  VerifyOptions o;
  o.features = "surf";
  auto f = ExtractFeatures(Photo(64, 64, 1), o);
  EXPECT_EQ(f.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(f.status().message().find("surf"), std::string::npos);
}

}  // namespace
}  // namespace neardup
