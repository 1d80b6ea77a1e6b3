// Detection of separated observations in Poisson models.
#ifndef REBALANCE_SRC_ECON_SEPARATION_H_
#define REBALANCE_SRC_ECON_SEPARATION_H_

#include <cstdint>
#include <optional>
#include <vector>

#include "iteration_log.h"
#include "rebalance/core/status.h"
#include "rebalance/econ/fixed_effects.h"
#include "rebalance/econ/reducer.h"

namespace rebalance::econ {

// Marks (keep[i] = 0) the observations of fixed-effect groups whose outcome
// is zero everywhere; returns how many were marked (on this process). With
// observations split over processes (global group codes), `reducer` (nullptr
// = one process) combines the groups' positive-outcome flags. threads: at most
// this many threads (0 = all cores).
int64_t MarkZeroOutcomeGroups(const FixedEffects& fe, const double* y, std::vector<uint8_t>& keep,
                              Reducer* reducer = nullptr, int threads = 0);

// Iterated rectifier of Correia, Guimarães & Zylkin (2019): marks the
// observations separated by a combination of the regressors x (n x k,
// column-major) and the fixed effects. Returns how many were marked (on this
// process), or kNotConverged when max_iter is reached without a certificate.
// With observations split over processes, `reducer` (nullptr = one process)
// carries the demeaning and cross-product sums and every scalar test, so
// all processes take the same branches and return the same status.
// log (may be nullptr) records the rectifier's rounds.
// noncollinear (optional): set, when there are zero outcomes, to the indices
// of the regressors that are not collinear with the fixed effects and the
// earlier regressors on this sample (NonCollinearColumns of the regressors
// demeaned under the rectifier's weights); reset otherwise.
// x is demeaned in place (no copy of the regressors): when there are zero
// outcomes it returns as x - D a, the regressors less their fit on the fixed
// effects under the rectifier's weights, which any later within-transformation
// on these rows, or on a subset of them, maps to the same result as x itself
// (M_w (x - D a) = M_w x). The collinearity check scales by the weighted sums of
// squares of x as given, so pass the raw regressors.
Result<int64_t> MarkReluSeparated(const FixedEffects& fe, const double* y, std::vector<double>& x,
                                  int k, int threads, int max_iter, IterationLog* log,
                                  std::vector<uint8_t>& keep, Reducer* reducer = nullptr,
                                  std::optional<std::vector<int>>* noncollinear = nullptr,
                                  bool eliminate_runs = true);

}  // namespace rebalance::econ

#endif  // REBALANCE_SRC_ECON_SEPARATION_H_
