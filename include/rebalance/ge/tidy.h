// The one output layout of every GE model (DESIGN.md, "Compare"):
//   scenario, country, partner, sector, variable, baseline, counterfactual, pct_change
// Partner and sector are empty where they do not apply. The layout and its
// units are documented in docs/report.md ("Tidy results"); each model's
// variable names in its own doc: docs/multisector.md ("Output variables"),
// docs/gravity_ge.md ("Output variables"), docs/tariff_war.md ("Outputs").
// Writers for CSV/JSON live in report/.
#ifndef REBALANCE_GE_TIDY_H_
#define REBALANCE_GE_TIDY_H_

#include <string>
#include <string_view>
#include <vector>

namespace rebalance::ge {

struct TidyRow {
  std::string scenario;
  std::string country;
  std::string partner;  // empty when not bilateral
  std::string sector;   // empty when not sectoral
  std::string variable;
  double baseline = 0.0;
  double counterfactual = 0.0;
  // 100 * (counterfactual - baseline) / |baseline| (so a balance that can
  // change sign keeps a meaningful direction). Undefined when baseline == 0
  // and counterfactual != 0: stored as NaN and written as an empty CSV cell /
  // JSON null, documented as "undefined: zero baseline". 0 when both are 0.
  double pct_change = 0.0;
  // The unit of `baseline` and `counterfactual` ("million USD", "index (base
  // year = 1)", "rate (0.25 = 25%)", "percent of base-year income");
  // pct_change is always in percent. Set by AssignUnits.
  std::string unit;
};

struct TidyTable {
  std::vector<TidyRow> rows;

  void Add(const std::string& scenario, const std::string& country, const std::string& partner,
           const std::string& sector, const std::string& variable, double baseline,
           double counterfactual);
  void Append(const TidyTable& other);
};

// The unit of a variable's levels (TidyRow::unit): money variables are in
// `currency_unit`; indexes, rates and percent contributions say so. Empty for
// a variable this function does not know.
std::string TidyUnit(std::string_view variable, const std::string& currency_unit);
// Sets TidyRow::unit of every row from its variable.
void AssignUnits(TidyTable* table, const std::string& currency_unit);

// 100 * (cf / base - 1), with the conventions documented in TidyRow.
double PctChange(double baseline, double counterfactual);

}  // namespace rebalance::ge

#endif  // REBALANCE_GE_TIDY_H_
