// HEIC/AVIF through libheif (built only where CMake found libheif; see NEARDUP_HAVE_HEIF).
// libheif applies the container's irot/imir transforms itself, which HEIF defines as the
// authoritative orientation, so the EXIF tag is not applied again (exif_orientation stays 1).
#include <libheif/heif.h>

#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "image/decoders.h"
#include "neardup/preprocess.h"

namespace neardup::image_internal {
namespace {

struct ContextFree {
  void operator()(heif_context* c) const { heif_context_free(c); }
};
struct HandleRelease {
  void operator()(heif_image_handle* h) const { heif_image_handle_release(h); }
};
struct ImageRelease {
  void operator()(heif_image* i) const { heif_image_release(i); }
};

Status HeifStatus(const char* what, const heif_error& error) {
  std::string message = std::string("HEIF ") + what + ": " + (error.message ? error.message : "");
  switch (error.code) {
    case heif_error_Unsupported_filetype:
    case heif_error_Unsupported_feature:
      return UnimplementedError(message);
    case heif_error_Memory_allocation_error:
      return ResourceExhaustedError(message);
    default:
      return CorruptionError(message);
  }
}

}  // namespace

StatusOr<Image> DecodeHeif(std::string_view bytes, const DecodeOptions& options, ImageInfo* info) {
  std::unique_ptr<heif_context, ContextFree> ctx(heif_context_alloc());
  if (!ctx) return ResourceExhaustedError("cannot allocate a HEIF context");
  heif_error err =
      heif_context_read_from_memory_without_copy(ctx.get(), bytes.data(), bytes.size(), nullptr);
  if (err.code != heif_error_Ok) return HeifStatus("container", err);

  heif_image_handle* raw_handle = nullptr;
  err = heif_context_get_primary_image_handle(ctx.get(), &raw_handle);
  if (err.code != heif_error_Ok) return HeifStatus("primary image", err);
  std::unique_ptr<heif_image_handle, HandleRelease> handle(raw_handle);
  RETURN_IF_ERROR(CheckPixelLimit(heif_image_handle_get_width(handle.get()),
                                  heif_image_handle_get_height(handle.get()), options.max_pixels));

  const bool alpha = heif_image_handle_has_alpha_channel(handle.get());
  heif_image* raw_image = nullptr;
  err = heif_decode_image(handle.get(), &raw_image, heif_colorspace_RGB,
                          alpha ? heif_chroma_interleaved_RGBA : heif_chroma_interleaved_RGB,
                          nullptr);
  if (err.code != heif_error_Ok) return HeifStatus("decode", err);
  std::unique_ptr<heif_image, ImageRelease> decoded(raw_image);

  int stride = 0;
  const uint8_t* plane =
      heif_image_get_plane_readonly(decoded.get(), heif_channel_interleaved, &stride);
  const int width = heif_image_get_width(decoded.get(), heif_channel_interleaved);
  const int height = heif_image_get_height(decoded.get(), heif_channel_interleaved);
  if (plane == nullptr || width <= 0 || height <= 0) {
    return CorruptionError("HEIF decoder returned no pixels");
  }
  Image image;
  if (alpha) {
    // The plane has row padding; CompositeRgba wants packed rows.
    std::vector<uint8_t> rgba(size_t(width) * height * 4);
    for (int y = 0; y < height; ++y) {
      std::memcpy(&rgba[size_t(y) * width * 4], plane + size_t(y) * stride, size_t(width) * 4);
    }
    image = CompositeRgba(rgba.data(), width, height);
  } else {
    image = Image(width, height, 3);
    for (int y = 0; y < height; ++y) {
      std::memcpy(image.row(y), plane + size_t(y) * stride, size_t(width) * 3);
    }
  }
  info->original_width = width;
  info->original_height = height;
  return options.grey ? ToGrey(image) : image;
}

}  // namespace neardup::image_internal
