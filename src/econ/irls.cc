// Iteratively reweighted least squares for PPML with high-dimensional fixed
// effects (Correia, Guimarães & Zylkin 2020, "ppmlhdfe: Fast Poisson
// estimation with high-dimensional fixed effects", Stata Journal 20(1)).
//
// Each Poisson step solves a weighted least-squares problem of the working
// outcome z = eta - offset + (y - mu) / mu on the regressors and fixed
// effects with weights w = prior_weight * mu; by Frisch-Waugh-Lovell it is
// the regression of the demeaned z on the demeaned regressors. The new linear
// predictor is z - e + offset = eta + (y - mu)/mu - e, where e is the
// residual, so the fixed effects are never formed during the iterations.
//
// Starting values: mu = (y + mean(y)) / 2 (ppmlhdfe's default guess).
// Passes over the observations per step: the working outcome z (formed by
// the previous step's deviance pass, Poisson without an offset), the
// demeaning, and the deviance pass (new eta, mu = exp(eta), the deviance, the
// next weights and working outcome).
// Warm starts: z is demeaned starting from the previous step's fixed-effect
// coefficients; the regressors are demeaned in place (M_w X~ = M_w X).
// Adaptive inner tolerance: the demeaning tolerance starts at 1e-2 and
// follows 1e-2 times the relative deviance change, down to
// options.demean_tolerance, which the last step always uses.
// Convergence: eps = |dev - dev_old| / max(min(dev, dev_old), 0.1) <
// options.tolerance on a step demeaned at the final tolerance (ppmlhdfe's
// criterion). Reaching options.max_iterations is kMaxIterations; a
// non-finite deviance or coefficient is kDiverged. If the deviance rises the
// step is halved (up to 20 times). mu = exp(eta) comes from glibc's vector
// exp (libmvec, ExpArray in vector_math.h), taken on pieces of 512 rows.
// Gaussian: one weighted within-regression of y - offset, no iteration.
// Collinearity: a column whose sequential Cholesky pivot, after partialling
// out the fixed effects, falls below 1e-9 of its weighted sum of squares is
// dropped. The separation check demeans the regressors tightly on the final
// sample anyway and passes its verdict in (IrlsInput::kept); otherwise step 1
// demeans the regressors to options.demean_tolerance (z shares those passes
// at the loose step-1 tolerance) and checks them before solving.
#include "irls.h"

#include "count_logs.h"
#include "parallel_sum.h"
#include "rebalance/core/huge_pages.h"
#include "vector_math.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>

#include <fmt/format.h>
#include <omp.h>

#ifdef __clang__
// Builds without vectorisation (the sanitizer build, clang -O1) leave the
// `omp simd` loops scalar, which is correct; clang's notice is not wanted.
#pragma clang diagnostic ignored "-Wpass-failed"
#endif

