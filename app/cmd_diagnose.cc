// `rebalance diagnose`: gross vs value-added bilateral balances, KWW
// decomposition of exports, optional WWZ bilateral-sector decomposition and
// overcapacity indicators over one or more years of a multi-region
// input-output table. Parses, calls io_tables, writes tidy CSV + JSON, prints
// a summary.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <iterator>
#include <optional>
#include <regex>
#include <set>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <nlohmann/json.hpp>

#include "command.h"
#include "rebalance/core/atomic_file.h"
#include "rebalance/io_tables/accounting.h"
#include "rebalance/io_tables/io_table.h"
#include "rebalance/io_tables/overcapacity.h"

namespace rebalance::app {
namespace {

namespace io = rebalance::io_tables;
namespace fs = std::filesystem;

struct DiagnoseArgs {
  std::string wiod, icio, long_file, decompr, years, map, out, basis = "row_sums";
  std::string zero_output = "drop_inputs";
  std::string rank_by = "excess_output";
  bool force = false, wwz = false, all_sectors = false;
  int top = 10;
  io::OvercapacityOptions oc;
};

// "2005,2011", "1995-2011", "1995-2000,2011".
Result<std::vector<int>> ParseYears(const std::string& spec) {
  std::set<int> years;
  static const std::regex range(R"(^\s*(\d{4})\s*(?:-\s*(\d{4}))?\s*$)");
  size_t pos = 0;
  while (pos <= spec.size()) {
    size_t comma = spec.find(',', pos);
    if (comma == std::string::npos) comma = spec.size();
    const std::string part = spec.substr(pos, comma - pos);
    std::smatch m;
    if (!std::regex_match(part, m, range)) {
      return Status::InvalidArgument(fmt::format(
          "--years: '{}' is not a year or a range (e.g. 2011, 2005,2011 or 1995-2011)", part));
    }
    const int a = std::stoi(m[1]), b = m[2].matched ? std::stoi(m[2]) : a;
    if (b < a) return Status::InvalidArgument(fmt::format("--years: empty range '{}'", part));
    for (int y = a; y <= b; ++y) years.insert(y);
    pos = comma + 1;
  }
  return std::vector<int>(years.begin(), years.end());
}

nlohmann::json JOpt(const std::optional<double>& v) {
  return v ? nlohmann::json(*v) : nlohmann::json(nullptr);
}

Result<std::vector<io::IoTable>> LoadTables(const DiagnoseArgs& a) {
  const int given = !a.wiod.empty() + !a.icio.empty() + !a.long_file.empty() + !a.decompr.empty();
  if (given != 1) {
    return Status::InvalidArgument("give exactly one input: --wiod, --icio, --long or --decompr");
  }
  std::vector<int> years;
  if (!a.years.empty()) {
    RB_ASSIGN_OR_RETURN(years, ParseYears(a.years));
    if (a.wiod.empty()) {
      return Status::InvalidArgument("--years applies to --wiod (a directory of wiotYYYY files)");
    }
  }
  std::vector<io::IoTable> tables;
  if (!a.wiod.empty()) {
    std::error_code ec;
    if (fs::is_directory(a.wiod, ec)) {
      if (years.empty()) {  // every wiotYYYY.csv.gz in the directory
        static const std::regex name(R"(^wiot(\d{4})\.csv(\.gz)?$)");
        for (const auto& entry : fs::directory_iterator(a.wiod, ec)) {
          std::smatch m;
          const std::string fname = entry.path().filename().string();
          if (std::regex_match(fname, m, name)) years.push_back(std::stoi(m[1]));
        }
        std::sort(years.begin(), years.end());
        if (years.empty()) {
          return Status::NotFound(fmt::format("--wiod: no wiotYYYY.csv.gz files in {}", a.wiod));
        }
      }
      for (int y : years) {
        RB_ASSIGN_OR_RETURN(io::IoTable t, io::ReadWiod(a.wiod, y));
        tables.push_back(std::move(t));
      }
    } else {
      if (years.size() > 1) {
        return Status::InvalidArgument("--years with several years needs --wiod DIR, not a file");
      }
      RB_ASSIGN_OR_RETURN(io::IoTable t, io::ReadWiod(a.wiod, years.empty() ? 0 : years[0]));
      tables.push_back(std::move(t));
    }
  } else if (!a.icio.empty()) {
    RB_ASSIGN_OR_RETURN(io::IoTable t, io::ReadIcio(a.icio));
    tables.push_back(std::move(t));
  } else if (!a.long_file.empty()) {
    RB_ASSIGN_OR_RETURN(io::IoTable t, io::ReadLong(a.long_file));
    tables.push_back(std::move(t));
  } else {
    RB_ASSIGN_OR_RETURN(io::IoTable t, io::ReadDecompr(a.decompr));
    tables.push_back(std::move(t));
  }
  if (!a.map.empty()) {
    RB_ASSIGN_OR_RETURN(io::Mapping m, io::ReadMapping(a.map));
    for (auto& t : tables) {
      auto agg = t.Aggregate(m);
      if (!agg.ok()) return agg.status().WithContext("--map " + a.map);
      t = std::move(agg).value();
    }
  }
  return tables;
}

Status RunDiagnose(const DiagnoseArgs& args) {
  DiagnoseArgs a = args;
  {
    auto r = io::OvercapacityRankingFromString(a.rank_by);
    if (!r.ok()) return r.status().WithContext("--rank-by");
    a.oc.rank_by = *r;
    a.oc.rank_by_group = !a.all_sectors;
  }
  if (a.out.empty()) return Status::InvalidArgument("--out DIR is required");
  if (a.top < 0) return Status::InvalidArgument("--top must be >= 0");
  RB_RETURN_IF_ERROR(a.oc.Validate());
  io::AccountingOptions acc;
  {
    auto b = io::OutputBasisFromString(a.basis);
    if (!b.ok()) return b.status().WithContext("--output-basis");
    acc.output_basis = *b;
    auto z = io::ZeroOutputPolicyFromString(a.zero_output);
    if (!z.ok()) return z.status().WithContext("--zero-output");
    acc.zero_output_policy = *z;
  }
  std::vector<std::string> names = {
      "balances.csv",           "kww.csv",        "tiva.csv",     "overcapacity.csv",
      "overcapacity_panel.csv", "validation.csv", "diagnose.json"};
  if (a.wwz) names.push_back("wwz.csv");
  RB_RETURN_IF_ERROR(core::CheckOutputFiles(a.out, names, a.force));
  RB_ASSIGN_OR_RETURN(std::vector<io::IoTable> tables, LoadTables(a));

  std::string balances =
      "year,reporter,partner,gross_exports,gross_imports,gross_balance,va_exports,va_imports,"
      "va_balance\n";
  std::string kww_csv = "year,country,gross_exports";
  for (const char* n : io::KwwResult::TermNames()) kww_csv += fmt::format(",{}", n);
  kww_csv += ",dva,fva,double_counting\n";
  std::string tiva_csv = "year,origin_country,origin_sector,destination,va_in_final_demand\n";
  std::string wwz_csv = "year,exporter,importer,sector,gross_exports";
  for (const char* n : io::WwzResult::TermNames()) wwz_csv += fmt::format(",{}", n);
  wwz_csv += "\n";
  std::string validation_csv = "year,severity,check,count,max_abs,total,message\n";
  nlohmann::json js;
  js["command"] = "diagnose";
  js["output_basis"] = a.basis;
  js["units"] = "as in the source table (WIOD: millions of current USD)";
  nlohmann::json years_js = nlohmann::json::array();
  std::string summary;

  for (const io::IoTable& t : tables) {
    if (Interrupted()) return Status::Cancelled("interrupted");
    for (const auto& i : t.validation.issues) {
      std::string msg = i.message;
      std::replace(msg.begin(), msg.end(), '"', '\'');
      validation_csv += fmt::format("{},{},{},{},{},{},\"{}\"\n", t.year, io::ToString(i.severity),
                                    i.check, i.count, i.max_abs, i.total, msg);
    }
    RB_ASSIGN_OR_RETURN(io::LeontiefSystem sys, io::BuildLeontief(t, acc));
    if (!sys.dropped_input_sectors.empty()) {
      const std::string msg = fmt::format(
          "{} sectors with zero output but positive intermediate use: their {} input cells "
          "(total {:g}) were dropped: {}",
          sys.dropped_input_sectors.size(), sys.dropped_input_cells, sys.dropped_input_total,
          fmt::join(sys.dropped_input_sectors, " "));
      validation_csv += fmt::format("{},warning,zero_output_inputs_dropped,{},{},{},\"{}\"\n",
                                    t.year, sys.dropped_input_cells, sys.dropped_input_total,
                                    sys.dropped_input_total, msg);
      std::fprintf(stderr, "rebalance: warning: %d: %s\n", t.year, msg.c_str());
    }
    RB_ASSIGN_OR_RETURN(io::TivaResult tiva, io::ComputeTiva(sys));
    RB_ASSIGN_OR_RETURN(io::KwwResult kww, io::ComputeKww(sys));
    const auto bal = io::BilateralBalances(sys, tiva);
    for (const auto& b : bal) {
      fmt::format_to(std::back_inserter(balances), "{},{},{},{},{},{},{},{},{}\n", t.year,
                     b.reporter, b.partner, b.gross_exports, b.gross_imports, b.gross_balance,
                     b.va_exports, b.va_imports, b.va_balance);
    }
    for (const auto& k : kww.countries) {
      kww_csv += fmt::format("{},{},{}", t.year, k.country, k.gross_exports);
      for (double v : k.terms) kww_csv += fmt::format(",{}", v);
      kww_csv += fmt::format(",{},{},{}\n", k.Dva(), k.Fva(), k.Pdc());
    }
    const int ns = t.num_sectors();
    for (int i = 0; i < t.size(); ++i) {
      for (int d = 0; d < t.num_countries(); ++d) {
        fmt::format_to(std::back_inserter(tiva_csv), "{},{},{},{},{}\n", t.year,
                       t.countries[i / ns], t.sectors[i % ns], t.countries[d],
                       tiva.va_in_final_demand(i, d));
      }
    }
    if (a.wwz) {
      RB_ASSIGN_OR_RETURN(io::WwzResult w, io::ComputeWwz(sys));
      for (int s = 0; s < w.num_countries; ++s) {
        for (int r = 0; r < w.num_countries; ++r) {
          if (r == s) continue;
          for (int i = 0; i < w.num_sectors; ++i) {
            const int row = w.Row(s, r, i);
            fmt::format_to(std::back_inserter(wwz_csv), "{},{},{},{},{}", t.year, w.countries[s],
                           w.countries[r], w.sectors[i], w.exports[row]);
            for (int k = 0; k < 16; ++k) {
              fmt::format_to(std::back_inserter(wwz_csv), ",{}", w.terms(row, k));
            }
            wwz_csv += "\n";
          }
        }
      }
    }
    // Summary: largest bilateral surpluses in gross terms, with the VA balance beside.
    std::vector<const io::BilateralBalance*> pairs;
    for (const auto& b : bal) {
      if (b.gross_balance > 0) pairs.push_back(&b);
    }
    std::sort(pairs.begin(), pairs.end(),
              [](auto* x, auto* y) { return x->gross_balance > y->gross_balance; });
    nlohmann::json top_pairs = nlohmann::json::array();
    summary += fmt::format(
        "{} ({}): {} countries x {} sectors, world value added {:.6g}, gross exports {:.6g}; "
        "{} validation warnings\n",
        t.year, t.source, t.num_countries(), t.num_sectors(), sys.v.sum(), tiva.gross_exports.sum(),
        t.validation.NumWarnings());
    for (size_t k = 0; k < pairs.size() && k < static_cast<size_t>(a.top); ++k) {
      const auto* b = pairs[k];
      summary += fmt::format("  {}\u2013{} {}: gross balance {:.0f}, value-added balance {:.0f}\n",
                             b->reporter, b->partner, t.year, b->gross_balance, b->va_balance);
      top_pairs.push_back({{"reporter", b->reporter},
                           {"partner", b->partner},
                           {"gross_balance", b->gross_balance},
                           {"va_balance", b->va_balance}});
    }
    nlohmann::json issues = nlohmann::json::array();
    for (const auto& i : t.validation.issues) {
      issues.push_back({{"severity", io::ToString(i.severity)},
                        {"check", i.check},
                        {"count", i.count},
                        {"max_abs", i.max_abs},
                        {"total", i.total},
                        {"message", i.message}});
    }
    years_js.push_back({{"year", t.year},
                        {"source", t.source},
                        {"countries", t.countries},
                        {"sectors", t.sectors},
                        {"world_value_added", sys.v.sum()},
                        {"world_final_demand", t.f.sum()},
                        {"world_gross_exports", tiva.gross_exports.sum()},
                        {"row_balance_max_abs", t.validation.row_balance_max_abs},
                        {"row_balance_total", t.validation.row_balance_total},
                        {"validation", issues},
                        {"largest_gross_surpluses", top_pairs}});
  }

  std::vector<const io::IoTable*> ptrs;
  for (const auto& t : tables) ptrs.push_back(&t);
  RB_ASSIGN_OR_RETURN(io::OvercapacityResult oc, io::ComputeOvercapacity(ptrs, a.oc));
  const std::string oc_csv = io::OvercapacityCsv(oc);
  const std::string panel_csv = io::OvercapacityCsv(oc, /*panel=*/true);
  nlohmann::json oc_js = nlohmann::json::array();
  for (const auto& r : oc.rows) {
    if (r.rank > std::max(a.top, 50)) continue;  // the top of each group
    oc_js.push_back({{"group", io::ToString(r.group)},
                     {"rank", r.rank},
                     {"country", r.country},
                     {"sector", r.sector},
                     {"sector_name", r.sector_name},
                     {"output_musd", r.output},
                     {"excess_output_musd", r.excess_output},
                     {"excess_output_dva_musd", r.excess_output_dva},
                     {"export_share", JOpt(r.export_share)},
                     {"dva_share", JOpt(r.dva_share)},
                     {"world_output_share", JOpt(r.world_output_share)},
                     {"world_absorption_share", JOpt(r.world_absorption_share)},
                     {"self_sufficiency_ratio", JOpt(r.self_sufficiency)},
                     {"net_exports_over_output_ratio", JOpt(r.net_exports_over_output)},
                     {"d_excess_output_musd", JOpt(r.d_excess_output)},
                     {"imbalance_share", JOpt(r.imbalance_share)},
                     {"flags", r.flags}});
  }
  js["years"] = years_js;
  js["overcapacity"] = {{"first_year", oc.first_year},
                        {"last_year", oc.last_year},
                        {"money_unit", oc.money_unit},
                        {"shares", "fractions in [0, 1]"},
                        {"rank_by", io::ToString(oc.rank_by)},
                        {"ranked_within_groups", a.oc.rank_by_group},
                        {"thresholds",
                         {{"self_sufficiency", a.oc.self_sufficiency_threshold},
                          {"export_share", a.oc.export_share_threshold},
                          {"net_exports", a.oc.net_exports_threshold},
                          {"self_sufficiency_rise", a.oc.self_sufficiency_rise_threshold},
                          {"min_world_output_share", a.oc.min_world_output_share}}},
                        {"top", oc_js}};
  auto path = [&](const char* n) { return (fs::path(a.out) / n).string(); };
  if (Interrupted())
    return Status::Cancelled("interrupted before writing outputs; nothing was written");
  RB_RETURN_IF_ERROR(core::EnsureDirectory(a.out));
  RB_RETURN_IF_ERROR(core::WriteFileAtomic(path("balances.csv"), balances, a.force));
  RB_RETURN_IF_ERROR(core::WriteFileAtomic(path("kww.csv"), kww_csv, a.force));
  RB_RETURN_IF_ERROR(core::WriteFileAtomic(path("tiva.csv"), tiva_csv, a.force));
  RB_RETURN_IF_ERROR(core::WriteFileAtomic(path("overcapacity.csv"), oc_csv, a.force));
  RB_RETURN_IF_ERROR(core::WriteFileAtomic(path("overcapacity_panel.csv"), panel_csv, a.force));
  RB_RETURN_IF_ERROR(core::WriteFileAtomic(path("validation.csv"), validation_csv, a.force));
  if (a.wwz) RB_RETURN_IF_ERROR(core::WriteFileAtomic(path("wwz.csv"), wwz_csv, a.force));
  RB_RETURN_IF_ERROR(core::WriteFileAtomic(
      path("diagnose.json"),
      js.dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace) + "\n", a.force));

