// Reader of the IMLS (2025) replication inputs; see
// include/rebalance/data/imls2025.h.
#include "rebalance/data/imls2025.h"

#include <cmath>
#include <filesystem>

#include <fmt/format.h>

#include "rebalance/data/csv.h"

namespace rebalance::data {
namespace {

namespace fs = std::filesystem;

Result<Table> Read(const std::string& path, const std::map<std::string, ColumnType>& types) {
  if (!fs::exists(path)) return Status::NotFound(fmt::format("{}: file not found", path));
  CsvOptions o;
  o.threads = 1;
  o.types = types;
  return ReadCsv(path, o);
}

// One numeric column; missing cells are an error unless `missing_is_zero`.
// Data line k (0-based) is file line k + 2.
Result<std::vector<double>> Numbers(const Table& t, const std::string& path, const Column& c,
                                    bool missing_is_zero) {
  std::vector<double> out(static_cast<size_t>(t.num_rows()));
  for (int64_t r = 0; r < t.num_rows(); ++r) {
    if (c.IsMissing(r)) {
      if (!missing_is_zero)
        return Status::ParseError(
            fmt::format("{}:{}: column '{}': missing value", path, r + 2, c.name));
      out[static_cast<size_t>(r)] = 0.0;
      continue;
    }
    const double v = c.AsDouble(r);
    if (!std::isfinite(v) || v < 0) {
      return Status::ParseError(fmt::format(
          "{}:{}: column '{}': value {} must be finite and non-negative", path, r + 2, c.name, v));
    }
    out[static_cast<size_t>(r)] = v;
  }
  return out;
}

}  // namespace

Result<Imls2025Data> ReadImls2025(const std::string& dir) {
  Imls2025Data d;
  d.dir = dir;
  const std::string labels_path = (fs::path(dir) / "country_labels.csv").string();
  RB_ASSIGN_OR_RETURN(Table labels, Read(labels_path, {{"iso3", ColumnType::kString},
                                                       {"iso_code", ColumnType::kI64},
                                                       {"CountryName", ColumnType::kString}}));
  RB_ASSIGN_OR_RETURN(const Column* iso, labels.GetColumn("iso3"));
  RB_ASSIGN_OR_RETURN(const Column* code, labels.GetColumn("iso_code"));
  RB_ASSIGN_OR_RETURN(const Column* name, labels.GetColumn("CountryName"));
  const int64_t n = labels.num_rows();
  if (n < 2)
    return Status::ParseError(fmt::format("{}: {} countries; expected at least 2", labels_path, n));
  for (int64_t r = 0; r < n; ++r) {
    if (iso->IsMissing(r) || code->IsMissing(r))
      return Status::ParseError(fmt::format("{}:{}: missing iso3 or iso_code", labels_path, r + 2));
    if (code->i64[static_cast<size_t>(r)] != r + 1) {
      return Status::ParseError(
          fmt::format("{}:{}: iso_code {} is out of order; expected {} (files share one order)",
                      labels_path, r + 2, code->i64[static_cast<size_t>(r)], r + 1));
    }
    d.iso3.push_back(iso->CellText(r));
    d.names.push_back(name->CellText(r));
  }
  auto one_column = [&](const std::string& file, const std::string& col,
                        std::vector<double>* out) -> Status {
    const std::string path = (fs::path(dir) / file).string();
    RB_ASSIGN_OR_RETURN(Table t, Read(path, {{col, ColumnType::kF64}}));
    if (t.num_rows() != n) {
      return Status::ParseError(
          fmt::format("{}: {} data rows; expected {} (one per country of country_labels.csv)", path,
                      t.num_rows(), n));
    }
    RB_ASSIGN_OR_RETURN(const Column* c, t.GetColumn(col));
    RB_ASSIGN_OR_RETURN(*out, Numbers(t, path, *c, false));
    return Status::Ok();
  };
  RB_RETURN_IF_ERROR(one_column("gdp.csv", "gdp", &d.gdp_usd));
  RB_RETURN_IF_ERROR(one_column("tariffs.csv", "applied_tariff", &d.tariff));
  for (int64_t i = 0; i < n; ++i) {
    if (!(d.gdp_usd[static_cast<size_t>(i)] > 0)) {
      return Status::ParseError(fmt::format("{}:{}: GDP of {} must be positive",
                                            (fs::path(dir) / "gdp.csv").string(), i + 2,
                                            d.iso3[static_cast<size_t>(i)]));
    }
  }
  const std::string trade_path = (fs::path(dir) / "trade_cepii.csv").string();
  std::map<std::string, ColumnType> types;
  for (int64_t i = 1; i <= n; ++i) types[fmt::format("export_ij{}", i)] = ColumnType::kF64;
  RB_ASSIGN_OR_RETURN(Table trade, Read(trade_path, types));
  if (trade.num_rows() != n || trade.num_columns() != n) {
    return Status::ParseError(fmt::format("{}: {} rows x {} columns; expected {} x {}", trade_path,
                                          trade.num_rows(), trade.num_columns(), n, n));
  }
  d.trade.assign(static_cast<size_t>(n * n), 0.0);
  for (int64_t i = 0; i < n; ++i) {
    const Column& c = trade.columns()[static_cast<size_t>(i)];
    if (c.name != fmt::format("export_ij{}", i + 1)) {
      return Status::ParseError(
          fmt::format("{}:1: column {} is '{}'; expected 'export_ij{}' (importer {})", trade_path,
                      i + 1, c.name, i + 1, d.iso3[static_cast<size_t>(i)]));
    }
    RB_ASSIGN_OR_RETURN(std::vector<double> col, Numbers(trade, trade_path, c, true));
    for (int64_t j = 0; j < n; ++j) {
      if (j == i && col[static_cast<size_t>(j)] != 0.0) {
        return Status::ParseError(
            fmt::format("{}:{}: column '{}': domestic sales of {} must be empty", trade_path, j + 2,
                        c.name, d.iso3[static_cast<size_t>(i)]));
      }
      d.trade[static_cast<size_t>(j * n + i)] = col[static_cast<size_t>(j)];
    }
  }
  return d;
}

}  // namespace rebalance::data
