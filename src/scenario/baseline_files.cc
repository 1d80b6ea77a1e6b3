// Readers that build a multi-sector Baseline from Caliendo & Parro's (2015,
// REStud) replication files: their whitespace matrices (CP README.pdf
// layouts, condensed in shared/data/README.md section 2a) and the long tidy
// version of paulofelipe/cp2015 (section 2d). Also the generic tariff file
// used with any baseline (theta files: theta.cc).
//
// Data completion follows CP's step 1: gross output is max(reported output,
// exports) and domestic sales are the difference; deficits are imports minus
// exports at producer prices. The result satisfies Baseline::
// ValidateStructure but not goods market clearing (SolveBaseYear fixes that).
//
// The matrix tokenizer also takes text held in memory (ParseCpMatrix): the
// file readers read the file and call it, and fuzz/cp_matrix_fuzz.cc drives it
// (and theta.h's ParseThetaFile) without touching the disk.
#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>

#include "rebalance/core/text.h"
#include "rebalance/data/csv.h"
#include "rebalance/data/table.h"
#include "rebalance/ge/baseline.h"
#include "rebalance/ge/shocks.h"
#include "rebalance/scenario/baseline_files.h"
#include "rebalance/scenario/theta.h"

namespace rebalance::scenario {

using ge::Baseline;
using ge::DeriveFinalDemandShares;
using ge::ResolveCountries;
using ge::ResolveSectors;

namespace {

namespace fs = std::filesystem;

// Country and sector order of CP's files (data README section 2).
const std::vector<std::string>& CpCountries() {
  static const std::vector<std::string> k = {
      "Argentina",   "Australia", "Austria",  "Brazil",       "Canada", "Chile",   "China",
      "Denmark",     "Finland",   "France",   "Germany",      "Greece", "Hungary", "India",
      "Indonesia",   "Ireland",   "Italy",    "Japan",        "Korea",  "Mexico",  "Netherlands",
      "New Zealand", "Norway",    "Portugal", "South Africa", "Spain",  "Sweden",  "Turkey",
      "UK",          "USA",       "ROW"};
  return k;
}
const std::vector<std::string>& CpSectors() {
  static const std::vector<std::string> k = {"Agriculture",
                                             "Mining",
                                             "Food",
                                             "Textile",
                                             "Wood",
                                             "Paper",
                                             "Petroleum",
                                             "Chemicals",
                                             "Plastic",
                                             "Minerals",
                                             "Basic metals",
                                             "Metal products",
                                             "Machinery n.e.c",
                                             "Office",
                                             "Electrical",
                                             "Communication",
                                             "Medical",
                                             "Auto",
                                             "Other Transport",
                                             "Other",
                                             "Electricity",
                                             "Construction",
                                             "Retail",
                                             "Hotels",
                                             "Land Transport",
                                             "Water Transport",
                                             "Air Transport",
                                             "Aux Transport",
                                             "Post",
                                             "Finance",
                                             "Real State",
                                             "Renting Mach",
                                             "Computer",
                                             "R&D",
                                             "Other Business",
                                             "Public",
                                             "Education",
                                             "Health",
                                             "Other services",
                                             "Private"};
  return k;
}
constexpr int kCpTradable = 20;

// `dir/name` or `dir/name.gz`, whichever exists.
Result<std::string> FindFile(const std::string& dir, const std::string& name) {
  for (const std::string& cand : {name, name + ".gz"}) {
    const fs::path p = fs::path(dir) / cand;
    if (fs::exists(p)) return p.string();
  }
  return Status::NotFound(fmt::format("file '{}' (or '{}.gz') not found in '{}'", name, name, dir));
}

// CP's matrix files on disk (plain or gzip); the tokenizer is ParseCpMatrix.
Result<CpMatrix> ReadMatrix(const std::string& path, int want_rows, int want_cols) {
  RB_ASSIGN_OR_RETURN(std::string text, data::ReadFileToString(path));
  return ParseCpMatrix(text, path, want_rows, want_cols);
}

// Non-blank lines of a label file; a file that cannot be read (or holds
// text that is not UTF-8) is an error, never an empty list.
Result<std::vector<std::string>> ReadLines(const std::string& path) {
  std::vector<std::string> out;
  RB_ASSIGN_OR_RETURN(const std::string t, data::ReadFileToString(path));
  if (size_t bad = 0; !core::IsValidUtf8(t, &bad)) {
    return Status::ParseError(
        fmt::format("{}:{}: the label is not valid UTF-8; save the file as UTF-8", path,
                    1 + std::count(t.begin(), t.begin() + static_cast<long>(bad), '\n')));
  }
  size_t pos = 0;
  while (pos < t.size()) {
    size_t end = t.find('\n', pos);
    if (end == std::string::npos) end = t.size();
    std::string line = t.substr(pos, end - pos);
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
    if (!line.empty()) out.push_back(line);
    pos = end + 1;
  }
  return out;
}

Baseline EmptyBaseline(std::vector<std::string> countries, std::vector<std::string> sectors) {
  Baseline b;
  b.countries = std::move(countries);
  b.sectors = std::move(sectors);
  const size_t N = b.countries.size(), J = b.sectors.size();
  b.flow.assign(J * N * N, 0.0);
  b.tariff.assign(J * N * N, 0.0);
  b.va_share.assign(N * J, 0.0);
  b.io_share.assign(N * J * J, 0.0);
  b.alpha.assign(N * J, 0.0);
  b.deficit.assign(N, 0.0);
  b.theta.assign(J, 0.0);
  b.tradable.assign(J, true);
  return b;
}

void SetDeficitsFromFlows(Baseline* b) {
  for (int n = 0; n < b->num_countries(); ++n) {
    b->deficit[n] = b->Imports(n) - b->Exports(n);
  }
}

// Index of each label in `labels`, erroring with the nearest name.
class LabelIndex {
 public:
  LabelIndex(const std::vector<std::string>& labels, std::string what)
      : labels_(labels), what_(std::move(what)) {
    for (size_t i = 0; i < labels.size(); ++i) map_[labels[i]] = static_cast<int>(i);
  }
  Result<int> Find(const std::string& label, const std::string& where) const {
    auto it = map_.find(label);
    if (it != map_.end()) return it->second;
    const std::string near = data::NearestName(label, labels_);
    return Status::NotFound(
        fmt::format("{}: unknown {} '{}'{}", where, what_, label,
                    near.empty() ? "" : fmt::format(" (did you mean '{}'?)", near)));
  }

