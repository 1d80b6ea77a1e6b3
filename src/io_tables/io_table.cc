// IoTable: construction from matrices, validation, aggregation by a mapping
// file, and the long-format writer.
//
// Validation follows what an analyst checks by hand before using a
// multi-region table: shapes and labels (errors), negative output (error),
// finite values (error), then the things that leave the table usable but
// must be reported with their size: rows out of balance against output,
// negative intermediate use, negative final demand outside inventory
// categories, zero output with positive intermediate use, negative value
// added. Aggregation sums Z, F and x with the mapping (a 0/1 matrix applied
// by index accumulation, O(n^2)); v is recomputed and equals the sum of v.
#include "rebalance/io_tables/io_table.h"

#include <algorithm>
#include <cmath>
#include <set>
#include <unordered_map>

#include <fmt/format.h>

#include "rebalance/data/csv.h"

namespace rebalance::io_tables {
namespace {

std::string JoinFirst(const std::vector<std::string>& items, size_t max_items) {
  std::string out;
  for (size_t i = 0; i < items.size() && i < max_items; ++i) {
    if (i) out += ", ";
    out += items[i];
  }
  if (items.size() > max_items) {
    out += fmt::format(", ... ({} in all)", items.size());
  }
  return out;
}

Status CheckLabels(const std::vector<std::string>& labels, const char* what) {
  std::set<std::string> seen;
  for (const auto& l : labels) {
    if (l.empty()) return Status::InvalidArgument(fmt::format("empty {} label", what));
    if (!seen.insert(l).second) {
      return Status::InvalidArgument(fmt::format("duplicate {} label '{}'", what, l));
    }
  }
  return Status::Ok();
}

}  // namespace

const char* ToString(ValidationIssue::Severity s) {
  return s == ValidationIssue::Severity::kError ? "error" : "warning";
}

bool ValidationReport::HasErrors() const {
  for (const auto& i : issues) {
    if (i.severity == ValidationIssue::Severity::kError) return true;
  }
  return false;
}

int ValidationReport::NumWarnings() const {
  int n = 0;
  for (const auto& i : issues) {
    if (i.severity == ValidationIssue::Severity::kWarning) ++n;
  }
  return n;
}

std::string ValidationReport::ToString() const {
  std::string out;
  for (const auto& i : issues) {
    out += fmt::format("{}: {}: {}\n", io_tables::ToString(i.severity), i.check, i.message);
  }
  return out;
}

std::string IoTable::Label(int index) const {
  const int s = num_sectors();
  if (s == 0 || index < 0 || index >= size()) return "?";
  return countries[index / s] + "_" + sectors[index % s];
}

Eigen::MatrixXd IoTable::FinalDemandByCountry() const {
  const int c = num_countries(), k = num_categories();
  Eigen::MatrixXd y = Eigen::MatrixXd::Zero(size(), c);
  for (int d = 0; d < c; ++d) {
    for (int j = 0; j < k; ++j) y.col(d) += f.col(d * k + j);
  }
  return y;
}

Eigen::VectorXd IoTable::RowSums() const { return z.rowwise().sum() + f.rowwise().sum(); }

ValidationReport IoTable::Validate(const ValidationOptions& options) const {
  using Sev = ValidationIssue::Severity;
  ValidationReport rep;
  auto error = [&rep](std::string check, std::string msg) {
    rep.issues.push_back({Sev::kError, std::move(check), 1, 0, 0, std::move(msg)});
  };
  for (auto [labels, what] : {std::pair{&countries, "country"}, std::pair{&sectors, "sector"},
                              std::pair{&categories, "final-demand category"}}) {
    Status st = CheckLabels(*labels, what);
    if (!st.ok()) error("labels", st.message());
  }
  if (countries.empty() || sectors.empty()) {
    error("shape", "the table has no countries or no sectors");
    return rep;
  }
  const int n = size();
  const int nf = num_countries() * num_categories();
  if (z.rows() != n || z.cols() != n) {
    error("shape", fmt::format("Z is {} x {}, expected {} x {} ({} countries x {} sectors)",
                               z.rows(), z.cols(), n, n, num_countries(), num_sectors()));
  }
  if (f.rows() != n || f.cols() != nf) {
    error("shape", fmt::format("F is {} x {}, expected {} x {} ({} countries x {} categories)",
                               f.rows(), f.cols(), n, nf, num_countries(), num_categories()));
  }
  if (x.size() != n) error("shape", fmt::format("x has {} entries, expected {}", x.size(), n));
  if (v.size() != n) error("shape", fmt::format("v has {} entries, expected {}", v.size(), n));
  if (!sector_names.empty() && static_cast<int>(sector_names.size()) != num_sectors()) {
    error("shape",
          fmt::format("{} sector names for {} sectors", sector_names.size(), num_sectors()));
  }
  if (rep.HasErrors()) return rep;

  // One pass over Z (the large matrix) for non-finite cells, negative cells and
  // column sums; a column is scanned cell by cell only when its sum is not finite
  // or its minimum is negative.
  int64_t nonfinite = 0;
  int64_t neg_z_count = 0;
  double neg_z_worst = 0, neg_z_total = 0;
  std::string neg_z_first;
  Eigen::VectorXd use(n);
  for (int j = 0; j < n; ++j) {
    const auto col = z.col(j);
    use[j] = col.sum();
    if (!std::isfinite(use[j])) nonfinite += (!col.array().isFinite()).count();
    if (nonfinite > 0 || !(col.minCoeff() < 0)) continue;
    for (int i = 0; i < n; ++i) {
      if (col[i] < 0) {
        if (neg_z_count == 0)
          neg_z_first = fmt::format("{} -> {} = {:g}", Label(i), Label(j), col[i]);
        ++neg_z_count;
        neg_z_worst = std::max(neg_z_worst, -col[i]);
        neg_z_total += col[i];
      }
    }
  }
  nonfinite += (!f.array().isFinite()).count() + (!x.array().isFinite()).count();
  if (nonfinite > 0) {
    rep.issues.push_back({Sev::kError, "non_finite", nonfinite, 0, 0,
                          fmt::format("{} cells are NaN or infinite", nonfinite)});
    return rep;
  }

  // Negative output: an error (no meaningful coefficients).
  {
    std::vector<std::string> bad;
    double worst = 0, total = 0;
    for (int i = 0; i < n; ++i) {
      if (x[i] < 0) {
        bad.push_back(fmt::format("{} ({:g})", Label(i), x[i]));
        worst = std::max(worst, -x[i]);
        total += x[i];
      }
    }
    if (!bad.empty()) {
      rep.issues.push_back(
          {Sev::kError, "negative_output", static_cast<int64_t>(bad.size()), worst, total,
           fmt::format("{} rows have negative gross output: {}", bad.size(), JoinFirst(bad, 5))});
    }
  }
  // Negative intermediate use (found in the pass above).
  {
    const int64_t count = neg_z_count;
    const double worst = neg_z_worst, total = neg_z_total;
    const std::string& first = neg_z_first;
    if (count > 0) {
      rep.issues.push_back({Sev::kWarning, "negative_z", count, worst, total,
                            fmt::format("{} negative intermediate-use cells (sum {:g}, "
                                        "largest {:g}); first: {}",
                                        count, total, worst, first)});
    }
  }
  // Negative final demand outside inventory-type categories.
  {
    std::vector<uint8_t> inventory(num_categories(), 0);
    for (int k = 0; k < num_categories(); ++k) {
      for (const auto& name : options.inventory_categories) {
        if (categories[k] == name) inventory[k] = 1;
      }
    }
    int64_t count = 0;
    double worst = 0, total = 0;
    std::string first;
    const int nk = num_categories();
    for (int col = 0; col < nf; ++col) {
      if (inventory[col % nk]) continue;
      for (int i = 0; i < n; ++i) {
        if (f(i, col) < 0) {
          if (count == 0) {
            first = fmt::format("{} -> {}_{} = {:g}", Label(i), countries[col / nk],
                                categories[col % nk], f(i, col));
          }
          ++count;
          worst = std::max(worst, -f(i, col));
          total += f(i, col);
        }
      }
    }
    if (count > 0) {
      rep.issues.push_back({Sev::kWarning, "negative_final_demand", count, worst, total,
                            fmt::format("{} negative final-demand cells outside inventory "
                                        "categories (sum {:g}); first: {}",
                                        count, total, first)});
    }
  }
  // Row balance against reported output.
  {
    const Eigen::VectorXd d = x - RowSums();
    int64_t count = 0;
    int worst_i = 0;
    for (int i = 0; i < n; ++i) {
      const double ad = std::abs(d[i]);
      if (ad > std::abs(d[worst_i])) worst_i = i;
      rep.row_balance_max_rel =
          std::max(rep.row_balance_max_rel, ad / std::max(1.0, std::abs(x[i])));
      if (ad > options.row_tolerance * std::max(1.0, std::abs(x[i]))) ++count;
    }
    rep.row_balance_max_abs = n ? std::abs(d[worst_i]) : 0.0;
    rep.row_balance_total = d.sum();
    if (count > 0) {
      rep.issues.push_back(
          {Sev::kWarning, "row_balance", count, rep.row_balance_max_abs, rep.row_balance_total,
           fmt::format("{} of {} rows: output - (intermediate + final sales) differs from 0 "
                       "(largest |difference| {:g} at {}, total {:g}, largest relative {:.3g}); "
                       "the reported output is kept",
                       count, n, rep.row_balance_max_abs, Label(worst_i), rep.row_balance_total,
                       rep.row_balance_max_rel)});
    }
  }
  // Zero output with positive intermediate use, negative value added.
  {
    std::vector<std::string> zero_use, neg_va;
    double neg_total = 0, neg_worst = 0;
    for (int j = 0; j < n; ++j) {
      if (x[j] == 0 && use[j] > 0) zero_use.push_back(Label(j));
      if (v[j] < 0) {
        neg_va.push_back(Label(j));
        neg_total += v[j];
        neg_worst = std::max(neg_worst, -v[j]);
      }
    }
    if (!zero_use.empty()) {
      rep.issues.push_back({Sev::kWarning, "zero_output_with_use",
                            static_cast<int64_t>(zero_use.size()), 0, 0,
                            fmt::format("{} sectors have zero output but positive intermediate "
                                        "use (no technical coefficients): {}",
                                        zero_use.size(), JoinFirst(zero_use, 5))});
    }
    if (!neg_va.empty()) {
      rep.issues.push_back({Sev::kWarning, "negative_value_added",
                            static_cast<int64_t>(neg_va.size()), neg_worst, neg_total,
                            fmt::format("{} sectors have negative value added (sum {:g}): {}",
                                        neg_va.size(), neg_total, JoinFirst(neg_va, 5))});
    }
  }
  return rep;
}

Result<IoTable> IoTable::FromMatrices(std::vector<std::string> countries,
                                      std::vector<std::string> sectors,
                                      std::vector<std::string> categories, Eigen::MatrixXd z,
                                      Eigen::MatrixXd f, Eigen::VectorXd x, int year,
                                      std::string source, const ValidationOptions& options) {
  IoTable t;
  t.countries = std::move(countries);
  t.sectors = std::move(sectors);
  t.categories = std::move(categories);
  t.z = std::move(z);
  t.f = std::move(f);
  t.x = std::move(x);
  t.year = year;
  t.source = std::move(source);
  if (t.z.cols() == t.x.size()) {
    t.v = t.x - t.z.colwise().sum().transpose();
  }
  t.validation = t.Validate(options);
  if (t.validation.HasErrors()) {
    std::string msg;
    for (const auto& i : t.validation.issues) {
      if (i.severity == ValidationIssue::Severity::kError) {
        if (!msg.empty()) msg += "; ";
        msg += i.message;
      }
    }
    return Status::InvalidArgument(
        fmt::format("{}: invalid input-output table: {}", t.source, msg));
  }
  return t;
}

Result<Mapping> ParseMapping(const std::string& text, const std::string& source) {
  data::CsvOptions opt;
  opt.types = {{"kind", data::ColumnType::kString},
               {"from", data::ColumnType::kString},
               {"to", data::ColumnType::kString}};
  opt.missing_tokens.clear();
  opt.threads = 1;
  RB_ASSIGN_OR_RETURN(data::Table t, data::ParseCsv(text, source, opt));
  for (const char* name : {"kind", "from", "to"}) {
    if (t.FindColumn(name) < 0) {
      return Status::ParseError(
          fmt::format("{}: a mapping file needs the columns kind,from,to; column '{}' is missing",
                      source, name));
    }
  }
  const auto& kind = t.columns()[t.FindColumn("kind")];
  const auto& from = t.columns()[t.FindColumn("from")];
  const auto& to = t.columns()[t.FindColumn("to")];
  Mapping m;
  for (int64_t r = 0; r < t.num_rows(); ++r) {
    const int64_t line = r + 2;
    const std::string k = kind.CellText(r), a = from.CellText(r), b = to.CellText(r);
    if (a.empty() || b.empty()) {
      return Status::ParseError(fmt::format("{}:{}: empty 'from' or 'to' label", source, line));
    }
    std::map<std::string, std::string>* target;
    std::vector<std::string>* order;
    if (k == "country") {
      target = &m.country;
      order = &m.country_order;
    } else if (k == "sector") {
      target = &m.sector;
      order = &m.sector_order;
    } else {
      return Status::ParseError(
          fmt::format("{}:{}:1: kind must be 'country' or 'sector', found '{}'", source, line, k));
    }
    auto [it, inserted] = target->emplace(a, b);
    if (!inserted && it->second != b) {
      return Status::ParseError(fmt::format("{}:{}: {} '{}' is mapped to both '{}' and '{}'",
                                            source, line, k, a, it->second, b));
    }
    if (std::find(order->begin(), order->end(), b) == order->end()) order->push_back(b);
  }
  return m;
}

Result<Mapping> ReadMapping(const std::string& path) {
  RB_ASSIGN_OR_RETURN(std::string text, data::ReadFileToString(path));
  return ParseMapping(text, path);
}

namespace {

// Index of each old label in the new label list; identity when map empty.
Status MapLabels(const std::vector<std::string>& labels,
                 const std::map<std::string, std::string>& map,
                 const std::vector<std::string>& order, const char* what,
                 std::vector<std::string>* new_labels, std::vector<int>* index) {
  index->assign(labels.size(), -1);
  if (map.empty()) {
    *new_labels = labels;
    for (size_t i = 0; i < labels.size(); ++i) (*index)[i] = static_cast<int>(i);
    return Status::Ok();
  }
  std::vector<std::string> unmapped;
  std::set<std::string> used;
  for (const auto& l : labels) {
    auto it = map.find(l);
    if (it == map.end()) {
      unmapped.push_back(l);
    } else {
      used.insert(it->second);
    }
  }
  if (!unmapped.empty()) {
    return Status::InvalidArgument(fmt::format("the mapping leaves {} {} labels unmapped: {}",
                                               unmapped.size(), what, JoinFirst(unmapped, 20)));
  }
  new_labels->clear();
  for (const auto& o : order) {
    if (used.count(o)) new_labels->push_back(o);
  }
  for (size_t i = 0; i < labels.size(); ++i) {
    const std::string& target = map.at(labels[i]);
    (*index)[i] = static_cast<int>(std::find(new_labels->begin(), new_labels->end(), target) -
                                   new_labels->begin());
  }
  return Status::Ok();
}

}  // namespace

Result<IoTable> IoTable::Aggregate(const Mapping& mapping) const {
  std::vector<std::string> new_c, new_s;
  std::vector<int> ci, si;
  RB_RETURN_IF_ERROR(
      MapLabels(countries, mapping.country, mapping.country_order, "country", &new_c, &ci));
  RB_RETURN_IF_ERROR(
      MapLabels(sectors, mapping.sector, mapping.sector_order, "sector", &new_s, &si));
  const int nc = static_cast<int>(new_c.size()), ns = static_cast<int>(new_s.size());
  const int nk = num_categories();
  const int n = size(), m = nc * ns;
  std::vector<int> to(n);
  for (int c = 0; c < num_countries(); ++c) {
    for (int s = 0; s < num_sectors(); ++s) to[Index(c, s)] = ci[c] * ns + si[s];
  }
  Eigen::MatrixXd za = Eigen::MatrixXd::Zero(m, m);
  Eigen::MatrixXd fa = Eigen::MatrixXd::Zero(m, nc * nk);
  Eigen::VectorXd xa = Eigen::VectorXd::Zero(m);
  for (int j = 0; j < n; ++j) {
    const int tj = to[j];
    for (int i = 0; i < n; ++i) za(to[i], tj) += z(i, j);
  }
  for (int col = 0; col < f.cols(); ++col) {
    const int tcol = ci[col / nk] * nk + col % nk;
    for (int i = 0; i < n; ++i) fa(to[i], tcol) += f(i, col);
  }
  for (int i = 0; i < n; ++i) xa[to[i]] += x[i];
  RB_ASSIGN_OR_RETURN(IoTable out,
                      FromMatrices(new_c, new_s, categories, std::move(za), std::move(fa),
                                   std::move(xa), year, source + " (aggregated)"));
  if (mapping.sector.empty()) out.sector_names = sector_names;
  return out;
}

std::string ToLongCsv(const IoTable& t) {
  std::string out = "from_country,from_sector,to_country,to_sector_or_category,value\n";
  const int n = t.size(), ns = t.num_sectors(), nk = t.num_categories();
  out.reserve(static_cast<size_t>(n) * 64);
  for (int i = 0; i < n; ++i) {
    const std::string& fc = t.countries[i / ns];
    const std::string& fs = t.sectors[i % ns];
    for (int j = 0; j < n; ++j) {
      if (t.z(i, j) == 0) continue;
      fmt::format_to(std::back_inserter(out), "{},{},{},{},{}\n", fc, fs, t.countries[j / ns],
                     t.sectors[j % ns], t.z(i, j));
    }
    for (int col = 0; col < t.f.cols(); ++col) {
      if (t.f(i, col) == 0) continue;
      fmt::format_to(std::back_inserter(out), "{},{},{},{},{}\n", fc, fs, t.countries[col / nk],
                     t.categories[col % nk], t.f(i, col));
    }
    fmt::format_to(std::back_inserter(out), "{},{},{},OUTPUT,{}\n", fc, fs, fc, t.x[i]);
  }
  return out;
}

}  // namespace rebalance::io_tables
