// File readers that build or change a multi-sector ge::Baseline: Caliendo &
// Parro's (2015, REStud) replication files (their whitespace matrices and the
// long tidy version of paulofelipe/cp2015) and tariff files. They sit in
// scenario/, above ge/, because ge holds the models and reads no file; the
// theta reader they use is scenario/theta.h. Implementation:
// src/scenario/baseline_files.cc.
#ifndef REBALANCE_SCENARIO_BASELINE_FILES_H_
#define REBALANCE_SCENARIO_BASELINE_FILES_H_

#include <string>
#include <string_view>
#include <vector>

#include "rebalance/core/status.h"
#include "rebalance/ge/baseline.h"

namespace rebalance::scenario {

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
Result<ge::Baseline> ReadCpMatrices(const std::string& dir, const CpMatrixOptions& options = {});
// Tariff rates from CP's tariffsYYYY.txt (percent, 620x31) into the Baseline
// layout (rates); non-tradable sectors get 0.
Result<std::vector<double>> ReadCpTariffs(const std::string& path, const ge::Baseline& like);

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
Result<ge::Baseline> ReadCpTidy(const std::string& dir, const CpTidyOptions& options = {});
// The tariff_cfl column (CP's 2005 NAFTA tariffs) as Baseline-layout rates.
Result<std::vector<double>> ReadCpTidyTariffs(const std::string& dir, const std::string& column,
                                              const ge::Baseline& like);

// A tariff file: CSV with columns importer,exporter,sector,tariff (rates);
// `*` in a label column means all. Applied on top of `baseline->tariff`.
Status ApplyTariffFile(const std::string& path, ge::Baseline* baseline);

}  // namespace rebalance::scenario

#endif  // REBALANCE_SCENARIO_BASELINE_FILES_H_
