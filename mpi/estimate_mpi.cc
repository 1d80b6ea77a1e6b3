// Distributed estimation: econ::Estimate with an MPI_Allreduce reducer.
//
// Every reduction the estimator needs is an element-wise sum (or max/min) of
// a fixed-size array that does not depend on the number of observations:
// group weight sums and the conjugate-gradient products D'W D p (sum of the
// fixed-effect group counts times the number of columns demeaned together,
// 8 bytes each), X~'W X~ and X~'W z (k (k + 1) doubles), the deviance, and
// cluster score sums (clusters x k). Large arrays are sent in chunks below
// 2^31 elements. Payload bytes and time in MPI are counted per process
// (docs/cluster.md gives the per-iteration formula).
#include "rebalance/mpi/estimate.h"

#include <algorithm>
#include <chrono>
#include <climits>

#include <mpi.h>

#include "rebalance/mpi/driver.h"

namespace rebalance::mpi {
namespace {

template <typename T>
void Allreduce(T* v, int64_t n, MPI_Datatype type, MPI_Op op, CommStats& stats) {
  const auto t0 = std::chrono::steady_clock::now();
  constexpr int64_t kChunk = INT_MAX / 2;
  for (int64_t start = 0; start < n; start += kChunk) {
    const int count = static_cast<int>(std::min(kChunk, n - start));
    MPI_Allreduce(MPI_IN_PLACE, v + start, count, type, op, MPI_COMM_WORLD);
    ++stats.allreduce_calls;
  }
  stats.bytes += n * static_cast<int64_t>(sizeof(T));
  stats.seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

}  // namespace

void MpiReducer::SumDoubles(double* v, int64_t n) { Allreduce(v, n, MPI_DOUBLE, MPI_SUM, stats_); }
void MpiReducer::SumInt64s(int64_t* v, int64_t n) { Allreduce(v, n, MPI_INT64_T, MPI_SUM, stats_); }
void MpiReducer::MaxDoubles(double* v, int64_t n) { Allreduce(v, n, MPI_DOUBLE, MPI_MAX, stats_); }
void MpiReducer::MinInt64s(int64_t* v, int64_t n) { Allreduce(v, n, MPI_INT64_T, MPI_MIN, stats_); }
bool MpiReducer::distributed() const { return Size() > 1; }

Result<econ::EstimateResult> EstimateDistributed(const data::Table& table,
                                                 const econ::EstimateOptions& options,
                                                 CommStats* stats) {
  RB_RETURN_IF_ERROR(EnsureInitialized());
  MpiReducer reducer;
  econ::Distribution dist;
  dist.rank = Rank();
  dist.size = Size();
  dist.reducer = &reducer;
  auto result = econ::Estimate(table, options, dist);
  if (stats) *stats = reducer.stats();
  return result;
}

}  // namespace rebalance::mpi
