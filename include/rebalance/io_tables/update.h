// Updating a multi-region input-output table to new totals with GRAS
// (gras.h): the targets file, its translation into block constraints on the
// matrix [Z F], and the updated IoTable.
//
// Targets file (CSV, header required, one target per line; `#` lines and
// blank lines skipped):
//
//   kind,from_country,from_sector,to_country,to_column,value,unit,relative_se,group,name
//
// Columns `kind`, `value`, `unit` are required; the others may be absent or
// empty. Selectors (from_country, from_sector, to_country, to_column) are a
// label, a `;`-separated list of labels, or `*` (all); to_column also takes
// `*sectors` (every sector: intermediate use) and `*categories` (every final-
// demand category). A label of to_column that is a sector means the
// intermediate-use column, a category the final-demand column.
//
//   kind                 cells (rows x columns of [Z F])                  default selectors
//   output               rows from_country x from_sector, all columns    -
//   intermediate_inputs  all rows, Z columns to_country x to_column      to_column = *sectors
//   value_added          as intermediate_inputs; the target of those
//                        columns is (sum of the `output` targets of the
//                        same country-sectors) - value, so an `output`
//                        target for each of them is required
//   final_demand         rows from_country x from_sector (default all),  to_column = *categories
//                        F columns to_country x to_column
//   block                rows from_country x from_sector,                 to_column = *
//                        columns to_country x to_column
//
// unit: million_usd, billion_usd, thousand_usd or usd; converted to the
// table's unit (UpdateOptions::table_unit, WIOD and the built-in baselines:
// million_usd). relative_se: the target's reliability (gras.h, eq. 3); 0 or
// empty = exact. group: constraints whose cells must be disjoint and whose
// totals are compared by the conflict checks; default `output` for output,
// `uses` for intermediate_inputs, value_added and final_demand (so that
// total output and total uses are compared), `block` for block. name: shown
// in the report (default: built from the kind and selectors).
#ifndef REBALANCE_IO_TABLES_UPDATE_H_
#define REBALANCE_IO_TABLES_UPDATE_H_

#include <string>
#include <vector>

#include "rebalance/core/status.h"
#include "rebalance/io_tables/gras.h"
#include "rebalance/io_tables/io_table.h"

namespace rebalance::io_tables {

struct TableTarget {
  std::string kind;  // output, intermediate_inputs, value_added, final_demand, block
  std::string from_country, from_sector, to_country, to_column;  // selectors
  double value = 0;                                              // in `unit`
  std::string unit = "million_usd";
  double relative_se = 0;
  std::string group, name;
  std::string where;  // "file:line" for messages
};

// Parses a targets file (see the banner). Errors name file, line and column.
Result<std::vector<TableTarget>> ParseTargets(const std::string& text, const std::string& source);
Result<std::vector<TableTarget>> ReadTargets(const std::string& path);
// Writes targets in the same format (round trip).
std::string TargetsToCsv(const std::vector<TableTarget>& targets);

struct UpdateOptions {
  GrasOptions gras;
  // Unit of the table's cells: million_usd, billion_usd, thousand_usd, usd.
  std::string table_unit = "million_usd";
  Status Validate() const;
};

struct UpdateResult {
  IoTable table;  // the updated table; x = row sums of [Z F]
  GrasResult gras;
  std::vector<GrasConstraint> constraints;  // as passed to Gras (table units)
  // Row and column labels of [Z F]: "CHN_c14" and "USA_c3" / "USA_CONS_h".
  std::vector<std::string> row_labels, col_labels;
  // Rows whose cells sum to a negative number: their reported x is set to 0
  // ("LUX_c5 (-1)").
  std::vector<std::string> negative_output_rows;
  // Rows whose sum is 0 within GRAS's tolerance (10 x tolerance x the row's
  // sum of |cells|), e.g. a zero output target met to -2e-16: x recorded as
  // 0 ("CYP_c8 (-2.2e-16 of 4)"). Accounting on the row sums needs
  // AccountingOptions::zero_output_tolerance to see them as 0 too.
  std::vector<std::string> zero_output_rows;
};

// Translates the targets to GRAS constraints on [Z F] of `prior` (errors
// name the target's file and line and the unknown label).
Result<std::vector<GrasConstraint>> TargetsToConstraints(
    const IoTable& prior, const std::vector<TableTarget>& targets,
    const std::string& table_unit = "million_usd");

// Balances [Z F] of `prior` to the targets. The updated table keeps labels,
// year (set it afterwards if the targets are of another year) and source.
// A run that did not converge is still a result (see gras.termination).
Result<UpdateResult> UpdateTable(const IoTable& prior, const std::vector<TableTarget>& targets,
                                 const UpdateOptions& options = {});

// CSV of the constraint report: name,group,target,achieved,prior,
// relative_error,relative_se,multiplier (table units).
std::string ConstraintReportCsv(const UpdateResult& result);

}  // namespace rebalance::io_tables

#endif  // REBALANCE_IO_TABLES_UPDATE_H_
