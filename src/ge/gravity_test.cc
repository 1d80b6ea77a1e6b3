#include "rebalance/ge/gravity.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <random>
#include <string>

#include "rebalance/data/csv.h"
#include "rebalance/ge/gravity_draws.h"
#include "rebalance/ge/gravity_input.h"

namespace rebalance::ge {
namespace {

// A synthetic world: flows drawn around a gravity model with noise (so the
// data are not model-consistent and trade is unbalanced), costs from a
// distance and a border covariate.
struct World {
  GravityData data;
  CovariateCosts cov;
};

World MakeWorld(int n, unsigned seed, bool balanced = false) {
  std::mt19937_64 gen(seed);
  std::uniform_real_distribution<double> u(0.0, 1.0);
  World w;
  Eigen::MatrixXd dist(n, n), border(n, n), size(n, 1);
  for (int i = 0; i < n; ++i) {
    w.data.countries.push_back(std::string(1, static_cast<char>('A' + i)) + "XX");
    size(i, 0) = std::exp(3.0 * u(gen));
  }
  for (int i = 0; i < n; ++i) {
    for (int j = 0; j <= i; ++j) {
      const double d = i == j ? 4.0 + u(gen) : 6.0 + 3.0 * u(gen);
      dist(i, j) = dist(j, i) = d;
      border(i, j) = border(j, i) = i == j ? 0.0 : 1.0;
    }
  }
  w.data.flows.resize(n, n);
  for (int i = 0; i < n; ++i) {
    for (int j = 0; j < n; ++j) {
      w.data.flows(i, j) = size(i, 0) * size(j, 0) *
                           std::exp(-0.8 * dist(i, j) - 2.0 * border(i, j)) * (0.5 + u(gen)) * 1e4;
    }
  }
  if (balanced) {
    const Eigen::MatrixXd sym = 0.5 * (w.data.flows + w.data.flows.transpose());
    w.data.flows = sym;
  }
  w.cov.names = {"ln_DIST", "INTL_BRDR"};
  w.cov.baseline = {dist, border};
  w.cov.counterfactual = w.cov.baseline;
  w.cov.beta.resize(2);
  w.cov.beta << -0.8, -2.0;
  w.cov.vcov.resize(2, 2);
  w.cov.vcov << 0.0025, 0.0005, 0.0005, 0.01;
  return w;
}

GravityOptions Options(const World& w, DeficitClosure closure) {
  GravityOptions o;
  o.sigma = 5.0;
  o.reference = w.data.countries[2];
  o.closure = closure;
  return o;
}

GravityResult SolveOk(const World& w, const GravityOptions& o) {
  auto costs = w.cov.Costs(w.cov.beta);
  EXPECT_TRUE(costs.ok());
  auto r = SolveGravityOrError(w.data, *costs, o);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? std::move(r).value() : GravityResult{};
}

const DeficitClosure kClosures[] = {DeficitClosure::kRatioFixed, DeficitClosure::kAdditive,
                                    DeficitClosure::kBalanced};

// Independent oracle of the baseline / conditional stage: Anderson & van
// Wincoop's resistance equations solved by plain alternating (Sinkhorn)
// iteration, the "slow obvious" method, then normalised by P_ref = 1.
void SinkhornResistances(const Eigen::MatrixXd& T, const Eigen::VectorXd& Y,
                         const Eigen::VectorXd& E, int ref, Eigen::VectorXd* pi,
                         Eigen::VectorXd* p) {
  const double world = Y.sum();
  const Eigen::Index n = Y.size();
  Eigen::VectorXd P = Eigen::VectorXd::Ones(n), Pi(n);
  for (int it = 0; it < 200000; ++it) {
    for (Eigen::Index i = 0; i < n; ++i) {
      double s = 0;
      for (Eigen::Index j = 0; j < n; ++j) s += T(i, j) * E[j] / world / P[j];
      Pi[i] = s;
    }
    Eigen::VectorXd Pn(n);
    for (Eigen::Index j = 0; j < n; ++j) {
      double s = 0;
      for (Eigen::Index i = 0; i < n; ++i) s += T(i, j) * Y[i] / world / Pi[i];
      Pn[j] = s;
    }
    const double diff = (Pn.array().log() - P.array().log()).abs().maxCoeff();
    P = Pn;
    if (diff < 1e-15) break;
  }
  // Resistances are determined up to Pi * c, P / c: normalise P_ref = 1.
  const double c = P[ref];
  *p = P / c;
  *pi = Pi * c;
}

TEST(GravityTest, BaselineAndConditionalMatchSinkhornOracle) {
  const World w = MakeWorld(7, 11);
  auto o = Options(w, DeficitClosure::kRatioFixed);
  CovariateCosts cov = w.cov;
  ASSERT_TRUE(ApplyCovariateChanges(w.data.countries, {{"INTL_BRDR", 0.3, {}}}, &cov).ok());
  auto costs = cov.Costs(cov.beta);
  ASSERT_TRUE(costs.ok());
  auto r = SolveGravityOrError(w.data, *costs, o);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  const Eigen::VectorXd Y = w.data.flows.rowwise().sum();
  const Eigen::VectorXd E = w.data.flows.colwise().sum().transpose();
  for (int stage = 0; stage < 2; ++stage) {
    const Eigen::MatrixXd& T = stage == 0 ? costs->baseline : costs->counterfactual;
    const GravityEquilibrium& eq = stage == 0 ? r->baseline : r->conditional;
    Eigen::VectorXd pi, p;
    SinkhornResistances(T, Y, E, 2, &pi, &p);
    for (int i = 0; i < 7; ++i) {
      EXPECT_NEAR(std::pow(eq.outward[i], 1 - o.sigma) / pi[i], 1.0, 1e-9);
      EXPECT_NEAR(std::pow(eq.inward[i], 1 - o.sigma) / p[i], 1.0, 1e-9);
      for (int j = 0; j < 7; ++j) {
        const double x = Y[i] * E[j] / Y.sum() * T(i, j) / (pi[i] * p[j]);
        EXPECT_NEAR(eq.flows(i, j) / x, 1.0, 1e-9);
      }
    }
    // The normalisation is solved to the solver tolerance (1e-11 in logs).
    EXPECT_NEAR(eq.inward[2], 1.0, 1e-10);
  }
}

// Independent oracle of the full-endowment stage: exact hat algebra
// (Dekle, Eaton & Kortum 2008) on the baseline solution's expenditure
// shares, solved by a damped tatonnement with P_hat_ref = 1 imposed at every
// step. Shares no code with the Newton formulation in levels.
Eigen::VectorXd HatAlgebraPrices(const GravityResult& r, const TradeCosts& costs, double sigma,
                                 DeficitClosure closure, int ref) {
  const Eigen::MatrixXd& X = r.baseline.flows;
  const Eigen::Index n = X.rows();
  const Eigen::VectorXd Y = X.rowwise().sum();
  const Eigen::VectorXd E = X.colwise().sum().transpose();
  Eigen::MatrixXd lambda(n, n), that(n, n);
  for (Eigen::Index i = 0; i < n; ++i) {
    for (Eigen::Index j = 0; j < n; ++j) {
      lambda(i, j) = X(i, j) / E[j];
      that(i, j) = costs.counterfactual(i, j) / costs.baseline(i, j);
    }
  }
  Eigen::VectorXd p = Eigen::VectorXd::Ones(n);
  for (int it = 0; it < 100000; ++it) {
    Eigen::VectorXd Yn = (p.array() * Y.array()).matrix();
    Eigen::VectorXd En(n);
    if (closure == DeficitClosure::kRatioFixed) {
      double s_y = Yn.sum(), s_phi = 0;
      for (Eigen::Index j = 0; j < n; ++j) s_phi += E[j] / Y[j] * Yn[j];
      for (Eigen::Index j = 0; j < n; ++j) En[j] = E[j] / Y[j] * Yn[j] * s_y / s_phi;
    } else if (closure == DeficitClosure::kAdditive) {
      En = Yn + (E - Y);
    } else {
      En = Yn;
    }
    Eigen::VectorXd Phat(n);
    for (Eigen::Index j = 0; j < n; ++j) {
      double s = 0;
      for (Eigen::Index i = 0; i < n; ++i) {
        s += lambda(i, j) * std::pow(p[i], 1 - sigma) * that(i, j);
      }
      Phat[j] = s;
    }
    Eigen::VectorXd pn(n);
    for (Eigen::Index i = 0; i < n; ++i) {
      double s = 0;
      for (Eigen::Index j = 0; j < n; ++j) {
        s += lambda(i, j) * that(i, j) * En[j] / Phat[j];
      }
      pn[i] = std::pow(s / Y[i], 1.0 / sigma);
    }
    // Numeraire: P_hat_ref = 1 (in the 1-sigma power, homogeneous of degree
    // 1-sigma in p).
    double s = 0;
    for (Eigen::Index i = 0; i < n; ++i) {
      s += lambda(i, ref) * std::pow(pn[i], 1 - sigma) * that(i, ref);
    }
    pn *= std::pow(s, -1.0 / (1 - sigma));
    const double diff = (pn.array().log() - p.array().log()).abs().maxCoeff();
    p = 0.5 * p + 0.5 * pn;
    if (diff < 1e-14) break;
  }
  return p;
}

TEST(GravityTest, FullEquilibriumMatchesHatAlgebraOracle) {
  for (DeficitClosure closure : kClosures) {
    const World w = MakeWorld(6, 5);
    auto o = Options(w, closure);
    CovariateCosts cov = w.cov;
    ASSERT_TRUE(ApplyCovariateChanges(w.data.countries,
                                      {{"INTL_BRDR", 0.0, {{"AXX", "BXX"}, {"BXX", "AXX"}}},
                                       {"ln_DIST", 5.0, {{"CXX", "DXX"}}}},
                                      &cov)
                    .ok());
    auto costs = cov.Costs(cov.beta);
    ASSERT_TRUE(costs.ok());
    auto r = SolveGravityOrError(w.data, *costs, o);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    const Eigen::VectorXd p = HatAlgebraPrices(*r, *costs, o.sigma, closure, 2);
    for (int i = 0; i < 6; ++i) {
      EXPECT_NEAR(r->full.price[i] / p[i], 1.0, 1e-9) << ToString(closure) << " country " << i;
    }
    // The full solution satisfies p_hat = (Y_hat_i/Y_hat)^(1/(1-s))/Pi_hat_i
    // (Yotov et al. 2016, ch. 2) and P_ref = 1.
    const double yhat = r->full.output.sum() / r->baseline.output.sum();
    for (int i = 0; i < 6; ++i) {
      const double yi = r->full.output[i] / r->baseline.output[i];
      const double pi_hat = r->full.outward[i] / r->baseline.outward[i];
      EXPECT_NEAR(std::pow(yi / yhat, 1.0 / (1.0 - o.sigma)) / pi_hat / r->full.price[i], 1.0,
                  1e-9);
      EXPECT_NEAR(r->full.output[i] / r->baseline.output[i], r->full.price[i],
                  1e-12 * r->full.price[i]);
    }
    EXPECT_NEAR(r->full.inward[2], 1.0, 1e-10);
  }
}

TEST(GravityTest, ZeroShockGivesZeroChange) {
  for (DeficitClosure closure : kClosures) {
    // Balanced closure: zero change needs balanced baseline data.
    const World w = MakeWorld(9, 3, closure == DeficitClosure::kBalanced);
    const GravityResult r = SolveOk(w, Options(w, closure));
    const TidyTable t = TidyGravity(r, "zero", true);
    ASSERT_FALSE(t.rows.empty());
    for (const auto& row : t.rows) {
      EXPECT_NEAR(row.pct_change, 0.0, 1e-8)
          << ToString(closure) << " " << row.variable << " " << row.country << " " << row.partner;
    }
  }
}

TEST(GravityTest, BalancedClosureWithDeficitsMovesEvenWithoutShock) {
  // Documented: the balanced closure removes the baseline deficits.
  const World w = MakeWorld(6, 8, false);
  const GravityResult r = SolveOk(w, Options(w, DeficitClosure::kBalanced));
  double largest = 0.0;
  for (int i = 0; i < 6; ++i) {
    largest = std::max(largest, std::fabs(r.full.expenditure[i] / r.baseline.expenditure[i] - 1.0));
    EXPECT_NEAR(r.full.expenditure[i], r.full.output[i], 1e-9 * r.full.output[i]);
  }
  EXPECT_GT(largest, 1e-3);
}

TEST(GravityTest, HomogeneityInFlowScale) {
  for (DeficitClosure closure : kClosures) {
    World w = MakeWorld(8, 21);
    ASSERT_TRUE(ApplyCovariateChanges(w.data.countries, {{"INTL_BRDR", 0.0, {}}}, &w.cov).ok());
    const TidyTable a = TidyGravity(SolveOk(w, Options(w, closure)), "s", true);
    World w2 = w;
    w2.data.flows *= 1234.5;
    const TidyTable b = TidyGravity(SolveOk(w2, Options(w2, closure)), "s", true);
    ASSERT_EQ(a.rows.size(), b.rows.size());
    for (size_t r = 0; r < a.rows.size(); ++r) {
      // Additive closure: deficits scale with the data, so the scaled
      // problem is the same problem in other units.
      EXPECT_NEAR(a.rows[r].pct_change, b.rows[r].pct_change,
                  1e-7 * std::max(1.0, std::fabs(a.rows[r].pct_change)))
          << ToString(closure) << " " << a.rows[r].variable;
    }
  }
}

TEST(GravityTest, WorldOutputEqualsWorldExpenditure) {
  for (DeficitClosure closure : kClosures) {
    World w = MakeWorld(10, 4);
    ASSERT_TRUE(ApplyCovariateChanges(w.data.countries, {{"INTL_BRDR", 0.0, {}}}, &w.cov).ok());
    const GravityResult r = SolveOk(w, Options(w, closure));
    for (const GravityEquilibrium* eq : {&r.baseline, &r.conditional, &r.full}) {
      const double y = eq->output.sum(), e = eq->expenditure.sum();
      EXPECT_NEAR(y / e, 1.0, 1e-12);
      EXPECT_NEAR(eq->flows.sum() / y, 1.0, 1e-10);
      EXPECT_LT(eq->max_clearing_error, 1e-9);
    }
    if (closure == DeficitClosure::kAdditive) {
      const Eigen::VectorXd d0 = r.baseline.expenditure - r.baseline.output;
      const Eigen::VectorXd d1 = r.full.expenditure - r.full.output;
      EXPECT_LT((d0 - d1).cwiseAbs().maxCoeff(), 1e-9 * r.full.output.sum());
    }
    if (closure == DeficitClosure::kRatioFixed) {
      // E/Y ratios move by one common factor only.
      const double f0 = (r.full.expenditure[0] / r.full.output[0]) /
                        (r.baseline.expenditure[0] / r.baseline.output[0]);
      for (int i = 1; i < 10; ++i) {
        const double fi = (r.full.expenditure[i] / r.full.output[i]) /
                          (r.baseline.expenditure[i] / r.baseline.output[i]);
        EXPECT_NEAR(fi / f0, 1.0, 1e-12);
      }
    }
  }
}

TEST(GravityTest, DirectPartialEffectsEqualCovariateRoute) {
  World w = MakeWorld(6, 9);
  auto o = Options(w, DeficitClosure::kAdditive);
  ASSERT_TRUE(
      ApplyCovariateChanges(w.data.countries, {{"INTL_BRDR", 0.0, {{"AXX", "FXX"}}}}, &w.cov).ok());
  auto via_cov = SolveOk(w, o);
  TradeCosts direct;
  direct.baseline = w.cov.Costs(w.cov.beta)->baseline;
  direct.counterfactual = direct.baseline;
  direct.counterfactual(0, 5) *= std::exp(2.0);  // beta_border = -2
  auto r = SolveGravityOrError(w.data, direct, o);
  ASSERT_TRUE(r.ok());
  EXPECT_LT((r->full.flows - via_cov.full.flows).cwiseAbs().maxCoeff(),
            1e-9 * via_cov.full.flows.maxCoeff());
}

TEST(GravityTest, NonConvergenceIsAnErrorAtTheFrontDoor) {
  const World w = MakeWorld(5, 2);
  auto o = Options(w, DeficitClosure::kRatioFixed);
  o.solver.max_iterations = 1;
  o.solver.tolerance = 1e-15;
  auto costs = w.cov.Costs(w.cov.beta);
  auto raw = SolveGravity(w.data, *costs, o);
  ASSERT_TRUE(raw.ok());
  EXPECT_FALSE(raw->converged());
  EXPECT_FALSE(raw->message.empty());
  auto r = SolveGravityOrError(w.data, *costs, o);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kNotConverged);
}

TEST(GravityTest, BadInput) {
  World w = MakeWorld(4, 1);
  auto o = Options(w, DeficitClosure::kRatioFixed);
  auto costs = *w.cov.Costs(w.cov.beta);
  {
    GravityData d = w.data;
    d.flows = Eigen::MatrixXd::Ones(4, 3);
    auto r = SolveGravity(d, costs, o);
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.status().message().find("not square"), std::string::npos);
  }
  {
    GravityData d = w.data;
    d.flows(1, 2) = -3.0;
    auto r = SolveGravity(d, costs, o);
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.status().message().find("BXX -> CXX is negative"), std::string::npos)
        << r.status().message();
  }
  {
    GravityData d = w.data;
    d.flows(3, 3) = 0.0;
    auto r = SolveGravity(d, costs, o);
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.status().message().find("DXX has no domestic sales"), std::string::npos)
        << r.status().message();
  }
  {
    GravityData d = w.data;
    d.flows(0, 1) = std::nan("");
    EXPECT_FALSE(SolveGravity(d, costs, o).ok());
  }
  for (double sigma : {1.0, 0.5, -2.0}) {
    auto bad = o;
    bad.sigma = sigma;
    auto r = SolveGravity(w.data, costs, bad);
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.status().message().find("sigma: must be > 1, got "), std::string::npos);
  }
  {
    auto bad = o;
    bad.reference = "DXY";
    auto r = SolveGravity(w.data, costs, bad);
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.status().message().find("did you mean 'DXX'"), std::string::npos)
        << r.status().message();
  }
  {
    CovariateCosts cov = w.cov;
    auto s = ApplyCovariateChanges(w.data.countries, {{"INTL_BRDR", 0.0, {{"AXX", "ZZQ"}}}}, &cov);
    ASSERT_FALSE(s.ok());
    EXPECT_NE(s.message().find("unknown country 'ZZQ'"), std::string::npos);
    s = ApplyCovariateChanges(w.data.countries, {{"INTL_BRDER", 0.0, {}}}, &cov);
    ASSERT_FALSE(s.ok());
    EXPECT_NE(s.message().find("did you mean 'INTL_BRDR'"), std::string::npos);
  }
  {
    TradeCosts c = costs;
    c.counterfactual(1, 1) = 0.0;
    EXPECT_FALSE(SolveGravity(w.data, c, o).ok());
  }
}

