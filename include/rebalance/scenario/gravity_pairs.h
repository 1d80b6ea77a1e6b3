// Trade costs from pair fixed effects: the two-stage procedure of Yotov,
// Piermartini, Monteiro & Larch (2016, "An Advanced Guide to Trade Policy
// Analysis", ch. 2, application 2, the NAFTA counterfactual).
//
// Stage 1: PPML on a panel (including domestic flows)
//   X_ijt = exp(policy_ijt' beta + eta_it + psi_jt + mu_ij)
// with exporter-year, importer-year and pair fixed effects. exp(mu_ij) is the
// time-invariant part of t_ij^(1-sigma) for every pair that is identified
// (pairs whose trade is zero in every year are separated and dropped).
// Stage 2: PPML of exp(mu_ij) on gravity covariates (e.g. log distance,
// contiguity, language, colony) with exporter and importer fixed effects,
// over the identified pairs; its prediction exp(z_ij' gamma + a_i + b_j)
// fills the pairs not identified in stage 1.
// The GE cost matrix is then T_ij = exp(mu_ij) * exp(policy_ij' beta) in the
// baseline year, and the counterfactual changes the policy covariates.
#ifndef REBALANCE_SCENARIO_GRAVITY_PAIRS_H_
#define REBALANCE_SCENARIO_GRAVITY_PAIRS_H_

#include <string>
#include <vector>

#include <Eigen/Dense>

#include "rebalance/core/status.h"
#include "rebalance/data/table.h"
#include "rebalance/econ/ppml.h"
#include "rebalance/ge/gravity.h"
#include "rebalance/ge/gravity_input.h"

namespace rebalance::scenario {

struct PairCostOptions {
  // Panel columns.
  std::string exporter = "exporter";
  std::string importer = "importer";
  std::string year = "year";
  std::string flow = "trade";
  std::string pair = "pair_id";
  // Stage-1 time-varying policy covariates (columns), e.g. {"rta"}.
  std::vector<std::string> policy = {"rta"};
  // Stage-2 covariate terms in formula syntax, e.g. "log(dist)".
  std::vector<std::string> gravity = {"log(dist)", "cntg", "lang", "clny"};
  // Panel years used in stage 1 (empty = every year in the table).
  std::vector<int64_t> years;
  // Year whose flows and policy covariates form the GE baseline; must be one
  // of the panel years.
  int64_t baseline_year = 0;
  // Estimator settings for both stages.
  int threads = 0;
  double tolerance = 1e-8;

  Status Validate() const;
};

struct PairCosts {
  // Baseline-year data (countries alphabetical) with the policy covariates
  // (covariates.names = policy, beta = stage-1 coefficients, vcov its block).
  ge::GravityInput input;
  // exp(mu_ij) per pair (n x n): stage-1 estimate where identified, stage-2
  // prediction otherwise. identified(i, j) = 1 for stage-1 pairs.
  Eigen::MatrixXd pair_effect;
  Eigen::MatrixXi identified;
  int num_identified = 0, num_predicted = 0;
  econ::EstimateResult stage1, stage2;
  std::string BriefReport() const;
};

// Runs both stages on a long panel table. Errors name the column, pair or
// stage; a stage that does not converge is an error.
Result<PairCosts> EstimatePairCosts(const data::Table& panel, const PairCostOptions& options);

// Baseline and counterfactual T_ij = pair_effect_ij * exp(beta' x_ij) after
// applying `changes` to the policy covariates (e.g. rta = 0 for the NAFTA
// pairs).
Result<ge::TradeCosts> PairTradeCosts(const PairCosts& costs,
                                      const std::vector<ge::CovariateChange>& changes);

}  // namespace rebalance::scenario

#endif  // REBALANCE_SCENARIO_GRAVITY_PAIRS_H_
