// The options registry of the one-sector gravity model (GravityOptions,
// gravity.h), each option declared once, and GravityOptions::Validate with
// its cross-option rules (a reference importer given, the book's method only
// with the ratio closure).
#include <fmt/format.h>

#include "options_internal.h"
#include "rebalance/ge/gravity.h"

// Records are written with designated initializers, naming only the fields
// they set; GCC's -Wextra would list every field left at its default.
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

namespace rebalance::ge {
namespace {

using core::OptionBound;
using core::OptionRecord;
using internal::AddSolverRecords;

core::OptionTable<GravityOptions> BuildGravityTable() {
  const GravityOptions d;
  core::OptionTable<GravityOptions> t(
      "gravity",
      "One-sector structural gravity GE (`rebalance gravity`; ge::GravityOptions). The solver's "
      "tolerance and max_iterations apply to its three Newton solves.");
  t.Double(OptionRecord{.name = "sigma",
                        .doc = "Elasticity of substitution between origins.",
                        .default_value = d.sigma,
                        .lower = OptionBound{1, false}},
           [](GravityOptions& o) -> double& { return o.sigma; });
  t.String(OptionRecord{.name = "reference",
                        .doc = "Reference importer whose inward resistance is the numeraire "
                               "(required).",
                        .default_value = d.reference},
           [](GravityOptions& o) -> std::string& { return o.reference; });
  t.Enum(
      OptionRecord{.name = "closure",
                   .doc = "Deficit closure of the full-endowment equilibrium "
                          "(docs/gravity_ge.md).",
                   .default_value = std::string(ToString(d.closure)),
                   .allowed = {"ratio", "additive", "balanced"}},
      [](const GravityOptions& o) { return std::string(ToString(o.closure)); },
      [](GravityOptions& o, const std::string& v) { o.closure = *DeficitClosureFromString(v); });
  t.Enum(
      OptionRecord{.name = "full_method",
                   .doc = "Full-GE method: exact, or yotov2016 (the book's loop and stopping "
                          "rule; not an exact equilibrium; ratio closure only).",
                   .default_value = std::string(ToString(d.full_method)),
                   .allowed = {"exact", "yotov2016"},
                   .flag = "--method"},
      [](const GravityOptions& o) { return std::string(ToString(o.full_method)); },
      [](GravityOptions& o, const std::string& v) { o.full_method = *FullGeMethodFromString(v); });
  t.Double(OptionRecord{.name = "yotov_criterion",
                        .doc = "yotov2016 only: the book's stopping criterion on successive "
                               "factory-gate price changes.",
                        .default_value = d.yotov_criterion,
                        .lower = OptionBound{0, false}},
           [](GravityOptions& o) -> double& { return o.yotov_criterion; });
  t.Int(OptionRecord{.name = "yotov_max_iterations",
                     .doc = "yotov2016 only: iteration cap (reaching it is not converged).",
                     .default_value = int64_t{d.yotov_max_iterations},
                     .lower = OptionBound{1, true}},
        [](GravityOptions& o) -> int& { return o.yotov_max_iterations; });
  AddSolverRecords(
      &t, d.solver, [](GravityOptions& o) -> SolverOptions& { return o.solver; }, false);
  return t;
}

}  // namespace

const core::OptionTable<GravityOptions>& GravityOptionTable() {
  static const core::OptionTable<GravityOptions> table = BuildGravityTable();
  return table;
}

Status GravityOptions::Validate() const {
  RB_RETURN_IF_ERROR(GravityOptionTable().Validate(*this));
  if (full_method == FullGeMethod::kYotov2016 && closure != DeficitClosure::kRatioFixed) {
    return Status::InvalidArgument(
        "full_method: the yotov2016 full-GE method exists only for the ratio closure");
  }
  if (reference.empty()) {
    return Status::InvalidArgument(
        "reference: a reference importer is required (its inward resistance is the numeraire)");
  }
  return solver.Validate();
}

}  // namespace rebalance::ge
