// Caliendo & Parro (2015) trade elasticities from tetrad regressions,
// estimated with rebalance's own estimator (econ::Estimate, Gaussian family,
// no constant, heteroskedasticity-robust HC1 variance).
//
// CP (2015, section 4.1, Table 1) estimate, per sector j,
//   y = -theta_j * x (+ country dummies) + e,
// where y and x are log tetrad ratios of trade flows and of (1 + tariff) for
// country triples (built by their Sample_*.m). Their Estimation.do runs
// `regress y x, nocons robust` and `regress y x d1-d16, nocons robust` per
// sector on DATA_OUT_{100,99,975}.csv (all tetrads; dropping the top 1% and
// 2.5% of trade-flow values). theta_j = -coef(x), se = its HC1 standard error
// (Stata's robust: N/(N-K) times the White sandwich).
//
// File layout: no header; column 1 sector (1..20), 2 y, 3 x, 4-19 d1..d16.
// MATLAB padded the dummy block with NaN: in a sector with fewer sample
// countries the trailing dummy columns are NaN on every row. Such a column
// does not exist for that sector and is left out (noted); any other missing
// value drops the observation (counted), as Stata does.
#ifndef REBALANCE_SCENARIO_ELASTICITY_H_
#define REBALANCE_SCENARIO_ELASTICITY_H_

#include <cstdint>
#include <string>
#include <vector>

#include "rebalance/core/status.h"
#include "rebalance/data/table.h"

namespace rebalance::scenario {

struct ElasticityOptions {
  // Add the 16 country dummies (CP's Table 1 second specification).
  bool dummies = false;
  // Sector names, index 0 = sector 1; sectors beyond the list are named by
  // their number.
  std::vector<std::string> sector_names;
  // Threads of the estimator; 0 = all cores.
  int threads = 1;

  Status Validate() const;
};

struct SectorElasticity {
  int sector = 0;                  // CP sector number (1-based)
  std::string name;                // from ElasticityOptions::sector_names
  double theta = 0;                // -coefficient on x
  double se = 0;                   // HC1 standard error of the coefficient on x
  int64_t nobs = 0;                // observations used
  int64_t rows = 0;                // rows of this sector in the file
  int64_t dropped_missing = 0;     // rows dropped for a missing value
  int num_regressors = 0;          // K after collinear terms were dropped
  std::vector<std::string> notes;  // absent or collinear dummies
};

struct ElasticityResult {
  bool dummies = false;
  std::string source;
  std::vector<SectorElasticity> sectors;  // in sector order
  int64_t total_dropped_missing = 0;
  std::string BriefReport() const;
};

// Reads a DATA_OUT_*.csv(.gz) file (header-less; a header
// sector,y,x,d1..d16 is prepended in memory). Errors name the file.
Result<data::Table> ReadCpElasticityData(const std::string& path);

// DIR/DATA_OUT_<sample>.csv.gz for sample "100", "99" or "97.5"/"975".
Result<std::string> CpElasticityFile(const std::string& dir, const std::string& sample);

// Per-sector tetrad regressions on a table with columns sector, y, x and
// d1..d16 (the dummies are only read with options.dummies). A sector with
// no more observations than regressors is an error naming the sector.
Result<ElasticityResult> EstimateCpElasticities(const data::Table& table,
                                                const ElasticityOptions& options);

}  // namespace rebalance::scenario

#endif  // REBALANCE_SCENARIO_ELASTICITY_H_
