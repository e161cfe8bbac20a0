// The learned methods behind the Method interface: "stn-cnn:<backbone>", "cnn:<backbone>" (a
// NearDupNet loaded from a model file) and "torchscript:<file>" (any TorchScript embedding).
//
// Units (kCosine): Distance = 1 - cosine similarity, in [0, 2]; Score = (cosine + 1) / 2, in
// [0, 1]; thresholds (default_threshold, `find --threshold`) are a minimum cosine similarity in
// [-1, 1], as src/pipeline/find.cc's CosineSelfJoin takes them.
#include <torch/script.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <sstream>

#include "augment/rng.h"
#include "neardup/nn.h"
#include "nn/model.h"
#include "plugin/model_files.h"
#include "plugin/nn_plugin_api.h"

namespace neardup {
namespace {

namespace fs = std::filesystem;
using nn::ModelConfig;

// The default minimum cosine: the shipped models (models/README.md) reach precision >= 0.99 on
// the held-out benchmark (scripts/run_benchmark.sh --held-out) at cosine >= 0.966 (stn-cnn:mobile)
// and >= 0.980 (cnn:mobile); a false merge costs a photo library more than a missed copy.
constexpr double kDefaultMinCosine = 0.97;
// Images per network call in ComputeBatch: bench/nn_bench.cc measured the network alone at
// several times the images/s of batch 1 on 2 cores; larger batches gain little more.
constexpr int kPreferredBatch = 16;
// Except for mobilenet_v2 at 224 px, whose activations (112 x 112 x 96 floats per image in its
// first blocks) leave the cache beyond a few images: nn_bench measured its network at 93 images/s
// at batch 1 on one thread and 24 at batch 16 (2 threads: 124 at batch 1, 139 at 4, 46 at 16), so
// it runs one image per call on each worker.
int PreferredBatch(const ModelConfig& c) { return c.backbone == "mobilenet_v2" ? 1 : kPreferredBatch; }
// Default square input of a TorchScript model whose options give none.
constexpr int kDefaultInputSize = 224;
// Bumped when the preprocessing (letterbox, normalisation) changes: it is part of version().
constexpr uint64_t kPreprocessVersion = 1;

enum class Kind { kStnCnn, kCnn, kTorchScript };

struct Spec {
  Kind kind;
  std::string arg;  // backbone or TorchScript file
};

StatusOr<Spec> ParseSpec(std::string_view spec) {
  auto strip = [&](std::string_view prefix) -> std::optional<std::string> {
    if (spec.substr(0, prefix.size()) != prefix) return std::nullopt;
    return std::string(spec.substr(prefix.size()));
  };
  if (auto a = strip("stn-cnn:")) return Spec{Kind::kStnCnn, *a};
  if (auto a = strip("cnn:")) return Spec{Kind::kCnn, *a};
  if (auto a = strip("torchscript:")) {
    if (a->empty()) return InvalidArgumentError("torchscript: needs a file, e.g. torchscript:m.pt");
    return Spec{Kind::kTorchScript, *a};
  }
  return NotFoundError("'" + std::string(spec) + "' is not a learned method");
}

// FNV-1a of the file content folded to a positive int: the cache's version, so descriptors of
// other weights are recomputed.
StatusOr<int> ContentVersion(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return IOError(path + ": cannot read");
  uint64_t h = augment_internal::kFnv1aOffset ^ kPreprocessVersion;
  char buf[1 << 16];
  while (in.read(buf, sizeof buf) || in.gcount() > 0) {
    h = augment_internal::Fnv1a64(std::string_view(buf, size_t(in.gcount())), h);
  }
  return int((h ^ (h >> 32)) & 0x7fffffff);
}

// The images as one N x 3 x size x size batch of model inputs (each letterboxed, normalised).
torch::Tensor StackInputs(const std::vector<const Image*>& images, int size, const float (&mean)[3],
                          const float (&stddev)[3]) {
  std::vector<torch::Tensor> inputs;
  inputs.reserve(images.size());
  for (const Image* image : images) inputs.push_back(nn::ImageToTensor(*image, size, mean, stddev));
  return torch::stack(inputs);
}

void ApplyThreads(int threads) {
  // Global to the process (LibTorch has one intra-op pool). The default is 1: the pipeline runs
  // one Compute per worker thread, and intra-op threads under parallel callers oversubscribe the
  // cores (bench/nn_bench.cc: 2 workers x 1 thread beat 1 worker x 2 threads by 1.3-1.6x).
  torch::set_num_threads(threads > 0 ? threads : 1);
}

class NnMethod : public Method {
 public:
  // Exactly one of `net` / `script` is set.
  NnMethod(std::string name, int version, int input_size, int dims, const float (&mean)[3],
           const float (&stddev)[3], nn::NearDupNet net, std::unique_ptr<torch::jit::Module> script)
      : name_(std::move(name)),
        version_(version),
        input_size_(input_size),
        dims_(dims),
        net_(std::move(net)),
        script_(std::move(script)) {
    std::copy(mean, mean + 3, mean_);
    std::copy(stddev, stddev + 3, std_);
  }

