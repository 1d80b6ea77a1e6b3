// `rebalance simulate`: multi-sector counterfactuals with input-output links,
// tariffs and deficits (Caliendo & Parro 2015; library:
// include/rebalance/ge/multisector.h). Reads a baseline (CP matrices, CP tidy
// files, or a WIOD table with a theta file), runs CP's base-year calibration
// (and optionally the zero-deficit step), applies the shock flags, solves,
// and writes the tidy result as CSV and JSON plus a run record, atomically.
// A solve that does not converge writes nothing and exits with code 3.
#include <algorithm>
#include <cmath>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "command.h"
#include "rebalance/core/atomic_file.h"
#include "rebalance/ge/baseline.h"
#include "rebalance/ge/multisector.h"
#include "rebalance/ge/shocks.h"
#include "rebalance/io_tables/io_table.h"
#include "rebalance/report/tidy_writer.h"
#include "rebalance/scenario/baseline_files.h"
#include "rebalance/scenario/theta.h"

namespace rebalance::app {
namespace {

struct SimulateArgs {
  std::string cp, cp_tidy, wiod, theta, tariffs;
  int year = 0;
  bool allow_extreme = false;
  std::vector<std::string> tariff, iceberg, productivity, production_subsidy, export_subsidy,
      deficit_target;
  bool cp_nafta = false;
  std::string deficits = "fixed";
  std::string deficit_residual = "proportional";
  bool zero_deficit_baseline = false;
  std::string scenario = "scenario";
  int threads = 1;
  double tolerance = ge::MultisectorOptions().tolerance;
  int max_iterations = ge::MultisectorOptions().max_iterations;
  bool no_bilateral = false;
  std::string out;
  bool force = false;
  bool quiet = false;
};

// "LEFT=VALUE" with LEFT split at ':' into exactly `parts` labels.
struct Assignment {
  std::vector<std::string> labels;
  std::string value;
};
Result<Assignment> ParseAssignment(const std::string& text, int parts, const std::string& option,
                                   const std::string& form) {
  const size_t eq = text.rfind('=');
  if (eq == std::string::npos || eq + 1 >= text.size()) {
    return Status::InvalidArgument(fmt::format("{} '{}': expected {}=VALUE", option, text, form));
  }
  Assignment a;
  a.value = text.substr(eq + 1);
  const std::string left = text.substr(0, eq);
  size_t pos = 0;
  while (true) {
    const size_t c = left.find(':', pos);
    a.labels.push_back(left.substr(pos, c == std::string::npos ? std::string::npos : c - pos));
    if (c == std::string::npos) break;
    pos = c + 1;
  }
  if (static_cast<int>(a.labels.size()) != parts) {
    return Status::InvalidArgument(fmt::format(
        "{} '{}': expected {}=VALUE ({} labels separated by ':')", option, text, form, parts));
  }
  return a;
}

Result<double> ParseNumber(const std::string& s, const std::string& option,
                           const std::string& text) {
  try {
    size_t used = 0;
    const double v = std::stod(s, &used);
    if (used == s.size() && std::isfinite(v)) return v;
  } catch (...) {
  }
  return Status::InvalidArgument(fmt::format("{} '{}': '{}' is not a number", option, text, s));
}

// "+0.25" / "-0.1" = change, "*1.1" = multiply, "0.25" = level.
Result<std::pair<ge::ShockMode, double>> ParseModeValue(const std::string& v,
                                                        const std::string& option,
                                                        const std::string& text) {
  if (!v.empty() && (v[0] == '+' || v[0] == '-')) {
    RB_ASSIGN_OR_RETURN(double x, ParseNumber(v, option, text));
    return std::make_pair(ge::ShockMode::kChange, x);
  }
  if (!v.empty() && v[0] == '*') {
    RB_ASSIGN_OR_RETURN(double x, ParseNumber(v.substr(1), option, text));
    return std::make_pair(ge::ShockMode::kMultiply, x);
  }
  RB_ASSIGN_OR_RETURN(double x, ParseNumber(v, option, text));
  return std::make_pair(ge::ShockMode::kLevel, x);
}

Result<ge::ShockSpec> BuildSpec(const SimulateArgs& a) {
  ge::ShockSpec spec;
  spec.name = a.scenario;
  for (const std::string& t : a.tariff) {
    RB_ASSIGN_OR_RETURN(Assignment x,
                        ParseAssignment(t, 3, "--tariff", "IMPORTER:EXPORTER:SECTOR"));
    RB_ASSIGN_OR_RETURN(auto mv, ParseModeValue(x.value, "--tariff", t));
    spec.tariffs.push_back({x.labels[0], x.labels[1], x.labels[2], mv.first, mv.second,
                            a.allow_extreme, fmt::format("--tariff '{}'", t)});
  }
  for (const std::string& t : a.iceberg) {
    RB_ASSIGN_OR_RETURN(Assignment x,
                        ParseAssignment(t, 3, "--iceberg", "IMPORTER:EXPORTER:SECTOR"));
    RB_ASSIGN_OR_RETURN(double v, ParseNumber(x.value, "--iceberg", t));
    spec.icebergs.push_back({x.labels[0], x.labels[1], x.labels[2], v});
  }
  for (const std::string& t : a.productivity) {
    RB_ASSIGN_OR_RETURN(Assignment x, ParseAssignment(t, 2, "--productivity", "COUNTRY:SECTOR"));
    RB_ASSIGN_OR_RETURN(double v, ParseNumber(x.value, "--productivity", t));
    spec.productivity.push_back({x.labels[0], x.labels[1], v});
  }
  auto subsidies = [&](const std::vector<std::string>& list, ge::SubsidyKind kind,
                       const std::string& option) -> Status {
    for (const std::string& t : list) {
      RB_ASSIGN_OR_RETURN(Assignment x, ParseAssignment(t, 2, option, "COUNTRY:SECTOR"));
      RB_ASSIGN_OR_RETURN(auto mv, ParseModeValue(x.value, option, t));
      if (mv.first == ge::ShockMode::kMultiply) {
        return Status::InvalidArgument(
            fmt::format("{} '{}': use a level (0.1) or a change (+0.1)", option, t));
      }
      spec.subsidies.push_back({kind, x.labels[0], x.labels[1], mv.first, mv.second});
    }
    return Status::Ok();
  };
  RB_RETURN_IF_ERROR(
      subsidies(a.production_subsidy, ge::SubsidyKind::kProduction, "--production-subsidy"));
  RB_RETURN_IF_ERROR(subsidies(a.export_subsidy, ge::SubsidyKind::kExport, "--export-subsidy"));
  RB_ASSIGN_OR_RETURN(spec.deficit_rule, ge::DeficitRuleFromString(a.deficits));
  RB_ASSIGN_OR_RETURN(spec.deficit_residual, ge::DeficitResidualFromString(a.deficit_residual));
  for (const std::string& t : a.deficit_target) {
    // COUNTRY=VALUE or COUNTRY=VALUE:unit
    RB_ASSIGN_OR_RETURN(Assignment x, ParseAssignment(t, 1, "--deficit-target", "COUNTRY"));
    ge::DeficitTarget target;
    target.country = x.labels[0];
    std::string v = x.value;
    const size_t colon = v.find(':');
    const std::string unit = colon == std::string::npos ? "" : v.substr(colon + 1);
    if (colon != std::string::npos) v = v.substr(0, colon);
    RB_ASSIGN_OR_RETURN(target.value, ParseNumber(v, "--deficit-target", t));
    if (unit.empty() && target.value != 0) {
      return Status::InvalidArgument(
          fmt::format("--deficit-target '{}': name the unit, e.g. {}={}:bn_usd (units: bn_usd, "
                      "mn_usd, share_of_gdp, "
                      "share_of_world_gdp, multiple)",
                      t, x.labels[0], v));
    }
    if (unit == "level") {
      return Status::InvalidArgument(
          fmt::format("--deficit-target '{}': unit 'level' (the baseline's own currency unit) is "
                      "not accepted; use bn_usd or mn_usd",
                      t));
    }
    if (!unit.empty()) {
      auto u = ge::DeficitUnitFromString(unit);
      if (!u.ok()) return u.status().WithContext(fmt::format("--deficit-target '{}'", t));
      target.unit = *u;
    }
    spec.deficit_targets.push_back(target);
  }
  if (!spec.deficit_targets.empty()) {
    if (a.deficits != "fixed" && a.deficits != "targets") {
      return Status::InvalidArgument("--deficit-target cannot be combined with --deficits zero");
    }
    spec.deficit_rule = ge::DeficitRule::kTargets;
  }
  return spec;
}

Status RunSimulate(const SimulateArgs& a) {
  const int sources = !a.cp.empty() + !a.cp_tidy.empty() + !a.wiod.empty();
  if (sources != 1) {
    return Status::InvalidArgument(
        "give exactly one baseline: --cp DIR, --cp-tidy DIR or --wiod FILE");
  }
  if (!a.wiod.empty() && a.theta.empty()) {
    return Status::InvalidArgument("--wiod needs --theta FILE (columns sector,theta)");
  }
  if (a.cp_nafta && !a.wiod.empty()) {
    return Status::InvalidArgument("--cp-nafta needs --cp or --cp-tidy");
  }
  if (a.out.empty()) return Status::InvalidArgument("--out DIR is required");
  const std::string csv_path = a.out + "/multisector.csv";
  const std::string json_path = a.out + "/multisector.json";
  const std::string run_path = a.out + "/multisector_run.json";
  RB_RETURN_IF_ERROR(core::CheckOutputFiles(
      a.out, {"multisector.csv", "multisector.json", "multisector_run.json"}, a.force));
  RB_ASSIGN_OR_RETURN(ge::ShockSpec spec, BuildSpec(a));

  // Baseline.
  ge::Baseline raw;
  std::string source;
  if (!a.cp.empty()) {
    RB_ASSIGN_OR_RETURN(raw, scenario::ReadCpMatrices(a.cp));
    source = "cp:" + a.cp;
  } else if (!a.cp_tidy.empty()) {
    RB_ASSIGN_OR_RETURN(raw, scenario::ReadCpTidy(a.cp_tidy));
    source = "cp-tidy:" + a.cp_tidy;
  } else {
    RB_ASSIGN_OR_RETURN(io_tables::IoTable io, io_tables::ReadWiod(a.wiod, a.year));
    ge::IoBaselineOptions bo;
    RB_ASSIGN_OR_RETURN(bo.theta, scenario::ReadThetaFile(a.theta, io.sectors));
    ge::IoBaselineReport rep;
    RB_ASSIGN_OR_RETURN(raw, ge::BaselineFromIoTable(io, bo, &rep));
    source = "wiod:" + a.wiod;
    if (!a.quiet && (rep.clipped_negative_cells > 0 || rep.clipped_value_added_cells > 0)) {
      fmt::print(stderr,
                 "note: {} negative IO cells (sum {:.6g}) set to zero; {} "
                 "cells with inputs above output had value added set to zero\n",
                 rep.clipped_negative_cells, rep.clipped_negative_value,
                 rep.clipped_value_added_cells);
    }
  }
  if (!a.theta.empty() && a.wiod.empty()) {
    RB_ASSIGN_OR_RETURN(raw.theta, scenario::ReadThetaFile(a.theta, raw.sectors));
  }
  if (!a.tariffs.empty()) RB_RETURN_IF_ERROR(scenario::ApplyTariffFile(a.tariffs, &raw));

  ge::MultisectorOptions opt;
  opt.threads = a.threads;
  opt.tolerance = a.tolerance;
  opt.max_iterations = a.max_iterations;
  RB_RETURN_IF_ERROR(opt.Validate());

  // CP step 2 (consistent base year keeping the data deficits), optionally
  // step 3 (zero deficits).
  ge::MultisectorSolution base_sol, zero_sol;
  RB_ASSIGN_OR_RETURN(ge::Baseline baseline, ge::SolveBaseYear(raw, opt, &base_sol));
  if (a.zero_deficit_baseline) {
    RB_ASSIGN_OR_RETURN(baseline, ge::ZeroDeficitBaseline(baseline, opt, &zero_sol));
  }

  if (!a.quiet) {
    // Sector synonyms and long names (e.g. WIOD's "Transport Equipment") resolve; say to what.
    std::vector<std::string> labels;
    for (const auto& t : spec.tariffs) labels.push_back(t.sector);
    for (const auto& t : spec.icebergs) labels.push_back(t.sector);
    for (const auto& t : spec.productivity) labels.push_back(t.sector);
    for (const auto& t : spec.subsidies) labels.push_back(t.sector);
    std::vector<std::string> said;
    for (const auto& l : labels) {
      const std::string to = ge::SectorSynonym(baseline, l);
      if (to.empty() || to == l || std::find(said.begin(), said.end(), l) != said.end()) continue;
      said.push_back(l);
      fmt::print(stderr, "note: sector '{}' read as '{}'\n", l, to);
    }
  }
  RB_ASSIGN_OR_RETURN(ge::ShockSet shocks, ge::ResolveShocks(baseline, spec));
  if (a.cp_nafta) {
    // CP's NAFTA experiment: 2005 tariffs among Canada, Mexico and the USA.
    std::vector<double> t05;
    if (!a.cp.empty()) {
      std::string path = a.cp + "/tariffs2005.txt";
      if (!std::filesystem::exists(path)) path += ".gz";
      RB_ASSIGN_OR_RETURN(t05, scenario::ReadCpTariffs(path, baseline));
    } else {
      RB_ASSIGN_OR_RETURN(t05, scenario::ReadCpTidyTariffs(a.cp_tidy, "tariff_cfl", baseline));
    }
    RB_ASSIGN_OR_RETURN(std::vector<int> nafta,
                        ge::ResolveCountries(baseline, "Canada,Mexico,USA"));
    for (int j = 0; j < baseline.num_sectors(); ++j)
      for (int n : nafta)
        for (int i : nafta)
          if (n != i)
            shocks.tariff_new[baseline.FlowIndex(j, n, i)] = t05[baseline.FlowIndex(j, n, i)];
    RB_RETURN_IF_ERROR(shocks.Validate(baseline));
  }

  RB_ASSIGN_OR_RETURN(ge::MultisectorSolution sol, ge::SolveOrError(baseline, shocks, opt));
  ge::MultisectorReportOptions ro;
  ro.bilateral = !a.no_bilateral;
  const ge::TidyTable table = ge::CompareMultisector(baseline, shocks, sol, ro);

  nlohmann::ordered_json run;
  run["command"] = "simulate";
  run["model"] = "caliendo_parro_2015";
  run["scenario"] = a.scenario;
  run["baseline_source"] = source;
  run["countries"] = baseline.num_countries();
  run["sectors"] = baseline.num_sectors();
  run["zero_deficit_baseline"] = a.zero_deficit_baseline;
  auto record = [](const ge::MultisectorSolution& s) {
    nlohmann::ordered_json j;
    j["termination"] = ge::ToString(s.termination);
    j["iterations"] = s.iterations;
    j["inner_iterations"] = s.inner_iterations;
    j["residual"] = s.residual;
    j["market_clearing_gap"] = s.market_clearing_gap;
    j["seconds"] = s.seconds;
    return j;
  };
  run["base_year_solve"] = record(base_sol);
  if (a.zero_deficit_baseline) run["zero_deficit_solve"] = record(zero_sol);
  run["counterfactual_solve"] = record(sol);
  run["rows"] = table.rows.size();

  if (Interrupted())
    return Status::Cancelled("interrupted before writing outputs; nothing was written");
  RB_RETURN_IF_ERROR(core::EnsureDirectory(a.out));
  RB_RETURN_IF_ERROR(report::WriteTidyCsv(table, csv_path, a.force));
  RB_RETURN_IF_ERROR(report::WriteTidyJson(table, json_path, a.force));
  RB_RETURN_IF_ERROR(core::WriteFileAtomic(
      run_path, run.dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace) + "\n",
      a.force));

