#include <gtest/gtest.h>

#include <algorithm>
#include <thread>
#include <vector>

#include "hash/jarosz.h"
#include "hash/test_images.h"
#include "neardup/hash.h"

namespace neardup {
namespace {

using testing::BenignEdits;
using testing::LoadTestImage;
using testing::MakeTestPhoto;
using testing::ReadTsv;

// Meta's reference hashes (tests/data/pdq/README.md). JPEG files were decoded by the reference's
// own libjpeg, so a few bits of difference would be acceptable there; on this machine every file,
// including the JPEGs, matches exactly.
TEST(PdqTest, MatchesTheReferenceImplementation) {
  const auto rows = ReadTsv("pdq/reference.tsv");
  ASSERT_GE(rows.size(), 16u);
  int max_distance = 0;
  for (const auto& row : rows) {
    ASSERT_EQ(row.size(), 3u);
    const std::string& file = row[0];
    Image img = LoadTestImage("pdq/" + file);
    ASSERT_FALSE(img.empty()) << file;
    PdqResult r = PdqHash(img);
    const int ref_quality = std::stoi(row[2]);
    EXPECT_NEAR(r.quality, ref_quality, 2) << file;
    if (file == "flat.png") {  // only the quality is meaningful: the bits are rounding noise
      EXPECT_EQ(r.quality, 0);
      continue;
    }
    StatusOr<Hash256> ref = Hash256FromHex(row[1]);
    ASSERT_TRUE(ref.ok()) << file;
    const int d = HammingDistance(r.hash, ref.value());
    EXPECT_LE(d, 2) << file << ": ours " << ToHex(r.hash) << " reference " << row[1];
    max_distance = std::max(max_distance, d);
  }
  RecordProperty("max_bits_from_reference", max_distance);
}

TEST(PdqTest, DihedralMatchesTheReferenceImplementation) {
  const auto rows = ReadTsv("pdq/reference_dihedral_pdq02.tsv");
  ASSERT_EQ(rows.size(), 8u);
  PdqDihedral d = PdqDihedralHashes(LoadTestImage("pdq/pdq02.png"));
  EXPECT_EQ(d.quality, 100);
  for (size_t k = 0; k < rows.size(); ++k) {
    StatusOr<Hash256> ref = Hash256FromHex(rows[k][1]);
    ASSERT_TRUE(ref.ok());
    EXPECT_LE(HammingDistance(d.hashes[k], ref.value()), 2)
        << rows[k][0] << ": ours " << ToHex(d.hashes[k]) << " reference " << rows[k][1];
  }
}

TEST(PdqTest, DihedralOriginalIsThePlainHash) {
  for (uint32_t seed : {1u, 2u}) {
    Image img = MakeTestPhoto(300, 200, seed);
    PdqResult plain = PdqHash(img);
    PdqDihedral d = PdqDihedralHashes(img);
    EXPECT_EQ(d.hashes[0], plain.hash);
    EXPECT_EQ(d.quality, plain.quality);
  }
}

// Transforming the pixels and hashing lands near the variant computed from the DCT.
TEST(PdqTest, TransformedImagesLandNearTheirDihedralVariant) {
  const Image img = LoadTestImage("pdq/pdq02.png");
  const auto rows = ReadTsv("pdq/reference_dihedral_pdq02.tsv");
  struct Case {
    const char* name;
    int variant;
    std::function<void(const cv::Mat&, cv::Mat&)> op;
  };
  const Case cases[] = {
      {"rot90 (counter-clockwise)", 1,
       [](const cv::Mat& in, cv::Mat& out) {
         cv::rotate(in, out, cv::ROTATE_90_COUNTERCLOCKWISE);
       }},
      {"rot180", 2, [](const cv::Mat& in, cv::Mat& out) { cv::rotate(in, out, cv::ROTATE_180); }},
      {"rot270", 3,
       [](const cv::Mat& in, cv::Mat& out) { cv::rotate(in, out, cv::ROTATE_90_CLOCKWISE); }},
      {"upside down", 4, [](const cv::Mat& in, cv::Mat& out) { cv::flip(in, out, 0); }},
      {"left-right mirror", 5, [](const cv::Mat& in, cv::Mat& out) { cv::flip(in, out, 1); }},
      {"transpose", 6, [](const cv::Mat& in, cv::Mat& out) { cv::transpose(in, out); }},
  };
  for (const Case& c : cases) {
    PdqResult r = PdqHash(testing::Edit(img, c.op));
    Hash256 expected = Hash256FromHex(rows[c.variant][1]).value();
    // Pixel-domain transforms move the decimation grid by up to a pixel: the README measures
    // 8-16 bits for the committed rotated files.
    EXPECT_LE(HammingDistance(r.hash, expected), 24) << c.name;
  }
  // And the committed files themselves.
  EXPECT_LE(HammingDistance(PdqHash(LoadTestImage("pdq/pdq02_rot90.png")).hash,
                            Hash256FromHex(rows[1][1]).value()),
            16);
  EXPECT_LE(HammingDistance(PdqHash(LoadTestImage("pdq/pdq02_mirror.png")).hash,
                            Hash256FromHex(rows[5][1]).value()),
            16);
}

TEST(PdqTest, MirroredPhotoMatchesTheFlipVariant) {
  for (uint32_t seed = 1; seed <= 5; ++seed) {
    Image img = MakeTestPhoto(400, 300, seed);
    PdqDihedral d = PdqDihedralHashes(img);
    Image mirrored =
        testing::Edit(img, [](const cv::Mat& in, cv::Mat& out) { cv::flip(in, out, 1); });
    PdqResult m = PdqHash(mirrored);
    EXPECT_LE(HammingDistance(m.hash, d.hashes[5]), 31) << "seed " << seed;
    // ...and not merely because every hash is close: the unflipped hash is far.
    EXPECT_GT(HammingDistance(m.hash, d.hashes[0]), 50) << "seed " << seed;
  }
}

TEST(PdqTest, StableUnderBenignEdits) {
  for (uint32_t seed = 1; seed <= 5; ++seed) {
    Image img = MakeTestPhoto(400, 300, seed);
    PdqResult r = PdqHash(img);
    for (const auto& [name, edited] : BenignEdits(img)) {
      EXPECT_LE(HammingDistance(r.hash, PdqHash(edited).hash), 31)
          << "seed " << seed << ", " << name;
    }
  }
}

TEST(PdqTest, UnrelatedPhotosAreFar) {
  double sum = 0;
  const int pairs = 20;
  for (uint32_t i = 0; i < pairs; ++i) {
    Image x = MakeTestPhoto(200, 150, 100 + 2 * i), y = MakeTestPhoto(200, 150, 101 + 2 * i);
    sum += HammingDistance(PdqHash(x).hash, PdqHash(y).hash);
  }
  EXPECT_GE(sum / pairs, 70);
}

TEST(PdqTest, ImagesBelowFivePixelsHashToZero) {
  for (auto [w, h] : {std::pair{4, 100}, {100, 4}, {1, 1}}) {
    Image img = MakeTestPhoto(w, h, 1);
    PdqResult r = PdqHash(img);
    EXPECT_EQ(r.hash, Hash256()) << w << "x" << h;
    EXPECT_EQ(r.quality, 0) << w << "x" << h;
    PdqDihedral d = PdqDihedralHashes(img);
    for (const Hash256& h256 : d.hashes) EXPECT_EQ(h256, Hash256());
  }
  EXPECT_EQ(PdqHash(Image()).quality, 0);
  EXPECT_GT(PdqHash(MakeTestPhoto(5, 5, 1)).quality, 0);
}

TEST(PdqTest, FlatImageHasQualityZero) {
  Image flat(300, 200, 3);
  std::fill(flat.pixels.begin(), flat.pixels.end(), 140);
  EXPECT_EQ(PdqHash(flat).quality, 0);
}

TEST(PdqTest, FromLumaEqualsFromPixels) {
  for (auto [w, h] : {std::pair{400, 300}, {64, 64}, {31, 700}}) {
    Image img = MakeTestPhoto(w, h, 4);
    PdqResult a = PdqHash(img), b = PdqHashFromLuma(ToLuma(img));
    EXPECT_EQ(a.hash, b.hash) << w << "x" << h;
    EXPECT_EQ(a.quality, b.quality) << w << "x" << h;
  }
}

// Scratch buffers are kept per thread: hashing images of changing sizes on several threads at
// once must give the serial results.
TEST(PdqTest, ThreadsAndChangingSizesGiveTheSerialResults) {
  std::vector<Image> images;
  for (int i = 0; i < 8; ++i) images.push_back(MakeTestPhoto(100 + 97 * i, 500 - 45 * i, 10 + i));
  std::vector<Hash256> serial;
  for (const Image& img : images) serial.push_back(PdqHash(img).hash);
  std::vector<std::vector<Hash256>> results(4);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int round = 0; round < 3; ++round) {
        for (size_t i = 0; i < images.size(); ++i) {
          results[t].push_back(PdqHash(images[(i + t) % images.size()]).hash);
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  for (int t = 0; t < 4; ++t) {
    for (size_t k = 0; k < results[t].size(); ++k) {
      EXPECT_EQ(results[t][k], serial[(k % images.size() + t) % images.size()]) << t << " " << k;
    }
  }
}

TEST(PdqTest, JaroszWindowSize) {
  using hash_internal::JaroszWindowSize;
  EXPECT_EQ(JaroszWindowSize(64, 64), 1);
  EXPECT_EQ(JaroszWindowSize(128, 64), 1);
  EXPECT_EQ(JaroszWindowSize(129, 64), 2);
  EXPECT_EQ(JaroszWindowSize(400, 64), 4);
  EXPECT_EQ(JaroszWindowSize(512, 64), 4);
  EXPECT_EQ(JaroszWindowSize(1024, 64), 8);
}

}  // namespace
}  // namespace neardup
