// The briefing report built from a real (small) run on world2011: the
// comparison table has every focus region, the bilateral headline equals the
// tidy rows summed by hand, numeric columns carry units, the closure is
// printed, bands come from the draws, and no absolute path is rendered.
#include "rebalance/report/briefing.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <regex>
#include <set>

#include <fmt/format.h>

#include "rebalance/core/sha256.h"
#include "rebalance/report/html.h"

namespace rebalance::report {
namespace {

namespace fs = std::filesystem;

const char* kScenario = R"(
title = "Test briefing"
[baseline]
builtin = "world2011"
[groups.sectors]
strategic = ["Transport equipment", "Electrical and optical equipment"]
[briefing]
focus = ["USA", "CHN", "DEU", "ROW"]
[[scenario]]
name = "tariff"
shocks = [
  { tariff = { importer = "USA", exporter = "CHN", sectors = ["Transport equipment"], add = 1.0 } },
  { tariff = { importer = "USA", exporter = "CHN", sectors = ["Electrical and optical equipment"], add = 0.5 } },
]
[[scenario]]
name = "China rebalances"
shocks = [ { deficit = { country = "CHN", target = 0.0 } } ]
)";

class BriefingTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new fs::path(fs::temp_directory_path() /
                        ("rebalance_briefing_test_" + std::to_string(::getpid())));
    fs::create_directories(*dir_);
    // The scenario file lives in a temporary folder (its path must not leak
    // into the outputs); the built-in baseline comes from the source tree.
    scenario_path_ = new std::string((*dir_ / "test_briefing.toml").string());
    std::ofstream(*scenario_path_) << kScenario;
    auto file = scenario::ParseScenarioFile(*scenario_path_);
    ASSERT_TRUE(file.ok()) << file.status().ToString();
    scenario::RunOptions opt;
    opt.data_dir = std::string(REBALANCE_SOURCE_DIR) + "/data";
    opt.imbalance_shares = false;
    auto run = scenario::RunScenarios(*file, opt);
    ASSERT_TRUE(run.ok()) << run.status().ToString();
    run_ = new scenario::RunResult(std::move(run).value());
    // What i14b's runner will record; the report must print it verbatim.
    run_->scenarios[0].closure.numeraire = "test numeraire: world GDP";
    run_->scenarios[0].closure.held_fixed = {"test: every trade balance in nominal USD"};
    run_->scenarios[0].closure.caveats = {"Test caveat sentence."};
  }
  static void TearDownTestSuite() {
    delete run_;
    fs::remove_all(*dir_);
    delete dir_;
    delete scenario_path_;
  }
  static const ReportTable* FindTable(const ReportDocument& doc, const std::string& caption_prefix,
                                      const std::string& section_prefix = "") {
    for (const auto& s : doc.sections) {
      if (s.title.rfind(section_prefix, 0) != 0) continue;
      for (const auto& b : s.blocks)
        if (const auto* t = std::get_if<ReportTable>(&b);
            t && t->caption.rfind(caption_prefix, 0) == 0)
          return t;
    }
    return nullptr;
  }
  static inline fs::path* dir_ = nullptr;
  static inline std::string* scenario_path_ = nullptr;
  static inline scenario::RunResult* run_ = nullptr;
};

