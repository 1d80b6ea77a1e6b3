// The estimate JSON written by `rebalance estimate --json` as read back by
// `rebalance gravity --estimate`: coefficient names, beta and (optionally)
// the variance matrix. Split out of cmd_gravity.cc so the fuzz target
// fuzz/estimate_json_fuzz.cc exercises exactly the reader the command uses.
#ifndef REBALANCE_APP_ESTIMATE_FILE_H_
#define REBALANCE_APP_ESTIMATE_FILE_H_

#include <Eigen/Dense>
#include <string>
#include <string_view>
#include <vector>

#include "rebalance/core/status.h"

namespace rebalance::app {

struct EstimateFile {
  std::vector<std::string> names;
  Eigen::VectorXd beta;
  Eigen::MatrixXd vcov;  // 0x0 when the file has none
  // "vcov_type" of the file ("iid", "hetero", "cluster:..."; "robust" and
  // "hc1" read as "hetero"; also accepted as vcov.type); "" when absent.
  std::string vcov_type;
};

// Parses the JSON text; `source` names it in messages. A non-converged
// estimate, a missing or malformed "coefficients" array, a vcov of the wrong
// shape and any non-finite number are errors.
Result<EstimateFile> ParseEstimate(std::string_view text, const std::string& source);
Result<EstimateFile> ReadEstimate(const std::string& path);

}  // namespace rebalance::app

#endif  // REBALANCE_APP_ESTIMATE_FILE_H_
