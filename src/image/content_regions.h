// Private to the library: where a screenshot or a page holds a picture (QueryOptions::regions).
#ifndef NEARDUP_SRC_IMAGE_CONTENT_REGIONS_H_
#define NEARDUP_SRC_IMAGE_CONTENT_REGIONS_H_

#include <vector>

#include "neardup/image.h"

namespace neardup {

// A window of an image, in its pixels.
struct Region {
  int x = 0, y = 0, width = 0, height = 0;
};

// Up to `max_regions` rectangles, largest first, that hold a textured picture (a photo, a
// drawing) laid on flat surroundings: a picture pasted into a screenshot, a web page, a slide or
// a document. Found on a 256-px copy of the image: pixels whose 5x5 neighbourhood varies (grey
// standard deviation > 4), less the thin bands along the edges of flat shapes and lettering (an
// opening of 7 px), are joined by a closing of 1/16 of the long side, and each joined
// area's bounding box is kept when it covers 2-80% of the image, is at most 4:1, and at least
// 35% of it varies (a flat bar or button with lettering does not; a picture does). Empty for a
// photo that fills its frame, or an image smaller than 32 px a side. Deterministic.
std::vector<Region> ContentRegions(const Image& image, int max_regions = 2);

}  // namespace neardup

#endif  // NEARDUP_SRC_IMAGE_CONTENT_REGIONS_H_
