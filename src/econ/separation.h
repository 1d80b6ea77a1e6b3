// Detection of separated observations in Poisson models.
#ifndef REBALANCE_SRC_ECON_SEPARATION_H_
#define REBALANCE_SRC_ECON_SEPARATION_H_

#include <cstdint>
#include <vector>

#include "rebalance/core/status.h"
#include "rebalance/econ/fixed_effects.h"

namespace rebalance::econ {

// Marks (keep[i] = 0) the observations of fixed-effect groups whose outcome
// is zero everywhere; returns how many were marked.
int64_t MarkZeroOutcomeGroups(const FixedEffects& fe, const double* y,
                              std::vector<uint8_t>& keep);

// Iterated rectifier of Correia, Guimarães & Zylkin (2019): marks the
// observations separated by a combination of the regressors x (n x k,
// column-major) and the fixed effects. Returns how many were marked, or
// kNotConverged when max_iter is reached without a certificate.
Result<int64_t> MarkReluSeparated(const FixedEffects& fe, const double* y,
                                  const std::vector<double>& x, int k,
                                  int threads, int max_iter, bool verbose,
                                  std::vector<uint8_t>& keep);

}  // namespace rebalance::econ

#endif  // REBALANCE_SRC_ECON_SEPARATION_H_
