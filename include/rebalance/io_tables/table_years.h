// Several years of one table: the WIOD 2013 release is a folder of
// wiotYYYY.csv.gz files, and `rebalance diagnose --years` or Python read a
// list of them.
#ifndef REBALANCE_IO_TABLES_TABLE_YEARS_H_
#define REBALANCE_IO_TABLES_TABLE_YEARS_H_

#include <string>
#include <vector>

#include "rebalance/core/status.h"
#include "rebalance/io_tables/io_table.h"

namespace rebalance::io_tables {

// "2011", "2005,2011", "1995-2011" or "1995-2000,2011": the years, sorted and
// without repeats. An empty range (2011-2005) or a part that is not a
// four-digit year or range is an error naming the part.
Result<std::vector<int>> ParseYearList(const std::string& spec);

// WIOD tables of `years` (ReadWiod each). `path` is a directory of
// wiotYYYY.csv(.gz) files or one such file; with a directory and no years,
// every year found in it, oldest first (none found is kNotFound); with a file,
// at most one year (0 or none: the year in the file name).
Result<std::vector<IoTable>> ReadWiodYears(const std::string& path, const std::vector<int>& years);

}  // namespace rebalance::io_tables

#endif  // REBALANCE_IO_TABLES_TABLE_YEARS_H_
