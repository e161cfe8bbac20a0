#include "nn/backbones.h"

#include <algorithm>
#include <cassert>
#include <string_view>
#include <vector>

#include "nn/keras_mobilenet.h"
#include "nn/model.h"

namespace neardup::nn {
namespace {

namespace F = torch::nn::functional;
using torch::nn::BatchNorm2d;
using torch::nn::Conv2d;
using torch::nn::Conv2dOptions;

constexpr const char* kBackbones[] = {"resnet18",        "resnet50", "vgg16",
                                     "efficientnet_b0", "mobile",   "mobilenet_v2"};

Conv2d Conv(int64_t in, int64_t out, int64_t k, int64_t stride = 1, int64_t groups = 1,
            bool bias = false) {
  return Conv2d(Conv2dOptions(in, out, k).stride(stride).padding(k / 2).groups(groups).bias(bias));
}

// ---- ResNet (He et al. 2016; torchvision's layout: stride on the 3x3 conv, "v1.5") ----------

struct BasicBlockImpl : torch::nn::Module {
  static constexpr int kExpansion = 1;
  Sequential body{nullptr}, shortcut{nullptr};
  BasicBlockImpl(int64_t in, int64_t planes, int64_t stride) {
    body = register_module("body", Sequential(ConvBnAct(in, planes, 3, stride, Act::kRelu),
                                              ConvBnAct(planes, planes, 3, 1, Act::kNone)));
    if (stride != 1 || in != planes) {
      shortcut = register_module("shortcut", ConvBnAct(in, planes, 1, stride, Act::kNone));
    }
  }
  torch::Tensor forward(torch::Tensor x) {
    torch::Tensor id = shortcut ? shortcut->forward(x) : x;
    return torch::relu(body->forward(x) + id);
  }
};
TORCH_MODULE(BasicBlock);

struct BottleneckImpl : torch::nn::Module {
  static constexpr int kExpansion = 4;
  Sequential body{nullptr}, shortcut{nullptr};
  BottleneckImpl(int64_t in, int64_t planes, int64_t stride) {
    const int64_t out = planes * kExpansion;
    body = register_module("body", Sequential(ConvBnAct(in, planes, 1, 1, Act::kRelu),
                                              ConvBnAct(planes, planes, 3, stride, Act::kRelu),
                                              ConvBnAct(planes, out, 1, 1, Act::kNone)));
    if (stride != 1 || in != out) {
      shortcut = register_module("shortcut", ConvBnAct(in, out, 1, stride, Act::kNone));
    }
  }
  torch::Tensor forward(torch::Tensor x) {
    torch::Tensor id = shortcut ? shortcut->forward(x) : x;
    return torch::relu(body->forward(x) + id);
  }
};
TORCH_MODULE(Bottleneck);

template <typename Block>
Sequential ResNet(const std::vector<int>& layers, int64_t* channels) {
  Sequential net(ConvBnAct(3, 64, 7, 2, Act::kRelu),
                 torch::nn::MaxPool2d(torch::nn::MaxPool2dOptions(3).stride(2).padding(1)));
  int64_t in = 64;
  for (size_t stage = 0; stage < layers.size(); ++stage) {
    const int64_t planes = 64 << stage;
    Sequential s;
    for (int i = 0; i < layers[stage]; ++i) {
      s->push_back(Block(in, planes, (i == 0 && stage > 0) ? 2 : 1));
      in = planes * Block::Impl::kExpansion;
    }
    net->push_back(s);
  }
  *channels = in;
  return net;
}

// ---- VGG16 (Simonyan & Zisserman 2015, configuration D, convolutional part) -----------------

Sequential Vgg16(int64_t* channels) {
  const int cfg[] = {64, 64, 0, 128, 128, 0, 256, 256, 256, 0, 512, 512, 512, 0, 512, 512, 512, 0};
  Sequential net;
  int64_t in = 3;
  for (int c : cfg) {
    if (c == 0) {
      net->push_back(torch::nn::MaxPool2d(torch::nn::MaxPool2dOptions(2).stride(2)));
    } else {
      net->push_back(Conv(in, c, 3, 1, 1, /*bias=*/true));
      net->push_back(torch::nn::ReLU(torch::nn::ReLUOptions(true)));
      in = c;
    }
  }
  *channels = in;
  return net;
}

// ---- Inverted residuals: MobileNetV2 blocks and EfficientNet's MBConv ------------------------

struct SqueezeExciteImpl : torch::nn::Module {
  Conv2d reduce{nullptr}, expand{nullptr};
  SqueezeExciteImpl(int64_t channels, int64_t squeezed) {
    reduce = register_module("reduce", Conv(channels, squeezed, 1, 1, 1, true));
    expand = register_module("expand", Conv(squeezed, channels, 1, 1, 1, true));
  }
  torch::Tensor forward(torch::Tensor x) {
    torch::Tensor s = F::adaptive_avg_pool2d(x, F::AdaptiveAvgPool2dFuncOptions(1));
    s = torch::sigmoid(expand->forward(torch::silu(reduce->forward(s))));
    return x * s;
  }
};
TORCH_MODULE(SqueezeExcite);

// expand 1x1 (when expand_ratio > 1) -> depthwise kxk -> [SE] -> project 1x1 (linear), with a
// residual connection when the shape is kept. Stochastic depth (EfficientNet) is left out.
struct InvertedResidualImpl : torch::nn::Module {
  Sequential body{nullptr};
  bool residual;
  InvertedResidualImpl(int64_t in, int64_t out, int64_t k, int64_t stride, int64_t expand_ratio,
                       bool se, Act act)
      : residual(stride == 1 && in == out) {
    const int64_t hidden = in * expand_ratio;
    Sequential s;
    if (expand_ratio != 1) s->push_back(ConvBnAct(in, hidden, 1, 1, act));
    s->push_back(ConvBnAct(hidden, hidden, k, stride, act, hidden));
    if (se) s->push_back(SqueezeExcite(hidden, std::max<int64_t>(1, in / 4)));
    s->push_back(ConvBnAct(hidden, out, 1, 1, Act::kNone));
    body = register_module("body", s);
  }
  torch::Tensor forward(torch::Tensor x) {
    torch::Tensor y = body->forward(x);
    return residual ? x + y : y;
  }
};
TORCH_MODULE(InvertedResidual);

// EfficientNet-B0 (Tan & Le 2019): stages of (expand, kernel, stride, out channels, repeats).
Sequential EfficientNetB0(int64_t* channels) {
  struct Stage {
    int expand, k, stride, out, repeats;
  };
  const Stage stages[] = {{1, 3, 1, 16, 1},  {6, 3, 2, 24, 2},  {6, 5, 2, 40, 2}, {6, 3, 2, 80, 3},
                          {6, 5, 1, 112, 3}, {6, 5, 2, 192, 4}, {6, 3, 1, 320, 1}};
  Sequential net(ConvBnAct(3, 32, 3, 2, Act::kSilu));
  int64_t in = 32;
  for (const Stage& st : stages) {
    for (int i = 0; i < st.repeats; ++i) {
      net->push_back(
          InvertedResidual(in, st.out, st.k, i == 0 ? st.stride : 1, st.expand, true, Act::kSilu));
      in = st.out;
    }
  }
  net->push_back(ConvBnAct(in, 1280, 1, 1, Act::kSilu));
  *channels = 1280;
  return net;
}

// "mobile": MobileNetV2 (Sandler et al. 2018) at width 0.5 with a 512-channel head instead of
// 1280, about 0.9M parameters (~100 MFLOPs at 224 px): fast on CPU cores at 160-224 px (see
// bench/nn_bench.cc). Stages of (expand, stride, out, repeats).
Sequential Mobile(int64_t* channels) {
  struct Stage {
    int expand, stride, out, repeats;
  };
  const Stage stages[] = {{1, 1, 8, 1},  {6, 2, 16, 2}, {6, 2, 16, 3}, {6, 2, 32, 4},
                          {6, 1, 48, 3}, {6, 2, 80, 3}, {6, 1, 160, 1}};
  Sequential net(ConvBnAct(3, 16, 3, 2, Act::kRelu6));
  int64_t in = 16;
  for (const Stage& st : stages) {
    for (int i = 0; i < st.repeats; ++i) {
      net->push_back(
          InvertedResidual(in, st.out, 3, i == 0 ? st.stride : 1, st.expand, false, Act::kRelu6));
      in = st.out;
    }
  }
  net->push_back(ConvBnAct(in, 512, 1, 1, Act::kRelu6));
  *channels = 512;
  return net;
}

}  // namespace

Sequential ConvBnAct(int64_t in, int64_t out, int64_t k, int64_t stride, Act act, int64_t groups) {
  Sequential s(Conv(in, out, k, stride, groups), BatchNorm2d(out));
  if (act == Act::kRelu) s->push_back(torch::nn::ReLU(torch::nn::ReLUOptions(true)));
  if (act == Act::kRelu6) s->push_back(torch::nn::ReLU6(torch::nn::ReLU6Options(true)));
  if (act == Act::kSilu) s->push_back(torch::nn::SiLU());
  return s;
}

std::vector<std::string> BackboneNames() { return {std::begin(kBackbones), std::end(kBackbones)}; }

bool IsKnownBackbone(std::string_view name) {
  return std::find(std::begin(kBackbones), std::end(kBackbones), name) != std::end(kBackbones);
}

torch::nn::Sequential MakeBackbone(const std::string& name, const std::string& cut,
                                   int64_t* channels) {
  Sequential net{nullptr};
  if (name == "mobilenet_v2") {
    KerasMobileNetV2 keras(cut.empty() ? kDefaultMobileNetV2Cut : cut);
    *channels = keras->channels();
    torch::nn::Sequential net;
    net->push_back("mobilenet_v2", keras);
    return net;
  }
  if (name == "resnet18") {
    net = ResNet<BasicBlock>({2, 2, 2, 2}, channels);
  } else if (name == "resnet50") {
    net = ResNet<Bottleneck>({3, 4, 6, 3}, channels);
  } else if (name == "vgg16") {
    net = Vgg16(channels);
  } else if (name == "efficientnet_b0") {
    net = EfficientNetB0(channels);
  } else {
    assert(name == "mobile");
    net = Mobile(channels);
  }
  return torch::nn::Sequential(net.ptr());
}

void InitWeights(torch::nn::Module& module) {
  torch::NoGradGuard no_grad;
  for (auto& m : module.modules(/*include_self=*/false)) {
    if (auto* conv = m->as<torch::nn::Conv2d>()) {
      torch::nn::init::kaiming_normal_(conv->weight, 0, torch::kFanIn, torch::kReLU);
      if (conv->bias.defined()) conv->bias.zero_();
    } else if (auto* bn = m->as<torch::nn::BatchNorm2d>()) {
      bn->weight.fill_(1);
      bn->bias.zero_();
    }
  }
}

}  // namespace neardup::nn
