// The briefing report and the outputs of `rebalance run`: see briefing.h.
#include "rebalance/report/briefing.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <map>
#include <set>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "rebalance/core/atomic_file.h"
#include "rebalance/core/version.h"
#include "rebalance/report/charts.h"

namespace rebalance::report {
namespace {

namespace fs = std::filesystem;

NumberFormat Fixed(int decimals, bool sign = false, std::string suffix = "") {
  NumberFormat f;
  f.decimals = decimals;
  f.show_sign = sign;
  f.suffix = std::move(suffix);
  return f;
}

ReportCell Num(double v) { return std::isfinite(v) ? ReportCell::Number(v) : ReportCell::Empty(); }
ReportCell Opt(const std::optional<double>& v) { return v.has_value() ? Num(*v) : ReportCell::Empty(); }

bool IsFocusPair(const std::vector<std::string>& focus, const std::string& a, const std::string& b) {
  auto in = [&](const std::string& c) { return std::find(focus.begin(), focus.end(), c) != focus.end(); };
  return in(a) && in(b);
}

ReportSection ImbalanceSection(const scenario::RunResult& run) {
  ReportSection sec;
  sec.title = "Imbalances";
  const ge::Baseline& b = run.loaded.baseline;
  if (run.diagnosis.has_value()) {
    for (const auto& h : run.diagnosis->headlines)
      if (h.find("balance") != std::string::npos) sec.headlines.push_back(h);
  }
  ReportTable bal;
  bal.caption = "Trade balances of the base year (goods and services, producer prices)";
  bal.columns = {ReportColumn::TextColumn("Region"),
                 ReportColumn::NumberColumn("Exports", Fixed(0), b.currency_unit),
                 ReportColumn::NumberColumn("Imports", Fixed(0), b.currency_unit),
                 ReportColumn::NumberColumn("Balance", Fixed(0, true), "exports - imports, " + b.currency_unit),
                 ReportColumn::NumberColumn("Balance, % of GDP", Fixed(2, true, "%"), "balance / value added")};
  for (int n = 0; n < b.num_countries(); ++n) {
    const double e = b.Exports(n), m = b.Imports(n), va = b.ValueAdded(n);
    bal.rows.push_back({ReportCell::Text(b.countries[static_cast<size_t>(n)]), Num(e), Num(m), Num(e - m),
                        Num(va > 0 ? 100.0 * (e - m) / va : NAN)});
  }
  bal.note = "A surplus is a positive balance. The balances sum to zero across regions.";
  sec.AddTable(std::move(bal));
  if (!run.diagnosis.has_value()) {
    sec.AddParagraph("This baseline has no input-output table, so value-added balances are not computed.");
    return sec;
  }
  const auto& focus = run.file.focus_countries;
  std::vector<BilateralBalance> pairs;
  ReportTable t;
  t.caption = "Bilateral balances in gross and in value-added terms";
  t.columns = {ReportColumn::TextColumn("Reporter"), ReportColumn::TextColumn("Partner"),
               ReportColumn::NumberColumn("Gross exports", Fixed(0)), ReportColumn::NumberColumn("Gross imports", Fixed(0)),
               ReportColumn::NumberColumn("Gross balance", Fixed(0, true)),
               ReportColumn::NumberColumn("Value-added exports", Fixed(0)),
               ReportColumn::NumberColumn("Value-added imports", Fixed(0)),
               ReportColumn::NumberColumn("Value-added balance", Fixed(0, true))};
  for (const auto& p : run.diagnosis->balances) {
    static const std::vector<std::string> kMain = {"USA", "CHN", "EU", "DEU", "JPN"};
    const bool main_reporter = std::find(kMain.begin(), kMain.end(), p.reporter) != kMain.end();
    const bool focus_pair = focus.empty() ? main_reporter : (main_reporter && IsFocusPair(focus, p.reporter, p.partner));
    if (!focus_pair) continue;
    if (p.reporter == "CHN" || p.reporter == "USA" || p.reporter == "DEU" || p.reporter == "JPN") {
      if (p.reporter < p.partner || !(p.partner == "CHN" || p.partner == "USA" || p.partner == "DEU" || p.partner == "JPN"))
        pairs.push_back(BilateralBalance{p.reporter, p.partner, p.gross_balance, p.va_balance});
    }
    t.rows.push_back({ReportCell::Text(p.reporter), ReportCell::Text(p.partner), Num(p.gross_exports),
                      Num(p.gross_imports), Num(p.gross_balance), Num(p.va_exports), Num(p.va_imports),
                      Num(p.va_balance)});
  }
  t.note = "Value-added exports of s to r are the value added of s absorbed by final demand in r "
           "(Johnson & Noguera 2012), computed with the Leontief inverse of the input-output table.";
  std::sort(pairs.begin(), pairs.end(), [](const auto& a, const auto& b) {
    return std::fabs(a.gross) > std::fabs(b.gross);
  });
  if (pairs.size() > 16) pairs.resize(16);
  if (!pairs.empty()) {
    BalanceChartOptions o;
    o.value_title = "Bilateral balance (" + b.currency_unit + ")";
    auto spec = BalanceChartSpec(pairs, o);
    if (spec.ok()) {
      sec.AddChart(ReportChart{"Gross vs value-added bilateral balances",
                               "The largest bilateral balances of the main economies, gross and in value added.", *spec});
    }
  }
  sec.AddTable(std::move(t));
  return sec;
}

ReportSection OvercapacitySection(const scenario::RunResult& run) {
  ReportSection sec;
  sec.title = "Overcapacity";
  const auto& oc = run.diagnosis->overcapacity;
  std::vector<RankedItem> items;
  ReportTable t;
  t.caption = "Overcapacity indicators, ranked (country x sector)";
  t.columns = {ReportColumn::NumberColumn("Rank", Fixed(0)), ReportColumn::TextColumn("Country"),
               ReportColumn::TextColumn("Sector"), ReportColumn::NumberColumn("Output", Fixed(0)),
               ReportColumn::NumberColumn("Self-sufficiency", Fixed(2), "output / domestic absorption"),
               ReportColumn::NumberColumn("Exported share", Fixed(1, false, "%"), "share of output exported"),
               ReportColumn::NumberColumn("World export share", Fixed(1, false, "%")),
               ReportColumn::NumberColumn("Net exports / output", Fixed(1, true, "%")),
               ReportColumn::NumberColumn("Output carried by the imbalance", Fixed(1, true, "%"),
                                          "% fall of the sector's output when the country's trade balance is set to zero "
                                          "(multi-sector GE)"),
               ReportColumn::TextColumn("Flags")};
  int shown = 0;
  for (const auto& r : oc.rows) {
    if (shown >= 40) break;
    ++shown;
    auto pct = [](const std::optional<double>& v) { return v.has_value() ? std::optional<double>(100.0 * *v) : std::nullopt; };
    std::string flags;
    for (const auto& f : r.flags) flags += (flags.empty() ? "" : ", ") + f;
    t.rows.push_back({Num(r.rank), ReportCell::Text(r.country), ReportCell::Text(r.sector), Num(r.output),
                      Opt(r.self_sufficiency), Opt(pct(r.export_share)), Opt(pct(r.world_export_share)),
                      Opt(pct(r.net_exports_over_output)), Opt(r.imbalance_output_share), ReportCell::Text(flags)});
    if (r.net_exports_over_output.has_value() && items.size() < 20) {
      items.push_back(RankedItem{r.country + " - " + r.sector, 100.0 * *r.net_exports_over_output, r.country});
    }
  }
  t.note = "Flags: self-sufficiency, export share, net exports and a rising self-sufficiency above documented thresholds "
           "(docs/io_tables.md). Output carried by the imbalance: the fall of the sector's output when its country's "
           "trade balance goes to zero, other countries' deficits absorbing the change in proportion to value added.";
  if (!items.empty()) {
    RankingChartOptions o;
    o.value_title = "Net exports / output (%)";
    auto spec = RankingChartSpec(items, o);
    if (spec.ok()) {
      sec.AddChart(ReportChart{"Overcapacity ranking", "Net exports as a share of output, for the most flagged country-sectors.",
                               *spec});
    }
  }
  int flagged = 0;
  for (const auto& r : oc.rows) flagged += r.flags.empty() ? 0 : 1;
  sec.headlines.push_back(fmt::format("{} of {} country-sectors carry at least one overcapacity flag.", flagged,
                                      oc.rows.size()));
  sec.AddTable(std::move(t));
  return sec;
}

// One row per region: the main country-level results of one scenario.
ReportTable RegionTable(const ge::TidyTable& results, const std::string& scenario, const ge::Baseline& b) {
  ReportTable t;
  t.caption = "Results by region";
  t.columns = {ReportColumn::TextColumn("Region"),
               ReportColumn::NumberColumn("Welfare", Fixed(3, true, "%"), "real income, % change"),
               ReportColumn::NumberColumn("Real wage", Fixed(3, true, "%")),
               ReportColumn::NumberColumn("Consumer prices", Fixed(3, true, "%")),
               ReportColumn::NumberColumn("Exports", Fixed(2, true, "%")),
               ReportColumn::NumberColumn("Imports", Fixed(2, true, "%")),
               ReportColumn::NumberColumn("Trade balance, base", Fixed(0, true), b.currency_unit),
               ReportColumn::NumberColumn("Trade balance, scenario", Fixed(0, true), b.currency_unit),
               ReportColumn::NumberColumn("Tariff revenue, scenario", Fixed(0), b.currency_unit),
               ReportColumn::NumberColumn("Subsidy cost, scenario", Fixed(0), b.currency_unit)};
  std::map<std::string, std::map<std::string, const ge::TidyRow*>> by;
  for (const auto& r : results.rows) {
    if (r.scenario != scenario || !r.partner.empty() || !r.sector.empty()) continue;
    by[r.country][r.variable] = &r;
  }
  auto pct = [&](const std::string& c, const char* v) {
    auto it = by[c].find(v);
    return it == by[c].end() ? ReportCell::Empty() : Num(it->second->pct_change);
  };
  auto level = [&](const std::string& c, const char* v, bool cf) {
    auto it = by[c].find(v);
    return it == by[c].end() ? ReportCell::Empty() : Num(cf ? it->second->counterfactual : it->second->baseline);
  };
  for (const auto& c : b.countries) {
    t.rows.push_back({ReportCell::Text(c), pct(c, "welfare"), pct(c, "real_wage"), pct(c, "consumer_price_index"),
                      pct(c, "exports"), pct(c, "imports"), level(c, "trade_balance", false),
                      level(c, "trade_balance", true), level(c, "tariff_revenue", true), level(c, "subsidy_cost", true)});
  }
  t.note = "All variables of every region, sector and partner are in results.csv (docs/multisector.md).";
  return t;
}

}  // namespace

BandTable BandsFromSweep(const scenario::SweepResult& sweep) {
  BandTable bt;
  bt.quantity = "pct_change";
  for (size_t r = 0; r < sweep.bands.size(); ++r) {
    const auto& b = sweep.bands[r];
    if (b.draws == 0) continue;
    bt.by_row[r] = Band{b.mean, b.sd, b.p05, b.p50, b.p95};
  }
  return bt;
}

Result<ReportDocument> BuildBriefingReport(const scenario::RunResult& run, const scenario::SweepResult* sweep) {
  ReportDocument doc;
  doc.title = run.file.title;
  const ge::Baseline& b = run.loaded.baseline;
  doc.subtitle = fmt::format("{} regions x {} sectors, {} scenario{}", b.num_countries(), b.num_sectors(),
                             run.scenarios.size(), run.scenarios.size() == 1 ? "" : "s");
  for (const auto& [k, v] : run.loaded.provenance) doc.provenance.push_back(ProvenanceItem{k, v, ""});
  doc.provenance.push_back(ProvenanceItem{"WIOD citation",
                                          "Timmer, M. P., Dietzenbacher, E., Los, B., Stehrer, R. and de Vries, G. J. (2015), "
                                          "An Illustrated User Guide to the World Input-Output Database: the Case of Global "
                                          "Automotive Production, Review of International Economics 23: 575-605.",
                                          ""});
  doc.provenance.push_back(ProvenanceItem{"model citation",
                                          "Caliendo, L. and Parro, F. (2015), Estimates of the Trade and Welfare Effects of "
                                          "NAFTA, Review of Economic Studies 82(1): 1-44.",
                                          ""});
  doc.provenance.push_back(ProvenanceItem{"scenario file", run.file.path, ""});
  doc.provenance.push_back(ProvenanceItem{"rebalance version", REBALANCE_VERSION, ""});
  for (const auto& note : run.loaded.notes) doc.provenance.push_back(ProvenanceItem{"note", note, ""});
  if (sweep != nullptr && sweep->draws_requested > 0) {
    doc.provenance.push_back(ProvenanceItem{
        "uncertainty", fmt::format("{} draws of the trade elasticities, {} failed; bars show 5-95 percentiles",
                                   sweep->draws_requested, sweep->draws_failed),
        ""});
  }

  // Summary.
  ReportSection summary;
  summary.title = "Summary";
  if (run.diagnosis.has_value()) {
    for (const auto& h : run.diagnosis->headlines) summary.headlines.push_back(h);
  }
  for (const auto& s : run.scenarios) {
    if (!s.headlines.empty()) summary.headlines.push_back(s.headlines.front());
  }
  summary.AddParagraph(
      "Each scenario is solved in general equilibrium with the multi-sector model of Caliendo and Parro (2015): "
      "sectors linked by input-output shares, tariff revenue rebated to the importer's households, trade deficits "
      "set as the scenario says, and world GDP as the numeraire. Welfare is real income; changes are in percent of "
      "the base year.");
  doc.sections.push_back(std::move(summary));

  doc.sections.push_back(ImbalanceSection(run));
  if (run.diagnosis.has_value()) doc.sections.push_back(OvercapacitySection(run));

  // Scenarios overview.
  ReportSection overview;
  overview.title = "Scenarios: welfare by region";
  BandTable bands;
  if (sweep != nullptr && !sweep->bands.empty()) bands = BandsFromSweep(*sweep);
  {
    WelfareChartOptions o;
    o.variable = "welfare";
    o.value_title = "Welfare change (%)";
    o.country_order = b.countries;
    auto spec = WelfareChartSpec(run.results, bands.empty() ? nullptr : &bands, o);
    if (!spec.ok()) return spec.status().WithContext("welfare chart");
    overview.AddChart(ReportChart{"Welfare by region and scenario",
                                  bands.empty() ? "Percent change in real income."
                                                : "Percent change in real income; bars are 5-95 percentile bands over "
                                                  "draws of the trade elasticities.",
                                  *spec});
  }
  doc.sections.push_back(std::move(overview));

  for (const auto& s : run.scenarios) {
    ReportSection sec;
    sec.title = "Scenario: " + s.name;
    sec.headlines = s.headlines;
    if (!s.description.empty()) sec.AddParagraph(s.description);
    sec.AddParagraph("Solver: " + s.solution.BriefReport() + ".");
    HeatmapOptions h;
    h.scenario = s.name;
    h.variable = "gross_output";
    h.value_title = "Gross output change (%)";
    h.country_order = b.countries;
    h.sector_order = b.sectors;
    auto spec = SectoralHeatmapSpec(run.results, h);
    if (!spec.ok()) return spec.status().WithContext("heatmap of " + s.name);
    sec.AddChart(ReportChart{"Sectoral output changes", "Percent change in gross output by region and sector.", *spec});
    sec.AddTable(RegionTable(run.results, s.name, b));
    doc.sections.push_back(std::move(sec));
  }

  ReportSection method;
  method.title = "Data and method";
  method.AddParagraph(
      "Imbalances and value added in trade come from the world input-output table: the Leontief system is solved by LU "
      "factorisation and value added by origin is traced to the final demand that absorbs it. Overcapacity indicators "
      "compare each country-sector's output with its domestic absorption and its world market shares.");
  method.AddParagraph(
      "Counterfactuals use exact hat algebra (Dekle, Eaton and Kortum 2008; Caliendo and Parro 2015). The base year is "
      "first solved at the data with no shock so that every market clears; scenario results are changes from that "
      "base year. All tidy results, with units and variable names, are in results.csv and results.json beside this "
      "report (docs/multisector.md documents the variables).");
  doc.sections.push_back(std::move(method));
  RB_RETURN_IF_ERROR(doc.Validate());
  return doc;
}

std::vector<std::string> RunOutputFiles(const scenario::RunResult& run, const OutputOptions& options) {
  std::vector<std::string> files = {"results.csv", "results.json", "run.json"};
  if (run.diagnosis.has_value()) {
    files.push_back("balances.csv");
    files.push_back("overcapacity.csv");
  }
  if (options.html) files.push_back("report.html");
  return files;
}

Status CheckRunOutputs(const OutputOptions& options, bool with_diagnosis) {
  std::vector<std::string> files = {"results.csv", "results.json", "run.json"};
  if (with_diagnosis) {
    files.push_back("balances.csv");
    files.push_back("overcapacity.csv");
  }
  if (options.html) files.push_back("report.html");
  RB_RETURN_IF_ERROR(core::CheckOutputFiles(options.out_dir, files, options.force));
  if (options.html) {
    // Fail early when the report's JavaScript is missing.
    RB_RETURN_IF_ERROR(ResolveWebAssetsDir(options.html_options).status());
  }
  return Status::Ok();
}

namespace {

std::string Csv(const std::string& s) { return CsvField(s); }

std::string D(double v) { return std::isfinite(v) ? RoundTripDouble(v) : std::string(); }

}  // namespace

Status WriteRunOutputs(const scenario::RunResult& run, const scenario::SweepResult* sweep,
                       const OutputOptions& options) {
  RB_RETURN_IF_ERROR(core::EnsureDirectory(options.out_dir));
  auto path = [&](const char* f) { return (fs::path(options.out_dir) / f).string(); };
  BandTable bands;
  if (sweep != nullptr && !sweep->bands.empty()) bands = BandsFromSweep(*sweep);
  const BandTable* bp = bands.empty() ? nullptr : &bands;
  RB_RETURN_IF_ERROR(ValidateTidyForOutput(run.results, bp));
  // Render the report first so a failure there leaves no partial set of files.
  std::string html;
  if (options.html) {
    RB_ASSIGN_OR_RETURN(ReportDocument doc, BuildBriefingReport(run, sweep));
    RB_ASSIGN_OR_RETURN(html, RenderHtml(doc, options.html_options));
  }
  RB_RETURN_IF_ERROR(WriteTidyCsv(run.results, path("results.csv"), options.force, bp));
  RB_RETURN_IF_ERROR(WriteTidyJson(run.results, path("results.json"), options.force, bp));
  if (run.diagnosis.has_value()) {
    std::string csv =
        "reporter,partner,gross_exports,gross_imports,gross_balance,va_exports,va_imports,va_balance\n";
    for (const auto& p : run.diagnosis->balances) {
      csv += fmt::format("{},{},{},{},{},{},{},{}\n", Csv(p.reporter), Csv(p.partner), D(p.gross_exports),
                         D(p.gross_imports), D(p.gross_balance), D(p.va_exports), D(p.va_imports), D(p.va_balance));
    }
    RB_RETURN_IF_ERROR(core::WriteFileAtomic(path("balances.csv"), csv, options.force));
    std::string oc =
        "rank,country,sector,year,output,exports,imports,absorption,self_sufficiency,export_share,world_export_share,"
        "world_output_share,net_exports_over_output,imbalance_output_share,flags\n";
    auto o = [](const std::optional<double>& v) { return v.has_value() ? D(*v) : std::string(); };
    for (const auto& r : run.diagnosis->overcapacity.rows) {
      std::string flags;
      for (const auto& f : r.flags) flags += (flags.empty() ? "" : ";") + f;
      oc += fmt::format("{},{},{},{},{},{},{},{},{},{},{},{},{},{},{}\n", r.rank, Csv(r.country), Csv(r.sector), r.year,
                        D(r.output), D(r.exports), D(r.imports), D(r.absorption), o(r.self_sufficiency),
                        o(r.export_share), o(r.world_export_share), o(r.world_output_share),
                        o(r.net_exports_over_output), o(r.imbalance_output_share), Csv(flags));
    }
    RB_RETURN_IF_ERROR(core::WriteFileAtomic(path("overcapacity.csv"), oc, options.force));
  }
  nlohmann::ordered_json meta;
  meta["rebalance_version"] = REBALANCE_VERSION;
  meta["title"] = run.file.title;
  meta["scenario_file"] = run.file.path;
  meta["seconds"] = run.seconds;
  for (const auto& [k, v] : run.loaded.provenance) meta["provenance"][k] = v;
  meta["notes"] = run.loaded.notes;
  if (run.diagnosis.has_value()) meta["diagnosis_headlines"] = run.diagnosis->headlines;
  for (const auto& s : run.scenarios) {
    nlohmann::ordered_json j;
    j["name"] = s.name;
    j["description"] = s.description;
    j["converged"] = s.solution.converged();
    j["iterations"] = s.solution.iterations;
    j["residual"] = s.solution.residual;
    j["seconds"] = s.solution.seconds;
    j["headlines"] = s.headlines;
    meta["scenarios"].push_back(j);
  }
  if (sweep != nullptr) {
    meta["sweep"]["draws"] = sweep->draws_requested;
    meta["sweep"]["failed_draws"] = sweep->draws_failed;
    meta["sweep"]["failures"] = sweep->failures;
  }
  RB_RETURN_IF_ERROR(core::WriteFileAtomic(path("run.json"), meta.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n", options.force));
  if (options.html) RB_RETURN_IF_ERROR(core::WriteFileAtomic(path("report.html"), html, options.force));
  return Status::Ok();
}

}  // namespace rebalance::report
