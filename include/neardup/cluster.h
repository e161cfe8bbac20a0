// Runs across several processes: `mpirun -np P neardup find ...` / `... index dups ...` split the
// decoding, the descriptors and the self-join over P processes (on one machine or many) and give
// the same output as one process. Nothing is needed beyond mpirun: the library notices it was
// started by mpirun (OpenMPI's OMPI_COMM_WORLD_SIZE, or PMIx's PMIX_RANK with
// OMPI_COMM_WORLD_SIZE unset) and joins the others through the plugin libneardup_mpi.so, which
// only such processes load. Every process computes the same result; by convention only rank 0
// prints it.
#ifndef NEARDUP_CLUSTER_H_
#define NEARDUP_CLUSTER_H_

#include "neardup/status.h"

namespace neardup {

struct ClusterInfo {
  int rank = 0;  // this process, in [0, size)
  int size = 1;  // processes of the run; 1 when not started by mpirun
};

// This process's place in the run (MPI_Init on first call, MPI_Finalize at exit).
// Unimplemented when started by mpirun with several processes but this build has no MPI plugin.
StatusOr<ClusterInfo> JoinCluster();

}  // namespace neardup

#endif  // NEARDUP_CLUSTER_H_