TEST_F(BriefingTest, ComparisonTableHasEveryFocusRegionAndUnits) {
  auto doc = BuildBriefingReport(*run_);
  ASSERT_TRUE(doc.ok()) << doc.status().ToString();
  const ReportTable* t = FindTable(*doc, "Scenarios compared");
  ASSERT_NE(t, nullptr);
  std::vector<std::string> regions;
  for (const auto& row : t->rows) regions.push_back(row[0].text);
  EXPECT_EQ(regions, (std::vector<std::string>{"USA", "CHN", "DEU", "ROW"}));
  ASSERT_EQ(t->column_groups.size(), 3u);
  EXPECT_EQ(t->column_groups[1].label, "tariff");
  EXPECT_EQ(t->column_groups[2].label, "China rebalances");
  // Two scenarios fit one table. Welfare of ROW in the rebalancing scenario
  // equals the tidy row.
  const ge::TidyRow* w = nullptr;
  for (const auto& r : run_->results.rows)
    if (r.scenario == "China rebalances" && r.country == "ROW" && r.variable == "welfare" &&
        r.sector.empty() && r.partner.empty())
      w = &r;
  ASSERT_NE(w, nullptr);
  EXPECT_DOUBLE_EQ(t->rows[3][5].number, w->pct_change);
  // Strategic output: the two sectors' gross output summed by hand.
  double y0 = 0, y1 = 0;
  for (const auto& r : run_->results.rows)
    if (r.scenario == "tariff" && r.country == "CHN" && r.variable == "gross_output" &&
        r.partner.empty() &&
        (r.sector == "Transport equipment" || r.sector == "Electrical and optical equipment")) {
      y0 += r.baseline;
      y1 += r.counterfactual;
    }
  EXPECT_NEAR(t->rows[1][4].number, 100.0 * (y1 / y0 - 1.0), 1e-12);
  // Every numeric column of every table shows a unit: under its name, or in
  // the name itself ("Output, million USD", "Net exports, % of output").
  const std::regex unit_in_name("%|USD|\\brank\\b|\\bratio\\b|\\bindex\\b", std::regex::icase);
  for (const auto& s : doc->sections)
    for (const auto& b : s.blocks)
      if (const auto* tab = std::get_if<ReportTable>(&b))
        for (const auto& c : tab->columns)
          if (c.numeric) {
            EXPECT_TRUE(!c.unit.empty() || std::regex_search(c.name, unit_in_name))
                << s.title << " / " << tab->caption << " / " << c.name;
          }
}

TEST_F(BriefingTest, BilateralHeadlineEqualsTheTidyRows) {
  auto doc = BuildBriefingReport(*run_);
  ASSERT_TRUE(doc.ok()) << doc.status().ToString();
  const ReportTable* t = FindTable(*doc, "Exports of the targeted pairs", "Scenario: tariff");
  ASSERT_NE(t, nullptr);
  // Independent: the bilateral tidy rows (exporter CHN, importer USA), in
  // million USD, summed over sectors; the table is in bn USD.
  double e0 = 0, e1 = 0, t0 = 0, t1 = 0;
  for (const auto& r : run_->results.rows) {
    if (r.scenario != "tariff" || r.country != "CHN" || r.partner != "USA" ||
        r.variable != "exports")
      continue;
    e0 += r.baseline;
    e1 += r.counterfactual;
    if (r.sector == "Transport equipment") t0 = r.baseline, t1 = r.counterfactual;
  }
  ASSERT_GT(e0, 0);
  ASSERT_EQ(t->rows.size(), 3u);  // total + two targeted sectors
  EXPECT_EQ(t->rows[0][2].text, "All sectors");
  EXPECT_NEAR(t->rows[0][3].number, e0 / 1000.0, 1e-9 * e0);
  EXPECT_NEAR(t->rows[0][4].number, e1 / 1000.0, 1e-9 * e0);
  EXPECT_NEAR(t->rows[0][6].number, 100.0 * (e1 - e0) / e0, 1e-9);
  EXPECT_LT(t->rows[0][6].number, 0.0);
  const std::vector<ReportCell>* transport = nullptr;
  for (const auto& row : t->rows)
    if (row[2].text == "Transport equipment") transport = &row;
  ASSERT_NE(transport, nullptr);
  EXPECT_NEAR((*transport)[3].number, t0 / 1000.0, 1e-9 * t0);
  EXPECT_NEAR((*transport)[6].number, 100.0 * (t1 - t0) / t0, 1e-9);
  bool headline = false;
  for (const auto& h : doc->sections[0].headlines)
    headline = headline || h.find("CHN exports to USA") != std::string::npos;
  EXPECT_TRUE(headline);
  // The rebalancing scenario changes no tariff: no bilateral table.
  EXPECT_EQ(FindTable(*doc, "Exports of the targeted pairs", "Scenario: China rebalances"),
            nullptr);
}

