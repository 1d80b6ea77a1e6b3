// Trade-elasticity files: reading theta (with optional standard errors),
// mapping them to a model's sectors by a concordance, and writing them.
//
// Concordance CSV: columns sector,cp_sectors; cp_sectors lists source sectors
// separated by ';' (their theta is averaged, and the standard error of the
// mean of independent estimates is sqrt(sum se^2) / k), or NONTRADABLE for
// the value Caliendo & Parro use for non-tradable sectors (8.22).
#ifndef REBALANCE_SCENARIO_THETA_H_
#define REBALANCE_SCENARIO_THETA_H_

#include <string>
#include <vector>

#include "rebalance/core/status.h"

namespace rebalance::scenario {

struct ThetaTable {
  std::vector<std::string> sectors;
  std::vector<double> theta;
  std::vector<double> se;  // empty when unknown
};

// A CSV with columns sector,theta[,se], or a plain list of numbers (one per
// line, e.g. Caliendo & Parro's T.txt) with names from `names_path`
// (one per line).
Result<ThetaTable> ReadThetaTable(const std::string& path, const std::string& names_path = "");

struct ThetaConcordanceOptions {
  // theta of sectors marked NONTRADABLE (Caliendo & Parro's script value).
  double nontradable_theta = 8.22;
};
Result<ThetaTable> MapTheta(const ThetaTable& source, const std::string& concordance_path,
                            const ThetaConcordanceOptions& options = {});

// sector,theta[,se] with full precision, atomically.
Status WriteThetaCsv(const ThetaTable& table, const std::string& path, bool force);

}  // namespace rebalance::scenario

#endif  // REBALANCE_SCENARIO_THETA_H_
