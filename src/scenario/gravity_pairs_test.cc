// Tests of the two-stage pair-fixed-effect costs on the Yotov et al. (2016)
// panel (ch. 2 application 2, NAFTA): the recovered fixed effects reproduce
// the stage-1 fitted flows, the stage-2 prediction is exp(fitted linear
// predictor), a zero shock changes nothing, and the NAFTA counterfactual
// solves with world output equal to world expenditure. No published numbers
// of application 2 are available to us, so there is no published check.
#include "rebalance/scenario/gravity_pairs.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <unordered_map>

#include "rebalance/data/csv.h"
#include "rebalance/data/formula.h"

namespace rebalance::scenario {
namespace {

class PairCostsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto t = data::ReadCsv(std::string(REBALANCE_DATA_DIR) +
                           "/yotov2016_agtpa/agtpa_applications.csv.gz");
    ASSERT_TRUE(t.ok()) << t.status().ToString();
    panel_ = new data::Table(std::move(*t));
    PairCostOptions o;
    // Three of the book's six panel years keep the test fast (the CLI test
    // tests/cli/gravity_pair_fe.sh runs the full 1986-2006 panel).
    o.years = {1990, 1994, 1998};
    o.baseline_year = 1994;
    auto c = EstimatePairCosts(*panel_, o);
    ASSERT_TRUE(c.ok()) << c.status().ToString();
    costs_ = new PairCosts(std::move(*c));
    std::printf("%s", costs_->BriefReport().c_str());
  }
  static void TearDownTestSuite() {
    delete costs_;
    delete panel_;
  }
  static std::unordered_map<std::string, double> Fe(const econ::EstimateResult& r,
                                                    const std::string& name) {
    std::unordered_map<std::string, double> m;
    for (const auto& fe : r.fixed_effects) {
      if (fe.name != name) continue;
      for (size_t g = 0; g < fe.labels.size(); ++g) m[fe.labels[g]] = fe.values[g];
    }
    return m;
  }
  static data::Table* panel_;
  static PairCosts* costs_;
};
data::Table* PairCostsTest::panel_ = nullptr;
PairCosts* PairCostsTest::costs_ = nullptr;

TEST_F(PairCostsTest, IdentifiedPairsReproduceStageOneFittedFlows) {
  ASSERT_NE(costs_, nullptr);
  const auto& s1 = costs_->stage1;
  const auto ey = Fe(s1, "exporter^year"), iy = Fe(s1, "importer^year");
  const auto& countries = costs_->input.data.countries;
  std::unordered_map<std::string, int> idx;
  for (size_t i = 0; i < countries.size(); ++i) idx[countries[i]] = static_cast<int>(i);
  const auto* ex = *panel_->GetColumn("exporter");
  const auto* im = *panel_->GetColumn("importer");
  const auto* yr = *panel_->GetColumn("year");
  const auto* rta = *panel_->GetColumn("rta");
  const double beta = s1.coefficients.at(0).estimate;
  int checked = 0;
  double worst = 0;
  for (size_t s = 0; s < s1.sample_rows.size(); ++s) {
    const int64_t r = s1.sample_rows[s];
    if (yr->AsDouble(r) != 1994) continue;
    const std::string e = ex->CellText(r), m = im->CellText(r), y = yr->CellText(r);
    const int i = idx.at(e), j = idx.at(m);
    ASSERT_EQ(costs_->identified(i, j), 1) << e << "-" << m;
    const double pred =
        std::exp(ey.at(e + "^" + y) + iy.at(m + "^" + y) + beta * rta->AsDouble(r)) *
        costs_->pair_effect(i, j);
    worst = std::max(worst, std::fabs(pred / s1.fitted[s] - 1));
    ++checked;
  }
  std::printf("stage 1: %d baseline-year flows, max relative error %.3e\n", checked, worst);
  EXPECT_GT(checked, 4000);
  EXPECT_LT(worst, 1e-6);
}

