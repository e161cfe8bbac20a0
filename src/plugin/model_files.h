// Where the weights of "stn-cnn:"/"cnn:" methods are looked for (nn.h). In the main library, so
// listing the installed models needs no LibTorch; the plugin calls FindModelFile too.
#ifndef NEARDUP_SRC_PLUGIN_MODEL_FILES_H_
#define NEARDUP_SRC_PLUGIN_MODEL_FILES_H_

#include <string>
#include <string_view>

#include "neardup/nn.h"
#include "neardup/status.h"

namespace neardup {

// "stn-cnn:mobile" -> "stn-cnn-mobile.pt".
std::string ModelFileName(std::string_view spec);

// options.model_path when set (NotFound if it is not a file), else the first ModelSearchDirs()
// folder holding ModelFileName(spec); NotFound naming every place tried and how to make a model.
StatusOr<std::string> FindModelFile(std::string_view spec, const NnMethodOptions& options);

}  // namespace neardup

#endif  // NEARDUP_SRC_PLUGIN_MODEL_FILES_H_
