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

#include <fmt/format.h>
#include <omp.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <map>
#include <set>

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

std::string Trim(std::string s) {
  const auto b = s.find_first_not_of(" \t");
  const auto e = s.find_last_not_of(" \t");
  return b == std::string::npos ? std::string() : s.substr(b, e - b + 1);
}

}  // namespace

Status ApplyCovariateChanges(const std::vector<std::string>& countries,
                             const std::vector<CovariateChange>& changes, CovariateCosts* costs) {
  if (costs->counterfactual.size() != costs->baseline.size()) {
    costs->counterfactual = costs->baseline;
  }
  for (const auto& change : changes) {
    const int k = FindLabel(costs->names, change.covariate);
    if (k < 0) return UnknownLabel("covariate", change.covariate, costs->names);
    if (!std::isfinite(change.value)) {
      return Status::InvalidArgument(
          fmt::format("new value of covariate {} is not finite", change.covariate));
    }
    Eigen::MatrixXd& m = costs->counterfactual[static_cast<size_t>(k)];
    if (change.pairs.empty()) {
      m.setConstant(change.value);
      continue;
    }
    for (const auto& [ex, im] : change.pairs) {
      const int i = FindLabel(countries, ex);
      if (i < 0) return UnknownLabel("country", ex, countries);
      const int j = FindLabel(countries, im);
      if (j < 0) return UnknownLabel("country", im, countries);
      m(i, j) = change.value;
    }
  }
  return Status::Ok();
}

Result<CovariateChange> ParseCovariateChange(const std::string& text) {
  CovariateChange change;
  const auto eq = text.find('=');
  if (eq == std::string::npos) {
    return Status::InvalidArgument(
        fmt::format("covariate change '{}' must look like NAME=VALUE or "
                    "NAME=VALUE:A-B,C>D",
                    text));
  }
  change.covariate = Trim(text.substr(0, eq));
  if (change.covariate.empty()) {
    return Status::InvalidArgument(
        fmt::format("covariate change '{}' has no covariate name", text));
  }
  std::string rest = text.substr(eq + 1);
  std::string pairs;
  const auto colon = rest.find(':');
  if (colon != std::string::npos) {
    pairs = rest.substr(colon + 1);
    rest = rest.substr(0, colon);
  }
  rest = Trim(rest);
  char* end = nullptr;
  change.value = std::strtod(rest.c_str(), &end);
  if (rest.empty() || end == nullptr || *end != '\0' || !std::isfinite(change.value)) {
    return Status::InvalidArgument(
        fmt::format("covariate change '{}': value '{}' is not a number", text, rest));
  }
  if (colon != std::string::npos) {
    size_t pos = 0;
    while (pos <= pairs.size()) {
      const size_t comma = std::min(pairs.find(',', pos), pairs.size());
      const std::string item = Trim(pairs.substr(pos, comma - pos));
      pos = comma + 1;
      if (item.empty()) {
        return Status::InvalidArgument(
            fmt::format("covariate change '{}': empty pair in the pair list", text));
      }
      const auto gt = item.find('>');
      const auto dash = item.find('-');
      if (gt != std::string::npos) {
        change.pairs.emplace_back(Trim(item.substr(0, gt)), Trim(item.substr(gt + 1)));
      } else if (dash != std::string::npos) {
        const std::string a = Trim(item.substr(0, dash));
        const std::string b = Trim(item.substr(dash + 1));
        change.pairs.emplace_back(a, b);
        if (a != b) change.pairs.emplace_back(b, a);
      } else {
        return Status::InvalidArgument(
            fmt::format("covariate change '{}': pair '{}' must be A-B (both directions) "
                        "or A>B (exporter A, importer B)",
                        text, item));
      }
      if (change.pairs.back().first.empty() || change.pairs.back().second.empty()) {
        return Status::InvalidArgument(
            fmt::format("covariate change '{}': pair '{}' lacks a country", text, item));
      }
      if (comma == pairs.size()) break;
    }
  }
  return change;
}

