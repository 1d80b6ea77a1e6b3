// The files and summary of a diagnosis (see diagnose.h): for each year the
// Leontief system (io_tables::BuildLeontief), value added in trade
// (ComputeTiva), bilateral balances, the KWW decomposition and optionally WWZ;
// then the overcapacity indicators over all years. Numbers are written with
// fmt's shortest round-trip form ("{}"), so a CSV read back gives the same
// doubles.
#include "rebalance/report/diagnose.h"

#include <algorithm>
#include <filesystem>
#include <iterator>
#include <optional>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <nlohmann/json.hpp>

#include "rebalance/core/atomic_file.h"
#include "rebalance/data/csv_write.h"

namespace rebalance::report {
namespace {

namespace io = rebalance::io_tables;

nlohmann::json JOpt(const std::optional<double>& v) {
  return v ? nlohmann::json(*v) : nlohmann::json(nullptr);
}

// The csv.gz-free text outputs of one year, appended to the running files.
struct Files {
  std::string balances =
      "year,reporter,partner,gross_exports,gross_imports,gross_balance,va_exports,va_imports,"
      "va_balance\n";
  std::string kww, tiva = "year,origin_country,origin_sector,destination,va_in_final_demand\n";
  std::string wwz, validation = "year,severity,check,count,max_abs,total,message\n";
  nlohmann::json years = nlohmann::json::array();
  std::string summary;
  Files() {
    kww = "year,country,gross_exports";
    for (const char* n : io::KwwResult::TermNames()) kww += fmt::format(",{}", n);
    kww += ",dva,fva,double_counting\n";
    wwz = "year,exporter,importer,sector,gross_exports";
    for (const char* n : io::WwzResult::TermNames()) wwz += fmt::format(",{}", n);
    wwz += "\n";
  }
};

void AddBalancesAndKww(const io::IoTable& t, const std::vector<io::BilateralBalance>& bal,
                       const io::KwwResult& kww, const io::TivaResult& tiva, Files* f) {
  for (const auto& b : bal) {
    fmt::format_to(std::back_inserter(f->balances), "{},{},{},{},{},{},{},{},{}\n", t.year,
                   b.reporter, b.partner, b.gross_exports, b.gross_imports, b.gross_balance,
                   b.va_exports, b.va_imports, b.va_balance);
  }
  for (const auto& k : kww.countries) {
    f->kww += fmt::format("{},{},{}", t.year, k.country, k.gross_exports);
    for (double v : k.terms) f->kww += fmt::format(",{}", v);
    f->kww += fmt::format(",{},{},{}\n", k.Dva(), k.Fva(), k.Pdc());
  }
  const int ns = t.num_sectors();
  for (int i = 0; i < t.size(); ++i) {
    for (int d = 0; d < t.num_countries(); ++d) {
      fmt::format_to(std::back_inserter(f->tiva), "{},{},{},{},{}\n", t.year, t.countries[i / ns],
                     t.sectors[i % ns], t.countries[d], tiva.va_in_final_demand(i, d));
    }
  }
}

void AddWwz(int year, const io::WwzResult& w, std::string* csv) {
  for (int s = 0; s < w.num_countries; ++s) {
    for (int r = 0; r < w.num_countries; ++r) {
      if (r == s) continue;
      for (int i = 0; i < w.num_sectors; ++i) {
        const int row = w.Row(s, r, i);
        fmt::format_to(std::back_inserter(*csv), "{},{},{},{},{}", year, w.countries[s],
                       w.countries[r], w.sectors[i], w.exports[row]);
        for (int k = 0; k < 16; ++k)
          fmt::format_to(std::back_inserter(*csv), ",{}", w.terms(row, k));
        *csv += "\n";
      }
    }
  }
}

// The year's summary lines (largest bilateral surpluses in gross terms, with
// the value-added balance beside) and its diagnose.json entry.
void AddYearSummary(const io::IoTable& t, const io::LeontiefSystem& sys, const io::TivaResult& tiva,
                    const std::vector<io::BilateralBalance>& bal, int top, Files* f) {
  std::vector<const io::BilateralBalance*> pairs;
  for (const auto& b : bal) {
    if (b.gross_balance > 0) pairs.push_back(&b);
  }
  std::sort(pairs.begin(), pairs.end(),
            [](auto* x, auto* y) { return x->gross_balance > y->gross_balance; });
  nlohmann::json top_pairs = nlohmann::json::array();
  f->summary += fmt::format(
      "{} ({}): {} countries x {} sectors, world value added {:.6g}, gross exports {:.6g}; "
      "{} validation warnings\n",
      t.year, t.source, t.num_countries(), t.num_sectors(), sys.v.sum(), tiva.gross_exports.sum(),
      t.validation.NumWarnings());
  for (size_t k = 0; k < pairs.size() && k < static_cast<size_t>(top); ++k) {
    const auto* b = pairs[k];
    f->summary += fmt::format("  {}\u2013{} {}: gross balance {:.0f}, value-added balance {:.0f}\n",
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
  f->years.push_back({{"year", t.year},
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

// One year: validation rows, the accounting, and its summary.
Status AddYear(const io::IoTable& t, const DiagnoseOptions& o, Files* f) {
  for (const auto& i : t.validation.issues) {
    f->validation += fmt::format("{},{},{},{},{},{},{}\n", t.year, io::ToString(i.severity),
                                 i.check, i.count, i.max_abs, i.total, data::CsvField(i.message));
  }
  RB_ASSIGN_OR_RETURN(io::LeontiefSystem sys, io::BuildLeontief(t, o.accounting));
  if (!sys.dropped_input_sectors.empty()) {
    const std::string msg = fmt::format(
        "{} sectors with zero output but positive intermediate use: their {} input cells "
        "(total {:g}) were dropped: {}",
        sys.dropped_input_sectors.size(), sys.dropped_input_cells, sys.dropped_input_total,
        fmt::join(sys.dropped_input_sectors, " "));
    f->validation += fmt::format("{},warning,zero_output_inputs_dropped,{},{},{},{}\n", t.year,
                                 sys.dropped_input_cells, sys.dropped_input_total,
                                 sys.dropped_input_total, data::CsvField(msg));
    if (o.warning) o.warning(fmt::format("{}: {}", t.year, msg));
  }
  RB_ASSIGN_OR_RETURN(io::TivaResult tiva, io::ComputeTiva(sys));
  RB_ASSIGN_OR_RETURN(io::KwwResult kww, io::ComputeKww(sys));
  const auto bal = io::BilateralBalances(sys, tiva);
  AddBalancesAndKww(t, bal, kww, tiva, f);
  if (o.wwz) {
    RB_ASSIGN_OR_RETURN(io::WwzResult w, io::ComputeWwz(sys));
    AddWwz(t.year, w, &f->wwz);
  }
  AddYearSummary(t, sys, tiva, bal, o.top, f);
  return Status::Ok();
}

nlohmann::json OvercapacityJson(const io::OvercapacityResult& oc, const DiagnoseOptions& o) {
  nlohmann::json rows = nlohmann::json::array();
  for (const auto& r : oc.rows) {
    if (r.rank > std::max(o.top, 50)) continue;  // the top of each group
    rows.push_back({{"group", io::ToString(r.group)},
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
  const io::OvercapacityOptions& t = o.overcapacity;
  return {{"first_year", oc.first_year},
          {"last_year", oc.last_year},
          {"money_unit", oc.money_unit},
          {"shares", "fractions in [0, 1]"},
          {"rank_by", io::ToString(oc.rank_by)},
          {"ranked_within_groups", t.rank_by_group},
          {"thresholds",
           {{"self_sufficiency", t.self_sufficiency_threshold},
            {"export_share", t.export_share_threshold},
            {"net_exports", t.net_exports_threshold},
            {"self_sufficiency_rise", t.self_sufficiency_rise_threshold},
            {"min_world_output_share", t.min_world_output_share}}},
          {"top", rows}};
}

// The overcapacity lines of the summary: the ranked group's top rows, then
// the largest of each group ranked separately.
std::string OvercapacitySummary(const io::OvercapacityResult& oc, const io::IoTable& last,
                                const DiagnoseOptions& o) {
  auto sector_label = [&](const std::string& code) {
    if (last.sector_names.empty()) return code;
    const auto it = std::find(last.sectors.begin(), last.sectors.end(), code);
    if (it == last.sectors.end()) return code;
    return fmt::format("{} ({})", code, last.sector_names[it - last.sectors.begin()]);
  };
  auto pct = [](const std::optional<double>& v) {
    return v ? fmt::format("{:.1f}%", 100 * *v) : std::string("-");
  };
  const bool by_group = o.overcapacity.rank_by_group;
  const bool dva_first = oc.rank_by == io::OvercapacityRanking::kExcessOutputDva;
  const std::string ranked =
      by_group ? std::string(io::ToString(oc.rows.empty() ? io::SectorGroup::kManufacturing
                                                          : oc.rows.front().group))
               : std::string("all sectors");
  std::string s = fmt::format(
      "Overcapacity, {} ({}{}): top {} by output above domestic absorption ({}), in {}\n", ranked,
      oc.last_year,
      oc.first_year != oc.last_year ? fmt::format(", changes since {}", oc.first_year)
                                    : std::string(),
      std::min<size_t>(o.top, oc.rows.size()),
      dva_first ? "in domestic value added" : "gross net exports", oc.money_unit);
  for (size_t k = 0; k < oc.rows.size() && k < static_cast<size_t>(o.top); ++k) {
    const auto& r = oc.rows[k];
    if (by_group && r.group != oc.rows.front().group) break;
    std::string flags;
    for (const auto& f : r.flags) flags += (flags.empty() ? "" : ",") + f;
    s += fmt::format(
        "  {:>3} {} {}: excess {:+.0f} ({} of output), in domestic value added {:+.0f}; exported "
        "{}, world output share {} vs absorption share {}{}\n",
        r.rank, r.country, sector_label(r.sector), r.excess_output, pct(r.net_exports_over_output),
        r.excess_output_dva, pct(r.export_share), pct(r.world_output_share),
        pct(r.world_absorption_share), flags.empty() ? std::string() : " [" + flags + "]");
  }
  if (by_group) {
    for (io::SectorGroup g : {io::SectorGroup::kResources, io::SectorGroup::kServices,
                              io::SectorGroup::kUnclassified}) {
      if (!oc.rows.empty() && g == oc.rows.front().group) continue;
      for (const auto& r : oc.rows) {
        if (r.group != g || r.rank != 1) continue;
        s += fmt::format("  {} ranked separately (docs/io_tables.md), largest: {} {} {:+.0f}\n",
                         io::ToString(g), r.country, sector_label(r.sector), r.excess_output);
      }
    }
  }
  return s;
}

}  // namespace

Status DiagnoseOptions::Validate() const {
  if (top < 0) return Status::InvalidArgument(fmt::format("top must be >= 0, got {}", top));
  RB_RETURN_IF_ERROR(overcapacity.Validate());
  return accounting.Validate();
}

std::vector<std::string> DiagnoseFileNames(bool wwz) {
  std::vector<std::string> names = {
      "balances.csv",           "kww.csv",        "tiva.csv",     "overcapacity.csv",
      "overcapacity_panel.csv", "validation.csv", "diagnose.json"};
  if (wwz) names.push_back("wwz.csv");
  return names;
}

Result<DiagnoseOutputs> Diagnose(const std::vector<io::IoTable>& tables,
                                 const DiagnoseOptions& options) {
  RB_RETURN_IF_ERROR(options.Validate());
  if (tables.empty()) return Status::InvalidArgument("diagnose needs at least one table");
  Files f;
  for (const io::IoTable& t : tables) {
    if (options.cancelled && options.cancelled()) return Status::Cancelled("interrupted");
    RB_RETURN_IF_ERROR(AddYear(t, options, &f));
  }
  std::vector<const io::IoTable*> ptrs;
  for (const auto& t : tables) ptrs.push_back(&t);
  RB_ASSIGN_OR_RETURN(io::OvercapacityResult oc,
                      io::ComputeOvercapacity(ptrs, options.overcapacity));
  nlohmann::json js;
  js["command"] = "diagnose";
  js["output_basis"] = io::ToString(options.accounting.output_basis);
  js["units"] = "as in the source table (WIOD: millions of current USD)";
  js["years"] = f.years;
  js["overcapacity"] = OvercapacityJson(oc, options);

  DiagnoseOutputs out;
  // In the order they are written: diagnose.json last but for wwz.csv.
  out.files = {{"balances.csv", std::move(f.balances)},
               {"kww.csv", std::move(f.kww)},
               {"tiva.csv", std::move(f.tiva)},
               {"overcapacity.csv", io::OvercapacityCsv(oc)},
               {"overcapacity_panel.csv", io::OvercapacityCsv(oc, /*panel=*/true)},
               {"validation.csv", std::move(f.validation)}};
  if (options.wwz) out.files.push_back({"wwz.csv", std::move(f.wwz)});
  out.files.push_back(
      {"diagnose.json",
       js.dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace) + "\n"});
  out.summary = f.summary + OvercapacitySummary(oc, *ptrs.back(), options);
  return out;
}

Status WriteDiagnoseFiles(const DiagnoseOutputs& outputs, const std::string& dir, bool force) {
  std::vector<std::string> names;
  for (const auto& file : outputs.files) names.push_back(file.name);
  RB_RETURN_IF_ERROR(core::CheckOutputFiles(dir, names, force));
  RB_RETURN_IF_ERROR(core::EnsureDirectory(dir));
  for (const auto& file : outputs.files) {
    RB_RETURN_IF_ERROR(core::WriteFileAtomic((std::filesystem::path(dir) / file.name).string(),
                                             file.content, force));
  }
  return Status::Ok();
}

}  // namespace rebalance::report
