// A one-sector gravity problem from a bilateral table: the rules the CLI
// (`rebalance gravity`) and Python (`rb.gravity`) share, in one place.
//  - Which coefficients of an estimate define the trade costs: all, or a
//    named subset, with the matching block of the variance matrix (a name
//    the estimate lacks is an error, never silently dropped).
//  - Reading the table's columns, and saying which role (exporter,
//    importer, flow, a coefficient's covariate, a cost column) names a
//    column the file lacks, so that each front door can name its own option.
#ifndef REBALANCE_SCENARIO_GRAVITY_PROBLEM_H_
#define REBALANCE_SCENARIO_GRAVITY_PROBLEM_H_

#include <Eigen/Dense>
#include <string>
#include <vector>

#include "rebalance/core/status.h"
#include "rebalance/data/table.h"
#include "rebalance/ge/gravity.h"
#include "rebalance/ge/gravity_input.h"

namespace rebalance::scenario {

// Coefficients that define t^(1-sigma) = exp(sum_k beta_k x_k).
struct CostCoefficients {
  std::vector<std::string> names;
  Eigen::VectorXd beta;
  Eigen::MatrixXd vcov;  // 0x0 when unknown
};

// The coefficients named in `use` (all of them when `use` is empty), in the
// order of `use`, with their variance block. A name that is not a
// coefficient is kNotFound "'x' is not a coefficient of <source>".
Result<CostCoefficients> SelectCostCoefficients(const CostCoefficients& all,
                                                const std::vector<std::string>& use,
                                                const std::string& source);

// The role of a column of a gravity table.
enum class GravityColumnRole {
  kNone,
  kExporter,
  kImporter,
  kFlow,
  kCovariate,
  kCostBaseline,
  kCostCounterfactual
};

// A column of the spec that the file lacks: its role and name.
struct MissingGravityColumn {
  GravityColumnRole role = GravityColumnRole::kNone;
  std::string name;
};

// Reads the columns of `spec` from a CSV file (exporter and importer as
// text). When the file lacks one of them the error is kNotFound (the
// reader's message, naming the nearest header) and *missing (if given) says
// whose column it is (the first lacking one, in the order exporter,
// importer, flow, covariates, costs); its role is kNone otherwise.
Result<data::Table> ReadGravityTable(const std::string& path, const ge::GravityTableSpec& spec,
                                     int threads, MissingGravityColumn* missing = nullptr);

}  // namespace rebalance::scenario

#endif  // REBALANCE_SCENARIO_GRAVITY_PROBLEM_H_
