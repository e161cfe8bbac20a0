// Deterministic, seeded image edits: the paper's training augmentations (§IV.A.3) and the edits a
// copy-detection benchmark measures (re-encoding, crops, overlays, screenshots, ...). The
// benchmark maker and the trainer use the same functions, so an edit training learns to ignore is
// the edit the benchmark scores.
//
// Conventions for this header:
//  - Determinism: the same input pixels, family and seed give byte-identical output and params
//    on every call and thread. Draws use std::mt19937_64 with our own arithmetic (never
//    std::*_distribution, which differs between standard libraries), so params also match across
//    platforms; pixels may differ in the last bit where OpenCV or libm builds differ. Each family
//    derives its own sub-seed from (seed, family name) with splitmix64, so results do not depend
//    on call order or on which other families are applied.
//  - Parameters are drawn from the documented ranges, rounded to 3 decimals *before* use (so the
//    logged values reproduce the edit exactly) and returned as compact JSON object text.
//    Positions and sizes in params are integer pixels (x right, y down, from the top-left);
//    colours are "r","g","b" in [0,255].
//  - Input: an Image with 1 or 3 channels and both sides >= kMinAugmentSide; grey input is
//    expanded to RGB first. Output: always 3-channel RGB, both sides >= kMinAugmentSide.
//  - Errors: InvalidArgument for an empty, too small or malformed image or a bad argument;
//    ResourceExhausted when memory runs out. All functions are pure and thread-safe.
#ifndef NEARDUP_AUGMENT_H_
#define NEARDUP_AUGMENT_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "neardup/image.h"
#include "neardup/status.h"

namespace neardup {

// The smallest side an input may have and every output has.
inline constexpr int kMinAugmentSide = 16;

// One kind of edit. The comment gives the FamilyName, the parameter ranges and the params keys.
// "Same size" means the output has the input's width and height.
enum class Family {
  // ---- The paper's augmentations (§IV.A.3) ----
  // "rotate": same size, about the centre; angle magnitude uniform in [15,30] degrees, random
  // sign, positive = counter-clockwise; corners filled with black or by reflection (drawn 50/50).
  // {"angle", "fill": "black"|"reflect"}
  kRotate,
  // "scale_translate": same size; zoom about the centre by scale in [0.8,1.2], then shift by
  // tx, ty in [-0.1,0.1] of the width/height (positive = right/down); fill as kRotate.
  // {"scale", "tx", "ty", "fill"}
  kScaleTranslate,
  // "flip_h", "flip_v": exact mirror left-right / top-bottom. {}
  kFlipH,
  kFlipV,
  // "cutout": 1-3 axis-aligned rectangles (aspect in [0.5,2], placed without overlap when
  // possible) together covering ~10-25% of the area, each filled with mid grey or a random colour.
  // {"area_fraction" (target), "rects": [{"x","y","width","height","r","g","b"}]}
  kCutout,
  // "random_crop": a sub-image keeping 50-90% of the area, its aspect ratio the source's times a
  // factor log-uniform in [3/4,4/3], at a random position; not resized. x, y: its top-left corner
  // in the source. {"area_fraction" (target), "aspect_factor", "x", "y", "width", "height"}
  kRandomCrop,
  // "brightness_contrast": v' = b*v, then v'' = c*v' + (1-c)*mean luma of v'; b in [0.7,1.3],
  // c in [0.6,1.4]. {"brightness", "contrast"}
  kBrightnessContrast,
  // "color_jitter": in HSV, hue shifted by [-18,18] degrees, saturation scaled by [0.6,1.4].
  // {"hue_shift", "saturation"}
  kColorJitter,

