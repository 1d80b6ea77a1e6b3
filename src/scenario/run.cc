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
#include <fmt/ranges.h>

#include "rebalance/core/version.h"
#include "rebalance/data/csv.h"
#include "rebalance/scenario/baseline_files.h"
#include "rebalance/scenario/sweep.h"

namespace rebalance::scenario {
namespace {

namespace fs = std::filesystem;

// A percent change with two decimals; one that rounds to zero prints as
// "0.00%", never "-0.00%".
std::string Pct(double v) {
  if (std::fabs(v) < 0.005) return "0.00%";
  return fmt::format("{:+.2f}%", v);
}

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

// A path as printed in provenance: its file (or folder) name only.
std::string FileName(const std::string& path) {
  const fs::path p = fs::path(path).lexically_normal();
  return p.has_filename() ? p.filename().string() : p.parent_path().filename().string();
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

NowcastBackcast World2022Backcast(const std::string& data_dir) {
  NowcastBackcast out;
  const std::string dir = data_dir.empty() ? DefaultDataDir() : data_dir;
  const std::string path = (fs::path(dir) / "world2022" / "backcast.csv").string();
  auto text = data::ReadFileToString(path);
  if (!text.ok()) {
    out.reason = fmt::format("its back-casting figures (data/world2022/{}) could not be read",
                             FileName(path));
    return out;
  }
  // recipe,countries,sectors,from_year,to_year,method,cell_wape,z_wape,f_wape,
  // va_balance_wape,... (written by `rebalance data backcast --csv`).
  struct Row {
    std::string countries, sectors, termination;
    double cell = 0, va = 0;
  };
  std::map<std::pair<int, int>, std::map<std::string, Row>> years;  // (from, to) -> method
  std::vector<std::string> header;
  size_t start = 0;
  for (int line = 1; start < text->size(); ++line) {
    size_t end = text->find('\n', start);
    if (end == std::string::npos) end = text->size();
    std::string l = text->substr(start, end - start);
    start = end + 1;
    if (!l.empty() && l.back() == '\r') l.pop_back();
    if (l.empty()) continue;
    std::vector<std::string> f;
    for (size_t a = 0;;) {
      const size_t b = l.find(',', a);
      f.push_back(l.substr(a, b == std::string::npos ? std::string::npos : b - a));
      if (b == std::string::npos) break;
      a = b + 1;
    }
    if (header.empty()) {
      header = f;
      continue;
    }
    auto col = [&](const char* name) -> const std::string* {
      for (size_t i = 0; i < header.size() && i < f.size(); ++i)
        if (header[i] == name) return &f[i];
      return nullptr;
    };
    const std::string *from = col("from_year"), *to = col("to_year"), *method = col("method"),
                      *cell = col("cell_wape"), *va = col("va_balance_wape"),
                      *term = col("gras_termination"), *nc = col("countries"), *ns = col("sectors");
    if (!from || !to || !method || !cell || !va || !term || !nc || !ns) {
      out.reason = fmt::format("{}:{}: a column of `rebalance data backcast --csv` is missing",
                               FileName(path), line);
      return out;
    }
    try {
      Row r{*nc, *ns, *term, std::stod(*cell), std::stod(*va)};
      years[{std::stoi(*from), std::stoi(*to)}][*method] = r;
    } catch (const std::exception&) {
      out.reason = fmt::format("{}:{}: not a number", FileName(path), line);
      return out;
    }
  }
  if (years.empty()) {
    out.reason = FileName(path) + " holds no back-casting rows";
    return out;
  }
  out.found = true;
  out.passes = true;
  std::vector<std::string> parts, fails;
  // Latest starting year first (the shortest horizon).
  for (auto it = years.rbegin(); it != years.rend(); ++it) {
    const auto& [span, m] = *it;
    if (!m.count("gras") || !m.count("scaled") || !m.count("unchanged")) {
      out.passes = false;
      fails.push_back(fmt::format("{} -> {}: a method is missing", span.first, span.second));
      continue;
    }
    const Row &g = m.at("gras"), &sc = m.at("scaled"), &un = m.at("unchanged");
    parts.push_back(fmt::format(
        "WIOD {} -> {} at {} x {}: bilateral value-added balances {:.1f} % off (old table scaled "
        "to world output {:.1f} %, unchanged {:.1f} %), cells {:.1f} %",
        span.first, span.second, g.countries, g.sectors, 100 * g.va, 100 * sc.va, 100 * un.va,
        100 * g.cell));
    if (g.termination != "converged") {
      fails.push_back(fmt::format("{} -> {}: GRAS {}", span.first, span.second, g.termination));
    } else if (!(g.va < sc.va && g.va < un.va)) {
      fails.push_back(fmt::format(
          "{} -> {}: the update's bilateral value-added balances ({:.1f} % off) do not beat both "
          "the scaled ({:.1f} %) and the unchanged ({:.1f} %) old table",
          span.first, span.second, 100 * g.va, 100 * sc.va, 100 * un.va));
    }
  }
  out.passes = out.passes && fails.empty();
  out.summary = fmt::format("{}", fmt::join(parts, "; "));
  if (!out.passes) out.reason = fmt::format("{}", fmt::join(fails, "; "));
  return out;
}

std::string DefaultBriefingPath(const std::string& data_dir, const std::string& world) {
  const std::string dir = data_dir.empty() ? DefaultDataDir() : data_dir;
  std::string w = world;
  if (w.empty()) {
    const bool nowcast = fs::exists(fs::path(dir) / "world2022" / "world2022.csv.gz") &&
                         fs::exists(fs::path(dir) / "world2022" / "briefing.toml") &&
                         World2022Backcast(dir).passes;
    w = nowcast ? "world2022" : "world2011";
  }
  return (fs::path(dir) / w / "briefing.toml").string();
}

namespace {

// The world2022 nowcast (data/world2022, scripts/make_world2022.sh): world2011's
// structure updated with GRAS to 2022 totals; same regions and sectors, so
// world2011's elasticities. Its provenance text (sources, back-casting
// errors) is data/world2022/provenance.txt, written by the script.
Status LoadWorld2022(const std::string& data_dir, std::optional<io_tables::IoTable>* io,
                     std::string* theta_path, LoadedBaseline* out) {
  const fs::path dir = fs::path(data_dir) / "world2022";
  const std::string table_path = (dir / "world2022.csv.gz").string();
  if (!fs::exists(table_path)) {
    return Status::NotFound(
        fmt::format("built-in baseline file '{}' is missing (set REBALANCE_HOME to the rebalance "
                    "folder, or rebuild it with scripts/make_world2022.sh)",
                    table_path));
  }
  RB_ASSIGN_OR_RETURN(io_tables::IoTable t, io_tables::ReadLong(table_path, 2022));
  *io = std::move(t);
  out->input_files.push_back({"input-output table", table_path});
  if (theta_path->empty()) *theta_path = (fs::path(data_dir) / "world2011" / "theta.csv").string();
  std::string text =
      "world2022: NOWCAST, not an observed table: WIOD 2011 (world2011) updated with GRAS "
      "(`rebalance data update`) to ADB MRIO 2022 totals and BACI 2023 goods-trade shares";
  if (auto p = data::ReadFileToString((dir / "provenance.txt").string()); p.ok()) {
    text = *p;
    while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  }
  out->provenance.push_back({"baseline", text});
  // Its trade balances are not targets of the update: the provenance says
  // what they follow from and how far its goods balances are from BACI 2023
  // (data/world2022/balance_check.csv); the terminal repeats it as a note,
  // because the briefing's deficit scenarios start from these balances.
  std::string balances;
  if (const size_t at = text.find("Its trade balances are not targets"); at != std::string::npos) {
    balances = "world2022's " + text.substr(at + 4);
    for (char& c : balances) {
      if (c == '\n') c = ' ';
    }
    while (!balances.empty() && balances.back() == '.') balances.pop_back();  // notes end with '.'
  }
  // Which world, and how good its method was when tested: in the terminal
  // (notes), run.json and the report's provenance.
  const NowcastBackcast bc = World2022Backcast(data_dir);
  out->world =
      "world2022 (NOWCAST for 2022, not an observed table: WIOD 2011 updated with GRAS to ADB "
      "MRIO 2022 totals and BACI 2023 trade shares)";
  std::string test;
  if (!bc.found) {
    test = "no back-casting test found: " + bc.reason;
  } else if (bc.passes) {
    test =
        "its method passes the back-casting test (beats both naive alternatives on bilateral "
        "value-added balances): " +
        bc.summary;
  } else {
    test = "its method FAILS the back-casting test (" + bc.reason + "): " + bc.summary;
  }
  if (bc.found) {
    test +=
        " (the test's targets: final demand by destination and exact goods trade, over 3-6 "
        "years; the nowcast's: final sales by row and BACI trade shares, soft, over 11 years; "
        "docs/io_tables.md)";
  }
  out->provenance.push_back({"world", out->world});
  out->provenance.push_back({"nowcast back-casting errors", test});
  out->notes.push_back(fmt::format(
      "World of the multi-sector part: {}, million USD of 2022; {}. The observed world2011 stays "
      "available: rebalance run --world world2011",
      out->world, test));
  if (!balances.empty()) {
    out->notes.push_back(balances);
  }
  out->provenance.push_back(
      {"trade elasticities",
       "Caliendo & Parro (2015) T.txt via data/world2011/theta_concordance.csv"});
  out->provenance.push_back({"baseline tariffs",
                             "zero: the nowcast has no tariff detail; scenario tariffs are added "
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
        return Status::NotFound(
            fmt::format("unknown built-in baseline '{}'; the built-in baselines are 'world2011' "
                        "and 'world2022'",
                        source.builtin));
      }
      const fs::path dir = fs::path(data_dir) / "world2011";
      const std::string table_path = (dir / "world2011.csv.gz").string();
      if (!fs::exists(table_path)) {
        return Status::NotFound(
            fmt::format("built-in baseline file '{}' is missing (set REBALANCE_HOME to the "
                        "rebalance folder, or rebuild it with scripts/make_world2011.sh)",
                        table_path));
      }
      RB_ASSIGN_OR_RETURN(io_tables::IoTable t, io_tables::ReadLong(table_path, 2011));
      io = std::move(t);
      out.input_files.push_back({"input-output table", table_path});
      if (theta_path.empty()) theta_path = (dir / "theta.csv").string();
      out.provenance.push_back(
          {"baseline",
           "world2011: WIOD 2013 release (Timmer et al. 2015), year 2011, aggregated "
           "by data/world2011/mapping.csv with `rebalance data aggregate`"});
      out.world = "world2011 (WIOD 2013 release)";
      // When the nowcast is there but its test fails, the default briefing
      // stays on world2011; say why.
      if (fs::exists(fs::path(data_dir) / "world2022" / "world2022.csv.gz")) {
        const NowcastBackcast bc = World2022Backcast(data_dir);
        if (!bc.passes) {
          out.notes.push_back(
              "World of the multi-sector part: world2011 (observed, 2011); the world2022 "
              "nowcast is not the default because " +
              (bc.found ? "its method fails the back-casting test: " + bc.reason : bc.reason));
        }
      }
      out.provenance.push_back(
          {"trade elasticities",
           "Caliendo & Parro (2015) T.txt via data/world2011/theta_concordance.csv"});
      out.provenance.push_back({"baseline tariffs",
                                "zero: WIOD flows are at basic prices without tariff detail; "
                                "scenario tariffs are added to a tariff-free baseline"});
      break;
    }
    case BaselineKind::kWiod: {
      RB_ASSIGN_OR_RETURN(io_tables::IoTable t, io_tables::ReadWiod(source.path, source.year));
      io = std::move(t);
      out.provenance.push_back(
          {"baseline", fmt::format("WIOD 2013 release {} ({})", io->year, FileName(source.path))});
      out.input_files.push_back({"input-output table", source.path});
      break;
    }
    case BaselineKind::kIcio: {
      RB_ASSIGN_OR_RETURN(io_tables::IoTable t, io_tables::ReadIcio(source.path, source.year));
      io = std::move(t);
      out.provenance.push_back({"baseline", fmt::format("ICIO table {}", FileName(source.path))});
      out.input_files.push_back({"input-output table", source.path});
      break;
    }
    case BaselineKind::kLong: {
      RB_ASSIGN_OR_RETURN(io_tables::IoTable t, io_tables::ReadLong(source.path, source.year));
      io = std::move(t);
      out.provenance.push_back(
          {"baseline", fmt::format("long-format IO table {}", FileName(source.path))});
      out.input_files.push_back({"input-output table", source.path});
      break;
    }
    case BaselineKind::kCp: {
      RB_ASSIGN_OR_RETURN(raw, ReadCpMatrices(source.path));
      out.provenance.push_back(
          {"baseline",
           fmt::format("Caliendo & Parro (2015) matrices, 1993 ({})", FileName(source.path))});
      break;
    }
    case BaselineKind::kCpTidy: {
      RB_ASSIGN_OR_RETURN(raw, ReadCpTidy(source.path));
      out.provenance.push_back({"baseline", fmt::format("Caliendo & Parro (2015) tidy data ({})",
                                                        FileName(source.path))});
      break;
    }
  }
  if (io.has_value()) {
    if (!source.map.empty()) {
      RB_ASSIGN_OR_RETURN(io_tables::Mapping mapping, io_tables::ReadMapping(source.map));
      RB_ASSIGN_OR_RETURN(io_tables::IoTable agg, io->Aggregate(mapping));
      io = std::move(agg);
      out.provenance.push_back({"aggregation", FileName(source.map)});
      out.input_files.push_back({"aggregation", source.map});
    }
    if (theta_path.empty()) {
      return Status::InvalidArgument(
          "an input-output baseline needs trade elasticities: set [baseline] theta = \"theta.csv\" "
          "(columns sector,theta)");
    }
    std::vector<std::string> sector_labels = io->sectors;
    ge::IoBaselineOptions bo;
    RB_ASSIGN_OR_RETURN(bo.theta, ReadThetaFile(theta_path, sector_labels));
    ge::IoBaselineReport& report = out.io_report;
    RB_ASSIGN_OR_RETURN(raw, ge::BaselineFromIoTable(*io, bo, &report));
    if (report.clipped_negative_cells > 0) {
      out.notes.push_back(fmt::format(
          "{} negative final-demand cells (inventory changes, total {:.6g} {}) were set to zero "
          "to build the model baseline",
          report.clipped_negative_cells, report.clipped_negative_value, raw.currency_unit));
    }
    out.provenance.push_back({"theta", FileName(theta_path)});
    out.input_files.push_back({"theta", theta_path});
    // Standard errors of exactly these theta values, when the file beside
    // them has them (world2011: theta_se.csv, docs/elasticity.md).
    const fs::path se_path = fs::path(theta_path).parent_path() / "theta_se.csv";
    if (source.kind == BaselineKind::kBuiltin && fs::exists(se_path)) {
      auto dist = ReadThetaDistribution(se_path.string(), raw.sectors);
      bool same = dist.ok() && dist->theta.size() == raw.theta.size();
      for (size_t j = 0; same && j < raw.theta.size(); ++j) {
        same = std::fabs(dist->theta[j] - raw.theta[j]) <= 1e-9 * raw.theta[j];
      }
      if (same) out.theta_se = dist->se;
    }
  }
  if (!io.has_value() && !theta_path.empty()) {  // replaces CP's T.txt
    RB_ASSIGN_OR_RETURN(raw.theta, ReadThetaFile(theta_path, raw.sectors));
    out.provenance.push_back({"theta", FileName(theta_path)});
    out.input_files.push_back({"theta", theta_path});
  }
  if (!tariff_path.empty()) {
    RB_RETURN_IF_ERROR(ApplyTariffFile(tariff_path, &raw));
    out.provenance.push_back({"tariffs", FileName(tariff_path)});
    out.input_files.push_back({"tariffs", tariff_path});
  }
  ge::MultisectorSolution& base_solution = out.base_year_solution;
  auto base = ge::SolveBaseYear(raw, options.solver, &base_solution);
  if (!base.ok()) return base.status().WithContext("calibrating the base year");
  out.baseline = std::move(base).value();
  out.provenance.push_back(
      {"base year",
       "solved at the data with no shock (Caliendo & Parro 2015 calibration, step 2): " +
           base_solution.BriefReport()});
  if (source.zero_deficit_baseline) {
    auto zero =
        ge::ZeroDeficitBaseline(out.baseline, options.solver, &out.zero_deficit_solution.emplace());
    if (!zero.ok()) return zero.status().WithContext("solving the zero-deficit baseline");
    out.baseline = std::move(zero).value();
    out.provenance.push_back(
        {"deficits", "set to zero before the scenarios (Caliendo & Parro calibration, step 3)"});
  }
  out.io = std::move(io);
  return out;
}

namespace {

// Money in billions when the baseline unit is millions, else as is.
std::string Money(double v, const std::string& unit) {
  if (std::fabs(v) < 0.5e-9 * (1.0 + std::fabs(v))) v = 0.0;
  if (unit == "million USD") {
    if (std::fabs(v) < 50.0) return "0.0 bn USD";  // rounds to zero: no sign
    return fmt::format("{:+.1f} bn USD", v / 1000.0 + 0.0);
  }
  return fmt::format("{:+.4g} {}", v + 0.0, unit);
}

std::vector<std::string> Headlines(const ScenarioOutcome& s, const ScenarioDef& def,
                                   const ge::Baseline& b) {
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
    welfare.push_back({100.0 * (s.solution.welfare_hat[static_cast<size_t>(n)] - 1.0),
                       b.countries[static_cast<size_t>(n)]});
  }
  if (named.empty()) {
    auto sorted = welfare;
    std::sort(sorted.begin(), sorted.end(),
              [](const auto& x, const auto& y) { return std::fabs(x.first) > std::fabs(y.first); });
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
    out.push_back(
        fmt::format("Largest spillover to a third country: {} welfare {}.", best_c, Pct(best)));
  }
  // Trade balances are set by the closure, never found by the model: say so.
  const ge::DeficitRule rule = def.spec.deficit_rule;
  for (const auto& c : named) {
    const int n = IndexOf(b.countries, c);
    const double before = b.Exports(n) - b.Imports(n);
    const double after = -s.solution.deficit_new[static_cast<size_t>(n)];
    const std::string mb = Money(before, b.currency_unit), ma = Money(after, b.currency_unit);
    bool targeted = false;
    for (const auto& t : def.spec.deficit_targets) targeted = targeted || t.country == c;
    if (rule == ge::DeficitRule::kFixed) {
      out.push_back(fmt::format("{} trade balance: held at {} (assumption).", c, mb));
    } else if (rule == ge::DeficitRule::kZero || targeted) {
      out.push_back(fmt::format(
          "{} trade balance: set to {} from {} in the base year (assumption: the scenario's "
          "target).",
          c, ma, mb));
    } else {
      out.push_back(fmt::format(
          "{} trade balance: {} from {} in the base year (assumption: the targeted countries' "
          "change is spread over the others in proportion to value added).",
          c, ma, mb));
    }
  }
  return out;
}

// The overcapacity headline: Chinese manufacturing (what the talks are about;
// the largest excess when the table has no CHN), measured as output above
// domestic absorption, gross and in China's own value added, with the share of
// the leading sector's output carried by the trade imbalance (GE).
std::vector<std::string> OvercapacityHeadlines(const io_tables::OvercapacityResult& oc,
                                               const std::string& unit) {
  std::vector<std::string> out;
  if (oc.rows.empty()) return out;
  using io_tables::SectorGroup;
  const bool has_chn =
      std::any_of(oc.rows.begin(), oc.rows.end(), [](const auto& r) { return r.country == "CHN"; });
  const std::string subject = has_chn ? "CHN" : oc.rows.front().country;
  const SectorGroup group = oc.rows.front().group;  // manufacturing when the sectors are known
  const std::string what = group == SectorGroup::kManufacturing ? "manufacturing" : "all sectors";
  double total = 0, total_dva = 0, balance = 0;
  const io_tables::OvercapacityRow* lead = nullptr;
  for (const auto& r : oc.rows) {
    if (r.country == subject) balance += r.excess_output;  // all sectors: the trade balance
    if (r.country != subject || r.group != group) continue;
    total += r.excess_output;
    total_dva += r.excess_output_dva;
    if (lead == nullptr || r.excess_output > lead->excess_output) lead = &r;
  }
  if (lead == nullptr) return out;
  std::string carried;
  if (lead->imbalance_share.has_value()) {
    carried = fmt::format(
        "; {:.1f}% of its output is carried by {}'s trade {} (the fall in that output if it "
        "were closed, general equilibrium)",
        100.0 * *lead->imbalance_share + 0.0, subject, balance >= 0 ? "surplus" : "deficit");
  }
  out.push_back(
      fmt::format("Overcapacity, {} {} {}: output above domestic absorption {} (net exports, "
                  "gross; {} in {}'s own value "
                  "added); largest in {}: {} ({:.0f}% of the sector's output){}.",
                  subject, what, oc.last_year, Money(total, unit), Money(total_dva, unit), subject,
                  lead->sector, Money(lead->excess_output, unit),
                  100.0 * lead->net_exports_over_output.value_or(0.0) + 0.0, carried));
  const auto& top = oc.rows.front();
  if (top.country != subject) {
    out.push_back(fmt::format("Largest output above domestic absorption in {} {}: {} {} {}.", what,
                              oc.last_year, top.country, top.sector,
                              Money(top.excess_output, unit)));
  }
  return out;
}

// The (country, sector) cells a scenario subsidises, as indices.
std::vector<std::pair<int, int>> SubsidisedCells(const ge::ShockSpec& spec, const ge::Baseline& b) {
  std::vector<std::pair<int, int>> cells;
  for (const auto& sub : spec.subsidies) {
    auto ns = ge::ResolveCountries(b, sub.country);
    auto js = ge::ResolveSectors(b, sub.sector);
    if (!ns.ok() || !js.ok()) continue;
    for (int n : *ns)
      for (int j : *js)
        if (std::find(cells.begin(), cells.end(), std::make_pair(n, j)) == cells.end())
          cells.push_back({n, j});
  }
  return cells;
}

// What the model holds fixed in a scenario (docs/multisector.md, "Equilibrium
// in changes"): the numeraire, the closure of the trade balance, the factor
// market, and what every reader must know before quoting a number.
Closure BuildClosure(const ScenarioDef& def, const ge::Baseline& b, ModelKind model) {
  Closure c;
  const std::string unit = b.currency_unit;
  c.numeraire = fmt::format(
      "world nominal value added (world GDP) is held at its base-year value; levels are in "
      "base-year {} at the "
      "base year's prices relative to that numeraire",
      unit);
  auto money = [&](double v) { return Money(v, unit); };
  switch (def.spec.deficit_rule) {
    case ge::DeficitRule::kFixed:
      c.held_fixed.push_back(
          "every country's trade balance (exports - imports of goods and services) at its "
          "base-year value in "
          "nominal terms relative to the numeraire: the model cannot say how a balance would "
          "respond");
      break;
    case ge::DeficitRule::kZero:
      c.held_fixed.push_back(
          "every country's trade balance set to zero (assumption: full rebalancing, Dekle, "
          "Eaton and Kortum 2008)");
      break;
    case ge::DeficitRule::kTargets: {
      std::vector<std::string> parts;
      for (const auto& t : def.spec.deficit_targets) {
        const int n = IndexOf(b.countries, t.country);
        std::string what;
        switch (t.unit) {
          case ge::DeficitUnit::kMultiple:
            what = fmt::format(
                "{} times its base-year value{}", t.value,
                n >= 0 ? " (" + money(-b.deficit[static_cast<size_t>(n)]) + ")" : std::string());
            break;
          case ge::DeficitUnit::kShareOfOwnVa:
            what = t.value == 0
                       ? "zero"
                       : fmt::format("{:.4g}% of its base-year GDP (as a deficit)", 100 * t.value);
            break;
          case ge::DeficitUnit::kShareOfWorldVa:
            what = fmt::format("{:.4g}% of base-year world GDP (as a deficit)", 100 * t.value);
            break;
          case ge::DeficitUnit::kBillionUsd:
            what = fmt::format("a deficit of {} bn USD", t.value);
            break;
          case ge::DeficitUnit::kMillionUsd:
            what = fmt::format("a deficit of {} mn USD", t.value);
            break;
          case ge::DeficitUnit::kLevel:
            what = fmt::format("a deficit of {} {}", t.value, unit);
            break;
        }
        if (t.value == 0 && t.unit != ge::DeficitUnit::kMultiple) what = "zero (balanced trade)";
        parts.push_back(fmt::format("{}'s trade balance set to {}", t.country, what));
      }
      c.held_fixed.push_back(fmt::format("{} (assumption)", fmt::join(parts, "; ")));
      c.held_fixed.push_back(
          def.spec.deficit_residual == ge::DeficitResidual::kProportional
              ? "the other countries' trade balances at their base-year values, except that the "
                "targets' total change "
                "is spread over them in proportion to their base-year value added (assumption)"
              : "the other countries' trade balances at their base-year values");
      break;
    }
  }
  if (model == ModelKind::kGravity) {
    c.held_fixed.push_back(
        "one aggregate good per country, no input-output links; labour in each country fixed and "
        "fully employed");
  } else {
    c.held_fixed.push_back(
        "labour in each country: fixed in total, fully employed, mobile across sectors, immobile "
        "across countries");
    c.held_fixed.push_back(
        "technology, input-output coefficients and expenditure shares (Cobb-Douglas), and every "
        "trade cost the scenario does not shock");
  }
  if (def.theta_scaling.empty()) {
    c.held_fixed.push_back(
        "the trade elasticities theta (one per sector, Caliendo and Parro 2015)");
  } else {
    std::vector<std::string> what;
    for (const auto& t : def.theta_scaling) {
      what.push_back(
          fmt::format("{} x {:g}", t.sector == "*" ? "all sectors" : t.sector, t.factor));
    }
    c.held_fixed.push_back(fmt::format(
        "the trade elasticities theta (one per sector, Caliendo and Parro 2015), scaled by this "
        "scenario: {}",
        fmt::join(what, ", ")));
  }
  c.held_fixed.push_back(
      "tariff revenue is returned to the importing country's households and subsidies are paid "
      "from the subsidising country's income, lump sum");
  c.caveats.push_back(
      "comparative statics: a new long-run equilibrium against the base year, with no adjustment "
      "path, unemployment, capital or investment");
  if (def.spec.deficit_rule == ge::DeficitRule::kFixed) {
    if (!def.spec.tariffs.empty() || !def.spec.icebergs.empty()) {
      c.caveats.push_back(
          "trade balances are held fixed, so the scenario cannot reduce (or widen) a deficit: "
          "exports and imports move together");
    }
  } else {
    c.caveats.push_back(
        "a static transfer: the change in a deficit is a change in the income a country spends, "
        "one for one; how it "
        "is brought about (saving, fiscal policy, exchange rates, investment) and the costs of "
        "getting there are not "
        "modelled");
  }
  if (!def.spec.subsidies.empty()) {
    c.caveats.push_back(
        "the output response to a subsidy scales with the subsidised sectors' trade elasticity "
        "theta: a larger theta moves more output for the same price cut (see the headline for the "
        "range across theta's standard errors)");
  }
  return c;
}

// The output change of each subsidised cell, and how much it moves when the
// subsidised sectors' theta is one standard error lower or higher (both
// re-solved), so that the headline carries its dependence on theta.
Status AddSubsidyHeadlines(const ge::ShockSpec& spec, const ge::Baseline& b,
                           const std::vector<double>& theta_se,
                           const ge::MultisectorOptions& solver, ScenarioOutcome* outcome) {
  const auto cells = SubsidisedCells(spec, b);
  if (cells.empty()) return Status::Ok();
  std::vector<int> sectors;
  for (const auto& [n, j] : cells)
    if (std::find(sectors.begin(), sectors.end(), j) == sectors.end()) sectors.push_back(j);
  // Sectors whose theta has a standard error are moved together; a theta
  // without one (e.g. CP's 8.22 where no estimate is used) is not moved.
  const bool known = theta_se.size() == b.sectors.size();  // e.g. not for the one-sector model
  auto se_of = [&](int j) { return known ? theta_se[static_cast<size_t>(j)] : 0.0; };
  bool have_se = false;
  for (int j : sectors) have_se = have_se || se_of(j) > 0;
  auto change = [&](const ge::MultisectorSolution& sol, int n, int j) {
    const double y0 = b.GrossOutput(n, j);
    return y0 > 0 ? 100.0 * (sol.Y_new[b.CS(n, j)] / y0 - 1.0) : 0.0;
  };
  std::vector<ge::MultisectorSolution> bounds;
  if (have_se) {
    for (double sign : {-1.0, 1.0}) {
      ge::Baseline bt = b;
      for (int j : sectors) bt.theta[static_cast<size_t>(j)] += sign * se_of(j);
      auto sol = ge::SolveMultisectorOrError(bt, outcome->shocks, solver);
      if (!sol.ok())
        return sol.status().WithContext(
            fmt::format("scenario '{}' at theta {} 1 SE", outcome->name, sign < 0 ? "-" : "+"));
      bounds.push_back(std::move(sol).value());
    }
  }
  std::vector<std::string> ranges;
  for (size_t k = 0; k < cells.size() && k < 4; ++k) {
    const auto [n, j] = cells[k];
    const double th = b.theta[static_cast<size_t>(j)];
    std::string line =
        fmt::format("{} {} gross output {} (theta = {:.2f}", b.countries[static_cast<size_t>(n)],
                    b.sectors[static_cast<size_t>(j)], Pct(change(outcome->solution, n, j)), th);
    if (have_se && se_of(j) > 0) {
      const double se = se_of(j);
      const std::string range =
          fmt::format("{} at theta - 1 SE ({:.2f}), {} at theta + 1 SE ({:.2f})",
                      Pct(change(bounds[0], n, j)), th - se, Pct(change(bounds[1], n, j)), th + se);
      line += "; " + range;
      ranges.push_back(fmt::format(
          "{} {}: {} at theta = {:.2f}, {}", b.countries[static_cast<size_t>(n)],
          b.sectors[static_cast<size_t>(j)], Pct(change(outcome->solution, n, j)), th, range));
    } else {
      line +=
          !known
              ? "; no standard errors are known for this baseline's theta: the change scales with "
                "theta"
              : "; this theta has no standard error (theta_se.csv: not an estimate), so no range "
                "is "
                "given: the change scales with theta";
    }
    outcome->headlines.push_back(line + ").");
  }
  if (!ranges.empty() && !outcome->closure.caveats.empty()) {
    outcome->closure.caveats.back() = fmt::format(
        "the output response to a subsidy scales with the subsidised sectors' trade elasticity "
        "theta (re-solved with "
        "the subsidised sectors' theta one standard error lower and higher): {}",
        fmt::join(ranges, "; "));
  }
  return Status::Ok();
}

}  // namespace

Result<RunResult> RunScenarios(const ScenarioFile& file, const RunOptions& run_options) {
  // The file's [solver] settings override the caller's solver options.
  RunOptions options = run_options;
  options.solver = SolverWithFile(file, run_options.solver);
  RB_RETURN_IF_ERROR(options.Validate());
  if (file.model == ModelKind::kTariffWar) {
    return Status::InvalidArgument(
        fmt::format("{}: [model] type = \"tariff_war\" runs with RunTariffWarScenarios "
                    "(scenario/tariff_war_run.h)",
                    file.path));
  }
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
        {"model", fmt::format("one-sector gravity (all sectors aggregated, no input-output links, "
                              "theta = sigma - 1 = {})",
                              file.sigma - 1.0)});
  } else {
    result.loaded.provenance.push_back(
        {"model", "multi-sector Caliendo & Parro (2015) with input-output links"});
  }
  RB_RETURN_IF_ERROR(CheckLabels(file, baseline));
  for (auto& note : SynonymNotes(file, baseline)) result.loaded.notes.push_back(std::move(note));

