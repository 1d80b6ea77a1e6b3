// One-sector structural gravity in general equilibrium: counterfactuals of
// trade-cost changes (Anderson & van Wincoop 2003; Yotov, Piermartini,
// Monteiro & Larch 2016, "An Advanced Guide to Trade Policy Analysis",
// ch. 2; Baier, Yotov & Zylkin 2019, ge_gravity).
//
// Model (countries i exporting, j importing, sigma > 1, T_ij = t_ij^(1-sigma)):
//   X_ij = (Y_i E_j / Y) T_ij / (Pi_i^(1-sigma) P_j^(1-sigma))
//   Pi_i^(1-sigma) = sum_j T_ij (E_j / Y) / P_j^(1-sigma)
//   P_j^(1-sigma)  = sum_i T_ij (Y_i / Y) / Pi_i^(1-sigma)
//   P_ref = 1 for the reference importer (baseline and counterfactual).
// Conditional GE keeps Y and E; full-endowment GE lets factory-gate prices
// move, p_hat_i = (Y_hat_i / Y_hat)^(1/(1-sigma)) / Pi_hat_i with Y_i = p_i Q_i
// and Q fixed, and expenditure follows one of three deficit closures.
// Welfare is real GDP, W_i = Y_i / P_i. See docs/gravity_ge.md for the
// solution method, the output variables and the closures' exact definitions.
//
// This header is the model (data, costs, options, solution). Building its
// inputs from a long table and covariate changes: gravity_input.h; Monte Carlo
// draws of the coefficients: gravity_draws.h; the book's iterative procedure
// (FullGeMethod::kYotov2016) is src/ge/gravity_yotov.cc.
#ifndef REBALANCE_GE_GRAVITY_H_
#define REBALANCE_GE_GRAVITY_H_

#include <Eigen/Dense>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "rebalance/core/status.h"
#include "rebalance/ge/solver.h"
#include "rebalance/ge/tidy.h"

namespace rebalance::ge {

// How expenditure follows output in the full-endowment equilibrium.
enum class DeficitClosure {
  // E_j / Y_j fixed at the baseline ratio phi_j (Yotov et al. 2016). The
  // ratios are kept up to one common factor that keeps world expenditure
  // equal to world output: E'_j = phi_j Y'_j * sum_k Y'_k / sum_k phi_k Y'_k.
  kRatioFixed,
  // E_j = Y_j + D_j with the baseline deficit D_j fixed in units of the
  // numeraire (the reference importer's price index); ge_gravity's default.
  kAdditive,
  // Balanced trade in the counterfactual: E'_j = Y'_j. With unbalanced
  // baseline data the changes include the effect of closing the deficits.
  kBalanced,
};
const char* ToString(DeficitClosure closure);  // "ratio", "additive", "balanced"
Result<DeficitClosure> DeficitClosureFromString(const std::string& s);

// Baseline flows: X_ij from exporter i (row) to importer j (column),
// including domestic sales on the diagonal. Y_i = row sums, E_j = column sums.
struct GravityData {
  std::vector<std::string> countries;
  Eigen::MatrixXd flows;

  // Square, labels unique and non-empty, finite, non-negative, positive
  // domestic sales for every country.
  Status Validate() const;
};

// Trade costs as t_ij^(1-sigma) ("partial effects" exp(sum_k beta_k x_ijk)),
// for the baseline and the counterfactual. Entries must be finite and
// non-negative (0 = prohibitive), with positive diagonal.
struct TradeCosts {
  Eigen::MatrixXd baseline;
  Eigen::MatrixXd counterfactual;

  Status Validate(Eigen::Index n) const;
};

// Trade costs from gravity covariates and their coefficients:
// T_ij = exp(sum_k beta_k x_ijk). `vcov` (k x k) is only needed for draws.
struct CovariateCosts {
  std::vector<std::string> names;
  std::vector<Eigen::MatrixXd> baseline;        // x_k, n x n each
  std::vector<Eigen::MatrixXd> counterfactual;  // x_k after the changes
  Eigen::VectorXd beta;
  Eigen::MatrixXd vcov;