 private:
  std::vector<std::string> labels_;
  std::string what_;
  std::map<std::string, int> map_;
};

Result<const data::Column*> Col(const data::Table& t, const std::string& name) {
  return t.GetColumn(name);
}

}  // namespace

Status CpMatrixOptions::Validate() const {
  if (year != 1993 && year != 2005) {
    return Status::InvalidArgument(
        fmt::format("CP matrix year must be 1993 or 2005, got {}", year));
  }
  if (tariff_year != 0 && tariff_year != 1993 && tariff_year != 2005) {
    return Status::InvalidArgument(
        fmt::format("CP tariff year must be 0, 1993 or 2005, got {}", tariff_year));
  }
  if (!(nontradable_theta > 0.0) || !std::isfinite(nontradable_theta)) {
    return Status::InvalidArgument("nontradable_theta must be finite and > 0");
  }
  return Status::Ok();
}

Status CpTidyOptions::Validate() const {
  if (tariff_column != "tariff" && tariff_column != "tariff_bln" && tariff_column != "tariff_cfl") {
    return Status::InvalidArgument(fmt::format(
        "tariff column must be tariff, tariff_bln or tariff_cfl, got '{}'", tariff_column));
  }
  return Status::Ok();
}

Result<CpMatrix> ParseCpMatrix(std::string_view text, const std::string& source, int want_rows,
                               int want_cols) {
  CpMatrix m;
  int line_no = 0;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    // A copy: commas become blanks and strtod needs a terminating NUL (an
    // embedded NUL byte ends the line, as it always has).
    std::string line(text.substr(pos, end - pos));
    pos = end + 1;
    ++line_no;
    std::replace(line.begin(), line.end(), ',', ' ');
    const char* p = line.c_str();
    std::vector<double> row;
    int col = 0;
    while (true) {
      while (*p == ' ' || *p == '\t' || *p == '\r') ++p;
      if (*p == '\0') break;
      ++col;
      char* q = nullptr;
      const double x = std::strtod(p, &q);
      if (q == p || (*q != '\0' && *q != ' ' && *q != '\t' && *q != '\r')) {
        return Status::ParseError(
            fmt::format("{}:{}:{}: expected a number, found '{}'", source, line_no, col,
                        std::string(p, std::min<size_t>(20, std::strlen(p)))));
      }
      if (!std::isfinite(x)) {
        return Status::ParseError(
            fmt::format("{}:{}:{}: value is not finite", source, line_no, col));
      }
      row.push_back(x);
      p = q;
    }
    if (row.empty()) continue;
    if (m.rows == 0) m.cols = static_cast<int>(row.size());
    if (static_cast<int>(row.size()) != m.cols) {
      return Status::ParseError(fmt::format("{}:{}: {} values, expected {} as on the first line",
                                            source, line_no, row.size(), m.cols));
    }
    m.values.insert(m.values.end(), row.begin(), row.end());
    ++m.rows;
  }
  if ((want_rows > 0 && m.rows != want_rows) || (want_cols > 0 && m.cols != want_cols)) {
    return Status::ParseError(fmt::format("{}: matrix is {}x{}, expected {}x{}", source, m.rows,
                                          m.cols, want_rows, want_cols));
  }
  return m;
}

