// Scenario runner: baseline loading and calibration, diagnosis (gross vs
// value-added balances, overcapacity with the imbalance-carried share of
// output), and one multi-sector solve per scenario. See run.h.
#include "rebalance/scenario/run.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <optional>

#include <fmt/format.h>

#include "rebalance/core/version.h"
#include "rebalance/data/csv.h"

namespace rebalance::scenario {
namespace {

namespace fs = std::filesystem;

std::string Pct(double v) { return fmt::format("{:+.2f}%", v); }

// Index of a country label, or -1.
int IndexOf(const std::vector<std::string>& labels, const std::string& label) {
  for (size_t i = 0; i < labels.size(); ++i)
    if (labels[i] == label) return static_cast<int>(i);
  return -1;
}

// Aggregates a baseline to one sector with no input-output links: the
// one-sector structural gravity model (Anderson-van Wincoop; theta = sigma-1).
Result<ge::Baseline> OneSector(const ge::Baseline& b, double sigma) {
  const int N = b.num_countries();
  ge::Baseline g;
  g.countries = b.countries;
  g.sectors = {"All goods"};
  g.currency_unit = b.currency_unit;
  g.flow.assign(static_cast<size_t>(N) * N, 0.0);
  g.tariff.assign(static_cast<size_t>(N) * N, 0.0);
  for (int j = 0; j < b.num_sectors(); ++j)
    for (int n = 0; n < N; ++n)
      for (int i = 0; i < N; ++i) g.flow[g.FlowIndex(0, n, i)] += b.flow[b.FlowIndex(j, n, i)];
  g.va_share.assign(static_cast<size_t>(N), 1.0);
  g.io_share.assign(static_cast<size_t>(N), 0.0);
  g.alpha.assign(static_cast<size_t>(N), 1.0);
  g.theta = {sigma - 1.0};
  g.tradable = {true};
  g.deficit.assign(static_cast<size_t>(N), 0.0);
  for (int n = 0; n < N; ++n) g.deficit[static_cast<size_t>(n)] = g.Imports(n) - g.Exports(n);
  RB_RETURN_IF_ERROR(g.ValidateStructure());
  return g;
}

}  // namespace

Status RunOptions::Validate() const { return solver.Validate(); }

std::string DefaultDataDir() {
  if (const char* home = std::getenv("REBALANCE_HOME"); home != nullptr && *home != '\0') {
    return (fs::path(home) / "data").string();
  }
#ifdef REBALANCE_SOURCE_DIR
  return (fs::path(REBALANCE_SOURCE_DIR) / "data").string();
#else
  return "data";
#endif
}

std::string DefaultBriefingPath(const std::string& data_dir) {
  const std::string dir = data_dir.empty() ? DefaultDataDir() : data_dir;
  return (fs::path(dir) / "world2011" / "briefing.toml").string();
}

namespace {

// The world2022 nowcast (data/world2022, scripts/make_world2022.sh): world2011's
// structure updated with GRAS to 2022 totals; same regions and sectors, so
// world2011's elasticities. Its provenance text (sources, back-casting
// errors) is data/world2022/provenance.txt, written by the script.
Status LoadWorld2022(const std::string& data_dir, std::optional<io_tables::IoTable>* io, std::string* theta_path,
                     LoadedBaseline* out) {
  const fs::path dir = fs::path(data_dir) / "world2022";
  const std::string table_path = (dir / "world2022.csv.gz").string();
  if (!fs::exists(table_path)) {
    return Status::NotFound(fmt::format("built-in baseline file '{}' is missing (set REBALANCE_HOME to the rebalance "
                                        "folder, or rebuild it with scripts/make_world2022.sh)",
                                        table_path));
  }
  RB_ASSIGN_OR_RETURN(io_tables::IoTable t, io_tables::ReadLong(table_path, 2022));
  *io = std::move(t);
  if (theta_path->empty()) *theta_path = (fs::path(data_dir) / "world2011" / "theta.csv").string();
  std::string text = "world2022: NOWCAST, not an observed table: WIOD 2011 (world2011) updated with GRAS "
                     "(`rebalance data update`) to ADB MRIO 2022 totals and BACI 2023 goods-trade shares";
  if (auto p = data::ReadFileToString((dir / "provenance.txt").string()); p.ok()) {
    text = *p;
    while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  }
  out->provenance.push_back({"baseline", text});
  out->provenance.push_back({"trade elasticities", "Caliendo & Parro (2015) T.txt via data/world2011/theta_concordance.csv"});
  out->provenance.push_back({"baseline tariffs", "zero: the nowcast has no tariff detail; scenario tariffs are added "
                                                 "to a tariff-free baseline"});
  return Status::Ok();
}

}  // namespace

Result<LoadedBaseline> LoadBaseline(const BaselineSource& source, const RunOptions& options) {
  LoadedBaseline out;
  const std::string data_dir = options.data_dir.empty() ? DefaultDataDir() : options.data_dir;
  std::optional<io_tables::IoTable> io;
  std::string theta_path = source.theta;
  std::string tariff_path = source.tariffs;
  ge::Baseline raw;
  switch (source.kind) {
    case BaselineKind::kBuiltin: {
      if (source.builtin == "world2022") {
        RB_RETURN_IF_ERROR(LoadWorld2022(data_dir, &io, &theta_path, &out));
        break;
      }
      if (source.builtin != "world2011") {
        return Status::NotFound(fmt::format(
            "unknown built-in baseline '{}'; the built-in baselines are 'world2011' and 'world2022'", source.builtin));
      }
      const fs::path dir = fs::path(data_dir) / "world2011";
      const std::string table_path = (dir / "world2011.csv.gz").string();
      if (!fs::exists(table_path)) {
        return Status::NotFound(fmt::format("built-in baseline file '{}' is missing (set REBALANCE_HOME to the "
                                            "rebalance folder, or rebuild it with scripts/make_world2011.sh)",
                                            table_path));
      }
      RB_ASSIGN_OR_RETURN(io_tables::IoTable t, io_tables::ReadLong(table_path, 2011));
      io = std::move(t);
      if (theta_path.empty()) theta_path = (dir / "theta.csv").string();
      out.provenance.push_back({"baseline", "world2011: WIOD 2013 release (Timmer et al. 2015), year 2011, aggregated "
                                            "by data/world2011/mapping.csv with `rebalance data aggregate`"});
      out.provenance.push_back({"trade elasticities", "Caliendo & Parro (2015) T.txt via data/world2011/theta_concordance.csv"});
      out.provenance.push_back({"baseline tariffs", "zero: WIOD flows are at basic prices without tariff detail; "
                                                    "scenario tariffs are added to a tariff-free baseline"});
      break;
    }
    case BaselineKind::kWiod: {
      RB_ASSIGN_OR_RETURN(io_tables::IoTable t, io_tables::ReadWiod(source.path, source.year));
      io = std::move(t);
      out.provenance.push_back({"baseline", fmt::format("WIOD 2013 release {} ({})", io->year, source.path)});
      break;
    }
    case BaselineKind::kIcio: {
      RB_ASSIGN_OR_RETURN(io_tables::IoTable t, io_tables::ReadIcio(source.path, source.year));
      io = std::move(t);
      out.provenance.push_back({"baseline", fmt::format("ICIO table {}", source.path)});
      break;
    }
    case BaselineKind::kLong: {
      RB_ASSIGN_OR_RETURN(io_tables::IoTable t, io_tables::ReadLong(source.path, source.year));
      io = std::move(t);
      out.provenance.push_back({"baseline", fmt::format("long-format IO table {}", source.path)});
      break;
    }
    case BaselineKind::kCp: {
      RB_ASSIGN_OR_RETURN(raw, ge::ReadCpMatrices(source.path));
      out.provenance.push_back({"baseline", fmt::format("Caliendo & Parro (2015) matrices, 1993 ({})", source.path)});
      break;
    }
    case BaselineKind::kCpTidy: {
      RB_ASSIGN_OR_RETURN(raw, ge::ReadCpTidy(source.path));
      out.provenance.push_back({"baseline", fmt::format("Caliendo & Parro (2015) tidy data ({})", source.path)});
      break;
    }
  }
  if (io.has_value()) {
    if (!source.map.empty()) {
      RB_ASSIGN_OR_RETURN(io_tables::Mapping mapping, io_tables::ReadMapping(source.map));
      RB_ASSIGN_OR_RETURN(io_tables::IoTable agg, io->Aggregate(mapping));
      io = std::move(agg);
      out.provenance.push_back({"aggregation", source.map});
    }
    if (theta_path.empty()) {
      return Status::InvalidArgument(
          "an input-output baseline needs trade elasticities: set [baseline] theta = \"theta.csv\" (columns sector,theta)");
    }
    std::vector<std::string> sector_labels = io->sectors;
    ge::IoBaselineOptions bo;
    RB_ASSIGN_OR_RETURN(bo.theta, ge::ReadThetaFile(theta_path, sector_labels));
    ge::IoBaselineReport report;
    RB_ASSIGN_OR_RETURN(raw, ge::BaselineFromIoTable(*io, bo, &report));
    if (report.clipped_negative_cells > 0) {
      out.notes.push_back(fmt::format("{} negative final-demand cells (inventory changes, total {:.6g}) were set to zero "
                                      "to build the model baseline",
                                      report.clipped_negative_cells, report.clipped_negative_value));
    }
    out.provenance.push_back({"theta", theta_path});
  }
  if (!tariff_path.empty()) {
    RB_RETURN_IF_ERROR(ge::ApplyTariffFile(tariff_path, &raw));
    out.provenance.push_back({"tariffs", tariff_path});
  }
  ge::MultisectorSolution base_solution;
  auto base = ge::SolveBaseYear(raw, options.solver, &base_solution);
  if (!base.ok()) return base.status().WithContext("calibrating the base year");
  out.baseline = std::move(base).value();
  out.provenance.push_back({"base year", "solved at the data with no shock (Caliendo & Parro 2015 calibration, step 2): " +
                                             base_solution.BriefReport()});
  if (source.zero_deficit_baseline) {
    auto zero = ge::ZeroDeficitBaseline(out.baseline, options.solver);
    if (!zero.ok()) return zero.status().WithContext("solving the zero-deficit baseline");
    out.baseline = std::move(zero).value();
    out.provenance.push_back({"deficits", "set to zero before the scenarios (Caliendo & Parro calibration, step 3)"});
  }
  out.io = std::move(io);
  return out;
}

namespace {

// Money in billions when the baseline unit is millions, else as is.
std::string Money(double v, const std::string& unit) {
  if (std::fabs(v) < 0.5e-9 * (1.0 + std::fabs(v))) v = 0.0;
  if (unit == "million USD") return fmt::format("{:+.1f} bn USD", v / 1000.0 + 0.0);
  return fmt::format("{:+.4g} {}", v + 0.0, unit);
}

std::vector<std::string> Headlines(const ScenarioOutcome& s, const ScenarioDef& def, const ge::Baseline& b) {
  std::vector<std::string> out;
  // The countries the scenario's shocks name (importers, exporters, subsidising
  // and rebalancing countries); with none (global shocks) the three largest
  // welfare changes.
  std::vector<std::string> named;
  for (const auto& ref : def.labels) {
    if (ref.is_sector || ref.key.rfind("scenario[", 0) != 0) continue;
    if (IndexOf(b.countries, ref.label) < 0) continue;
    if (std::find(named.begin(), named.end(), ref.label) == named.end()) named.push_back(ref.label);
  }
  std::vector<std::pair<double, std::string>> welfare;
  for (int n = 0; n < b.num_countries(); ++n) {
    welfare.push_back({100.0 * (s.solution.welfare_hat[static_cast<size_t>(n)] - 1.0), b.countries[static_cast<size_t>(n)]});
  }
  if (named.empty()) {
    auto sorted = welfare;
    std::sort(sorted.begin(), sorted.end(), [](const auto& x, const auto& y) { return std::fabs(x.first) > std::fabs(y.first); });
    for (size_t k = 0; k < sorted.size() && k < 3; ++k) named.push_back(sorted[k].second);
  }
  std::string parts;
  for (const auto& c : named) {
    const int n = IndexOf(b.countries, c);
    const double w = 100.0 * (s.solution.welfare_hat[static_cast<size_t>(n)] - 1.0);
    const double rw = 100.0 * (s.solution.real_wage_hat[static_cast<size_t>(n)] - 1.0);
    if (!parts.empty()) parts += "; ";
    parts += fmt::format("{} welfare {} (real wage {})", c, Pct(w), Pct(rw));
  }
  out.push_back(fmt::format("{}: {}.", s.name, parts));
  double best = 0;
  std::string best_c;
  for (const auto& [w, c] : welfare) {
    if (std::find(named.begin(), named.end(), c) != named.end()) continue;
    if (std::fabs(w) > std::fabs(best)) {
      best = w;
      best_c = c;
    }
  }
  if (!best_c.empty()) {
    out.push_back(fmt::format("Largest spillover to a third country: {} welfare {}.", best_c, Pct(best)));
  }
  for (const auto& c : named) {
    const int n = IndexOf(b.countries, c);
    const double before = b.Exports(n) - b.Imports(n);
    const double after = -s.solution.deficit_new[static_cast<size_t>(n)];
    out.push_back(fmt::format("{} trade balance: {} before, {} after.", c, Money(before, b.currency_unit),
                              Money(after, b.currency_unit)));
  }
  return out;
}

}  // namespace

Result<RunResult> RunScenarios(const ScenarioFile& file, const RunOptions& options) {
  RB_RETURN_IF_ERROR(options.Validate());
  const auto t0 = std::chrono::steady_clock::now();
  RunResult result;
  result.file = file;
  auto progress = [&](const std::string& stage, const std::string& item, int done, int total) {
    if (options.progress) options.progress(stage, item, done, total);
  };
  auto cancelled = [&] { return options.cancelled && options.cancelled(); };
  const Status kCancelled = Status::Cancelled("interrupted; no results were written");
  progress("load", "baseline", 0, 1);
  RB_ASSIGN_OR_RETURN(result.loaded, LoadBaseline(file.baseline, options));
  progress("load", "baseline", 1, 1);
  if (cancelled()) return kCancelled;
  ge::Baseline baseline = result.loaded.baseline;
  if (file.model == ModelKind::kGravity) {
    RB_ASSIGN_OR_RETURN(baseline, OneSector(baseline, file.sigma));
    result.loaded.provenance.push_back(
        {"model", fmt::format("one-sector gravity (all sectors aggregated, no input-output links, theta = sigma - 1 = {})",
                              file.sigma - 1.0)});
  } else {
    result.loaded.provenance.push_back({"model", "multi-sector Caliendo & Parro (2015) with input-output links"});
  }
  RB_RETURN_IF_ERROR(CheckLabels(file, baseline));

  // Diagnosis of the IO table.
  if (result.loaded.io.has_value() && file.model == ModelKind::kMultiSector) {
    progress("diagnose", "value added in trade", 0, 1);
    Diagnosis diag;
    const io_tables::IoTable& io = *result.loaded.io;
    RB_ASSIGN_OR_RETURN(io_tables::LeontiefSystem sys, io_tables::BuildLeontief(io));
    RB_ASSIGN_OR_RETURN(io_tables::TivaResult tiva, io_tables::ComputeTiva(sys));
    diag.balances = io_tables::BilateralBalances(sys, tiva);
    // Share of output carried by each country's trade imbalance: % fall of
    // sector output when that country's balance is set to zero.
    std::map<std::string, std::vector<double>> carried;  // country -> by sector
    if (options.imbalance_shares) {
      const int N = baseline.num_countries();
      const double world_va = [&] {
        double s = 0;
        for (int n = 0; n < N; ++n) s += baseline.ValueAdded(n);
        return s;
      }();
      int done = 0;
      for (int n = 0; n < N; ++n) {
        progress("diagnose", "imbalance-carried output " + baseline.countries[static_cast<size_t>(n)], done++, N);
        if (cancelled()) return kCancelled;
        if (std::fabs(baseline.deficit[static_cast<size_t>(n)]) < 1e-9 * world_va) continue;
        ge::ShockSpec spec;
        spec.name = "balance " + baseline.countries[static_cast<size_t>(n)];
        spec.deficit_rule = ge::DeficitRule::kTargets;
        spec.deficit_residual = ge::DeficitResidual::kProportional;
        spec.deficit_targets.push_back(ge::DeficitTarget{baseline.countries[static_cast<size_t>(n)],
                                                         ge::DeficitUnit::kLevel, 0.0});
        RB_ASSIGN_OR_RETURN(ge::ShockSet shocks, ge::ResolveShocks(baseline, spec));
        auto sol = ge::SolveOrError(baseline, shocks, options.solver);
        if (!sol.ok()) return sol.status().WithContext("imbalance-carried output of " + spec.name);
        std::vector<double> fall(static_cast<size_t>(baseline.num_sectors()));
        for (int j = 0; j < baseline.num_sectors(); ++j) {
          const double y0 = baseline.GrossOutput(n, j);
          const double y1 = sol->Y_new[baseline.CS(n, j)];
          fall[static_cast<size_t>(j)] = y0 > 0 ? 100.0 * (y0 - y1) / y0 : 0.0;
        }
        carried[baseline.countries[static_cast<size_t>(n)]] = std::move(fall);
      }
    }
    io_tables::OvercapacityOptions oo;
    if (options.imbalance_shares) {
      const ge::Baseline* bp = &baseline;
      oo.imbalance_share = [&carried, bp](const std::string& country, const std::string& sector,
                                          int) -> std::optional<double> {
        auto it = carried.find(country);
        if (it == carried.end()) return 0.0;  // balanced: nothing carried
        const int j = IndexOf(bp->sectors, sector);
        if (j < 0) return std::nullopt;
        return it->second[static_cast<size_t>(j)];
      };
    }
    RB_ASSIGN_OR_RETURN(diag.overcapacity, io_tables::ComputeOvercapacity({&io}, oo));
    // Headlines for the focus pairs with China and the USA.
    for (const auto& bal : diag.balances) {
      if (bal.reporter == "CHN" && bal.partner == "USA") {
        diag.headlines.push_back(fmt::format("CHN–USA {}: gross balance {}, value-added balance {}.", io.year,
                                             Money(bal.gross_balance, baseline.currency_unit),
                                             Money(bal.va_balance, baseline.currency_unit)));
      }
    }
    if (!diag.overcapacity.rows.empty()) {
      const auto& top = diag.overcapacity.rows.front();
      diag.headlines.push_back(fmt::format(
          "Most flagged for overcapacity: {} {} (self-sufficiency {:.2f}, {:.0f}% of output exported{}).", top.country,
          top.sector, top.self_sufficiency.value_or(0.0), 100.0 * top.export_share.value_or(0.0),
          top.imbalance_output_share.has_value()
              ? fmt::format(", {:.1f}% of output carried by the trade imbalance", *top.imbalance_output_share)
              : std::string()));
    }
    result.diagnosis = std::move(diag);
    progress("diagnose", "value added in trade", 1, 1);
  }

  // Scenarios.
  const int total = static_cast<int>(file.scenarios.size());
  int done = 0;
  for (const auto& def : file.scenarios) {
    progress("solve", def.name, done, total);
    if (cancelled()) return kCancelled;
    ScenarioOutcome outcome;
    outcome.name = def.name;
    outcome.description = def.description;
    RB_ASSIGN_OR_RETURN(ge::ShockSpec spec, BuildShockSpec(def, baseline));
    auto shocks = ge::ResolveShocks(baseline, spec);
    if (!shocks.ok()) return shocks.status().WithContext(fmt::format("{}: scenario '{}'", file.path, def.name));
    outcome.shocks = std::move(shocks).value();
    auto sol = ge::SolveOrError(baseline, outcome.shocks, options.solver);
    if (!sol.ok()) return sol.status().WithContext(fmt::format("scenario '{}'", def.name));
    outcome.solution = std::move(sol).value();
    ge::MultisectorReportOptions ro;
    ro.bilateral = options.bilateral;
    outcome.tidy = ge::CompareMultisector(baseline, outcome.shocks, outcome.solution, ro);
    for (auto& row : outcome.tidy.rows) row.scenario = def.name;
    outcome.headlines = Headlines(outcome, def, baseline);
    result.results.Append(outcome.tidy);
    result.scenarios.push_back(std::move(outcome));
    progress("solve", def.name, ++done, total);
  }
  result.loaded.baseline = baseline;
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return result;
}

Result<RunResult> RunScenarioFile(const std::string& path, const RunOptions& options) {
  RB_ASSIGN_OR_RETURN(ScenarioFile file, ParseScenarioFile(path));
  return RunScenarios(file, options);
}

}  // namespace rebalance::scenario
