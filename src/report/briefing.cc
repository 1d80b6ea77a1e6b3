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
#include "rebalance/core/sha256.h"
#include "rebalance/core/version.h"
#include "rebalance/report/charts.h"
#include "rebalance/report/explorer.h"
#include "rebalance/report/tariff_war_outputs.h"

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
ReportCell Opt(const std::optional<double>& v) {
  return v.has_value() ? Num(*v) : ReportCell::Empty();
}

bool IsFocusPair(const std::vector<std::string>& focus, const std::string& a,
                 const std::string& b) {
  auto in = [&](const std::string& c) {
    return std::find(focus.begin(), focus.end(), c) != focus.end();
  };
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
  bal.columns = {
      ReportColumn::TextColumn("Region"),
      ReportColumn::NumberColumn("Exports", Fixed(0), "", b.currency_unit),
      ReportColumn::NumberColumn("Imports", Fixed(0), "", b.currency_unit),
      ReportColumn::NumberColumn("Balance", Fixed(0, true), "exports - imports", b.currency_unit),
      ReportColumn::NumberColumn("Balance", Fixed(2, true, "%"), "balance / value added",
                                 "% of GDP")};
  for (int n = 0; n < b.num_countries(); ++n) {
    const double e = b.Exports(n), m = b.Imports(n), va = b.ValueAdded(n);
    bal.rows.push_back({ReportCell::Text(b.countries[static_cast<size_t>(n)]), Num(e), Num(m),
                        Num(e - m), Num(va > 0 ? 100.0 * (e - m) / va : NAN)});
  }
  bal.note = "A surplus is a positive balance. The balances sum to zero across regions.";
  sec.AddTable(std::move(bal));
  if (!run.diagnosis.has_value()) {
    sec.AddParagraph(
        "This baseline has no input-output table, so value-added balances are not computed.");
    return sec;
  }
  const auto& focus = run.file.focus_countries;
  std::vector<BilateralBalance> pairs;
  ReportTable t;
  const std::string& cu = b.currency_unit;
  t.caption = "Bilateral balances in gross and in value-added terms";
  t.columns = {ReportColumn::TextColumn("Reporter"),
               ReportColumn::TextColumn("Partner"),
               ReportColumn::NumberColumn("Gross exports", Fixed(0), "", cu),
               ReportColumn::NumberColumn("Gross imports", Fixed(0), "", cu),
               ReportColumn::NumberColumn("Gross balance", Fixed(0, true), "", cu),
               ReportColumn::NumberColumn("Value-added exports", Fixed(0), "", cu),
               ReportColumn::NumberColumn("Value-added imports", Fixed(0), "", cu),
               ReportColumn::NumberColumn("Value-added balance", Fixed(0, true), "", cu)};
  for (const auto& p : run.diagnosis->balances) {
    static const std::vector<std::string> kMain = {"USA", "CHN", "EU24", "DEU", "JPN"};
    const bool main_reporter = std::find(kMain.begin(), kMain.end(), p.reporter) != kMain.end();
    const bool focus_pair = focus.empty()
                                ? main_reporter
                                : (main_reporter && IsFocusPair(focus, p.reporter, p.partner));
    if (!focus_pair) continue;
    if (p.reporter == "CHN" || p.reporter == "USA" || p.reporter == "DEU" || p.reporter == "JPN") {
      if (p.reporter < p.partner ||
          !(p.partner == "CHN" || p.partner == "USA" || p.partner == "DEU" || p.partner == "JPN"))
        pairs.push_back(BilateralBalance{p.reporter, p.partner, p.gross_balance, p.va_balance});
    }
    t.rows.push_back({ReportCell::Text(p.reporter), ReportCell::Text(p.partner),
                      Num(p.gross_exports), Num(p.gross_imports), Num(p.gross_balance),
                      Num(p.va_exports), Num(p.va_imports), Num(p.va_balance)});
  }
  t.note =
      "Value-added exports of s to r are the value added of s absorbed by final demand in r "
      "(Johnson & Noguera 2012), computed with the Leontief inverse of the input-output table.";
  std::sort(pairs.begin(), pairs.end(),
            [](const auto& a, const auto& b) { return std::fabs(a.gross) > std::fabs(b.gross); });
  if (pairs.size() > 16) pairs.resize(16);
  if (!pairs.empty()) {
    BalanceChartOptions o;
    o.value_title = "Bilateral balance (" + b.currency_unit + ")";
    auto spec = BalanceChartSpec(pairs, o);
    if (spec.ok()) {
      sec.AddChart(ReportChart{
          "Gross vs value-added bilateral balances",
          "The largest bilateral balances of the main economies, gross and in value added.",
          *spec});
    }
  }
  sec.AddTable(std::move(t));
  return sec;
}