Result<GravityInput> GravityInputFromTable(const data::Table& table, const GravityTableSpec& spec) {
  const std::string src = table.source.empty() ? "<table>" : table.source;
  RB_ASSIGN_OR_RETURN(const data::Column* ex, table.GetColumn(spec.exporter));
  RB_ASSIGN_OR_RETURN(const data::Column* im, table.GetColumn(spec.importer));
  RB_ASSIGN_OR_RETURN(const data::Column* fl, table.GetColumn(spec.flow));
  std::vector<const data::Column*> covs;
  for (const auto& name : spec.covariates) {
    RB_ASSIGN_OR_RETURN(const data::Column* c, table.GetColumn(name));
    covs.push_back(c);
  }
  const data::Column* cost_b = nullptr;
  const data::Column* cost_c = nullptr;
  if (!spec.cost_baseline.empty()) {
    RB_ASSIGN_OR_RETURN(cost_b, table.GetColumn(spec.cost_baseline));
  }
  if (!spec.cost_counterfactual.empty()) {
    RB_ASSIGN_OR_RETURN(cost_c, table.GetColumn(spec.cost_counterfactual));
  }
  for (const data::Column* c : {fl}) {
    if (c->type == data::ColumnType::kString) {
      return Status::InvalidArgument(fmt::format("{}: column '{}' must be numeric", src, c->name));
    }
  }
  const int64_t rows = table.num_rows();
  // Line numbers in messages assume a header line: data row r is line r + 2.
  std::set<std::string> labels;
  for (int64_t r = 0; r < rows; ++r) {
    for (const data::Column* c : {ex, im}) {
      if (c->IsMissing(r) || c->CellText(r).empty()) {
        return Status::InvalidArgument(
            fmt::format("{}:{}: column '{}' is missing", src, r + 2, c->name));
      }
      labels.insert(c->CellText(r));
    }
  }
  GravityInput in;
  in.data.countries.assign(labels.begin(), labels.end());
  const Eigen::Index n = static_cast<Eigen::Index>(labels.size());
  std::map<std::string, int> index;
  for (Eigen::Index i = 0; i < n; ++i) {
    index[in.data.countries[static_cast<size_t>(i)]] = static_cast<int>(i);
  }
  in.data.flows = Eigen::MatrixXd::Constant(n, n, -1.0);
  Eigen::MatrixXi seen_row = Eigen::MatrixXi::Constant(n, n, -1);
  in.covariates.names = spec.covariates;
  in.covariates.baseline.assign(covs.size(), Eigen::MatrixXd::Zero(n, n));
  if (cost_b) in.costs.baseline = Eigen::MatrixXd::Zero(n, n);
  if (cost_b) in.costs.counterfactual = Eigen::MatrixXd::Zero(n, n);
  auto numeric = [&](const data::Column* c, int64_t r, double* out) -> Status {
    if (c->type == data::ColumnType::kString) {
      return Status::InvalidArgument(fmt::format("{}: column '{}' must be numeric", src, c->name));
    }
    if (c->IsMissing(r)) {
      return Status::InvalidArgument(
          fmt::format("{}:{}: column '{}' is missing", src, r + 2, c->name));
    }
    *out = c->AsDouble(r);
    if (!std::isfinite(*out)) {
      return Status::InvalidArgument(
          fmt::format("{}:{}: column '{}' is not finite", src, r + 2, c->name));
    }
    return Status::Ok();
  };
  for (int64_t r = 0; r < rows; ++r) {
    const int i = index[ex->CellText(r)];
    const int j = index[im->CellText(r)];
    if (seen_row(i, j) >= 0) {
      return Status::InvalidArgument(
          fmt::format("{}:{}: duplicate pair {} -> {} (first seen on line {})", src, r + 2,
                      ex->CellText(r), im->CellText(r), seen_row(i, j) + 2));
    }
    seen_row(i, j) = static_cast<int>(r);
    double v = 0.0;
    RB_RETURN_IF_ERROR(numeric(fl, r, &v));
    if (v < 0.0) {
      return Status::InvalidArgument(
          fmt::format("{}:{}: negative flow {} in column '{}' ({} -> {})", src, r + 2, v, fl->name,
                      ex->CellText(r), im->CellText(r)));
    }
    in.data.flows(i, j) = v;
    for (size_t k = 0; k < covs.size(); ++k) {
      RB_RETURN_IF_ERROR(numeric(covs[k], r, &v));
      in.covariates.baseline[k](i, j) = v;
    }
    if (cost_b) {
      RB_RETURN_IF_ERROR(numeric(cost_b, r, &v));
      in.costs.baseline(i, j) = v;
      if (cost_c) RB_RETURN_IF_ERROR(numeric(cost_c, r, &v));
      in.costs.counterfactual(i, j) = v;
    }
  }
  int64_t missing = 0;
  std::string first_missing;
  for (Eigen::Index i = 0; i < n; ++i) {
    for (Eigen::Index j = 0; j < n; ++j) {
      if (seen_row(i, j) < 0) {
        if (missing == 0) {
          first_missing = fmt::format("{} -> {}", in.data.countries[i], in.data.countries[j]);
        }
        ++missing;
      }
    }
  }
  if (missing > 0) {
    return Status::InvalidArgument(
        fmt::format("{}: the flow matrix is incomplete: {} of {} exporter-importer pairs "
                    "are absent (first: {}); gravity GE needs every pair of the {} "
                    "countries, including domestic sales",
                    src, missing, n * n, first_missing, n));
  }
  in.covariates.counterfactual = in.covariates.baseline;
  RB_RETURN_IF_ERROR(in.data.Validate().WithContext(src));
  return in;
}

