// Oracle tests of the formula language end to end: interactions (a*b, a:b),
// functions (log, exp, sqrt, log1p), powers I(x^2) and factor dummies
// i(f), i(f, x, ref = level) estimated by PPML-HDFE and OLS-HDFE against a
// plain GLM / OLS whose design matrix is built here by hand, column by
// column, from the raw data (dense_reference.h). Tolerances as in
// oracle_test.cc: coefficients 1e-8 relative, robust standard errors 1e-6.
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

struct Data {
  data::Table table;
  std::vector<double> x1, x2, x3, x4, x5, rta, y;
  std::vector<int64_t> year;
  std::vector<std::string> iso;
  std::vector<int> f1;
};

Data MakeData(int n, bool poisson, unsigned seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<double> normal(0.0, 1.0);
  std::uniform_real_distribution<double> unif(0.5, 3.0);
  const std::vector<int64_t> years = {1986, 1990, 1994, 1998};
  const std::vector<std::string> isos = {"CAN", "MEX", "USA"};
  std::vector<double> effects;
  for (int g = 0; g < 12; ++g) effects.push_back(0.4 * normal(rng));
  Data d;
  for (int i = 0; i < n; ++i) {
    const int g = static_cast<int>(rng() % 12u);
    const double x1 = normal(rng), x2 = unif(rng), x3 = unif(rng), x4 = unif(rng);
    const double x5 = 0.5 * normal(rng);
    const double rta = normal(rng) > 0.3 ? 1.0 : 0.0;
    const size_t yi = rng() % years.size(), ci = rng() % isos.size();
    const double eta = 0.5 + 0.3 * x1 - 0.2 * rta + 0.1 * x1 * rta - 0.05 * x1 * x1 +
                       0.3 * std::log(x2) - 0.2 * std::sqrt(x3) + 0.2 * std::log1p(x4) +
                       0.1 * std::exp(x5) + 0.1 * static_cast<double>(yi) * rta +
                       (ci == 1 ? 0.2 : 0.0) + effects[static_cast<size_t>(g)];
    double y;
    if (poisson) {
      std::poisson_distribution<int> pois(std::exp(eta));
      y = pois(rng);
    } else {
      y = eta + normal(rng);
    }
    d.x1.push_back(x1), d.x2.push_back(x2), d.x3.push_back(x3), d.x4.push_back(x4);
    d.x5.push_back(x5), d.rta.push_back(rta), d.y.push_back(y);
    d.year.push_back(years[yi]), d.iso.push_back(isos[ci]), d.f1.push_back(100 + 3 * g);
  }
  auto& t = d.table;
  EXPECT_TRUE(t.AddColumn(data::Table::F64Column("y", d.y)).ok());
  EXPECT_TRUE(t.AddColumn(data::Table::F64Column("x1", d.x1)).ok());
  EXPECT_TRUE(t.AddColumn(data::Table::F64Column("x2", d.x2)).ok());
  EXPECT_TRUE(t.AddColumn(data::Table::F64Column("x3", d.x3)).ok());
  EXPECT_TRUE(t.AddColumn(data::Table::F64Column("x4", d.x4)).ok());
  EXPECT_TRUE(t.AddColumn(data::Table::F64Column("x5", d.x5)).ok());
  EXPECT_TRUE(t.AddColumn(data::Table::F64Column("rta", d.rta)).ok());
  EXPECT_TRUE(t.AddColumn(data::Table::I64Column("year", d.year)).ok());
  EXPECT_TRUE(t.AddColumn(data::Table::StringColumn("iso", d.iso)).ok());
  EXPECT_TRUE(
      t.AddColumn(data::Table::I64Column("f1", std::vector<int64_t>(d.f1.begin(), d.f1.end())))
          .ok());
  return d;
}

// The design matrix of kFormula written out by hand, in R's term order
// (main effects first, then the degree-2 interaction), with its names.
const char* kFormula =
    "y ~ x1*rta + I(x1^2) + log(x2) + sqrt(x3) + log1p(x4) + exp(x5) + "
    "i(year, rta, ref = 1990) + i(iso, ref = \"CAN\")";

Eigen::MatrixXd HandDesign(const Data& d, std::vector<std::string>* names) {
  *names = {"x1",        "rta",      "I(x1^2)",        "log(x2)",        "sqrt(x3)",
            "log1p(x4)", "exp(x5)",  "year::1986:rta", "year::1994:rta", "year::1998:rta",
            "iso::MEX",  "iso::USA", "x1:rta"};
  const int n = static_cast<int>(d.y.size());
  Eigen::MatrixXd x(n, static_cast<Eigen::Index>(names->size()));
  for (int i = 0; i < n; ++i) {
    const size_t s = static_cast<size_t>(i);
    x(i, 0) = d.x1[s];
    x(i, 1) = d.rta[s];
    x(i, 2) = d.x1[s] * d.x1[s];
    x(i, 3) = std::log(d.x2[s]);
    x(i, 4) = std::sqrt(d.x3[s]);
    x(i, 5) = std::log1p(d.x4[s]);
    x(i, 6) = std::exp(d.x5[s]);
    x(i, 7) = d.year[s] == 1986 ? d.rta[s] : 0.0;
    x(i, 8) = d.year[s] == 1994 ? d.rta[s] : 0.0;
    x(i, 9) = d.year[s] == 1998 ? d.rta[s] : 0.0;
    x(i, 10) = d.iso[s] == "MEX" ? 1.0 : 0.0;
    x(i, 11) = d.iso[s] == "USA" ? 1.0 : 0.0;
    x(i, 12) = d.x1[s] * d.rta[s];
  }
  return x;
}

