// The MPI driver: runs work across ranks of an `mpirun` job.
//
// Sweeps: rank r solves draws [r D / K, (r + 1) D / K); rank 0 gathers every
// slice (MPI_Gatherv of the per-draw values, flags and failure messages) and
// summarises them in draw order, so the bands equal a single-process run with
// the same seed exactly. Only rank 0 writes outputs.
#ifndef REBALANCE_MPI_DRIVER_H_
#define REBALANCE_MPI_DRIVER_H_

#include "rebalance/core/status.h"
#include "rebalance/scenario/sweep.h"

namespace rebalance::mpi {

// True when the process was started by mpirun (Open MPI's environment).
bool LaunchedByMpirun();

// Initialises MPI once (idempotent) and finalises it at exit.
Status EnsureInitialized();
int Rank();
int Size();

// The distributed sweep. Every rank returns the same status; only rank 0's
// result holds the bands (others return the point solution and empty bands).
Result<scenario::SweepResult> RunSweepDistributed(const scenario::ScenarioFile& file,
                                                  const scenario::SweepOptions& options);

}  // namespace rebalance::mpi

#endif  // REBALANCE_MPI_DRIVER_H_