Result<std::vector<double>> ReadCpTariffs(const std::string& path, const Baseline& like) {
  const int N = like.num_countries(), J = like.num_sectors();
  int jt = 0;
  while (jt < J && like.tradable[jt]) ++jt;
  RB_ASSIGN_OR_RETURN(CpMatrix t, ReadMatrix(path, jt * N, N));
  std::vector<double> rates(static_cast<size_t>(J) * N * N, 0.0);
  for (int j = 0; j < jt; ++j) {
    for (int n = 0; n < N; ++n) {
      for (int i = 0; i < N; ++i) {
        const double pct = t(j * N + n, i);
        if (pct < 0.0) {
          return Status::InvalidArgument(
              fmt::format("{}:{}:{}: negative tariff {} (sector '{}', importer '{}', "
                          "exporter '{}')",
                          path, j * N + n + 1, i + 1, pct, like.sectors[j], like.countries[n],
                          like.countries[i]));
        }
        // CP's own script sets own tariffs to zero (tau_nn = 1).
        rates[like.FlowIndex(j, n, i)] = n == i ? 0.0 : pct / 100.0;
      }
    }
  }
  return rates;
}

Result<Baseline> ReadCpMatrices(const std::string& dir, const CpMatrixOptions& options) {
  RB_RETURN_IF_ERROR(options.Validate());
  Baseline b = EmptyBaseline(CpCountries(), CpSectors());
  b.negative_io_tolerance = 1e-3;  // see Baseline::negative_io_tolerance
  const int N = b.num_countries(), J = b.num_sectors(), JT = kCpTradable;
  for (int j = 0; j < J; ++j) b.tradable[j] = j < JT;
  const int tyear = options.tariff_year ? options.tariff_year : options.year;

  RB_ASSIGN_OR_RETURN(std::string xpath, FindFile(dir, fmt::format("xbilat{}.txt", options.year)));
  RB_ASSIGN_OR_RETURN(std::string tpath, FindFile(dir, fmt::format("tariffs{}.txt", tyear)));
  RB_ASSIGN_OR_RETURN(std::string iopath, FindFile(dir, "IO.txt"));
  RB_ASSIGN_OR_RETURN(std::string bpath, FindFile(dir, "B.txt"));
  RB_ASSIGN_OR_RETURN(std::string gopath, FindFile(dir, "GO.txt"));
  RB_ASSIGN_OR_RETURN(std::string thpath, FindFile(dir, "T.txt"));

  RB_ASSIGN_OR_RETURN(CpMatrix xb, ReadMatrix(xpath, JT * N, N));
  RB_ASSIGN_OR_RETURN(CpMatrix io, ReadMatrix(iopath, J * N, J));
  RB_ASSIGN_OR_RETURN(CpMatrix bm, ReadMatrix(bpath, J, N));
  RB_ASSIGN_OR_RETURN(CpMatrix go, ReadMatrix(gopath, J, N));
  RB_ASSIGN_OR_RETURN(CpMatrix th, ReadMatrix(thpath, 0, 0));
  if (static_cast<int>(th.values.size()) != JT && static_cast<int>(th.values.size()) != J) {
    return Status::ParseError(
        fmt::format("{}: {} trade elasticities, expected {} (tradables) or {}", thpath,
                    th.values.size(), JT, J));
  }
  for (int j = 0; j < J; ++j) {
    b.theta[j] = j < static_cast<int>(th.values.size()) ? th.values[j] : options.nontradable_theta;
  }
  RB_ASSIGN_OR_RETURN(b.tariff, ReadCpTariffs(tpath, b));

  // Flows: thousands of USD, destination rows, source columns.
  for (int j = 0; j < JT; ++j) {
    for (int n = 0; n < N; ++n) {
      for (int i = 0; i < N; ++i) {
        const double x = xb(j * N + n, i);
        if (x < 0.0) {
          return Status::InvalidArgument(fmt::format(
              "{}:{}:{}: negative trade flow {} (sector '{}', importer '{}', "
              "exporter '{}')",
              xpath, j * N + n + 1, i + 1, x, b.sectors[j], b.countries[n], b.countries[i]));
        }
        if (n != i) b.flow[b.FlowIndex(j, n, i)] = 1000.0 * x;
      }
    }
  }
  // Domestic sales = max(GO, exports) - exports (CP step 1).
  for (int i = 0; i < N; ++i) {
    for (int j = 0; j < J; ++j) {
      double exports = 0.0;
      for (int n = 0; n < N; ++n) {
        if (n != i) exports += b.flow[b.FlowIndex(j, n, i)];
      }
      const double gross = go(j, i);
      if (gross < 0.0) {
        return Status::InvalidArgument(
            fmt::format("{}: negative gross output {} for '{}' sector '{}'", gopath, gross,
                        b.countries[i], b.sectors[j]));
      }
      b.flow[b.FlowIndex(j, i, i)] = std::max(gross, exports) - exports;
    }
  }
  // Shares: B is the value-added share (sector x country); IO columns are the
  // input composition of intermediate costs, so gamma^{k,j} = G(k,j)(1-B_j).
  for (int n = 0; n < N; ++n) {
    for (int j = 0; j < J; ++j) {
      const double va = bm(j, n);
      b.va_share[b.CS(n, j)] = va;
      for (int k = 0; k < J; ++k) {
        b.io_share[b.IoIndex(n, k, j)] = io(n * J + k, j) * (1.0 - va);
      }
    }
  }
  SetDeficitsFromFlows(&b);

  auto apath = FindFile(dir, "alphas.csv");
  if (apath.ok() && !options.derive_alpha) {
    RB_ASSIGN_OR_RETURN(CpMatrix al, ReadMatrix(apath.value(), J, N));
    for (int n = 0; n < N; ++n) {
      for (int j = 0; j < J; ++j) b.alpha[b.CS(n, j)] = al(j, n);
    }
  } else {
    RB_ASSIGN_OR_RETURN(int clipped, DeriveFinalDemandShares(&b));
    (void)clipped;
  }
  b.currency_unit = "USD";
  RB_RETURN_IF_ERROR(b.ValidateStructure(1e-6).WithContext(dir));
  return b;
}

