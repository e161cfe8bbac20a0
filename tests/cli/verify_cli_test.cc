// The fused default end to end: `find` groups a crop and a paste-in with their original and says
// where each match is; `explain` draws the inlier matches and prints the evidence.
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <opencv2/imgproc.hpp>
#include <set>

#include "image/cv_image.h"
#include "neardup/decode.h"
#include "testutil/run_cli.h"
#include "testutil/testutil.h"

namespace neardup {
namespace {

using image_internal::AsMat;
using image_internal::FromMat;
using testing::RunCli;

class VerifyCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Image orig = testing::MakeBusyPhoto(640, 480, 41);
    ASSERT_TRUE(WriteImage(dir_.Join("orig.png"), orig).ok());
    // The middle quarter, enlarged: a crop.
    cv::Mat crop;
    cv::resize(AsMat(orig)(cv::Rect(160, 120, 320, 240)), crop, cv::Size(480, 360));
    ASSERT_TRUE(WriteImage(dir_.Join("crop.jpg"), FromMat(crop), 90).ok());
    // The original at 3/4 size pasted into another picture at (200, 150): 44% of its area.
    // (Smaller paste-ins verify too but score lower: pictures that share only a logo look alike
    // to the geometry, and the calibrated score weighs the matched area; README.md measures it.)
    Image scene = testing::MakeBusyPhoto(720, 540, 42);
    cv::Mat half;
    cv::resize(AsMat(orig), half, cv::Size(480, 360), 0, 0, cv::INTER_AREA);
    half.copyTo(AsMat(scene)(cv::Rect(200, 150, 480, 360)));
    ASSERT_TRUE(WriteImage(dir_.Join("paste.jpg"), scene, 90).ok());
    ASSERT_TRUE(WriteImage(dir_.Join("other.png"), testing::MakeBusyPhoto(640, 480, 43)).ok());
  }
  testing::TempDir dir_;
};

TEST_F(VerifyCliTest, FindGroupsCropAndPasteWithTheirRegions) {
  auto r = RunCli({"find", dir_.path(), "--json", "--no-cache", "-q"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto j = nlohmann::json::parse(r.out);
  ASSERT_EQ(j["groups"].size(), 1u) << r.out;
  std::set<std::string> names;
  for (const auto& f : j["groups"][0]["files"]) {
    names.insert(std::filesystem::path(f["path"].get<std::string>()).filename());
  }
  EXPECT_EQ(names, (std::set<std::string>{"crop.jpg", "orig.png", "paste.jpg"}));
  bool saw_paste = false;
  for (const auto& p : j["groups"][0]["pairs"]) {
    ASSERT_TRUE(p["verified"].get<bool>()) << p.dump();
    ASSERT_TRUE(p["verification"]["match"].get<bool>()) << p.dump();
    const std::string a = std::filesystem::path(p["a"].get<std::string>()).filename();
    const std::string b = std::filesystem::path(p["b"].get<std::string>()).filename();
    if (a == "orig.png" && b == "paste.jpg") {
      saw_paste = true;
      // The original (region_a) lands in the scene's pasted rectangle (200,150)-(680,510).
      for (const auto& pt : p["verification"]["region_b"]) {
        EXPECT_GT(pt[0].get<double>(), 190);
        EXPECT_LT(pt[0].get<double>(), 690);
        EXPECT_GT(pt[1].get<double>(), 140);
        EXPECT_LT(pt[1].get<double>(), 520);
      }
    }
  }
  EXPECT_TRUE(saw_paste) << r.out;
  // The hash alone does not see the crop or the paste-in.
  auto h = RunCli({"find", dir_.path(), "--json", "--no-cache", "-q", "-m", "pdq8"});
  ASSERT_EQ(h.exit_code, 0) << h.err;
  EXPECT_EQ(nlohmann::json::parse(h.out)["groups"].size(), 0u) << h.out;
}

TEST_F(VerifyCliTest, ExplainDrawsTheMatchesAndPrintsTheEvidence) {
  const std::string out = dir_.Join("explained");
  auto r = RunCli({"explain", dir_.Join("orig.png"), dir_.Join("crop.jpg"), "--out", out, "-m",
                   "fused", "-m", "pdq8"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("verification: match"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("region in A:"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("verdict (fused): near-duplicates"), std::string::npos) << r.out;
  auto picture = DecodeFile(out + "/explain.png", DecodeOptions{});
  ASSERT_TRUE(picture.ok()) << picture.status().message();
  // Three rows at least: the pair, the matches, the text.
  EXPECT_GT(picture->height, 2 * 256);
  auto unrelated = RunCli({"explain", dir_.Join("orig.png"), dir_.Join("other.png"), "--json"});
  ASSERT_EQ(unrelated.exit_code, 0) << unrelated.err;
  auto j = nlohmann::json::parse(unrelated.out);
  EXPECT_FALSE(j["near_duplicate"].get<bool>());
  // The default method's verdict: "fused", or "fused:cnn:mobilenet_v2" where that model is
  // installed.
  EXPECT_EQ(j["verdict_method"].get<std::string>().rfind("fused", 0), 0u) << j["verdict_method"];
  EXPECT_LT(j["fused"]["score"].get<double>(), 0.5);
}

}  // namespace
}  // namespace neardup
