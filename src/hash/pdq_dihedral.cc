// The 8 dihedral PDQ hashes from one DCT, as the reference's pdqDihedralHash256esFromFloatLuma.
// A reflection of the image along one axis multiplies every DCT-II coefficient whose frequency
// along that axis is odd by -1 (the cosine basis is symmetric or antisymmetric about the centre);
// a transpose of the image transposes the coefficients. Rotations are a reflection plus a
// transpose. Frequencies are 1..16, so coefficient index i has frequency i+1.
#include <array>

#include "hash/pdq_internal.h"
#include "neardup/hash.h"

namespace neardup {
namespace {

struct Symmetry {
  bool transpose;     // output[j][i] instead of output[i][j]
  bool negate_odd_i;  // -1 where the vertical frequency (i+1) is odd
  bool negate_odd_j;  // -1 where the horizontal frequency (j+1) is odd
};

// In the order of PdqDihedral::hashes (the reference's order).
constexpr std::array<Symmetry, 8> kSymmetries = {{
    {false, false, false},  // original
    {true, false, true},    // rot90
    {false, true, true},    // rot180
    {true, true, false},    // rot270
    {false, true, false},   // flip_x: upside down
    {false, false, true},   // flip_y: left-right mirror
    {true, false, false},   // flip_plus1: transpose
    {true, true, true},     // flip_minus1: anti-transpose
}};

hash_internal::PdqDct Apply(const Symmetry& s, const hash_internal::PdqDct& a) {
  hash_internal::PdqDct b;
  for (int i = 0; i < 16; ++i) {
    for (int j = 0; j < 16; ++j) {
      // Index i is frequency i+1: odd frequency <=> even index.
      const bool negate = (s.negate_odd_i && i % 2 == 0) != (s.negate_odd_j && j % 2 == 0);
      const float v = negate ? -a[i][j] : a[i][j];
      (s.transpose ? b[j][i] : b[i][j]) = v;
    }
  }
  return b;
}

}  // namespace

PdqDihedral PdqDihedralHashes(const Image& image) {
  PdqDihedral out;
  if (image.width < hash_internal::kPdqMinSide || image.height < hash_internal::kPdqMinSide) {
    return out;
  }
  hash_internal::PdqFloat f = hash_internal::PdqFloatFromSource({.image = &image});
  out.quality = f.quality;
  for (size_t k = 0; k < kSymmetries.size(); ++k) {
    out.hashes[k] = hash_internal::PdqBitsFromDct(Apply(kSymmetries[k], f.dct));
  }
  return out;
}

}  // namespace neardup
