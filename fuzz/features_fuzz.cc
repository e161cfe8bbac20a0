// The local-feature record parser (ParseFeatures, src/verify/features_io.cc) and what find does
// with a record that it and the fused method's CheckDescriptor accept (as for every cache row):
// the features are verified against another image's (FusePair) and enter the keypoint votes of a
// fused find (FusedPairs).
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "fuzz/fuzz_util.h"
#include "fuzz/test_images.h"
#include "neardup/descriptor.h"
#include "neardup/fuse.h"
#include "neardup/registry.h"
#include "neardup/verify.h"

namespace {

struct Setup {
  std::unique_ptr<neardup::Method> fused = std::move(neardup::MakeMethod("fused")).value();
  neardup::Descriptor real;  // the fused descriptor of a textured picture (64 keypoints)
  Setup() { real = neardup::fuzz::Describe(*fused, neardup::fuzz::TexturedImage(320, 240, 7)); }
};

// Keypoints (both sides) beyond which a record is only parsed, not matched: matching costs
// O(n^2), and the matcher is not what this target is about.
constexpr size_t kMaxMatchedKeypoints = 400;

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const Setup setup;
  neardup::StatusOr<neardup::LocalFeatures> f = neardup::ParseFeatures(data, size);
  int w = 0, h = 0;
  const bool sized = neardup::FeaturesImageSize(data, size, &w, &h);
  if (!f.ok()) {
    FUZZ_CHECK(f.status().code() == neardup::StatusCode::kCorruption);
    return 0;
  }
  // An accepted record is whole: the sizes agree and it is written back byte for byte.
  FUZZ_CHECK(sized && w == f->width && h == f->height);
  FUZZ_CHECK(f->descriptors.size() == f->points.size() * size_t(f->descriptor_bytes));
  FUZZ_CHECK(f->mirrored_descriptors.size() ==
             f->mirrored_points.size() * size_t(f->descriptor_bytes));
  std::vector<uint8_t> again = neardup::SerializeFeatures(*f);
  FUZZ_CHECK(again.size() == size);
  // Byte 5 (the binary flag) is read as != 0 and written as 0/1; the rest comes back as it was.
  FUZZ_CHECK(std::equal(again.begin(), again.begin() + 5, data) &&
             std::equal(again.begin() + 6, again.begin() + 24, data + 6));

  if (f->points.size() + f->mirrored_points.size() > kMaxMatchedKeypoints) return 0;
  neardup::Descriptor d = setup.real;  // pdq8 codes of the real image, the fuzzed features
  d.local.assign(data, data + size);
  // As a cache row is used: only after the method's check of the descriptor (finite positions,
  // a positive size and scale), which find applies to every descriptor it reads back.
  if (!setup.fused->CheckDescriptor(d).ok()) return 0;
  FUZZ_CHECK(f->width > 0 && f->height > 0 && std::isfinite(f->feature_scale));
  neardup::FuseOptions options;
  const neardup::Descriptor* fuzzed = &d;
  const neardup::Descriptor* real = &setup.real;
  for (auto [a, b] :
       {std::pair{fuzzed, real}, std::pair{real, fuzzed}, std::pair{fuzzed, fuzzed}}) {
    neardup::StatusOr<neardup::PairEvidence> e = neardup::FusePair(*a, *b, options);
    FUZZ_CHECK(e.ok());
    FUZZ_CHECK(e->score >= 0 && e->score <= 1);
  }
  neardup::StatusOr<std::vector<neardup::PairEvidence>> all =
      neardup::FusedPairs({&setup.real, &d, &d}, options, 1);
  if (all.ok()) {
    for (const neardup::PairEvidence& e : *all) FUZZ_CHECK(e.score >= 0 && e.score <= 1);
  }
  return 0;
}
