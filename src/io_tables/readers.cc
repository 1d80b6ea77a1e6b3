// Readers of multi-region input-output tables into IoTable: WIOD 2013
// (shared/data layout), OECD ICIO CSV, long format, decompr-style CSV.
//
// The three wide layouts share one builder: the first column holds row
// labels "<country><sep><sector>"; a column whose header is a row label is
// intermediate use; the output column is named (WIOD `output`, ICIO `OUT`,
// decompr `out`); every other column is final demand "<country><sep><cat>"
// (decompr: "FD.<country>"). Labels are split at the first separator, so
// sectors may contain it (ICIO "A01_02"). Rows and columns may come in any
// order; the builder requires the full country x sector grid (missing ones
// are listed) and every (country, category) final-demand column.
//
// Reading: data::ReadCsv (the one CSV/gzip reader: a file that is not
// regular, a gzip stream cut short, a CRC or length mismatch or trailing
// garbage is an error there, never a shorter table), then the builder. Issue
// 20 removed this file's own plain-CSV tokenizer (issue 9's fast path): data's
// reader now parses as fast, and gives the same values (both read integers
// exactly and other numbers with from_chars).

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <functional>
#include <regex>
#include <set>
#include <string_view>
#include <unordered_map>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "rebalance/core/text.h"
#include "rebalance/data/csv.h"
#include "rebalance/io_tables/io_table.h"

