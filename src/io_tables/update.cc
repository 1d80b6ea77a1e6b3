// Table updating: targets file -> GRAS block constraints on [Z F] -> IoTable.
// See include/rebalance/io_tables/update.h for the file format.
#include "rebalance/io_tables/update.h"

#include <charconv>
#include <cmath>
#include <map>
#include <set>

#include <fmt/format.h>

#include "rebalance/data/csv.h"

namespace rebalance::io_tables {
namespace {

const std::vector<std::string>& Kinds() {
  static const std::vector<std::string> k = {"output", "intermediate_inputs", "value_added",
                                             "final_demand", "block"};
  return k;
}

Result<double> UnitFactor(const std::string& unit) {
  if (unit == "usd") return 1.0;
  if (unit == "thousand_usd") return 1e3;
  if (unit == "million_usd") return 1e6;
  if (unit == "billion_usd") return 1e9;
  return Status::InvalidArgument(
      fmt::format("unknown unit '{}' (use million_usd, billion_usd, thousand_usd or usd)", unit));
}

// Splits one CSV line (double quotes around a field allowed, "" inside).
std::vector<std::string> SplitCsvLine(const std::string& line) {
  std::vector<std::string> out;
  std::string cur;
  bool quoted = false;
  for (size_t i = 0; i < line.size(); ++i) {
    const char ch = line[i];
    if (quoted) {
      if (ch == '"' && i + 1 < line.size() && line[i + 1] == '"') {
        cur += '"';
        ++i;
      } else if (ch == '"') {
        quoted = false;
      } else {
        cur += ch;
      }
    } else if (ch == '"') {
      quoted = true;
    } else if (ch == ',') {
      out.push_back(cur);
      cur.clear();
    } else {
      cur += ch;
    }
  }
  out.push_back(cur);
  for (auto& f : out) {
    while (!f.empty() && (f.back() == ' ' || f.back() == '\r' || f.back() == '\t')) f.pop_back();
    size_t b = 0;
    while (b < f.size() && (f[b] == ' ' || f[b] == '\t')) ++b;
    f.erase(0, b);
  }
  return out;
}

std::vector<std::string> SplitList(const std::string& s) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= s.size()) {
    size_t end = s.find(';', start);
    if (end == std::string::npos) end = s.size();
    std::string item = s.substr(start, end - start);
    while (!item.empty() && item.back() == ' ') item.pop_back();
    while (!item.empty() && item.front() == ' ') item.erase(0, 1);
    if (!item.empty()) out.push_back(item);
    start = end + 1;
  }
  return out;
}

// Index sets of a selector over `labels`; `what` names it in messages.
Result<std::vector<int>> Select(const std::string& sel, const std::vector<std::string>& labels,
                                const std::string& what) {
  std::vector<int> out;
  if (sel == "*") {
    for (size_t i = 0; i < labels.size(); ++i) out.push_back(static_cast<int>(i));
    return out;
  }
  std::set<int> seen;
  for (const auto& item : SplitList(sel)) {
    int found = -1;
    for (size_t i = 0; i < labels.size(); ++i) {
      if (labels[i] == item) found = static_cast<int>(i);
    }
    if (found < 0) {
      return Status::NotFound(fmt::format("{} '{}' is not in the table (it has {}: {}{})", what,
                                          item, labels.size(), labels.empty() ? "" : labels[0],
                                          labels.size() > 1 ? ", " + labels[1] + ", ..." : ""));
    }
    if (seen.insert(found).second) out.push_back(found);
  }
  if (out.empty()) return Status::InvalidArgument(fmt::format("{} is empty", what));
  return out;
}

}  // namespace

