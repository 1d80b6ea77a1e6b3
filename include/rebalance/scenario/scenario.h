// Scenario files (TOML): a baseline, a model and its parameters, named groups
// of countries and sectors, and any number of scenarios, each a list of
// shocks. The format is documented with examples in docs/scenarios.md.
//
// Parsing happens in two steps so that every error names the place:
// ParseScenarioFile checks the syntax, keys and values (file:line:column and
// the key); CheckLabels then checks every country and sector name against the
// loaded Baseline and suggests the nearest valid one.
#ifndef REBALANCE_SCENARIO_SCENARIO_H_
#define REBALANCE_SCENARIO_SCENARIO_H_

#include <map>
#include <string>
#include <vector>

#include "rebalance/core/status.h"
#include "rebalance/ge/baseline.h"
#include "rebalance/ge/multisector.h"
#include "rebalance/ge/shocks.h"
#include "rebalance/ge/tariff_war.h"

namespace rebalance::scenario {

// kTariffWar: the IMLS (2025) one-sector model with employment, revenue and
// deficit rules (ge/tariff_war.h; docs/tariff_war.md), on world2023.
enum class ModelKind { kMultiSector, kGravity, kTariffWar };
const char* ToString(ModelKind kind);
Result<ModelKind> ModelKindFromString(std::string_view s);

enum class BaselineKind { kBuiltin, kWiod, kIcio, kLong, kCp, kCpTidy };
const char* ToString(BaselineKind kind);

struct BaselineSource {
  BaselineKind kind = BaselineKind::kBuiltin;
  std::string builtin = "world2011";   // kBuiltin
  std::string path;                    // file or directory of the other kinds
  int year = 0;                        // WIOD year (0 = from the file name)
  std::string map;                     // optional aggregation mapping file
  std::string theta;                   // theta-by-sector CSV (sector,theta)
  std::string tariffs;                 // tariff CSV (importer,exporter,sector,tariff)
  bool zero_deficit_baseline = false;  // CP's calibration step before shocks
};

// Where a label was written, to report errors against the file.
struct LabelRef {
  std::string label;  // a country/sector name (groups already expanded)
  bool is_sector = false;
  std::string key;  // e.g. "scenario[2].shocks[1].tariff.exporter"
  int line = 0, column = 0;
};

// A Hicks-neutral efficiency change g (0.05 = +5%) of a country-sector,
// converted to lambda_hat = (1 + g)^theta_j once the Baseline (theta) is known.
struct EfficiencyShock {
  std::string country;
  std::string sector;
  double change = 0.0;
};

// A tariff taken from a named schedule of the baseline (tariff_war model;
// world2023 has "liberation_day", the US rates announced on 2 April 2025):
// t[exporter, importer] = max(floor, schedule[exporter]), or with `mirror`
// schedule[importer] (each country returns the rate it faces: reciprocal
// retaliation). Applied in file order with the scenario's `tariff` shocks:
// after the first `after_tariffs` entries of spec.tariffs.
struct ScheduleTariff {
  std::vector<std::string> importers, exporters;
  std::string schedule;
  double floor = 0.0;
  bool mirror = false;
  size_t after_tariffs = 0;
};

// The trade elasticities of the selected sectors multiplied by `factor`
// (> 0) for one scenario: { theta = { sectors = [...], multiply = 0.5 } }.
// theta is a parameter of the model, not of the baseline's data: the base
// year's flows are unchanged and the scenario solves with theta_j * factor
// (docs/scenarios.md). Factors on the same sector multiply. `origin` is
// "file:line:col: scenario 'name', key '...'" for messages.
struct ThetaScaling {
  std::string sector;  // a sector label, a comma list, or "*" (all sectors)
  double factor = 1.0;
  std::string origin;
};

struct ScenarioDef {
  std::string name;
  std::string description;
  ge::ShockSpec spec;
  std::vector<EfficiencyShock> efficiency;
  std::vector<ThetaScaling> theta_scaling;       // multisector and gravity models
  std::vector<ScheduleTariff> schedule_tariffs;  // tariff_war model only
  std::vector<LabelRef> labels;
  int line = 0;
};

struct ScenarioFile {
  std::string path;  // for messages
  std::string title = "rebalance briefing";
  BaselineSource baseline;
  ModelKind model = ModelKind::kMultiSector;
  double sigma = 0;                 // gravity only (> 1)
  ge::TariffWarOptions tariff_war;  // tariff_war only: [model] keys
  std::map<std::string, std::vector<std::string>> country_groups;
  std::map<std::string, std::vector<std::string>> sector_groups;
  std::vector<ScenarioDef> scenarios;
  // Countries and sectors highlighted in the briefing (imbalance pairs).
  std::vector<std::string> focus_countries;
  // [solver]: settings of the multi-sector model's options, keyed by their
  // registry names (ge::MultisectorOptionTable; docs/options.md), already
  // checked. They override RunOptions::solver (SolverWithFile).
  std::vector<std::pair<std::string, core::OptionValue>> solver;
};

// `base` with the file's [solver] settings applied.
ge::MultisectorOptions SolverWithFile(const ScenarioFile& file, ge::MultisectorOptions base);

// Parses TOML text; `source` names it in messages (a path). Relative paths in
// [baseline] are resolved against the directory of `source`.
Result<ScenarioFile> ParseScenario(std::string_view text, const std::string& source);
Result<ScenarioFile> ParseScenarioFile(const std::string& path);

// Checks every label of every scenario against the baseline's countries and
// sectors (sector synonyms and long names are accepted, see SynonymNotes):
// "file.toml:12:31: key 'scenario[1].shocks[0].tariff.exporter': unknown
// country 'CHA'; did you mean 'CHN'? Valid countries: ...".
Status CheckLabels(const ScenarioFile& file, const ge::Baseline& baseline);

// Sector names the file gives by a synonym or a long name (ge::SectorSynonym),
// one note each: "briefing.toml:12:40: sector 'EVs' read as 'Transport
// equipment'".
std::vector<std::string> SynonymNotes(const ScenarioFile& file, const ge::Baseline& baseline);

// `baseline` with the trade elasticities theta of the sectors each entry of
// `scaling` names multiplied by its factor, in order (an empty list returns
// it unchanged). The baseline a scenario with theta shocks solves on: call it
// before BuildShockSpec, whose efficiency shocks then use the scaled theta,
// as a theta file with the scaled values would. A sector label the baseline
// lacks is an error naming the entry's origin.
Result<ge::Baseline> ScaleTheta(const ge::Baseline& baseline,
                                const std::vector<ThetaScaling>& scaling);

// The scenario's shocks ready for ge::ResolveShocks: efficiency changes turned
// into productivity shocks with the baseline's theta.
Result<ge::ShockSpec> BuildShockSpec(const ScenarioDef& def, const ge::Baseline& baseline);

}  // namespace rebalance::scenario

#endif  // REBALANCE_SCENARIO_SCENARIO_H_
