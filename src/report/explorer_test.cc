// The what-if explorer's library side, natively (the browser build runs the
// same code: tests/cli/report_explorer.sh checks it in chromium): the
// baseline survives its JSON exactly, a scenario solved from its TOML text
// gives the rows of RunScenarios, a refused value gives RunScenarios' own
// message and names the shock, and the controls' data match the file.
#include "rebalance/report/explorer.h"

#include <gtest/gtest.h>

#include <cstring>
#include <string>

#include "rebalance/report/html.h"
#include "rebalance/scenario/run.h"
#include "rebalance/scenario/tariff_war_run.h"
#include "rebalance/scenario/world2023.h"

namespace rebalance::report {
namespace {

const char* kHead = R"(title = "Explorer test"
[baseline]
builtin = "world2011"
[groups.sectors]
strategic = ["Transport equipment", "Electrical and optical equipment"]
)";

std::string TariffScenario(double add) {
  return std::string(kHead) + R"(
[[scenario]]
name = "tariff"
shocks = [
  { tariff = { importer = "USA", exporter = "CHN", sectors = ["Transport equipment"], add = )" +
         std::to_string(add) + R"( } },
  { tariff = { importer = "USA", exporter = "CHN", sectors = "strategic", add = 0.25 } },
  { deficit = { country = "CHN", target = 0.0 } },
]
)";
}

class ExplorerTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto file = scenario::ParseScenario(TariffScenario(0.5), kExplorerScenarioFile);
    ASSERT_TRUE(file.ok()) << file.status().ToString();
    scenario::RunOptions opt;
    opt.data_dir = std::string(REBALANCE_SOURCE_DIR) + "/data";
    opt.imbalance_shares = false;
    opt.bilateral = false;
    auto run = scenario::RunScenarios(*file, opt);
    ASSERT_TRUE(run.ok()) << run.status().ToString();
    run_ = new scenario::RunResult(std::move(run).value());
  }
  static void TearDownTestSuite() { delete run_; }
  static scenario::RunResult* run_;
};
scenario::RunResult* ExplorerTest::run_ = nullptr;

bool SameBits(const std::vector<double>& a, const std::vector<double>& b) {
  return a.size() == b.size() &&
         (a.empty() || std::memcmp(a.data(), b.data(), a.size() * sizeof(double)) == 0);
}

TEST_F(ExplorerTest, BaselineSurvivesItsJsonBitForBit) {
  const ge::Baseline& b = run_->loaded.baseline;
  // Through text, as in the page.
  auto back = BaselineFromJson(nlohmann::json::parse(BaselineToJson(b).dump()));
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->countries, b.countries);
  EXPECT_EQ(back->sectors, b.sectors);
  EXPECT_EQ(back->currency_unit, b.currency_unit);
  EXPECT_EQ(back->tradable, b.tradable);
  for (auto field :
       {&ge::Baseline::flow, &ge::Baseline::tariff, &ge::Baseline::iceberg, &ge::Baseline::va_share,
        &ge::Baseline::io_share, &ge::Baseline::alpha, &ge::Baseline::deficit, &ge::Baseline::theta,
        &ge::Baseline::production_subsidy, &ge::Baseline::export_subsidy}) {
    EXPECT_TRUE(SameBits((*back).*field, b.*field));
  }
  nlohmann::json broken = BaselineToJson(b);
  broken.erase("alpha");
  auto missing = BaselineFromJson(broken);
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find("'alpha'"), std::string::npos);
}

