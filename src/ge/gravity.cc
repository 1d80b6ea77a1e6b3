// One-sector structural gravity in general equilibrium (Anderson & van
// Wincoop 2003; Yotov et al. 2016, ch. 2; Baier, Yotov & Zylkin 2019).
//
// Formulation. Write A_i = (beta_i p_i)^(1-sigma) = (Y_i / Y) / Pi_i^(1-sigma)
// (the exporter "fixed effect") and P_j for P_j^(1-sigma). Then
//   P_j = sum_i T_ij A_i,   X_ij = A_i T_ij E_j / P_j,
// and every equilibrium is a matrix-scaling problem: find A such that the
// flows' row sums equal output, with P_ref = 1 pinning the scale. All three
// solves (baseline resistances, conditional GE, full GE) are Newton on
//   F_i = log(A'_i sum_j T'_ij E'_j / P'_j) - log Y'_i   (i != ref)
//   F_ref = log P'_ref
// in log unknowns x, with the ref row's market clearing replaced by the
// normalisation (it is implied by Walras' law, sum_i Y'_i = sum_j E'_j):
//   baseline / conditional: A' = A0 exp(x), Y' = Y, E' = E;
//   full endowment:         A' = A exp((1-sigma) x), Y' = Y exp(x), p = e^x,
// since with endowments fixed Y_i = p_i Q_i and (beta_i p_i)^(1-sigma) moves
// with p_i^(1-sigma): this is exactly p_hat = (Y_hat_i/Y_hat)^(1/(1-sigma)) /
// Pi_hat_i of Yotov et al. (2016, ch. 2, eq. (4)), solved jointly with the
// resistances instead of by the book's nested re-estimation loop.
//
// Tricks: the Jacobian is analytic (one n x n x n product per iteration);
// log unknowns keep every iterate positive; the full-GE solve starts from
// the conditional solution's resistances so large shocks need no rescaling
// (the `omr_rescale` problem of gegravity does not arise: P_ref = 1 fixes
// the scale exactly and residuals are relative).
//
// Limits: a country's expenditure under the additive closure must stay
// positive (a huge deficit with a large output fall can violate it: the
// solve then reports divergence, never a number).
#include "rebalance/ge/gravity.h"

#include "gravity_internal.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <set>

#include "rebalance/data/table.h"

