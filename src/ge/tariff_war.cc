// The IMLS (2025) one-sector tariff-war model: calibration, equilibrium
// solve and reported outcomes. Equations and the solution method are in
// include/rebalance/ge/tariff_war.h and docs/tariff_war.md.
//
// Implementation notes:
// - Tariffs enter only through B[j,i] = lambda[j,i] (1+t)^(-eps phi_i) and
//   Bp = B / (1+t), precomputed once per solve; a map evaluation is then
//   S = B' c, Q = Bp' c and one product Bp v (three N x N passes) plus O(N)
//   work, with c_j = (w_j L_j^-psi)^-eps.
// - The fixed point is on x = (log w_hat, log L_hat). E_hat follows from
//   the budget, E'_i (Q_i/S_i) = w L Y_i + T_i s (Q/S is the share of
//   spending that reaches producers), and the numeraire scale m of w_hat
//   from a scalar equation (closed form except for the price-index
//   numeraire with fixed nominal deficits: a few scalar Newton steps).
// - The independent check re-evaluates the 3N equations of MODEL.md
//   directly from lambda and t (pow per flow), not from B and Bp.
#include "rebalance/ge/tariff_war.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <set>

#include <fmt/format.h>

namespace rebalance::ge {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// Per-solve constants.
struct Model {
  int n = 0;
  double eps = 0, kappa = 0, psi = 0;
  bool income_tax = true;
  DeficitScaling deficit = DeficitScaling::kScaleWithWorldIncome;
  TariffWarNumeraire numeraire = TariffWarNumeraire::kPriceIndex;
  Eigen::VectorXd E, Y, T, nu, phi;
  double sum_E = 0, sum_Y = 0;
  Eigen::MatrixXd B, Bp;  // column-major: column i = importer i
  // Per-country step of the wage update: 1 / |d log(income / wage bill) /
  // d log w_i| at the base year (own-wage diagonal of the Jacobian).
  Eigen::VectorXd wage_step;
};

// Everything a map evaluation computes, at the normalised wage.
struct State {
  Eigen::VectorXd w, L, E_hat, P_hat, c, S, Q, income, revenue, tax, lhs;
  double s = 1.0;  // deficit scale factor
  bool ok = true;
};

// Fills `st` from (log w, log L) before normalisation; applies the numeraire
// scale m to w. Returns false outside the domain.
bool Evaluate(const Model& md, const Eigen::VectorXd& x, State* st) {
  const int n = md.n;
  st->w = x.head(n).array().exp();
  st->L = x.tail(n).array().exp();
  st->c = (-md.eps * (x.head(n).array() - md.psi * x.tail(n).array())).exp();
  st->S.noalias() = md.B.transpose() * st->c;
  st->Q.noalias() = md.Bp.transpose() * st->c;
  // Net share of spending reaching producers q_i = Q_i / S_i.
  const Eigen::ArrayXd q = st->Q.array() / st->S.array();
  const Eigen::ArrayXd wly = st->w.array() * st->L.array() * md.Y.array();
  const bool scale = md.deficit == DeficitScaling::kScaleWithWorldIncome;
  const double s1 = wly.sum() / md.sum_Y;
  // E_hat(m) = (m wly + T s(m)) / (E q); P_hat(m) = (E_hat/(m w))^(1-phi) m S^(-1/eps).
  const Eigen::ArrayXd s_root = st->S.array().pow(-1.0 / md.eps);
  auto p_hat = [&](double m, Eigen::ArrayXd* dlog) {
    const double s = scale ? m * s1 : 1.0;
    const Eigen::ArrayXd num = m * wly + md.T.array() * s;
    Eigen::ArrayXd e_hat = num / (md.E.array() * q);
    Eigen::ArrayXd p = (e_hat / (m * st->w.array())).pow(1.0 - md.phi.array()) * m * s_root;
    if (dlog != nullptr) {
      // d log P / d log m = 1 - (1-phi) (1 - d log num / d log m).
      const Eigen::ArrayXd dnum =
          scale ? Eigen::ArrayXd(Eigen::ArrayXd::Ones(md.n)) : Eigen::ArrayXd(m * wly / num);
      *dlog = 1.0 - (1.0 - md.phi.array()) * (1.0 - dnum);
    }
    return p;
  };
  double m = 1.0;
  if (md.numeraire == TariffWarNumeraire::kWorldIncome) {
    m = md.sum_Y / wly.sum();
  } else if (scale) {
    m = md.sum_E / (md.E.array() * p_hat(1.0, nullptr)).sum();
  } else {
    // Newton on log m for sum_i E_i P_hat_i(m) = sum_i E_i.
    m = md.sum_E / (md.E.array() * p_hat(1.0, nullptr)).sum();
    for (int it = 0; it < 50; ++it) {
      Eigen::ArrayXd dlog;
      const Eigen::ArrayXd p = p_hat(m, &dlog);
      const double g = (md.E.array() * p).sum();
      const double dg = (md.E.array() * p * dlog).sum();
      if (!std::isfinite(g) || !(dg > 0)) return false;
      const double step = std::log(md.sum_E / g) * g / dg;
      m *= std::exp(std::clamp(step, -1.0, 1.0));
      if (std::abs(step) < 1e-15) break;
    }
  }
  if (!(m > 0) || !std::isfinite(m)) return false;
  st->w *= m;
  st->s = scale ? m * s1 : 1.0;
  const double c_scale = std::pow(m, -md.eps);
  st->c *= c_scale;
  st->S *= c_scale;
  st->Q *= c_scale;
  st->income = (m * wly).matrix();
  const Eigen::ArrayXd spend = st->income.array() + md.T.array() * st->s;
  if ((spend <= 0).any()) return false;
  st->E_hat = (spend / (md.E.array() * q)).matrix();
  st->P_hat = ((st->E_hat.array() / st->w.array()).pow(1.0 - md.phi.array()) *
               st->S.array().pow(-1.0 / md.eps))
                  .matrix();
  const Eigen::ArrayXd e_new = st->E_hat.array() * md.E.array();
  st->revenue = (e_new * (1.0 - q)).matrix();
  if (md.income_tax) {
    st->tax = (st->revenue.array() / st->income.array()).matrix();
  } else {
    st->tax = Eigen::VectorXd::Zero(md.n);
  }
  // Wage income: c_i sum_k Bp[i,k] (1-nu_k) E'_k / S_k + nu_i E'_i q_i.
  const Eigen::VectorXd v = ((1.0 - md.nu.array()) * e_new / st->S.array()).matrix();
  st->lhs.noalias() = md.Bp * v;
  st->lhs = (st->c.array() * st->lhs.array() + md.nu.array() * e_new * q).matrix();
  return st->E_hat.allFinite() && st->P_hat.allFinite() && st->lhs.allFinite() &&
         (st->tax.array() < 1.0).all();
}

Status CheckShock(const TariffWarBaseline& b, const TariffWarShock& shock) {
  const int n = b.num_countries();
  if (shock.tariff.size() == 0) return Status::Ok();
  if (shock.tariff.rows() != n || shock.tariff.cols() != n) {
    return Status::InvalidArgument(
        fmt::format("tariff matrix is {} x {}, expected {} x {} (countries)", shock.tariff.rows(),
                    shock.tariff.cols(), n, n));
  }
  for (int i = 0; i < n; ++i) {
    for (int j = 0; j < n; ++j) {
      const double t = shock.tariff(j, i);
      if (!std::isfinite(t) || t <= -1.0) {
        return Status::InvalidArgument(
            fmt::format("tariff on {} -> {} is {}: must be finite and above -1", b.countries[j],
                        b.countries[i], t));
      }
      if (i == j && t != 0.0) {
        return Status::InvalidArgument(fmt::format(
            "tariff of {} on its own goods is {}: the diagonal must be zero", b.countries[i], t));
      }
    }
  }
  return Status::Ok();
}

// Largest error of the 3N equations of MODEL.md at (w, E_hat, L), evaluated
// directly from lambda and t.
double EquationError(const TariffWarBaseline& b, const TariffWarOptions& o,
                     const Eigen::MatrixXd& t, const Eigen::VectorXd& phi, const Eigen::VectorXd& w,
                     const Eigen::VectorXd& e_hat, const Eigen::VectorXd& l_hat) {
  const int n = b.num_countries();
  const Eigen::VectorXd E = b.Expenditure(), Y = b.Income();
  const Eigen::VectorXd T = E - Y;
  const double eps = o.epsilon, psi = o.Psi();
  Eigen::MatrixXd A(n, n), Xn(n, n);
  Eigen::VectorXd P(n), R(n), cost(n);
  for (int j = 0; j < n; ++j) cost(j) = std::pow(w(j) / std::pow(l_hat(j), psi), -eps);
  for (int i = 0; i < n; ++i) {
    double sum = 0;
    for (int j = 0; j < n; ++j) {
      const double tj = t.size() ? t(j, i) : 0.0;
      A(j, i) =
          b.flows(j, i) / E(i) * cost(j) * (tj == 0.0 ? 1.0 : std::pow(1.0 + tj, -eps * phi(i)));
      sum += A(j, i);
    }
    P(i) = std::pow(e_hat(i) / w(i), 1.0 - phi(i)) * std::pow(sum, -1.0 / eps);
    R(i) = 0;
    for (int j = 0; j < n; ++j) {
      const double tj = t.size() ? t(j, i) : 0.0;
      const double share = A(j, i) / sum;
      Xn(j, i) = share * e_hat(i) * E(i) / (1.0 + tj);
      R(i) += share * tj / (1.0 + tj) * e_hat(i) * E(i);
    }
  }
  double world_income = 0, sum_y = Y.sum();
  for (int i = 0; i < n; ++i) world_income += w(i) * l_hat(i) * Y(i);
  const double s = o.deficit == DeficitScaling::kScaleWithWorldIncome ? world_income / sum_y : 1.0;
  double err = 0;
  for (int i = 0; i < n; ++i) {
    double lhs = b.nu(i) * Xn.col(i).sum();
    for (int k = 0; k < n; ++k) lhs += (1.0 - b.nu(k)) * Xn(i, k);
    const double wly = w(i) * l_hat(i) * Y(i);
    err = std::max(err, std::abs(lhs - wly) / Y(i));
    err = std::max(err, std::abs(R(i) + wly + T(i) * s - e_hat(i) * E(i)) / Y(i));
    const double tau = o.revenue == RevenueUse::kIncomeTax ? R(i) / wly : 0.0;
    err = std::max(err,
                   std::abs(std::log(l_hat(i)) - o.kappa * std::log(w(i) / ((1.0 - tau) * P(i)))));
  }
  if (o.numeraire == TariffWarNumeraire::kPriceIndex) {
    err = std::max(err, std::abs(((P.array() - 1.0) * E.array()).sum()) / E.sum());
  } else {
    err = std::max(err, std::abs(world_income - sum_y) / sum_y);
  }
  return err;
}

}  // namespace

