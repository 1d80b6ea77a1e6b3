// A sample ReportDocument for the report's tests: all four chart types (with
// error bars), two sortable tables, headlines and provenance. The numbers
// are synthetic (smooth functions of the indices, no economics): the tests
// check rendering, not results. Labels deliberately contain characters that
// need escaping (&, <, ", ', "</script>", a comma, non-ASCII).
#ifndef REBALANCE_SRC_REPORT_SAMPLE_DOCUMENT_H_
#define REBALANCE_SRC_REPORT_SAMPLE_DOCUMENT_H_

#include <cmath>
#include <string>
#include <vector>

#include "rebalance/ge/tidy.h"
#include "rebalance/report/charts.h"
#include "rebalance/report/document.h"
#include "rebalance/report/tidy_writer.h"

namespace rebalance::report::testing {

inline const std::vector<std::string>& SampleCountries() {
  static const std::vector<std::string> k = {"USA",
                                             "China",
                                             "Japan",
                                             "Korea, Rep.",
                                             "Germany",
                                             "Rest of EU",
                                             "Mexico",
                                             "Canada",
                                             "India",
                                             "Côte d'Ivoire & \"friends\"",
                                             "Rest of world </script><b>x</b>"};
  return k;
}
inline const std::vector<std::string>& SampleSectors() {
  static const std::vector<std::string> k = {"Agriculture",
                                             "Mining",
                                             "Basic & fabricated metals",
                                             "Electrical and optical equipment",
                                             "Transport equipment",
                                             "Services"};
  return k;
}
inline const std::vector<std::string>& SampleScenarios() {
  static const std::vector<std::string> k = {"US tariffs on China", "Tariffs & retaliation",
                                             "China surplus = 0"};
  return k;
}

// Test shorthand for a NumberFormat (designated initializers trip GCC's
// -Wmissing-field-initializers).
inline NumberFormat Nf(int decimals, bool sign = false, std::string suffix = "", double scale = 1.0,
                       bool thousands = true) {
  NumberFormat f;
  f.decimals = decimals;
  f.show_sign = sign;
  f.suffix = std::move(suffix);
  f.scale = scale;
  f.thousands_separator = thousands;
  return f;
}
inline HeatmapOptions HeatmapFor(std::string scenario) {
  HeatmapOptions o;
  o.scenario = std::move(scenario);
  return o;
}
inline RankingChartOptions TopN(int n, std::string title = "Indicator") {
  RankingChartOptions o;
  o.top_n = n;
  o.value_title = std::move(title);
  return o;
}

struct SampleData {
  ge::TidyTable tidy;
  BandTable bands;
};

inline SampleData MakeSampleData() {
  SampleData d;
  const auto& c = SampleCountries();
  const auto& s = SampleSectors();
  const auto& sc = SampleScenarios();
  for (std::size_t k = 0; k < sc.size(); ++k) {
    for (std::size_t i = 0; i < c.size(); ++i) {
      const double base = 100.0 + 10.0 * static_cast<double>(i);
      const double pct =
          0.8 * std::sin(1.3 * static_cast<double>(i) + 0.9 * static_cast<double>(k)) -
          0.1 * static_cast<double>(k);
      d.tidy.Add(sc[k], c[i], "", "", "welfare", base, base * (1.0 + pct / 100.0));
      const double spread = 0.15 + 0.05 * static_cast<double>(i % 3);
      const double p = d.tidy.rows.back().pct_change;
      d.bands.by_row[d.tidy.rows.size() - 1] = Band{p, spread / 1.645, p - spread, p, p + spread};
      for (std::size_t j = 0; j < s.size(); ++j) {
        const double out0 = 50.0 + 7.0 * static_cast<double>(j) + static_cast<double>(i);
        const double dpct = 6.0 *
                            std::sin(0.7 * static_cast<double>(i) * static_cast<double>(j + 1) +
                                     static_cast<double>(k)) *
                            std::exp(-0.15 * static_cast<double>(j));
        d.tidy.Add(sc[k], c[i], "", s[j], "output", out0, out0 * (1.0 + dpct / 100.0));
      }
    }
  }
  return d;
}

inline std::vector<BilateralBalance> SampleBalances() {
  const auto& c = SampleCountries();
  std::vector<BilateralBalance> out;
  for (std::size_t i = 0; i < 6; ++i) {
    const double gross = 300.0 * std::cos(0.9 * static_cast<double>(i) + 0.4);
    out.push_back(
        {c[i], c[(i + 1) % c.size()], gross, gross * (0.55 + 0.07 * static_cast<double>(i))});
  }
  return out;
}

inline std::vector<RankedItem> SampleRanking() {
  const auto& c = SampleCountries();
  const auto& s = SampleSectors();
  std::vector<RankedItem> out;
  for (std::size_t i = 0; i < 5; ++i) {
    for (std::size_t j = 1; j < 5; ++j) {
      out.push_back(
          {c[i] + " \u2013 " + s[j],
           0.5 + std::fabs(std::sin(1.7 * static_cast<double>(i) + 2.3 * static_cast<double>(j))),
           c[i]});
    }
  }
  return out;
}

// Builds the document; `*status` receives the first builder error.
inline ReportDocument MakeSampleDocument(Status* status) {
  SampleData d = MakeSampleData();
  ReportDocument doc;
  doc.title = "Balanced growth briefing <sample> & test";
  doc.subtitle = "Synthetic numbers for testing the report renderer";
  doc.generated_utc = "2026-01-01 00:00 UTC";
  doc.provenance = {{"Data", "Sample data (synthetic)", ""},
                    {"Input-output table",
                     "WIOD 2013 release (Timmer et al. 2015, Review of International "
                     "Economics 23(3))",
                     "https://www.rug.nl/ggdc/valuechain/wiod/"},
                    {"Trade elasticities", "Caliendo & Parro (2015), Table 1", ""},
                    {"Deficit closure", "fixed deficits in the numeraire", ""}};
  *status = Status::Ok();

  ReportSection imbalances;
  imbalances.title = "Where the imbalances are";
  imbalances.headlines = {"The largest gross surplus in the sample is China's.",
                          "Value-added balances are smaller than gross ones for every pair."};
  imbalances.AddParagraph(
      "Gross balances count the full value of trade; value-added balances "
      "count only the domestic value added embodied in it <not markup>.");
  BalanceChartOptions balance_options;
  balance_options.value_title = "Balance (US$ bn)";
  auto balance = BalanceChartSpec(SampleBalances(), balance_options);
  if (!balance.ok())
    *status = balance.status();
  else
    imbalances.AddChart({"Gross vs value-added bilateral balances",
                         "Positive: surplus of the first region.", *balance});

  ReportSection overcapacity;
  overcapacity.title = "Overcapacity";
  auto ranking = RankingChartSpec(SampleRanking(), TopN(12, "Output / domestic absorption"));
  if (!ranking.ok())
    *status = ranking.status();
  else
    overcapacity.AddChart({"Overcapacity ranking", "Top 12 country-sectors.", *ranking});
  ReportTable oc;
  oc.caption = "Overcapacity indicators";
  oc.columns = {
      ReportColumn::TextColumn("Country"), ReportColumn::TextColumn("Sector"),
      ReportColumn::NumberColumn("Output / absorption", Nf(3)),
      ReportColumn::NumberColumn("Share carried by imbalance", Nf(1, false, "%"),
                                 "Share of the sector's output matched by the trade surplus")};
  for (const RankedItem& it : SampleRanking()) {
    const std::size_t n = oc.rows.size();
    oc.rows.push_back(
        {ReportCell::Text(it.group), ReportCell::Text(it.label.substr(it.group.size() + 5)),
         ReportCell::Number(it.value),
         n % 7 == 3 ? ReportCell::Empty() : ReportCell::Number(100.0 * (it.value - 0.5) / 2.5)});
  }
  oc.note = "Empty cells: the sector runs no surplus.";
  overcapacity.AddTable(std::move(oc));

  ReportSection scenarios;
  scenarios.title = "Scenarios";
  scenarios.headlines = {"US tariffs on China lower US welfare by a fraction of a percent."};
  auto welfare = WelfareChartSpec(d.tidy, &d.bands, {});
  if (!welfare.ok())
    *status = welfare.status();
  else
    scenarios.AddChart({"Welfare by region and scenario",
                        "Bars: % change; whiskers: 5th-95th percentile across draws.", *welfare});
  auto heat = SectoralHeatmapSpec(d.tidy, HeatmapFor(SampleScenarios()[0]));
  if (!heat.ok())
    *status = heat.status();
  else
    scenarios.AddChart({"Sectoral output, " + SampleScenarios()[0], "", *heat});
  scenarios.AddTable(TidyReportTable(d.tidy, "Welfare by scenario",
                                     [](const ge::TidyRow& r) { return r.variable == "welfare"; }));

  doc.sections = {std::move(imbalances), std::move(overcapacity), std::move(scenarios)};
  return doc;
}

}  // namespace rebalance::report::testing

#endif  // REBALANCE_SRC_REPORT_SAMPLE_DOCUMENT_H_
