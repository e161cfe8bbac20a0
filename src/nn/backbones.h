// The CNN building blocks of NearDupNet (private to the nn plugin): the backbones chosen by name
// and the conv-BN-activation unit that the STN's localization net also uses. Module names are
// part of the model file format (state-dict keys): renaming one breaks saved models.
#ifndef NEARDUP_SRC_NN_BACKBONES_H_
#define NEARDUP_SRC_NN_BACKBONES_H_

#include <torch/torch.h>

#include <cstdint>
#include <string>

namespace neardup::nn {

// nn::Sequential with a plain (non-template) forward, so Sequentials can nest.
struct SeqImpl : torch::nn::SequentialImpl {
  using SequentialImpl::SequentialImpl;
  torch::Tensor forward(torch::Tensor x) { return SequentialImpl::forward(x); }
};
TORCH_MODULE(Seq);
using Sequential = Seq;

// conv -> BN -> activation (none, ReLU, ReLU6 or SiLU), as torchvision's Conv2dNormActivation.
enum class Act { kNone, kRelu, kRelu6, kSilu };
Sequential ConvBnAct(int64_t in, int64_t out, int64_t k, int64_t stride, Act act,
                     int64_t groups = 1);

// The feature extractor `name` (one of BackboneNames() in model.h): N x 3 x S x S -> N x C x h x w,
// C written to *channels. `cut`: where "mobilenet_v2" ends (keras_mobilenet.h; empty = its
// default), empty for the others. Asserts on an unknown name or cut.
torch::nn::Sequential MakeBackbone(const std::string& name, const std::string& cut,
                                   int64_t* channels);

// Kaiming-normal convs in fan_in mode, BN weight 1 / bias 0. Not torchvision's fan_out: that
// gives a depthwise 3x3 conv of C channels a std of sqrt(2 / 9C), so activations vanish through
// MobileNet/EfficientNet stacks in eval mode while BN still has its initial statistics (all
// descriptors of a fresh model would be equal). fan_in keeps the forward variance.
void InitWeights(torch::nn::Module& module);

}  // namespace neardup::nn

#endif  // NEARDUP_SRC_NN_BACKBONES_H_