Result<std::vector<TableTarget>> ParseTargets(const std::string& text, const std::string& source) {
  std::vector<TableTarget> out;
  std::map<std::string, int> col;
  std::vector<std::string> header;
  size_t pos = 0;
  int line_no = 0;
  const std::set<std::string> known = {"kind",      "from_country", "from_sector", "to_country",
                                       "to_column", "value",        "unit",        "relative_se",
                                       "group",     "name"};
  while (pos < text.size()) {
    size_t end = text.find('\n', pos);
    if (end == std::string::npos) end = text.size();
    std::string line = text.substr(pos, end - pos);
    pos = end + 1;
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.find_first_not_of(" \t") == std::string::npos || line[0] == '#') continue;
    auto fields = SplitCsvLine(line);
    if (header.empty()) {
      header = fields;
      for (size_t i = 0; i < header.size(); ++i) {
        if (!known.count(header[i])) {
          return Status::ParseError(
              fmt::format("{}:{}:{}: unknown column '{}' (expected kind, from_country, "
                          "from_sector, to_country, to_column, value, unit, relative_se, "
                          "group, name)",
                          source, line_no, i + 1, header[i]));
        }
        if (col.count(header[i])) {
          return Status::ParseError(fmt::format("{}:{}:{}: column '{}' appears twice", source,
                                                line_no, i + 1, header[i]));
        }
        col[header[i]] = static_cast<int>(i);
      }
      for (const char* req : {"kind", "value", "unit"}) {
        if (!col.count(req)) {
          return Status::ParseError(fmt::format("{}:{}: the header lacks the required column '{}'",
                                                source, line_no, req));
        }
      }
      continue;
    }
    if (fields.size() != header.size()) {
      return Status::ParseError(fmt::format("{}:{}: {} fields, the header has {}", source, line_no,
                                            fields.size(), header.size()));
    }
    auto get = [&](const char* name) -> std::string {
      auto it = col.find(name);
      return it == col.end() ? std::string() : fields[it->second];
    };
    auto at = [&](const char* name) {
      return fmt::format("{}:{}:{}", source, line_no, col.at(name) + 1);
    };
    TableTarget t;
    t.where = fmt::format("{}:{}", source, line_no);
    t.kind = get("kind");
    bool kind_ok = false;
    for (const auto& k : Kinds()) kind_ok |= (k == t.kind);
    if (!kind_ok) {
      return Status::ParseError(
          fmt::format("{}: unknown kind '{}' (use output, intermediate_inputs, value_added, "
                      "final_demand or block)",
                      at("kind"), t.kind));
    }
    auto number = [&](const char* name, double* v) -> Status {
      const std::string s = get(name);
      const char* b = s.data();
      const char* e = s.data() + s.size();
      auto [p, ec] = std::from_chars(b, e, *v);
      if (s.empty() || ec != std::errc() || p != e || !std::isfinite(*v)) {
        return Status::ParseError(
            fmt::format("{}: {} must be a finite number, found '{}'", at(name), name, s));
      }
      return Status::Ok();
    };
    RB_RETURN_IF_ERROR(number("value", &t.value));
    t.unit = get("unit");
    if (auto f = UnitFactor(t.unit); !f.ok())
      return Status::ParseError(at("unit") + ": " + f.status().message());
    if (col.count("relative_se") && !get("relative_se").empty()) {
      RB_RETURN_IF_ERROR(number("relative_se", &t.relative_se));
      if (t.relative_se < 0) {
        return Status::ParseError(fmt::format("{}: relative_se must be >= 0, found {}",
                                              at("relative_se"), t.relative_se));
      }
    }
    t.from_country = get("from_country");
    t.from_sector = get("from_sector");
    t.to_country = get("to_country");
    t.to_column = get("to_column");
    t.group = get("group");
    t.name = get("name");
    // Required selectors per kind.
    auto need = [&](const char* name, const std::string& v) -> Status {
      if (v.empty() && col.count(name)) {
        return Status::ParseError(fmt::format("{}: kind {} needs {}", at(name), t.kind, name));
      }
      if (v.empty())
        return Status::ParseError(
            fmt::format("{}: kind {} needs column {}", t.where, t.kind, name));
      return Status::Ok();
    };
    if (t.kind == "output" || t.kind == "block") {
      RB_RETURN_IF_ERROR(need("from_country", t.from_country));
      RB_RETURN_IF_ERROR(need("from_sector", t.from_sector));
    }
    if (t.kind != "output") RB_RETURN_IF_ERROR(need("to_country", t.to_country));
    if (t.kind == "intermediate_inputs" || t.kind == "value_added") {
      if (t.to_column.empty()) t.to_column = "*sectors";
    }
    if (t.kind == "final_demand") {
      if (t.to_column.empty()) t.to_column = "*categories";
      if (t.from_country.empty()) t.from_country = "*";
      if (t.from_sector.empty()) t.from_sector = "*";
    }
    if (t.kind == "block" && t.to_column.empty()) t.to_column = "*";
    out.push_back(std::move(t));
  }
  if (header.empty())
    return Status::ParseError(fmt::format("{}: empty targets file (no header)", source));
  if (out.empty()) return Status::ParseError(fmt::format("{}: no targets", source));
  return out;
}

Result<std::vector<TableTarget>> ReadTargets(const std::string& path) {
  RB_ASSIGN_OR_RETURN(std::string text, data::ReadFileToString(path));
  return ParseTargets(text, path);
}

std::string TargetsToCsv(const std::vector<TableTarget>& targets) {
  std::string out =
      "kind,from_country,from_sector,to_country,to_column,value,unit,relative_se,group,name\n";
  for (const auto& t : targets) {
    out += fmt::format("{},{},{},{},{},{:.17g},{},{},{},{}\n", t.kind, t.from_country,
                       t.from_sector, t.to_country, t.to_column, t.value, t.unit,
                       t.relative_se == 0 ? std::string() : fmt::format("{}", t.relative_se),
                       t.group, t.name);
  }
  return out;
}

