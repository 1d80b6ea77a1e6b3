// One multi-sector counterfactual from a baseline source and a list of
// shocks (Caliendo & Parro 2015; ge/multisector.h): what `rebalance simulate`
// does between parsing its flags and writing its files. Loads and calibrates
// the baseline (LoadBaseline: CP step 2, and step 3 when the source asks),
// resolves the shocks against its labels, optionally replaces the tariffs
// among Canada, Mexico and the USA by CP's 2005 ones (their NAFTA
// experiment), solves, and lays out the tidy result (ge::TidyMultisector)
// with CP's welfare decomposition.
#ifndef REBALANCE_SCENARIO_SIMULATE_H_
#define REBALANCE_SCENARIO_SIMULATE_H_

#include <functional>
#include <string>

#include "rebalance/core/status.h"
#include "rebalance/ge/multisector.h"
#include "rebalance/ge/shocks.h"
#include "rebalance/ge/tidy.h"
#include "rebalance/scenario/run.h"
#include "rebalance/scenario/scenario.h"

namespace rebalance::scenario {

struct SimulateOptions {
  // Where the baseline comes from (kinds cp, cp_tidy, wiod, icio, long,
  // builtin), its theta and tariff files and zero_deficit_baseline.
  BaselineSource baseline;
  // The shocks by label; resolved against the calibrated baseline.
  ge::ShockSpec shocks;
  // The trade elasticities theta scaled for the counterfactual (ScaleTheta;
  // `rebalance simulate --scale-theta SECTOR=FACTOR`). The calibration of the
  // baseline (CP steps 2 and 3) uses the unscaled theta; the result's
  // loaded.baseline holds the scaled one, which the counterfactual solved on.
  std::vector<ThetaScaling> theta_scaling;
  // CP's NAFTA experiment: the tariffs among Canada, Mexico and the USA set
  // to CP's 2005 ones (tariffs2005.txt of a cp source, the tariff_cfl column
  // of a cp_tidy one), on top of `shocks`. Only for the CP sources.
  bool cp_nafta = false;
  // Solver options of the calibration and of the counterfactual.
  ge::MultisectorOptions solver;
  // Bilateral rows in the tidy table.
  bool bilateral = true;
  // Called with each note as it arises (cells clipped to build the model
  // baseline; a sector label read as another by synonym); may be empty.
  std::function<void(const std::string&)> note;
  Status Validate() const;
};

struct SimulateResult {
  LoadedBaseline loaded;  // the calibrated baseline and its solver records
  ge::ShockSet shocks;    // resolved, NAFTA tariffs included
  ge::MultisectorSolution solution;
  ge::TidyTable table;               // ge::TidyMultisector's layout
  ge::WelfareDecomposition welfare;  // CP's terms-of-trade / volume-of-trade terms
};

// Fails on bad input or options; a counterfactual that does not converge is
// a kNotConverged error (ge::SolveMultisectorOrError), as is a calibration that does not.
Result<SimulateResult> Simulate(const SimulateOptions& options);

}  // namespace rebalance::scenario

#endif  // REBALANCE_SCENARIO_SIMULATE_H_