TEST_F(ExplorerTest, SolveGivesTheRowsOfTheRun) {
  const nlohmann::json out =
      SolveExplorerScenario(run_->loaded.baseline, TariffScenario(0.5), kExplorerScenarioFile);
  ASSERT_EQ(out["status"], "ok") << out.dump();
  const auto& rows = out["rows"];
  const auto& want = run_->results.rows;
  ASSERT_EQ(rows.size(), want.size());
  for (size_t r = 0; r < want.size(); ++r) {
    EXPECT_EQ(rows[r][0], want[r].country);
    EXPECT_EQ(rows[r][1], want[r].sector);
    EXPECT_EQ(rows[r][2], want[r].variable);
    EXPECT_EQ(rows[r][4].get<double>(), want[r].baseline) << r;
    EXPECT_EQ(rows[r][5].get<double>(), want[r].counterfactual) << r;
    if (std::isfinite(want[r].pct_change)) {
      EXPECT_EQ(rows[r][6].get<double>(), want[r].pct_change) << r;
    } else {
      EXPECT_TRUE(rows[r][6].is_null());
    }
  }
  // The targeted pair: CHN -> USA in total and its two targeted sectors
  // (Transport equipment twice: summed shocks, one row), against the flows.
  const auto& pairs = out["pairs"];
  ASSERT_EQ(pairs.size(), 3u);
  EXPECT_EQ(pairs[0][0], "CHN");
  EXPECT_EQ(pairs[0][1], "USA");
  EXPECT_EQ(pairs[0][2], "All sectors");
  const ge::Baseline& b = run_->loaded.baseline;
  const int usa = 0, chn = 1;
  ASSERT_EQ(b.countries[usa], "USA");
  ASSERT_EQ(b.countries[chn], "CHN");
  double total = 0, total_new = 0;
  for (int j = 0; j < b.num_sectors(); ++j) {
    total += b.flow[b.FlowIndex(j, usa, chn)];
    total_new += run_->scenarios[0].solution.flow_new[b.FlowIndex(j, usa, chn)];
  }
  EXPECT_EQ(pairs[0][3].get<double>(), total);
  EXPECT_EQ(pairs[0][4].get<double>(), total_new);
  EXPECT_TRUE(out["heatmap"].is_object());
  EXPECT_TRUE(out["welfare"].is_object());
}

TEST_F(ExplorerTest, RefusedValueGivesTheRunsMessageAndItsShock) {
  const std::string text = TariffScenario(2.5);  // a 250% tariff on Chinese transport equipment
  const nlohmann::json out =
      SolveExplorerScenario(run_->loaded.baseline, text, kExplorerScenarioFile);
  ASSERT_EQ(out["status"], "invalid") << out.dump();
  EXPECT_EQ(out["shock"], 0);
  auto file = scenario::ParseScenario(text, kExplorerScenarioFile);
  ASSERT_TRUE(file.ok());
  scenario::RunOptions opt;
  opt.data_dir = std::string(REBALANCE_SOURCE_DIR) + "/data";
  opt.imbalance_shares = false;
  auto run = scenario::RunScenarios(*file, opt);
  ASSERT_FALSE(run.ok());
  EXPECT_EQ(out["message"], run.status().message());
  EXPECT_NE(run.status().message().find("allow_extreme"), std::string::npos);

  // A syntax error: the parser's line and column, no shock index.
  const nlohmann::json bad = SolveExplorerScenario(
      run_->loaded.baseline,
      std::string(kHead) + "[[scenario]]\nname = \"x\"\nshocks = [ { tariff = { add = abc } } ]\n");
  ASSERT_EQ(bad["status"], "invalid");
  EXPECT_EQ(bad["message"].get<std::string>().rfind("whatif.toml:8:", 0), 0u) << bad.dump();
  // An unknown country: CheckLabels' message, naming the shock.
  std::string unknown = TariffScenario(0.5);
  unknown.replace(unknown.find("\"CHN\""), 5, "\"CHA\"");
  const nlohmann::json label = SolveExplorerScenario(run_->loaded.baseline, unknown);
  ASSERT_EQ(label["status"], "invalid");
  EXPECT_EQ(label["shock"], 0);
  EXPECT_NE(label["message"].get<std::string>().find("did you mean 'CHN'"), std::string::npos);
}

TEST_F(ExplorerTest, ControlsHoldTheFilesShocks) {
  auto data = ExplorerData(*run_);
  ASSERT_TRUE(data.ok()) << data.status().ToString();
  EXPECT_EQ((*data)["source"]["builtin"], "world2011");
  const auto& shocks = (*data)["scenarios"][0]["shocks"];
  // Two tariff rows for the group "strategic" (expanded), one for the first
  // shock, then the deficit target (target = 0 with no unit: a share of GDP).
  ASSERT_EQ(shocks.size(), 4u) << shocks.dump();
  EXPECT_EQ(shocks[0]["kind"], "tariff");
  EXPECT_EQ(shocks[0]["sector"], "Transport equipment");
  EXPECT_EQ(shocks[0]["mode"], "add");
  EXPECT_EQ(shocks[0]["value"], 0.5);
  EXPECT_EQ(shocks[1]["sector"], "Transport equipment");
  EXPECT_EQ(shocks[2]["sector"], "Electrical and optical equipment");
  EXPECT_EQ(shocks[3]["kind"], "deficit");
  EXPECT_EQ(shocks[3]["country"], "CHN");
  EXPECT_EQ(shocks[3]["mode"], "share_of_gdp");
  EXPECT_EQ(shocks[3]["value"], 0.0);
}

