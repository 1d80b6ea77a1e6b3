// Property and bad-input tests of Estimate().
// Properties: invariance to the order of the rows and to relabelling the
// fixed-effect identifiers (integers to strings, permuted); the JSON schema.
// Bad input: negative Poisson outcome, unknown column in the formula and in
// the filter, every observation dropped, iteration limit reached.
#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <random>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "rebalance/data/table.h"
#include "rebalance/econ/ppml.h"

namespace rebalance::econ {
namespace {

// A small gravity-like panel: 15 exporters x 15 importers x 4 years.
struct Panel {
  std::vector<int64_t> exp, imp, year;
  std::vector<double> y, dist, rta;
};

Panel MakePanel(unsigned seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<double> normal(0.0, 1.0);
  std::vector<double> a(15), b(15), px(15), py(15);
  for (int i = 0; i < 15; ++i) {
    a[static_cast<size_t>(i)] = normal(rng);
    b[static_cast<size_t>(i)] = normal(rng);
    px[static_cast<size_t>(i)] = 100 * (rng() % 1000) / 1000.0;
    py[static_cast<size_t>(i)] = 100 * (rng() % 1000) / 1000.0;
  }
  Panel p;
  for (int t = 0; t < 4; ++t)
    for (int i = 0; i < 15; ++i)
      for (int j = 0; j < 15; ++j) {
        if (i == j) continue;
        const double d = std::hypot(px[static_cast<size_t>(i)] - px[static_cast<size_t>(j)],
                                    py[static_cast<size_t>(i)] - py[static_cast<size_t>(j)]) +
                         1;
        const double rta = (rng() % 4 == 0) ? 1.0 : 0.0;
        const double eta = 2 + a[static_cast<size_t>(i)] + b[static_cast<size_t>(j)] + 0.1 * t -
                           0.8 * std::log(d) + 0.4 * rta;
        std::poisson_distribution<int> pois(std::exp(eta));
        p.exp.push_back(i);
        p.imp.push_back(j);
        p.year.push_back(2000 + t);
        p.y.push_back(pois(rng));
        p.dist.push_back(d);
        p.rta.push_back(rta);
      }
  return p;
}

data::Table ToTable(const Panel& p, const std::vector<size_t>& order, bool string_ids,
                    const std::vector<int>& relabel) {
  std::vector<double> y, dist, rta;
  std::vector<int64_t> exp, imp, year;
  std::vector<std::string> sexp, simp;
  for (size_t r : order) {
    y.push_back(p.y[r]);
    dist.push_back(p.dist[r]);
    rta.push_back(p.rta[r]);
    year.push_back(p.year[r]);
    const int e = relabel[static_cast<size_t>(p.exp[r])];
    const int m = relabel[static_cast<size_t>(p.imp[r])];
    exp.push_back(e);
    imp.push_back(m);
    sexp.push_back(fmt::format("C{}", e));
    simp.push_back(fmt::format("C{}", m));
  }
  data::Table t;
  EXPECT_TRUE(t.AddColumn(data::Table::F64Column("trade", y)).ok());
  EXPECT_TRUE(t.AddColumn(data::Table::F64Column("dist", dist)).ok());
  EXPECT_TRUE(t.AddColumn(data::Table::F64Column("rta", rta)).ok());
  EXPECT_TRUE(t.AddColumn(data::Table::I64Column("year", year)).ok());
  if (string_ids) {
    EXPECT_TRUE(t.AddColumn(data::Table::StringColumn("exporter", sexp)).ok());
    EXPECT_TRUE(t.AddColumn(data::Table::StringColumn("importer", simp)).ok());
  } else {
    EXPECT_TRUE(t.AddColumn(data::Table::I64Column("exporter", exp)).ok());
    EXPECT_TRUE(t.AddColumn(data::Table::I64Column("importer", imp)).ok());
  }
  return t;
}

EstimateOptions GravityOptions() {
  EstimateOptions opt;
  opt.formula = "trade ~ log(dist) + rta | exporter^year + importer^year";
  opt.vcov = "cluster:exporter+importer";
  opt.tolerance = 1e-12;
  opt.threads = 2;
  return opt;
}

TEST(Properties, InvariantToRowOrderAndIdentifierLabels) {
  const Panel p = MakePanel(11);
  std::vector<size_t> order(p.y.size());
  std::iota(order.begin(), order.end(), 0);
  std::vector<int> identity(15);
  std::iota(identity.begin(), identity.end(), 0);
  auto base = Estimate(ToTable(p, order, false, identity), GravityOptions());
  ASSERT_TRUE(base.ok()) << base.status().ToString();
  ASSERT_TRUE(base->converged());

  std::mt19937 rng(5);
  std::vector<size_t> shuffled = order;
  std::shuffle(shuffled.begin(), shuffled.end(), rng);
  std::vector<int> relabel = identity;
  std::shuffle(relabel.begin(), relabel.end(), rng);
  for (int& r : relabel) r = 1000 - 37 * r;
  for (bool strings : {false, true}) {
    auto other = Estimate(ToTable(p, shuffled, strings, relabel), GravityOptions());
    ASSERT_TRUE(other.ok()) << other.status().ToString();
    ASSERT_EQ(other->coefficients.size(), base->coefficients.size());
    EXPECT_EQ(other->nobs, base->nobs);
    EXPECT_EQ(other->dropped.separated, base->dropped.separated);
    for (size_t j = 0; j < base->coefficients.size(); ++j) {
      const auto& a = base->coefficients[j];
      const auto& b = other->coefficients[j];
      EXPECT_NEAR(a.estimate, b.estimate, 1e-9 * std::fabs(a.estimate)) << a.name;
      EXPECT_NEAR(a.std_error, b.std_error, 1e-7 * a.std_error) << a.name;
    }
    EXPECT_NEAR(other->deviance, base->deviance, 1e-9 * base->deviance);
    EXPECT_NEAR(other->loglik, base->loglik, 1e-9 * std::fabs(base->loglik));
  }
}

TEST(Properties, JsonHasTheStableSchema) {
  const Panel p = MakePanel(12);
  std::vector<size_t> order(p.y.size());
  std::iota(order.begin(), order.end(), 0);
  std::vector<int> identity(15);
  std::iota(identity.begin(), identity.end(), 0);
  auto res = Estimate(ToTable(p, order, true, identity), GravityOptions());
  ASSERT_TRUE(res.ok());
  const auto j = nlohmann::json::parse(res->ToJson());
  ASSERT_EQ(j["coefficients"].size(), 2u);
  EXPECT_EQ(j["coefficients"][0]["name"], "log(dist)");
  for (const char* key : {"name", "estimate", "std_error", "z", "p_value", "ci_low", "ci_high"}) {
    EXPECT_TRUE(j["coefficients"][0].contains(key)) << key;
  }
  for (const char* key : {"nobs", "dropped", "loglik", "deviance", "iterations", "converged",
                          "vcov_type", "vcov", "formula"}) {
    EXPECT_TRUE(j.contains(key)) << key;
  }
  for (const char* key : {"missing", "singleton", "separated", "filtered"}) {
    EXPECT_TRUE(j["dropped"].contains(key)) << key;
  }
  EXPECT_EQ(j["vcov_type"], "cluster:exporter+importer");
  EXPECT_EQ(j["vcov"]["matrix"].size(), 2u);
  EXPECT_DOUBLE_EQ(j["vcov"]["matrix"][0][0].get<double>(), res->vcov(0, 0));
  EXPECT_EQ(j["nobs"].get<int64_t>(), res->nobs);
  EXPECT_FALSE(res->FullReport().empty());
}

// ppmlhdfe's default: heteroskedasticity-robust errors, "robust" and "hc1"
// its synonyms; the table's first line says which errors it shows.
TEST(Properties, DefaultVcovIsHeteroAndRobustIsItsSynonym) {
  const Panel p = MakePanel(13);
  std::vector<size_t> order(p.y.size());
  std::iota(order.begin(), order.end(), 0);
  std::vector<int> identity(15);
  std::iota(identity.begin(), identity.end(), 0);
  const data::Table t = ToTable(p, order, false, identity);
  EstimateOptions opt = GravityOptions();
  opt.vcov = EstimateOptions().vcov;
  EXPECT_EQ(opt.vcov, "hetero");
  auto def = Estimate(t, opt);
  ASSERT_TRUE(def.ok()) << def.status().ToString();
  EXPECT_EQ(def->vcov_type, "hetero");
  const std::string report = def->FullReport();
  EXPECT_NE(report.substr(0, report.find('\n'))
                .find("standard errors hetero (heteroskedasticity-robust)"),
            std::string::npos)
      << report;
  for (const char* synonym : {"robust", "hc1"}) {
    opt.vcov = synonym;
    auto r = Estimate(t, opt);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_EQ(r->vcov_type, "hetero") << synonym;
    ASSERT_EQ(r->vcov.rows(), def->vcov.rows());
    EXPECT_EQ((r->vcov - def->vcov).cwiseAbs().maxCoeff(), 0.0) << synonym;
  }
  opt.vcov = "iid";
  auto iid = Estimate(t, opt);
  ASSERT_TRUE(iid.ok());
  const std::string iid_report = iid->FullReport();
  EXPECT_NE(iid_report.substr(0, iid_report.find('\n')).find("standard errors iid"),
            std::string::npos);
  EXPECT_NE(iid->vcov(0, 0), def->vcov(0, 0));
}

TEST(Properties, MissingAndFilteredRowsAreCounted) {
  data::Table t;
  std::vector<double> y = {1, 2, 0, 4, 5, 6, 7, 8};
  std::vector<double> x = {1, 2, 3, -1, 5, 6, 7, 8};  // log(-1) is missing
  std::vector<int64_t> g = {1, 1, 2, 2, 3, 3, 4, 4};
  std::vector<int64_t> yr = {1, 1, 1, 1, 1, 1, 2, 2};
  ASSERT_TRUE(t.AddColumn(data::Table::F64Column("y", y)).ok());
  ASSERT_TRUE(t.AddColumn(data::Table::F64Column("x", x)).ok());
  ASSERT_TRUE(t.AddColumn(data::Table::I64Column("g", g)).ok());
  ASSERT_TRUE(t.AddColumn(data::Table::I64Column("yr", yr)).ok());
  EstimateOptions opt;
  opt.formula = "y ~ log(x) | g";
  opt.where = "yr == 1";
  auto res = Estimate(t, opt);
  ASSERT_TRUE(res.ok()) << res.status().ToString();
  EXPECT_EQ(res->dropped.filtered, 2);
  EXPECT_EQ(res->dropped.missing, 1);
  // Group 2 is left with its y = 0 row only: separated, not a singleton.
  EXPECT_EQ(res->dropped.separated, 1);
  EXPECT_EQ(res->nobs, 4);
}

TEST(BadInput, NegativeOutcomeForPoisson) {
  data::Table t;
  ASSERT_TRUE(t.AddColumn(data::Table::F64Column("y", {1, -2, 3})).ok());
  ASSERT_TRUE(t.AddColumn(data::Table::F64Column("x", {1, 2, 3})).ok());
  t.source = "flows.csv";
  EstimateOptions opt;
  opt.formula = "y ~ x";
  auto res = Estimate(t, opt);
  ASSERT_FALSE(res.ok());
  EXPECT_EQ(res.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(res.status().message().find("row 2"), std::string::npos) << res.status().message();
  EXPECT_NE(res.status().message().find("negative"), std::string::npos);
  opt.family = Family::kGaussian;
  EXPECT_TRUE(Estimate(t, opt).ok());
}

// Issue 15: an infinite cell in a value column was dropped as "missing".
TEST(BadInput, InfiniteValueIsAnErrorNamingRowAndColumn) {
  const double inf = std::numeric_limits<double>::infinity();
  struct Case {
    std::vector<double> y, x, w;
    std::string want;
  };
  for (const Case& c :
       {Case{{1, 2, inf, 4, 5, 6}, {1, 2, 3, 4, 5, 6}, {1, 1, 1, 1, 1, 1}, "row 3: outcome 'y'"},
        Case{{1, 2, 3, 4, 5, 6},
             {1, -inf, 3, 4, 5, 6},
             {1, 1, 1, 1, 1, 1},
             "row 2: regressor column 'x'"},
        Case{{1, 2, 3, 4, 5, 6}, {1, 2, 3, 4, 5, 6}, {1, 1, 1, 1, 1, inf}, "row 6: weight 'w'"}}) {
    data::Table t;
    ASSERT_TRUE(t.AddColumn(data::Table::F64Column("y", c.y)).ok());
    ASSERT_TRUE(t.AddColumn(data::Table::F64Column("x", c.x)).ok());
    ASSERT_TRUE(t.AddColumn(data::Table::F64Column("w", c.w)).ok());
    EstimateOptions opt;
    opt.formula = "y ~ log(x)";
    opt.weights = "w";
    auto res = Estimate(t, opt);
    ASSERT_FALSE(res.ok()) << c.want;
    EXPECT_EQ(res.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(res.status().message().find(c.want), std::string::npos) << res.status().message();
    EXPECT_NE(res.status().message().find("infinite"), std::string::npos);
  }
  // NaN stays a missing value (dropped and counted), as documented.
  data::Table t;
  ASSERT_TRUE(t.AddColumn(data::Table::F64Column("y", {1, 2, std::nan(""), 4, 5, 7})).ok());
  ASSERT_TRUE(t.AddColumn(data::Table::F64Column("x", {1, 2, 3, 4, 5, 6})).ok());
  EstimateOptions opt;
  opt.formula = "y ~ x";
  auto res = Estimate(t, opt);
  ASSERT_TRUE(res.ok()) << res.status().ToString();
  EXPECT_EQ(res->dropped.missing, 1);
}

// Issue 15: ToJson threw (nlohmann) on a name that is not UTF-8; the
// formula text comes from the command line as typed.
TEST(EstimateJson, InvalidUtf8NameIsReplacedNotThrown) {
  EstimateResult res;
  res.formula = "y ~ log(d\xe9p)";
  res.message = "\xff";
  std::string text;
  ASSERT_NO_THROW(text = res.ToJson());
  const auto j = nlohmann::json::parse(text);
  EXPECT_EQ(j["formula"], "y ~ log(d\xef\xbf\xbdp)");
}

TEST(BadInput, UnknownColumnInFormulaOrFilter) {
  data::Table t;
  ASSERT_TRUE(t.AddColumn(data::Table::F64Column("trade", {1, 2, 3})).ok());
  ASSERT_TRUE(t.AddColumn(data::Table::F64Column("dist", {1, 2, 3})).ok());
  EstimateOptions opt;
  opt.formula = "trade ~ log(distance)";
  auto res = Estimate(t, opt);
  ASSERT_FALSE(res.ok());
  EXPECT_EQ(res.status().code(), StatusCode::kNotFound);
  EXPECT_NE(res.status().message().find("distance"), std::string::npos);
  EXPECT_NE(res.status().message().find("dist"), std::string::npos);
  opt.formula = "trade ~ dist | exporter";
  res = Estimate(t, opt);
  ASSERT_FALSE(res.ok());
  EXPECT_EQ(res.status().code(), StatusCode::kNotFound);
  opt.formula = "trade ~ dist";
  opt.where = "yaer == 1990";
  res = Estimate(t, opt);
  ASSERT_FALSE(res.ok());
  EXPECT_EQ(res.status().code(), StatusCode::kNotFound);
  EXPECT_NE(res.status().message().find("yaer"), std::string::npos);
  opt.where.clear();
  opt.vcov = "cluster:pair";
  res = Estimate(t, opt);
  ASSERT_FALSE(res.ok());
  EXPECT_EQ(res.status().code(), StatusCode::kNotFound);
  opt.vcov = "sandwich";
  res = Estimate(t, opt);
  ASSERT_FALSE(res.ok());
  EXPECT_EQ(res.status().code(), StatusCode::kInvalidArgument);
}

TEST(BadInput, EveryObservationDropped) {
  data::Table t;
  ASSERT_TRUE(t.AddColumn(data::Table::F64Column("y", {0, 0, 0, 0})).ok());
  ASSERT_TRUE(t.AddColumn(data::Table::F64Column("x", {1, 2, 3, 4})).ok());
  ASSERT_TRUE(t.AddColumn(data::Table::I64Column("g", {1, 1, 2, 2})).ok());
  EstimateOptions opt;
  opt.formula = "y ~ x | g";  // every group has y == 0: all separated
  auto res = Estimate(t, opt);
  ASSERT_FALSE(res.ok());
  EXPECT_EQ(res.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(res.status().message().find("4 separated"), std::string::npos)
      << res.status().message();
  opt.where = "x > 10";
  res = Estimate(t, opt);
  ASSERT_FALSE(res.ok());
  EXPECT_EQ(res.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(res.status().message().find("4 filtered"), std::string::npos) << res.status().message();
}

TEST(BadInput, IterationLimitIsReportedNotAResult) {
  const Panel p = MakePanel(13);
  std::vector<size_t> order(p.y.size());
  std::iota(order.begin(), order.end(), 0);
  std::vector<int> identity(15);
  std::iota(identity.begin(), identity.end(), 0);
  EstimateOptions opt = GravityOptions();
  opt.max_iterations = 2;
  auto res = Estimate(ToTable(p, order, false, identity), opt);
  ASSERT_TRUE(res.ok()) << res.status().ToString();
  EXPECT_EQ(res->termination, Termination::kMaxIterations);
  EXPECT_FALSE(res->converged());
  EXPECT_TRUE(res->coefficients.empty());
  EXPECT_NE(res->message.find("iteration limit"), std::string::npos) << res->message;
  const auto j = nlohmann::json::parse(res->ToJson());
  EXPECT_FALSE(j["converged"].get<bool>());
}

TEST(BadInput, InvalidOptions) {
  data::Table t;
  EstimateOptions opt;
  EXPECT_EQ(Estimate(t, opt).status().code(), StatusCode::kInvalidArgument);  // no formula
  opt.formula = "y ~ x";
  opt.tolerance = 0;
  EXPECT_EQ(Estimate(t, opt).status().code(), StatusCode::kInvalidArgument);
  EXPECT_FALSE(SmallSampleFromString("sas").ok());
  EXPECT_FALSE(FamilyFromString("binomial").ok());
}

TEST(Collinearity, RegressorAbsorbedByFixedEffectsIsDroppedWithANote) {
  const Panel p = MakePanel(14);
  std::vector<size_t> order(p.y.size());
  std::iota(order.begin(), order.end(), 0);
  std::vector<int> identity(15);
  std::iota(identity.begin(), identity.end(), 0);
  data::Table t = ToTable(p, order, false, identity);
  std::vector<double> yr(p.year.begin(), p.year.end());
  ASSERT_TRUE(t.AddColumn(data::Table::F64Column("yr", yr)).ok());
  EstimateOptions opt = GravityOptions();
  opt.formula = "trade ~ log(dist) + yr + rta | exporter^year + importer^year";
  auto res = Estimate(t, opt);
  ASSERT_TRUE(res.ok()) << res.status().ToString();
  ASSERT_EQ(res->collinear.size(), 1u);
  EXPECT_EQ(res->collinear[0], "yr");
  ASSERT_EQ(res->coefficients.size(), 2u);
  auto ref = Estimate(t, GravityOptions());
  ASSERT_TRUE(ref.ok());
  EXPECT_NEAR(res->coefficients[1].estimate, ref->coefficients[1].estimate, 1e-9);
  EXPECT_NE(res->FullReport().find("collinear"), std::string::npos);
}

}  // namespace
}  // namespace rebalance::econ

namespace rebalance::econ {
namespace {

// Estimate(Table&&) frees the table's columns as it goes: the same results as
// Estimate(const Table&), bit for bit, whatever the options that decide which
// columns are read again (labels, regressors, an outcome that is also an
// identifier or a weight, a filter that makes the outcome a copy).
TEST(Properties, ConsumingTheTableGivesTheSameResults) {
  const Panel p = MakePanel(23);
  std::vector<size_t> order(p.y.size());
  std::iota(order.begin(), order.end(), 0);
  std::vector<int> identity(15);
  std::iota(identity.begin(), identity.end(), 0);
  std::vector<EstimateOptions> cases;
  cases.push_back(GravityOptions());
  {
    EstimateOptions o = GravityOptions();
    o.keep_fixed_effects = false;
    o.keep_fitted = false;
    o.vcov = "hetero";
    cases.push_back(o);
    o.where = "year >= 2001";
    o.weights = "trade";
    cases.push_back(o);
    o.where.clear();
    o.weights.clear();
    o.vcov = "cluster:trade";  // the outcome as a cluster identifier
    cases.push_back(o);
    o.vcov = "hetero";
    o.formula = "trade ~ log(dist) + rta | exporter + importer + year";
    o.threads = 1;
    cases.push_back(o);
  }
  for (const auto& opt : cases) {
    for (const bool strings : {false, true}) {
      const data::Table kept = ToTable(p, order, strings, identity);
      auto a = Estimate(kept, opt);
      data::Table given = ToTable(p, order, strings, identity);
      auto b = Estimate(std::move(given), opt);
      ASSERT_TRUE(a.ok()) << a.status().ToString();
      ASSERT_TRUE(b.ok()) << b.status().ToString();
      const std::string what = opt.formula + " " + opt.vcov + " " + opt.where;
      EXPECT_EQ(a->ToJson(), b->ToJson()) << what;
      ASSERT_EQ(a->coefficients.size(), b->coefficients.size());
      for (size_t j = 0; j < a->coefficients.size(); ++j) {
        EXPECT_EQ(a->coefficients[j].estimate, b->coefficients[j].estimate) << what;
        EXPECT_EQ(a->coefficients[j].std_error, b->coefficients[j].std_error) << what;
      }
      EXPECT_EQ(a->fitted, b->fitted) << what;
      EXPECT_EQ(a->sample_rows, b->sample_rows) << what;
      ASSERT_EQ(a->fixed_effects.size(), b->fixed_effects.size()) << what;
      for (size_t q = 0; q < a->fixed_effects.size(); ++q) {
        EXPECT_EQ(a->fixed_effects[q].labels, b->fixed_effects[q].labels) << what;
        EXPECT_EQ(a->fixed_effects[q].values, b->fixed_effects[q].values) << what;
      }
    }
  }
}

}  // namespace
}  // namespace rebalance::econ
