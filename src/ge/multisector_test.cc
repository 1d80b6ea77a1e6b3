// Tests of the multi-sector Caliendo-Parro model:
// - golden: CP's own three-step calibration (base_year_equilibrium files) and
//   the published NAFTA welfare table (CP 2015, section 5.1);
// - properties: no shock gives no change, Walras' law, world balances,
//   homogeneity, warm starts, threads, one sector == gravity GE;
// - solver outcomes: non-convergence is a status, front doors turn it into
//   an error.
// References are described in tests/golden/cp2015/SOURCE.md.
#include "rebalance/ge/multisector.h"

#include <cmath>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "rebalance/data/csv.h"
#include "rebalance/ge/baseline.h"
#include "rebalance/ge/gravity.h"
#include "rebalance/ge/shocks.h"
#include "rebalance/io_tables/io_table.h"
#include "rebalance/scenario/baseline_files.h"

namespace rebalance::ge {
namespace {

// The file readers are in scenario/ (ge reads no file).
using scenario::ReadCpMatrices;
using scenario::ReadCpTariffs;
using scenario::ReadCpTidy;

const std::string kCpDir = std::string(REBALANCE_DATA_DIR) + "/caliendo_parro2015";

// Comma-separated numeric matrix without header (base_year_equilibrium).
std::vector<std::vector<double>> ReadMat(const std::string& path) {
  auto text = data::ReadFileToString(path);
  EXPECT_TRUE(text.ok()) << text.status().ToString();
  std::vector<std::vector<double>> m;
  if (!text.ok()) return m;
  size_t pos = 0;
  const std::string& t = text.value();
  while (pos < t.size()) {
    size_t end = t.find('\n', pos);
    if (end == std::string::npos) end = t.size();
    std::string line = t.substr(pos, end - pos);
    pos = end + 1;
    if (line.empty()) continue;
    std::vector<double> row;
    size_t p = 0;
    while (p <= line.size()) {
      size_t e = line.find(',', p);
      if (e == std::string::npos) e = line.size();
      row.push_back(std::stod(line.substr(p, e - p)));
      p = e + 1;
    }
    m.push_back(row);
  }
  return m;
}

// CP's calibration steps, computed once for all tests.
struct CpCalibration {
  Baseline raw, with_deficits, zero_deficits;
  MultisectorSolution step2, step3;
};
const CpCalibration& Cp() {
  static const CpCalibration* cp = [] {
    auto* c = new CpCalibration;
    auto raw = ReadCpMatrices(kCpDir + "/original_matrices");
    EXPECT_TRUE(raw.ok()) << raw.status().ToString();
    if (!raw.ok()) return c;
    c->raw = raw.value();
    auto b2 = SolveBaseYear(c->raw, {}, &c->step2);
    EXPECT_TRUE(b2.ok()) << b2.status().ToString();
    if (!b2.ok()) return c;
    c->with_deficits = b2.value();
    auto b3 = ZeroDeficitBaseline(c->with_deficits, {}, &c->step3);
    EXPECT_TRUE(b3.ok()) << b3.status().ToString();
    if (b3.ok()) c->zero_deficits = b3.value();
    return c;
  }();
  return *cp;
}

// Compares a baseline's expenditure shares pi (Din) and sectoral
// expenditure shares X / sum X with CP's saved workspace, relative 1e-5.
void ExpectMatchesCp(const Baseline& b, const std::string& prefix) {
  const int N = b.num_countries(), J = b.num_sectors();
  auto din = ReadMat(kCpDir + "/base_year_equilibrium/" + prefix + "_Din.csv.gz");
  auto x0 = ReadMat(kCpDir + "/base_year_equilibrium/" + prefix + "_X0.csv.gz");
  ASSERT_EQ(din.size(), static_cast<size_t>(J * N));
  ASSERT_EQ(x0.size(), static_cast<size_t>(J));
  double max_rel = 0.0;
  int compared = 0;
  for (int j = 0; j < J; ++j) {
    for (int n = 0; n < N; ++n) {
      const double x = b.Expenditure(n, j);
      for (int i = 0; i < N; ++i) {
        const size_t f = b.FlowIndex(j, n, i);
        const double pi = x > 0.0 ? b.flow[f] * (1.0 + b.tariff[f]) / x : 0.0;
        const double ref = din[j * N + n][i];
        // CP's own zeros come out as round-off (e.g. 2.9e-16 for Indonesia's
        // domestic share in 'Other', whose exports exceed reported output).
        if (ref < 1e-12) {
          EXPECT_LT(pi, 1e-12) << prefix << " Din row " << j * N + n << " col " << i;
          continue;
        }
        ++compared;
        max_rel = std::max(max_rel, std::fabs(pi / ref - 1.0));
        EXPECT_NEAR(pi / ref, 1.0, 1e-5)
            << prefix << " Din, sector " << b.sectors[j] << ", importer " << b.countries[n]
            << ", exporter " << b.countries[i];
      }
    }
  }
  double total = 0.0, ref_total = 0.0;
  for (int j = 0; j < J; ++j)
    for (int n = 0; n < N; ++n) {
      total += b.Expenditure(n, j);
      ref_total += x0[j][n];
    }
  double max_rel_x = 0.0;
  for (int j = 0; j < J; ++j)
    for (int n = 0; n < N; ++n) {
      const double share = b.Expenditure(n, j) / total, ref = x0[j][n] / ref_total;
      if (ref == 0.0) {
        EXPECT_EQ(share, 0.0);
        continue;
      }
      max_rel_x = std::max(max_rel_x, std::fabs(share / ref - 1.0));
      EXPECT_NEAR(share / ref, 1.0, 1e-5)
          << prefix << " X0, sector " << b.sectors[j] << ", country " << b.countries[n];
    }
  ::testing::Test::RecordProperty(prefix + "_din_max_rel", std::to_string(max_rel));
  ::testing::Test::RecordProperty(prefix + "_x0_max_rel", std::to_string(max_rel_x));
  EXPECT_GT(compared, 18000);
}

TEST(CpCalibrationTest, RawDataFailMarketClearingButPassStructure) {
  const CpCalibration& cp = Cp();
  EXPECT_TRUE(cp.raw.ValidateStructure().ok());
  Status s = cp.raw.Validate();
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("does not clear"), std::string::npos) << s.message();
}

TEST(CpCalibrationTest, Step2MatchesCpWithDeficits) {
  const CpCalibration& cp = Cp();
  ASSERT_TRUE(cp.step2.converged()) << cp.step2.BriefReport();
  ExpectMatchesCp(cp.with_deficits, "withS");
  // Step 2 keeps the data deficits.
  for (int n = 0; n < cp.raw.num_countries(); ++n) {
    EXPECT_EQ(cp.with_deficits.deficit[n], cp.raw.deficit[n]);
  }
}

TEST(CpCalibrationTest, Step3MatchesCpZeroDeficitBaseYear) {
  const CpCalibration& cp = Cp();
  ASSERT_TRUE(cp.step3.converged()) << cp.step3.BriefReport();
  ExpectMatchesCp(cp.zero_deficits, "noS");
  for (double d : cp.zero_deficits.deficit) EXPECT_EQ(d, 0.0);
  // The zero-deficit base year clears every market (CP's IO columns sum to
  // one only to ~1e-6, which bounds the accuracy of this accounting check).
  EXPECT_TRUE(cp.zero_deficits.Validate(1e-5).ok()) << cp.zero_deficits.Validate(1e-5).message();
}

TEST(CpCalibrationTest, TidyDataGiveTheSameBaseYear) {
  auto tidy = ReadCpTidy(kCpDir + "/tidy_paulofelipe_cp2015");
  ASSERT_TRUE(tidy.ok()) << tidy.status().ToString();
  auto zero = ZeroDeficitBaseline(tidy.value());
  ASSERT_TRUE(zero.ok()) << zero.status().ToString();
  // The tidy package's data are CP's raw data, so the same steps lead to
  // CP's saved zero-deficit base year. The tidy deficits are the data
  // deficits and SolveBaseYear is not needed to reach step 3: the zero-
  // deficit equilibrium of raw and of consistent data is the same.
  ExpectMatchesCp(zero.value(), "noS");
}

// CP (2015) section 5.1: welfare effects of NAFTA's tariff reductions from
// the zero-deficit 1993 base year, as published (two decimals) and tested in
// paulofelipe/cp2015 tests/testthat/test-run_cp2015.R.
TEST(CpNaftaTest, ReproducesPublishedWelfareTable) {
  const CpCalibration& cp = Cp();
  const Baseline& b = cp.zero_deficits;
  auto t05 = ReadCpTariffs(kCpDir + "/original_matrices/tariffs2005.txt.gz", b);
  ASSERT_TRUE(t05.ok()) << t05.status().ToString();
  ShockSet s = ShockSet::None(b);
  s.name = "nafta";
  const std::vector<int> nafta = {4, 19, 29};  // Canada, Mexico, USA
  for (int j = 0; j < b.num_sectors(); ++j)
    for (int n : nafta)
      for (int i : nafta)
        if (n != i) s.tariff_new[b.FlowIndex(j, n, i)] = t05.value()[b.FlowIndex(j, n, i)];
  auto sol = SolveMultisectorOrError(b, s);
  ASSERT_TRUE(sol.ok()) << sol.status().ToString();
  const WelfareDecomposition wd = DecomposeWelfare(b, s, sol.value());
  struct Row {
    int n;
    double tot, vot, welfare, real_wage;
  };
  const Row published[] = {
      {4, -0.11, 0.04, -0.06, 0.32}, {19, -0.41, 1.72, 1.31, 1.72}, {29, 0.04, 0.04, 0.08, 0.11}};
  // Published to two decimals: half a unit in the last place.
  const double tol = 0.005 + 1e-9;
  for (const Row& r : published) {
    double tot = 0.0, vot = 0.0;
    for (int j = 0; j < b.num_sectors(); ++j)
      for (int i = 0; i < b.num_countries(); ++i) {
        tot += wd.tot[b.FlowIndex(j, r.n, i)];
        vot += wd.vot[b.FlowIndex(j, r.n, i)];
      }
    const std::string& c = b.countries[r.n];
    EXPECT_NEAR(100 * tot, r.tot, tol) << c;
    EXPECT_NEAR(100 * vot, r.vot, tol) << c;
    EXPECT_NEAR(100 * wd.welfare_cp[r.n], r.welfare, tol) << c;
    EXPECT_NEAR(100 * (sol->real_wage_hat[r.n] - 1), r.real_wage, tol) << c;
    // The decomposition adds up to the exact change by construction.
    EXPECT_NEAR(wd.welfare_cp[r.n] + wd.residual[r.n], sol->welfare_hat[r.n] - 1, 1e-12);
  }
  // The tidy table carries the same numbers.
  const TidyTable t = TidyMultisector(b, s, sol.value());
  int found = 0;
  for (const TidyRow& row : t.rows) {
    if (row.country == "Mexico" && row.partner.empty() && row.sector.empty() &&
        row.variable == "welfare_cp") {
      EXPECT_NEAR(row.counterfactual, 1.31, tol);
      ++found;
    }
    if (row.country == "Mexico" && row.partner.empty() && row.sector.empty() &&
        row.variable == "real_wage") {
      EXPECT_NEAR(row.pct_change, 1.72, tol);
      ++found;
    }
  }
  EXPECT_EQ(found, 2);
}

// ---- Synthetic economies -------------------------------------------------

// A random raw economy with exact share identities, made consistent by
// SolveBaseYear (itself checked by Baseline::Validate's accounting).
Baseline RandomBaseline(int N, int J, unsigned seed, bool tariffs = true) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<double> u(0.0, 1.0);
  Baseline b;
  const std::vector<std::string> names = {"China", "USA",    "Germany", "Mexico",
                                          "Japan", "Brazil", "India",   "Korea"};
  for (int n = 0; n < N; ++n) b.countries.push_back(n < 8 ? names[n] : "C" + std::to_string(n));
  for (int j = 0; j < J; ++j) b.sectors.push_back("S" + std::to_string(j + 1));
  b.flow.assign(static_cast<size_t>(J) * N * N, 0.0);
  b.tariff.assign(b.flow.size(), 0.0);
  b.va_share.assign(static_cast<size_t>(N) * J, 0.0);
  b.io_share.assign(static_cast<size_t>(N) * J * J, 0.0);
  b.alpha.assign(static_cast<size_t>(N) * J, 0.0);
  b.theta.assign(J, 0.0);
  b.tradable.assign(J, true);
  if (J > 2) b.tradable[J - 1] = false;
  for (int j = 0; j < J; ++j) b.theta[j] = 2.0 + 8.0 * u(rng);
  for (int j = 0; j < J; ++j)
    for (int n = 0; n < N; ++n)
      for (int i = 0; i < N; ++i) {
        const size_t f = b.FlowIndex(j, n, i);
        if (n == i) {
          b.flow[f] = 50.0 + 100.0 * u(rng);
        } else if (b.tradable[j]) {
          b.flow[f] = 1.0 + 20.0 * u(rng);
          if (tariffs) b.tariff[f] = 0.2 * u(rng);
        }
      }
  for (int n = 0; n < N; ++n) {
    double asum = 0.0;
    for (int j = 0; j < J; ++j) {
      b.alpha[b.CS(n, j)] = 0.2 + u(rng);
      asum += b.alpha[b.CS(n, j)];
      const double g = 0.3 + 0.4 * u(rng);
      b.va_share[b.CS(n, j)] = g;
      std::vector<double> w(J);
      double wsum = 0.0;
      for (int k = 0; k < J; ++k) wsum += (w[k] = u(rng) + 0.05);
      for (int k = 0; k < J; ++k) b.io_share[b.IoIndex(n, k, j)] = (1.0 - g) * w[k] / wsum;
    }
    for (int j = 0; j < J; ++j) b.alpha[b.CS(n, j)] /= asum;
  }
  b.deficit.assign(N, 0.0);
  for (int n = 0; n < N; ++n) b.deficit[n] = b.Imports(n) - b.Exports(n);
  auto consistent = SolveBaseYear(b);
  EXPECT_TRUE(consistent.ok()) << consistent.status().ToString();
  return consistent.ok() ? consistent.value() : b;
}