  // ---- Copy-detection edits ----
  // "jpeg": a real JPEG encode + decode at quality 10-30. {"quality"}
  kJpeg,
  // "downscale": both sides scaled by one factor in [0.2,0.5] (area averaging), each side at
  // least kMinAugmentSide. {"factor", "width", "height"}
  kDownscale,
  // "crop": a sub-image keeping 40-70% of the area with the source's aspect ratio, at a random
  // position; not resized. {"area_fraction" (target), "x", "y", "width", "height"} as random_crop
  kCrop,
  // "rotate90": 90, 180 or 270 degrees clockwise, exact (no resampling). {"degrees"}
  kRotate90,
  // "perspective": same size; each corner moved inwards by up to 15% of the width and of the
  // height (so the whole image stays visible and the central 70% x 70% is always covered), the
  // rest filled black. {"corners": [[x,y] where the top-left, top-right, bottom-right and
  // bottom-left source pixel centres land, 3 decimals]}
  kPerspective,
  // "blur": Gaussian blur, sigma in [1.5,4] pixels. {"sigma"}
  kBlur,
  // "noise": additive Gaussian noise, independent per sample, sigma in [8,25] levels, rounded and
  // saturated. {"sigma"}
  kNoise,
  // "greyscale": BT.601 luma written to R, G and B (output stays 3 channels). {}
  kGreyscale,
  // "gamma": v' = 255 (v/255)^gamma, gamma in [0.5,0.7] (brighter) or [1.5,2.2] (darker), 50/50.
  // {"gamma"}
  kGamma,
  // "text_overlay": same size; 1-3 words, each `size` = 5-15% of the image height tall (cap line
  // to descender), narrowed to fit the width, a random colour and a black or white outline, at a
  // random position inside the image. Pixels change only inside the reported boxes (glyphs,
  // outline and a 2 px margin). {"words": [{"text","size","x","y","width","height","r","g","b"}]}
  kTextOverlay,
  // "border": uniform random colour padding, each side independently 5-20% of the width (left,
  // right) or height (top, bottom). The source is at (left, top), unchanged.
  // {"top","bottom","left","right","r","g","b"}
  kBorder,
  // "paste": a screenshot-like canvas 1.3-2.5x the source on each side (drawn independently),
  // filled with a flat UI colour (light or dark theme), a title bar, maybe a side bar, boxes and
  // a few words; the source, resized by scale in [0.4,0.9] (as neardup::Resize), pasted on top,
  // unoccluded, with its top-left corner at (x, y). The output is larger than the input (up to
  // 6.25x the pixels).
  // {"canvas_width","canvas_height","scale","x","y","width","height"}
  kPasteInCanvas,
  // "caption": a meme-like band 10-20% of the source height added above or below, white with
  // black text or black with white text, 1-4 words. The source is at (0, y), unchanged.
  // {"position": "top"|"bottom", "band_height", "y", "text"}
  kCaptionBar,
  // "strong": three different copy-detection edits in random order. Its Augmented holds the three
  // constituent records (never a "strong" record), so a log shows what was actually done.
  kStrong,

