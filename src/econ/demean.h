// Weighted within-transformation: partials fixed effects out of columns.
#ifndef REBALANCE_SRC_ECON_DEMEAN_H_
#define REBALANCE_SRC_ECON_DEMEAN_H_

#include <cstdint>
#include <vector>

#include "rebalance/econ/fixed_effects.h"
#include "rebalance/econ/reducer.h"

namespace rebalance::econ {

struct DemeanReport {
  int iterations = 0;  // conjugate-gradient iterations (passes over the data)
  bool converged = true;
};

class Demeaner {
 public:
  // `fe` must outlive the Demeaner. threads <= 0 means all cores.
  // With observations split over processes, `fe` holds this process's
  // observations with global group codes, and `reducer` sums the group
  // accumulators across processes (nullptr = single process).
  // eliminate_runs: solve a dimension whose groups each come as one run of
  // consecutive rows exactly (see demean.cc); never across processes.
  // block_rows: the least number of rows in a block of a pass (blocks() is
  // the largest power of two, at most 16, that keeps this many rows in each);
  // kAutoBlockRows: 16 rows per coefficient of the conjugate gradients and at
  // least 2^14 (adding two blocks' accumulators then costs a few percent of a
  // pass). The results depend on it, never on `threads`.
  static constexpr int64_t kAutoBlockRows = -1;
  static constexpr int64_t kDefaultBlockRows = kAutoBlockRows;
  Demeaner(const FixedEffects* fe, int threads, Reducer* reducer = nullptr,
           bool eliminate_runs = true, int64_t block_rows = kDefaultBlockRows);

  // Observation weights (nullptr = unit weights); the array must outlive the
  // next Demean calls, and hold its values from the next Demean call on (the
  // group weight sums are formed there, in the residual pass when the
  // interleaved layout has a pad lane, else in a pass of their own).
  void SetWeights(const double* w);

  // x_c <- x_c - D alpha_c for every column c, where alpha_c minimises
  // sum_i w_i (x_ci - (D alpha_c)_i)^2. alphas[c] (size total_groups, the
  // dimensions concatenated) is the starting point on entry (empty = zeros)
  // and the solution on exit. Stops when the weighted group means of the
  // demeaned column, sqrt(sum_g W_g mean_g^2), fall below tol times the
  // column's weighted norm sqrt(sum_i w_i x_i^2), or after max_iter
  // iterations.
  // With `cross`, also cross[a nc + b] = sum_i w_i x_ai x_bi of the demeaned
  // columns (nc x nc, row-major), formed in the final pass.
  DemeanReport Demean(const std::vector<double*>& cols, std::vector<std::vector<double>>& alphas,
                      double tol, int max_iter, std::vector<double>* cross = nullptr);
  // The same with a tolerance per column (tols.size() == cols.size()): a pass
  // costs about the same for one column as for several, so columns that need
  // different accuracies share passes; the report counts the passes of the
  // slowest column.
  DemeanReport Demean(const std::vector<double*>& cols, std::vector<std::vector<double>>& alphas,
                      const std::vector<double>& tols, int max_iter,
                      std::vector<double>* cross = nullptr);

  const std::vector<int64_t>& offsets() const { return offsets_; }
  int blocks() const { return blocks_; }

