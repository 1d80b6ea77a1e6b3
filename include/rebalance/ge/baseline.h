// Baseline: the observed (or calibrated) world economy that every GE model
// consumes. N countries, J sectors (J = 1 for one-sector gravity).
//
// Accounting conventions (Caliendo & Parro 2015, REStud 82(1), section 3):
// - flows are at *producer prices net of tariffs*: the value a buyer in n pays
//   to the seller in i before the importer's tariff, i.e. X_n^j pi_ni^j /
//   (1 + tau_ni^j). Domestic sales (n == i) are included. With a baseline
//   production or export subsidy s, the producer receives (1 + s) times this.
// - expenditure X_n^j = sum_i flow^j_ni (1 + tau_ni^j) (tariff-inclusive);
//   expenditure shares pi_ni^j = flow^j_ni (1 + tau_ni^j) / X_n^j.
// - gross output Y_i^j = sum_n flow^j_ni * (1 + s_i^j + e_i^j [n != i]).
// - value added VA_i = sum_j gamma_i^j Y_i^j; intermediate demand for k by
//   sector j of n is gamma_n^{k,j} Y_n^j.
// - deficit D_n = imports - exports at producer prices (net of tariffs),
//   domestic sales excluded; world deficits sum to zero.
// - income I_n = VA_n + tariff revenue_n - subsidy cost_n + D_n and goods
//   market clearing X_n^j = sum_k gamma_n^{j,k} Y_n^k + alpha_n^j I_n.
//
// A Baseline read from raw data (e.g. CP's matrices) satisfies the structural
// checks but usually not goods market clearing; SolveBaseYear (multisector.h)
// turns it into an exactly consistent one, as CP's replication code does.
#ifndef REBALANCE_GE_BASELINE_H_
#define REBALANCE_GE_BASELINE_H_

#include <cstddef>
#include <string>
#include <vector>

#include "rebalance/core/status.h"

namespace rebalance::io_tables {
struct IoTable;
}  // namespace rebalance::io_tables

namespace rebalance::ge {

struct Baseline {
  // Labels, in model order. Unique, non-empty.
  std::vector<std::string> countries;  // size N
  std::vector<std::string> sectors;    // size J
  // Optional long sector names (WIOD's "Electrical and Optical Equipment"
  // for c14), empty or size J; labels may be given by either name.
  std::vector<std::string> sector_names;
  // Units of all value variables, for reports ("USD", "million USD", ...).
  std::string currency_unit = "USD";

  // Bilateral flows at producer prices net of tariffs, incl. domestic sales.
  // Layout: flow[FlowIndex(j, n, i)], j sector, n importer, i exporter
  // (CP's xbilat layout: row (j, n), column i). Size J*N*N.
  std::vector<double> flow;
  // Ad-valorem tariff rates tau_ni^j (0.05 = 5%), same layout. tau_nn = 0.
  std::vector<double> tariff;
  // Iceberg trade costs d_ni^j >= 1 (levels; only their changes enter the
  // model in changes). Same layout. Empty means all ones.
  std::vector<double> iceberg;

  // Value-added share of gross output gamma_n^j, index CS(n, j). In [0, 1].
  std::vector<double> va_share;
  // Input-output shares gamma_n^{k,j}: the share of inputs from sector k in the
  // gross output of sector j in country n, index IoIndex(n, k, j).
  // sum_k gamma_n^{k,j} = 1 - gamma_n^j (CP's G(k,j) * (1 - B(j))).
  std::vector<double> io_share;
  // Final-demand shares alpha_n^j, index CS(n, j); sum_j alpha_n^j = 1.
  std::vector<double> alpha;
  // Aggregate deficits D_n (imports - exports), size N; sums to zero.
  std::vector<double> deficit;
  // Trade elasticity theta^j > 0 per sector, size J.
  std::vector<double> theta;
  // Tradable flag per sector, size J (non-tradables have only domestic flows).
  std::vector<bool> tradable;
  // Baseline ad-valorem production and export subsidy rates s_n^j and e_n^j
  // (index CS(n, j)); empty means zero. See shocks.h for how they enter.
  std::vector<double> production_subsidy;
  std::vector<double> export_subsidy;
  // Input-output shares down to -negative_io_tolerance are accepted (the
  // column sums must still hold). 0 by default; CP's IO.txt has one entry of
  // -0.00085 (Canada, input 'Other' in 'Basic metals'), which CP's code uses
  // as is, so scenario::ReadCpMatrices sets 1e-3 to reproduce their numbers.
  double negative_io_tolerance = 0.0;