TEST(GravityTest, TableInputErrors) {
  const std::string good =
      "exporter,importer,trade,d\n"
      "A,A,10,1\nA,B,1,2\nB,A,2,2\nB,B,20,1\n";
  GravityTableSpec spec;
  spec.covariates = {"d"};
  {
    auto t = data::ParseCsv(good, "g.csv");
    ASSERT_TRUE(t.ok());
    auto in = GravityInputFromTable(*t, spec);
    ASSERT_TRUE(in.ok()) << in.status().ToString();
    EXPECT_EQ(in->data.flows(1, 0), 2.0);
    EXPECT_EQ(in->covariates.baseline[0](0, 1), 2.0);
  }
  {
    auto t = data::ParseCsv("exporter,importer,trade,d\nA,A,10,1\nA,B,1,2\nB,B,20,1\n", "m.csv");
    auto in = GravityInputFromTable(*t, spec);
    ASSERT_FALSE(in.ok());
    EXPECT_NE(in.status().message().find("incomplete"), std::string::npos);
    EXPECT_NE(in.status().message().find("B -> A"), std::string::npos);
  }
  {
    auto t = data::ParseCsv(good + "A,B,3,2\n", "d.csv");
    auto in = GravityInputFromTable(*t, spec);
    ASSERT_FALSE(in.ok());
    EXPECT_NE(in.status().message().find("d.csv:6: duplicate pair A -> B"), std::string::npos)
        << in.status().message();
  }
  {
    auto t = data::ParseCsv("exporter,importer,trade,d\nA,A,10,1\nA,B,-1,2\nB,A,2,2\nB,B,20,1\n",
                            "n.csv");
    auto in = GravityInputFromTable(*t, spec);
    ASSERT_FALSE(in.ok());
    EXPECT_NE(in.status().message().find("n.csv:3: negative flow"), std::string::npos)
        << in.status().message();
  }
  {
    auto t =
        data::ParseCsv("exporter,importer,trade,d\nA,A,0,1\nA,B,1,2\nB,A,2,2\nB,B,20,1\n", "z.csv");
    auto in = GravityInputFromTable(*t, spec);
    ASSERT_FALSE(in.ok());
    EXPECT_NE(in.status().message().find("A has no domestic sales"), std::string::npos);
  }
}