ReportSection OvercapacitySection(const scenario::RunResult& run) {
  using io_tables::SectorGroup;
  ReportSection sec;
  sec.title = "Overcapacity";
  const auto& oc = run.diagnosis->overcapacity;
  const std::string unit = oc.money_unit;
  for (const auto& h : run.diagnosis->headlines)
    if (h.find("above domestic absorption") != std::string::npos) sec.headlines.push_back(h);
  sec.AddParagraph(
      "Overcapacity here is output above domestic absorption: a sector's net exports (exports "
      "minus imports of its "
      "products), in " +
      unit +
      ", gross and in the country's own value added (the domestic value added embodied in a "
      "unit of the sector's output, from the Leontief inverse). Rows are ranked by that excess "
      "in " +
      unit +
      ", not by ratios that a small sector can top. Manufacturing is ranked on its own: that is "
      "where the capacity "
      "discussed in trade talks is built. Agriculture and mining trade on endowments, and "
      "utilities, construction and "
      "services are reported separately (entrepot shipping makes transport services look like "
      "surplus capacity). "
      "Negative inventory cells are set to zero first, as in the model baseline, so every share "
      "lies between 0 and "
      "100%. Definitions and sources: docs/io_tables.md.");
  auto pct = [](const std::optional<double>& v) {
    return v.has_value() ? std::optional<double>(100.0 * *v) : std::nullopt;
  };
  auto make_table = [&](const std::string& caption) {
    ReportTable t;
    t.caption = caption;
    t.columns = {
        ReportColumn::NumberColumn("Rank", Fixed(0), "", "rank"),
        ReportColumn::TextColumn("Country"),
        ReportColumn::TextColumn("Sector"),
        ReportColumn::NumberColumn("Output", Fixed(0), "", unit),
        ReportColumn::NumberColumn(
            "Excess output", Fixed(0, true),
            "output above domestic absorption: net exports (exports - imports), gross", unit),
        ReportColumn::NumberColumn("Excess in VA", Fixed(0, true),
                                   "the excess output in the country's own value added", unit),
        ReportColumn::NumberColumn("Net exports", Fixed(1, true, "%"), "", "% of output"),
        ReportColumn::NumberColumn("Exported", Fixed(1, false, "%"), "", "% of output"),
        ReportColumn::NumberColumn("World output", Fixed(1, false, "%"), "", "% share"),
        ReportColumn::NumberColumn("World absorption", Fixed(1, false, "%"), "", "% share"),
        ReportColumn::NumberColumn(
            "Carried by imbalance", Fixed(1, true, "%"),
            "fall of the sector's output when its country's trade balance is set to "
            "zero (multi-sector GE)",
            "% of output"),
        ReportColumn::TextColumn("Flags")};
    return t;
  };
  auto add_row = [&](ReportTable& t, const io_tables::OvercapacityRow& r) {
    std::string flags;  // "self sufficiency", not "self_sufficiency": the cell can wrap
    for (auto f : r.flags) {
      std::replace(f.begin(), f.end(), '_', ' ');
      flags += (flags.empty() ? "" : ", ") + f;
    }
    t.rows.push_back({Num(r.rank), ReportCell::Text(r.country), ReportCell::Text(r.sector),
                      Num(r.output), Num(r.excess_output), Num(r.excess_output_dva),
                      Opt(pct(r.net_exports_over_output)), Opt(pct(r.export_share)),
                      Opt(pct(r.world_output_share)), Opt(pct(r.world_absorption_share)),
                      Opt(pct(r.imbalance_share)), ReportCell::Text(flags)});
  };
  const SectorGroup main_group =
      oc.rows.empty() ? SectorGroup::kManufacturing : oc.rows.front().group;
  ReportTable ranked = make_table(fmt::format(
      "{}: the largest outputs above domestic absorption, {}",
      main_group == SectorGroup::kManufacturing ? "Manufacturing" : "All sectors", oc.last_year));
  ReportTable other =
      make_table(fmt::format("Resources and services, reported separately, {}", oc.last_year));
  std::vector<RankedItem> items;
  for (const auto& r : oc.rows) {
    if (r.group == main_group) {
      if (r.rank > 30) continue;
      add_row(ranked, r);
      if (items.size() < 20)
        items.push_back(RankedItem{r.country + " - " + r.sector, r.excess_output, r.country});
    } else if (r.rank <= 5) {
      add_row(other, r);
    }
  }
  const std::string note =
      "Flags (informative, thresholds in docs/io_tables.md): self_sufficiency (output / absorption "
      ">= 1.25), "
      "export_share (>= 50% exported with positive net exports), net_exports (>= 20% of output), "
      "rising. "
      "Output carried by the trade imbalance: the fall of the sector's output when its country's "
      "trade balance goes "
      "to zero, other countries' deficits absorbing the change in proportion to value added. All "
      "rows, with shares "
      "as fractions, are in overcapacity.csv.";
  ranked.note = note;
  other.note =
      "Ranked within each group by the same measure: agriculture and mining (resources) trade on "
      "land and "
      "deposits, utilities, construction and services are mostly sold where they are made.";
  if (!items.empty()) {
    RankingChartOptions o;
    o.value_title = "Output above domestic absorption (" + unit + ")";
    auto spec = RankingChartSpec(items, o);
    if (spec.ok()) {
      sec.AddChart(ReportChart{
          "Overcapacity ranking",
          "Net exports (output above domestic absorption), " + unit + ", the 20 largest.", *spec});
    }
  }
  int flagged = 0;
  for (const auto& r : oc.rows) flagged += r.flags.empty() ? 0 : 1;
  sec.headlines.push_back(fmt::format(
      "{} of {} country-sectors carry at least one overcapacity flag.", flagged, oc.rows.size()));
  sec.AddTable(std::move(ranked));
  if (!other.rows.empty()) sec.AddTable(std::move(other));
  return sec;
}

// Money as the report prints it: billions of USD when the baseline counts in
// millions (WIOD), else the baseline's own unit.
struct MoneyUnit {
  double scale = 1.0;
  std::string label;
};
MoneyUnit Money(const ge::Baseline& b) {
  if (b.currency_unit == "million USD") return {1e-3, "bn USD"};
  return {1.0, b.currency_unit};
}

// Tidy rows by (scenario, country, partner, sector, variable).
class RowIndex {
 public:
  explicit RowIndex(const ge::TidyTable& t) : table_(t) {
    for (size_t i = 0; i < t.rows.size(); ++i) {
      const auto& r = t.rows[i];
      index_[Key(r.scenario, r.country, r.partner, r.sector, r.variable)] = i;
    }
  }
  const ge::TidyRow* Find(const std::string& sc, const std::string& c, const std::string& p,
                          const std::string& s, const std::string& v, size_t* row = nullptr) const {
    auto it = index_.find(Key(sc, c, p, s, v));
    if (it == index_.end()) return nullptr;
    if (row != nullptr) *row = it->second;
    return &table_.rows[it->second];
  }

 private:
  static std::string Key(const std::string& sc, const std::string& c, const std::string& p,
                         const std::string& s, const std::string& v) {
    return sc + '\x1f' + c + '\x1f' + p + '\x1f' + s + '\x1f' + v;
  }
  const ge::TidyTable& table_;
  std::map<std::string, size_t> index_;
};

// A percent-change cell with its band when the draws cover the row.
ReportCell PctCell(const RowIndex& idx, const BandTable& bands, const std::string& sc,
                   const std::string& c, const std::string& p, const std::string& s,
                   const std::string& v) {
  size_t row = 0;
  const ge::TidyRow* r = idx.Find(sc, c, p, s, v, &row);
  if (r == nullptr || !std::isfinite(r->pct_change)) return ReportCell::Empty();
  auto it = bands.by_row.find(row);
  if (it != bands.by_row.end())
    return ReportCell::NumberWithBand(r->pct_change, it->second.p05, it->second.p95);
  return ReportCell::Number(r->pct_change);
}

// One sentence of what the band is, for captions and notes.
std::string BandSentence(const scenario::SweepResult* sweep) {
  if (sweep == nullptr || sweep->draws_requested == 0) {
    return "No theta bands: no theta standard errors for this baseline, or draws turned off "
           "(--draws 0).";
  }
  return fmt::format(
      "Small grey ranges under a number: 5th to 95th percentile of that number over {} draws of "
      "the trade elasticities "
      "theta_j ~ N(theta_j, se_j), truncated at 0 (seed {}, {} failed draws); they show the "
      "dependence on theta only, "
      "not on data or model choice.",
      sweep->draws_requested - sweep->draws_failed, sweep->seed, sweep->draws_failed);
}

