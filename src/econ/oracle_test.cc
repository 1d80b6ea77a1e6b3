// Oracle tests: PPML-HDFE and OLS-HDFE against a plain GLM / OLS with
// explicit dummy variables (dense_reference.h), on small random problems with
// up to three fixed-effect dimensions, prior weights and an offset.
// Tolerances: coefficients 1e-8 relative, standard errors 1e-6 relative
// (iid, hetero, one-way and two-way clustered; Stata and fixest small-sample
// conventions, whose factors are written out here from their documentation).
#include <algorithm>
#include <cmath>
#include <random>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "dense_reference.h"
#include "rebalance/data/table.h"
#include "rebalance/econ/ppml.h"

namespace rebalance::econ {
namespace {

using testing::DenseFit;
using testing::DenseProblem;

struct Synthetic {
  data::Table table;
  DenseProblem problem;
  std::vector<int> cl1, cl2;
};

// n rows; fe_dims fixed effects with 12, 9 and 25 groups; x1, x2; y Poisson
// (or Gaussian) with weights in [0.5, 2] and an offset. sorted: rows ordered
// by the last dimension, so that its groups are runs of consecutive rows and
// the demeaning eliminates it exactly (demean.cc).
Synthetic MakeProblem(int n, int fe_dims, bool poisson, unsigned seed, bool sorted = false) {
  std::mt19937 rng(seed);
  std::normal_distribution<double> normal(0.0, 1.0);
  std::uniform_real_distribution<double> unif(0.5, 2.0);
  const int sizes[3] = {12, 9, 25};
  std::vector<std::vector<int>> ids(static_cast<size_t>(fe_dims));
  std::vector<std::vector<double>> effects(3);
  for (int q = 0; q < 3; ++q) {
    for (int g = 0; g < sizes[q]; ++g) effects[static_cast<size_t>(q)].push_back(0.5 * normal(rng));
  }
  std::vector<double> x1(static_cast<size_t>(n)), x2(static_cast<size_t>(n)),
      y(static_cast<size_t>(n)), w(static_cast<size_t>(n)), off(static_cast<size_t>(n));
  std::vector<int> cl1(static_cast<size_t>(n)), cl2(static_cast<size_t>(n));
  for (int i = 0; i < n; ++i) {
    double fe_sum = 0;
    for (int q = 0; q < fe_dims; ++q) {
      const int g = static_cast<int>(rng() % static_cast<unsigned>(sizes[q]));
      // Identifiers are not 0..G-1 so that dense recoding is exercised.
      ids[static_cast<size_t>(q)].push_back(100 + 7 * g);
      fe_sum += effects[static_cast<size_t>(q)][static_cast<size_t>(g)];
    }
    const size_t s = static_cast<size_t>(i);
    x1[s] = normal(rng) + (fe_dims > 0 ? 0.3 * fe_sum : 0.0);
    x2[s] = normal(rng) > 0.5 ? 1.0 : 0.0;
    w[s] = unif(rng);
    off[s] = 0.2 * normal(rng);
    cl1[s] = static_cast<int>(rng() % 40u);
    cl2[s] = static_cast<int>(rng() % 30u);
    const double eta = 0.7 + 0.4 * x1[s] - 0.3 * x2[s] + fe_sum + off[s];
    if (poisson) {
      std::poisson_distribution<int> pois(std::exp(eta));
      y[s] = pois(rng);
    } else {
      y[s] = eta + normal(rng);
    }
  }
  if (sorted && fe_dims > 0) {
    std::vector<size_t> order(static_cast<size_t>(n));
    for (size_t i = 0; i < order.size(); ++i) order[i] = i;
    const auto& last = ids[static_cast<size_t>(fe_dims - 1)];
    std::stable_sort(order.begin(), order.end(),
                     [&](size_t a, size_t b) { return last[a] < last[b]; });
    auto permute = [&](auto& v) {
      auto copy = v;
      for (size_t i = 0; i < order.size(); ++i) v[i] = copy[order[i]];
    };
    permute(x1), permute(x2), permute(y), permute(w), permute(off), permute(cl1), permute(cl2);
    for (auto& v : ids) permute(v);
  }
  Synthetic out;
  auto& t = out.table;
  EXPECT_TRUE(t.AddColumn(data::Table::F64Column("y", y)).ok());
  EXPECT_TRUE(t.AddColumn(data::Table::F64Column("x1", x1)).ok());
  EXPECT_TRUE(t.AddColumn(data::Table::F64Column("x2", x2)).ok());
  EXPECT_TRUE(t.AddColumn(data::Table::F64Column("w", w)).ok());
  EXPECT_TRUE(t.AddColumn(data::Table::F64Column("off", off)).ok());
  for (int q = 0; q < fe_dims; ++q) {
    std::vector<int64_t> v(ids[static_cast<size_t>(q)].begin(), ids[static_cast<size_t>(q)].end());
    EXPECT_TRUE(t.AddColumn(data::Table::I64Column(fmt::format("f{}", q + 1), v)).ok());
  }
  EXPECT_TRUE(
      t.AddColumn(data::Table::I64Column("c1", std::vector<int64_t>(cl1.begin(), cl1.end()))).ok());
  EXPECT_TRUE(
      t.AddColumn(data::Table::I64Column("c2", std::vector<int64_t>(cl2.begin(), cl2.end()))).ok());
  auto& p = out.problem;
  p.poisson = poisson;
  p.y = Eigen::Map<Eigen::VectorXd>(y.data(), n);
  p.x.resize(n, 2);
  p.x.col(0) = Eigen::Map<Eigen::VectorXd>(x1.data(), n);
  p.x.col(1) = Eigen::Map<Eigen::VectorXd>(x2.data(), n);
  p.w = Eigen::Map<Eigen::VectorXd>(w.data(), n);
  p.offset = Eigen::Map<Eigen::VectorXd>(off.data(), n);
  p.fe = ids;
  out.cl1 = cl1;
  out.cl2 = cl2;
  return out;
}

std::string FormulaFor(int fe_dims) {
  std::string f = "y ~ x1 + x2";
  for (int q = 0; q < fe_dims; ++q) f += (q ? " + " : " | ") + fmt::format("f{}", q + 1);
  return f;
}

// Reference variance of the regressors' block, with the documented factors.
Eigen::MatrixXd ReferenceVcov(const DenseFit& f, const Synthetic& s, const std::string& vcov,
                              SmallSample ssc, int k) {
  const double n = static_cast<double>(f.z.rows());
  const double kk = f.rank;
  const Eigen::MatrixXd bread = (f.z.transpose() * f.weights.asDiagonal() * f.z).inverse();
  const bool poisson = s.problem.poisson;
  const bool stata = ssc == SmallSample::kStata;
  Eigen::MatrixXd v;
  if (vcov == "iid") {
    if (poisson) {
      v = bread * (stata ? 1.0 : (n - 1) / (n - kk));
    } else {
      const double rss = (f.resid_score.array().square() / f.weights.array()).sum();
      v = bread * rss / (n - kk);
    }
  } else if (vcov == "hetero") {
    Eigen::MatrixXd meat = Eigen::MatrixXd::Zero(f.z.cols(), f.z.cols());
    for (int i = 0; i < f.z.rows(); ++i) {
      const Eigen::VectorXd si = f.z.row(i).transpose() * f.resid_score(i);
      meat += si * si.transpose();
    }
    v = bread * meat * bread * ((stata && poisson) ? n / (n - 1) : n / (n - kk));
  } else {
    const bool two = vcov == "cluster:c1+c2";
    Eigen::MatrixXd meat = testing::DenseMeat(f, {&s.cl1});
    double g = testing::CountGroups(s.cl1);
    if (two) {
      meat += testing::DenseMeat(f, {&s.cl2}) - testing::DenseMeat(f, {&s.cl1, &s.cl2});
      g = std::min<double>(g, testing::CountGroups(s.cl2));
    }
    double adj = g / (g - 1);
    if (!(stata && poisson)) adj *= (n - 1) / (n - kk);  // no FE nested in c1/c2
    v = bread * meat * bread * adj;
  }
  return v.topLeftCorner(k, k);
}

struct OracleCase {
  bool poisson;
  int fe_dims;
  unsigned seed;
  bool sorted = false;  // rows sorted by the last dimension (eliminated exactly)
};

class Oracle : public ::testing::TestWithParam<OracleCase> {};

TEST_P(Oracle, MatchesDummyVariableRegression) {
  const OracleCase c = GetParam();
  const Synthetic s = MakeProblem(2000, c.fe_dims, c.poisson, c.seed, c.sorted);
  const DenseFit ref = testing::FitDense(s.problem);
  for (const std::string vcov : {"iid", "hetero", "cluster:c1", "cluster:c1+c2"}) {
    for (SmallSample ssc : {SmallSample::kStata, SmallSample::kFixest}) {
      EstimateOptions opt;
      opt.formula = FormulaFor(c.fe_dims);
      opt.family = c.poisson ? Family::kPoisson : Family::kGaussian;
      opt.weights = "w";
      opt.offset = "off";
      opt.vcov = vcov;
      opt.ssc = ssc;
      opt.tolerance = 1e-13;
      opt.demean_tolerance = 1e-13;
      opt.threads = c.fe_dims == 3 ? 2 : 1;  // threaded reductions covered too
      auto res = Estimate(s.table, opt);
      ASSERT_TRUE(res.ok()) << res.status().ToString();
      ASSERT_TRUE(res->converged()) << res->message;
      ASSERT_EQ(res->nobs, 2000);
      ASSERT_EQ(res->coefficients.size(), 2u);
      EXPECT_EQ(res->num_fe_params + 2, ref.rank) << "dummy-matrix rank";
      const Eigen::MatrixXd v = ReferenceVcov(ref, s, vcov, ssc, 2);
      for (int j = 0; j < 2; ++j) {
        const auto& co = res->coefficients[static_cast<size_t>(j)];
        EXPECT_NEAR(co.estimate, ref.beta(j), 1e-8 * std::fabs(ref.beta(j)))
            << co.name << " " << vcov;
        const double se = std::sqrt(v(j, j));
        EXPECT_NEAR(co.std_error, se, 1e-6 * se) << co.name << " " << vcov << " " << ToString(ssc);
      }
      EXPECT_NEAR(res->vcov(0, 1), v(0, 1), 1e-6 * std::sqrt(v(0, 0) * v(1, 1)));
    }
  }
}

TEST_P(Oracle, FittedValuesAndFixedEffectsReproduceTheReference) {
  const OracleCase c = GetParam();
  const Synthetic s = MakeProblem(2000, c.fe_dims, c.poisson, c.seed + 100, c.sorted);
  const DenseFit ref = testing::FitDense(s.problem);
  EstimateOptions opt;
  opt.formula = FormulaFor(c.fe_dims);
  opt.family = c.poisson ? Family::kPoisson : Family::kGaussian;
  opt.weights = "w";
  opt.offset = "off";
  opt.tolerance = 1e-13;
  opt.demean_tolerance = 1e-13;
  auto res = Estimate(s.table, opt);
  ASSERT_TRUE(res.ok()) << res.status().ToString();
  ASSERT_EQ(res->fitted.size(), 2000u);
  for (int i = 0; i < 2000; ++i) {
    EXPECT_NEAR(res->fitted[static_cast<size_t>(i)], ref.mu(i), 1e-8 * (1 + std::fabs(ref.mu(i))));
  }
  // eta = x b + offset + sum of the reported fixed effects, row by row.
  const auto& t = s.table;
  for (int i = 0; i < 2000; ++i) {
    double eta = s.problem.offset(i);
    for (int j = 0; j < 2; ++j)
      eta += res->coefficients[static_cast<size_t>(j)].estimate * s.problem.x(i, j);
    for (size_t q = 0; q < res->fixed_effects.size(); ++q) {
      const auto& fe = res->fixed_effects[q];
      if (c.fe_dims == 0) {
        eta += fe.values[0];
        continue;
      }
      const std::string label = std::to_string(s.problem.fe[q][static_cast<size_t>(i)]);
      const auto it = std::find(fe.labels.begin(), fe.labels.end(), label);
      ASSERT_NE(it, fe.labels.end());
      eta += fe.values[static_cast<size_t>(it - fe.labels.begin())];
    }
    const double fitted = c.poisson ? std::exp(eta) : eta;
    EXPECT_NEAR(fitted, ref.mu(i), 1e-7 * (1 + std::fabs(ref.mu(i))));
  }
  // Normalisation: first group of every dimension after the first is 0.
  for (size_t q = 1; q < res->fixed_effects.size(); ++q) {
    EXPECT_EQ(res->fixed_effects[q].values[0], 0.0);
  }
  (void)t;
}

INSTANTIATE_TEST_SUITE_P(
    Ppml, Oracle,
    ::testing::Values(OracleCase{true, 0, 1}, OracleCase{true, 1, 2}, OracleCase{true, 2, 3},
                      OracleCase{true, 3, 4}, OracleCase{false, 0, 5}, OracleCase{false, 1, 6},
                      OracleCase{false, 2, 7}, OracleCase{false, 3, 8},
                      OracleCase{true, 2, 9, true}, OracleCase{true, 3, 10, true},
                      OracleCase{false, 3, 11, true}),
    [](const auto& info) {
      return fmt::format("{}Fe{}{}", info.param.poisson ? "Poisson" : "Gaussian",
                         info.param.fe_dims, info.param.sorted ? "SortedByLast" : "");
    });

}  // namespace
}  // namespace rebalance::econ
