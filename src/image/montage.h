// Pictures made for people: images laid out in captioned rows with lines of text below, as
// `neardup explain` writes them. Private to the library (OpenCV stays in src/image/).
#ifndef NEARDUP_SRC_IMAGE_MONTAGE_H_
#define NEARDUP_SRC_IMAGE_MONTAGE_H_

#include <string>
#include <vector>

#include "neardup/image.h"

namespace neardup {

struct MontageCell {
  const Image* image = nullptr;  // RGB or grey; not owned
  std::string caption;           // one line under the image (ASCII)
};

// Each row's cells side by side, every image scaled (aspect kept) to `cell_height` px high and at
// most 2 * cell_height wide, with its caption under it; rows one below the other, then `lines` of
// text; white background, RGB. Cells without an image are left blank.
Image Montage(const std::vector<std::vector<MontageCell>>& rows,
              const std::vector<std::string>& lines, int cell_height = 256);

}  // namespace neardup

#endif  // NEARDUP_SRC_IMAGE_MONTAGE_H_
