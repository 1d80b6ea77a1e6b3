// Sensitivity sweeps of a scenario file: Monte Carlo draws of the trade
// elasticities (theta_j ~ N(theta_hat_j, se_j), truncated above the model's
// bound theta > 0) or a grid over the tariff shocks' values, each re-solving
// every scenario of the file.
//
// Reproducibility: draw d's random numbers come only from
// core::SweepDrawSeed(master_seed, d) (core/uncertainty.h), and the summary
// statistics (core::Summarize, Moments::kWelford) are
// computed over draws in index order, so results do not depend on how draws
// are split across threads or MPI ranks (mpi/ uses RunDraws on slices and
// gathers). Each solve is single-threaded and cold-started, so a draw with
// zero variance reproduces the point solution bit for bit.
#ifndef REBALANCE_SCENARIO_SWEEP_H_
#define REBALANCE_SCENARIO_SWEEP_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "rebalance/core/status.h"
#include "rebalance/core/uncertainty.h"
#include "rebalance/ge/tidy.h"
#include "rebalance/scenario/run.h"
#include "rebalance/scenario/theta.h"

namespace rebalance::scenario {

// theta and its standard error per sector (a theta file with an `se` column).
using ThetaDistribution = ThetaTable;
// A theta CSV with columns sector,theta,se (theta.h: ReadThetaCsv with
// require_se) aligned to `sectors`: every baseline sector must appear; rows for
// other sectors are skipped.
Result<ThetaDistribution> ReadThetaDistribution(const std::string& path,
                                                const std::vector<std::string>& sectors);

// A grid over the value of every tariff shock: "tariff=FROM:TO:STEP".
struct GridSpec {
  std::string parameter = "tariff";
  double from = 0, to = 0, step = 0;
  std::vector<double> Points() const;
};
Result<GridSpec> ParseGrid(const std::string& text);

// Which bilateral rows (exports, tariff, welfare terms by partner) a sweep
// keeps, with bands: none; those between the countries each scenario's tariff
// and trade-cost shocks name (importer and exporter, both directions; the
// default); or all (large: rows x draws values are held in memory).
enum class SweepBilateral { kNone, kScenarioPairs, kAll };
const char* ToString(SweepBilateral b);
Result<SweepBilateral> SweepBilateralFromString(std::string_view s);

// Checks, before anything is solved, that a theta file for draws has the
// columns sector, theta and se: "FILE: a theta file for draws needs a column
// 'se' (standard errors)".
Status CheckThetaDistributionFile(const std::string& path);

struct SweepOptions {
  // Number of Monte Carlo draws (0 with a grid).
  int draws = 0;
  // Master seed; draw d uses core::SweepDrawSeed(seed, d).
  uint64_t seed = 20261129;
  // theta distribution file (sector,theta,se); required for draws.
  std::string theta_file;
  // Lower bound of theta: draws at or below it are redrawn (the model needs
  // theta > 0); after `max_redraws` the draw counts as failed.
  double theta_lower_bound = 0.0;
  int max_redraws = 1000;
  // A grid instead of draws.
  std::optional<GridSpec> grid;
  // Threads for the draws (each solve is single-threaded); 0 = all cores.
  int threads = 0;
  // Bilateral rows kept (see SweepBilateral).
  SweepBilateral bilateral = SweepBilateral::kScenarioPairs;
  // Run options (baseline location, solver); `run.bilateral` is set from
  // `bilateral`.
  RunOptions run;
  Status Validate() const;
};

// The values of the point table's rows for a slice of draws.
struct DrawSlice {
  int64_t begin = 0, end = 0;        // draws [begin, end)
  std::vector<uint8_t> ok;           // per draw
  std::vector<std::string> failure;  // per draw ("" when ok)
  std::vector<double> values;        // (end-begin) x rows, row-major
};

struct SweepResult {
  RunResult point;                // the point solution (all scenarios)
  std::vector<core::Band> bands;  // per row of point.results (draws)
  int draws_requested = 0, draws_failed = 0;
  uint64_t seed = 0;                  // master seed of the draws
  std::string theta_file;             // theta file with se, as given
  std::vector<std::string> failures;  // "draw 17: ..." for each failed draw
  ge::TidyTable grid;                 // grid runs: one block per point
  double seconds = 0;
};

// Prepares the point solution (baseline, calibrated once, and the row layout).
Result<RunResult> PrepareSweep(const ScenarioFile& file, const SweepOptions& options);
// Solves draws [begin, end) against a prepared point solution.
Result<DrawSlice> RunDraws(const RunResult& point, const ScenarioFile& file,
                           const SweepOptions& options, int64_t begin, int64_t end);
// Mean, sd and 5/50/95 percentiles per row, over the successful draws in
// index order (core::Summarize: non-finite values are left out and
// Band::draws counts the rest). Fails when every draw failed.
Result<std::vector<core::Band>> SummarizeDraws(const std::vector<DrawSlice>& slices,
                                               size_t num_rows);
// Everything on one machine.
Result<SweepResult> RunSweep(const ScenarioFile& file, const SweepOptions& options);

// The default of `rebalance run`: theta bands from this many draws with this
// seed (chosen so the default briefing stays near 3 s on 2 cores; see
// docs/report.md for the measurement). `rebalance sweep` does more.
inline constexpr int kRunBandDraws = 40;
inline constexpr uint64_t kRunBandSeed = 20261206;

// Bands for a run already solved (the default briefing's theta bands): draws
// [0, options.draws) of theta re-solve every scenario of `run.file` on the
// run's calibrated baseline, without re-loading it or re-diagnosing. The
// result's `bands` has one entry per row of run.results; rows the draws do
// not cover (bilateral rows) have draws = 0. `point` is left empty. The theta
// file's theta column must equal the baseline's theta (relative 1e-9), so the
// bands are around the numbers of the run; otherwise an error names the
// sector.
Result<SweepResult> SweepSolvedRun(const RunResult& run, const SweepOptions& options);

// The theta file with standard errors that goes with a scenario file's
// baseline: data/world2011/theta_se.csv for the built-in baseline, else empty
// (no default).
std::string DefaultThetaSePath(const ScenarioFile& file, const std::string& data_dir = "");

}  // namespace rebalance::scenario

#endif  // REBALANCE_SCENARIO_SWEEP_H_
