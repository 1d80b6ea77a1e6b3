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
#include <string_view>
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
  // as is, so ReadCpMatrices sets 1e-3 to reproduce their numbers.
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

// ---- Readers (src/ge/cp_reader.cc) ----

// CP's matrix files (data README section 2a) in `dir`: xbilat1993.txt(.gz),
// tariffs1993, IO, B, GO, alphas.csv, T.txt. Completes the data as CP do
// (step 1): gross output = max(GO, exports), domestic sales = gross output -
// exports, deficits = imports - exports. Uses alphas.csv when present unless
// `derive_alpha`, in which case DeriveFinalDemandShares is applied.
struct CpMatrixOptions {
  // Year of the xbilat / tariffs files (1993 or 2005).
  int year = 1993;
  // Recompute alpha from the data instead of reading alphas.csv.
  bool derive_alpha = false;
  // theta for the 20 non-tradable sectors (CP's script uses 8.22).
  double nontradable_theta = 8.22;
  // Override the trade-flow / tariff file years separately (0 = `year`).
  int tariff_year = 0;

  Status Validate() const;
};
Result<Baseline> ReadCpMatrices(const std::string& dir, const CpMatrixOptions& options = {});
// Tariff rates from CP's tariffsYYYY.txt (percent, 620x31) into the Baseline
// layout (rates); non-tradable sectors get 0.
Result<std::vector<double>> ReadCpTariffs(const std::string& path, const Baseline& like);

// One of CP's matrix files held in memory: numbers separated by blanks, tabs
// or commas, no header, blank lines skipped, every row as long as the first,
// every value finite. `want_rows` / `want_cols` > 0 require that shape.
// Errors name `source`:line:column. ReadCpMatrices and ReadCpTariffs read each
// file (plain or gzip) and parse it with this.
struct CpMatrix {
  int rows = 0;
  int cols = 0;
  std::vector<double> values;  // rows * cols, row-major
  double operator()(int r, int c) const {
    return values[static_cast<size_t>(r) * static_cast<size_t>(cols) + static_cast<size_t>(c)];
  }
};
Result<CpMatrix> ParseCpMatrix(std::string_view text, const std::string& source, int want_rows = 0,
                               int want_cols = 0);

// The long tidy format of paulofelipe/cp2015 (data README section 2d):
// trade.csv(.gz), value_added, intermediate_consumption, final_consumption,
// deficit, theta. Shares are computed from the tidy accounts:
// gamma = VA / (VA + intermediate use), io = intermediate use / gross output,
// alpha = final consumption / total final consumption.
// `tariff_column` selects "tariff" (default) or "tariff_bln" / "tariff_cfl".
struct CpTidyOptions {
  std::string tariff_column = "tariff";
  Status Validate() const;
};
Result<Baseline> ReadCpTidy(const std::string& dir, const CpTidyOptions& options = {});
// The tariff_cfl column (CP's 2005 NAFTA tariffs) as Baseline-layout rates.
Result<std::vector<double>> ReadCpTidyTariffs(const std::string& dir, const std::string& column,
                                              const Baseline& like);

// A theta-by-sector file: CSV with columns `sector,theta` (header required;
// `value` is accepted for `theta`). Every sector of `sectors` must appear.
Result<std::vector<double>> ReadThetaFile(const std::string& path,
                                          const std::vector<std::string>& sectors);
// The same on text held in memory; `source` names it in messages
// (ReadThetaFile reads the file and calls this).
Result<std::vector<double>> ParseThetaFile(std::string_view text, const std::string& source,
                                           const std::vector<std::string>& sectors);

// A tariff file: CSV with columns importer,exporter,sector,tariff (rates);
// `*` in a label column means all. Applied on top of `baseline->tariff`.
Status ApplyTariffFile(const std::string& path, Baseline* baseline);

// Builds a Baseline from a multi-region input-output table. Gross flows of
// sector j from i to n are Z rows (i, j) summed over n's using industries plus
// F rows over n's final-demand categories; value added is v; negative final
// demand (inventories) is reported in `*adjusted`. Tariffs start at zero
// (add them with ApplyTariffFile); deficits are imports - exports.
struct IoBaselineOptions {
  // theta per sector, size J (required; ReadThetaFile).
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
