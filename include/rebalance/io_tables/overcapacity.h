// Overcapacity indicators per country x sector x year, from IoTables.
//
// For country c and sector k (products of sector k made in c):
//   x       gross output
//   e       gross exports: intermediate and final sales outside c
//   m       imports of sector-k products by c (intermediate + final) from
//           every other country
//   absorption = x - e + m (domestic use of sector-k products)
//   self_sufficiency        = x / absorption  (missing if absorption <= 0)
//   export_share            = e / x           (missing if x <= 0)
//   world_export_share      = e / sum_c e     (share of world exports of k)
//   world_output_share      = x / sum_c x
//   net_exports_over_output = (e - m) / x
// and, over the years given, the change last - first of each ratio.
// Flags come from OvercapacityOptions thresholds; rows are ranked by the
// number of flags, then by net exports / output, then by world output share.
// The column "share of output carried by the trade imbalance" needs the
// multi-sector GE model: OvercapacityOptions::imbalance_share is a hook that
// the GE layer fills; without it the column is missing (never NaN).
#ifndef REBALANCE_IO_TABLES_OVERCAPACITY_H_
#define REBALANCE_IO_TABLES_OVERCAPACITY_H_

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "rebalance/core/status.h"
#include "rebalance/io_tables/io_table.h"

namespace rebalance::io_tables {

struct OvercapacityOptions {
  // Flag "self_sufficiency": output / domestic absorption at least this.
  double self_sufficiency_threshold = 1.25;
  // Flag "export_share": share of output exported at least this.
  double export_share_threshold = 0.5;
  // Flag "net_exports": net exports / output at least this.
  double net_exports_threshold = 0.2;
  // Flag "rising": self-sufficiency rose by at least this over the years.
  double self_sufficiency_rise_threshold = 0.1;
  // Rows with a world output share below this get no flags (immaterial
  // sectors such as tiny service industries with large ratios).
  double min_world_output_share = 0.005;
  // Hook for the GE engine: % fall of the sector's output when the country's
  // trade balance is set to zero. Empty: the column is missing. A returned
  // nullopt is missing too.
  std::function<std::optional<double>(const std::string& country,
                                      const std::string& sector, int year)>
      imbalance_share;
  Status Validate() const;
};

struct OvercapacityRow {
  std::string country, sector;
  int year = 0;  // the latest year
  double output = 0, exports = 0, imports = 0, absorption = 0;
  std::optional<double> self_sufficiency, export_share, world_export_share,
      world_output_share, net_exports_over_output;
  // Changes last year - first year (missing with one year).
  std::optional<double> d_self_sufficiency, d_export_share,
      d_world_export_share, d_world_output_share, d_net_exports_over_output;
  std::optional<double> imbalance_output_share;  // from the hook
  std::vector<std::string> flags;
  int rank = 0;  // 1 = most flagged
};

struct OvercapacityResult {
  int first_year = 0, last_year = 0;
  // Ranked rows of the last year (one per country x sector).
  std::vector<OvercapacityRow> rows;
  // Every year's rows (no changes, no ranks), for the tidy panel output.
  std::vector<OvercapacityRow> panel;
};

// `tables` are the same countries and sectors in different years (sorted by
// year inside). Errors: empty input, label mismatch between years,
// invalid options.
Result<OvercapacityResult> ComputeOvercapacity(
    const std::vector<const IoTable*>& tables,
    const OvercapacityOptions& options = {});

}  // namespace rebalance::io_tables

#endif  // REBALANCE_IO_TABLES_OVERCAPACITY_H_
