// Runs across several processes: `mpirun -np P neardup find ...` / `... index dups ...` split the
// decoding, the descriptors and the self-join over P processes (on one machine or many) and give
// the same output as one process. Nothing is needed beyond mpirun: a process that calls
// JoinCluster and was started by mpirun (OMPI_COMM_WORLD_SIZE or PMI_SIZE > 1 in its environment)
// joins the others through the plugin libneardup_mpi.so, which only such processes load. From then
// on Find and ImageIndex::Dups split their work; every process ends with the same result, and by
// convention only rank 0 prints it.
#ifndef NEARDUP_CLUSTER_H_
#define NEARDUP_CLUSTER_H_

#include "neardup/status.h"

namespace neardup {

struct ClusterInfo {
  int rank = 0;  // this process, in [0, size)
  int size = 1;  // processes of the run; 1 when not started by mpirun
};

// Joins the run: this process's place in it (MPI_Init on first call, MPI_Finalize at exit).
// Unimplemented when started by mpirun with several processes but this build has no MPI plugin.
// Only code that every process runs may join (the CLI's distributed commands do).
StatusOr<ClusterInfo> JoinCluster();

// The run Find and ImageIndex::Dups split their work over: what JoinCluster returned, or a single
// process when nothing joined (so a library user or a command run on one rank never waits for
// others).
ClusterInfo CurrentCluster();

// This process's rank as mpirun announced it in the environment (0 when not started by mpirun),
// known without joining.
int LaunchedRank();

}  // namespace neardup

#endif  // NEARDUP_CLUSTER_H_