Status GravityOptions::Validate() const {
  if (!std::isfinite(sigma) || !(sigma > 1.0)) {
    return Status::InvalidArgument(
        fmt::format("sigma must be greater than 1 (elasticity of substitution), got {}", sigma));
  }
  if (full_method == FullGeMethod::kYotov2016) {
    if (closure != DeficitClosure::kRatioFixed) {
      return Status::InvalidArgument(
          "the yotov2016 full-GE method exists only for the ratio closure");
    }
    if (!(yotov_criterion > 0.0) || yotov_max_iterations < 1) {
      return Status::InvalidArgument(
          "yotov_criterion must be positive and yotov_max_iterations >= 1");
    }
  }
  if (reference.empty()) {
    return Status::InvalidArgument(
        "a reference importer is required (its inward resistance is the "
        "numeraire)");
  }
  return solver.Validate();
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

Result<GravityResult> RunGravity(const GravityData& data, const TradeCosts& costs,
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

TidyTable GravityResult::ToTidy(const std::string& scenario, bool bilateral) const {
  TidyTable t;
  const Eigen::Index n = static_cast<Eigen::Index>(countries.size());
  const GravityEquilibrium& b = baseline;
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

// ---------------------------------------------------------------------------
// Monte Carlo draws.

Status GravityDrawOptions::Validate() const {
  if (draws < 1) {
    return Status::InvalidArgument(fmt::format("--draws must be at least 1, got {}", draws));
  }
  if (threads < 0) {
    return Status::InvalidArgument(fmt::format("threads must be >= 0, got {}", threads));
  }
  return Status::Ok();
}

std::string GravityDrawsResult::BriefReport() const {
  return fmt::format("{} draws: {} converged, {} failed ({:.2f} s)", requested, succeeded, failed,
                     seconds);
}

Result<GravityDrawsResult> DrawGravity(const GravityData& data, const CovariateCosts& costs,
                                       const GravityOptions& options, const GravityResult& point,
                                       const GravityDrawOptions& draw_options) {
  RB_RETURN_IF_ERROR(draw_options.Validate());
  const Eigen::Index n = static_cast<Eigen::Index>(data.countries.size());
  RB_RETURN_IF_ERROR(costs.Validate(n));
  if (!point.converged()) {
    return Status::FailedPrecondition("draws need a converged point solution to start from");
  }
  const Eigen::Index k = costs.beta.size();
  if (costs.vcov.rows() != k || costs.vcov.cols() != k || k == 0) {
    return Status::InvalidArgument(
        fmt::format("draws need the {}x{} covariance matrix of the coefficients", k, k));
  }
  if (!costs.vcov.allFinite()) {
    return Status::InvalidArgument("vcov has non-finite entries");
  }
  // Factor V = L L'. Cholesky first; a semi-definite V (e.g. a coefficient
  // fixed by construction) falls back to the eigen-decomposition.
  Eigen::MatrixXd sym = 0.5 * (costs.vcov + costs.vcov.transpose());
  Eigen::MatrixXd chol;
  Eigen::LLT<Eigen::MatrixXd> llt(sym);
  if (llt.info() == Eigen::Success) {
    chol = llt.matrixL();
  } else {
    Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> es(sym);
    const Eigen::VectorXd ev = es.eigenvalues();
    const double tol = 1e-10 * std::max(1.0, ev.cwiseAbs().maxCoeff());
    if (ev.minCoeff() < -tol) {
      return Status::InvalidArgument(fmt::format(
          "vcov is not positive semi-definite (smallest eigenvalue {:.3g})", ev.minCoeff()));
    }
    chol = es.eigenvectors() * ev.cwiseMax(0.0).cwiseSqrt().asDiagonal();
  }

  const auto start = std::chrono::steady_clock::now();
  const bool bilateral = draw_options.bilateral;
  const size_t rows = point.ToTidy("", bilateral).rows.size();
  const int d_total = draw_options.draws;
  std::vector<std::vector<double>> values(static_cast<size_t>(d_total));
  std::vector<std::string> errors(static_cast<size_t>(d_total));
  std::vector<uint8_t> good(static_cast<size_t>(d_total), 0);
  const int threads = draw_options.threads > 0 ? draw_options.threads : omp_get_max_threads();

#pragma omp parallel for schedule(dynamic, 4) num_threads(threads)
  for (int d = 0; d < d_total; ++d) {
    core::NormalStream rng(core::GravityDrawSeed(draw_options.seed, static_cast<uint64_t>(d)),
                           core::UnitInterval::kRejectZero);
    Eigen::VectorXd z(k);
    for (Eigen::Index c = 0; c < k; ++c) z[c] = rng.Next();
    const Eigen::VectorXd beta = costs.beta + chol * z;
    auto tc = costs.Costs(beta);
    if (!tc.ok()) {
      errors[static_cast<size_t>(d)] = tc.status().message();
      continue;
    }
    auto res = SolveGravity(data, *tc, options, &point);
    if (!res.ok()) {
      errors[static_cast<size_t>(d)] = res.status().message();
      continue;
    }
    if (!res->converged()) {
      errors[static_cast<size_t>(d)] = res->message;
      continue;
    }
    const TidyTable tt = res->ToTidy("", bilateral);
    std::vector<double>& v = values[static_cast<size_t>(d)];
    v.resize(rows);
    bool finite = tt.rows.size() == rows;
    for (size_t r = 0; r < rows && finite; ++r) {
      v[r] = tt.rows[r].pct_change;
      // An undefined change (zero baseline and counterfactual non-zero) is
      // possible only for bilateral rows with zero flows; 0/0 rows are 0.
      if (!std::isfinite(v[r])) finite = false;
    }
    if (!finite) {
      errors[static_cast<size_t>(d)] = "non-finite percentage change";
      values[static_cast<size_t>(d)].clear();
      continue;
    }
    good[static_cast<size_t>(d)] = 1;
  }

  GravityDrawsResult out;
  out.requested = d_total;
  for (int d = 0; d < d_total; ++d) {
    if (good[static_cast<size_t>(d)]) {
      ++out.succeeded;
    } else {
      ++out.failed;
      if (out.failure_messages.size() < 20) {
        out.failure_messages.push_back(
            fmt::format("draw {}: {}", d, errors[static_cast<size_t>(d)]));
      }
    }
  }
  if (out.succeeded > 0) {
    out.bands.resize(rows);
    std::vector<double> col;
    col.reserve(static_cast<size_t>(out.succeeded));
    for (size_t r = 0; r < rows; ++r) {
      col.clear();
      for (int d = 0; d < d_total; ++d) {
        if (good[static_cast<size_t>(d)]) {
          col.push_back(values[static_cast<size_t>(d)][r]);
        }
      }
      out.bands[r] = core::Summarize(&col, core::Moments::kTwoPass);
    }
  }
  out.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return out;
}

}  // namespace rebalance::ge