const char* ToString(RevenueUse use) {
  switch (use) {
    case RevenueUse::kIncomeTax:
      return "income_tax";
    case RevenueUse::kLumpSum:
      return "lump_sum";
  }
  return "?";
}

Result<RevenueUse> RevenueUseFromString(const std::string& s) {
  if (s == "income_tax") return RevenueUse::kIncomeTax;
  if (s == "lump_sum") return RevenueUse::kLumpSum;
  return Status::InvalidArgument(
      fmt::format("unknown revenue use '{}'; expected income_tax or lump_sum", s));
}

const char* ToString(DeficitScaling rule) {
  switch (rule) {
    case DeficitScaling::kFixedNominal:
      return "fixed_nominal";
    case DeficitScaling::kScaleWithWorldIncome:
      return "scale_with_world_income";
  }
  return "?";
}

Result<DeficitScaling> DeficitScalingFromString(const std::string& s) {
  if (s == "fixed_nominal") return DeficitScaling::kFixedNominal;
  if (s == "scale_with_world_income") return DeficitScaling::kScaleWithWorldIncome;
  return Status::InvalidArgument(fmt::format(
      "unknown deficit rule '{}'; expected fixed_nominal or scale_with_world_income", s));
}

const char* ToString(TariffWarNumeraire n) {
  switch (n) {
    case TariffWarNumeraire::kPriceIndex:
      return "price_index";
    case TariffWarNumeraire::kWorldIncome:
      return "world_income";
  }
  return "?";
}

