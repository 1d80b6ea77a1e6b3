// The full-endowment step of one-sector gravity GE as the iterative procedure
// of Yotov, Piermartini, Monteiro & Larch (2016, "An Advanced Guide to Trade
// Policy Analysis", ch. 2, application 1 do-file, Step III.b), kept to
// reproduce the book's published tables (FullGeMethod::kYotov2016). It is not
// an exact equilibrium: the result's max_clearing_error says by how much it
// misses; gravity.cc's Newton solve is the exact one.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "gravity_internal.h"

namespace rebalance::ge {

// Yotov et al. (2016), ch. 2, application 1 do-file, Step III.b, replicated
// with exact linear algebra: the dependent variable of each PPML step is
// already gravity-consistent with the counterfactual costs, so the PPML fit
// reproduces it and its fixed effects are read off directly
// (exp_pi_i = X_i,ref / T'_i,ref with the reference importer's effect 1).
// Variable names follow the do-file (OMR/IMR are the book's resistances,
// OMR = Y * Pi^(1-sigma), IMR = P^(1-sigma)).
void SolveYotovIterative(const GravityEquilibrium& baseline, const GravityEquilibrium& conditional,
                         const Eigen::MatrixXd& t_cf, int ref, const GravityOptions& options,
                         GravityEquilibrium* full) {
  const Eigen::Index n = baseline.output.size();
  const double inv = 1.0 / (1.0 - options.sigma);
  const Eigen::VectorXd Y = baseline.output;
  const Eigen::VectorXd E = baseline.expenditure;
  const Eigen::ArrayXd phi = E.array() / Y.array();
  auto fixed_effects = [&](const Eigen::MatrixXd& X, const Eigen::MatrixXd& T, Eigen::ArrayXd* pi,
                           Eigen::ArrayXd* chi) {
    pi->resize(n);
    chi->resize(n);
    for (Eigen::Index i = 0; i < n; ++i) (*pi)[i] = X(i, ref) / T(i, ref);
    for (Eigen::Index j = 0; j < n; ++j) {
      (*chi)[j] = X(ref, j) / ((*pi)[ref] * T(ref, j));
    }
  };
  // Baseline fixed effects from the baseline solution's resistances (the
  // do-file's exp_pi_BLN, exp_chi_BLN): pi_i = Y_i E_ref / OMR_i and
  // chi_j = E_j / (IMR_j E_ref), with OMR = (world output) * Pi^(1-sigma) and
  // IMR = P^(1-sigma).
  Eigen::ArrayXd pi0(n), chi0(n), pi_c, chi_c;
  {
    const double yw = Y.sum();
    for (Eigen::Index i = 0; i < n; ++i) {
      const double omr = yw * std::pow(baseline.outward[i], 1.0 - options.sigma);
      const double imr = std::pow(baseline.inward[i], 1.0 - options.sigma);
      pi0[i] = Y[i] * E[ref] / omr;
      chi0[i] = E[i] / (imr * E[ref]);
    }
  }
  fixed_effects(conditional.flows, t_cf, &pi_c, &chi_c);
  const double er0 = E[ref];
  struct Step {
    Eigen::MatrixXd trade;
    Eigen::ArrayXd pi, chi, y, e, change_p, omr, imr, d_omr, d_imr;
    double er = 0.0;
  };
  std::vector<Step> st(2);
  st[0].trade = baseline.flows;
  st[0].pi = pi0;
  st[0].chi = chi0;
  st[0].y = Y.array();
  st[0].e = E.array();
  st[0].er = er0;
  st[0].change_p = Eigen::ArrayXd::Zero(n);  // the do-file's "= 0"
  st[0].omr = st[0].y * er0 / pi0;
  st[0].imr = st[0].e / (chi0 * er0);
  st[1].trade = conditional.flows;
  st[1].pi = pi_c;
  st[1].chi = chi_c;
  st[1].y = Y.array();
  st[1].e = E.array();
  st[1].er = er0;
  st[1].change_p = (pi_c / pi0).pow(inv);
  st[1].omr = st[1].y * er0 / pi_c;
  st[1].imr = st[1].e / (chi_c * er0);
  st[1].d_omr = Eigen::ArrayXd::Ones(n);
  st[1].d_imr = Eigen::ArrayXd::Ones(n);
  SolverResult record;
  record.termination = SolverTermination::kMaxIterations;
  size_t last = 1;
  for (int it = 1; it <= options.yotov_max_iterations; ++it) {
    const Step& a = st[st.size() - 1];  // s-2 in the do-file
    const Step& b = st[st.size() - 2];  // s-3
    Step next;
    next.trade = (a.change_p / a.d_omr).matrix().asDiagonal() * a.trade *
                 (a.change_p / a.d_imr).matrix().asDiagonal();
    next.y = next.trade.rowwise().sum().array();
    next.e = phi * next.y;
    next.er = next.e[ref];
    fixed_effects(next.trade, t_cf, &next.pi, &next.chi);
    next.change_p = ((next.pi / a.pi) / (next.er / a.er)).pow(inv);
    next.omr = next.y * next.er / next.pi;
    next.d_omr = next.omr / a.omr;
    next.imr = next.e / (next.chi * next.er);
    next.d_imr = next.imr / a.imr;
    // Stata's summarize over the 4761 exporter-importer rows: each
    // exporter's value repeated n times; sd with denominator N - 1.
    const Eigen::ArrayXd dif = a.change_p - b.change_p;
    const double mean = dif.mean();
    const double rows = static_cast<double>(n * n);
    const double sd =
        std::sqrt((dif - mean).square().sum() * static_cast<double>(n) / (rows - 1.0));
    const double mx = dif.maxCoeff();
    st.push_back(std::move(next));
    last = st.size() - 1;
    record.iterations = it;
    record.residual_norm = std::max(sd, std::fabs(mx));
    if (!(sd > options.yotov_criterion) && !(std::fabs(mx) > options.yotov_criterion)) {
      record.termination = SolverTermination::kConverged;
      break;
    }
    if (!std::isfinite(sd) || !std::isfinite(mx)) {
      record.termination = SolverTermination::kDiverged;
      break;
    }
  }
  const Step& fin = st[last];
  const Eigen::ArrayXd change_p_full = ((fin.pi / pi0) / (fin.er / er0)).pow(inv);
  const Eigen::ArrayXd y_full = change_p_full * Y.array();
  const Eigen::ArrayXd e_full = phi * y_full;
  const Eigen::ArrayXd omr_full = y_full * fin.er / fin.pi;
  const Eigen::ArrayXd imr_full = fin.e / (fin.chi * fin.er);
  full->output = y_full.matrix();
  full->expenditure = e_full.matrix();
  full->price = change_p_full.matrix();
  full->flows.resize(n, n);
  for (Eigen::Index i = 0; i < n; ++i) {
    for (Eigen::Index j = 0; j < n; ++j) {
      full->flows(i, j) = y_full[i] * e_full[j] * t_cf(i, j) / (imr_full[j] * omr_full[i]);
    }
  }
  const double yw = y_full.sum();
  full->outward = (omr_full / yw).pow(inv).matrix();
  full->inward = imr_full.pow(inv).matrix();
  full->real_gdp = (y_full / full->inward.array()).matrix();
  const Eigen::VectorXd rows = full->flows.rowwise().sum();
  const Eigen::VectorXd cols = full->flows.colwise().sum().transpose();
  double err = 0.0;
  for (Eigen::Index i = 0; i < n; ++i) {
    err = std::max(err, std::fabs(rows[i] / y_full[i] - 1.0));
    err = std::max(err, std::fabs(cols[i] / e_full[i] - 1.0));
  }
  full->max_clearing_error = err;
  full->unknowns = change_p_full.log().matrix();
  record.message = fmt::format(
      "Yotov et al. (2016) iterative procedure, stopping rule {} (criterion "
      "value {:.3g}); not an exact equilibrium: market clearing misses by "
      "{:.3g}",
      options.yotov_criterion, record.residual_norm, err);
  if (!full->flows.allFinite() || !full->real_gdp.allFinite()) {
    record.termination = SolverTermination::kDiverged;
  }
  full->solve = record;
}

}  // namespace rebalance::ge
