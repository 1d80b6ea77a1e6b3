// `rebalance estimate`: PPML / OLS with high-dimensional fixed effects from a
// CSV file. Parses the options, reads only the columns the model uses, calls
// econ::Estimate, prints the coefficient table and writes the requested
// output files atomically. Output paths are checked before the (possibly
// long) estimation so that a refusal to overwrite costs nothing; a
// non-converged estimate is an error (exit code 3) and writes no numbers.
// --distributed over K ranks: rank r reads part r of the file
// (mpi::ReadCsvShare) and the estimation combines the ranks' sums
// (mpi::EstimateDistributed); rank 0 prints and writes, gathering the fitted
// values for --save-fitted. Errors are agreed over the ranks and printed by
// rank 0 only.
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <iterator>
#include <memory>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "command.h"
#include "option_flags.h"
#include "rebalance/core/atomic_file.h"
#include "rebalance/data/csv.h"
#include "rebalance/data/csv_sniff.h"
#include "rebalance/data/csv_write.h"
#include "rebalance/data/formula.h"
#include "rebalance/econ/ppml.h"
#include "rebalance/report/etable.h"
#ifdef REBALANCE_HAVE_MPI
#include "rebalance/mpi/driver.h"
#include "rebalance/mpi/estimate.h"
#endif

namespace rebalance::app {
namespace {

struct EstimateArgs {
  std::string input;
  std::vector<std::string> formulas;  // one per -f; each may hold sw() / csw()
  std::string etable;                 // comparison table file (.txt .csv .tex .md)
  std::string sep = "auto";
  std::string where;
  std::string weights;
  std::string offset;
  // family, vcov, ssc, --tol, --max-iter, threads and the other options of
  // the registry (econ::EstimateOptionTable), one flag each.
  OptionFlags<econ::EstimateOptions> options{econ::EstimateOptionTable()};
  std::string json;
  std::string save_fe;
  std::string save_fitted;
  bool force = false;
  bool quiet = false;
  bool distributed = false;
};

// A column the model reads, and which option asked for it (for messages).
struct UsedColumn {
  std::string name;
  std::string origin;    // "formula", "--where", "--weights", ...
  bool numeric = false;  // read as f64 (outcome, regressors, weights, offset)
};

void AddUsed(std::vector<UsedColumn>* used, const std::string& name, const std::string& origin,
             bool numeric) {
  for (auto& u : *used) {
    if (u.name == name) {
      u.numeric = u.numeric || numeric;
      return;
    }
  }
  used->push_back({name, origin, numeric});
}

std::string Trim(std::string s) {
  const auto b = s.find_first_not_of(" \t");
  const auto e = s.find_last_not_of(" \t");
  return b == std::string::npos ? "" : s.substr(b, e - b + 1);
}

// "cluster:a+b" -> {"a","b"}; "iid"/"hetero"/"robust" -> {}.
Result<std::vector<std::string>> ClusterColumns(const std::string& vcov) {
  if (vcov == "iid" || vcov == "hetero" || vcov == "robust") {
    return std::vector<std::string>{};
  }
  constexpr std::string_view kPrefix = "cluster:";
  if (vcov.rfind(kPrefix, 0) != 0) {
    return Status::InvalidArgument(
        fmt::format("--vcov '{}': expected hetero (or robust), iid, cluster:COL or "
                    "cluster:COL1+COL2",
                    vcov));
  }
  std::vector<std::string> cols;
  std::string rest = vcov.substr(kPrefix.size());
  size_t start = 0;
  while (true) {
    const size_t plus = rest.find('+', start);
    std::string col =
        Trim(rest.substr(start, plus == std::string::npos ? std::string::npos : plus - start));
    if (col.empty()) {
      return Status::InvalidArgument(
          fmt::format("--vcov '{}': empty cluster column name; expected "
                      "cluster:COL or cluster:COL1+COL2",
                      vcov));
    }
    if (std::find(cols.begin(), cols.end(), col) != cols.end()) {
      return Status::InvalidArgument(
          fmt::format("--vcov '{}': cluster column '{}' given twice", vcov, col));
    }
    cols.push_back(col);
    if (plus == std::string::npos) break;
    start = plus + 1;
  }
  return cols;
}

// With several ranks: the first failing rank's status on every rank.
Status AgreeWithRanks(int ranks, const Status& local) {
#ifdef REBALANCE_HAVE_MPI
  if (ranks > 1) return mpi::AgreeAcrossRanks(local);
#endif
  (void)ranks;
  return local;
}

double Seconds(std::chrono::steady_clock::time_point since) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - since).count();
}

