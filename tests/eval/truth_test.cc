// LoadBenchmark (truth.csv, ignore.csv) and Benchmark::MapPath.
#include <gtest/gtest.h>

#include <filesystem>

#include "neardup/eval.h"
#include "testutil/testutil.h"

namespace neardup {
namespace {

using testing::TempDir;
using testing::WriteBytes;

TEST(EvalTruthTest, LoadsTruthAndIgnore) {
  TempDir dir;
  WriteBytes(dir.Join("truth.csv"),
             "image,group,role,family\r\n"
             "orig/a.jpg,g1,original,\r\n"
             "./copies/a_jpeg.jpg,g1,copy,jpeg\r\n"
             "\"copies/a,crop.jpg\",g1,copy,crop\r\n"
             "dis/x.jpg,,distractor,\r\n");
  WriteBytes(dir.Join("ignore.csv"), "a,b\ndis/x.jpg,orig/a.jpg\n");
  auto b = LoadBenchmark(dir.path());
  ASSERT_TRUE(b.ok()) << b.status().ToString();
  ASSERT_EQ(b->images().size(), 4u);
  EXPECT_EQ(b->images()[1].path, "copies/a_jpeg.jpg");  // normalised
  EXPECT_EQ(b->images()[1].role, BenchRole::kCopy);
  EXPECT_EQ(b->images()[1].family, "jpeg");
  EXPECT_EQ(b->images()[2].path, "copies/a,crop.jpg");
  EXPECT_EQ(b->images()[3].group, "");
  ASSERT_EQ(b->ignored().size(), 1u);
  EXPECT_EQ(b->ignored()[0], std::make_pair(0, 3));
  EXPECT_EQ(b->FindImage("orig/a.jpg"), 0);
  EXPECT_EQ(b->FindImage("a.jpg"), -1);
}

TEST(EvalTruthTest, ColumnsInAnyOrderFamilyOptional) {
  TempDir dir;
  WriteBytes(dir.Join("truth.csv"), "role,image,group,extra\noriginal,a.jpg,g,1\ncopy,b.jpg,g,2\n");
  auto b = LoadBenchmark(dir.path());
  ASSERT_TRUE(b.ok()) << b.status().ToString();
  EXPECT_EQ(b->images()[1].role, BenchRole::kCopy);
  EXPECT_EQ(b->images()[1].family, "");
}

TEST(EvalTruthTest, MissingTruthIsNotFound) {
  TempDir dir;
  auto b = LoadBenchmark(dir.path());
  ASSERT_FALSE(b.ok());
  EXPECT_EQ(b.status().code(), StatusCode::kNotFound);
  EXPECT_NE(b.status().message().find("truth.csv"), std::string::npos);
}

// The message of loading a benchmark whose truth.csv is `truth` (and ignore.csv, if given).
std::string LoadError(const std::string& truth, const std::string& ignore = "") {
  TempDir dir;
  WriteBytes(dir.Join("truth.csv"), truth);
  if (!ignore.empty()) WriteBytes(dir.Join("ignore.csv"), ignore);
  auto b = LoadBenchmark(dir.path());
  EXPECT_FALSE(b.ok());
  return b.ok() ? "" : b.status().message();
}

TEST(EvalTruthTest, ErrorsNameFileAndLine) {
  const std::string h = "image,group,role,family\n";
  EXPECT_NE(LoadError(h + "a.jpg,g,original,\nb.jpg,g,kopy,jpeg\n").find("truth.csv:3: role"),
            std::string::npos);
  EXPECT_NE(LoadError(h + "a.jpg,g,original,\na.jpg,g,copy,x\n")
                .find("truth.csv:3: image 'a.jpg' "
                      "already listed on line 2"),
            std::string::npos);
  EXPECT_NE(LoadError(h + "a.jpg,g\n").find("truth.csv:2: expected"), std::string::npos);
  EXPECT_NE(LoadError(h + "a.jpg,g,distractor,\n").find("truth.csv:2: distractor"),
            std::string::npos);
  EXPECT_NE(LoadError(h + "a.jpg,,copy,jpeg\n").find("truth.csv:2: copy 'a.jpg' has no group"),
            std::string::npos);
  EXPECT_NE(LoadError(h + "../a.jpg,g,original,\n").find("truth.csv:2"), std::string::npos);
  EXPECT_NE(LoadError(h + "\"a.jpg,g,original,\n").find("truth.csv:2: unterminated"),
            std::string::npos);
  EXPECT_NE(LoadError("path,group\n").find("truth.csv:1: the header"), std::string::npos);
  EXPECT_NE(LoadError("").find("truth.csv: empty file"), std::string::npos);
  EXPECT_NE(LoadError(h + "a.jpg,g,original,\n", "a,b\na.jpg,zz.jpg\n")
                .find("ignore.csv:2: 'zz.jpg' is not in truth.csv"),
            std::string::npos);
}

TEST(EvalTruthTest, MapPath) {
  TempDir dir;
  WriteBytes(dir.Join("truth.csv"),
             "image,group,role,family\nsub/a.jpg,g,original,\nb.jpg,g,copy,jpeg\n");
  auto b = LoadBenchmark(dir.path());
  ASSERT_TRUE(b.ok()) << b.status().ToString();
  const std::string images = dir.Join("images");
  EXPECT_EQ(b->MapPath(images + "/sub/a.jpg"), 0);
  EXPECT_EQ(b->MapPath(images + "//sub/../sub/./a.jpg"), 0);
  EXPECT_EQ(b->MapPath(images + "/b.jpg"), 1);
  // Relative to the current directory.
  const std::string rel =
      std::filesystem::relative(images + "/sub/a.jpg", std::filesystem::current_path()).string();
  EXPECT_EQ(b->MapPath(rel), 0);
  // Anywhere else: the longest suffix that names an image.
  EXPECT_EQ(b->MapPath("elsewhere/images/sub/a.jpg"), 0);
  EXPECT_EQ(b->MapPath("/mnt/copy/b.jpg"), 1);
  EXPECT_EQ(b->MapPath("b.jpg"), 1);
  EXPECT_EQ(b->MapPath("a.jpg"), -1);  // only a suffix of an image, not an image
  EXPECT_EQ(b->MapPath("/elsewhere/c.jpg"), -1);
  EXPECT_EQ(b->MapPath(""), -1);
}

TEST(EvalTruthTest, CreateValidates) {
  EXPECT_FALSE(
      Benchmark::Create(
          "i", {{"a.jpg", "g", BenchRole::kOriginal, ""}, {"./a.jpg", "g", BenchRole::kCopy, "x"}},
          {})
          .ok());
  EXPECT_FALSE(Benchmark::Create("i", {{"/abs.jpg", "g", BenchRole::kOriginal, ""}}, {}).ok());
  EXPECT_FALSE(
      Benchmark::Create("i", {{"a.jpg", "g", BenchRole::kOriginal, ""}}, {{"a.jpg", "b.jpg"}})
          .ok());
  auto ok = Benchmark::Create("i",
                              {{"a.jpg", "g", BenchRole::kOriginal, "ignored"},
                               {"b.jpg", "g", BenchRole::kCopy, "x"},
                               {"c.jpg", "", BenchRole::kDistractor, "hn_sticker"}},
                              {{"b.jpg", "a.jpg"}, {"a.jpg", "b.jpg"}, {"a.jpg", "a.jpg"}});
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(ok->images()[0].family, "");  // only copies and distractors have a family
  EXPECT_EQ(ok->images()[2].family, "hn_sticker");
  EXPECT_EQ(ok->ignored().size(), 1u);
}

}  // namespace
}  // namespace neardup