Result<TariffWarNumeraire> TariffWarNumeraireFromString(const std::string& s) {
  if (s == "price_index") return TariffWarNumeraire::kPriceIndex;
  if (s == "world_income") return TariffWarNumeraire::kWorldIncome;
  return Status::InvalidArgument(
      fmt::format("unknown numeraire '{}'; expected price_index or world_income", s));
}

Eigen::VectorXd TariffWarBaseline::Expenditure() const { return flows.colwise().sum().transpose(); }

Eigen::VectorXd TariffWarBaseline::Income() const {
  return flows * (1.0 - nu.array()).matrix() + (nu.array() * Expenditure().array()).matrix();
}

Status TariffWarBaseline::Validate() const {
  const int n = num_countries();
  if (n < 2)
    return Status::InvalidArgument(
        fmt::format("tariff-war baseline needs at least 2 countries, got {}", n));
  if (flows.rows() != n || flows.cols() != n) {
    return Status::InvalidArgument(
        fmt::format("flows are {} x {} for {} countries", flows.rows(), flows.cols(), n));
  }
  if (nu.size() != n)
    return Status::InvalidArgument(fmt::format("nu has {} entries for {} countries", nu.size(), n));
  std::set<std::string> seen;
  for (const auto& c : countries) {
    if (c.empty()) return Status::InvalidArgument("empty country label");
    if (!seen.insert(c).second)
      return Status::InvalidArgument(fmt::format("duplicate country label '{}'", c));
  }
  for (int i = 0; i < n; ++i) {
    for (int j = 0; j < n; ++j) {
      const double x = flows(j, i);
      if (!std::isfinite(x) || x < 0) {
        return Status::InvalidArgument(fmt::format(
            "flow {} -> {} is {}: must be finite and non-negative", countries[j], countries[i], x));
      }
    }
    if (!(nu(i) >= 0 && nu(i) < 1)) {
      return Status::InvalidArgument(
          fmt::format("nu of {} is {}: must be in [0, 1)", countries[i], nu(i)));
    }
  }
  const Eigen::VectorXd E = Expenditure(), Y = Income();
  for (int i = 0; i < n; ++i) {
    if (!(E(i) > 0))
      return Status::InvalidArgument(
          fmt::format("expenditure of {} is not positive", countries[i]));
    if (!(Y(i) > 0))
      return Status::InvalidArgument(fmt::format("income of {} is not positive", countries[i]));
  }
  return Status::Ok();
}

