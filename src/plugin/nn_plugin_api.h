// The boundary between the main library and the LibTorch plugin (libneardup_nn.so).
//
// The plugin exports exactly one symbol, neardup_nn_plugin_v1(), returning a table of function
// pointers; src/plugin/nn_loader.cc opens the plugin with dlopen on first use and forwards
// nn.h's functions to it. Both sides are built from the same sources in one build (the plugin
// links its own copy of the static library), so C++ types cross the boundary; a plugin of another
// build is refused by kNnPluginAbiVersion. No torch header here: the main library includes it.
#ifndef NEARDUP_SRC_PLUGIN_NN_PLUGIN_API_H_
#define NEARDUP_SRC_PLUGIN_NN_PLUGIN_API_H_

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "neardup/descriptor.h"
#include "neardup/image.h"
#include "neardup/nn.h"
#include "neardup/status.h"

namespace neardup {

// Bumped whenever NnPluginApi or a type it passes changes layout.
inline constexpr int kNnPluginAbiVersion = 5;

struct NnPluginApi {
  int abi_version = kNnPluginAbiVersion;
  StatusOr<std::unique_ptr<Method>> (*make_method)(std::string_view spec,
                                                   const NnMethodOptions& options) = nullptr;
  StatusOr<TrainSummary> (*train)(const TrainOptions& options) = nullptr;
  StatusOr<std::vector<Image>> (*align_with_stn)(std::string_view spec,
                                                 const NnMethodOptions& options,
                                                 const std::vector<const Image*>& images) = nullptr;
  StatusOr<ImportSummary> (*import_pretrained)(const ImportOptions& options) = nullptr;
  StatusOr<WhitenSummary> (*whiten)(const WhitenOptions& options) = nullptr;
  StatusOr<CalibrateSummary> (*calibrate)(const CalibrateOptions& options) = nullptr;
};

// Implemented inside the plugin (src/nn/calibrate.cc): nn.h's CalibrateModel.
StatusOr<CalibrateSummary> CalibrateModelImpl(const CalibrateOptions& options);

// Implemented inside the plugin (src/nn/whiten.cc): nn.h's WhitenModel.
StatusOr<WhitenSummary> WhitenModelImpl(const WhitenOptions& options);

// Implemented inside the plugin (src/nn/import.cc): nn.h's ImportPretrained.
StatusOr<ImportSummary> ImportPretrainedImpl(const ImportOptions& options);

// Implemented inside the plugin (src/nn/trainer.cc): nn.h's TrainModel.
StatusOr<TrainSummary> TrainModelImpl(const TrainOptions& options);

// Implemented inside the plugin (src/nn/nn_method.cc): nn.h's MakeNnMethod and AlignWithStn.
StatusOr<std::unique_ptr<Method>> MakeNnMethodImpl(std::string_view spec,
                                                   const NnMethodOptions& options);
StatusOr<std::vector<Image>> AlignWithStnImpl(std::string_view spec, const NnMethodOptions& options,
                                              const std::vector<const Image*>& images);

// Where the main library looks for the plugin, in order (nn_loader.cc): $NEARDUP_NN_PLUGIN, the
// folder of /proc/self/exe, <exe dir>/../lib/neardup/, the build folder. Exposed for tests.
std::vector<std::string> NnPluginCandidates();

}  // namespace neardup

extern "C" {
// The plugin's only exported symbol.
__attribute__((visibility("default"))) const neardup::NnPluginApi* neardup_nn_plugin_v1();
}

#endif  // NEARDUP_SRC_PLUGIN_NN_PLUGIN_API_H_
