// CSV output: the one escaper and the number format of every CSV file
// rebalance writes.
//
// Fields follow RFC 4180: a field holding a comma, a double quote, CR or LF
// is enclosed in double quotes and each embedded quote is doubled; any other
// field is written as is. (data::ReadCsv reads every such field back except
// those holding a line break, which its chunked reader does not accept inside
// a field; writers that must round-trip refuse line breaks in labels.)
// Doubles are written in the shortest form that parses back to the same bits
// (fmt's Dragonbox): 0.1 -> "0.1", 1e300 -> "1e+300".
#ifndef REBALANCE_DATA_CSV_WRITE_H_
#define REBALANCE_DATA_CSV_WRITE_H_

#include <string>
#include <string_view>

#include "rebalance/core/status.h"
#include "rebalance/data/table.h"

namespace rebalance::data {

// One CSV field, quoted per RFC 4180 when needed.
std::string CsvField(std::string_view text);

// Shortest decimal text that round-trips to the same double (finite values;
// NaN and Inf are written as fmt spells them, so callers check first).
std::string RoundTripDouble(double value);

// Writes a table as CSV (header of column names, then one line per row;
// missing cells empty, doubles by RoundTripDouble), atomically, replacing
// an existing file.
Status WriteCsv(const Table& table, const std::string& path);

}  // namespace rebalance::data

#endif  // REBALANCE_DATA_CSV_WRITE_H_