Status TariffWarOptions::Validate() const {
  if (!(epsilon > 0) || !std::isfinite(epsilon))
    return Status::InvalidArgument(
        fmt::format("tariff_war epsilon must be positive, got {}", epsilon));
  if (!(kappa >= 0) || !std::isfinite(kappa))
    return Status::InvalidArgument(fmt::format("tariff_war kappa must be >= 0, got {}", kappa));
  if (!std::isfinite(psi)) return Status::InvalidArgument("tariff_war psi must be finite");
  if (!std::isfinite(theta) || theta == 0.0)
    return Status::InvalidArgument(fmt::format(
        "tariff_war theta must be positive (or negative for the default), got {}", theta));
  if (!(pass_through > 0) || !std::isfinite(pass_through))
    return Status::InvalidArgument(
        fmt::format("tariff_war pass_through must be positive, got {}", pass_through));
  if (!(tolerance > 0))
    return Status::InvalidArgument(
        fmt::format("tariff_war tolerance must be positive, got {}", tolerance));
  if (max_iterations < 1)
    return Status::InvalidArgument(
        fmt::format("tariff_war max_iterations must be >= 1, got {}", max_iterations));
  if (anderson_memory < 0 || anderson_memory > 100)
    return Status::InvalidArgument(
        fmt::format("tariff_war anderson_memory must be in [0, 100], got {}", anderson_memory));
  if (!(damping > 0 && damping <= 1))
    return Status::InvalidArgument(
        fmt::format("tariff_war damping must be in (0, 1], got {}", damping));
  return Status::Ok();
}

