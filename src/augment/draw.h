// Private to src/augment/: the drawing helpers the overlay edits share (text with OpenCV's Hershey
// fonts, colours, word lists) and the sticker and watermark stamps, so that one drawing serves the
// copy families (overlay.cc, stamp.cc) and the hard negatives of the benchmark maker alike.
//
// Mats hold RGB (cv::Scalar channels 0, 1, 2 = r, g, b). Every function draws only inside the
// Mat it is given, so a caller confines an overlay by passing a sub-Mat.
#ifndef NEARDUP_SRC_AUGMENT_DRAW_H_
#define NEARDUP_SRC_AUGMENT_DRAW_H_

#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>
#include <string>

#include "augment/rng.h"
#include "augment/transforms.h"

namespace neardup::augment_internal {

inline constexpr int kFont = cv::FONT_HERSHEY_SIMPLEX;  // no font files needed; ASCII only

// A short word of the kind found on memes, watermarks and UI labels, lower case.
const char* RandomWord(Rng& rng);
// `word` in upper case.
std::string Upper(const std::string& word);
// A uniform random RGB colour.
cv::Scalar RandomColour(Rng& rng);
// Writes "r", "g", "b" of `c` into `p`.
void PutColour(Params& p, const cv::Scalar& c);
// BT.601 luma of an RGB colour, in [0,255].
double Luma(const cv::Scalar& c);

// Text whose cap-to-descender height is about `height` px, narrowed to fit `max_width` px.
struct TextLayout {
  double scale = 1;
  int thickness = 1;
  cv::Size size;     // from cv::getTextSize: above the baseline
  int baseline = 0;  // below the baseline
};
TextLayout LayoutText(const std::string& text, double height, int max_width, bool outline);

// Draws `text` into `target` with its baseline at `origin`; with an outline of `outline_colour`
// when that is not null.
void DrawText(cv::Mat target, const std::string& text, cv::Point origin, const TextLayout& t,
              const cv::Scalar& colour, const cv::Scalar* outline_colour);

// The sticker shapes ("smiley", "heart", "star"), drawn by DrawSticker.
inline constexpr int kStickerShapes = 3;
const char* StickerShapeName(int shape);

// Draws sticker `shape` (0 .. kStickerShapes-1) filling the square `target` (a die-cut sticker: a
// white rim around the shape, a dark edge), in `colour`. Opaque inside the rim; pixels of
// `target` outside the rim are left as they were.
void DrawSticker(cv::Mat target, int shape, const cv::Scalar& colour);

}  // namespace neardup::augment_internal

#endif  // NEARDUP_SRC_AUGMENT_DRAW_H_
