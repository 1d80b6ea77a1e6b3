// Weighted within-transformation: partials fixed effects out of columns.
#ifndef REBALANCE_SRC_ECON_DEMEAN_H_
#define REBALANCE_SRC_ECON_DEMEAN_H_

#include <cstdint>
#include <vector>

#include "rebalance/econ/fixed_effects.h"
#include "rebalance/econ/reducer.h"

namespace rebalance::econ {

struct DemeanReport {
  int iterations = 0;     // conjugate-gradient iterations (passes over the data)
  bool converged = true;
};

class Demeaner {
 public:
  // `fe` must outlive the Demeaner. threads <= 0 means all cores.
  // With observations split over processes, `fe` holds this process's
  // observations with global group codes, and `reducer` sums the group
  // accumulators across processes (nullptr = single process).
  Demeaner(const FixedEffects* fe, int threads, Reducer* reducer = nullptr);

  // Observation weights (nullptr = unit weights); the array must outlive the
  // next Demean calls. Computes the group weight sums.
  void SetWeights(const double* w);

  // x_c <- x_c - D alpha_c for every column c, where alpha_c minimises
  // sum_i w_i (x_ci - (D alpha_c)_i)^2. alphas[c] (size total_groups, the
  // dimensions concatenated) is the starting point on entry (empty = zeros)
  // and the solution on exit. Stops when the weighted group means of the
  // demeaned column, sqrt(sum_g W_g mean_g^2), fall below tol times the
  // column's weighted norm sqrt(sum_i w_i x_i^2), or after max_iter
  // iterations.
  DemeanReport Demean(const std::vector<double*>& cols,
                      std::vector<std::vector<double>>& alphas, double tol,
                      int max_iter);
  // The same with a tolerance per column (tols.size() == cols.size()): a pass
  // costs about the same for one column as for several, so columns that need
  // different accuracies share passes; the report counts the passes of the
  // slowest column.
  DemeanReport Demean(const std::vector<double*>& cols,
                      std::vector<std::vector<double>>& alphas,
                      const std::vector<double>& tols, int max_iter);

  const std::vector<int64_t>& offsets() const { return offsets_; }

 private:
  // out = D' W (D p) for nc interleaved columns (one pass over the data);
  // with pq, also pq[c] = p_c' out_c.
  void MultiplyNormal(const std::vector<double>& p, int nc,
                      std::vector<double>& out, double* pq = nullptr) const;
  // out = D' W (x - D alpha) and ssq_c = sum_i w_i x_ic^2.
  void Residual(const std::vector<double*>& cols, const std::vector<double>& alpha,
                std::vector<double>& out, std::vector<double>& ssq) const;
  // This thread's accumulator of at least `size` zeros.
  double* ThreadAccumulator(int tid, int64_t size) const;
  // out = the sum of the per-thread accumulators, which are left zero; with
  // dots, also dots[c] = sum_k p[k] out[k] over k = c mod nc.
  void ReduceThreads(int64_t size, std::vector<double>& out,
                     const double* p = nullptr, int nc = 0,
                     double* dots = nullptr) const;

  const FixedEffects* fe_;
  int threads_;
  Reducer* reducer_;
  const double* w_ = nullptr;
  std::vector<int64_t> offsets_;   // start of dimension q in a coefficient vector
  std::vector<double> inv_wsum_;   // 1 / sum of weights, per group
  mutable std::vector<std::vector<double>> thread_acc_;
};

}  // namespace rebalance::econ

#endif  // REBALANCE_SRC_ECON_DEMEAN_H_
