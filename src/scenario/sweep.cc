// Sensitivity sweeps: theta draws and tariff grids. See sweep.h for the
// reproducibility contract; draws and bands come from core/uncertainty.h.
#include "rebalance/scenario/sweep.h"

#include <omp.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <limits>
#include <optional>

#include <fmt/format.h>

#include "rebalance/core/uncertainty.h"
#include "rebalance/data/csv.h"
#include "rebalance/scenario/theta.h"

namespace rebalance::scenario {
namespace {

// Whether a sweep keeps a tidy row: every row without a partner; bilateral
// rows by SweepBilateral (kScenarioPairs: the unordered pair {country,
// partner} is an {importer, exporter} pair of one of the scenario's tariff or
// iceberg shocks, "*" matching any country).
bool KeepRow(const ge::TidyRow& row, const ScenarioDef& def, SweepBilateral mode) {
  if (row.partner.empty() || mode == SweepBilateral::kAll) return true;
  if (mode == SweepBilateral::kNone) return false;
  auto match = [](const std::string& label, const std::string& c) {
    return label == "*" || label == c;
  };
  auto pair = [&](const std::string& im, const std::string& ex) {
    return (match(im, row.country) && match(ex, row.partner)) ||
           (match(im, row.partner) && match(ex, row.country));
  };
  for (const auto& t : def.spec.tariffs)
    if (pair(t.importer, t.exporter)) return true;
  for (const auto& t : def.spec.icebergs)
    if (pair(t.importer, t.exporter)) return true;
  return false;
}

// Solves every scenario of `file` on `baseline`; returns the pct_change of
// each row kept by KeepRow, in the order of TidyMultisector.
Result<std::vector<double>> SolveAll(const ge::Baseline& baseline, const ScenarioFile& file,
                                     const ge::MultisectorOptions& solver, SweepBilateral bilateral,
                                     size_t expected_rows) {
  std::vector<double> values;
  values.reserve(expected_rows);
  ge::MultisectorReportOptions ro;
  ro.bilateral = bilateral != SweepBilateral::kNone;
  for (const auto& def : file.scenarios) {
    // theta shocks scale the drawn theta: draw theta_j ~ N(theta_hat_j, se_j),
    // then solve with c * theta_j (docs/scenarios.md).
    std::optional<ge::Baseline> scaled;
    if (!def.theta_scaling.empty()) {
      RB_ASSIGN_OR_RETURN(scaled, ScaleTheta(baseline, def.theta_scaling));
    }
    const ge::Baseline& sb = scaled.has_value() ? *scaled : baseline;
    RB_ASSIGN_OR_RETURN(ge::ShockSpec spec, BuildShockSpec(def, sb));
    RB_ASSIGN_OR_RETURN(ge::ShockSet shocks, ge::ResolveShocks(sb, spec));
    RB_ASSIGN_OR_RETURN(ge::MultisectorSolution sol,
                        ge::SolveMultisectorOrError(sb, shocks, solver));
    const ge::TidyTable t = ge::TidyMultisector(sb, shocks, sol, ro);
    for (const auto& r : t.rows)
      if (KeepRow(r, def, bilateral)) values.push_back(r.pct_change);
  }
  if (values.size() != expected_rows) {
    return Status::Internal(fmt::format("a draw produced {} result rows, the point solution {}",
                                        values.size(), expected_rows));
  }
  return values;
}

}  // namespace

const char* ToString(SweepBilateral b) {
  switch (b) {
    case SweepBilateral::kNone:
      return "none";
    case SweepBilateral::kScenarioPairs:
      return "scenario";
    case SweepBilateral::kAll:
      return "all";
  }
  return "unknown";
}

Result<SweepBilateral> SweepBilateralFromString(std::string_view s) {
  if (s == "none") return SweepBilateral::kNone;
  if (s == "scenario") return SweepBilateral::kScenarioPairs;
  if (s == "all") return SweepBilateral::kAll;
  return Status::InvalidArgument(
      fmt::format("unknown bilateral selection '{}'; expected scenario, all or none", s));
}

Status CheckThetaDistributionFile(const std::string& path) {
  data::CsvOptions opt;
  opt.types["sector"] = data::ColumnType::kString;
  RB_ASSIGN_OR_RETURN(data::Table t, data::ReadCsv(path, opt));
  for (const char* col : {"sector", "theta"}) {
    if (!t.GetColumn(col).ok()) {
      return Status::InvalidArgument(
          fmt::format("{}: a theta file for draws needs a column '{}'", path, col));
    }
  }
  if (!t.GetColumn("se").ok()) {
    return Status::InvalidArgument(
        fmt::format("{}: a theta file for draws needs a column 'se' (standard errors), e.g. "
                    "data/world2011/theta_se.csv",
                    path));
  }
  return Status::Ok();
}

Result<ThetaDistribution> ReadThetaDistribution(const std::string& path,
                                                const std::vector<std::string>& sectors) {
  ThetaReadOptions opt;
  opt.require_se = true;
  RB_ASSIGN_OR_RETURN(ThetaTable t, ReadThetaCsv(path, opt));
  return AlignThetaToSectors(t, path, sectors, /*allow_extra=*/true);
}

std::vector<double> GridSpec::Points() const {
  std::vector<double> out;
  if (!(step > 0) || to < from) return out;
  const int64_t n = static_cast<int64_t>(std::floor((to - from) / step + 1e-9)) + 1;
  for (int64_t k = 0; k < n; ++k) out.push_back(from + static_cast<double>(k) * step);
  return out;
}

// A message of ParseGrid: it names the option `grid`.
Status GridError(std::string message) {
  return Status::InvalidArgument(std::move(message)).WithOptions({"grid"});
}

Result<GridSpec> ParseGrid(const std::string& text) {
  GridSpec g;
  const auto eq = text.find('=');
  if (eq == std::string::npos) {
    return GridError(
        fmt::format("grid '{}': expected tariff=FROM:TO:STEP, e.g. tariff=0:1:0.1", text));
  }
  g.parameter = text.substr(0, eq);
  if (g.parameter != "tariff") {
    return GridError(fmt::format("grid '{}': only the 'tariff' parameter can be swept", text));
  }
  const std::string range = text.substr(eq + 1);
  double vals[3];
  size_t pos = 0;
  for (int k = 0; k < 3; ++k) {
    const size_t colon = range.find(':', pos);
    const std::string part =
        range.substr(pos, colon == std::string::npos ? std::string::npos : colon - pos);
    char* end = nullptr;
    vals[k] = std::strtod(part.c_str(), &end);
    if (part.empty() || end == nullptr || *end != '\0' || !std::isfinite(vals[k])) {
      return GridError(
          fmt::format("grid '{}': '{}' is not a number (expected FROM:TO:STEP)", text, part));
    }
    if (k < 2 && colon == std::string::npos) {
      return GridError(fmt::format("grid '{}': expected FROM:TO:STEP", text));
    }
    pos = colon + 1;
  }
  g.from = vals[0];
  g.to = vals[1];
  g.step = vals[2];
  if (g.Points().empty()) {
    return GridError(
        fmt::format("grid '{}': the grid has no points (need STEP > 0 and TO >= FROM)", text));
  }
  return g;
}

Status SweepOptions::Validate() const {
  // Messages name the options; a front door renders them (the CLI: --draws).
  if (draws < 0) return Status::InvalidArgument("draws must be >= 0").WithOptions({"draws"});
  if (draws > 0 && grid.has_value()) {
    return Status::InvalidArgument("give either draws or grid, not both")
        .WithOptions({"draws", "grid"});
  }
  if (draws == 0 && !grid.has_value()) {
    return Status::InvalidArgument("a sweep needs draws N or grid tariff=FROM:TO:STEP")
        .WithOptions({"draws", "grid"});
  }
  if (draws > 0 && theta_file.empty()) {
    return Status::InvalidArgument("draws needs theta_file FILE with columns sector,theta,se")
        .WithOptions({"draws", "theta_file"});
  }
  if (threads < 0) return Status::InvalidArgument("threads must be >= 0").WithOptions({"threads"});
  return run.Validate();
}

Result<RunResult> PrepareSweep(const ScenarioFile& file, const SweepOptions& options) {
  RunOptions ro = options.run;
  ro.bilateral = options.bilateral != SweepBilateral::kNone;
  ro.imbalance_shares = false;
  ro.solver.threads = 1;
  RB_ASSIGN_OR_RETURN(RunResult run, RunScenarios(file, ro));
  // Keep the bilateral rows the sweep bands (the point table's row order is
  // the draws' row order).
  ge::TidyTable kept;
  for (auto& outcome : run.scenarios) {
    const ScenarioDef* def = nullptr;
    for (const auto& d : file.scenarios)
      if (d.name == outcome.name) def = &d;
    ge::TidyTable mine;
    for (auto& r : outcome.tidy.rows)
      if (def != nullptr && KeepRow(r, *def, options.bilateral)) mine.rows.push_back(r);
    outcome.tidy = mine;
    kept.Append(mine);
  }
  run.results = std::move(kept);
  return run;
}

Result<DrawSlice> RunDraws(const RunResult& point, const ScenarioFile& file,
                           const SweepOptions& options, int64_t begin, int64_t end) {
  RB_RETURN_IF_ERROR(options.Validate());
  const ge::Baseline& base = point.loaded.baseline;
  RB_ASSIGN_OR_RETURN(ThetaDistribution dist,
                      ReadThetaDistribution(options.theta_file, base.sectors));
  const size_t rows = point.results.rows.size();
  DrawSlice slice;
  slice.begin = begin;
  slice.end = end;
  const int64_t n = std::max<int64_t>(0, end - begin);
  slice.ok.assign(static_cast<size_t>(n), 0);
  slice.failure.assign(static_cast<size_t>(n), "");
  slice.values.assign(static_cast<size_t>(n) * rows, 0.0);
  ge::MultisectorOptions solver = SolverWithFile(file, options.run.solver);
  solver.threads = 1;
  const int threads = options.threads > 0 ? options.threads : omp_get_max_threads();
  std::atomic<int64_t> done{0};
#pragma omp parallel for schedule(dynamic, 1) num_threads(threads)
  for (int64_t k = 0; k < n; ++k) {
    // An OpenMP loop cannot break: after an interrupt the remaining draws
    // are skipped and the slice is discarded below.
    if (options.run.cancelled && options.run.cancelled()) continue;
    const int64_t d = begin + k;
    core::NormalStream rng(core::SweepDrawSeed(options.seed, d), core::UnitInterval::kMidpoint);
    ge::Baseline b = base;
    std::string fail;
    for (size_t j = 0; j < b.theta.size() && fail.empty(); ++j) {
      double th = dist.theta[j];
      if (dist.se[j] > 0) {
        int tries = 0;
        do {
          th = dist.theta[j] + dist.se[j] * rng.Next();
        } while (th <= options.theta_lower_bound && ++tries < options.max_redraws);
        if (th <= options.theta_lower_bound) {
          fail = fmt::format("theta of '{}' stayed <= {} after {} redraws", b.sectors[j],
                             options.theta_lower_bound, options.max_redraws);
        }
      }
      b.theta[j] = th;
    }
    if (fail.empty()) {
      auto values = SolveAll(b, file, solver, options.bilateral, rows);
      if (values.ok()) {
        std::copy(values->begin(), values->end(),
                  slice.values.begin() + static_cast<long>(static_cast<size_t>(k) * rows));
        slice.ok[static_cast<size_t>(k)] = 1;
      } else {
        fail = values.status().message();
      }
    }
    if (!fail.empty()) slice.failure[static_cast<size_t>(k)] = fail;
    const int64_t finished = ++done;
    if (options.run.progress && (finished % 10 == 0 || finished == n)) {
#pragma omp critical(sweep_progress)
      options.run.progress("draws", "", static_cast<int>(finished), static_cast<int>(n));
    }
  }
  if (options.run.cancelled && options.run.cancelled()) {
    return Status::Cancelled("interrupted; no results were written");
  }
  return slice;
}

Result<std::vector<core::Band>> SummarizeDraws(const std::vector<DrawSlice>& slices,
                                               size_t num_rows) {
  std::vector<const DrawSlice*> ordered;
  for (const auto& s : slices) ordered.push_back(&s);
  std::sort(ordered.begin(), ordered.end(),
            [](const DrawSlice* a, const DrawSlice* b) { return a->begin < b->begin; });
  std::vector<core::Band> bands(num_rows);
  std::vector<double> col;
  int successful = 0;
  for (const DrawSlice* s : ordered)
    for (uint8_t ok : s->ok) successful += ok;
  if (successful == 0)
    return Status::FailedPrecondition("every draw failed; no bands can be computed");
  for (size_t r = 0; r < num_rows; ++r) {
    col.clear();
    for (const DrawSlice* s : ordered) {
      for (size_t k = 0; k < s->ok.size(); ++k) {
        if (s->ok[k]) col.push_back(s->values[k * num_rows + r]);
      }
    }
    // Welford: exact when every draw equals the point solution.
    bands[r] = core::Summarize(&col, core::Moments::kWelford);
  }
  return bands;
}

Result<SweepResult> RunSweep(const ScenarioFile& file, const SweepOptions& options) {
  RB_RETURN_IF_ERROR(options.Validate());
  if (options.draws > 0) RB_RETURN_IF_ERROR(CheckThetaDistributionFile(options.theta_file));
  const auto t0 = std::chrono::steady_clock::now();
  SweepResult out;
  RB_ASSIGN_OR_RETURN(out.point, PrepareSweep(file, options));
  if (options.grid.has_value()) {
    for (double g : options.grid->Points()) {
      ScenarioFile f = file;
      for (auto& def : f.scenarios) {
        for (auto& t : def.spec.tariffs)
          t.value = (t.mode == ge::ShockMode::kMultiply) ? 1.0 + g : g;
      }
      RunOptions ro = options.run;
      ro.bilateral = false;
      ro.imbalance_shares = false;
      auto run = RunScenarios(f, ro);
      if (!run.ok()) return run.status().WithContext(fmt::format("grid point tariff={}", g));
      for (auto row : run->results.rows) {
        row.scenario = fmt::format("{} [tariff={:g}]", row.scenario, g);
        out.grid.rows.push_back(std::move(row));
      }
    }
  } else {
    out.draws_requested = options.draws;
    out.seed = options.seed;
    out.theta_file = options.theta_file;
    RB_ASSIGN_OR_RETURN(DrawSlice slice, RunDraws(out.point, file, options, 0, options.draws));
    for (size_t k = 0; k < slice.ok.size(); ++k) {
      if (!slice.ok[k]) {
        ++out.draws_failed;
        out.failures.push_back(
            fmt::format("draw {}: {}", slice.begin + static_cast<int64_t>(k), slice.failure[k]));
      }
    }
    RB_ASSIGN_OR_RETURN(out.bands, SummarizeDraws({slice}, out.point.results.rows.size()));
  }
  out.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return out;
}

Result<SweepResult> SweepSolvedRun(const RunResult& run, const SweepOptions& options) {
  RB_RETURN_IF_ERROR(options.Validate());
  if (options.grid.has_value())
    return Status::InvalidArgument("SweepSolvedRun takes draws, not a grid");
  const auto t0 = std::chrono::steady_clock::now();
  const ge::Baseline& base = run.loaded.baseline;
  RB_ASSIGN_OR_RETURN(ThetaDistribution dist,
                      ReadThetaDistribution(options.theta_file, base.sectors));
  for (size_t j = 0; j < base.theta.size(); ++j) {
    if (std::fabs(dist.theta[j] - base.theta[j]) > 1e-9 * std::fabs(base.theta[j])) {
      return Status::InvalidArgument(
          fmt::format("{}: theta of '{}' is {}, but the run's baseline uses {}; the draws must be "
                      "centred on the run's theta",
                      options.theta_file, base.sectors[j], dist.theta[j], base.theta[j]));
    }
  }
  // The draws solve without bilateral rows: the point table they are compared
  // with is the run's country and country x sector rows, in the same order.
  RunResult point;
  point.loaded.baseline = base;
  std::vector<size_t> covered;
  for (size_t r = 0; r < run.results.rows.size(); ++r) {
    if (!run.results.rows[r].partner.empty()) continue;
    point.results.rows.push_back(run.results.rows[r]);
    covered.push_back(r);
  }
  SweepOptions opt = options;
  opt.run.bilateral = false;
  opt.bilateral = SweepBilateral::kNone;  // the point table above has no partner rows
  RB_ASSIGN_OR_RETURN(DrawSlice slice, RunDraws(point, run.file, opt, 0, options.draws));
  SweepResult out;
  out.draws_requested = options.draws;
  out.seed = options.seed;
  out.theta_file = options.theta_file;
  for (size_t k = 0; k < slice.ok.size(); ++k) {
    if (!slice.ok[k]) {
      ++out.draws_failed;
      out.failures.push_back(
          fmt::format("draw {}: {}", slice.begin + static_cast<int64_t>(k), slice.failure[k]));
    }
  }
  RB_ASSIGN_OR_RETURN(std::vector<core::Band> bands,
                      SummarizeDraws({slice}, point.results.rows.size()));
  out.bands.assign(run.results.rows.size(), core::Band{});
  for (size_t k = 0; k < covered.size(); ++k) out.bands[covered[k]] = bands[k];
  out.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return out;
}

std::string DefaultThetaSePath(const ScenarioFile& file, const std::string& data_dir) {
  if (file.model != ModelKind::kMultiSector) return "";  // one aggregate sector: no per-sector se
  // world2022 uses world2011's theta (same sectors), so the same standard errors.
  if (file.baseline.kind != BaselineKind::kBuiltin ||
      (file.baseline.builtin != "world2011" && file.baseline.builtin != "world2022"))
    return "";
  if (!file.baseline.theta.empty()) return "";  // the user's own theta: no standard errors known
  const std::string dir = data_dir.empty() ? DefaultDataDir() : data_dir;
  return dir + "/world2011/theta_se.csv";
}

}  // namespace rebalance::scenario
