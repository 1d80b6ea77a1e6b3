// Shared rules of a gravity problem from a table (gravity_problem.h).
#include "rebalance/scenario/gravity_problem.h"

#include <fmt/format.h>

#include <algorithm>

#include "rebalance/data/csv.h"

namespace rebalance::scenario {

Result<CostCoefficients> SelectCostCoefficients(const CostCoefficients& all,
                                                const std::vector<std::string>& use,
                                                const std::string& source) {
  const std::vector<std::string>& names = use.empty() ? all.names : use;
  std::vector<Eigen::Index> idx;
  for (const auto& name : names) {
    auto it = std::find(all.names.begin(), all.names.end(), name);
    if (it == all.names.end()) {
      return Status::NotFound(fmt::format("'{}' is not a coefficient of {}", name, source));
    }
    idx.push_back(static_cast<Eigen::Index>(it - all.names.begin()));
  }
  CostCoefficients out;
  out.names = names;
  const Eigen::Index k = static_cast<Eigen::Index>(idx.size());
  out.beta.resize(k);
  if (all.vcov.size() > 0) out.vcov.resize(k, k);
  for (Eigen::Index r = 0; r < k; ++r) {
    out.beta[r] = all.beta[idx[static_cast<size_t>(r)]];
    for (Eigen::Index c = 0; c < k && all.vcov.size() > 0; ++c) {
      out.vcov(r, c) = all.vcov(idx[static_cast<size_t>(r)], idx[static_cast<size_t>(c)]);
    }
  }
  return out;
}

Result<data::Table> ReadGravityTable(const std::string& path, const ge::GravityTableSpec& spec,
                                     int threads, MissingGravityColumn* missing) {
  if (missing != nullptr) *missing = MissingGravityColumn{};
  std::vector<std::pair<std::string, GravityColumnRole>> cols = {
      {spec.exporter, GravityColumnRole::kExporter},
      {spec.importer, GravityColumnRole::kImporter},
      {spec.flow, GravityColumnRole::kFlow}};
  for (const auto& c : spec.covariates) cols.emplace_back(c, GravityColumnRole::kCovariate);
  if (!spec.cost_baseline.empty()) {
    cols.emplace_back(spec.cost_baseline, GravityColumnRole::kCostBaseline);
  }
  if (!spec.cost_counterfactual.empty()) {
    cols.emplace_back(spec.cost_counterfactual, GravityColumnRole::kCostCounterfactual);
  }
  data::CsvOptions csv;
  for (const auto& c : cols) csv.select.push_back(c.first);
  csv.types[spec.exporter] = data::ColumnType::kString;
  csv.types[spec.importer] = data::ColumnType::kString;
  csv.threads = threads;
  auto table = data::ReadCsv(path, csv);
  if (!table.ok() && table.status().code() == StatusCode::kNotFound && missing != nullptr) {
    // The reader names the first selected column the header lacks.
    auto header = data::ReadCsv(path, [&] {
      data::CsvOptions h;
      h.infer_rows = 1;
      h.threads = 1;
      return h;
    }());
    if (header.ok()) {
      for (const auto& [name, role] : cols) {
        if (header->FindColumn(name) < 0) {
          *missing = MissingGravityColumn{role, name};
          break;
        }
      }
    }
  }
  return table;
}

}  // namespace rebalance::scenario
