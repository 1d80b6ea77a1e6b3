// Inputs of the one-sector gravity model from a long bilateral table, and
// covariate changes for the counterfactual; see gravity_input.h.
#include "rebalance/ge/gravity_input.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include "gravity_internal.h"

namespace rebalance::ge {

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

}  // namespace rebalance::ge
