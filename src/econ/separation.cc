// Separation in Poisson models with fixed effects (Correia, Guimarães &
// Zylkin 2019, "Verifying the existence of maximum likelihood estimates for
// generalized linear models", arXiv:1903.01633).
//
// An observation with y = 0 is separated when some z = X g + D a satisfies
// z = 0 wherever y > 0, z >= 0 wherever y = 0, and z > 0 on it: its fitted
// mean is 0 at the supremum of the likelihood, and the estimates of the
// other parameters are those of the model without it.
//
// 1. Fixed effects alone: a group whose outcome is zero everywhere separates
//    all its observations (z = indicator of the group).
// 2. Iterated rectifier (ReLU), section 4 of the paper: start from u = 1 on
//    y = 0 and 0 on y > 0; regress u on X and the fixed effects by weighted
//    least squares with weight 1 on y = 0 and a large weight (kPositiveWeight)
//    on y > 0, which forces the fit to ~0 there; the fit u^ is a certificate
//    once u^ >= 0 on y = 0 and u^ = 0 on y > 0 (within kTolerance), and then
//    the observations with u^ > 0 are separated. Otherwise u is replaced by
//    max(u^, 0) on y = 0 (the rectifier) and the regression repeated. If u^
//    falls below kTolerance everywhere, nothing is separated. The regressors
//    are demeaned once (the weights do not change); u is demeaned each round
//    with a warm start.
// Limits: certificate values within kTolerance of 0 are treated as 0, so
// separation whose certificate is below 1e-7 relative to the starting u = 1
// is not detected. The iteration limit is reported as an error.
// Distribution: with observations split over processes (global group codes),
// the zero-outcome flags, the demeaning and cross-product sums, and the
// scalars that steer the iterations (zero count, constraint violation eps,
// min/max of u^ and the smallest residual) are combined through the Reducer,
// so every process takes the same branches; marked counts are per process.
#include "separation.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdio>
#include <memory>
#include <optional>

#include <fmt/format.h>
#include <omp.h>
#include <Eigen/Dense>

#include "demean.h"
#include "irls.h"
#include "rebalance/core/huge_pages.h"

#ifdef __clang__
// Builds without vectorisation (the sanitizer build, clang -O1) leave the
// `omp simd` loops scalar, which is correct; clang's notice is not wanted.
#pragma clang diagnostic ignored "-Wpass-failed"
#endif