Status UpdateOptions::Validate() const {
  RB_RETURN_IF_ERROR(gras.Validate());
  if (auto f = UnitFactor(table_unit); !f.ok())
    return f.status().WithContext("UpdateOptions::table_unit");
  return Status::Ok();
}

Result<std::vector<GrasConstraint>> TargetsToConstraints(const IoTable& prior,
                                                         const std::vector<TableTarget>& targets,
                                                         const std::string& table_unit) {
  RB_ASSIGN_OR_RETURN(double table_factor, UnitFactor(table_unit));
  const int num_s = prior.num_sectors(), num_k = prior.num_categories(), n = prior.size();
  // Output targets by row index (for value_added).
  std::map<int, double> output_target;
  std::vector<GrasConstraint> out;
  struct Pending {
    size_t index;
    std::vector<int> cols_cs;  // country-sector indices of the Z columns
  };
  std::vector<Pending> value_added;
  for (const auto& t : targets) {
    auto ctx = [&](const Status& s) { return s.WithContext(t.where); };
    RB_ASSIGN_OR_RETURN(double unit_factor, UnitFactor(t.unit));
    GrasConstraint c;
    c.target = t.value * unit_factor / table_factor;
    c.relative_se = t.relative_se;
    auto rows_of = [&]() -> Result<std::vector<int>> {
      auto countries = Select(t.from_country, prior.countries, "from_country");
      if (!countries.ok()) return ctx(countries.status());
      auto sectors = Select(t.from_sector, prior.sectors, "from_sector");
      if (!sectors.ok()) return ctx(sectors.status());
      std::vector<int> r;
      for (int cc : *countries) {
        for (int s : *sectors) r.push_back(prior.Index(cc, s));
      }
      return r;
    };
    // Columns of [Z F] for to_country x to_column; `allow` limits to Z / F.
    auto cols_of = [&](bool allow_z, bool allow_f) -> Result<std::vector<int>> {
      auto countries = Select(t.to_country, prior.countries, "to_country");
      if (!countries.ok()) return ctx(countries.status());
      std::vector<int> z_sectors, f_cats;
      if (t.to_column == "*" || t.to_column == "*sectors" || t.to_column == "*categories") {
        if (t.to_column != "*categories" && allow_z) {
          for (int s = 0; s < num_s; ++s) z_sectors.push_back(s);
        }
        if (t.to_column != "*sectors" && allow_f) {
          for (int k = 0; k < num_k; ++k) f_cats.push_back(k);
        }
      } else {
        for (const auto& item : SplitList(t.to_column)) {
          int s = -1, k = -1;
          for (int i = 0; i < num_s; ++i) {
            if (prior.sectors[i] == item) s = i;
          }
          for (int i = 0; i < num_k; ++i) {
            if (prior.categories[i] == item) k = i;
          }
          if (s >= 0 && allow_z) {
            z_sectors.push_back(s);
          } else if (k >= 0 && allow_f) {
            f_cats.push_back(k);
          } else {
            return ctx(Status::NotFound(
                fmt::format("to_column '{}' is not a {} of the table", item,
                            allow_z && allow_f ? "sector or final-demand category"
                                               : (allow_z ? "sector" : "final-demand category"))));
          }
        }
      }
      std::vector<int> cols;
      for (int cc : *countries) {
        for (int s : z_sectors) cols.push_back(prior.Index(cc, s));
        for (int k : f_cats) cols.push_back(n + cc * num_k + k);
      }
      if (cols.empty()) return ctx(Status::InvalidArgument("the target selects no column"));
      return cols;
    };
    std::vector<int> all_cols(n + prior.f.cols()), all_rows(n);
    for (size_t j = 0; j < all_cols.size(); ++j) all_cols[j] = static_cast<int>(j);
    for (int i = 0; i < n; ++i) all_rows[i] = i;
    if (t.kind == "output") {
      RB_ASSIGN_OR_RETURN(c.rows, rows_of());
      c.cols = all_cols;
      c.group = "output";
      if (c.rows.size() == 1) output_target[c.rows[0]] = c.target;
    } else if (t.kind == "intermediate_inputs" || t.kind == "value_added") {
      c.rows = all_rows;
      RB_ASSIGN_OR_RETURN(c.cols, cols_of(true, false));
      c.group = "uses";
      if (t.kind == "value_added") value_added.push_back({out.size(), c.cols});
    } else if (t.kind == "final_demand") {
      RB_ASSIGN_OR_RETURN(c.rows, rows_of());
      RB_ASSIGN_OR_RETURN(c.cols, cols_of(false, true));
      c.group = "uses";
    } else {  // block
      RB_ASSIGN_OR_RETURN(c.rows, rows_of());
      RB_ASSIGN_OR_RETURN(c.cols, cols_of(true, true));
      c.group = "block";
    }
    if (!t.group.empty()) c.group = t.group;
    c.name = !t.name.empty()
                 ? t.name
                 : fmt::format("{} {}{}{}->{}{}{}", t.kind, t.from_country,
                               t.from_sector.empty() ? "" : ":", t.from_sector, t.to_country,
                               t.to_column.empty() ? "" : ":", t.to_column);
    out.push_back(std::move(c));
  }
  for (const auto& p : value_added) {
    const TableTarget& t = targets[p.index];
    double total_output = 0;
    for (int cs : p.cols_cs) {
      auto it = output_target.find(cs);
      if (it == output_target.end()) {
        return Status::InvalidArgument(
            fmt::format("{}: value_added of {} needs an `output` target for that single "
                        "country-sector (the intermediate "
                        "inputs are output - value added)",
                        t.where, prior.Label(cs)));
      }
      total_output += it->second;
    }
    out[p.index].target = total_output - out[p.index].target;
  }
  return out;
}