// The closure of a scenario in words. Fields the runner left empty are
// filled with what the multi-sector model always holds.
scenario::Closure ClosureOrModelDefault(const scenario::ScenarioOutcome& s, const ge::Baseline& b) {
  scenario::Closure c = s.closure;
  if (c.numeraire.empty())
    c.numeraire = "world nominal value added (GDP) is held at its base-year value";
  if (c.held_fixed.empty()) {
    c.held_fixed.push_back("labour in each country (full employment; no migration)");
    bool deficits_moved = false;
    for (size_t n = 0; n < b.deficit.size() && n < s.shocks.deficit_new.size(); ++n) {
      deficits_moved = deficits_moved || std::fabs(s.shocks.deficit_new[n] - b.deficit[n]) >
                                             1e-9 * (1.0 + std::fabs(b.deficit[n]));
    }
    c.held_fixed.push_back(
        deficits_moved ? "trade balances set by the scenario (the targets in its description)"
                       : "each country's trade balance at its base-year value (an assumption, "
                         "not a result)");
  }
  return c;
}

ReportBox ClosureBox(const scenario::ScenarioOutcome& s, const ge::Baseline& b) {
  const scenario::Closure c = ClosureOrModelDefault(s, b);
  ReportBox box;
  box.kind = "closure";
  box.title = "Closure: what this scenario holds fixed";
  box.items.push_back({"Numeraire", c.numeraire});
  std::string held;
  for (const auto& h : c.held_fixed) held += (held.empty() ? "" : "; ") + h;
  box.items.push_back({"Held fixed", held});
  if (!c.caveats.empty()) {
    std::string cav;
    for (const auto& h : c.caveats) cav += (cav.empty() ? "" : " ") + h;
    box.items.push_back({"Caveats", cav});
  }
  return box;
}

// The trade flows a scenario's trade-policy shocks target: pairs (exporter ->
// importer) with the sectors whose tariff or trade cost changed.
struct TargetedPair {
  int exporter = 0, importer = 0;
  std::vector<int> sectors;
};
std::vector<TargetedPair> TargetedPairs(const scenario::ScenarioOutcome& s, const ge::Baseline& b) {
  std::vector<TargetedPair> out;
  const int N = b.num_countries(), J = b.num_sectors();
  for (int n = 0; n < N; ++n) {
    for (int i = 0; i < N; ++i) {
      if (i == n) continue;
      TargetedPair p{i, n, {}};
      for (int j = 0; j < J; ++j) {
        const size_t f = b.FlowIndex(j, n, i);
        const bool tariff = f < s.shocks.tariff_new.size() && f < b.tariff.size() &&
                            s.shocks.tariff_new[f] != b.tariff[f];
        const bool cost = f < s.shocks.d_hat.size() && s.shocks.d_hat[f] != 1.0;
        if (tariff || cost) p.sectors.push_back(j);
      }
      if (!p.sectors.empty()) out.push_back(std::move(p));
    }
  }
  return out;
}

// Exports of a targeted pair, in total and by targeted sector: headlines and
// a table. Flows come from the solution (producer prices, net of tariffs).
void BilateralHeadline(const scenario::ScenarioOutcome& s, const ge::Baseline& b,
                       const RowIndex& idx, const BandTable& bands,
                       std::vector<std::string>* headlines, ReportSection* sec) {
  const std::vector<TargetedPair> pairs = TargetedPairs(s, b);
  if (pairs.empty() || s.solution.flow_new.size() != b.flow.size()) return;
  const MoneyUnit mu = Money(b);
  ReportTable t;
  t.caption = "Exports of the targeted pairs (producer prices, net of tariffs)";
  t.columns = {ReportColumn::TextColumn("Exporter"),
               ReportColumn::TextColumn("Importer"),
               ReportColumn::TextColumn("Sector"),
               ReportColumn::NumberColumn("Base year", Fixed(1), "", mu.label),
               ReportColumn::NumberColumn("Scenario", Fixed(1), "", mu.label),
               ReportColumn::NumberColumn("Change", Fixed(1, true), "", mu.label),
               ReportColumn::NumberColumn("Change", Fixed(1, true, "%"), "", "%")};
  for (const TargetedPair& p : pairs) {
    const std::string& ex = b.countries[static_cast<size_t>(p.exporter)];
    const std::string& im = b.countries[static_cast<size_t>(p.importer)];
    double t0 = 0, t1 = 0;
    for (int j = 0; j < b.num_sectors(); ++j) {
      const size_t f = b.FlowIndex(j, p.importer, p.exporter);
      t0 += b.flow[f];
      t1 += s.solution.flow_new[f];
    }
    auto pct = [](double a, double c) { return a > 0 ? 100.0 * (c - a) / a : NAN; };
    t.rows.push_back({ReportCell::Text(ex), ReportCell::Text(im), ReportCell::Text("All sectors"),
                      Num(mu.scale * t0), Num(mu.scale * t1), Num(mu.scale * (t1 - t0)),
                      Num(pct(t0, t1))});
    std::string parts;
    for (int j : p.sectors) {
      const size_t f = b.FlowIndex(j, p.importer, p.exporter);
      const double e0 = b.flow[f], e1 = s.solution.flow_new[f];
      const std::string& sector = b.sectors[static_cast<size_t>(j)];
      ReportCell change = PctCell(idx, bands, s.name, ex, im, sector, "exports");
      if (change.kind == ReportCell::Kind::kEmpty && e0 > 0) change = Num(pct(e0, e1));
      t.rows.push_back({ReportCell::Text(ex), ReportCell::Text(im), ReportCell::Text(sector),
                        Num(mu.scale * e0), Num(mu.scale * e1), Num(mu.scale * (e1 - e0)), change});
      parts += fmt::format("{}{} {:+.1f}% ({:+.1f} {})", parts.empty() ? "" : ", ", sector,
                           pct(e0, e1), mu.scale * (e1 - e0), mu.label);
    }
    headlines->push_back(fmt::format("{}: {} exports to {} {:+.1f}% in total ({:+.1f} {}); {}.",
                                     s.name, ex, im, pct(t0, t1), mu.scale * (t1 - t0), mu.label,
                                     parts));
  }
  t.note =
      "Total: all sectors of the pair. Sector rows: the sectors whose tariff or trade cost the "
      "scenario changes. "
      "Changes in " +
      mu.label +
      " at base-year prices of the numeraire (world GDP). Bilateral flows carry no theta "
      "range in this report.";
  sec->AddTable(std::move(t));
}

