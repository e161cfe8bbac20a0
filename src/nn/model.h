// The paper's learned descriptor as a LibTorch module, shared by inference (nn_method.cc) and
// training (trainer.cc). Private to the nn plugin: only src/nn/ includes torch.
//
// NearDupNet = [SpatialTransformer] -> backbone -> pooling (GeM or GAP) -> linear -> L2 normalise.
// Tensors: float32, NCHW, RGB, normalised per channel with the config's mean/std (images in [0,1]
// first). forward() maps N x 3 x S x S (any S >= 32; trained at train_size, used at input_size) to
// N x dim unit vectors, compared by cosine similarity in [-1,1].
//
// Thread safety: a module is not safe to use from several threads at once when one of them
// trains; concurrent forward() calls in eval mode under torch::NoGradGuard are fine.
#ifndef NEARDUP_SRC_NN_MODEL_H_
#define NEARDUP_SRC_NN_MODEL_H_

#include <torch/torch.h>

#include <string>
#include <string_view>
#include <vector>

#include "neardup/image.h"
#include "neardup/status.h"

namespace neardup::nn {

// Written into every model file; files of another version fail to load with Corruption.
inline constexpr int kModelFormatVersion = 1;

// Side of the square the localization net looks at (the input is downscaled to it first).
inline constexpr int kStnLocalizationSize = 64;

// Everything that fixes the architecture and its input; saved in the model file.
struct ModelConfig {
  std::string backbone = "mobile";  // see BackboneNames()
  // Where "mobilenet_v2" ends (a KerasMobileNetV2Cuts() layer; empty = its default); empty for
  // the other backbones. Optional in model files (files before it have none).
  std::string cut;
  bool stn = true;                  // spatial transformer in front of the backbone
  bool stn_constrained = false;     // STN predicts (scale, rotation, tx, ty) instead of 6 params
  int dim = 256;                    // descriptor size
  bool gem = true;                  // GeM pooling (learnable p, init 3); false = global average
  // L2-normalise the pooled features before the projection (a learned whitening expects unit
  // vectors: `neardup model whiten`). Optional in model files (false when absent).
  bool normalize_pooled = false;
  int input_size = 224;             // inference resolution (square side, pixels)
  int train_size = 160;             // training resolution
  // The minimum cosine at which this model's pairs match when the caller gives no threshold,
  // measured by `neardup model calibrate` on a benchmark; 0 = uncalibrated (the methods' general
  // default). Optional in model files; training and whitening reset it (new weights, new scale).
  double min_cosine = 0;
  float mean[3] = {0.485f, 0.456f, 0.406f};  // of [0,1] RGB samples
  float std[3] = {0.229f, 0.224f, 0.225f};
};

// "resnet18", "resnet50", "vgg16", "efficientnet_b0", "mobile" (trained from random weights),
// "mobilenet_v2" (Keras MobileNetV2 1.0 that holds imported ImageNet weights: keras_mobilenet.h).
std::vector<std::string> BackboneNames();
bool IsKnownBackbone(std::string_view name);

// InvalidArgument for a non-positive dim or size (< 32), NotFound for an unknown backbone.
Status ValidateConfig(const ModelConfig& config);

// The config as a one-line JSON object and back (Corruption for malformed text).
std::string ConfigToJson(const ModelConfig& config);
StatusOr<ModelConfig> ConfigFromJson(std::string_view json);

// Turns a LibTorch exception into a Status: "<context>: <what()>" with `code`.
Status TorchError(const std::exception& e, const std::string& context,
                  StatusCode code = StatusCode::kInvalidArgument);

// Samples `x` (N x 3 x H x W) through the affine matrices `theta` (N x 2 x 3, normalised
// coordinates, output -> input): bilinear, zero padding, align_corners = false. `out` > 0 makes
// an out x out result, else H x W. The one sampler of the STN, the trainer's known warps and the
// benches.
torch::Tensor SampleAffine(const torch::Tensor& x, const torch::Tensor& theta, int64_t out = 0);

// Localization net (a light CNN on the input downscaled to kStnLocalizationSize) -> FC -> affine
// parameters; then affine_grid + bilinear grid_sample (align_corners = false, zero padding).
// The last layer starts with zero weights and the identity as bias, so a fresh STN is the
// identity.
class SpatialTransformerImpl : public torch::nn::Module {
 public:
  explicit SpatialTransformerImpl(bool constrained);
  // N x 2 x 3 affine matrices (normalised coordinates, output -> input) for N x 3 x H x W input.
  torch::Tensor Theta(const torch::Tensor& x);
  // The aligned input, N x 3 x out x out (out = 0: H x W of the input).
  torch::Tensor forward(const torch::Tensor& x, int64_t out = 0);
  bool constrained() const { return constrained_; }