Result<UpdateResult> UpdateTable(const IoTable& prior, const std::vector<TableTarget>& targets,
                                 const UpdateOptions& options) {
  RB_RETURN_IF_ERROR(options.Validate());
  UpdateResult r;
  RB_ASSIGN_OR_RETURN(r.constraints, TargetsToConstraints(prior, targets, options.table_unit));
  const int n = prior.size();
  Eigen::MatrixXd m(n, n + prior.f.cols());
  m.leftCols(n) = prior.z;
  m.rightCols(prior.f.cols()) = prior.f;
  RB_ASSIGN_OR_RETURN(r.gras, Gras(m, r.constraints, options.gras));
  for (int i = 0; i < n; ++i) r.row_labels.push_back(prior.Label(i));
  r.col_labels = r.row_labels;
  for (int c = 0; c < prior.num_countries(); ++c) {
    for (int k = 0; k < prior.num_categories(); ++k) {
      r.col_labels.push_back(prior.countries[c] + "_" + prior.categories[k]);
    }
  }
  if (!r.gras.x.allFinite()) {
    return Status::NumericalError("GRAS produced non-finite cells: " + r.gras.message);
  }
  Eigen::MatrixXd z = r.gras.x.leftCols(n), f = r.gras.x.rightCols(prior.f.cols());
  Eigen::VectorXd x = z.rowwise().sum() + f.rowwise().sum();
  // A negative row sum (sales smaller than negative inventories, e.g. WIOD
  // 2011 LUX_c5 = -1 after truncation) cannot be a reported output: x is set
  // to 0 there and the rows are listed (the accounting's row-sum basis still
  // sees the cells).
  // A row sum within GRAS's convergence tolerance (10 x tolerance of the
  // row's cell mass, the test GrasResult::converged applies) of 0 is 0: a row
  // balanced to a zero total (WIOD 2011 CYP_c8, inventories -2 against sales
  // of 4 in 2008) ends at a rounding residual of either sign. Listed apart.
  const Eigen::VectorXd mass = z.cwiseAbs().rowwise().sum() + f.cwiseAbs().rowwise().sum();
  for (int i = 0; i < n; ++i) {
    if (x[i] != 0 && std::abs(x[i]) <= 10 * options.gras.tolerance * mass[i]) {
      r.zero_output_rows.push_back(
          fmt::format("{} ({:.3g} of {:.6g})", prior.Label(i), x[i], mass[i]));
      x[i] = 0;
    } else if (x[i] < 0) {
      r.negative_output_rows.push_back(fmt::format("{} ({:.6g})", prior.Label(i), x[i]));
      x[i] = 0;
    }
  }
  RB_ASSIGN_OR_RETURN(
      r.table, IoTable::FromMatrices(prior.countries, prior.sectors, prior.categories, std::move(z),
                                     std::move(f), std::move(x), prior.year, prior.source));
  r.table.sector_names = prior.sector_names;
  return r;
}

std::string ConstraintReportCsv(const UpdateResult& result) {
  std::string out = "name,group,target,achieved,prior,relative_error,relative_se,multiplier\n";
  for (const auto& c : result.gras.constraints) {
    std::string name = c.name;
    if (name.find_first_of(",\"") != std::string::npos) {
      std::string q = "\"";
      for (char ch : name) q += ch == '"' ? std::string("\"\"") : std::string(1, ch);
      name = q + "\"";
    }
    out += fmt::format("{},{},{:.17g},{:.17g},{:.17g},{:.6e},{},{:.10g}\n", name, c.group, c.target,
                       c.achieved, c.prior, c.relative_error, c.relative_se, c.multiplier);
  }
  return out;
}

}  // namespace rebalance::io_tables
