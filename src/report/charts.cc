// Vega-Lite specs for the report's standard figures (see charts.h). Specs
// are built as plain JSON so the same text can be saved next to the report
// and opened in any Vega-Lite tool.
#include "rebalance/report/charts.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

namespace rebalance::report {
namespace {

using json = nlohmann::json;

constexpr const char* kSchema = "https://vega.github.io/schema/vega-lite/v6.json";

json BaseSpec() {
  json spec = json::object();
  spec["$schema"] = kSchema;
  spec["config"] = {
      {"font",
       "system-ui, -apple-system, Segoe UI, Roboto, Helvetica Neue, Noto Sans, "
       "Liberation Sans, Arial, sans-serif"},
      {"view", {{"stroke", nullptr}}},
      {"axis", {{"labelFontSize", 11}, {"titleFontSize", 12}, {"titleFontWeight", 600}}},
      {"legend", {{"labelFontSize", 11}, {"titleFontSize", 12}, {"orient", "top"}}},
  };
  return spec;
}

// The zero line of a bar chart, drawn once (its own one-row data set; with
// the chart's data it would be drawn once per datum).
json ZeroRule(const char* channel) {
  return {{"data", {{"values", json::array({json::object()})}}},
          {"mark", {{"type", "rule"}, {"color", "#52606d"}}},
          {"encoding", {{channel, {{"datum", 0}, {"type", "quantitative"}}}}}};
}

json PctOrNull(double v) { return std::isnan(v) ? json(nullptr) : json(v); }

// Keeps first-appearance order, or checks and applies a requested order.
Result<std::vector<std::string>> Ordered(const std::vector<std::string>& seen,
                                         const std::vector<std::string>& requested,
                                         const char* what) {
  if (requested.empty()) return seen;
  const std::set<std::string> present(seen.begin(), seen.end());
  for (const std::string& r : requested) {
    if (!present.count(r)) {
      return Status::NotFound(
          fmt::format("chart: {} '{}' in the requested order does "
                      "not occur in the data",
                      what, r));
    }
  }
  std::vector<std::string> out = requested;
  const std::set<std::string> listed(requested.begin(), requested.end());
  for (const std::string& s : seen) {
    if (!listed.count(s)) out.push_back(s);
  }
  return out;
}

void PushUnique(std::vector<std::string>* v, std::set<std::string>* seen, const std::string& s) {
  if (seen->insert(s).second) v->push_back(s);
}

Status CheckFinite(double v, const std::string& what) {
  if (!std::isfinite(v)) {
    return Status::NumericalError(fmt::format("chart: {} is {}", what, v));
  }
  return Status::Ok();
}

Status CheckTidyRow(const ge::TidyRow& r, std::size_t i) {
  if (std::isinf(r.pct_change)) {
    return Status::NumericalError(
        fmt::format("chart: tidy row {} (scenario '{}', variable '{}', country '{}'): "
                    "pct_change is {}",
                    i + 1, r.scenario, r.variable, r.country, r.pct_change));
  }
  return Status::Ok();
}

}  // namespace

Result<json> WelfareChartSpec(const ge::TidyTable& table, const BandTable* bands,
                              const WelfareChartOptions& options) {
  std::vector<std::string> countries, scenarios;
  std::set<std::string> seen_c, seen_s;
  const bool use_bands = bands != nullptr && !bands->empty() && bands->quantity == "pct_change";
  json values = json::array();
  bool any_band = false;
  for (std::size_t i = 0; i < table.rows.size(); ++i) {
    const ge::TidyRow& r = table.rows[i];
    if (r.variable != options.variable || !r.partner.empty() || !r.sector.empty()) continue;
    if (!options.countries.empty() && std::find(options.countries.begin(), options.countries.end(),
                                                r.country) == options.countries.end())
      continue;
    RB_RETURN_IF_ERROR(CheckTidyRow(r, i));
    PushUnique(&countries, &seen_c, r.country);
    PushUnique(&scenarios, &seen_s, r.scenario);
    json d = {{"country", r.country},
              {"scenario", r.scenario},
              {"value", PctOrNull(r.pct_change)},
              {"baseline", r.baseline},
              {"counterfactual", r.counterfactual}};
    if (use_bands) {
      auto it = bands->by_row.find(i);
      if (it != bands->by_row.end()) {
        RB_RETURN_IF_ERROR(CheckFinite(it->second.p05, fmt::format("band p05 of row {}", i + 1)));
        RB_RETURN_IF_ERROR(CheckFinite(it->second.p95, fmt::format("band p95 of row {}", i + 1)));
        d["p05"] = it->second.p05;
        d["p95"] = it->second.p95;
        any_band = true;
      }
    }
    values.push_back(std::move(d));
  }
  for (const std::string& c : options.countries) {
    if (!seen_c.count(c)) {
      return Status::NotFound(fmt::format(
          "welfare chart: region '{}' has no country-level '{}' row", c, options.variable));
    }
  }
  if (values.empty()) {
    return Status::NotFound(
        fmt::format("welfare chart: no country-level rows with variable '{}' "
                    "in the tidy table",
                    options.variable));
  }
  std::vector<std::string> order = options.country_order;
  if (!options.countries.empty()) {
    // The requested order restricted to the regions shown.
    order.erase(std::remove_if(order.begin(), order.end(),
                               [&](const std::string& c) { return !seen_c.count(c); }),
                order.end());
  }
  RB_ASSIGN_OR_RETURN(countries, Ordered(countries, order, "country"));
  RB_ASSIGN_OR_RETURN(scenarios, Ordered(scenarios, options.scenario_order, "scenario"));
  if (options.facet_by_scenario) {
    if (options.facet_columns < 1) {
      return Status::InvalidArgument(
          fmt::format("welfare chart: facet_columns must be >= 1, got {}", options.facet_columns));
    }
    json panels = json::array();
    for (const std::string& sc : scenarios) {
      json panel_values = json::array();
      for (const json& d : values)
        if (d["scenario"] == sc) panel_values.push_back(d);
      json x = {{"field", "country"},
                {"type", "nominal"},
                {"sort", countries},
                {"title", nullptr},
                {"axis", {{"labelAngle", countries.size() > 8 ? -40 : 0}}}};
      json y = {{"field", "value"},
                {"type", "quantitative"},
                {"title", options.value_title},
                {"axis", {{"format", "~r"}}}};
      json tooltip = json::array({
          {{"field", "country"}, {"type", "nominal"}, {"title", "Region"}},
          {{"field", "value"},
           {"type", "quantitative"},
           {"title", options.value_title},
           {"format", "+.3f"}},
      });
      if (any_band) {
        tooltip.push_back({{"field", "p05"},
                           {"type", "quantitative"},
                           {"title", "5th percentile"},
                           {"format", "+.3f"}});
        tooltip.push_back({{"field", "p95"},
                           {"type", "quantitative"},
                           {"title", "95th percentile"},
                           {"format", "+.3f"}});
      }
      json bars = {{"mark", {{"type", "bar"}, {"tooltip", true}}},
                   {"encoding",
                    {{"x", x},
                     {"y", y},
                     {"color",
                      {{"condition", {{"test", "datum.value < 0"}, {"value", "#c0504d"}}},
                       {"value", "#2f6f9f"}}},
                     {"tooltip", tooltip}}}};
      json layers = json::array({bars});
      if (any_band) {
        layers.push_back({{"transform", json::array({{{"filter", "isValid(datum.p05)"}}})},
                          {"mark", {{"type", "rule"}, {"color", "#1f2933"}, {"strokeWidth", 1.2}}},
                          {"encoding",
                           {{"x", x},
                            {"y", {{"field", "p05"}, {"type", "quantitative"}}},
                            {"y2", {{"field", "p95"}}}}}});
      }
      // The zero line from the panel's own data (one rule per datum, drawn
      // on top of each other), since a concat panel has a single data set.
      layers.push_back({{"mark", {{"type", "rule"}, {"color", "#52606d"}}},
                        {"encoding", {{"y", {{"datum", 0}, {"type", "quantitative"}}}}}});
      panels.push_back(
          {{"title", {{"text", sc}, {"anchor", "start"}, {"fontSize", 12}, {"limit", 520}}},
           {"data", {{"values", panel_values}}},
           {"width", {{"step", 26}}},
           {"height", 170},
           {"layer", layers}});
    }
    json spec = BaseSpec();
    spec["columns"] = options.facet_columns;
    spec["concat"] = panels;
    spec["spacing"] = {{"row", 18}, {"column", 36}};
    return spec;
  }

  json spec = BaseSpec();
  spec["data"] = {{"values", values}};
  const int step = std::max(24, 11 * static_cast<int>(scenarios.size()) + 8);
  // "for": "position" makes the step the width of a whole country group
  // (by default it would apply to each scenario's bar).
  spec["width"] = {{"step", step}, {"for", "position"}};
  spec["height"] = 300;
  json x = {{"field", "country"},
            {"type", "nominal"},
            {"sort", countries},
            {"title", nullptr},
            {"axis", {{"labelAngle", countries.size() > 8 ? -40 : 0}}}};
  json offset = {{"field", "scenario"}, {"type", "nominal"}, {"sort", scenarios}};
  json y = {{"field", "value"}, {"type", "quantitative"}, {"title", options.value_title}};
  json tooltip = json::array({
      {{"field", "country"}, {"type", "nominal"}, {"title", "Region"}},
      {{"field", "scenario"}, {"type", "nominal"}, {"title", "Scenario"}},
      {{"field", "value"}, {"type", "quantitative"}, {"title", "% change"}, {"format", "+.3f"}},
  });
  if (any_band) {
    tooltip.push_back(
        {{"field", "p05"}, {"type", "quantitative"}, {"title", "p05"}, {"format", "+.3f"}});
    tooltip.push_back(
        {{"field", "p95"}, {"type", "quantitative"}, {"title", "p95"}, {"format", "+.3f"}});
  }
  json bars = {{"mark", {{"type", "bar"}, {"tooltip", true}}},
               {"encoding",
                {{"x", x},
                 {"xOffset", offset},
                 {"y", y},
                 {"color",
                  {{"field", "scenario"},
                   {"type", "nominal"},
                   {"sort", scenarios},
                   {"title", "Scenario"},
                   {"legend", {{"labelLimit", 420}, {"columns", 1}}}}},
                 {"tooltip", tooltip}}}};
  json layers = json::array({bars, ZeroRule("y")});
  if (any_band) {
    json err = {{"transform", json::array({{{"filter", "isValid(datum.p05)"}}})},
                {"mark", {{"type", "rule"}, {"color", "#1f2933"}, {"strokeWidth", 1.2}}},
                {"encoding",
                 {{"x", x},
                  {"xOffset", offset},
                  {"y", {{"field", "p05"}, {"type", "quantitative"}}},
                  {"y2", {{"field", "p95"}}}}}};
    layers.push_back(err);
  }
  spec["layer"] = layers;
  return spec;
}

Result<json> SectoralHeatmapSpec(const ge::TidyTable& table, const HeatmapOptions& options) {
  std::string scenario = options.scenario;
  if (scenario.empty()) {
    std::set<std::string> found;
    for (const ge::TidyRow& r : table.rows) {
      if (r.variable == options.variable && !r.sector.empty() && r.partner.empty()) {
        found.insert(r.scenario);
      }
    }
    if (found.size() > 1) {
      return Status::InvalidArgument(
          fmt::format("heatmap: the table holds {} scenarios with variable "
                      "'{}'; name one in "
                      "HeatmapOptions::scenario",
                      found.size(), options.variable));
    }
    if (found.size() == 1) scenario = *found.begin();
  }
  std::vector<std::string> countries, sectors;
  std::set<std::string> seen_c, seen_s;
  json values = json::array();
  double max_abs = 0.0;
  for (std::size_t i = 0; i < table.rows.size(); ++i) {
    const ge::TidyRow& r = table.rows[i];
    if (r.scenario != scenario || r.variable != options.variable || r.sector.empty() ||
        !r.partner.empty()) {
      continue;
    }
    RB_RETURN_IF_ERROR(CheckTidyRow(r, i));
    PushUnique(&countries, &seen_c, r.country);
    PushUnique(&sectors, &seen_s, r.sector);
    if (!std::isnan(r.pct_change)) max_abs = std::max(max_abs, std::fabs(r.pct_change));
    values.push_back({{"country", r.country},
                      {"sector", r.sector},
                      {"value", PctOrNull(r.pct_change)},
                      {"baseline", r.baseline},
                      {"counterfactual", r.counterfactual}});
  }
  if (values.empty()) {
    return Status::NotFound(
        fmt::format("heatmap: no sectoral rows with variable '{}' for scenario "
                    "'{}' in the tidy table",
                    options.variable, scenario));
  }
  RB_ASSIGN_OR_RETURN(countries, Ordered(countries, options.country_order, "country"));
  RB_ASSIGN_OR_RETURN(sectors, Ordered(sectors, options.sector_order, "sector"));
  // A symmetric domain keeps zero white; an all-zero scenario still needs a
  // non-degenerate domain.
  const double extent = max_abs > 0.0 ? max_abs : 1.0;

  json spec = BaseSpec();
  spec["data"] = {{"values", values}};
  spec["width"] = {{"step", 46}};
  spec["height"] = {{"step", 22}};
  json x = {{"field", "sector"},
            {"type", "nominal"},
            {"sort", sectors},
            {"title", nullptr},
            {"axis", {{"orient", "top"}, {"labelAngle", -35}, {"labelLimit", 180}}}};
  json y = {{"field", "country"}, {"type", "nominal"}, {"sort", countries}, {"title", nullptr}};
  json rect = {
      {"mark", {{"type", "rect"}, {"tooltip", true}, {"stroke", "#ffffff"}, {"strokeWidth", 0.5}}},
      {"encoding",
       {{"x", x},
        {"y", y},
        {"color",
         {{"field", "value"},
          {"type", "quantitative"},
          {"title", options.value_title},
          {"scale", {{"scheme", "redblue"}, {"domain", {-extent, extent}}, {"domainMid", 0}}},
          {"legend", {{"orient", "right"}, {"gradientLength", 200}}}}},
        {"tooltip", json::array({{{"field", "country"}, {"type", "nominal"}, {"title", "Region"}},
                                 {{"field", "sector"}, {"type", "nominal"}, {"title", "Sector"}},
                                 {{"field", "value"},
                                  {"type", "quantitative"},
                                  {"title", "% change"},
                                  {"format", "+.3f"}}})}}}};
  json layers = json::array({rect});
  if (options.label_cells) {
    json text = {
        {"mark", {{"type", "text"}, {"fontSize", 9.5}}},
        {"encoding",
         {{"x", x},
          {"y", y},
          {"text", {{"field", "value"}, {"type", "quantitative"}, {"format", ".1f"}}},
          {"color",
           {{"condition",
             {{"test", fmt::format("abs(datum.value) > {}", 0.6 * extent)}, {"value", "#ffffff"}}},
            {"value", "#1f2933"}}}}}};
    layers.push_back(text);
  }
  spec["layer"] = layers;
  return spec;
}

Result<json> BalanceChartSpec(const std::vector<BilateralBalance>& balances,
                              const BalanceChartOptions& options) {
  if (balances.empty()) return Status::InvalidArgument("balance chart: no bilateral balances");
  json values = json::array();
  std::vector<std::string> pairs;
  std::set<std::string> seen;
  for (const BilateralBalance& b : balances) {
    const std::string pair = fmt::format("{} \u2013 {}", b.country, b.partner);
    RB_RETURN_IF_ERROR(CheckFinite(b.gross, fmt::format("gross balance {}", pair)));
    RB_RETURN_IF_ERROR(CheckFinite(b.value_added, fmt::format("value-added balance {}", pair)));
    if (!seen.insert(pair).second) {
      return Status::InvalidArgument(fmt::format("balance chart: pair {} appears twice", pair));
    }
    pairs.push_back(pair);
    values.push_back({{"pair", pair}, {"measure", "Gross"}, {"value", b.gross}});
    values.push_back({{"pair", pair}, {"measure", "Value added"}, {"value", b.value_added}});
  }
  json spec = BaseSpec();
  spec["data"] = {{"values", values}};
  spec["width"] = 600;
  spec["height"] = {{"step", 14}};
  json y = {{"field", "pair"}, {"type", "nominal"}, {"sort", pairs}, {"title", nullptr}};
  json bars = {
      {"mark", {{"type", "bar"}, {"tooltip", true}}},
      {"encoding",
       {{"y", y},
        {"yOffset",
         {{"field", "measure"}, {"type", "nominal"}, {"sort", {"Gross", "Value added"}}}},
        {"x",
         {{"field", "value"},
          {"type", "quantitative"},
          {"title", options.value_title},
          {"axis", {{"tickCount", 8}, {"labelOverlap", true}}}}},
        {"color",
         {{"field", "measure"},
          {"type", "nominal"},
          {"title", "Measure"},
          {"sort", {"Gross", "Value added"}},
          {"scale", {{"range", {"#2f6f9f", "#e07b39"}}}}}},
        {"tooltip", json::array({{{"field", "pair"}, {"type", "nominal"}, {"title", "Pair"}},
                                 {{"field", "measure"}, {"type", "nominal"}, {"title", "Measure"}},
                                 {{"field", "value"},
                                  {"type", "quantitative"},
                                  {"title", "Balance"},
                                  {"format", options.value_format}}})}}}};
  spec["layer"] = json::array({bars, ZeroRule("x")});
  return spec;
}

Result<json> RankingChartSpec(const std::vector<RankedItem>& items,
                              const RankingChartOptions& options) {
  if (items.empty()) return Status::InvalidArgument("ranking chart: no items");
  if (options.top_n < 0) {
    return Status::InvalidArgument(
        fmt::format("ranking chart: top_n must be >= 0, got {}", options.top_n));
  }
  std::vector<RankedItem> sorted = items;
  for (const RankedItem& it : sorted) {
    RB_RETURN_IF_ERROR(CheckFinite(it.value, fmt::format("ranking value of '{}'", it.label)));
  }
  // Ties broken by label so the order does not depend on the input order.
  std::stable_sort(sorted.begin(), sorted.end(), [](const RankedItem& a, const RankedItem& b) {
    if (a.value != b.value) return a.value > b.value;
    return a.label < b.label;
  });
  if (options.top_n > 0 && sorted.size() > static_cast<std::size_t>(options.top_n)) {
    sorted.resize(static_cast<std::size_t>(options.top_n));
  }
  bool grouped = false;
  json values = json::array();
  std::vector<std::string> order;
  std::set<std::string> seen;
  for (const RankedItem& it : sorted) {
    if (!seen.insert(it.label).second) {
      return Status::InvalidArgument(
          fmt::format("ranking chart: label '{}' appears twice", it.label));
    }
    order.push_back(it.label);
    grouped = grouped || !it.group.empty();
    values.push_back({{"label", it.label}, {"value", it.value}, {"group", it.group}});
  }
  json spec = BaseSpec();
  spec["data"] = {{"values", values}};
  spec["width"] = 520;
  spec["height"] = {{"step", 18}};
  json encoding = {
      {"y",
       {{"field", "label"},
        {"type", "nominal"},
        {"sort", order},
        {"title", nullptr},
        {"axis", {{"labelLimit", 260}}}}},
      {"x", {{"field", "value"}, {"type", "quantitative"}, {"title", options.value_title}}},
      {"tooltip", json::array({{{"field", "label"}, {"type", "nominal"}, {"title", "Item"}},
                               {{"field", "value"},
                                {"type", "quantitative"},
                                {"title", options.value_title},
                                {"format", options.value_format}}})}};
  if (grouped) {
    encoding["color"] = {{"field", "group"},
                         {"type", "nominal"},
                         {"title", options.group_title},
                         {"scale", {{"scheme", "tableau10"}}}};
    encoding["tooltip"].push_back(
        {{"field", "group"}, {"type", "nominal"}, {"title", options.group_title}});
  } else {
    encoding["color"] = {{"value", "#2f6f9f"}};
  }
  spec["mark"] = {{"type", "bar"}, {"tooltip", true}};
  spec["encoding"] = encoding;
  return spec;
}

ReportTable TidyReportTable(const ge::TidyTable& table, std::string caption,
                            const std::function<bool(const ge::TidyRow&)>& keep) {
  std::vector<const ge::TidyRow*> rows;
  bool has_partner = false, has_sector = false, one_scenario = true;
  for (const ge::TidyRow& r : table.rows) {
    if (keep && !keep(r)) continue;
    if (!rows.empty() && r.scenario != rows.front()->scenario) one_scenario = false;
    has_partner = has_partner || !r.partner.empty();
    has_sector = has_sector || !r.sector.empty();
    rows.push_back(&r);
  }
  ReportTable out;
  out.caption = std::move(caption);
  NumberFormat level;
  level.decimals = 3;
  NumberFormat pct;
  pct.decimals = 2;
  pct.show_sign = true;
  if (!one_scenario) out.columns.push_back(ReportColumn::TextColumn("Scenario"));
  out.columns.push_back(ReportColumn::TextColumn("Region"));
  if (has_partner) out.columns.push_back(ReportColumn::TextColumn("Partner"));
  if (has_sector) out.columns.push_back(ReportColumn::TextColumn("Sector"));
  out.columns.push_back(ReportColumn::TextColumn("Variable"));
  out.columns.push_back(ReportColumn::NumberColumn("Baseline", level));
  out.columns.push_back(ReportColumn::NumberColumn("Counterfactual", level));
  out.columns.push_back(
      ReportColumn::NumberColumn("% change", pct,
                                 "100 x (counterfactual - baseline) / |baseline|; empty when the "
                                 "baseline is zero"));
  for (const ge::TidyRow* r : rows) {
    std::vector<ReportCell> cells;
    if (!one_scenario) cells.push_back(ReportCell::Text(r->scenario));
    cells.push_back(ReportCell::Text(r->country));
    if (has_partner) cells.push_back(ReportCell::Text(r->partner));
    if (has_sector) cells.push_back(ReportCell::Text(r->sector));
    cells.push_back(ReportCell::Text(r->variable));
    cells.push_back(ReportCell::Number(r->baseline));
    cells.push_back(ReportCell::Number(r->counterfactual));
    cells.push_back(std::isnan(r->pct_change) ? ReportCell::Empty()
                                              : ReportCell::Number(r->pct_change));
    out.rows.push_back(std::move(cells));
  }
  return out;
}

}  // namespace rebalance::report
