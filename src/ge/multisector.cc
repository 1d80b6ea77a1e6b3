// Multi-sector Eaton-Kortum model with input-output links, tariffs, deficits
// and subsidies, in changes: Caliendo & Parro (2015, REStud 82(1)), eqs.
// (7)-(11) and their section 3.3 equilibrium in changes; deficit closures of
// Dekle, Eaton & Kortum (2008). See include/rebalance/ge/multisector.h and
// docs/multisector.md.
//
// Method. The unknowns z = (log w_hat, log P_hat) are found as the fixed
// point of the map
//   log c_hat  = gamma log w_hat + sum_k gamma^{k,j} log P_hat^k      (eq. 7)
//   P_hat'     = [sum_i A_ni (c_hat_i)^-theta]^(-1/theta)              (eq. 8)
//   pi'_ni     = A_ni (c_hat_i)^-theta / P_hat'^-theta                 (eq. 9)
//   X'         = goods market clearing given pi', w_hat                (eq. 10)
//   w_hat'     = sum_j gamma_n^j Y_n^j' / VA_n, scaled so that world value
//                added is unchanged (numeraire)                        (eq. 11)
// where A_ni = pi_ni lambda_hat_i (kappa_hat_ni / omega_hat_ni)^-theta holds
// every exogenous change. The map is accelerated by Anderson mixing
// (solver.h); damping alone converges slowly because wage and income
// feedbacks through home-biased demand have eigenvalues close to one.
// X' solves a linear system whose operator has spectral radius below one
// (intermediate shares < 1), by warm-started Jacobi sweeps: successive outer
// iterates are close, so few sweeps are needed.
//
// Tricks: all powers c^-theta are computed once per (country, sector) per
// map evaluation, so the O(J N^2) loops are multiply-adds only; exogenous
// changes are folded into A once per solve.
// Limits: a (country, sector) with zero baseline expenditure keeps zero
// expenditure shares; if the model then demands its goods, that demand has
// no supplier, which is detected and reported as an error.
#include "rebalance/ge/multisector.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>

#include <fmt/format.h>
#include <Eigen/Dense>

#ifdef _OPENMP
#include <omp.h>
#endif

namespace rebalance::ge {

std::string MultisectorSolution::BriefReport() const {
  return fmt::format(
      "{} in {} iterations ({} inner sweeps, {} restarts), residual {:.3g}, "
      "market-clearing gap {:.3g}, {:.3f} s",
      ToString(termination), iterations, inner_iterations, restarts, residual, market_clearing_gap,
      seconds);
}

namespace {

// Inner tolerance = kInexactFactor x the smallest outer residual seen.
constexpr double kInexactFactor = 1e-3;
// Threads are used only from this many bilateral flows (J N^2) up.
constexpr size_t kMinParallelFlows = 20000;

// Exogenous data of one solve, in flat arrays.
class Model {
 public:
  Model(const Baseline& b, const ShockSet& s, int threads)
      : b_(b), N_(b.num_countries()), J_(b.num_sectors()), threads_(threads) {
    // Small models lose more to thread start-up and barriers than they gain.
    if (static_cast<size_t>(J_) * N_ * N_ < kMinParallelFlows) threads_ = 1;
    const size_t nf = static_cast<size_t>(J_) * N_ * N_;
    const size_t ncs = static_cast<size_t>(N_) * J_;
    A_.assign(nf, 0.0);
    fac_.assign(nf, 0.0);
    net_.assign(nf, 0.0);
    sub_.assign(nf, 0.0);
    trs_.assign(nf, 0.0);
    va0_.assign(N_, 0.0);
    x0_.assign(ncs, 0.0);
    for (int j = 0; j < J_; ++j) {
      const double th = b.theta[j];
      for (int n = 0; n < N_; ++n) {
        const double x = b.Expenditure(n, j);
        x0_[b.CS(n, j)] = x;
        for (int i = 0; i < N_; ++i) {
          const size_t f = b.FlowIndex(j, n, i);
          const double tau = b.tariff[f], tau1 = s.tariff_new[f];
          const double off = n != i ? 1.0 : 0.0;
          const double omega0 = 1.0 + b.ProductionSubsidy(i, j) + off * b.ExportSubsidy(i, j);
          const double omega1 =
              1.0 + s.production_subsidy_new[b.CS(i, j)] + off * s.export_subsidy_new[b.CS(i, j)];
          const double kappa_hat = (1.0 + tau1) / (1.0 + tau) * s.d_hat[f];
          const double pi0 = x > 0.0 ? b.flow[f] * (1.0 + tau) / x : 0.0;
          A_[f] = pi0 > 0.0
                      ? pi0 * s.lambda_hat[b.CS(i, j)] * std::pow(kappa_hat * omega0 / omega1, -th)
                      : 0.0;
          fac_[f] = omega1 / (1.0 + tau1);
          net_[f] = 1.0 / (1.0 + tau1);
          // Subsidy paid per unit of expenditure: exactly 0 without one.
          sub_[f] = (omega1 - 1.0) / (1.0 + tau1);
          trs_[f] = tau1 / (1.0 + tau1);
        }
      }
    }
    double world = 0.0;
    for (int n = 0; n < N_; ++n) {
      va0_[n] = b.ValueAdded(n);
      world += va0_[n];
    }
    world_va0_ = world;
    deficit_ = s.deficit_new;
    logc_.assign(ncs, 0.0);
    u_.assign(ncs, 0.0);
    pi_.assign(nf, 0.0);
    y_.assign(ncs, 0.0);
    subsidy_.assign(N_, 0.0);
  }