// One row per region: the main country-level results of one scenario.
ReportTable RegionTable(const RowIndex& idx, const BandTable& bands, const std::string& scenario,
                        const ge::Baseline& b, const std::string& band_sentence) {
  const MoneyUnit mu = Money(b);
  ReportTable t;
  t.caption = "Results by region";
  NumberFormat money = Fixed(1, true);
  money.scale = mu.scale;
  NumberFormat money_plain = Fixed(1);
  money_plain.scale = mu.scale;
  t.columns = {ReportColumn::TextColumn("Region"),
               ReportColumn::NumberColumn("Welfare", Fixed(3, true), "real income", "% change"),
               ReportColumn::NumberColumn("Real wage", Fixed(3, true), "", "% change"),
               ReportColumn::NumberColumn("Consumer prices", Fixed(3, true), "", "% change"),
               ReportColumn::NumberColumn("Exports", Fixed(2, true), "", "% change"),
               ReportColumn::NumberColumn("Imports", Fixed(2, true), "", "% change"),
               ReportColumn::NumberColumn("Trade balance, base", money, "", mu.label),
               ReportColumn::NumberColumn("Trade balance, scenario", money, "", mu.label),
               ReportColumn::NumberColumn("Tariff revenue, scenario", money_plain, "", mu.label),
               ReportColumn::NumberColumn("Subsidy cost, scenario", money_plain, "", mu.label)};
  auto level = [&](const std::string& c, const char* v, bool cf) {
    const ge::TidyRow* r = idx.Find(scenario, c, "", "", v);
    return r == nullptr ? ReportCell::Empty() : Num(cf ? r->counterfactual : r->baseline);
  };
  auto pct = [&](const std::string& c, const char* v) {
    return PctCell(idx, bands, scenario, c, "", "", v);
  };
  for (const auto& c : b.countries) {
    t.rows.push_back({ReportCell::Text(c), pct(c, "welfare"), pct(c, "real_wage"),
                      pct(c, "consumer_price_index"), pct(c, "exports"), pct(c, "imports"),
                      level(c, "trade_balance", false), level(c, "trade_balance", true),
                      level(c, "tariff_revenue", true), level(c, "subsidy_cost", true)});
  }
  t.note =
      "All variables of every region, sector and partner are in results.csv "
      "(docs/multisector.md). " +
      band_sentence;
  return t;
}

// The focus regions present in the baseline, in the file's order (all
// regions when the file names none).
std::vector<std::string> FocusRegions(const scenario::RunResult& run) {
  const ge::Baseline& b = run.loaded.baseline;
  std::vector<std::string> out;
  for (const auto& c : run.file.focus_countries)
    if (std::find(b.countries.begin(), b.countries.end(), c) != b.countries.end()) out.push_back(c);
  return out.empty() ? b.countries : out;
}

// The sectors whose output the comparison table sums: the file's "strategic"
// sector group, else every sector a scenario's shocks name.
std::vector<std::string> StrategicSectors(const scenario::RunResult& run) {
  auto it = run.file.sector_groups.find("strategic");
  if (it != run.file.sector_groups.end()) return it->second;
  std::vector<std::string> out;
  for (const auto& def : run.file.scenarios)
    for (const auto& ref : def.labels)
      if (ref.is_sector && std::find(out.begin(), out.end(), ref.label) == out.end())
        out.push_back(ref.label);
  return out;
}

// Scenario x focus-region comparison: one row per focus region, one column
// group per scenario.
// `first`, `count`: the scenarios it covers (a page holds about three).
ReportTable ComparisonTable(const scenario::RunResult& run, const RowIndex& idx,
                            const BandTable& bands, const std::vector<std::string>& focus,
                            const std::vector<std::string>& strategic, size_t first, size_t count) {
  const ge::Baseline& b = run.loaded.baseline;
  const MoneyUnit mu = Money(b);
  const std::vector<scenario::ScenarioOutcome> scenarios(
      run.scenarios.begin() + static_cast<long>(first),
      run.scenarios.begin() + static_cast<long>(first + count));
  ReportTable t;
  t.caption = count == run.scenarios.size()
                  ? std::string("Scenarios compared: focus regions")
                  : fmt::format("Scenarios compared: focus regions (scenarios {}-{} of {})",
                                first + 1, first + count, run.scenarios.size());
  t.columns.push_back(ReportColumn::TextColumn("Region"));
  t.column_groups.push_back(ColumnGroup{"", 1});
  NumberFormat money = Fixed(1, true);
  money.scale = mu.scale;
  const int per = strategic.empty() ? 3 : 4;
  for (const auto& s : scenarios) {
    t.column_groups.push_back(ColumnGroup{s.name, per});
    t.columns.push_back(ReportColumn::NumberColumn("Welfare", Fixed(2, true),
                                                   s.name + ": real income", "% change"));
    t.columns.push_back(
        ReportColumn::NumberColumn("Real wage", Fixed(2, true), s.name, "% change"));
    t.columns.push_back(ReportColumn::NumberColumn(
        "Trade balance", money, s.name + ": exports - imports after the shock", mu.label));
    if (!strategic.empty()) {
      t.columns.push_back(ReportColumn::NumberColumn(
          "Strategic output", Fixed(1, true), s.name + ": gross output of the strategic sectors",
          "% change"));
    }
  }
  for (const auto& c : focus) {
    std::vector<ReportCell> row = {ReportCell::Text(c)};
    for (const auto& s : scenarios) {
      row.push_back(PctCell(idx, bands, s.name, c, "", "", "welfare"));
      row.push_back(PctCell(idx, bands, s.name, c, "", "", "real_wage"));
      const ge::TidyRow* tb = idx.Find(s.name, c, "", "", "trade_balance");
      row.push_back(tb == nullptr ? ReportCell::Empty() : Num(tb->counterfactual));
      if (!strategic.empty()) {
        double y0 = 0, y1 = 0;
        for (const auto& sector : strategic) {
          const ge::TidyRow* r = idx.Find(s.name, c, "", sector, "gross_output");
          if (r == nullptr) continue;
          y0 += r->baseline;
          y1 += r->counterfactual;
        }
        row.push_back(y0 > 0 ? Num(100.0 * (y1 - y0) / y0) : ReportCell::Empty());
      }
    }
    t.rows.push_back(std::move(row));
  }
  std::string strategic_list;
  for (const auto& s : strategic) strategic_list += (strategic_list.empty() ? "" : ", ") + s;
  t.note =
      "Welfare: real income (exact hat algebra). Real wage: wage over the consumer price index. "
      "Trade balance: "
      "exports - imports of goods and services after the shock, in " +
      mu.label +
      "; where a scenario's closure holds the balance fixed this is an assumption, not a result." +
      (strategic.empty() ? std::string()
                         : " Strategic output: gross output of " + strategic_list + ", summed.");
  return t;
}

