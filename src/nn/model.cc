#include "nn/model.h"

#include <unistd.h>

#include <algorithm>
#include <cassert>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <unordered_set>

#include "nn/backbones.h"
#include "nn/input.h"
#include "nn/keras_mobilenet.h"

namespace neardup::nn {
namespace {

namespace F = torch::nn::functional;

}  // namespace

Status ValidateConfig(const ModelConfig& c) {
  if (!IsKnownBackbone(c.backbone)) {
    std::string known;
    for (const std::string& n : BackboneNames()) known += (known.empty() ? "" : ", ") + n;
    return NotFoundError("unknown backbone '" + c.backbone + "' (known: " + known + ")");
  }
  if (c.backbone == "mobilenet_v2") {
    const auto& cuts = KerasMobileNetV2Cuts();
    if (!c.cut.empty() && std::find(cuts.begin(), cuts.end(), c.cut) == cuts.end()) {
      return NotFoundError("mobilenet_v2 has no layer '" + c.cut + "' to end at");
    }
  } else if (!c.cut.empty()) {
    return InvalidArgumentError("only mobilenet_v2 can end at a chosen layer (cut '" + c.cut +
                                "')");
  }
  if (c.dim < 1) return InvalidArgumentError("descriptor dim must be >= 1");
  if (c.input_size < 32 || c.train_size < 32) {
    return InvalidArgumentError("input and training sizes must be >= 32 pixels");
  }
  for (float s : c.std) {
    if (!(s > 0)) return InvalidArgumentError("normalisation std must be > 0");
  }
  if (!(c.min_cosine >= -1 && c.min_cosine <= 1)) {
    return InvalidArgumentError("calibrated min_cosine must be in [-1, 1]");
  }
  return Status::Ok();
}

std::string ConfigToJson(const ModelConfig& c) {
  nlohmann::json j = {{"backbone", c.backbone},
                      {"stn", c.stn},
                      {"stn_constrained", c.stn_constrained},
                      {"dim", c.dim},
                      {"gem", c.gem},
                      {"input_size", c.input_size},
                      {"train_size", c.train_size},
                      {"mean", {c.mean[0], c.mean[1], c.mean[2]}},
                      {"std", {c.std[0], c.std[1], c.std[2]}}};
  if (!c.cut.empty()) j["cut"] = c.cut;
  if (c.normalize_pooled) j["normalize_pooled"] = true;
  if (c.min_cosine != 0) j["min_cosine"] = c.min_cosine;
  return j.dump();
}

StatusOr<ModelConfig> ConfigFromJson(std::string_view text) {
  ModelConfig c;
  try {
    nlohmann::json j = nlohmann::json::parse(text);
    c.backbone = j.at("backbone").get<std::string>();
    c.stn = j.at("stn").get<bool>();
    c.stn_constrained = j.at("stn_constrained").get<bool>();
    c.dim = j.at("dim").get<int>();
    c.gem = j.at("gem").get<bool>();
    c.input_size = j.at("input_size").get<int>();
    c.train_size = j.at("train_size").get<int>();
    c.cut = j.value("cut", std::string());
    c.normalize_pooled = j.value("normalize_pooled", false);
    c.min_cosine = j.value("min_cosine", 0.0);
    for (int i = 0; i < 3; ++i) {
      c.mean[i] = j.at("mean").at(i).get<float>();
      c.std[i] = j.at("std").at(i).get<float>();
    }
  } catch (const nlohmann::json::exception& e) {
    return CorruptionError(std::string("bad model config: ") + e.what());
  }
  Status valid = ValidateConfig(c);
  if (!valid.ok()) return CorruptionError("bad model config: " + valid.message());
  return c;
}

Status TorchError(const std::exception& e, const std::string& context, StatusCode code) {
  std::string what = e.what();
  // c10::Error appends a C++ backtrace after the first line: keep the reason only.
  if (size_t nl = what.find('\n'); nl != std::string::npos) what.resize(nl);
  return Status(code, context + ": " + what);
}

// ---- SpatialTransformer -------------------------------------------------------------------

SpatialTransformerImpl::SpatialTransformerImpl(bool constrained) : constrained_(constrained) {
  auto relu = [] { return torch::nn::ReLU(torch::nn::ReLUOptions(true)); };
  // 64 -> 32 -> 16 -> 8 -> 4 pixels.
  features_ = register_module(
      "features",
      torch::nn::Sequential(ConvBnAct(3, 16, 3, 2, Act::kRelu), ConvBnAct(16, 32, 3, 2, Act::kRelu),
                            ConvBnAct(32, 64, 3, 2, Act::kRelu),
                            ConvBnAct(64, 64, 3, 2, Act::kRelu), torch::nn::Flatten()));
  const int64_t params = constrained ? 4 : 6;
  torch::nn::Linear last(128, params);
  head_ = register_module("head",
                          torch::nn::Sequential(torch::nn::Linear(64 * 4 * 4, 128), relu(), last));
  InitWeights(*features_);
  torch::NoGradGuard no_grad;
  last->weight.zero_();
  // Identity: 6 params [1 0 0; 0 1 0]; constrained (scale, rotation, tx, ty) = (1, 0, 0, 0).
  if (constrained) {
    last->bias.copy_(torch::tensor({1.f, 0.f, 0.f, 0.f}));
  } else {
    last->bias.copy_(torch::tensor({1.f, 0.f, 0.f, 0.f, 1.f, 0.f}));
  }
}

torch::Tensor SpatialTransformerImpl::Theta(const torch::Tensor& x) {
  torch::Tensor small =
      F::interpolate(x, F::InterpolateFuncOptions()
                            .size(std::vector<int64_t>{kStnLocalizationSize, kStnLocalizationSize})
                            .mode(torch::kBilinear)
                            .align_corners(false));
  torch::Tensor p = head_->forward(features_->forward(small));
  if (!constrained_) return p.view({-1, 2, 3});
  torch::Tensor s = p.select(1, 0), r = p.select(1, 1), tx = p.select(1, 2), ty = p.select(1, 3);
  torch::Tensor c = s * torch::cos(r), sn = s * torch::sin(r);
  return torch::stack({c, -sn, tx, sn, c, ty}, 1).view({-1, 2, 3});
}

void CopyMatchingWeights(NearDupNet& from, NearDupNet& to, std::string_view skip_prefix) {
  torch::NoGradGuard no_grad;
  auto copy = [&](const torch::OrderedDict<std::string, torch::Tensor>& source,
                  torch::OrderedDict<std::string, torch::Tensor> target) {
    for (auto& t : target) {
      if (!skip_prefix.empty() && t.key().rfind(skip_prefix, 0) == 0) continue;
      const torch::Tensor* src = source.find(t.key());
      if (src && src->sizes() == t.value().sizes()) t.value().copy_(*src);
    }
  };
  copy(from->named_parameters(), to->named_parameters());
  copy(from->named_buffers(), to->named_buffers());
}

torch::Tensor SampleAffine(const torch::Tensor& x, const torch::Tensor& theta, int64_t out) {
  const int64_t h = out > 0 ? out : x.size(2), w = out > 0 ? out : x.size(3);
  torch::Tensor grid = F::affine_grid(theta, {x.size(0), x.size(1), h, w}, false);
  return F::grid_sample(x, grid,
                        F::GridSampleFuncOptions()
                            .mode(torch::kBilinear)
                            .padding_mode(torch::kZeros)
                            .align_corners(false));
}

torch::Tensor SpatialTransformerImpl::forward(const torch::Tensor& x, int64_t out) {
  return SampleAffine(x, Theta(x), out);
}

// ---- NearDupNet ---------------------------------------------------------------------------

void NearDupNetImpl::set_min_cosine(double min_cosine) {
  assert(min_cosine >= -1 && min_cosine <= 1);
  config_.min_cosine = min_cosine;
}

NearDupNetImpl::NearDupNetImpl(const ModelConfig& config) : config_(config) {
  assert(ValidateConfig(config).ok());
  if (config.stn) stn_ = register_module("stn", SpatialTransformer(config.stn_constrained));
  backbone_ = register_module("backbone", MakeBackbone(config.backbone, config.cut, &backbone_channels_));
  InitWeights(*backbone_);
  if (config.gem) gem_p_ = register_parameter("gem_p", torch::full({1}, 3.0f));
  proj_ = register_module("proj", torch::nn::Linear(backbone_channels_, config.dim));
}

torch::Tensor NearDupNetImpl::Align(const torch::Tensor& x) {
  return has_stn() ? stn_->forward(x) : x;
}

torch::Tensor NearDupNetImpl::Embed(const torch::Tensor& x) { return proj_->forward(Pool(x)); }

torch::Tensor NearDupNetImpl::Pool(const torch::Tensor& x) { return PoolAligned(Align(x)); }

torch::Tensor NearDupNetImpl::ForwardAligned(const torch::Tensor& aligned) {
  return F::normalize(proj_->forward(PoolAligned(aligned)),
                      F::NormalizeFuncOptions().p(2).dim(1).eps(1e-12));
}

torch::Tensor NearDupNetImpl::PoolAligned(const torch::Tensor& aligned) {
  torch::Tensor f = backbone_->forward(aligned);
  torch::Tensor pooled;
  if (gem_p_.defined()) {
    // GeM (Radenović et al. 2018): (mean x^p)^(1/p); p -> 1 is GAP, p -> inf max pooling.
    torch::Tensor p = gem_p_.clamp_min(1.0);
    pooled = f.clamp_min(1e-6).pow(p.view({1, 1, 1, 1})).mean({2, 3}).pow(1.0 / p);
  } else {
    pooled = f.mean({2, 3});
  }
  if (config_.normalize_pooled) {
    pooled = F::normalize(pooled, F::NormalizeFuncOptions().p(2).dim(1).eps(1e-12));
  }
  return pooled;
}

torch::Tensor NearDupNetImpl::forward(const torch::Tensor& x) {
  return F::normalize(Embed(x), F::NormalizeFuncOptions().p(2).dim(1).eps(1e-12));
}

std::vector<torch::Tensor> NearDupNetImpl::LocalizationParameters() {
  return has_stn() ? stn_->parameters() : std::vector<torch::Tensor>{};
}

std::vector<torch::Tensor> NearDupNetImpl::OtherParameters() {
  std::unordered_set<const void*> loc;
  for (const torch::Tensor& t : LocalizationParameters()) loc.insert(t.unsafeGetTensorImpl());
  std::vector<torch::Tensor> out;
  for (const torch::Tensor& t : parameters()) {
    if (!loc.count(t.unsafeGetTensorImpl())) out.push_back(t);
  }
  return out;
}

StatusOr<NearDupNet> MakeModel(const ModelConfig& config) {
  RETURN_IF_ERROR(ValidateConfig(config));
  try {
    return NearDupNet(config);
  } catch (const std::exception& e) {
    return TorchError(e, "building " + config.backbone, StatusCode::kResourceExhausted);
  }
}

// ---- Save / load ----------------------------------------------------------------------------

namespace {
constexpr const char* kMagicKey = "neardup_model_format";
constexpr const char* kConfigKey = "neardup_model_config";
}  // namespace

Status SaveModel(NearDupNet& model, const std::string& path) {
  const std::string tmp = path + ".tmp" + std::to_string(getpid());
  try {
    torch::serialize::OutputArchive archive;
    archive.write(kMagicKey, c10::IValue(int64_t{kModelFormatVersion}));
    archive.write(kConfigKey, c10::IValue(ConfigToJson(model->config())));
    torch::serialize::OutputArchive weights;
    model->save(weights);
    archive.write("weights", weights);
    archive.save_to(tmp);
  } catch (const std::exception& e) {
    std::remove(tmp.c_str());
    return TorchError(e, path + ": cannot write model", StatusCode::kIOError);
  }
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  if (ec) {
    std::remove(tmp.c_str());
    return IOError(path + ": cannot write model: " + ec.message());
  }
  return Status::Ok();
}

StatusOr<NearDupNet> LoadModel(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) return NotFoundError(path + ": no model file");
  try {
    torch::serialize::InputArchive archive;
    archive.load_from(path);
    c10::IValue version, config_json;
    if (!archive.try_read(kMagicKey, version) || !version.isInt()) {
      return CorruptionError(path + ": not a neardup model file");
    }
    if (version.toInt() != kModelFormatVersion) {
      return CorruptionError(path + ": model format version " + std::to_string(version.toInt()) +
                             ", this build reads " + std::to_string(kModelFormatVersion));
    }
    if (!archive.try_read(kConfigKey, config_json) || !config_json.isString()) {
      return CorruptionError(path + ": model file without a config");
    }
    StatusOr<ModelConfig> config = ConfigFromJson(config_json.toStringRef());
    if (!config.ok()) return config.status().WithPrefix(path);
    NearDupNet model(*config);
    torch::serialize::InputArchive weights;
    if (!archive.try_read("weights", weights)) {
      return CorruptionError(path + ": model file without weights");
    }
    model->load(weights);
    model->eval();
    return model;
  } catch (const std::exception& e) {
    return TorchError(e, path + ": bad model file", StatusCode::kCorruption);
  }
}