  std::string name() const override { return name_; }
  int version() const override { return version_; }
  Metric metric() const override { return Metric::kCosine; }
  int dims() const override { return dims_; }
  int min_decode_side() const override { return input_size_; }
  // The model's calibrated minimum cosine (`neardup model calibrate`), else the general default.
  double default_threshold() const override {
    if (net_ && net_->config().min_cosine != 0) return net_->config().min_cosine;
    return kDefaultMinCosine;
  }

  StatusOr<Descriptor> Compute(const Image& image) const override {
    return std::move(ComputeBatch({&image})[0]);
  }

  int preferred_batch() const override {
    return net_ ? PreferredBatch(net_->config()) : kPreferredBatch;
  }

  std::vector<StatusOr<Descriptor>> ComputeBatch(
      const std::vector<const Image*>& images) const override {
    const StatusOr<Descriptor> empty(InvalidArgumentError("empty image"));
    std::vector<StatusOr<Descriptor>> out(images.size(), empty);
    std::vector<size_t> rows;  // images[rows[r]] is row r of the batch
    std::vector<const Image*> batch;
    for (size_t i = 0; i < images.size(); ++i) {
      if (images[i]->empty()) continue;
      rows.push_back(i);
      batch.push_back(images[i]);
    }
    if (rows.empty()) return out;
    try {
      torch::InferenceMode guard;
      torch::Tensor y = Run(StackInputs(batch, input_size_, mean_, std_));
      const float* p = y.data_ptr<float>();
      const int64_t d = y.size(1);
      for (size_t r = 0; r < rows.size(); ++r) {
        Descriptor desc;
        desc.values.assign(p + int64_t(r) * d, p + int64_t(r + 1) * d);
        out[rows[r]] = std::move(desc);
      }
    } catch (const std::exception& e) {
      const Status error = nn::TorchError(e, name_ + ": inference failed");
      for (size_t i : rows) out[i] = error;
    }
    return out;
  }

  StatusOr<double> Distance(const Descriptor& a, const Descriptor& b) const override {
    if (a.values.size() != b.values.size() || a.values.empty()) {
      return InvalidArgumentError("cannot compare vectors of " + std::to_string(a.values.size()) +
                                  " and " + std::to_string(b.values.size()) + " values");
    }
    const size_t n = a.values.size();
    double dot = 0;
    for (size_t i = 0; i < n; ++i) dot += double(a.values[i]) * b.values[i];
    return 1.0 - std::clamp(dot, -1.0, 1.0);
  }
  double Score(double distance) const override {
    return std::clamp(1.0 - distance / 2.0, 0.0, 1.0);
  }
  double DistanceForScore(double score) const override {
    return 2.0 * (1.0 - std::clamp(score, 0.0, 1.0));
  }

  // N x 3 x S x S normalised -> N x D unit rows (float32, contiguous).
  torch::Tensor Run(const torch::Tensor& x) const {
    torch::Tensor y;
    if (script_) {
      // forward() of a loaded TorchScript module only reads it; the const_cast is for its API.
      y = const_cast<torch::jit::Module&>(*script_).forward({x}).toTensor();
      y = torch::nn::functional::normalize(
          y.to(torch::kFloat32).flatten(1),
          torch::nn::functional::NormalizeFuncOptions().p(2).dim(1).eps(1e-12));
    } else {
      y = net_->forward(x);
    }
    return y.contiguous();
  }

