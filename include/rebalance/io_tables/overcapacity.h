// Overcapacity indicators per country x sector x year, from IoTables: how far
// a sector's output exceeds what its own economy absorbs, in millions of USD
// (gross and in domestic value added), with bounded shares beside it.
//
// The policy debate means by "overcapacity" manufacturing output beyond what
// domestic and world demand absorb (Rhodium Group 2024, "Overcapacity at the
// Gate": production relative to domestic installation; IMF 2024 China Article
// IV: supply-side support to manufacturing). Without capacity data (the OECD
// steel committee's capacity minus production), the table measures the
// external side of it: output above domestic absorption. Definitions, with
// sources, in docs/io_tables.md ("Overcapacity"). For country c, sector k:
//
//   The table is first made non-negative as the GE baseline does (negative
//   cells of Z and F, i.e. inventory drawdowns, set to zero, their total kept
//   in `clipped_negative`); output x = row sums of that table. Then e <= x and
//   every share below lies in [0, 1].
//   x        output                          (millions of USD)
//   e, m     gross exports, gross imports of sector-k products
//   a        domestic absorption = x - e + m (>= 0)
//   excess_output     = x - a = e - m  (net exports, gross; re-exports cancel)
//   dva_share         = domestic value added per unit of value added embodied
//                       in a unit of (c,k) output: V_c B_{c,(c,k)} / V B_{.,(c,k)}
//                       (Hummels, Ishii & Yi 2001; Koopman, Wang & Wei 2014)
//   exports_dva       = dva_share * e  (summed over k: KWW terms 1-6)
//   excess_output_dva = dva_share * (e - m)
//   export_share = e / x; import_share = m / a;
//   foreign_final_demand_share = sum_{d != c} (B Y)_{(c,k),d} / x: output
//       absorbed, directly or downstream, by foreign final demand (Johnson &
//       Noguera 2012, by sector of origin)
//   world_output_share, world_absorption_share, world_export_share
//   self_sufficiency = x / a: world output share over world absorption share
//       (world output = world absorption); the world benchmark is 1
//   rca = (e_ck / e_c) / (E_k / E)  (Balassa 1965)
//   net_exports_over_output = (e - m) / x  (<= 1; below -1 for net importers)
// and, over the years given, the change last - first of each.
//
// Sectors are grouped (manufacturing / resources / services / unclassified,
// see ClassifySector) and ranked within their group by the excess in USD.
// Flags (thresholds in OvercapacityOptions) are informative only.
// The "share of output carried by the trade imbalance" needs the multi-sector
// GE model: OvercapacityOptions::imbalance_share is a hook the scenario layer
// fills; without it the column is missing (never NaN).
#ifndef REBALANCE_IO_TABLES_OVERCAPACITY_H_
#define REBALANCE_IO_TABLES_OVERCAPACITY_H_

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "rebalance/core/status.h"
#include "rebalance/io_tables/io_table.h"