// A theta shock: the explorer's solve of the file equals RunScenarios' rows
// bit for bit, and the controls carry it (sector, factor).
TEST_F(ExplorerTest, ThetaScalingGivesTheRowsOfTheRun) {
  const std::string text = std::string(kHead) + R"(
[[scenario]]
name = "theta"
shocks = [
  { tariff = { importer = "USA", exporter = "CHN", sectors = ["Transport equipment"], add = 0.5 } },
  { theta = { sectors = "strategic", multiply = 0.5 } },
]
)";
  auto file = scenario::ParseScenario(text, kExplorerScenarioFile);
  ASSERT_TRUE(file.ok()) << file.status().ToString();
  scenario::RunOptions opt;
  opt.data_dir = std::string(REBALANCE_SOURCE_DIR) + "/data";
  opt.imbalance_shares = false;
  opt.bilateral = false;
  auto run = scenario::RunScenarios(*file, opt);
  ASSERT_TRUE(run.ok()) << run.status().ToString();
  const nlohmann::json out =
      SolveExplorerScenario(run_->loaded.baseline, text, kExplorerScenarioFile);
  ASSERT_EQ(out["status"], "ok") << out.dump();
  const auto& rows = out["rows"];
  const auto& want = run->results.rows;
  ASSERT_EQ(rows.size(), want.size());
  // theta x 1: the numbers of the tariff alone, which theta x 0.5 moves.
  std::string one = text;
  one.replace(one.find("multiply = 0.5"), 14, "multiply = 1  ");
  const nlohmann::json unscaled =
      SolveExplorerScenario(run_->loaded.baseline, one, kExplorerScenarioFile);
  ASSERT_EQ(unscaled["status"], "ok") << unscaled.dump();
  int differ = 0;
  for (size_t r = 0; r < want.size(); ++r) {
    EXPECT_EQ(rows[r][5].get<double>(), want[r].counterfactual) << r;
    differ += unscaled["rows"][r][5].get<double>() != want[r].counterfactual;
  }
  EXPECT_GT(differ, 100);
  auto data = ExplorerData(*run);
  ASSERT_TRUE(data.ok());
  const auto& shocks = (*data)["scenarios"][0]["shocks"];
  ASSERT_EQ(shocks.size(), 3u) << shocks.dump();
  EXPECT_EQ(shocks[1]["kind"], "theta");
  EXPECT_EQ(shocks[1]["sector"], "Transport equipment");
  EXPECT_EQ(shocks[2]["sector"], "Electrical and optical equipment");
  EXPECT_EQ(shocks[2]["mode"], "multiply");
  EXPECT_EQ(shocks[2]["value"], 0.5);
  // A factor of 0: the run's message, naming the shock.
  std::string bad = text;
  bad.replace(bad.find("multiply = 0.5"), 14, "multiply = 0");
  const nlohmann::json refused =
      SolveExplorerScenario(run_->loaded.baseline, bad, kExplorerScenarioFile);
  ASSERT_EQ(refused["status"], "invalid");
  EXPECT_EQ(refused["shock"], 1);
  EXPECT_NE(refused["message"].get<std::string>().find(
                "key 'scenario[0].shocks[1].theta.multiply': a factor on theta must be > 0"),
            std::string::npos)
      << refused.dump();
}

