// IRLS for Poisson (PPML) and the weighted within-regression for Gaussian.
#ifndef REBALANCE_SRC_ECON_IRLS_H_
#define REBALANCE_SRC_ECON_IRLS_H_

#include <cstdint>
#include <string>
#include <vector>

#include <Eigen/Dense>

#include "demean.h"
#include "iteration_log.h"
#include "rebalance/econ/ppml.h"

namespace rebalance::econ {

struct IrlsInput {
  Family family = Family::kPoisson;
  int64_t n = 0;
  const double* y = nullptr;
  const double* prior_w = nullptr;  // nullptr = unit weights
  const double* offset = nullptr;   // nullptr = none
  // Regressors, n x k column-major; replaced by the demeaned values (at the
  // final weights) of the non-collinear columns.
  std::vector<double>* x = nullptr;
  int k = 0;
  // Columns already known not to be collinear on this sample (from the
  // separation check, whose regressors are demeaned tightly anyway); nullptr =
  // check after the first demeaning, which is then tight for the regressors.
  const std::vector<int>* kept = nullptr;
  // Sums over observations across processes (nullptr = single process).
  Reducer* reducer = nullptr;
  // Where each step is recorded (nullptr = nowhere).
  IterationLog* log = nullptr;
};

struct IrlsOutput {
  Termination termination = Termination::kConverged;
  std::string message;
  std::vector<int> kept;    // indices (into the input columns) kept
  Eigen::VectorXd beta;     // for the kept columns
  Eigen::MatrixXd xtwx;     // X~' W X~ at the final weights
  std::vector<double> eta;  // linear predictor including the offset
  std::vector<double> w;    // final working weights
  double deviance = 0;
  int iterations = 0;
  int64_t demean_iterations = 0;
};

// Gram matrix X~' W X~ and X~' W v (v may be nullptr) with OpenMP.
void WeightedCross(const double* x, int k, int64_t n, const double* w, const double* v, int threads,
                   Eigen::MatrixXd& xtwx, Eigen::VectorXd& xtwv, Reducer* reducer = nullptr);

// Indices of the columns of x (n x k, already demeaned) that are not
// collinear: sequential Cholesky pivots below 1e-9 times the column's
// weighted sum of squares before demeaning (raw_ssq) mark a column as
// collinear with the fixed effects and the earlier columns.
std::vector<int> NonCollinearColumns(const Eigen::MatrixXd& xtwx,
                                     const std::vector<double>& raw_ssq);

// raw_ssq for NonCollinearColumns: sum_i w_i x_ci^2 per column of x (n x k,
// column-major, before demeaning), summed across processes by `reducer`.
std::vector<double> WeightedSumsOfSquares(const double* x, int k, int64_t n, const double* w,
                                          int threads, Reducer* reducer);

IrlsOutput RunIrls(const IrlsInput& in, const EstimateOptions& options, Demeaner& demeaner);

}  // namespace rebalance::econ

#endif  // REBALANCE_SRC_ECON_IRLS_H_
