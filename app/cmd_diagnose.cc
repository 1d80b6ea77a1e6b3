// `rebalance diagnose`: gross vs value-added bilateral balances, KWW
// decomposition of exports, optional WWZ bilateral-sector decomposition and
// overcapacity indicators over one or more years of a multi-region
// input-output table. Parses the flags, reads the tables (io_tables), calls
// report::Diagnose (report/diagnose.h: the files and the summary, also
// rb.write_diagnose in Python), writes the files and prints the summary.
#include <filesystem>

#include <fmt/format.h>

#include "command.h"
#include "rebalance/core/atomic_file.h"
#include "rebalance/io_tables/io_table.h"
#include "rebalance/io_tables/table_years.h"
#include "rebalance/report/diagnose.h"

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

Result<std::vector<io::IoTable>> LoadTables(const DiagnoseArgs& a) {
  const int given = !a.wiod.empty() + !a.icio.empty() + !a.long_file.empty() + !a.decompr.empty();
  if (given != 1) {
    return Status::InvalidArgument("give exactly one input: --wiod, --icio, --long or --decompr");
  }
  std::vector<int> years;
  if (!a.years.empty()) {
    auto y = io::ParseYearList(a.years);
    if (!y.ok()) return y.status().WithContext("--years");
    years = *y;
    if (a.wiod.empty()) {
      return Status::InvalidArgument("--years applies to --wiod (a directory of wiotYYYY files)");
    }
  }
  std::vector<io::IoTable> tables;
  if (!a.wiod.empty()) {
    std::error_code ec;
    if (!fs::is_directory(a.wiod, ec) && years.size() > 1) {
      return Status::InvalidArgument("--years with several years needs --wiod DIR, not a file");
    }
    auto t = io::ReadWiodYears(a.wiod, years);
    if (years.empty() && !t.ok() && t.status().code() == StatusCode::kNotFound &&
        fs::is_directory(a.wiod, ec)) {
      return t.status().WithContext("--wiod");  // no wiotYYYY files in the folder
    }
    RB_ASSIGN_OR_RETURN(tables, std::move(t));
  } else {
    RB_ASSIGN_OR_RETURN(io::IoTable t, !a.icio.empty()        ? io::ReadIcio(a.icio)
                                       : !a.long_file.empty() ? io::ReadLong(a.long_file)
                                                              : io::ReadDecompr(a.decompr));
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

// Flags to options, in the order the checks ran before the library did the work (so the first
// error a user sees is the same); messages name the flags.
Result<report::DiagnoseOptions> Options(const DiagnoseArgs& a) {
  report::DiagnoseOptions o;
  o.overcapacity = a.oc;
  auto r = io::OvercapacityRankingFromString(a.rank_by);
  if (!r.ok()) return r.status().WithContext("--rank-by");
  o.overcapacity.rank_by = *r;
  o.overcapacity.rank_by_group = !a.all_sectors;
  if (a.out.empty()) return Status::InvalidArgument("--out DIR is required");
  if (a.top < 0) return Status::InvalidArgument("--top must be >= 0");
  o.top = a.top;
  RB_RETURN_IF_ERROR(o.overcapacity.Validate());
  auto b = io::OutputBasisFromString(a.basis);
  if (!b.ok()) return b.status().WithContext("--output-basis");
  o.accounting.output_basis = *b;
  auto z = io::ZeroOutputPolicyFromString(a.zero_output);
  if (!z.ok()) return z.status().WithContext("--zero-output");
  o.accounting.zero_output_policy = *z;
  o.wwz = a.wwz;
  o.warning = [](const std::string& w) { fmt::print(stderr, "rebalance: warning: {}\n", w); };
  o.cancelled = [] { return Interrupted(); };
  return o;
}

Status RunDiagnose(const DiagnoseArgs& a) {
  RB_ASSIGN_OR_RETURN(report::DiagnoseOptions options, Options(a));
  const std::vector<std::string> names = report::DiagnoseFileNames(a.wwz);
  RB_RETURN_IF_ERROR(core::CheckOutputFiles(a.out, names, a.force));
  RB_ASSIGN_OR_RETURN(std::vector<io::IoTable> tables, LoadTables(a));
  RB_ASSIGN_OR_RETURN(report::DiagnoseOutputs out, report::Diagnose(tables, options));
  if (Interrupted())
    return Status::Cancelled("interrupted before writing outputs; nothing was written");
  RB_RETURN_IF_ERROR(report::WriteDiagnoseFiles(out, a.out, a.force));
  fmt::print("{}Wrote {} files to {}\n", out.summary, names.size(), a.out);
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