  Status Validate(Eigen::Index n) const;
  // T and T' at the given coefficients (beta.size() == names.size()).
  Result<TradeCosts> Costs(const Eigen::VectorXd& coefficients) const;
};

// How the full-endowment equilibrium is computed.
enum class FullGeMethod {
  // Solve the equilibrium conditions jointly (Newton; the default).
  kExact,
  // Replicate the iterative procedure of the Yotov et al. (2016, ch. 2)
  // do-files step by step, including its stopping rule (standard deviation
  // and maximum of successive factory-gate price-change differences below
  // `yotov_criterion`, 0.01 in the book) and its expenditure E_j = phi_j Y_j
  // without world-balance adjustment. It reproduces the book's published
  // tables; it is NOT an exact equilibrium (the result's
  // max_clearing_error says by how much it misses). Ratio closure only.
  kYotov2016,
};
const char* ToString(FullGeMethod method);  // "exact", "yotov2016"
Result<FullGeMethod> FullGeMethodFromString(const std::string& s);

// The options shape of both GE models (as MultisectorOptions): the model's
// own options, and the nonlinear solver's in `solver`.
struct GravityOptions {
  // Elasticity of substitution; must exceed 1.
  double sigma = 7.0;
  // Label of the reference importer whose inward resistance is 1 in every
  // solution (the numeraire). Required.
  std::string reference;
  // Deficit closure of the full-endowment equilibrium.
  DeficitClosure closure = DeficitClosure::kRatioFixed;
  // Full-endowment method; see FullGeMethod.
  FullGeMethod full_method = FullGeMethod::kExact;
  // kYotov2016 only: the book's convergence criterion and an iteration cap
  // (reaching the cap is kMaxIterations).
  double yotov_criterion = 0.01;
  int yotov_max_iterations = 1000;
  // Newton options for the three solves (baseline resistances, conditional
  // and full GE). Residuals are log market-clearing gaps, so the tolerance
  // is a relative error.
  SolverOptions solver;

  // Every option within its record's bounds (GravityOptionTable, which also
  // checks solver.tolerance and solver.max_iterations), a reference given,
  // kYotov2016 only with the ratio closure, and solver.Validate().
  Status Validate() const;
};

// The registry of GravityOptions (core/options.h): sigma, reference,
// closure, full_method (CLI --method), the book's criterion and cap, and the
// Newton solver's tolerance and max_iterations. `rebalance gravity` adds its
// flags from it.
const core::OptionTable<GravityOptions>& GravityOptionTable();

// One equilibrium in levels.
struct GravityEquilibrium {
  Eigen::VectorXd output;       // Y_i
  Eigen::VectorXd expenditure;  // E_j
  Eigen::VectorXd price;        // factory-gate price index p_i (baseline 1)
  Eigen::VectorXd outward;      // Pi_i (level, not to the power 1-sigma)
  Eigen::VectorXd inward;       // P_j (level)
  Eigen::MatrixXd flows;        // X_ij
  Eigen::VectorXd real_gdp;     // Y_i / P_i
  // Largest |sum_j X_ij / Y_i - 1| and |sum_i X_ij / E_j - 1| (accounting
  // check of the solution, independent of the solver's own residual).
  double max_clearing_error = 0.0;
  SolverResult solve;
  Eigen::VectorXd unknowns;  // the solver's variables (warm starts)
};

struct GravityResult {
  std::vector<std::string> countries;
  double sigma = 0.0;
  std::string reference;
  DeficitClosure closure = DeficitClosure::kRatioFixed;
  GravityEquilibrium baseline, conditional, full;
  // kConverged only if all three solves converged; otherwise the first
  // failing stage's termination, named in `message`.
  SolverTermination termination = SolverTermination::kConverged;
  std::string message;

  bool converged() const { return termination == SolverTermination::kConverged; }
  std::string BriefReport() const;
};

// Solves baseline resistances, conditional and full-endowment GE. Fails
// (Status) only for invalid input; the maths' outcome is in the result.
// `warm_start` (may be null) seeds the three solves, e.g. in Monte Carlo.
Result<GravityResult> SolveGravity(const GravityData& data, const TradeCosts& costs,
                                   const GravityOptions& options,
                                   const GravityResult* warm_start = nullptr);

// Front door: as SolveGravity, but a non-converged solve is an error
// (Status::NotConverged naming the stage, iterations and residual). The
// multi-sector model's twin is SolveMultisectorOrError (multisector.h).
Result<GravityResult> SolveGravityOrError(const GravityData& data, const TradeCosts& costs,
                                          const GravityOptions& options);

// The tidy comparison table (tidy.h layout) documented in
// docs/gravity_ge.md: per-country variables with suffix _cond / _full, and
// (if `bilateral`) flow_cond / flow_full per pair, whose baseline column is
// the baseline solution. The multi-sector model's twin is TidyMultisector.
TidyTable TidyGravity(const GravityResult& result, const std::string& scenario, bool bilateral);

}  // namespace rebalance::ge

#endif  // REBALANCE_GE_GRAVITY_H_
