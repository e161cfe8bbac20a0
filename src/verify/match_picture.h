// The picture of a verified pair (private to the library; OpenCV stays in src/image/): A and B
// side by side at one height, each inlier match as a line from A to B, and the matched region
// outlined in both images, so a person sees what the verification claims.
#ifndef NEARDUP_SRC_VERIFY_MATCH_PICTURE_H_
#define NEARDUP_SRC_VERIFY_MATCH_PICTURE_H_

#include <array>
#include <utility>
#include <vector>

#include "neardup/image.h"
#include "neardup/verify.h"

namespace neardup {

// `matches` and the regions are in the pixels of a and b. At most `max_lines` matches are drawn
// (evenly picked). Returns an RGB image `height` px high.
Image DrawMatches(const Image& a, const Image& b,
                  const std::vector<std::pair<Point2, Point2>>& matches,
                  const std::array<Point2, 4>& region_a, const std::array<Point2, 4>& region_b,
                  int height = 360, size_t max_lines = 200);

}  // namespace neardup

#endif  // NEARDUP_SRC_VERIFY_MATCH_PICTURE_H_
