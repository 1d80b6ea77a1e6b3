// Tests of the IMLS (2025) tariff-war model (ge/tariff_war.h): golden
// numbers of the paper's Table 1 (tests/golden/imls2025/SOURCE.md) and
// property tests.
#include "rebalance/ge/tariff_war.h"

#include <gtest/gtest.h>

#include <cmath>
#include <map>

#include "rebalance/data/csv.h"
#include "rebalance/data/imls2025.h"
#include "rebalance/ge/multisector.h"

namespace rebalance::ge {
namespace {

const std::string kDir = std::string(REBALANCE_DATA_DIR) + "/imls2025_liberation_day";

struct World {
  TariffWarCalibration cal;
  std::vector<double> rates;
  int us = -1;
};

const World& Get() {
  static const World* w = [] {
    auto* out = new World;
    auto d = data::ReadImls2025(kDir);
    if (!d.ok()) {
      ADD_FAILURE() << d.status().ToString();
      return out;
    }
    const int n = d->num_countries();
    Eigen::MatrixXd trade =
        Eigen::Map<const Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>>(
            d->trade.data(), n, n);
    Eigen::VectorXd gdp = Eigen::Map<const Eigen::VectorXd>(d->gdp_usd.data(), n) / 1000.0;
    auto cal = CalibrateTariffWar(d->iso3, trade, gdp);
    if (!cal.ok()) {
      ADD_FAILURE() << cal.status().ToString();
      return out;
    }
    out->cal = *cal;
    out->rates = d->tariff;
    out->us = cal->reference_index;
    return out;
  }();
  return *w;
}

Eigen::MatrixXd UstrTariffs(const World& w) {
  const int n = w.cal.baseline.num_countries();
  Eigen::MatrixXd t = Eigen::MatrixXd::Zero(n, n);
  for (int j = 0; j < n; ++j)
    if (j != w.us) t(j, w.us) = std::max(0.1, w.rates[static_cast<size_t>(j)]);
  return t;
}

std::vector<int> NonUs(const World& w) {
  std::vector<int> v;
  for (int i = 0; i < w.cal.baseline.num_countries(); ++i)
    if (i != w.us) v.push_back(i);
  return v;
}

// Table 1, cases 1 and 2, at the printed precision (expected.csv).
TEST(TariffWarGolden, Table1Cases1And2) {
  const World& w = Get();
  ASSERT_GE(w.us, 0);
  auto expected =
      data::ReadCsv(std::string(REBALANCE_SOURCE_DIR) + "/tests/golden/imls2025/expected.csv");
  ASSERT_TRUE(expected.ok()) << expected.status().ToString();
  const auto& cols = expected->columns();
  ASSERT_EQ(cols.size(), 5u);
  std::map<std::string, TariffWarOutcomes> outcomes;
  for (auto use : {RevenueUse::kIncomeTax, RevenueUse::kLumpSum}) {
    TariffWarOptions o;
    o.revenue = use;
    auto r = SolveTariffWar(w.cal.baseline, {UstrTariffs(w)}, o);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    ASSERT_TRUE(r->converged()) << r->BriefReport();
    EXPECT_LT(r->max_equation_error, 1e-9);
    outcomes[ToString(use)] = TariffWarChanges(w.cal.baseline, *r);
  }
  const std::vector<int> non_us = NonUs(w);
  int checked = 0;
  for (int64_t row = 0; row < expected->num_rows(); ++row) {
    const std::string kase = cols[0].CellText(row), who = cols[1].CellText(row),
                      var = cols[2].CellText(row);
    const double printed = cols[3].AsDouble(row);
    const int decimals = static_cast<int>(cols[4].AsDouble(row));
    const TariffWarOutcomes& oc = outcomes.at(kase);
    const std::map<std::string, const Eigen::VectorXd*> vars = {
        {"welfare", &oc.welfare},         {"deficit", &oc.deficit},
        {"exports_gdp", &oc.exports_gdp}, {"imports_gdp", &oc.imports_gdp},
        {"employment", &oc.employment},   {"prices", &oc.prices}};
    const Eigen::VectorXd& v = *vars.at(var);
    const double model =
        who == "USA" ? v(w.us) : ExpenditureWeightedMean(w.cal.baseline, v, non_us);
    const double scale = std::pow(10.0, decimals);
    EXPECT_EQ(std::round(model * scale) / scale, printed)
        << kase << " " << who << " " << var << ": model " << model << ", printed " << printed;
    ++checked;
  }
  EXPECT_EQ(checked, 16);
}

// The README's Octave re-run of the calibration: nu_US = 0.27047,
// nu_rest = 0.11434; phi_US = 1.432848, phi_rest = 1.150719.
TEST(TariffWarCalibration, MatchesReplication) {
  const World& w = Get();
  ASSERT_GE(w.us, 0);
  EXPECT_NEAR(w.cal.nu_reference, 0.27047, 5e-6);
  EXPECT_NEAR(w.cal.nu_rest, 0.11434, 5e-6);
  auto r = SolveTariffWar(w.cal.baseline, {}, {});
  ASSERT_TRUE(r.ok());
  EXPECT_NEAR(r->phi(w.us), 1.432848, 5e-7);
  EXPECT_NEAR(r->phi(0), 1.150719, 5e-7);
  // Accounting of the calibrated base year: world expenditure = world income
  // (transfers sum to zero), domestic sales non-negative.
  const Eigen::VectorXd E = w.cal.baseline.Expenditure(), Y = w.cal.baseline.Income();
  EXPECT_NEAR((E - Y).sum() / E.sum(), 0.0, 1e-12);
  EXPECT_GE(w.cal.baseline.flows.diagonal().minCoeff(), 0.0);
}

// No shock, no change, under every option combination.
TEST(TariffWarProperties, NoShockNoChange) {
  const World& w = Get();
  ASSERT_GE(w.us, 0);
  for (auto use : {RevenueUse::kIncomeTax, RevenueUse::kLumpSum})
    for (auto def : {DeficitScaling::kFixedNominal, DeficitScaling::kScaleWithWorldIncome})
      for (auto num : {TariffWarNumeraire::kPriceIndex, TariffWarNumeraire::kWorldIncome}) {
        TariffWarOptions o;
        o.revenue = use;
        o.deficit = def;
        o.numeraire = num;
        auto r = SolveTariffWar(w.cal.baseline, {}, o);
        ASSERT_TRUE(r.ok());
        ASSERT_TRUE(r->converged()) << r->BriefReport();
        for (const Eigen::VectorXd* v :
             {&r->w_hat, &r->E_hat, &r->L_hat, &r->P_hat, &r->welfare_hat})
          EXPECT_LT((v->array() - 1.0).abs().maxCoeff(), 1e-10);
        EXPECT_LT((r->flows_new - w.cal.baseline.flows).cwiseAbs().maxCoeff() /
                      w.cal.baseline.flows.maxCoeff(),
                  1e-10);
      }
}

// kappa = 0: employment fixed at 1 exactly, whatever the shock.
TEST(TariffWarProperties, ZeroKappaFixesEmployment) {
  const World& w = Get();
  ASSERT_GE(w.us, 0);
  TariffWarOptions o;
  o.kappa = 0.0;
  auto r = SolveTariffWar(w.cal.baseline, {UstrTariffs(w)}, o);
  ASSERT_TRUE(r.ok());
  ASSERT_TRUE(r->converged()) << r->BriefReport();
  EXPECT_EQ((r->L_hat.array() - 1.0).abs().maxCoeff(), 0.0);
  EXPECT_GT((r->w_hat.array() - 1.0).abs().maxCoeff(), 1e-3);  // the shock did bite
}

// Homogeneity: with deficits scaling with world income the numeraire only
// rescales nominal variables; real outcomes do not depend on it.
TEST(TariffWarProperties, NumeraireDoesNotMoveRealOutcomes) {
  const World& w = Get();
  ASSERT_GE(w.us, 0);
  TariffWarOptions a, b;
  b.numeraire = TariffWarNumeraire::kWorldIncome;
  auto ra = SolveTariffWar(w.cal.baseline, {UstrTariffs(w)}, a);
  auto rb = SolveTariffWar(w.cal.baseline, {UstrTariffs(w)}, b);
  ASSERT_TRUE(ra.ok() && rb.ok());
  ASSERT_TRUE(ra->converged() && rb->converged());
  EXPECT_LT((ra->welfare_hat - rb->welfare_hat).cwiseAbs().maxCoeff(), 1e-10);
  EXPECT_LT((ra->L_hat - rb->L_hat).cwiseAbs().maxCoeff(), 1e-10);
  const Eigen::ArrayXd ratio = ra->w_hat.array() / rb->w_hat.array();
  EXPECT_LT((ratio - ratio(0)).abs().maxCoeff(), 1e-10);
}

// The one-sector Caliendo-Parro model (multisector.h with J = 1, no
// input-output links, theta = epsilon, deficits fixed) is the same
// mathematics as nu = 0, c = 1 (phi = 1), kappa = 0 and fixed nominal
// deficits with world income as numeraire.
TEST(TariffWarProperties, ReducesToOneSectorCaliendoParro) {
  const World& w = Get();
  ASSERT_GE(w.us, 0);
  TariffWarBaseline b = w.cal.baseline;
  b.nu.setZero();
  const int n = b.num_countries();
  Baseline cp;
  cp.countries = b.countries;
  cp.sectors = {"goods"};
  cp.currency_unit = "thousand USD";
  cp.flow.assign(static_cast<size_t>(n) * n, 0.0);
  cp.tariff.assign(static_cast<size_t>(n) * n, 0.0);
  for (int im = 0; im < n; ++im)
    for (int ex = 0; ex < n; ++ex) cp.flow[cp.FlowIndex(0, im, ex)] = b.flows(ex, im);
  cp.va_share.assign(static_cast<size_t>(n), 1.0);
  cp.io_share.assign(static_cast<size_t>(n), 0.0);
  cp.alpha.assign(static_cast<size_t>(n), 1.0);
  cp.theta = {4.0};
  cp.tradable = {true};
  cp.deficit.resize(static_cast<size_t>(n));
  for (int i = 0; i < n; ++i) cp.deficit[static_cast<size_t>(i)] = cp.Imports(i) - cp.Exports(i);
  ASSERT_TRUE(cp.ValidateStructure().ok());
  const Eigen::MatrixXd t = UstrTariffs(w);
  ShockSet shocks = ShockSet::None(cp);
  for (int im = 0; im < n; ++im)
    for (int ex = 0; ex < n; ++ex) shocks.tariff_new[cp.FlowIndex(0, im, ex)] = t(ex, im);
  MultisectorOptions mo;
  mo.solver.tolerance = 1e-13;
  auto cps = SolveMultisector(cp, shocks, mo);
  ASSERT_TRUE(cps.ok()) << cps.status().ToString();
  ASSERT_TRUE(cps->converged()) << cps->BriefReport();

  TariffWarOptions o;
  o.epsilon = 4.0;
  o.kappa = 0.0;
  o.pass_through = 1.0;
  o.deficit = DeficitScaling::kFixedNominal;
  o.numeraire = TariffWarNumeraire::kWorldIncome;
  o.tolerance = 1e-13;
  auto r = SolveTariffWar(b, {t}, o);
  ASSERT_TRUE(r.ok());
  ASSERT_TRUE(r->converged()) << r->BriefReport();
  EXPECT_LT((r->phi.array() - 1.0).abs().maxCoeff(), 1e-15);
  double dw = 0, dp = 0, dwel = 0, dflow = 0;
  for (int i = 0; i < n; ++i) {
    dw = std::max(dw, std::abs(r->w_hat(i) - cps->w_hat[static_cast<size_t>(i)]));
    dp = std::max(dp, std::abs(r->P_hat(i) - cps->P_hat[static_cast<size_t>(i)]));
    dwel = std::max(dwel, std::abs(r->welfare_hat(i) - cps->welfare_hat[static_cast<size_t>(i)]));
    for (int ex = 0; ex < n; ++ex)
      dflow =
          std::max(dflow, std::abs(r->flows_new(ex, i) - cps->flow_new[cp.FlowIndex(0, i, ex)]) /
                              b.flows.sum());
  }
  EXPECT_LT(dw, 1e-8);
  EXPECT_LT(dp, 1e-8);
  EXPECT_LT(dwel, 1e-8);
  EXPECT_LT(dflow, 1e-8);
}

TEST(TariffWarErrors, BadOptionsAndShocks) {
  const World& w = Get();
  ASSERT_GE(w.us, 0);
  TariffWarOptions o;
  o.epsilon = 0;
  auto r = SolveTariffWar(w.cal.baseline, {}, o);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("epsilon"), std::string::npos);
  Eigen::MatrixXd t = Eigen::MatrixXd::Zero(3, 3);
  r = SolveTariffWar(w.cal.baseline, {t}, {});
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("expected 194 x 194"), std::string::npos);
  t = Eigen::MatrixXd::Zero(194, 194);
  t(w.us, w.us) = 0.1;
  r = SolveTariffWar(w.cal.baseline, {t}, {});
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("diagonal"), std::string::npos);
  EXPECT_FALSE(RevenueUseFromString("rebate").ok());
  EXPECT_FALSE(DeficitScalingFromString("fixed").ok());
}

// An iteration cap that is too small is reported as kMaxIterations, and
// the result carries no numbers.
TEST(TariffWarErrors, NonConvergenceIsATermination) {
  const World& w = Get();
  ASSERT_GE(w.us, 0);
  TariffWarOptions o;
  o.max_iterations = 2;
  auto r = SolveTariffWar(w.cal.baseline, {UstrTariffs(w)}, o);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->termination, SolverTermination::kMaxIterations);
  EXPECT_EQ(r->w_hat.size(), 0);
}

}  // namespace
}  // namespace rebalance::ge