ShockSpec CombinedShocks() {
  ShockSpec spec;
  spec.name = "combined";
  spec.tariffs.push_back({"USA", "China", "*", ShockMode::kChange, 0.25});
  spec.tariffs.push_back({"China", "USA", "S1", ShockMode::kLevel, 0.3});
  spec.icebergs.push_back({"Germany", "*", "S2", 0.9});
  spec.productivity.push_back({"China", "S1", 1.2});
  spec.subsidies.push_back({SubsidyKind::kProduction, "China", "S2", ShockMode::kLevel, 0.1});
  spec.subsidies.push_back({SubsidyKind::kExport, "Germany", "S1", ShockMode::kLevel, 0.05});
  spec.deficit_rule = DeficitRule::kTargets;
  spec.deficit_targets.push_back({"China", DeficitUnit::kLevel, 0.0});
  spec.deficit_residual = DeficitResidual::kProportional;
  return spec;
}

TEST(MultisectorTest, SyntheticBaseYearClearsMarkets) {
  const Baseline b = RandomBaseline(5, 4, 1);
  EXPECT_TRUE(b.Validate(1e-9).ok()) << b.Validate(1e-9).message();
}

TEST(MultisectorTest, NoShockGivesNoChange) {
  const Baseline b = RandomBaseline(5, 4, 2);
  auto sol = SolveMultisectorOrError(b, ShockSet::None(b));
  ASSERT_TRUE(sol.ok()) << sol.status().ToString();
  for (double w : sol->w_hat) EXPECT_NEAR(w, 1.0, 1e-10);
  for (double p : sol->P_hat) EXPECT_NEAR(p, 1.0, 1e-10);
  for (double w : sol->welfare_hat) EXPECT_NEAR(w, 1.0, 1e-10);
  for (size_t f = 0; f < b.flow.size(); ++f) {
    EXPECT_NEAR(sol->flow_new[f], b.flow[f], 1e-9 * (1.0 + b.flow[f]));
  }
  const TidyTable t = TidyMultisector(b, ShockSet::None(b), sol.value());
  for (const TidyRow& r : t.rows) {
    if (r.baseline != 0.0) {
      EXPECT_NEAR(r.pct_change, 0.0, 1e-6) << r.variable;
    }
  }
}

