// Bindings of io_tables: IoTable and its readers, Mapping/Aggregate, the
// Leontief system, TiVA, bilateral balances, KWW/WWZ decompositions and the
// overcapacity indicators. Matrices cross as numpy arrays (pybind11/eigen.h).
#include "native.h"
#include "rebalance/io_tables/accounting.h"
#include "rebalance/io_tables/io_table.h"
#include "rebalance/io_tables/overcapacity.h"

namespace rebalance::python {

void BindIo(py::module_& m) {
  using namespace rebalance::io_tables;
  py::class_<Mapping>(m, "Mapping", "Aggregation mapping (kind,from,to), see ReadMapping.")
      .def_readonly("country", &Mapping::country)
      .def_readonly("sector", &Mapping::sector)
      .def_readonly("country_order", &Mapping::country_order)
      .def_readonly("sector_order", &Mapping::sector_order);
  m.def(
      "read_mapping", [](const std::string& path) { return Unwrap(ReadMapping(path)); },
      py::arg("path"), "Reads an aggregation mapping CSV (kind,from,to).");
  m.def(
      "parse_mapping",
      [](const std::string& text, const std::string& source) {
        return Unwrap(ParseMapping(text, source));
      },
      py::arg("text"), py::arg("source"), "Parses aggregation mapping CSV text.");

  py::class_<IoTable>(m, "IoTable",
                      "Multi-regional input-output table (z, f, x, v as numpy arrays).")
      .def_readonly("year", &IoTable::year)
      .def_readonly("countries", &IoTable::countries)
      .def_readonly("sectors", &IoTable::sectors)
      .def_readonly("sector_names", &IoTable::sector_names)
      .def_readonly("categories", &IoTable::categories)
      .def_readonly("z", &IoTable::z, py::return_value_policy::reference_internal)
      .def_readonly("f", &IoTable::f, py::return_value_policy::reference_internal)
      .def_readonly("x", &IoTable::x, py::return_value_policy::reference_internal)
      .def_readonly("v", &IoTable::v, py::return_value_policy::reference_internal)
      .def_readonly("source", &IoTable::source)
      .def_property_readonly("validation_report",
                             [](const IoTable& t) { return t.validation.ToString(); })
      .def("label", &IoTable::Label, py::arg("index"), "Label 'COUNTRY_SECTOR' of a row index.")
      .def("final_demand_by_country", &IoTable::FinalDemandByCountry,
           "Final demand summed over categories, (C*S) x C.")
      .def(
          "aggregate",
          [](const IoTable& t, const Mapping& map) {
            return Unwrap(Released([&] { return t.Aggregate(map); }));
          },
          py::arg("mapping"), "Aggregates countries/sectors with a Mapping.")
      .def(
          "to_long_csv", [](const IoTable& t) { return ToLongCsv(t); },
          "The long-format CSV text of the table.");

  auto read = [](const std::string& path, const std::string& format, int year) {
    const TableFormat f =
        format.empty() ? Unwrap(DetectFormat(path)) : Unwrap(TableFormatFromString(format));
    return Unwrap(Released([&] { return ReadIoTable(path, f, year); }));
  };
  m.def("read_io_table", read, py::arg("path"), py::arg("format") = "", py::arg("year") = 0,
        "Reads an IO table (format 'wiod', 'icio', 'long', 'decompr'; empty = detect).");
  m.def(
      "read_wiod",
      [](const std::string& p, int y) { return Unwrap(Released([&] { return ReadWiod(p, y); })); },
      py::arg("path"), py::arg("year") = 0,
      "Reads a WIOD world input-output table (CSV or CSV.gz).");
  m.def(
      "read_icio",
      [](const std::string& p, int y) { return Unwrap(Released([&] { return ReadIcio(p, y); })); },
      py::arg("path"), py::arg("year") = 0, "Reads an OECD ICIO table.");
  m.def(
      "read_long",
      [](const std::string& p, int y) { return Unwrap(Released([&] { return ReadLong(p, y); })); },
      py::arg("path"), py::arg("year") = 0, "Reads a long-format IO table CSV.");
  m.def(
      "read_decompr",
      [](const std::string& p, int y) {
        return Unwrap(Released([&] { return ReadDecompr(p, y); }));
      },
      py::arg("path"), py::arg("year") = 0, "Reads a decompr-style IO table CSV.");

  py::class_<LeontiefSystem>(m, "LeontiefSystem", "A, V and the LU of I - A (BuildLeontief).")
      .def_readonly("countries", &LeontiefSystem::countries)
      .def_readonly("sectors", &LeontiefSystem::sectors)
      .def_readonly("a", &LeontiefSystem::a)
      .def_readonly("x", &LeontiefSystem::x)
      .def_readonly("v", &LeontiefSystem::v)
      .def_readonly("va_coef", &LeontiefSystem::va_coef)
      .def_readonly("y", &LeontiefSystem::y)
      .def_readonly("rcond", &LeontiefSystem::rcond)
      .def("gross_exports", &LeontiefSystem::GrossExports)
      .def("bilateral_exports", &LeontiefSystem::BilateralExports);
  m.def(
      "build_leontief",
      [](const IoTable& t) { return Unwrap(Released([&] { return BuildLeontief(t); })); },
      py::arg("table"), "Builds the Leontief system of an IoTable.");

  py::class_<TivaResult>(m, "TivaResult")
      .def_readonly("va_in_final_demand", &TivaResult::va_in_final_demand)
      .def_readonly("va_by_origin_destination", &TivaResult::va_by_origin_destination)
      .def_readonly("gross_exports", &TivaResult::gross_exports)
      .def_readonly("gdp", &TivaResult::gdp)
      .def_readonly("final_demand", &TivaResult::final_demand);
  m.def(
      "compute_tiva",
      [](const LeontiefSystem& s) { return Unwrap(Released([&] { return ComputeTiva(s); })); },
      py::arg("system"), "Trade in value added (Johnson & Noguera 2012).");

  py::class_<BilateralBalance>(m, "BilateralBalance")
      .def_readonly("reporter", &BilateralBalance::reporter)
      .def_readonly("partner", &BilateralBalance::partner)
      .def_readonly("gross_exports", &BilateralBalance::gross_exports)
      .def_readonly("gross_imports", &BilateralBalance::gross_imports)
      .def_readonly("gross_balance", &BilateralBalance::gross_balance)
      .def_readonly("va_exports", &BilateralBalance::va_exports)
      .def_readonly("va_imports", &BilateralBalance::va_imports)
      .def_readonly("va_balance", &BilateralBalance::va_balance);
  m.def(
      "bilateral_balances",
      [](const LeontiefSystem& s, const TivaResult& t) {
        py::gil_scoped_release release;
        return BilateralBalances(s, t);
      },
      py::arg("system"), py::arg("tiva"), "Gross and value-added balances of every ordered pair.");

  py::class_<KwwCountry>(m, "KwwCountry")
      .def_readonly("country", &KwwCountry::country)
      .def_readonly("gross_exports", &KwwCountry::gross_exports)
      .def_readonly("terms", &KwwCountry::terms)
      .def("dva", &KwwCountry::Dva)
      .def("vax", &KwwCountry::Vax)
      .def("fva", &KwwCountry::Fva)
      .def("pdc", &KwwCountry::Pdc);
  py::class_<KwwResult>(m, "KwwResult")
      .def_readonly("countries", &KwwResult::countries)
      .def_static("term_names", [] {
        std::vector<std::string> out;
        for (const char* s : KwwResult::TermNames()) out.emplace_back(s);
        return out;
      });
  m.def(
      "compute_kww",
      [](const LeontiefSystem& s) { return Unwrap(Released([&] { return ComputeKww(s); })); },
      py::arg("system"), "Koopman-Wang-Wei (2014) decomposition of gross exports.");
  py::class_<WwzResult>(m, "WwzResult")
      .def_readonly("countries", &WwzResult::countries)
      .def_readonly("sectors", &WwzResult::sectors)
      .def_readonly("terms", &WwzResult::terms)
      .def_readonly("exports", &WwzResult::exports)
      .def_static("term_names", [] {
        std::vector<std::string> out;
        for (const char* s : WwzResult::TermNames()) out.emplace_back(s);
        return out;
      });
  m.def(
      "compute_wwz",
      [](const LeontiefSystem& s) { return Unwrap(Released([&] { return ComputeWwz(s); })); },
      py::arg("system"), "Wang-Wei-Zhu (2013) 16-term decomposition of bilateral sector exports.");

  py::class_<OvercapacityOptions>(m, "OvercapacityOptions")
      .def(py::init<>())
      .def_property(
          "rank_by", [](const OvercapacityOptions& o) { return std::string(ToString(o.rank_by)); },
          [](OvercapacityOptions& o, const std::string& v) {
            o.rank_by = Unwrap(OvercapacityRankingFromString(v));
          })
      .def_readwrite("rank_by_group", &OvercapacityOptions::rank_by_group)
      .def_readwrite("self_sufficiency_threshold", &OvercapacityOptions::self_sufficiency_threshold)
      .def_readwrite("export_share_threshold", &OvercapacityOptions::export_share_threshold)
      .def_readwrite("net_exports_threshold", &OvercapacityOptions::net_exports_threshold)
      .def_readwrite("self_sufficiency_rise_threshold",
                     &OvercapacityOptions::self_sufficiency_rise_threshold)
      .def_readwrite("min_world_output_share", &OvercapacityOptions::min_world_output_share);
  py::class_<OvercapacityRow>(m, "OvercapacityRow")
      .def_readonly("country", &OvercapacityRow::country)
      .def_readonly("sector", &OvercapacityRow::sector)
      .def_readonly("sector_name", &OvercapacityRow::sector_name)
      .def_property_readonly(
          "group", [](const OvercapacityRow& r) { return std::string(ToString(r.group)); })
      .def_readonly("year", &OvercapacityRow::year)
      .def_readonly("output", &OvercapacityRow::output)
      .def_readonly("exports", &OvercapacityRow::exports)
      .def_readonly("imports", &OvercapacityRow::imports)
      .def_readonly("absorption", &OvercapacityRow::absorption)
      .def_readonly("excess_output", &OvercapacityRow::excess_output)
      .def_readonly("exports_dva", &OvercapacityRow::exports_dva)
      .def_readonly("excess_output_dva", &OvercapacityRow::excess_output_dva)
      .def_readonly("clipped_negative", &OvercapacityRow::clipped_negative)
      .def_readonly("export_share", &OvercapacityRow::export_share)
      .def_readonly("import_share", &OvercapacityRow::import_share)
      .def_readonly("dva_share", &OvercapacityRow::dva_share)
      .def_readonly("foreign_final_demand_share", &OvercapacityRow::foreign_final_demand_share)
      .def_readonly("world_output_share", &OvercapacityRow::world_output_share)
      .def_readonly("world_absorption_share", &OvercapacityRow::world_absorption_share)
      .def_readonly("world_export_share", &OvercapacityRow::world_export_share)
      .def_readonly("self_sufficiency", &OvercapacityRow::self_sufficiency)
      .def_readonly("rca", &OvercapacityRow::rca)
      .def_readonly("net_exports_over_output", &OvercapacityRow::net_exports_over_output)
      .def_readonly("d_excess_output", &OvercapacityRow::d_excess_output)
      .def_readonly("d_self_sufficiency", &OvercapacityRow::d_self_sufficiency)
      .def_readonly("d_export_share", &OvercapacityRow::d_export_share)
      .def_readonly("d_world_output_share", &OvercapacityRow::d_world_output_share)
      .def_readonly("d_world_export_share", &OvercapacityRow::d_world_export_share)
      .def_readonly("imbalance_share", &OvercapacityRow::imbalance_share)
      .def_readonly("flags", &OvercapacityRow::flags)
      .def_readonly("rank", &OvercapacityRow::rank);
  py::class_<OvercapacityResult>(m, "OvercapacityResult")
      .def_readonly("first_year", &OvercapacityResult::first_year)
      .def_readonly("last_year", &OvercapacityResult::last_year)
      .def_readonly("money_unit", &OvercapacityResult::money_unit)
      .def_readonly("rows", &OvercapacityResult::rows)
      .def_readonly("panel", &OvercapacityResult::panel);
  m.def(
      "compute_overcapacity",
      [](const std::vector<const IoTable*>& tables, const OvercapacityOptions& o) {
        return Unwrap(Released([&] { return ComputeOvercapacity(tables, o); }));
      },
      py::arg("tables"), py::arg("options") = OvercapacityOptions(),
      "Overcapacity indicators of one or more years of the same IO table.");
}

}  // namespace rebalance::python
