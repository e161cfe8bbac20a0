// JoinCluster and AllGather: the MPI plugin is opened only in a process started by mpirun.
#include <atomic>
#include <cstdlib>
#include <mutex>

#include "core/plugin_path.h"
#include "dist/distributed.h"
#include "dist/mpi_plugin_api.h"
#include "neardup/cluster.h"

namespace neardup {
namespace {

constexpr const char* kPluginFile = "libneardup_mpi.so";

// The number of processes mpirun says it started (1 when not started by mpirun).
int LaunchedSize() {
  for (const char* var : {"OMPI_COMM_WORLD_SIZE", "PMI_SIZE"}) {
    if (const char* v = std::getenv(var); v != nullptr && *v) return std::max(1, std::atoi(v));
  }
  return 1;
}

std::atomic<bool> joined{false};

struct State {
  const MpiPluginApi* api = nullptr;
  ClusterInfo info;
  Status status;
};

void Finalize();

State& Get() {
  static State state;
  static std::once_flag once;
  std::call_once(once, [] {
    if (LaunchedSize() <= 1) return;
    std::string tried;
#ifdef NEARDUP_MPI_PLUGIN_BUILD_PATH
    const char* build_path = NEARDUP_MPI_PLUGIN_BUILD_PATH;
#else
    const char* build_path = nullptr;
#endif
    // RTLD_GLOBAL: OpenMPI opens its own components with dlopen and needs libmpi's symbols.
    const MpiPluginApi* api = OpenPlugin<MpiPluginApi>(
        PluginCandidates(kPluginFile, "NEARDUP_MPI_PLUGIN", build_path), "neardup_mpi_plugin_v1",
        kMpiPluginAbiVersion, RTLD_NOW | RTLD_GLOBAL, &tried);
    if (api != nullptr) {
      if (api->init(&state.info.rank, &state.info.size) != 0) {
        state.status = IOError("MPI_Init failed");
        return;
      }
      state.api = api;
      std::atexit(Finalize);
      return;
    }
    state.status = UnimplementedError(
        "started by mpirun with " + std::to_string(LaunchedSize()) +
        " processes, but this build has no MPI plugin " + kPluginFile +
        " (libopenmpi-dev missing at configure time); looked in:" + tried);
  });
  return state;
}

void Finalize() {
  State& s = Get();
  if (s.api != nullptr) s.api->finalize();
}

}  // namespace

StatusOr<ClusterInfo> JoinCluster() {
  State& s = Get();
  if (!s.status.ok()) return s.status;
  joined = true;
  return s.info;
}

ClusterInfo CurrentCluster() { return joined ? Get().info : ClusterInfo{}; }

int LaunchedRank() {
  for (const char* var : {"OMPI_COMM_WORLD_RANK", "PMI_RANK"}) {
    if (const char* v = std::getenv(var); v != nullptr && *v) return std::max(0, std::atoi(v));
  }
  return 0;
}

namespace dist {

StatusOr<std::vector<std::string>> AllGather(std::string mine) {
  if (!joined) return std::vector<std::string>{std::move(mine)};
  State& s = Get();
  if (s.api == nullptr) return std::vector<std::string>{std::move(mine)};
  std::vector<int64_t> counts(s.info.size);
  char* buf = nullptr;
  if (s.api->all_gather(mine.data(), int64_t(mine.size()), &buf, counts.data()) != 0) {
    return IOError("MPI all-gather failed");
  }
  std::vector<std::string> out;
  int64_t at = 0;
  for (int64_t c : counts) {
    out.emplace_back(buf + at, size_t(c));
    at += c;
  }
  s.api->release(buf);
  return out;
}

}  // namespace dist
}  // namespace neardup
