// Uncertainty of the one-sector gravity model (gravity.h): Monte Carlo draws
// of the coefficients beta ~ N(beta_hat, V_hat), each re-solved, summarised
// per output row by core/uncertainty.h's bands.
#ifndef REBALANCE_GE_GRAVITY_DRAWS_H_
#define REBALANCE_GE_GRAVITY_DRAWS_H_

#include <cstdint>
#include <string>
#include <vector>

#include "rebalance/core/status.h"
#include "rebalance/core/uncertainty.h"
#include "rebalance/ge/gravity.h"

namespace rebalance::ge {

struct GravityDrawOptions {
  // Number of draws (>= 1).
  int draws = 100;
  // Master seed. Draw d uses the stream core::GravityDrawSeed(seed, d)
  // (core/uncertainty.h), so results do not depend on the thread count.
  uint64_t seed = 20160101;
  // OpenMP threads; 0 = all cores.
  int threads = 0;
  // Also summarise the bilateral rows (memory: draws x 2 n^2 doubles).
  bool bilateral = false;

  Status Validate() const;
};

struct GravityDrawsResult {
  int requested = 0;
  int succeeded = 0;
  int failed = 0;  // draws whose solve did not converge: counted, reported
  std::vector<std::string> failure_messages;  // "draw 17: full GE diverged..."
  // bands[r] describes row r of the point estimate's TidyGravity(point, scenario,
  // bilateral) table (core::Summarize, Moments::kTwoPass); empty when no draw
  // succeeded.
  std::vector<core::Band> bands;
  double seconds = 0.0;
  std::string BriefReport() const;
};

// Draws beta (Cholesky of vcov; a positive semi-definite vcov is factored by
// its eigen-decomposition), rebuilds T and T', re-solves each draw (warm
// started from `point`) in parallel, and summarises every output's
// pct_change by mean, sd and the 5/50/95 percentiles (linear interpolation,
// R type 7). `point` must be the converged solution at beta_hat.
Result<GravityDrawsResult> DrawGravity(const GravityData& data, const CovariateCosts& costs,
                                       const GravityOptions& options, const GravityResult& point,
                                       const GravityDrawOptions& draw_options);

}  // namespace rebalance::ge

#endif  // REBALANCE_GE_GRAVITY_DRAWS_H_
