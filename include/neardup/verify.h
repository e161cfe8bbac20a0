// Geometric verification: local features + robust fitting prove that two images show the same
// picture and say where (the matched region in each). Hashes and global descriptors propose
// candidate pairs; this checks them (about 5 ms of CPU per pair, so candidates only).
//
// Pipeline: keypoints and binary descriptors (ORB by default; "akaze", "sift") on a grey copy whose
// longer side is `max_side` (larger images reduced, smaller ones enlarged); matches A->B by the
// ratio test and a one-to-one rule (a keypoint of B serves one keypoint of A); a homography fitted
// by RANSAC; sanity checks on it (bounded scale, anisotropy and perspective, a convex
// non-degenerate image of the matched region) and on the spread of its inliers. A is matched as it
// is and, when that fails, mirrored, so mirrored copies verify too (their homography then has a
// negative determinant). Thread safety: all functions are pure and may be called concurrently.
#ifndef NEARDUP_VERIFY_H_
#define NEARDUP_VERIFY_H_

#include <array>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "neardup/image.h"
#include "neardup/status.h"

namespace neardup {

struct Point2 {
  double x = 0;
  double y = 0;
};

struct VerifyOptions {
  std::string features = "orb";  // "orb", "akaze" or "sift"
  int max_keypoints = 1000;      // per image (ORB, SIFT)
  int use_keypoints = 0;         // match only each image's strongest N (0 = all extracted)
  int max_side = 640;            // features are taken on a copy this large (longer side)
  double ratio = 0.8;            // Lowe's ratio test
  bool mirrored = true;          // also match A mirrored
  double ransac_px = 5;          // RANSAC reprojection threshold, in pixels of the feature copy
  int min_inliers = 12;          // fewer: not a match
};

// The local features of one image, in its own pixel coordinates (plain data: cacheable).
struct LocalFeatures {
  int width = 0;  // the image's size
  int height = 0;
  double feature_scale = 1;  // image pixels per pixel of the copy the features were taken on
  int descriptor_bytes = 0;  // per keypoint; binary descriptors (ORB, AKAZE) are compared by
  bool binary = true;        // Hamming distance, float ones (SIFT, 4 bytes per value) by L2
  std::vector<Point2> points;
  std::vector<uint8_t> descriptors;  // points.size() * descriptor_bytes
  // The same for the image mirrored left-right, positions given in the unmirrored image.
  std::vector<Point2> mirrored_points;
  std::vector<uint8_t> mirrored_descriptors;
  // The whole image's colours: kThumbnailSide x kThumbnailSide area means, RGB, row-major (grey
  // images repeat the value). Lets low-information images (flat, tiny: few keypoints, unstable
  // hashes) be compared by their pixels. Empty in records written before it existed.
  std::vector<uint8_t> thumbnail;
};

inline constexpr int kThumbnailSide = 8;

// How far apart two images' colours are: the mean absolute difference of their thumbnails, in
// levels (0-255), the smallest over the 8 rotations and mirrorings of B's; -1 when either has no
// thumbnail (LocalFeatures::thumbnail).
double ThumbnailDistance(const std::vector<uint8_t>& a, const std::vector<uint8_t>& b);

struct Verification {
  bool match = false;  // enough inliers, a plausible transform and enough spread
  double score = 0;    // [0,1], grows with inliers and their spread; 0 when the checks fail
  int keypoints_a = 0;
  int keypoints_b = 0;
  int matches = 0;  // after the ratio test and the one-to-one rule
  int inliers = 0;
  bool mirrored = false;  // found with A mirrored
  // Maps pixel (x, y) of A to B: [h0 h1 h2; h3 h4 h5; h6 h7 h8] (x, y, 1), row-major.
  std::array<double, 9> homography{};
  // The matched region: the inliers' bounding box in A and its image in B (corners clockwise from
  // top-left), so a crop or a paste-in is located in both images.
  std::array<Point2, 4> region_a{};
  std::array<Point2, 4> region_b{};
  double spread = 0;  // area of the inliers' convex hull / area of the smaller image, in [0,1]
  // Where the inliers are, within the overlap (the part of each image that the homography maps
  // inside the other): the share of that part's content (the bins holding any of its keypoints)
  // they reach, the smallest of their reach over 12 bands of rows, 12 bands of columns and a
  // grid of cells (3x3 to 8x8, about 5 inliers per cell); `coverage` is the smaller of the two
  // images'. A copy relation covers the whole overlap in both (a crop is matched over all of
  // itself and over its place in the original; a paste-in over the pasted picture and its place
  // in the host); a shared caption, sticker, logo, watermark or UI frame covers a thin band, a
  // small blob or a border of two overlapping pictures whose rest differs. A match needs
  // coverage >= 0.3.
  double coverage_a = 0;
  double coverage_b = 0;
  double coverage = 0;
  std::vector<std::pair<Point2, Point2>> inlier_pairs;  // (in A, in B)
  std::string reason;                                   // why it is not a match ("" when it is)
};

// Keypoints and descriptors of `image` (RGB or grey). InvalidArgument for an unknown feature type.
StatusOr<LocalFeatures> ExtractFeatures(const Image& image, const VerifyOptions& options = {});

// LocalFeatures as bytes (cached beside the other descriptors: Descriptor::local) and back.
// Positions are kept as float32; the layout is little-endian and versioned. ParseFeatures returns
// Corruption for bytes that are not a whole record of this layout.
std::vector<uint8_t> SerializeFeatures(const LocalFeatures& f);
StatusOr<LocalFeatures> ParseFeatures(const uint8_t* data, size_t size);

// The image size recorded in serialized features (LocalFeatures::width/height) without parsing
// the keypoints; false when the bytes are not a feature record.
bool FeaturesImageSize(const uint8_t* data, size_t size, int* width, int* height);

// Re-expresses a verification's geometry (homography, regions, inlier pairs) in other pixel
// grids: a point (x, y) of A becomes (x * ax, y * ay), of B (x * bx, y * by). Used when the
// features were taken on a reduced decode of the files.
void ScaleVerification(Verification* v, double ax, double ay, double bx, double by);

// Verifies the pair (A = a, B = b); features of one feature type.
Verification VerifyPair(const LocalFeatures& a, const LocalFeatures& b,
                        const VerifyOptions& options = {});

// Checks of a fitted homography H (A -> B) for images of the given sizes: false with the reason
// for a collapsed or implausible transform (scale outside [1/8, 8], anisotropy over 4, strong
// perspective, the image of A's region not convex or nearly empty). `mirrored` expects a
// reflection (negative determinant), otherwise none.
bool PlausibleHomography(const std::array<double, 9>& h, const std::array<Point2, 4>& region_a,
                         bool mirrored, std::string* reason);

}  // namespace neardup

#endif  // NEARDUP_VERIFY_H_
