// CSV and gzip-compressed CSV reading into a Table.
//
// Algorithm: the file is mapped (plain) or inflated (gzip) into memory, split
// at line boundaries into one chunk per thread, and each chunk is parsed
// straight into typed column buffers; string columns use per-chunk
// dictionaries merged at the end. Column types are inferred from the first
// `infer_rows` rows unless given; a later cell that does not fit its column's
// type is an error naming file, line, column and what was expected.
// Limits: quoted fields may contain the delimiter and doubled quotes, but not
// newlines.
#ifndef REBALANCE_DATA_CSV_H_
#define REBALANCE_DATA_CSV_H_

#include <map>
#include <string>
#include <vector>

#include "rebalance/core/status.h"
#include "rebalance/data/table.h"

namespace rebalance::data {

struct CsvOptions {
  // Field delimiter.
  char delimiter = ',';
  // Columns to keep, by header name; empty keeps all. Unknown names are an
  // error naming the nearest header.
  std::vector<std::string> select;
  // Forced column types by name; others are inferred.
  std::map<std::string, ColumnType> types;
  // Number of data rows used to infer column types.
  int64_t infer_rows = 10000;
  // Tokens read as missing (besides the empty field).
  std::vector<std::string> missing_tokens = {"NA", ".", "NaN", "nan"};
  // Parsing threads; 0 means all cores.
  int threads = 0;

  Status Validate() const;
};

// Reads `path` (".gz" suffix or gzip magic => decompressed).
Result<Table> ReadCsv(const std::string& path, const CsvOptions& options = {});

// Parses CSV text held in memory; `source` names it in messages.
Result<Table> ParseCsv(std::string_view text, const std::string& source,
                       const CsvOptions& options = {});

// Reads a whole file, inflating gzip, into a string (for other readers).
Result<std::string> ReadFileToString(const std::string& path);

// Writes a table as CSV (full round-trip precision for doubles).
Status WriteCsv(const Table& table, const std::string& path);

}  // namespace rebalance::data

#endif  // REBALANCE_DATA_CSV_H_
