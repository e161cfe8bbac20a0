// Helpers shared by the tests in tests/augment/.
#ifndef NEARDUP_TESTS_AUGMENT_AUGMENT_TEST_HELPERS_H_
#define NEARDUP_TESTS_AUGMENT_AUGMENT_TEST_HELPERS_H_

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <nlohmann/json.hpp>

#include "neardup/augment.h"
#include "neardup/image.h"

namespace neardup::testing {

// Applies `family` and expects success with exactly one record of that family.
inline Augmented MustApply(const Image& image, Family family, uint64_t seed) {
  StatusOr<Augmented> out = ApplyFamily(image, family, seed);
  EXPECT_TRUE(out.ok()) << FamilyName(family) << ": " << out.status().ToString();
  if (!out.ok()) std::abort();
  EXPECT_EQ(out->applied.size(), family == Family::kStrong ? 3u : 1u);
  return *std::move(out);
}

inline nlohmann::json ParamsOf(const Augmented& a, size_t i = 0) {
  return nlohmann::json::parse(a.applied.at(i).params);
}

// Mean absolute difference per sample; images must have the same shape.
inline double MeanAbsDiff(const Image& a, const Image& b) {
  if (a.width != b.width || a.height != b.height || a.channels != b.channels) return 1e9;
  double sum = 0;
  for (size_t i = 0; i < a.pixels.size(); ++i) sum += std::abs(int(a.pixels[i]) - b.pixels[i]);
  return sum / double(a.pixels.size());
}

// True when `inner` equals the window of `outer` whose top-left corner is (x, y).
inline bool SubImageAt(const Image& outer, const Image& inner, int x, int y) {
  if (x < 0 || y < 0 || x + inner.width > outer.width || y + inner.height > outer.height ||
      inner.channels != outer.channels) {
    return false;
  }
  for (int r = 0; r < inner.height; ++r) {
    for (int c = 0; c < inner.width * inner.channels; ++c) {
      if (outer.row(y + r)[x * outer.channels + c] != inner.row(r)[c]) return false;
    }
  }
  return true;
}

inline Image Filled(int w, int h, uint8_t r, uint8_t g, uint8_t b) {
  Image img(w, h, 3);
  for (size_t i = 0; i < img.pixels.size(); i += 3) {
    img.pixels[i] = r;
    img.pixels[i + 1] = g;
    img.pixels[i + 2] = b;
  }
  return img;
}

inline double Mean(const Image& img) {
  double sum = 0;
  for (uint8_t p : img.pixels) sum += p;
  return sum / double(img.pixels.size());
}

inline double StdDev(const Image& img) {
  const double mean = Mean(img);
  double sq = 0;
  for (uint8_t p : img.pixels) sq += (p - mean) * (p - mean);
  return std::sqrt(sq / double(img.pixels.size()));
}

}  // namespace neardup::testing

#endif  // NEARDUP_TESTS_AUGMENT_AUGMENT_TEST_HELPERS_H_
