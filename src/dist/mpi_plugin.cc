// libneardup_mpi.so: the only code that calls MPI (OpenMPI's C API).
// The C API only: mpi.h would otherwise pull in the deprecated C++ bindings.
#define OMPI_SKIP_MPICXX 1
#define MPICH_SKIP_MPICXX 1
#include <mpi.h>

#include <algorithm>
#include <cstdlib>
#include <vector>

#include "dist/mpi_plugin_api.h"

namespace neardup {
namespace {

constexpr int64_t kPiece = int64_t(1) << 30;  // MPI counts are ints: send at most 1 GiB at once

int Init(int* rank, int* size) {
  int provided = 0;
  if (MPI_Init_thread(nullptr, nullptr, MPI_THREAD_FUNNELED, &provided) != MPI_SUCCESS) return 1;
  MPI_Comm_rank(MPI_COMM_WORLD, rank);
  MPI_Comm_size(MPI_COMM_WORLD, size);
  return 0;
}

// Each rank's buffer is broadcast from it in turn: simple, any size, and the volumes here
// (descriptors and pairs) are small next to the decoding work.
int AllGather(const char* data, int64_t bytes, char** out, int64_t* counts) {
  int size = 0, rank = 0;
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  if (MPI_Allgather(&bytes, 1, MPI_INT64_T, counts, 1, MPI_INT64_T, MPI_COMM_WORLD) !=
      MPI_SUCCESS) {
    return 1;
  }
  int64_t total = 0;
  for (int r = 0; r < size; ++r) total += counts[r];
  char* buf = static_cast<char*>(std::malloc(size_t(std::max<int64_t>(total, 1))));
  if (buf == nullptr) return 1;
  int64_t at = 0;
  for (int r = 0; r < size; ++r) {
    char* dst = buf + at;
    if (r == rank && counts[r] > 0) std::copy(data, data + counts[r], dst);
    for (int64_t off = 0; off < counts[r]; off += kPiece) {
      int n = int(std::min(kPiece, counts[r] - off));
      if (MPI_Bcast(dst + off, n, MPI_BYTE, r, MPI_COMM_WORLD) != MPI_SUCCESS) {
        std::free(buf);
        return 1;
      }
    }
    at += counts[r];
  }
  *out = buf;
  return 0;
}

void Release(char* buffer) { std::free(buffer); }

int Finalize() { return MPI_Finalize() == MPI_SUCCESS ? 0 : 1; }

const MpiPluginApi kApi = {kMpiPluginAbiVersion, Init, AllGather, Release, Finalize};

}  // namespace
}  // namespace neardup

extern "C" __attribute__((visibility("default"))) const neardup::MpiPluginApi*
neardup_mpi_plugin_v1() {
  return &neardup::kApi;
}