TEST(MultisectorTest, WalrasLawAndWorldBalanceUnderCombinedShocks) {
  const Baseline b = RandomBaseline(6, 4, 3);
  auto shocks = ResolveShocks(b, CombinedShocks());
  ASSERT_TRUE(shocks.ok()) << shocks.status().ToString();
  auto sol = SolveMultisectorOrError(b, shocks.value());
  ASSERT_TRUE(sol.ok()) << sol.status().ToString();
  // The solver clears labour markets; the trade balances (eq. 11) follow by
  // Walras' law and are checked independently.
  auto r = EvaluateResiduals(b, shocks.value(), sol->w_hat, sol->P_hat, sol->X_new);
  ASSERT_TRUE(r.ok());
  EXPECT_LT(r->price_index, 1e-11);
  EXPECT_LT(r->goods_market, 1e-12);
  EXPECT_LT(r->trade_balance, 1e-11);
  EXPECT_LT(r->world_balance, 1e-14);
  // The counterfactual economy is itself a consistent baseline (accounting
  // code independent of the solver, subsidies and tariffs included).
  auto cf = ApplySolution(b, shocks.value(), sol.value());
  ASSERT_TRUE(cf.ok());
  EXPECT_TRUE(cf->Validate(1e-9).ok()) << cf->Validate(1e-9).message();
  // China's deficit target is met; world deficits sum to zero.
  EXPECT_NEAR(cf->deficit[0], 0.0, 1e-9);
  // Trade balances in the tidy table sum to zero over countries.
  const TidyTable t = TidyMultisector(b, shocks.value(), sol.value());
  double world = 0.0, scale = 0.0;
  for (const TidyRow& row : t.rows) {
    if (row.variable == "trade_balance" && row.sector.empty() && row.partner.empty()) {
      world += row.counterfactual;
      scale += std::fabs(row.counterfactual);
    }
  }
  EXPECT_LT(std::fabs(world), 1e-12 * scale + 1e-12);
  // Numeraire: world value added unchanged.
  double va0 = 0.0, va1 = 0.0;
  for (int n = 0; n < b.num_countries(); ++n) {
    va0 += b.ValueAdded(n);
    va1 += sol->va_new[n];
  }
  EXPECT_NEAR(va1 / va0, 1.0, 1e-12);
  // Subsidy cost is what the subsidising governments pay.
  const size_t cn = 0, de = 2;
  EXPECT_GT(sol->subsidy_cost_new[cn], 0.0);
  EXPECT_GT(sol->subsidy_cost_new[de], 0.0);
  double cn_cost = 0.0;
  for (int m = 0; m < b.num_countries(); ++m) cn_cost += 0.1 * sol->flow_new[b.FlowIndex(1, m, 0)];
  EXPECT_NEAR(sol->subsidy_cost_new[cn], cn_cost, 1e-9 * cn_cost);
}