Result<Baseline> ReadCpTidy(const std::string& dir, const CpTidyOptions& options) {
  RB_RETURN_IF_ERROR(options.Validate());
  RB_ASSIGN_OR_RETURN(std::string trade_path, FindFile(dir, "trade.csv"));
  RB_ASSIGN_OR_RETURN(std::string va_path, FindFile(dir, "value_added.csv"));
  RB_ASSIGN_OR_RETURN(std::string ic_path, FindFile(dir, "intermediate_consumption.csv"));
  RB_ASSIGN_OR_RETURN(std::string fc_path, FindFile(dir, "final_consumption.csv"));
  RB_ASSIGN_OR_RETURN(std::string th_path, FindFile(dir, "theta.csv"));
  data::CsvOptions copt;
  copt.threads = 1;
  RB_ASSIGN_OR_RETURN(data::Table trade, data::ReadCsv(trade_path, copt));

  RB_ASSIGN_OR_RETURN(const data::Column* c_sec, Col(trade, "sector"));
  RB_ASSIGN_OR_RETURN(const data::Column* c_exp, Col(trade, "exporter"));
  RB_ASSIGN_OR_RETURN(const data::Column* c_imp, Col(trade, "importer"));
  RB_ASSIGN_OR_RETURN(const data::Column* c_val, Col(trade, "value"));
  RB_ASSIGN_OR_RETURN(const data::Column* c_tar, Col(trade, options.tariff_column));

  // Label order: regions.txt / sectors.txt when present, else first appearance.
  std::vector<std::string> countries, sectors;
  auto rpath = FindFile(dir, "regions.txt");
  auto spath = FindFile(dir, "sectors.txt");
  if (rpath.ok()) {
    RB_ASSIGN_OR_RETURN(countries, ReadLines(rpath.value()));
  }
  if (spath.ok()) {
    RB_ASSIGN_OR_RETURN(sectors, ReadLines(spath.value()));
  }
  auto add_unique = [](std::vector<std::string>* v, const std::string& s) {
    if (std::find(v->begin(), v->end(), s) == v->end()) v->push_back(s);
  };
  if (countries.empty() || sectors.empty()) {
    std::vector<std::string> cs, ss;
    for (int64_t r = 0; r < trade.num_rows(); ++r) {
      add_unique(&ss, c_sec->CellText(r));
      add_unique(&cs, c_exp->CellText(r));
      add_unique(&cs, c_imp->CellText(r));
    }
    if (countries.empty()) countries = cs;
    if (sectors.empty()) sectors = ss;
  }
  Baseline b = EmptyBaseline(countries, sectors);
  b.negative_io_tolerance = 1e-3;  // as ReadCpMatrices
  const int N = b.num_countries(), J = b.num_sectors();
  LabelIndex cidx(b.countries, "region"), sidx(b.sectors, "sector");
  std::vector<char> seen(b.flow.size(), 0);
  for (int64_t r = 0; r < trade.num_rows(); ++r) {
    const std::string where = fmt::format("{}:{}", trade_path, r + 2);
    RB_ASSIGN_OR_RETURN(int j, sidx.Find(c_sec->CellText(r), where));
    RB_ASSIGN_OR_RETURN(int i, cidx.Find(c_exp->CellText(r), where));
    RB_ASSIGN_OR_RETURN(int n, cidx.Find(c_imp->CellText(r), where));
    const double v = c_val->AsDouble(r), t = c_tar->AsDouble(r);
    if (!std::isfinite(v) || v < 0.0) {
      return Status::InvalidArgument(fmt::format(
          "{}: trade value '{}' must be a finite number >= 0", where, c_val->CellText(r)));
    }
    if (!std::isfinite(t) || t < 0.0) {
      return Status::InvalidArgument(fmt::format("{}: {} '{}' must be a finite rate >= 0", where,
                                                 options.tariff_column, c_tar->CellText(r)));
    }
    const size_t f = b.FlowIndex(j, n, i);
    if (seen[f]) {
      return Status::InvalidArgument(
          fmt::format("{}: duplicate row for sector '{}', exporter '{}', importer '{}'", where,
                      b.sectors[j], b.countries[i], b.countries[n]));
    }
    seen[f] = 1;
    b.flow[f] = v;
    b.tariff[f] = n == i ? 0.0 : t;
  }
  // Tradable: any international flow.
  for (int j = 0; j < J; ++j) {
    bool any = false;
    for (int n = 0; n < N && !any; ++n)
      for (int i = 0; i < N && !any; ++i) any = n != i && b.flow[b.FlowIndex(j, n, i)] > 0.0;
    b.tradable[j] = any;
  }

  // Value added, intermediate and final consumption by (sector, region).
  std::vector<double> va(static_cast<size_t>(N) * J, 0.0), fc(static_cast<size_t>(N) * J, 0.0),
      ic(static_cast<size_t>(N) * J * J, 0.0);
  auto read_cs = [&](const std::string& path, std::vector<double>* out) -> Status {
    RB_ASSIGN_OR_RETURN(data::Table t, data::ReadCsv(path, copt));
    RB_ASSIGN_OR_RETURN(const data::Column* s, Col(t, "sector"));
    RB_ASSIGN_OR_RETURN(const data::Column* g, Col(t, "region"));
    RB_ASSIGN_OR_RETURN(const data::Column* v, Col(t, "value"));
    for (int64_t r = 0; r < t.num_rows(); ++r) {
      const std::string where = fmt::format("{}:{}", path, r + 2);
      RB_ASSIGN_OR_RETURN(int j, sidx.Find(s->CellText(r), where));
      RB_ASSIGN_OR_RETURN(int n, cidx.Find(g->CellText(r), where));
      const double x = v->AsDouble(r);
      if (!std::isfinite(x) || x < 0.0) {
        return Status::InvalidArgument(
            fmt::format("{}: value '{}' must be a finite number >= 0", where, v->CellText(r)));
      }
      (*out)[b.CS(n, j)] += x;
    }
    return Status::Ok();
  };
  RB_RETURN_IF_ERROR(read_cs(va_path, &va));
  RB_RETURN_IF_ERROR(read_cs(fc_path, &fc));
  {
    RB_ASSIGN_OR_RETURN(data::Table t, data::ReadCsv(ic_path, copt));
    RB_ASSIGN_OR_RETURN(const data::Column* in, Col(t, "input"));
    RB_ASSIGN_OR_RETURN(const data::Column* s, Col(t, "sector"));
    RB_ASSIGN_OR_RETURN(const data::Column* g, Col(t, "region"));
    RB_ASSIGN_OR_RETURN(const data::Column* v, Col(t, "value"));
    for (int64_t r = 0; r < t.num_rows(); ++r) {
      const std::string where = fmt::format("{}:{}", ic_path, r + 2);
      RB_ASSIGN_OR_RETURN(int k, sidx.Find(in->CellText(r), where));
      RB_ASSIGN_OR_RETURN(int j, sidx.Find(s->CellText(r), where));
      RB_ASSIGN_OR_RETURN(int n, cidx.Find(g->CellText(r), where));
      const double x = v->AsDouble(r);
      // CP's data hold one negative input (Canada, 'Other' in 'Basic
      // metals'); the share check of ValidateStructure bounds such values.
      if (!std::isfinite(x)) {
        return Status::InvalidArgument(
            fmt::format("{}: value '{}' must be a finite number", where, v->CellText(r)));
      }
      ic[b.IoIndex(n, k, j)] += x;
    }
  }
  for (int n = 0; n < N; ++n) {
    double fc_total = 0.0;
    for (int j = 0; j < J; ++j) fc_total += fc[b.CS(n, j)];
    if (!(fc_total > 0.0)) {
      return Status::InvalidArgument(
          fmt::format("{}: final consumption of region '{}' is zero", fc_path, b.countries[n]));
    }
    for (int j = 0; j < J; ++j) {
      double cost = va[b.CS(n, j)];
      for (int k = 0; k < J; ++k) cost += ic[b.IoIndex(n, k, j)];
      b.alpha[b.CS(n, j)] = fc[b.CS(n, j)] / fc_total;
      if (cost > 0.0) {
        b.va_share[b.CS(n, j)] = va[b.CS(n, j)] / cost;
        for (int k = 0; k < J; ++k) b.io_share[b.IoIndex(n, k, j)] = ic[b.IoIndex(n, k, j)] / cost;
      }
    }
  }
  // theta by sector.
  { RB_ASSIGN_OR_RETURN(b.theta, ReadThetaFile(th_path, b.sectors)); }
  SetDeficitsFromFlows(&b);
  // deficit.csv, when present, must agree with the flows (imports - exports).
  auto dpath = FindFile(dir, "deficit.csv");
  if (dpath.ok()) {
    RB_ASSIGN_OR_RETURN(data::Table t, data::ReadCsv(dpath.value(), copt));
    RB_ASSIGN_OR_RETURN(const data::Column* g, Col(t, "region"));
    RB_ASSIGN_OR_RETURN(const data::Column* d, Col(t, "D"));
    double scale = 0.0;
    for (int n = 0; n < N; ++n) scale += b.ValueAdded(n);
    for (int64_t r = 0; r < t.num_rows(); ++r) {
      const std::string where = fmt::format("{}:{}", dpath.value(), r + 2);
      RB_ASSIGN_OR_RETURN(int n, cidx.Find(g->CellText(r), where));
      const double v = d->AsDouble(r);
      if (!std::isfinite(v) || std::fabs(v - b.deficit[n]) > 1e-9 * scale) {
        return Status::InvalidArgument(
            fmt::format("{}: deficit '{}' of '{}' differs from imports - exports in the "
                        "trade file ({})",
                        where, d->CellText(r), b.countries[n], b.deficit[n]));
      }
    }
  }
  b.currency_unit = "USD";
  RB_RETURN_IF_ERROR(b.ValidateStructure(1e-6).WithContext(dir));
  return b;
}

