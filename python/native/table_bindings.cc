// Table construction from numpy arrays. Numeric columns are copied once into
// the engine's contiguous layout; string and categorical identifiers arrive as
// (int32 codes, categories) so no per-row Python strings are touched.
#include <cmath>

#include "native.h"
#include "rebalance/data/csv.h"
#include "rebalance/data/csv_sniff.h"
#include "rebalance/data/table.h"

namespace rebalance::python {
namespace {

using data::Column;
using data::ColumnType;
using data::Table;

Column FromFloat(const std::string& name,
                 py::array_t<double, py::array::c_style | py::array::forcecast> a) {
  Column c;
  c.name = name;
  c.type = ColumnType::kF64;
  const auto n = static_cast<size_t>(a.size());
  c.f64.assign(a.data(), a.data() + n);
  bool any = false;
  for (double v : c.f64) any |= !std::isfinite(v);
  if (any) {
    c.missing.resize(n);
    for (size_t i = 0; i < n; ++i) {
      if (!std::isfinite(c.f64[i])) {
        c.missing[i] = 1;
        c.f64[i] = std::nan("");
      }
    }
  }
  return c;
}

Column FromInt(const std::string& name,
               py::array_t<int64_t, py::array::c_style | py::array::forcecast> a, py::object mask) {
  Column c;
  c.name = name;
  c.type = ColumnType::kI64;
  c.i64.assign(a.data(), a.data() + a.size());
  if (!mask.is_none()) {
    auto m = mask.cast<py::array_t<bool, py::array::c_style | py::array::forcecast>>();
    if (m.size() != a.size())
      ThrowStatus(Status::InvalidArgument("mask length differs from column '" + name + "'"));
    c.missing.assign(m.data(), m.data() + m.size());
  }
  return c;
}

Column FromCodes(const std::string& name,
                 py::array_t<int32_t, py::array::c_style | py::array::forcecast> codes,
                 std::vector<std::string> categories) {
  Column c;
  c.name = name;
  c.type = ColumnType::kString;
  c.codes.assign(codes.data(), codes.data() + codes.size());
  c.dictionary = std::move(categories);
  const auto k = static_cast<int32_t>(c.dictionary.size());
  bool any = false;
  for (int32_t v : c.codes) {
    if (v < -1 || v >= k)
      ThrowStatus(Status::InvalidArgument("column '" + name + "': category code out of range"));
    any |= (v == -1);
  }
  if (any) {
    c.missing.resize(c.codes.size());
    for (size_t i = 0; i < c.codes.size(); ++i) c.missing[i] = c.codes[i] == -1;
  }
  return c;
}

}  // namespace

void BindTable(py::module_& m) {
  py::class_<Table>(m, "Table", "Columnar table (typed columns, explicit missingness).")
      .def(py::init<>())
      .def_property_readonly("num_rows", &Table::num_rows)
      .def_property_readonly("column_names",
                             [](const Table& t) {
                               std::vector<std::string> names;
                               for (const auto& c : t.columns()) names.push_back(c.name);
                               return names;
                             })
      .def(
          "add_float",
          [](Table& t, const std::string& name,
             py::array_t<double, py::array::c_style | py::array::forcecast> a) {
            Check(t.AddColumn(FromFloat(name, a)));
          },
          py::arg("name"), py::arg("values"), "Adds an f64 column; NaN/Inf are missing.")
      .def(
          "add_int",
          [](Table& t, const std::string& name,
             py::array_t<int64_t, py::array::c_style | py::array::forcecast> a,
             py::object mask) { Check(t.AddColumn(FromInt(name, a, mask))); },
          py::arg("name"), py::arg("values"), py::arg("mask") = py::none(),
          "Adds an i64 column; `mask` (bool) marks missing cells.")
      .def(
          "add_codes",
          [](Table& t, const std::string& name,
             py::array_t<int32_t, py::array::c_style | py::array::forcecast> codes,
             std::vector<std::string> categories) {
            Check(t.AddColumn(FromCodes(name, codes, std::move(categories))));
          },
          py::arg("name"), py::arg("codes"), py::arg("categories"),
          "Adds a dictionary-coded string column (code -1 = missing).")
      .def(
          "column_values",
          [](const Table& t, const std::string& name) -> py::object {
            const data::Column* c = Unwrap(t.GetColumn(name));
            if (c->type == ColumnType::kString) {
              py::list out;
              for (int64_t r = 0; r < c->size(); ++r) {
                if (c->IsMissing(r))
                  out.append(py::none());
                else
                  out.append(c->dictionary[static_cast<size_t>(c->codes[static_cast<size_t>(r)])]);
              }
              return out;
            }
            py::array_t<double> out(c->size());
            auto* p = out.mutable_data();
            for (int64_t r = 0; r < c->size(); ++r) p[r] = c->AsDouble(r);
            return out;
          },
          py::arg("name"), "A column as a float array (numeric) or a list of str/None.");
  m.def(
      "read_csv",
      [](const std::string& path, int threads, const std::string& sep) {
        data::CsvOptions opt;
        opt.threads = threads;
        Result<Table> r = [&]() -> Result<Table> {
          py::gil_scoped_release release;
          auto s = data::ResolveSeparator(path, sep);
          if (!s.ok()) return s.status().WithContext("sep");
          opt.delimiter = *s;
          return data::ReadCsv(path, opt);
        }();
        return Unwrap(std::move(r));
      },
      py::arg("path"), py::arg("threads") = 0, py::arg("sep") = "auto",
      "Reads a CSV or CSV.gz file into a Table; sep: ',', ';', 'tab', '|' or 'auto' (detected "
      "from the header).");
}

}  // namespace rebalance::python
