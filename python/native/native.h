#ifndef REBALANCE_PYTHON_NATIVE_H_
#define REBALANCE_PYTHON_NATIVE_H_

#include <pybind11/eigen.h>
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include "rebalance/core/status.h"
#include "rebalance/core/version.h"

namespace py = pybind11;

namespace rebalance::python {

// Raises the Python exception matching `status` (InputError,
// ConvergenceError, NumericalError or RebalanceError).
[[noreturn]] void ThrowStatus(const Status& status);

template <typename T>
T Unwrap(Result<T> result) {
  if (!result.ok()) ThrowStatus(result.status());
  return std::move(result).value();
}
// Runs `f` with the GIL released (every engine computation goes through this).
template <typename F>
auto Released(F&& f) {
  py::gil_scoped_release release;
  return f();
}
inline void Check(const Status& status) {
  if (!status.ok()) ThrowStatus(status);
}

void BindTable(py::module_& m);
void BindEcon(py::module_& m);
void BindFormula(py::module_& m);
void BindIo(py::module_& m);
void BindGe(py::module_& m);
void BindScenario(py::module_& m);
void BindTariffWar(py::module_& m);  // tariff_war_bindings.cc
void BindReport(py::module_& m);     // report_bindings.cc

}  // namespace rebalance::python

#endif  // REBALANCE_PYTHON_NATIVE_H_