TEST_F(PairCostsTest, StageTwoPredictionIsExpOfLinearPredictor) {
  ASSERT_NE(costs_, nullptr);
  ASSERT_GT(costs_->num_predicted, 0);
  const auto& s2 = costs_->stage2;
  const auto a = Fe(s2, "exporter"), b = Fe(s2, "importer");
  const auto& countries = costs_->input.data.countries;
  const auto* ex = *panel_->GetColumn("exporter");
  const auto* im = *panel_->GetColumn("importer");
  const auto* yr = *panel_->GetColumn("year");
  std::vector<std::vector<double>> z;
  for (const char* term : {"log(dist)", "cntg", "lang", "clny"}) {
    auto f = data::ParseFormula(std::string("y ~ ") + term);
    ASSERT_TRUE(f.ok());
    z.push_back(*data::EvaluateTerm(*panel_, f->regressors[0]));
  }
  ASSERT_EQ(s2.coefficients.size(), 4u);
  std::unordered_map<std::string, int> idx;
  for (size_t i = 0; i < countries.size(); ++i) idx[countries[i]] = static_cast<int>(i);
  double worst_pred = 0;
  int npred = 0;
  std::unordered_map<int64_t, double> eta_by_row;
  for (int64_t r = 0; r < panel_->num_rows(); ++r) {
    if (yr->AsDouble(r) != 1994) continue;
    double eta = a.at(ex->CellText(r)) + b.at(im->CellText(r));
    for (size_t k = 0; k < 4; ++k)
      eta += s2.coefficients[k].estimate * z[k][static_cast<size_t>(r)];
    const int i = idx.at(ex->CellText(r)), j = idx.at(im->CellText(r));
    if (!costs_->identified(i, j)) {
      worst_pred = std::max(worst_pred, std::fabs(costs_->pair_effect(i, j) / std::exp(eta) - 1));
      ++npred;
    }
    eta_by_row[r] = eta;
  }
  EXPECT_EQ(npred, costs_->num_predicted);
  EXPECT_LT(worst_pred, 1e-12);
  // The same linear predictor reproduces stage 2's own fitted values on the
  // identified pairs (stage-2 sample rows index the baseline-year table,
  // whose rows are the panel's 1994 rows in order).
  std::vector<int64_t> base_rows;
  for (int64_t r = 0; r < panel_->num_rows(); ++r) {
    if (yr->AsDouble(r) == 1994) base_rows.push_back(r);
  }
  double worst_fit = 0;
  for (size_t s = 0; s < s2.sample_rows.size(); ++s) {
    const int64_t r = base_rows[static_cast<size_t>(s2.sample_rows[s])];
    worst_fit = std::max(worst_fit, std::fabs(std::exp(eta_by_row.at(r)) / s2.fitted[s] - 1));
  }
  std::printf("stage 2: %d predicted pairs; prediction formula vs fitted: %.3e\n", npred,
              worst_fit);
  EXPECT_LT(worst_fit, 1e-6);
}

TEST_F(PairCostsTest, ZeroShockGivesZeroChangeAndNaftaSolves) {
  ASSERT_NE(costs_, nullptr);
  ge::GravityOptions go;
  go.sigma = 7;
  go.reference = "DEU";
  auto t0 = PairTradeCosts(*costs_, {});
  ASSERT_TRUE(t0.ok()) << t0.status().ToString();
  auto g0 = ge::SolveGravityOrError(costs_->input.data, *t0, go);
  ASSERT_TRUE(g0.ok()) << g0.status().ToString();
  for (Eigen::Index i = 0; i < g0->full.real_gdp.size(); ++i) {
    EXPECT_NEAR(g0->full.real_gdp(i) / g0->baseline.real_gdp(i), 1.0, 1e-10);
  }
  // NAFTA removed: rta = 0 between USA, CAN and MEX (both directions).
  ge::CovariateChange ch;
  ch.covariate = "rta";
  ch.value = 0;
  for (const char* a : {"USA", "CAN", "MEX"}) {
    for (const char* b : {"USA", "CAN", "MEX"}) {
      if (std::string(a) != b) ch.pairs.push_back({a, b});
    }
  }
  auto t1 = PairTradeCosts(*costs_, {ch});
  ASSERT_TRUE(t1.ok()) << t1.status().ToString();
  auto g1 = ge::SolveGravityOrError(costs_->input.data, *t1, go);
  ASSERT_TRUE(g1.ok()) << g1.status().ToString();
  EXPECT_NEAR(g1->full.output.sum() / g1->full.expenditure.sum(), 1.0, 1e-10);
  const auto& c = g1->countries;
  for (size_t i = 0; i < c.size(); ++i) {
    if (c[i] == "USA" || c[i] == "CAN" || c[i] == "MEX") {
      const double w = 100 * (g1->full.real_gdp(static_cast<Eigen::Index>(i)) /
                                  g1->baseline.real_gdp(static_cast<Eigen::Index>(i)) -
                              1);
      std::printf("NAFTA removed, 1994 baseline: %s real GDP %+.4f%%\n", c[i].c_str(), w);
      // Removing an agreement with a positive estimated effect lowers the
      // members' real GDP.
      if (costs_->stage1.coefficients[0].estimate > 0) {
        EXPECT_LT(w, 0) << c[i];
      }
    }
  }
}

}  // namespace
}  // namespace rebalance::scenario
