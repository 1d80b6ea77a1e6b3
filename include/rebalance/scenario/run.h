// Running scenario files: load the baseline a file names, diagnose it
// (imbalances in gross and value-added terms, overcapacity indicators with
// the share of output carried by each country's trade imbalance), solve every
// scenario with the multi-sector model, and gather the tidy results and
// headline sentences. `rebalance run` and the Python module call RunScenarioFile;
// the report module turns the result into HTML.
#ifndef REBALANCE_SCENARIO_RUN_H_
#define REBALANCE_SCENARIO_RUN_H_

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "rebalance/core/status.h"
#include "rebalance/ge/baseline.h"
#include "rebalance/ge/multisector.h"
#include "rebalance/ge/tidy.h"
#include "rebalance/io_tables/accounting.h"
#include "rebalance/io_tables/io_table.h"
#include "rebalance/io_tables/overcapacity.h"
#include "rebalance/scenario/scenario.h"

namespace rebalance::scenario {

// Called as work advances: stage ("solve", "diagnose", ...), the item's
// name, items done and total.
using ProgressFn =
    std::function<void(const std::string& stage, const std::string& item, int done, int total)>;

struct RunOptions {
  // Folder holding the built-in baselines (world2011/...). Empty: the
  // REBALANCE_HOME environment variable's data/ folder, else the source
  // tree's data/ folder compiled in.
  std::string data_dir;
  // Include bilateral rows (flows, welfare terms by partner) in the results.
  bool bilateral = true;
  // Compute the share of each sector's output carried by its country's trade
  // imbalance (one extra solve per country with a non-zero balance).
  bool imbalance_shares = true;
  // Solver options of the multi-sector model.
  ge::MultisectorOptions solver;
  // Progress callback; may be empty.
  ProgressFn progress;
  // Polled between solves (and between sweep draws); when it returns true
  // the run stops with a kCancelled Status and returns no partial result.
  // The CLI sets it from its SIGINT flag. May be empty.
  std::function<bool()> cancelled;
  Status Validate() const;
};

// The folder of built-in baselines used when RunOptions::data_dir is empty.
std::string DefaultDataDir();

// The back-casting test of the world2022 nowcast's method: WIOD 2005 and 2008
// updated with GRAS to the 2011 totals at world2011's 18 regions x 14 sectors
// and compared with the true 2011 table (data/world2022/backcast.csv, written
// by scripts/backcast.sh; docs/io_tables.md). It passes when, for every
// starting year, GRAS converged and its bilateral value-added balances are
// closer to the truth (WAPE) than both naive alternatives' (the old table
// scaled to world output, and unchanged).
struct NowcastBackcast {
  bool found = false;   // the file was read
  bool passes = false;  // see above
  // "bilateral value-added balances 22.6 % off (old table scaled 51.0 %,
  // unchanged 48.4 %), cells 7.0 %; WIOD 2008 -> 2011, 18 x 14", per year.
  std::string summary;
  std::string reason;  // why it does not pass (empty when it passes)
};
NowcastBackcast World2022Backcast(const std::string& data_dir = "");

// The path of the built-in briefing scenario file of `world` ("world2011" or
// "world2022"). Empty `world`: world2022's when its table is there and its
// back-casting test passes (World2022Backcast), else world2011's.
std::string DefaultBriefingPath(const std::string& data_dir = "", const std::string& world = "");

struct LoadedBaseline {
  ge::Baseline baseline;                 // consistent base year (solved)
  std::optional<io_tables::IoTable> io;  // when built from an IO table
  // key, value; files are named by file name only, never by path (the
  // report is mailed; paths are the machine's business).
  std::vector<std::pair<std::string, std::string>> provenance;
  std::vector<std::string> notes;  // e.g. clipped inventory cells
  // Built-in baselines: the world in words, e.g. "world2022 (NOWCAST for
  // 2022: ...)", for the report's "World:" lines; empty otherwise.
  std::string world;
  // Every input file read: role ("input-output table", "theta", ...) and its
  // path, for checksums in the report and run.json (which print the file
  // name only).
  std::vector<std::pair<std::string, std::string>> input_files;
  // Standard error of each sector's theta (same order as baseline.sectors),
  // when a file beside the theta file gives one for exactly the theta used
  // (world2011: theta_se.csv); empty otherwise. Used to state how much a
  // subsidy scenario's output headline depends on theta.
  std::vector<double> theta_se;
  // Solver records of CP's calibration: step 2 (the base year) and, when the
  // source asks for it, step 3 (the zero-deficit baseline).
  ge::MultisectorSolution base_year_solution;
  std::optional<ge::MultisectorSolution> zero_deficit_solution;
  // What building the model baseline from an IO table repaired (clipped
  // cells); zero for the Caliendo-Parro sources.
  ge::IoBaselineReport io_report;
};

// Loads, aggregates and calibrates the baseline a file names: reads it,
// builds the Baseline, solves the base year (CP step 2) and, if asked, the
// zero-deficit baseline (CP step 3). A theta file replaces the elasticities
// of a Caliendo-Parro source too (their T.txt); an IO table needs one.
Result<LoadedBaseline> LoadBaseline(const BaselineSource& source, const RunOptions& options);

// What the model held fixed to get a scenario's numbers (its closure), said
// in words wherever the scenario's numbers appear: the terminal summary,
// results.json and the report.
struct Closure {
  // The price normalisation, e.g. "world nominal GDP is held at its base-year
  // value (numeraire)".
  std::string numeraire;
  // What is fixed by assumption, e.g. "each country's trade balance, in
  // nominal USD", "labour in each country (full employment, immobile)".
  std::vector<std::string> held_fixed;
  // What a reader must know before quoting a number, e.g. "a static
  // transfer: no adjustment costs or financing effects are modelled".
  std::vector<std::string> caveats;
};

struct ScenarioOutcome {
  std::string name, description;
  ge::ShockSet shocks;
  ge::MultisectorSolution solution;
  ge::TidyTable tidy;
  std::vector<std::string> headlines;  // readable sentences
  Closure closure;                     // filled by RunScenarios
};

struct Diagnosis {
  std::vector<io_tables::BilateralBalance> balances;  // all ordered pairs
  io_tables::OvercapacityResult overcapacity;
  std::vector<std::string> headlines;
};

struct RunResult {
  ScenarioFile file;
  LoadedBaseline loaded;
  std::optional<Diagnosis> diagnosis;  // when the baseline has an IO table
  std::vector<ScenarioOutcome> scenarios;
  ge::TidyTable results;  // every scenario's rows
  double seconds = 0;
};

// Runs every scenario of `file`; its [solver] settings override
// options.solver (SolverWithFile).
Result<RunResult> RunScenarios(const ScenarioFile& file, const RunOptions& options);

// Keeps, of each scenario's bilateral rows (partner non-empty), those where
// the country or the partner is a country the scenario's shocks name
// (importers, exporters, subsidising or rebalancing countries); a scenario
// that names none keeps all. The briefing's results.csv stays small (the
// default of `rebalance run`; `--bilateral all` keeps every pair).
void KeepBilateralRowsOfNamedCountries(RunResult* run);
Result<RunResult> RunScenarioFile(const std::string& path, const RunOptions& options);

}  // namespace rebalance::scenario

#endif  // REBALANCE_SCENARIO_RUN_H_
