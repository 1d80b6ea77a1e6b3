#include "rebalance/scenario/sweep.h"

#include <unistd.h>
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <set>
#include <string>

#include <gtest/gtest.h>

namespace rebalance::scenario {
namespace {

namespace fs = std::filesystem;

std::string WriteTemp(const std::string& name, const std::string& text) {
  const fs::path dir =
      fs::temp_directory_path() / ("rebalance_sweep_test_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  const fs::path p = dir / name;
  std::ofstream(p) << text;
  return p.string();
}

// world2011 theta with a standard error of `se_scale` * theta.
std::string ThetaFile(double se_scale) {
  const std::string base = std::string(REBALANCE_SOURCE_DIR) + "/data/world2011/theta.csv";
  std::ifstream in(base);
  std::string line, out = "sector,theta,se\n";
  std::getline(in, line);
  while (std::getline(in, line)) {
    const auto comma = line.rfind(',');
    const double theta = std::stod(line.substr(comma + 1));
    out += line + "," + std::to_string(se_scale * theta) + "\n";
  }
  return WriteTemp("theta_se_" + std::to_string(se_scale) + ".csv", out);
}

ScenarioFile SmallFile() {
  auto f = ParseScenario(R"(
[baseline]
builtin = "world2011"
[[scenario]]
name = "tariff"
shocks = [ { tariff = { importer = "USA", exporter = "CHN", sectors = ["Transport equipment"], add = 0.5 } } ]
)",
                         std::string(REBALANCE_SOURCE_DIR) + "/data/world2011/test.toml");
  EXPECT_TRUE(f.ok()) << f.status().ToString();
  return *f;
}

TEST(Sweep, ZeroVarianceDrawsReproduceThePointExactly) {
  SweepOptions opt;
  opt.draws = 3;
  opt.theta_file = ThetaFile(0.0);
  opt.threads = 2;
  auto r = RunSweep(SmallFile(), opt);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->draws_failed, 0);
  ASSERT_EQ(r->bands.size(), r->point.results.rows.size());
  int compared = 0;
  for (size_t i = 0; i < r->bands.size(); ++i) {
    const double p = r->point.results.rows[i].pct_change;
    if (!std::isfinite(p)) continue;
    EXPECT_EQ(r->bands[i].mean, p) << i;  // bit for bit
    EXPECT_EQ(r->bands[i].p05, p);
    EXPECT_EQ(r->bands[i].p95, p);
    EXPECT_EQ(r->bands[i].sd, 0.0);
    ++compared;
  }
  EXPECT_GT(compared, 100);
  // Bilateral rows are kept, with bands, for the pair the scenario names
  // (both directions) and no other.
  int bilateral = 0;
  for (const auto& row : r->point.results.rows) {
    if (row.partner.empty()) continue;
    ++bilateral;
    EXPECT_TRUE((row.country == "USA" && row.partner == "CHN") ||
                (row.country == "CHN" && row.partner == "USA"))
        << row.country << "-" << row.partner;
  }
  EXPECT_GT(bilateral, 10);
  opt.bilateral = SweepBilateral::kNone;
  auto none = RunSweep(SmallFile(), opt);
  ASSERT_TRUE(none.ok());
  for (const auto& row : none->point.results.rows) EXPECT_TRUE(row.partner.empty());
  EXPECT_EQ(none->point.results.rows.size() + static_cast<size_t>(bilateral),
            r->point.results.rows.size());
}

TEST(Sweep, BandsDoNotDependOnThreadsOrSlicing) {
  SweepOptions opt;
  opt.draws = 8;
  opt.seed = 42;
  opt.theta_file = ThetaFile(0.1);
  opt.threads = 1;
  const ScenarioFile file = SmallFile();
  auto one = RunSweep(file, opt);
  ASSERT_TRUE(one.ok()) << one.status().ToString();
  opt.threads = 2;
  auto two = RunSweep(file, opt);
  ASSERT_TRUE(two.ok());
  // The same draws split in three slices, as MPI ranks would.
  auto point = PrepareSweep(file, opt);
  ASSERT_TRUE(point.ok());
  std::vector<DrawSlice> slices;
  for (auto [b, e] : {std::pair<int64_t, int64_t>{5, 8}, {0, 2}, {2, 5}}) {
    auto s = RunDraws(*point, file, opt, b, e);
    ASSERT_TRUE(s.ok());
    slices.push_back(*s);
  }
  auto sliced = SummarizeDraws(slices, point->results.rows.size());
  ASSERT_TRUE(sliced.ok());
  ASSERT_EQ(one->bands.size(), two->bands.size());
  bool any_spread = false;
  for (size_t i = 0; i < one->bands.size(); ++i) {
    EXPECT_EQ(one->bands[i].mean, two->bands[i].mean);
    EXPECT_EQ(one->bands[i].p95, two->bands[i].p95);
    EXPECT_EQ(one->bands[i].mean, (*sliced)[i].mean);
    EXPECT_EQ(one->bands[i].p05, (*sliced)[i].p05);
    any_spread |= one->bands[i].sd > 0;
  }
  EXPECT_TRUE(any_spread);
}

// theta shocks scale the draws by the same factor: a scenario multiplying
// every theta by c, drawn from N(theta, se), gives the bands of the unscaled
// scenario on a baseline whose theta is c * theta, drawn from N(c * theta,
// c * se) (the same normal numbers: c * (theta + se z) = c theta + c se z,
// equal up to rounding).
TEST(Sweep, ThetaScalingScalesTheDraws) {
  const double c = 0.6;
  const std::string base = std::string(REBALANCE_SOURCE_DIR) + "/data/world2011/theta.csv";
  std::ifstream in(base);
  std::string line, point = "sector,theta\n", dist = "sector,theta,se\n";
  std::getline(in, line);
  while (std::getline(in, line)) {
    const auto comma = line.rfind(',');
    const double theta = std::stod(line.substr(comma + 1));
    char buf[128];
    std::snprintf(buf, sizeof buf, ",%.17g", c * theta);
    point += line.substr(0, comma) + buf + "\n";
    // ThetaFile(0.1) writes se with std::to_string: the same rounded se here.
    const double se = std::stod(std::to_string(0.1 * theta));
    std::snprintf(buf, sizeof buf, ",%.17g,%.17g", c * theta, c * se);
    dist += line.substr(0, comma) + buf + "\n";
  }
  const std::string point_path = WriteTemp("theta_scaled.csv", point);
  const std::string dist_path = WriteTemp("theta_scaled_se.csv", dist);
  const std::string shock =
      "{ tariff = { importer = \"USA\", exporter = \"CHN\", sectors = [\"Transport equipment\"], "
      "add = 0.5 } }";
  auto scaled =
      ParseScenario("[baseline]\nbuiltin = \"world2011\"\n[[scenario]]\nname = \"s\"\nshocks = [ " +
                        shock + ", { theta = { multiply = 0.6 } } ]\n",
                    std::string(REBALANCE_SOURCE_DIR) + "/data/world2011/test.toml");
  auto reference = ParseScenario("[baseline]\nbuiltin = \"world2011\"\ntheta = \"" + point_path +
                                     "\"\n[[scenario]]\nname = \"s\"\nshocks = [ " + shock + " ]\n",
                                 std::string(REBALANCE_SOURCE_DIR) + "/data/world2011/test.toml");
  ASSERT_TRUE(scaled.ok()) << scaled.status().ToString();
  ASSERT_TRUE(reference.ok()) << reference.status().ToString();
  SweepOptions opt;
  opt.draws = 6;
  opt.seed = 7;
  opt.threads = 2;
  opt.bilateral = SweepBilateral::kNone;
  opt.theta_file = ThetaFile(0.1);
  auto a = RunSweep(*scaled, opt);
  opt.theta_file = dist_path;
  auto b = RunSweep(*reference, opt);
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  ASSERT_TRUE(b.ok()) << b.status().ToString();
  ASSERT_EQ(a->bands.size(), b->bands.size());
  EXPECT_EQ(a->draws_failed, 0);
  double worst = 0;
  bool spread = false;
  for (size_t i = 0; i < a->bands.size(); ++i) {
    for (auto [x, y] :
         {std::pair{a->bands[i].mean, b->bands[i].mean},
          std::pair{a->bands[i].p05, b->bands[i].p05}, std::pair{a->bands[i].p95, b->bands[i].p95},
          std::pair{a->bands[i].sd, b->bands[i].sd}}) {
      if (!std::isfinite(x) && !std::isfinite(y)) continue;
      // pct_change: relative to the value, at least one point.
      worst = std::max(worst, std::fabs(x - y) / std::max({std::fabs(x), std::fabs(y), 1.0}));
    }
    spread |= a->bands[i].sd > 1e-6;
  }
  EXPECT_LE(worst, 1e-9);
  EXPECT_TRUE(spread);
  std::printf("theta x %g: bands differ from the scaled theta file's by at most %.3g\n", c, worst);
}

TEST(Sweep, DrawSeedsDifferAndAreStable) {
  using core::SweepDrawSeed;
  EXPECT_NE(SweepDrawSeed(1, 0), SweepDrawSeed(1, 1));
  EXPECT_NE(SweepDrawSeed(1, 0), SweepDrawSeed(2, 0));
  EXPECT_EQ(SweepDrawSeed(7, 123), SweepDrawSeed(7, 123));
}

TEST(Sweep, PercentilesMatchAHandComputation) {
  DrawSlice s;
  s.begin = 0;
  s.end = 5;
  s.ok = {1, 1, 0, 1, 1};
  s.failure = {"", "", "x", "", ""};
  s.values = {4, 1, 999, 3, 2};  // one row; the failed draw is ignored
  auto b = SummarizeDraws({s}, 1);
  ASSERT_TRUE(b.ok());
  EXPECT_DOUBLE_EQ((*b)[0].mean, 2.5);
  EXPECT_DOUBLE_EQ((*b)[0].p50, 2.5);
  EXPECT_DOUBLE_EQ((*b)[0].p05, 1.15);  // type 7: 1 + 0.15 * (2 - 1)
  EXPECT_DOUBLE_EQ((*b)[0].p95, 3.85);
  EXPECT_NEAR((*b)[0].sd, std::sqrt(5.0 / 3.0), 1e-15);
  EXPECT_EQ((*b)[0].draws, 4);
}

TEST(Sweep, BadInputs) {
  EXPECT_FALSE(ParseGrid("tariff=1:0:0.1").ok());
  auto g = ParseGrid("tariff=0:1:0");
  ASSERT_FALSE(g.ok());
  EXPECT_NE(g.status().message().find("no points"), std::string::npos);
  EXPECT_FALSE(ParseGrid("iceberg=0:1:0.5").ok());
  auto ok = ParseGrid("tariff=0:1:0.25");
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(ok->Points().size(), 5u);
  const std::string neg = WriteTemp("neg.csv", "sector,theta,se\nAgriculture,9.11,-1\n");
  auto d = ReadThetaDistribution(neg, {"Agriculture"});
  ASSERT_FALSE(d.ok());
  EXPECT_NE(d.status().message().find("neg.csv:2"), std::string::npos) << d.status().message();
  EXPECT_NE(d.status().message().find(">= 0"), std::string::npos);
  const std::string nose = WriteTemp("nose.csv", "sector,theta\nAgriculture,9.11\n");
  EXPECT_FALSE(ReadThetaDistribution(nose, {"Agriculture"}).ok());
  Status no_se = CheckThetaDistributionFile(nose);
  ASSERT_FALSE(no_se.ok());
  EXPECT_NE(no_se.message().find("nose.csv: a theta file for draws needs a column 'se'"),
            std::string::npos);
  {
    // Refused before anything is loaded or solved.
    SweepOptions early;
    early.draws = 4;
    early.theta_file = nose;
    bool progressed = false;
    early.run.progress = [&](const std::string&, const std::string&, int, int) {
      progressed = true;
    };
    auto r = RunSweep(SmallFile(), early);
    ASSERT_FALSE(r.ok());
    EXPECT_FALSE(progressed);
  }
  EXPECT_EQ(SweepBilateralFromString("scenario").value(), SweepBilateral::kScenarioPairs);
  EXPECT_FALSE(SweepBilateralFromString("some").ok());
  SweepOptions opt;
  EXPECT_FALSE(opt.Validate().ok());  // neither draws nor grid
  opt.draws = 10;
  EXPECT_FALSE(opt.Validate().ok());  // no theta file
}

TEST(Sweep, GridRunsEveryPoint) {
  SweepOptions opt;
  opt.grid = *ParseGrid("tariff=0:0.5:0.25");
  auto r = RunSweep(SmallFile(), opt);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  std::set<std::string> names;
  for (const auto& row : r->grid.rows) names.insert(row.scenario);
  EXPECT_EQ(names.size(), 3u);
  // At tariff 0 nothing changes.
  for (const auto& row : r->grid.rows) {
    if (row.scenario == "tariff [tariff=0]" && row.variable == "welfare") {
      EXPECT_NEAR(row.pct_change, 0.0, 1e-9);
    }
  }
}

}  // namespace
}  // namespace rebalance::scenario
