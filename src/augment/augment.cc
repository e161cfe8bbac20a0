// The public face of augment/: names, input checks, seeds, and chains of the single edits.
#include "neardup/augment.h"

#include <algorithm>
#include <iterator>
#include <new>
#include <opencv2/core.hpp>

#include "augment/rng.h"
#include "augment/transforms.h"

namespace neardup {

using augment_internal::DeriveSeed;
using augment_internal::NameKey;
using augment_internal::Params;
using augment_internal::Rng;

namespace {

using EditFn = StatusOr<Image> (*)(const Image&, Rng&, Params&);

struct FamilyInfo {
  Family family;
  const char* name;
  EditFn edit;  // null for kStrong (a chain)
};

// In declaration order: FamilyInfoOf indexes it by the enum value.
constexpr FamilyInfo kFamilies[] = {
    {Family::kRotate, "rotate", augment_internal::RotateEdit},
    {Family::kScaleTranslate, "scale_translate", augment_internal::ScaleTranslateEdit},
    {Family::kFlipH, "flip_h", augment_internal::FlipHEdit},
    {Family::kFlipV, "flip_v", augment_internal::FlipVEdit},
    {Family::kCutout, "cutout", augment_internal::CutoutEdit},
    {Family::kRandomCrop, "random_crop", augment_internal::RandomCropEdit},
    {Family::kBrightnessContrast, "brightness_contrast", augment_internal::BrightnessContrastEdit},
    {Family::kColorJitter, "color_jitter", augment_internal::ColorJitterEdit},
    {Family::kJpeg, "jpeg", augment_internal::JpegEdit},
    {Family::kDownscale, "downscale", augment_internal::DownscaleEdit},
    {Family::kCrop, "crop", augment_internal::CropEdit},
    {Family::kRotate90, "rotate90", augment_internal::Rotate90Edit},
    {Family::kPerspective, "perspective", augment_internal::PerspectiveEdit},
    {Family::kBlur, "blur", augment_internal::BlurEdit},
    {Family::kNoise, "noise", augment_internal::NoiseEdit},
    {Family::kGreyscale, "greyscale", augment_internal::GreyscaleEdit},
    {Family::kGamma, "gamma", augment_internal::GammaEdit},
    {Family::kTextOverlay, "text_overlay", augment_internal::TextOverlayEdit},
    {Family::kBorder, "border", augment_internal::BorderEdit},
    {Family::kPasteInCanvas, "paste", augment_internal::PasteInCanvasEdit},
    {Family::kCaptionBar, "caption", augment_internal::CaptionBarEdit},
    {Family::kStrong, "strong", nullptr},
    {Family::kSticker, "sticker", augment_internal::StickerEdit},
    {Family::kWatermark, "watermark", augment_internal::WatermarkEdit},
};
constexpr int kFamilyCount = int(std::size(kFamilies));
constexpr int kPaperCount = 8;  // rotate .. color_jitter
constexpr int kStrongIndex = int(Family::kStrong);  // jpeg .. caption come before it

constexpr bool TableInDeclarationOrder() {
  for (int i = 0; i < kFamilyCount; ++i) {
    if (int(kFamilies[i].family) != i) return false;
  }
  return true;
}
static_assert(TableInDeclarationOrder(), "kFamilies must list Family values in order");
static_assert(kFamilies[kPaperCount].family == Family::kJpeg);
static_assert(kFamilies[kStrongIndex - 1].family == Family::kCaptionBar);

const FamilyInfo& FamilyInfoOf(Family family) {
  const int i = int(family);
  assert(i >= 0 && i < kFamilyCount);
  return kFamilies[i];
}

constexpr int kStrongEdits = 3;
constexpr uint64_t kChooserKey = 0x63686f6f7365ULL;  // "choose": the family-drawing sub-stream

[[maybe_unused]] bool ValidOutput(const Image& image) {
  return image.channels == 3 && image.width >= kMinAugmentSide && image.height >= kMinAugmentSide &&
         image.pixels.size() == size_t(image.width) * image.height * 3;
}

// The input as RGB, or why it cannot be augmented.
StatusOr<Image> ToRgbInput(const Image& image) {
  if (image.empty()) return InvalidArgumentError("augment: empty image");
  if ((image.channels != 1 && image.channels != 3) ||
      image.pixels.size() != size_t(image.width) * image.height * image.channels) {
    return InvalidArgumentError("augment: malformed image (" + std::to_string(image.width) + "x" +
                                std::to_string(image.height) + "x" +
                                std::to_string(image.channels) + ", " +
                                std::to_string(image.pixels.size()) + " bytes)");
  }
  if (image.width < kMinAugmentSide || image.height < kMinAugmentSide) {
    return InvalidArgumentError("augment: image " + std::to_string(image.width) + "x" +
                                std::to_string(image.height) + " is smaller than " +
                                std::to_string(kMinAugmentSide) + " px on a side");
  }
  if (image.channels == 3) return image;
  Image rgb(image.width, image.height, 3);
  for (size_t i = 0; i < image.pixels.size(); ++i) {
    rgb.pixels[3 * i] = rgb.pixels[3 * i + 1] = rgb.pixels[3 * i + 2] = image.pixels[i];
  }
  return rgb;
}

// `count` different families from `pool` (deduplicated), in random order.
std::vector<Family> DrawDistinct(std::vector<Family> pool, int count, Rng& rng) {
  std::sort(pool.begin(), pool.end());
  pool.erase(std::unique(pool.begin(), pool.end()), pool.end());
  assert(count >= 0 && count <= int(pool.size()));
  // Partial Fisher-Yates with our own unbiased integers (std::shuffle is library-specific).
  for (int i = 0; i < count; ++i) std::swap(pool[i], pool[rng.UniformInt(i, int(pool.size()) - 1)]);
  pool.resize(count);
  return pool;
}

Status ApplyOn(Augmented& state, Family family, uint64_t seed);

// Applies each of `families` to `state`, step i with sub-seed i of `seed`.
Status ApplyChain(Augmented& state, const std::vector<Family>& families, uint64_t seed) {
  for (size_t i = 0; i < families.size(); ++i) {
    RETURN_IF_ERROR(ApplyOn(state, families[i], DeriveSeed(seed, i)));
  }
  return Status::Ok();
}

// Applies one family to state.image (RGB, valid) and appends its record(s).
Status ApplyOn(Augmented& state, Family family, uint64_t seed) {
  const FamilyInfo& info = FamilyInfoOf(family);
  const uint64_t family_seed = DeriveSeed(seed, NameKey(info.name));
  if (info.edit == nullptr) {  // kStrong
    Rng chooser(DeriveSeed(family_seed, kChooserKey));
    return ApplyChain(state, DrawDistinct(CopyDetectionFamilies(), kStrongEdits, chooser),
                      family_seed);
  }
  Rng rng(family_seed);
  Params params = Params::object();
  try {
    StatusOr<Image> out = info.edit(state.image, rng, params);
    if (!out.ok()) return out.status().WithPrefix(std::string("augment ") + info.name);
    assert(ValidOutput(*out));
    state.image = std::move(*out);
  } catch (const cv::Exception& e) {
    return InvalidArgumentError(std::string("augment ") + info.name + ": OpenCV: " + e.what());
  } catch (const std::bad_alloc&) {
    return ResourceExhaustedError(std::string("augment ") + info.name + ": out of memory for " +
                                  std::to_string(state.image.width) + "x" +
                                  std::to_string(state.image.height) + " pixels");
  }
  state.applied.push_back({family, params.dump()});
  return Status::Ok();
}

}  // namespace

const char* FamilyName(Family family) { return FamilyInfoOf(family).name; }

std::optional<Family> FamilyFromName(std::string_view name) {
  for (const FamilyInfo& info : kFamilies) {
    if (name == info.name) return info.family;
  }
  return std::nullopt;
}

std::vector<Family> AllFamilies() {
  std::vector<Family> all;
  for (const FamilyInfo& info : kFamilies) all.push_back(info.family);
  return all;
}

std::vector<Family> PaperFamilies() {
  std::vector<Family> all = AllFamilies();
  return std::vector<Family>(all.begin(), all.begin() + kPaperCount);
}

std::vector<Family> CopyDetectionFamilies() {
  std::vector<Family> all = AllFamilies();
  return std::vector<Family>(all.begin() + kPaperCount, all.begin() + kStrongIndex);
}

StatusOr<Augmented> ApplyFamily(const Image& image, Family family, uint64_t seed) {
  ASSIGN_OR_RETURN(Image rgb, ToRgbInput(image));
  Augmented state{std::move(rgb), {}};
  RETURN_IF_ERROR(ApplyOn(state, family, seed));
  return state;
}

StatusOr<Augmented> ApplyRandomChain(const Image& image, const std::vector<Family>& families, int k,
                                     uint64_t seed) {
  std::vector<Family> distinct = families;
  std::sort(distinct.begin(), distinct.end());
  distinct.erase(std::unique(distinct.begin(), distinct.end()), distinct.end());
  if (k < 0 || k > int(distinct.size())) {
    return InvalidArgumentError("augment: cannot draw " + std::to_string(k) + " edits from " +
                                std::to_string(distinct.size()) + " distinct families");
  }
  ASSIGN_OR_RETURN(Image rgb, ToRgbInput(image));
  Augmented state{std::move(rgb), {}};
  Rng chooser(DeriveSeed(seed, kChooserKey));
  RETURN_IF_ERROR(ApplyChain(state, DrawDistinct(std::move(distinct), k, chooser), seed));
  return state;
}

StatusOr<Augmented> MakeTrainingView(const Image& image, uint64_t seed) {
  Rng rng(DeriveSeed(seed, NameKey("training_view")));
  return ApplyRandomChain(image, PaperFamilies(), rng.UniformInt(1, 3), seed);
}

}  // namespace neardup
