// Outputs of the multi-sector model: the Caliendo & Parro (2015, section 4)
// welfare decomposition into terms-of-trade and volume-of-trade effects by
// partner and sector, and the tidy result table (tidy.h layout). Variable
// names are documented in docs/multisector.md.
#include <cmath>
#include <string>
#include <vector>

#include "rebalance/ge/multisector.h"

namespace rebalance::ge {

WelfareDecomposition DecomposeWelfare(const Baseline& b, const ShockSet& s,
                                      const MultisectorSolution& sol) {
  const int N = b.num_countries(), J = b.num_sectors();
  WelfareDecomposition d;
  d.tot.assign(b.flow.size(), 0.0);
  d.vot.assign(b.flow.size(), 0.0);
  d.tech.assign(b.flow.size(), 0.0);
  d.welfare_cp.assign(N, 0.0);
  d.residual.assign(N, 0.0);
  if (sol.flow_new.size() != b.flow.size()) return d;
  for (int n = 0; n < N; ++n) {
    const double inc = b.Income(n);
    double total = 0.0;
    for (int j = 0; j < J; ++j) {
      const double dc_n = sol.c_hat[b.CS(n, j)] - 1.0;
      for (int i = 0; i < N; ++i) {
        if (i == n) continue;                    // own terms cancel (E_nn = M_nn, tau_nn = 0)
        const size_t fm = b.FlowIndex(j, n, i);  // n imports from i
        const size_t fe = b.FlowIndex(j, i, n);  // n exports to i
        const double c_i = sol.c_hat[b.CS(i, j)];
        const double m0 = b.flow[fm];
        const double tot = (b.flow[fe] * dc_n - m0 * (c_i - 1.0)) / inc;
        double vot = 0.0, tech = 0.0;
        if (m0 > 0.0) {
          vot = b.tariff[fm] * (sol.flow_new[fm] - m0 * c_i) / inc;
          tech = -m0 * (1.0 + b.tariff[fm]) * (s.d_hat[fm] - 1.0) / inc;
        }
        d.tot[fm] = tot;
        d.vot[fm] = vot;
        d.tech[fm] = tech;
        total += tot + vot + tech;
      }
    }
    d.welfare_cp[n] = total;
    d.residual[n] = (sol.welfare_hat[n] - 1.0) - total;
  }
  return d;
}

TidyTable TidyMultisector(const Baseline& b, const ShockSet& s, const MultisectorSolution& sol,
                          const MultisectorReportOptions& options) {
  TidyTable t;
  const int N = b.num_countries(), J = b.num_sectors();
  if (sol.flow_new.size() != b.flow.size()) return t;
  const std::string& sc = s.name;
  const WelfareDecomposition wd = DecomposeWelfare(b, s, sol);
  const std::string none;

  // Exports / imports by country and sector, baseline and counterfactual.
  const size_t ncs = static_cast<size_t>(N) * J;
  std::vector<double> ex0(ncs, 0.0), ex1(ncs, 0.0), im0(ncs, 0.0), im1(ncs, 0.0);
  for (int j = 0; j < J; ++j)
    for (int n = 0; n < N; ++n)
      for (int i = 0; i < N; ++i) {
        if (i == n) continue;
        const size_t f = b.FlowIndex(j, n, i);
        im0[b.CS(n, j)] += b.flow[f];
        im1[b.CS(n, j)] += sol.flow_new[f];
        ex0[b.CS(i, j)] += b.flow[f];
        ex1[b.CS(i, j)] += sol.flow_new[f];
      }

  for (int n = 0; n < N; ++n) {
    const std::string& c = b.countries[n];
    const double inc0 = b.Income(n);
    double log_cpi = 0.0;
    for (int j = 0; j < J; ++j) log_cpi += b.alpha[b.CS(n, j)] * std::log(sol.P_hat[b.CS(n, j)]);
    t.Add(sc, c, none, none, "welfare", inc0, inc0 * sol.welfare_hat[n]);
    double tot = 0.0, vot = 0.0, tech = 0.0;
    for (int j = 0; j < J; ++j)
      for (int i = 0; i < N; ++i) {
        tot += wd.tot[b.FlowIndex(j, n, i)];
        vot += wd.vot[b.FlowIndex(j, n, i)];
        tech += wd.tech[b.FlowIndex(j, n, i)];
      }
    // Decomposition terms: baseline 0, counterfactual = contribution in
    // percent of baseline income (pct_change is undefined by design).
    t.Add(sc, c, none, none, "welfare_cp", 0.0, 100.0 * wd.welfare_cp[n]);
    t.Add(sc, c, none, none, "welfare_tot", 0.0, 100.0 * tot);
    t.Add(sc, c, none, none, "welfare_vot", 0.0, 100.0 * vot);
    t.Add(sc, c, none, none, "welfare_tech", 0.0, 100.0 * tech);
    t.Add(sc, c, none, none, "welfare_residual", 0.0, 100.0 * wd.residual[n]);
    t.Add(sc, c, none, none, "real_wage", 1.0, sol.real_wage_hat[n]);
    t.Add(sc, c, none, none, "wage", 1.0, sol.w_hat[n]);
    t.Add(sc, c, none, none, "consumer_price_index", 1.0, std::exp(log_cpi));
    t.Add(sc, c, none, none, "income", inc0, sol.income_new[n]);
    t.Add(sc, c, none, none, "value_added", b.ValueAdded(n), sol.va_new[n]);
    t.Add(sc, c, none, none, "tariff_revenue", b.TariffRevenue(n), sol.tariff_revenue_new[n]);
    t.Add(sc, c, none, none, "subsidy_cost", b.SubsidyCost(n), sol.subsidy_cost_new[n]);
    t.Add(sc, c, none, none, "deficit", b.deficit[n], sol.deficit_new[n]);
    double e0 = 0, e1 = 0, m0 = 0, m1 = 0;
    for (int j = 0; j < J; ++j) {
      e0 += ex0[b.CS(n, j)];
      e1 += ex1[b.CS(n, j)];
      m0 += im0[b.CS(n, j)];
      m1 += im1[b.CS(n, j)];
    }
    t.Add(sc, c, none, none, "exports", e0, e1);
    t.Add(sc, c, none, none, "imports", m0, m1);
    t.Add(sc, c, none, none, "trade_balance", e0 - m0, e1 - m1);

    for (int j = 0; j < J; ++j) {
      const std::string& sec = b.sectors[j];
      const size_t cs = b.CS(n, j);
      const double y0 = b.GrossOutput(n, j);
      t.Add(sc, c, none, sec, "price_index", 1.0, sol.P_hat[cs]);
      t.Add(sc, c, none, sec, "input_cost", 1.0, sol.c_hat[cs]);
      t.Add(sc, c, none, sec, "gross_output", y0, sol.Y_new[cs]);
      t.Add(sc, c, none, sec, "value_added", b.va_share[cs] * y0, b.va_share[cs] * sol.Y_new[cs]);
      t.Add(sc, c, none, sec, "expenditure", b.Expenditure(n, j), sol.X_new[cs]);
      t.Add(sc, c, none, sec, "exports", ex0[cs], ex1[cs]);
      t.Add(sc, c, none, sec, "imports", im0[cs], im1[cs]);
      t.Add(sc, c, none, sec, "trade_balance", ex0[cs] - im0[cs], ex1[cs] - im1[cs]);
      double stot = 0.0, svot = 0.0;
      for (int i = 0; i < N; ++i) {
        stot += wd.tot[b.FlowIndex(j, n, i)];
        svot += wd.vot[b.FlowIndex(j, n, i)];
      }
      t.Add(sc, c, none, sec, "welfare_tot", 0.0, 100.0 * stot);
      t.Add(sc, c, none, sec, "welfare_vot", 0.0, 100.0 * svot);
    }
  }
  if (!options.bilateral) {
    AssignUnits(&t, b.currency_unit);
    return t;
  }
  for (int n = 0; n < N; ++n) {
    for (int i = 0; i < N; ++i) {
      if (i == n) continue;
      for (int j = 0; j < J; ++j) {
        if (!b.tradable[j]) continue;
        const size_t fe = b.FlowIndex(j, i, n);  // n exports to i
        const size_t fm = b.FlowIndex(j, n, i);  // n imports from i
        const bool zero_e = b.flow[fe] == 0.0 && sol.flow_new[fe] == 0.0;
        const bool zero_m = b.flow[fm] == 0.0 && sol.flow_new[fm] == 0.0;
        const std::string& c = b.countries[n];
        const std::string& p = b.countries[i];
        const std::string& sec = b.sectors[j];
        if (!(options.skip_zero && zero_e)) {
          t.Add(sc, c, p, sec, "exports", b.flow[fe], sol.flow_new[fe]);
        }
        if (!(options.skip_zero && zero_m)) {
          t.Add(sc, c, p, sec, "tariff", b.tariff[fm], s.tariff_new[fm]);
          t.Add(sc, c, p, sec, "welfare_tot", 0.0, 100.0 * wd.tot[fm]);
          t.Add(sc, c, p, sec, "welfare_vot", 0.0, 100.0 * wd.vot[fm]);
        }
      }
    }
  }
  AssignUnits(&t, b.currency_unit);
  return t;
}

}  // namespace rebalance::ge
