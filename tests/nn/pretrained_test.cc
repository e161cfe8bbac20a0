// Importing pretrained weights (issue 15): the TensorFlow.js reader, the Keras MobileNetV2 port's
// layouts, the import command, and, when scripts/fetch_pretrained.sh has fetched them, the real
// weights against activations TensorFlow.js computed (tests/data/pretrained/).
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>

#include "neardup/decode.h"
#include "neardup/descriptor.h"
#include "neardup/nn.h"
#include "nn/keras_mobilenet.h"
#include "nn/model.h"
#include "nn/tfjs_weights.h"
#include "plugin/nn_plugin_api.h"
#include "testutil/run_cli.h"
#include "testutil/testutil.h"

namespace neardup::nn {
namespace {

using neardup::testing::MakeTestPhoto;
using neardup::testing::RunCli;
using neardup::testing::TempDir;
using nlohmann::json;
namespace F = torch::nn::functional;

void WriteBytes(const std::string& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary) << bytes;
}

std::string FloatBytes(const std::vector<float>& v) {
  return std::string(reinterpret_cast<const char*>(v.data()), v.size() * sizeof(float));
}

// A TensorFlow.js folder: model.json listing `tensors` (float32, in order) in one shard.
void WriteTfjs(const std::string& dir, const std::vector<std::pair<std::string, TfjsTensor>>& tensors) {
  json weights = json::array();
  std::string bytes;
  for (const auto& [name, t] : tensors) {
    weights.push_back({{"name", name}, {"shape", t.shape}, {"dtype", "float32"}});
    bytes += FloatBytes(t.values);
  }
  json manifest = {{"modelTopology", {{"class_name", "Model"}}},
                   {"weightsManifest", {{{"paths", {"group1-shard1of1.bin"}}, {"weights", weights}}}}};
  std::filesystem::create_directories(dir);
  std::ofstream(dir + "/model.json") << manifest.dump();
  WriteBytes(dir + "/group1-shard1of1.bin", bytes);
}

TfjsTensor Random(std::vector<int64_t> shape, uint64_t seed, float lo = -0.5f, float hi = 0.5f) {
  std::mt19937_64 g(seed);
  std::uniform_real_distribution<float> u(lo, hi);
  TfjsTensor t;
  t.shape = std::move(shape);
  int64_t n = 1;
  for (int64_t d : t.shape) n *= d;
  t.values.resize(size_t(n));
  for (float& v : t.values) v = u(g);
  return t;
}

TfjsTensor Filled(int64_t n, float value) { return TfjsTensor{{n}, std::vector<float>(n, value)}; }

// A BatchNorm that is the identity (variance 1 - eps, so x / sqrt(var + eps) = x).
void AddIdentityBn(const std::string& bn, int64_t n, std::vector<std::pair<std::string, TfjsTensor>>* t) {
  t->push_back({bn + "/gamma", Filled(n, 1)});
  t->push_back({bn + "/beta", Filled(n, 0)});
  t->push_back({bn + "/moving_mean", Filled(n, 0)});
  t->push_back({bn + "/moving_variance", Filled(n, float(1 - 1e-3))});
}

TEST(TfjsWeights, ReadsFloatAndQuantisedTensorsAcrossShards) {
  TempDir dir;
  // "a": float32 [2, 3]; "b": uint8 [4] (q * 0.5 - 1); "c": uint16 [2] (q * 0.25 + 10); the
  // second shard starts inside "a".
  const std::vector<float> a = {1.5f, -2, 3, 0.25f, 5, -6};
  std::string bytes = FloatBytes(a);
  bytes += std::string("\x00\x02\x04\xff", 4);
  bytes += std::string("\x01\x00\x00\x01", 4);  // 1 and 256, little-endian
  WriteBytes(dir.Join("s1.bin"), bytes.substr(0, 10));
  WriteBytes(dir.Join("s2.bin"), bytes.substr(10));
  json manifest = {
      {"modelTopology", {{"class_name", "Model"}}},
      {"weightsManifest",
       {{{"paths", {"s1.bin", "s2.bin"}},
         {"weights",
          {{{"name", "a"}, {"shape", {2, 3}}, {"dtype", "float32"}},
           {{"name", "b"}, {"shape", {4}}, {"dtype", "float32"},
            {"quantization", {{"dtype", "uint8"}, {"min", -1.0}, {"scale", 0.5}}}},
           {{"name", "c"}, {"shape", {2}}, {"dtype", "float32"},
            {"quantization", {{"dtype", "uint16"}, {"min", 10.0}, {"scale", 0.25}}}}}}}}}};
  std::ofstream(dir.Join("model.json")) << manifest.dump();
  StatusOr<TfjsModel> m = ReadTfjsModel(dir.path());
  ASSERT_TRUE(m.ok()) << m.status().message();
  EXPECT_NE(m->topology_json.find("Model"), std::string::npos);
  ASSERT_EQ(m->weights.size(), 3u);
  EXPECT_EQ(m->weights.at("a").shape, (std::vector<int64_t>{2, 3}));
  EXPECT_EQ(m->weights.at("a").values, a);
  EXPECT_EQ(m->weights.at("b").values, (std::vector<float>{-1, 0, 1, 126.5f}));
  EXPECT_EQ(m->weights.at("c").values, (std::vector<float>{10.25f, 74}));
}

TEST(TfjsWeights, ReportsWhatIsWrongAndWhere) {
  TempDir dir;
  EXPECT_EQ(ReadTfjsModel(dir.path()).status().code(), StatusCode::kNotFound);
  WriteTfjs(dir.path(), {{"w", TfjsTensor{{4}, {1, 2, 3, 4}}}});
  ASSERT_TRUE(ReadTfjsModel(dir.path()).ok());
  // A shard shorter than the manifest: the tensor is named.
  WriteBytes(dir.Join("group1-shard1of1.bin"), FloatBytes({1, 2, 3}));
  Status s = ReadTfjsModel(dir.path()).status();
  EXPECT_EQ(s.code(), StatusCode::kCorruption);
  EXPECT_NE(s.message().find("'w'"), std::string::npos) << s.message();
  // Longer: the extra bytes are reported.
  WriteBytes(dir.Join("group1-shard1of1.bin"), FloatBytes({1, 2, 3, 4, 5}));
  s = ReadTfjsModel(dir.path()).status();
  EXPECT_EQ(s.code(), StatusCode::kCorruption);
  EXPECT_NE(s.message().find("4 bytes more"), std::string::npos) << s.message();
  // Not JSON.
  std::ofstream(dir.Join("model.json")) << "module.exports={";
  EXPECT_EQ(ReadTfjsModel(dir.path()).status().code(), StatusCode::kCorruption);
}

// Conv1 (3x3, stride 2, TF "same": one row and column of zeros at the bottom and right only) and
// the depthwise conv after it, against sums written out from the Keras layouts.
TEST(KerasMobileNetV2, ConvolutionsFollowTheKerasLayouts) {
  TfjsModel keras;
  std::vector<std::pair<std::string, TfjsTensor>> t;
  t.push_back({"Conv1/kernel", Random({3, 3, 3, 32}, 1)});
  AddIdentityBn("bn_Conv1", 32, &t);
  t.push_back({"expanded_conv_depthwise/depthwise_kernel", Random({3, 3, 32, 1}, 2)});
  AddIdentityBn("expanded_conv_depthwise_BN", 32, &t);
  for (auto& [name, tensor] : t) keras.weights[name] = tensor;
  const TfjsTensor& k = keras.weights["Conv1/kernel"];
  const TfjsTensor& d = keras.weights["expanded_conv_depthwise/depthwise_kernel"];

  KerasMobileNetV2 conv1("Conv1_relu"), dw("expanded_conv_depthwise_relu");
  ASSERT_TRUE(conv1->LoadWeights(keras).ok());
  ASSERT_TRUE(dw->LoadWeights(keras).ok());
  conv1->eval();
  dw->eval();
  torch::manual_seed(3);
  const torch::Tensor x = torch::rand({1, 3, 8, 8}) * 4;
  torch::NoGradGuard no_grad;
  const torch::Tensor y = conv1->forward(x);
  ASSERT_EQ(y.sizes(), (std::vector<int64_t>{1, 32, 4, 4}));
  auto input = x.accessor<float, 4>();
  auto out = y.accessor<float, 4>();
  for (int o = 0; o < 32; ++o) {
    for (int i = 0; i < 4; ++i) {
      for (int j = 0; j < 4; ++j) {
        double s = 0;
        for (int kh = 0; kh < 3; ++kh) {
          for (int kw = 0; kw < 3; ++kw) {
            const int r = 2 * i + kh, c = 2 * j + kw;  // row/column 8 is the padding
            if (r >= 8 || c >= 8) continue;
            for (int ch = 0; ch < 3; ++ch) {
              s += k.values[((kh * 3 + kw) * 3 + ch) * 32 + o] * input[0][ch][r][c];
            }
          }
        }
        ASSERT_NEAR(out[0][o][i][j], std::clamp(s, 0.0, 6.0), 1e-4) << o << " " << i << " " << j;
      }
    }
  }
  const torch::Tensor z = dw->forward(x);
  auto deep = z.accessor<float, 4>();
  for (int ch = 0; ch < 32; ++ch) {
    for (int i = 0; i < 4; ++i) {
      for (int j = 0; j < 4; ++j) {
        double s = 0;
        for (int kh = 0; kh < 3; ++kh) {
          for (int kw = 0; kw < 3; ++kw) {
            const int r = i + kh - 1, c = j + kw - 1;  // stride 1: symmetric padding
            if (r < 0 || c < 0 || r >= 4 || c >= 4) continue;
            s += d.values[(kh * 3 + kw) * 32 + ch] * out[0][ch][r][c];
          }
        }
        ASSERT_NEAR(deep[0][ch][i][j], std::clamp(s, 0.0, 6.0), 1e-4);
      }
    }
  }
  // A missing tensor is named; so is one of another shape.
  keras.weights.erase("bn_Conv1/beta");
  Status s = conv1->LoadWeights(keras);
  EXPECT_EQ(s.code(), StatusCode::kCorruption);
  EXPECT_NE(s.message().find("bn_Conv1/beta"), std::string::npos) << s.message();
  keras.weights["bn_Conv1/beta"] = Filled(16, 0);
  s = conv1->LoadWeights(keras);
  EXPECT_NE(s.message().find("[16], expected [32]"), std::string::npos) << s.message();
}

TEST(KerasMobileNetV2, CutsGiveTheirChannelsAndStrides) {
  torch::NoGradGuard no_grad;
  const std::pair<const char*, std::vector<int64_t>> cases[] = {
      {"block_2_out", {1, 24, 16, 16}},
      {"block_10_depthwise_relu", {1, 384, 4, 4}},
      {"block_13_depthwise_relu", {1, 576, 2, 2}},
      {"out_relu", {1, 1280, 2, 2}}};
  for (const auto& [cut, shape] : cases) {
    KerasMobileNetV2 net(cut);
    net->eval();
    EXPECT_EQ(net->forward(torch::rand({1, 3, 64, 64})).sizes(), shape) << cut;
    EXPECT_EQ(net->channels(), shape[1]) << cut;
  }
}

// `neardup model import` on a folder holding just the layers up to Conv1: the model file has the
// imported weights, no projection and the [0,1] input, and cnn:mobilenet_v2 describes with it.
TEST(ImportPretrained, WritesAModelTheLearnedMethodLoads) {
  TempDir dir;
  std::vector<std::pair<std::string, TfjsTensor>> t;
  t.push_back({"Conv1/kernel", Random({3, 3, 3, 32}, 5)});
  AddIdentityBn("bn_Conv1", 32, &t);
  WriteTfjs(dir.Join("keras"), t);
  const std::string out = dir.Join("cnn-mobilenet_v2.pt");
  testing::CliResult r = RunCli({"model", "import", "--from", dir.Join("keras"), "--out", out,
                                 "--cut", "Conv1_relu", "--input-size", "64"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("32-d"), std::string::npos) << r.out;
  StatusOr<NearDupNet> m = LoadModel(out);
  ASSERT_TRUE(m.ok()) << m.status().message();
  EXPECT_EQ((*m)->config().backbone, "mobilenet_v2");
  EXPECT_EQ((*m)->config().cut, "Conv1_relu");
  EXPECT_EQ((*m)->config().dim, 32);
  EXPECT_EQ((*m)->config().std[0], 1.0f);
  EXPECT_TRUE(torch::equal((*m)->projection()->weight, torch::eye(32)));
  const torch::Tensor w = (*m)->backbone()[0]->named_parameters()["Conv1.weight"];
  EXPECT_FLOAT_EQ(w[5][2][1][0].item<float>(), t[0].second.values[((1 * 3 + 0) * 3 + 2) * 32 + 5]);

  NnMethodOptions o;
  o.model_path = out;
  StatusOr<std::unique_ptr<Method>> method = MakeNnMethodImpl("cnn:mobilenet_v2", o);
  ASSERT_TRUE(method.ok()) << method.status().message();
  StatusOr<Descriptor> desc = (*method)->Compute(MakeTestPhoto(80, 60, 1));
  ASSERT_TRUE(desc.ok()) << desc.status().message();
  ASSERT_EQ(desc->values.size(), 32u);
  double norm = 0;
  for (float v : desc->values) norm += v * v;
  EXPECT_NEAR(norm, 1.0, 1e-4);

  // Errors name the problem: an unknown cut, a folder without weights.
  r = RunCli({"model", "import", "--from", dir.Join("keras"), "--out", out, "--cut", "block_99"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("block_99"), std::string::npos) << r.err;
  r = RunCli({"model", "import", "--from", dir.Join("keras"), "--out", out});  // needs block 10
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("no tensor 'block_"), std::string::npos) << r.err;
}

// A whitening fitted with no shrinkage makes the projected features of the images it was fitted
// on centred with unit covariance; the backbone is copied unchanged.
TEST(WhitenModel, ProjectedFeaturesHaveUnitCovariance) {
  TempDir dir;
  std::vector<Image> photos;
  for (int i = 0; i < 40; ++i) {
    photos.push_back(MakeTestPhoto(96, 80, 100 + i));
    ASSERT_TRUE(WriteImage(dir.Join("img" + std::to_string(i) + ".png"), photos.back()).ok());
  }
  ModelConfig c;
  c.backbone = "mobile";
  c.stn = false;
  c.dim = 16;
  c.input_size = c.train_size = 64;
  torch::manual_seed(7);
  StatusOr<NearDupNet> base = MakeModel(c);
  ASSERT_TRUE(base.ok());
  ASSERT_TRUE(SaveModel(*base, dir.Join("base.pt")).ok());
  WhitenOptions o;
  o.model = dir.Join("base.pt");
  o.data = {dir.path()};
  o.out = dir.Join("white.pt");
  o.dim = 8;
  o.shrink = 0;
  o.use_held_out = true;  // the temp folder's random name would decide the split
  o.threads = 1;
  StatusOr<WhitenSummary> s = WhitenModelImpl(o);
  ASSERT_TRUE(s.ok()) << s.status().message();
  EXPECT_EQ(s->images, 40);
  EXPECT_EQ(s->dim, 8);
  EXPECT_GT(s->explained, 0.0);
  EXPECT_LE(s->explained, 1.0 + 1e-9);
  StatusOr<NearDupNet> white = LoadModel(o.out);
  ASSERT_TRUE(white.ok()) << white.status().message();
  EXPECT_TRUE((*white)->config().normalize_pooled);
  EXPECT_EQ((*white)->config().dim, 8);
  torch::NoGradGuard no_grad;
  (*base)->eval();
  const torch::Tensor batch = ImagesToBatch(photos, 64, c.mean, c.std);
  const torch::Tensor e = (*white)->Embed(batch).to(torch::kDouble);
  const torch::Tensor centred = e - e.mean(0);
  const torch::Tensor cov = centred.t().matmul(centred) / 39.0;
  EXPECT_LT(e.mean(0).abs().max().item<double>(), 1e-3);
  EXPECT_LT((cov - torch::eye(8, torch::kDouble)).abs().max().item<double>(), 2e-2);
  // The backbone is the base model's.
  EXPECT_TRUE(torch::allclose((*white)->Pool(batch),
                              F::normalize((*base)->Pool(batch),
                                           F::NormalizeFuncOptions().p(2).dim(1))));
  o.dim = 5000;
  EXPECT_EQ(WhitenModelImpl(o).status().code(), StatusCode::kInvalidArgument);
}

// The real weights (present once scripts/fetch_pretrained.sh has run: $NEARDUP_PRETRAINED_DIR,
// else data-cache/pretrained in the source tree) against TensorFlow.js's own activations.
TEST(ImportPretrained, RealWeightsMatchTensorFlowJs) {
  const char* env = std::getenv("NEARDUP_PRETRAINED_DIR");
  const std::string root = env ? env : std::string(NEARDUP_TEST_DATA) + "/../../data-cache/pretrained";
  const std::string dir = root + "/mobilenet_v2";
  if (!std::filesystem::exists(dir + "/model.json")) {
    GTEST_SKIP() << "no " << dir << " (scripts/fetch_pretrained.sh data-cache)";
  }
  StatusOr<TfjsModel> keras = ReadTfjsModel(dir);
  ASSERT_TRUE(keras.ok()) << keras.status().message();
  std::ifstream in(std::string(NEARDUP_TEST_DATA) + "/pretrained/mobilenet_v2.json");
  const json ref = json::parse(in);
  const int size = 224;
  torch::Tensor x = torch::empty({1, 3, size, size});
  auto a = x.accessor<float, 4>();
  for (int y = 0; y < size; ++y) {
    for (int xx = 0; xx < size; ++xx) {
      for (int c = 0; c < 3; ++c) {
        a[0][c][y][xx] = float(0.5 + 0.5 * std::sin(0.05 * (c + 1) * xx + 0.08 * y + c));
      }
    }
  }
  torch::NoGradGuard no_grad;
  for (const std::string cut : {"block_10_depthwise_relu", "out_relu"}) {
    SCOPED_TRACE(cut);
    KerasMobileNetV2 net(cut);
    ASSERT_TRUE(net->LoadWeights(*keras).ok());
    net->eval();
    const torch::Tensor f = net->forward(x).contiguous();
    const json& r = ref["layers"][cut];
    const std::vector<int64_t> nhwc = r["shape"].get<std::vector<int64_t>>();
    ASSERT_EQ(f.sizes(), (std::vector<int64_t>{1, nhwc[3], nhwc[1], nhwc[2]}));
    const torch::Tensor mean = f.mean({0, 2, 3});
    double worst = 0;
    for (int64_t c = 0; c < nhwc[3]; ++c) {
      const double want = r["channel_mean"][c].get<double>();
      worst = std::max(worst, std::abs(mean[c].item<double>() - want));
    }
    EXPECT_LT(worst, 1e-3) << "largest channel-mean difference";
    auto v = f.accessor<float, 4>();
    for (const json& s : r["samples"]) {
      const int64_t k = s[0].get<int64_t>();
      const int64_t h = k / (nhwc[2] * nhwc[3]), w = (k / nhwc[3]) % nhwc[2], c = k % nhwc[3];
      EXPECT_NEAR(v[0][c][h][w], s[1].get<double>(), 2e-3) << "value " << k;
    }
  }
}

}  // namespace
}  // namespace neardup::nn
