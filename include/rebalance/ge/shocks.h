// Shocks for the multi-sector GE model (Caliendo & Parro 2015 in changes),
// written with labels (ShockSpec) and resolved against a Baseline's labels
// into dense arrays (ShockSet). Shocks combine freely and are applied in the
// order given.
//
// How each instrument enters the equilibrium in changes (see
// docs/multisector.md for the full system):
// - tariffs: tau' replaces tau in kappa_ni^j = (1 + tau_ni^j) d_ni^j, so
//   kappa_hat = (1 + tau') / (1 + tau) * d_hat; tariff revenue
//   sum_j,i tau' X_n^j' pi_ni^j' / (1 + tau') accrues to importer n's income.
// - iceberg: d_hat multiplies kappa_hat (no revenue).
// - productivity: lambda_hat_i^j multiplies the EK technology level, so
//   pi_ni^j' = pi_ni^j lambda_hat_i^j (kappa_hat c_hat_i^j / P_hat_n^j)^-theta.
//   A Hicks-neutral efficiency gain of g percent is lambda_hat = (1+g)^theta.
// - production subsidy s_i^j and export subsidy e_i^j (ad valorem, paid by the
//   government of producer i): the producer receives (1 + s + e [n != i])
//   times the buyer's pre-tariff payment, so the buyer's price of i's good in
//   n is kappa_ni c_i / omega_ni with omega_ni^j = 1 + s_i^j + e_i^j [n != i].
//   In changes this is kappa_hat_ni / omega_hat_ni. Gross output is
//   Y_i^j = sum_n omega_ni flow_ni, value added gamma Y, and the subsidy cost
//   sum_j,n (omega_ni - 1) flow_ni is deducted from i's income
//   I_i = VA_i + R_i - S_i + D_i. These are the overcapacity instruments.
// - deficits: D_n' is kept fixed relative to world value added (the
//   numeraire, so fixed in levels), set to zero (Dekle-Eaton-Kortum full
//   rebalancing), or set to country targets.
#ifndef REBALANCE_GE_SHOCKS_H_
#define REBALANCE_GE_SHOCKS_H_

#include <string>
#include <string_view>
#include <vector>

#include "rebalance/core/status.h"
#include "rebalance/ge/baseline.h"

namespace rebalance::ge {

// Labels: a country or sector name of the Baseline, or "*" for all. A comma
// separated list ("Canada,Mexico,USA") selects several. For tariffs and
// iceberg costs, a sector "*" means all *tradable* sectors and own pairs
// (importer == exporter) are skipped when a wildcard or list is involved.
enum class ShockMode { kLevel, kChange, kMultiply };
const char* ToString(ShockMode mode);
Result<ShockMode> ShockModeFromString(std::string_view s);

struct TariffShock {
  std::string importer;
  std::string exporter;
  std::string sector;
  // kLevel: tau' = value; kChange: tau' = tau + value (additive, in rate
  // points: +0.25 = 25 percentage points); kMultiply: 1+tau' = (1+tau) value.
  ShockMode mode = ShockMode::kLevel;
  double value = 0.0;
  // A resulting rate outside [0, kMaxTariffRate] (above 200%, or negative:
  // an import subsidy) is refused unless this is set; a rate at or below
  // -100% is always refused (the buyer's price would be zero or negative).
  // Nothing is floored: a cut larger than the existing rate is an error.
  bool allow_extreme = false;
  // Where the shock was written, for messages: a scenario-file key with its
  // line and column, or the CLI option ("--tariff 'USA:CHN:*=+0.25'").
  std::string origin;
};

// The bound on a resulting tariff rate beyond which TariffShock::allow_extreme
// is required: 2.0 = 200%.
inline constexpr double kMaxTariffRate = 2.0;

struct IcebergShock {
  std::string importer;
  std::string exporter;
  std::string sector;
  double d_hat = 1.0;  // multiplies d_ni^j; > 0
};

struct ProductivityShock {
  std::string country;
  std::string sector;
  double lambda_hat = 1.0;  // multiplies lambda_i^j; > 0
};

enum class SubsidyKind { kProduction, kExport };
const char* ToString(SubsidyKind kind);
Result<SubsidyKind> SubsidyKindFromString(std::string_view s);

struct SubsidyShock {
  SubsidyKind kind = SubsidyKind::kProduction;
  std::string country;
  std::string sector;
  // kLevel: s' = value; kChange: s' = s + value. kMultiply is not allowed.
  ShockMode mode = ShockMode::kLevel;
  double value = 0.0;  // ad-valorem rate, > -1
};

enum class DeficitRule {
  kFixed,    // D_n' = D_n (fixed relative to world value added, the numeraire)
  kZero,     // D_n' = 0 for all n (full rebalancing, Dekle-Eaton-Kortum)
  kTargets,  // D_n' from `targets`; others keep D_n; see DeficitResidual
};
const char* ToString(DeficitRule rule);
Result<DeficitRule> DeficitRuleFromString(std::string_view s);

enum class DeficitUnit {
  kLevel,           // in the Baseline's currency units (Baseline::currency_unit)
  kShareOfWorldVa,  // fraction of world value added (= world GDP)
  kShareOfOwnVa,    // fraction of the country's baseline value added
  kMillionUsd,      // million USD (converted with Baseline::currency_unit)
  kBillionUsd,      // billion USD (converted with Baseline::currency_unit)
  kMultiple,        // a multiple of the country's baseline deficit (0.5 = halved)
};
const char* ToString(DeficitUnit unit);
Result<DeficitUnit> DeficitUnitFromString(std::string_view s);

// What to do when targeted deficits plus the untargeted countries' baseline
// deficits do not sum to zero.
enum class DeficitResidual {
  kError,         // refuse: the targets must be consistent
  kProportional,  // spread the residual over untargeted countries in
                  // proportion to their baseline value added
};
const char* ToString(DeficitResidual r);
Result<DeficitResidual> DeficitResidualFromString(std::string_view s);

struct DeficitTarget {
  std::string country;
  DeficitUnit unit = DeficitUnit::kLevel;
  double value = 0.0;
};

// A labelled list of shocks (what a scenario file or CLI flags produce).
struct ShockSpec {
  std::string name = "scenario";
  std::vector<TariffShock> tariffs;
  std::vector<IcebergShock> icebergs;
  std::vector<ProductivityShock> productivity;
  std::vector<SubsidyShock> subsidies;
  DeficitRule deficit_rule = DeficitRule::kFixed;
  std::vector<DeficitTarget> deficit_targets;  // used with kTargets
  DeficitResidual deficit_residual = DeficitResidual::kError;