  int N() const { return N_; }
  int J() const { return J_; }
  size_t Dim() const { return static_cast<size_t>(N_) * (1 + J_); }
  double world_va0() const { return world_va0_; }
  const std::vector<double>& va0() const { return va0_; }
  const std::vector<double>& x0() const { return x0_; }

  // Steps (7)-(9): given log w (N) and log P (N*J, CS layout), fills logc_,
  // pi_ and the new log P.
  void Prices(const double* logw, const double* logP, double* logP_new) {
    const Baseline& b = b_;
    const int N = N_, J = J_;
    for (int n = 0; n < N; ++n) {
      for (int j = 0; j < J; ++j) {
        double lc = b.va_share[b.CS(n, j)] * logw[n];
        const double* io = &b.io_share[b.IoIndex(n, 0, j)];
        for (int k = 0; k < J; ++k) lc += io[static_cast<size_t>(k) * J] * logP[n * J + k];
        logc_[n * J + j] = lc;
        u_[n * J + j] = std::exp(-b.theta[j] * lc);
      }
    }
#pragma omp parallel for num_threads(threads_) if (threads_ != 1) schedule(static)
    for (int j = 0; j < J; ++j) {
      const double th = b.theta[j];
      for (int n = 0; n < N; ++n) {
        const size_t row = (static_cast<size_t>(j) * N + n) * N;
        double sum = 0.0;
        for (int i = 0; i < N; ++i) sum += A_[row + i] * u_[i * J + j];
        if (sum > 0.0) {
          const double inv = 1.0 / sum;
          for (int i = 0; i < N; ++i) pi_[row + i] = A_[row + i] * u_[i * J + j] * inv;
          logP_new[n * J + j] = -std::log(sum) / th;
        } else {
          for (int i = 0; i < N; ++i) pi_[row + i] = 0.0;
          logP_new[n * J + j] = 0.0;
        }
      }
    }
  }

