// Tidy CSV and JSON writers for the one output layout of every GE model
// (ge/tidy.h):
//   scenario,country,partner,sector,variable,unit,baseline,counterfactual,pct_change
// (unit: of baseline and counterfactual; pct_change is always in percent)
// optionally followed by uncertainty-band columns mean,sd,p05,p50,p95 taken
// from a BandTable (a separate struct keyed by row index, so TidyRow stays the
// plain shared layout).
//
// Conventions (documented for users in docs/report.md):
// - Doubles are written in the shortest form that parses back to the same
//   bits (fmt's Dragonbox / nlohmann's dtoa), so a reader recovers every value
//   exactly.
// - pct_change is NaN only when it is undefined (zero baseline, non-zero
//   counterfactual); it is written as an empty CSV cell / JSON null. Any other
//   NaN or Inf (baseline, counterfactual, an infinite pct_change, a band
//   statistic) is refused with an error naming the row, its variable and
//   country: a model that produced it has a bug and the file must not hide it.
// - CSV follows RFC 4180 through data::CsvField (data/csv_write.h): a field
//   holding a comma, quote, CR or LF is quoted and its quotes doubled; lines
//   end with "\n".
// - Files are written through core::WriteFileAtomic (temporary file + rename).
#ifndef REBALANCE_REPORT_TIDY_WRITER_H_
#define REBALANCE_REPORT_TIDY_WRITER_H_

#include <cstddef>
#include <map>
#include <nlohmann/json.hpp>
#include <string>

#include "rebalance/core/status.h"
#include "rebalance/core/uncertainty.h"
#include "rebalance/data/csv_write.h"
#include "rebalance/ge/tidy.h"

namespace rebalance::report {

// Summary of the distribution of one tidy row's quantity across draws (for
// example Monte Carlo draws of the trade elasticities): the one band struct
// of core/uncertainty.h (its `draws` count is not written).
using Band = core::Band;

// Uncertainty bands keyed by the index of the row in the TidyTable they
// describe. Rows without an entry get empty band cells (JSON null).
struct BandTable {
  // Which column of the tidy row the bands summarise. Only "pct_change" is
  // drawn as error bars by the chart builders; the writers accept any name
  // and record it in docs only (the CSV header stays mean,sd,p05,p50,p95).
  std::string quantity = "pct_change";
  std::map<std::size_t, Band> by_row;

  bool empty() const { return by_row.empty(); }
};

// Fails when a value that must be finite is not, or a band refers to a row
// that does not exist / has p05 > p50 > p95 out of order. The message names
// the row number (1-based, as in the written file), its variable and country.
Status ValidateTidyForOutput(const ge::TidyTable& table, const BandTable* bands = nullptr);

// The CSV text (header + one line per row). Band columns are present iff
// `bands` is non-null and non-empty.
Result<std::string> FormatTidyCsv(const ge::TidyTable& table, const BandTable* bands = nullptr);

// A JSON array of row objects with the same keys, in the same order, as the
// CSV header.
Result<nlohmann::ordered_json> TidyToJson(const ge::TidyTable& table,
                                          const BandTable* bands = nullptr);

// Writes the CSV / JSON file atomically. Fails if `path` exists and `force`
// is false.
Status WriteTidyCsv(const ge::TidyTable& table, const std::string& path, bool force,
                    const BandTable* bands = nullptr);
Status WriteTidyJson(const ge::TidyTable& table, const std::string& path, bool force,
                     const BandTable* bands = nullptr);

// The one CSV field escaper and double format (data/csv_write.h).
using data::CsvField;
using data::RoundTripDouble;

}  // namespace rebalance::report

#endif  // REBALANCE_REPORT_TIDY_WRITER_H_
