#include "rebalance/report/charts.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "sample_document.h"

namespace rebalance::report {
namespace {

using json = nlohmann::json;

const json& Values(const json& spec) { return spec.at("data").at("values"); }

TEST(WelfareChartTest, OneDatumPerCountryScenarioWithBands) {
  auto d = testing::MakeSampleData();
  auto spec = WelfareChartSpec(d.tidy, &d.bands);
  ASSERT_TRUE(spec.ok()) << spec.status().ToString();
  const json& v = Values(*spec);
  ASSERT_EQ(v.size(), testing::SampleCountries().size() * testing::SampleScenarios().size());
  // Each datum carries the row's pct_change and its band.
  std::size_t k = 0;
  for (std::size_t i = 0; i < d.tidy.rows.size(); ++i) {
    const ge::TidyRow& r = d.tidy.rows[i];
    if (r.variable != "welfare") continue;
    EXPECT_EQ(v[k]["country"], r.country);
    EXPECT_EQ(v[k]["scenario"], r.scenario);
    EXPECT_EQ(v[k]["value"].get<double>(), r.pct_change);
    EXPECT_EQ(v[k]["p05"].get<double>(), d.bands.by_row.at(i).p05);
    EXPECT_EQ(v[k]["p95"].get<double>(), d.bands.by_row.at(i).p95);
    ++k;
  }
  // Bars, zero line, error bars.
  ASSERT_EQ(spec->at("layer").size(), 3u);
  EXPECT_EQ(spec->at("layer")[2]["mark"]["type"], "rule");
  EXPECT_EQ(spec->at("layer")[0]["encoding"]["xOffset"]["field"], "scenario");

  auto no_bands = WelfareChartSpec(d.tidy, nullptr);
  ASSERT_TRUE(no_bands.ok());
  EXPECT_EQ(no_bands->at("layer").size(), 2u);
  EXPECT_FALSE(Values(*no_bands)[0].contains("p05"));
}

TEST(WelfareChartTest, OrdersAndErrors) {
  auto d = testing::MakeSampleData();
  WelfareChartOptions o;
  o.country_order = {"India", "USA"};
  auto spec = WelfareChartSpec(d.tidy, nullptr, o);
  ASSERT_TRUE(spec.ok());
  const json& sort = spec->at("layer")[0]["encoding"]["x"]["sort"];
  ASSERT_EQ(sort.size(), testing::SampleCountries().size());
  EXPECT_EQ(sort[0], "India");
  EXPECT_EQ(sort[1], "USA");
  EXPECT_EQ(sort[2], "China");

  o.country_order = {"Atlantis"};
  auto bad = WelfareChartSpec(d.tidy, nullptr, o);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("'Atlantis'"), std::string::npos);

  WelfareChartOptions other;
  other.variable = "real_wage";
  auto none = WelfareChartSpec(d.tidy, nullptr, other);
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.status().code(), StatusCode::kNotFound);

  // Undefined pct_change (zero baseline) is a null datum, not a number.
  ge::TidyTable t;
  t.Add("s", "A", "", "", "welfare", 0.0, 1.0);
  auto nul = WelfareChartSpec(t, nullptr);
  ASSERT_TRUE(nul.ok());
  EXPECT_TRUE(Values(*nul)[0]["value"].is_null());
}

TEST(WelfareChartTest, FacetsOnePanelPerScenarioWithItsOwnData) {
  auto d = testing::MakeSampleData();
  WelfareChartOptions o;
  o.facet_by_scenario = true;
  o.countries = {testing::SampleCountries()[1], testing::SampleCountries()[0]};
  o.country_order = testing::SampleCountries();
  auto spec = WelfareChartSpec(d.tidy, &d.bands, o);
  ASSERT_TRUE(spec.ok()) << spec.status().ToString();
  const json& panels = spec->at("concat");
  ASSERT_EQ(panels.size(), testing::SampleScenarios().size());
  EXPECT_EQ(spec->at("columns"), 2);
  for (std::size_t p = 0; p < panels.size(); ++p) {
    const std::string& scen = testing::SampleScenarios()[p];
    EXPECT_EQ(panels[p]["title"]["text"], scen);
    // Only the requested regions, in the requested order, each once.
    const json& v = Values(panels[p]);
    ASSERT_EQ(v.size(), 2u);
    for (const json& datum : v) EXPECT_EQ(datum["scenario"], scen);
    const json& sort = panels[p]["layer"][0]["encoding"]["x"]["sort"];
    ASSERT_EQ(sort.size(), 2u);
    EXPECT_EQ(sort[0], testing::SampleCountries()[0]);
    EXPECT_EQ(panels[p]["layer"][0]["encoding"]["y"]["title"], "Welfare change (%)");
    // Bars, whiskers (bands given), zero line.
    ASSERT_EQ(panels[p]["layer"].size(), 3u);
    EXPECT_EQ(panels[p]["layer"][1]["encoding"]["y2"]["field"], "p95");
  }
  o.countries = {"Atlantis"};
  auto bad = WelfareChartSpec(d.tidy, nullptr, o);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("'Atlantis'"), std::string::npos);
  o.countries.clear();
  o.facet_columns = 0;
  EXPECT_FALSE(WelfareChartSpec(d.tidy, nullptr, o).ok());
}

