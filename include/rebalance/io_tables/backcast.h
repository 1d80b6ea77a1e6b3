// Back-casting test of table updating: update an old table to the totals of
// a newer year that a user would have (taken from the true newer table) and
// compare with the true newer table, against two naive alternatives: the old
// table scaled proportionally (every cell times world output new / old) and
// the old table unchanged.
//
// Errors (all against the true table `truth`):
//   cell_wape            sum |x - x*| / sum |x*| over the cells of [Z F]
//   va_balance_wape      the same over the bilateral value-added balances
//                        (BilateralBalances, every ordered pair), computed
//                        from each table's own Leontief system (x = row sums,
//                        zero-output sectors' inputs dropped as in diagnose)
//   gross_balance_wape   the same over the bilateral gross balances
//   self_sufficiency_mae, export_share_mae  mean absolute error of the
//                        overcapacity indicators (ComputeOvercapacity on the
//                        single table) over the country-sectors with at least
//                        0.5 % of world output of their sector in the truth
//   flag_agreement       share of those country-sectors whose overcapacity
//                        flags equal the truth's
#ifndef REBALANCE_IO_TABLES_BACKCAST_H_
#define REBALANCE_IO_TABLES_BACKCAST_H_

#include <string>
#include <vector>

#include "rebalance/core/status.h"
#include "rebalance/io_tables/io_table.h"
#include "rebalance/io_tables/update.h"

namespace rebalance::io_tables {

// Which totals of a (newer) table a user is assumed to hold.
struct TargetSpec {
  bool output = true;        // gross output by country-sector (row sums of [Z F])
  bool value_added = true;   // value added by country-sector (x - column sums of Z)
  bool final_demand = true;  // final demand by destination country, all categories
  bool goods_trade =
      true;  // bilateral goods exports A -> B, A != B: goods rows of A, every Z and F column of B
  std::vector<std::string> goods_sectors;  // WIOD: c1..c16 (agriculture, mining, manufacturing)
  double trade_relative_se = 0;            // reliability of the trade blocks (0 = exact)
  // Final sales by country-sector: the row's sum over every final-demand
  // column (what ADB's sector summary gives instead of final demand by
  // destination).
  bool final_sales = false;
  // Sales of a country-sector to its own country (Z and F columns), for the
  // countries listed (empty: all).
  bool domestic_sales = false;
  std::vector<std::string> domestic_sales_countries;
  // Targets whose cells are all zero in `prior` cannot be met by GRAS (zero
  // cells stay zero); with a prior given they are left out and counted.
  const IoTable* prior = nullptr;
};

struct TargetsFromTableResult {
  std::vector<TableTarget> targets;
  int skipped_empty = 0;     // targets left out: block empty in the prior
  double skipped_value = 0;  // their total (table units)
  std::vector<std::string> skipped_names;
};

// Targets in the table's unit (million_usd), exact values. x = row sums.
Result<TargetsFromTableResult> TargetsFromTable(const IoTable& truth, const TargetSpec& spec);

struct BackcastErrors {
  std::string method;  // "gras", "scaled", "unchanged"
  double cell_wape = 0, z_wape = 0, f_wape = 0;
  double va_balance_wape = 0, gross_balance_wape = 0;
  double self_sufficiency_mae = 0, export_share_mae = 0, flag_agreement = 0;
  int material_rows = 0;
  // Accounting of the estimate (kDropInputs, row sums within 1e-9 of their
  // cell mass taken as 0): rows set to 0, columns whose inputs were dropped.
  int zeroed_output_sectors = 0, dropped_input_sectors = 0;
};

struct BackcastResult {
  int from_year = 0, to_year = 0;
  std::vector<BackcastErrors> methods;  // gras, scaled, unchanged
  TargetsFromTableResult targets;
  GrasTermination termination = GrasTermination::kMaxIterations;
  std::string gras_message;
  int iterations = 0;
  double gras_seconds = 0;
  double max_relative_error = 0;            // of the exact targets, final
  std::vector<GrasConstraintReport> worst;  // the 5 targets with the largest |relative error|
  std::vector<GrasZeroedBlock> zeroed;      // zero targets over one-sign cells, set to 0
  std::vector<GrasConflict> conflicts;      // among the exact targets
  std::vector<std::string> zero_output_rows, negative_output_rows;  // of the updated table
  double scale = 1;                                                 // world output new / old
  IoTable updated;                                                  // the GRAS table
};

Result<BackcastResult> Backcast(const IoTable& old_table, const IoTable& truth, TargetSpec spec,
                                const UpdateOptions& options = {});

// Errors of `estimate` against `truth` (same labels).
Result<BackcastErrors> CompareTables(const IoTable& estimate, const IoTable& truth,
                                     const std::string& method);

}  // namespace rebalance::io_tables

#endif  // REBALANCE_IO_TABLES_BACKCAST_H_
