// Multi-sector Eaton-Kortum model with input-output links, tariffs and trade
// deficits, solved in changes ("exact hat algebra"): Caliendo & Parro (2015),
// "Estimates of the Trade and Welfare Effects of NAFTA", REStud 82(1), eqs.
// (7)-(11) and the equilibrium-in-changes system of their section 3.3, with
// deficit rebalancing as in Dekle, Eaton & Kortum (2007, 2008) and ad-valorem
// production / export subsidies (shocks.h).
//
// Unknowns: wages w_hat_n and sectoral price indexes P_hat_n^j; expenditures
// X_n^j' solve a linear system given them. The solver runs an Anderson-
// accelerated fixed point (solver.h) on (log w_hat, log P_hat):
//   c_hat -> P_hat' and pi' (eqs. 7-9) -> X' (goods market clearing, eq. 10,
//   inner linear solve, warm-started) -> w_hat' from labour-market clearing
//   w_hat_n VA_n = sum_j gamma_n^j Y_n^j' (equivalent to the trade balance
//   eq. 11 by Walras' law), normalised so world value added is unchanged
//   (the numeraire).
// Full equations, the subsidy accounting and the output variables are in
// docs/multisector.md.
#ifndef REBALANCE_GE_MULTISECTOR_H_
#define REBALANCE_GE_MULTISECTOR_H_

#include <string>
#include <vector>

#include "rebalance/core/options.h"
#include "rebalance/core/status.h"
#include "rebalance/ge/baseline.h"
#include "rebalance/ge/shocks.h"
#include "rebalance/ge/solver.h"
#include "rebalance/ge/tidy.h"

namespace rebalance::ge {

// The options shape of both GE models (gravity.h's GravityOptions has the
// same): the nonlinear solver's options in `solver` (solver.h), then the
// model's own, then `threads` (0 = all cores, as every threads option).
struct MultisectorOptions {
  // The outer Anderson-accelerated fixed point on (log w_hat, log P_hat):
  // convergence is the sup-norm of the step (shares then satisfy market
  // clearing to about theta x 1e-12 relative), an iteration limit (reaching
  // it is kMaxIterations), the Anderson memory (0 = plain fixed-point
  // iteration) and the mixing parameter in (0, 1].
  SolverOptions solver{
      .tolerance = 1e-12, .max_iterations = 1000, .anderson_memory = 8, .damping = 1.0};
  // Inner expenditure solve: relative tolerance (sup-norm of the change in
  // X' relative to world expenditure) and iteration limit.
  double inner_tolerance = 1e-13;
  int inner_max_iterations = 5000;
  // OpenMP threads for the sector loops: 0 = all cores, 1 = serial (the
  // default). Models with fewer than 20,000 bilateral flows (J N^2) run
  // serially.
  int threads = 1;

  // Every option within its record's bounds (MultisectorOptionTable).
  Status Validate() const;
};

// The registry of MultisectorOptions (core/options.h): the solver's
// tolerance, max_iterations, anderson_memory and damping, the inner solve's
// and threads. The TOML [solver] table of scenario files reads these keys.
const core::OptionTable<MultisectorOptions>& MultisectorOptionTable();

// One equilibrium after a shock: hats, new levels, convergence record.
// Layouts follow Baseline: FlowIndex(j, n, i) and CS(n, j).
struct MultisectorSolution {
  SolverTermination termination = SolverTermination::kMaxIterations;
  int iterations = 0;        // outer fixed-point iterations
  int inner_iterations = 0;  // total expenditure-solve sweeps
  int restarts = 0;
  double residual = 0.0;             // final outer residual (sup-norm, logs)
  double market_clearing_gap = 0.0;  // max |X' - demand| / world X'
  double seconds = 0.0;
  std::string message;

  std::vector<double> w_hat;               // N, wage (value added per unit) change
  std::vector<double> P_hat;               // CS, sectoral price index change
  std::vector<double> c_hat;               // CS, input-bundle cost change
  std::vector<double> pi_new;              // FlowIndex, expenditure shares pi'
  std::vector<double> X_new;               // CS, expenditure X' (tariff-inclusive)
  std::vector<double> flow_new;            // FlowIndex, X' pi' / (1 + tau')
  std::vector<double> Y_new;               // CS, gross output (producer revenue)
  std::vector<double> va_new;              // N, value added w_hat VA
  std::vector<double> tariff_revenue_new;  // N
  std::vector<double> subsidy_cost_new;    // N
  std::vector<double> deficit_new;         // N
  std::vector<double> income_new;          // N, VA + R - S + D
  std::vector<double> welfare_hat;         // N, I_hat / prod_j P_hat^alpha
  std::vector<double> real_wage_hat;       // N, w_hat / prod_j P_hat^alpha

