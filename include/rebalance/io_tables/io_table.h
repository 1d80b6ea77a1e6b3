// IoTable: a multi-region input-output table in memory, its readers and its
// aggregation.
//
// Layout. C countries (regions) x S sectors, every country with the same
// sector list; country-sector index i = c * S + s (country-major). Z is
// (C*S) x (C*S) intermediate use, row = supplying country-sector, column =
// using country-sector. F is (C*S) x (C*K) final demand, column d * K + k =
// destination country d, category k (e.g. CONS_h, GFCF, INVEN). x is gross
// output as reported by the source, v = x - column sums of Z (value added
// including taxes less subsidies on products and anything else outside Z).
//
// Readers (all return a validated table; problems that leave the table usable
// are warnings with counts in `validation`, the others are a Status):
//   ReadWiod     WIOD 2013 release as converted in shared/data (wiotYYYY.csv.gz)
//   ReadIcio     OECD ICIO CSV layout (CCC_SECTOR labels, TLS/VA/OUT rows)
//   ReadLong     long format from_country,from_sector,to_country,
//                to_sector_or_category,value (OUTPUT rows optional)
//   ReadDecompr  decompr-style wide CSV (Country.Sector rows, FD.<country>, out)
//   ReadIoTable  detects the format from the header and dispatches.
// The reported x is kept as read (WIOD's cells are truncated to whole
// millions, so x differs from row sums by -7..+113 per row); the accounting
// (accounting.h) chooses which output to use and the discrepancy is reported
// by Validate().
#ifndef REBALANCE_IO_TABLES_IO_TABLE_H_
#define REBALANCE_IO_TABLES_IO_TABLE_H_

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include <Eigen/Dense>

#include "rebalance/core/status.h"

namespace rebalance::io_tables {

// One finding of a table check. Severity kError makes the table unusable for
// accounting; kWarning leaves it usable but says how large the problem is.
struct ValidationIssue {
  enum class Severity { kWarning, kError };
  Severity severity = Severity::kWarning;
  std::string check;    // short id: "row_balance", "negative_z", ...
  int64_t count = 0;    // number of offending cells / rows / columns
  double max_abs = 0;   // largest absolute discrepancy or offending value
  double total = 0;     // signed sum of the discrepancies / offending values
  std::string message;  // readable, names examples (labels)
};
const char* ToString(ValidationIssue::Severity s);

struct ValidationReport {
  std::vector<ValidationIssue> issues;
  // Row balance x - rowsums(Z) - rowsums(F), always filled (even if within
  // tolerance): largest absolute value, signed total, largest relative value.
  double row_balance_max_abs = 0;
  double row_balance_total = 0;
  double row_balance_max_rel = 0;

  bool HasErrors() const;
  int NumWarnings() const;
  // One line per issue, "warning: row_balance: 1435 rows ...".
  std::string ToString() const;
};

// Tolerances of IoTable::Validate.
struct ValidationOptions {
  // A row is out of balance when |x - rowsum| > row_tolerance * max(1, |x|).
  // Default 1e-6 relative: anything visible is reported (WIOD's truncation
  // gives about 1e-4).
  double row_tolerance = 1e-6;
  // Final-demand categories where negative entries are legitimate (changes
  // in inventories, valuables): WIOD INVEN, ICIO INVNT, DPABR.
  std::vector<std::string> inventory_categories = {"INVEN", "INVNT", "DPABR"};
};

// Country and sector mapping for aggregation: from label -> to label. An
// empty map leaves that dimension unchanged.
struct Mapping {
  std::map<std::string, std::string> country;
  std::map<std::string, std::string> sector;
  // Target labels in order of first appearance in the mapping file.
  std::vector<std::string> country_order;
  std::vector<std::string> sector_order;
};

// Reads a mapping CSV with header `kind,from,to`, kind = country | sector.
// A `from` mapped twice to different targets is an error naming the line.
Result<Mapping> ReadMapping(const std::string& path);
Result<Mapping> ParseMapping(const std::string& text, const std::string& source);

struct IoTable {
  int year = 0;                           // 0 when unknown
  std::vector<std::string> countries;     // C labels
  std::vector<std::string> sectors;       // S labels (codes, e.g. c1..c35)
  std::vector<std::string> sector_names;  // optional long names, empty or S
  std::vector<std::string> categories;    // K final-demand category labels
  Eigen::MatrixXd z;                      // (C*S) x (C*S)
  Eigen::MatrixXd f;                      // (C*S) x (C*K)
  Eigen::VectorXd x;                      // (C*S), reported gross output
  Eigen::VectorXd v;                      // (C*S), x - colsums(z)
  std::string source;                     // file the table came from
  ValidationReport validation;            // filled by the readers / Validate()

