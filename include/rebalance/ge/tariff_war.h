// One-sector tariff-war model with an employment response, a choice of how
// tariff revenue is used and a deficit rule: Ignatenko, Macedoni,
// Lashkaripour & Simonovska (2025), "Making America Great Again? The
// Economic Impacts of Liberation Day Tariffs", Journal of International
// Economics 157, 104138 (the "IMLS" model below). Equations as stated in
// shared/data/imls2025_liberation_day/MODEL.md; docs/tariff_war.md.
//
// Base year: flows X[j,i] from exporter j (row) to importer i (column),
// including domestic sales, at producer prices with zero base-year tariffs;
// E_i = sum_j X[j,i]; a share nu_i splits sales between labour income and
// other uses: Y_i = sum_k (1-nu_k) X[i,k] + nu_i E_i; T_i = E_i - Y_i.
// Unknowns (3N): wage w_hat, expenditure E_hat, employment L_hat.
//   A[j,i] = lambda[j,i] (w_hat_j L_hat_j^-psi)^-eps (1+t[j,i])^(-eps phi_i)
//   P_hat_i = (E_hat_i / w_hat_i)^(1-phi_i) (sum_k A[k,i])^(-1/eps)
//   X'[j,i] = lambda'[j,i] E_hat_i E_i / (1+t[j,i]),  R_i = tariff revenue
//   wage income  sum_k (1-nu_k) X'[i,k] + nu_i sum_j X'[j,i] = w L Y_i
//   budget       R_i + w L Y_i + T_i * s = E'_i   (s by the deficit rule)
//   labour       L_hat_i = (tau_hat_i w_hat_i / P_hat_i)^kappa
// with phi_i = c + a_i, a_i = (1+theta)/((1-nu_i) theta) - 1/theta - 1,
// theta = eps / 0.67 (so psi = 1/theta), and one wage equation replaced by
// the normalisation (numeraire).
//
// Solution method (own): E_hat is explicit given (w_hat, L_hat) (the budget
// is linear in E_hat once the import shares are known), and the
// normalisation fixes the scale of w_hat by a scalar equation, so the solver
// iterates on 2N unknowns (log w_hat, log L_hat): a wage update
// w <- w (income / wage bill)^step_i (step_i: the inverse of the own-wage
// slope of log(income / wage bill) at the base year, a diagonal Newton
// step) and the labour-supply equation,
// accelerated by Anderson (ge/solver.h). Each map evaluation costs three
// N x N passes. After convergence every one of the 3N original equations
// is re-evaluated independently (TariffWarResult::max_equation_error).
//
// Limits: one goods sector; base-year tariffs must be zero (as in the
// paper's data); the multi-sector extension is discussed in
// docs/tariff_war.md.
#ifndef REBALANCE_GE_TARIFF_WAR_H_
#define REBALANCE_GE_TARIFF_WAR_H_

#include <Eigen/Dense>
#include <string>
#include <vector>

#include "rebalance/core/status.h"
#include "rebalance/ge/solver.h"
#include "rebalance/ge/tidy.h"

namespace rebalance::ge {

// How tariff revenue reaches households (IMLS Table 1 cases 1 and 2).
enum class RevenueUse {
  // Revenue finances a cut in a labour-income tax: tau_i = R_i / (w L Y)_i
  // and the after-tax wage rises by 1/(1-tau_i), which moves employment.
  kIncomeTax,
  // Revenue is rebated lump sum: no effect on the labour-supply margin.
  kLumpSum,
};
const char* ToString(RevenueUse use);  // "income_tax", "lump_sum"
Result<RevenueUse> RevenueUseFromString(const std::string& s);

// What happens to each country's transfer T_i = E_i - Y_i.
enum class DeficitScaling {
  // T_i fixed in units of the numeraire (as every other model here).
  kFixedNominal,
  // T_i scaled by the change in world labour income sum_k w L Y_k / sum Y_k
  // (IMLS: deficits stay a constant share of world output).
  kScaleWithWorldIncome,
};
// "fixed_nominal", "scale_with_world_income"
const char* ToString(DeficitScaling rule);
Result<DeficitScaling> DeficitScalingFromString(const std::string& s);

// The normalisation that replaces one wage equation.
enum class TariffWarNumeraire {
  // IMLS: sum_i (P_hat_i - 1) E_i = 0 (base-expenditure-weighted price
  // index unchanged).
  kPriceIndex,
  // World labour income unchanged: sum_i w L Y_i = sum_i Y_i (the
  // numeraire of the multi-sector model; with it the two deficit rules
  // coincide).
  kWorldIncome,
};
const char* ToString(TariffWarNumeraire n);  // "price_index", "world_income"
Result<TariffWarNumeraire> TariffWarNumeraireFromString(const std::string& s);

// The calibrated base year (see CalibrateTariffWar).
struct TariffWarBaseline {
  std::vector<std::string> countries;  // N labels
  // X[j,i], exporter j (row) to importer i (column), domestic sales on the
  // diagonal, producer prices, base-year tariffs zero. Units: currency_unit.
  Eigen::MatrixXd flows;
  // Sales split nu_i in [0, 1).
  Eigen::VectorXd nu;
  std::string currency_unit = "thousand USD";
  int year = 0;