TEST(MultisectorTest, HomogeneousOfDegreeZero) {
  const Baseline b = RandomBaseline(4, 3, 4);
  auto shocks = ResolveShocks(b, CombinedShocks());
  ASSERT_TRUE(shocks.ok()) << shocks.status().ToString();
  auto sol = SolveMultisectorOrError(b, shocks.value());
  ASSERT_TRUE(sol.ok());
  // (a) Scaling every nominal baseline value scales levels, not hats.
  Baseline scaled = b;
  const double k = 1000.0;
  for (double& f : scaled.flow) f *= k;
  for (double& d : scaled.deficit) d *= k;
  ShockSet s2 = shocks.value();
  for (double& d : s2.deficit_new) d *= k;
  auto sol2 = SolveMultisectorOrError(scaled, s2);
  ASSERT_TRUE(sol2.ok());
  for (size_t n = 0; n < sol->w_hat.size(); ++n) EXPECT_NEAR(sol2->w_hat[n], sol->w_hat[n], 1e-10);
  for (size_t c = 0; c < sol->P_hat.size(); ++c) EXPECT_NEAR(sol2->P_hat[c], sol->P_hat[c], 1e-10);
  for (size_t c = 0; c < sol->X_new.size(); ++c)
    EXPECT_NEAR(sol2->X_new[c] / (k * sol->X_new[c]), 1.0, 1e-9);
  // (b) Scaling all prices, wages, expenditures and deficits of a solution
  // by the same factor leaves every equilibrium condition satisfied.
  const double m = 1.7;
  std::vector<double> w = sol->w_hat, p = sol->P_hat, x = sol->X_new;
  for (double& v : w) v *= m;
  for (double& v : p) v *= m;
  for (double& v : x) v *= m;
  Baseline b_scaled_va = b;  // the wage bill is w_hat * VA: scale deficits only
  ShockSet s3 = shocks.value();
  for (double& d : s3.deficit_new) d *= m;
  auto r = EvaluateResiduals(b_scaled_va, s3, w, p, x);
  ASSERT_TRUE(r.ok());
  EXPECT_LT(r->price_index, 1e-11);
  EXPECT_LT(r->goods_market, 1e-12);
  EXPECT_LT(r->trade_balance, 1e-11);
}