  // Diagnosis of the IO table.
  if (result.loaded.io.has_value() && file.model == ModelKind::kMultiSector) {
    progress("diagnose", "value added in trade", 0, 1);
    Diagnosis diag;
    const io_tables::IoTable& io = *result.loaded.io;
    RB_ASSIGN_OR_RETURN(io_tables::LeontiefSystem sys, io_tables::BuildLeontief(io));
    RB_ASSIGN_OR_RETURN(io_tables::TivaResult tiva, io_tables::ComputeTiva(sys));
    diag.balances = io_tables::BilateralBalances(sys, tiva);
    // Share of output carried by each country's trade imbalance: the fraction
    // of sector output that falls, (y0 - y1) / y0, when that country's balance
    // is set to zero (others' deficits absorb it in proportion to value added).
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
        progress("diagnose",
                 "imbalance-carried output " + baseline.countries[static_cast<size_t>(n)], done++,
                 N);
        if (cancelled()) return kCancelled;
        if (std::fabs(baseline.deficit[static_cast<size_t>(n)]) < 1e-9 * world_va) continue;
        ge::ShockSpec spec;
        spec.name = "balance " + baseline.countries[static_cast<size_t>(n)];
        spec.deficit_rule = ge::DeficitRule::kTargets;
        spec.deficit_residual = ge::DeficitResidual::kProportional;
        spec.deficit_targets.push_back(ge::DeficitTarget{baseline.countries[static_cast<size_t>(n)],
                                                         ge::DeficitUnit::kLevel, 0.0});
        RB_ASSIGN_OR_RETURN(ge::ShockSet shocks, ge::ResolveShocks(baseline, spec));
        auto sol = ge::SolveMultisectorOrError(baseline, shocks, options.solver);
        if (!sol.ok()) return sol.status().WithContext("imbalance-carried output of " + spec.name);
        std::vector<double> fall(static_cast<size_t>(baseline.num_sectors()));
        for (int j = 0; j < baseline.num_sectors(); ++j) {
          const double y0 = baseline.GrossOutput(n, j);
          const double y1 = sol->Y_new[baseline.CS(n, j)];
          fall[static_cast<size_t>(j)] = y0 > 0 ? (y0 - y1) / y0 : NAN;
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
        if (j < 0 || !std::isfinite(it->second[static_cast<size_t>(j)])) return std::nullopt;
        return it->second[static_cast<size_t>(j)];
      };
    }
    RB_ASSIGN_OR_RETURN(diag.overcapacity, io_tables::ComputeOvercapacity({&io}, oo));
    // Headlines for the focus pairs with China and the USA.
    for (const auto& bal : diag.balances) {
      if (bal.reporter == "CHN" && bal.partner == "USA") {
        diag.headlines.push_back(
            fmt::format("CHN–USA {}: gross balance {}, value-added balance {}.", io.year,
                        Money(bal.gross_balance, baseline.currency_unit),
                        Money(bal.va_balance, baseline.currency_unit)));
      }
    }
    if (auto h = OvercapacityHeadlines(diag.overcapacity, baseline.currency_unit); !h.empty()) {
      diag.headlines.insert(diag.headlines.end(), h.begin(), h.end());
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
    // A scenario with theta shocks solves on its own copy of the baseline
    // (theta scaled; the base year's data unchanged).
    std::optional<ge::Baseline> scaled;
    if (!def.theta_scaling.empty()) {
      RB_ASSIGN_OR_RETURN(scaled, ScaleTheta(baseline, def.theta_scaling));
    }
    const ge::Baseline& sb = scaled.has_value() ? *scaled : baseline;
    RB_ASSIGN_OR_RETURN(ge::ShockSpec spec, BuildShockSpec(def, sb));
    auto shocks = ge::ResolveShocks(sb, spec);
    if (!shocks.ok())
      return shocks.status().WithContext(fmt::format("{}: scenario '{}'", file.path, def.name));
    outcome.shocks = std::move(shocks).value();
    auto sol = ge::SolveMultisectorOrError(sb, outcome.shocks, options.solver);
    if (!sol.ok()) return sol.status().WithContext(fmt::format("scenario '{}'", def.name));
    outcome.solution = std::move(sol).value();
    ge::MultisectorReportOptions ro;
    ro.bilateral = options.bilateral;
    outcome.tidy = ge::TidyMultisector(sb, outcome.shocks, outcome.solution, ro);
    for (auto& row : outcome.tidy.rows) row.scenario = def.name;
    outcome.headlines = Headlines(outcome, def, sb);
    outcome.closure = BuildClosure(def, sb, file.model);
    if (!spec.subsidies.empty()) {
      // Standard errors scale with theta: theta_j * c has standard error se_j * c.
      std::vector<double> se = result.loaded.theta_se;
      for (size_t j = 0; j < se.size() && j < sb.theta.size(); ++j) {
        se[j] *= sb.theta[j] / baseline.theta[j];
      }
      RB_RETURN_IF_ERROR(AddSubsidyHeadlines(spec, sb, se, options.solver, &outcome));
    }
    result.results.Append(outcome.tidy);
    result.scenarios.push_back(std::move(outcome));
    progress("solve", def.name, ++done, total);
  }
  result.loaded.baseline = baseline;
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return result;
}

void KeepBilateralRowsOfNamedCountries(RunResult* run) {
  ge::TidyTable all;
  for (auto& outcome : run->scenarios) {
    std::vector<std::string> named;
    for (const auto& def : run->file.scenarios) {
      if (def.name != outcome.name) continue;
      for (const auto& ref : def.labels) {
        if (!ref.is_sector && ref.key.rfind("scenario[", 0) == 0) named.push_back(ref.label);
      }
    }
    if (!named.empty()) {
      auto is_named = [&](const std::string& c) {
        return std::find(named.begin(), named.end(), c) != named.end();
      };
      std::vector<ge::TidyRow> kept;
      for (auto& row : outcome.tidy.rows) {
        if (row.partner.empty() || is_named(row.country) || is_named(row.partner))
          kept.push_back(std::move(row));
      }
      outcome.tidy.rows = std::move(kept);
    }
    all.Append(outcome.tidy);
  }
  run->results = std::move(all);
}

Result<RunResult> RunScenarioFile(const std::string& path, const RunOptions& options) {
  RB_ASSIGN_OR_RETURN(ScenarioFile file, ParseScenarioFile(path));
  return RunScenarios(file, options);
}

}  // namespace rebalance::scenario
