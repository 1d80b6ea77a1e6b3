// The options registries of the GE solvers and the multi-sector model
// (core/options.h): SolverOptions and MultisectorOptions, each option
// declared once (GravityOptions: gravity_options.cc; the records both models
// share: options_internal.h). The Validate() functions check through them;
// the cross-option rule (a divergence limit above the tolerance) is written
// here next to them.
#include <fmt/format.h>

#include "options_internal.h"
#include "rebalance/ge/multisector.h"
#include "rebalance/ge/solver.h"

// Records are written with designated initializers, naming only the fields
// they set; GCC's -Wextra would list every field left at its default.
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

namespace rebalance::ge {
namespace {

using core::OptionBound;
using core::OptionRecord;
using internal::AddSolverRecords;

core::OptionTable<SolverOptions> BuildSolverTable() {
  const SolverOptions d;
  core::OptionTable<SolverOptions> t(
      "solver",
      "The nonlinear solvers of the GE models (Newton with line search, Anderson-accelerated "
      "fixed point; ge::SolverOptions). The models below expose the fields they use.");
  auto self = [](SolverOptions& o) -> SolverOptions& { return o; };
  AddSolverRecords(&t, d, self, true);
  t.Double(OptionRecord{.name = "restart_growth",
                        .doc = "Anderson: a step whose residual exceeds this many times the best "
                               "so far clears the history.",
                        .default_value = d.restart_growth,
                        .lower = OptionBound{1, false}},
           [](SolverOptions& o) -> double& { return o.restart_growth; });
  t.Double(OptionRecord{.name = "min_step",
                        .doc = "Newton: smallest line-search step fraction before the step is "
                               "given up.",
                        .default_value = d.min_step,
                        .lower = OptionBound{0, false},
                        .upper = OptionBound{1, false}},
           [](SolverOptions& o) -> double& { return o.min_step; });
  t.Double(OptionRecord{.name = "fd_step",
                        .doc = "Newton: relative forward-difference step of the numerical "
                               "Jacobian.",
                        .default_value = d.fd_step,
                        .lower = OptionBound{0, false},
                        .upper = OptionBound{0.01, false}},
           [](SolverOptions& o) -> double& { return o.fd_step; });
  t.Double(OptionRecord{.name = "divergence_limit",
                        .doc = "A residual norm above this (or non-finite) is divergence; must "
                               "exceed the tolerance.",
                        .default_value = d.divergence_limit,
                        .lower = OptionBound{0, false}},
           [](SolverOptions& o) -> double& { return o.divergence_limit; });
  return t;
}

core::OptionTable<MultisectorOptions> BuildMultisectorTable() {
  const MultisectorOptions d;
  core::OptionTable<MultisectorOptions> t(
      "multisector",
      "Multi-sector Caliendo-Parro GE (`rebalance simulate`, `run`, `sweep`; scenario files' "
      "[solver] table; ge::MultisectorOptions). tolerance, max_iterations, anderson_memory and "
      "damping are its Anderson solver's.");
  AddSolverRecords(
      &t, d.solver, [](MultisectorOptions& o) -> SolverOptions& { return o.solver; }, true);
  t.Double(OptionRecord{.name = "inner_tolerance",
                        .doc = "Inner expenditure solve: tolerance on the change in X' relative "
                               "to world expenditure.",
                        .default_value = d.inner_tolerance,
                        .lower = OptionBound{0, false}},
           [](MultisectorOptions& o) -> double& { return o.inner_tolerance; });
  t.Int(OptionRecord{.name = "inner_max_iterations",
                     .doc = "Inner expenditure solve: iteration limit per evaluation.",
                     .default_value = int64_t{d.inner_max_iterations},
                     .lower = OptionBound{1, true}},
        [](MultisectorOptions& o) -> int& { return o.inner_max_iterations; });
  t.Int(OptionRecord{.name = "threads",
                     .doc = "OpenMP threads of the sector loops (1 = serial); models under "
                            "20,000 bilateral flows run serially.",
                     .default_value = int64_t{d.threads},
                     .lower = OptionBound{0, true},
                     .bound_note = "0 = all cores"},
        [](MultisectorOptions& o) -> int& { return o.threads; });
  return t;
}

}  // namespace

const core::OptionTable<SolverOptions>& SolverOptionTable() {
  static const core::OptionTable<SolverOptions> table = BuildSolverTable();
  return table;
}

const core::OptionTable<MultisectorOptions>& MultisectorOptionTable() {
  static const core::OptionTable<MultisectorOptions> table = BuildMultisectorTable();
  return table;
}

Status SolverOptions::Validate() const {
  RB_RETURN_IF_ERROR(SolverOptionTable().Validate(*this));
  if (!(divergence_limit > tolerance)) {
    return Status::InvalidArgument("divergence_limit: must exceed the tolerance");
  }
  return Status::Ok();
}

Status MultisectorOptions::Validate() const {
  RB_RETURN_IF_ERROR(MultisectorOptionTable().Validate(*this));
  return solver.Validate();
}

}  // namespace rebalance::ge
