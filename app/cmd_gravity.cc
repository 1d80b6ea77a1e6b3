// `rebalance gravity`: one-sector structural gravity counterfactuals in
// general equilibrium (library: include/rebalance/ge/gravity.h). Parses the
// options, reads the bilateral table and the estimate JSON, calls
// ge::SolveGravityOrError (and ge::DrawGravity for --draws), and writes the tidy
// result as CSV and JSON plus a run record, each atomically. Output paths
// are checked before solving; a non-converged solve writes nothing (exit 3).
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "command.h"
#include "estimate_file.h"
#include "option_flags.h"
#include "rebalance/core/atomic_file.h"
#include "rebalance/data/csv.h"
#include "rebalance/ge/gravity.h"
#include "rebalance/ge/gravity_draws.h"
#include "rebalance/ge/gravity_input.h"
#include "rebalance/report/tidy_writer.h"
#include "rebalance/scenario/covariate_change.h"
#include "rebalance/scenario/gravity_pairs.h"
#include "rebalance/scenario/gravity_problem.h"

namespace rebalance::app {
namespace {

struct GravityArgs {
  std::string input;
  std::string exporter = "exporter";
  std::string importer = "importer";
  std::string flow = "trade";
  std::string estimate;
  std::vector<std::string> covariates;
  std::string cost_col;
  std::string cost_cf_col;
  std::vector<std::string> set;
  std::vector<std::string> set_pairs;
  // sigma, reference, closure, --method and the solver's options: the
  // registry's flags (ge::GravityOptionTable).
  OptionFlags<ge::GravityOptions> options{ge::GravityOptionTable()};
  std::string scenario = "gravity";
  int draws = 0;
  bool allow_iid = false;
  uint64_t seed = ge::GravityDrawOptions().seed;
  int threads = 0;
  bool no_bilateral = false;
  bool bilateral_bands = false;
  std::string out;
  bool force = false;
  bool quiet = false;
  // --pair-fe: two-stage pair-fixed-effect costs (Yotov et al. 2016 ch. 2
  // application 2) estimated from a panel.
  bool pair_fe = false;
  std::vector<int64_t> panel_years;
  int64_t baseline_year = 0;
  std::string year_col = "year";
  std::string pair_col = "pair_id";
  std::vector<std::string> policy = {"rta"};
  std::vector<std::string> gravity_terms = {"log(dist)", "cntg", "lang", "clny"};
};

Result<std::vector<ge::CovariateChange>> ParseChanges(const GravityArgs& a) {
  std::vector<ge::CovariateChange> changes;
  for (const auto& s : a.set) {
    auto c = scenario::ParseCovariateChange(s);
    if (!c.ok()) return c.status().WithContext("--set");
    changes.push_back(std::move(*c));
  }
  for (const auto& s : a.set_pairs) {
    auto parsed = scenario::ParseCovariateChange(s);
    if (!parsed.ok()) return parsed.status().WithContext("--set-pairs");
    ge::CovariateChange c = std::move(*parsed);
    if (c.pairs.empty()) {
      return Status::InvalidArgument(
          fmt::format("--set-pairs '{}' names no pairs (NAME=VALUE:A-B,C>D)", s));
    }
    changes.push_back(std::move(c));
  }
  return changes;
}

// Checks of the options that need no data. Option errors name the option
// (tests/bad_inputs catalogue).
Status CheckGravityArgs(const GravityArgs& a) {
  if (a.pair_fe) {
    if (!a.estimate.empty() || !a.cost_col.empty()) {
      return Status::InvalidArgument(
          "--pair-fe estimates the costs itself; do not give --estimate or --cost-col");
    }
    if (a.draws > 0) return Status::InvalidArgument("--draws is not supported with --pair-fe");
    if (a.baseline_year == 0) return Status::InvalidArgument("--pair-fe needs --baseline-year");
  } else if (a.estimate.empty() == a.cost_col.empty()) {
    return Status::InvalidArgument(
        "give exactly one of --estimate EST.json (covariates x beta) or "
        "--cost-col COL "
        "(t^(1-sigma) directly)");
  }
  if (!a.cost_col.empty() && (!a.set.empty() || !a.set_pairs.empty())) {
    return Status::InvalidArgument(
        "--set/--set-pairs change covariates and need --estimate; with "
        "--cost-col give the "
        "counterfactual costs in --cost-cf-col");
  }
  if (a.draws > 0 && a.estimate.empty()) {
    return Status::InvalidArgument("--draws needs --estimate (beta and its vcov)");
  }
  return Status::Ok();
}

// The model's input and trade costs, and what the run record says of them.
struct GravityProblem {
  ge::GravityInput in;
  ge::TradeCosts costs;
  std::string draws_vcov;  // the estimate's vcov type, stated with --draws
  nlohmann::ordered_json pair_record;
};

// --pair-fe: costs from the two-stage pair-fixed-effect estimation.
Result<GravityProblem> PairFeProblem(const GravityArgs& a) {
  GravityProblem p;
  data::CsvOptions pcsv;
  pcsv.types[a.exporter] = data::ColumnType::kString;
  pcsv.types[a.importer] = data::ColumnType::kString;
  pcsv.threads = a.threads;
  RB_ASSIGN_OR_RETURN(data::Table panel, data::ReadCsv(a.input, pcsv));
  scenario::PairCostOptions po;
  po.exporter = a.exporter;
  po.importer = a.importer;
  po.flow = a.flow;
  po.year = a.year_col;
  po.pair = a.pair_col;
  po.policy = a.policy;
  po.gravity = a.gravity_terms;
  po.years = a.panel_years;
  po.baseline_year = a.baseline_year;
  po.threads = a.threads;
  RB_ASSIGN_OR_RETURN(scenario::PairCosts pc, scenario::EstimatePairCosts(panel, po));
  if (!a.quiet) fmt::print(stderr, "{}", pc.BriefReport());
  RB_ASSIGN_OR_RETURN(std::vector<ge::CovariateChange> changes, ParseChanges(a));
  auto t = scenario::PairTradeCosts(pc, changes);
  if (!t.ok()) return t.status().WithContext("--set");
  p.costs = std::move(*t);
  p.in = pc.input;
  p.pair_record["stage1_formula"] = pc.stage1.formula;
  p.pair_record["stage2_formula"] = pc.stage2.formula;
  p.pair_record["baseline_year"] = a.baseline_year;
  p.pair_record["pairs_identified"] = pc.num_identified;
  p.pair_record["pairs_predicted"] = pc.num_predicted;
  for (const auto& c : pc.stage1.coefficients) {
    p.pair_record["stage1"][c.name] = {{"estimate", c.estimate}, {"std_error", c.std_error}};
  }
  for (const auto& c : pc.stage2.coefficients) {
    p.pair_record["stage2"][c.name] = {{"estimate", c.estimate}, {"std_error", c.std_error}};
  }
  return p;
}

// The coefficients of --estimate that define the costs (--covariates picks
// a subset), refusing draws from a non-robust covariance unless asked.
Result<scenario::CostCoefficients> EstimateCoefficients(const GravityArgs& a,
                                                        std::string* draws_vcov) {
  RB_ASSIGN_OR_RETURN(EstimateFile est, ReadEstimate(a.estimate));
  // iid errors of a gravity PPML understate its uncertainty many times
  // over (overdispersed flows): bands drawn from them would look precise
  // and be wrong, so they are drawn only on request.
  if (a.draws > 0 && est.vcov_type != "hetero" && est.vcov_type.rfind("cluster:", 0) != 0 &&
      !a.allow_iid) {
    return Status::InvalidArgument(
        fmt::format("--draws: the covariance of {} is {}; draws need robust standard "
                    "errors: re-estimate with --vcov hetero (the default) or "
                    "--vcov cluster:COL, or pass --allow-iid to draw from it anyway",
                    a.estimate,
                    est.vcov_type.empty() ? "of unknown type (no vcov_type in the file)"
                                          : "'" + est.vcov_type + "'"));
  }
  *draws_vcov = est.vcov_type.empty() ? "unknown" : est.vcov_type;
  scenario::CostCoefficients all{est.names, est.beta, est.vcov};
  auto use = scenario::SelectCostCoefficients(all, a.covariates, a.estimate);
  if (!use.ok()) return use.status().WithContext("--covariates");
  return use;
}

// Costs from --estimate (covariates x beta, changed by --set) or from the
// --cost-col / --cost-cf-col columns.
Result<GravityProblem> TableProblem(const GravityArgs& a) {
  GravityProblem p;
  ge::GravityTableSpec spec;
  spec.exporter = a.exporter;
  spec.importer = a.importer;
  spec.flow = a.flow;
  scenario::CostCoefficients coef;
  if (!a.estimate.empty()) {
    RB_ASSIGN_OR_RETURN(coef, EstimateCoefficients(a, &p.draws_vcov));
    spec.covariates = coef.names;
  } else {
    spec.cost_baseline = a.cost_col;
    spec.cost_counterfactual = a.cost_cf_col;
  }
  scenario::MissingGravityColumn missing;
  auto table = scenario::ReadGravityTable(a.input, spec, a.threads, &missing);
  if (!table.ok()) {
    // Say which option or coefficient named the missing column.
    switch (missing.role) {
      case scenario::GravityColumnRole::kFlow:
        return table.status().WithContext("--flow");
      case scenario::GravityColumnRole::kExporter:
        return table.status().WithContext("--exporter");
      case scenario::GravityColumnRole::kImporter:
        return table.status().WithContext("--importer");
      case scenario::GravityColumnRole::kCovariate:
        return table.status().WithContext(
            fmt::format("coefficient '{}' of {}: each coefficient of the estimate must "
                        "be a column of the data (or restrict them with --covariates)",
                        missing.name, a.estimate));
      default:
        return table.status();
    }
  }
  RB_ASSIGN_OR_RETURN(p.in, ge::GravityInputFromTable(*table, spec));
  if (!a.estimate.empty()) {
    p.in.covariates.beta = coef.beta;
    p.in.covariates.vcov = coef.vcov;
    RB_ASSIGN_OR_RETURN(std::vector<ge::CovariateChange> changes, ParseChanges(a));
    RB_RETURN_IF_ERROR(ge::ApplyCovariateChanges(p.in.data.countries, changes, &p.in.covariates)
                           .WithContext("--set"));
    RB_ASSIGN_OR_RETURN(p.costs, p.in.covariates.Costs(p.in.covariates.beta));
  } else {
    p.costs = p.in.costs;
    if (a.cost_cf_col.empty()) {
      return Status::InvalidArgument(
          "--cost-col needs --cost-cf-col with the counterfactual t^(1-sigma)");
    }
  }
  return p;
}

// --draws: Monte Carlo bands of beta ~ N(beta_hat, V_hat); fills the bands
// and the run record's "draws".
Status RunDraws(const GravityArgs& a, const GravityProblem& p, const ge::GravityOptions& opt,
                const ge::GravityResult& result, report::BandTable* bands,
                nlohmann::ordered_json* run) {
  ge::GravityDrawOptions d;
  d.draws = a.draws;
  d.seed = a.seed;
  d.threads = a.threads;
  d.bilateral = !a.no_bilateral && a.bilateral_bands;
  RB_ASSIGN_OR_RETURN(ge::GravityDrawsResult draws,
                      ge::DrawGravity(p.in.data, p.in.covariates, opt, result, d));
  if (!a.quiet) {
    fmt::print(stderr, "{} (beta drawn from N(beta_hat, V_hat), V_hat {} of {})\n",
               draws.BriefReport(), p.draws_vcov, a.estimate);
  }
  for (const auto& m : draws.failure_messages) {
    if (!a.quiet) fmt::print(stderr, "  failed {}\n", m);
  }
  if (draws.succeeded == 0) {
    return Status::NotConverged(fmt::format("all {} Monte Carlo draws failed", draws.requested));
  }
  for (size_t r = 0; r < draws.bands.size(); ++r) {
    const auto& b = draws.bands[r];
    bands->by_row[r] = report::Band{b.mean, b.sd, b.p05, b.p50, b.p95};
  }
  (*run)["draws"] = {{"requested", draws.requested},
                     {"succeeded", draws.succeeded},
                     {"failed", draws.failed},
                     {"seed", a.seed},
                     {"vcov_type", p.draws_vcov},
                     {"estimate", a.estimate},
                     {"failures", draws.failure_messages},
                     {"bands_cover", d.bilateral ? "all rows" : "country rows"}};
  return Status::Ok();
}

Status RunGravityCommand(const GravityArgs& a) {
  RB_RETURN_IF_ERROR(CheckGravityArgs(a));
  ge::GravityOptions opt;
  RB_RETURN_IF_ERROR(a.options.Apply(&opt));
  const std::string csv_path = a.out + "/gravity.csv";
  const std::string json_path = a.out + "/gravity.json";
  const std::string run_path = a.out + "/gravity_run.json";
  // The folder is made only once there is something to write into it.
  RB_RETURN_IF_ERROR(
      core::CheckOutputFiles(a.out, {"gravity.csv", "gravity.json", "gravity_run.json"}, a.force));

  RB_ASSIGN_OR_RETURN(GravityProblem p, a.pair_fe ? PairFeProblem(a) : TableProblem(a));
  if (std::find(p.in.data.countries.begin(), p.in.data.countries.end(), opt.reference) ==
      p.in.data.countries.end()) {
    return Status::NotFound(
        fmt::format("--reference: unknown reference country '{}' (not in {}; did you "
                    "mean '{}'?)",
                    opt.reference, a.input, data::NearestName(opt.reference, p.in.data.countries)));
  }
  RB_ASSIGN_OR_RETURN(ge::GravityResult result, ge::SolveGravityOrError(p.in.data, p.costs, opt));
  if (!a.quiet) fmt::print(stderr, "{}\n", result.BriefReport());

  const bool bilateral = !a.no_bilateral;
  ge::TidyTable tidy = ge::TidyGravity(result, a.scenario, bilateral);
  report::BandTable bands;
  nlohmann::ordered_json run;
  run["command"] = "gravity";
  run["input"] = a.input;
  run["countries"] = p.in.data.countries.size();
  run["sigma"] = opt.sigma;
  run["reference"] = opt.reference;
  run["closure"] = ge::ToString(opt.closure);
  run["full_method"] = ge::ToString(opt.full_method);
  if (a.pair_fe) run["pair_fe"] = p.pair_record;
  auto record = [](const ge::GravityEquilibrium& eq) {
    return nlohmann::ordered_json{{"termination", ge::ToString(eq.solve.termination)},
                                  {"iterations", eq.solve.iterations},
                                  {"residual", eq.solve.residual_norm},
                                  {"max_clearing_error", eq.max_clearing_error},
                                  {"message", eq.solve.message}};
  };
  run["solves"] = {{"baseline", record(result.baseline)},
                   {"conditional", record(result.conditional)},
                   {"full", record(result.full)}};
  if (a.draws > 0) RB_RETURN_IF_ERROR(RunDraws(a, p, opt, result, &bands, &run));
  const report::BandTable* band_ptr = bands.empty() ? nullptr : &bands;
  if (Interrupted())
    return Status::Cancelled("interrupted before writing outputs; nothing was written");
  RB_RETURN_IF_ERROR(core::EnsureDirectory(a.out));
  RB_RETURN_IF_ERROR(report::WriteTidyCsv(tidy, csv_path, a.force, band_ptr));
  RB_RETURN_IF_ERROR(report::WriteTidyJson(tidy, json_path, a.force, band_ptr));
  RB_RETURN_IF_ERROR(core::WriteFileAtomic(
      run_path, run.dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace) + "\n",
      a.force));
  if (!a.quiet) {
    fmt::print(stderr, "wrote {} rows to {} and {}\n", tidy.rows.size(), csv_path, json_path);
  }
  return Status::Ok();
}

constexpr const char* kGravityHelp =
    "One-sector structural gravity counterfactual in general equilibrium\n"
    "(conditional and full-endowment GE; docs/gravity_ge.md)\n\n"
    "Examples (run by the test suite as printed, from the source folder):\n"
    "  # Yotov et al. (2016) ch.2: remove all international borders\n"
    "  rebalance estimate "
    "../shared/data/yotov2016_agtpa/ch2_app1_trade_without_border_2006.csv.gz \\\n"
    "      -f 'trade ~ ln_DIST + CNTG + INTL_BRDR | exporter + importer' --json est.json\n"
    "  rebalance gravity "
    "../shared/data/yotov2016_agtpa/ch2_app1_trade_without_border_2006.csv.gz \\\n"
    "      --estimate est.json --set INTL_BRDR=0 --sigma 7 --reference ZZZ --closure ratio --out "
    "borders/\n"
    "  # an agreement between named pairs, with Monte Carlo draws of beta (100 here; 1000 for a "
    "briefing)\n"
    "  rebalance estimate ../shared/data/gegravity_sample/sample_data_set.csv \\\n"
    "      -f 'trade ~ lndist + contiguity + common_language + pta + international | exporter + "
    "importer' \\\n"
    "      --json pta.json\n"
    "  rebalance gravity ../shared/data/gegravity_sample/sample_data_set.csv --estimate pta.json "
    "\\\n"
    "      --set-pairs 'pta=1:USA-CHN,CAN-MEX' --sigma 5 --reference DEU --closure additive "
    "--draws 100 --seed 7 \\\n"
    "      --out pta/\n"
    "  # Yotov et al. (2016) ch.2 app.2: pair fixed effects (two stages), NAFTA removed in 1994\n"
    "  rebalance gravity ../shared/data/yotov2016_agtpa/agtpa_applications.csv.gz --pair-fe \\\n"
    "      --panel-years 1986,1990,1994,1998,2002,2006 --baseline-year 1994 \\\n"
    "      --set-pairs 'rta=0:USA-CAN,USA-MEX,CAN-MEX' --sigma 7 --reference DEU --out nafta/\n"
    "Trade costs can also be given directly as t^(1-sigma) columns: --cost-col and "
    "--cost-cf-col.\n\n"
    "Writes OUT/gravity.csv, OUT/gravity.json (tidy rows; with --draws also "
    "mean,sd,p05,p50,p95 of pct_change) and OUT/gravity_run.json (solver "
    "records).\n"
    "Exit codes: 0 success, 2 bad input or options, 3 not converged (nothing "
    "written).";

void AddGravity(CLI::App& root) {
  auto a = std::make_shared<GravityArgs>();
  CLI::App* sub = root.add_subcommand("gravity", kGravityHelp);
  sub->add_option("data", a->input,
                  "Bilateral CSV (.gz ok), one row per exporter-importer pair "
                  "including domestic sales")
      ->required();
  sub->add_option("--exporter", a->exporter, "Exporter column")->capture_default_str();
  sub->add_option("--importer", a->importer, "Importer column")->capture_default_str();
  sub->add_option("--flow", a->flow, "Trade-flow column")->capture_default_str();
  sub->add_option("--estimate", a->estimate,
                  "Estimate JSON of `rebalance estimate` (coefficients, vcov); "
                  "each coefficient "
                  "is a data column and t^(1-sigma) = exp(sum beta_k x_k)");
  sub->add_option("--covariates", a->covariates,
                  "Use only these coefficients of the estimate (comma separated)")
      ->delimiter(',');
  sub->add_option("--cost-col", a->cost_col,
                  "Column with baseline t^(1-sigma) (instead of "
                  "--estimate)");
  sub->add_option("--cost-cf-col", a->cost_cf_col, "Column with counterfactual t^(1-sigma)");
  sub->add_option("--set", a->set,
                  "Covariate change NAME=VALUE (every pair) or "
                  "NAME=VALUE:A-B,C>D (A-B both "
                  "directions, C>D one direction); repeatable");
  sub->add_option("--set-pairs", a->set_pairs,
                  "Like --set but pairs are required: NAME=VALUE:A-B,C>D; repeatable");
  // The registry's options; sigma and the reference importer have no
  // default on the command line.
  a->options.AddTo(sub);
  a->options.Flag("sigma")->required()->default_str("");
  a->options.Flag("reference")->required();
  sub->add_option("--scenario", a->scenario, "Scenario name in the output")->capture_default_str();
  sub->add_option("--draws", a->draws, "Monte Carlo draws of beta ~ N(beta_hat, V_hat)")
      ->check(NonNegativeInteger());
  sub->add_flag("--allow-iid", a->allow_iid,
                "With --draws, accept an estimate whose covariance is iid (or "
                "of unknown type); by default draws need hetero or clustered "
                "errors");
  sub->add_option("--seed", a->seed, "Master seed of the draws")->capture_default_str();
  sub->add_option("--threads", a->threads, "Threads (0 = all cores)")->check(NonNegativeInteger());
  sub->add_flag("--no-bilateral", a->no_bilateral, "Omit the bilateral flow rows");
  sub->add_flag("--bilateral-bands", a->bilateral_bands,
                "With --draws, also summarise bilateral rows (memory: draws x 2 n^2)");
  sub->add_flag(
      "--pair-fe", a->pair_fe,
      "Costs from pair fixed effects: stage 1 PPML of the panel on --policy with exporter-year, "
      "importer-year and pair FE; pairs not identified are predicted by a stage-2 PPML of exp(pair "
      "FE) "
      "on --gravity-covariates with exporter and importer FE; --set/--set-pairs change --policy");
  sub->add_option("--panel-years", a->panel_years,
                  "With --pair-fe: panel years of stage 1 (comma separated; "
                  "default all)")
      ->delimiter(',');
  sub->add_option("--baseline-year", a->baseline_year,
                  "With --pair-fe: year of the GE baseline flows");
  sub->add_option("--year-col", a->year_col, "With --pair-fe: year column")->capture_default_str();
  sub->add_option("--pair-col", a->pair_col, "With --pair-fe: pair identifier column")
      ->capture_default_str();
  sub->add_option("--policy", a->policy,
                  "With --pair-fe: stage-1 policy covariates (comma separated)")
      ->delimiter(',')
      ->capture_default_str();
  sub->add_option("--gravity-covariates", a->gravity_terms,
                  "With --pair-fe: stage-2 terms, e.g. log(dist),cntg,lang,clny")
      ->delimiter(',')
      ->capture_default_str();
  sub->add_option("--out", a->out, "Output directory")->required();
  sub->add_flag("--force", a->force, "Overwrite existing output files");
  sub->add_flag("-q,--quiet", a->quiet, "No progress on stderr");
  sub->callback([a] {
    Finish(RunGravityCommand(*a), {{"draws", "--draws"}, {"baseline_year", "--baseline-year"}});
  });
}

Registrar reg(60, AddGravity);

}  // namespace
}  // namespace rebalance::app
