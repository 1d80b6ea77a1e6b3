// The built-in `world2023` baseline: 194 countries, one goods sector, base
// year 2023, calibrated as in Ignatenko, Macedoni, Lashkaripour & Simonovska
// (2025), "Making America Great Again? The Economic Impacts of Liberation
// Day Tariffs", Journal of International Economics 157, 104138 (the IMLS
// model, ge/tariff_war.h), from their input files (BACI HS22 V202501 goods
// trade, WDI GDP, the announced US rates; data/imls2025.h).
//
// Files in data/world2023/ (written by `rebalance data world2023`, rebuilt by
// scripts/make_world2023.sh; thousand current USD throughout):
//   world2023.csv.gz  exporter,importer,value: the calibrated base-year flows
//                     X[j,i] including domestic sales (the diagonal is
//                     constructed by the calibration, not data); zero cells
//                     are not written.
//   countries.csv     iso3,name,nu,gdp,liberation_day_rate: the sales split
//                     nu_i, WDI GDP (thousand USD, the calibration input) and
//                     the rate announced for each country on 2 April 2025.
//   groups.csv        group,iso3: EU (the 25 members the paper's code uses),
//                     EU27, RoW (every country but USA, CHN and EU).
#ifndef REBALANCE_SCENARIO_WORLD2023_H_
#define REBALANCE_SCENARIO_WORLD2023_H_

#include <map>
#include <string>
#include <vector>

#include "rebalance/core/status.h"
#include "rebalance/data/imls2025.h"
#include "rebalance/ge/tariff_war.h"

namespace rebalance::scenario {

struct World2023 {
  ge::TariffWarBaseline baseline;  // calibrated flows and nu
  std::vector<std::string> names;  // country names, model order
  Eigen::VectorXd gdp;             // WDI GDP, thousand USD
  // Tariff schedules by name ("liberation_day": the announced US rate on
  // each country, fractions), model order.
  std::map<std::string, Eigen::VectorXd> schedules;
  // Named country groups (EU, EU27, RoW), member labels.
  std::map<std::string, std::vector<std::string>> groups;
  std::vector<std::pair<std::string, std::string>> provenance;
  std::string calibration_report;  // e.g. "nu(USA) = 0.27047, ..."
};

// The paper's EU list (25 members, as in its main_baseline.m) and the 27
// members of ids.txt (adds CZE and SVK).
const std::vector<std::string>& Eu25Members();
const std::vector<std::string>& Eu27Members();

// Calibrates world2023 from the IMLS input files (MODEL.md).
Result<World2023> BuildWorld2023(const data::Imls2025Data& input);

// The three files' CSV texts (world2023.csv is written uncompressed; the
// script gzips it).
struct World2023Files {
  std::string flows_csv, countries_csv, groups_csv;
};
World2023Files World2023ToCsv(const World2023& world);

// Reads data/world2023/ (the folder holding the three files).
Result<World2023> LoadWorld2023(const std::string& dir);

}  // namespace rebalance::scenario

#endif  // REBALANCE_SCENARIO_WORLD2023_H_
