// Bindings of data::ParseFormula / ParseFilter: the friendly layer asks which
// columns a call needs, so only those are converted from pandas.
#include "native.h"
#include "rebalance/data/formula.h"
#include "rebalance/econ/ppml.h"
#include "rebalance/report/etable.h"

namespace rebalance::python {

void BindFormula(py::module_& m) {
  m.def(
      "formula_columns",
      [](const std::string& text) { return Unwrap(data::ParseFormula(text)).Columns(); },
      py::arg("formula"),
      "Columns a fixest-style formula uses (raises InputError if it does not parse).");
  m.def(
      "filter_columns",
      [](const std::string& text) { return Unwrap(data::ParseFilter(text)).Columns(); },
      py::arg("where"), "Columns a --where expression uses.");
  m.def(
      "formula_expand",
      [](const std::string& text) {
        std::vector<std::string> out;
        for (const auto& f : Unwrap(data::ExpandFormulas(text))) out.push_back(f.ToString());
        return out;
      },
      py::arg("formula"),
      "The models of a formula with sw() / csw(), as canonical formula texts (one model: "
      "itself).");
  m.def(
      "design_columns",
      [](const data::Table& table, const std::string& formula, bool keep_reference) {
        data::Formula f = Unwrap(data::ParseFormula(formula));
        // For prediction on new data: every level's dummy, the reference
        // included (it has no coefficient, and new data may lack it).
        if (keep_reference) {
          for (auto& t : f.regressors) t.ref.clear();
        }
        const auto design = Unwrap(data::ExpandRegressors(table, f));
        py::dict out;
        for (const auto& d : design) {
          py::array_t<double> a(static_cast<py::ssize_t>(table.num_rows()));
          double* p = a.mutable_data();
          for (int64_t r = 0; r < table.num_rows(); ++r) p[r] = d.reader(r);
          out[py::str(d.name)] = a;
        }
        return out;
      },
      py::arg("table"), py::arg("formula"), py::arg("keep_reference") = false,
      "The regressors' design columns (data::ExpandRegressors): name -> values per row, NaN "
      "where an input is missing or a value is not finite; keep_reference: also the reference "
      "levels' dummies of i() terms.");
  m.def(
      "etable",
      [](const std::vector<const econ::EstimateResult*>& fits, const std::string& type,
         const std::vector<std::string>& model_names, int digits) {
        report::EtableOptions o;
        o.format = Unwrap(report::EtableFormatFromString(type));
        o.model_names = model_names;
        o.digits = digits;
        return Unwrap(report::Etable(fits, o));
      },
      py::arg("fits"), py::arg("type") = "text",
      py::arg("model_names") = std::vector<std::string>{}, py::arg("digits") = 4,
      "Several estimates side by side (report::Etable).");
}

}  // namespace rebalance::python