TEST_F(BriefingTest, ClosureIsPrintedAndEmptyFieldsGetTheModelsClosure) {
  // RunScenarios fills each closure; a closure left empty gets the model's own.
  scenario::RunResult emptied = *run_;
  for (auto& s : emptied.scenarios)
    if (s.name == "China rebalances") s.closure = scenario::Closure{};
  auto doc = BuildBriefingReport(*run_);
  ASSERT_TRUE(doc.ok()) << doc.status().ToString();
  auto doc_emptied = BuildBriefingReport(emptied);
  ASSERT_TRUE(doc_emptied.ok()) << doc_emptied.status().ToString();
  auto closure_text = [&](const std::string& title, const ReportDocument* d = nullptr) {
    if (d == nullptr) d = &*doc;
    std::string text;
    for (const auto& s : d->sections)
      if (s.title == title)
        for (const auto& b : s.blocks)
          if (const auto* box = std::get_if<ReportBox>(&b); box && box->kind == "closure")
            for (const auto& [k, v] : box->items) text += k + ": " + v + "\n";
    return text;
  };
  const std::string filled = closure_text("Scenario: tariff");
  EXPECT_NE(filled.find("Numeraire: test numeraire: world GDP"), std::string::npos) << filled;
  EXPECT_NE(filled.find("Held fixed: test: every trade balance in nominal USD"), std::string::npos)
      << filled;
  EXPECT_NE(filled.find("Caveats: Test caveat sentence."), std::string::npos) << filled;
  const std::string filled_by_run = closure_text("Scenario: China rebalances");
  EXPECT_NE(filled_by_run.find("CHN's trade balance set to zero"), std::string::npos)
      << filled_by_run;
  const std::string empty = closure_text("Scenario: China rebalances", &*doc_emptied);
  EXPECT_NE(empty.find("Numeraire: world nominal value added"), std::string::npos) << empty;
  EXPECT_NE(empty.find("trade balances set by the scenario"), std::string::npos) << empty;
}

TEST_F(BriefingTest, WelfareChartHasOnePanelPerScenarioWithEveryFocusRegion) {
  auto doc = BuildBriefingReport(*run_);
  ASSERT_TRUE(doc.ok()) << doc.status().ToString();
  const ReportChart* chart = nullptr;
  for (const auto& s : doc->sections)
    for (const auto& b : s.blocks)
      if (const auto* c = std::get_if<ReportChart>(&b);
          c && c->title.rfind("Welfare by focus region", 0) == 0)
        chart = c;
  ASSERT_NE(chart, nullptr);
  const auto& panels = chart->spec.at("concat");
  ASSERT_EQ(panels.size(), 2u);
  for (const auto& p : panels) {
    std::set<std::string> regions;
    for (const auto& d : p.at("data").at("values"))
      regions.insert(d.at("country").get<std::string>());
    EXPECT_EQ(regions, (std::set<std::string>{"USA", "CHN", "DEU", "ROW"}));
    EXPECT_EQ(p.at("layer")[0].at("encoding").at("y").at("title"), "Welfare change (%)");
  }
}