// Options first: everything that can be checked without data.
Result<econ::EstimateOptions> OptionsFromArgs(const EstimateArgs& args) {
  econ::EstimateOptions opt;
  opt.formula = args.formulas.empty() ? "" : args.formulas[0];
  opt.where = args.where;
  opt.weights = args.weights;
  opt.offset = args.offset;
  opt.keep_fitted = !args.save_fitted.empty();
  opt.keep_fixed_effects = !args.save_fe.empty();
  // The registry's flags, checked when parsed (messages name the flag).
  RB_RETURN_IF_ERROR(args.options.Apply(&opt));
  RB_RETURN_IF_ERROR(opt.Validate());
  return opt;
}

// Every model of the -f options, sw() / csw() expanded, in order.
Result<std::vector<data::Formula>> ModelsFromArgs(const EstimateArgs& args) {
  std::vector<data::Formula> models;
  for (const auto& text : args.formulas) {
    RB_ASSIGN_OR_RETURN(std::vector<data::Formula> some, data::ExpandFormulas(text));
    for (auto& f : some) models.push_back(std::move(f));
  }
  if (models.size() > 1) {
    for (const auto& [flag, value] :
         std::vector<std::pair<const char*, std::string>>{{"--json", args.json},
                                                          {"--save-fe", args.save_fe},
                                                          {"--save-fitted", args.save_fitted}}) {
      if (!value.empty()) {
        return Status::InvalidArgument(
            fmt::format("{} writes one model's results, and the formulas give {} models; write the "
                        "comparison table with --etable FILE, or run one model per call",
                        flag, models.size()));
      }
    }
    if (args.distributed) {
      return Status::InvalidArgument(fmt::format(
          "--distributed estimates one model, and the formulas give {}", models.size()));
    }
  }
  return models;
}

// Outputs: distinct, and not silently overwritten (checked before the work).
Status CheckOutputs(const EstimateArgs& args, int rank, int ranks) {
  std::vector<std::pair<std::string, std::string>> outputs;  // option, path
  if (!args.json.empty()) outputs.emplace_back("--json", args.json);
  if (!args.save_fe.empty()) outputs.emplace_back("--save-fe", args.save_fe);
  if (!args.save_fitted.empty()) outputs.emplace_back("--save-fitted", args.save_fitted);
  if (!args.etable.empty()) outputs.emplace_back("--etable", args.etable);
  for (size_t i = 0; i < outputs.size(); ++i) {
    if (outputs[i].second == args.input) {
      return Status::InvalidArgument(
          fmt::format("{} '{}' is the input file", outputs[i].first, outputs[i].second));
    }
    for (size_t j = 0; j < i; ++j) {
      if (outputs[i].second == outputs[j].second) {
        return Status::InvalidArgument(fmt::format("{} and {} name the same file '{}'",
                                                   outputs[j].first, outputs[i].first,
                                                   outputs[i].second));
      }
    }
    // Only rank 0 writes, so only rank 0 checks (and tells the others).
    if (rank == 0) {
      RB_RETURN_IF_ERROR(AgreeWithRanks(
          ranks, core::CheckWritable(outputs[i].second, args.force).WithContext(outputs[i].first)));
    } else {
      RB_RETURN_IF_ERROR(AgreeWithRanks(ranks, Status::Ok()));
    }
  }
  return Status::Ok();
}

// The columns the models read; numeric roles are read as f64 so that text
// in them is reported with file, line and column by the reader.
std::vector<UsedColumn> ColumnsToRead(const EstimateArgs& args,
                                      const std::vector<data::Formula>& models,
                                      const data::Filter& filter,
                                      const std::vector<std::string>& clusters) {
  std::vector<UsedColumn> used;
  for (const auto& formula : models) {
    AddUsed(&used, formula.lhs, "formula", true);
    for (const auto& t : formula.regressors) {
      // The factor of i(f, ...) may hold text; every other column is a number.
      const bool factor = t.kind == data::Term::Kind::kFactor;
      for (const auto& c : t.Columns()) AddUsed(&used, c, "formula", !(factor && c == t.column));
    }
    for (const auto& fe : formula.fixed_effects) {
      for (const auto& c : fe.columns) AddUsed(&used, c, "formula", false);
    }
  }
  for (const auto& c : filter.Columns()) AddUsed(&used, c, "--where", false);
  if (!args.weights.empty()) AddUsed(&used, args.weights, "--weights", true);
  if (!args.offset.empty()) AddUsed(&used, args.offset, "--offset", true);
  for (const auto& c : clusters) AddUsed(&used, c, "--vcov", false);
  return used;
}