TEST(MultisectorTest, WarmStartAndThreadsGiveTheSameSolution) {
  // Large enough (J N^2 = 20,000 flows) for the threaded loops to run.
  const Baseline b = RandomBaseline(25, 32, 5);
  auto shocks = ResolveShocks(b, CombinedShocks());
  ASSERT_TRUE(shocks.ok());
  auto cold = SolveMultisectorOrError(b, shocks.value());
  ASSERT_TRUE(cold.ok());
  auto warm = SolveMultisectorOrError(b, shocks.value(), {}, &cold.value());
  ASSERT_TRUE(warm.ok());
  EXPECT_LE(warm->iterations, 2);
  MultisectorOptions two;
  two.threads = 2;
  auto par = SolveMultisectorOrError(b, shocks.value(), two);
  ASSERT_TRUE(par.ok());
  for (size_t c = 0; c < cold->X_new.size(); ++c) {
    EXPECT_NEAR(warm->X_new[c] / cold->X_new[c], 1.0, 1e-10);
    EXPECT_NEAR(par->X_new[c] / cold->X_new[c], 1.0, 1e-10);
  }
}

TEST(MultisectorTest, NonConvergenceIsAStatusAndFrontDoorError) {
  const Baseline b = RandomBaseline(5, 4, 6);
  auto shocks = ResolveShocks(b, CombinedShocks());
  ASSERT_TRUE(shocks.ok());
  MultisectorOptions o;
  o.solver.max_iterations = 2;
  auto sol = SolveMultisector(b, shocks.value(), o);
  ASSERT_TRUE(sol.ok());
  EXPECT_EQ(sol->termination, SolverTermination::kMaxIterations);
  auto err = SolveMultisectorOrError(b, shocks.value(), o);
  ASSERT_FALSE(err.ok());
  EXPECT_EQ(err.status().code(), StatusCode::kNotConverged);
  EXPECT_NE(err.status().message().find("did not converge"), std::string::npos);
}