  int num_countries() const { return static_cast<int>(countries.size()); }
  // E_i = sum_j X[j,i] (column sums).
  Eigen::VectorXd Expenditure() const;
  // Y_i = sum_k (1-nu_k) X[i,k] + nu_i E_i.
  Eigen::VectorXd Income() const;
  // Square, labels unique, finite non-negative flows, positive expenditure
  // and income, nu in [0, 1).
  Status Validate() const;
};

struct TariffWarOptions {
  // Trade elasticity epsilon (> 0). IMLS: 4 (8 in Table 9, alternative 3).
  double epsilon = 4.0;
  // Labour-supply elasticity kappa (>= 0). 0 = fixed employment.
  double kappa = 0.5;
  // Employment-productivity link psi (>= 0); negative = IMLS default
  // 0.67 / epsilon.
  double psi = -1.0;
  // theta in a_i = (1+theta)/((1-nu_i) theta) - 1/theta - 1 (> 0);
  // negative = IMLS default epsilon / 0.67.
  double theta = -1.0;
  // Pass-through constant c of phi_i = c + a_i (IMLS' phi-tilde): 1 in the
  // benchmark, 0.25 in Table 9 alternative 2.
  double pass_through = 1.0;
  // When false, phi_i = pass_through for every country (a_i dropped), as
  // in the Eaton-Kortum-Krugman special case (Table 9 alternative 4).
  bool nu_in_pass_through = true;
  RevenueUse revenue = RevenueUse::kIncomeTax;
  DeficitScaling deficit = DeficitScaling::kScaleWithWorldIncome;
  TariffWarNumeraire numeraire = TariffWarNumeraire::kPriceIndex;
  // Convergence: sup-norm of the fixed-point step in (log w, log L).
  double tolerance = 1e-12;
  int max_iterations = 500;
  // Anderson memory and mixing (solver.h).
  int anderson_memory = 8;
  double damping = 1.0;

  Status Validate() const;
  double Psi() const { return psi < 0 ? 0.67 / epsilon : psi; }
  double Theta() const { return theta < 0 ? epsilon / 0.67 : theta; }
};

// Counterfactual tariffs t[j,i] on goods from j into i (fractions; 0.1 =
// 10%); the diagonal must be zero. An empty matrix means no tariffs.
struct TariffWarShock {
  Eigen::MatrixXd tariff;
};

struct TariffWarResult {
  SolverTermination termination = SolverTermination::kMaxIterations;
  int iterations = 0;
  int function_evaluations = 0;
  int restarts = 0;
  double residual = 0.0;  // the solver's final sup-norm step
  // Largest residual of the 3N equations of the header evaluated afresh at
  // the solution (wage income and budget relative to the country's base
  // income Y_i, labour supply and the normalisation in logs / relative).
  double max_equation_error = 0.0;
  double seconds = 0.0;
  std::string message;

  // Changes (hats) and levels; N each. Flows in the baseline's unit.
  Eigen::VectorXd w_hat, E_hat, L_hat, P_hat;
  Eigen::VectorXd phi;             // phi_i used
  Eigen::VectorXd tariff_revenue;  // R_i (new, currency unit)
  Eigen::VectorXd tax_rate;        // tau_i (0 with a lump-sum rebate)
  Eigen::MatrixXd flows_new;       // X'[j,i] at producer prices
  Eigen::VectorXd welfare_hat;     // W_hat_i (MODEL.md item 6)