Result<std::vector<double>> ReadCpTidyTariffs(const std::string& dir, const std::string& column,
                                              const Baseline& like) {
  RB_ASSIGN_OR_RETURN(std::string trade_path, FindFile(dir, "trade.csv"));
  data::CsvOptions copt;
  copt.threads = 1;
  RB_ASSIGN_OR_RETURN(data::Table trade, data::ReadCsv(trade_path, copt));
  RB_ASSIGN_OR_RETURN(const data::Column* c_sec, Col(trade, "sector"));
  RB_ASSIGN_OR_RETURN(const data::Column* c_exp, Col(trade, "exporter"));
  RB_ASSIGN_OR_RETURN(const data::Column* c_imp, Col(trade, "importer"));
  RB_ASSIGN_OR_RETURN(const data::Column* c_tar, Col(trade, column));
  LabelIndex cidx(like.countries, "region"), sidx(like.sectors, "sector");
  std::vector<double> rates = like.tariff;
  for (int64_t r = 0; r < trade.num_rows(); ++r) {
    const std::string where = fmt::format("{}:{}", trade_path, r + 2);
    RB_ASSIGN_OR_RETURN(int j, sidx.Find(c_sec->CellText(r), where));
    RB_ASSIGN_OR_RETURN(int i, cidx.Find(c_exp->CellText(r), where));
    RB_ASSIGN_OR_RETURN(int n, cidx.Find(c_imp->CellText(r), where));
    const double t = c_tar->AsDouble(r);
    if (!std::isfinite(t) || t < 0.0) {
      return Status::InvalidArgument(
          fmt::format("{}: {} '{}' must be a finite rate >= 0", where, column, c_tar->CellText(r)));
    }
    rates[like.FlowIndex(j, n, i)] = n == i ? 0.0 : t;
  }
  return rates;
}

