// HEIC decoding through libheif, on an image encoded here with libheif's own HEVC encoder.
// Skipped where the build has no libheif or libheif has no HEVC encoder.
#include <gtest/gtest.h>

#include <cstring>
#include <string>

#include "image_test_helpers.h"
#include "neardup/decode.h"
#include "testutil/testutil.h"

#if __has_include(<libheif/heif.h>)
#include <libheif/heif.h>
#define NEARDUP_TEST_HAVE_HEIF_HEADER 1
#endif

namespace neardup {
namespace {

#ifdef NEARDUP_TEST_HAVE_HEIF_HEADER

heif_error AppendToString(heif_context*, const void* data, size_t size, void* userdata) {
  static_cast<std::string*>(userdata)->append(static_cast<const char*>(data), size);
  return heif_error{heif_error_Ok, heif_suberror_Unspecified, "ok"};
}

// HEIC bytes for `rgb`, or "" when libheif cannot encode HEVC here.
std::string EncodeHeic(const Image& rgb) {
  if (!heif_have_encoder_for_format(heif_compression_HEVC)) return "";
  heif_context* ctx = heif_context_alloc();
  heif_encoder* encoder = nullptr;
  heif_image* image = nullptr;
  std::string out;
  if (heif_context_get_encoder_for_format(ctx, heif_compression_HEVC, &encoder).code ==
          heif_error_Ok &&
      heif_image_create(rgb.width, rgb.height, heif_colorspace_RGB, heif_chroma_interleaved_RGB,
                        &image)
              .code == heif_error_Ok &&
      heif_image_add_plane(image, heif_channel_interleaved, rgb.width, rgb.height, 8).code ==
          heif_error_Ok) {
    heif_encoder_set_lossy_quality(encoder, 90);
    int stride = 0;
    uint8_t* plane = heif_image_get_plane(image, heif_channel_interleaved, &stride);
    for (int y = 0; y < rgb.height; ++y) {
      std::memcpy(plane + size_t(y) * stride, rgb.row(y), size_t(rgb.width) * 3);
    }
    heif_writer writer{1, AppendToString};
    if (heif_context_encode_image(ctx, image, encoder, nullptr, nullptr).code != heif_error_Ok ||
        heif_context_write(ctx, &writer, &out).code != heif_error_Ok) {
      out.clear();
    }
  }
  if (image != nullptr) heif_image_release(image);
  if (encoder != nullptr) heif_encoder_release(encoder);
  heif_context_free(ctx);
  return out;
}

TEST(HeifDecoderTest, DecodesHeicItEncoded) {
  const Image photo = testing::MakeTestPhoto(128, 96, 17);
  const std::string heic = EncodeHeic(photo);
  if (heic.empty()) GTEST_SKIP() << "libheif has no HEVC encoder in this environment";
  ImageInfo info;
  StatusOr<Image> img = DecodeImage(heic, DecodeOptions{}, &info, "x.heic");
  if (!img.ok() && img.status().code() == StatusCode::kUnimplemented) {
    GTEST_SKIP() << "library built without libheif: " << img.status().message();
  }
  ASSERT_TRUE(img.ok()) << img.status().ToString();
  EXPECT_STREQ(info.format, "heif");
  EXPECT_EQ(img->width, 128);
  EXPECT_EQ(img->height, 96);
  EXPECT_EQ(img->channels, 3);
  EXPECT_LT(testing::MeanAbsDiff(*img, photo), 10.0);

  DecodeOptions options;
  options.max_pixels = 128 * 96 - 1;
  EXPECT_EQ(DecodeImage(heic, options).status().code(), StatusCode::kResourceExhausted);
  options = DecodeOptions{};
  options.grey = true;
  StatusOr<Image> grey = DecodeImage(heic, options);
  ASSERT_TRUE(grey.ok());
  EXPECT_EQ(grey->channels, 1);
}

#endif  // NEARDUP_TEST_HAVE_HEIF_HEADER

TEST(HeifDecoderTest, DamagedHeifIsAnErrorNotACrash) {
  const std::string bytes = std::string(
                                "\0\0\0\x18"
                                "ftypheic\0\0\0\0mif1heic",
                                24) +
                            "garbage";
  StatusOr<Image> img = DecodeImage(bytes, DecodeOptions{});
  ASSERT_FALSE(img.ok());
  EXPECT_TRUE(img.status().code() == StatusCode::kCorruption ||
              img.status().code() == StatusCode::kUnimplemented)
      << img.status().ToString();
}

}  // namespace
}  // namespace neardup