TEST(HeatmapTest, CountryBySectorForOneScenario) {
  auto d = testing::MakeSampleData();
  const std::string scen = testing::SampleScenarios()[1];
  auto spec = SectoralHeatmapSpec(d.tidy, testing::HeatmapFor(scen));
  ASSERT_TRUE(spec.ok()) << spec.status().ToString();
  const json& v = Values(*spec);
  ASSERT_EQ(v.size(), testing::SampleCountries().size() * testing::SampleSectors().size());
  double max_abs = 0.0;
  for (const ge::TidyRow& r : d.tidy.rows) {
    if (r.scenario == scen && r.variable == "output")
      max_abs = std::max(max_abs, std::fabs(r.pct_change));
  }
  const json& domain = spec->at("layer")[0]["encoding"]["color"]["scale"]["domain"];
  EXPECT_EQ(domain[0].get<double>(), -max_abs);
  EXPECT_EQ(domain[1].get<double>(), max_abs);
  EXPECT_EQ(spec->at("layer").size(), 2u);  // rect + labels

  auto ambiguous = SectoralHeatmapSpec(d.tidy, {});
  ASSERT_FALSE(ambiguous.ok());
  EXPECT_NE(ambiguous.status().message().find("3 scenarios"), std::string::npos);
  auto missing = SectoralHeatmapSpec(d.tidy, testing::HeatmapFor("nope"));
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find("'nope'"), std::string::npos);
}

TEST(BalanceChartTest, TwoBarsPerPair) {
  auto balances = testing::SampleBalances();
  auto spec = BalanceChartSpec(balances);
  ASSERT_TRUE(spec.ok());
  const json& v = Values(*spec);
  ASSERT_EQ(v.size(), 2 * balances.size());
  EXPECT_EQ(v[0]["measure"], "Gross");
  EXPECT_EQ(v[0]["value"].get<double>(), balances[0].gross);
  EXPECT_EQ(v[1]["measure"], "Value added");
  EXPECT_EQ(v[1]["value"].get<double>(), balances[0].value_added);

  balances.push_back(balances[0]);
  EXPECT_FALSE(BalanceChartSpec(balances).ok());
  std::vector<BilateralBalance> nan = {{"A", "B", 1.0, std::numeric_limits<double>::quiet_NaN()}};
  auto bad = BalanceChartSpec(nan);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("value-added balance A"), std::string::npos);
  EXPECT_FALSE(BalanceChartSpec({}).ok());
}

TEST(RankingChartTest, SortedDescendingTopN) {
  std::vector<RankedItem> items = {{"b", 2.0, ""}, {"a", 2.0, ""}, {"c", 5.0, ""}, {"d", -1.0, ""}};
  auto spec = RankingChartSpec(items, testing::TopN(3));
  ASSERT_TRUE(spec.ok());
  const json& v = Values(*spec);
  ASSERT_EQ(v.size(), 3u);
  EXPECT_EQ(v[0]["label"], "c");
  EXPECT_EQ(v[1]["label"], "a");  // tie broken by label
  EXPECT_EQ(v[2]["label"], "b");
  EXPECT_EQ(spec->at("encoding")["y"]["sort"], json({"c", "a", "b"}));
  EXPECT_EQ(spec->at("encoding")["color"]["value"], "#2f6f9f");  // no groups

  auto all = RankingChartSpec(testing::SampleRanking(), testing::TopN(0));
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(Values(*all).size(), testing::SampleRanking().size());
  EXPECT_EQ(all->at("encoding")["color"]["field"], "group");

  items.push_back({"e", std::numeric_limits<double>::infinity(), ""});
  EXPECT_FALSE(RankingChartSpec(items).ok());
  EXPECT_FALSE(RankingChartSpec(items, testing::TopN(-1)).ok());
}

TEST(TidyReportTableTest, DropsColumnsEmptyEverywhere) {
  ge::TidyTable t;
  t.Add("s", "USA", "", "", "welfare", 1.0, 1.01);
  t.Add("s", "CHN", "", "", "welfare", 0.0, 1.0);
  t.Add("s", "CHN", "", "Mining", "output", 1.0, 2.0);
  ReportTable table =
      TidyReportTable(t, "Welfare", [](const ge::TidyRow& r) { return r.variable == "welfare"; });
  ASSERT_TRUE(table.Validate().ok());
  std::vector<std::string> names;
  for (const auto& c : table.columns) names.push_back(c.name);
  EXPECT_EQ(names, (std::vector<std::string>{"Region", "Variable", "Baseline", "Counterfactual",
                                             "% change"}));
  ASSERT_EQ(table.rows.size(), 2u);
  EXPECT_EQ(table.rows[1][4].kind,
            ReportCell::Kind::kEmpty);  // undefined % change
  EXPECT_NEAR(table.rows[0][4].number, 1.0, 1e-12);

  ReportTable all = TidyReportTable(t, "All");
  EXPECT_EQ(all.columns.size(), 6u);  // + Sector
}

}  // namespace
}  // namespace rebalance::report