// Reads the used columns (with several ranks, this rank's part of the rows).
Result<data::Table> ReadInput(const EstimateArgs& args, const std::vector<UsedColumn>& used,
                              int threads, int rank, int ranks, bool quiet, int64_t* first_row) {
  data::CsvOptions csv;
  csv.threads = threads;
  {
    auto sep = data::ResolveSeparator(args.input, args.sep);
    if (!sep.ok()) return sep.status().WithContext("--sep");
    csv.delimiter = *sep;
    if (!quiet && *sep != ',') {
      fmt::print(stderr, "separator {}{}\n", data::SeparatorName(*sep),
                 args.sep == "auto" ? " (detected from the header)" : "");
    }
  }
  for (const auto& u : used) {
    csv.select.push_back(u.name);
    if (u.numeric) csv.types[u.name] = data::ColumnType::kF64;
  }
  const auto t_read = std::chrono::steady_clock::now();
  if (!quiet) fmt::print(stderr, "reading {} ({} columns)\n", args.input, used.size());
  auto table = [&]() -> Result<data::Table> {
#ifdef REBALANCE_HAVE_MPI
    if (ranks > 1) {
      mpi::CommStats read_comm;
      RB_ASSIGN_OR_RETURN(mpi::CsvShare share, mpi::ReadCsvShare(args.input, csv, &read_comm));
      *first_row = share.first_row;
      if (!args.quiet) {
        // Every rank says what it read (tests/cli/mpi_estimate.sh checks it).
        fmt::print(stderr, "rank {} of {} read {} rows (data rows {}-{} of {}) in {:.2f} s\n", rank,
                   ranks, share.table.num_rows(), share.first_row + 1,
                   share.first_row + share.table.num_rows(), share.total_rows, Seconds(t_read));
      }
      return std::move(share.table);
    }
#endif
    (void)rank;
    return data::ReadCsv(args.input, csv);
  }();
  if (!table.ok()) {
    const Status& st = table.status();
    // Say which option referred to a column that is not in the header.
    if (st.code() == StatusCode::kNotFound) {
      for (const auto& u : used) {
        if (st.message().find(fmt::format("column '{}'", u.name)) != std::string::npos) {
          return st.WithContext(u.origin);
        }
      }
    }
    return st;
  }
  table->source = args.input;
  if (!quiet && ranks == 1) {
    fmt::print(stderr, "read {} rows in {:.2f} s\n", table->num_rows(), Seconds(t_read));
  }
  return table;
}

// One model, on this process or split over the MPI ranks.
Result<econ::EstimateResult> EstimateModel(const data::Table& table,
                                           const econ::EstimateOptions& opt,
                                           const EstimateArgs& args, int ranks, int64_t first_row,
                                           bool quiet) {
  econ::EstimateResult result;
  if (args.distributed) {
#ifdef REBALANCE_HAVE_MPI
    mpi::CommStats comm;
    std::vector<mpi::PhaseStats> phases;
    RB_ASSIGN_OR_RETURN(result, mpi::EstimateDistributed(table, opt, first_row, &comm, &phases));
    if (!quiet) {
      fmt::print(stderr,
                 "distributed over {} rank(s), each holding its part of the rows. "
                 "Rank 0: {} allreduce and {} allgather calls, {} bytes, {:.3f} s "
                 "in MPI\n",
                 ranks, comm.allreduce_calls, comm.allgather_calls, comm.bytes, comm.seconds);
      for (const auto& ph : phases) {
        const bool irls = ph.name == "irls";
        fmt::print(
            stderr, "  {:<26} {:8.3f} s, {:6} calls, {:13} bytes, {:.3f} s in MPI{}\n", ph.name,
            ph.wall_seconds, ph.comm.allreduce_calls + ph.comm.allgather_calls, ph.comm.bytes,
            ph.comm.seconds,
            irls ? fmt::format(" ({} steps: {:.3f} s and {:.0f} bytes per step)", result.iterations,
                               ph.wall_seconds / std::max(1, result.iterations),
                               static_cast<double>(ph.comm.bytes) / std::max(1, result.iterations))
                 : std::string());
      }
    }
    if (!args.save_fitted.empty() && ranks > 1 && result.converged()) {
      RB_RETURN_IF_ERROR(mpi::GatherFitted(result));
    }
#endif
    (void)ranks, (void)first_row, (void)quiet;
    return result;
  }
  return econ::Estimate(table, opt);
}