 private:
  // One pass over the data into the per-block accumulators: D'W D p, or
  // with xcols D'W (x - D p) and the per-block sums of w x^2 in ssq_parts
  // (stride kPartStride; pad lane: the weights when pad = 1); with the run
  // dimension eliminated, the same for the solved dimensions (demean.cc).
  void AccumulateBlocks(const double* p, const double* const* xcols, int nc, double* ssq_parts,
                        double pad) const;
  // out = D' W (D p) for nc interleaved columns (one pass over the data);
  // with pq, also pq[c] = p_c' out_c.
  void MultiplyNormal(const std::vector<double>& p, int nc, std::vector<double>& out,
                      double* pq = nullptr) const;
  // out = D' W (x - D alpha) and ssq_c = sum_i w_i x_ic^2; with
  // weight_sums (needs a pad lane, Stride(nc) > nc) also the group weight
  // sums, taken from the pad lane into inv_wsum_.
  void Residual(const std::vector<double*>& cols, const std::vector<double>& alpha,
                std::vector<double>& out, std::vector<double>& ssq, bool weight_sums);
  // Group weight sums (one pass), into inv_wsum_.
  void UpdateWeightSums();
  // cross = sum_i w_i x_a x_b over all column pairs (symmetric nc x nc).
  void WeightedCrossAll(const std::vector<double*>& cols, std::vector<double>& cross) const;
  // Sums `cross` over processes and fills its upper triangle.
  void FinishCross(int nc, std::vector<double>& cross) const;
  // Block b's accumulator of at least `size` zeros.
  double* BlockAccumulator(int b, int64_t size) const;
  // The threads of a pass: the largest power of two <= min(threads_, blocks_).
  int PassThreads() const;
  // block_acc_[left] += block_acc_[left + span] over [begin, end), zeroing the
  // second.
  void MergeBlocks(int left, int span, int64_t begin, int64_t end) const;
  // One pass over the observations: f(b, acc) adds block b's sums into acc
  // (its accumulator, `size` doubles). Thread t of PassThreads() takes the
  // aligned subtree of blocks [t s, (t + 1) s), s = blocks_ / PassThreads(),
  // and adds the accumulators pairwise as the blocks finish (block 1 into 0,
  // 3 into 2, then 2 into 0, ...); ReduceBlocks adds the levels above. The
  // tree of additions is fixed by blocks_, so the sums are the same bits for
  // any thread count.
  template <typename F>
  void PassBlocks(int64_t size, F f) const;
  // Rows [RowBegin(b), RowBegin(b + 1)) of block b; with the elimination,
  // runs [RunBegin(b), RunBegin(b + 1)) (a run is never split).
  int64_t RowBegin(int b) const;
  int64_t RunBegin(int b) const;
  // This thread's buffer for one run of the eliminated dimension (ld lanes).
  double* RunBuffer(int tid, int ld) const;
  // out = the sum of the per-block accumulators in block order, which are
  // left zero; with dots, also dots[c] = sum_k p[k] out[k] over k = c mod nc.
  void ReduceBlocks(int64_t size, std::vector<double>& out, const double* p = nullptr, int nc = 0,
                    double* dots = nullptr) const;

  // Sets up the exact elimination of run_dim_ (see demean.cc) when every one
  // of its groups is one run of consecutive rows.
  void PlanElimination();
  // Coefficient-space layout of the conjugate gradients: all dimensions, or
  // all but the eliminated one.
  int64_t SolveGroups() const { return eliminate_ ? solve_offsets_.back() : offsets_.back(); }

  const FixedEffects* fe_;
  int threads_;
  Reducer* reducer_;
  const double* w_ = nullptr;
  bool weights_stale_ = true;     // inv_wsum_ not yet formed for w_
  std::vector<int64_t> offsets_;  // start of dimension q in a coefficient vector
  int run_dim_ = -1;              // dimension whose codes come in runs of consecutive rows, or -1
  std::vector<double> inv_wsum_;  // 1 / sum of weights, per group of the solve layout
  // Passes over the observations cut the rows into blocks_ fixed blocks (a
  // power of two that depends on the data only, never on the thread count),
  // each with its own group accumulator, added in a fixed tree (PassBlocks):
  // results are the same bits for any thread count.
  int blocks_ = 1;
  mutable std::vector<std::vector<double>> block_acc_;
  // Exact elimination of run_dim_: its groups are runs [run_start_[r],
  // run_start_[r + 1]) with group code run_code_[r]; the other dimensions
  // (solve_dims_) have their coefficients at solve_offsets_.
  bool eliminate_ = false;
  std::vector<int64_t> run_start_;
  std::vector<int32_t> run_code_;
  std::vector<int> solve_dims_;
  std::vector<const int32_t*> solve_codes_;
  // The solved dimensions' codes in 2 bytes when each has at most 65,536
  // groups (else empty).
  std::vector<std::vector<uint16_t>> narrow_codes_;
  std::vector<const uint16_t*> narrow_ptrs_;
  std::vector<int64_t> solve_offsets_;
  int64_t max_run_ = 0;
  mutable std::vector<std::vector<double>> run_buf_;  // per thread, max_run_ x stride
};

}  // namespace rebalance::econ

#endif  // REBALANCE_SRC_ECON_DEMEAN_H_
