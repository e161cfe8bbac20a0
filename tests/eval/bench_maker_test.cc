#include "neardup/bench_maker.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "neardup/decode.h"
#include "neardup/eval.h"
#include "testutil/testutil.h"

namespace neardup {
namespace {

namespace fs = std::filesystem;

// A source folder of `n` unrelated synthetic photos, plus one exact duplicate of photo 0.
// (bench make also draws one image per family of alike names: see FamilyIsDrawnOnce.)
void MakeSources(const testing::TempDir& d, int n) {
  fs::create_directory(d.Join("src"));
  for (int i = 0; i < n; ++i) {
    Image img = testing::MakeTestPhoto(320, 240, 500 + i);
    // Distinct leading letters: files named alike ("p1", "p2") would count as one family.
    ASSERT_TRUE(WriteImage(d.Join("src/" + std::string(1, char('a' + i)) + ".png"), img).ok());
    if (i == 0) {
      ASSERT_TRUE(WriteImage(d.Join("src/zz_again.png"), img).ok());
    }
  }
}

BenchMakeOptions Options(const testing::TempDir& d, const std::string& out) {
  BenchMakeOptions o;
  o.sources = {d.Join("src")};
  o.out_dir = d.Join(out);
  o.originals = 3;
  o.distractor_count = 100;  // more than there are: takes what is usable
  o.families = {Family::kJpeg, Family::kFlipH, Family::kCrop};
  o.seed = 7;
  return o;
}

TEST(MakeBenchmark, WritesTheFolderFormatEvalReads) {
  testing::TempDir d;
  MakeSources(d, 8);
  StatusOr<BenchMakeSummary> s = MakeBenchmark(Options(d, "bench"));
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->originals, 3);
  EXPECT_EQ(s->copies, 9);
  // 9 sources, one an exact duplicate: it is skipped, so 8 distinct images are drawn.
  EXPECT_EQ(s->distractors, 5);
  EXPECT_EQ(s->sources_skipped, 1);
  int files = 0;
  for (auto& e : fs::directory_iterator(d.Join("bench/images"))) files += e.is_regular_file();
  EXPECT_EQ(files, 3 + 9 + 5);

  StatusOr<Benchmark> bench = LoadBenchmark(d.Join("bench"));
  ASSERT_TRUE(bench.ok()) << bench.status().ToString();
  int copies = 0, originals = 0, distractors = 0;
  for (const BenchImage& img : bench->images()) {
    EXPECT_TRUE(fs::exists(d.Join("bench/images/" + img.path))) << img.path;
    EXPECT_EQ(img.path.find("jpeg"), std::string::npos) << "names must not reveal the edit";
    copies += img.role == BenchRole::kCopy;
    originals += img.role == BenchRole::kOriginal;
    distractors += img.role == BenchRole::kDistractor;
    if (img.role == BenchRole::kCopy) {
      EXPECT_TRUE(img.family == "jpeg" || img.family == "flip_h" || img.family == "crop");
    }
  }
  EXPECT_EQ(copies, 9);
  EXPECT_EQ(originals, 3);
  EXPECT_EQ(distractors, 5);
  // One JSON line per image, copies with their drawn parameters.
  std::string jsonl = testing::ReadFile(d.Join("bench/transforms.jsonl"));
  EXPECT_EQ(std::count(jsonl.begin(), jsonl.end(), '\n'), 17);
  EXPECT_NE(jsonl.find("\"quality\":"), std::string::npos);
}

TEST(MakeBenchmark, SameSeedSameBytesOtherSeedOtherImages) {
  testing::TempDir d;
  MakeSources(d, 6);
  ASSERT_TRUE(MakeBenchmark(Options(d, "a")).ok());
  ASSERT_TRUE(MakeBenchmark(Options(d, "b")).ok());
  BenchMakeOptions other = Options(d, "c");
  other.seed = 8;
  ASSERT_TRUE(MakeBenchmark(other).ok());
  EXPECT_EQ(testing::ReadFile(d.Join("a/truth.csv")), testing::ReadFile(d.Join("b/truth.csv")));
  EXPECT_EQ(testing::ReadFile(d.Join("a/transforms.jsonl")),
            testing::ReadFile(d.Join("b/transforms.jsonl")));
  for (auto& e : fs::directory_iterator(d.Join("a/images"))) {
    EXPECT_EQ(testing::ReadFile(e.path().string()),
              testing::ReadFile(d.Join("b/images/" + e.path().filename().string())));
  }
  EXPECT_NE(testing::ReadFile(d.Join("a/transforms.jsonl")),
            testing::ReadFile(d.Join("c/transforms.jsonl")));
}

TEST(MakeBenchmark, FamilyIsDrawnOnce) {
  testing::TempDir d;
  fs::create_directory(d.Join("src"));
  // Four unrelated pictures named as frames of one animation, and two others.
  for (int i = 0; i < 4; ++i) {
    ASSERT_TRUE(WriteImage(d.Join("src/walk-" + std::to_string(i) + ".png"),
                           testing::MakeTestPhoto(200, 200, 900 + i))
                    .ok());
  }
  ASSERT_TRUE(WriteImage(d.Join("src/tree.png"), testing::MakeTestPhoto(200, 200, 1)).ok());
  ASSERT_TRUE(WriteImage(d.Join("src/house.png"), testing::MakeTestPhoto(200, 200, 2)).ok());
  BenchMakeOptions o = Options(d, "out");
  o.distractor_count = 10;
  StatusOr<BenchMakeSummary> s = MakeBenchmark(o);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->originals + s->distractors, 3);  // one walk-N, tree, house
}

TEST(MakeBenchmark, RefusesANonEmptyFolderAndTooFewSources) {
  testing::TempDir d;
  MakeSources(d, 2);
  fs::create_directory(d.Join("full"));
  testing::WriteBytes(d.Join("full/keep.txt"), "mine");
  StatusOr<BenchMakeSummary> s = MakeBenchmark(Options(d, "full"));
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.status().message().find("not empty"), std::string::npos);
  EXPECT_EQ(testing::ReadFile(d.Join("full/keep.txt")), "mine");
  // Only 2 distinct sources for 3 originals.
  EXPECT_EQ(MakeBenchmark(Options(d, "out")).status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace neardup