Status NotConverged(const econ::EstimateResult& result, const std::string& which) {
  fmt::print(stderr,
             "rebalance: warning: the estimation{} did NOT converge; no "
             "results are reported\n{}\n",
             which, result.BriefReport());
  return Status::NotConverged(
      fmt::format("estimation{} stopped without converging ({}) after {} "
                  "iterations{}; no output was written "
                  "(raise --max-iter or loosen --tol)",
                  which, econ::ToString(result.termination), result.iterations,
                  result.message.empty() ? "" : ": " + result.message));
}

// --json, --save-fe and --save-fitted of one model.
Status WriteModelOutputs(const EstimateArgs& args, const econ::EstimateResult& result) {
  if (!args.json.empty()) {
    RB_RETURN_IF_ERROR(core::WriteFileAtomic(args.json, result.ToJson(), args.force));
    if (!args.quiet) fmt::print(stderr, "wrote {}\n", args.json);
  }
  if (!args.save_fe.empty()) {
    fmt::memory_buffer out;
    fmt::format_to(std::back_inserter(out), "dimension,label,value\n");
    size_t count = 0;
    for (const auto& fe : result.fixed_effects) {
      if (fe.labels.size() != fe.values.size()) {
        return Status::Internal(fmt::format("fixed effect '{}': {} labels but {} values", fe.name,
                                            fe.labels.size(), fe.values.size()));
      }
      const std::string dim = data::CsvField(fe.name);
      for (size_t g = 0; g < fe.values.size(); ++g) {
        fmt::format_to(std::back_inserter(out), "{},{},{}\n", dim, data::CsvField(fe.labels[g]),
                       fe.values[g]);
      }
      count += fe.values.size();
    }
    RB_RETURN_IF_ERROR(
        core::WriteFileAtomic(args.save_fe, std::string_view(out.data(), out.size()), args.force));
    if (!args.quiet)
      fmt::print(stderr, "wrote {} ({} fixed-effect estimates)\n", args.save_fe, count);
  }
  if (!args.save_fitted.empty()) {
    if (result.fitted.size() != result.sample_rows.size()) {
      return Status::Internal(fmt::format("{} fitted values for {} sample rows",
                                          result.fitted.size(), result.sample_rows.size()));
    }
    // row: the 1-based data row of the input (1 = the first line after the
    // header; blank lines are not counted).
    fmt::memory_buffer out;
    fmt::format_to(std::back_inserter(out), "row,fitted\n");
    for (size_t i = 0; i < result.fitted.size(); ++i) {
      fmt::format_to(std::back_inserter(out), "{},{}\n", result.sample_rows[i] + 1,
                     result.fitted[i]);
    }
    RB_RETURN_IF_ERROR(core::WriteFileAtomic(args.save_fitted,
                                             std::string_view(out.data(), out.size()), args.force));
    if (!args.quiet)
      fmt::print(stderr, "wrote {} ({} fitted values)\n", args.save_fitted, result.fitted.size());
  }
  return Status::Ok();
}

// Prints the table of one model (its full report) or of several (the
// comparison table), and writes --etable.
Status PrintAndWriteTables(const EstimateArgs& args,
                           const std::vector<econ::EstimateResult>& results) {
  std::vector<const econ::EstimateResult*> fits;
  for (const auto& r : results) fits.push_back(&r);
  if (results.size() == 1) {
    fmt::print("{}", results[0].FullReport());
  } else {
    RB_ASSIGN_OR_RETURN(std::string text, report::Etable(fits));
    fmt::print("{}", text);
  }
  std::fflush(stdout);
  if (!args.etable.empty()) {
    report::EtableOptions eo;
    RB_ASSIGN_OR_RETURN(eo.format, report::EtableFormatFromPath(args.etable));
    RB_ASSIGN_OR_RETURN(std::string table, report::Etable(fits, eo));
    RB_RETURN_IF_ERROR(core::WriteFileAtomic(args.etable, table, args.force));
    if (!args.quiet) fmt::print(stderr, "wrote {} ({} table)\n", args.etable, ToString(eo.format));
  }
  return Status::Ok();
}