namespace rebalance::econ {
namespace {

// Each deferred correction shrinks the constraint violation by a factor of
// roughly (a few hundred) / kPositiveWeight: 1e6 needs 3-4 weighted solves
// where 1e4 needed 6-9, each costing several passes over the data besides
// its CG iterations. Rounding in the weighted sums stays near 1e-16 x 1e6 =
// 1e-10 of the unit targets, far below kTolerance.
constexpr double kPositiveWeight = 1e6;
constexpr double kTolerance = 1e-8;
constexpr double kConstraintTolerance = 1e-12;
constexpr int kMaxCorrections = 100;
constexpr double kZeroResidual = 1e-11;
constexpr double kDemeanTolerance = 1e-13;
constexpr int kMaxDemeanIterations = 100000;

// e = u~ - X~ b into ut (which holds u~), and the largest |target - e| on
// y > 0 (a maximum: the same whatever the split). K = number of regressors
// (-1: any); branch-free for K >= 0, so that the loop is vectorised.
template <int K>
double ResidualPassK(const double* x, int k, const Eigen::VectorXd& b, const double* __restrict y,
                     const double* __restrict target, double* __restrict ut, int64_t n, int nt) {
  constexpr int kMax = K > 0 ? K : 1;
  const double* xk[kMax] = {};
  double bk[kMax] = {};
  for (int c = 0; c < std::min(k, kMax); ++c) xk[c] = x + c * n, bk[c] = b(c);
  double eps = 0;
  if constexpr (K >= 0) {
#pragma omp parallel for simd num_threads(nt) schedule(static) reduction(max : eps)
    for (int64_t i = 0; i < n; ++i) {
      double e = ut[i];
      for (int c = 0; c < K; ++c) e -= xk[c][i] * bk[c];
      const double fit = target[i] - e;
      ut[i] = e;
      eps = std::max(eps, y[i] > 0 ? std::fabs(fit) : 0.0);
    }
  } else {
#pragma omp parallel for num_threads(nt) schedule(static) reduction(max : eps)
    for (int64_t i = 0; i < n; ++i) {
      double e = ut[i];
      for (int c = 0; c < k; ++c) e -= x[c * n + i] * b(c);
      const double fit = target[i] - e;
      ut[i] = e;
      if (y[i] > 0) eps = std::max(eps, std::fabs(fit));
    }
  }
  return eps;
}

double ResidualPass(const double* x, int k, const Eigen::VectorXd& b, const double* y,
                    const double* target, double* ut, int64_t n, int nt) {
  switch (k) {
    case 0:
      return ResidualPassK<0>(x, k, b, y, target, ut, n, nt);
    case 1:
      return ResidualPassK<1>(x, k, b, y, target, ut, n, nt);
    case 2:
      return ResidualPassK<2>(x, k, b, y, target, ut, n, nt);
    case 3:
      return ResidualPassK<3>(x, k, b, y, target, ut, n, nt);
    default:
      return ResidualPassK<-1>(x, k, b, y, target, ut, n, nt);
  }
}

}  // namespace

int64_t MarkZeroOutcomeGroups(const FixedEffects& fe, const double* y, std::vector<uint8_t>& keep,
                              Reducer* reducer, int threads) {
  const bool global = reducer != nullptr && reducer->distributed();
  const int64_t n = fe.num_obs;
  const int nq = fe.num_dims();
  const int nt = threads > 0 ? threads : omp_get_max_threads();
  // Marking only removes observations with y = 0, so every dimension's
  // positive-outcome flags can be computed first, in one pass over the rows
  // for all dimensions (a flag is only ever set to 1, so threads setting the
  // same one agree).
  std::vector<std::vector<uint8_t>> positive(static_cast<size_t>(nq));
  for (int q = 0; q < nq; ++q) {
    positive[static_cast<size_t>(q)].assign(static_cast<size_t>(fe.num_groups[q]), 0);
  }
#pragma omp parallel for num_threads(nt) schedule(static)
  for (int64_t i = 0; i < n; ++i) {
    if (!keep[static_cast<size_t>(i)] || !(y[i] > 0)) continue;
    for (int q = 0; q < nq; ++q) {
      std::atomic_ref<uint8_t>(positive[static_cast<size_t>(q)]
                                       [static_cast<size_t>(fe.codes[q][static_cast<size_t>(i)])])
          .store(1, std::memory_order_relaxed);
    }
  }
  if (global) {
    for (auto& pos : positive) {
      std::vector<int64_t> any(pos.begin(), pos.end());
      reducer->SumInt64s(any.data(), static_cast<int64_t>(any.size()));
      for (size_t g = 0; g < any.size(); ++g) pos[g] = any[g] > 0;
    }
  }
  int64_t marked = 0;
#pragma omp parallel for num_threads(nt) schedule(static) reduction(+ : marked)
  for (int64_t i = 0; i < n; ++i) {
    if (!keep[static_cast<size_t>(i)]) continue;
    for (int q = 0; q < nq; ++q) {
      if (!positive[static_cast<size_t>(q)][static_cast<size_t>(fe.codes[q][i])]) {
        keep[static_cast<size_t>(i)] = 0;
        ++marked;
        break;
      }
    }
  }
  return marked;
}

Result<int64_t> MarkReluSeparated(const FixedEffects& fe, const double* y, std::vector<double>& x,
                                  int k, int threads, int max_iter, IterationLog* log,
                                  std::vector<uint8_t>& keep, Reducer* reducer,
                                  std::optional<std::vector<int>>* noncollinear,
                                  bool eliminate_runs) {
  if (noncollinear) noncollinear->reset();
  if (reducer == nullptr) reducer = &LocalReducer();
  const int64_t n = fe.num_obs;
  const int nt = threads > 0 ? threads : omp_get_max_threads();
  // Every loop over observations below runs on nt threads; the reductions
  // are integer counts and minima/maxima, which do not depend on the order.
  int64_t zeros = 0;
#pragma omp parallel for num_threads(nt) schedule(static) reduction(+ : zeros)
  for (int64_t i = 0; i < n; ++i) zeros += y[i] == 0;
  int64_t counts[2] = {zeros, n};  // zero outcomes, observations
  reducer->SumInt64s(counts, 2);
  if (counts[0] == 0 || counts[1] == 0) return int64_t{0};

  // n-sized work arrays, every element written before it is read (no
  // zero-filling pass: fresh pages are zero already, and these are not).
  auto work = [n]() { return core::NewHugeArray<double>(static_cast<size_t>(n)); };
  std::unique_ptr<double[]> omega = work();
#pragma omp parallel for num_threads(nt) schedule(static)
  for (int64_t i = 0; i < n; ++i) omega[static_cast<size_t>(i)] = y[i] > 0 ? kPositiveWeight : 1.0;
  Demeaner demeaner(&fe, threads, reducer, eliminate_runs);
  demeaner.SetWeights(omega.get());

  // The regressors are demeaned (tightly, in place) together with the first
  // solve for u: a pass over the data costs about the same for one column as
  // for three.
  std::vector<double>& xt = x;
  bool x_demeaned = k == 0;
  Eigen::CompleteOrthogonalDecomposition<Eigen::MatrixXd> solver;
  const std::vector<double> raw_ssq =
      WeightedSumsOfSquares(x.data(), k, n, omega.get(), threads, reducer);
  auto finish_regressors = [&]() {
    Eigen::MatrixXd gram;
    Eigen::VectorXd unused;
    WeightedCross(xt.data(), k, n, omega.get(), nullptr, threads, gram, unused, reducer);
    solver.setThreshold(1e-10);
    solver.compute(gram);
    if (noncollinear) *noncollinear = NonCollinearColumns(gram, raw_ssq);
    x_demeaned = true;
  };
  if (k == 0 && noncollinear) *noncollinear = std::vector<int>{};

  // u (1 on y = 0 to start, 0 on y > 0) is kept in `target` on the rows with
  // y = 0; on the rows with y > 0 `target` holds the shifted targets of the
  // deferred correction (0 to start, carried from round to round).
  // The fit u^ is not stored: it is target - e, with the residual e of the
  // last solve in ut (see fit_at). Each solve demeans a copy of the targets
  // in ut; the passes that change the targets write that copy as they go
  // (ut_ready), so no pass of its own copies them.
  std::unique_ptr<double[]> ut = work(), target = work();
  auto fit_at = [&](int64_t i) {
    return target[static_cast<size_t>(i)] - ut[static_cast<size_t>(i)];
  };
#pragma omp parallel for simd num_threads(nt) schedule(static)
  for (int64_t i = 0; i < n; ++i) {
    const double t = y[i] == 0 ? 1.0 : 0.0;
    target[static_cast<size_t>(i)] = t;
    ut[static_cast<size_t>(i)] = t;
  }
  bool ut_ready = true;
  std::vector<std::vector<double>> alpha_u(1);
  for (int it = 1; it <= max_iter; ++it) {
    // Least squares of u on X and D with u^ = 0 where y > 0, by the method of
    // weighting with deferred correction (Van Loan 1985, SIAM J. Numer. Anal.
    // 22(5)): the targets of the heavily weighted rows are shifted by the
    // remaining violation until the constraint holds to kConstraintTolerance.
    Eigen::VectorXd b;
    double eps = 0;
    int corrections = 0;
    int64_t cg_iterations = 0;
    // Early solves only steer the correction: their tolerance follows the
    // remaining violation (1e-5 of it: tighter solves mean fewer
    // corrections); the accepted solve is always at kDemeanTolerance.
    double solve_tol = 1e-6;
    for (int corr = 0;; ++corr) {
      corrections = corr + 1;
      if (!ut_ready) {
#pragma omp parallel for simd num_threads(nt) schedule(static)
        for (int64_t i = 0; i < n; ++i) {
          ut[static_cast<size_t>(i)] = target[static_cast<size_t>(i)];
        }
      }
      ut_ready = false;
      std::vector<double*> cols{ut.get()};
      const bool with_x = !x_demeaned;
      // The regressors need kDemeanTolerance: u gets it for free alongside.
      std::vector<double> tols{with_x ? kDemeanTolerance : solve_tol};
      if (with_x) {
        for (int c = 0; c < k; ++c) {
          cols.push_back(xt.data() + c * n);
          tols.push_back(kDemeanTolerance);
        }
        alpha_u.resize(cols.size());
      }
      const DemeanReport r = demeaner.Demean(cols, alpha_u, tols, kMaxDemeanIterations);
      cg_iterations += r.iterations;
      if (!r.converged) {
        return Status::NotConverged(
            "separation check: demeaning did not converge in the iterated rectifier");
      }
      if (with_x) {
        alpha_u.resize(1);
        finish_regressors();
        if (log != nullptr) {
          IterationRecord rec;
          rec.kind = IterationRecord::Kind::kSeparationRegressors;
          rec.inner_iterations = r.iterations;
          rec.text = fmt::format(
              "separation (ReLU): regressors demeaned in {} CG iterations (with the first solve)",
              r.iterations);
          log->Add(std::move(rec));
        }
      }
      if (k > 0) {
        Eigen::MatrixXd g2;
        Eigen::VectorXd xtwu;
        WeightedCross(xt.data(), k, n, omega.get(), ut.get(), threads, g2, xtwu, reducer);
        b = solver.solve(xtwu);
      }
      eps = ResidualPass(xt.data(), k, b, y, target.get(), ut.get(), n, nt);
      reducer->MaxDoubles(&eps, 1);
      if ((eps <= kConstraintTolerance && solve_tol <= kDemeanTolerance) ||
          corr >= kMaxCorrections) {
        break;
      }
      solve_tol = std::max(kDemeanTolerance, std::min(solve_tol, 1e-5 * eps));
      if (eps <= kConstraintTolerance) {
        solve_tol = kDemeanTolerance;
        continue;  // re-solve tightly before accepting
      }
      // The deferred correction: on y > 0 the target less the fit,
      // target - (target - e) = e, which ut holds already; on y = 0 the next
      // solve's copy of the (unchanged) target.
#pragma omp parallel for simd num_threads(nt) schedule(static)
      for (int64_t i = 0; i < n; ++i) {
        if (y[i] > 0) {
          target[static_cast<size_t>(i)] = ut[static_cast<size_t>(i)];
        } else {
          ut[static_cast<size_t>(i)] = target[static_cast<size_t>(i)];
        }
      }
      ut_ready = true;
    }
    if (eps > kConstraintTolerance) {
      return Status::NotConverged(
          fmt::format("separation check: the constrained least-squares fit of the iterated "
                      "rectifier still misses its constraint by {:.2e} after {} corrections",
                      eps, kMaxCorrections));
    }
    // On y = 0: u^ with values within delta of 0 set to 0, and the residual
    // relative to u (not to the shifted targets; u = target there), with
    // values below kZeroResidual set to 0. Formed where needed, not stored.
    const double delta = eps + kTolerance;
    auto uhat_at = [&](int64_t i) {
      double v = fit_at(i);
      // Stricter below zero than above, against false positives.
      if (v >= -0.1 * delta && v <= delta) v = 0;
      return v;
    };
    auto resid_at = [&](int64_t i) {
      double e = target[static_cast<size_t>(i)] - fit_at(i);
      if (std::fabs(e) < kZeroResidual) e = 0;
      return e;
    };
    double min_zero = 0, max_zero = 0, min_resid = 0;
#pragma omp parallel for num_threads(nt) schedule(static) reduction(min                    \
                                                                    : min_zero, min_resid) \
    reduction(max                                                                          \
              : max_zero)
    for (int64_t i = 0; i < n; ++i) {
      if (y[i] > 0) continue;
      const double v = uhat_at(i);
      min_zero = std::min(min_zero, v);
      max_zero = std::max(max_zero, v);
      min_resid = std::min(min_resid, resid_at(i));
    }
    {
      double m[3] = {-min_zero, max_zero, -min_resid};
      reducer->MaxDoubles(m, 3);
      min_zero = -m[0], max_zero = m[1], min_resid = -m[2];
    }
    if (log != nullptr) {
      IterationRecord rec;
      rec.kind = IterationRecord::Kind::kSeparationRound;
      rec.step = it;
      rec.inner_iterations = cg_iterations;
      rec.text = fmt::format(
          "separation (ReLU) round {}: min u^ {:.3e}, max u^ {:.3e} on y = 0; |u^| <= {:.3e} on "
          "y > 0; min residual {:.3e}; {} weighted solves, {} CG iterations",
          it, min_zero, max_zero, eps, min_resid, corrections, cg_iterations);
      log->Add(std::move(rec));
    }
    bool done = false;
    // With min_resid >= 0, observations with e > delta are not separated.
    bool drop_positive_resid = false;
    if (min_zero >= 0) {
      done = true;  // u^ is a certificate of separation (or 0)
    } else if (min_resid >= 0) {
      // No negative residual on y = 0: by the normal equations z'e = 0 for
      // any certificate z, so observations with e > 0 are not separated and
      // the ones with u^ > 0 and e = 0 are (paper, section 4).
      drop_positive_resid = true;
      done = true;
    }
    if (done) {
      int64_t marked = 0;
#pragma omp parallel for num_threads(nt) schedule(static) reduction(+ : marked)
      for (int64_t i = 0; i < n; ++i) {
        if (y[i] != 0 || !keep[static_cast<size_t>(i)]) continue;
        if (drop_positive_resid && resid_at(i) > delta) continue;
        if (uhat_at(i) > 0) {
          keep[static_cast<size_t>(i)] = 0;
          ++marked;
        }
      }
      return marked;
    }
    // The rectifier, and the next solve's copy of the targets.
#pragma omp parallel for simd num_threads(nt) schedule(static)
    for (int64_t i = 0; i < n; ++i) {
      if (y[i] == 0) target[static_cast<size_t>(i)] = std::max(uhat_at(i), 0.0);
      ut[static_cast<size_t>(i)] = target[static_cast<size_t>(i)];
    }
    ut_ready = true;
  }
  return Status::NotConverged(
      fmt::format("separation check (iterated rectifier) found no certificate in {} "
                  "rounds; raise max_separation_iterations",
                  max_iter));
}

}  // namespace rebalance::econ