  // Gross output Y (CS), subsidies paid (N) and the implied new expenditure
  // from X (step 10). Returns max |X_new - X|.
  double ExpenditureSweep(const double* w, const double* x, double* x_new) {
    const Baseline& b = b_;
    const int N = N_, J = J_;
    std::fill(y_.begin(), y_.end(), 0.0);
    std::fill(subsidy_.begin(), subsidy_.end(), 0.0);
    // Tariff revenue per unit of expenditure, by (n, j). One fused pass over
    // the J N^2 flows: serial, because y_ and subsidy_ are scattered by
    // exporter (the sector-parallel version below is used with threads).
    tr_share_.resize(static_cast<size_t>(N) * J);
    if (threads_ == 1) {
      for (int j = 0; j < J; ++j) {
        for (int n = 0; n < N; ++n) {
          const size_t row = (static_cast<size_t>(j) * N + n) * N;
          const double xn = x[n * J + j];
          const double* pi = &pi_[row];
          const double* fac = &fac_[row];
          const double* sub = &sub_[row];
          const double* trs = &trs_[row];
          double tr = 0.0;
          for (int i = 0; i < N; ++i) {
            const double v = pi[i] * xn;
            y_[i * J + j] += fac[i] * v;
            subsidy_[i] += sub[i] * v;
            tr += trs[i] * pi[i];
          }
          tr_share_[n * J + j] = tr;
        }
      }
    } else {
#pragma omp parallel for num_threads(threads_) schedule(static)
      for (int j = 0; j < J; ++j) {
        for (int n = 0; n < N; ++n) {
          const size_t row = (static_cast<size_t>(j) * N + n) * N;
          const double xn = x[n * J + j];
          double tr = 0.0;
          for (int i = 0; i < N; ++i) {
            const double v = pi_[row + i] * xn;
            y_[i * J + j] += fac_[row + i] * v;
            tr += trs_[row + i] * pi_[row + i];
          }
          tr_share_[n * J + j] = tr;
        }
      }
      for (int j = 0; j < J; ++j) {
        for (int n = 0; n < N; ++n) {
          const size_t row = (static_cast<size_t>(j) * N + n) * N;
          const double xn = x[n * J + j];
          for (int i = 0; i < N; ++i) subsidy_[i] += sub_[row + i] * pi_[row + i] * xn;
        }
      }
    }
    double diff = 0.0;
    for (int n = 0; n < N; ++n) {
      double revenue = 0.0;
      for (int j = 0; j < J; ++j) revenue += tr_share_[n * J + j] * x[n * J + j];
      const double subsidy = subsidy_[n];
      const double income = w[n] * va0_[n] + revenue - subsidy + deficit_[n];
      income_[n] = income;
      for (int j = 0; j < J; ++j) {
        double d = b.alpha[b.CS(n, j)] * income;
        const double* io = &b.io_share[b.IoIndex(n, j, 0)];
        const double* yn = &y_[static_cast<size_t>(n) * J];
        for (int k = 0; k < J; ++k) d += io[k] * yn[k];
        diff = std::max(diff, std::fabs(d - x[n * J + j]));
        x_new[n * J + j] = d;
      }
    }
    return diff;
  }

  // Solves step (10) for X by warm-started sweeps; returns sweeps used or -1
  // when the limit was reached.
  int SolveExpenditure(const double* w, std::vector<double>* x, double tol, int max_sweeps) {
    income_.resize(N_);
    std::vector<double>& cur = *x;
    next_.resize(cur.size());
    for (int it = 1; it <= max_sweeps; ++it) {
      const double diff = ExpenditureSweep(w, cur.data(), next_.data());
      cur.swap(next_);
      double total = 0.0;
      for (double v : cur) total += v;
      if (!(std::isfinite(diff) && std::isfinite(total))) return -1;
      if (diff <= tol * std::max(total, 1e-300)) return it;
    }
    return -1;
  }

  // After SolveExpenditure: Y and income at the current X (one more sweep
  // keeps y_/income_ consistent with x).
  void Refresh(const double* w, const double* x) {
    next_.resize(static_cast<size_t>(N_) * J_);
    ExpenditureSweep(w, x, next_.data());
  }

  const std::vector<double>& pi() const { return pi_; }
  const std::vector<double>& logc() const { return logc_; }
  const std::vector<double>& y() const { return y_; }
  const std::vector<double>& subsidy() const { return subsidy_; }
  const std::vector<double>& income() const { return income_; }
  const std::vector<double>& tr_share() const { return tr_share_; }
  const std::vector<double>& fac() const { return fac_; }
  const std::vector<double>& net() const { return net_; }
  const std::vector<double>& deficit() const { return deficit_; }

