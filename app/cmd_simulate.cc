// `rebalance simulate`: multi-sector counterfactuals with input-output links,
// tariffs and deficits (Caliendo & Parro 2015). Parses the flags into a
// baseline source and a shock list, calls scenario::Simulate (load and
// calibrate the baseline as a scenario file's [baseline] would, solve:
// scenario/simulate.h), writes the files (report/simulate_outputs.h) and
// prints the solver reports and the largest welfare changes. A solve that
// does not converge writes nothing and exits with code 3.
#include <algorithm>
#include <cmath>
#include <memory>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "command.h"
#include "option_flags.h"
#include "rebalance/core/atomic_file.h"
#include "rebalance/ge/shocks.h"
#include "rebalance/report/simulate_outputs.h"
#include "rebalance/scenario/simulate.h"

namespace rebalance::app {
namespace {

struct SimulateArgs {
  std::string cp, cp_tidy, wiod, theta, tariffs;
  int year = 0;
  bool allow_extreme = false;
  std::vector<std::string> tariff, iceberg, productivity, production_subsidy, export_subsidy,
      deficit_target, scale_theta;
  bool cp_nafta = false;
  std::string deficits = "fixed";
  std::string deficit_residual = "proportional";
  bool zero_deficit_baseline = false;
  std::string scenario = "scenario";
  // --threads, --tolerance, --max-iterations and the model's other options:
  // the registry's flags (ge::MultisectorOptionTable).
  OptionFlags<ge::MultisectorOptions> options{ge::MultisectorOptionTable()};
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

// The flags' baseline as a scenario file's [baseline] table, and the label of the run record.
scenario::BaselineSource Source(const SimulateArgs& a, std::string* label) {
  scenario::BaselineSource b;
  if (!a.cp.empty()) {
    b.kind = scenario::BaselineKind::kCp;
    b.path = a.cp;
    *label = "cp:" + a.cp;
  } else if (!a.cp_tidy.empty()) {
    b.kind = scenario::BaselineKind::kCpTidy;
    b.path = a.cp_tidy;
    *label = "cp-tidy:" + a.cp_tidy;
  } else {
    b.kind = scenario::BaselineKind::kWiod;
    b.path = a.wiod;
    b.year = a.year;
    *label = "wiod:" + a.wiod;
  }
  b.theta = a.theta;
  b.tariffs = a.tariffs;
  b.zero_deficit_baseline = a.zero_deficit_baseline;
  return b;
}

// The solver reports and the ten countries whose welfare moves most.
void PrintSummary(const SimulateArgs& a, const scenario::SimulateResult& r) {
  const ge::Baseline& baseline = r.loaded.baseline;
  const ge::MultisectorSolution& sol = r.solution;
  fmt::print("base year: {}\n", r.loaded.base_year_solution.BriefReport());
  if (r.loaded.zero_deficit_solution) {
    fmt::print("zero-deficit base: {}\n", r.loaded.zero_deficit_solution->BriefReport());
  }
  fmt::print("counterfactual '{}': {}\n", a.scenario, sol.BriefReport());
  std::vector<int> order(baseline.num_countries());
  for (int n = 0; n < baseline.num_countries(); ++n) order[n] = n;
  std::sort(order.begin(), order.end(), [&](int x, int y) {
    return std::fabs(sol.welfare_hat[x] - 1) > std::fabs(sol.welfare_hat[y] - 1);
  });
  fmt::print("{:<16} {:>10} {:>12} {:>11}\n", "country", "welfare %", "CP ToT+VoT %",
             "real wage %");
  for (size_t k = 0; k < std::min<size_t>(10, order.size()); ++k) {
    const int n = order[k];
    fmt::print("{:<16} {:>10.4f} {:>12.4f} {:>11.4f}\n", baseline.countries[n],
               100 * (sol.welfare_hat[n] - 1), 100 * r.welfare.welfare_cp[n],
               100 * (sol.real_wage_hat[n] - 1));
  }
  fmt::print("wrote {} rows to {} and {}\n", r.table.rows.size(), a.out + "/multisector.csv",
             a.out + "/multisector.json");
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
  RB_RETURN_IF_ERROR(core::CheckOutputFiles(a.out, report::SimulateOutputFiles(), a.force));
  scenario::SimulateOptions o;
  RB_ASSIGN_OR_RETURN(o.shocks, BuildSpec(a));
  for (const std::string& t : a.scale_theta) {
    RB_ASSIGN_OR_RETURN(Assignment x, ParseAssignment(t, 1, "--scale-theta", "SECTOR"));
    RB_ASSIGN_OR_RETURN(double v, ParseNumber(x.value, "--scale-theta", t));
    if (!(v > 0)) {
      return Status::InvalidArgument(fmt::format(
          "--scale-theta '{}': a factor on theta must be > 0 (theta > 0), got {}", t, v));
    }
    o.theta_scaling.push_back({x.labels[0], v, fmt::format("--scale-theta '{}'", t)});
  }
  std::string source;
  o.baseline = Source(a, &source);
  o.cp_nafta = a.cp_nafta;
  RB_RETURN_IF_ERROR(a.options.Apply(&o.solver));
  o.bilateral = !a.no_bilateral;
  if (!a.quiet) o.note = [](const std::string& n) { fmt::print(stderr, "note: {}\n", n); };
  RB_ASSIGN_OR_RETURN(scenario::SimulateResult r, scenario::Simulate(o));
  if (Interrupted())
    return Status::Cancelled("interrupted before writing outputs; nothing was written");
  RB_RETURN_IF_ERROR(report::WriteSimulateOutputs(r, a.scenario, source, a.out, a.force));
  if (!a.quiet) PrintSummary(a, r);
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
  sub->add_option("--scale-theta", a->scale_theta,
                  "Trade elasticities theta of SECTOR (a name, a comma list or *) multiplied by "
                  "FACTOR > 0 for the counterfactual: SECTOR=FACTOR (repeatable)");
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
  a->options.AddTo(sub);  // --tolerance, --max-iterations, --threads, ...
  sub->add_flag("--no-bilateral", a->no_bilateral, "Omit bilateral rows from the output");
  sub->add_option("--out", a->out, "Output directory")->required();
  sub->add_flag("--force", a->force, "Overwrite existing output files");
  sub->add_flag("--quiet", a->quiet, "Print nothing on success");
  sub->callback([a] { Finish(RunSimulate(*a), {{"allow_extreme", "--allow-extreme"}}); });
}

Registrar reg(55, AddSimulate);

}  // namespace
}  // namespace rebalance::app