TEST(MultisectorTest, BadOptionsAndMismatchedShocksAreErrors) {
  const Baseline b = RandomBaseline(3, 2, 7);
  MultisectorOptions o;
  o.solver.tolerance = -1.0;
  EXPECT_FALSE(SolveMultisector(b, ShockSet::None(b), o).ok());
  ShockSet s = ShockSet::None(b);
  s.lambda_hat.pop_back();
  auto r = SolveMultisector(b, s);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("sizes"), std::string::npos);
}

// One sector, no input-output links, no tariffs, balanced trade: the model is
// the one-sector gravity GE with theta = sigma - 1 (Arkolakis, Costinot &
// Rodriguez-Clare 2012). Compared with the gravity helper's full-endowment
// solution (an independent implementation in levels, with a different
// numeraire, so numeraire-free quantities are compared).
TEST(MultisectorTest, OneSectorEqualsGravityGe) {
  const int N = 6;
  const double sigma = 5.0, theta = sigma - 1.0;
  std::mt19937 rng(8);
  std::uniform_real_distribution<double> u(0.0, 1.0);
  Eigen::MatrixXd flows(N, N);  // exporter row, importer column
  for (int i = 0; i < N; ++i)
    for (int j = i; j < N; ++j) {
      flows(i, j) = flows(j, i) = i == j ? 100.0 + 100.0 * u(rng) : 2.0 + 30.0 * u(rng);
    }
  Baseline b;
  for (int n = 0; n < N; ++n) b.countries.push_back("C" + std::to_string(n));
  b.sectors = {"all"};
  b.flow.assign(N * N, 0.0);
  for (int n = 0; n < N; ++n)
    for (int i = 0; i < N; ++i) b.flow[b.FlowIndex(0, n, i)] = flows(i, n);
  b.tariff.assign(N * N, 0.0);
  b.va_share.assign(N, 1.0);
  b.io_share.assign(N, 0.0);
  b.alpha.assign(N, 1.0);
  b.deficit.assign(N, 0.0);
  b.theta = {theta};
  b.tradable = {true};
  ASSERT_TRUE(b.Validate(1e-12).ok()) << b.Validate().message();

  // Trade-cost shock: exporter i -> importer n costs d_hat.
  Eigen::MatrixXd d_hat = Eigen::MatrixXd::Ones(N, N);
  d_hat(0, 1) = 0.8;
  d_hat(1, 0) = 0.8;
  d_hat(2, 3) = 1.3;
  d_hat(4, 0) = 0.7;
  ShockSet s = ShockSet::None(b);
  for (int n = 0; n < N; ++n)
    for (int i = 0; i < N; ++i) s.d_hat[b.FlowIndex(0, n, i)] = d_hat(i, n);
  auto ms = SolveMultisectorOrError(b, s);
  ASSERT_TRUE(ms.ok()) << ms.status().ToString();

  GravityData gd;
  gd.countries = b.countries;
  gd.flows = flows;
  // Baseline costs calibrated so the gravity model fits the data exactly
  // (T_ij = X_ij Y / (Y_i E_j) gives unit resistances), as hat algebra does.
  TradeCosts tc;
  const Eigen::VectorXd y = flows.rowwise().sum(), e = flows.colwise().sum().transpose();
  tc.baseline = Eigen::MatrixXd(N, N);
  for (int i = 0; i < N; ++i)
    for (int j = 0; j < N; ++j) tc.baseline(i, j) = flows(i, j) * y.sum() / (y[i] * e[j]);
  tc.counterfactual = tc.baseline.cwiseProduct(d_hat.array().pow(1.0 - sigma).matrix());
  GravityOptions go;
  go.sigma = sigma;
  go.reference = "C5";
  go.closure = DeficitClosure::kBalanced;
  auto gr = SolveGravityOrError(gd, tc, go);
  ASSERT_TRUE(gr.ok()) << gr.status().ToString();
  const GravityEquilibrium& g0 = gr->baseline;
  const GravityEquilibrium& g1 = gr->full;
  for (int n = 0; n < N; ++n) {
    // Welfare: real income change.
    const double w_grav = (g1.real_gdp[n] / g0.real_gdp[n]);
    EXPECT_NEAR(ms->welfare_hat[n], w_grav, 1e-8) << "country " << n;
    // Relative wages (factory-gate prices) against the last country.
    const double rel_ms = ms->w_hat[n] / ms->w_hat[N - 1];
    const double rel_gr = (g1.price[n] / g0.price[n]) / (g1.price[N - 1] / g0.price[N - 1]);
    EXPECT_NEAR(rel_ms, rel_gr, 1e-8) << "country " << n;
    // Trade shares.
    for (int i = 0; i < N; ++i) {
      const double share_gr = g1.flows(i, n) / g1.flows.col(n).sum();
      EXPECT_NEAR(ms->pi_new[b.FlowIndex(0, n, i)], share_gr, 1e-9);
    }
  }
}

}  // namespace
}  // namespace rebalance::ge

