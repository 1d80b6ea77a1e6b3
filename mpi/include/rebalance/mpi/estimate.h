// Distributed PPML / OLS-HDFE over MPI (`mpirun -n K rebalance estimate
// --distributed`): rank r reads part r of the input (ReadCsvShare), and
// econ::Estimate runs on every rank with an econ::Reducer that combines
// sums with MPI_Allreduce and exchanges identifier sets with MPI_Allgatherv,
// counting what it sends per estimation phase.
#ifndef REBALANCE_MPI_ESTIMATE_H_
#define REBALANCE_MPI_ESTIMATE_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "rebalance/core/status.h"
#include "rebalance/data/csv.h"
#include "rebalance/data/table.h"
#include "rebalance/econ/ppml.h"
#include "rebalance/econ/reducer.h"

namespace rebalance::mpi {

// Communication done by one process.
struct CommStats {
  int64_t allreduce_calls = 0;
  int64_t allgather_calls = 0;
  // Payload bytes: for an allreduce the array this process contributes, for
  // an allgather the bytes it receives (every process's buffer).
  int64_t bytes = 0;
  double seconds = 0;  // wall time inside MPI calls (includes waiting)
};

// One estimation phase as marked by econ::Reducer::Phase: its communication
// and its wall time on this process.
struct PhaseStats {
  std::string name;
  CommStats comm;
  double wall_seconds = 0;
};

// MPI_Allreduce / MPI_Allgatherv over MPI_COMM_WORLD. MPI must be
// initialised.
class MpiReducer : public econ::Reducer {
 public:
  MpiReducer();
  void SumDoubles(double* v, int64_t n) override;
  void SumInt64s(int64_t* v, int64_t n) override;
  void MaxDoubles(double* v, int64_t n) override;
  void MinInt64s(int64_t* v, int64_t n) override;
  void AllGatherBytes(std::string_view mine, std::vector<std::string>& all) override;
  void Phase(const char* name) override;
  bool distributed() const override;
  const CommStats& stats() const { return stats_; }
  // The phases closed so far (a phase closes when the next one starts).
  const std::vector<PhaseStats>& phases() const { return phases_; }

 private:
  CommStats stats_;
  std::vector<PhaseStats> phases_;
  std::string open_phase_;
  CommStats open_comm_;
  double open_time_ = 0;
};

// This rank's part of a CSV file (data::CsvOptions part = rank, parts =
// ranks): the table, the index in the whole file of its first data row, and
// the number of data rows over all ranks. Column types are agreed over the
// ranks (an integer column promoted to f64 in any part is f64 everywhere,
// as in a whole read); an error on any rank is returned on every rank.
struct CsvShare {
  data::Table table;
  int64_t first_row = 0;
  int64_t total_rows = 0;
};
Result<CsvShare> ReadCsvShare(const std::string& path, data::CsvOptions options, CommStats* stats);

// Runs econ::Estimate on every rank of MPI_COMM_WORLD, each holding its own
// rows (`first_row`: see econ::Distribution); every rank returns the same
// coefficients. `stats` and `phases` (optional) receive this rank's
// communication counts, in total and per estimation phase.
Result<econ::EstimateResult> EstimateDistributed(const data::Table& table,
                                                 const econ::EstimateOptions& options,
                                                 int64_t first_row, CommStats* stats,
                                                 std::vector<PhaseStats>* phases = nullptr);

// The first failing rank's status on every rank (econ::AgreeOnStatus over
// MPI_COMM_WORLD), for checks made on one rank only.
Status AgreeAcrossRanks(const Status& local);

// Moves every rank's sample_rows and fitted values to rank 0, in rank order
// (which is row order when the ranks hold consecutive parts of the input);
// other ranks keep theirs.
Status GatherFitted(econ::EstimateResult& result);

}  // namespace rebalance::mpi

#endif  // REBALANCE_MPI_ESTIMATE_H_