  bool converged() const { return termination == SolverTermination::kConverged; }
  // "converged in 23 iterations (812 inner), residual 4.2e-11, 0.041 s"
  std::string BriefReport() const;
};

// Solves the equilibrium in changes of `baseline` under `shocks`. The
// baseline must pass ValidateStructure (raw data that do not clear markets
// are allowed: the solution is then the consistent equilibrium of the data,
// CP's base-year step). `warm_start` (optional) supplies w_hat, P_hat and
// X_new of a nearby solution. Non-convergence is reported in the solution's
// termination; a Status error means the call could not run.
Result<MultisectorSolution> SolveMultisector(const Baseline& baseline, const ShockSet& shocks,
                                             const MultisectorOptions& options = {},
                                             const MultisectorSolution* warm_start = nullptr);

// The counterfactual economy as a new Baseline: flows' , tau', d d_hat,
// subsidies', deficits'; shares and theta unchanged.
Result<Baseline> ApplySolution(const Baseline& baseline, const ShockSet& shocks,
                               const MultisectorSolution& solution);

// CP calibration step 2: solve the model at the (raw) data with no shock,
// keeping the data deficits, and return the exactly consistent base year.
// Non-convergence is a kNotConverged error.
Result<Baseline> SolveBaseYear(const Baseline& raw, const MultisectorOptions& options = {},
                               MultisectorSolution* solution = nullptr);

// CP calibration step 3 (Dekle-Eaton-Kortum): the same economy with every
// deficit set to zero, the base of CP's Table 2 counterfactuals.
Result<Baseline> ZeroDeficitBaseline(const Baseline& baseline,
                                     const MultisectorOptions& options = {},
                                     MultisectorSolution* solution = nullptr);

// The front door: solve, and turn non-convergence into a kNotConverged error
// naming the iterations and residual (the gravity model's twin is
// SolveGravityOrError).
Result<MultisectorSolution> SolveMultisectorOrError(
    const Baseline& baseline, const ShockSet& shocks, const MultisectorOptions& options = {},
    const MultisectorSolution* warm_start = nullptr);

// Residuals of the equilibrium conditions at given hats and expenditures, for
// tests and diagnostics (all relative to world expenditure or in logs):
// price-index equation (max |log P_hat - log P(c_hat)|), goods market
// clearing (max gap / world X'), labour market / trade balance (max gap /
// world X'), and the world sum of trade balances.
struct EquilibriumResiduals {
  double price_index = 0.0;
  double goods_market = 0.0;
  double trade_balance = 0.0;  // max_n |imports - exports - D'_n| / world X'
  double world_balance = 0.0;  // |sum_n (exports - imports)| / world X'
};
Result<EquilibriumResiduals> EvaluateResiduals(const Baseline& baseline, const ShockSet& shocks,
                                               const std::vector<double>& w_hat,
                                               const std::vector<double>& P_hat,
                                               const std::vector<double>& X_new);

// CP (2015, section 4, eqs. for d ln W_n) welfare decomposition of country
// n's welfare change into terms-of-trade and volume-of-trade effects by
// partner i and sector j, evaluated as CP do for their NAFTA tables: baseline
// weights and proportional changes (x_hat - 1),
//   ToT_ni^j  = [E_ni^j (c_hat_n^j - 1) - M_ni^j (c_hat_i^j - 1)] / I_n
//   VoT_ni^j  = tau_ni^j [M_ni^j' - M_ni^j c_hat_i^j] / I_n
//   Tech_ni^j = -M_ni^j (1 + tau_ni^j) (d_hat_ni^j - 1) / I_n  (iceberg)
// with E_ni exports of n to i and M_ni imports of n from i at producer
// prices. welfare_cp = sum of the terms (CP's reported welfare change, e.g.
// Mexico +1.31% for NAFTA). It is a first-order measure: for large tariff
// cuts it overstates the exact change W_hat - 1 = I_hat / P_hat - 1 (the
// Harberger triangle is counted as a rectangle); the gap is `residual`, which
// also holds deficit, productivity and subsidy effects.
struct WelfareDecomposition {
  std::vector<double> tot;         // FlowIndex(j, n, i): country n, partner i
  std::vector<double> vot;         // FlowIndex(j, n, i)
  std::vector<double> tech;        // FlowIndex(j, n, i)
  std::vector<double> welfare_cp;  // N, sum of the terms
  std::vector<double> residual;    // N, (W_hat - 1) - welfare_cp
};
WelfareDecomposition DecomposeWelfare(const Baseline& baseline, const ShockSet& shocks,
                                      const MultisectorSolution& solution);

// Tidy output (tidy.h layout), variables documented in docs/multisector.md.
struct MultisectorReportOptions {
  // Bilateral rows (flows, welfare terms by partner and sector); off keeps
  // the table small for sweeps.
  bool bilateral = true;
  // Skip bilateral rows whose baseline and counterfactual are both zero.
  bool skip_zero = true;
};
// The gravity model's twin is TidyGravity.
TidyTable TidyMultisector(const Baseline& baseline, const ShockSet& shocks,
                          const MultisectorSolution& solution,
                          const MultisectorReportOptions& options = {});

}  // namespace rebalance::ge

#endif  // REBALANCE_GE_MULTISECTOR_H_
