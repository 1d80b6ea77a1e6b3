// Bindings of data::ParseFormula / ParseFilter: the friendly layer asks which
// columns a call needs, so only those are converted from pandas.
#include "native.h"
#include "rebalance/data/formula.h"

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
}

}  // namespace rebalance::python
