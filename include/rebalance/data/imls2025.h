// Reader of the input files of Ignatenko, Macedoni, Lashkaripour &
// Simonovska (2025), "Making America Great Again? The Economic Impacts of
// Liberation Day Tariffs", Journal of International Economics 157, 104138:
// the folder data/base_data/ of their replication package (194 countries,
// base year 2023), as documented in shared/data/imls2025_liberation_day/
// README.md.
//
// Files: trade_cepii.csv (194 x 194 BACI goods trade, thousand USD, row =
// exporter, column = importer, empty = no flow, diagonal empty), gdp.csv
// (WDI GDP, current USD), tariffs.csv (announced US rates, fractions) and
// country_labels.csv (iso3, 1-based index, name). All four share one country
// order; the reader checks that each has exactly the labels' row count, that
// the trade header is export_ij1..export_ijN, and that every number is finite
// and non-negative. Errors name the file, line and column.
#ifndef REBALANCE_DATA_IMLS2025_H_
#define REBALANCE_DATA_IMLS2025_H_

#include <string>
#include <vector>

#include "rebalance/core/status.h"

namespace rebalance::data {

struct Imls2025Data {
  std::string dir;                 // folder read
  std::vector<std::string> iso3;   // N labels, file order
  std::vector<std::string> names;  // N names (as in country_labels.csv)
  // trade[j * N + i]: exporter j to importer i, thousand USD; 0 = empty cell.
  // The diagonal is 0 (domestic sales are not data).
  std::vector<double> trade;
  std::vector<double> gdp_usd;  // N, current USD
  std::vector<double> tariff;   // N, announced US rate on each country
  int num_countries() const { return static_cast<int>(iso3.size()); }
};

// Reads the four files from `dir`.
Result<Imls2025Data> ReadImls2025(const std::string& dir);

}  // namespace rebalance::data

#endif  // REBALANCE_DATA_IMLS2025_H_