// "What this model can and cannot say": a fixed statement about the model,
// with the base year and band settings of this run.
ReportBox ScopeBox(const scenario::RunResult& run, const scenario::SweepResult* sweep) {
  ReportBox box;
  box.kind = "assumptions";
  box.title = "What this model can and cannot say";
  const ge::Baseline& b = run.loaded.baseline;
  const std::string year =
      run.loaded.io.has_value() ? fmt::format("{}", run.loaded.io->year) : "the base year";
  box.paragraphs.push_back(
      fmt::format("These are comparative statics of a calibrated multi-sector trade model "
                  "(Caliendo and Parro 2015; {} regions x "
                  "{} sectors linked by input-output shares): each number compares the {} economy "
                  "with the same economy after "
                  "the shock, once every market has cleared. The model has no dynamics (no time "
                  "path, adjustment costs or "
                  "unemployment: labour is fully employed and immobile across countries), no "
                  "capital accumulation and no "
                  "financial flows; trade balances are not explained by the model but held where "
                  "each scenario's closure says "
                  "(a rebalancing is a transfer imposed from outside, not a consequence of savings "
                  "or exchange-rate policy). "
                  "Prices are relative to world GDP, the numeraire. Results depend on the trade "
                  "elasticities theta; the "
                  "ranges shown cover theta's estimation error only. The data describe {}, so the "
                  "structure of trade and "
                  "production is that of {}, not today's.{}",
                  b.num_countries(), b.num_sectors(), year, year, year,
                  run.file.baseline.kind == scenario::BaselineKind::kBuiltin
                      ? " The built-in baseline (WIOD 2013 release) has no tariffs, so tariff "
                        "scenarios add tariffs to a "
                        "tariff-free " +
                            year + "."
                      : std::string()));
  if (sweep == nullptr || sweep->draws_requested == 0) {
    box.paragraphs.push_back("No theta ranges were computed for this run.");
  }
  return box;
}

// Provenance items for the input files: file name and SHA-256, never a path.
void FileProvenance(const scenario::RunResult& run, std::vector<ProvenanceItem>* out) {
  auto add = [&](const std::string& role, const std::string& path) {
    auto digest = core::Sha256File(path);
    out->push_back(ProvenanceItem{role + " file",
                                  fmt::format("{} (sha256 {})", fs::path(path).filename().string(),
                                              digest.ok() ? *digest : std::string("not readable")),
                                  ""});
  };
  if (!run.file.path.empty() && fs::is_regular_file(run.file.path)) add("scenario", run.file.path);
  for (const auto& [role, path] : run.loaded.input_files) {
    if (fs::is_regular_file(path)) add(role, path);
  }
}

// "World: ..." under a section title: the world (baseline) its numbers come
// from, so a reader of a two-world briefing never mixes them up.
std::string WorldLine(const scenario::RunResult& run) {
  const ge::Baseline& b = run.loaded.baseline;
  const std::string year =
      run.loaded.io.has_value() ? fmt::format("{}", run.loaded.io->year) : "base year";
  std::string name = "the baseline of the scenario file";
  if (run.file.baseline.kind == scenario::BaselineKind::kBuiltin) {
    name = run.loaded.world.empty() ? run.file.baseline.builtin : run.loaded.world;
  }
  return fmt::format(
      "World: {}, {}; {} regions x {} sectors; money in current USD of that year (millions or "
      "billions, as each header says).",
      name, year, b.num_countries(), b.num_sectors());
}

std::string WorldLine2023(const scenario::TariffWarRun& run) {
  return fmt::format(
      "World: world2023 (BACI 2023 goods trade, WDI 2023 GDP), 2023; {} countries x 1 goods "
      "sector; "
      "levels in thousand USD, results in % change from 2023. Model: Ignatenko, Macedoni, "
      "Lashkaripour & Simonovska (2025).",
      run.world.baseline.num_countries());
}

// The world line as the first block of a section.
void PrependWorld(ReportSection* sec, const std::string& line) {
  sec->blocks.insert(sec->blocks.begin(), ReportBlock{ReportParagraph{line}});
}

}  // namespace

