// Keras's MobileNetV2 (width 1.0; Sandler et al. 2018) as a LibTorch module that can hold the
// ImageNet-derived weights of the nsfwjs package (tfjs_weights.h, scripts/fetch_pretrained.sh):
// the backbone "mobilenet_v2". Private to the nn plugin.
//
// It is the Keras graph, not torchvision's: the same layer names (they are this module's
// state-dict keys, so part of the model file format), BatchNorm epsilon 1e-3, and TF's "same"
// padding, which before a stride-2 convolution pads one row and column at the bottom and right
// only (Keras's ZeroPadding2D((0,1),(0,1))) where torchvision pads all sides.
//
// The network ends at a cut, one of CutNames(): the output of that Keras layer (NCHW). The
// layers after it are not built, so a model file holds only what it uses.
#ifndef NEARDUP_SRC_NN_KERAS_MOBILENET_H_
#define NEARDUP_SRC_NN_KERAS_MOBILENET_H_

#include <torch/torch.h>

#include <map>
#include <string>
#include <vector>

#include "neardup/status.h"
#include "nn/tfjs_weights.h"

namespace neardup::nn {

// The layers a network may end at: "Conv1_relu", "expanded_conv_depthwise_relu",
// "expanded_conv_project_BN", then for each block N = 1..16 "block_N_expand_relu",
// "block_N_depthwise_relu" and "block_N_out" (its projection, plus the residual where Keras adds
// one), and "out_relu" (the 1280-channel last convolution). In network order.
const std::vector<std::string>& KerasMobileNetV2Cuts();
// Default cut: block 10's depthwise output (384 channels at stride 16), the last of the layers
// nsfwjs left at their ImageNet values (blocks 11-16 were fine-tuned for another task).
inline constexpr const char* kDefaultMobileNetV2Cut = "block_10_depthwise_relu";

class KerasMobileNetV2Impl : public torch::nn::Module {
 public:
  // Asserts that `cut` is one of KerasMobileNetV2Cuts(). Weights start as LibTorch initialises
  // them; LoadWeights() gives the pretrained ones.
  explicit KerasMobileNetV2Impl(const std::string& cut);

  // N x 3 x H x W -> N x channels() x h x w (h = ceil(H / stride), stride 2 to 32 by the cut).
  torch::Tensor forward(torch::Tensor x);
  int64_t channels() const { return channels_; }

  // Copies every built layer's weights from a Keras MobileNetV2 (alpha 1.0) read by
  // ReadTfjsModel: conv kernels HWIO -> OIHW, depthwise [H, W, C, 1] -> [C, 1, H, W], BatchNorm
  // gamma/beta/moving_mean/moving_variance. Corruption naming the tensor when one is missing or
  // has another shape.
  Status LoadWeights(const TfjsModel& keras);

 private:
  struct Block {
    int index = 0;  // Keras block number (0 = "expanded_conv")
    int64_t in = 0, out = 0, expand = 1, stride = 1;
  };
  // conv + BN registered under Keras names (`bn` is the BN layer's name).
  void AddConv(const std::string& name, const std::string& bn, int64_t in, int64_t out,
               int64_t kernel, int64_t stride, bool depthwise);
  torch::Tensor Conv(const std::string& name, torch::Tensor x, bool relu6);
  bool Reached(const std::string& layer) const { return layer == cut_; }

  std::string cut_;
  int64_t channels_ = 0;
  std::vector<Block> blocks_;
  struct Unit {
    torch::nn::Conv2d conv{nullptr};
    torch::nn::BatchNorm2d bn{nullptr};
    std::string bn_name;
    bool depthwise = false;
    bool pad_bottom_right = false;  // stride 2: TF "same" = ZeroPadding2D((0,1),(0,1)) + valid
  };
  std::map<std::string, Unit> units_;
};
TORCH_MODULE(KerasMobileNetV2);

}  // namespace neardup::nn

#endif  // NEARDUP_SRC_NN_KERAS_MOBILENET_H_
