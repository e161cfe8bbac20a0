// Regression guard for the 64-bit hashes: our own values for committed images
// (tests/data/golden_hashes.tsv). These are not imagehash's strings (see src/hash/bits64.h); a
// change here changes every stored hash, so regenerate the file only on purpose. The PDQ
// counterpart is pdq_test.cc against Meta's reference vectors.
#include <gtest/gtest.h>

#include <cinttypes>
#include <cstdio>

#include "hash/test_images.h"
#include "neardup/hash.h"

namespace neardup {
namespace {

std::string Hex64(uint64_t v) {
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016" PRIx64, v);
  return buf;
}

TEST(GoldenHashesTest, SixtyFourBitHashesOfCommittedImages) {
  const auto rows = testing::ReadTsv("golden_hashes.tsv");
  ASSERT_EQ(rows.size(), 3u);
  for (const auto& row : rows) {
    ASSERT_EQ(row.size(), 5u);
    Image img = testing::LoadTestImage(row[0]);
    ASSERT_FALSE(img.empty()) << row[0];
    const std::string actual[4] = {Hex64(AverageHash(img)), Hex64(DifferenceHash(img)),
                                   Hex64(PerceptualHash(img)), Hex64(WaveletHash(img))};
    const std::string line =
        row[0] + "\t" + actual[0] + "\t" + actual[1] + "\t" + actual[2] + "\t" + actual[3];
    const char* names[4] = {"ahash", "dhash", "phash", "whash"};
    for (int k = 0; k < 4; ++k) {
      EXPECT_EQ(actual[k], row[k + 1]) << row[0] << " " << names[k] << "; computed row:\n" << line;
    }
  }
}

}  // namespace
}  // namespace neardup
