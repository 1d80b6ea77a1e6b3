// Reducer: how the estimator combines sums over observations when the
// observations are split over several processes (`rebalance estimate
// --distributed`, mpi/estimate_mpi.cc). The estimator needs element-wise
// sums (and max/min) of fixed-size arrays, and, once while it builds the
// fixed effects, the exchange of variable-length byte buffers (the sets of
// identifier values and string dictionaries each process holds), so it stays
// independent of MPI: the default Reducer does nothing (one process holds
// every observation), and the MPI implementation calls MPI_Allreduce and
// MPI_Allgatherv. Every process must make the same calls in the same order.
#ifndef REBALANCE_ECON_REDUCER_H_
#define REBALANCE_ECON_REDUCER_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "rebalance/core/status.h"

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
  // all[r] <- the buffer `mine` of process r, for every process r (so every
  // process receives every buffer, in process order). One process: {mine}.
  virtual void AllGatherBytes(std::string_view mine, std::vector<std::string>& all) {
    all.assign(1, std::string(mine));
  }
  // Marks the start of an estimation phase ("setup", "irls", "variance",
  // ...) so that an implementation can attribute its communication to it;
  // an empty name ends the last phase.
  virtual void Phase(const char* name) { (void)name; }
  // True when more than one process shares the observations.
  virtual bool distributed() const { return false; }
};

// The single-process reducer (no communication).
inline Reducer& LocalReducer() {
  static Reducer r;
  return r;
}

// The status of the first failing process (in process order) on every
// process, or Ok when none failed. Steps that can fail on one process's rows
// (a negative outcome, a non-integer identifier) call it before the next
// collective call, so that no process waits for one that gave up. One
// process: `local` itself, no communication.
inline Status AgreeOnStatus(const Status& local, Reducer& reducer) {
  if (!reducer.distributed()) return local;
  int64_t failed = local.ok() ? 0 : 1;
  reducer.SumInt64s(&failed, 1);
  if (failed == 0) return Status::Ok();
  std::string mine;
  if (!local.ok()) {
    mine.push_back(static_cast<char>(static_cast<int>(local.code())));
    mine += local.message();
  }
  std::vector<std::string> all;
  reducer.AllGatherBytes(mine, all);
  for (const auto& s : all) {
    if (!s.empty()) {
      return Status(static_cast<StatusCode>(static_cast<unsigned char>(s[0])), s.substr(1));
    }
  }
  return Status::Internal("AgreeOnStatus: a process failed without a message");
}

}  // namespace rebalance::econ

#endif  // REBALANCE_ECON_REDUCER_H_