std::string TariffWarResult::BriefReport() const {
  return fmt::format(
      "{} in {} iterations ({} evaluations), step {:.2g}, equation error {:.2g}, {:.2f} ms",
      ToString(termination), iterations, function_evaluations, residual, max_equation_error,
      seconds * 1e3);
}

Result<TariffWarResult> SolveTariffWar(const TariffWarBaseline& baseline,
                                       const TariffWarShock& shock,
                                       const TariffWarOptions& options) {
  const auto start = std::chrono::steady_clock::now();
  RB_RETURN_IF_ERROR(options.Validate());
  RB_RETURN_IF_ERROR(baseline.Validate());
  RB_RETURN_IF_ERROR(CheckShock(baseline, shock));
  const int n = baseline.num_countries();
  Model md;
  md.n = n;
  md.eps = options.epsilon;
  md.kappa = options.kappa;
  md.psi = options.Psi();
  md.income_tax = options.revenue == RevenueUse::kIncomeTax;
  md.deficit = options.deficit;
  md.numeraire = options.numeraire;
  md.E = baseline.Expenditure();
  md.Y = baseline.Income();
  md.T = md.E - md.Y;
  md.nu = baseline.nu;
  md.sum_E = md.E.sum();
  md.sum_Y = md.Y.sum();
  const double theta = options.Theta();
  md.phi.resize(n);
  for (int i = 0; i < n; ++i) {
    const double a = (1.0 + theta) / ((1.0 - md.nu(i)) * theta) - 1.0 / theta - 1.0;
    md.phi(i) = options.pass_through + (options.nu_in_pass_through ? a : 0.0);
  }
  md.B.resize(n, n);
  md.Bp.resize(n, n);
  for (int i = 0; i < n; ++i) {
    for (int j = 0; j < n; ++j) {
      const double t = shock.tariff.size() ? shock.tariff(j, i) : 0.0;
      const double lambda = baseline.flows(j, i) / md.E(i);
      md.B(j, i) = t == 0.0 ? lambda : lambda * std::pow(1.0 + t, -md.eps * md.phi(i));
      md.Bp(j, i) = md.B(j, i) / (1.0 + t);
    }
  }

  // d log(income_i / wage bill_i) / d log w_i at the base year, from
  // exports (elasticity -(eps+1) relative to the wage bill) and the loss of
  // domestic share: -(eps+1) x_i - eps (1-nu_i) X_ii (1 - lambda_ii) / Y_i,
  // with x_i = sum_{k != i} (1-nu_k) X_ik / Y_i.
  md.wage_step.resize(n);
  for (int i = 0; i < n; ++i) {
    const double exports = baseline.flows.row(i).dot((1.0 - md.nu.array()).matrix()) -
                           (1.0 - md.nu(i)) * baseline.flows(i, i);
    const double own = baseline.flows(i, i);
    const double slope = (md.eps + 1.0) * exports / md.Y(i) +
                         md.eps * (1.0 - md.nu(i)) * own * (1.0 - own / md.E(i)) / md.Y(i);
    md.wage_step(i) = 1.0 / std::max(slope, 0.05);
  }

  State st;
  auto map = [&](const Eigen::VectorXd& x, Eigen::VectorXd* out) {
    out->resize(2 * n);
    if (!Evaluate(md, x, &st)) {
      out->setConstant(kNaN);
      return;
    }
    // w <- w (income / wage bill)^step (a diagonal Newton step); L from
    // labour supply.
    out->head(n) =
        st.w.array().log() + (st.lhs.array() / st.income.array()).log() * md.wage_step.array();
    out->tail(n) = md.kappa * (st.w.array() / ((1.0 - st.tax.array()) * st.P_hat.array())).log();
  };
  SolverOptions so;
  so.tolerance = options.tolerance;
  so.max_iterations = options.max_iterations;
  so.anderson_memory = options.anderson_memory;
  so.damping = options.damping;
  Eigen::VectorXd x = Eigen::VectorXd::Zero(2 * n);
  RB_ASSIGN_OR_RETURN(SolverResult sr, SolveFixedPoint(map, &x, so));

  TariffWarResult r;
  r.termination = sr.termination;
  r.iterations = sr.iterations;
  r.function_evaluations = sr.function_evaluations;
  r.restarts = sr.restarts;
  r.residual = sr.residual_norm;
  r.message = sr.message;
  if (r.converged()) {
    if (!Evaluate(md, x, &st)) {
      r.termination = SolverTermination::kDiverged;
      r.message = "the converged point lies outside the model's domain";
    } else {
      r.w_hat = st.w;
      r.L_hat = st.L;
      r.E_hat = st.E_hat;
      r.P_hat = st.P_hat;
      r.phi = md.phi;
      r.tariff_revenue = st.revenue;
      r.tax_rate = st.tax;
      r.flows_new.resize(n, n);
      for (int i = 0; i < n; ++i) {
        const double scale = r.E_hat(i) * md.E(i) / st.S(i);
        for (int j = 0; j < n; ++j) r.flows_new(j, i) = md.Bp(j, i) * st.c(j) * scale;
      }
      r.welfare_hat.resize(n);
      for (int i = 0; i < n; ++i) {
        const double delta =
            md.E(i) / (md.E(i) - md.kappa * (1.0 - r.tax_rate(i)) * md.Y(i) / (1.0 + md.kappa));
        r.welfare_hat(i) =
            delta * r.E_hat(i) / r.P_hat(i) + (1.0 - delta) * r.w_hat(i) * r.L_hat(i) / r.P_hat(i);
      }
      r.max_equation_error =
          EquationError(baseline, options, shock.tariff, md.phi, r.w_hat, r.E_hat, r.L_hat);
      const double limit = std::max(1e-8, 1e3 * options.tolerance);
      if (!(r.max_equation_error <= limit)) {
        r.termination = SolverTermination::kDiverged;
        r.message = fmt::format(
            "fixed point reached but the equilibrium equations miss by {:.3g} (limit {:.3g})",
            r.max_equation_error, limit);
      }
    }
  }
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return r;
}

