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
                    const std::string& variable, double baseline,
                    double counterfactual) {
  rows.push_back(TidyRow{scenario, country, partner, sector, variable, baseline,
                         counterfactual, PctChange(baseline, counterfactual)});
}

void TidyTable::Append(const TidyTable& other) {
  rows.insert(rows.end(), other.rows.begin(), other.rows.end());
}

}  // namespace rebalance::ge
