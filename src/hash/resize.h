// Area (box) resampling of an image's luma to a small grid, the reduction the 64-bit hashes
// (aHash, dHash, pHash, wHash) share. PDQ has its own, reference-exact downsampler (jarosz.h).
#ifndef NEARDUP_SRC_HASH_RESIZE_H_
#define NEARDUP_SRC_HASH_RESIZE_H_

#include <vector>

#include "neardup/image.h"

namespace neardup::hash_internal {

// Luma (0.299 R + 0.587 G + 0.114 B, in [0,255]) of `image` resampled to out_w x out_h,
// row-major. Each output pixel is the mean of the source rectangle it covers, partially covered
// source pixels weighted by their overlap: OpenCV's INTER_AREA when shrinking; when enlarging, an
// output pixel takes its one source pixel, or a blend of two where it straddles a boundary.
// Everything up to one final division per output is exact integer arithmetic, so the result does
// not depend on summation order and a flat image resamples to exactly its value (a flat image then
// hashes to all-zero bits, not to rounding noise).
// Requires a non-empty image with 1 or 3 channels, at most 2^31 pixels, and out_w, out_h >= 1.
std::vector<double> AreaResizeLuma(const Image& image, int out_w, int out_h);

}  // namespace neardup::hash_internal

#endif  // NEARDUP_SRC_HASH_RESIZE_H_