TariffWarOutcomes TariffWarChanges(const TariffWarBaseline& b, const TariffWarResult& r) {
  const int n = b.num_countries();
  TariffWarOutcomes o;
  o.expenditure_base = b.Expenditure();
  o.income_base = b.Income();
  o.expenditure_new = (r.E_hat.array() * o.expenditure_base.array()).matrix();
  o.income_new = (r.w_hat.array() * r.L_hat.array() * o.income_base.array()).matrix();
  const Eigen::VectorXd diag = b.flows.diagonal(), diag_new = r.flows_new.diagonal();
  o.exports_base = b.flows.rowwise().sum() - diag;
  o.imports_base = b.flows.colwise().sum().transpose() - diag;
  o.exports_new = r.flows_new.rowwise().sum() - diag_new;
  o.imports_new = r.flows_new.colwise().sum().transpose() - diag_new;
  o.deficit_base = o.imports_base - o.exports_base;
  o.deficit_new = o.imports_new - o.exports_new;
  auto pct = [n](const Eigen::VectorXd& base, const Eigen::VectorXd& cf) {
    Eigen::VectorXd v(n);
    for (int i = 0; i < n; ++i) v(i) = PctChange(base(i), cf(i));
    return v;
  };
  o.welfare = 100.0 * (r.welfare_hat.array() - 1.0).matrix();
  o.deficit = pct(o.deficit_base, o.deficit_new);
  o.exports_gdp = pct((o.exports_base.array() / o.income_base.array()).matrix(),
                      (o.exports_new.array() / o.income_new.array()).matrix());
  o.imports_gdp = pct((o.imports_base.array() / o.income_base.array()).matrix(),
                      (o.imports_new.array() / o.income_new.array()).matrix());
  o.employment = 100.0 * (r.L_hat.array() - 1.0).matrix();
  o.prices = 100.0 * (r.P_hat.array() - 1.0).matrix();
  o.revenue_share = 100.0 * (r.tariff_revenue.array() / o.expenditure_base.array()).matrix();
  return o;
}

double ExpenditureWeightedMean(const TariffWarBaseline& b, const Eigen::VectorXd& values,
                               const std::vector<int>& members) {
  const Eigen::VectorXd E = b.Expenditure();
  double num = 0, den = 0;
  for (int i : members) {
    num += E(i) * values(i);
    den += E(i);
  }
  return den > 0 ? num / den : kNaN;
}

