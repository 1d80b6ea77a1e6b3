// The text form of a gravity covariate change (`rebalance gravity --set`,
// Python's parse_covariate_change) into ge::CovariateChange.
#ifndef REBALANCE_SCENARIO_COVARIATE_CHANGE_H_
#define REBALANCE_SCENARIO_COVARIATE_CHANGE_H_

#include <string>

#include "rebalance/core/status.h"
#include "rebalance/ge/gravity_input.h"

namespace rebalance::scenario {

// Parses "NAME=VALUE" (every pair) or "NAME=VALUE:A-B,C>D" (A-B both
// directions, C>D exporter C to importer D).
Result<ge::CovariateChange> ParseCovariateChange(const std::string& text);

}  // namespace rebalance::scenario

#endif  // REBALANCE_SCENARIO_COVARIATE_CHANGE_H_
