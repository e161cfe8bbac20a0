// VerifyPair: ratio test + one-to-one matching, USAC homography (OpenCV calib3d), checks.
#include <algorithm>
#include <cmath>
#include <opencv2/calib3d.hpp>
#include <opencv2/features2d.hpp>
#include <opencv2/imgproc.hpp>

#include "core/hamming.h"
#include "neardup/verify.h"

namespace neardup {
namespace {

constexpr double kMinSpread = 0.01;    // inliers' hull / image area below this: collapsed
constexpr double kFullSpread = 0.02;   // ... from this on, inliers count in full
constexpr double kMaxScale = 8;        // A -> B scale (square root of |det|) within [1/8, 8]
constexpr double kMaxAnisotropy = 4;   // ratio of the singular values of the linear part
constexpr double kMaxPerspective = 2;  // homogeneous w over the region within [1/2, 2] of w(0)
constexpr int kRansacIterations = 2000;
// Coverage (Verification::coverage) is measured two ways, and the smaller counts:
//  - along each axis: kCoverageBins bands of rows and of columns; a caption band or a sticker
//    spans few of one of them, while a copy's inliers reach nearly all of both even when they
//    are few (20 inliers spread at random reach ~80% of 12 bins);
//  - in area: a grid of cells with about kInliersPerCell inliers each (3x3 to 8x8), so a diagonal
//    watermark, which spans every row and column, still fills few cells.
constexpr int kCoverageBins = 12;
constexpr double kInliersPerCell = 5;
constexpr double kMinCoverage = 0.3;

struct Candidate {
  int a = 0;
  int b = 0;
  float distance = 0;
};

cv::Mat Rows(const std::vector<uint8_t>& bytes, int n, int descriptor_bytes, bool binary) {
  if (binary) return cv::Mat(n, descriptor_bytes, CV_8U, const_cast<uint8_t*>(bytes.data()));
  return cv::Mat(n, descriptor_bytes / 4, CV_32F, const_cast<uint8_t*>(bytes.data()));
}

// Matches A->B passing the ratio test, then one-to-one: best distances first, each keypoint of A
// and of B used once.
std::vector<Candidate> MatchDescriptors(const std::vector<uint8_t>& da, size_t na,
                                        const LocalFeatures& b, size_t nb, int bytes, bool binary,
                                        double ratio) {
  std::vector<Candidate> out;
  if (na < 2 || nb < 2) return out;
  if (binary) {
    // Our own brute force: OpenCV's matcher spends most of its time in per-row dispatch and
    // tracing around a table popcount (75% of a fused `find` in its profile).
    std::vector<int> best(na), d1(na), d2(na);
    TwoNearestHamming(da.data(), int(na), b.descriptors.data(), int(nb), bytes, best.data(),
                      d1.data(), d2.data());
    for (size_t i = 0; i < na; ++i) {
      if (d1[i] < ratio * d2[i]) out.push_back({int(i), best[i], float(d1[i])});
    }
  } else {
    cv::BFMatcher matcher(cv::NORM_L2);
    std::vector<std::vector<cv::DMatch>> knn;
    matcher.knnMatch(Rows(da, int(na), bytes, binary),
                     Rows(b.descriptors, int(nb), bytes, binary), knn, 2);
    for (const auto& m : knn) {
      if (m.size() == 2 && m[0].distance < ratio * m[1].distance) {
        out.push_back({m[0].queryIdx, m[0].trainIdx, m[0].distance});
      }
    }
  }
  std::sort(out.begin(), out.end(), [](const Candidate& x, const Candidate& y) {
    return x.distance != y.distance ? x.distance < y.distance : x.a < y.a;
  });
  std::vector<char> used_a(na, 0), used_b(nb, 0);
  std::vector<Candidate> unique;
  for (const Candidate& c : out) {
    if (used_a[c.a] || used_b[c.b]) continue;
    used_a[c.a] = used_b[c.b] = 1;
    unique.push_back(c);
  }
  return unique;
}

Point2 Apply(const std::array<double, 9>& h, Point2 p, double* w_out = nullptr) {
  const double w = h[6] * p.x + h[7] * p.y + h[8];
  if (w_out) *w_out = w;
  return {(h[0] * p.x + h[1] * p.y + h[2]) / w, (h[3] * p.x + h[4] * p.y + h[5]) / w};
}

double HullArea(const std::vector<cv::Point2f>& pts) {
  if (pts.size() < 3) return 0;
  std::vector<cv::Point2f> hull;
  cv::convexHull(pts, hull);
  return cv::contourArea(hull);
}

// The share of `bins` that hold an inlier among those that hold any of the image's keypoints.
template <typename BinOf>
double BinCoverage(const std::vector<Point2>& keypoints, const std::vector<cv::Point2f>& inliers,
                   int bins, BinOf bin_of) {
  std::vector<char> content(size_t(bins), 0), covered(size_t(bins), 0);
  for (const Point2& p : keypoints) content[bin_of(p.x, p.y)] = 1;
  for (const cv::Point2f& p : inliers) content[bin_of(p.x, p.y)] = covered[bin_of(p.x, p.y)] = 1;
  int c = 0, k = 0;
  for (int i = 0; i < bins; ++i) {
    c += content[i];
    k += covered[i];
  }
  return c == 0 ? 0 : double(k) / c;
}

// The first `n` of `points` that `h` maps inside a width x height frame (in front of it): an
// image's keypoints in the part the other image shows too.
std::vector<Point2> InOverlap(const std::vector<Point2>& points, size_t n,
                              const std::array<double, 9>& h, int width, int height) {
  std::vector<Point2> out;
  for (size_t i = 0; i < std::min(n, points.size()); ++i) {
    double w = 0;
    const Point2 q = Apply(h, points[i], &w);
    if (w > 0 && q.x >= 0 && q.y >= 0 && q.x < width && q.y < height) out.push_back(points[i]);
  }
  return out;
}

std::array<double, 9> Inverse(const std::array<double, 9>& h) {
  cv::Matx33d m(h.data());
  cv::Matx33d inv = m.inv();
  std::array<double, 9> out;
  for (int i = 0; i < 9; ++i) out[i] = inv.val[i];
  return out;
}

// How much of an image's content (where its `keypoints` in the overlap are) the inliers cover,
// in [0,1]: the smaller of the row, column and cell coverages above. Unlike the inliers' hull,
// which two far-apart words of a shared caption span as widely as a whole picture.
double Coverage(const std::vector<Point2>& keypoints, const std::vector<cv::Point2f>& inliers) {
  if (keypoints.empty()) return 0;
  // Bins over the box of the keypoints in the overlap, so that a crop's place in its original is
  // binned as finely as the crop itself.
  double x0 = keypoints[0].x, x1 = x0, y0 = keypoints[0].y, y1 = y0;
  for (const Point2& p : keypoints) {
    x0 = std::min(x0, p.x);
    x1 = std::max(x1, p.x);
    y0 = std::min(y0, p.y);
    y1 = std::max(y1, p.y);
  }
  auto index = [](double v, double lo, double hi, int bins) {
    return std::clamp(int((v - lo) * bins / std::max(1.0, hi - lo)), 0, bins - 1);
  };
  const int b = kCoverageBins;
  const double rows =
      BinCoverage(keypoints, inliers, b, [&](double, double y) { return index(y, y0, y1, b); });
  const double cols =
      BinCoverage(keypoints, inliers, b, [&](double x, double) { return index(x, x0, x1, b); });
  const int g = std::clamp(int(std::lround(std::sqrt(inliers.size() / kInliersPerCell))), 3, 8);
  const double cells = BinCoverage(keypoints, inliers, g * g, [&](double x, double y) {
    return index(y, y0, y1, g) * g + index(x, x0, x1, g);
  });
  return std::min({rows, cols, cells});
}

// One pass: A's points/descriptors (as they are, or mirrored) against B.
Verification Fit(const std::vector<Point2>& pa, const std::vector<uint8_t>& da,
                 const LocalFeatures& a, const LocalFeatures& b, bool mirrored,
                 const VerifyOptions& o) {
  Verification v;
  v.mirrored = mirrored;
  // The strongest `use_keypoints` of each side (they are stored strongest first).
  auto limit = [&](size_t n) {
    return o.use_keypoints > 0 ? std::min(n, size_t(o.use_keypoints)) : n;
  };
  const size_t na = limit(pa.size()), nb = limit(b.points.size());
  v.keypoints_a = int(na);
  v.keypoints_b = int(nb);
  std::vector<Candidate> m = MatchDescriptors(da, na, b, nb, a.descriptor_bytes, a.binary, o.ratio);
  v.matches = int(m.size());
  // Fewer matches than the inliers a match needs cannot become one: no RANSAC (which would run
  // all its iterations on such noise, most of the cost of a negative pair).
  if (m.size() < size_t(std::max(4, o.min_inliers))) {
    v.reason = "too few matches (" + std::to_string(m.size()) + ")";
    return v;
  }
  std::vector<cv::Point2f> src, dst;
  for (const Candidate& c : m) {
    src.emplace_back(float(pa[c.a].x), float(pa[c.a].y));
    dst.emplace_back(float(b.points[c.b].x), float(b.points[c.b].y));
  }
  std::vector<uchar> mask;
  // USAC (OpenCV's universal RANSAC with local optimisation; its generator has a fixed seed, so a
  // pair verifies the same in any run, on any thread, and `find` and `explain` agree). It rejects
  // orientation-reversing samples, so a mirrored pass fits x -> -x of A's points and the
  // reflection is put back into the homography.
  std::vector<cv::Point2f> fit_src = src;
  if (mirrored) {
    for (cv::Point2f& p : fit_src) p.x = -p.x;
  }
  cv::Mat H = cv::findHomography(fit_src, dst, cv::USAC_FAST, o.ransac_px * b.feature_scale, mask,
                                 kRansacIterations, 0.995);
  if (H.empty()) {
    v.reason = "no homography fits the matches";
    return v;
  }
  if (mirrored) H.col(0) *= -1;
  for (int i = 0; i < 9; ++i) v.homography[i] = H.at<double>(i / 3, i % 3);
  std::vector<cv::Point2f> in_a, in_b;
  double x0 = 1e18, y0 = 1e18, x1 = -1e18, y1 = -1e18;
  for (size_t i = 0; i < mask.size(); ++i) {
    if (!mask[i]) continue;
    in_a.push_back(src[i]);
    in_b.push_back(dst[i]);
    v.inlier_pairs.push_back({{src[i].x, src[i].y}, {dst[i].x, dst[i].y}});
    x0 = std::min<double>(x0, src[i].x);
    y0 = std::min<double>(y0, src[i].y);
    x1 = std::max<double>(x1, src[i].x);
    y1 = std::max<double>(y1, src[i].y);
  }
  v.inliers = int(in_a.size());
  if (v.inliers == 0) {
    v.reason = "no inliers";
    return v;
  }
  v.region_a = {Point2{x0, y0}, Point2{x1, y0}, Point2{x1, y1}, Point2{x0, y1}};
  for (int i = 0; i < 4; ++i) v.region_b[i] = Apply(v.homography, v.region_a[i]);
  v.spread = std::min(1.0, std::max(HullArea(in_a) / (double(a.width) * a.height),
                                    HullArea(in_b) / (double(b.width) * b.height)));
  v.coverage_a = Coverage(InOverlap(pa, na, v.homography, b.width, b.height), in_a);
  v.coverage_b = Coverage(InOverlap(b.points, nb, Inverse(v.homography), a.width, a.height), in_b);
  v.coverage = std::min(v.coverage_a, v.coverage_b);
  std::string why;
  const bool plausible = PlausibleHomography(v.homography, v.region_a, mirrored, &why);
  if (!plausible) {
    v.reason = why;
  } else if (v.spread < kMinSpread) {
    v.reason = "inliers bunched in a tiny area (spread " + std::to_string(v.spread) + ")";
  } else if (v.coverage < kMinCoverage) {
    v.reason = "the inliers cover only " + std::to_string(int(100 * v.coverage_a + 0.5)) +
               "% of A's content and " + std::to_string(int(100 * v.coverage_b + 0.5)) +
               "% of B's (a shared overlay, not a copy)";
  } else if (v.inliers < o.min_inliers) {
    v.reason = "too few inliers (" + std::to_string(v.inliers) + " < " +
               std::to_string(o.min_inliers) + ")";
  }
  if (plausible && v.spread >= kMinSpread) {
    const double effective = v.inliers * std::min(1.0, std::sqrt(v.spread / kFullSpread));
    v.score = 1 - std::exp(-std::max(0.0, effective - 6) / 10);
  }
  v.match = v.reason.empty();
  return v;
}

// The better of two verifications: a match first, then the higher score, then more inliers.
bool Better(const Verification& x, const Verification& y) {
  if (x.match != y.match) return x.match;
  if (x.score != y.score) return x.score > y.score;
  return x.inliers > y.inliers;
}

}  // namespace

bool PlausibleHomography(const std::array<double, 9>& h, const std::array<Point2, 4>& region_a,
                         bool mirrored, std::string* reason) {
  auto fail = [&](const std::string& r) {
    if (reason) *reason = r;
    return false;
  };
  if (std::abs(h[8]) < 1e-12) return fail("degenerate homography");
  const double a = h[0] / h[8], b = h[1] / h[8], c = h[3] / h[8], d = h[4] / h[8];
  const double det = a * d - b * c;
  if (mirrored ? det >= 0 : det <= 0) {
    return fail(mirrored ? "mirrored match without a reflection" : "transform flips the image");
  }
  const double scale = std::sqrt(std::abs(det));
  if (scale < 1 / kMaxScale || scale > kMaxScale) {
    return fail("implausible scale " + std::to_string(scale));
  }
  // Singular values of [a b; c d].
  const double s = a * a + b * b + c * c + d * d;
  const double root = std::sqrt(std::max(0.0, s * s - 4 * det * det));
  const double s1 = std::sqrt((s + root) / 2), s2 = std::sqrt(std::max(0.0, (s - root) / 2));
  if (s2 <= 0 || s1 / s2 > kMaxAnisotropy) return fail("implausible shear or stretch");
  double w0 = 0;
  std::array<Point2, 4> q;
  q[0] = Apply(h, region_a[0], &w0);
  for (int i = 0; i < 4; ++i) {
    double w = 0;
    q[i] = Apply(h, region_a[i], &w);
    const double rel = w / w0;
    if (!(rel > 1 / kMaxPerspective && rel < kMaxPerspective)) {
      return fail("implausible perspective");
    }
  }
  // The image of the region must be a convex quadrilateral with the expected orientation.
  double sign = 0;
  for (int i = 0; i < 4; ++i) {
    const Point2 p = q[i], r = q[(i + 1) % 4], t = q[(i + 2) % 4];
    const double cross = (r.x - p.x) * (t.y - r.y) - (r.y - p.y) * (t.x - r.x);
    if (cross == 0 || (sign != 0 && (cross > 0) != (sign > 0))) {
      return fail("the matched region maps to a folded shape");
    }
    sign = cross;
  }
  return true;
}

void ScaleVerification(Verification* v, double ax, double ay, double bx, double by) {
  // H' = diag(bx, by, 1) * H * diag(1/ax, 1/ay, 1).
  std::array<double, 9>& h = v->homography;
  const double col[3] = {1 / ax, 1 / ay, 1}, row[3] = {bx, by, 1};
  for (int r = 0; r < 3; ++r) {
    for (int c = 0; c < 3; ++c) h[r * 3 + c] *= row[r] * col[c];
  }
  for (Point2& p : v->region_a) p = {p.x * ax, p.y * ay};
  for (Point2& p : v->region_b) p = {p.x * bx, p.y * by};
  for (auto& [pa, pb] : v->inlier_pairs) {
    pa = {pa.x * ax, pa.y * ay};
    pb = {pb.x * bx, pb.y * by};
  }
}

namespace {

// Every keypoint of each side has its descriptor (a record that does not could make the matcher
// read past the buffer).
bool Consistent(const LocalFeatures& f) {
  const size_t row = size_t(std::max(0, f.descriptor_bytes));
  return f.descriptors.size() == f.points.size() * row &&
         f.mirrored_descriptors.size() == f.mirrored_points.size() * row &&
         (f.binary || row % sizeof(float) == 0);
}

Verification Refused(std::string reason) {
  Verification v;
  v.reason = std::move(reason);
  return v;
}

}  // namespace

Verification VerifyPair(const LocalFeatures& a, const LocalFeatures& b,
                        const VerifyOptions& options) {
  if (a.descriptor_bytes != b.descriptor_bytes || a.binary != b.binary) {
    return Refused("features of different kinds");
  }
  if (!Consistent(a) || !Consistent(b))
    return Refused(
        "damaged features (keypoints and "
        "descriptors disagree)");
  Verification best;
  // OpenCV reports degenerate input by throwing; a pair that cannot be verified is no match.
  try {
    best = Fit(a.points, a.descriptors, a, b, false, options);
    // The mirrored pass only when the direct one fails: a copy is rarely both (and it halves the
    // cost of a true match).
    if (options.mirrored && !best.match && !a.mirrored_points.empty()) {
      Verification m = Fit(a.mirrored_points, a.mirrored_descriptors, a, b, true, options);
      if (Better(m, best)) best = std::move(m);
    }
  } catch (const cv::Exception& e) {
    return Refused("verification failed: " + e.msg);
  } catch (const std::bad_alloc&) {
    return Refused("verification failed: out of memory");
  }
  if (best.keypoints_a < 4 || best.keypoints_b < 4) {
    best.reason = "too few keypoints (" + std::to_string(best.keypoints_a) + " in A, " +
                  std::to_string(best.keypoints_b) + " in B)";
    best.match = false;
    best.score = 0;
  }
  return best;
}

}  // namespace neardup