 private:
  bool constrained_;
  torch::nn::Sequential features_{nullptr};
  torch::nn::Sequential head_{nullptr};
};
TORCH_MODULE(SpatialTransformer);

class NearDupNetImpl : public torch::nn::Module {
 public:
  // Asserts on an invalid config (call ValidateConfig first). Weights start random (no pretrained
  // weights are available offline); the STN starts as the identity.
  explicit NearDupNetImpl(const ModelConfig& config);

  // N x 3 x S x S normalised input -> N x dim L2-normalised descriptors.
  torch::Tensor forward(const torch::Tensor& x);
  // As forward, before the L2 normalisation (N x dim).
  torch::Tensor Embed(const torch::Tensor& x);
  // What the projection sees: the pooled backbone features (N x C), L2-normalised when the
  // config says normalize_pooled.
  torch::Tensor Pool(const torch::Tensor& x);
  // What the backbone sees: the STN output (same size as x), or x itself without an STN.
  torch::Tensor Align(const torch::Tensor& x);
  // forward() after the STN: `aligned` is what Align gave (or any input the backbone takes).
  torch::Tensor ForwardAligned(const torch::Tensor& aligned);

  const ModelConfig& config() const { return config_; }
  // The calibrated default threshold (ModelConfig::min_cosine); asserts it is in [-1, 1].
  void set_min_cosine(double min_cosine);
  bool has_stn() const { return !stn_.is_empty(); }
  // The feature extractor (N x 3 x S x S -> N x C x h x w) and the projection after pooling.
  torch::nn::Sequential& backbone() { return backbone_; }
  torch::nn::Linear& projection() { return proj_; }
  // The spatial transformer (owned by this module), or nullptr without one.
  SpatialTransformerImpl* stn() { return has_stn() ? stn_.get() : nullptr; }
  // Parameter groups for the optimiser: the localization net's (empty without an STN) learns
  // with a lower learning rate; OtherParameters() is everything else. Together they are
  // parameters(), each tensor exactly once.
  std::vector<torch::Tensor> LocalizationParameters();
  std::vector<torch::Tensor> OtherParameters();

 private:
  ModelConfig config_;
  SpatialTransformer stn_{nullptr};
  torch::nn::Sequential backbone_{nullptr};  // N x 3 x S x S -> N x C x h x w feature map
  int64_t backbone_channels_ = 0;
  torch::Tensor gem_p_;  // GeM exponent (1 element); undefined with GAP
  torch::nn::Linear proj_{nullptr};

  torch::Tensor PoolAligned(const torch::Tensor& aligned);
};
TORCH_MODULE(NearDupNet);

// Builds a fresh model: ValidateConfig's errors, else a randomly initialised net (seeded by the
// caller through torch::manual_seed).
StatusOr<NearDupNet> MakeModel(const ModelConfig& config);

// Writes config + format version + state dict (parameters and buffers) to `path` atomically
// (temp file + rename). IOError when it cannot write.
Status SaveModel(NearDupNet& model, const std::string& path);
// Reads a file written by SaveModel; the model is returned in eval mode. NotFound (no file),
// Corruption (not a model file, other format version, mismatching tensors).
StatusOr<NearDupNet> LoadModel(const std::string& path);

// Copies every parameter and buffer of `from` into the same-named one of `to` of the same shape,
// except those whose name starts with `skip_prefix` (when not empty); the rest of `to` is left
// as it is (a model started from another: its STN, when `from` has none, stays the identity).
void CopyMatchingWeights(NearDupNet& from, NearDupNet& to, std::string_view skip_prefix = {});

// ---- Preprocessing -------------------------------------------------------------------------
// An RGB (or grey, replicated) image as a normalised 3 x size x size float tensor, by input.h's
// WriteModelInput (letterboxed, so a copy that was itself cropped still shares all its content;
// the same numbers as the training views).
torch::Tensor ImageToTensor(const Image& image, int size, const float (&mean)[3],
                            const float (&stddev)[3]);
// N images stacked as N x 3 x size x size.
torch::Tensor ImagesToBatch(const std::vector<Image>& images, int size, const float (&mean)[3],
                            const float (&stddev)[3]);
// The inverse: a normalised 3 x H x W tensor back to an RGB Image (clamped to [0,255]).
Image TensorToImage(const torch::Tensor& chw, const float (&mean)[3], const float (&stddev)[3]);

}  // namespace neardup::nn

#endif  // NEARDUP_SRC_NN_MODEL_H_
