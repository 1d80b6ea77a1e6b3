// rebalance._native: the 1:1 pybind11 mirror of the C++ API. The friendly,
// pandas-facing layer is plain Python (python/rebalance/__init__.py).
#include "native.h"

#include <exception>
#include <new>
#include <stdexcept>
#include <string>

#include "rebalance/core/text.h"

namespace rebalance::python {

PyObject* g_error = nullptr;
PyObject* g_input_error = nullptr;
PyObject* g_convergence_error = nullptr;
PyObject* g_numerical_error = nullptr;
PyObject* g_internal_error = nullptr;

[[noreturn]] void ThrowStatus(const Status& status) {
  PyObject* type = g_error;
  switch (status.code()) {
    case StatusCode::kInvalidArgument:
    case StatusCode::kNotFound:
    case StatusCode::kParseError:
    case StatusCode::kIoError:
    case StatusCode::kFailedPrecondition:
      type = g_input_error;
      break;
    case StatusCode::kNotConverged:
      type = g_convergence_error;
      break;
    case StatusCode::kNumericalError:
      type = g_numerical_error;
      break;
    default:
      break;
  }
  // Messages may quote input bytes; Python needs valid UTF-8.
  PyErr_SetString(type, rebalance::core::PrintableText(status.message()).c_str());
  throw py::error_already_set();
}

}  // namespace rebalance::python

PYBIND11_MODULE(_native, m) {
  using namespace rebalance::python;
  m.doc() = "Native layer of rebalance (a 1:1 mirror of the C++ API).";
  g_error = PyErr_NewExceptionWithDoc(
      "rebalance.RebalanceError", "Base class of rebalance's errors.", PyExc_RuntimeError, nullptr);
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
  g_internal_error = PyErr_NewExceptionWithDoc(
      "rebalance.InternalError", "A bug in rebalance: a C++ exception escaped the library.",
      g_error, nullptr);
  m.attr("InternalError") = py::handle(g_internal_error);
  // For the test of the translator below (python/tests/test_errors.py).
  m.def(
      "_throw_cpp_exception", [](const std::string& what) { throw std::logic_error(what); },
      "Test hook: throws a C++ std::logic_error.");
  // Last resort: a C++ exception that escapes a call (the library returns
  // Status and should never throw) becomes rebalance.InternalError; pybind11's
  // own exceptions and std::bad_alloc (MemoryError) keep their mapping.
  py::register_exception_translator([](std::exception_ptr p) {
    if (!p) return;
    try {
      std::rethrow_exception(p);
    } catch (const py::builtin_exception&) {
      throw;
    } catch (const py::error_already_set&) {
      throw;
    } catch (const std::bad_alloc&) {
      throw;
    } catch (const std::exception& e) {
      const std::string what = "internal error: " + rebalance::core::PrintableText(e.what());
      PyErr_SetString(g_internal_error, what.c_str());
    }
  });
  m.attr("__version__") = REBALANCE_VERSION;
  BindTable(m);
  BindEcon(m);
  BindFormula(m);
  BindIo(m);
  BindGe(m);
  BindScenario(m);
  BindTariffWar(m);
  BindReport(m);
}
