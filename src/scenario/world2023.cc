// The built-in world2023 baseline: calibration from the IMLS (2025) inputs,
// its CSV files, and the loader. See include/rebalance/scenario/world2023.h.
#include "rebalance/scenario/world2023.h"

#include <cmath>
#include <filesystem>
#include <set>

#include <fmt/format.h>

#include "rebalance/data/csv.h"
#include "rebalance/data/csv_write.h"

namespace rebalance::scenario {
namespace {

namespace fs = std::filesystem;

void AddProvenance(World2023* w) {
  w->provenance = {
      {"baseline",
       "world2023: 194 countries, one goods sector, base year 2023 (GDP: latest WDI year, 2023 for "
       "183 "
       "countries), built by `rebalance data world2023` from the input files of Ignatenko, "
       "Macedoni, "
       "Lashkaripour & Simonovska (2025, Journal of International Economics 157, 104138)"},
      {"trade",
       "BACI HS22 V202501 (CEPII), goods, 2023, thousand current USD; domestic sales calibrated"},
      {"gdp", "World Development Indicators NY.GDP.MKTP.CD (current USD), divided by 1000"},
      {"tariffs",
       "base-year tariffs zero; schedule liberation_day = the US rates announced on 2 April 2025 "
       "(as tabulated by the authors)"},
      {"calibration", w->calibration_report},
  };
}

}  // namespace

const std::vector<std::string>& Eu25Members() {
  static const std::vector<std::string> kEu = {
      "AUT", "BEL", "BGR", "CYP", "DEU", "DNK", "ESP", "EST", "FIN", "FRA", "GRC", "HRV", "HUN",
      "IRL", "ITA", "LTU", "LUX", "LVA", "MLT", "NLD", "POL", "PRT", "ROU", "SVN", "SWE"};
  return kEu;
}

const std::vector<std::string>& Eu27Members() {
  static const std::vector<std::string> kEu = [] {
    std::vector<std::string> v = Eu25Members();
    v.push_back("CZE");
    v.push_back("SVK");
    std::sort(v.begin(), v.end());
    return v;
  }();
  return kEu;
}

Result<World2023> BuildWorld2023(const data::Imls2025Data& in) {
  const int n = in.num_countries();
  Eigen::MatrixXd trade(n, n);
  for (int j = 0; j < n; ++j)
    for (int i = 0; i < n; ++i) trade(j, i) = in.trade[static_cast<size_t>(j * n + i)];
  World2023 w;
  w.gdp = Eigen::Map<const Eigen::VectorXd>(in.gdp_usd.data(), n) / 1000.0;
  RB_ASSIGN_OR_RETURN(ge::TariffWarCalibration cal, ge::CalibrateTariffWar(in.iso3, trade, w.gdp));
  w.calibration_report = cal.BriefReport();
  w.baseline = std::move(cal.baseline);
  w.baseline.currency_unit = "thousand USD";
  w.baseline.year = 2023;
  w.names = in.names;
  w.schedules["liberation_day"] = Eigen::Map<const Eigen::VectorXd>(in.tariff.data(), n);
  const std::set<std::string> labels(in.iso3.begin(), in.iso3.end());
  for (const auto& [name, members] : std::vector<std::pair<std::string, std::vector<std::string>>>{
           {"EU", Eu25Members()}, {"EU27", Eu27Members()}}) {
    for (const auto& m : members)
      if (!labels.count(m))
        return Status::InvalidArgument(fmt::format("group {}: {} is not in the data", name, m));
    w.groups[name] = members;
  }
  for (const auto& c : in.iso3) {
    if (c == "USA" || c == "CHN") continue;
    if (std::find(Eu25Members().begin(), Eu25Members().end(), c) != Eu25Members().end()) continue;
    w.groups["RoW"].push_back(c);
  }
  AddProvenance(&w);
  return w;
}

World2023Files World2023ToCsv(const World2023& w) {
  World2023Files f;
  const auto& b = w.baseline;
  const int n = b.num_countries();
  f.flows_csv = "exporter,importer,value\n";
  for (int j = 0; j < n; ++j)
    for (int i = 0; i < n; ++i)
      if (b.flows(j, i) != 0.0)
        f.flows_csv += fmt::format("{},{},{}\n", b.countries[j], b.countries[i], b.flows(j, i));
  f.countries_csv = "iso3,name,nu,gdp,liberation_day_rate\n";
  const Eigen::VectorXd& rate = w.schedules.at("liberation_day");
  for (int i = 0; i < n; ++i)
    f.countries_csv += fmt::format("{},{},{},{},{}\n", b.countries[i], data::CsvField(w.names[i]),
                                   b.nu(i), w.gdp(i), rate(i));
  f.groups_csv = "group,iso3\n";
  for (const auto& [g, members] : w.groups)
    for (const auto& m : members) f.groups_csv += fmt::format("{},{}\n", g, m);
  return f;
}

Result<World2023> LoadWorld2023(const std::string& dir) {
  const std::string flows_path = (fs::path(dir) / "world2023.csv.gz").string();
  const std::string countries_path = (fs::path(dir) / "countries.csv").string();
  const std::string groups_path = (fs::path(dir) / "groups.csv").string();
  for (const auto& p : {flows_path, countries_path, groups_path}) {
    if (!fs::exists(p)) {
      return Status::NotFound(
          fmt::format("built-in baseline file '{}' is missing (set REBALANCE_HOME to the rebalance "
                      "folder, or rebuild it with scripts/make_world2023.sh)",
                      p));
    }
  }
  data::CsvOptions o;
  o.threads = 1;
  o.types = {{"iso3", data::ColumnType::kString},
             {"name", data::ColumnType::kString},
             {"nu", data::ColumnType::kF64},
             {"gdp", data::ColumnType::kF64},
             {"liberation_day_rate", data::ColumnType::kF64}};
  RB_ASSIGN_OR_RETURN(data::Table ct, data::ReadCsv(countries_path, o));
  World2023 w;
  const int64_t n = ct.num_rows();
  if (n < 2)
    return Status::ParseError(
        fmt::format("{}: {} countries; expected at least 2", countries_path, n));
  RB_ASSIGN_OR_RETURN(const data::Column* iso, ct.GetColumn("iso3"));
  RB_ASSIGN_OR_RETURN(const data::Column* name, ct.GetColumn("name"));
  RB_ASSIGN_OR_RETURN(const data::Column* nu, ct.GetColumn("nu"));
  RB_ASSIGN_OR_RETURN(const data::Column* gdp, ct.GetColumn("gdp"));
  RB_ASSIGN_OR_RETURN(const data::Column* rate, ct.GetColumn("liberation_day_rate"));
  std::map<std::string, int> index;
  auto& b = w.baseline;
  b.nu.resize(n);
  w.gdp.resize(n);
  Eigen::VectorXd sched(n);
  for (int64_t r = 0; r < n; ++r) {
    for (const data::Column* c : {iso, nu, gdp, rate})
      if (c->IsMissing(r))
        return Status::ParseError(
            fmt::format("{}:{}: column '{}': missing value", countries_path, r + 2, c->name));
    const std::string label = iso->CellText(r);
    if (!index.emplace(label, static_cast<int>(r)).second)
      return Status::ParseError(
          fmt::format("{}:{}: duplicate country '{}'", countries_path, r + 2, label));
    b.countries.push_back(label);
    w.names.push_back(name->CellText(r));
    b.nu(r) = nu->AsDouble(r);
    w.gdp(r) = gdp->AsDouble(r);
    sched(r) = rate->AsDouble(r);
    if (!(sched(r) >= 0) || !std::isfinite(sched(r)))
      return Status::ParseError(
          fmt::format("{}:{}: column 'liberation_day_rate': {} must be a rate >= 0", countries_path,
                      r + 2, sched(r)));
  }
  w.schedules["liberation_day"] = sched;
  data::CsvOptions fo;
  fo.threads = 1;
  fo.types = {{"exporter", data::ColumnType::kString},
              {"importer", data::ColumnType::kString},
              {"value", data::ColumnType::kF64}};
  RB_ASSIGN_OR_RETURN(data::Table ft, data::ReadCsv(flows_path, fo));
  RB_ASSIGN_OR_RETURN(const data::Column* ex, ft.GetColumn("exporter"));
  RB_ASSIGN_OR_RETURN(const data::Column* im, ft.GetColumn("importer"));
  RB_ASSIGN_OR_RETURN(const data::Column* val, ft.GetColumn("value"));
  b.flows = Eigen::MatrixXd::Zero(n, n);
  Eigen::MatrixXi seen = Eigen::MatrixXi::Zero(n, n);
  for (int64_t r = 0; r < ft.num_rows(); ++r) {
    const auto e = index.find(ex->CellText(r)), i = index.find(im->CellText(r));
    if (e == index.end() || i == index.end()) {
      return Status::ParseError(fmt::format("{}:{}: unknown country '{}' (not in countries.csv)",
                                            flows_path, r + 2,
                                            e == index.end() ? ex->CellText(r) : im->CellText(r)));
    }
    if (seen(e->second, i->second)++)
      return Status::ParseError(
          fmt::format("{}:{}: duplicate pair {} -> {}", flows_path, r + 2, e->first, i->first));
    const double v = val->AsDouble(r);
    if (val->IsMissing(r) || !std::isfinite(v) || v < 0)
      return Status::ParseError(
          fmt::format("{}:{}: column 'value': expected a finite value >= 0", flows_path, r + 2));
    b.flows(e->second, i->second) = v;
  }
  b.currency_unit = "thousand USD";
  b.year = 2023;
  {
    const Status s = b.Validate();
    if (!s.ok()) return s.WithContext(dir);
  }
  data::CsvOptions go;
  go.threads = 1;
  go.types = {{"group", data::ColumnType::kString}, {"iso3", data::ColumnType::kString}};
  RB_ASSIGN_OR_RETURN(data::Table gt, data::ReadCsv(groups_path, go));
  RB_ASSIGN_OR_RETURN(const data::Column* gname, gt.GetColumn("group"));
  RB_ASSIGN_OR_RETURN(const data::Column* gmem, gt.GetColumn("iso3"));
  for (int64_t r = 0; r < gt.num_rows(); ++r) {
    const std::string m = gmem->CellText(r);
    if (!index.count(m))
      return Status::ParseError(
          fmt::format("{}:{}: unknown country '{}' (not in countries.csv)", groups_path, r + 2, m));
    w.groups[gname->CellText(r)].push_back(m);
  }
  // The calibration report, recomputed from what was loaded.
  const int us = index.count("USA") ? index.at("USA") : -1;
  w.calibration_report =
      us >= 0 ? fmt::format("nu(USA) = {:.5f}, nu(rest) = {:.5f}", b.nu(us), b.nu(us == 0 ? 1 : 0))
              : "nu per country in countries.csv";
  AddProvenance(&w);
  return w;
}

}  // namespace rebalance::scenario
