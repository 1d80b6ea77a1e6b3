// Distributed PPML / OLS-HDFE over MPI (`mpirun -n K rebalance estimate
// --distributed`): an econ::Reducer that sums with MPI_Allreduce and counts
// what it sends, and the entry point that runs econ::Estimate with it.
#ifndef REBALANCE_MPI_ESTIMATE_H_
#define REBALANCE_MPI_ESTIMATE_H_

#include <cstdint>

#include "rebalance/core/status.h"
#include "rebalance/data/table.h"
#include "rebalance/econ/ppml.h"
#include "rebalance/econ/reducer.h"

namespace rebalance::mpi {

// Communication done by one process during a distributed estimation.
struct CommStats {
  int64_t allreduce_calls = 0;
  int64_t bytes = 0;  // payload bytes contributed to allreduce (per process)
  double seconds = 0;  // wall time inside MPI_Allreduce (includes waiting)
};

// MPI_Allreduce over MPI_COMM_WORLD. MPI must be initialised.
class MpiReducer : public econ::Reducer {
 public:
  void SumDoubles(double* v, int64_t n) override;
  void SumInt64s(int64_t* v, int64_t n) override;
  void MaxDoubles(double* v, int64_t n) override;
  void MinInt64s(int64_t* v, int64_t n) override;
  bool distributed() const override;
  const CommStats& stats() const { return stats_; }

 private:
  CommStats stats_;
};

// Runs econ::Estimate on every rank of MPI_COMM_WORLD (each rank holds the
// same table); every rank returns the same coefficients. `stats` (optional)
// receives this rank's communication counts.
Result<econ::EstimateResult> EstimateDistributed(const data::Table& table,
                                                 const econ::EstimateOptions& options,
                                                 CommStats* stats);

}  // namespace rebalance::mpi

#endif  // REBALANCE_MPI_ESTIMATE_H_