ReportSection TariffWarBriefingSection(const scenario::TariffWarRun& run) {
  ReportSection sec;
  sec.title = "2023: tariff war (world2023, IMLS 2025 model)";
  const ge::TariffWarBaseline& b = run.world.baseline;
  const auto& o = run.file.tariff_war;
  sec.AddParagraph(WorldLine2023(run));
  sec.AddParagraph(
      "A second world, not the multi-sector one above: the one-sector model of Ignatenko, "
      "Macedoni, "
      "Lashkaripour & Simonovska "
      "(2025, Journal of International Economics 157, 104138) on 2023 goods trade, with an "
      "employment response to "
      "the real after-tax wage, a rule for tariff revenue and deficits that move with world "
      "income. Its numbers are "
      "not comparable cell by cell with the multi-sector sections (other year, other data, one "
      "sector, goods only). " +
      run.file.title + ".");
  // USA, CHN, then the groups the paper reports, in this order when present.
  struct Row {
    std::string label;
    std::vector<int> members;  // one member for a country
    bool group = false;
  };
  std::vector<Row> rows;
  for (const char* c : {"USA", "CHN"}) {
    auto it = std::find(b.countries.begin(), b.countries.end(), c);
    if (it != b.countries.end())
      rows.push_back({c, {static_cast<int>(it - b.countries.begin())}, false});
  }
  for (const char* g : {"non-US", "EU", "RoW"}) {
    for (const auto& grp : run.groups)
      if (grp.name == g) rows.push_back({grp.name, grp.members, true});
  }
  const std::string deficit_def =
      "trade deficit D = goods imports - goods exports (off-diagonal flows at producer prices, net "
      "of tariffs); % "
      "change = 100 (D' - D) / |D|, so a negative change is a smaller deficit (or a larger "
      "surplus)";
  for (const auto& s : run.scenarios) {
    const ge::TariffWarOutcomes& c = s.changes;
    if (!s.headlines.empty()) sec.headlines.push_back(s.name + ": " + s.headlines.front());
    sec.AddParagraph(s.name + (s.description.empty() ? std::string() : ": " + s.description));
    ReportTable t;
    t.caption = "2023 (world2023): " + s.name;
    t.columns = {
        ReportColumn::TextColumn("Country or group"),
        ReportColumn::NumberColumn("Welfare", Fixed(2, true), "real income (IMLS welfare)",
                                   "% change"),
        ReportColumn::NumberColumn("Trade deficit", Fixed(1, true), deficit_def,
                                   "% change of imports - exports"),
        ReportColumn::NumberColumn("Exports/GDP", Fixed(1, true),
                                   "goods exports over labour income", "% change"),
        ReportColumn::NumberColumn("Imports/GDP", Fixed(1, true),
                                   "goods imports over labour income", "% change"),
        ReportColumn::NumberColumn("Employment", Fixed(2, true), "", "% change"),
        ReportColumn::NumberColumn("Consumer prices", Fixed(1, true), "price index P", "% change"),
        ReportColumn::NumberColumn("Tariff revenue", Fixed(2),
                                   "revenue R over base-year expenditure E",
                                   "% of 2023 expenditure"),
        ReportColumn::NumberColumn("Tariff revenue", Fixed(1), "revenue R, countries only",
                                   "bn USD")};
    for (const auto& r : rows) {
      auto v = [&](const Eigen::VectorXd& x) {
        return Num(r.group ? ge::ExpenditureWeightedMean(b, x, r.members) : x(r.members.front()));
      };
      const ReportCell revenue_bn =
          r.group ? ReportCell::Empty()
                  : Num(1e-6 * s.result.tariff_revenue(r.members.front()));  // thousand -> bn
      t.rows.push_back(
          {ReportCell::Text(r.group
                                ? r.label + " (" + std::to_string(r.members.size()) + ", weighted)"
                                : r.label),
           v(c.welfare), v(c.deficit), v(c.exports_gdp), v(c.imports_gdp), v(c.employment),
           v(c.prices), v(c.revenue_share), revenue_bn});
    }
    t.note =
        "Percent changes from 2023 (world2023; BACI 2023 goods trade, WDI 2023 GDP, thousand USD "
        "levels in "
        "world2023/results.csv). Trade deficit: " +
        deficit_def +
        ". Groups: means of the members' percent changes weighted by 2023 expenditure (as in IMLS "
        "Table 1), "
        "not the change of the group's total; non-US = every country but the USA, EU = the 25 "
        "members of the "
        "paper's code, RoW = all but USA, CHN and the EU; members in world2023/run.json. GDP in "
        "exports/GDP and "
        "imports/GDP is labour income w L Y.";
    sec.AddTable(std::move(t));
    ReportBox box;
    box.kind = "closure";
    box.title = "Closure: what " + s.name + " holds fixed";
    box.items.push_back({"Numeraire", s.closure.numeraire});
    std::string held;
    for (const auto& h : s.closure.held_fixed) held += (held.empty() ? "" : "; ") + h;
    box.items.push_back({"Held fixed", held});
    box.items.push_back(
        {"Tariff revenue",
         o.revenue == ge::RevenueUse::kIncomeTax
             ? "finances a cut in the labour-income tax of the importing country (tau = R / wLY), "
               "which raises the after-tax wage and so employment"
             : "rebated lump sum to the importing country's households (no effect on labour "
               "supply)"});
    box.items.push_back(
        {"Trade deficits",
         o.deficit == ge::DeficitScaling::kScaleWithWorldIncome
             ? "each country's transfer T = E - Y moves in proportion to world labour income (a "
               "constant share of world output), so deficits are not held at their 2023 value: "
               "the change in the deficit is a result of the model"
             : "each country's transfer T = E - Y is fixed in units of the numeraire"});
    box.items.push_back(
        {"Employment", o.kappa > 0 ? fmt::format("responds to the real after-tax wage (kappa = {}, "
                                                 "psi = {:.4g})",
                                                 o.kappa, o.Psi())
                                   : std::string("fixed (kappa = 0)")});
    std::string cav;
    for (const auto& h : s.closure.caveats) cav += (cav.empty() ? "" : "; ") + h;
    if (!cav.empty()) cav += ".";
    if (!cav.empty()) box.items.push_back({"Caveats", cav});
    sec.AddBox(std::move(box));
    sec.AddParagraph("Solver: " + s.result.BriefReport() + ".");
  }
  std::string src;
  for (const auto& [k, v] : run.world.provenance)
    src += (src.empty() ? "" : " ") + k + ": " + v + ".";
  sec.AddParagraph(
      "Source, year and units: " + src +
      " Results are percent changes between 2023 equilibria (static; goods only). All variables of "
      "all "
      "194 countries and the groups are in world2023/results.csv (docs/tariff_war.md).");
  return sec;
}

BandTable BandsFromSweep(const scenario::SweepResult& sweep) {
  BandTable bt;
  bt.quantity = "pct_change";
  for (size_t r = 0; r < sweep.bands.size(); ++r) {
    const auto& b = sweep.bands[r];
    if (b.draws == 0) continue;
    bt.by_row[r] = b;
  }
  return bt;
}

