// Overcapacity indicators (see overcapacity.h for the definitions and
// docs/io_tables.md for the sources).
//
// Each year's table is first made non-negative, as ge::BaselineFromIoTable
// does for the GE baseline: negative cells of Z and F (WIOD's inventory
// drawdowns; exports out of stock are what pushed DEU textiles' export share
// above 100%) are set to zero and output is recomputed as row sums. Sales are
// then non-negative, so e <= x, absorption >= 0 and every share lies in
// [0, 1]; the amount set to zero is reported per row (`clipped_negative`).
// Gross trade is read straight off Z and F: exports of (c,k) are its sales to
// every other country, imports of k by c the sales of (t,k), t != c, to c.
//
// Value added: the Leontief system of the non-negative table gives
//   - B Y (GN x G, one solve per destination): output of (c,k) absorbed by
//     each country's final demand; the foreign part is
//     foreign_final_demand_share;
//   - V_c B (one transposed solve per country): value added of c embodied
//     per unit of output of every country-sector. dva_share = V_c B e_i over
//     sum_t V_t B e_i, with V clipped at 0 (a sector whose inputs exceed its
//     output contributes no value added), so it lies in [0, 1]; with V >= 0
//     the denominator is 1 and sum_k dva_share * e = KWW terms 1-6.
// Ratios with a zero or negative denominator are missing, never NaN/Inf.
#include <algorithm>
#include <cmath>
#include <numeric>
#include <regex>

#include <fmt/format.h>

#include "rebalance/io_tables/accounting.h"
#include "rebalance/io_tables/overcapacity.h"

