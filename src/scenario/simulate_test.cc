// scenario::Simulate (simulate.h): a theta file replaces CP's elasticities,
// no shock gives no change, and CP's NAFTA experiment needs a CP source.
#include "rebalance/scenario/simulate.h"

#include <cmath>
#include <filesystem>
#include <fstream>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "rebalance/scenario/baseline_files.h"

namespace rebalance::scenario {
namespace {

const std::string kCp = std::string(REBALANCE_DATA_DIR) + "/caliendo_parro2015/original_matrices";

TEST(Simulate, ThetaFileReplacesCpElasticitiesAndNoShockChangesNothing) {
  auto raw = ReadCpMatrices(kCp);
  ASSERT_TRUE(raw.ok()) << raw.status().message();
  const auto path = std::filesystem::temp_directory_path() / "rebalance_simulate_theta.csv";
  {
    std::ofstream f(path);
    f << "sector,theta\n";
    for (const auto& s : raw->sectors) f << '"' << s << "\",5\n";
  }
  SimulateOptions o;
  o.baseline.kind = BaselineKind::kCp;
  o.baseline.path = kCp;
  o.baseline.theta = path.string();
  o.bilateral = false;
  auto r = Simulate(o);
  ASSERT_TRUE(r.ok()) << r.status().message();
  ASSERT_EQ(r->loaded.baseline.theta.size(), raw->sectors.size());
  for (double t : r->loaded.baseline.theta) EXPECT_EQ(t, 5.0);
  EXPECT_NE(raw->theta.front(), 5.0);  // CP's own T.txt differs: the file was applied
  EXPECT_FALSE(r->loaded.zero_deficit_solution.has_value());
  EXPECT_TRUE(r->loaded.base_year_solution.converged());
  // No shock: every welfare and real-wage change is zero (to the solver's tolerance).
  for (size_t n = 0; n < r->solution.welfare_hat.size(); ++n) {
    EXPECT_NEAR(r->solution.welfare_hat[n], 1.0, 1e-9);
    EXPECT_NEAR(r->solution.real_wage_hat[n], 1.0, 1e-9);
  }
  EXPECT_GT(r->table.rows.size(), 0u);
}

TEST(Simulate, CpNaftaNeedsACpSource) {
  SimulateOptions o;
  o.baseline.kind = BaselineKind::kWiod;
  o.baseline.path = "wiot2011.csv.gz";
  o.cp_nafta = true;
  auto r = Simulate(o);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(r.status().message(), ::testing::HasSubstr("Caliendo-Parro baseline"));
}

}  // namespace
}  // namespace rebalance::scenario