 private:
  const Baseline& b_;
  int N_, J_, threads_;
  std::vector<double> A_, fac_, net_, sub_, trs_, va0_, x0_, deficit_;
  double world_va0_ = 0.0;
  std::vector<double> logc_, u_, pi_, y_, subsidy_, income_, tr_share_, next_;
};

double WorldSum(const std::vector<double>& v) {
  double s = 0.0;
  for (double x : v) s += x;
  return s;
}

}  // namespace

Result<MultisectorSolution> SolveMultisector(const Baseline& baseline, const ShockSet& shocks,
                                             const MultisectorOptions& options,
                                             const MultisectorSolution* warm_start) {
  const auto t0 = std::chrono::steady_clock::now();
  RB_RETURN_IF_ERROR(options.Validate());
  RB_RETURN_IF_ERROR(baseline.ValidateStructure());
  RB_RETURN_IF_ERROR(shocks.Validate(baseline));
  const int N = baseline.num_countries(), J = baseline.num_sectors();
  const size_t ncs = static_cast<size_t>(N) * J;
  for (int n = 0; n < N; ++n) {
    if (!(baseline.ValueAdded(n) > 0.0)) {
      return Status::InvalidArgument(
          fmt::format("country '{}' has no value added in the baseline; wages are not "
                      "defined",
                      baseline.countries[n]));
    }
  }
#ifdef _OPENMP
  const int threads = options.threads == 0 ? omp_get_max_threads() : options.threads;
#else
  const int threads = 1;
#endif
  Model model(baseline, shocks, threads);

  // Start: warm start or no change.
  Eigen::VectorXd z = Eigen::VectorXd::Zero(static_cast<Eigen::Index>(model.Dim()));
  std::vector<double> x = model.x0();
  if (warm_start != nullptr) {
    if (warm_start->w_hat.size() != static_cast<size_t>(N) || warm_start->P_hat.size() != ncs ||
        warm_start->X_new.size() != ncs) {
      return Status::InvalidArgument("warm start does not match the baseline's dimensions");
    }
    for (int n = 0; n < N; ++n) z[n] = std::log(warm_start->w_hat[n]);
    for (size_t c = 0; c < ncs; ++c)
      z[N + static_cast<Eigen::Index>(c)] = std::log(warm_start->P_hat[c]);
    x = warm_start->X_new;
    if (!z.allFinite()) {
      return Status::InvalidArgument("warm start has non-positive hats");
    }
  }

  MultisectorSolution sol;
  int inner_total = 0;
  bool inner_failed = false;
  std::vector<double> w(N);
  const double world_va0 = model.world_va0();
  const auto& va0 = model.va0();

  // Inexact inner solves: far from the solution the expenditure system
  // needs only an accuracy proportional to the current outer residual
  // (inexact fixed-point / Newton practice); `exact` forces full accuracy.
  double last_residual = 1.0;
  bool exact = false;
  auto map = [&](const Eigen::VectorXd& in, Eigen::VectorXd* out) {
    out->resize(in.size());
    model.Prices(in.data(), in.data() + N, out->data() + N);
    for (int n = 0; n < N; ++n) w[n] = std::exp(in[n]);
    const double inner_tol =
        exact ? options.inner_tolerance
              : std::max(options.inner_tolerance, kInexactFactor * last_residual);
    const int sweeps =
        model.SolveExpenditure(w.data(), &x, inner_tol, options.inner_max_iterations);
    if (sweeps < 0) {
      inner_failed = true;
      inner_total += options.inner_max_iterations;
      x = model.x0();  // restart the inner solve from a sane point
      out->setConstant(std::numeric_limits<double>::quiet_NaN());
      return;
    }
    inner_total += sweeps;
    model.Refresh(w.data(), x.data());
    // Labour-market clearing and the numeraire (world VA unchanged).
    const auto& y = model.y();
    std::vector<double> w_new(N);
    double world = 0.0;
    for (int n = 0; n < N; ++n) {
      double va = 0.0;
      for (int j = 0; j < J; ++j) va += baseline.va_share[baseline.CS(n, j)] * y[n * J + j];
      w_new[n] = va / va0[n];
      world += w_new[n] * va0[n];
    }
    const double scale = world > 0.0 ? world_va0 / world : std::nan("");
    for (int n = 0; n < N; ++n) (*out)[n] = std::log(w_new[n] * scale);
    const double r = ResidualNorm(*out - in);
    if (std::isfinite(r)) last_residual = std::min(last_residual, r);
  };

  SolverOptions so = options.solver;
  RB_ASSIGN_OR_RETURN(SolverResult sr, SolveFixedPoint(map, &z, so));

  // Final evaluation at the solver's iterate, with an exact inner solve, so
  // every field is consistent; if the inexact solves left the fixed point
  // short of the tolerance, polish with exact evaluations (warm).
  Eigen::VectorXd gz;
  exact = true;
  inner_failed = false;
  map(z, &gz);
  if (sr.converged() && !(ResidualNorm(gz - z) <= options.solver.tolerance)) {
    const int used = sr.iterations;
    so.max_iterations = std::max(1, options.solver.max_iterations - used);
    RB_ASSIGN_OR_RETURN(sr, SolveFixedPoint(map, &z, so));
    sr.iterations += used;
    inner_failed = false;
    map(z, &gz);
  }
  sol.termination = sr.termination;
  sol.iterations = sr.iterations;
  sol.restarts = sr.restarts;
  sol.residual = gz.allFinite() ? ResidualNorm(gz - z) : sr.residual_norm;
  sol.message = sr.message;
  if (inner_failed || !gz.allFinite()) {
    sol.termination = SolverTermination::kDiverged;
    sol.message =
        "the expenditure (goods market) solve did not converge at the "
        "final iterate";
  }
  sol.inner_iterations = inner_total;

  // Fill the solution.
  sol.w_hat.resize(N);
  sol.P_hat.resize(ncs);
  sol.c_hat.resize(ncs);
  for (int n = 0; n < N; ++n) sol.w_hat[n] = std::exp(z[n]);
  for (size_t c = 0; c < ncs; ++c) {
    sol.P_hat[c] = std::exp(z[N + static_cast<Eigen::Index>(c)]);
    sol.c_hat[c] = std::exp(model.logc()[c]);
  }
  sol.pi_new = model.pi();
  sol.X_new = x;
  sol.Y_new = model.y();
  const size_t nf = sol.pi_new.size();
  sol.flow_new.resize(nf);
  for (int j = 0; j < J; ++j)
    for (int n = 0; n < N; ++n)
      for (int i = 0; i < N; ++i) {
        const size_t f = baseline.FlowIndex(j, n, i);
        sol.flow_new[f] = model.net()[f] * sol.pi_new[f] * x[n * J + j];
      }
  sol.va_new.resize(N);
  sol.tariff_revenue_new.resize(N);
  sol.subsidy_cost_new.resize(N);
  sol.income_new.resize(N);
  sol.welfare_hat.resize(N);
  sol.real_wage_hat.resize(N);
  sol.deficit_new = shocks.deficit_new;
  for (int n = 0; n < N; ++n) {
    double va = 0.0, rev = 0.0, log_cpi = 0.0;
    for (int j = 0; j < J; ++j) {
      const size_t c = baseline.CS(n, j);
      va += baseline.va_share[c] * sol.Y_new[c];
      rev += model.tr_share()[c] * x[c];
      log_cpi += baseline.alpha[c] * std::log(sol.P_hat[c]);
    }
    sol.va_new[n] = va;
    sol.tariff_revenue_new[n] = rev;
    sol.subsidy_cost_new[n] = model.subsidy()[n];
    sol.income_new[n] = sol.w_hat[n] * va0[n] + rev - sol.subsidy_cost_new[n] + sol.deficit_new[n];
    const double income0 = baseline.Income(n);
    sol.welfare_hat[n] = (sol.income_new[n] / income0) / std::exp(log_cpi);
    sol.real_wage_hat[n] = sol.w_hat[n] / std::exp(log_cpi);
  }
  auto res = EvaluateResiduals(baseline, shocks, sol.w_hat, sol.P_hat, sol.X_new);
  if (res.ok()) {
    sol.market_clearing_gap = std::max({res->goods_market, res->trade_balance, res->world_balance});
  }
  // Any demand left without a supplier (zero baseline shares) breaks
  // Walras' law; report it rather than return a wrong equilibrium.
  if (sol.converged()) {
    for (int n = 0; n < N; ++n) {
      for (int j = 0; j < J; ++j) {
        const size_t c = baseline.CS(n, j);
        double s = 0.0;
        for (int i = 0; i < N; ++i) s += sol.pi_new[baseline.FlowIndex(j, n, i)];
        if (s == 0.0 && x[c] > 1e-12 * WorldSum(x)) {
          return Status::FailedPrecondition(
              fmt::format("'{}' demands sector '{}' in the counterfactual but has no "
                          "supplier in the baseline (zero expenditure shares)",
                          baseline.countries[n], baseline.sectors[j]));
        }
      }
    }
  }
  for (double v : sol.X_new) {
    if (!std::isfinite(v)) {
      sol.termination = SolverTermination::kDiverged;
      sol.message = "non-finite expenditure in the solution";
      break;
    }
  }
  sol.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return sol;
}

Result<EquilibriumResiduals> EvaluateResiduals(const Baseline& b, const ShockSet& s,
                                               const std::vector<double>& w_hat,
                                               const std::vector<double>& P_hat,
                                               const std::vector<double>& X_new) {
  const int N = b.num_countries(), J = b.num_sectors();
  const size_t ncs = static_cast<size_t>(N) * J;
  if (w_hat.size() != static_cast<size_t>(N) || P_hat.size() != ncs || X_new.size() != ncs) {
    return Status::InvalidArgument("EvaluateResiduals: size mismatch");
  }
  // A straightforward re-implementation (no shared code with Model) so the
  // check is independent of the solver's bookkeeping.
  EquilibriumResiduals r;
  std::vector<double> c(ncs), pi(b.flow.size());
  for (int n = 0; n < N; ++n)
    for (int j = 0; j < J; ++j) {
      double lc = b.va_share[b.CS(n, j)] * std::log(w_hat[n]);
      for (int k = 0; k < J; ++k)
        lc += b.io_share[b.IoIndex(n, k, j)] * std::log(P_hat[b.CS(n, k)]);
      c[b.CS(n, j)] = std::exp(lc);
    }
  double world_x = 0.0;
  for (double v : X_new) world_x += v;
  for (int j = 0; j < J; ++j) {
    const double th = b.theta[j];
    for (int n = 0; n < N; ++n) {
      const double x0 = b.Expenditure(n, j);
      double sum = 0.0;
      std::vector<double> term(N, 0.0);
      for (int i = 0; i < N; ++i) {
        const size_t f = b.FlowIndex(j, n, i);
        if (x0 <= 0.0 || b.flow[f] <= 0.0) continue;
        const double pi0 = b.flow[f] * (1.0 + b.tariff[f]) / x0;
        const double off = n != i ? 1.0 : 0.0;
        const double om0 = 1.0 + b.ProductionSubsidy(i, j) + off * b.ExportSubsidy(i, j);
        const double om1 =
            1.0 + s.production_subsidy_new[b.CS(i, j)] + off * s.export_subsidy_new[b.CS(i, j)];
        const double kh = (1.0 + s.tariff_new[f]) / (1.0 + b.tariff[f]) * s.d_hat[f] * om0 / om1;
        term[i] = pi0 * s.lambda_hat[b.CS(i, j)] * std::pow(kh * c[b.CS(i, j)], -th);
        sum += term[i];
      }
      if (sum > 0.0) {
        const double p = std::pow(sum, -1.0 / th);
        r.price_index = std::max(r.price_index, std::fabs(std::log(P_hat[b.CS(n, j)] / p)));
        for (int i = 0; i < N; ++i) pi[b.FlowIndex(j, n, i)] = term[i] / sum;
      }
    }
  }
  // Goods market clearing and trade balances from the implied flows.
  std::vector<double> y(ncs, 0.0), exports(N, 0.0), imports(N, 0.0), revenue(N, 0.0), sales(N, 0.0);
  for (int j = 0; j < J; ++j)
    for (int n = 0; n < N; ++n)
      for (int i = 0; i < N; ++i) {
        const size_t f = b.FlowIndex(j, n, i);
        const double spend = pi[f] * X_new[b.CS(n, j)];
        const double paid = spend / (1.0 + s.tariff_new[f]);
        const double om1 = 1.0 + s.production_subsidy_new[b.CS(i, j)] +
                           (n != i ? s.export_subsidy_new[b.CS(i, j)] : 0.0);
        y[b.CS(i, j)] += om1 * paid;
        sales[i] += paid;
        revenue[n] += spend - paid;
        if (n != i) {
          imports[n] += paid;
          exports[i] += paid;
        }
      }
  double world_bal = 0.0;
  for (int n = 0; n < N; ++n) {
    double out = 0.0;
    for (int j = 0; j < J; ++j) out += y[b.CS(n, j)];
    const double income =
        w_hat[n] * b.ValueAdded(n) + revenue[n] - (out - sales[n]) + s.deficit_new[n];
    for (int j = 0; j < J; ++j) {
      double d = b.alpha[b.CS(n, j)] * income;
      for (int k = 0; k < J; ++k) d += b.io_share[b.IoIndex(n, j, k)] * y[b.CS(n, k)];
      r.goods_market = std::max(r.goods_market, std::fabs(d - X_new[b.CS(n, j)]) / world_x);
    }
    r.trade_balance =
        std::max(r.trade_balance, std::fabs(imports[n] - exports[n] - s.deficit_new[n]) / world_x);
    world_bal += exports[n] - imports[n];
  }
  r.world_balance = std::fabs(world_bal) / world_x;
  return r;
}

Result<Baseline> ApplySolution(const Baseline& baseline, const ShockSet& shocks,
                               const MultisectorSolution& solution) {
  if (solution.flow_new.size() != baseline.flow.size()) {
    return Status::InvalidArgument("ApplySolution: solution does not match baseline");
  }
  Baseline out = baseline;
  out.flow = solution.flow_new;
  out.tariff = shocks.tariff_new;
  out.iceberg.resize(baseline.flow.size());
  for (size_t f = 0; f < out.iceberg.size(); ++f)
    out.iceberg[f] = (baseline.iceberg.empty() ? 1.0 : baseline.iceberg[f]) * shocks.d_hat[f];
  out.production_subsidy = shocks.production_subsidy_new;
  out.export_subsidy = shocks.export_subsidy_new;
  out.deficit = solution.deficit_new;
  return out;
}

Result<MultisectorSolution> SolveMultisectorOrError(const Baseline& baseline,
                                                    const ShockSet& shocks,
                                                    const MultisectorOptions& options,
                                                    const MultisectorSolution* warm_start) {
  RB_ASSIGN_OR_RETURN(MultisectorSolution sol,
                      SolveMultisector(baseline, shocks, options, warm_start));
  if (!sol.converged()) {
    return Status::NotConverged(fmt::format("multi-sector equilibrium '{}' did not converge: {}{}",
                                            shocks.name, sol.BriefReport(),
                                            sol.message.empty() ? "" : " (" + sol.message + ")"));
  }
  return sol;
}

Result<Baseline> SolveBaseYear(const Baseline& raw, const MultisectorOptions& options,
                               MultisectorSolution* solution) {
  ShockSet none = ShockSet::None(raw);
  none.name = "base_year";
  RB_ASSIGN_OR_RETURN(MultisectorSolution sol, SolveMultisectorOrError(raw, none, options));
  RB_ASSIGN_OR_RETURN(Baseline out, ApplySolution(raw, none, sol));
  if (solution != nullptr) *solution = std::move(sol);
  return out;
}

Result<Baseline> ZeroDeficitBaseline(const Baseline& baseline, const MultisectorOptions& options,
                                     MultisectorSolution* solution) {
  ShockSpec spec;
  spec.name = "zero_deficit_baseline";
  spec.deficit_rule = DeficitRule::kZero;
  RB_ASSIGN_OR_RETURN(ShockSet shocks, ResolveShocks(baseline, spec));
  RB_ASSIGN_OR_RETURN(MultisectorSolution sol, SolveMultisectorOrError(baseline, shocks, options));
  RB_ASSIGN_OR_RETURN(Baseline out, ApplySolution(baseline, shocks, sol));
  if (solution != nullptr) *solution = std::move(sol);
  return out;
}

}  // namespace rebalance::ge
