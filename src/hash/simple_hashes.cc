// aHash and dHash, after imagehash (github.com/JohannesBuchner/imagehash), on area-resampled luma.
// Differences from imagehash: PDQ's float luma instead of PIL's "L" rounding, area averaging
// instead of PIL's Lanczos, and the bit order of bits64.h (imagehash's hex string orders the
// same 64 cells differently), so our values do not equal imagehash's hex strings.
#include <array>
#include <cassert>
#include <vector>

#include "hash/bits64.h"
#include "hash/resize.h"
#include "neardup/hash.h"

namespace neardup {

// Bit i = cell i of the 8x8 area-averaged luma is brighter than the mean of the 64 cells
// (strictly: a flat image gives 0).
uint64_t AverageHash(const Image& image) {
  std::vector<double> px = hash_internal::AreaResizeLuma(image, 8, 8);
  std::array<double, 64> cells;
  double sum = 0;
  for (int i = 0; i < 64; ++i) sum += cells[i] = px[i];
  return hash_internal::BitsAbove(cells, sum / 64);
}

// Luma is resampled to 9 columns x 8 rows; bit (r*8 + c) is set where cell (r, c) is strictly
// darker than its right neighbour (r, c+1): brightness rises to the right. That is imagehash's
// `pixels[:, 1:] > pixels[:, :-1]`. A flat image gives 0.
uint64_t DifferenceHash(const Image& image) {
  std::vector<double> px = hash_internal::AreaResizeLuma(image, 9, 8);
  uint64_t bits = 0;
  for (int r = 0; r < 8; ++r) {
    const double* row = px.data() + r * 9;
    for (int c = 0; c < 8; ++c) {
      if (row[c] < row[c + 1]) bits |= uint64_t{1} << (r * 8 + c);
    }
  }
  return bits;
}

}  // namespace neardup