  const io::IoTable& last = *ptrs.back();
  auto sector_label = [&](const std::string& code) {
    if (last.sector_names.empty()) return code;
    const auto it = std::find(last.sectors.begin(), last.sectors.end(), code);
    if (it == last.sectors.end()) return code;
    return fmt::format("{} ({})", code, last.sector_names[it - last.sectors.begin()]);
  };
  auto pct = [](const std::optional<double>& v) {
    return v ? fmt::format("{:.1f}%", 100 * *v) : std::string("-");
  };
  const bool dva_first = oc.rank_by == io::OvercapacityRanking::kExcessOutputDva;
  const std::string ranked =
      a.oc.rank_by_group
          ? std::string(io::ToString(oc.rows.empty() ? io::SectorGroup::kManufacturing
                                                     : oc.rows.front().group))
          : std::string("all sectors");
  summary += fmt::format(
      "Overcapacity, {} ({}{}): top {} by output above domestic absorption ({}), in {}\n", ranked,
      oc.last_year,
      oc.first_year != oc.last_year ? fmt::format(", changes since {}", oc.first_year)
                                    : std::string(),
      std::min<size_t>(a.top, oc.rows.size()),
      dva_first ? "in domestic value added" : "gross net exports", oc.money_unit);
  for (size_t k = 0; k < oc.rows.size() && k < static_cast<size_t>(a.top); ++k) {
    const auto& r = oc.rows[k];
    if (a.oc.rank_by_group && r.group != oc.rows.front().group) break;
    std::string flags;
    for (const auto& f : r.flags) flags += (flags.empty() ? "" : ",") + f;
    summary += fmt::format(
        "  {:>3} {} {}: excess {:+.0f} ({} of output), in domestic value added {:+.0f}; exported "
        "{}, "
        "world output share {} vs absorption share {}{}\n",
        r.rank, r.country, sector_label(r.sector), r.excess_output, pct(r.net_exports_over_output),
        r.excess_output_dva, pct(r.export_share), pct(r.world_output_share),
        pct(r.world_absorption_share), flags.empty() ? std::string() : " [" + flags + "]");
  }
  if (a.oc.rank_by_group) {
    for (io::SectorGroup g : {io::SectorGroup::kResources, io::SectorGroup::kServices,
                              io::SectorGroup::kUnclassified}) {
      if (!oc.rows.empty() && g == oc.rows.front().group) continue;
      for (const auto& r : oc.rows) {
        if (r.group != g || r.rank != 1) continue;
        summary +=
            fmt::format("  {} ranked separately (docs/io_tables.md), largest: {} {} {:+.0f}\n",
                        io::ToString(g), r.country, sector_label(r.sector), r.excess_output);
      }
    }
  }
  summary += fmt::format("Wrote {} files to {}\n", names.size(), a.out);
  fmt::print("{}", summary);
  return Status::Ok();
}

void AddDiagnose(CLI::App& root) {
  auto args = std::make_shared<DiagnoseArgs>();
  CLI::App* sub = root.add_subcommand(
      "diagnose",
      "Gross vs value-added trade balances, export decompositions (KWW, WWZ) and overcapacity "
      "indicators from a multi-region input-output table\n\n"
      "Examples (run by the test suite as printed, from the source folder; --years 1995-2011 takes "
      "all 17 years):\n"
      "  rebalance diagnose --wiod ../shared/data/wiod2013_bquast --years 2010-2011 --out diag/\n"
      "  rebalance diagnose --wiod ../shared/data/wiod2013_bquast/wiot2011.csv.gz --map "
      "data/world2011/mapping.csv "
      "--out diag/ --force\n"
      "  rebalance diagnose --icio tests/golden/icio_small/icio_small.csv --wwz --out diag-icio/\n"
      "  rebalance diagnose --long data/world2011/world2011.csv.gz --out diag-long/ --top 20\n"
      "Outputs in DIR: balances.csv (gross and value-added bilateral balances), kww.csv, "
      "tiva.csv, overcapacity.csv (manufacturing, resources and services each ranked by output "
      "above "
      "domestic absorption; money in millions of USD, shares as fractions), "
      "overcapacity_panel.csv, validation.csv, "
      "diagnose.json, wwz.csv (with --wwz).");
  sub->add_option("--wiod", args->wiod, "WIOD 2013 file wiotYYYY.csv.gz or a directory of them");
  sub->add_option("--years", args->years,
                  "Years with --wiod DIR: 2011, 2005,2011 or 1995-2011 (default: all found)");
  sub->add_option("--icio", args->icio, "OECD ICIO CSV file");
  sub->add_option(
      "--long", args->long_file,
      "Long-format CSV (from_country,from_sector,to_country,to_sector_or_category,value)");
  sub->add_option("--decompr", args->decompr,
                  "decompr-style CSV (Country.Sector, FD.<country>, out)");
  sub->add_option("--map", args->map,
                  "Aggregation mapping CSV kind,from,to (kind = country|sector)");
  sub->add_option("--out", args->out, "Output directory")->required();
  sub->add_flag("--force", args->force, "Overwrite existing output files");
  sub->add_flag("--wwz", args->wwz,
                "Also write the 16-term WWZ bilateral-sector decomposition (wwz.csv; large)");
  sub->add_option("--top", args->top, "Rows in the printed summary (default 10)");
  sub->add_option("--output-basis", args->basis,
                  "Gross output for A and v: row_sums (identities hold exactly; default) or "
                  "reported");
  sub->add_option("--zero-output", args->zero_output,
                  "Zero-output sectors with intermediate inputs: drop_inputs (default; counted "
                  "and reported) or error");
  sub->add_option(
      "--rank-by", args->rank_by,
      "Overcapacity ranking: excess_output (output above domestic absorption, gross; default) or "
      "excess_output_dva (in domestic value added), millions of USD");
  sub->add_flag("--all-sectors", args->all_sectors,
                "Rank every sector together (default: manufacturing, resources and services ranked "
                "separately)");
  sub->add_option("--self-sufficiency-threshold", args->oc.self_sufficiency_threshold,
                  "Flag output / domestic absorption at or above this (default 1.25)");
  sub->add_option(
      "--export-share-threshold", args->oc.export_share_threshold,
      "Flag share of output exported at or above this, with positive net exports (default 0.5)");
  sub->add_option("--net-exports-threshold", args->oc.net_exports_threshold,
                  "Flag net exports / output at or above this (default 0.2)");
  sub->add_option("--rise-threshold", args->oc.self_sufficiency_rise_threshold,
                  "Flag a rise in self-sufficiency over the years of at least this (default 0.1)");
  sub->add_option("--min-world-share", args->oc.min_world_output_share,
                  "No flags below this share of world output of the sector (default 0.005)");
  sub->callback([args] { Finish(RunDiagnose(*args)); });
}

Registrar reg(40, AddDiagnose);

}  // namespace
}  // namespace rebalance::app
