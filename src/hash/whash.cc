// wHash, after imagehash's whash (mode "haar", hash_size 8), with a fixed 64x64 working size
// where imagehash picks the largest power of two below the image's short side: luma
// area-resampled to 64x64, three levels of the orthonormal Haar transform, and the 8x8
// approximation (LL) band thresholded at its numpy-style median. Bit i is LL cell (i/8, i%8).
//
// imagehash by default first removes the coarsest approximation coefficient (the image mean) and
// reconstructs. That subtracts the same constant from every LL cell, and so from their median:
// the bits cannot change, so we skip it.
#include <array>
#include <vector>

#include "hash/bits64.h"
#include "hash/resize.h"
#include "neardup/hash.h"

namespace neardup {

uint64_t WaveletHash(const Image& image) {
  constexpr int kSide = 64;
  std::vector<double> ll = hash_internal::AreaResizeLuma(image, kSide, kSide);
  // Each Haar level keeps (a + b + c + d) / 2 of every 2x2 block, in place (n is the current side).
  for (int n = kSide / 2; n >= 8; n /= 2) {
    for (int y = 0; y < n; ++y) {
      for (int x = 0; x < n; ++x) {
        const double* top = ll.data() + (2 * y) * (2 * n) + 2 * x;
        const double* bottom = top + 2 * n;
        ll[y * n + x] = (top[0] + top[1] + bottom[0] + bottom[1]) / 2;
      }
    }
  }
  std::array<double, 64> cells;
  for (int i = 0; i < 64; ++i) cells[i] = ll[i];
  return hash_internal::BitsAbove(cells, hash_internal::Median64(cells));
}

}  // namespace neardup
