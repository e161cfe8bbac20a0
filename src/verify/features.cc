// ExtractFeatures: OpenCV's ORB, AKAZE or SIFT on a grey copy at most max_side pixels long.
#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <opencv2/features2d.hpp>
#include <opencv2/imgproc.hpp>

#include "image/cv_image.h"
#include "neardup/verify.h"

namespace neardup {
namespace {

StatusOr<cv::Ptr<cv::Feature2D>> MakeDetector(const VerifyOptions& o) {
  if (o.features == "orb") return cv::Ptr<cv::Feature2D>(cv::ORB::create(o.max_keypoints));
  if (o.features == "akaze") return cv::Ptr<cv::Feature2D>(cv::AKAZE::create());
  if (o.features == "sift") return cv::Ptr<cv::Feature2D>(cv::SIFT::create(o.max_keypoints));
  return InvalidArgumentError("unknown local features '" + o.features +
                              "' (known: orb, akaze, sift)");
}

// Detects on `grey`; positions are mapped to the image's pixels (mirrored back when `flipped`).
void Detect(cv::Feature2D& detector, const cv::Mat& grey, double scale, bool flipped,
            std::vector<Point2>* points, std::vector<uint8_t>* bytes, int* descriptor_bytes,
            bool* binary) {
  std::vector<cv::KeyPoint> kps;
  cv::Mat desc;
  detector.detectAndCompute(grey, cv::noArray(), kps, desc);
  if (desc.empty()) return;
  // Strongest first, so a prefix of the list is the best subset (candidate voting uses one).
  std::vector<int> order(kps.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = int(i);
  std::stable_sort(order.begin(), order.end(),
                   [&](int x, int y) { return kps[x].response > kps[y].response; });
  *binary = desc.depth() == CV_8U;
  *descriptor_bytes = int(desc.cols * desc.elemSize());
  points->reserve(kps.size());
  for (int i : order) {
    const cv::KeyPoint& k = kps[i];
    double x = flipped ? grey.cols - 1 - k.pt.x : k.pt.x;
    points->push_back({(x + 0.5) * scale - 0.5, (k.pt.y + 0.5) * scale - 0.5});
  }
  bytes->resize(size_t(desc.rows) * *descriptor_bytes);
  for (size_t r = 0; r < order.size(); ++r) {
    std::memcpy(bytes->data() + r * *descriptor_bytes, desc.ptr(order[r]), *descriptor_bytes);
  }
}

// Below this many pixels on the shorter side of the working copy no detector finds a keypoint
// (ORB's patch is 31 px and its pyramid shrinks each level by 1.2; a 640x1 strip made its resize
// assert): such images get no features and are matched on their hash alone.
constexpr int kMinFeatureSide = 32;

StatusOr<LocalFeatures> ExtractFeaturesUnguarded(const Image& image, const VerifyOptions& options) {
  ASSIGN_OR_RETURN(cv::Ptr<cv::Feature2D> detector, MakeDetector(options));
  if (image.empty()) return InvalidArgumentError("empty image");
  LocalFeatures f;
  f.width = image.width;
  f.height = image.height;
  cv::Mat grey;
  const cv::Mat src = image_internal::AsMat(image);
  if (image.channels == 3) {
    cv::cvtColor(src, grey, cv::COLOR_RGB2GRAY);
  } else {
    grey = src;
  }
  // Every image is brought to max_side on its longer side: large ones down, small ones up (ORB
  // finds few keypoints on a small picture, and a copy and its original then meet at similar
  // scales).
  const int longer = std::max(image.width, image.height);
  if (longer != options.max_side) {
    f.feature_scale = double(longer) / options.max_side;
    cv::resize(grey, grey,
               cv::Size(std::max(1, int(image.width / f.feature_scale + 0.5)),
                        std::max(1, int(image.height / f.feature_scale + 0.5))),
               0, 0, longer > options.max_side ? cv::INTER_AREA : cv::INTER_LINEAR);
    f.feature_scale = double(image.width) / grey.cols;
  }
  cv::Mat thumb;
  cv::resize(src, thumb, cv::Size(kThumbnailSide, kThumbnailSide), 0, 0, cv::INTER_AREA);
  f.thumbnail.resize(size_t(kThumbnailSide) * kThumbnailSide * 3);
  for (int y = 0; y < kThumbnailSide; ++y) {
    for (int x = 0; x < kThumbnailSide; ++x) {
      for (int c = 0; c < 3; ++c) {
        f.thumbnail[(y * kThumbnailSide + x) * 3 + c] =
            image.channels == 3 ? thumb.at<cv::Vec3b>(y, x)[c] : thumb.at<uint8_t>(y, x);
      }
    }
  }
  if (std::min(grey.cols, grey.rows) < kMinFeatureSide) return f;
  Detect(*detector, grey, f.feature_scale, false, &f.points, &f.descriptors, &f.descriptor_bytes,
         &f.binary);
  if (options.mirrored) {
    cv::Mat flipped;
    cv::flip(grey, flipped, 1);
    Detect(*detector, flipped, f.feature_scale, true, &f.mirrored_points, &f.mirrored_descriptors,
           &f.descriptor_bytes, &f.binary);
  }
  return f;
}

}  // namespace

double ThumbnailDistance(const std::vector<uint8_t>& a, const std::vector<uint8_t>& b) {
  constexpr int n = kThumbnailSide;
  constexpr size_t kBytes = size_t(n) * n * 3;
  if (a.size() != kBytes || b.size() != kBytes) return -1;
  int best = -1;
  for (int t = 0; t < 8; ++t) {
    int sum = 0;
    for (int y = 0; y < n; ++y) {
      for (int x = 0; x < n; ++x) {
        // (x, y) of A against B under transform t: transpose, then mirror x and/or y.
        int u = (t & 4) ? y : x, v = (t & 4) ? x : y;
        if (t & 1) u = n - 1 - u;
        if (t & 2) v = n - 1 - v;
        for (int c = 0; c < 3; ++c) {
          sum += std::abs(int(a[(y * n + x) * 3 + c]) - int(b[(v * n + u) * 3 + c]));
        }
      }
    }
    if (best < 0 || sum < best) best = sum;
  }
  return double(best) / kBytes;
}

StatusOr<LocalFeatures> ExtractFeatures(const Image& image, const VerifyOptions& options) {
  // OpenCV reports bad input by throwing; a worker thread must get a Status instead.
  try {
    return ExtractFeaturesUnguarded(image, options);
  } catch (const cv::Exception& e) {
    return InvalidArgumentError("local features of a " + std::to_string(image.width) + "x" +
                                std::to_string(image.height) + " image failed: " + e.msg);
  } catch (const std::bad_alloc&) {
    return ResourceExhaustedError("out of memory while extracting local features");
  }
}

}  // namespace neardup