TEST(GravityTest, DrawsAreReproducibleAcrossThreadCounts) {
  World w = MakeWorld(6, 17);
  ASSERT_TRUE(ApplyCovariateChanges(w.data.countries, {{"INTL_BRDR", 0.0, {}}}, &w.cov).ok());
  const auto o = Options(w, DeficitClosure::kRatioFixed);
  const GravityResult point = SolveOk(w, o);
  GravityDrawOptions d;
  d.draws = 24;
  d.seed = 99;
  d.threads = 1;
  auto one = DrawGravity(w.data, w.cov, o, point, d);
  ASSERT_TRUE(one.ok()) << one.status().ToString();
  d.threads = 2;
  auto two = DrawGravity(w.data, w.cov, o, point, d);
  ASSERT_TRUE(two.ok());
  EXPECT_EQ(one->succeeded, 24);
  EXPECT_EQ(one->failed, 0);
  const TidyTable t = TidyGravity(point, "s", false);
  ASSERT_EQ(one->bands.size(), t.rows.size());
  bool spread = false;
  for (size_t r = 0; r < t.rows.size(); ++r) {
    EXPECT_EQ(one->bands[r].p50, two->bands[r].p50);
    EXPECT_EQ(one->bands[r].mean, two->bands[r].mean);
    EXPECT_LE(one->bands[r].p05, one->bands[r].p50);
    EXPECT_LE(one->bands[r].p50, one->bands[r].p95);
    if (one->bands[r].p95 - one->bands[r].p05 > 1e-6) spread = true;
  }
  EXPECT_TRUE(spread);
  d.seed = 100;
  auto other = DrawGravity(w.data, w.cov, o, point, d);
  ASSERT_TRUE(other.ok());
  EXPECT_NE(other->bands[0].mean, one->bands[0].mean);
}

