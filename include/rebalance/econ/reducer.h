// Reducer: how the estimator combines sums over observations when the
// observations are split over several processes (`rebalance estimate
// --distributed`, mpi/estimate_mpi.cc). The estimator only ever needs
// element-wise sums (and a max/min for diagnostics) of fixed-size arrays,
// so it stays independent of MPI: the default Reducer does nothing (one
// process holds every observation), and the MPI implementation calls
// MPI_Allreduce. Every rank must make the same calls in the same order.
#ifndef REBALANCE_ECON_REDUCER_H_
#define REBALANCE_ECON_REDUCER_H_

#include <cstdint>

namespace rebalance::econ {

class Reducer {
 public:
  virtual ~Reducer() = default;
  // v[0..n) <- element-wise sum of v over all processes.
  virtual void SumDoubles(double* v, int64_t n) { (void)v, (void)n; }
  virtual void SumInt64s(int64_t* v, int64_t n) { (void)v, (void)n; }
  // v[0..n) <- element-wise maximum / minimum over all processes.
  virtual void MaxDoubles(double* v, int64_t n) { (void)v, (void)n; }
  virtual void MinInt64s(int64_t* v, int64_t n) { (void)v, (void)n; }
  // True when more than one process shares the observations.
  virtual bool distributed() const { return false; }
};

// The single-process reducer (no communication).
inline Reducer& LocalReducer() {
  static Reducer r;
  return r;
}

}  // namespace rebalance::econ

#endif  // REBALANCE_ECON_REDUCER_H_