Status RunEstimate(const EstimateArgs& args, int* rank_out) {
  RB_ASSIGN_OR_RETURN(econ::EstimateOptions opt, OptionsFromArgs(args));
  RB_ASSIGN_OR_RETURN(std::vector<data::Formula> models, ModelsFromArgs(args));
  if (!args.etable.empty()) {
    RB_RETURN_IF_ERROR(report::EtableFormatFromPath(args.etable).status().WithContext("--etable"));
  }
  // --distributed: each rank of the mpirun job reads its part of the file,
  // and the estimation is split over the ranks (econ::Distribution); rank 0
  // prints and writes.
  int rank = 0, ranks = 1;
  if (args.distributed) {
#ifdef REBALANCE_HAVE_MPI
    RB_RETURN_IF_ERROR(mpi::EnsureInitialized());
    rank = mpi::Rank();
    ranks = mpi::Size();
    *rank_out = rank;
#else
    return Status::InvalidArgument(
        "--distributed: this rebalance was built without MPI "
        "(configure with -DREBALANCE_BUILD_MPI=ON and Open MPI installed)");
#endif
  }
  const bool quiet = args.quiet || rank != 0;
  if (!quiet && models.size() == 1) {
    opt.iteration_callback = [](const econ::IterationRecord& r) {
      fmt::print(stderr, "{}\n", r.text);
    };
  }

  data::Filter filter;
  if (!args.where.empty()) {
    RB_ASSIGN_OR_RETURN(filter, data::ParseFilter(args.where));
  }
  RB_ASSIGN_OR_RETURN(std::vector<std::string> clusters, ClusterColumns(opt.vcov));
  RB_RETURN_IF_ERROR(CheckOutputs(args, rank, ranks));
  const std::vector<UsedColumn> used = ColumnsToRead(args, models, filter, clusters);
  int64_t first_row = 0;
  RB_ASSIGN_OR_RETURN(data::Table table,
                      ReadInput(args, used, opt.threads, rank, ranks, quiet, &first_row));

  std::vector<econ::EstimateResult> results;
  for (size_t m = 0; m < models.size(); ++m) {
    const std::string which =
        models.size() == 1 ? "" : fmt::format(" of model {} ({})", m + 1, models[m].ToString());
    if (models.size() > 1) {
      opt.formula = models[m].ToString();
      if (!quiet) fmt::print(stderr, "model {} of {}: {}\n", m + 1, models.size(), opt.formula);
    }
    // One model on one process: the table is given up, so that the estimation
    // frees its columns as it goes (lower peak memory, fewer fresh pages).
    auto result = models.size() == 1 && !args.distributed
                      ? econ::Estimate(std::move(table), opt)
                      : EstimateModel(table, opt, args, ranks, first_row, quiet);
    if (!result.ok()) {
      return models.size() == 1
                 ? result.status()
                 : result.status().WithContext(fmt::format("model {} ({})", m + 1, opt.formula));
    }
    if (rank != 0) {  // rank 0 prints and writes
      return result->converged() ? Status::Ok()
                                 : Status::NotConverged("estimation stopped without converging");
    }
    if (!result->converged()) return NotConverged(*result, which);
    results.push_back(std::move(*result));
  }
  if (Interrupted()) {
    return Status::Cancelled("interrupted before writing outputs; nothing was written");
  }
  RB_RETURN_IF_ERROR(PrintAndWriteTables(args, results));
  return models.size() == 1 ? WriteModelOutputs(args, results[0]) : Status::Ok();
}

