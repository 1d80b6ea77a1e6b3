// Golden test of the one-sector gravity GE against Yotov, Piermartini,
// Monteiro & Larch (2016), "An Advanced Guide to Trade Policy Analysis",
// ch. 2, application 1 "Trade without borders" (69 countries, 2006; data
// described in ../shared/data/README.md, section 1; published figures in the
// book's ch. 2 application-1 results and in the do-file's Results/*.xls).
//
// Pipeline as in the book: PPML with exporter and importer fixed effects on
// ln_DIST, CNTG, INTL_BRDR (Germany coded ZZZ is the reference importer);
// counterfactual INTL_BRDR = 0; sigma = 7; E_j/Y_j fixed.
//
// What is compared, and why two full-GE methods:
// - Conditional GE is exact in both the book and rebalance: US exports
//   +359.98% (published) must match within 0.01 pp, and the conditional
//   flows must equal the book's own method (PPML with only the fixed effects
//   and the counterfactual costs as an offset) to 1e-6 relative.
// - The book's full-endowment numbers come from its iterative do-file loop,
//   stopped by its rule (sd and max of successive price-change differences
//   < 0.01, reached after 5 iterations) with E_j = phi_j Y_j not adjusted to
//   world balance. FullGeMethod::kYotov2016 replicates that loop and must
//   reproduce the published USA +10.65, DEU +24.31, CHN +14.35, CAN +54.36
//   and US exports +438.31% within 0.01 pp. The exact equilibrium
//   (kExact, the default) differs from these by up to ~0.11 pp in real GDP
//   and ~2.8 pp in US exports; that gap is measured and documented in
//   docs/gravity_ge.md, and checked here only as a characterisation.
#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <string>

#include "rebalance/data/csv.h"
#include "rebalance/econ/ppml.h"
#include "rebalance/ge/gravity.h"
#include "rebalance/ge/gravity_input.h"

