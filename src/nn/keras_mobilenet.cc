#include "nn/keras_mobilenet.h"

#include <algorithm>
#include <cassert>

namespace neardup::nn {
namespace {

namespace F = torch::nn::functional;

constexpr double kBnEpsilon = 1e-3;  // Keras's BatchNormalization default, used by MobileNetV2

// Blocks 1-16 of MobileNetV2: (expansion, output channels, repeats, first stride).
struct Stage {
  int64_t expand, out, repeats, stride;
};
constexpr Stage kStages[] = {{6, 24, 2, 2},  {6, 32, 3, 2},  {6, 64, 4, 2},
                             {6, 96, 3, 1},  {6, 160, 3, 2}, {6, 320, 1, 1}};

std::string BlockName(int i) { return "block_" + std::to_string(i); }

std::string ShapeText(const std::vector<int64_t>& s) {
  std::string out = "[";
  for (size_t i = 0; i < s.size(); ++i) out += (i ? "," : "") + std::to_string(s[i]);
  return out + "]";
}

// keras[name], checked to have `shape`.
StatusOr<const TfjsTensor*> Find(const TfjsModel& keras, const std::string& name,
                                 const std::vector<int64_t>& shape) {
  auto it = keras.weights.find(name);
  if (it == keras.weights.end()) return CorruptionError("no tensor '" + name + "'");
  if (it->second.shape != shape) {
    return CorruptionError("tensor '" + name + "' is " + ShapeText(it->second.shape) +
                           ", expected " + ShapeText(shape));
  }
  return &it->second;
}

torch::Tensor AsTensor(const TfjsTensor& t) {
  return torch::from_blob(const_cast<float*>(t.values.data()), t.shape, torch::kFloat32).clone();
}

}  // namespace

const std::vector<std::string>& KerasMobileNetV2Cuts() {
  static const std::vector<std::string> cuts = [] {
    std::vector<std::string> c = {"Conv1_relu", "expanded_conv_depthwise_relu",
                                  "expanded_conv_project_BN"};
    for (int i = 1; i <= 16; ++i) {
      for (const char* part : {"_expand_relu", "_depthwise_relu", "_out"}) {
        c.push_back(BlockName(i) + part);
      }
    }
    c.push_back("out_relu");
    return c;
  }();
  return cuts;
}

void KerasMobileNetV2Impl::AddConv(const std::string& name, const std::string& bn, int64_t in,
                                   int64_t out, int64_t kernel, int64_t stride, bool depthwise) {
  Unit u;
  u.depthwise = depthwise;
  u.pad_bottom_right = stride == 2;
  // Stride 1 "same" with an odd kernel is symmetric; stride 2 pads in forward().
  const int64_t pad = stride == 1 ? kernel / 2 : 0;
  u.conv = register_module(name, torch::nn::Conv2d(torch::nn::Conv2dOptions(in, out, kernel)
                                                       .stride(stride)
                                                       .padding(pad)
                                                       .groups(depthwise ? in : 1)
                                                       .bias(false)));
  u.bn = register_module(bn, torch::nn::BatchNorm2d(
                                 torch::nn::BatchNormOptions(out).eps(kBnEpsilon)));
  u.bn_name = bn;
  units_.emplace(name, std::move(u));
}

KerasMobileNetV2Impl::KerasMobileNetV2Impl(const std::string& cut) : cut_(cut) {
  const auto& cuts = KerasMobileNetV2Cuts();
  const auto at = std::find(cuts.begin(), cuts.end(), cut);
  assert(at != cuts.end());
  const size_t last = size_t(at - cuts.begin());
  auto needed = [&](const std::string& layer) {
    const auto it = std::find(cuts.begin(), cuts.end(), layer);
    return size_t(it - cuts.begin()) <= last;
  };
  AddConv("Conv1", "bn_Conv1", 3, 32, 3, 2, false);
  channels_ = 32;
  if (needed("expanded_conv_depthwise_relu")) {
    AddConv("expanded_conv_depthwise", "expanded_conv_depthwise_BN", 32, 32, 3, 1, true);
  }
  if (needed("expanded_conv_project_BN")) {
    AddConv("expanded_conv_project", "expanded_conv_project_BN", 32, 16, 1, 1, false);
    channels_ = 16;
  }
  int64_t in = 16;
  int index = 1;
  for (const Stage& s : kStages) {
    for (int64_t r = 0; r < s.repeats; ++r, ++index) {
      const std::string b = BlockName(index);
      if (!needed(b + "_expand_relu")) break;
      const Block block{index, in, s.out, s.expand, r == 0 ? s.stride : 1};
      const int64_t wide = in * s.expand;
      AddConv(b + "_expand", b + "_expand_BN", in, wide, 1, 1, false);
      channels_ = wide;
      if (needed(b + "_depthwise_relu")) {
        AddConv(b + "_depthwise", b + "_depthwise_BN", wide, wide, 3, block.stride, true);
      }
      if (needed(b + "_out")) {
        AddConv(b + "_project", b + "_project_BN", wide, s.out, 1, 1, false);
        channels_ = s.out;
      }
      blocks_.push_back(block);
      in = s.out;
    }
  }
  if (needed("out_relu")) {
    AddConv("Conv_1", "Conv_1_bn", 320, 1280, 1, 1, false);
    channels_ = 1280;
  }
}

torch::Tensor KerasMobileNetV2Impl::Conv(const std::string& name, torch::Tensor x, bool relu6) {
  Unit& u = units_.at(name);
  if (u.pad_bottom_right) x = F::pad(x, F::PadFuncOptions({0, 1, 0, 1}));
  x = u.bn->forward(u.conv->forward(x));
  return relu6 ? x.clamp(0, 6) : x;
}

torch::Tensor KerasMobileNetV2Impl::forward(torch::Tensor x) {
  x = Conv("Conv1", x, true);
  if (Reached("Conv1_relu")) return x;
  x = Conv("expanded_conv_depthwise", x, true);
  if (Reached("expanded_conv_depthwise_relu")) return x;
  x = Conv("expanded_conv_project", x, false);
  if (Reached("expanded_conv_project_BN")) return x;
  for (const Block& block : blocks_) {
    const std::string b = BlockName(block.index);
    const torch::Tensor input = x;
    x = Conv(b + "_expand", x, true);
    if (Reached(b + "_expand_relu")) return x;
    x = Conv(b + "_depthwise", x, true);
    if (Reached(b + "_depthwise_relu")) return x;
    x = Conv(b + "_project", x, false);
    if (block.stride == 1 && block.in == block.out) x = x + input;
    if (Reached(b + "_out")) return x;
  }
  return Conv("Conv_1", x, true);
}

Status KerasMobileNetV2Impl::LoadWeights(const TfjsModel& keras) {
  torch::NoGradGuard no_grad;
  for (auto& [name, u] : units_) {
    const int64_t out = u.conv->options.out_channels(), in = u.conv->options.in_channels();
    const int64_t k = u.conv->options.kernel_size()->at(0);
    if (u.depthwise) {
      ASSIGN_OR_RETURN(const TfjsTensor* w, Find(keras, name + "/depthwise_kernel", {k, k, in, 1}));
      u.conv->weight.copy_(AsTensor(*w).permute({2, 3, 0, 1}));  // H W C 1 -> C 1 H W
    } else {
      ASSIGN_OR_RETURN(const TfjsTensor* w, Find(keras, name + "/kernel", {k, k, in, out}));
      u.conv->weight.copy_(AsTensor(*w).permute({3, 2, 0, 1}));  // H W I O -> O I H W
    }
    const std::string& bn = u.bn_name;
    ASSIGN_OR_RETURN(const TfjsTensor* gamma, Find(keras, bn + "/gamma", {out}));
    ASSIGN_OR_RETURN(const TfjsTensor* beta, Find(keras, bn + "/beta", {out}));
    ASSIGN_OR_RETURN(const TfjsTensor* mean, Find(keras, bn + "/moving_mean", {out}));
    ASSIGN_OR_RETURN(const TfjsTensor* var, Find(keras, bn + "/moving_variance", {out}));
    u.bn->weight.copy_(AsTensor(*gamma));
    u.bn->bias.copy_(AsTensor(*beta));
    u.bn->running_mean.copy_(AsTensor(*mean));
    u.bn->running_var.copy_(AsTensor(*var));
  }
  return Status::Ok();
}

}  // namespace neardup::nn
