// nn.h's entry points in the main library: they open the LibTorch plugin (libneardup_nn.so) on
// first use and forward to it, so a process that never uses a learned method never loads
// LibTorch (~0.34 s of start-up, measured).
#include <filesystem>
#include <mutex>

#include "core/plugin_path.h"
#include "neardup/nn.h"
#include "plugin/nn_plugin_api.h"

namespace neardup {
namespace {

constexpr const char* kPluginFile = "libneardup_nn.so";
constexpr const char* kEntrySymbol = "neardup_nn_plugin_v1";

struct Plugin {
  const NnPluginApi* api = nullptr;
  std::string error;  // why loading failed, when it did
};

const Plugin& LoadPlugin() {
  static Plugin plugin;
  static std::once_flag once;
  std::call_once(once, [] {
    std::string tried;
    plugin.api = OpenPlugin<NnPluginApi>(NnPluginCandidates(), kEntrySymbol, kNnPluginAbiVersion,
                                         RTLD_NOW | RTLD_LOCAL, &tried);
    if (plugin.api != nullptr) return;  // stays loaded for the life of the process
    plugin.error = std::string("learned methods need the LibTorch plugin ") + kPluginFile +
                   ", which this build may lack (LibTorch not found at configure time); "
                   "looked in:" +
                   tried;
  });
  return plugin;
}

}  // namespace

std::vector<std::string> NnPluginCandidates() {
#ifdef NEARDUP_NN_PLUGIN_BUILD_PATH
  return PluginCandidates(kPluginFile, "NEARDUP_NN_PLUGIN", NEARDUP_NN_PLUGIN_BUILD_PATH);
#else
  return PluginCandidates(kPluginFile, "NEARDUP_NN_PLUGIN", nullptr);
#endif
}

bool NnPluginInstalled() {
  std::error_code ec;
  for (const std::string& path : NnPluginCandidates()) {
    if (std::filesystem::is_regular_file(path, ec)) return true;
  }
  return false;
}

bool IsNnMethod(std::string_view spec) {
  for (std::string_view p : {"stn-cnn:", "cnn:", "torchscript:"}) {
    if (spec.substr(0, p.size()) == p) return true;
  }
  return false;
}

std::vector<std::string> NnMethodExamples() {
  return {"stn-cnn:mobile",          "stn-cnn:resnet18", "stn-cnn:resnet50",     "stn-cnn:vgg16",
          "stn-cnn:efficientnet_b0", "cnn:<backbone>",   "torchscript:<file.pt>"};
}

StatusOr<std::unique_ptr<Method>> MakeNnMethod(std::string_view spec,
                                               const NnMethodOptions& options) {
  if (!IsNnMethod(spec)) {
    return NotFoundError("'" + std::string(spec) + "' is not a learned method");
  }
  const Plugin& p = LoadPlugin();
  if (p.api == nullptr) return UnimplementedError(std::string(spec) + ": " + p.error);
  return p.api->make_method(spec, options);
}

StatusOr<TrainSummary> TrainModel(const TrainOptions& options) {
  const Plugin& p = LoadPlugin();
  if (p.api == nullptr) return UnimplementedError("training: " + p.error);
  return p.api->train(options);
}

StatusOr<ImportSummary> ImportPretrained(const ImportOptions& options) {
  const Plugin& p = LoadPlugin();
  if (p.api == nullptr) return UnimplementedError("importing weights: " + p.error);
  return p.api->import_pretrained(options);
}

StatusOr<WhitenSummary> WhitenModel(const WhitenOptions& options) {
  const Plugin& p = LoadPlugin();
  if (p.api == nullptr) return UnimplementedError("whitening: " + p.error);
  return p.api->whiten(options);
}

StatusOr<CalibrateSummary> CalibrateModel(const CalibrateOptions& options) {
  const Plugin& p = LoadPlugin();
  if (p.api == nullptr) return UnimplementedError("calibrating: " + p.error);
  return p.api->calibrate(options);
}

StatusOr<std::vector<Image>> AlignWithStn(std::string_view spec, const NnMethodOptions& options,
                                          const std::vector<const Image*>& images) {
  const Plugin& p = LoadPlugin();
  if (p.api == nullptr) return UnimplementedError(std::string(spec) + ": " + p.error);
  return p.api->align_with_stn(spec, options, images);
}

}  // namespace neardup
