// The solver records both GE models' option tables share (options.cc,
// gravity_options.cc): one declaration of tolerance, max_iterations and, for
// the fixed-point solver, anderson_memory and damping.
#ifndef REBALANCE_GE_OPTIONS_INTERNAL_H_
#define REBALANCE_GE_OPTIONS_INTERNAL_H_

#include "rebalance/core/options.h"
#include "rebalance/ge/solver.h"

namespace rebalance::ge::internal {

// Designated initializers name only the fields they set (see options.cc).
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

using core::OptionBound;
using core::OptionRecord;

// The records of the solver options both models share; `T` reaches its
// SolverOptions through `solver`.
template <class T, class F>
inline void AddSolverRecords(core::OptionTable<T>* t, const SolverOptions& d, F solver, bool all) {
  t->Double(OptionRecord{.name = "tolerance",
                         .doc = "Convergence tolerance of the nonlinear solver on the max-abs "
                                "residual (log market-clearing gaps or log fixed-point steps: a "
                                "relative error).",
                         .default_value = d.tolerance,
                         .lower = OptionBound{0, false}},
            [solver](T& o) -> double& { return solver(o).tolerance; });
  t->Int(OptionRecord{.name = "max_iterations",
                      .doc = "Iteration limit of the nonlinear solver; reaching it is an error "
                             "(not converged).",
                      .default_value = int64_t{d.max_iterations},
                      .lower = OptionBound{1, true}},
         [solver](T& o) -> int& { return solver(o).max_iterations; });
  if (!all) return;
  t->Int(OptionRecord{.name = "anderson_memory",
                      .doc = "Anderson acceleration: previous iterates kept (0 = plain damped "
                             "fixed-point iteration).",
                      .default_value = int64_t{d.anderson_memory},
                      .lower = OptionBound{0, true},
                      .upper = OptionBound{100, true}},
         [solver](T& o) -> int& { return solver(o).anderson_memory; });
  t->Double(
      OptionRecord{.name = "damping",
                   .doc = "Mixing parameter beta of the fixed-point step, x+ = x + beta (G(x) "
                          "- x).",
                   .default_value = d.damping,
                   .lower = OptionBound{0, false},
                   .upper = OptionBound{1, true}},
      [solver](T& o) -> double& { return solver(o).damping; });
}

#pragma GCC diagnostic pop

}  // namespace rebalance::ge::internal

#endif  // REBALANCE_GE_OPTIONS_INTERNAL_H_