TidyTable TariffWarTidy(const std::string& scenario, const TariffWarBaseline& b,
                        const TariffWarResult& r, const std::vector<TariffWarGroup>& groups) {
  TidyTable t;
  const TariffWarOutcomes o = TariffWarChanges(b, r);
  const int n = b.num_countries();
  // A group row holds an expenditure-weighted mean of percent changes: the
  // mean is pct_change, written as an index (baseline 1, counterfactual
  // 1 + pct / 100) so every column stays finite.
  auto add_pct = [&](const std::string& who, const std::string& var, double pct) {
    TidyRow row;
    row.scenario = scenario;
    row.country = who;
    row.variable = var;
    row.baseline = 1.0;
    row.counterfactual = 1.0 + pct / 100.0;
    row.pct_change = pct;
    t.rows.push_back(row);
  };
  for (int i = 0; i < n; ++i) {
    const std::string& c = b.countries[i];
    // Welfare, employment and prices are indexes (baseline 1).
    t.Add(scenario, c, "", "", "welfare", 1.0, r.welfare_hat(i));
    t.Add(scenario, c, "", "", "deficit", o.deficit_base(i), o.deficit_new(i));
    t.Add(scenario, c, "", "", "exports_gdp", o.exports_base(i) / o.income_base(i),
          o.exports_new(i) / o.income_new(i));
    t.Add(scenario, c, "", "", "imports_gdp", o.imports_base(i) / o.income_base(i),
          o.imports_new(i) / o.income_new(i));
    t.Add(scenario, c, "", "", "employment", 1.0, r.L_hat(i));
    t.Add(scenario, c, "", "", "prices", 1.0, r.P_hat(i));
    t.Add(scenario, c, "", "", "wage", 1.0, r.w_hat(i));
    t.Add(scenario, c, "", "", "income", o.income_base(i), o.income_new(i));
    t.Add(scenario, c, "", "", "expenditure", o.expenditure_base(i), o.expenditure_new(i));
    t.Add(scenario, c, "", "", "exports", o.exports_base(i), o.exports_new(i));
    t.Add(scenario, c, "", "", "imports", o.imports_base(i), o.imports_new(i));
    t.Add(scenario, c, "", "", "tariff_revenue", 0.0, r.tariff_revenue(i));
    // Revenue in percent of base-year expenditure (MODEL.md item 6): a level
    // (baseline 0, counterfactual the percentage).
    t.Add(scenario, c, "", "", "tariff_revenue_share", 0.0, o.revenue_share(i));
  }
  const std::vector<std::pair<const char*, const Eigen::VectorXd*>> vars = {
      {"welfare", &o.welfare},         {"deficit", &o.deficit},
      {"exports_gdp", &o.exports_gdp}, {"imports_gdp", &o.imports_gdp},
      {"employment", &o.employment},   {"prices", &o.prices}};
  for (const auto& g : groups) {
    for (const auto& [name, v] : vars)
      add_pct(g.name, name, ExpenditureWeightedMean(b, *v, g.members));
    t.Add(scenario, g.name, "", "", "tariff_revenue_share", 0.0,
          ExpenditureWeightedMean(b, o.revenue_share, g.members));
  }
  return t;
}

// ---------------------------------------------------------------------------

std::string TariffWarCalibration::BriefReport() const {
  return fmt::format("nu({}) = {:.5f}, nu(rest) = {:.5f} (r11 = {:.5f}, r22 = {:.5f})",
                     reference_index >= 0 ? baseline.countries[reference_index] : "?", nu_reference,
                     nu_rest, r11, r22);
}

