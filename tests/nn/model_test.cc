#include "nn/model.h"

#include <gtest/gtest.h>
#include <torch/script.h>

#include <cmath>
#include <fstream>

#include "neardup/decode.h"
#include "neardup/descriptor.h"
#include "neardup/nn.h"
#include "neardup/preprocess.h"
#include "neardup/registry.h"
#include "plugin/nn_plugin_api.h"
#include "testutil/run_cli.h"
#include "testutil/testutil.h"

namespace neardup::nn {
namespace {

using neardup::testing::MakeTestPhoto;
using neardup::testing::RunCli;
using neardup::testing::TempDir;

ModelConfig SmallConfig(const std::string& backbone, bool stn, int size) {
  ModelConfig c;
  c.backbone = backbone;
  c.stn = stn;
  c.dim = 16;
  c.input_size = size;
  c.train_size = size;
  return c;
}

// Every backbone maps N x 3 x S x S to N x dim unit vectors (tiny inputs keep resnet50/vgg16 fast).
TEST(ModelTest, EveryBackboneGivesUnitDescriptors) {
  torch::manual_seed(1);
  for (const std::string& name : BackboneNames()) {
    SCOPED_TRACE(name);
    const int size = (name == "mobile" || name == "resnet18") ? 64 : 32;
    StatusOr<NearDupNet> net = MakeModel(SmallConfig(name, true, size));
    ASSERT_TRUE(net.ok()) << net.status().ToString();
    (*net)->eval();
    torch::NoGradGuard no_grad;
    torch::Tensor y = (*net)->forward(torch::randn({2, 3, size, size}));
    ASSERT_EQ(y.sizes(), (std::vector<int64_t>{2, 16}));
    EXPECT_NEAR(y.norm(2, 1)[0].item<float>(), 1.0f, 1e-5);
    EXPECT_NEAR(y.norm(2, 1)[1].item<float>(), 1.0f, 1e-5);
  }
}

TEST(ModelTest, UnknownBackboneIsNotFound) {
  StatusOr<NearDupNet> net = MakeModel(SmallConfig("alexnet", false, 64));
  ASSERT_FALSE(net.ok());
  EXPECT_EQ(net.status().code(), StatusCode::kNotFound);
  EXPECT_NE(net.status().message().find("resnet18"), std::string::npos);
}

// align_corners = false and an identity theta sample every pixel at its own centre.
TEST(ModelTest, FreshStnIsTheIdentity) {
  torch::manual_seed(2);
  for (bool constrained : {false, true}) {
    SpatialTransformer stn(constrained);
    torch::NoGradGuard no_grad;
    torch::Tensor x = torch::rand({2, 3, 48, 40});
    torch::Tensor y = stn->forward(x);
    ASSERT_EQ(y.sizes(), x.sizes());
    EXPECT_LT((y - x).abs().max().item<float>(), 1e-4) << "constrained " << constrained;
  }
}

TEST(ModelTest, ParameterGroupsPartitionTheParameters) {
  StatusOr<NearDupNet> net = MakeModel(SmallConfig("mobile", true, 64));
  ASSERT_TRUE(net.ok());
  const size_t loc = (*net)->LocalizationParameters().size();
  const size_t other = (*net)->OtherParameters().size();
  EXPECT_GT(loc, 0u);
  EXPECT_EQ(loc + other, (*net)->parameters().size());
  StatusOr<NearDupNet> plain = MakeModel(SmallConfig("mobile", false, 64));
  ASSERT_TRUE(plain.ok());
  EXPECT_TRUE((*plain)->LocalizationParameters().empty());
}

TEST(ModelTest, ConfigJsonRoundTrip) {
  ModelConfig c = SmallConfig("resnet50", false, 96);
  c.gem = false;
  c.stn_constrained = true;
  c.mean[1] = 0.25f;
  c.min_cosine = 0.8125;
  StatusOr<ModelConfig> back = ConfigFromJson(ConfigToJson(c));
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(ConfigToJson(*back), ConfigToJson(c));
  EXPECT_EQ(back->min_cosine, 0.8125);
  EXPECT_EQ(ConfigFromJson("{").status().code(), StatusCode::kCorruption);
  // Files without a calibration are uncalibrated; one outside [-1, 1] is refused.
  ModelConfig plain = c;
  plain.min_cosine = 0;
  EXPECT_EQ(ConfigToJson(plain).find("min_cosine"), std::string::npos);
  EXPECT_EQ(ConfigFromJson(ConfigToJson(plain))->min_cosine, 0.0);
  c.min_cosine = 1.5;
  EXPECT_EQ(ConfigFromJson(ConfigToJson(c)).status().code(), StatusCode::kCorruption);
}

TEST(ModelTest, SaveLoadGivesIdenticalDescriptors) {
  TempDir dir;
  torch::manual_seed(3);
  StatusOr<NearDupNet> net = MakeModel(SmallConfig("mobile", true, 64));
  ASSERT_TRUE(net.ok());
  // Move the BN statistics and GeM p away from their defaults so the test sees them saved.
  (*net)->train();
  {
    torch::NoGradGuard no_grad;
    (*net)->forward(torch::randn({4, 3, 64, 64}));
    for (auto& p : (*net)->named_parameters()) {
      if (p.key() == "gem_p") p.value().fill_(2.5);
    }
  }
  (*net)->eval();
  const std::string path = dir.Join("m.pt");
  ASSERT_TRUE(SaveModel(*net, path).ok());
  StatusOr<NearDupNet> loaded = LoadModel(path);
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  EXPECT_EQ(ConfigToJson((*loaded)->config()), ConfigToJson((*net)->config()));
  torch::NoGradGuard no_grad;
  torch::Tensor x = torch::randn({3, 3, 64, 64});
  EXPECT_TRUE(torch::equal((*net)->forward(x), (*loaded)->forward(x)));
}

TEST(ModelTest, BadModelFilesAreCorruption) {
  TempDir dir;
  EXPECT_EQ(LoadModel(dir.Join("missing.pt")).status().code(), StatusCode::kNotFound);
  neardup::testing::WriteBytes(dir.Join("junk.pt"), "this is not a model file");
  StatusOr<NearDupNet> junk = LoadModel(dir.Join("junk.pt"));
  EXPECT_EQ(junk.status().code(), StatusCode::kCorruption) << junk.status().ToString();
  // A valid file cut in half.
  StatusOr<NearDupNet> net = MakeModel(SmallConfig("mobile", false, 64));
  ASSERT_TRUE(net.ok());
  ASSERT_TRUE(SaveModel(*net, dir.Join("ok.pt")).ok());
  std::string bytes = neardup::testing::ReadFile(dir.Join("ok.pt"));
  neardup::testing::WriteBytes(dir.Join("cut.pt"), bytes.substr(0, bytes.size() / 2));
  EXPECT_EQ(LoadModel(dir.Join("cut.pt")).status().code(), StatusCode::kCorruption);
}

TEST(ModelTest, ImageTensorRoundTrip) {
  Image img = MakeTestPhoto(64, 64, 7);
  torch::Tensor t = ImageToTensor(img, 64, kImageNetMean, kImageNetStd);
  ASSERT_EQ(t.sizes(), (std::vector<int64_t>{3, 64, 64}));
  Image back = TensorToImage(t, kImageNetMean, kImageNetStd);
  EXPECT_EQ(back.pixels, img.pixels);
  // A non-square image is letterboxed: the top rows of a wide image are the black bar.
  Image wide = MakeTestPhoto(128, 64, 8);
  Image boxed = TensorToImage(ImageToTensor(wide, 64, kImageNetMean, kImageNetStd), kImageNetMean,
                              kImageNetStd);
  EXPECT_EQ(boxed.at(0, 32, 0), 0);
  EXPECT_EQ(boxed.at(63, 32, 1), 0);
}

// ---- Methods through the plugin ----------------------------------------------------------------

TEST(NnMethodTest, TrainedModelMethod) {
  TempDir dir;
  torch::manual_seed(4);
  StatusOr<NearDupNet> net = MakeModel(SmallConfig("mobile", true, 64));
  ASSERT_TRUE(net.ok());
  ASSERT_TRUE(SaveModel(*net, dir.Join("m.pt")).ok());
  NnMethodOptions opt;
  opt.model_path = dir.Join("m.pt");
  StatusOr<std::unique_ptr<Method>> m = MakeNnMethod("stn-cnn:mobile", opt);
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  EXPECT_EQ((*m)->name(), "stn-cnn:mobile");
  EXPECT_EQ((*m)->metric(), Metric::kCosine);
  EXPECT_EQ((*m)->dims(), 16);
  EXPECT_EQ((*m)->min_decode_side(), 64);
  StatusOr<Descriptor> a = (*m)->Compute(MakeTestPhoto(200, 150, 1));
  StatusOr<Descriptor> b = (*m)->Compute(MakeTestPhoto(200, 150, 1));
  ASSERT_TRUE(a.ok() && b.ok());
  ASSERT_EQ(a->values.size(), 16u);
  double norm = 0;
  for (float v : a->values) norm += double(v) * v;
  EXPECT_NEAR(norm, 1.0, 1e-5);
  EXPECT_NEAR((*m)->Distance(*a, *b).value(), 0.0, 1e-6);
  EXPECT_NEAR((*m)->Score(0.0), 1.0, 1e-12);
  EXPECT_NEAR((*m)->Score(2.0), 0.0, 1e-12);
  EXPECT_NEAR((*m)->DistanceForScore((*m)->Score(0.3)), 0.3, 1e-12);

  // Other weights: another version, so cached descriptors are recomputed.
  torch::manual_seed(5);
  StatusOr<NearDupNet> other = MakeModel(SmallConfig("mobile", true, 64));
  ASSERT_TRUE(other.ok());
  ASSERT_TRUE(SaveModel(*other, dir.Join("o.pt")).ok());
  opt.model_path = dir.Join("o.pt");
  StatusOr<std::unique_ptr<Method>> m2 = MakeNnMethod("stn-cnn:mobile", opt);
  ASSERT_TRUE(m2.ok());
  EXPECT_NE((*m)->version(), (*m2)->version());

  // The spec must match the file.
  StatusOr<std::unique_ptr<Method>> wrong = MakeNnMethod("cnn:mobile", opt);
  EXPECT_EQ(wrong.status().code(), StatusCode::kInvalidArgument);

  // The STN of a fresh model is the identity: the aligned image is the letterboxed input.
  Image photo = MakeTestPhoto(64, 64, 3);
  StatusOr<std::vector<Image>> aligned_all = AlignWithStn("stn-cnn:mobile", opt, {&photo});
  ASSERT_TRUE(aligned_all.ok()) << aligned_all.status().ToString();
  ASSERT_EQ(aligned_all->size(), 1u);
  const Image* aligned = &(*aligned_all)[0];
  ASSERT_EQ(aligned->pixels.size(), photo.pixels.size());
  int worst = 0;
  for (size_t i = 0; i < photo.pixels.size(); ++i) {
    worst = std::max(worst, std::abs(int(aligned->pixels[i]) - int(photo.pixels[i])));
  }
  EXPECT_LE(worst, 1);
}

TEST(NnMethodTest, MissingModelIsNotFound) {
  TempDir dir;
  setenv("NEARDUP_MODEL_DIR", dir.path().c_str(), 1);
  // resnet50: no model of it is shipped in models/ (which the lookup also searches).
  StatusOr<std::unique_ptr<Method>> m = MakeMethod("stn-cnn:resnet50");
  unsetenv("NEARDUP_MODEL_DIR");
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.status().code(), StatusCode::kNotFound);
  EXPECT_NE(m.status().message().find(dir.Join("stn-cnn-resnet50.pt")), std::string::npos)
      << m.status().message();
  EXPECT_EQ(MakeMethod("stn-cnn:alexnet").status().code(), StatusCode::kNotFound);
  EXPECT_TRUE(IsNnMethod("torchscript:x.pt"));
  EXPECT_FALSE(IsNnMethod("pdq8"));
}

// A TorchScript module written here: the mean colour of the input, so the embedding of a uniform
// image is its normalised colour, L2-normalised.
TEST(NnMethodTest, TorchScriptMethod) {
  TempDir dir;
  torch::jit::Module mod("MeanColour");
  mod.define(R"(
def forward(self, x):
    return x.mean(dim=[2, 3])
)");
  const std::string path = dir.Join("mean.pt");
  mod.save(path);

  NnMethodOptions opt;
  opt.input_size = 32;
  for (int c = 0; c < 3; ++c) {
    opt.mean[c] = 0;
    opt.std[c] = 1;
  }
  StatusOr<std::unique_ptr<Method>> m = MakeNnMethod("torchscript:" + path, opt);
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  EXPECT_EQ((*m)->dims(), 3);
  EXPECT_EQ((*m)->min_decode_side(), 32);
  Image red(40, 40, 3);
  for (int y = 0; y < 40; ++y) {
    for (int x = 0; x < 40; ++x) {
      red.at(y, x, 0) = 200;
      red.at(y, x, 1) = 100;
      red.at(y, x, 2) = 0;
    }
  }
  StatusOr<Descriptor> d = (*m)->Compute(red);
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  ASSERT_EQ(d->values.size(), 3u);
  const double n = std::hypot(200.0, 100.0);
  EXPECT_NEAR(d->values[0], 200 / n, 1e-5);
  EXPECT_NEAR(d->values[1], 100 / n, 1e-5);
  EXPECT_NEAR(d->values[2], 0, 1e-6);

  // Through the registry (default options: ImageNet normalisation, 224 px).
  StatusOr<std::unique_ptr<Method>> reg = MakeMethod("torchscript:" + path);
  ASSERT_TRUE(reg.ok()) << reg.status().ToString();
  EXPECT_EQ((*reg)->min_decode_side(), 224);

  neardup::testing::WriteBytes(dir.Join("junk.pt"), "junk");
  EXPECT_EQ(MakeMethod("torchscript:" + dir.Join("junk.pt")).status().code(),
            StatusCode::kCorruption);
  EXPECT_EQ(MakeMethod("torchscript:" + dir.Join("none.pt")).status().code(),
            StatusCode::kNotFound);
}

TEST(NnPluginTest, MissingPluginIsUnimplementedWithThePlacesTried) {
  neardup::testing::CliResult r =
      RunCli({"find", "--method", "stn-cnn:mobile", NEARDUP_TEST_DATA}, -1, 60,
             {"NEARDUP_NN_PLUGIN=/nonexistent/libneardup_nn.so"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("/nonexistent/libneardup_nn.so (no such file)"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("plugin"), std::string::npos) << r.err;
}

TEST(NnPluginTest, CliWithoutModelFileSaysSo) {
  TempDir dir;
  neardup::testing::CliResult r =
      RunCli({"find", "--method", "stn-cnn:resnet50", NEARDUP_TEST_DATA}, -1, 60,
             {"NEARDUP_MODEL_DIR=" + dir.path()});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("no model file for stn-cnn:resnet50"), std::string::npos) << r.err;
}

TEST(NnPluginTest, CandidatesHonourTheEnvironment) {
  setenv("NEARDUP_NN_PLUGIN", "/x/y.so", 1);
  std::vector<std::string> c = NnPluginCandidates();
  unsetenv("NEARDUP_NN_PLUGIN");
  EXPECT_EQ(c, std::vector<std::string>{"/x/y.so"});
  EXPECT_GE(NnPluginCandidates().size(), 2u);
}

}  // namespace
}  // namespace neardup::nn
