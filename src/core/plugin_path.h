// Where the library looks for a plugin (a shared object opened with dlopen): $ENV_VAR alone when
// set; else beside the executable, ../lib/neardup/ from it, and the build folder.
#ifndef NEARDUP_SRC_CORE_PLUGIN_PATH_H_
#define NEARDUP_SRC_CORE_PLUGIN_PATH_H_

#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

namespace neardup {

inline std::vector<std::string> PluginCandidates(const char* file, const char* env_var,
                                                 const char* build_path) {
  std::vector<std::string> out;
  if (const char* env = std::getenv(env_var); env != nullptr && *env) {
    out.push_back(env);  // an explicit choice: nothing else is tried
    return out;
  }
  std::error_code ec;
  std::filesystem::path exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    out.push_back((exe.parent_path() / file).string());
    out.push_back((exe.parent_path() / ".." / "lib" / "neardup" / file).lexically_normal().string());
  }
  if (build_path != nullptr && *build_path) out.push_back(build_path);
  return out;
}

}  // namespace neardup

#endif  // NEARDUP_SRC_CORE_PLUGIN_PATH_H_