Result<ReportDocument> BuildBriefingReport(const scenario::RunResult& run,
                                           const scenario::SweepResult* sweep,
                                           const scenario::TariffWarRun* world2023) {
  ReportDocument doc;
  doc.title = run.file.title;
  const ge::Baseline& b = run.loaded.baseline;
  doc.subtitle =
      fmt::format("{} regions x {} sectors, {} scenario{}", b.num_countries(), b.num_sectors(),
                  run.scenarios.size(), run.scenarios.size() == 1 ? "" : "s");
  for (const auto& [k, v] : run.loaded.provenance)
    doc.provenance.push_back(ProvenanceItem{k, v, ""});
  doc.provenance.push_back(ProvenanceItem{
      "WIOD citation",
      "Timmer, M. P., Dietzenbacher, E., Los, B., Stehrer, R. and de Vries, G. J. (2015), "
      "An Illustrated User Guide to the World Input-Output Database: the Case of Global "
      "Automotive Production, Review of International Economics 23: 575-605.",
      ""});
  doc.provenance.push_back(ProvenanceItem{
      "model citation",
      "Caliendo, L. and Parro, F. (2015), Estimates of the Trade and Welfare Effects of "
      "NAFTA, Review of Economic Studies 82(1): 1-44.",
      ""});
  FileProvenance(run, &doc.provenance);
  doc.provenance.push_back(ProvenanceItem{"rebalance version", REBALANCE_VERSION, ""});
  for (const auto& note : run.loaded.notes)
    doc.provenance.push_back(ProvenanceItem{"note", note, ""});
  if (sweep != nullptr && sweep->draws_requested > 0) {
    doc.provenance.push_back(ProvenanceItem{
        "theta ranges",
        fmt::format("{} draws of theta_j ~ N(theta_j, se_j) truncated at 0 (seed {}, {} failed), theta and se from {}; "
                    "ranges are 5th-95th percentiles",
                    sweep->draws_requested, sweep->seed, sweep->draws_failed,
                    sweep->theta_file.empty() ? std::string("the theta file") : [&] {
                      auto digest = core::Sha256File(sweep->theta_file);
                      return fmt::format("{} (sha256 {})", fs::path(sweep->theta_file).filename().string(),
                                         digest.ok() ? *digest : std::string("not readable"));
                    }()),
        ""});
  }

  BandTable bands;
  if (sweep != nullptr && !sweep->bands.empty()) bands = BandsFromSweep(*sweep);
  const RowIndex idx(run.results);
  const std::vector<std::string> focus = FocusRegions(run);

  // Summary.
  ReportSection summary;
  summary.title = "Summary";
  if (run.diagnosis.has_value()) {
    for (const auto& h : run.diagnosis->headlines) summary.headlines.push_back(h);
  }
  std::vector<std::string> bilateral_headlines;
  std::vector<ReportSection> scenario_sections;
  // The what-if explorer: each scenario's shocks as controls, re-solved in
  // the page (explorer.h); models it does not solve get none.
  if (auto explorer = ExplorerData(run); explorer.ok()) doc.explorer = std::move(explorer).value();
  for (const auto& s : run.scenarios) {
    ReportSection sec;
    sec.title = "Scenario: " + s.name;
    if (!doc.explorer.is_null()) sec.explorer_scenario = static_cast<int>(scenario_sections.size());
    sec.headlines = s.headlines;
    if (!s.description.empty()) sec.AddParagraph(s.description);
    sec.AddBox(ClosureBox(s, b));
    std::vector<std::string> bil;
    BilateralHeadline(s, b, idx, bands, &bil, &sec);
    sec.headlines.insert(sec.headlines.begin(), bil.begin(), bil.end());
    bilateral_headlines.insert(bilateral_headlines.end(), bil.begin(), bil.end());
    sec.AddParagraph("Solver: " + s.solution.BriefReport() + ".");
    HeatmapOptions h;
    h.scenario = s.name;
    h.variable = "gross_output";
    h.value_title = "Gross output change (%)";
    h.country_order = b.countries;
    h.sector_order = b.sectors;
    auto spec = SectoralHeatmapSpec(run.results, h);
    if (!spec.ok()) return spec.status().WithContext("heatmap of " + s.name);
    sec.AddChart(ReportChart{
        "Sectoral output changes (% change in gross output)",
        "Percent change in gross output by region (rows) and sector (columns); the number in each "
        "cell is the change in %.",
        *spec});
    sec.AddTable(RegionTable(idx, bands, s.name, b, BandSentence(sweep)));
    scenario_sections.push_back(std::move(sec));
  }
  for (const auto& s : run.scenarios) {
    if (!s.headlines.empty()) summary.headlines.push_back(s.headlines.front());
  }
  summary.headlines.insert(summary.headlines.end(), bilateral_headlines.begin(),
                           bilateral_headlines.end());
  summary.AddBox(ScopeBox(run, sweep));
  summary.AddParagraph(
      "Each scenario is solved in general equilibrium with the multi-sector model of Caliendo and "
      "Parro (2015): "
      "sectors linked by input-output shares, tariff revenue rebated to the importer's households, "
      "trade deficits "
      "set as each scenario's closure says, and world GDP as the numeraire. Welfare is real "
      "income; changes are in "
      "percent of the base year.");
  doc.sections.push_back(std::move(summary));

  // Scenarios compared.
  ReportSection compare;
  compare.title = "Scenarios compared";
  {
    // At most three scenarios side by side, so that a table fits a page.
    const size_t S = run.scenarios.size();
    const size_t tables = (S + 2) / 3;
    const std::vector<std::string> strategic = StrategicSectors(run);
    for (size_t k = 0, first = 0; k < tables; ++k) {
      const size_t count = (S - first + (tables - k) - 1) / (tables - k);
      compare.AddTable(ComparisonTable(run, idx, bands, focus, strategic, first, count));
      first += count;
    }
  }
  compare.AddParagraph(BandSentence(sweep));
  {
    ReportBox closures;
    closures.kind = "closure";
    closures.title = "What each scenario holds fixed (its closure)";
    for (const auto& s : run.scenarios) {
      const scenario::Closure c = ClosureOrModelDefault(s, b);
      std::string text = "Numeraire: " + c.numeraire + ". Held fixed: ";
      for (size_t k = 0; k < c.held_fixed.size(); ++k) text += (k ? "; " : "") + c.held_fixed[k];
      text += ".";
      for (const auto& cav : c.caveats) text += " " + cav;
      closures.items.push_back({s.name, text});
    }
    compare.AddBox(std::move(closures));
  }
  {
    WelfareChartOptions o;
    o.variable = "welfare";
    o.value_title = "Welfare change (%)";
    o.country_order = b.countries;
    o.countries = focus;
    o.facet_by_scenario = true;
    o.facet_columns = 3;
    auto spec = WelfareChartSpec(run.results, bands.empty() ? nullptr : &bands, o);
    if (!spec.ok()) return spec.status().WithContext("welfare chart");
    compare.AddChart(ReportChart{
        "Welfare by focus region, one panel per scenario (% change in real income)",
        std::string("Each panel has its own vertical scale: compare bar heights within a panel, "
                    "read the axis to "
                    "compare panels. ") +
            (bands.empty() ? "" : "Whiskers: 5th-95th percentile over the theta draws."),
        *spec});
  }
  doc.sections.push_back(std::move(compare));

  doc.sections.push_back(ImbalanceSection(run));
  if (run.diagnosis.has_value()) doc.sections.push_back(OvercapacitySection(run));
  for (auto& sec : scenario_sections) doc.sections.push_back(std::move(sec));

  ReportSection method;
  method.title = "Data and method";
  method.AddParagraph(
      "Imbalances and value added in trade come from the world input-output table: the Leontief "
      "system is solved by LU "
      "factorisation and value added by origin is traced to the final demand that absorbs it. "
      "Overcapacity indicators "
      "compare each country-sector's output with its domestic absorption and its world market "
      "shares.");
  method.AddParagraph(
      "Counterfactuals use exact hat algebra (Dekle, Eaton and Kortum 2008; Caliendo and Parro "
      "2015). The base year is "
      "first solved at the data with no shock so that every market clears; scenario results are "
      "changes from that "
      "base year. All tidy results, with units and variable names, are in results.csv and "
      "results.json beside this "
      "report (docs/multisector.md documents the variables).");
  doc.sections.push_back(std::move(method));
  // Which world every section's numbers come from.
  const std::string world = WorldLine(run);
  for (auto& sec : doc.sections) PrependWorld(&sec, world);
  if (world2023 != nullptr) {
    doc.sections.front().blocks.insert(
        doc.sections.front().blocks.begin() + 1,
        ReportBlock{ReportParagraph{
            "The section \"2023: tariff war (world2023, IMLS 2025 model)\" reports a second "
            "world, 2023, with another model; its numbers are not those of this world."}});
    // Before "Data and method", which describes the multi-sector part.
    ReportSection war = TariffWarBriefingSection(*world2023);
    // Its scenarios' what-if explorers (the one-sector model in the page).
    if (!doc.explorer.is_null()) {
      if (auto data = TariffWarExplorerData(*world2023); data.ok()) {
        doc.explorer["tariff_war"] = std::move(data).value();
        for (size_t k = 0; k < world2023->scenarios.size(); ++k)
          war.explorer_tariff_war.push_back(static_cast<int>(k));
      }
    }
    doc.sections.insert(doc.sections.end() - 1, std::move(war));
    doc.subtitle +=
        fmt::format("; 2023 part: world2023, {} countries x 1 goods sector, {} scenario{}",
                    world2023->world.baseline.num_countries(), world2023->scenarios.size(),
                    world2023->scenarios.size() == 1 ? "" : "s");
    for (const auto& [k, v] : world2023->world.provenance)
      doc.provenance.push_back(ProvenanceItem{"world2023 " + k, v, ""});
    doc.provenance.push_back(
        ProvenanceItem{"world2023 model citation",
                       "Ignatenko, A., Macedoni, L., Lashkaripour, A. and Simonovska, I. (2025), "
                       "Making America Great Again? The "
                       "Economic Impacts of Liberation Day Tariffs, Journal of International "
                       "Economics 157, 104138.",
                       ""});
    if (!world2023->file.path.empty() && fs::is_regular_file(world2023->file.path)) {
      auto digest = core::Sha256File(world2023->file.path);
      doc.provenance.push_back(ProvenanceItem{
          "world2023 scenario file",
          fmt::format("{} (sha256 {})", fs::path(world2023->file.path).filename().string(),
                      digest.ok() ? *digest : std::string("not readable")),
          ""});
    }
  }
  RB_RETURN_IF_ERROR(doc.Validate());
  return doc;
}