namespace rebalance::econ {

namespace {

// acc(a, c) += sum_i w x_a x_c (c <= a) and acc(a, K) += sum_i w x_a v over
// the block [b, e), with K fixed so the sums stay in registers.
template <int K>
void CrossBlock(const double* x, int64_t n, const double* w, const double* v, int64_t b, int64_t e,
                Eigen::MatrixXd& acc) {
  double s[K][K + 1] = {};
  const double* xs[K];
#pragma GCC unroll 4
  for (int a = 0; a < K; ++a) xs[a] = x + a * n;
  for (int64_t i = b; i < e; ++i) {
    const double wi = w[i];
    double wx[K];
#pragma GCC unroll 4
    for (int a = 0; a < K; ++a) wx[a] = wi * xs[a][i];
#pragma GCC unroll 4
    for (int a = 0; a < K; ++a) {
#pragma GCC unroll 4
      for (int c = 0; c <= a; ++c) s[a][c] += wx[a] * xs[c][i];
    }
    if (v) {
      const double vi = v[i];
#pragma GCC unroll 4
      for (int a = 0; a < K; ++a) s[a][K] += wx[a] * vi;
    }
  }
  for (int a = 0; a < K; ++a) {
    for (int c = 0; c <= a; ++c) acc(a, c) += s[a][c];
    if (v) acc(a, K) += s[a][K];
  }
}

}  // namespace

void WeightedCross(const double* x, int k, int64_t n, const double* w, const double* v, int threads,
                   Eigen::MatrixXd& xtwx, Eigen::VectorXd& xtwv, Reducer* reducer) {
  xtwx = Eigen::MatrixXd::Zero(k, k);
  xtwv = Eigen::VectorXd::Zero(k);
  if (k == 0) return;
  if (reducer == nullptr) reducer = &LocalReducer();
  // Fixed blocks of rows (parallel_sum.h), each summed in pieces of kPiece
  // rows into its own partial; the partials are added in block order.
  const int blocks = FixedBlockCount(n);
  std::vector<Eigen::MatrixXd> parts(static_cast<size_t>(blocks), Eigen::MatrixXd::Zero(k, k + 1));
  ForEachBlock(blocks, threads, [&](int blk) {
    Eigen::MatrixXd& acc = parts[static_cast<size_t>(blk)];
    constexpr int64_t kPiece = 4096;
    constexpr int kFused = 4;
    const int64_t block_end = BlockBegin(n, blk + 1, blocks);
    for (int64_t b = BlockBegin(n, blk, blocks); b < block_end; b += kPiece) {
      const int64_t e = std::min(block_end, b + kPiece);
      if (k <= kFused) {
        // One sweep over the block for every product (few regressors).
        switch (k) {
          case 1:
            CrossBlock<1>(x, n, w, v, b, e, acc);
            break;
          case 2:
            CrossBlock<2>(x, n, w, v, b, e, acc);
            break;
          case 3:
            CrossBlock<3>(x, n, w, v, b, e, acc);
            break;
          default:
            CrossBlock<4>(x, n, w, v, b, e, acc);
            break;
        }
        continue;
      }
      for (int a = 0; a < k; ++a) {
        const double* xa = x + a * n;
        for (int c = 0; c <= a; ++c) {
          const double* xc = x + c * n;
          double s = 0;
          for (int64_t i = b; i < e; ++i) s += w[i] * xa[i] * xc[i];
          acc(a, c) += s;
        }
        if (v) {
          double s = 0;
          for (int64_t i = b; i < e; ++i) s += w[i] * xa[i] * v[i];
          acc(a, k) += s;
        }
      }
    }
  });
  for (size_t t = 1; t < parts.size(); ++t) parts[0] += parts[t];
  reducer->SumDoubles(parts[0].data(), parts[0].size());
  xtwx = parts[0].leftCols(k);
  xtwv = parts[0].col(k);
  for (int a = 0; a < k; ++a)
    for (int c = a + 1; c < k; ++c) xtwx(a, c) = xtwx(c, a);
}

std::vector<int> NonCollinearColumns(const Eigen::MatrixXd& xtwx,
                                     const std::vector<double>& raw_ssq) {
  const int k = static_cast<int>(xtwx.rows());
  std::vector<int> kept;
  Eigen::MatrixXd l = Eigen::MatrixXd::Zero(k, k);
  for (int a = 0; a < k; ++a) {
    // Pivot of column a after the kept columns before it.
    Eigen::VectorXd la(static_cast<Eigen::Index>(kept.size()));
    double pivot = xtwx(a, a);
    for (size_t j = 0; j < kept.size(); ++j) {
      const int c = kept[j];
      double s = xtwx(a, c);
      for (size_t m = 0; m < j; ++m) s -= la(static_cast<Eigen::Index>(m)) * l(c, kept[m]);
      la(static_cast<Eigen::Index>(j)) = s / l(c, c);
      pivot -= la(static_cast<Eigen::Index>(j)) * la(static_cast<Eigen::Index>(j));
    }
    const double scale = raw_ssq[static_cast<size_t>(a)];
    if (!(scale > 0) || !(pivot > 1e-9 * scale)) continue;
    for (size_t j = 0; j < kept.size(); ++j) l(a, kept[j]) = la(static_cast<Eigen::Index>(j));
    l(a, a) = std::sqrt(pivot);
    kept.push_back(a);
  }
  return kept;
}

std::vector<double> WeightedSumsOfSquares(const double* x, int k, int64_t n, const double* w,
                                          int threads, Reducer* reducer) {
  std::vector<double> ssq(static_cast<size_t>(k), 0.0);
  for (int c = 0; c < k; ++c) {
    const double* xc = x + c * n;
    ssq[static_cast<size_t>(c)] = BlockSums<1>(
        n, threads, [&](int64_t i, double* acc) { acc[0] += w[i] * xc[i] * xc[i]; })[0];
  }
  reducer->SumDoubles(ssq.data(), k);
  return ssq;
}

namespace {

// What the deviance pass needs and writes besides the deviance: with
// mu = exp(eta), the next step's weights w_next = pw mu (in place of the
// current weights, which the pass has read by then), so that step needs no
// exp of its own; and (z_next not nullptr, no offset) that step's working
// outcome z_next = eta + (y - mu) / mu with mu = w_next / pw, the same
// arithmetic as its own pass would do, so that step needs no pass for it.
struct DevianceIo {
  const double* y;
  const double* ylogy;  // y log y (0 at y = 0)
  const double* pw;     // nullptr = 1
  double* w_next;
  double* z_next = nullptr;
};

// pw (y log y - y eta - (y - mu)) of observation i, with eta_i = e and
// mu = exp(e) (from ExpArray); writes w_next[i]. Every operand is loaded
// unconditionally (the branch is a select), so the loop vectorises.
template <bool kWeighted, bool kNextZ>
[[gnu::always_inline]] inline double DevianceTerm(
    const double* __restrict y, const double* __restrict ylogy, const double* __restrict pw,
    double* __restrict w_next, double* __restrict z_next, double e, double mu, int64_t i) {
  const double yi = y[i], yl = ylogy[i];
  const double pwi = kWeighted ? pw[i] : 1.0;
  const double wn = pwi * mu;
  w_next[i] = wn;
  if constexpr (kNextZ) {
    const double m = kWeighted ? wn / pwi : wn;
    z_next[i] = e + (yi - m) / m;
  }
  const double d = yi > 0 ? yl - yi * e - (yi - mu) : mu;
  return pwi * d;
}

// Rows per piece of the deviance passes: a piece's linear predictor is formed
// first, its exp taken by one ExpArray call (glibc's libmvec, vector_math.h),
// then its deviance terms are summed, while the piece is in the L1 cache.
// A multiple of kLanes.
constexpr int64_t kExpPiece = 512;
static_assert(kExpPiece % kLanes == 0);

// LaneSum (parallel_sum.h) of the block [begin, end), in pieces of kExpPiece
// rows from begin: prepare(b, e, mu) fills mu[0, e - b) for the piece [b, e),
// then body(i, mu[i - b]) is added to lane (i - begin) mod kLanes (the
// block's last rows to lanes 0, 1, ...), and the lanes are added in order:
// LaneSum's association exactly, for the same values of the bodies.
template <typename Prepare, typename Body>
double PiecewiseBlockLaneSum(int64_t begin, int64_t end, Prepare& prepare, Body& body) {
  double lanes[kLanes] = {};
  alignas(64) double mu[kExpPiece];
  for (int64_t b = begin; b < end; b += kExpPiece) {
    const int64_t e = std::min(end, b + kExpPiece);
    prepare(b, e, mu);
    int64_t i = b;
    for (; i + kLanes <= e; i += kLanes) {
      const double* m = mu + (i - b);
#pragma omp simd
      for (int l = 0; l < kLanes; ++l) lanes[l] += body(i + l, m[l]);
    }
    for (int l = 0; i < e; ++i, ++l) lanes[l] += body(i, mu[i - b]);
  }
  double s = 0;
  for (int l = 0; l < kLanes; ++l) s += lanes[l];
  return s;
}

// LaneSum with a preparation step per piece: the same fixed blocks
// (parallel_sum.h: SumOverBlocks, whatever the thread count), each summed by
// PiecewiseBlockLaneSum, and the blocks added in order.
template <typename Prepare, typename Body>
double PiecewiseLaneSum(int64_t n, int threads, Prepare prepare, Body body) {
  return SumOverBlocks(n, threads, [&](int64_t begin, int64_t end) {
    return PiecewiseBlockLaneSum(begin, end, prepare, body);
  });
}

// The Poisson deviance of eta (writes w_next).
template <bool kWeighted, bool kNextZ>
double PoissonDevianceSum(const DevianceIo& io, const double* __restrict eta, int64_t n,
                          int threads) {
  const double* __restrict y = io.y;
  const double* __restrict ylogy = io.ylogy;
  const double* __restrict pw = io.pw;
  double* __restrict w = io.w_next;
  double* __restrict zn = io.z_next;
  return PiecewiseLaneSum(
      n, threads, [=](int64_t b, int64_t e, double* mu) { ExpArray(eta + b, mu, e - b); },
      [=](int64_t i, double mu) __attribute__((always_inline)) {
        return DevianceTerm<kWeighted, kNextZ>(y, ylogy, pw, w, zn, eta[i], mu, i);
      });
}

double PoissonDeviance(const DevianceIo& io, const double* eta, int64_t n, int threads,
                       Reducer* reducer) {
  double dev = io.pw ? (io.z_next ? PoissonDevianceSum<true, true>(io, eta, n, threads)
                                  : PoissonDevianceSum<true, false>(io, eta, n, threads))
                     : (io.z_next ? PoissonDevianceSum<false, true>(io, eta, n, threads)
                                  : PoissonDevianceSum<false, false>(io, eta, n, threads));
  reducer->SumDoubles(&dev, 1);
  return 2 * dev;
}

// The deviance pass of a Poisson step: the new linear predictor
// eta + (y - mu) / mu - e, with e = z~ - X~ b the residual of the weighted
// regression (z~ demeaned in z, mu = w / pw the current means), into z; the
// next weights into w (read first); returns the deviance sum (not yet
// reduced over processes). K = number of regressors (-1: any, in a loop).
template <int K, bool kWeighted, bool kNextZ>
double DeviancePass(const DevianceIo& io, const double* __restrict eta, double* __restrict z,
                    const std::vector<const double*>& xc, const Eigen::VectorXd& beta, int64_t n,
                    int threads) {
  constexpr int kMax = K >= 0 ? K : 1;
  const int k = K >= 0 ? K : static_cast<int>(xc.size());
  // Loop invariants in locals, so that the stores do not force reloads.
  const double* __restrict y = io.y;
  const double* __restrict ylogy = io.ylogy;
  const double* __restrict pw = io.pw;
  double* __restrict w = io.w_next;
  double* __restrict zn = io.z_next;
  [[maybe_unused]] const double* xk[kMax] = {};
  [[maybe_unused]] double bk[kMax] = {};
  for (int c = 0; c < std::min(k, kMax); ++c) {
    xk[c] = xc[static_cast<size_t>(c)];
    bk[c] = beta(c);
  }
  const double* const* xp = xc.data();
  const double* b = beta.data();
  // A piece: the new linear predictor into z and mu, then mu = exp(mu); the
  // current weights are read here, before the terms overwrite them.
  auto prepare = [=](int64_t first, int64_t last, double* __restrict mu) {
#pragma omp simd
    for (int64_t i = first; i < last; ++i) {
      double e = z[i];
      if constexpr (K >= 0) {
        for (int c = 0; c < K; ++c) e -= xk[c][i] * bk[c];
      } else {
        for (int c = 0; c < k; ++c) e -= xp[c][i] * b[c];
      }
      const double wi = w[i];
      const double mu_old = kWeighted ? wi / pw[i] : wi;
      const double eta_new = eta[i] + (y[i] - mu_old) / mu_old - e;
      z[i] = eta_new;
      mu[i - first] = eta_new;
    }
    ExpArray(mu, mu, last - first);
  };
  return PiecewiseLaneSum(
      n, threads, prepare, [=](int64_t i, double mu) __attribute__((always_inline)) {
        return DevianceTerm<kWeighted, kNextZ>(y, ylogy, pw, w, zn, z[i], mu, i);
      });
}

template <bool kWeighted, bool kNextZ>
double DeviancePassK(const DevianceIo& io, const double* eta, double* z,
                     const std::vector<const double*>& xc, const Eigen::VectorXd& beta, int64_t n,
                     int threads) {
  switch (xc.size()) {
    case 0:
      return DeviancePass<0, kWeighted, kNextZ>(io, eta, z, xc, beta, n, threads);
    case 1:
      return DeviancePass<1, kWeighted, kNextZ>(io, eta, z, xc, beta, n, threads);
    case 2:
      return DeviancePass<2, kWeighted, kNextZ>(io, eta, z, xc, beta, n, threads);
    case 3:
      return DeviancePass<3, kWeighted, kNextZ>(io, eta, z, xc, beta, n, threads);
    default:
      return DeviancePass<-1, kWeighted, kNextZ>(io, eta, z, xc, beta, n, threads);
  }
}

double DeviancePassAnyK(const DevianceIo& io, const double* eta, double* z,
                        const std::vector<const double*>& xc, const Eigen::VectorXd& beta,
                        int64_t n, int threads) {
  if (io.pw) {
    return io.z_next ? DeviancePassK<true, true>(io, eta, z, xc, beta, n, threads)
                     : DeviancePassK<true, false>(io, eta, z, xc, beta, n, threads);
  }
  return io.z_next ? DeviancePassK<false, true>(io, eta, z, xc, beta, n, threads)
                   : DeviancePassK<false, false>(io, eta, z, xc, beta, n, threads);
}

// Keeps only the columns `kept` of x (n x k), in order.
void KeepColumns(std::vector<double>& x, int64_t n, const std::vector<int>& kept) {
  for (size_t j = 0; j < kept.size(); ++j) {
    const int c = kept[j];
    if (c != static_cast<int>(j)) {
      std::copy(x.begin() + c * n, x.begin() + (c + 1) * n,
                x.begin() + static_cast<int64_t>(j) * n);
    }
  }
  // Memory is given back only for dropped columns (shrink_to_fit copies the
  // values into fresh pages; rows dropped before are not worth that).
  const size_t before = x.size();
  x.resize(static_cast<size_t>(static_cast<int64_t>(kept.size()) * n));
  if (x.size() < before) x.shrink_to_fit();
}

}  // namespace

IrlsOutput RunIrls(const IrlsInput& in, const EstimateOptions& options, Demeaner& demeaner) {
  IrlsOutput out;
  const int64_t n = in.n;
  const int threads = options.threads > 0 ? options.threads : omp_get_max_threads();
  std::vector<double>& x = *in.x;
  const double* y = in.y;
  const double* pw = in.prior_w;
  const double* off = in.offset;
  core::ResizeHuge(out.w, static_cast<size_t>(n));
  core::AssignHuge(out.eta, static_cast<size_t>(n), 0.0);
  std::vector<double> z;
  core::ResizeHuge(z, static_cast<size_t>(n));
  std::vector<double>& w = out.w;
  std::vector<double>& eta = out.eta;
  const bool poisson = in.family == Family::kPoisson;
  // The next step's working outcome, formed by the deviance pass (Poisson
  // without an offset): one pass over the observations less per step.
  const bool fuse_z = poisson && !off;
  std::vector<double> z_next;
  if (fuse_z) core::ResizeHuge(z_next, static_cast<size_t>(n));
  bool z_ready = false;
  Reducer* reducer = in.reducer ? in.reducer : &LocalReducer();
  // y log y, the constant part of the Poisson deviance (0 at y = 0).
  std::vector<double> ylogy;
  core::ResizeHuge(ylogy, poisson ? static_cast<size_t>(n) : 0);

  if (poisson) {
    auto sums = BlockSums<2>(n, threads, [&](int64_t i, double* acc) {
      const double wi = pw ? pw[i] : 1.0;
      acc[0] += wi * y[i];
      acc[1] += wi;
    });
    reducer->SumDoubles(sums.data(), 2);
    const double mean_y = sums[0] / sums[1];
    const CountLogs count_logs;
#pragma omp parallel for num_threads(threads) schedule(static)
    for (int64_t i = 0; i < n; ++i) {
      const double mu = 0.5 * (y[i] + mean_y);
      eta[i] = std::log(mu);
      w[i] = (pw ? pw[i] : 1.0) * mu;
      ylogy[i] = y[i] > 0 ? y[i] * count_logs.Log(y[i]) : 0.0;
    }
  } else {
    for (int64_t i = 0; i < n; ++i) w[i] = pw ? pw[i] : 1.0;
  }
  demeaner.SetWeights(w.data());

  // Collinearity: given by the caller, or checked after the first demeaning,
  // which is then tight (options.demean_tolerance) for the regressors.
  int k = in.k;
  const bool check_collinear = in.kept == nullptr;
  std::vector<double> raw_ssq;
  if (check_collinear) {
    raw_ssq = WeightedSumsOfSquares(x.data(), k, n, w.data(), threads, reducer);
  } else {
    out.kept = *in.kept;
    KeepColumns(x, n, out.kept);
    k = static_cast<int>(out.kept.size());
  }

  std::vector<double> alpha_z;
  // Inexact Newton (Dembo, Eisenstat & Steihaug 1982): early IRLS steps only
  // need a descent direction, so the within-transformation starts loose
  // (1e-2) and tightens with the deviance change; the steps that decide
  // convergence always use options.demean_tolerance.
  double inner_tol = poisson ? std::max(1e-2, options.demean_tolerance) : options.demean_tolerance;
  double dev_old = std::numeric_limits<double>::infinity();
  out.termination = Termination::kMaxIterations;
  const int max_steps = poisson ? options.max_iterations : 1;
  for (int step = 1; step <= max_steps; ++step) {
    out.iterations = step;
    // Working outcome, with mu = w / prior weight (the weights come from the
    // previous step's deviance pass, or from the starting values).
    if (step > 1) demeaner.SetWeights(w.data());
    if (z_ready) {
      z.swap(z_next);  // formed by the previous step's deviance pass
    } else if (poisson && !off && !pw) {
      // The common case, without branches (vectorised).
      const double* __restrict wp = w.data();
      const double* __restrict ep = eta.data();
      double* __restrict zp = z.data();
#pragma omp parallel for simd num_threads(threads) schedule(static)
      for (int64_t i = 0; i < n; ++i) zp[i] = ep[i] + (y[i] - wp[i]) / wp[i];
    } else {
#pragma omp parallel for num_threads(threads) schedule(static)
      for (int64_t i = 0; i < n; ++i) {
        const double o = off ? off[i] : 0.0;
        if (poisson) {
          const double mu = pw ? w[i] / pw[i] : w[i];
          z[i] = eta[i] - o + (y[i] - mu) / mu;
        } else {
          z[i] = y[i] - o;
        }
      }
    }
    std::vector<double*> cols{z.data()};
    for (int c = 0; c < k; ++c) cols.push_back(x.data() + c * n);
    std::vector<std::vector<double>> alphas(static_cast<size_t>(k) + 1);
    alphas[0] = alpha_z;
    const bool final_tol = inner_tol <= options.demean_tolerance;
    std::vector<double> tols(cols.size(), inner_tol);
    const bool first_check = check_collinear && step == 1;
    if (first_check) std::fill(tols.begin() + 1, tols.end(), options.demean_tolerance);
    // cross: the weighted cross products of [z~, X~], formed in the final
    // demeaning pass (no separate pass for X~'WX~ and X~'Wz~).
    std::vector<double> cross;
    const DemeanReport r =
        demeaner.Demean(cols, alphas, tols, options.max_demean_iterations, &cross);
    const int nc = k + 1;
    out.demean_iterations += r.iterations;
    alpha_z = std::move(alphas[0]);
    if (!r.converged) {
      out.termination = Termination::kMaxIterations;
      out.message = fmt::format("demeaning did not converge in {} sweeps at IRLS step {}",
                                options.max_demean_iterations, step);
      return out;
    }
    std::vector<int> idx(static_cast<size_t>(k));  // this step's columns kept
    for (int c = 0; c < k; ++c) idx[static_cast<size_t>(c)] = c;
    if (first_check) {
      Eigen::MatrixXd g(k, k);
      for (int a = 0; a < k; ++a)
        for (int b = 0; b < k; ++b) g(a, b) = cross[static_cast<size_t>((1 + a) * nc + 1 + b)];
      out.kept = NonCollinearColumns(g, raw_ssq);
      KeepColumns(x, n, out.kept);
      idx = out.kept;
      k = static_cast<int>(out.kept.size());
    }
    out.xtwx.resize(k, k);
    Eigen::VectorXd xtwz(k);
    for (int a = 0; a < k; ++a) {
      const size_t ra =
          static_cast<size_t>(1 + idx[static_cast<size_t>(a)]) * static_cast<size_t>(nc);
      xtwz(a) = cross[ra];
      for (int b = 0; b < k; ++b)
        out.xtwx(a, b) = cross[ra + static_cast<size_t>(1 + idx[static_cast<size_t>(b)])];
    }
    out.beta = k > 0 ? Eigen::VectorXd(out.xtwx.ldlt().solve(xtwz)) : Eigen::VectorXd();
    if (!out.beta.allFinite()) {
      out.termination = Termination::kDiverged;
      out.message = fmt::format("non-finite coefficients at IRLS step {}", step);
      return out;
    }
    // New linear predictor into z (z~ is consumed element by element); for
    // Poisson in the same pass as the deviance and mu = exp(eta).
    const Eigen::VectorXd beta = out.beta;
    auto new_eta = [&](int64_t i) {
      double e = z[i];
      for (int c = 0; c < k; ++c) e -= x[static_cast<size_t>(c * n + i)] * beta(c);
      if (!poisson) return y[i] - e;
      const double mu = pw ? w[i] / pw[i] : w[i];
      return eta[i] + (y[i] - mu) / mu - e;
    };
    if (!poisson) {
#pragma omp parallel for num_threads(threads) schedule(static)
      for (int64_t i = 0; i < n; ++i) z[i] = new_eta(i);
      eta.swap(z);
      double rss = BlockSums<1>(n, threads, [&](int64_t i, double* acc) {
        const double e = y[i] - eta[i];
        acc[0] += (pw ? pw[i] : 1.0) * e * e;
      })[0];
      reducer->SumDoubles(&rss, 1);
      out.deviance = rss;
      out.termination = Termination::kConverged;
      break;
    }
    // (The pass reads w[i] before DevianceTerm overwrites it.)
    const DevianceIo dio{y, ylogy.data(), pw, w.data(), fuse_z ? z_next.data() : nullptr};
    std::vector<const double*> xc(static_cast<size_t>(k));
    for (int c = 0; c < k; ++c) xc[static_cast<size_t>(c)] = x.data() + c * n;
    double dev = 2 * DeviancePassAnyK(dio, eta.data(), z.data(), xc, beta, n, threads);
    reducer->SumDoubles(&dev, 1);
    int halvings = 0;
    while ((!std::isfinite(dev) || dev > dev_old * (1 + 1e-12)) && halvings < 20 &&
           std::isfinite(dev_old)) {
#pragma omp parallel for num_threads(threads) schedule(static)
      for (int64_t i = 0; i < n; ++i) z[i] = 0.5 * (z[i] + eta[i]);
      dev = PoissonDeviance(dio, z.data(), n, threads, reducer);
      ++halvings;
    }
    if (!std::isfinite(dev)) {
      out.termination = Termination::kDiverged;
      out.message = fmt::format("non-finite deviance at IRLS step {}", step);
      return out;
    }
    eta.swap(z);
    z_ready = fuse_z;  // z_next is that of the new eta (the last deviance pass evaluated it)
    const double eps = std::isfinite(dev_old)
                           ? std::fabs(dev - dev_old) / std::max(std::min(dev, dev_old), 0.1)
                           : std::numeric_limits<double>::infinity();
    out.deviance = dev;
    if (in.log != nullptr) {
      IterationRecord rec;
      rec.kind = IterationRecord::Kind::kIrls;
      rec.step = step;
      rec.deviance = dev;
      rec.eps = eps;
      rec.inner_tolerance = inner_tol;
      rec.inner_iterations = r.iterations;
      rec.halvings = halvings;
      rec.text = fmt::format(
          "IRLS step {:3d}: deviance {:.12g}  eps {:.3e}  inner tol {:.1e}  inner iterations {}{}",
          step, dev, eps, inner_tol, r.iterations,
          halvings ? fmt::format("  (step halved {}x)", halvings) : "");
      in.log->Add(std::move(rec));
    }
    dev_old = dev;
    if (eps < options.tolerance && final_tol) {
      out.termination = Termination::kConverged;
      // The weights of this step's regression (X~'WX~ and X~ are at those),
      // for the variance: pw exp(previous eta), as its deviance pass formed
      // them; the previous eta is in z after the swap.
#pragma omp parallel for num_threads(threads) schedule(static)
      for (int64_t b = 0; b < n; b += kExpPiece) {
        const int64_t e = std::min(n, b + kExpPiece);
        ExpArray(z.data() + b, w.data() + b, e - b);
        if (pw) {
          for (int64_t i = b; i < e; ++i) w[i] *= pw[i];
        }
      }
      break;
    }
    if (std::isfinite(eps)) {
      inner_tol = std::max(options.demean_tolerance, std::min(inner_tol, 1e-2 * eps));
      if (eps < 1e3 * options.tolerance) inner_tol = options.demean_tolerance;
    }
  }
  if (out.termination == Termination::kMaxIterations) {
    out.message = fmt::format(
        "IRLS reached the iteration limit ({}) without convergence; deviance "
        "{:.12g}",
        options.max_iterations, out.deviance);
  }
  return out;
}

}  // namespace rebalance::econ
