// The options registry of EstimateOptions (ppml.h): each option declared
// once; EstimateOptions::Validate checks them through it, so the library,
// the CLI, Python and the docs share one set of names, bounds and messages.
#include <fmt/format.h>

#include "rebalance/econ/ppml.h"

// Records are written with designated initializers, naming only the fields
// they set; GCC's -Wextra would list every field left at its default.
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

namespace rebalance::econ {
namespace {

using core::OptionBound;
using core::OptionRecord;

core::OptionTable<EstimateOptions> BuildTable() {
  const EstimateOptions d;
  core::OptionTable<EstimateOptions> t(
      "estimate",
      "PPML / OLS with high-dimensional fixed effects (`rebalance estimate`, Python "
      "`rb.estimate`, `rb.fepois`, `rb.feols`; econ::EstimateOptions).");
  t.Enum(
      OptionRecord{.name = "family",
                   .doc = "Distribution family: poisson (PPML) or gaussian (OLS).",
                   .default_value = std::string(ToString(d.family)),
                   .allowed = {"poisson", "gaussian"},
                   .synonyms = {{"ppml", "poisson"}, {"ols", "gaussian"}}},
      [](const EstimateOptions& o) { return std::string(ToString(o.family)); },
      [](EstimateOptions& o, const std::string& v) { o.family = *FamilyFromString(v); });
  t.String(OptionRecord{.name = "vcov",
                        .doc = "Variance: hetero (heteroskedasticity-robust; robust and hc1 are "
                               "synonyms), iid, cluster:COL or cluster:COL1+COL2 (multiway).",
                        .default_value = d.vcov},
           [](EstimateOptions& o) -> std::string& { return o.vcov; });
  t.Enum(
      OptionRecord{.name = "ssc",
                   .doc = "Small-sample correction: stata (ppmlhdfe / Stata ppml) or fixest (R "
                          "fixest defaults).",
                   .default_value = std::string(ToString(d.ssc)),
                   .allowed = {"stata", "fixest"}},
      [](const EstimateOptions& o) { return std::string(ToString(o.ssc)); },
      [](EstimateOptions& o, const std::string& v) { o.ssc = *SmallSampleFromString(v); });
  t.Double(OptionRecord{.name = "tolerance",
                        .doc = "IRLS convergence tolerance on the relative deviance change "
                               "(ppmlhdfe's criterion).",
                        .default_value = d.tolerance,
                        .lower = OptionBound{0, false},
                        .upper = OptionBound{1, false},
                        .flag = "--tol"},
           [](EstimateOptions& o) -> double& { return o.tolerance; });
  t.Int(OptionRecord{.name = "max_iterations",
                     .doc = "Maximum IRLS iterations; reaching it is an error (not converged).",
                     .default_value = int64_t{d.max_iterations},
                     .lower = OptionBound{1, true},
                     .flag = "--max-iter"},
        [](EstimateOptions& o) -> int& { return o.max_iterations; });
  t.Double(OptionRecord{.name = "demean_tolerance",
                        .doc = "Tolerance of the within-transformation at the final IRLS step "
                               "(relative to the column's weighted norm); early steps use a looser "
                               "one.",
                        .default_value = d.demean_tolerance,
                        .lower = OptionBound{0, false},
                        .upper = OptionBound{1, false}},
           [](EstimateOptions& o) -> double& { return o.demean_tolerance; });
  t.Int(OptionRecord{.name = "max_demean_iterations",
                     .doc = "Maximum conjugate-gradient iterations per demeaning; reaching it is "
                            "reported as not converged.",
                     .default_value = int64_t{d.max_demean_iterations},
                     .lower = OptionBound{1, true}},
        [](EstimateOptions& o) -> int& { return o.max_demean_iterations; });
  t.Bool(OptionRecord{.name = "eliminate_runs",
                      .doc = "Solve the fixed effects of a dimension whose groups each come as "
                             "one run of consecutive rows (a file sorted by pair) exactly, run by "
                             "run, and the other dimensions by conjugate gradients (fewer passes; "
                             "the same solution to the demeaning tolerance); false = conjugate "
                             "gradients on every dimension, as across MPI processes.",
                      .default_value = d.eliminate_runs},
         [](EstimateOptions& o) -> bool& { return o.eliminate_runs; });
  t.Bool(OptionRecord{.name = "check_separation",
                      .doc = "Check for separation (fixed effects with an all-zero outcome, and "
                             "the ReLU method) and drop separated observations.",
                      .default_value = d.check_separation},
         [](EstimateOptions& o) -> bool& { return o.check_separation; });
  t.Int(OptionRecord{.name = "max_separation_iterations",
                     .doc = "Iteration limit of the iterated-rectifier (ReLU) separation check; "
                            "reaching it is an error, never a silent pass.",
                     .default_value = int64_t{d.max_separation_iterations},
                     .lower = OptionBound{1, true}},
        [](EstimateOptions& o) -> int& { return o.max_separation_iterations; });
  t.Bool(OptionRecord{.name = "drop_singletons",
                      .doc = "Drop observations that are singletons in some fixed-effect "
                             "dimension, iteratively (Correia 2015); they do not change the "
                             "estimates but do change N and the small-sample corrections.",
                      .default_value = d.drop_singletons},
         [](EstimateOptions& o) -> bool& { return o.drop_singletons; });
  t.Int(OptionRecord{.name = "threads",
                     .doc = "Threads for reading and estimation; problems under 50,000 rows run "
                            "on one thread.",
                     .default_value = int64_t{d.threads},
                     .lower = OptionBound{0, true},
                     .bound_note = "0 = all cores"},
        [](EstimateOptions& o) -> int& { return o.threads; });
  return t;
}

}  // namespace

const core::OptionTable<EstimateOptions>& EstimateOptionTable() {
  static const core::OptionTable<EstimateOptions> table = BuildTable();
  return table;
}

Status EstimateOptions::Validate() const {
  if (formula.empty()) return Status::InvalidArgument("formula: required");
  return EstimateOptionTable().Validate(*this);
}

}  // namespace rebalance::econ
