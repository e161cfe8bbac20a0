#include "plugin/model_files.h"

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <set>

#include "core/plugin_path.h"

namespace neardup {

namespace fs = std::filesystem;

std::vector<std::string> ModelSearchDirs() {
  std::vector<std::string> out;
  if (const char* dir = std::getenv("NEARDUP_MODEL_DIR"); dir != nullptr && *dir) {
    out.push_back(dir);
  }
  const std::vector<std::string> anchors = InstallAnchors();
  for (size_t i = 0; i < anchors.size(); ++i) {
    const fs::path dir(anchors[i]);
    if (i == 0) {  // the executable's folder
      out.push_back((dir / "models").string());
      out.push_back((dir / ".." / "models").lexically_normal().string());
      out.push_back((dir / ".." / "share" / "neardup" / "models").lexically_normal().string());
    } else {  // libneardup.so's: lib/ or lib/<multiarch>/ of a prefix
      out.push_back((dir / ".." / "share" / "neardup" / "models").lexically_normal().string());
      out.push_back(
          (dir / ".." / ".." / "share" / "neardup" / "models").lexically_normal().string());
    }
  }
  return out;
}

std::string ModelFileName(std::string_view spec) {
  std::string name(spec);
  std::replace(name.begin(), name.end(), ':', '-');
  return name + ".pt";
}

StatusOr<std::string> FindModelFile(std::string_view spec, const NnMethodOptions& options) {
  if (!options.model_path.empty()) {
    if (fs::is_regular_file(options.model_path)) return options.model_path;
    return NotFoundError(options.model_path + ": no model file");
  }
  const std::string name = ModelFileName(spec);
  std::string list;
  for (const std::string& dir : ModelSearchDirs()) {
    const std::string p = (fs::path(dir) / name).string();
    std::error_code ec;
    if (fs::is_regular_file(p, ec)) return p;
    list += (list.empty() ? "" : ", ") + p;
  }
  return NotFoundError(
      "no model file for " + std::string(spec) + " (looked for " + list +
      "); train one with `neardup train` and put it there or in $NEARDUP_MODEL_DIR as " + name);
}

std::vector<std::string> InstalledNnMethods() {
  std::set<std::string> found;
  for (const std::string& dir : ModelSearchDirs()) {
    std::error_code ec;
    for (const fs::directory_entry& e : fs::directory_iterator(dir, ec)) {
      if (e.path().extension() != ".pt" || !e.is_regular_file(ec)) continue;
      const std::string stem = e.path().stem().string();
      for (std::string_view prefix : {"stn-cnn-", "cnn-"}) {
        if (stem.size() > prefix.size() && stem.compare(0, prefix.size(), prefix) == 0) {
          found.insert(std::string(prefix.substr(0, prefix.size() - 1)) + ":" +
                       stem.substr(prefix.size()));
          break;
        }
      }
    }
  }
  return {found.begin(), found.end()};
}

}  // namespace neardup
