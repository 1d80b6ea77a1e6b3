// Vega-Lite chart builders for the report's four standard figures:
//   - welfare (or any country-level variable) by region and scenario:
//     grouped bars, with p05-p95 error bars when a BandTable is given;
//   - sectoral output changes, country x sector heatmap for one scenario;
//   - gross vs value-added bilateral balances: paired horizontal bars;
//   - overcapacity (or any) rankings: sorted horizontal bars.
// Each returns a spec (nlohmann::json, Vega-Lite v6) with its data inline,
// ready for ReportChart::spec. The builders only reshape numbers; they never
// compute economics. Non-finite values are refused with a message naming the
// item; an undefined pct_change (NaN, zero baseline) becomes a null datum,
// which Vega-Lite leaves out of the plot.
#ifndef REBALANCE_REPORT_CHARTS_H_
#define REBALANCE_REPORT_CHARTS_H_

#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "rebalance/core/status.h"
#include "rebalance/ge/tidy.h"
#include "rebalance/report/document.h"
#include "rebalance/report/tidy_writer.h"

namespace rebalance::report {

struct WelfareChartOptions {
  // Tidy variable plotted (rows with empty partner and sector).
  std::string variable = "welfare";
  // Vertical axis title.
  std::string value_title = "Welfare change (%)";
  // Order of regions along the axis and of scenarios in each group; empty
  // keeps the order of first appearance in the table. Names not present in
  // the table are an error.
  std::vector<std::string> country_order;
  std::vector<std::string> scenario_order;
  // Only these regions (all when empty); each must occur in the table.
  std::vector<std::string> countries;
  // One small chart per scenario, each with its own vertical scale, so a
  // 0.1% effect stays visible beside a 4% one (instead of grouped bars on one
  // shared scale). Panels are laid out `facet_columns` to a row.
  bool facet_by_scenario = false;
  int facet_columns = 2;
};

// Grouped bars of pct_change of `options.variable`: one group per country,
// one bar per scenario. When `bands` (quantity "pct_change") covers a row,
// a p05-p95 error bar is drawn on its bar. With facet_by_scenario: a
// "concat" of one layered bar chart per scenario (own y scale and axis title,
// the scenario as panel title).
Result<nlohmann::json> WelfareChartSpec(const ge::TidyTable& table, const BandTable* bands,
                                        const WelfareChartOptions& options = {});

struct HeatmapOptions {
  // Scenario shown; may be empty when the table holds a single scenario.
  std::string scenario;
  // Tidy variable plotted (rows with empty partner and a sector).
  std::string variable = "output";
  std::string value_title = "Output change (%)";
  // Print the value in each cell (readable up to roughly 20 x 15 cells).
  bool label_cells = true;
  std::vector<std::string> country_order;
  std::vector<std::string> sector_order;
};

// Country (rows) x sector (columns) heatmap of pct_change, on a diverging
// red-blue scale centred on zero with a symmetric domain.
Result<nlohmann::json> SectoralHeatmapSpec(const ge::TidyTable& table,
                                           const HeatmapOptions& options = {});

struct BilateralBalance {
  std::string country;
  std::string partner;
  double gross = 0.0;        // gross bilateral balance (exports - imports)
  double value_added = 0.0;  // value-added bilateral balance
};

struct BalanceChartOptions {
  std::string value_title = "Bilateral balance";
  // d3-format string for tooltips, e.g. ",.1f".
  std::string value_format = ",.1f";
};

// Paired horizontal bars, one pair per (country, partner) in the given order.
Result<nlohmann::json> BalanceChartSpec(const std::vector<BilateralBalance>& balances,
                                        const BalanceChartOptions& options = {});

struct RankedItem {
  std::string label;  // e.g. "China - Basic metals"
  double value = 0.0;
  std::string group;  // optional colour group, e.g. the country
};

struct RankingChartOptions {
  std::string value_title = "Indicator";
  std::string group_title = "Country";
  // Keep the `top_n` largest values (0 keeps all).
  int top_n = 20;
  std::string value_format = ",.2f";
};

// Horizontal bars sorted from the largest value down.
Result<nlohmann::json> RankingChartSpec(const std::vector<RankedItem>& items,
                                        const RankingChartOptions& options = {});

// A sortable report table of the tidy rows that satisfy `keep` (all when
// empty): scenario, country, partner, sector, variable, baseline,
// counterfactual, % change; columns that are empty in every kept row are left
// out.
ReportTable TidyReportTable(const ge::TidyTable& table, std::string caption,
                            const std::function<bool(const ge::TidyRow&)>& keep = {});

}  // namespace rebalance::report

#endif  // REBALANCE_REPORT_CHARTS_H_
