// Internal dense kernels of the Leontief system (not a public header): the LU
// factorisation of I - A with partial pivoting, solves and the inverse, with
// coarse-grained threading that stays fast when the cores are shared.
// See dense_lu.cc for the algorithms.
#ifndef REBALANCE_IO_TABLES_DENSE_LU_H_
#define REBALANCE_IO_TABLES_DENSE_LU_H_

#include <Eigen/Dense>
#include <Eigen/LU>

namespace rebalance::io_tables::internal {

// Threads the kernels below use: omp_get_max_threads(), or 1 when called
// from inside a parallel region.
int DenseThreads();

// P m = L U with partial pivoting, computed in place in `m` (moved in, so no
// copy of the n x n matrix is made). The result is an ordinary Eigen
// PartialPivLU (same storage and conventions, rcond() and solve() work).
// `threads` = 0 means DenseThreads(); `l1_norm` (max column sum of |m|, for
// rcond()) is computed when negative.
Eigen::PartialPivLU<Eigen::MatrixXd> FactorLu(Eigen::MatrixXd m, int threads = 0,
                                              double l1_norm = -1);

// lu^-1 rhs, or lu^-T rhs with `transposed`; column chunks in parallel.
Eigen::MatrixXd SolveLu(const Eigen::PartialPivLU<Eigen::MatrixXd>& lu, const Eigen::MatrixXd& rhs,
                        bool transposed);

// Reciprocal condition estimate of the factorised matrix, whose 1-norm is
// `l1_norm`: the same estimator (Hager/Higham) and result as lu.rcond(), without
// the copies of the factors that Eigen 3.4 makes for each transposed solve
// inside it (a Transpose of a decomposition holds the decomposition by value).
double RcondLu(const Eigen::PartialPivLU<Eigen::MatrixXd>& lu, double l1_norm);

// The dense inverse from the factors: 4/3 n^3 flops (Eigen's inverse() solves
// against the identity, 2 n^3), column chunks in parallel.
Eigen::MatrixXd InverseLu(const Eigen::PartialPivLU<Eigen::MatrixXd>& lu);

}  // namespace rebalance::io_tables::internal

#endif  // REBALANCE_IO_TABLES_DENSE_LU_H_
