// The steps of PDQ shared by the plain and the dihedral hash (pdq.cc, pdq_dihedral.cc).
#ifndef NEARDUP_SRC_HASH_PDQ_INTERNAL_H_
#define NEARDUP_SRC_HASH_PDQ_INTERNAL_H_

#include <array>

#include "hash/jarosz.h"
#include "neardup/hash.h"

namespace neardup::hash_internal {

// The reference's own minimum: smaller images hash to all zeros with quality 0.
inline constexpr int kPdqMinSide = 5;

// DCT-II coefficients (i, j) = (vertical, horizontal) frequency i+1, j+1 of the 64x64 downsample;
// the DC row and column are not part of PDQ.
using PdqDct = std::array<std::array<float, 16>, 16>;

struct PdqFloat {
  PdqDct dct{};
  int quality = 0;
};

// Downsamples the source, computes the quality and the 16x16 DCT. Requires a source of at least
// kPdqMinSide x kPdqMinSide.
PdqFloat PdqFloatFromSource(const LumaSource& source);

// Bit i*16 + j is set where dct[i][j] exceeds the median of the 256 coefficients (the 128th
// smallest, as the reference's Torben median gives for an even count).
Hash256 PdqBitsFromDct(const PdqDct& dct);

}  // namespace neardup::hash_internal

#endif  // NEARDUP_SRC_HASH_PDQ_INTERNAL_H_