Result<TariffWarCalibration> CalibrateTariffWar(const std::vector<std::string>& countries,
                                                const Eigen::MatrixXd& trade,
                                                const Eigen::VectorXd& gdp,
                                                const TariffWarCalibrationOptions& options) {
  const int n = static_cast<int>(countries.size());
  if (trade.rows() != n || trade.cols() != n || gdp.size() != n) {
    return Status::InvalidArgument(fmt::format("calibration: {} countries, trade {} x {}, gdp {}",
                                               n, trade.rows(), trade.cols(), gdp.size()));
  }
  int ref = -1;
  for (int i = 0; i < n; ++i)
    if (countries[i] == options.reference) ref = i;
  if (ref < 0) {
    return Status::InvalidArgument(fmt::format(
        "calibration: reference country '{}' is not among the countries", options.reference));
  }
  Eigen::MatrixXd X = trade;
  X.diagonal().setZero();
  for (int i = 0; i < n; ++i) {
    if (!(gdp(i) > 0) || !std::isfinite(gdp(i)))
      return Status::InvalidArgument(
          fmt::format("calibration: GDP of {} is {}", countries[i], gdp(i)));
    for (int j = 0; j < n; ++j)
      if (!(X(j, i) >= 0) || !std::isfinite(X(j, i)))
        return Status::InvalidArgument(
            fmt::format("calibration: trade {} -> {} is {}", countries[j], countries[i], X(j, i)));
  }
  // Two-region aggregate: region 1 = reference, region 2 = the rest; trade
  // among the other countries is region 2's internal trade x22.
  const double x12 = X.row(ref).sum();  // reference exports
  const double x21 = X.col(ref).sum();  // reference imports
  const double x22 = X.sum() - x12 - x21;
  const double y1 = gdp(ref), y2 = gdp.sum() - gdp(ref);
  double nu1 = 0, nu2 = 0, r11 = 0, r22 = 0;
  auto shares = [&](double a1, double a2) {
    // T = (1-nu)(M - sum_k (1-nu_k) X[.,k]), E = Y_gdp + T on the aggregate.
    const double e1 = y1 + (1 - a1) * (x21 - (1 - a2) * x12);
    const double e2 = y2 + (1 - a2) * (x12 + x22 - (1 - a1) * x21 - (1 - a2) * x22);
    r11 = (e1 - x21) / (e1 - x21 + x12);
    r22 = (e2 - x12) / (e2 - x12 + x21);
  };
  // The moments are linear in nu given r11, r22, which depend weakly on nu:
  // iterate the 2 x 2 solve to a fixed point.
  bool converged = false;
  for (int it = 0; it < 200 && !converged; ++it) {
    shares(nu1, nu2);
    // r11 nu1 + (1-r11) nu2 = m1;  (1-r22) nu1 + r22 nu2 = m2.
    const double det = r11 * r22 - (1 - r11) * (1 - r22);
    if (std::abs(det) < 1e-14)
      return Status::NumericalError("calibration: the nu moment system is singular");
    const double n1 = (options.moment_1 * r22 - (1 - r11) * options.moment_2) / det;
    const double n2 = (r11 * options.moment_2 - (1 - r22) * options.moment_1) / det;
    converged = std::abs(n1 - nu1) < 1e-15 && std::abs(n2 - nu2) < 1e-15;
    nu1 = n1;
    nu2 = n2;
  }
  if (!converged)
    return Status::NotConverged(
        "calibration: the nu moment iteration did not converge in 200 steps");
  shares(nu1, nu2);
  TariffWarCalibration cal;
  cal.r11 = r11;
  cal.r22 = r22;
  cal.nu_reference = std::max(0.0, nu1);
  cal.nu_rest = std::max(0.0, nu2);
  cal.reference_index = ref;
  Eigen::VectorXd nu = Eigen::VectorXd::Constant(n, cal.nu_rest);
  nu(ref) = cal.nu_reference;
  // Per country: T, E, domestic sales, then E, Y, T recomputed.
  const Eigen::VectorXd M = X.colwise().sum().transpose();
  const Eigen::VectorXd out_net = X * (1.0 - nu.array()).matrix();
  for (int i = 0; i < n; ++i) {
    const double T = (1 - nu(i)) * (M(i) - out_net(i));
    const double E = gdp(i) + T;
    X(i, i) = std::max(0.0, E - M(i));
  }
  cal.baseline.countries = countries;
  cal.baseline.flows = std::move(X);
  cal.baseline.nu = nu;
  RB_RETURN_IF_ERROR(cal.baseline.Validate());
  return cal;
}

}  // namespace rebalance::ge
