// The plugin's only exported symbol (see plugin_api.h).
#include "plugin/nn_plugin_api.h"

namespace neardup {

// Used until the trainer (src/nn/trainer.cc) provides the real one: a weak definition, so the
// plugin links either way.
__attribute__((weak)) StatusOr<TrainSummary> TrainModelImpl(const TrainOptions&) {
  return UnimplementedError("this build's nn plugin has no trainer");
}

}  // namespace neardup

extern "C" const neardup::NnPluginApi* neardup_nn_plugin_v1() {
  static const neardup::NnPluginApi api = [] {
    neardup::NnPluginApi a;
    a.make_method = &neardup::MakeNnMethodImpl;
    a.train = &neardup::TrainModelImpl;
    a.align_with_stn = &neardup::AlignWithStnImpl;
    a.import_pretrained = &neardup::ImportPretrainedImpl;
    a.whiten = &neardup::WhitenModelImpl;
    a.calibrate = &neardup::CalibrateModelImpl;
    return a;
  }();
  return &api;
}