  // ---- Copy-detection edits added after kStrong (which never draws them, so logged strong edits
  // keep reproducing) ----
  // "sticker": same size; an emoji-like die-cut sticker (a smiley, heart or star in one of 7
  // colours, white rim, dark outline), a square `size` = 15-30% of the shorter side wide, at a
  // random position inside the image. Opaque; pixels change only inside the square.
  // {"shape": "smiley"|"heart"|"star", "size", "x", "y", "width", "height", "r", "g", "b"}
  kSticker,
  // "watermark": same size; a ring logo holding the first letter and a word ("SAMPLE", "STOCK",
  // ...), `size` = 8-15% of the height tall (narrowed to 90% of the width), white or black with a
  // thin rim of the other, blended with opacity `alpha` in [0.3,0.6] at a corner or the centre (3%
  // margin). Pixels change
  // only inside the box. {"text", "size", "alpha", "colour": "white"|"black", "place":
  // "top_left"|"top_right"|"bottom_left"|"bottom_right"|"centre", "x", "y", "width", "height"}
  kWatermark,
};

// Stable snake_case name, as listed above ("rotate", "scale_translate", ..., "paste", "caption",
// "strong", "sticker", "watermark"). Names are part of logs and file formats: never change one.
const char* FamilyName(Family family);
// The family whose FamilyName is `name` (exact, case-sensitive), or nullopt.
std::optional<Family> FamilyFromName(std::string_view name);

// Every family, in declaration order.
std::vector<Family> AllFamilies();
// The paper's 8 augmentations: rotate ... color_jitter.
std::vector<Family> PaperFamilies();
// The 13 single copy-detection edits jpeg ... caption: what kStrong draws from (not strong, and
// not the later sticker and watermark).
std::vector<Family> CopyDetectionFamilies();

// One applied edit: its family and its drawn parameters as a JSON object, e.g.
// {"angle":-17.3,"fill":"black"}.
struct TransformRecord {
  Family family;
  std::string params;
};

struct Augmented {
  Image image;                           // RGB, both sides >= kMinAugmentSide
  std::vector<TransformRecord> applied;  // in the order applied
};

// Applies one edit of `family` with parameters drawn from its range by `seed`. `applied` holds
// one record (three for kStrong).
StatusOr<Augmented> ApplyFamily(const Image& image, Family family, uint64_t seed);

// Applies `k` different families drawn from `families` (duplicates in the list are ignored), in
// random order, each with its own sub-seed of `seed`. k = 0 returns the (RGB) input unchanged.
// Errors: InvalidArgument when k < 0 or k exceeds the number of distinct families.
StatusOr<Augmented> ApplyRandomChain(const Image& image, const std::vector<Family>& families, int k,
                                     uint64_t seed);

// One view for contrastive training: 1-3 (uniform) of the paper's augmentations as
// ApplyRandomChain. Two views of one image with different seeds form a positive pair. Trainers
// that also want copy-detection invariance call ApplyRandomChain with their own set.
StatusOr<Augmented> MakeTrainingView(const Image& image, uint64_t seed);

// ---- Hard negatives: unrelated pictures that share an overlay ----
// ApplyFamily with one seed on two images of one size draws the same parameters, so it puts the
// identical caption band, sticker, frame or screenshot around both: that is how a benchmark makes
// unrelated pictures that share an overlay. The one kind of hard negative that is not a copy edit
// is a texture template:

// An image made from a template (a wallpaper, a card, a game tile set): a tiled texture drawn from
// `texture_seed` (a tile of 24-72 px, at most half the shorter side, on a random background with
// 3-6 random rectangles, discs and lines), recoloured and shifted by the variant (hue rotated by
// `hue_shift` in [-90,90] degrees, the tiling offset by dx, dy in [0, tile)), with `content`
// resized to fit `scale` in [0.45,0.7] of the canvas (aspect kept) and pasted at (x, y). Variants
// of one texture_seed share the texture and differ in colour, offset and content; `variant_seed`
// draws those. Output width x height RGB (both >= kMinAugmentSide, else InvalidArgument);
// `params` receives {"tile", "hue_shift", "dx", "dy", "scale", "x", "y", "width", "height"}.
struct TextureVariant {
  Image image;
  std::string params;
};
StatusOr<TextureVariant> MakeTextureVariant(const Image& content, int width, int height,
                                            uint64_t texture_seed, uint64_t variant_seed);

// ---- The pixel operations with given parameters ----
// What the families above do once their parameters are drawn, for callers that need one fixed
// edit (the hash robustness benchmark measures "JPEG q30", "resize 25%", ...). The geometric
// ones are in neardup/preprocess.h: Crop (crop, random_crop), Rotate90 (rotate90),
// FlipHorizontal/FlipVertical (flip_h, flip_v), GaussianDenoise (blur). Input: RGB (3 channels),
// both sides >= kMinAugmentSide, asserted; output RGB. Pure and thread-safe.

// "jpeg": a real JPEG encode at `quality` (1-100) and decode. Errors as EncodeImage/DecodeImage.
StatusOr<Image> JpegRoundTrip(const Image& rgb, int quality);
// "downscale": both sides times `factor` (in (0,1]), rounded, each at least kMinAugmentSide;
// area averaging (neardup::Resize).
Image DownscaleBy(const Image& rgb, double factor);
// "greyscale": BT.601 luma written to R, G and B.
Image GreyscaleRgb(const Image& rgb);
// "gamma": v' = 255 (v/255)^gamma, rounded; gamma > 0.
Image ApplyGamma(const Image& rgb, double gamma);

}  // namespace neardup

#endif  // NEARDUP_AUGMENT_H_
