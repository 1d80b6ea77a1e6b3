// Scenario runner for the tariff_war model on world2023; see
// include/rebalance/scenario/tariff_war_run.h.
#include "rebalance/scenario/tariff_war_run.h"

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <map>

#include <fmt/format.h>

#include "rebalance/data/table.h"

namespace rebalance::scenario {
namespace {

namespace fs = std::filesystem;

// Indices of a label: "*" (all), a country, or a baseline group.
Result<std::vector<int>> Select(const std::string& label, const World2023& w,
                                const std::string& scenario) {
  const auto& c = w.baseline.countries;
  std::vector<int> out;
  if (label == "*") {
    for (int i = 0; i < static_cast<int>(c.size()); ++i) out.push_back(i);
    return out;
  }
  auto pos = std::find(c.begin(), c.end(), label);
  if (pos != c.end()) return std::vector<int>{static_cast<int>(pos - c.begin())};
  auto g = w.groups.find(label);
  if (g != w.groups.end()) {
    for (const auto& m : g->second)
      out.push_back(static_cast<int>(std::find(c.begin(), c.end(), m) - c.begin()));
    return out;
  }
  std::vector<std::string> valid = c;
  for (const auto& [name, members] : w.groups) valid.push_back(name);
  return Status::NotFound(
      fmt::format("scenario '{}': unknown country or group '{}'; did you mean '{}'?", scenario,
                  label, data::NearestName(label, valid)));
}

std::string Signed(double v, int decimals) { return fmt::format("{:+.{}f}%", v, decimals); }

Closure MakeClosure(const ge::TariffWarOptions& o) {
  Closure c;
  c.numeraire =
      o.numeraire == ge::TariffWarNumeraire::kPriceIndex
          ? "the base-year-expenditure-weighted average of price-index changes is zero (IMLS 2025)"
          : "world labour income is held at its base-year value";
  c.held_fixed.push_back(
      o.deficit == ge::DeficitScaling::kScaleWithWorldIncome
          ? "each country's transfer (trade deficit) as a share of world labour income"
          : "each country's transfer (trade deficit) in units of the numeraire");
  if (o.kappa == 0) {
    c.held_fixed.push_back("employment in every country");
  } else {
    c.caveats.push_back(fmt::format(
        "employment responds to the real after-tax wage with elasticity kappa = {}", o.kappa));
  }
  c.held_fixed.push_back("the sales split nu (calibrated) and base-year tariffs of zero");
  c.caveats.push_back(fmt::format(
      "one goods sector, trade elasticity {}, pass-through phi_i = {} + a_i; revenue use: "
      "{}",
      o.epsilon, o.pass_through, ge::ToString(o.revenue)));
  c.caveats.push_back(
      "a static comparison of 2023 equilibria: no adjustment path, no services trade");
  return c;
}

}  // namespace

Result<Eigen::MatrixXd> TariffWarTariffs(const ScenarioFile& file, const ScenarioDef& def,
                                         const World2023& w) {
  const int n = w.baseline.num_countries();
  const ge::ShockSpec& spec = def.spec;
  auto unsupported = [&](const char* what) {
    return Status::InvalidArgument(
        fmt::format("scenario '{}': {} shocks are not part of the tariff_war model (it has tariffs "
                    "only; see docs/tariff_war.md)",
                    def.name, what));
  };
  if (!spec.icebergs.empty()) return unsupported("iceberg");
  if (!spec.productivity.empty() || !def.efficiency.empty()) return unsupported("productivity");
  if (!spec.subsidies.empty()) return unsupported("subsidy");
  if (spec.deficit_rule != ge::DeficitRule::kFixed) return unsupported("deficit");
  for (const auto& ref : def.labels) {
    const auto& c = w.baseline.countries;
    if (!ref.is_sector && std::find(c.begin(), c.end(), ref.label) == c.end() &&
        !w.groups.count(ref.label)) {
      std::vector<std::string> valid = c;
      for (const auto& [name, members] : w.groups) valid.push_back(name);
      return Status::NotFound(fmt::format(
          "{}:{}:{}: key '{}': unknown country or group '{}'; did you mean '{}'?", file.path,
          ref.line, ref.column, ref.key, ref.label, data::NearestName(ref.label, valid)));
    }
    if (ref.is_sector) {
      return Status::InvalidArgument(
          fmt::format("{}:{}:{}: key '{}': the tariff_war model has one goods sector; "
                      "leave sectors out (or \"*\")",
                      file.path, ref.line, ref.column, ref.key));
    }
  }
  Eigen::MatrixXd t = Eigen::MatrixXd::Zero(n, n);
  auto apply_schedule = [&](const ScheduleTariff& st) -> Status {
    auto sched = w.schedules.find(st.schedule);
    if (sched == w.schedules.end()) {
      std::vector<std::string> names;
      for (const auto& [k, v] : w.schedules) names.push_back(k);
      return Status::NotFound(
          fmt::format("scenario '{}': unknown tariff schedule '{}'; the baseline has: {}", def.name,
                      st.schedule, fmt::join(names, ", ")));
    }
    for (const auto& im : st.importers) {
      RB_ASSIGN_OR_RETURN(std::vector<int> ims, Select(im, w, def.name));
      for (const auto& ex : st.exporters) {
        RB_ASSIGN_OR_RETURN(std::vector<int> exs, Select(ex, w, def.name));
        for (int i : ims)
          for (int j : exs)
            if (i != j) t(j, i) = std::max(st.floor, sched->second(st.mirror ? i : j));
      }
    }
    return Status::Ok();
  };
  size_t next_schedule = 0;
  auto flush = [&](size_t done) -> Status {
    while (next_schedule < def.schedule_tariffs.size() &&
           def.schedule_tariffs[next_schedule].after_tariffs <= done) {
      RB_RETURN_IF_ERROR(apply_schedule(def.schedule_tariffs[next_schedule]));
      ++next_schedule;
    }
    return Status::Ok();
  };
  for (size_t s = 0; s < spec.tariffs.size(); ++s) {
    RB_RETURN_IF_ERROR(flush(s));
    const ge::TariffShock& sh = spec.tariffs[s];
    if (sh.sector != "*") {
      return Status::InvalidArgument(
          fmt::format("scenario '{}': the tariff_war model has one goods sector; got sector '{}'",
                      def.name, sh.sector));
    }
    RB_ASSIGN_OR_RETURN(std::vector<int> ims, Select(sh.importer, w, def.name));
    RB_ASSIGN_OR_RETURN(std::vector<int> exs, Select(sh.exporter, w, def.name));
    for (int i : ims)
      for (int j : exs) {
        if (i == j) continue;
        double& v = t(j, i);
        switch (sh.mode) {
          case ge::ShockMode::kLevel:
            v = sh.value;
            break;
          case ge::ShockMode::kChange:
            v += sh.value;
            break;
          case ge::ShockMode::kMultiply:
            v = (1.0 + v) * sh.value - 1.0;
            break;
        }
        if (!(v > -1.0)) {
          return Status::InvalidArgument(
              fmt::format("scenario '{}': tariff on {} -> {} becomes {} (must be > -1)", def.name,
                          w.baseline.countries[j], w.baseline.countries[i], v));
        }
      }
  }
  RB_RETURN_IF_ERROR(flush(spec.tariffs.size()));
  return t;
}

Result<std::vector<ge::TariffWarGroup>> TariffWarGroups(const ScenarioFile& file,
                                                        const World2023& w) {
  // File groups extend the baseline's for selection and reporting.
  for (const auto& [name, members] : file.country_groups) {
    for (const auto& m : members) {
      if (std::find(w.baseline.countries.begin(), w.baseline.countries.end(), m) ==
          w.baseline.countries.end()) {
        return Status::NotFound(
            fmt::format("{}: group '{}': unknown country '{}'; did you mean '{}'?", file.path, name,
                        m, data::NearestName(m, w.baseline.countries)));
      }
    }
  }
  auto index_of = [&](const std::string& label) {
    return static_cast<int>(
        std::find(w.baseline.countries.begin(), w.baseline.countries.end(), label) -
        w.baseline.countries.begin());
  };
  std::vector<ge::TariffWarGroup> groups;
  ge::TariffWarGroup non_us{"non-US", {}};
  for (int i = 0; i < w.baseline.num_countries(); ++i)
    if (w.baseline.countries[i] != "USA") non_us.members.push_back(i);
  groups.push_back(non_us);
  auto add_groups = [&](const std::map<std::string, std::vector<std::string>>& named) {
    for (const auto& [name, members] : named) {
      ge::TariffWarGroup g{name, {}};
      for (const auto& m : members) g.members.push_back(index_of(m));
      groups.push_back(std::move(g));
    }
  };
  add_groups(w.groups);
  add_groups(file.country_groups);
  return groups;
}

Result<TariffWarOutcome> SolveTariffWarScenario(const ScenarioFile& file, const ScenarioDef& def,
                                                const World2023& w,
                                                const std::vector<ge::TariffWarGroup>& groups) {
  const int us =
      static_cast<int>(std::find(w.baseline.countries.begin(), w.baseline.countries.end(), "USA") -
                       w.baseline.countries.begin());
  TariffWarOutcome out;
  out.name = def.name;
  out.description = def.description;
  RB_ASSIGN_OR_RETURN(out.tariff, TariffWarTariffs(file, def, w));
  RB_ASSIGN_OR_RETURN(out.result, ge::SolveTariffWar(w.baseline, {out.tariff}, file.tariff_war));
  if (!out.result.converged()) {
    return Status::NotConverged(
        fmt::format("{}: scenario '{}': the tariff_war equilibrium {}{}", file.path, def.name,
                    out.result.BriefReport(),
                    out.result.message.empty() ? "" : " (" + out.result.message + ")"));
  }
  out.changes = ge::TariffWarChanges(w.baseline, out.result);
  out.tidy = ge::TariffWarTidy(def.name, w.baseline, out.result, groups);
  out.closure = MakeClosure(file.tariff_war);
  const auto& c = out.changes;
  if (us < w.baseline.num_countries()) {
    out.headlines.push_back(fmt::format(
        "USA: welfare {}, employment {}, consumer prices {}, trade deficit {}, exports/GDP {}, "
        "imports/GDP {} "
        "(percent changes from 2023; world2023, IMLS 2025 model, revenue: {})",
        Signed(c.welfare(us), 2), Signed(c.employment(us), 2), Signed(c.prices(us), 1),
        Signed(c.deficit(us), 1), Signed(c.exports_gdp(us), 1), Signed(c.imports_gdp(us), 1),
        ge::ToString(file.tariff_war.revenue)));
  }
  for (const auto& g : groups) {
    out.headlines.push_back(fmt::format(
        "{} (expenditure-weighted): welfare {}, employment {}, prices {}, deficit {}", g.name,
        Signed(ge::ExpenditureWeightedMean(w.baseline, c.welfare, g.members), 2),
        Signed(ge::ExpenditureWeightedMean(w.baseline, c.employment, g.members), 2),
        Signed(ge::ExpenditureWeightedMean(w.baseline, c.prices, g.members), 1),
        Signed(ge::ExpenditureWeightedMean(w.baseline, c.deficit, g.members), 1)));
  }
  out.headlines.push_back(fmt::format("solve: {}", out.result.BriefReport()));
  return out;
}

Result<TariffWarRun> RunTariffWarScenarios(const ScenarioFile& file, const RunOptions& options) {
  const auto start = std::chrono::steady_clock::now();
  if (file.model != ModelKind::kTariffWar) {
    return Status::InvalidArgument(
        fmt::format("{}: [model] type is '{}', not tariff_war", file.path, ToString(file.model)));
  }
  if (file.baseline.kind != BaselineKind::kBuiltin || file.baseline.builtin != "world2023") {
    return Status::InvalidArgument(
        fmt::format("{}: the tariff_war model runs on the built-in baseline: set [baseline] "
                    "builtin = \"world2023\"",
                    file.path));
  }
  TariffWarRun run;
  run.file = file;
  const std::string data_dir = options.data_dir.empty() ? DefaultDataDir() : options.data_dir;
  RB_ASSIGN_OR_RETURN(run.world, LoadWorld2023((fs::path(data_dir) / "world2023").string()));
  const World2023& w = run.world;
  RB_ASSIGN_OR_RETURN(run.groups, TariffWarGroups(file, w));
  const int total = static_cast<int>(file.scenarios.size());
  int done = 0;
  for (const auto& def : file.scenarios) {
    if (options.cancelled && options.cancelled())
      return Status::Cancelled("interrupted; nothing was written");
    if (options.progress) options.progress("solve", def.name, done, total);
    RB_ASSIGN_OR_RETURN(TariffWarOutcome out, SolveTariffWarScenario(file, def, w, run.groups));
    run.results.Append(out.tidy);
    run.scenarios.push_back(std::move(out));
    ++done;
  }
  if (options.progress) options.progress("solve", "", done, total);
  run.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return run;
}

}  // namespace rebalance::scenario