// ---- Preprocessing ----------------------------------------------------------------------------

torch::Tensor ImageToTensor(const Image& image, int size, const float (&mean)[3],
                            const float (&stddev)[3]) {
  torch::Tensor t = torch::empty({3, size, size}, torch::kFloat32);
  WriteModelInput(image, size, mean, stddev, t.data_ptr<float>());
  return t;
}

torch::Tensor ImagesToBatch(const std::vector<Image>& images, int size, const float (&mean)[3],
                            const float (&stddev)[3]) {
  std::vector<torch::Tensor> ts;
  ts.reserve(images.size());
  for (const Image& im : images) ts.push_back(ImageToTensor(im, size, mean, stddev));
  return torch::stack(ts);
}

Image TensorToImage(const torch::Tensor& chw, const float (&mean)[3], const float (&stddev)[3]) {
  torch::Tensor t = chw.detach().to(torch::kCPU, torch::kFloat32).contiguous();
  assert(t.dim() == 3 && t.size(0) == 3);
  const int h = int(t.size(1)), w = int(t.size(2));
  Image out(w, h, 3);
  const float* in = t.data_ptr<float>();
  const size_t plane = size_t(w) * h;
  for (int c = 0; c < 3; ++c) {
    for (size_t i = 0; i < plane; ++i) {
      float v = (in[c * plane + i] * stddev[c] + mean[c]) * 255.f;
      out.pixels[3 * i + c] = uint8_t(std::clamp(std::lround(v), 0L, 255L));
    }
  }
  return out;
}

}  // namespace neardup::nn
