// `rebalance data update`: balance a table to new totals with GRAS
// (io_tables/update.h) and write it in the long format, with a report.
// Registered after `data` (cmd_data.cc) and added to it, so the two files
// do not touch each other.
#include <algorithm>
#include <optional>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "command.h"
#include "rebalance/core/atomic_file.h"
#include "rebalance/io_tables/backcast.h"
#include "rebalance/io_tables/io_table.h"
#include "rebalance/io_tables/update.h"
#include "rebalance/report/update_outputs.h"

namespace rebalance::app {
namespace {

namespace io = rebalance::io_tables;

struct UpdateArgs {
  std::string file, wiod, long_file, targets, out, report, constraints_csv, unit = "million_usd";
  int year = 0, out_year = 0;
  double tolerance = 1e-10;
  int max_iterations = 10000, top = 20;
  bool force = false, keep_unconverged = false;
};

// The update's summary: sizes, GRAS' brief report, conflicts, negative rows, the cells that moved
// most.
void PrintUpdate(const UpdateArgs& a, const io::IoTable& prior, size_t num_targets,
                 const io::UpdateResult& r) {
  const auto& g = r.gras;
  fmt::print("{}: {} countries x {} sectors, {} targets from {}\n", prior.source,
             prior.num_countries(), prior.num_sectors(), num_targets, a.targets);
  fmt::print("{}\n", g.BriefReport());
  for (const auto& c : g.conflicts) fmt::print("conflict ({}): {}\n", c.kind, c.message);
  if (!r.negative_output_rows.empty()) {
    fmt::print("warning: {} rows sum to a negative number; their output is recorded as 0: {}\n",
               r.negative_output_rows.size(), fmt::join(r.negative_output_rows, ", "));
  }
  if (!r.zero_output_rows.empty()) {
    fmt::print("note: {} rows sum to 0 within the tolerance; their output is recorded as 0: {}\n",
               r.zero_output_rows.size(), fmt::join(r.zero_output_rows, ", "));
  }
  if (!g.moved.empty()) {
    fmt::print("cells that moved most ({}):\n", a.unit);
    for (size_t i = 0; i < g.moved.size() && i < 5; ++i) {
      const auto& m = g.moved[i];
      fmt::print("  {} -> {}: {:.6g} -> {:.6g}\n", r.row_labels[m.row], r.col_labels[m.col],
                 m.prior, m.updated);
    }
  }
}

Status RunUpdate(const UpdateArgs& a) {
  const int given = !a.file.empty() + !a.wiod.empty() + !a.long_file.empty();
  if (given != 1)
    return Status::InvalidArgument("give exactly one input table: FILE, --wiod or --long");
  RB_RETURN_IF_ERROR(core::CheckWritable(a.out, a.force));
  if (!a.report.empty()) RB_RETURN_IF_ERROR(core::CheckWritable(a.report, a.force));
  if (!a.constraints_csv.empty())
    RB_RETURN_IF_ERROR(core::CheckWritable(a.constraints_csv, a.force));
  io::UpdateOptions opt;
  opt.table_unit = a.unit;
  opt.gras.tolerance = a.tolerance;
  opt.gras.max_iterations = a.max_iterations;
  opt.gras.top_moved = a.top;
  if (auto s = opt.Validate(); !s.ok()) {
    return Status::InvalidArgument(s.message() +
                                   " (--tolerance, --max-iterations, --top, --table-unit)");
  }
  Result<io::IoTable> prior = Status::Internal("no input");
  if (!a.wiod.empty()) {
    prior = io::ReadWiod(a.wiod, a.year);
  } else if (!a.long_file.empty()) {
    prior = io::ReadLong(a.long_file, a.year);
  } else {
    auto format = io::DetectFormat(a.file);
    if (!format.ok()) return format.status();
    prior = io::ReadIoTable(a.file, *format, a.year);
  }
  if (!prior.ok()) return prior.status();
  RB_ASSIGN_OR_RETURN(std::vector<io::TableTarget> targets, io::ReadTargets(a.targets));
  RB_ASSIGN_OR_RETURN(io::UpdateResult r, io::UpdateTable(*prior, targets, opt));
  if (a.out_year) r.table.year = a.out_year;
  if (Interrupted())
    return Status::Cancelled("interrupted before writing outputs; nothing was written");

  const auto& g = r.gras;
  if (!a.report.empty()) {
    const std::string js =
        report::UpdateReportJson(r, prior->source, {a.targets, a.unit, a.tolerance});
    RB_RETURN_IF_ERROR(core::WriteFileAtomic(a.report, js, a.force));
  }
  if (!a.constraints_csv.empty()) {
    RB_RETURN_IF_ERROR(
        core::WriteFileAtomic(a.constraints_csv, io::ConstraintReportCsv(r), a.force));
  }
  PrintUpdate(a, *prior, targets.size(), r);
  if (!g.converged() && !a.keep_unconverged) {
    const Status s = Status::NotConverged(fmt::format(
        "GRAS {}: {}; the table was not written (--keep-unconverged writes it anyway){}",
        io::ToString(g.termination), g.message, a.report.empty() ? "" : "; see " + a.report));
    return s;
  }
  RB_RETURN_IF_ERROR(core::WriteFileAtomic(a.out, io::ToLongCsv(r.table), a.force));
  fmt::print("wrote {} (long format, {}){}\n", a.out, a.unit,
             g.converged() ? "" : " NOT CONVERGED");
  return g.converged() ? Status::Ok()
                       : Status::NotConverged("GRAS " + std::string(io::ToString(g.termination)) +
                                              ": " + g.message);
}

struct BackcastArgs {
  std::string wiod, map, out, csv, goods = "c1-c16";
  std::vector<int> from = {2005, 2008};
  int to = 2011;
  double trade_se = 0;
  std::string recipe = "issue";
  int max_iterations = 10000;
  bool force = false;
};

// "c1-c16" or "c1;c2;c5".
std::vector<std::string> GoodsList(const std::string& spec) {
  std::vector<std::string> out;
  const auto dash = spec.find('-');
  if (dash != std::string::npos && spec[0] == 'c') {
    const int a = std::stoi(spec.substr(1, dash - 1)), b = std::stoi(spec.substr(dash + 2));
    for (int i = a; i <= b; ++i) out.push_back(fmt::format("c{}", i));
    return out;
  }
  size_t start = 0;
  while (start <= spec.size()) {
    size_t end = spec.find(';', start);
    if (end == std::string::npos) end = spec.size();
    if (end > start) out.push_back(spec.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

Status RunBackcast(const BackcastArgs& a) {
  if (!a.out.empty()) RB_RETURN_IF_ERROR(core::CheckWritable(a.out, a.force));
  if (!a.csv.empty()) RB_RETURN_IF_ERROR(core::CheckWritable(a.csv, a.force));
  io::TargetSpec spec;
  try {
    spec.goods_sectors = GoodsList(a.goods);
  } catch (const std::exception&) {
    return Status::InvalidArgument(
        fmt::format("--goods '{}': use a range like c1-c16 or a list c1;c2", a.goods));
  }
  spec.trade_relative_se = a.trade_se;
  if (a.recipe == "world2022") {
    // The targets world2022 is built from (scripts/world2022_targets.py): no
    // final demand by destination; final sales by row; own-country sales for
    // one-economy regions; trade soft.
    spec.final_demand = false;
    spec.final_sales = true;
    spec.domestic_sales = true;
    if (!a.map.empty()) {
      // EU and ROW are groups of economies: no own-region sales in the ADB summary.
      spec.domestic_sales_countries = {};
    }
  } else if (a.recipe != "issue") {
    return Status::InvalidArgument("--recipe: use issue or world2022");
  }
  std::optional<io::Mapping> map;
  if (!a.map.empty()) {
    RB_ASSIGN_OR_RETURN(io::Mapping m, io::ReadMapping(a.map));
    map = std::move(m);
    // Goods sectors are given as WIOD codes; after aggregation they are the
    // mapped sectors (every code of a mapped sector must be a goods code).
    if (!map->sector.empty()) {
      std::vector<std::string> mapped;
      for (const auto& g : spec.goods_sectors) {
        auto it = map->sector.find(g);
        if (it == map->sector.end())
          return Status::NotFound(fmt::format("--goods: '{}' is not in --map", g));
        if (std::find(mapped.begin(), mapped.end(), it->second) == mapped.end())
          mapped.push_back(it->second);
      }
      for (const auto& [from, to] : map->sector) {
        const bool goods = std::find(spec.goods_sectors.begin(), spec.goods_sectors.end(), from) !=
                           spec.goods_sectors.end();
        if (!goods && std::find(mapped.begin(), mapped.end(), to) != mapped.end()) {
          return Status::InvalidArgument(
              fmt::format("--goods: mapped sector '{}' mixes goods and '{}'", to, from));
        }
      }
      spec.goods_sectors = mapped;
    }
  }
  auto load = [&](int year) -> Result<io::IoTable> {
    RB_ASSIGN_OR_RETURN(io::IoTable t, io::ReadWiod(a.wiod, year));
    if (!map) return t;
    auto agg = t.Aggregate(*map);
    if (!agg.ok()) return agg.status().WithContext("--map " + a.map);
    return agg;
  };
  RB_ASSIGN_OR_RETURN(io::IoTable truth, load(a.to));
  if (a.recipe == "world2022") {
    for (const auto& c : truth.countries) {
      if (c != "EU" && c != "ROW") spec.domestic_sales_countries.push_back(c);
    }
  }
  std::vector<report::BackcastYear> years;
  for (int from : a.from) {
    RB_ASSIGN_OR_RETURN(io::IoTable old_table, load(from));
    io::UpdateOptions opt;
    opt.gras.max_iterations = a.max_iterations;
    RB_ASSIGN_OR_RETURN(io::BackcastResult r, io::Backcast(old_table, truth, spec, opt));
    years.push_back({from, std::move(r)});
    if (Interrupted()) return Status::Cancelled("interrupted");
  }
  const std::string md = report::BackcastMarkdown(a.recipe, years, a.to, truth, a.map);
  fmt::print("{}", md);
  if (!a.out.empty()) RB_RETURN_IF_ERROR(core::WriteFileAtomic(a.out, md, a.force));
  if (!a.csv.empty()) {
    const std::string csv = report::BackcastCsv(a.recipe, years, a.to, truth);
    RB_RETURN_IF_ERROR(core::WriteFileAtomic(a.csv, csv, a.force));
  }
  return Status::Ok();
}

void AddDataUpdate(CLI::App& root) {
  CLI::App* data = nullptr;
  try {
    data = root.get_subcommand("data");
  } catch (const CLI::OptionNotFound&) {
    return;
  }
  auto args = std::make_shared<UpdateArgs>();
  CLI::App* u =
      data->add_subcommand("update",
                           "Balance a table's intermediate and final-demand blocks to new totals "
                           "(GRAS, negative cells kept)\n\n"
                           "Examples:\n"
                           "  rebalance data update --long data/world2011/world2011.csv.gz \\\n"
                           "      --targets examples/update/world2011_chn_electrical.csv --out "
                           "updated.csv --report update.json\n"
                           "Targets file (CSV, see docs/io_tables.md): "
                           "kind,from_country,from_sector,to_country,to_column,value,\n"
                           "unit,relative_se,group,name with kind = output | intermediate_inputs | "
                           "value_added | final_demand |\n"
                           "block; selectors are labels, lists a;b;c or *. relative_se 0 = exact. "
                           "Exit 3 when GRAS does not\n"
                           "converge or exact targets conflict (the report says which).");
  u->add_option("file", args->file, "Input table (format detected from the header)");
  u->add_option("--wiod", args->wiod, "WIOD 2013 wiotYYYY.csv.gz");
  u->add_option("--long", args->long_file, "Long-format CSV");
  u->add_option("--year", args->year, "Year of the input (with a WIOD directory)");
  u->add_option("--targets", args->targets, "Targets CSV")->required();
  u->add_option("--out", args->out, "Updated table (long format)")->required();
  u->add_option("--out-year", args->out_year, "Year recorded for the updated table");
  u->add_option("--report", args->report,
                "JSON report: iterations, constraint errors, conflicts, cells moved");
  u->add_option("--constraints-csv", args->constraints_csv,
                "CSV of each constraint's target, result and error");
  u->add_option("--table-unit", args->unit, "Unit of the table's cells (default million_usd)");
  u->add_option("--tolerance", args->tolerance,
                "Relative tolerance of the constraints (default 1e-10)");
  u->add_option("--max-iterations", args->max_iterations,
                "Sweeps over the constraints (default 10000)");
  u->add_option("--top", args->top, "Cells listed as moved most (default 20)");
  u->add_flag("--keep-unconverged", args->keep_unconverged,
              "Write the table even if GRAS did not converge");
  u->add_flag("--force", args->force, "Overwrite outputs");
  u->callback([args] { Finish(RunUpdate(*args)); });

  auto bargs = std::make_shared<BackcastArgs>();
  CLI::App* b = data->add_subcommand(
      "backcast",
      "Back-casting test of `data update`: update old WIOD years to the totals of a newer year and "
      "compare\n"
      "with the true newer table, against the old table scaled proportionally and unchanged\n\n"
      "Example:\n"
      "  rebalance data backcast --wiod ../shared/data/wiod2013_bquast --from 2008 --to 2011 \\\n"
      "      --map data/world2011/mapping.csv --out bc.md");
  b->add_option("--wiod", bargs->wiod, "WIOD directory (wiotYYYY.csv.gz)")->required();
  b->add_option("--from", bargs->from, "Old years (comma-separated)")->delimiter(',');
  b->add_option("--to", bargs->to, "Year whose totals are used and whose table is the truth");
  b->add_option("--map", bargs->map, "Aggregate both tables by this mapping first (kind,from,to)");
  b->add_option("--goods", bargs->goods, "Goods sectors of the trade targets (default c1-c16)");
  b->add_option("--trade-se", bargs->trade_se,
                "relative_se of the trade targets (default 0: exact)");
  b->add_option(
      "--recipe", bargs->recipe,
      "Targets: issue (output, value added, final demand by destination, goods trade) or world2022 "
      "(output, value added, final sales by row, own-country sales except EU/ROW, goods trade)");
  b->add_option("--max-iterations", bargs->max_iterations, "GRAS sweeps (default 10000)");
  b->add_option("--out", bargs->out, "Markdown table");
  b->add_option("--csv", bargs->csv,
                "The same figures as CSV (fractions; data/world2022/backcast.csv is one)");
  b->add_flag("--force", bargs->force, "Overwrite --out");
  b->callback([bargs] { Finish(RunBackcast(*bargs)); });
}

Registrar reg(61, AddDataUpdate);

}  // namespace
}  // namespace rebalance::app