  bool converged() const { return termination == SolverTermination::kConverged; }
  // "converged in 17 iterations (18 evaluations), residual 3e-13, 1.2 ms"
  std::string BriefReport() const;
};

// Solves the counterfactual equilibrium. A Status error means the call could
// not run (invalid options, baseline or shock); non-convergence is the
// result's termination, and its numbers must not be used.
Result<TariffWarResult> SolveTariffWar(const TariffWarBaseline& baseline,
                                       const TariffWarShock& shock,
                                       const TariffWarOptions& options = {});

// The paper's reported outcomes per country, in percent (MODEL.md item 6).
struct TariffWarOutcomes {
  Eigen::VectorXd welfare, deficit, exports_gdp, imports_gdp, employment, prices;
  Eigen::VectorXd revenue_share;  // 100 R_i / E_i (base E)
  // Levels for the tidy table: before / after.
  Eigen::VectorXd deficit_base, deficit_new;  // D = imports - exports
  Eigen::VectorXd exports_base, exports_new;  // off-diagonal sums
  Eigen::VectorXd imports_base, imports_new;
  Eigen::VectorXd income_base, income_new;  // Y, w L Y
  Eigen::VectorXd expenditure_base, expenditure_new;
};
TariffWarOutcomes TariffWarChanges(const TariffWarBaseline& baseline,
                                   const TariffWarResult& result);

// Weighted mean of `values` over `members` (indices), weights = base-year
// expenditure E_i (IMLS Tables 1, 2, 8, 9).
double ExpenditureWeightedMean(const TariffWarBaseline& baseline, const Eigen::VectorXd& values,
                               const std::vector<int>& members);

// Tidy rows (tidy.h), variables in docs/tariff_war.md. Per country: levels
// and changes of welfare, deficit, exports_gdp, imports_gdp, employment,
// prices, wage, income, expenditure, exports, imports, tariff_revenue and
// tariff_revenue_share. Per group: the expenditure-weighted mean of the
// members' percent changes in pct_change, written as an index (baseline 1,
// counterfactual 1 + pct / 100), and the mean revenue share.
struct TariffWarGroup {
  std::string name;
  std::vector<int> members;
};
TidyTable TariffWarTidy(const std::string& scenario, const TariffWarBaseline& baseline,
                        const TariffWarResult& result, const std::vector<TariffWarGroup>& groups);

// ---------------------------------------------------------------------------
// Calibration (MODEL.md, "Data and calibration").

struct TariffWarCalibrationOptions {
  // Moments of the two-region (reference country vs rest) nu solve:
  // r11 nu_1 + (1-r11) nu_2 = moment_1 and (1-r22) nu_1 + r22 nu_2 =
  // moment_2, region 1 = the reference country, r11 / r22 the regions'
  // domestic (within-region) sales shares. MODEL.md writes the two targets
  // the other way round (0.12 first); this order reproduces the values of
  // the data README's Octave re-run (nu_US = 0.27047, nu_rest = 0.11434),
  // and the published Table 1 (tariff_war_test.cc). See docs/tariff_war.md.
  double moment_1 = 0.26;
  double moment_2 = 0.12;
  // The reference country (its own nu); every other country gets nu_rest.
  std::string reference = "USA";
};

struct TariffWarCalibration {
  TariffWarBaseline baseline;
  double nu_reference = 0.0, nu_rest = 0.0;
  double r11 = 0.0, r22 = 0.0;  // at the solution
  int reference_index = -1;
  std::string BriefReport() const;
};

// From off-diagonal trade X[j,i] (exporter row, importer column; the
// diagonal is ignored) and GDP in the same unit: solves the two nu's, then
// T, E, domestic sales max(0, E - M), and returns the base year.
Result<TariffWarCalibration> CalibrateTariffWar(const std::vector<std::string>& countries,
                                                const Eigen::MatrixXd& trade,
                                                const Eigen::VectorXd& gdp,
                                                const TariffWarCalibrationOptions& options = {});

}  // namespace rebalance::ge

#endif  // REBALANCE_GE_TARIFF_WAR_H_
