// Back-casting of GRAS updating against the true newer table and two naive
// alternatives; see include/rebalance/io_tables/backcast.h.
#include "rebalance/io_tables/backcast.h"

#include <algorithm>
#include <cmath>
#include <map>

#include <fmt/format.h>

#include "rebalance/io_tables/accounting.h"
#include "rebalance/io_tables/overcapacity.h"

namespace rebalance::io_tables {
namespace {

std::string Join(const std::vector<std::string>& v) {
  std::string out;
  for (size_t i = 0; i < v.size(); ++i) out += (i ? ";" : "") + v[i];
  return out;
}

// Sum of |prior| over rows x columns (columns of [Z F]).
double PriorMass(const IoTable& t, const std::vector<int>& rows, const std::vector<int>& cols) {
  const int n = t.size();
  double s = 0;
  for (int j : cols) {
    for (int i : rows) s += std::abs(j < n ? t.z(i, j) : t.f(i, j - n));
  }
  return s;
}

// Row sums within 1e-9 of their cell mass are zero: the updated table meets a
// zero output target to GRAS's tolerance (1e-10; `converged` allows 10 x), so
// such a row ends at a residual of either sign (UpdateResult::zero_output_rows).
// WIOD's cells are whole millions, so the true and the naive tables' row sums
// are exact and never affected.
constexpr double kZeroOutputTolerance = 1e-9;

Result<std::map<std::pair<std::string, std::string>, BilateralBalance>> Balances(
    const IoTable& t, BackcastErrors* e) {
  AccountingOptions opt;
  opt.output_basis = OutputBasis::kRowSums;
  opt.zero_output_policy = ZeroOutputPolicy::kDropInputs;
  opt.zero_output_tolerance = kZeroOutputTolerance;
  RB_ASSIGN_OR_RETURN(LeontiefSystem sys, BuildLeontief(t, opt));
  if (e) {
    e->zeroed_output_sectors = static_cast<int>(sys.zeroed_output_sectors.size());
    e->dropped_input_sectors = static_cast<int>(sys.dropped_input_sectors.size());
  }
  RB_ASSIGN_OR_RETURN(TivaResult tiva, ComputeTiva(sys));
  std::map<std::pair<std::string, std::string>, BilateralBalance> out;
  for (const auto& b : BilateralBalances(sys, tiva)) out[{b.reporter, b.partner}] = b;
  return out;
}

}  // namespace

Result<TargetsFromTableResult> TargetsFromTable(const IoTable& truth, const TargetSpec& spec) {
  TargetsFromTableResult r;
  const IoTable* prior = spec.prior;
  if (prior && (prior->countries != truth.countries || prior->sectors != truth.sectors ||
                prior->categories != truth.categories)) {
    return Status::InvalidArgument("TargetsFromTable: the prior's labels differ from the truth's");
  }
  const int n = truth.size(), num_c = truth.num_countries(), num_s = truth.num_sectors();
  const int num_k = truth.num_categories();
  const Eigen::VectorXd x = truth.RowSums();
  const Eigen::VectorXd zcol = truth.z.colwise().sum().transpose();
  auto add = [&](TableTarget t, const std::vector<int>& rows, const std::vector<int>& cols) {
    if (prior && t.value != 0 && PriorMass(*prior, rows, cols) == 0) {
      ++r.skipped_empty;
      r.skipped_value += t.value;
      r.skipped_names.push_back(t.name);
      return;
    }
    r.targets.push_back(std::move(t));
  };
  std::vector<int> all_cols(n + truth.f.cols()), all_rows(n);
  for (size_t j = 0; j < all_cols.size(); ++j) all_cols[j] = static_cast<int>(j);
  for (int i = 0; i < n; ++i) all_rows[i] = i;
  for (int c = 0; c < num_c; ++c) {
    for (int s = 0; s < num_s; ++s) {
      const int i = truth.Index(c, s);
      if (spec.output) {
        TableTarget t{"output",
                      truth.countries[c],
                      truth.sectors[s],
                      "",
                      "",
                      x[i],
                      "million_usd",
                      0,
                      "",
                      "output " + truth.Label(i),
                      ""};
        add(std::move(t), {i}, all_cols);
      }
    }
  }
  for (int c = 0; c < num_c; ++c) {
    for (int s = 0; s < num_s; ++s) {
      const int i = truth.Index(c, s);
      if (spec.value_added) {
        // A value_added target needs its output target; when the output
        // target was skipped (empty prior row) the column goes too.
        bool have_output = spec.output;
        if (prior && PriorMass(*prior, {i}, all_cols) == 0 && x[i] != 0) have_output = false;
        if (!have_output) continue;
        TableTarget t{"value_added",
                      "",
                      "",
                      truth.countries[c],
                      truth.sectors[s],
                      x[i] - zcol[i],
                      "million_usd",
                      0,
                      "",
                      "value_added " + truth.Label(i),
                      ""};
        add(std::move(t), all_rows, {i});
      }
    }
  }
  if (spec.final_demand) {
    for (int d = 0; d < num_c; ++d) {
      std::vector<int> cols;
      for (int k = 0; k < num_k; ++k) cols.push_back(n + d * num_k + k);
      const double v = truth.f.middleCols(d * num_k, num_k).sum();
      TableTarget t{"final_demand",
                    "*",
                    "*",
                    truth.countries[d],
                    "*categories",
                    v,
                    "million_usd",
                    0,
                    "",
                    "final_demand " + truth.countries[d],
                    ""};
      add(std::move(t), all_rows, cols);
    }
  }
  for (int c = 0; c < num_c && (spec.final_sales || spec.domestic_sales); ++c) {
    bool domestic = spec.domestic_sales;
    if (domestic && !spec.domestic_sales_countries.empty()) {
      domestic = false;
      for (const auto& d : spec.domestic_sales_countries) domestic |= (d == truth.countries[c]);
    }
    std::vector<int> f_cols, own_cols;
    for (int j = 0; j < static_cast<int>(truth.f.cols()); ++j) f_cols.push_back(n + j);
    for (int s = 0; s < num_s; ++s) own_cols.push_back(truth.Index(c, s));
    for (int k = 0; k < num_k; ++k) own_cols.push_back(n + c * num_k + k);
    for (int s = 0; s < num_s; ++s) {
      const int i = truth.Index(c, s);
      if (spec.final_sales) {
        TableTarget t{"block",
                      truth.countries[c],
                      truth.sectors[s],
                      "*",
                      "*categories",
                      truth.f.row(i).sum(),
                      "million_usd",
                      0,
                      "final_sales",
                      "final sales " + truth.Label(i),
                      ""};
        add(std::move(t), {i}, f_cols);
      }
      if (domestic) {
        double v = 0;
        for (int j : own_cols) v += j < n ? truth.z(i, j) : truth.f(i, j - n);
        TableTarget t{"block",
                      truth.countries[c],
                      truth.sectors[s],
                      truth.countries[c],
                      "*",
                      v,
                      "million_usd",
                      0,
                      "domestic_sales",
                      "domestic sales " + truth.Label(i),
                      ""};
        add(std::move(t), {i}, own_cols);
      }
    }
  }
  if (spec.goods_trade) {
    if (spec.goods_sectors.empty())
      return Status::InvalidArgument("TargetSpec::goods_sectors is empty");
    std::vector<int> goods;
    for (const auto& g : spec.goods_sectors) {
      int found = -1;
      for (int s = 0; s < num_s; ++s) {
        if (truth.sectors[s] == g) found = s;
      }
      if (found < 0)
        return Status::NotFound(fmt::format("TargetSpec::goods_sectors: '{}' is not a sector", g));
      goods.push_back(found);
    }
    const std::string goods_list = Join(spec.goods_sectors);
    for (int a = 0; a < num_c; ++a) {
      std::vector<int> rows;
      for (int s : goods) rows.push_back(truth.Index(a, s));
      for (int b = 0; b < num_c; ++b) {
        if (a == b) continue;
        std::vector<int> cols;
        for (int s = 0; s < num_s; ++s) cols.push_back(truth.Index(b, s));
        for (int k = 0; k < num_k; ++k) cols.push_back(n + b * num_k + k);
        double v = 0;
        for (int j : cols) {
          for (int i : rows) v += j < n ? truth.z(i, j) : truth.f(i, j - n);
        }
        TableTarget t{"block",
                      truth.countries[a],
                      goods_list,
                      truth.countries[b],
                      "*",
                      v,
                      "million_usd",
                      spec.trade_relative_se,
                      "goods_trade",
                      fmt::format("goods {}->{}", truth.countries[a], truth.countries[b]),
                      ""};
        add(std::move(t), rows, cols);
      }
    }
  }
  return r;
}

Result<BackcastErrors> CompareTables(const IoTable& est, const IoTable& truth,
                                     const std::string& method) {
  if (est.countries != truth.countries || est.sectors != truth.sectors ||
      est.categories != truth.categories) {
    return Status::InvalidArgument("CompareTables: labels differ");
  }
  BackcastErrors e;
  e.method = method;
  const double zt = truth.z.cwiseAbs().sum(), ft = truth.f.cwiseAbs().sum();
  const double zd = (est.z - truth.z).cwiseAbs().sum(), fd = (est.f - truth.f).cwiseAbs().sum();
  e.z_wape = zd / zt;
  e.f_wape = fd / ft;
  e.cell_wape = (zd + fd) / (zt + ft);
  RB_ASSIGN_OR_RETURN(auto bt, Balances(truth, nullptr));
  RB_ASSIGN_OR_RETURN(auto be, Balances(est, &e));
  double va_num = 0, va_den = 0, g_num = 0, g_den = 0;
  for (const auto& [key, b] : bt) {
    const auto& o = be.at(key);
    va_num += std::abs(o.va_balance - b.va_balance);
    va_den += std::abs(b.va_balance);
    g_num += std::abs(o.gross_balance - b.gross_balance);
    g_den += std::abs(b.gross_balance);
  }
  e.va_balance_wape = va_den > 0 ? va_num / va_den : 0;
  e.gross_balance_wape = g_den > 0 ? g_num / g_den : 0;
  RB_ASSIGN_OR_RETURN(OvercapacityResult ot, ComputeOvercapacity({&truth}));
  RB_ASSIGN_OR_RETURN(OvercapacityResult oe, ComputeOvercapacity({&est}));
  std::map<std::pair<std::string, std::string>, const OvercapacityRow*> by_key;
  for (const auto& r : oe.rows) by_key[{r.country, r.sector}] = &r;
  double ss = 0, es = 0;
  int nss = 0, nes = 0, agree = 0;
  for (const auto& r : ot.rows) {
    if (!r.world_output_share || *r.world_output_share < 0.005) continue;
    ++e.material_rows;
    const OvercapacityRow* o = by_key.at({r.country, r.sector});
    if (r.self_sufficiency && o->self_sufficiency) {
      ss += std::abs(*o->self_sufficiency - *r.self_sufficiency);
      ++nss;
    }
    if (r.export_share && o->export_share) {
      es += std::abs(*o->export_share - *r.export_share);
      ++nes;
    }
    if (o->flags == r.flags) ++agree;
  }
  e.self_sufficiency_mae = nss ? ss / nss : 0;
  e.export_share_mae = nes ? es / nes : 0;
  e.flag_agreement = e.material_rows ? static_cast<double>(agree) / e.material_rows : 0;
  return e;
}

Result<BackcastResult> Backcast(const IoTable& old_table, const IoTable& truth, TargetSpec spec,
                                const UpdateOptions& options) {
  BackcastResult r;
  r.from_year = old_table.year;
  r.to_year = truth.year;
  spec.prior = &old_table;
  RB_ASSIGN_OR_RETURN(r.targets, TargetsFromTable(truth, spec));
  RB_ASSIGN_OR_RETURN(UpdateResult u, UpdateTable(old_table, r.targets.targets, options));
  r.termination = u.gras.termination;
  r.gras_message = u.gras.message;
  r.iterations = u.gras.iterations;
  r.gras_seconds = u.gras.seconds;
  r.max_relative_error = u.gras.max_relative_error;
  r.worst = u.gras.constraints;
  std::sort(r.worst.begin(), r.worst.end(), [](const auto& a, const auto& b) {
    return std::abs(a.relative_error) > std::abs(b.relative_error);
  });
  if (r.worst.size() > 5) r.worst.resize(5);
  r.zero_output_rows = u.zero_output_rows;
  r.negative_output_rows = u.negative_output_rows;
  r.zeroed = u.gras.zeroed;
  r.conflicts = u.gras.conflicts;
  r.updated = std::move(u.table);
  r.updated.year = truth.year;
  r.scale = truth.RowSums().sum() / old_table.RowSums().sum();
  RB_ASSIGN_OR_RETURN(
      IoTable scaled,
      IoTable::FromMatrices(old_table.countries, old_table.sectors, old_table.categories,
                            old_table.z * r.scale, old_table.f * r.scale, old_table.x * r.scale,
                            truth.year, old_table.source));
  RB_ASSIGN_OR_RETURN(BackcastErrors eg, CompareTables(r.updated, truth, "gras"));
  RB_ASSIGN_OR_RETURN(BackcastErrors es, CompareTables(scaled, truth, "scaled"));
  RB_ASSIGN_OR_RETURN(BackcastErrors eu, CompareTables(old_table, truth, "unchanged"));
  r.methods = {eg, es, eu};
  return r;
}

}  // namespace rebalance::io_tables
