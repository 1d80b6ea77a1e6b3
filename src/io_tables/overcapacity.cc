// Overcapacity indicators (see overcapacity.h for the definitions).
//
// Trade flows come straight from Z and F: exports of country-sector (c,k) are
// its sales to every other country (intermediate and final), imports of k by
// c are the sales of (t,k), t != c, to c's industries and final demand. The
// reported gross output x is used (not row sums) because these are ratios to
// the published output, not accounting identities. Ratios with a zero or
// negative denominator are missing, never NaN/Inf.
#include <algorithm>
#include <cmath>
#include <numeric>

#include <fmt/format.h>

#include "rebalance/io_tables/overcapacity.h"

namespace rebalance::io_tables {

Status OvercapacityOptions::Validate() const {
  if (!(self_sufficiency_threshold > 0)) {
    return Status::InvalidArgument("self_sufficiency_threshold must be > 0");
  }
  if (!(export_share_threshold >= 0 && export_share_threshold <= 1)) {
    return Status::InvalidArgument("export_share_threshold must be in [0, 1]");
  }
  if (!(net_exports_threshold >= -1 && net_exports_threshold <= 1)) {
    return Status::InvalidArgument("net_exports_threshold must be in [-1, 1]");
  }
  if (!std::isfinite(self_sufficiency_rise_threshold)) {
    return Status::InvalidArgument("self_sufficiency_rise_threshold must be finite");
  }
  if (!(min_world_output_share >= 0 && min_world_output_share < 1)) {
    return Status::InvalidArgument("min_world_output_share must be in [0, 1)");
  }
  return Status::Ok();
}

namespace {

std::optional<double> Ratio(double num, double den) {
  if (!(den > 0) || !std::isfinite(num)) return std::nullopt;
  const double r = num / den;
  return std::isfinite(r) ? std::optional<double>(r) : std::nullopt;
}

std::optional<double> Diff(const std::optional<double>& last, const std::optional<double>& first) {
  if (!last || !first) return std::nullopt;
  return *last - *first;
}

std::vector<OvercapacityRow> YearRows(const IoTable& t) {
  const int nc = t.num_countries(), ns = t.num_sectors(), nk = t.num_categories();
  const int n = t.size();
  std::vector<OvercapacityRow> rows(n);
  // Sales of every row to country c (its industries, then its final demand), added column
  // by column (contiguous in memory; the same order of additions as along each row).
  Eigen::MatrixXd sales(n, nc);
  for (int c = 0; c < nc; ++c) {
    auto acc = sales.col(c);
    acc = t.z.col(c * ns);
    for (int j = 1; j < ns; ++j) acc += t.z.col(c * ns + j);
    for (int q = 0; q < nk; ++q) acc += t.f.col(c * nk + q);
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
  Eigen::VectorXd world_e = Eigen::VectorXd::Zero(ns), world_x = Eigen::VectorXd::Zero(ns);
  for (int i = 0; i < n; ++i) {
    world_e[i % ns] += e[i];
    world_x[i % ns] += t.x[i];
  }
  for (int i = 0; i < n; ++i) {
    OvercapacityRow& r = rows[i];
    r.country = t.countries[i / ns];
    r.sector = t.sectors[i % ns];
    r.year = t.year;
    r.output = t.x[i];
    r.exports = e[i];
    r.imports = m[i];
    r.absorption = t.x[i] - e[i] + m[i];
    r.self_sufficiency = Ratio(r.output, r.absorption);
    r.export_share = Ratio(r.exports, r.output);
    r.world_export_share = Ratio(r.exports, world_e[i % ns]);
    r.world_output_share = Ratio(r.output, world_x[i % ns]);
    r.net_exports_over_output = Ratio(r.exports - r.imports, r.output);
  }
  return rows;
}

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
          "(aggregate them with the same mapping)", tables[0]->year, t->year));
    }
  }
  OvercapacityResult out;
  out.first_year = tables.front()->year;
  out.last_year = tables.back()->year;
  std::vector<OvercapacityRow> first = YearRows(*tables.front());
  for (const IoTable* t : tables) {
    auto rows = YearRows(*t);
    out.panel.insert(out.panel.end(), rows.begin(), rows.end());
  }
  std::vector<OvercapacityRow> last = YearRows(*tables.back());
  const bool multi = tables.size() > 1;
  for (size_t i = 0; i < last.size(); ++i) {
    OvercapacityRow& r = last[i];
    const OvercapacityRow& f = first[i];
    if (multi) {
      r.d_self_sufficiency = Diff(r.self_sufficiency, f.self_sufficiency);
      r.d_export_share = Diff(r.export_share, f.export_share);
      r.d_world_export_share = Diff(r.world_export_share, f.world_export_share);
      r.d_world_output_share = Diff(r.world_output_share, f.world_output_share);
      r.d_net_exports_over_output = Diff(r.net_exports_over_output, f.net_exports_over_output);
    }
    if (options.imbalance_share) {
      auto v = options.imbalance_share(r.country, r.sector, r.year);
      if (v && std::isfinite(*v)) r.imbalance_output_share = v;
    }
    if (r.world_output_share.value_or(0) < options.min_world_output_share) continue;
    if (r.self_sufficiency && *r.self_sufficiency >= options.self_sufficiency_threshold) {
      r.flags.push_back("self_sufficiency");
    }
    if (r.export_share && *r.export_share >= options.export_share_threshold) {
      r.flags.push_back("export_share");
    }
    if (r.net_exports_over_output && *r.net_exports_over_output >= options.net_exports_threshold) {
      r.flags.push_back("net_exports");
    }
    if (r.d_self_sufficiency && *r.d_self_sufficiency >= options.self_sufficiency_rise_threshold) {
      r.flags.push_back("rising");
    }
  }
  auto key = [](const std::optional<double>& v) { return v.value_or(-1e300); };
  std::stable_sort(last.begin(), last.end(), [&](const OvercapacityRow& a, const OvercapacityRow& b) {
    if (a.flags.size() != b.flags.size()) return a.flags.size() > b.flags.size();
    if (key(a.net_exports_over_output) != key(b.net_exports_over_output)) {
      return key(a.net_exports_over_output) > key(b.net_exports_over_output);
    }
    return key(a.world_output_share) > key(b.world_output_share);
  });
  for (size_t i = 0; i < last.size(); ++i) last[i].rank = static_cast<int>(i) + 1;
  out.rows = std::move(last);
  return out;
}

}  // namespace rebalance::io_tables
