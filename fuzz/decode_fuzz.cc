// Decode + describe: the bytes of one file through the entry point `find` uses (DecodeImage with
// the DecodeOptions Scan builds for the default method), then the PDQ hashes (pdq, pdq8 through
// MakeMethod) and the local features the fused method extracts, on the decoded image.
//
// max_pixels is lowered from 2^28 to 2^20 (1 MP) so one input costs milliseconds, not seconds
// (a 254x14850 GIF took 5 s of hashing under the sanitizers and hit the 10 s timeout on a busy
// machine; the release build hashes it in 0.3 s):
// the guard itself is tested by tests/image; what is fuzzed is the parsing.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

#include "fuzz/fuzz_util.h"
#include "neardup/decode.h"
#include "neardup/descriptor.h"
#include "neardup/fuse.h"
#include "neardup/registry.h"
#include "neardup/verify.h"

namespace {

struct Setup {
  std::unique_ptr<neardup::Method> pdq, pdq8, fused;
  neardup::DecodeOptions decode;
  neardup::VerifyOptions verify = neardup::FuseOptions{}.verify;

  Setup() {
    pdq = std::move(neardup::MakeMethod("pdq")).value();
    pdq8 = std::move(neardup::MakeMethod("pdq8")).value();
    fused = std::move(neardup::MakeMethod(neardup::kDefaultMethod)).value();
    decode.min_side = fused->min_decode_side();  // as Scan sets it
    decode.max_pixels = int64_t{1} << 20;
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const Setup setup;
  neardup::ImageInfo info;
  neardup::StatusOr<neardup::Image> image = neardup::DecodeImage(
      std::string_view(reinterpret_cast<const char*>(data), size), setup.decode, &info, "fuzz");
  if (!image.ok()) {
    FUZZ_CHECK(!image.status().message().empty());
    return 0;
  }
  const neardup::Image& im = *image;
  FUZZ_CHECK(im.width > 0 && im.height > 0 && im.channels == 3);
  FUZZ_CHECK(im.pixels.size() == size_t(im.width) * im.height * im.channels);
  FUZZ_CHECK(info.original_width > 0 && info.original_height > 0);

  for (const neardup::Method* m : {setup.pdq.get(), setup.pdq8.get()}) {
    neardup::StatusOr<neardup::Descriptor> d = m->Compute(im);
    if (d.ok()) {
      FUZZ_CHECK(d->bits.size() == size_t(m->variants()) * 4);
      FUZZ_CHECK(m->Distance(*d, *d).value() == 0);
    }
  }
  neardup::StatusOr<neardup::LocalFeatures> f = neardup::ExtractFeatures(im, setup.verify);
  if (f.ok()) {
    FUZZ_CHECK(f->descriptors.size() == f->points.size() * size_t(f->descriptor_bytes));
    std::vector<uint8_t> bytes = neardup::SerializeFeatures(*f);
    neardup::StatusOr<neardup::LocalFeatures> back =
        neardup::ParseFeatures(bytes.data(), bytes.size());
    FUZZ_CHECK(back.ok() && back->points.size() == f->points.size());
  }
  return 0;
}