struct Case {
  bool poisson;
  bool fixed_effect;
};

class FormulaOracle : public ::testing::TestWithParam<Case> {};

TEST_P(FormulaOracle, MatchesHandBuiltDesign) {
  const Case c = GetParam();
  const Data d = MakeData(1500, c.poisson, c.poisson ? 11u : 12u);
  DenseProblem p;
  p.poisson = c.poisson;
  p.y = Eigen::Map<const Eigen::VectorXd>(d.y.data(), static_cast<Eigen::Index>(d.y.size()));
  std::vector<std::string> names;
  p.x = HandDesign(d, &names);
  if (c.fixed_effect) p.fe = {d.f1};
  const DenseFit ref = testing::FitDense(p);
  const int k = static_cast<int>(names.size());

  EstimateOptions opt;
  opt.formula = std::string(kFormula) + (c.fixed_effect ? " | f1" : "");
  opt.family = c.poisson ? Family::kPoisson : Family::kGaussian;
  opt.vcov = "hetero";
  opt.ssc = SmallSample::kFixest;
  opt.tolerance = 1e-13;
  opt.demean_tolerance = 1e-13;
  auto res = Estimate(d.table, opt);
  ASSERT_TRUE(res.ok()) << res.status().ToString();
  ASSERT_TRUE(res->converged()) << res->message;
  ASSERT_EQ(res->coefficients.size(), names.size());
  EXPECT_TRUE(res->collinear.empty());

  // Robust variance of the reference, fixest's small-sample factor n/(n-K).
  const double n = static_cast<double>(ref.z.rows());
  const Eigen::MatrixXd bread = (ref.z.transpose() * ref.weights.asDiagonal() * ref.z).inverse();
  Eigen::MatrixXd meat = Eigen::MatrixXd::Zero(ref.z.cols(), ref.z.cols());
  for (int i = 0; i < ref.z.rows(); ++i) {
    const Eigen::VectorXd si = ref.z.row(i).transpose() * ref.resid_score(i);
    meat += si * si.transpose();
  }
  const Eigen::MatrixXd v = bread * meat * bread * (n / (n - ref.rank));
  for (int j = 0; j < k; ++j) {
    const auto& co = res->coefficients[static_cast<size_t>(j)];
    EXPECT_EQ(co.name, names[static_cast<size_t>(j)]);
    EXPECT_NEAR(co.estimate, ref.beta(j), 1e-8 * std::max(1.0, std::fabs(ref.beta(j)))) << co.name;
    const double se = std::sqrt(v(j, j));
    EXPECT_NEAR(co.std_error, se, 1e-6 * se) << co.name;
  }
}

INSTANTIATE_TEST_SUITE_P(Families, FormulaOracle,
                         ::testing::Values(Case{true, true}, Case{true, false}, Case{false, true},
                                           Case{false, false}));

// i(f) without a reference level next to the intercept: the dummies and the
// constant are collinear, one dummy is reported as collinear and the fit
// equals the fit with that level as the reference.
TEST(FormulaOracle, FullDummySetLosesOneToCollinearity) {
  const Data d = MakeData(800, true, 21u);
  EstimateOptions full, refd;
  full.formula = "y ~ x1 + i(iso)";
  full.tolerance = refd.tolerance = 1e-13;
  auto a = Estimate(d.table, full);
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  ASSERT_EQ(a->collinear.size(), 1u);
  const std::string dropped = a->collinear[0];
  ASSERT_EQ(dropped.rfind("iso::", 0), 0u) << dropped;
  refd.formula = fmt::format("y ~ x1 + i(iso, ref = \"{}\")", dropped.substr(5));
  auto b = Estimate(d.table, refd);
  ASSERT_TRUE(b.ok()) << b.status().ToString();
  ASSERT_EQ(a->coefficients.size(), b->coefficients.size());
  for (size_t j = 0; j < a->coefficients.size(); ++j) {
    EXPECT_EQ(a->coefficients[j].name, b->coefficients[j].name);
    EXPECT_NEAR(a->coefficients[j].estimate, b->coefficients[j].estimate, 1e-8);
  }
}

}  // namespace
}  // namespace rebalance::econ
