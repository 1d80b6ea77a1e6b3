// Tests of the world2023 baseline and the tariff_war scenario runner.
#include "rebalance/scenario/tariff_war_run.h"

#include <gtest/gtest.h>

#include <cmath>

#include "rebalance/data/imls2025.h"
#include "rebalance/scenario/world2023.h"

namespace rebalance::scenario {
namespace {

const std::string kSource = REBALANCE_SOURCE_DIR;

RunOptions Options() {
  RunOptions o;
  o.data_dir = kSource + "/data";
  return o;
}

int Index(const World2023& w, const std::string& c) {
  const auto& v = w.baseline.countries;
  return static_cast<int>(std::find(v.begin(), v.end(), c) - v.begin());
}

// The committed data/world2023 files are the calibration of the shared
// input files (rebuilt by scripts/make_world2023.sh).
TEST(World2023, CommittedFilesMatchACalibrationOfTheInputs) {
  auto in = data::ReadImls2025(std::string(REBALANCE_DATA_DIR) + "/imls2025_liberation_day");
  ASSERT_TRUE(in.ok()) << in.status().ToString();
  auto built = BuildWorld2023(*in);
  ASSERT_TRUE(built.ok()) << built.status().ToString();
  auto loaded = LoadWorld2023(kSource + "/data/world2023");
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  ASSERT_EQ(loaded->baseline.countries, built->baseline.countries);
  // Equal to a few units in the last place: the files were written by one
  // build (gcc -O2 -march=native); another compiler or flag set (the clang
  // sanitizer build) may round the calibration's sums differently in the last
  // bit (seen: 1.9e-6 thousand USD on flows of up to 4e8, 5e-15 relative).
  const double flow_scale = built->baseline.flows.cwiseAbs().maxCoeff();
  EXPECT_LE((loaded->baseline.flows - built->baseline.flows).cwiseAbs().maxCoeff(),
            1e-13 * flow_scale);
  EXPECT_LE((loaded->baseline.nu - built->baseline.nu).cwiseAbs().maxCoeff(), 1e-14);
  EXPECT_EQ(loaded->groups, built->groups);
  EXPECT_EQ(loaded->groups.at("EU").size(), 25u);
  EXPECT_EQ(loaded->groups.at("EU27").size(), 27u);
  EXPECT_EQ(loaded->groups.at("RoW").size(), 194u - 27u);
  // Checks of the data README: world total, CHN -> USA, every country's E.
  const auto& b = loaded->baseline;
  const Eigen::MatrixXd off = b.flows - Eigen::MatrixXd(b.flows.diagonal().asDiagonal());
  EXPECT_NEAR(off.sum(), 21749670434.24, 0.5);
  EXPECT_NEAR(b.flows(Index(*loaded, "CHN"), Index(*loaded, "USA")) / 1e6, 440.48, 0.005);
  EXPECT_EQ(loaded->schedules.at("liberation_day")(Index(*loaded, "CHN")), 0.54);
}

TEST(TariffWarRun, TariffsFromScheduleAndShocksInFileOrder) {
  auto file = ParseScenarioFile(kSource + "/examples/scenarios/regional_trade_wars_2025.toml");
  ASSERT_TRUE(file.ok()) << file.status().ToString();
  auto w = LoadWorld2023(kSource + "/data/world2023");
  ASSERT_TRUE(w.ok());
  auto t = TariffWarTariffs(*file, file->scenarios[0], *w);
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  const int us = Index(*w, "USA"), cn = Index(*w, "CHN"), de = Index(*w, "DEU"),
            cz = Index(*w, "CZE"), br = Index(*w, "BRA"), mx = Index(*w, "MEX");
  EXPECT_EQ((*t)(cn, us), 0.54);
  EXPECT_EQ((*t)(us, cn), 0.54);
  EXPECT_EQ((*t)(de, us), 0.20);
  EXPECT_EQ((*t)(us, de), 0.20);
  EXPECT_EQ((*t)(cz, us), 0.10);  // not in the paper's 25-member EU
  EXPECT_EQ((*t)(us, cz), 0.10);
  EXPECT_EQ((*t)(mx, us), 0.10);  // 10% on everyone else, not MEX's 0.17
  EXPECT_EQ((*t)(us, br), 0.10);
  EXPECT_EQ((*t)(br, cn), 0.0);
  EXPECT_EQ((*t)(us, us), 0.0);
  auto t3 = TariffWarTariffs(*file, file->scenarios[2], *w);
  ASSERT_TRUE(t3.ok());
  EXPECT_EQ((*t3)(cn, us), 1.08);
  EXPECT_EQ((*t3)(us, cn), 1.08);
  // Floor and mirror.
  auto f1 = ParseScenarioFile(kSource + "/examples/scenarios/liberation_day_income_tax.toml");
  ASSERT_TRUE(f1.ok()) << f1.status().ToString();
  auto r = TariffWarTariffs(*f1, f1->scenarios[1], *w);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ((*r)(mx, us), 0.17);
  EXPECT_EQ((*r)(us, mx), 0.17);
  EXPECT_EQ((*r)(Index(*w, "RUS"), us), 0.10);  // max(0.10, 0)
}

// Table 1 case 1 through the scenario file (the golden test in
// src/ge/tariff_war_test.cc checks every entry).
TEST(TariffWarRun, ExamplesRunAndReproduceTable1) {
  for (const char* name : {"liberation_day_income_tax.toml", "liberation_day_lump_sum.toml",
                           "regional_trade_wars_2025.toml"}) {
    auto file = ParseScenarioFile(kSource + "/examples/scenarios/" + name);
    ASSERT_TRUE(file.ok()) << file.status().ToString();
    auto run = RunTariffWarScenarios(*file, Options());
    ASSERT_TRUE(run.ok()) << run.status().ToString();
    ASSERT_EQ(run->scenarios.size(), file->scenarios.size());
    for (const auto& s : run->scenarios) EXPECT_TRUE(s.result.converged()) << s.name;
    if (std::string(name) == "liberation_day_income_tax.toml") {
      const int us = Index(run->world, "USA");
      EXPECT_EQ(std::round(run->scenarios[0].changes.welfare(us) * 100) / 100, 1.13);
      EXPECT_EQ(std::round(run->scenarios[0].changes.prices(us) * 10) / 10, 12.8);
      bool found = false;
      for (const auto& row : run->results.rows) {
        if (row.country == "non-US" && row.variable == "welfare" &&
            row.scenario == run->scenarios[0].name) {
          EXPECT_EQ(std::round(row.pct_change * 100) / 100, -0.58);
          found = true;
        }
      }
      EXPECT_TRUE(found);
    }
  }
  auto brief = ParseScenarioFile(kSource + "/data/world2023/briefing.toml");
  ASSERT_TRUE(brief.ok()) << brief.status().ToString();
  auto run = RunTariffWarScenarios(*brief, Options());
  ASSERT_TRUE(run.ok()) << run.status().ToString();
}

TEST(TariffWarRun, ErrorsNameTheKeyOrScenario) {
  auto w = LoadWorld2023(kSource + "/data/world2023");
  ASSERT_TRUE(w.ok());
  const std::string head = "[baseline]\nbuiltin = \"world2023\"\n[model]\ntype = \"tariff_war\"\n";
  // A tariff_war key on another model.
  auto f = ParseScenario(
      "[model]\ntype = \"multisector\"\nkappa = 0.5\n[[scenario]]\nname=\"a\"\n"
      "shocks=[{deficits=\"zero\"}]\n",
      "x.toml");
  ASSERT_FALSE(f.ok());
  EXPECT_NE(f.status().message().find("model.kappa"), std::string::npos) << f.status().message();
  // Bad option values.
  f = ParseScenario(
      head + "revenue = \"rebate\"\n[[scenario]]\nname=\"a\"\nshocks=[{deficits=\"zero\"}]\n",
      "x.toml");
  ASSERT_FALSE(f.ok());
  EXPECT_NE(f.status().message().find("x.toml:5:11: key 'model.revenue'"), std::string::npos)
      << f.status().message();
  f = ParseScenario(head + "kappa = -1\n[[scenario]]\nname=\"a\"\nshocks=[{deficits=\"zero\"}]\n",
                    "x.toml");
  ASSERT_FALSE(f.ok());
  EXPECT_NE(f.status().message().find("kappa"), std::string::npos);
  f = ParseScenario(head + "sigma = 5\n[[scenario]]\nname=\"a\"\nshocks=[{deficits=\"zero\"}]\n",
                    "x.toml");
  ASSERT_FALSE(f.ok());
  EXPECT_NE(f.status().message().find("as epsilon, not sigma"), std::string::npos)
      << f.status().message();
  // Unknown schedule, unknown country, sectors, other shock kinds.
  auto check = [&](const std::string& shock, const std::string& expect) {
    auto file =
        ParseScenario(head + "[[scenario]]\nname=\"a\"\nshocks=[" + shock + "]\n", "x.toml");
    ASSERT_TRUE(file.ok()) << file.status().ToString();
    auto t = TariffWarTariffs(*file, file->scenarios[0], *w);
    ASSERT_FALSE(t.ok()) << shock;
    EXPECT_NE(t.status().message().find(expect), std::string::npos) << t.status().message();
  };
  check("{ tariff_schedule = { importer = \"USA\", exporter = \"*\", schedule = \"april\" } }",
        "unknown tariff schedule 'april'");
  check("{ tariff = { importer = \"USA\", exporter = \"CHNA\", set = 0.1 } }",
        "x.toml:7:51: key 'scenario[0].shocks[0].tariff.exporter': unknown country or group "
        "'CHNA'; did you mean 'CHN'?");
  check("{ tariff = { importer = \"USA\", exporter = \"CHN\", sectors = [\"steel\"], set = 0.1 } }",
        "one goods sector");
  check("{ iceberg = { importer = \"USA\", exporter = \"CHN\", change = 0.1 } }",
        "iceberg shocks are not part");
  // The runner refuses another baseline.
  auto other = ParseScenario(
      "[baseline]\nbuiltin = \"world2011\"\n[model]\ntype = \"tariff_war\"\n[[scenario]]\n"
      "name=\"a\"\nshocks=[{ tariff = { importer = \"USA\", exporter = \"CHN\", set = 0.1 } }]\n",
      "x.toml");
  ASSERT_TRUE(other.ok());
  auto run = RunTariffWarScenarios(*other, Options());
  ASSERT_FALSE(run.ok());
  EXPECT_NE(run.status().message().find("builtin = \"world2023\""), std::string::npos);
}

}  // namespace
}  // namespace rebalance::scenario
