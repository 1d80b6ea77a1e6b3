// Bindings of report/diagnose.h: the files and summary of `rebalance
// diagnose` (report::Diagnose, WriteDiagnoseFiles), and the WIOD year
// helpers it reads with (io_tables/table_years.h). File contents cross as
// bytes, exactly as the CLI writes them.
#include "native.h"
#include "rebalance/io_tables/table_years.h"
#include "rebalance/report/diagnose.h"

namespace rebalance::python {

void BindReport(py::module_& m) {
  using rebalance::report::DiagnoseOptions;
  using rebalance::report::DiagnoseOutputs;
  namespace io = rebalance::io_tables;
  py::class_<DiagnoseOptions>(m, "DiagnoseOptions",
                              "Options of diagnose_outputs (report::DiagnoseOptions).")
      .def(py::init<>())
      .def_property(
          "output_basis",
          [](const DiagnoseOptions& o) {
            return std::string(io::ToString(o.accounting.output_basis));
          },
          [](DiagnoseOptions& o, const std::string& v) {
            o.accounting.output_basis = Unwrap(io::OutputBasisFromString(v));
          },
          "Gross output for A and v: row_sums (default) or reported.")
      .def_property(
          "zero_output",
          [](const DiagnoseOptions& o) {
            return std::string(io::ToString(o.accounting.zero_output_policy));
          },
          [](DiagnoseOptions& o, const std::string& v) {
            o.accounting.zero_output_policy = Unwrap(io::ZeroOutputPolicyFromString(v));
          },
          "Zero-output sectors with inputs: drop_inputs (default) or error.")
      .def_readwrite("overcapacity", &DiagnoseOptions::overcapacity)
      .def_readwrite("wwz", &DiagnoseOptions::wwz)
      .def_readwrite("top", &DiagnoseOptions::top);
  py::class_<DiagnoseOutputs>(m, "DiagnoseOutputs")
      .def_property_readonly(
          "files",
          [](const DiagnoseOutputs& o) {
            py::list out;
            for (const auto& f : o.files) {
              out.append(py::make_tuple(f.name, py::bytes(f.content)));
            }
            return out;
          },
          "List of (file name, bytes) in the order they are written.")
      .def_property_readonly(
          "summary", [](const DiagnoseOutputs& o) { return py::bytes(o.summary); },
          "The terminal summary (UTF-8 bytes).");
  m.def(
      "diagnose_outputs",
      [](const std::vector<io::IoTable>& tables, const DiagnoseOptions& options) {
        DiagnoseOptions o = options;
        o.warning = nullptr;  // reported in validation.csv; Python has no stderr line
        return Unwrap(Released([&] { return report::Diagnose(tables, o); }));
      },
      py::arg("tables"), py::arg("options") = DiagnoseOptions(),
      "The files and summary of `rebalance diagnose` for these tables (years, oldest first).");
  m.def(
      "write_diagnose_files",
      [](const DiagnoseOutputs& outputs, const std::string& dir, bool force) {
        Check(report::WriteDiagnoseFiles(outputs, dir, force));
      },
      py::arg("outputs"), py::arg("dir"), py::arg("force") = false,
      "Writes the files into dir, atomically; refuses to overwrite unless force.");
  m.def(
      "parse_year_list", [](const std::string& spec) { return Unwrap(io::ParseYearList(spec)); },
      py::arg("spec"), "Years of \"2011\", \"2005,2011\" or \"1995-2011\", sorted.");
  m.def(
      "read_wiod_years",
      [](const std::string& path, const std::vector<int>& years) {
        return Unwrap(Released([&] { return io::ReadWiodYears(path, years); }));
      },
      py::arg("path"), py::arg("years") = std::vector<int>(),
      "WIOD tables of these years from a folder of wiotYYYY files (no years: all found).");
}

}  // namespace rebalance::python