// The one-sector tariff_war model of the 2023 part: its world survives its
// JSON exactly, the explorer's solve of a scenario gives RunTariffWarScenarios'
// rows bit for bit, the controls list the shocks in file order, and a
// refused value names its shock.
TEST(ExplorerTariffWarTest, SolveGivesTheRowsOfTheRun) {
  const std::string text = R"(title = "t"
[baseline]
builtin = "world2023"
[model]
type = "tariff_war"
[groups.countries]
na = ["CAN", "MEX"]
[[scenario]]
name = "war"
shocks = [
  { tariff = { importer = "USA", exporter = "*", set = 0.10 } },
  { tariff_schedule = { importer = "USA", exporter = "CHN", schedule = "liberation_day" } },
  { tariff = { importer = "na", exporter = "USA", add = 0.25 } },
]
)";
  auto file = scenario::ParseScenario(text, kExplorerScenarioFile);
  ASSERT_TRUE(file.ok()) << file.status().ToString();
  scenario::RunOptions opt;
  opt.data_dir = std::string(REBALANCE_SOURCE_DIR) + "/data";
  auto run = scenario::RunTariffWarScenarios(*file, opt);
  ASSERT_TRUE(run.ok()) << run.status().ToString();
  auto world = World2023FromJson(nlohmann::json::parse(World2023ToJson(run->world).dump()));
  ASSERT_TRUE(world.ok()) << world.status().ToString();
  EXPECT_EQ(world->baseline.countries, run->world.baseline.countries);
  EXPECT_TRUE(world->baseline.flows == run->world.baseline.flows);  // exact
  EXPECT_TRUE(world->baseline.nu == run->world.baseline.nu);
  EXPECT_TRUE(world->schedules.at("liberation_day") == run->world.schedules.at("liberation_day"));
  EXPECT_EQ(world->groups, run->world.groups);
  const nlohmann::json out = SolveTariffWarExplorerScenario(*world, text);
  ASSERT_EQ(out["status"], "ok") << out.dump().substr(0, 500);
  const auto& want = run->results.rows;
  ASSERT_EQ(out["rows"].size(), want.size());
  for (size_t r = 0; r < want.size(); ++r) {
    EXPECT_EQ(out["rows"][r][0], want[r].country);
    EXPECT_EQ(out["rows"][r][2], want[r].variable);
    EXPECT_EQ(out["rows"][r][5].get<double>(), want[r].counterfactual) << r;
  }
  auto data = TariffWarExplorerData(*run);
  ASSERT_TRUE(data.ok());
  const auto& shocks = (*data)["scenarios"][0]["shocks"];
  ASSERT_EQ(shocks.size(), 4u) << shocks.dump();  // the group "na" expanded
  EXPECT_EQ(shocks[0]["kind"], "tariff");
  EXPECT_EQ(shocks[1]["kind"], "tariff_schedule");
  EXPECT_EQ(shocks[1]["schedule"], "liberation_day");
  EXPECT_EQ(shocks[2]["importer"], "CAN");
  EXPECT_EQ(shocks[3]["importer"], "MEX");
  EXPECT_EQ((*data)["model"]["epsilon"], 4.0);
  std::string bad = text;
  bad.replace(bad.find("add = 0.25"), 10, "set = -1.5");
  const nlohmann::json refused = SolveTariffWarExplorerScenario(*world, bad);
  ASSERT_EQ(refused["status"], "invalid");
  EXPECT_EQ(refused["shock"], 2);
  EXPECT_NE(refused["message"].get<std::string>().find("a tariff rate must be above -1"),
            std::string::npos);
}

TEST(ExplorerPageTest, MissingModuleIsSaidInThePage) {
  ReportDocument doc;
  doc.title = "t";
  doc.explorer = {{"scenarios", nlohmann::json::array()}};
  doc.sections.emplace_back().title = "Scenario: x";
  doc.sections.back().explorer_scenario = 0;
  WebAssets assets;
  for (const char* name : {"vega", "vega-lite", "vega-embed"}) {
    WebAssets::Library lib;
    lib.name = name;
    lib.code = "void 0;";
    assets.libraries.push_back(lib);
  }
  HtmlOptions options;
  options.explorer_module = "/nonexistent/rebalance_explorer.js";
  LoadExplorerModule(options, &assets);
  EXPECT_TRUE(assets.explorer_code.empty());
  auto html = RenderHtml(doc, assets);
  ASSERT_TRUE(html.ok()) << html.status().ToString();
  EXPECT_NE(html->find("The what-if explorer is missing from this report: its WebAssembly module "
                       "rebalance_explorer.js was not built"),
            std::string::npos);
  EXPECT_EQ(html->find("id=\"explorer-data\""), std::string::npos);
  EXPECT_EQ(html->find("/nonexistent"), std::string::npos);  // no path of the machine

  assets.explorer_code = "function RebalanceExplorer() {}";
  assets.explorer_missing.clear();
  auto with = RenderHtml(doc, assets);
  ASSERT_TRUE(with.ok());
  EXPECT_NE(with->find("id=\"explorer-data\""), std::string::npos);
  EXPECT_NE(with->find("function RebalanceExplorer() {}"), std::string::npos);
  EXPECT_NE(with->find("<div class=\"explorer\" data-scenario=\"0\">"), std::string::npos);
}

}  // namespace
}  // namespace rebalance::report
