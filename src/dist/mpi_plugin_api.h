// The C ABI between the library and libneardup_mpi.so, the plugin that links OpenMPI. The
// library opens it with dlopen only in a process started by mpirun (src/dist/cluster.cc), so
// ordinary runs never load MPI. Private to the library.
#ifndef NEARDUP_SRC_DIST_MPI_PLUGIN_API_H_
#define NEARDUP_SRC_DIST_MPI_PLUGIN_API_H_

#include <cstdint>

namespace neardup {

inline constexpr int kMpiPluginAbiVersion = 1;

struct MpiPluginApi {
  int abi_version;  // kMpiPluginAbiVersion
  // MPI_Init; fills this process's rank and the number of processes. 0 on success.
  int (*init)(int* rank, int* size);
  // Every rank passes its `bytes` bytes; every rank receives all ranks' buffers one after the
  // other in rank order in *out (allocated by the plugin, released with release) and their sizes
  // in counts[0..size). Any size (sent in pieces of at most 1 GiB). 0 on success.
  int (*all_gather)(const char* data, int64_t bytes, char** out, int64_t* counts);
  void (*release)(char* buffer);
  // MPI_Finalize. 0 on success.
  int (*finalize)();
};

}  // namespace neardup

// The plugin's one exported symbol.
extern "C" const neardup::MpiPluginApi* neardup_mpi_plugin_v1();

#endif  // NEARDUP_SRC_DIST_MPI_PLUGIN_API_H_
