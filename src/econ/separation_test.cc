// Separation: the 18 benchmark datasets of Correia, Guimarães & Zylkin
// (ppmlhdfe's test/separation_datasets), whose `separated` column is the
// ground truth. Every regressor (x1..x4) and identifier (id1..id3) present in
// a file is used: y ~ x... | id... (an intercept when there is no id).
#include <cmath>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "rebalance/data/csv.h"
#include "rebalance/econ/ppml.h"

namespace rebalance::econ {
namespace {

class SeparationBenchmark : public ::testing::TestWithParam<int> {};

TEST_P(SeparationBenchmark, DropsExactlyTheSeparatedObservations) {
  const std::string path =
      fmt::format("{}/ppmlhdfe_separation/{:02d}.csv", REBALANCE_DATA_DIR, GetParam());
  auto table = data::ReadCsv(path);
  ASSERT_TRUE(table.ok()) << table.status().ToString();
  std::vector<std::string> xs, ids;
  for (const auto& c : table->columns()) {
    if (c.name.rfind("x", 0) == 0) xs.push_back(c.name);
    if (c.name.rfind("id", 0) == 0) ids.push_back(c.name);
  }
  std::string formula = "y ~ ";
  if (xs.empty()) formula += "1";
  for (size_t i = 0; i < xs.size(); ++i) formula += (i ? " + " : "") + xs[i];
  if (!ids.empty()) {
    formula += " | ";
    for (size_t i = 0; i < ids.size(); ++i) formula += (i ? " + " : "") + ids[i];
  }
  EstimateOptions opt;
  opt.formula = formula;
  opt.threads = 1;
  auto res = Estimate(*table, opt);
  ASSERT_TRUE(res.ok()) << formula << ": " << res.status().ToString();
  EXPECT_TRUE(res->converged()) << res->message;

  auto sep = table->GetColumn("separated");
  ASSERT_TRUE(sep.ok());
  std::vector<int64_t> expected;
  for (int64_t r = 0; r < table->num_rows(); ++r) {
    if ((*sep)->AsDouble(r) == 1) expected.push_back(r);
  }
  EXPECT_EQ(res->separated_rows, expected) << formula;
  EXPECT_EQ(res->dropped.separated, static_cast<int64_t>(expected.size()));
  for (const auto& c : res->coefficients) {
    EXPECT_TRUE(std::isfinite(c.estimate)) << c.name;
    EXPECT_TRUE(std::isfinite(c.std_error)) << c.name;
    EXPECT_LT(std::fabs(c.estimate), 1e3) << c.name;
  }
  EXPECT_TRUE(std::isfinite(res->deviance));
  for (const auto& fe : res->fixed_effects) {
    for (double v : fe.values) EXPECT_TRUE(std::isfinite(v));
  }
}

INSTANTIATE_TEST_SUITE_P(Ppmlhdfe, SeparationBenchmark, ::testing::Range(1, 19),
                         [](const auto& info) { return fmt::format("File{:02d}", info.param); });

}  // namespace
}  // namespace rebalance::econ