namespace rebalance::ge {
namespace {

const char kPath[] =
    REBALANCE_DATA_DIR "/yotov2016_agtpa/ch2_app1_trade_without_border_2006.csv.gz";

struct Fixture {
  data::Table table;
  GravityInput input;
  econ::EstimateResult estimate;
  TradeCosts costs;
};

const Fixture& Load() {
  static const Fixture* f = [] {
    auto* fx = new Fixture;
    auto t = data::ReadCsv(kPath);
    if (!t.ok()) {
      ADD_FAILURE() << t.status().ToString();
      return fx;
    }
    fx->table = std::move(t).value();
    econ::EstimateOptions eo;
    eo.formula = "trade ~ ln_DIST + CNTG + INTL_BRDR | exporter + importer";
    eo.tolerance = 1e-12;
    auto est = econ::Estimate(fx->table, eo);
    if (!est.ok() || !est->converged()) {
      ADD_FAILURE() << (est.ok() ? est->message : est.status().ToString());
      return fx;
    }
    fx->estimate = std::move(est).value();
    GravityTableSpec spec;
    spec.covariates = {"ln_DIST", "CNTG", "INTL_BRDR"};
    auto in = GravityInputFromTable(fx->table, spec);
    if (!in.ok()) {
      ADD_FAILURE() << in.status().ToString();
      return fx;
    }
    fx->input = std::move(in).value();
    fx->input.covariates.beta.resize(3);
    for (int k = 0; k < 3; ++k) {
      fx->input.covariates.beta[k] = fx->estimate.coefficients[k].estimate;
    }
    fx->input.covariates.vcov = fx->estimate.vcov;
    auto s = ApplyCovariateChanges(fx->input.data.countries, {{"INTL_BRDR", 0.0, {}}},
                                   &fx->input.covariates);
    if (!s.ok()) ADD_FAILURE() << s.ToString();
    fx->costs = *fx->input.covariates.Costs(fx->input.covariates.beta);
    return fx;
  }();
  return *f;
}

GravityOptions BookOptions(FullGeMethod method) {
  GravityOptions o;
  o.sigma = 7.0;
  o.reference = "ZZZ";
  o.closure = DeficitClosure::kRatioFixed;
  o.full_method = method;
  return o;
}

std::map<std::string, double> Pct(const GravityResult& r) {
  std::map<std::string, double> m;
  for (const auto& row : TidyGravity(r, "s", false).rows) {
    m[row.country + ":" + row.variable] = row.pct_change;
  }
  return m;
}

TEST(GravityPublishedTest, EstimatesMatchTheBook) {
  const Fixture& f = Load();
  ASSERT_EQ(f.estimate.coefficients.size(), 3u);
  // Stata ppml log of the book's do-file (TradeWithoutBorder.log).
  EXPECT_NEAR(f.estimate.coefficients[0].estimate, -0.7912879, 5e-7);
  EXPECT_NEAR(f.estimate.coefficients[1].estimate, 0.6736456, 5e-7);
  EXPECT_NEAR(f.estimate.coefficients[2].estimate, -2.47445, 5e-6);
}

TEST(GravityPublishedTest, Yotov2016MethodReproducesPublishedTable) {
  const Fixture& f = Load();
  ASSERT_EQ(f.input.data.countries.size(), 69u);
  auto r = SolveGravityOrError(f.input.data, f.costs, BookOptions(FullGeMethod::kYotov2016));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  // The book's loop stops after 5 iterations (TradeWithoutBorder.log).
  EXPECT_EQ(r->full.solve.iterations, 5);
  auto pct = Pct(*r);
  EXPECT_NEAR(pct["USA:real_gdp_full"], 10.65, 0.01);
  EXPECT_NEAR(pct["ZZZ:real_gdp_full"], 24.31, 0.01);
  EXPECT_NEAR(pct["CHN:real_gdp_full"], 14.35, 0.01);
  EXPECT_NEAR(pct["CAN:real_gdp_full"], 54.36, 0.01);
  EXPECT_NEAR(pct["USA:exports_cond"], 359.98, 0.01);
  EXPECT_NEAR(pct["USA:exports_full"], 438.31, 0.01);
}

TEST(GravityPublishedTest, ExactMethodConditionalMatchesAndFullGapIsSmall) {
  const Fixture& f = Load();
  auto r = SolveGravityOrError(f.input.data, f.costs, BookOptions(FullGeMethod::kExact));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  auto pct = Pct(*r);
  EXPECT_NEAR(pct["USA:exports_cond"], 359.98, 0.01);
  // Characterisation of the documented gap between the exact equilibrium
  // and the book's stopped loop (see the file banner); not the acceptance
  // criterion of the published numbers.
  EXPECT_NEAR(pct["USA:real_gdp_full"], 10.65, 0.2);
  EXPECT_NEAR(pct["CAN:real_gdp_full"], 54.36, 0.2);
  EXPECT_LT(r->full.max_clearing_error, 1e-9);
}

TEST(GravityPublishedTest, BaselineAndConditionalEqualThePpmlRoute) {
  const Fixture& f = Load();
  auto r = SolveGravityOrError(f.input.data, f.costs, BookOptions(FullGeMethod::kExact));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  const auto& countries = f.input.data.countries;
  std::map<std::string, int> idx;
  for (size_t i = 0; i < countries.size(); ++i) idx[countries[i]] = static_cast<int>(i);
  const data::Column& ex = **f.table.GetColumn("exporter");
  const data::Column& im = **f.table.GetColumn("importer");

  // Baseline: the PPML fitted values are the baseline solution's flows.
  double worst = 0.0;
  ASSERT_EQ(f.estimate.fitted.size(), f.estimate.sample_rows.size());
  ASSERT_EQ(f.estimate.fitted.size(), 4761u);
  for (size_t s = 0; s < f.estimate.fitted.size(); ++s) {
    const int64_t row = f.estimate.sample_rows[s];
    const double model = r->baseline.flows(idx[ex.CellText(row)], idx[im.CellText(row)]);
    worst = std::max(worst, std::fabs(f.estimate.fitted[s] / model - 1.0));
  }
  EXPECT_LT(worst, 1e-6) << "baseline";

  // Conditional: the book re-estimates PPML with only the fixed effects and
  // ln t_ij^CFL as an offset (Step III.a of the do-file).
  data::Table t = f.table;
  std::vector<double> offset(static_cast<size_t>(t.num_rows()));
  for (int64_t row = 0; row < t.num_rows(); ++row) {
    offset[static_cast<size_t>(row)] =
        std::log(f.costs.counterfactual(idx[ex.CellText(row)], idx[im.CellText(row)]));
  }
  ASSERT_TRUE(t.AddColumn(data::Table::F64Column("ln_tij_CFL", offset)).ok());
  econ::EstimateOptions eo;
  eo.formula = "trade ~ 1 | exporter + importer";
  eo.offset = "ln_tij_CFL";
  eo.tolerance = 1e-12;
  auto est = econ::Estimate(t, eo);
  ASSERT_TRUE(est.ok()) << est.status().ToString();
  ASSERT_TRUE(est->converged()) << est->message;
  worst = 0.0;
  for (size_t s = 0; s < est->fitted.size(); ++s) {
    const int64_t row = est->sample_rows[s];
    const double model = r->conditional.flows(idx[ex.CellText(row)], idx[im.CellText(row)]);
    worst = std::max(worst, std::fabs(est->fitted[s] / model - 1.0));
  }
  EXPECT_EQ(est->fitted.size(), 4761u);
  EXPECT_LT(worst, 1e-6) << "conditional";
}

TEST(GravityPublishedTest, FullSolveOfSixtyNineCountriesIsFewNewtonSteps) {
  const Fixture& f = Load();
  for (DeficitClosure c :
       {DeficitClosure::kRatioFixed, DeficitClosure::kAdditive, DeficitClosure::kBalanced}) {
    auto o = BookOptions(FullGeMethod::kExact);
    o.closure = c;
    auto r = SolveGravityOrError(f.input.data, f.costs, o);
    ASSERT_TRUE(r.ok()) << ToString(c) << ": " << r.status().ToString();
    EXPECT_LE(r->full.solve.iterations, 20) << ToString(c);
    for (const auto* eq : {&r->baseline, &r->conditional, &r->full}) {
      EXPECT_NEAR(eq->output.sum() / eq->expenditure.sum(), 1.0, 1e-12);
    }
  }
}

}  // namespace
}  // namespace rebalance::ge
