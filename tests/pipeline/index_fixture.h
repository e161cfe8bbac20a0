// The fixture and helpers the ImageIndex tests share (image_index_test.cc,
// image_index_recovery_test.cc, query_images_test.cc).
#ifndef NEARDUP_TESTS_PIPELINE_INDEX_FIXTURE_H_
#define NEARDUP_TESTS_PIPELINE_INDEX_FIXTURE_H_

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "neardup/decode.h"
#include "neardup/image_index.h"
#include "neardup/preprocess.h"
#include "testutil/testutil.h"

namespace neardup::index_testing {

inline ScanOptions Inputs(std::vector<std::string> inputs) {
  ScanOptions o;
  o.inputs = std::move(inputs);
  o.threads = 2;
  return o;
}

inline Descriptor Describe(const Method& m, const std::string& path) {
  auto img = DecodeFile(path, DecodeOptions{});
  EXPECT_TRUE(img.ok());
  auto d = m.Compute(*img);
  EXPECT_TRUE(d.ok());
  return *d;
}

inline std::vector<ImportedHash> RandomHashes(int n, uint32_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<ImportedHash> out(n);
  for (int i = 0; i < n; ++i) {
    out[i].id = "h" + std::to_string(i);
    for (int w = 0; w < 4; ++w) out[i].descriptor.bits.push_back(rng());
  }
  return out;
}

// Six distinct photos p0..p5 as PNG files (lossless: a decoded photo is the indexed one, pixel
// for pixel), and a resized JPEG copy of p2 kept outside them as an "upload".
class IndexPhotosTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (int i = 0; i < 6; ++i) {
      ASSERT_TRUE(WriteImage(photos_.Join("p" + std::to_string(i) + ".png"),
                             testing::MakeTestPhoto(320, 240, 100 + i))
                      .ok());
    }
    ASSERT_TRUE(WriteImage(uploads_.Join("copy.jpg"),
                           Resize(testing::MakeTestPhoto(320, 240, 102), 200, 150), 80)
                    .ok());
  }
  std::string IndexDir() const { return scratch_.Join("ix"); }

  testing::TempDir photos_, uploads_, scratch_;
};

}  // namespace neardup::index_testing

#endif  // NEARDUP_TESTS_PIPELINE_INDEX_FIXTURE_H_