 private:
  std::string name_;
  int version_;
  int input_size_;
  int dims_;
  float mean_[3];
  float std_[3];
  // forward() is not const in LibTorch's API, but in eval mode it only reads the module.
  mutable nn::NearDupNet net_{nullptr};
  std::unique_ptr<torch::jit::Module> script_;
};

StatusOr<std::unique_ptr<Method>> MakeTorchScript(std::string_view spec, const std::string& path,
                                                  const NnMethodOptions& options) {
  if (!fs::is_regular_file(path)) return NotFoundError(path + ": no TorchScript file");
  ASSIGN_OR_RETURN(int version, ContentVersion(path));
  auto module = std::make_unique<torch::jit::Module>();
  try {
    *module = torch::jit::load(path);
    module->eval();
  } catch (const std::exception& e) {
    return nn::TorchError(e, path + ": not a TorchScript module", StatusCode::kCorruption);
  }
  const int size = options.input_size > 0 ? options.input_size : kDefaultInputSize;
  int dims = 0;
  try {
    torch::InferenceMode guard;
    torch::Tensor y = module->forward({torch::zeros({1, 3, size, size})}).toTensor();
    if (y.dim() < 2 || y.size(0) != 1) {
      return InvalidArgumentError(path + ": forward must return N x D embeddings, got shape " +
                                  c10::str(y.sizes()));
    }
    dims = int(y[0].numel());
  } catch (const std::exception& e) {
    return nn::TorchError(e, path + ": forward on a 1 x 3 x " + std::to_string(size) + " x " +
                                 std::to_string(size) + " input failed");
  }
  return std::unique_ptr<Method>(new NnMethod(std::string(spec), version, size, dims, options.mean,
                                              options.std, nn::NearDupNet(nullptr),
                                              std::move(module)));
}

StatusOr<nn::NearDupNet> LoadModelFor(const Spec& s, std::string_view spec,
                                      const NnMethodOptions& options, std::string* path) {
  if (!nn::IsKnownBackbone(s.arg)) {
    ModelConfig probe;
    probe.backbone = s.arg;
    return nn::ValidateConfig(probe);  // NotFound listing the known backbones
  }
  ASSIGN_OR_RETURN(*path, FindModelFile(spec, options));
  ASSIGN_OR_RETURN(nn::NearDupNet net, nn::LoadModel(*path));
  const ModelConfig& c = net->config();
  const bool want_stn = s.kind == Kind::kStnCnn;
  if (c.backbone != s.arg || c.stn != want_stn) {
    return InvalidArgumentError(*path + ": holds a " + (c.stn ? "stn-cnn:" : "cnn:") + c.backbone +
                                " model, not " + std::string(spec));
  }
  return net;
}

}  // namespace

StatusOr<std::unique_ptr<Method>> MakeNnMethodImpl(std::string_view spec,
                                                   const NnMethodOptions& options) {
  ASSIGN_OR_RETURN(Spec s, ParseSpec(spec));
  ApplyThreads(options.threads);
  if (s.kind == Kind::kTorchScript) return MakeTorchScript(spec, s.arg, options);
  std::string path;
  ASSIGN_OR_RETURN(nn::NearDupNet net, LoadModelFor(s, spec, options, &path));
  ASSIGN_OR_RETURN(int version, ContentVersion(path));
  const ModelConfig& c = net->config();
  const int size = options.input_size > 0 ? options.input_size : c.input_size;
  return std::unique_ptr<Method>(
      new NnMethod(std::string(spec), version, size, c.dim, c.mean, c.std, net, nullptr));
}

StatusOr<std::vector<Image>> AlignWithStnImpl(std::string_view spec, const NnMethodOptions& options,
                                              const std::vector<const Image*>& images) {
  ASSIGN_OR_RETURN(Spec s, ParseSpec(spec));
  if (s.kind != Kind::kStnCnn) {
    return InvalidArgumentError(std::string(spec) + " has no spatial transformer");
  }
  for (size_t i = 0; i < images.size(); ++i) {
    if (images[i]->empty()) return InvalidArgumentError("image " + std::to_string(i) + " is empty");
  }
  if (images.empty()) return std::vector<Image>();
  ApplyThreads(options.threads);
  std::string path;
  ASSIGN_OR_RETURN(nn::NearDupNet net, LoadModelFor(s, spec, options, &path));
  const ModelConfig& c = net->config();
  const int size = options.input_size > 0 ? options.input_size : c.input_size;
  try {
    torch::InferenceMode guard;
    torch::Tensor aligned = net->Align(StackInputs(images, size, c.mean, c.std));
    std::vector<Image> out;
    for (int64_t i = 0; i < aligned.size(0); ++i) {
      out.push_back(nn::TensorToImage(aligned[i], c.mean, c.std));
    }
    return out;
  } catch (const std::exception& e) {
    return nn::TorchError(e, std::string(spec) + ": STN failed");
  }
}

}  // namespace neardup