Status ApplyTariffFile(const std::string& path, Baseline* baseline) {
  data::CsvOptions copt;
  copt.threads = 1;
  for (const char* c : {"importer", "exporter", "sector"})
    copt.types[c] = data::ColumnType::kString;
  RB_ASSIGN_OR_RETURN(data::Table t, data::ReadCsv(path, copt));
  RB_ASSIGN_OR_RETURN(const data::Column* ci, Col(t, "importer"));
  RB_ASSIGN_OR_RETURN(const data::Column* ce, Col(t, "exporter"));
  RB_ASSIGN_OR_RETURN(const data::Column* cs, Col(t, "sector"));
  RB_ASSIGN_OR_RETURN(const data::Column* cv, Col(t, "tariff"));
  Baseline& b = *baseline;
  for (int64_t r = 0; r < t.num_rows(); ++r) {
    const std::string where = fmt::format("{}:{}", path, r + 2);
    auto imps = ResolveCountries(b, ci->CellText(r));
    if (!imps.ok()) return imps.status().WithContext(where);
    auto exps = ResolveCountries(b, ce->CellText(r));
    if (!exps.ok()) return exps.status().WithContext(where);
    auto secs = ResolveSectors(b, cs->CellText(r));
    if (!secs.ok()) return secs.status().WithContext(where);
    const double x = cv->AsDouble(r);
    if (!std::isfinite(x) || x < 0.0) {
      return Status::InvalidArgument(
          fmt::format("{}: tariff '{}' must be a finite rate >= 0", where, cv->CellText(r)));
    }
    for (int j : secs.value()) {
      if (!b.tradable[j]) continue;
      for (int n : imps.value())
        for (int i : exps.value())
          if (n != i) b.tariff[b.FlowIndex(j, n, i)] = x;
    }
  }
  return Status::Ok();
}

}  // namespace rebalance::scenario