TEST(GravityTest, DrawsWithZeroVarianceReproduceThePoint) {
  World w = MakeWorld(5, 23);
  ASSERT_TRUE(ApplyCovariateChanges(w.data.countries, {{"INTL_BRDR", 0.0, {}}}, &w.cov).ok());
  w.cov.vcov.setZero();  // semi-definite: eigen factorisation path
  const auto o = Options(w, DeficitClosure::kAdditive);
  const GravityResult point = SolveOk(w, o);
  GravityDrawOptions d;
  d.draws = 5;
  auto r = DrawGravity(w.data, w.cov, o, point, d);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  const TidyTable t = TidyGravity(point, "s", false);
  for (size_t i = 0; i < t.rows.size(); ++i) {
    EXPECT_NEAR(r->bands[i].mean, t.rows[i].pct_change,
                1e-7 * std::max(1.0, std::fabs(t.rows[i].pct_change)));
    EXPECT_NEAR(r->bands[i].sd, 0.0, 1e-6);
  }
  w.cov.vcov(0, 0) = -1.0;
  EXPECT_FALSE(DrawGravity(w.data, w.cov, o, point, d).ok());
}

TEST(GravityTest, EnumsRoundTrip) {
  for (DeficitClosure c : kClosures) {
    auto back = DeficitClosureFromString(ToString(c));
    ASSERT_TRUE(back.ok());
    EXPECT_EQ(*back, c);
  }
  EXPECT_FALSE(DeficitClosureFromString("fixed").ok());
}

}  // namespace
}  // namespace rebalance::ge
