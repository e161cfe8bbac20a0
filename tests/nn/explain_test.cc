// `neardup explain` with a learned method: the STN's view of each image is written and drawn.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <set>
#include <nlohmann/json.hpp>

#include "neardup/decode.h"
#include "neardup/explain.h"
#include "neardup/nn.h"
#include "neardup/preprocess.h"
#include "nn/random_model.h"
#include "testutil/run_cli.h"
#include "testutil/testutil.h"

namespace neardup::nn {
namespace {

using neardup::testing::MakeTestPhoto;
using neardup::testing::RunCli;
using neardup::testing::TempDir;

TEST(ExplainTest, StnMethodsShowTheirAlignedImages) {
  TempDir dir;
  ASSERT_TRUE(WriteRandomStnModel(dir.Join("stn-cnn-mobile.pt"), 3));
  const Image photo = MakeTestPhoto(160, 120, 5);
  ASSERT_TRUE(WriteImage(dir.Join("a.png"), photo).ok());
  ASSERT_TRUE(WriteImage(dir.Join("b.png"), FlipHorizontal(photo)).ok());

  // The library: the model is found through NEARDUP_MODEL_DIR and listed as installed.
  setenv("NEARDUP_MODEL_DIR", dir.path().c_str(), 1);
  StatusOr<Explanation> e = ExplainPair(photo, FlipHorizontal(photo), ExplainOptions{});
  neardup::testing::CliResult r =
      RunCli({"explain", dir.Join("a.png"), dir.Join("b.png"), "--out", dir.Join("ex"), "--json"});
  unsetenv("NEARDUP_MODEL_DIR");
  ASSERT_TRUE(e.ok()) << e.status().ToString();
  ASSERT_EQ(e->aligned.size(), 1u);
  EXPECT_EQ(e->aligned[0].method, "stn-cnn:mobile");
  EXPECT_EQ(e->aligned[0].a.width, 64);  // the backbone's input size
  bool has_hash = false, has_model = false;
  for (const MethodVerdict& v : e->verdicts) {
    has_hash |= v.method == "pdq8";
    has_model |= v.method == "stn-cnn:mobile";
    EXPECT_GE(v.score, 0.0);
    EXPECT_LE(v.score, 1.0);
  }
  EXPECT_TRUE(has_hash && has_model);

  ASSERT_EQ(r.exit_code, 0) << r.err;
  nlohmann::json j = nlohmann::json::parse(r.out);
  // explain.png + A and B as each STN aligned them: this one's, and those of any STN model
  // shipped in models/ beside the CLI (stn-cnn:mobilenet_v2).
  std::set<std::string> files;
  for (const auto& f : j["files"]) {
    files.insert(std::filesystem::path(f.get<std::string>()).filename().string());
  }
  EXPECT_EQ(files.size() % 2, 1u) << r.out;
  EXPECT_TRUE(files.count("explain.png")) << r.out;
  EXPECT_TRUE(files.count("a-aligned-stn-cnn-mobile.png")) << r.out;
  EXPECT_TRUE(files.count("b-aligned-stn-cnn-mobile.png")) << r.out;
  StatusOr<Image> aligned = DecodeFile(dir.Join("ex/a-aligned-stn-cnn-mobile.png"), DecodeOptions{});
  ASSERT_TRUE(aligned.ok()) << aligned.status().ToString();
  EXPECT_EQ(aligned->width, 64);
  StatusOr<Image> picture = DecodeFile(dir.Join("ex/explain.png"), DecodeOptions{});
  ASSERT_TRUE(picture.ok());
  EXPECT_GT(picture->height, 2 * 256);  // the images, then the STN's row
}

}  // namespace
}  // namespace neardup::nn
