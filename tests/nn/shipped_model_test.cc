// The models shipped in models/ (models/README.md): they load through the default lookup of the
// CLI, and rank a mildly edited copy above unrelated pictures.
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "neardup/decode.h"
#include "neardup/descriptor.h"
#include "neardup/nn.h"
#include "neardup/preprocess.h"
#include "testutil/run_cli.h"
#include "testutil/testutil.h"

namespace neardup {
namespace {

using testing::MakeTestPhoto;
using testing::RunCli;
using testing::TempDir;

const char* const kShipped[] = {"stn-cnn:mobile", "cnn:mobile", "cnn:mobilenet_v2"};

std::string ShippedPath(const std::string& method) {
  std::string name = method;
  std::replace(name.begin(), name.end(), ':', '-');
  return std::string(NEARDUP_TEST_DATA) + "/../../models/" + name + ".pt";
}

TEST(ShippedModelTest, CopiesOutrankUnrelatedPictures) {
  const Image photo = MakeTestPhoto(480, 360, 11);
  const Image copy = Resize(photo, 240, 180);
  for (const char* spec : kShipped) {
    NnMethodOptions o;
    o.model_path = ShippedPath(spec);
    StatusOr<std::unique_ptr<Method>> m = MakeNnMethod(spec, o);
    ASSERT_TRUE(m.ok()) << m.status().ToString();
    StatusOr<Descriptor> a = (*m)->Compute(photo);
    StatusOr<Descriptor> b = (*m)->Compute(copy);
    ASSERT_TRUE(a.ok() && b.ok());
    const double copy_cos = 1 - (*m)->Distance(*a, *b).value();
    EXPECT_TRUE(IsMatch(**m, (*m)->Distance(*a, *b).value(), (*m)->default_threshold()))
        << spec << " cos " << copy_cos;
    for (uint32_t seed = 20; seed < 26; ++seed) {
      StatusOr<Descriptor> other = (*m)->Compute(MakeTestPhoto(480, 360, seed));
      ASSERT_TRUE(other.ok());
      const double cos = 1 - (*m)->Distance(*a, *other).value();
      EXPECT_LT(cos, copy_cos) << spec << " seed " << seed;
    }
  }
}

TEST(ShippedModelTest, TheFineTunedModelIsCalibrated) {
  NnMethodOptions o;
  o.model_path = ShippedPath("cnn:mobilenet_v2");
  StatusOr<std::unique_ptr<Method>> m = MakeNnMethod("cnn:mobilenet_v2", o);
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  EXPECT_EQ((*m)->dims(), 384);
  // `neardup model calibrate` stored its own threshold (models/README.md), not the general 0.97.
  EXPECT_GT((*m)->default_threshold(), 0.5);
  EXPECT_LT((*m)->default_threshold(), 0.97);
}

TEST(ShippedModelTest, CliFindsThemBesideTheBinary) {
  TempDir dir;
  const Image photo = MakeTestPhoto(480, 360, 12);
  ASSERT_TRUE(WriteImage(dir.Join("photo.png"), photo).ok());
  ASSERT_TRUE(WriteImage(dir.Join("copy.jpg"), Resize(photo, 240, 180), 90).ok());
  ASSERT_TRUE(WriteImage(dir.Join("other.png"), MakeTestPhoto(480, 360, 13)).ok());
  std::vector<std::string> specs(std::begin(kShipped), std::end(kShipped));
  specs.push_back("fused:cnn:mobilenet_v2");  // the fused pipeline with the shipped embedding
  for (const std::string& spec : specs) {
    testing::CliResult r = RunCli({"find", dir.path(), "--method", spec, "--no-cache", "--json"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    nlohmann::json j = nlohmann::json::parse(r.out);
    ASSERT_EQ(j["groups"].size(), 1u) << r.out;
    std::vector<std::string> names;
    for (const auto& f : j["groups"][0]["files"]) {
      names.push_back(std::filesystem::path(f["path"].get<std::string>()).filename().string());
    }
    std::sort(names.begin(), names.end());
    EXPECT_EQ(names, (std::vector<std::string>{"copy.jpg", "photo.png"})) << spec;
  }
  // With the fine-tuned model beside the binary, the zero-flag default is the fused pipeline
  // with it.
  testing::CliResult r = RunCli({"find", dir.path(), "--no-cache", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  nlohmann::json j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["method"], "fused:cnn:mobilenet_v2");
  EXPECT_EQ(j["groups"].size(), 1u) << r.out;
}

}  // namespace
}  // namespace neardup