namespace rebalance::io_tables {

const char* ToString(SectorGroup g) {
  switch (g) {
    case SectorGroup::kManufacturing:
      return "manufacturing";
    case SectorGroup::kResources:
      return "resources";
    case SectorGroup::kServices:
      return "services";
    case SectorGroup::kUnclassified:
      return "unclassified";
  }
  return "unclassified";
}

Result<SectorGroup> SectorGroupFromString(const std::string& s) {
  for (SectorGroup g : {SectorGroup::kManufacturing, SectorGroup::kResources,
                        SectorGroup::kServices, SectorGroup::kUnclassified}) {
    if (s == ToString(g)) return g;
  }
  return Status::InvalidArgument(fmt::format(
      "unknown sector group '{}' (expected manufacturing, resources, services or unclassified)",
      s));
}

const char* ToString(OvercapacityRanking r) {
  return r == OvercapacityRanking::kExcessOutputDva ? "excess_output_dva" : "excess_output";
}

Result<OvercapacityRanking> OvercapacityRankingFromString(const std::string& s) {
  if (s == "excess_output") return OvercapacityRanking::kExcessOutput;
  if (s == "excess_output_dva") return OvercapacityRanking::kExcessOutputDva;
  return Status::InvalidArgument(
      fmt::format("unknown ranking '{}' (expected excess_output or excess_output_dva)", s));
}

SectorGroup ClassifySector(const std::string& label) {
  std::smatch m;
  // WIOD 2013 release: c1..c35.
  static const std::regex wiod(R"(^c(\d{1,2})$)");
  if (std::regex_match(label, m, wiod)) {
    const int k = std::stoi(m[1]);
    if (k >= 1 && k <= 2) return SectorGroup::kResources;
    if (k >= 3 && k <= 16) return SectorGroup::kManufacturing;
    if (k >= 17 && k <= 35) return SectorGroup::kServices;
    return SectorGroup::kUnclassified;
  }
  // ISIC rev.4 divisions as OECD ICIO labels them: D10T12, C26, A01_02, G45T47.
  static const std::regex isic(R"(^[A-Z](\d{2})(?:[T_]\d{2})?$)");
  if (std::regex_match(label, m, isic)) {
    const int d = std::stoi(m[1]);
    if (d >= 1 && d <= 9) return SectorGroup::kResources;
    if (d >= 10 && d <= 33) return SectorGroup::kManufacturing;
    if (d >= 35) return SectorGroup::kServices;
    return SectorGroup::kUnclassified;
  }
  // world2011 aggregates (data/world2011/mapping.csv).
  static const std::map<std::string, SectorGroup> kNames = {
      {"Agriculture", SectorGroup::kResources},
      {"Mining", SectorGroup::kResources},
      {"Food and beverages", SectorGroup::kManufacturing},
      {"Textiles and leather", SectorGroup::kManufacturing},
      {"Wood and paper", SectorGroup::kManufacturing},
      {"Petroleum and chemicals", SectorGroup::kManufacturing},
      {"Basic and fabricated metals", SectorGroup::kManufacturing},
      {"Machinery", SectorGroup::kManufacturing},
      {"Electrical and optical equipment", SectorGroup::kManufacturing},
      {"Transport equipment", SectorGroup::kManufacturing},
      {"Other manufacturing", SectorGroup::kManufacturing},
      {"Utilities and construction", SectorGroup::kServices},
      {"Trade and transport services", SectorGroup::kServices},
      {"Business and public services", SectorGroup::kServices},
  };
  const auto it = kNames.find(label);
  return it == kNames.end() ? SectorGroup::kUnclassified : it->second;
}

Status OvercapacityOptions::Validate() const {
  if (!(self_sufficiency_threshold > 0) || !std::isfinite(self_sufficiency_threshold)) {
    return Status::InvalidArgument(
        "OvercapacityOptions::self_sufficiency_threshold must be finite and > 0");
  }
  if (!(export_share_threshold >= 0 && export_share_threshold <= 1)) {
    return Status::InvalidArgument("OvercapacityOptions::export_share_threshold must be in [0, 1]");
  }
  if (!(net_exports_threshold >= -1 && net_exports_threshold <= 1)) {
    return Status::InvalidArgument("OvercapacityOptions::net_exports_threshold must be in [-1, 1]");
  }
  if (!std::isfinite(self_sufficiency_rise_threshold)) {
    return Status::InvalidArgument(
        "OvercapacityOptions::self_sufficiency_rise_threshold must be finite");
  }
  if (!(min_world_output_share >= 0 && min_world_output_share < 1)) {
    return Status::InvalidArgument("OvercapacityOptions::min_world_output_share must be in [0, 1)");
  }
  return Status::Ok();
}

namespace {

std::optional<double> Ratio(double num, double den) {
  if (!(den > 0) || !std::isfinite(num)) return std::nullopt;
  const double r = num / den;
  return std::isfinite(r) ? std::optional<double>(r) : std::nullopt;
}

// A share num / den with 0 <= num <= den up to rounding: clamped into [0, 1]
// (the clamp only removes rounding of the order of 1e-15).
std::optional<double> Share(double num, double den) {
  auto r = Ratio(num, den);
  if (r) r = std::clamp(*r, 0.0, 1.0);
  return r;
}

std::optional<double> Diff(const std::optional<double>& last, const std::optional<double>& first) {
  if (!last || !first) return std::nullopt;
  return *last - *first;
}

Result<std::vector<OvercapacityRow>> YearRows(const IoTable& t,
                                              const OvercapacityOptions& options) {
  const int nc = t.num_countries(), ns = t.num_sectors(), nk = t.num_categories();
  const int n = t.size();
  // The non-negative table (see the banner).
  Eigen::VectorXd clipped = Eigen::VectorXd::Zero(n);
  Eigen::MatrixXd z = t.z, f = t.f;
  for (Eigen::Index j = 0; j < z.cols(); ++j) {
    for (Eigen::Index i = 0; i < n; ++i) {
      if (z(i, j) < 0) {
        clipped[i] -= z(i, j);
        z(i, j) = 0;
      }
    }
  }
  for (Eigen::Index j = 0; j < f.cols(); ++j) {
    for (Eigen::Index i = 0; i < n; ++i) {
      if (f(i, j) < 0) {
        clipped[i] -= f(i, j);
        f(i, j) = 0;
      }
    }
  }
  Eigen::VectorXd x = z.rowwise().sum() + f.rowwise().sum();
  ValidationOptions vo;
  vo.inventory_categories = t.categories;  // nothing negative is left to report
  RB_ASSIGN_OR_RETURN(IoTable pos,
                      IoTable::FromMatrices(t.countries, t.sectors, t.categories, std::move(z),
                                            std::move(f), x, t.year, t.source, vo));
  AccountingOptions ao;
  ao.output_basis = OutputBasis::kRowSums;
  ao.zero_output_policy = ZeroOutputPolicy::kDropInputs;
  auto sys_or = BuildLeontief(pos, ao);
  if (!sys_or.ok()) return sys_or.status().WithContext(fmt::format("overcapacity, {}", t.year));
  const LeontiefSystem& sys = *sys_or;

  // Sales of every row to country c (its industries, then its final demand).
  Eigen::MatrixXd sales(n, nc);
  for (int c = 0; c < nc; ++c) {
    auto acc = sales.col(c);
    acc = pos.z.col(c * ns);
    for (int j = 1; j < ns; ++j) acc += pos.z.col(c * ns + j);
    for (int q = 0; q < nk; ++q) acc += pos.f.col(c * nk + q);
  }
  Eigen::VectorXd e = Eigen::VectorXd::Zero(n), m = Eigen::VectorXd::Zero(n);
  for (int i = 0; i < n; ++i) {
    const int ci = i / ns, k = i % ns;
    for (int c = 0; c < nc; ++c) {
      if (c == ci) continue;
      e[i] += sales(i, c);
      m[c * ns + k] += sales(i, c);
    }
  }
  // Output absorbed by each country's final demand, directly or downstream.
  const Eigen::MatrixXd by = sys.Solve(sys.y);
  // Value added of each country per unit of output of every row.
  Eigen::MatrixXd vc = Eigen::MatrixXd::Zero(n, nc);
  for (int i = 0; i < n; ++i) vc(i, i / ns) = std::max(sys.va_coef[i], 0.0);
  const Eigen::MatrixXd content = sys.SolveTransposed(vc);  // (i, c) = sum_{j in c} V_j B_ji

  Eigen::VectorXd world_e = Eigen::VectorXd::Zero(ns), world_x = Eigen::VectorXd::Zero(ns),
                  world_a = Eigen::VectorXd::Zero(ns), country_e = Eigen::VectorXd::Zero(nc);
  for (int i = 0; i < n; ++i) {
    world_e[i % ns] += e[i];
    world_x[i % ns] += x[i];
    world_a[i % ns] += x[i] - e[i] + m[i];
    country_e[i / ns] += e[i];
  }
  const double world_e_total = world_e.sum();
  std::vector<OvercapacityRow> rows(static_cast<size_t>(n));
  for (int i = 0; i < n; ++i) {
    const int ci = i / ns, k = i % ns;
    OvercapacityRow& r = rows[static_cast<size_t>(i)];
    r.country = t.countries[ci];
    r.sector = t.sectors[k];
    if (static_cast<int>(t.sector_names.size()) == ns) r.sector_name = t.sector_names[k];
    const auto g = options.sector_groups.find(r.sector);
    r.group = g != options.sector_groups.end() ? g->second : ClassifySector(r.sector);
    r.year = t.year;
    r.output = x[i];
    r.exports = e[i];
    r.imports = m[i];
    r.absorption = std::max(x[i] - e[i] + m[i], 0.0);  // a sum of non-negative uses
    r.excess_output = e[i] - m[i];
    r.clipped_negative = clipped[i];
    const double total_content = content.row(i).sum();
    r.dva_share = Share(content(i, ci), total_content);
    r.exports_dva = r.dva_share.value_or(0.0) * r.exports;
    r.excess_output_dva = r.dva_share.value_or(0.0) * r.excess_output;
    r.export_share = Share(r.exports, r.output);
    r.import_share = Share(r.imports, r.absorption);
    const double absorbed = by.row(i).sum();
    r.foreign_final_demand_share = Share(absorbed - by(i, ci), absorbed);
    r.world_output_share = Share(r.output, world_x[k]);
    r.world_absorption_share = Share(r.absorption, world_a[k]);
    r.world_export_share = Share(r.exports, world_e[k]);
    r.self_sufficiency = Ratio(r.output, r.absorption);
    if (country_e[ci] > 0 && world_e_total > 0)
      r.rca = Ratio(r.exports / country_e[ci], world_e[k] / world_e_total);
    r.net_exports_over_output = Ratio(r.excess_output, r.output);
  }
  return rows;
}

double RankKey(const OvercapacityRow& r, OvercapacityRanking by) {
  return by == OvercapacityRanking::kExcessOutputDva ? r.excess_output_dva : r.excess_output;
}

// Orders rows by group (unless options say otherwise) and excess, descending,
// and numbers them 1.. within each group.
void Rank(std::vector<OvercapacityRow>& rows, const OvercapacityOptions& options) {
  std::stable_sort(
      rows.begin(), rows.end(), [&](const OvercapacityRow& a, const OvercapacityRow& b) {
        if (options.rank_by_group && a.group != b.group) return a.group < b.group;
        const double ka = RankKey(a, options.rank_by), kb = RankKey(b, options.rank_by);
        if (ka != kb) return ka > kb;
        if (a.country != b.country) return a.country < b.country;
        return a.sector < b.sector;
      });
  int rank = 0;
  for (size_t i = 0; i < rows.size(); ++i) {
    rank = (i > 0 && options.rank_by_group && rows[i].group != rows[i - 1].group) ? 1 : rank + 1;
    rows[i].rank = rank;
  }
}

std::string CsvText(const std::string& s) {
  if (s.find_first_of(",\"\n\r") == std::string::npos) return s;
  std::string out = "\"";
  for (char ch : s) {
    if (ch == '"') out += '"';
    out += ch;
  }
  return out + "\"";
}

std::string Num(double v) { return std::isfinite(v) ? fmt::format("{}", v) : std::string(); }
std::string Num(const std::optional<double>& v) { return v ? Num(*v) : std::string(); }

}  // namespace

Result<OvercapacityResult> ComputeOvercapacity(const std::vector<const IoTable*>& tables_in,
                                               const OvercapacityOptions& options) {
  RB_RETURN_IF_ERROR(options.Validate());
  if (tables_in.empty()) return Status::InvalidArgument("overcapacity needs at least one table");
  std::vector<const IoTable*> tables = tables_in;
  std::stable_sort(tables.begin(), tables.end(),
                   [](const IoTable* a, const IoTable* b) { return a->year < b->year; });
  for (const IoTable* t : tables) {
    if (t->countries != tables[0]->countries || t->sectors != tables[0]->sectors) {
      return Status::InvalidArgument(fmt::format(
          "overcapacity: the tables of {} and {} have different country or sector labels "
          "(aggregate them with the same mapping)",
          tables[0]->year, t->year));
    }
  }
  OvercapacityResult out;
  out.first_year = tables.front()->year;
  out.last_year = tables.back()->year;
  out.rank_by = options.rank_by;
  std::vector<OvercapacityRow> first, last;
  for (size_t y = 0; y < tables.size(); ++y) {
    RB_ASSIGN_OR_RETURN(std::vector<OvercapacityRow> rows, YearRows(*tables[y], options));
    if (y == 0) first = rows;
    if (y + 1 == tables.size()) last = rows;
    Rank(rows, options);
    out.panel.insert(out.panel.end(), rows.begin(), rows.end());
  }
  const bool multi = tables.size() > 1;
  for (size_t i = 0; i < last.size(); ++i) {
    OvercapacityRow& r = last[i];
    const OvercapacityRow& f = first[i];
    if (multi) {
      r.d_excess_output = r.excess_output - f.excess_output;
      r.d_self_sufficiency = Diff(r.self_sufficiency, f.self_sufficiency);
      r.d_export_share = Diff(r.export_share, f.export_share);
      r.d_world_output_share = Diff(r.world_output_share, f.world_output_share);
      r.d_world_export_share = Diff(r.world_export_share, f.world_export_share);
    }
    if (options.imbalance_share) {
      auto v = options.imbalance_share(r.country, r.sector, r.year);
      if (v && std::isfinite(*v)) r.imbalance_share = v;
    }
    if (r.world_output_share.value_or(0) < options.min_world_output_share) continue;
    if (r.self_sufficiency && *r.self_sufficiency >= options.self_sufficiency_threshold) {
      r.flags.push_back("self_sufficiency");
    }
    if (r.export_share && *r.export_share >= options.export_share_threshold &&
        r.excess_output > 0) {
      r.flags.push_back("export_share");
    }
    if (r.net_exports_over_output && *r.net_exports_over_output >= options.net_exports_threshold) {
      r.flags.push_back("net_exports");
    }
    if (r.d_self_sufficiency && *r.d_self_sufficiency >= options.self_sufficiency_rise_threshold) {
      r.flags.push_back("rising");
    }
  }
  Rank(last, options);
  out.rows = std::move(last);
  return out;
}

std::string OvercapacityCsv(const OvercapacityResult& result, bool panel) {
  std::string csv =
      "year,first_year,group,rank,country,sector,sector_name,output_musd,exports_musd,imports_musd,"
      "absorption_musd,excess_output_musd,exports_dva_musd,excess_output_dva_musd,clipped_negative_"
      "musd,"
      "export_share,import_share,dva_share,foreign_final_demand_share,world_output_share,"
      "world_absorption_share,world_export_share,self_sufficiency_ratio,rca_ratio,"
      "net_exports_over_output_ratio,d_excess_output_musd,d_self_sufficiency_ratio,d_export_share,"
      "d_world_output_share,d_world_export_share,imbalance_share,flags\n";
  for (const OvercapacityRow& r : panel ? result.panel : result.rows) {
    std::string flags;
    for (const auto& f : r.flags) flags += (flags.empty() ? "" : ";") + f;
    csv += fmt::format(
        "{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},"
        "{},{}\n",
        r.year, panel ? r.year : result.first_year, ToString(r.group), r.rank, CsvText(r.country),
        CsvText(r.sector), CsvText(r.sector_name), Num(r.output), Num(r.exports), Num(r.imports),
        Num(r.absorption), Num(r.excess_output), Num(r.exports_dva), Num(r.excess_output_dva),
        Num(r.clipped_negative), Num(r.export_share), Num(r.import_share), Num(r.dva_share),
        Num(r.foreign_final_demand_share), Num(r.world_output_share), Num(r.world_absorption_share),
        Num(r.world_export_share), Num(r.self_sufficiency), Num(r.rca),
        Num(r.net_exports_over_output), Num(r.d_excess_output), Num(r.d_self_sufficiency),
        Num(r.d_export_share), Num(r.d_world_output_share), Num(r.d_world_export_share),
        Num(r.imbalance_share), CsvText(flags));
  }
  return csv;
}

}  // namespace rebalance::io_tables
