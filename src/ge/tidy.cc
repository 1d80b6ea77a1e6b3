#include "rebalance/ge/tidy.h"

#include <cmath>
#include <limits>

namespace rebalance::ge {

double PctChange(double baseline, double counterfactual) {
  if (baseline == 0.0) {
    return counterfactual == 0.0 ? 0.0 : std::numeric_limits<double>::quiet_NaN();
  }
  return 100.0 * (counterfactual - baseline) / std::fabs(baseline);
}

void TidyTable::Add(const std::string& scenario, const std::string& country,
                    const std::string& partner, const std::string& sector,
                    const std::string& variable, double baseline, double counterfactual) {
  rows.push_back(TidyRow{scenario, country, partner, sector, variable, baseline, counterfactual,
                         PctChange(baseline, counterfactual)});
}

std::string TidyUnit(std::string_view variable, const std::string& currency_unit) {
  std::string_view v = variable;
  // Gravity variables carry the equilibrium as a suffix.
  for (std::string_view sfx : {"_cond", "_full"}) {
    if (v.size() > sfx.size() && v.substr(v.size() - sfx.size()) == sfx)
      v.remove_suffix(sfx.size());
  }
  static const char* kIndex[] = {"real_wage",
                                 "wage",
                                 "consumer_price_index",
                                 "price_index",
                                 "input_cost",
                                 "factory_gate_price",
                                 "outward_resistance",
                                 "inward_resistance"};
  static const char* kMoney[] = {
      "welfare",     "income",   "value_added",    "tariff_revenue", "subsidy_cost",
      "deficit",     "exports",  "imports",        "trade_balance",  "gross_output",
      "expenditure", "real_gdp", "nominal_output", "domestic_sales", "flow"};
  static const char* kPercent[] = {"welfare_cp", "welfare_tot", "welfare_vot", "welfare_tech",
                                   "welfare_residual"};
  for (const char* k : kIndex)
    if (v == k) return "index (base year = 1)";
  for (const char* k : kPercent)
    if (v == k) return "percent of base-year income";
  if (v == "tariff") return "rate (0.25 = 25%)";
  for (const char* k : kMoney)
    if (v == k) return currency_unit;
  return "";
}

void AssignUnits(TidyTable* table, const std::string& currency_unit) {
  for (auto& r : table->rows) r.unit = TidyUnit(r.variable, currency_unit);
}

void TidyTable::Append(const TidyTable& other) {
  rows.insert(rows.end(), other.rows.begin(), other.rows.end());
}

}  // namespace rebalance::ge
