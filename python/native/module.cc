// rebalance._native: the 1:1 pybind11 mirror of the C++ API. The friendly,
// pandas-facing layer is plain Python (python/rebalance/__init__.py).
#include "native.h"

namespace rebalance::python {

PyObject* g_error = nullptr;
PyObject* g_input_error = nullptr;
PyObject* g_convergence_error = nullptr;
PyObject* g_numerical_error = nullptr;

[[noreturn]] void ThrowStatus(const Status& status) {
  PyObject* type = g_error;
  switch (status.code()) {
    case StatusCode::kInvalidArgument:
    case StatusCode::kNotFound:
    case StatusCode::kParseError:
    case StatusCode::kIoError:
    case StatusCode::kFailedPrecondition: type = g_input_error; break;
    case StatusCode::kNotConverged: type = g_convergence_error; break;
    case StatusCode::kNumericalError: type = g_numerical_error; break;
    default: break;
  }
  PyErr_SetString(type, status.message().c_str());
  throw py::error_already_set();
}

}  // namespace rebalance::python

PYBIND11_MODULE(_native, m) {
  using namespace rebalance::python;
  m.doc() = "Native layer of rebalance (a 1:1 mirror of the C++ API).";
  g_error = PyErr_NewExceptionWithDoc("rebalance.RebalanceError",
                                      "Base class of rebalance's errors.", PyExc_RuntimeError, nullptr);
  g_input_error = PyErr_NewExceptionWithDoc(
      "rebalance.InputError", "Bad input: a file, column, option or value that cannot be used.",
      g_error, nullptr);
  g_convergence_error = PyErr_NewExceptionWithDoc(
      "rebalance.ConvergenceError", "A solver or estimator did not converge.", g_error, nullptr);
  g_numerical_error = PyErr_NewExceptionWithDoc(
      "rebalance.NumericalError", "A NaN or Inf appeared where a finite number was required.",
      g_error, nullptr);
  m.attr("RebalanceError") = py::handle(g_error);
  m.attr("InputError") = py::handle(g_input_error);
  m.attr("ConvergenceError") = py::handle(g_convergence_error);
  m.attr("NumericalError") = py::handle(g_numerical_error);
  m.attr("__version__") = REBALANCE_VERSION;
  BindTable(m);
  BindEcon(m);
  BindFormula(m);
  BindIo(m);
  BindGe(m);
  BindScenario(m);
  BindTariffWar(m);
}