  bool empty() const;
};

// Dense shocks resolved against one Baseline (same layouts as Baseline).
struct ShockSet {
  std::string name = "scenario";
  std::vector<double> tariff_new;              // tau' rates, FlowIndex layout
  std::vector<double> d_hat;                   // FlowIndex layout
  std::vector<double> lambda_hat;              // CS layout
  std::vector<double> production_subsidy_new;  // s', CS layout
  std::vector<double> export_subsidy_new;      // e', CS layout
  std::vector<double> deficit_new;             // D_n' in currency units, size N

  // No shock: baseline tariffs, subsidies and deficits, unit hats.
  static ShockSet None(const Baseline& baseline);
  // Sizes match `baseline`, values finite, tau' >= 0, hats > 0, subsidies
  // > -1, deficits sum to zero (relative tol 1e-9 of world value added).
  Status Validate(const Baseline& baseline) const;
};

// How many of the baseline's currency units make one million USD: 1 for
// "million USD", 1e3 for "thousand USD", 1e6 for "USD", 1e-3 for "billion
// USD". An error naming the unit when it is not a USD unit.
Result<double> MillionUsdInCurrencyUnits(const std::string& currency_unit);

// Resolves `spec` against `baseline`. Unknown labels are errors that name the
// nearest valid country or sector.
Result<ShockSet> ResolveShocks(const Baseline& baseline, const ShockSpec& spec);

// Label helpers: "*" -> all, "a,b" -> both, exact name -> one; a name that
// differs only by case is accepted. Errors: "unknown country 'Chna' (did you
// mean 'China'?)".
Result<std::vector<int>> ResolveCountries(const Baseline& baseline, std::string_view label);
Result<std::vector<int>> ResolveSectors(const Baseline& baseline, std::string_view label);
// A sector written by another name: the baseline's label that `label`
// stands for, or "" when it is not a synonym. Tries the long names
// (Baseline::sector_names, e.g. WIOD's "Transport Equipment" for c15), then
// common names used in trade talks: motor vehicles, autos, cars, EVs ->
// Transport equipment; solar, solar panels, batteries, electronics,
// semiconductors -> Electrical and optical equipment; steel, aluminium ->
// Basic and fabricated metals (matched without regard to case).
std::string SectorSynonym(const Baseline& baseline, std::string_view label);
// "Transport equipment, Mining, ..." or "c1 (Agriculture, ...), ...".
std::string ValidSectorList(const Baseline& baseline);
// Same as above for any label list; `what` names the kind ("country").
Result<std::vector<int>> ResolveLabels(const std::vector<std::string>& labels,
                                       std::string_view label, std::string_view what);

}  // namespace rebalance::ge

#endif  // REBALANCE_GE_SHOCKS_H_