std::vector<std::string> RunOutputFiles(const scenario::RunResult& run,
                                        const OutputOptions& options) {
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
  if (options.with_world2023)
    for (const auto& f : TariffWarOutputFiles())
      files.push_back(std::string(kWorld2023OutputDir) + "/" + f);
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
  const scenario::TariffWarRun* world2023 = options.world2023;
  RB_RETURN_IF_ERROR(core::EnsureDirectory(options.out_dir));
  auto path = [&](const char* f) { return (fs::path(options.out_dir) / f).string(); };
  BandTable bands;
  if (sweep != nullptr && !sweep->bands.empty()) bands = BandsFromSweep(*sweep);
  const BandTable* bp = bands.empty() ? nullptr : &bands;
  RB_RETURN_IF_ERROR(ValidateTidyForOutput(run.results, bp));
  // Render the report first so a failure there leaves no partial set of files.
  std::string html;
  if (options.html) {
    RB_ASSIGN_OR_RETURN(ReportDocument doc, BuildBriefingReport(run, sweep, world2023));
    RB_ASSIGN_OR_RETURN(html, RenderHtml(doc, options.html_options));
  }
  if (world2023 != nullptr) {
    RB_RETURN_IF_ERROR(WriteTariffWarOutputs(
        *world2023, (fs::path(options.out_dir) / kWorld2023OutputDir).string(), options.force));
  }
  RB_RETURN_IF_ERROR(WriteTidyCsv(run.results, path("results.csv"), options.force, bp));
  RB_RETURN_IF_ERROR(WriteTidyJson(run.results, path("results.json"), options.force, bp));
  if (run.diagnosis.has_value()) {
    // Year and unit on every row, so a row quoted alone keeps them.
    const std::string year =
        run.loaded.io.has_value() ? std::to_string(run.loaded.io->year) : std::string();
    const std::string unit = Csv(run.loaded.baseline.currency_unit);
    std::string csv =
        "reporter,partner,year,unit,gross_exports,gross_imports,gross_balance,va_exports,va_"
        "imports,va_balance\n";
    for (const auto& p : run.diagnosis->balances) {
      csv += fmt::format("{},{},{},{},{},{},{},{},{},{}\n", Csv(p.reporter), Csv(p.partner), year,
                         unit, D(p.gross_exports), D(p.gross_imports), D(p.gross_balance),
                         D(p.va_exports), D(p.va_imports), D(p.va_balance));
    }
    RB_RETURN_IF_ERROR(core::WriteFileAtomic(path("balances.csv"), csv, options.force));
    const std::string oc = io_tables::OvercapacityCsv(run.diagnosis->overcapacity);
    RB_RETURN_IF_ERROR(core::WriteFileAtomic(path("overcapacity.csv"), oc, options.force));
  }
  nlohmann::ordered_json meta;
  meta["rebalance_version"] = REBALANCE_VERSION;
  meta["title"] = run.file.title;
  // File names and checksums, never the machine's paths.
  meta["scenario_file"] = fs::path(run.file.path).filename().string();
  meta["seconds"] = run.seconds;
  for (const auto& [k, v] : run.loaded.provenance) meta["provenance"][k] = v;
  {
    nlohmann::ordered_json inputs = nlohmann::ordered_json::array();
    std::vector<std::pair<std::string, std::string>> files;
    if (!run.file.path.empty()) files.push_back({"scenario", run.file.path});
    files.insert(files.end(), run.loaded.input_files.begin(), run.loaded.input_files.end());
    for (const auto& [role, p] : files) {
      if (!fs::is_regular_file(p)) continue;
      RB_ASSIGN_OR_RETURN(std::string digest, core::Sha256File(p));
      inputs.push_back(
          {{"role", role}, {"file", fs::path(p).filename().string()}, {"sha256", digest}});
    }
    meta["inputs"] = inputs;
  }
  meta["notes"] = run.loaded.notes;
  if (world2023 != nullptr) {
    meta["world2023"] = {
        {"title", world2023->file.title},
        {"scenario_file", fs::path(world2023->file.path).filename().string()},
        {"outputs", std::string(kWorld2023OutputDir) + "/ (results.csv, results.json, run.json)"},
        {"scenarios", world2023->scenarios.size()},
        {"seconds", world2023->seconds}};
  }
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
    const scenario::Closure c = ClosureOrModelDefault(s, run.loaded.baseline);
    j["closure"] = {
        {"numeraire", c.numeraire}, {"held_fixed", c.held_fixed}, {"caveats", c.caveats}};
    meta["scenarios"].push_back(j);
  }
  if (sweep != nullptr) {
    meta["sweep"]["draws"] = sweep->draws_requested;
    meta["sweep"]["failed_draws"] = sweep->draws_failed;
    meta["sweep"]["failures"] = sweep->failures;
    meta["sweep"]["seed"] = sweep->seed;
    meta["sweep"]["seconds"] = sweep->seconds;
    meta["sweep"]["theta_file"] = fs::path(sweep->theta_file).filename().string();
    if (fs::is_regular_file(sweep->theta_file)) {
      RB_ASSIGN_OR_RETURN(std::string digest, core::Sha256File(sweep->theta_file));
      meta["sweep"]["theta_file_sha256"] = digest;
    }
    meta["sweep"]["bands"] = "5th-95th percentile over the draws (columns p05, p95 of results.csv)";
  }
  RB_RETURN_IF_ERROR(core::WriteFileAtomic(
      path("run.json"), meta.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n",
      options.force));
  if (options.html)
    RB_RETURN_IF_ERROR(core::WriteFileAtomic(path("report.html"), html, options.force));
  return Status::Ok();
}

}  // namespace rebalance::report