namespace rebalance::io_tables {

// Broad sector groups. Manufacturing is ranked by default: the capacity the
// talks mean is built there. Resources (agriculture, mining) trade follows
// endowments of land and deposits; utilities, construction and services are
// mostly sold where they are produced, and WIOD's transport services carry
// entrepot shipping (GRC, DNK), so their ratios rank trade hubs, not capacity.
enum class SectorGroup { kManufacturing, kResources, kServices, kUnclassified };
const char* ToString(SectorGroup g);
Result<SectorGroup> SectorGroupFromString(const std::string& s);

// Group of a sector label: WIOD 2013 codes c1-c35 (c1-c2 resources, c3-c16
// manufacturing, c17+ services), ISIC rev.4 division codes as in OECD ICIO
// ("D10T12", "C26", "D01T02": 01-09 resources, 10-33 manufacturing, 35-99
// services) and the world2011 aggregate names (data/world2011/mapping.csv).
// Anything else is kUnclassified.
SectorGroup ClassifySector(const std::string& label);

// The excess the rows are ranked by, in millions of USD.
enum class OvercapacityRanking {
  kExcessOutput,     // e - m (output above domestic absorption), gross
  kExcessOutputDva,  // the same in domestic value added
};
const char* ToString(OvercapacityRanking r);
Result<OvercapacityRanking> OvercapacityRankingFromString(const std::string& s);

struct OvercapacityOptions {
  // What rows are ranked by (descending).
  OvercapacityRanking rank_by = OvercapacityRanking::kExcessOutput;
  // Rank within sector groups (manufacturing first, then resources, services,
  // unclassified). false: one ranking over every sector.
  bool rank_by_group = true;
  // Overrides of ClassifySector, by sector label.
  std::map<std::string, SectorGroup> sector_groups;
  // Flag "self_sufficiency": output / domestic absorption at least this.
  double self_sufficiency_threshold = 1.25;
  // Flag "export_share": share of output exported at least this, with
  // positive net exports (re-exports alone do not flag).
  double export_share_threshold = 0.5;
  // Flag "net_exports": net exports / output at least this.
  double net_exports_threshold = 0.2;
  // Flag "rising": self-sufficiency rose by at least this over the years.
  double self_sufficiency_rise_threshold = 0.1;
  // Rows with a world output share below this get no flags.
  double min_world_output_share = 0.005;
  // Hook for the GE engine: fraction of the sector's output that falls when
  // the country's trade balance goes to zero, (y0 - y1) / y0 (<= 1; negative
  // when output rises). Empty: the column is missing; nullopt is missing too.
  std::function<std::optional<double>(const std::string& country, const std::string& sector,
                                      int year)>
      imbalance_share;
  Status Validate() const;
};

struct OvercapacityRow {
  std::string country, sector, sector_name;  // name empty when unknown
  SectorGroup group = SectorGroup::kUnclassified;
  int year = 0;
  // Millions of USD (the table's unit).
  double output = 0, exports = 0, imports = 0, absorption = 0;
  double excess_output = 0;      // exports - imports = output - absorption
  double exports_dva = 0;        // domestic value added in gross exports
  double excess_output_dva = 0;  // domestic value added in the excess output
  double clipped_negative = 0;   // >= 0: negative cells of the row set to zero
  // Fractions in [0, 1]; missing when the denominator is not positive.
  std::optional<double> export_share, import_share, dva_share, foreign_final_demand_share,
      world_output_share, world_absorption_share, world_export_share;
  // Ratios (unbounded).
  std::optional<double> self_sufficiency, rca, net_exports_over_output;
  // Changes last year - first year (missing with one year, and in the panel).
  std::optional<double> d_excess_output, d_self_sufficiency, d_export_share, d_world_output_share,
      d_world_export_share;
  // From OvercapacityOptions::imbalance_share (fraction, <= 1).
  std::optional<double> imbalance_share;
  std::vector<std::string> flags;
  int rank = 0;  // within the group (1 = largest excess); see rank_by_group
};

struct OvercapacityResult {
  int first_year = 0, last_year = 0;
  std::string money_unit = "million USD";
  OvercapacityRanking rank_by = OvercapacityRanking::kExcessOutput;
  // Rows of the last year (one per country x sector), ordered by group
  // (manufacturing first) then rank.
  std::vector<OvercapacityRow> rows;
  // Every year's rows, ranked within each year, without changes.
  std::vector<OvercapacityRow> panel;
};

// `tables` are the same countries and sectors in different years (sorted by
// year inside). Errors: empty input, label mismatch between years,
// invalid options, a Leontief system that cannot be built.
Result<OvercapacityResult> ComputeOvercapacity(const std::vector<const IoTable*>& tables,
                                               const OvercapacityOptions& options = {});

// The CSV of rows (overcapacity.csv) or of the panel: one header line naming
// units (`_musd` millions of USD, `_share` fractions in [0, 1], `_ratio`
// unbounded ratios), then one line per row. Missing values are empty.
std::string OvercapacityCsv(const OvercapacityResult& result, bool panel = false);

}  // namespace rebalance::io_tables

#endif  // REBALANCE_IO_TABLES_OVERCAPACITY_H_
