// nn.h's CalibrateModel: the stored default threshold is the lowest cosine at which the
// benchmark's k-nearest lists reach the asked precision.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "neardup/decode.h"
#include "neardup/descriptor.h"
#include "neardup/nn.h"
#include "neardup/preprocess.h"
#include "nn/model.h"
#include "nn/random_model.h"
#include "plugin/nn_plugin_api.h"
#include "testutil/testutil.h"

namespace neardup {
namespace {

using testing::MakeTestPhoto;
using testing::TempDir;
using nn::NearDupNet;

// A cnn:mobile model with random weights, 16-d, 64 px input.
std::string WriteModel(const TempDir& dir) {
  const std::string path = dir.Join("model.pt");
  EXPECT_TRUE(nn::WriteRandomModel(path, nn::SmallCnnConfig("mobile", 16, 64), 3));
  return path;
}

// A benchmark of `originals` pictures, each with a byte-identical copy and a mirrored one, and
// 6 distractors. With `swap_groups`, the truth pairs original 0 with original 1's copies and the
// other way round, so the most similar pairs of all are negatives.
std::string WriteBench(const TempDir& dir, int originals, bool swap_groups = false) {
  const std::string bench = dir.Join(swap_groups ? "bench-swapped" : "bench");
  std::filesystem::create_directories(bench + "/images");
  std::ofstream truth(bench + "/truth.csv");
  truth << "image,group,role,family\n";
  for (int i = 0; i < originals; ++i) {
    const Image photo = MakeTestPhoto(96, 80, 500 + i);
    const std::string name = "o" + std::to_string(i);
    EXPECT_TRUE(WriteImage(bench + "/images/" + name + ".png", photo).ok());
    EXPECT_TRUE(WriteImage(bench + "/images/" + name + "_same.png", photo).ok());
    EXPECT_TRUE(WriteImage(bench + "/images/" + name + "_flip.png", FlipHorizontal(photo)).ok());
    int copy_group = i;
    if (swap_groups && i < 2) copy_group = 1 - i;
    truth << name << ".png,g" << i << ",original,\n";
    truth << name << "_same.png,g" << copy_group << ",copy,exact\n";
    truth << name << "_flip.png,g" << copy_group << ",copy,flip\n";
  }
  for (int i = 0; i < 6; ++i) {
    const std::string name = "d" + std::to_string(i) + ".png";
    EXPECT_TRUE(WriteImage(bench + "/images/" + name, MakeTestPhoto(90, 90, 900 + i)).ok());
    truth << name << ",,distractor,\n";
  }
  return bench;
}

TEST(CalibrateModel, StoresTheLowestCosineWithoutFalsePositives) {
  TempDir dir;
  CalibrateOptions o;
  o.model = WriteModel(dir);
  o.bench = WriteBench(dir, 6);
  o.out = dir.Join("calibrated.pt");
  o.k = 4;
  o.threads = 1;
  StatusOr<CalibrateSummary> s = CalibrateModelImpl(o);
  ASSERT_TRUE(s.ok()) << s.status().message();
  EXPECT_EQ(s->images, 24);
  EXPECT_EQ(s->failed, 0);
  // Fewer than 100 listed pairs: precision >= 0.99 means no false positive at all.
  EXPECT_EQ(s->precision, 1.0);
  EXPECT_GT(s->recall, 0.0);
  EXPECT_LE(s->min_cosine, 1.0);

  StatusOr<NearDupNet> out = nn::LoadModel(o.out);
  ASSERT_TRUE(out.ok()) << out.status().message();
  EXPECT_DOUBLE_EQ((*out)->config().min_cosine, s->min_cosine);
  // The method made from the calibrated file uses it as its default threshold; the original
  // file keeps the general default.
  NnMethodOptions mo;
  mo.model_path = o.out;
  StatusOr<std::unique_ptr<Method>> calibrated = MakeNnMethodImpl("cnn:mobile", mo);
  ASSERT_TRUE(calibrated.ok()) << calibrated.status().message();
  EXPECT_DOUBLE_EQ((*calibrated)->default_threshold(), s->min_cosine);
  mo.model_path = o.model;
  StatusOr<std::unique_ptr<Method>> plain = MakeNnMethodImpl("cnn:mobile", mo);
  ASSERT_TRUE(plain.ok());
  EXPECT_NE((*plain)->default_threshold(), s->min_cosine);

  // Every original <-> copy pair at or above the threshold is right, and one sits exactly at it:
  // the threshold is the lowest listed score that keeps precision.
  auto describe = [&](const std::string& name) {
    StatusOr<Image> im = DecodeFile(o.bench + "/images/" + name, DecodeOptions{});
    EXPECT_TRUE(im.ok());
    return (*calibrated)->Compute(*im)->values;
  };
  auto cosine = [](const std::vector<float>& a, const std::vector<float>& b) {
    double d = 0;
    for (size_t i = 0; i < a.size(); ++i) d += double(a[i]) * b[i];
    return d;
  };
  const auto o0 = describe("o0.png");
  EXPECT_GE(cosine(o0, describe("o0_same.png")), s->min_cosine - 1e-5);
  for (int i = 1; i < 6; ++i) {
    EXPECT_LT(cosine(o0, describe("o" + std::to_string(i) + ".png")), s->min_cosine);
  }
}

TEST(CalibrateModel, RefusesWhatItCannotMeasureAndWritesNothing) {
  TempDir dir;
  CalibrateOptions o;
  o.model = WriteModel(dir);
  o.bench = WriteBench(dir, 3, /*swap_groups=*/true);
  o.out = dir.Join("calibrated.pt");
  o.threads = 1;
  // The most similar pairs (identical pictures) are negatives: no threshold reaches 0.99.
  StatusOr<CalibrateSummary> s = CalibrateModelImpl(o);
  EXPECT_EQ(s.status().code(), StatusCode::kInvalidArgument);
  EXPECT_FALSE(std::filesystem::exists(o.out));
  o.precision = 0.5;
  EXPECT_EQ(CalibrateModelImpl(o).status().code(), StatusCode::kInvalidArgument);
  o.precision = 0.99;
  o.bench = dir.Join("nowhere");
  EXPECT_EQ(CalibrateModelImpl(o).status().code(), StatusCode::kNotFound);
}

}  // namespace
}  // namespace neardup
