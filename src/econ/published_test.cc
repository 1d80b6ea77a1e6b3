// Published: Yotov, Piermartini, Monteiro & Larch (2016), "An Advanced Guide
// to Trade Policy Analysis", chapter 1, application 1 (traditional gravity,
// PPML column of Table 1): years 1986, 1990, ..., 2006, international flows,
// exporter-year and importer-year fixed effects, standard errors clustered by
// pair. Printed: ln DIST -0.841 (0.032), CNTG 0.437 (0.083), LANG 0.247
// (0.077), CLNY -0.222 (0.116), N = 28,152.
#include <cmath>
#include <map>
#include <string>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "rebalance/data/csv.h"
#include "rebalance/econ/ppml.h"

namespace rebalance::econ {
namespace {

// True when `value` prints as `printed` with 3 decimals.
::testing::AssertionResult PrintsAs(double value, double printed) {
  const std::string a = fmt::format("{:.3f}", value);
  const std::string b = fmt::format("{:.3f}", printed);
  if (a == b) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure()
         << fmt::format("{:.6f} prints as {}, published {}", value, a, b);
}

TEST(Published, YotovChapter1Application1Ppml) {
  auto table =
      data::ReadCsv(std::string(REBALANCE_DATA_DIR) + "/yotov2016_agtpa/agtpa_applications.csv.gz");
  ASSERT_TRUE(table.ok()) << table.status().ToString();
  EstimateOptions opt;
  opt.formula = "trade ~ log(dist) + cntg + lang + clny | exporter^year + importer^year";
  opt.where = "year in {1986, 1990, 1994, 1998, 2002, 2006} && exporter != importer";
  opt.vcov = "cluster:pair_id";
  auto res = Estimate(*table, opt);
  ASSERT_TRUE(res.ok()) << res.status().ToString();
  ASSERT_TRUE(res->converged()) << res->message;
  EXPECT_EQ(res->nobs, 28152);
  std::map<std::string, std::pair<double, double>> published = {{"log(dist)", {-0.841, 0.032}},
                                                                {"cntg", {0.437, 0.083}},
                                                                {"lang", {0.247, 0.077}},
                                                                {"clny", {-0.222, 0.116}}};
  ASSERT_EQ(res->coefficients.size(), 4u);
  for (const auto& c : res->coefficients) {
    ASSERT_TRUE(published.count(c.name)) << c.name;
    EXPECT_TRUE(PrintsAs(c.estimate, published[c.name].first)) << c.name;
    EXPECT_TRUE(PrintsAs(c.std_error, published[c.name].second)) << c.name;
  }
}

}  // namespace
}  // namespace rebalance::econ