namespace rebalance::ge {

const char* ToString(DeficitClosure closure) {
  switch (closure) {
    case DeficitClosure::kRatioFixed:
      return "ratio";
    case DeficitClosure::kAdditive:
      return "additive";
    case DeficitClosure::kBalanced:
      return "balanced";
  }
  return "unknown";
}

Result<DeficitClosure> DeficitClosureFromString(const std::string& s) {
  if (s == "ratio") return DeficitClosure::kRatioFixed;
  if (s == "additive") return DeficitClosure::kAdditive;
  if (s == "balanced") return DeficitClosure::kBalanced;
  return Status::InvalidArgument(
      fmt::format("unknown deficit closure '{}' (expected ratio, additive or balanced)", s));
}

const char* ToString(FullGeMethod method) {
  switch (method) {
    case FullGeMethod::kExact:
      return "exact";
    case FullGeMethod::kYotov2016:
      return "yotov2016";
  }
  return "unknown";
}

Result<FullGeMethod> FullGeMethodFromString(const std::string& s) {
  if (s == "exact") return FullGeMethod::kExact;
  if (s == "yotov2016") return FullGeMethod::kYotov2016;
  return Status::InvalidArgument(
      fmt::format("unknown full-GE method '{}' (expected exact or yotov2016)", s));
}

Status GravityData::Validate() const {
  const Eigen::Index n = static_cast<Eigen::Index>(countries.size());
  if (n < 2) {
    return Status::InvalidArgument(fmt::format("gravity needs at least 2 countries, got {}", n));
  }
  if (flows.rows() != flows.cols()) {
    return Status::InvalidArgument(fmt::format(
        "flow matrix is not square: {} exporters x {} importers", flows.rows(), flows.cols()));
  }
  if (flows.rows() != n) {
    return Status::InvalidArgument(fmt::format(
        "flow matrix is {}x{} but there are {} country labels", flows.rows(), flows.cols(), n));
  }
  std::set<std::string> seen;
  for (const auto& c : countries) {
    if (c.empty()) return Status::InvalidArgument("empty country label");
    if (!seen.insert(c).second) {
      return Status::InvalidArgument(fmt::format("duplicate country label '{}'", c));
    }
  }
  for (Eigen::Index i = 0; i < n; ++i) {
    for (Eigen::Index j = 0; j < n; ++j) {
      const double x = flows(i, j);
      if (!std::isfinite(x)) {
        return Status::InvalidArgument(
            fmt::format("flow {} -> {} is not finite", countries[i], countries[j]));
      }
      if (x < 0.0) {
        return Status::InvalidArgument(
            fmt::format("flow {} -> {} is negative ({})", countries[i], countries[j], x));
      }
    }
    if (!(flows(i, i) > 0.0)) {
      return Status::InvalidArgument(
          fmt::format("country {} has no domestic sales (flow {} -> {} is {}); structural "
                      "gravity needs positive domestic sales for every country",
                      countries[i], countries[i], countries[i], flows(i, i)));
    }
  }
  return Status::Ok();
}

namespace {

Status ValidateCostMatrix(const Eigen::MatrixXd& m, Eigen::Index n, const char* what) {
  if (m.rows() != n || m.cols() != n) {
    return Status::InvalidArgument(
        fmt::format("{} trade costs are {}x{}, expected {}x{}", what, m.rows(), m.cols(), n, n));
  }
  for (Eigen::Index i = 0; i < n; ++i) {
    for (Eigen::Index j = 0; j < n; ++j) {
      if (!std::isfinite(m(i, j)) || m(i, j) < 0.0) {
        return Status::InvalidArgument(
            fmt::format("{} trade cost t^(1-sigma) at ({}, {}) must be finite and "
                        "non-negative, got {}",
                        what, i, j, m(i, j)));
      }
    }
    if (!(m(i, i) > 0.0)) {
      return Status::InvalidArgument(fmt::format(
          "{} domestic trade cost t^(1-sigma) of country {} must be positive", what, i));
    }
  }
  return Status::Ok();
}

}  // namespace

int FindLabel(const std::vector<std::string>& labels, const std::string& s) {
  auto it = std::find(labels.begin(), labels.end(), s);
  return it == labels.end() ? -1 : static_cast<int>(it - labels.begin());
}

Status UnknownLabel(const char* what, const std::string& s,
                    const std::vector<std::string>& labels) {
  const std::string near = data::NearestName(s, labels);
  return Status::NotFound(
      fmt::format("unknown {} '{}'{}", what, s,
                  near.empty() ? std::string() : fmt::format(" (did you mean '{}'?)", near)));
}

Status TradeCosts::Validate(Eigen::Index n) const {
  RB_RETURN_IF_ERROR(ValidateCostMatrix(baseline, n, "baseline"));
  RB_RETURN_IF_ERROR(ValidateCostMatrix(counterfactual, n, "counterfactual"));
  return Status::Ok();
}

Status CovariateCosts::Validate(Eigen::Index n) const {
  const size_t k = names.size();
  if (baseline.size() != k || counterfactual.size() != k) {
    return Status::InvalidArgument(
        fmt::format("covariate costs: {} names but {} baseline and {} counterfactual "
                    "matrices",
                    k, baseline.size(), counterfactual.size()));
  }
  if (static_cast<size_t>(beta.size()) != k) {
    return Status::InvalidArgument(
        fmt::format("covariate costs: {} covariates but {} coefficients", k, beta.size()));
  }
  for (size_t c = 0; c < k; ++c) {
    for (const Eigen::MatrixXd* m : {&baseline[c], &counterfactual[c]}) {
      if (m->rows() != n || m->cols() != n) {
        return Status::InvalidArgument(fmt::format("covariate {} matrix is {}x{}, expected {}x{}",
                                                   names[c], m->rows(), m->cols(), n, n));
      }
      if (!m->allFinite()) {
        return Status::InvalidArgument(
            fmt::format("covariate {} has a non-finite value", names[c]));
      }
    }
    if (!std::isfinite(beta[static_cast<Eigen::Index>(c)])) {
      return Status::InvalidArgument(fmt::format("coefficient of {} is not finite", names[c]));
    }
  }
  if (vcov.size() != 0 && (vcov.rows() != static_cast<Eigen::Index>(k) ||
                           vcov.cols() != static_cast<Eigen::Index>(k))) {
    return Status::InvalidArgument(
        fmt::format("vcov is {}x{}, expected {}x{}", vcov.rows(), vcov.cols(), k, k));
  }
  return Status::Ok();
}

Result<TradeCosts> CovariateCosts::Costs(const Eigen::VectorXd& coefficients) const {
  if (static_cast<size_t>(coefficients.size()) != names.size() || baseline.size() != names.size() ||
      counterfactual.size() != names.size() || names.empty()) {
    return Status::InvalidArgument(
        "covariate costs: coefficient and covariate counts differ (or none)");
  }
  const Eigen::Index n = baseline[0].rows();
  Eigen::MatrixXd lb = Eigen::MatrixXd::Zero(n, n);
  Eigen::MatrixXd lc = Eigen::MatrixXd::Zero(n, n);
  for (size_t k = 0; k < names.size(); ++k) {
    const double b = coefficients[static_cast<Eigen::Index>(k)];
    lb += b * baseline[k];
    lc += b * counterfactual[k];
  }
  TradeCosts costs;
  costs.baseline = lb.array().exp().matrix();
  costs.counterfactual = lc.array().exp().matrix();
  return costs;
}

namespace {

// The scaling system of the file banner, for one stage.
struct StageSystem {
  const Eigen::MatrixXd* T = nullptr;  // T'_ij
  Eigen::VectorXd A0;                  // A' = A0 exp(c x)
  Eigen::VectorXd Y0, E0;              // baseline output / expenditure
  Eigen::VectorXd phi;                 // E0 / Y0
  double c = 1.0;                      // d log A' / dx
  double kappa = 0.0;                  // d log Y' / dx (1 = full GE)
  DeficitClosure closure = DeficitClosure::kRatioFixed;
  int ref = 0;

