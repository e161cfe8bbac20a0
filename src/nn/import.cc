// nn.h's ImportPretrained: a TensorFlow.js Keras MobileNetV2 -> a "cnn:mobilenet_v2" model file.
#include <filesystem>

#include "nn/keras_mobilenet.h"
#include "nn/model.h"
#include "nn/tfjs_weights.h"
#include "plugin/nn_plugin_api.h"

namespace neardup {

StatusOr<ImportSummary> ImportPretrainedImpl(const ImportOptions& o) {
  if (!std::filesystem::is_directory(o.from)) {
    return NotFoundError(o.from + ": not a folder (scripts/fetch_pretrained.sh writes them)");
  }
  nn::ModelConfig c;
  c.backbone = "mobilenet_v2";
  c.cut = o.cut.empty() ? nn::kDefaultMobileNetV2Cut : o.cut;
  c.stn = false;
  c.gem = true;
  c.input_size = o.input_size;
  c.train_size = std::min(o.input_size, 224);
  for (int i = 0; i < 3; ++i) {  // RGB / 255, as the package feeds its model
    c.mean[i] = 0;
    c.std[i] = 1;
  }
  c.dim = 1;
  RETURN_IF_ERROR(nn::ValidateConfig(c));
  try {
    c.dim = int(nn::KerasMobileNetV2(c.cut)->channels());
    ASSIGN_OR_RETURN(nn::TfjsModel keras, nn::ReadTfjsModel(o.from));
    ASSIGN_OR_RETURN(nn::NearDupNet model, nn::MakeModel(c));
    auto* net = model->backbone()[0]->as<nn::KerasMobileNetV2Impl>();
    Status loaded = net->LoadWeights(keras);
    if (!loaded.ok()) return CorruptionError(o.from + ": " + loaded.message());
    {
      torch::NoGradGuard no_grad;
      model->projection()->weight.copy_(torch::eye(c.dim));
      model->projection()->bias.zero_();
    }
    RETURN_IF_ERROR(nn::SaveModel(model, o.out));
    ImportSummary s;
    s.cut = c.cut;
    s.dim = c.dim;
    s.tensors = int64_t(net->parameters().size() + net->buffers().size());
    return s;
  } catch (const std::exception& e) {
    return nn::TorchError(e, "importing " + o.from);
  }
}

}  // namespace neardup
