// GIF through giflib: the first frame, composed onto the logical screen. Read record by record
// rather than with DGifSlurp so that later frames are never decoded and every size is checked
// against max_pixels before anything is allocated for it.
#include <gif_lib.h>

#include <algorithm>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "image/decoders.h"
#include "neardup/preprocess.h"

namespace neardup::image_internal {
namespace {

struct MemoryReader {
  std::string_view bytes;
  size_t offset = 0;
};

int ReadFromMemory(GifFileType* gif, GifByteType* out, int length) {
  auto* reader = static_cast<MemoryReader*>(gif->UserData);
  const size_t n = std::min(size_t(std::max(length, 0)), reader->bytes.size() - reader->offset);
  std::memcpy(out, reader->bytes.data() + reader->offset, n);
  reader->offset += n;
  return int(n);
}

struct GifCloser {
  void operator()(GifFileType* gif) const {
    int error = 0;
    DGifCloseFile(gif, &error);
  }
};

Status GifError(const char* what, int code) {
  const char* text = GifErrorString(code);
  return CorruptionError(std::string("GIF ") + what + ": " + (text ? text : "unknown error"));
}

}  // namespace

StatusOr<Image> DecodeGif(std::string_view bytes, const DecodeOptions& options, ImageInfo* info) {
  MemoryReader reader{bytes};
  int error = 0;
  std::unique_ptr<GifFileType, GifCloser> gif(DGifOpen(&reader, ReadFromMemory, &error));
  if (!gif) return GifError("header", error);
  RETURN_IF_ERROR(
      CheckPixelLimit(std::max(gif->SWidth, 1), std::max(gif->SHeight, 1), options.max_pixels));

  int transparent = NO_TRANSPARENT_COLOR;
  for (;;) {
    GifRecordType type;
    if (DGifGetRecordType(gif.get(), &type) == GIF_ERROR) return GifError("record", gif->Error);
    if (type == TERMINATE_RECORD_TYPE) return CorruptionError("GIF has no image");
    if (type == EXTENSION_RECORD_TYPE) {
      int code = 0;
      GifByteType* ext = nullptr;
      if (DGifGetExtension(gif.get(), &code, &ext) == GIF_ERROR) {
        return GifError("extension", gif->Error);
      }
      if (code == GRAPHICS_EXT_FUNC_CODE && ext != nullptr) {
        GraphicsControlBlock gcb;
        if (DGifExtensionToGCB(ext[0], ext + 1, &gcb) == GIF_OK) {
          transparent = gcb.TransparentColor;
        }
      }
      while (ext != nullptr) {
        if (DGifGetExtensionNext(gif.get(), &ext) == GIF_ERROR) {
          return GifError("extension", gif->Error);
        }
      }
      continue;
    }
    if (type != IMAGE_DESC_RECORD_TYPE) continue;

    if (DGifGetImageDesc(gif.get()) == GIF_ERROR) return GifError("image descriptor", gif->Error);
    const GifImageDesc& desc = gif->Image;
    RETURN_IF_ERROR(CheckPixelLimit(desc.Width, desc.Height, options.max_pixels));
    // A frame reaching past the logical screen (or a 0x0 screen) grows the canvas to hold it.
    const int canvas_w = std::max(gif->SWidth, desc.Left + desc.Width);
    const int canvas_h = std::max(gif->SHeight, desc.Top + desc.Height);
    RETURN_IF_ERROR(CheckPixelLimit(canvas_w, canvas_h, options.max_pixels));
    const ColorMapObject* map = desc.ColorMap != nullptr ? desc.ColorMap : gif->SColorMap;
    if (map == nullptr) return CorruptionError("GIF frame has no colour map");

    std::vector<GifPixelType> indices(size_t(desc.Width) * desc.Height);
    auto read_row = [&](int y) {
      return DGifGetLine(gif.get(), indices.data() + size_t(y) * desc.Width, desc.Width);
    };
    if (desc.Interlace) {
      static constexpr int kStart[] = {0, 4, 2, 1}, kStep[] = {8, 8, 4, 2};
      for (int pass = 0; pass < 4; ++pass) {
        for (int y = kStart[pass]; y < desc.Height; y += kStep[pass]) {
          if (read_row(y) == GIF_ERROR) return GifError("pixel data", gif->Error);
        }
      }
    } else {
      for (int y = 0; y < desc.Height; ++y) {
        if (read_row(y) == GIF_ERROR) return GifError("pixel data", gif->Error);
      }
    }

    // Background and transparent pixels get AlphaBackground's grey, as alpha does elsewhere.
    double luma_sum = 0;
    int64_t opaque = 0;
    for (GifPixelType index : indices) {
      if (index == transparent || index >= map->ColorCount) continue;
      const GifColorType& c = map->Colors[index];
      luma_sum += 0.299 * c.Red + 0.587 * c.Green + 0.114 * c.Blue;
      ++opaque;
    }
    Image image(canvas_w, canvas_h, 3);
    std::fill(image.pixels.begin(), image.pixels.end(),
              AlphaBackground(opaque > 0 ? luma_sum / double(opaque) : 0));
    for (int y = 0; y < desc.Height; ++y) {
      for (int x = 0; x < desc.Width; ++x) {
        const int index = indices[size_t(y) * desc.Width + x];
        if (index == transparent || index >= map->ColorCount) continue;
        const GifColorType& c = map->Colors[index];
        uint8_t* px = &image.at(desc.Top + y, desc.Left + x);
        px[0] = c.Red;
        px[1] = c.Green;
        px[2] = c.Blue;
      }
    }
    info->original_width = image.width;
    info->original_height = image.height;
    return options.grey ? ToGrey(image) : image;
  }
}

}  // namespace neardup::image_internal