TEST_F(BriefingTest, ThetaBandsFromZeroVarianceDrawsEqualThePointAndArePrinted) {
  // se = 0 everywhere: every draw is the point solution, so each band is
  // [value, value] exactly (sweep.h's reproducibility contract).
  const std::string theta_se = (*dir_ / "theta_se0.csv").string();
  {
    std::ofstream out(theta_se);
    out << "sector,theta,se\n";
    for (size_t j = 0; j < run_->loaded.baseline.sectors.size(); ++j)
      out << '"' << run_->loaded.baseline.sectors[j] << "\","
          << fmt::format("{}", run_->loaded.baseline.theta[j]) << ",0\n";
  }
  scenario::SweepOptions so;
  so.draws = 2;
  so.threads = 2;
  so.theta_file = theta_se;
  auto sweep = scenario::SweepSolvedRun(*run_, so);
  ASSERT_TRUE(sweep.ok()) << sweep.status().ToString();
  ASSERT_EQ(sweep->bands.size(), run_->results.rows.size());
  for (size_t r = 0; r < run_->results.rows.size(); ++r) {
    const auto& row = run_->results.rows[r];
    if (!row.partner.empty()) {
      EXPECT_EQ(sweep->bands[r].draws, 0);
      continue;
    }
    if (!std::isfinite(row.pct_change)) continue;
    ASSERT_EQ(sweep->bands[r].draws, 2) << r;
    EXPECT_EQ(sweep->bands[r].p05, row.pct_change) << row.variable << " " << row.country;
    EXPECT_EQ(sweep->bands[r].p95, row.pct_change);
  }
  auto doc = BuildBriefingReport(*run_, &*sweep);
  ASSERT_TRUE(doc.ok()) << doc.status().ToString();
  const ReportTable* t = FindTable(*doc, "Scenarios compared");
  ASSERT_NE(t, nullptr);
  EXPECT_TRUE(t->rows[0][1].has_band);
  EXPECT_EQ(t->rows[0][1].band_lo, t->rows[0][1].number);
  // A theta file whose theta differs from the run's is refused.
  {
    std::ofstream out(theta_se);
    out << "sector,theta,se\n";
    for (size_t j = 0; j < run_->loaded.baseline.sectors.size(); ++j)
      out << '"' << run_->loaded.baseline.sectors[j] << "\","
          << run_->loaded.baseline.theta[j] * 1.01 << ",0.1\n";
  }
  auto bad = scenario::SweepSolvedRun(*run_, so);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("centred on the run's theta"), std::string::npos)
      << bad.status().message();
}

TEST_F(BriefingTest, NoAbsolutePathInTheReportOrRunJson) {
  auto doc = BuildBriefingReport(*run_);
  ASSERT_TRUE(doc.ok()) << doc.status().ToString();
  WebAssets assets;
  for (const char* name : {"vega", "vega-lite", "vega-embed"})
    assets.libraries.push_back({name, "1", "MIT", "", "/**/"});
  auto html = RenderHtml(*doc, assets);
  ASSERT_TRUE(html.ok()) << html.status().ToString();
  EXPECT_EQ(html->find(REBALANCE_SOURCE_DIR), std::string::npos);
  EXPECT_EQ(html->find(dir_->string()), std::string::npos);
  // The inputs are named with their checksums.
  auto digest = core::Sha256File(*scenario_path_);
  ASSERT_TRUE(digest.ok());
  EXPECT_NE(html->find("test_briefing.toml (sha256 " + *digest + ")"), std::string::npos);
  EXPECT_NE(html->find("world2011.csv.gz (sha256 "), std::string::npos);
  EXPECT_NE(html->find("theta.csv (sha256 "), std::string::npos);
  const fs::path out = *dir_ / "out";
  OutputOptions oo;
  oo.out_dir = out.string();
  oo.html = false;
  oo.force = true;
  ASSERT_TRUE(WriteRunOutputs(*run_, nullptr, oo).ok());
  std::ifstream in(out / "run.json");
  const std::string meta((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(meta.find(REBALANCE_SOURCE_DIR), std::string::npos);
  EXPECT_EQ(meta.find(dir_->string()), std::string::npos);
  EXPECT_NE(meta.find("\"sha256\": \"" + *digest + "\""), std::string::npos);
  EXPECT_NE(meta.find("test numeraire: world GDP"), std::string::npos);
}

}  // namespace
}  // namespace rebalance::report