  // Workspace filled by Evaluate.
  mutable Eigen::VectorXd A, Y, E, P, q, M;
  mutable double ratio_scale = 1.0, sum_phi_y = 0.0;

  void Levels(const Eigen::VectorXd& x) const {
    A = (A0.array() * (c * x.array()).exp()).matrix();
    if (kappa == 0.0) {
      Y = Y0;
      E = E0;
    } else {
      Y = (Y0.array() * (kappa * x.array()).exp()).matrix();
      switch (closure) {
        case DeficitClosure::kRatioFixed:
          sum_phi_y = phi.dot(Y);
          ratio_scale = Y.sum() / sum_phi_y;
          E = (phi.array() * Y.array()).matrix() * ratio_scale;
          break;
        case DeficitClosure::kAdditive:
          E = Y + (E0 - Y0);
          break;
        case DeficitClosure::kBalanced:
          E = Y;
          break;
      }
    }
    P.noalias() = T->transpose() * A;
    q = (E.array() / P.array()).matrix();
    M.noalias() = (*T) * q;
  }

  void Residual(const Eigen::VectorXd& x, Eigen::VectorXd* f) const {
    Levels(x);
    f->resize(x.size());
    for (Eigen::Index i = 0; i < x.size(); ++i) {
      (*f)[i] = std::log(A[i] * M[i] / Y[i]);
    }
    (*f)[ref] = std::log(P[ref]);
  }