  int num_countries() const { return static_cast<int>(countries.size()); }
  int num_sectors() const { return static_cast<int>(sectors.size()); }
  int num_categories() const { return static_cast<int>(categories.size()); }
  int size() const { return num_countries() * num_sectors(); }
  int Index(int country, int sector) const { return country * num_sectors() + sector; }
  // "CHN_c14"
  std::string Label(int index) const;

  // Final demand summed over categories: (C*S) x C by destination country.
  Eigen::MatrixXd FinalDemandByCountry() const;
  // Z row sums + F row sums (the output implied by the uses).
  Eigen::VectorXd RowSums() const;

  // Builds a table from matrices: checks shapes, computes v, validates.
  // Shape or label errors and validation errors are a Status.
  static Result<IoTable> FromMatrices(std::vector<std::string> countries,
                                      std::vector<std::string> sectors,
                                      std::vector<std::string> categories, Eigen::MatrixXd z,
                                      Eigen::MatrixXd f, Eigen::VectorXd x, int year,
                                      std::string source, const ValidationOptions& options = {});

  // Re-runs the checks: shapes, labels (non-empty, unique), finite values,
  // negative output (error), negative Z (warning), negative final demand
  // outside inventory categories (warning), row balance (warning with max and
  // total discrepancy), zero output with positive intermediate use (warning),
  // negative value added (warning).
  ValidationReport Validate(const ValidationOptions& options = {}) const;

  // Sums countries and/or sectors by `mapping`. Every label of a mapped
  // dimension must be mapped (the error lists the unmapped ones). x, Z, F are
  // summed, v recomputed (= sum of v), categories kept.
  Result<IoTable> Aggregate(const Mapping& mapping) const;
};

// WIOD 2013 (shared/data/wiod2013_bquast). `path` is a wiotYYYY.csv(.gz) file
// or a directory holding them; with a directory `year` is required, with a
// file the year is taken from the name when `year` is 0. Sector long names
// come from industries.csv beside the file when present.
Result<IoTable> ReadWiod(const std::string& path, int year = 0);

// OECD ICIO CSV: first column row labels; columns CCC_SECTOR (intermediate),
// CCC_{HFCE,NPISH,GGFC,GFCF,INVNT,DPABR} (final demand), OUT (output); bottom
// rows TLS, VA, OUT. x is the OUT column; the OUT row and TLS + VA are
// checked against it (warnings with discrepancies).
Result<IoTable> ReadIcio(const std::string& path, int year = 0);

// Long format CSV: from_country,from_sector,to_country,to_sector_or_category,
// value. A to_sector_or_category that is a sector label is intermediate use,
// OUTPUT gives x (otherwise x = row sums), anything else is a final-demand
// category. Missing cells are zero; duplicates are an error.
Result<IoTable> ReadLong(const std::string& path, int year = 0);
Result<IoTable> ParseLong(const std::string& text, const std::string& source, int year = 0);

// decompr-style CSV: first column Country.Sector labels, the intermediate
// columns with the same labels, FD.<country> columns, `out`.
Result<IoTable> ReadDecompr(const std::string& path, int year = 0);

enum class TableFormat { kWiod, kIcio, kLong, kDecompr };
const char* ToString(TableFormat f);
Result<TableFormat> TableFormatFromString(const std::string& s);
// Detects the format from the first line of the file.
Result<TableFormat> DetectFormat(const std::string& path);
Result<IoTable> ReadIoTable(const std::string& path, TableFormat format, int year = 0);

// The long-format text of a table (OUTPUT rows always, zero cells skipped).
std::string ToLongCsv(const IoTable& table);

}  // namespace rebalance::io_tables

#endif  // REBALANCE_IO_TABLES_IO_TABLE_H_
