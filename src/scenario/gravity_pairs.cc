// Two-stage pair-fixed-effect trade costs (Yotov et al. 2016, ch. 2,
// application 2); see gravity_pairs.h for the model.
//
// Both stages are econ::Estimate calls (PPML with high-dimensional fixed
// effects). Stage 1 clusters by pair as the book does; the pair effects are
// read back from the estimator's recovered fixed effects, whose level is
// arbitrary (the first pair is 0): a common factor in T_ij is absorbed by the
// multilateral resistances and does not change any GE result. Stage 2
// predicts exp(z' gamma + a_i + b_j) with the same formula the estimator uses
// for its fitted values, so identified pairs could be predicted too (the
// tests check that this reproduces stage 2's own fitted values).
#include "rebalance/scenario/gravity_pairs.h"

#include <cmath>
#include <map>
#include <unordered_map>

#include <fmt/format.h>

#include "rebalance/data/formula.h"

namespace rebalance::scenario {
namespace {

const econ::FixedEffectEstimates* FindFe(const econ::EstimateResult& r, const std::string& name) {
  for (const auto& fe : r.fixed_effects) {
    if (fe.name == name) return &fe;
  }
  return nullptr;
}

std::unordered_map<std::string, double> FeMap(const econ::FixedEffectEstimates& fe) {
  std::unordered_map<std::string, double> m;
  for (size_t g = 0; g < fe.labels.size(); ++g) m[fe.labels[g]] = fe.values[g];
  return m;
}

}  // namespace

Status PairCostOptions::Validate() const {
  if (policy.empty())
    return Status::InvalidArgument("pair costs: at least one policy covariate is needed");
  if (gravity.empty())
    return Status::InvalidArgument("pair costs: at least one stage-2 gravity covariate is needed");
  if (!years.empty() && std::find(years.begin(), years.end(), baseline_year) == years.end()) {
    return Status::InvalidArgument(
               fmt::format("baseline_year {} is not one of the panel years", baseline_year))
        .WithOptions({"baseline_year"});
  }
  return Status::Ok();
}

std::string PairCosts::BriefReport() const {
  std::string out = fmt::format(
      "Pair-fixed-effect trade costs: {} countries, {} pairs identified in stage 1, {} "
      "predicted by stage 2\n",
      input.data.countries.size(), num_identified, num_predicted);
  out += fmt::format("  stage 1 ({} obs): {}\n", stage1.nobs, stage1.formula);
  for (const auto& c : stage1.coefficients) {
    out += fmt::format("    {:<12} {:>10.6f} ({:.6f})\n", c.name, c.estimate, c.std_error);
  }
  out += fmt::format("  stage 2 ({} obs): {}\n", stage2.nobs, stage2.formula);
  for (const auto& c : stage2.coefficients) {
    out += fmt::format("    {:<12} {:>10.6f} ({:.6f})\n", c.name, c.estimate, c.std_error);
  }
  return out;
}

Result<PairCosts> EstimatePairCosts(const data::Table& panel, const PairCostOptions& options) {
  RB_RETURN_IF_ERROR(options.Validate());
  const std::string src = panel.source.empty() ? std::string("panel") : panel.source;
  PairCosts out;

  // Stage 1.
  econ::EstimateOptions s1;
  s1.formula = options.flow + " ~ ";
  for (size_t k = 0; k < options.policy.size(); ++k)
    s1.formula += (k ? " + " : "") + options.policy[k];
  s1.formula += fmt::format(" | {0}^{2} + {1}^{2} + {3}", options.exporter, options.importer,
                            options.year, options.pair);
  if (!options.years.empty()) {
    s1.where = options.year + " in {";
    for (size_t k = 0; k < options.years.size(); ++k)
      s1.where += (k ? ", " : "") + std::to_string(options.years[k]);
    s1.where += "}";
  }
  s1.vcov = "cluster:" + options.pair;
  s1.threads = options.threads;
  s1.tolerance = options.tolerance;
  auto r1 = econ::Estimate(panel, s1);
  if (!r1.ok()) return Status(r1.status().code(), "stage 1: " + r1.status().message());
  if (!r1->converged())
    return Status::NotConverged("stage 1 PPML did not converge: " + r1->message);
  if (r1->coefficients.size() != options.policy.size()) {
    return Status::FailedPrecondition(
        fmt::format("stage 1: a policy covariate is collinear with the fixed effects ({})",
                    r1->collinear.empty() ? "?" : r1->collinear[0]));
  }
  out.stage1 = std::move(*r1);
  const econ::FixedEffectEstimates* pfe = FindFe(out.stage1, options.pair);
  if (pfe == nullptr) return Status::Internal("stage 1: pair fixed effects were not recovered");
  const auto mu = FeMap(*pfe);

  // Baseline-year matrices (flows and policy covariates).
  RB_ASSIGN_OR_RETURN(const data::Column* ycol, panel.GetColumn(options.year));
  std::vector<uint8_t> keep(static_cast<size_t>(panel.num_rows()), 0);
  int64_t nbase = 0;
  for (int64_t r = 0; r < panel.num_rows(); ++r) {
    if (!ycol->IsMissing(r) && ycol->AsDouble(r) == static_cast<double>(options.baseline_year)) {
      keep[static_cast<size_t>(r)] = 1;
      ++nbase;
    }
  }
  if (nbase == 0) {
    return Status::InvalidArgument(
        fmt::format("{}: no rows with {} == {}", src, options.year, options.baseline_year));
  }
  data::Table base = panel.Filter(keep);
  base.source = src + fmt::format(" ({} {})", options.year, options.baseline_year);
  ge::GravityTableSpec spec;
  spec.exporter = options.exporter;
  spec.importer = options.importer;
  spec.flow = options.flow;
  spec.covariates = options.policy;
  RB_ASSIGN_OR_RETURN(out.input, ge::GravityInputFromTable(base, spec));
  const auto& countries = out.input.data.countries;
  const Eigen::Index n = static_cast<Eigen::Index>(countries.size());
  std::map<std::string, Eigen::Index> index;
  for (Eigen::Index i = 0; i < n; ++i) index[countries[static_cast<size_t>(i)]] = i;
  out.input.covariates.beta.resize(static_cast<Eigen::Index>(options.policy.size()));
  for (size_t k = 0; k < options.policy.size(); ++k) {
    out.input.covariates.beta(static_cast<Eigen::Index>(k)) = out.stage1.coefficients[k].estimate;
  }
  out.input.covariates.vcov = out.stage1.vcov;

  // Stage-2 table: one row per baseline pair, exp(mu) where identified.
  RB_ASSIGN_OR_RETURN(const data::Column* pcol, base.GetColumn(options.pair));
  RB_ASSIGN_OR_RETURN(const data::Column* ecol, base.GetColumn(options.exporter));
  RB_ASSIGN_OR_RETURN(const data::Column* icol, base.GetColumn(options.importer));
  out.pair_effect = Eigen::MatrixXd::Zero(n, n);
  out.identified = Eigen::MatrixXi::Zero(n, n);
  std::vector<double> tbar(static_cast<size_t>(base.num_rows()), std::nan(""));
  std::vector<Eigen::Index> row_i(static_cast<size_t>(base.num_rows())), row_j(row_i.size());
  for (int64_t r = 0; r < base.num_rows(); ++r) {
    const Eigen::Index i = index.at(ecol->CellText(r)), j = index.at(icol->CellText(r));
    row_i[static_cast<size_t>(r)] = i;
    row_j[static_cast<size_t>(r)] = j;
    auto it = mu.find(pcol->CellText(r));
    if (it != mu.end()) {
      tbar[static_cast<size_t>(r)] = std::exp(it->second);
      out.pair_effect(i, j) = tbar[static_cast<size_t>(r)];
      out.identified(i, j) = 1;
      ++out.num_identified;
    }
  }
  const std::string tcol = "__pair_effect";
  RB_RETURN_IF_ERROR(base.AddColumn(data::Table::F64Column(tcol, tbar)));
  econ::EstimateOptions s2;
  s2.formula = tcol + " ~ ";
  for (size_t k = 0; k < options.gravity.size(); ++k)
    s2.formula += (k ? " + " : "") + options.gravity[k];
  s2.formula += " | " + options.exporter + " + " + options.importer;
  s2.vcov = "hetero";
  s2.threads = options.threads;
  s2.tolerance = options.tolerance;
  auto r2 = econ::Estimate(base, s2);
  if (!r2.ok()) return Status(r2.status().code(), "stage 2: " + r2.status().message());
  if (!r2->converged())
    return Status::NotConverged("stage 2 PPML did not converge: " + r2->message);
  out.stage2 = std::move(*r2);

  // Prediction for unidentified pairs: exp(z' gamma + a_i + b_j).
  RB_ASSIGN_OR_RETURN(data::Formula f2, data::ParseFormula(s2.formula));
  std::vector<std::vector<double>> z;
  std::vector<double> gamma;
  RB_ASSIGN_OR_RETURN(std::vector<data::DesignColumn> design, data::ExpandRegressors(base, f2));
  for (const auto& c : out.stage2.coefficients) {
    for (const auto& d : design) {
      if (d.name == c.name) {
        std::vector<double> v(static_cast<size_t>(base.num_rows()));
        for (int64_t r = 0; r < base.num_rows(); ++r) v[static_cast<size_t>(r)] = d.reader(r);
        z.push_back(std::move(v));
        gamma.push_back(c.estimate);
      }
    }
  }
  const econ::FixedEffectEstimates* afe = FindFe(out.stage2, options.exporter);
  const econ::FixedEffectEstimates* bfe = FindFe(out.stage2, options.importer);
  if (afe == nullptr || bfe == nullptr)
    return Status::Internal("stage 2: fixed effects were not recovered");
  const auto a = FeMap(*afe), b = FeMap(*bfe);
  for (int64_t r = 0; r < base.num_rows(); ++r) {
    if (!std::isnan(tbar[static_cast<size_t>(r)])) continue;
    const std::string e = ecol->CellText(r), m = icol->CellText(r);
    auto ai = a.find(e);
    auto bj = b.find(m);
    if (ai == a.end() || bj == b.end()) {
      return Status::FailedPrecondition(
          fmt::format("stage 2: pair {}-{} is not identified in stage 1 and cannot be predicted: "
                      "{} has no stage-2 fixed "
                      "effect (no identified pair)",
                      e, m, ai == a.end() ? e : m));
    }
    double eta = ai->second + bj->second;
    for (size_t k = 0; k < z.size(); ++k) {
      const double v = z[k][static_cast<size_t>(r)];
      if (!std::isfinite(v)) {
        return Status::InvalidArgument(
            fmt::format("stage 2: pair {}-{}: a gravity covariate is missing or not finite", e, m));
      }
      eta += gamma[k] * v;
    }
    out.pair_effect(row_i[static_cast<size_t>(r)], row_j[static_cast<size_t>(r)]) = std::exp(eta);
    ++out.num_predicted;
  }
  if (out.num_identified + out.num_predicted != n * n) {
    return Status::InvalidArgument(
        fmt::format("{}: the baseline year has {} pairs, expected {} x {}", base.source,
                    out.num_identified + out.num_predicted, n, n));
  }
  return out;
}

Result<ge::TradeCosts> PairTradeCosts(const PairCosts& costs,
                                      const std::vector<ge::CovariateChange>& changes) {
  ge::CovariateCosts cov = costs.input.covariates;
  cov.counterfactual.clear();
  RB_RETURN_IF_ERROR(ge::ApplyCovariateChanges(costs.input.data.countries, changes, &cov));
  RB_ASSIGN_OR_RETURN(ge::TradeCosts t, cov.Costs(cov.beta));
  t.baseline = t.baseline.cwiseProduct(costs.pair_effect);
  t.counterfactual = t.counterfactual.cwiseProduct(costs.pair_effect);
  return t;
}

}  // namespace rebalance::scenario
