#include "plugin/model_files.h"

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <set>

namespace neardup {
namespace {

namespace fs = std::filesystem;

std::string ExeDir() {
  std::error_code ec;
  fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  return ec ? std::string() : exe.parent_path().string();
}

}  // namespace

std::vector<std::string> ModelSearchDirs() {
  std::vector<std::string> out;
  if (const char* dir = std::getenv("NEARDUP_MODEL_DIR"); dir != nullptr && *dir) {
    out.push_back(dir);
  }
  if (std::string exe = ExeDir(); !exe.empty()) {
    out.push_back((fs::path(exe) / "models").string());
    out.push_back((fs::path(exe) / ".." / "models").lexically_normal().string());
    out.push_back(
        (fs::path(exe) / ".." / "share" / "neardup" / "models").lexically_normal().string());
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
