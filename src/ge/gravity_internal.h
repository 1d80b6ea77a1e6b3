// Pieces of the one-sector gravity model shared by its source files
// (gravity.cc, gravity_input.cc, gravity_yotov.cc); not public API.
#ifndef REBALANCE_SRC_GE_GRAVITY_INTERNAL_H_
#define REBALANCE_SRC_GE_GRAVITY_INTERNAL_H_

#include <Eigen/Dense>
#include <string>
#include <vector>

#include "rebalance/core/status.h"
#include "rebalance/ge/gravity.h"

namespace rebalance::ge {

// Index of `s` in `labels`, or -1.
int FindLabel(const std::vector<std::string>& labels, const std::string& s);
// NotFound "unknown WHAT 'S' (did you mean 'NEAREST'?)".
Status UnknownLabel(const char* what, const std::string& s, const std::vector<std::string>& labels);

// The full-endowment equilibrium by FullGeMethod::kYotov2016 (gravity_yotov.cc),
// from the converged baseline and conditional solutions.
void SolveYotovIterative(const GravityEquilibrium& baseline, const GravityEquilibrium& conditional,
                         const Eigen::MatrixXd& t_cf, int ref, const GravityOptions& options,
                         GravityEquilibrium* full);

}  // namespace rebalance::ge

#endif  // REBALANCE_SRC_GE_GRAVITY_INTERNAL_H_
