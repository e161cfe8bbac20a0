// Preprocessing steps applied between decoding and description (the paper's §IV.A.2): resizing,
// float conversion and normalisation, denoising, histogram equalisation and sharpening, plus the
// geometric helpers later layers need.
//
// Conventions: every function is pure (returns a new image, the input is untouched) so steps
// compose as plain calls, e.g.
//   ToFloat(ResizeToSquare(MedianDenoise(img, 3), 224, SquareMode::kCentreCrop),
//   FloatRange::kZeroOne)
// Images are the library's uint8 HxWxC with 1 (grey) or 3 (RGB) channels; each function accepts
// both and keeps the channel count unless it says otherwise. Arguments outside the documented
// ranges (an empty image, a non-positive size, a crop outside the image) are programmer errors:
// they assert. All functions are thread-safe.
#ifndef NEARDUP_PREPROCESS_H_
#define NEARDUP_PREPROCESS_H_

#include <cstdint>

#include "neardup/image.h"

namespace neardup {

// ---- Geometry ---------------------------------------------------------------------------------

// Resizes to exactly width x height (aspect ratio not preserved). Area averaging when neither
// side grows (no aliasing), bilinear otherwise.
Image Resize(const Image& image, int width, int height);

enum class SquareMode {
  kLetterbox,   // aspect kept, longer side = size, centred on a square of `pad` colour
  kCentreCrop,  // aspect kept, shorter side = size, then the centred size x size window
};

struct Rgb {
  uint8_t r = 0, g = 0, b = 0;
};

// A size x size image from `image` by `mode`. For grey images the pad colour is the BT.601 luma
// of `pad`. Where the centring leaves an odd pixel, the extra bar/crop goes to the right/bottom.
Image ResizeToSquare(const Image& image, int size, SquareMode mode, Rgb pad = {});

// The w x h window whose top-left corner is (x, y); it must lie inside the image.
Image Crop(const Image& image, int x, int y, int width, int height);

// Rotates by k quarter turns clockwise (any integer k; negative = counter-clockwise). Odd k swaps
// width and height.
Image Rotate90(const Image& image, int k);
// Mirrors left-right (column x goes to width-1-x).
Image FlipHorizontal(const Image& image);
// Mirrors top-bottom (row y goes to height-1-y).
Image FlipVertical(const Image& image);

// ---- Colour and intensity ---------------------------------------------------------------------

// One channel: BT.601 luma (0.299 R + 0.587 G + 0.114 B) of RGB; grey is returned as is.
Image ToGrey(const Image& image);

// Global histogram equalisation. On grey images directly; on RGB the luma (Y of YCrCb) is
// equalised and chroma kept, so hues do not shift.
Image EqualizeHistogram(const Image& image);

// Contrast-limited adaptive histogram equalisation (CLAHE) on luma as above. `clip_limit` (> 0)
// caps each tile's histogram at clip_limit times its mean bin; `tile` (>= 1) is the number of
// tiles across each side.
Image Clahe(const Image& image, double clip_limit = 2.0, int tile = 8);

// ---- Denoising and sharpening -----------------------------------------------------------------

// Gaussian blur with standard deviation `sigma` (> 0) pixels; kernel covers +-3 sigma.
Image GaussianDenoise(const Image& image, double sigma);
// Median filter over a ksize x ksize window (ksize odd, >= 3): removes salt-and-pepper noise.
Image MedianDenoise(const Image& image, int ksize);

// Unsharp-like sharpening: out = in - amount * (second-derivative edge response), saturated to
// [0,255]. Sobel: the response is (d2/dx2 + d2/dy2) from 3x3 Sobel kernels, divided by 4 (they
// smooth across the derivative, so noise is amplified less); Laplacian: the 4-neighbour
// Laplacian. amount >= 0; 0 returns the input, ~0.5-1.5 is a visible sharpening.
Image SharpenSobel(const Image& image, double amount);
Image SharpenLaplacian(const Image& image, double amount);

// ---- Float conversion -------------------------------------------------------------------------

enum class FloatRange {
  kZeroOne,      // v / 255, in [0, 1]
  kMinusOneOne,  // v / 127.5 - 1, in [-1, 1]
};

// Same shape and channel order, float samples in `range`.
FloatImage ToFloat(const Image& image, FloatRange range = FloatRange::kZeroOne);

// ImageNet statistics of [0,1] RGB samples, as torchvision's pretrained models expect.
inline constexpr float kImageNetMean[3] = {0.485f, 0.456f, 0.406f};
inline constexpr float kImageNetStd[3] = {0.229f, 0.224f, 0.225f};

// In place, per channel c: v = (v - mean[c]) / stddev[c]. A 1-channel image uses mean[0],
// stddev[0]. Apply to ToFloat(..., kZeroOne) output for the ImageNet defaults to be meaningful.
void Normalize(FloatImage& image, const float (&mean)[3] = kImageNetMean,
               const float (&stddev)[3] = kImageNetStd);

}  // namespace neardup

#endif  // NEARDUP_PREPROCESS_H_
