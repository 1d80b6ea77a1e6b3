// `rebalance data`: input-output table utilities shared by other commands.
//   data aggregate  aggregate countries/sectors by a mapping, write long format
//   data info       shape, totals and the validation report of a table
#include <filesystem>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "command.h"
#include "rebalance/core/atomic_file.h"
#include "rebalance/io_tables/io_table.h"

namespace rebalance::app {
namespace {

namespace io = rebalance::io_tables;

struct InputArgs {
  std::string wiod, icio, long_file, decompr, file, format;
  int year = 0;
};

// One table from --wiod/--icio/--long/--decompr, or a positional FILE whose
// format is given by --format or detected from its header.
Result<io::IoTable> LoadOne(const InputArgs& a) {
  const int given = !a.wiod.empty() + !a.icio.empty() + !a.long_file.empty() + !a.decompr.empty() +
                    !a.file.empty();
  if (given != 1) {
    return Status::InvalidArgument(
        "give exactly one input: FILE, --wiod, --icio, --long or --decompr");
  }
  if (!a.wiod.empty()) return io::ReadWiod(a.wiod, a.year);
  if (!a.icio.empty()) return io::ReadIcio(a.icio, a.year);
  if (!a.long_file.empty()) return io::ReadLong(a.long_file, a.year);
  if (!a.decompr.empty()) return io::ReadDecompr(a.decompr, a.year);
  io::TableFormat format;
  if (!a.format.empty()) {
    auto f = io::TableFormatFromString(a.format);
    if (!f.ok()) return f.status().WithContext("--format");
    format = *f;
  } else {
    RB_ASSIGN_OR_RETURN(format, io::DetectFormat(a.file));
  }
  return io::ReadIoTable(a.file, format, a.year);
}

void AddInputOptions(CLI::App* sub, InputArgs* a) {
  sub->add_option("--wiod", a->wiod, "WIOD 2013 wiotYYYY.csv.gz (or a directory with --year)");
  sub->add_option("--icio", a->icio, "OECD ICIO CSV file");
  sub->add_option("--long", a->long_file, "Long-format CSV");
  sub->add_option("--decompr", a->decompr, "decompr-style CSV");
  sub->add_option("--year", a->year, "Year (required with a WIOD directory)");
  sub->add_option("--format", a->format,
                  "Format of FILE: wiod, icio, long, decompr (default: detect)");
}

struct AggregateArgs {
  InputArgs in;
  std::string map, out;
  bool force = false;
};

Status RunAggregate(const AggregateArgs& a) {
  if (a.map.empty()) return Status::InvalidArgument("--map MAP.csv is required");
  if (a.out.empty()) return Status::InvalidArgument("--out OUT.csv is required");
  RB_RETURN_IF_ERROR(core::CheckWritable(a.out, a.force));
  RB_ASSIGN_OR_RETURN(io::IoTable t, LoadOne(a.in));
  RB_ASSIGN_OR_RETURN(io::Mapping m, io::ReadMapping(a.map));
  auto agg = t.Aggregate(m);
  if (!agg.ok()) return agg.status().WithContext("--map " + a.map);
  if (Interrupted())
    return Status::Cancelled("interrupted before writing outputs; nothing was written");
  RB_RETURN_IF_ERROR(core::WriteFileAtomic(a.out, io::ToLongCsv(*agg), a.force));
  fmt::print("{}: {} countries x {} sectors -> {} x {}; wrote {}\n", t.source, t.num_countries(),
             t.num_sectors(), agg->num_countries(), agg->num_sectors(), a.out);
  return Status::Ok();
}

Status RunInfo(const InputArgs& a) {
  RB_ASSIGN_OR_RETURN(io::IoTable t, LoadOne(a));
  fmt::print("source: {}\n", t.source);
  if (t.year) fmt::print("year: {}\n", t.year);
  fmt::print(
      "shape: {} countries x {} sectors = {} rows; Z {} x {}; F {} x {} ({} categories: {})\n",
      t.num_countries(), t.num_sectors(), t.size(), t.z.rows(), t.z.cols(), t.f.rows(), t.f.cols(),
      t.num_categories(), fmt::join(t.categories, ", "));
  fmt::print("countries: {}\n", fmt::join(t.countries, " "));
  fmt::print("sectors: {}\n", fmt::join(t.sectors, " "));
  fmt::print(
      "totals: gross output {:.10g}, intermediate use {:.10g}, final demand {:.10g}, "
      "value added (x - colsums Z) {:.10g}\n",
      t.x.sum(), t.z.sum(), t.f.sum(), t.v.sum());
  fmt::print(
      "row balance x - (Z + F row sums): max |d| {:.6g}, total {:.6g}, max relative {:.3g}\n",
      t.validation.row_balance_max_abs, t.validation.row_balance_total,
      t.validation.row_balance_max_rel);
  if (t.validation.issues.empty()) {
    fmt::print("validation: no issues\n");
  } else {
    fmt::print("validation: {} issues\n{}", t.validation.issues.size(), t.validation.ToString());
  }
  return Status::Ok();
}

void AddData(CLI::App& root) {
  CLI::App* data = root.add_subcommand(
      "data",
      "Input-output table utilities: aggregate by a mapping, show shape/totals/validation\n\n"
      "Examples (run by the test suite as printed, from the source folder):\n"
      "  rebalance data info ../shared/data/wiod2013_bquast/wiot2011.csv.gz\n"
      "  rebalance data info --icio tests/golden/icio_small/icio_small.csv\n"
      "  rebalance data aggregate --wiod ../shared/data/wiod2013_bquast/wiot2011.csv.gz "
      "--map data/world2011/mapping.csv --out world2011.csv\n"
      "Mapping files are CSV with header kind,from,to (kind = country | sector); every label of a "
      "mapped dimension must be mapped. The aggregated table is written in the long format\n"
      "from_country,from_sector,to_country,to_sector_or_category,value (OUTPUT rows give x), "
      "which every command accepts with --long.");
  data->require_subcommand(1);

  auto agg = std::make_shared<AggregateArgs>();
  CLI::App* a = data->add_subcommand(
      "aggregate",
      "Aggregate countries and/or sectors by a mapping file and write the long format\n\n"
      "Example:\n"
      "  rebalance data aggregate --wiod ../shared/data/wiod2013_bquast/wiot2011.csv.gz "
      "--map data/world2011/mapping.csv --out world2011.csv");
  a->add_option("file", agg->in.file, "Input table (format detected from the header)");
  AddInputOptions(a, &agg->in);
  a->add_option("--map", agg->map, "Mapping CSV kind,from,to")->required();
  a->add_option("--out", agg->out, "Output CSV (long format)")->required();
  a->add_flag("--force", agg->force, "Overwrite --out if it exists");
  a->callback([agg] { Finish(RunAggregate(*agg)); });

  auto info = std::make_shared<InputArgs>();
  CLI::App* i =
      data->add_subcommand("info",
                           "Shape, totals and validation report of an input-output table\n\n"
                           "Examples:\n"
                           "  rebalance data info ../shared/data/wiod2013_bquast/wiot2011.csv.gz\n"
                           "  rebalance data info data/world2011/world2011.csv.gz --format long");
  i->add_option("file", info->file, "Input table (format detected from the header)");
  AddInputOptions(i, info.get());
  i->callback([info] { Finish(RunInfo(*info)); });
}

Registrar reg(60, AddData);

}  // namespace
}  // namespace rebalance::app
