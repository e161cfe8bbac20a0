// PDQ's downsampler, written to give the same floats as the reference
// (facebook/ThreatExchange pdq/cpp/downscaling): two passes of a box filter along rows then
// columns (a "Jarosz" filter, which approximates a tent), then point sampling at 64x64 cell
// centres.
#ifndef NEARDUP_SRC_HASH_JAROSZ_H_
#define NEARDUP_SRC_HASH_JAROSZ_H_

#include <array>

#include "neardup/image.h"

namespace neardup::hash_internal {

inline constexpr int kPdqGrid = 64;
using PdqGrid = std::array<float, kPdqGrid * kPdqGrid>;  // row-major 64x64 luma

// Box width per pass for shrinking old_dim samples to new_dim: ceil(old / (2 * new)), since two
// passes together should span one output cell.
inline int JaroszWindowSize(int old_dim, int new_dim) {
  return (old_dim + 2 * new_dim - 1) / (2 * new_dim);
}

// The luma to downsample: an 8-bit image (luma computed on the fly, as LumaRow) or a float plane.
struct LumaSource {
  const Image* image = nullptr;      // 1 or 3 channels; or else
  const FloatImage* luma = nullptr;  // 1 channel
  int width() const { return image ? image->width : luma->width; }
  int height() const { return image ? image->height : luma->height; }
};

// Blurs the source and samples it at 64x64. A 64x64 source is copied unfiltered, as the
// reference's pdqHash256FromFloatLuma does. Scratch memory is kept per thread between calls (up
// to kPdqKeptScratchFloats floats), because returning multi-megabyte buffers to the system on
// every call doubled the time of a hash through page faults.
void PdqDownsample(const LumaSource& source, PdqGrid& out);
inline constexpr size_t kPdqKeptScratchFloats = size_t{8} << 20;  // 32 MiB

}  // namespace neardup::hash_internal

#endif  // NEARDUP_SRC_HASH_JAROSZ_H_
