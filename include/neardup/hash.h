// Perceptual hashes computed on plain pixel buffers (no decoder, no third-party types).
//
// Bit convention: a hash of B bits is stored in ceil(B/64) uint64 words; bit i lives in
// word i/64 at position i%64. Hamming distance is the number of differing bits.
// For PDQ the 256 bits and their hex form follow Meta's reference implementation
// (facebook/ThreatExchange pdq/cpp): Hash256 word w holds the reference's 16-bit words
// 4w..4w+3 (word 4w+k in bits 16k..16k+15), so bit i is the reference's bit i, the sign of DCT
// coefficient (i/16, i%16) against the median. ToHex prints w[3] down to w[0], 16 digits each,
// most significant first: exactly the reference's Hash256::format().
// Thread safety: all functions are pure and may be called concurrently.
#ifndef NEARDUP_HASH_H_
#define NEARDUP_HASH_H_

#include <algorithm>
#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "neardup/image.h"
#include "neardup/status.h"

namespace neardup {

inline constexpr int kPdqBits = 256;

struct Hash256 {
  std::array<uint64_t, 4> w{};
  bool operator==(const Hash256&) const = default;
};

// 64 lowercase hex digits, in the reference PDQ order.
std::string ToHex(const Hash256& h);
// Parses 64 hex digits (either case). InvalidArgument otherwise.
StatusOr<Hash256> Hash256FromHex(std::string_view hex);

// The number of differing bits of two PDQ hashes, 0..256.
int HammingDistance(const Hash256& a, const Hash256& b);
inline int HammingDistance64(uint64_t a, uint64_t b) { return __builtin_popcountll(a ^ b); }

// Hamming distance between two codes of `words` uint64 each. W > 0 fixes the word count at
// compile time (the search kernels' fast paths); W = 0 uses `words`.
template <int W = 0>
inline int CodeDistance(const uint64_t* x, const uint64_t* y, int words = W) {
  const int n = W > 0 ? W : words;
  int d = 0;
  for (int i = 0; i < n; ++i) d += __builtin_popcountll(x[i] ^ y[i]);
  return d;
}

// The distance between two items of a hash method with variants (pdq8: the 8 dihedral
// transforms of one image, variant 0 the image as it is): the smallest Hamming distance between
// any variant of `a` and variant 0 of `b`, or variant 0 of `a` and any variant of `b`. Symmetric;
// with one variant each it is the plain Hamming distance. Codes are `words` uint64 each, variants
// consecutive. This is the one definition every search, the methods and the benchmarks use.
template <int W = 0>
inline int VariantDistance(const uint64_t* a, int variants_a, const uint64_t* b, int variants_b,
                           int words = W) {
  const int n = W > 0 ? W : words;
  int best = CodeDistance<W>(a, b, n);
  for (int v = 1; v < variants_a && best > 0; ++v) {
    best = std::min(best, CodeDistance<W>(a + v * n, b, n));
  }
  for (int v = 1; v < variants_b && best > 0; ++v) {
    best = std::min(best, CodeDistance<W>(a, b + v * n, n));
  }
  return best;
}

// PDQ's documented advice: a hash of quality below this is unreliable (flat or blurry images
// have unstable bits). Find matches such hashes only at distance <= kLowQualityMaxBits (find.h),
// and the fused score counts it as evidence (fuse.h).
inline constexpr int kPdqReliableQuality = 50;

// Luma in [0,255] as floats (PDQ's weights: 0.299 R + 0.587 G + 0.114 B); grey input is copied.
FloatImage ToLuma(const Image& image);

// 64-bit hashes (the imagehash conventions): each area-averages the luma (weights as above) to
// a small grid and thresholds an 8x8 array of values; bit i is cell (row i/8, column i%8).
// Medians are numpy's (mean of the two middle values); comparisons are strict, so a flat image
// gives 0 (pHash: its bits are rounding noise, but deterministic). The values are not
// imagehash's hex strings: the resampling (area vs PIL Lanczos) and the bit order differ.
// Requires a non-empty image with 1 or 3 channels.
uint64_t AverageHash(const Image& image);     // aHash: bits = pixel > mean of 8x8
uint64_t DifferenceHash(const Image& image);  // dHash: bits = left < right on 9x8
uint64_t PerceptualHash(const Image& image);  // pHash: 32x32 DCT, 8x8 low band > median
uint64_t WaveletHash(const Image& image);     // wHash: Haar on 64x64 luma, LL 8x8 > median

struct PdqResult {
  Hash256 hash;
  int quality = 0;  // 0-100: gradient energy; below ~50 the hash is unreliable
};

// PDQ hash of an image (any size >= 1x1). Follows Meta's published algorithm: luma, Jarosz
// tent-filter downsample to 64x64, 16x16 DCT-II of the low band, threshold at the median.
// Same floats as the reference's pdqHash256FromFloatLuma (bit-identical on tests/data/pdq).
// As in the reference, an image under 5 px on a side gives an all-zero hash with quality 0.
// Unlike the reference's file hasher, images over 512 px are not first squashed to 512x512:
// every pixel given is used. Keeps up to 32 MiB of scratch per calling thread between calls.
PdqResult PdqHash(const Image& image);
// The same from luma in [0,255] (1 channel), e.g. ToLuma's output.
PdqResult PdqHashFromLuma(const FloatImage& luma);

// The 8 dihedral PDQ hashes, in the reference order: original, rot90, rot180, rot270,
// flip_x, flip_y, flip_plus1, flip_minus1. Computed from one DCT, as the reference does.
struct PdqDihedral {
  std::array<Hash256, 8> hashes;
  int quality = 0;
};
PdqDihedral PdqDihedralHashes(const Image& image);

}  // namespace neardup

#endif  // NEARDUP_HASH_H_
