// Inputs of the one-sector gravity model (gravity.h) from data: the square
// flow and covariate matrices of a long bilateral table, and changes of
// covariates for the counterfactual. The text form of a change (`--set`) is
// parsed in scenario/covariate_change.h.
#ifndef REBALANCE_GE_GRAVITY_INPUT_H_
#define REBALANCE_GE_GRAVITY_INPUT_H_

#include <string>
#include <utility>
#include <vector>

#include "rebalance/core/status.h"
#include "rebalance/data/table.h"
#include "rebalance/ge/gravity.h"

namespace rebalance::ge {

// One change of a covariate in the counterfactual, e.g. INTL_BRDR -> 0 for
// every pair, or RTA -> 1 for the pairs USA-MEX and CAN-MEX.
struct CovariateChange {
  std::string covariate;
  double value = 0.0;
  // Empty: every pair (i, j), including i == j. Otherwise directed pairs
  // (exporter, importer); use both orders for a symmetric change.
  std::vector<std::pair<std::string, std::string>> pairs;
};

// Applies the changes to `costs->counterfactual` (which starts as a copy of
// the baseline when empty). Unknown covariates or countries are errors that
// name the nearest valid label.
Status ApplyCovariateChanges(const std::vector<std::string>& countries,
                             const std::vector<CovariateChange>& changes, CovariateCosts* costs);

// Columns of a long bilateral table to read with GravityInputFromTable.
struct GravityTableSpec {
  std::string exporter = "exporter";
  std::string importer = "importer";
  std::string flow = "trade";
  // Covariate columns x_k (for CovariateCosts); may be empty.
  std::vector<std::string> covariates;
  // Optional columns holding T_ij = t_ij^(1-sigma) directly (baseline and
  // counterfactual; the counterfactual column may be empty = same).
  std::string cost_baseline;
  std::string cost_counterfactual;
};

struct GravityInput {
  GravityData data;
  CovariateCosts covariates;  // names/baseline filled; beta left empty
  TradeCosts costs;           // filled when cost columns were given
};

// Builds the square matrices from a long table with one row per (exporter,
// importer) pair. Duplicate or missing pairs, missing cells, negative or
// non-finite flows are errors naming the table row (file line) or the pair.
// Countries are ordered alphabetically.
Result<GravityInput> GravityInputFromTable(const data::Table& table, const GravityTableSpec& spec);

}  // namespace rebalance::ge

#endif  // REBALANCE_GE_GRAVITY_INPUT_H_