  int num_countries() const { return static_cast<int>(countries.size()); }
  int num_sectors() const { return static_cast<int>(sectors.size()); }
  size_t FlowIndex(int j, int n, int i) const {
    const size_t N = countries.size();
    return (static_cast<size_t>(j) * N + static_cast<size_t>(n)) * N + static_cast<size_t>(i);
  }
  size_t CS(int n, int j) const {
    return static_cast<size_t>(n) * sectors.size() + static_cast<size_t>(j);
  }
  size_t IoIndex(int n, int k, int j) const {
    const size_t J = sectors.size();
    return (static_cast<size_t>(n) * J + static_cast<size_t>(k)) * J + static_cast<size_t>(j);
  }

  // Derived accounts (valid after ValidateStructure()).
  double Expenditure(int n, int j) const;        // X_n^j, tariff-inclusive
  double GrossOutput(int i, int j) const;        // Y_i^j, producer revenue
  double ValueAdded(int n) const;                // VA_n
  double TariffRevenue(int n) const;             // sum_j,i tau flow
  double SubsidyCost(int n) const;               // sum_j,m (s + e[m!=n]) flow
  double Exports(int i) const;                   // excl. domestic
  double Imports(int n) const;                   // excl. domestic, net of tariffs
  double Income(int n) const;                    // VA + R - S + D
  double ProductionSubsidy(int n, int j) const;  // 0 when the vector is empty
  double ExportSubsidy(int n, int j) const;
  double Iceberg(int j, int n, int i) const;  // 1 when the vector is empty

  // Sizes, finiteness, non-negative flows/tariffs, shares in [0, 1] summing
  // to one (alpha) or to 1 - gamma (io), theta present and > 0 for every
  // sector, non-tradables without international flows, deficits equal to
  // imports - exports. Errors name the country and sector. Relative
  // tolerance `tol` for the sums.
  Status ValidateStructure(double tol = 1e-6) const;
  // ValidateStructure plus goods market clearing
  // X_n^j = sum_k gamma_n^{j,k} Y_n^k + alpha_n^j I_n for every n, j, within
  // `tol` relative to world gross output / (N J). Raw data usually fail this
  // check: use SolveBaseYear (multisector.h) first.
  Status Validate(double tol = 1e-6) const;

  // Fills empty `iceberg`, `production_subsidy`, `export_subsidy` with their
  // neutral values so solvers can index them directly.
  void FillDefaults();
};

// Step 1 of CP's calibration: final-demand shares as the expenditure left
// after intermediate use, alpha_n^j ∝ max(0, X_n^j - sum_k gamma_n^{j,k} Y_n^k),
// renormalised to sum to one per country. Overwrites `baseline->alpha`; returns
// the number of (country, sector) cells that were negative and set to 0.
Result<int> DeriveFinalDemandShares(Baseline* baseline);

// The file readers that produce a Baseline (Caliendo & Parro's files, theta
// and tariff files) live in scenario/ (scenario/baseline_files.h,
// scenario/theta.h): ge holds the models and reads no file.

// Builds a Baseline from a multi-region input-output table. Gross flows of
// sector j from i to n are Z rows (i, j) summed over n's using industries plus
// F rows over n's final-demand categories; value added is v; negative final
// demand (inventories) is reported in `*adjusted`. Tariffs start at zero
// (add them with ApplyTariffFile); deficits are imports - exports.
struct IoBaselineOptions {
  // theta per sector, size J (required; scenario::ReadThetaFile).
  std::vector<double> theta;
  // Negative entries (inventory changes) are set to zero and counted.
  bool clip_negative = true;
  Status Validate() const;
};
struct IoBaselineReport {
  int clipped_negative_cells = 0;       // negative Z / F cells set to zero
  double clipped_negative_value = 0.0;  // their (negative) sum
  // (country, sector) cells whose inputs exceeded gross output: value added
  // set to zero and input shares rescaled to sum to one.
  int clipped_value_added_cells = 0;
};
Result<Baseline> BaselineFromIoTable(const io_tables::IoTable& table,
                                     const IoBaselineOptions& options,
                                     IoBaselineReport* report = nullptr);

}  // namespace rebalance::ge

#endif  // REBALANCE_GE_BASELINE_H_