  void Jacobian(const Eigen::VectorXd& x, Eigen::MatrixXd* jac) const {
    Levels(x);
    const Eigen::Index n = x.size();
    const Eigen::MatrixXd& t = *T;
    // H_ik = c A'_k sum_j T_ij T_kj E'_j / P_j^2
    // As a symmetric rank-n update (SYRK): Eigen does not hand it to OpenMP,
    // whose fork-join costs more than the work at these sizes.
    const Eigen::VectorXd sw = (E.array().sqrt() / P.array()).matrix();
    const Eigen::MatrixXd tw = t * sw.asDiagonal();
    Eigen::MatrixXd h = Eigen::MatrixXd::Zero(n, n);
    h.selfadjointView<Eigen::Lower>().rankUpdate(tw);
    h.triangularView<Eigen::StrictlyUpper>() = h.transpose();
    *jac = -(h * (c * A).asDiagonal());
    if (kappa != 0.0) {
      // + sum_j T_ij / P_j dE'_j/dx_k
      const Eigen::VectorXd inv_p = P.cwiseInverse();
      Eigen::VectorXd diag_de;
      if (closure == DeficitClosure::kRatioFixed) {
        diag_de = (kappa * ratio_scale) * (phi.array() * Y.array()).matrix();
        // rank-one part: dE'_j/dx_k += phi_j Y'_j kappa Y'_k (1 - S phi_k)
        //                              / sum phi Y'
        const Eigen::VectorXd u = t * (inv_p.array() * phi.array() * Y.array()).matrix();
        const Eigen::VectorXd v =
            (kappa / sum_phi_y) * (Y.array() * (1.0 - ratio_scale * phi.array())).matrix();
        jac->noalias() += u * v.transpose();
      } else {
        diag_de = kappa * Y;
      }
      jac->noalias() += t * (inv_p.array() * diag_de.array()).matrix().asDiagonal();
    }
    for (Eigen::Index i = 0; i < n; ++i) {
      jac->row(i) /= M[i];
      (*jac)(i, i) += c - kappa;
    }
    for (Eigen::Index k = 0; k < n; ++k) {
      (*jac)(ref, k) = c * t(k, ref) * A[k] / P[ref];
    }
  }
};

double PowLevel(double v, double sigma) { return std::pow(v, 1.0 / (1.0 - sigma)); }

// Levels of the solution at x.
void FillEquilibrium(const StageSystem& sys, const Eigen::VectorXd& x, double sigma,
                     bool prices_move, GravityEquilibrium* eq) {
  sys.Levels(x);
  const Eigen::Index n = x.size();
  const double world = sys.Y.sum();
  eq->output = sys.Y;
  eq->expenditure = sys.E;
  eq->price = prices_move ? Eigen::VectorXd(x.array().exp().matrix()) : Eigen::VectorXd::Ones(n);
  eq->flows = sys.A.asDiagonal() * (*sys.T) * sys.q.asDiagonal();
  eq->outward.resize(n);
  eq->inward.resize(n);
  eq->real_gdp.resize(n);
  for (Eigen::Index i = 0; i < n; ++i) {
    eq->outward[i] = PowLevel((sys.Y[i] / world) / sys.A[i], sigma);
    eq->inward[i] = PowLevel(sys.P[i], sigma);
    eq->real_gdp[i] = sys.Y[i] / eq->inward[i];
  }
  const Eigen::VectorXd rows = eq->flows.rowwise().sum();
  const Eigen::VectorXd cols = eq->flows.colwise().sum().transpose();
  double err = 0.0;
  for (Eigen::Index i = 0; i < n; ++i) {
    err = std::max(err, std::fabs(rows[i] / sys.Y[i] - 1.0));
    err = std::max(err, std::fabs(cols[i] / sys.E[i] - 1.0));
  }
  eq->max_clearing_error = err;
  eq->unknowns = x;
}

// Solves one stage; returns false (with the reason in eq->solve) when the
// solver did not converge or the solution's accounting is off.
Result<bool> SolveStage(const StageSystem& sys, Eigen::VectorXd x, const GravityOptions& options,
                        bool prices_move, GravityEquilibrium* eq) {
  auto residual = [&sys](const Eigen::VectorXd& v, Eigen::VectorXd* f) { sys.Residual(v, f); };
  auto jacobian = [&sys](const Eigen::VectorXd& v, Eigen::MatrixXd* j) { sys.Jacobian(v, j); };
  RB_ASSIGN_OR_RETURN(eq->solve, SolveNewton(residual, &x, options.solver, jacobian));
  FillEquilibrium(sys, x, options.sigma, prices_move, eq);
  if (!eq->solve.converged()) return false;
  const bool finite = eq->flows.allFinite() && eq->outward.allFinite() && eq->inward.allFinite() &&
                      eq->price.allFinite();
  if (!finite) {
    eq->solve.termination = SolverTermination::kDiverged;
    eq->solve.message = "solution has non-finite values";
    return false;
  }
  // Independent accounting check (market clearing of every row and column,
  // including the reference row the solver replaced by the normalisation).
  const double allowed = std::max(1e-8, 1e3 * options.solver.tolerance);
  if (eq->max_clearing_error > allowed) {
    eq->solve.termination = SolverTermination::kDiverged;
    eq->solve.message =
        fmt::format("market clearing violated by {:.3g} after the solve", eq->max_clearing_error);
    return false;
  }
  return true;
}

}  // namespace

Result<GravityResult> SolveGravity(const GravityData& data, const TradeCosts& costs,
                                   const GravityOptions& options, const GravityResult* warm_start) {
  RB_RETURN_IF_ERROR(data.Validate());
  RB_RETURN_IF_ERROR(options.Validate());
  const Eigen::Index n = static_cast<Eigen::Index>(data.countries.size());
  RB_RETURN_IF_ERROR(costs.Validate(n));
  const int ref = FindLabel(data.countries, options.reference);
  if (ref < 0) {
    return UnknownLabel("reference country", options.reference, data.countries);
  }
  if (warm_start != nullptr &&
      (warm_start->countries != data.countries || warm_start->baseline.unknowns.size() != n ||
       warm_start->conditional.unknowns.size() != n || warm_start->full.unknowns.size() != n)) {
    warm_start = nullptr;  // not the same problem: start cold
  }

  GravityResult result;
  result.countries = data.countries;
  result.sigma = options.sigma;
  result.reference = options.reference;
  result.closure = options.closure;
  const Eigen::VectorXd Y = data.flows.rowwise().sum();
  const Eigen::VectorXd E = data.flows.colwise().sum().transpose();
  const double world = Y.sum();

  auto fail = [&](const char* stage, const GravityEquilibrium& eq) {
    result.termination = eq.solve.termination == SolverTermination::kConverged
                             ? SolverTermination::kDiverged
                             : eq.solve.termination;
    result.message = fmt::format("{}: {}", stage, eq.solve.BriefReport());
  };

  // Stage 1: baseline resistances from data Y, E and baseline costs.
  StageSystem base;
  base.T = &costs.baseline;
  base.A0 = Y / world;
  base.Y0 = Y;
  base.E0 = E;
  base.ref = ref;
  base.c = 1.0;
  base.kappa = 0.0;
  Eigen::VectorXd x0 = Eigen::VectorXd::Zero(n);
  if (warm_start) {
    x0 = warm_start->baseline.unknowns;
  } else {
    // Start on the normalisation: scale A so that P_ref = 1.
    const double p_ref = costs.baseline.col(ref).dot(base.A0);
    x0.setConstant(-std::log(p_ref));
  }
  RB_ASSIGN_OR_RETURN(bool ok, SolveStage(base, x0, options, false, &result.baseline));
  if (!ok) {
    fail("baseline resistances", result.baseline);
    return result;
  }
  base.Levels(result.baseline.unknowns);
  const Eigen::VectorXd A = base.A;  // baseline exporter terms

  // Stage 2: conditional GE: Y, E fixed, resistances move.
  StageSystem cond;
  cond.T = &costs.counterfactual;
  cond.A0 = A;
  cond.Y0 = Y;
  cond.E0 = E;
  cond.ref = ref;
  cond.c = 1.0;
  cond.kappa = 0.0;
  x0 = warm_start ? warm_start->conditional.unknowns : Eigen::VectorXd::Zero(n);
  RB_ASSIGN_OR_RETURN(ok, SolveStage(cond, x0, options, false, &result.conditional));
  if (!ok) {
    fail("conditional GE", result.conditional);
    return result;
  }

  if (options.full_method == FullGeMethod::kYotov2016) {
    SolveYotovIterative(result.baseline, result.conditional, costs.counterfactual, ref, options,
                        &result.full);
    if (!result.full.solve.converged()) {
      fail("full-endowment GE (yotov2016)", result.full);
      return result;
    }
    result.termination = SolverTermination::kConverged;
    result.message = result.full.solve.message;
    return result;
  }

  // Stage 3: full-endowment GE in log factory-gate prices.
  StageSystem full;
  full.T = &costs.counterfactual;
  full.A0 = A;
  full.Y0 = Y;
  full.E0 = E;
  full.phi = (E.array() / Y.array()).matrix();
  full.ref = ref;
  full.c = 1.0 - options.sigma;
  full.kappa = 1.0;
  full.closure = options.closure;
  if (warm_start) {
    x0 = warm_start->full.unknowns;
  } else {
    // The conditional solution gives the first-order price response
    // p_hat^(1-sigma) = A'_cond / A (the book's first step).
    x0 = result.conditional.unknowns / (1.0 - options.sigma);
  }
  RB_ASSIGN_OR_RETURN(ok, SolveStage(full, x0, options, true, &result.full));
  if (!ok) {
    // One retry from prices at 1 before reporting failure.
    GravityEquilibrium retry;
    RB_ASSIGN_OR_RETURN(bool ok2,
                        SolveStage(full, Eigen::VectorXd::Zero(n), options, true, &retry));
    if (!ok2) {
      fail("full-endowment GE", result.full);
      return result;
    }
    retry.solve.restarts += 1;
    result.full = std::move(retry);
  }
  result.termination = SolverTermination::kConverged;
  return result;
}

Result<GravityResult> SolveGravityOrError(const GravityData& data, const TradeCosts& costs,
                                          const GravityOptions& options) {
  RB_ASSIGN_OR_RETURN(GravityResult result, SolveGravity(data, costs, options));
  if (!result.converged()) {
    return Status::NotConverged(fmt::format("gravity GE did not converge: {}", result.message));
  }
  return result;
}

std::string GravityResult::BriefReport() const {
  if (!converged()) {
    return fmt::format("gravity GE ({} countries, sigma {}, closure {}): {}", countries.size(),
                       sigma, ToString(closure), message);
  }
  return fmt::format(
      "gravity GE ({} countries, sigma {}, reference {}, closure {}): "
      "baseline {} it, conditional {} it, full {} it; residuals {:.2g} / "
      "{:.2g} / {:.2g}",
      countries.size(), sigma, reference, ToString(closure), baseline.solve.iterations,
      conditional.solve.iterations, full.solve.iterations, baseline.solve.residual_norm,
      conditional.solve.residual_norm, full.solve.residual_norm);
}

TidyTable TidyGravity(const GravityResult& result, const std::string& scenario, bool bilateral) {
  const std::vector<std::string>& countries = result.countries;
  const GravityEquilibrium& conditional = result.conditional;
  const GravityEquilibrium& full = result.full;
  TidyTable t;
  const Eigen::Index n = static_cast<Eigen::Index>(countries.size());
  const GravityEquilibrium& b = result.baseline;
  for (const auto& [eq, suffix] :
       {std::pair<const GravityEquilibrium*, const char*>{&conditional, "_cond"},
        {&full, "_full"}}) {
    for (Eigen::Index i = 0; i < n; ++i) {
      const std::string& c = countries[static_cast<size_t>(i)];
      // clang < 16 cannot capture a structured binding: copy it.
      auto add = [&, sfx = suffix](const char* var, double base, double cf) {
        t.Add(scenario, c, "", "", std::string(var) + sfx, base, cf);
      };
      const double dom_b = b.flows(i, i), dom_c = eq->flows(i, i);
      add("real_gdp", b.real_gdp[i], eq->real_gdp[i]);
      add("nominal_output", b.output[i], eq->output[i]);
      add("expenditure", b.expenditure[i], eq->expenditure[i]);
      add("factory_gate_price", b.price[i], eq->price[i]);
      add("outward_resistance", b.outward[i], eq->outward[i]);
      add("inward_resistance", b.inward[i], eq->inward[i]);
      add("exports", b.flows.row(i).sum() - dom_b, eq->flows.row(i).sum() - dom_c);
      add("imports", b.flows.col(i).sum() - dom_b, eq->flows.col(i).sum() - dom_c);
      add("domestic_sales", dom_b, dom_c);
    }
  }
  if (bilateral) {
    for (const auto& [eq, var] :
         {std::pair<const GravityEquilibrium*, const char*>{&conditional, "flow_cond"},
          {&full, "flow_full"}}) {
      for (Eigen::Index i = 0; i < n; ++i) {
        for (Eigen::Index j = 0; j < n; ++j) {
          t.Add(scenario, countries[static_cast<size_t>(i)], countries[static_cast<size_t>(j)], "",
                var, b.flows(i, j), eq->flows(i, j));
        }
      }
    }
  }
  // The gravity model takes flows in the units of the trade data it is given.
  AssignUnits(&t, "units of the trade data");
  return t;
}

}  // namespace rebalance::ge