namespace rebalance::ge {
namespace {

// Large shocks (a 500-point tariff, big subsidies, full rebalancing) still
// converge and satisfy every equilibrium condition.
TEST(MultisectorTest, LargeShocksConverge) {
  const Baseline b = RandomBaseline(7, 5, 9);
  ShockSpec spec;
  spec.tariffs.push_back({"USA", "China", "*", ShockMode::kLevel, 5.0, /*allow_extreme=*/true});
  spec.tariffs.push_back({"China", "USA", "*", ShockMode::kLevel, 5.0, /*allow_extreme=*/true});
  spec.subsidies.push_back({SubsidyKind::kProduction, "China", "*", ShockMode::kLevel, 0.5});
  spec.subsidies.push_back({SubsidyKind::kExport, "Brazil", "S1", ShockMode::kLevel, 0.5});
  spec.productivity.push_back({"India", "*", 3.0});
  spec.deficit_rule = DeficitRule::kZero;
  auto shocks = ResolveShocks(b, spec);
  ASSERT_TRUE(shocks.ok()) << shocks.status().ToString();
  auto sol = SolveMultisectorOrError(b, shocks.value());
  ASSERT_TRUE(sol.ok()) << sol.status().ToString();
  auto r = EvaluateResiduals(b, shocks.value(), sol->w_hat, sol->P_hat, sol->X_new);
  ASSERT_TRUE(r.ok());
  EXPECT_LT(r->goods_market, 1e-12);
  EXPECT_LT(r->trade_balance, 1e-10);
  // The US-China trade all but vanishes in tradables.
  EXPECT_LT(sol->flow_new[b.FlowIndex(0, 1, 0)], 0.05 * b.flow[b.FlowIndex(0, 1, 0)]);
}

// A 41 x 35 WIOD 2011 baseline: consistent by construction, and a US tariff
// on China with Chinese rebalancing solves and clears markets.
TEST(MultisectorTest, WiodBaselineCounterfactual) {
  auto io =
      io_tables::ReadWiod(std::string(REBALANCE_DATA_DIR) + "/wiod2013_bquast/wiot2011.csv.gz");
  ASSERT_TRUE(io.ok()) << io.status().ToString();
  IoBaselineOptions o;
  for (int j = 0; j < io->num_sectors(); ++j) o.theta.push_back(j < 16 ? 5.0 : 8.22);
  IoBaselineReport rep;
  auto b = BaselineFromIoTable(io.value(), o, &rep);
  ASSERT_TRUE(b.ok()) << b.status().ToString();
  EXPECT_EQ(b->num_countries(), 41);
  EXPECT_EQ(b->num_sectors(), 35);
  EXPECT_GT(rep.clipped_negative_cells, 0);  // WIOD inventories
  if (rep.clipped_value_added_cells == 0) {
    EXPECT_TRUE(b->Validate(1e-9).ok()) << b->Validate(1e-9).message();
  }
  auto base = SolveBaseYear(b.value());
  ASSERT_TRUE(base.ok()) << base.status().ToString();
  ShockSpec spec;
  spec.tariffs.push_back({"USA", "CHN", "*", ShockMode::kChange, 0.25});
  spec.deficit_rule = DeficitRule::kTargets;
  spec.deficit_targets.push_back({"CHN", DeficitUnit::kLevel, 0.0});
  spec.deficit_residual = DeficitResidual::kProportional;
  auto shocks = ResolveShocks(base.value(), spec);
  ASSERT_TRUE(shocks.ok()) << shocks.status().ToString();
  auto sol = SolveMultisectorOrError(base.value(), shocks.value());
  ASSERT_TRUE(sol.ok()) << sol.status().ToString();
  auto r = EvaluateResiduals(base.value(), shocks.value(), sol->w_hat, sol->P_hat, sol->X_new);
  ASSERT_TRUE(r.ok());
  EXPECT_LT(r->goods_market, 1e-12);
  EXPECT_LT(r->trade_balance, 1e-10);
  EXPECT_LT(r->world_balance, 1e-14);
  const int usa = 39, chn = 6;
  ASSERT_EQ(base->countries[usa], "USA");
  ASSERT_EQ(base->countries[chn], "CHN");
  EXPECT_GT(sol->tariff_revenue_new[usa], base->TariffRevenue(usa));
}

}  // namespace
}  // namespace rebalance::ge
