// Bindings of econ: EstimateOptions, EstimateResult, Estimate.
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <cstdio>
#include <variant>

#include "native.h"
#include "rebalance/data/table.h"
#include "rebalance/econ/ppml.h"
#include "rebalance/ge/gravity.h"
#include "rebalance/ge/multisector.h"
#include "rebalance/ge/solver.h"

namespace rebalance::python {
namespace {

// A Python value as an option value (core/options.h); anything else than
// bool, int, float or str is passed as its repr, which the record refuses
// with the usual words ("expected a number, got 'None'").
core::OptionValue ToOptionValue(const py::handle& v) {
  if (py::isinstance<py::bool_>(v)) return v.cast<bool>();
  if (py::isinstance<py::int_>(v)) return v.cast<int64_t>();
  if (py::isinstance<py::float_>(v)) return v.cast<double>();
  if (py::isinstance<py::str>(v)) return v.cast<std::string>();
  return py::repr(v).cast<std::string>();
}

py::object FromOptionValue(const core::OptionValue& v) {
  return std::visit([](const auto& x) -> py::object { return py::cast(x); }, v);
}

// The registry tables by group name ("estimate", "gravity", "multisector",
// "solver").
std::vector<const core::OptionRecords*> OptionTables() {
  return {&econ::EstimateOptionTable(), &ge::GravityOptionTable(), &ge::MultisectorOptionTable(),
          &ge::SolverOptionTable()};
}

py::list RecordsToPython(const core::OptionRecords& table) {
  py::list out;
  for (const auto& r : table.records()) {
    py::dict d;
    d["name"] = r.name;
    d["doc"] = r.doc;
    d["type"] = core::ToString(r.type);
    d["default"] = FromOptionValue(r.default_value);
    d["range"] = r.RangeText();
    d["allowed"] = r.allowed;
    d["cli_flag"] = r.CliFlag();
    d["toml_key"] = r.name;
    d["python_keyword"] = r.name;
    out.append(d);
  }
  return out;
}

}  // namespace

void BindEcon(py::module_& m) {
  using namespace rebalance::econ;
  py::enum_<Family>(m, "Family")
      .value("POISSON", Family::kPoisson)
      .value("GAUSSIAN", Family::kGaussian);
  py::enum_<SmallSample>(m, "SmallSample")
      .value("STATA", SmallSample::kStata)
      .value("FIXEST", SmallSample::kFixest);
  py::enum_<Termination>(m, "Termination")
      .value("CONVERGED", Termination::kConverged)
      .value("MAX_ITERATIONS", Termination::kMaxIterations)
      .value("DIVERGED", Termination::kDiverged);

  py::class_<EstimateOptions>(m, "EstimateOptions",
                              "Options of Estimate (see include/rebalance/econ/ppml.h).")
      .def(py::init<>())
      .def_readwrite("formula", &EstimateOptions::formula)
      .def_readwrite("where", &EstimateOptions::where)
      .def_readwrite("family", &EstimateOptions::family)
      .def_readwrite("weights", &EstimateOptions::weights)
      .def_readwrite("offset", &EstimateOptions::offset)
      .def_readwrite("vcov", &EstimateOptions::vcov)
      .def_readwrite("ssc", &EstimateOptions::ssc)
      .def_readwrite("tolerance", &EstimateOptions::tolerance)
      .def_readwrite("max_iterations", &EstimateOptions::max_iterations)
      .def_readwrite("demean_tolerance", &EstimateOptions::demean_tolerance)
      .def_readwrite("check_separation", &EstimateOptions::check_separation)
      .def_readwrite("threads", &EstimateOptions::threads)
      .def_property(
          "verbose",
          [](const EstimateOptions& o) { return static_cast<bool>(o.iteration_callback); },
          [](EstimateOptions& o, bool v) {
            // Progress lines on stderr, as `rebalance estimate` prints them.
            o.iteration_callback = nullptr;
            if (v) {
              o.iteration_callback = [](const IterationRecord& r) {
                std::fprintf(stderr, "%s\n", r.text.c_str());
                std::fflush(stderr);
              };
            }
          })
      .def("validate", [](const EstimateOptions& o) { Check(o.Validate()); })
      .def(
          "set",
          [](EstimateOptions& o, const std::string& name, const py::handle& value) {
            Check(EstimateOptionTable().Set(&o, name, ToOptionValue(value)));
          },
          py::arg("name"), py::arg("value"),
          "Sets an option of the registry (econ::EstimateOptionTable) by name, checked "
          "against its record; raises InputError with the registry's message.")
      .def(
          "get",
          [](const EstimateOptions& o, const std::string& name) {
            return FromOptionValue(Unwrap(EstimateOptionTable().Get(o, name)));
          },
          py::arg("name"));

  m.def(
      "option_records",
      [](const std::string& group) {
        std::vector<std::string> groups;
        for (const auto* t : OptionTables()) {
          if (t->group() == group) return RecordsToPython(*t);
          groups.push_back(t->group());
        }
        ThrowStatus(Status::NotFound(
            fmt::format("unknown option group '{}'; groups: {}", group, fmt::join(groups, ", "))));
      },
      py::arg("group"),
      "The options registry's records of one group (estimate, gravity, multisector, solver): "
      "name, doc, type, default, range, allowed, cli_flag, toml_key, python_keyword.");

  py::class_<Coefficient>(m, "Coefficient")
      .def_readonly("name", &Coefficient::name)
      .def_readonly("estimate", &Coefficient::estimate)
      .def_readonly("std_error", &Coefficient::std_error)
      .def_readonly("z", &Coefficient::z)
      .def_readonly("p_value", &Coefficient::p_value)
      .def_readonly("ci_low", &Coefficient::ci_low)
      .def_readonly("ci_high", &Coefficient::ci_high);
  py::class_<DroppedCounts>(m, "DroppedCounts")
      .def_readonly("missing", &DroppedCounts::missing)
      .def_readonly("filtered", &DroppedCounts::filtered)
      .def_readonly("singleton", &DroppedCounts::singleton)
      .def_readonly("separated", &DroppedCounts::separated);
  py::class_<FixedEffectEstimates>(m, "FixedEffectEstimates")
      .def_readonly("name", &FixedEffectEstimates::name)
      .def_readonly("labels", &FixedEffectEstimates::labels)
      .def_readonly("values", &FixedEffectEstimates::values);
  py::class_<IterationRecord> record(m, "IterationRecord",
                                     "One step of an estimation (EstimateResult.iteration_log).");
  py::enum_<IterationRecord::Kind>(record, "Kind")
      .value("PHASE", IterationRecord::Kind::kPhase)
      .value("SAMPLE", IterationRecord::Kind::kSample)
      .value("SEPARATION_REGRESSORS", IterationRecord::Kind::kSeparationRegressors)
      .value("SEPARATION_ROUND", IterationRecord::Kind::kSeparationRound)
      .value("IRLS", IterationRecord::Kind::kIrls);
  record.def_readonly("kind", &IterationRecord::kind)
      .def_readonly("seconds", &IterationRecord::seconds)
      .def_readonly("step", &IterationRecord::step)
      .def_readonly("deviance", &IterationRecord::deviance)
      .def_readonly("eps", &IterationRecord::eps)
      .def_readonly("inner_tolerance", &IterationRecord::inner_tolerance)
      .def_readonly("halvings", &IterationRecord::halvings)
      .def_readonly("inner_iterations", &IterationRecord::inner_iterations)
      .def_readonly("text", &IterationRecord::text)
      .def("__repr__", [](const IterationRecord& r) { return r.text; });
  py::class_<EstimateResult>(m, "EstimateResult")
      .def_readonly("termination", &EstimateResult::termination)
      .def_readonly("message", &EstimateResult::message)
      .def_readonly("coefficients", &EstimateResult::coefficients)
      .def_readonly("collinear", &EstimateResult::collinear)
      .def_property_readonly("vcov", [](const EstimateResult& r) { return r.vcov; })
      .def_readonly("vcov_type", &EstimateResult::vcov_type)
      .def_readonly("nobs", &EstimateResult::nobs)
      .def_readonly("dropped", &EstimateResult::dropped)
      .def_readonly("loglik", &EstimateResult::loglik)
      .def_readonly("deviance", &EstimateResult::deviance)
      .def_readonly("null_deviance", &EstimateResult::null_deviance)
      .def_readonly("pseudo_r2", &EstimateResult::pseudo_r2)
      .def_readonly("r2", &EstimateResult::r2)
      .def_readonly("iterations", &EstimateResult::iterations)
      .def_readonly("iteration_log", &EstimateResult::iteration_log)
      .def_readonly("seconds", &EstimateResult::seconds)
      .def_property_readonly("sample_rows",
                             [](const EstimateResult& r) {
                               return py::array_t<int64_t>(
                                   static_cast<py::ssize_t>(r.sample_rows.size()),
                                   r.sample_rows.data());
                             })
      .def_property_readonly("fitted",
                             [](const EstimateResult& r) {
                               return py::array_t<double>(static_cast<py::ssize_t>(r.fitted.size()),
                                                          r.fitted.data());
                             })
      .def_readonly("fixed_effects", &EstimateResult::fixed_effects)
      .def_property_readonly("converged", &EstimateResult::converged)
      .def("brief_report", &EstimateResult::BriefReport)
      .def("full_report", &EstimateResult::FullReport)
      .def("to_json", &EstimateResult::ToJson);

  m.def(
      "estimate",
      [](const data::Table& table, const EstimateOptions& options) {
        Result<EstimateResult> r = [&] {
          py::gil_scoped_release release;
          return Estimate(table, options);
        }();
        EstimateResult res = Unwrap(std::move(r));
        if (!res.converged()) {
          ThrowStatus(Status::NotConverged("estimation did not converge: " + res.message));
        }
        return res;
      },
      py::arg("table"), py::arg("options"),
      "PPML / OLS with high-dimensional fixed effects. Raises ConvergenceError when not "
      "converged.");
}

}  // namespace rebalance::python