namespace rebalance::io_tables {
namespace {

namespace fs = std::filesystem;

struct LabelPair {
  std::string country, rest;
};

bool SplitLabel(const std::string& label, char sep, LabelPair* out) {
  const size_t p = label.find(sep);
  if (p == std::string::npos || p == 0 || p + 1 >= label.size()) return false;
  out->country = label.substr(0, p);
  out->rest = label.substr(p + 1);
  return true;
}

int FindOrAdd(std::vector<std::string>* list, const std::string& label) {
  auto it = std::find(list->begin(), list->end(), label);
  if (it != list->end()) return static_cast<int>(it - list->begin());
  list->push_back(label);
  return static_cast<int>(list->size()) - 1;
}

int YearFromName(const std::string& path) {
  std::smatch m;
  const std::string name = fs::path(path).filename().string();
  static const std::regex re("(19[0-9]{2}|20[0-9]{2})");
  if (std::regex_search(name, m, re)) return std::stoi(m[1]);
  return 0;
}

// How a wide layout names things.
struct WideSpec {
  char sep = '_';
  std::vector<std::string> output_columns;  // accepted output column names
  std::vector<std::string> extra_rows;      // rows that are not country-sectors
  // Final-demand header -> (country, category); false if not parseable.
  std::function<bool(const std::string&, LabelPair*)> parse_fd;
};

struct WideRead {
  IoTable table;
  // Extra rows (e.g. ICIO TLS, VA, OUT) by name: values per Z column.
  std::map<std::string, Eigen::VectorXd> extra;
};

// Where each row and column of a wide table goes, from the labels alone.
struct WideLayout {
  std::vector<std::string> countries, sectors, categories;
  int n = 0, nc = 0, nk = 0;
  std::vector<int64_t> cs_rows;   // table rows holding country-sectors, in file order
  std::vector<int> row_to_index;  // their index country * S + sector
  std::map<std::string, int64_t> extra_rows;
  std::vector<int> z_col, f_col;  // table column of Z column j, of F column d * K + k
  int out_col = -1;
};

// `names[c]` is the header of table column c (c = 0 holds the row labels).
Result<WideLayout> LayoutWide(const std::vector<std::string>& names, int64_t num_rows,
                              const std::function<std::string(int64_t)>& row_label,
                              const WideSpec& spec, const std::string& src) {
  WideLayout lay;
  std::vector<std::string>& countries = lay.countries;
  std::vector<std::string>& sectors = lay.sectors;
  // Rows.
  std::vector<LabelPair> row_pairs;
  std::set<std::string> row_set;
  for (int64_t r = 0; r < num_rows; ++r) {
    const std::string label = row_label(r);
    if (std::find(spec.extra_rows.begin(), spec.extra_rows.end(), label) != spec.extra_rows.end()) {
      lay.extra_rows[label] = r;
      continue;
    }
    LabelPair p;
    if (!SplitLabel(label, spec.sep, &p)) {
      return Status::ParseError(fmt::format("{}:{}:1: row label '{}' is not <country>{}<sector>",
                                            src, r + 2, label, spec.sep));
    }
    if (!row_set.insert(label).second) {
      return Status::ParseError(
          fmt::format("{}:{}:1: duplicate row label '{}'", src, r + 2, label));
    }
    FindOrAdd(&countries, p.country);
    FindOrAdd(&sectors, p.rest);
    row_pairs.push_back(p);
    lay.cs_rows.push_back(r);
  }
  const int nc = static_cast<int>(countries.size()), ns = static_cast<int>(sectors.size());
  const int n = nc * ns;
  if (static_cast<int>(lay.cs_rows.size()) != n) {
    std::vector<std::string> missing;
    for (const auto& c : countries) {
      for (const auto& s : sectors) {
        std::string l = c + spec.sep + s;
        if (!row_set.count(l)) missing.push_back(l);
      }
    }
    std::string list;
    for (size_t i = 0; i < missing.size() && i < 10; ++i) list += (i ? ", " : "") + missing[i];
    return Status::ParseError(
        fmt::format("{}: wrong shape: {} country-sector rows but {} countries x {} sectors = {}; "
                    "missing rows: {}",
                    src, lay.cs_rows.size(), nc, ns, n, list));
  }
  auto index_of = [&](const LabelPair& p) {
    const int c = static_cast<int>(std::find(countries.begin(), countries.end(), p.country) -
                                   countries.begin());
    const int s =
        static_cast<int>(std::find(sectors.begin(), sectors.end(), p.rest) - sectors.begin());
    return (c < nc && s < ns) ? c * ns + s : -1;
  };
  std::unordered_map<std::string, int> label_index;
  lay.row_to_index.resize(lay.cs_rows.size());
  for (size_t k = 0; k < lay.cs_rows.size(); ++k) {
    lay.row_to_index[k] = index_of(row_pairs[k]);
    label_index[row_label(lay.cs_rows[k])] = lay.row_to_index[k];
  }
  // Columns.
  std::vector<int>& z_col = lay.z_col;
  z_col.assign(n, -1);
  int& out_col = lay.out_col;
  struct FdCol {
    int column, country;
    std::string category;
  };
  std::vector<FdCol> fd_cols;
  std::vector<std::string>& categories = lay.categories;
  const int num_columns = static_cast<int>(names.size());
  for (int c = 1; c < num_columns; ++c) {
    const std::string& name = names[c];
    if (std::find(spec.output_columns.begin(), spec.output_columns.end(), name) !=
        spec.output_columns.end()) {
      if (out_col >= 0) {
        return Status::ParseError(
            fmt::format("{}: column {}: a second output column '{}'", src, c + 1, name));
      }
      out_col = c;
      continue;
    }
    auto it = label_index.find(name);
    if (it != label_index.end()) {
      if (z_col[it->second] >= 0) {
        return Status::ParseError(
            fmt::format("{}: column {}: duplicate intermediate column '{}'", src, c + 1, name));
      }
      z_col[it->second] = c;
      continue;
    }
    LabelPair p;
    if (!spec.parse_fd(name, &p)) {
      return Status::ParseError(fmt::format(
          "{}: column {} '{}' is neither a row label (intermediate use), a final-demand column "
          "nor the output column ({})",
          src, c + 1, name, fmt::join(spec.output_columns, "/")));
    }
    const int country = static_cast<int>(std::find(countries.begin(), countries.end(), p.country) -
                                         countries.begin());
    if (country >= nc) {
      // A sector-like header of a known country is a label mismatch; an unknown country is one
      // too. Either way name the nearest row label.
      std::vector<std::string> all;
      for (const auto& [l, i] : label_index) all.push_back(l);
      return Status::ParseError(
          fmt::format("{}: label mismatch: column {} '{}' names country '{}', which has no rows "
                      "(nearest row label: '{}')",
                      src, c + 1, name, p.country, data::NearestName(name, all)));
    }
    if (p.rest.empty()) {
      return Status::ParseError(
          fmt::format("{}: column {} '{}' has no category", src, c + 1, name));
    }
    FindOrAdd(&categories, p.rest);
    fd_cols.push_back({c, country, p.rest});
  }
  if (out_col < 0) {
    return Status::ParseError(fmt::format("{}: wrong shape: no output column (expected one of {})",
                                          src, fmt::join(spec.output_columns, ", ")));
  }
  std::vector<std::string> missing_cols;
  for (int i = 0; i < n; ++i) {
    if (z_col[i] < 0) missing_cols.push_back(countries[i / ns] + spec.sep + sectors[i % ns]);
  }
  if (!missing_cols.empty()) {
    return Status::ParseError(
        fmt::format("{}: label mismatch: {} row labels have no intermediate-use column, e.g. '{}'",
                    src, missing_cols.size(), missing_cols.front()));
  }
  const int nk = static_cast<int>(categories.size());
  if (nk == 0)
    return Status::ParseError(fmt::format("{}: wrong shape: no final-demand columns", src));
  std::vector<int>& f_col = lay.f_col;
  f_col.assign(static_cast<size_t>(nc) * nk, -1);
  for (const auto& fc : fd_cols) {
    const int k = static_cast<int>(std::find(categories.begin(), categories.end(), fc.category) -
                                   categories.begin());
    int& slot = f_col[fc.country * nk + k];
    if (slot >= 0) {
      return Status::ParseError(fmt::format("{}: column {} '{}': duplicate final-demand column",
                                            src, fc.column + 1, names[fc.column]));
    }
    slot = fc.column;
  }
  for (int i = 0; i < nc * nk; ++i) {
    if (f_col[i] < 0) {
      return Status::ParseError(
          fmt::format("{}: wrong shape: final-demand column for country {} category {} is missing",
                      src, countries[i / nk], categories[i % nk]));
    }
  }
  lay.n = n;
  lay.nc = nc;
  lay.nk = nk;
  return lay;
}

Result<WideRead> BuildWide(const data::Table& t, const WideSpec& spec, int year,
                           const ValidationOptions& vopt = {}) {
  const std::string& src = t.source;
  if (t.num_columns() < 3) {
    return Status::ParseError(
        fmt::format("{}: wrong shape: {} columns; a wide input-output table needs row labels, "
                    "intermediate and output columns",
                    src, t.num_columns()));
  }
  const data::Column& labels = t.columns()[0];
  if (labels.type != data::ColumnType::kString) {
    return Status::ParseError(
        fmt::format("{}: column 1 ('{}') must hold row labels", src, labels.name));
  }
  std::vector<std::string> names;
  for (const auto& col : t.columns()) names.push_back(col.name);
  RB_ASSIGN_OR_RETURN(
      WideLayout lay,
      LayoutWide(
          names, t.num_rows(), [&](int64_t r) { return labels.CellText(r); }, spec, src));
  const int n = lay.n;
  const std::vector<int64_t>& cs_rows = lay.cs_rows;
  const std::vector<int>& row_to_index = lay.row_to_index;
  // Values.
  auto cell = [&](int64_t row, int col, double* out) -> Status {
    const data::Column& column = t.columns()[col];
    if (column.type == data::ColumnType::kString) {
      return Status::ParseError(fmt::format("{}:{}:{}: expected a number, found '{}'", src, row + 2,
                                            col + 1, column.CellText(row)));
    }
    if (column.IsMissing(row)) {
      return Status::ParseError(fmt::format("{}:{}:{}: missing value in column '{}'", src, row + 2,
                                            col + 1, column.name));
    }
    *out = column.AsDouble(row);
    return Status::Ok();
  };
  WideRead out;
  Eigen::MatrixXd z(n, n), f(n, lay.nc * lay.nk);
  Eigen::VectorXd x(n);
  for (int i = 0; i < n; ++i) {
    if (t.columns()[lay.z_col[i]].type == data::ColumnType::kString) {
      return Status::ParseError(fmt::format("{}: column {} '{}' is not numeric", src,
                                            lay.z_col[i] + 1, t.columns()[lay.z_col[i]].name));
    }
  }
  // Column by column: contiguous reads from the Table and writes into column-major Eigen.
  auto fill_column = [&](int col, double* dst) -> Status {
    const data::Column& column = t.columns()[col];
    if (column.type == data::ColumnType::kString || column.CountMissing() > 0) {
      for (size_t k = 0; k < cs_rows.size(); ++k) {
        RB_RETURN_IF_ERROR(cell(cs_rows[k], col, &dst[row_to_index[k]]));
      }
      return Status::Ok();
    }
    if (column.type == data::ColumnType::kF64) {
      for (size_t k = 0; k < cs_rows.size(); ++k) dst[row_to_index[k]] = column.f64[cs_rows[k]];
    } else {
      for (size_t k = 0; k < cs_rows.size(); ++k) {
        dst[row_to_index[k]] = static_cast<double>(column.i64[cs_rows[k]]);
      }
    }
    return Status::Ok();
  };
  for (int j = 0; j < n; ++j) RB_RETURN_IF_ERROR(fill_column(lay.z_col[j], z.col(j).data()));
  for (int j = 0; j < lay.nc * lay.nk; ++j) {
    RB_RETURN_IF_ERROR(fill_column(lay.f_col[j], f.col(j).data()));
  }
  RB_RETURN_IF_ERROR(fill_column(lay.out_col, x.data()));
  for (const auto& [name, r] : lay.extra_rows) {
    Eigen::VectorXd e(n);
    for (int j = 0; j < n; ++j) RB_RETURN_IF_ERROR(cell(r, lay.z_col[j], &e[j]));
    out.extra[name] = std::move(e);
  }
  RB_ASSIGN_OR_RETURN(out.table,
                      IoTable::FromMatrices(std::move(lay.countries), std::move(lay.sectors),
                                            std::move(lay.categories), std::move(z), std::move(f),
                                            std::move(x), year, src, vopt));
  return out;
}

// Reads and lays out a wide table with data's CSV reader (parallel, typed;
// strict gzip), so every message is that reader's.
Result<WideRead> ReadWide(const std::string& path, const WideSpec& spec, int year) {
  data::CsvOptions opt;
  opt.missing_tokens = {"NA", "NaN", "nan"};  // "." is not a label here
  RB_ASSIGN_OR_RETURN(data::Table t, data::ReadCsv(path, opt));
  return BuildWide(t, spec, year);
}

}  // namespace

Result<IoTable> ReadWiod(const std::string& path, int year) {
  std::string file = path;
  std::error_code ec;
  if (fs::is_directory(path, ec)) {
    if (year == 0) {
      return Status::InvalidArgument(
          fmt::format("{} is a directory: give the year (wiotYYYY.csv.gz, 1995-2011)", path));
    }
    file = (fs::path(path) / fmt::format("wiot{}.csv.gz", year)).string();
    if (!fs::exists(file, ec)) {
      return Status::NotFound(fmt::format("no WIOD table for {}: {} does not exist", year, file));
    }
  } else if (year == 0) {
    year = YearFromName(path);
  }
  WideSpec spec;
  spec.sep = '_';
  spec.output_columns = {"output"};
  spec.parse_fd = [](const std::string& h, LabelPair* p) { return SplitLabel(h, '_', p); };
  RB_ASSIGN_OR_RETURN(WideRead w, ReadWide(file, spec, year));
  // Sector long names from industries.csv (code,name) when it is beside the file.
  const fs::path names = fs::path(file).parent_path() / "industries.csv";
  if (fs::exists(names, ec)) {
    data::CsvOptions opt;
    opt.types = {{"code", data::ColumnType::kString}, {"name", data::ColumnType::kString}};
    auto nt = data::ReadCsv(names.string(), opt);
    if (nt.ok() && nt->FindColumn("code") >= 0 && nt->FindColumn("name") >= 0) {
      const auto& code = nt->columns()[nt->FindColumn("code")];
      const auto& name = nt->columns()[nt->FindColumn("name")];
      std::vector<std::string> long_names(w.table.sectors.size());
      int found = 0;
      for (int64_t r = 0; r < nt->num_rows(); ++r) {
        auto it = std::find(w.table.sectors.begin(), w.table.sectors.end(), code.CellText(r));
        if (it != w.table.sectors.end()) {
          long_names[it - w.table.sectors.begin()] = name.CellText(r);
          ++found;
        }
      }
      if (found == w.table.num_sectors()) w.table.sector_names = std::move(long_names);
    }
  }
  return std::move(w.table);
}

Result<IoTable> ReadIcio(const std::string& path, int year) {
  if (year == 0) year = YearFromName(path);
  WideSpec spec;
  spec.sep = '_';
  spec.output_columns = {"OUT", "TOTAL"};
  spec.extra_rows = {"TLS", "VA", "OUT", "TOTAL"};
  spec.parse_fd = [](const std::string& h, LabelPair* p) { return SplitLabel(h, '_', p); };
  RB_ASSIGN_OR_RETURN(WideRead w, ReadWide(path, spec, year));
  IoTable& tab = w.table;
  using Sev = ValidationIssue::Severity;
  // Column identity: colsum(Z) + TLS + VA = OUT row, and OUT row = OUT column.
  auto va = w.extra.find("VA");
  auto tls = w.extra.find("TLS");
  auto outr = w.extra.count("OUT") ? w.extra.find("OUT") : w.extra.find("TOTAL");
  if (va == w.extra.end() || outr == w.extra.end()) {
    return Status::ParseError(fmt::format(
        "{}: wrong shape: an ICIO table needs the bottom rows VA and OUT (TLS optional)", path));
  }
  Eigen::VectorXd col_total = tab.z.colwise().sum().transpose() + va->second;
  if (tls != w.extra.end()) col_total += tls->second;
  auto add_check = [&](const char* check, const Eigen::VectorXd& d, const char* what) {
    int64_t count = 0;
    int worst = 0;
    for (int j = 0; j < d.size(); ++j) {
      if (std::abs(d[j]) > 1e-6 * std::max(1.0, std::abs(tab.x[j]))) ++count;
      if (std::abs(d[j]) > std::abs(d[worst])) worst = j;
    }
    if (count > 0) {
      tab.validation.issues.push_back(
          {Sev::kWarning, check, count, std::abs(d[worst]), d.sum(),
           fmt::format("{} columns: {} (largest |difference| {:g} at {}, total {:g})", count, what,
                       std::abs(d[worst]), tab.Label(worst), d.sum())});
    }
  };
  add_check("column_balance", outr->second - col_total,
            "OUT row differs from intermediate inputs + TLS + VA");
  add_check("output_row_vs_column", outr->second - tab.x, "OUT row differs from OUT column");
  return std::move(w.table);
}

Result<IoTable> ReadDecompr(const std::string& path, int year) {
  WideSpec spec;
  spec.sep = '.';
  spec.output_columns = {"out"};
  spec.parse_fd = [](const std::string& h, LabelPair* p) {
    if (h.rfind("FD.", 0) != 0 || h.size() <= 3) return false;
    p->country = h.substr(3);
    p->rest = "FD";
    return true;
  };
  RB_ASSIGN_OR_RETURN(WideRead w, ReadWide(path, spec, year));
  return std::move(w.table);
}

Result<IoTable> ParseLong(const std::string& text, const std::string& source, int year) {
  data::CsvOptions opt;
  opt.missing_tokens = {"NA", "NaN", "nan"};
  opt.types = {{"from_country", data::ColumnType::kString},
               {"from_sector", data::ColumnType::kString},
               {"to_country", data::ColumnType::kString},
               {"to_sector_or_category", data::ColumnType::kString},
               {"value", data::ColumnType::kF64}};
  RB_ASSIGN_OR_RETURN(data::Table t, data::ParseCsv(text, source, opt));
  const char* names[] = {"from_country", "from_sector", "to_country", "to_sector_or_category",
                         "value"};
  const data::Column* cols[5];
  for (int k = 0; k < 5; ++k) {
    const int idx = t.FindColumn(names[k]);
    if (idx < 0) {
      return Status::ParseError(
          fmt::format("{}: wrong shape: the long format needs the columns from_country,from_sector,"
                      "to_country,to_sector_or_category,value; '{}' is missing",
                      source, names[k]));
    }
    cols[k] = &t.columns()[idx];
  }
  const int64_t rows = t.num_rows();
  for (int k = 0; k < 5; ++k) {
    if (cols[k]->CountMissing() > 0) {
      for (int64_t r = 0; r < rows; ++r) {
        if (cols[k]->IsMissing(r)) {
          return Status::ParseError(fmt::format("{}:{}: missing {}", source, r + 2, names[k]));
        }
      }
    }
  }
  // Labels: countries and sectors from the supplying side, in order of first appearance.
  std::vector<std::string> countries, sectors, categories;
  std::vector<int> fc(rows), fsec(rows);
  for (int64_t r = 0; r < rows; ++r) {
    fc[r] = FindOrAdd(&countries, cols[0]->CellText(r));
    fsec[r] = FindOrAdd(&sectors, cols[1]->CellText(r));
  }
  std::unordered_map<std::string, int> sector_index, country_index;
  for (size_t i = 0; i < sectors.size(); ++i) sector_index[sectors[i]] = static_cast<int>(i);
  for (size_t i = 0; i < countries.size(); ++i) country_index[countries[i]] = static_cast<int>(i);
  std::vector<int> tc(rows), kind(rows);  // kind: sector index >=0, -1 OUTPUT, -2-k category k
  for (int64_t r = 0; r < rows; ++r) {
    auto ci = country_index.find(cols[2]->CellText(r));
    if (ci == country_index.end()) {
      return Status::ParseError(fmt::format(
          "{}:{}:3: label mismatch: to_country '{}' never appears as from_country (nearest: "
          "'{}')",
          source, r + 2, cols[2]->CellText(r), data::NearestName(cols[2]->CellText(r), countries)));
    }
    tc[r] = ci->second;
    const std::string to = cols[3]->CellText(r);
    auto si = sector_index.find(to);
    if (si != sector_index.end()) {
      kind[r] = si->second;
    } else if (to == "OUTPUT") {
      if (tc[r] != fc[r]) {
        return Status::ParseError(
            fmt::format("{}:{}: an OUTPUT row must have to_country = from_country", source, r + 2));
      }
      kind[r] = -1;
    } else {
      kind[r] = -2 - FindOrAdd(&categories, to);
    }
  }
  const int nc = static_cast<int>(countries.size()), ns = static_cast<int>(sectors.size());
  const int nk = static_cast<int>(categories.size());
  const int n = nc * ns;
  if (nk == 0) {
    return Status::ParseError(
        fmt::format("{}: wrong shape: no final-demand rows (a "
                    "to_sector_or_category that is not a sector)",
                    source));
  }
  Eigen::MatrixXd z = Eigen::MatrixXd::Zero(n, n), f = Eigen::MatrixXd::Zero(n, nc * nk);
  Eigen::VectorXd x = Eigen::VectorXd::Zero(n);
  // Duplicate detection: one bit per cell.
  std::vector<uint8_t> seen_z(static_cast<size_t>(n) * n, 0),
      seen_f(static_cast<size_t>(n) * nc * nk, 0), seen_x(n, 0);
  int64_t output_rows = 0;
  for (int64_t r = 0; r < rows; ++r) {
    const int i = fc[r] * ns + fsec[r];
    const double val = cols[4]->AsDouble(r);
    uint8_t* seen;
    double* cell;
    if (kind[r] >= 0) {
      const int j = tc[r] * ns + kind[r];
      seen = &seen_z[static_cast<size_t>(j) * n + i];
      cell = &z(i, j);
    } else if (kind[r] == -1) {
      seen = &seen_x[i];
      cell = &x[i];
      ++output_rows;
    } else {
      const int col = tc[r] * nk + (-2 - kind[r]);
      seen = &seen_f[static_cast<size_t>(col) * n + i];
      cell = &f(i, col);
    }
    if (*seen) {
      return Status::ParseError(fmt::format("{}:{}: duplicate entry {},{},{},{}", source, r + 2,
                                            countries[fc[r]], sectors[fsec[r]], countries[tc[r]],
                                            cols[3]->CellText(r)));
    }
    *seen = 1;
    *cell = val;
  }
  if (output_rows == 0) {
    x = z.rowwise().sum() + f.rowwise().sum();
  } else if (output_rows != n) {
    return Status::ParseError(
        fmt::format("{}: wrong shape: OUTPUT rows for {} of {} country-sectors; give all or none",
                    source, output_rows, n));
  }
  return IoTable::FromMatrices(countries, sectors, categories, std::move(z), std::move(f),
                               std::move(x), year, source);
}

Result<IoTable> ReadLong(const std::string& path, int year) {
  if (year == 0) year = YearFromName(path);
  RB_ASSIGN_OR_RETURN(std::string text, data::ReadFileToString(path));
  return ParseLong(text, path, year);
}

const char* ToString(TableFormat f) {
  switch (f) {
    case TableFormat::kWiod:
      return "wiod";
    case TableFormat::kIcio:
      return "icio";
    case TableFormat::kLong:
      return "long";
    case TableFormat::kDecompr:
      return "decompr";
  }
  return "?";
}

Result<TableFormat> TableFormatFromString(const std::string& s) {
  for (auto f :
       {TableFormat::kWiod, TableFormat::kIcio, TableFormat::kLong, TableFormat::kDecompr}) {
    if (s == ToString(f)) return f;
  }
  return Status::InvalidArgument(
      fmt::format("unknown table format '{}' (wiod, icio, long, decompr)", s));
}

Result<TableFormat> DetectFormat(const std::string& path) {
  RB_ASSIGN_OR_RETURN(std::string text, data::ReadFileToString(path));
  const std::string header = text.substr(0, text.find('\n'));
  auto has = [&](const std::string& field) {
    return ("," + header + ",").find("," + field + ",") != std::string::npos ||
           ("," + header + "\r,").find("," + field + "\r,") != std::string::npos;
  };
  if (has("from_country") && has("to_sector_or_category")) return TableFormat::kLong;
  if (has("output")) return TableFormat::kWiod;
  if (has("OUT") || has("TOTAL")) return TableFormat::kIcio;
  if (has("out")) return TableFormat::kDecompr;
  return Status::ParseError(fmt::format(
      "{}: cannot tell the table format from the header (expected a long-format header, or an "
      "output column named output (WIOD), OUT (ICIO) or out (decompr))",
      path));
}

Result<IoTable> ReadIoTable(const std::string& path, TableFormat format, int year) {
  switch (format) {
    case TableFormat::kWiod:
      return ReadWiod(path, year);
    case TableFormat::kIcio:
      return ReadIcio(path, year);
    case TableFormat::kLong:
      return ReadLong(path, year);
    case TableFormat::kDecompr:
      return ReadDecompr(path, year);
  }
  return Status::Internal("unknown table format");
}

}  // namespace rebalance::io_tables