void AddEstimate(CLI::App& root) {
  auto args = std::make_shared<EstimateArgs>();
  CLI::App* sub = root.add_subcommand(
      "estimate",
      "PPML (Poisson) or OLS with high-dimensional fixed "
      "effects from a CSV file\n\n"
      "Examples (run by the test suite as printed, from the source folder):\n"
      "  # Yotov et al. (2016), ch. 1, application 1: distance elasticity, international flows\n"
      "  rebalance estimate ../shared/data/yotov2016_agtpa/agtpa_applications.csv.gz \\\n"
      "      -f 'trade ~ log(dist) + cntg + lang + clny | exporter^year + importer^year' \\\n"
      "      --where 'exporter != importer && year in {1986,1990,1994,1998,2002,2006}' \\\n"
      "      --vcov cluster:pair_id --json results.json\n"
      "  # Structural gravity on one year, saving what the GE step needs\n"
      "  rebalance estimate ../shared/data/gegravity_sample/sample_data_set.csv \\\n"
      "      -f 'trade ~ lndist + contiguity + pta + international | exporter + importer' \\\n"
      "      --save-fe fe.csv --save-fitted fitted.csv\n"
      "  # OLS with weights and two-way clustered errors\n"
      "  rebalance estimate ../shared/data/fixest_trade_eurostat/trade.csv.gz \\\n"
      "      -f 'Euros ~ log(dist_km) | Origin + Year' --family gaussian --weights dist_km \\\n"
      "      --vcov cluster:Origin+Year --ssc fixest\n\n"
      "Exit codes: 0 success, 2 bad input or options, 3 "
      "not converged (nothing written).");
  sub->add_option("data", args->input, "Input CSV file (.csv or .csv.gz) with a header line")
      ->required();
  sub->add_option("-f,--formula", args->formulas,
                  "Model in fixest syntax: 'y ~ x1 + log(x2) | fe1 + fe2^fe3' "
                  "(use 'y ~ 1 | fe' for no "
                  "regressors; x1:x2, x1*x2, I(x^2), exp/sqrt/log1p, i(year), "
                  "i(year, rta, ref = 1986); docs/estimation.md). Give -f several times, or "
                  "sw(a, b) / csw(a, b), for several models in one comparison table")
      ->required()
      ->allow_extra_args(false)
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  sub->add_option("--etable", args->etable,
                  "Write the comparison table (coefficients, SEs, stars, fixed effects, "
                  "observations, fit) to this file; format from the extension: .txt, .csv, .tex "
                  "(LaTeX) or .md (Markdown)");
  sub->add_option("--sep", args->sep,
                  "Field separator of the input: , ; tab | or auto (detected from the header)")
      ->capture_default_str();
  sub->add_option("--where", args->where,
                  "Sample filter: comparisons (== != < <= > >=) of columns "
                  "with numbers, 'quoted text' or other "
                  "columns; col in {1990, 1994}; && || ! and parentheses")
      ->default_str("");
  sub->add_option("--weights", args->weights, "Column of non-negative observation weights");
  sub->add_option("--offset", args->offset,
                  "Column added to the linear predictor with coefficient 1");
  args->options.AddTo(sub);  // the registry's options: --family, --vcov, --tol, ...
  sub->add_option("--json", args->json, "Write the results as JSON to this file");
  sub->add_option("--save-fe", args->save_fe,
                  "Write fixed-effect estimates (CSV: dimension,label,value)");
  sub->add_option("--save-fitted", args->save_fitted,
                  "Write fitted values (CSV: row,fitted; row = 1-based data "
                  "row of the input; with --distributed gathered on rank 0)");
  sub->add_flag("--force", args->force, "Overwrite existing output files");
  sub->add_flag("-q,--quiet", args->quiet, "No progress messages on stderr");
  sub->add_flag("--distributed", args->distributed,
                "Split the estimation over the ranks of an MPI job: "
                "mpirun -n K rebalance estimate ... --distributed (rank r "
                "reads part r of the rows; rank 0 prints and writes; see "
                "docs/cluster.md)");
  sub->callback([args] {
    // threads = 0 reaches the library, which runs small problems on one
    // thread (econ/estimate.cc).
    int rank = 0;
    const Status status = RunEstimate(*args, &rank);
    if (rank != 0 && !status.ok()) {
      // The ranks agree on errors; rank 0 reports them.
      SetExitCode(status.code() == StatusCode::kNotConverged ? 3
                  : status.code() == StatusCode::kCancelled  ? 130
                                                             : 2);
      return;
    }
    Finish(status, {{"vcov", "--vcov"}, {"where", "--where"}});
  });
}

Registrar reg(20, AddEstimate);

}  // namespace
}  // namespace rebalance::app
