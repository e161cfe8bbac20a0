// Finding and opening the library's plugins (shared objects opened with dlopen): the LibTorch
// methods (libneardup_nn.so) and MPI (libneardup_mpi.so).
#ifndef NEARDUP_SRC_CORE_PLUGIN_PATH_H_
#define NEARDUP_SRC_CORE_PLUGIN_PATH_H_

#include <dlfcn.h>

#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

namespace neardup {

// The folder of the object file that holds this code: the executable when the library is linked
// in statically, else libneardup.so's folder (or the Python module's). Empty when unknown.
inline std::string CodeDir() {
  Dl_info info{};
  if (dladdr(reinterpret_cast<void*>(&CodeDir), &info) == 0 || info.dli_fname == nullptr) {
    return {};
  }
  std::error_code ec;
  std::filesystem::path p = std::filesystem::canonical(info.dli_fname, ec);
  return ec ? std::string() : p.parent_path().string();
}

// The folders installed files are looked for beside, in order: the executable's (bin/ of a
// prefix), then the library's own when it is another (lib/ or lib/<multiarch>/ of a prefix, for a
// program linked with libneardup.so from anywhere).
inline std::vector<std::string> InstallAnchors() {
  std::vector<std::string> out;
  std::error_code ec;
  std::filesystem::path exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (!ec) out.push_back(exe.parent_path().string());
  if (std::string lib = CodeDir(); !lib.empty() && (out.empty() || lib != out[0])) {
    out.push_back(lib);
  }
  return out;
}

// Where to look for plugin `file`: $ENV_VAR alone when set; else beside the executable and
// ../lib/neardup/ from it; then, from libneardup.so's folder, neardup/ and ../neardup/ (the
// prefix's lib/neardup/ seen from lib/ or lib/<multiarch>/); then the build folder.
inline std::vector<std::string> PluginCandidates(const char* file, const char* env_var,
                                                 const char* build_path) {
  namespace fs = std::filesystem;
  std::vector<std::string> out;
  if (const char* env = std::getenv(env_var); env != nullptr && *env) {
    out.push_back(env);  // an explicit choice: nothing else is tried
    return out;
  }
  const std::vector<std::string> anchors = InstallAnchors();
  for (size_t i = 0; i < anchors.size(); ++i) {
    const fs::path dir(anchors[i]);
    if (i == 0) {  // the executable's folder
      out.push_back((dir / file).string());
      out.push_back((dir / ".." / "lib" / "neardup" / file).lexically_normal().string());
    } else {
      out.push_back((dir / "neardup" / file).string());
      out.push_back((dir / ".." / "neardup" / file).lexically_normal().string());
    }
  }
  if (build_path != nullptr && *build_path) out.push_back(build_path);
  return out;
}

// Opens the first candidate that exists, loads and exports `entry_symbol` (a function returning
// const Api*) whose abi_version is `abi_version`; the library stays loaded for the life of the
// process. Null when none does, with each candidate and why it failed appended to *tried.
template <typename Api>
const Api* OpenPlugin(const std::vector<std::string>& candidates, const char* entry_symbol,
                      int abi_version, int dlopen_flags, std::string* tried) {
  for (const std::string& path : candidates) {
    std::error_code ec;
    if (!std::filesystem::is_regular_file(path, ec)) {
      *tried += "\n  " + path + " (no such file)";
      continue;
    }
    void* lib = dlopen(path.c_str(), dlopen_flags);
    if (lib == nullptr) {
      *tried += "\n  " + path + " (" + dlerror() + ")";
      continue;
    }
    using EntryFn = const Api* (*)();
    auto entry = reinterpret_cast<EntryFn>(dlsym(lib, entry_symbol));
    const Api* api = entry ? entry() : nullptr;
    if (api == nullptr || api->abi_version != abi_version) {
      *tried += "\n  " + path + " (not a plugin of this build)";
      dlclose(lib);
      continue;
    }
    return api;
  }
  return nullptr;
}

}  // namespace neardup

#endif  // NEARDUP_SRC_CORE_PLUGIN_PATH_H_
