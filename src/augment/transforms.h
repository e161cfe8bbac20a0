// Private to src/augment/: one function per single edit of neardup/augment.h (kStrong is a chain,
// built in augment.cc). Each draws its parameters from `rng` in a fixed order, writes them into
// `params` (a JSON object, keys in a stable order) and returns the edited image.
//
// Precondition for all: `rgb` has 3 channels and both sides >= kMinAugmentSide. Postcondition:
// the result has 3 channels and both sides >= kMinAugmentSide. OpenCV may throw cv::Exception or
// std::bad_alloc; the caller (ApplyFamily) turns those into a Status.
#ifndef NEARDUP_SRC_AUGMENT_TRANSFORMS_H_
#define NEARDUP_SRC_AUGMENT_TRANSFORMS_H_

#include <nlohmann/json.hpp>

#include "augment/rng.h"
#include "neardup/image.h"
#include "neardup/status.h"

namespace neardup::augment_internal {

using Params = nlohmann::ordered_json;

// geometric.cc
StatusOr<Image> RotateEdit(const Image& rgb, Rng& rng, Params& params);
StatusOr<Image> ScaleTranslateEdit(const Image& rgb, Rng& rng, Params& params);
StatusOr<Image> FlipHEdit(const Image& rgb, Rng& rng, Params& params);
StatusOr<Image> FlipVEdit(const Image& rgb, Rng& rng, Params& params);
StatusOr<Image> RandomCropEdit(const Image& rgb, Rng& rng, Params& params);
StatusOr<Image> CropEdit(const Image& rgb, Rng& rng, Params& params);
StatusOr<Image> DownscaleEdit(const Image& rgb, Rng& rng, Params& params);
StatusOr<Image> Rotate90Edit(const Image& rgb, Rng& rng, Params& params);
StatusOr<Image> PerspectiveEdit(const Image& rgb, Rng& rng, Params& params);

// photometric.cc
StatusOr<Image> BrightnessContrastEdit(const Image& rgb, Rng& rng, Params& params);
StatusOr<Image> ColorJitterEdit(const Image& rgb, Rng& rng, Params& params);
StatusOr<Image> JpegEdit(const Image& rgb, Rng& rng, Params& params);
StatusOr<Image> BlurEdit(const Image& rgb, Rng& rng, Params& params);
StatusOr<Image> NoiseEdit(const Image& rgb, Rng& rng, Params& params);
StatusOr<Image> GreyscaleEdit(const Image& rgb, Rng& rng, Params& params);
StatusOr<Image> GammaEdit(const Image& rgb, Rng& rng, Params& params);

// overlay.cc
StatusOr<Image> CutoutEdit(const Image& rgb, Rng& rng, Params& params);
StatusOr<Image> TextOverlayEdit(const Image& rgb, Rng& rng, Params& params);
StatusOr<Image> BorderEdit(const Image& rgb, Rng& rng, Params& params);
StatusOr<Image> PasteInCanvasEdit(const Image& rgb, Rng& rng, Params& params);
StatusOr<Image> CaptionBarEdit(const Image& rgb, Rng& rng, Params& params);

// stamp.cc
StatusOr<Image> StickerEdit(const Image& rgb, Rng& rng, Params& params);
StatusOr<Image> WatermarkEdit(const Image& rgb, Rng& rng, Params& params);

}  // namespace neardup::augment_internal

#endif  // NEARDUP_SRC_AUGMENT_TRANSFORMS_H_