  if (!a.quiet) {
    fmt::print("base year: {}\n", base_sol.BriefReport());
    if (a.zero_deficit_baseline) fmt::print("zero-deficit base: {}\n", zero_sol.BriefReport());
    fmt::print("counterfactual '{}': {}\n", a.scenario, sol.BriefReport());
    // The countries whose welfare moves most.
    std::vector<int> order(baseline.num_countries());
    for (int n = 0; n < baseline.num_countries(); ++n) order[n] = n;
    std::sort(order.begin(), order.end(), [&](int x, int y) {
      return std::fabs(sol.welfare_hat[x] - 1) > std::fabs(sol.welfare_hat[y] - 1);
    });
    const ge::WelfareDecomposition wd = ge::DecomposeWelfare(baseline, shocks, sol);
    fmt::print("{:<16} {:>10} {:>12} {:>11}\n", "country", "welfare %", "CP ToT+VoT %",
               "real wage %");
    for (size_t k = 0; k < std::min<size_t>(10, order.size()); ++k) {
      const int n = order[k];
      fmt::print("{:<16} {:>10.4f} {:>12.4f} {:>11.4f}\n", baseline.countries[n],
                 100 * (sol.welfare_hat[n] - 1), 100 * wd.welfare_cp[n],
                 100 * (sol.real_wage_hat[n] - 1));
    }
    fmt::print("wrote {} rows to {} and {}\n", table.rows.size(), csv_path, json_path);
  }
  return Status::Ok();
}

void AddSimulate(CLI::App& root) {
  auto a = std::make_shared<SimulateArgs>();
  CLI::App* sub = root.add_subcommand(
      "simulate",
      "Multi-sector counterfactual with input-output links, tariffs and deficits "
      "(Caliendo & Parro 2015)\n\n"
      "Examples (run by the test suite as printed, from the source folder):\n"
      "  rebalance simulate --cp ../shared/data/caliendo_parro2015/original_matrices "
      "--zero-deficit-baseline --cp-nafta --out nafta\n"
      "  rebalance simulate --wiod ../shared/data/wiod2013_bquast/wiot2011.csv.gz --theta "
      "data/wiod35/theta.csv "
      "--tariff 'USA:CHN:*=+0.25' --out us_china\n"
      "  rebalance simulate --cp-tidy ../shared/data/caliendo_parro2015/tidy_paulofelipe_cp2015 "
      "--deficit-target China=0 --out rebalance_cn");
  sub->add_option("--cp", a->cp, "Directory with CP's matrix files (xbilat1993.txt, ...)");
  sub->add_option("--cp-tidy", a->cp_tidy, "Directory with the tidy CP files (trade.csv.gz, ...)");
  sub->add_option("--wiod", a->wiod, "WIOD table wiotYYYY.csv(.gz) or a directory of them");
  sub->add_option("--year", a->year, "Year when --wiod is a directory");
  sub->add_option("--theta", a->theta, "CSV sector,theta (required with --wiod)");
  sub->add_option("--tariffs", a->tariffs,
                  "Baseline tariff file CSV importer,exporter,sector,tariff (rates; * = all)");
  sub->add_option(
      "--tariff", a->tariff,
      "Tariff shock IMPORTER:EXPORTER:SECTOR=V (V level, +V/-V change in rate points, *V factor on "
      "1+rate); a resulting rate outside 0..2 (200%) needs --allow-extreme, at or below -1 is "
      "refused");
  sub->add_flag("--allow-extreme", a->allow_extreme,
                "Accept tariff rates above 200% or below 0 (import subsidies)");
  sub->add_option("--iceberg", a->iceberg, "Trade-cost shock IMPORTER:EXPORTER:SECTOR=d_hat");
  sub->add_option("--productivity", a->productivity,
                  "Productivity shock COUNTRY:SECTOR=lambda_hat");
  sub->add_option("--production-subsidy", a->production_subsidy,
                  "Production subsidy COUNTRY:SECTOR=rate (or +change)");
  sub->add_option("--export-subsidy", a->export_subsidy,
                  "Export subsidy COUNTRY:SECTOR=rate (or +change)");
  sub->add_flag("--cp-nafta", a->cp_nafta,
                "Apply CP's NAFTA experiment: 2005 tariffs among Canada, Mexico, USA");
  sub->add_option("--deficits", a->deficits, "Deficits in the counterfactual: fixed | zero")
      ->check(CLI::IsMember({"fixed", "zero"}));
  sub->add_option(
      "--deficit-target", a->deficit_target,
      "Deficit target (imports - exports) COUNTRY=VALUE:UNIT, UNIT bn_usd | mn_usd | share_of_gdp "
      "| "
      "share_of_world_gdp | multiple (0.5 = halved); the unit may be left out only for 0");
  sub->add_option("--deficit-residual", a->deficit_residual,
                  "When targets do not sum to zero: proportional | error")
      ->check(CLI::IsMember({"proportional", "error"}));
  sub->add_flag("--zero-deficit-baseline", a->zero_deficit_baseline,
                "Calibrate a zero-deficit base year first (CP's step 3)");
  sub->add_option("--scenario", a->scenario, "Scenario name in the output");
  sub->add_option("--threads", a->threads, "OpenMP threads (0 = all)")->check(NonNegativeInteger());
  sub->add_option("--tolerance", a->tolerance, "Solver tolerance (sup-norm, logs)")
      ->check(FiniteNumber());
  sub->add_option("--max-iterations", a->max_iterations, "Solver iteration limit")
      ->check(NonNegativeInteger());
  sub->add_flag("--no-bilateral", a->no_bilateral, "Omit bilateral rows from the output");
  sub->add_option("--out", a->out, "Output directory")->required();
  sub->add_flag("--force", a->force, "Overwrite existing output files");
  sub->add_flag("--quiet", a->quiet, "Print nothing on success");
  sub->callback([a] { Finish(RunSimulate(*a)); });
}

Registrar reg(55, AddSimulate);

}  // namespace
}  // namespace rebalance::app
