// Iterations are data: the estimation records every step in
// EstimateResult::iteration_log and hands the same records to the callback,
// and the records agree with the result's own counts.
#include <cmath>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "rebalance/data/table.h"
#include "rebalance/econ/ppml.h"

namespace rebalance::econ {
namespace {

// 40 pairs of 8 exporters x 5 importers, with zeros (so the rectifier runs).
data::Table SmallGravity() {
  std::vector<std::string> ex, im;
  std::vector<double> y, d;
  for (int i = 0; i < 8; ++i) {
    for (int j = 0; j < 5; ++j) {
      ex.push_back("e" + std::to_string(i));
      im.push_back("m" + std::to_string(j));
      const double dist = 1.0 + std::fabs(i - 2.0 * j) + 0.1 * ((i * 7 + j * 3) % 5);
      d.push_back(dist);
      y.push_back((i + j) % 7 == 0 ? 0.0 : std::exp(3.0 - 0.8 * std::log(dist) + 0.1 * (i % 3)));
    }
  }
  data::Table t;
  EXPECT_TRUE(t.AddColumn(data::Table::StringColumn("exporter", ex)).ok());
  EXPECT_TRUE(t.AddColumn(data::Table::StringColumn("importer", im)).ok());
  EXPECT_TRUE(t.AddColumn(data::Table::F64Column("trade", y)).ok());
  EXPECT_TRUE(t.AddColumn(data::Table::F64Column("dist", d)).ok());
  return t;
}

TEST(IterationLogTest, RecordsEveryStepAndCallsTheCallback) {
  EstimateOptions opt;
  opt.formula = "trade ~ log(dist) | exporter + importer";
  // Without fixed-effect recovery every demeaning iteration is an IRLS step's.
  opt.keep_fixed_effects = false;
  std::vector<IterationRecord> seen;
  opt.iteration_callback = [&](const IterationRecord& r) { seen.push_back(r); };
  auto res = Estimate(SmallGravity(), opt);
  ASSERT_TRUE(res.ok()) << res.status().ToString();
  ASSERT_TRUE(res->converged()) << res->message;
  const auto& log = res->iteration_log;
  ASSERT_EQ(seen.size(), log.size());
  int irls = 0, samples = 0;
  double last_deviance = NAN;
  int64_t inner = 0;
  for (size_t i = 0; i < log.size(); ++i) {
    EXPECT_EQ(seen[i].text, log[i].text);
    EXPECT_FALSE(log[i].text.empty());
    EXPECT_EQ(log[i].text.find('\n'), std::string::npos);
    if (i > 0) EXPECT_GE(log[i].seconds, log[i - 1].seconds);
    if (log[i].kind == IterationRecord::Kind::kIrls) {
      ++irls;
      EXPECT_EQ(log[i].step, irls);
      last_deviance = log[i].deviance;
      inner += log[i].inner_iterations;
      EXPECT_EQ(log[i].text.rfind("IRLS step", 0), 0u) << log[i].text;
    }
    if (log[i].kind == IterationRecord::Kind::kSample) {
      ++samples;
      EXPECT_NE(log[i].text.find(std::to_string(res->nobs) + " observations"), std::string::npos);
    }
  }
  EXPECT_EQ(samples, 1);
  EXPECT_EQ(irls, res->iterations);
  EXPECT_EQ(last_deviance, res->deviance);
  EXPECT_EQ(inner, res->demean_iterations);
  EXPECT_EQ(log.back().kind, IterationRecord::Kind::kPhase);
  EXPECT_NE(log.back().text.find("fixed effects recovered"), std::string::npos);
}

TEST(IterationLogTest, RecordsWithoutACallback) {
  EstimateOptions opt;
  opt.formula = "trade ~ log(dist) | exporter + importer";
  auto res = Estimate(SmallGravity(), opt);
  ASSERT_TRUE(res.ok()) << res.status().ToString();
  EXPECT_FALSE(res->iteration_log.empty());
}

}  // namespace
}  // namespace rebalance::econ
