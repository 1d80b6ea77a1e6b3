// The what-if explorer's library side (see include/rebalance/report/explorer.h):
// the baseline as exact JSON, each scenario's shocks as the page's controls,
// and the one-scenario solve the WebAssembly module calls. The solve repeats
// RunScenarios' per-scenario steps (src/scenario/run.cc) call for call, so
// the page, its exported TOML and `rebalance run` of that file agree.
#include "rebalance/report/explorer.h"

#include <fmt/format.h>

#include <cmath>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "rebalance/ge/multisector.h"
#include "rebalance/report/charts.h"
#include "rebalance/report/tariff_war_outputs.h"
#include "rebalance/scenario/run.h"
#include "rebalance/scenario/tariff_war_run.h"
#include "rebalance/scenario/world2023.h"

namespace rebalance::report {
namespace {

using json = nlohmann::json;

template <typename T>
Status Get(const json& j, const char* key, T* out) {
  auto it = j.find(key);
  if (it == j.end()) return Status::InvalidArgument(fmt::format("baseline JSON: no '{}'", key));
  try {
    *out = it->get<T>();
  } catch (const std::exception& e) {
    return Status::InvalidArgument(fmt::format("baseline JSON: '{}': {}", key, e.what()));
  }
  return Status::Ok();
}

const char* ModeName(ge::ShockMode m) {
  switch (m) {
    case ge::ShockMode::kLevel:
      return "set";
    case ge::ShockMode::kChange:
      return "add";
    case ge::ShockMode::kMultiply:
      return "multiply";
  }
  return "set";
}

const char* DeficitUnitName(ge::DeficitUnit u) {
  switch (u) {
    case ge::DeficitUnit::kBillionUsd:
      return "bn_usd";
    case ge::DeficitUnit::kMillionUsd:
      return "mn_usd";
    case ge::DeficitUnit::kShareOfOwnVa:
      return "share_of_gdp";
    case ge::DeficitUnit::kShareOfWorldVa:
      return "share_of_world_gdp";
    case ge::DeficitUnit::kMultiple:
      return "multiply";
    case ge::DeficitUnit::kLevel:
      return "level";
  }
  return "level";
}

// The index K of "shocks[K]" in a message about scenario[0], or -1.
int ShockIndexOf(const std::string& message) {
  const std::string tag = "scenario[0].shocks[";
  const size_t at = message.find(tag);
  if (at == std::string::npos) return -1;
  return std::atoi(message.c_str() + at + tag.size());
}

json Invalid(const Status& st) {
  return {{"status", "invalid"}, {"message", st.message()}, {"shock", ShockIndexOf(st.message())}};
}

json SolveOn(const ge::Baseline& baseline, const scenario::ScenarioFile& file,
             const scenario::ScenarioDef& def);

// The answer to a file an explorer panel cannot solve (another model, or not
// exactly one scenario); nullopt when it can.
std::optional<json> RefuseUnsolvable(const scenario::ScenarioFile& file, scenario::ModelKind model,
                                     std::string_view refusal) {
  if (file.model != model) {
    return json{{"status", "invalid"}, {"message", std::string(refusal)}, {"shock", -1}};
  }
  if (file.scenarios.size() != 1) {
    return json{{"status", "invalid"},
                {"message", fmt::format("the explorer solves one scenario at a time, got {}",
                                        file.scenarios.size())},
                {"shock", -1}};
  }
  return std::nullopt;
}

json Solve(const ge::Baseline& baseline, std::string_view toml, const std::string& source) {
  auto file = scenario::ParseScenario(toml, source);
  if (!file.ok()) return Invalid(file.status());
  if (auto refused = RefuseUnsolvable(*file, scenario::ModelKind::kMultiSector,
                                      "the explorer solves the multi-sector model only")) {
    return *refused;
  }
  // As RunScenarios: labels, then the scenario's shocks, then the solve.
  if (Status st = scenario::CheckLabels(*file, baseline); !st.ok()) return Invalid(st);
  const scenario::ScenarioDef& def = file->scenarios.front();
  auto scaled = scenario::ScaleTheta(baseline, def.theta_scaling);
  if (!scaled.ok()) return Invalid(scaled.status());
  return SolveOn(*scaled, *file, def);
}

// The solve of one scenario on its baseline (theta scaled when it says so).
json SolveOn(const ge::Baseline& baseline, const scenario::ScenarioFile& file,
             const scenario::ScenarioDef& def) {
  auto spec = scenario::BuildShockSpec(def, baseline);
  if (!spec.ok()) return Invalid(spec.status());
  auto shocks = ge::ResolveShocks(baseline, *spec);
  if (!shocks.ok()) {
    return Invalid(
        shocks.status().WithContext(fmt::format("{}: scenario '{}'", file.path, def.name)));
  }
  auto sol = ge::SolveMultisectorOrError(baseline, *shocks, ge::MultisectorOptions{});
  if (!sol.ok()) {
    const Status st = sol.status().WithContext(fmt::format("scenario '{}'", def.name));
    if (st.code() == StatusCode::kNotConverged) {
      return {{"status", "not_converged"}, {"message", st.message()}};
    }
    return Invalid(st);
  }
  ge::MultisectorReportOptions ro;
  ro.bilateral = false;
  ge::TidyTable tidy = ge::TidyMultisector(baseline, *shocks, *sol, ro);
  for (auto& row : tidy.rows) row.scenario = def.name;

  json out;
  out["status"] = "ok";
  out["scenario"] = def.name;
  out["termination"] = ge::ToString(sol->termination);
  out["iterations"] = sol->iterations;
  out["residual"] = sol->residual;
  out["solver_seconds"] = sol->seconds;
  out["brief"] = sol->BriefReport();
  json rows = json::array();
  for (const auto& r : tidy.rows) {
    rows.push_back({r.country, r.sector, r.variable, r.unit, r.baseline, r.counterfactual,
                    std::isfinite(r.pct_change) ? json(r.pct_change) : json(nullptr)});
  }
  out["rows"] = std::move(rows);

  // Exports of the targeted pairs (tariff or trade cost changed), as the
  // briefing's table: the pair in total and each targeted sector.
  json pairs = json::array();
  const int N = baseline.num_countries(), J = baseline.num_sectors();
  for (int n = 0; n < N; ++n) {
    for (int i = 0; i < N; ++i) {
      if (i == n) continue;
      std::vector<int> secs;
      for (int j = 0; j < J; ++j) {
        const size_t f = baseline.FlowIndex(j, n, i);
        if (shocks->tariff_new[f] != baseline.tariff[f] || shocks->d_hat[f] != 1.0) {
          secs.push_back(j);
        }
      }
      if (secs.empty()) continue;
      double t0 = 0, t1 = 0;
      for (int j = 0; j < J; ++j) {
        t0 += baseline.flow[baseline.FlowIndex(j, n, i)];
        t1 += sol->flow_new[baseline.FlowIndex(j, n, i)];
      }
      const std::string& ex = baseline.countries[static_cast<size_t>(i)];
      const std::string& im = baseline.countries[static_cast<size_t>(n)];
      pairs.push_back({ex, im, "All sectors", t0, t1});
      for (int j : secs) {
        const size_t f = baseline.FlowIndex(j, n, i);
        pairs.push_back(
            {ex, im, baseline.sectors[static_cast<size_t>(j)], baseline.flow[f], sol->flow_new[f]});
      }
    }
  }
  out["pairs"] = std::move(pairs);

  HeatmapOptions h;
  h.scenario = def.name;
  h.variable = "gross_output";
  h.value_title = "Gross output change (%)";
  h.country_order = baseline.countries;
  h.sector_order = baseline.sectors;
  auto heat = SectoralHeatmapSpec(tidy, h);
  if (!heat.ok()) return {{"status", "error"}, {"message", heat.status().message()}};
  out["heatmap"] = std::move(heat).value();
  WelfareChartOptions w;
  w.variable = "welfare";
  w.value_title = "Welfare change (%)";
  w.country_order = baseline.countries;
  auto welfare = WelfareChartSpec(tidy, nullptr, w);
  if (!welfare.ok()) return {{"status", "error"}, {"message", welfare.status().message()}};
  out["welfare"] = std::move(welfare).value();
  return out;
}

}  // namespace

json BaselineToJson(const ge::Baseline& b) {
  json j;
  j["countries"] = b.countries;
  j["sectors"] = b.sectors;
  j["sector_names"] = b.sector_names;
  j["currency_unit"] = b.currency_unit;
  j["flow"] = b.flow;
  j["tariff"] = b.tariff;
  j["iceberg"] = b.iceberg;
  j["va_share"] = b.va_share;
  j["io_share"] = b.io_share;
  j["alpha"] = b.alpha;
  j["deficit"] = b.deficit;
  j["theta"] = b.theta;
  std::vector<int> tradable(b.tradable.begin(), b.tradable.end());
  j["tradable"] = tradable;
  j["production_subsidy"] = b.production_subsidy;
  j["export_subsidy"] = b.export_subsidy;
  j["negative_io_tolerance"] = b.negative_io_tolerance;
  return j;
}

Result<ge::Baseline> BaselineFromJson(const json& j) {
  if (!j.is_object()) return Status::InvalidArgument("baseline JSON: expected an object");
  ge::Baseline b;
  RB_RETURN_IF_ERROR(Get(j, "countries", &b.countries));
  RB_RETURN_IF_ERROR(Get(j, "sectors", &b.sectors));
  RB_RETURN_IF_ERROR(Get(j, "sector_names", &b.sector_names));
  RB_RETURN_IF_ERROR(Get(j, "currency_unit", &b.currency_unit));
  RB_RETURN_IF_ERROR(Get(j, "flow", &b.flow));
  RB_RETURN_IF_ERROR(Get(j, "tariff", &b.tariff));
  RB_RETURN_IF_ERROR(Get(j, "iceberg", &b.iceberg));
  RB_RETURN_IF_ERROR(Get(j, "va_share", &b.va_share));
  RB_RETURN_IF_ERROR(Get(j, "io_share", &b.io_share));
  RB_RETURN_IF_ERROR(Get(j, "alpha", &b.alpha));
  RB_RETURN_IF_ERROR(Get(j, "deficit", &b.deficit));
  RB_RETURN_IF_ERROR(Get(j, "theta", &b.theta));
  std::vector<int> tradable;
  RB_RETURN_IF_ERROR(Get(j, "tradable", &tradable));
  b.tradable.assign(tradable.begin(), tradable.end());
  RB_RETURN_IF_ERROR(Get(j, "production_subsidy", &b.production_subsidy));
  RB_RETURN_IF_ERROR(Get(j, "export_subsidy", &b.export_subsidy));
  RB_RETURN_IF_ERROR(Get(j, "negative_io_tolerance", &b.negative_io_tolerance));
  RB_RETURN_IF_ERROR(b.ValidateStructure());
  return b;
}

Result<json> ExplorerData(const scenario::RunResult& run) {
  const scenario::ScenarioFile& file = run.file;
  if (file.model != scenario::ModelKind::kMultiSector) {
    return Status::InvalidArgument(fmt::format(
        "the explorer solves the multi-sector model; this run is '{}'", ToString(file.model)));
  }
  const ge::Baseline& b = run.loaded.baseline;
  json data;
  data["title"] = file.title;
  data["baseline"] = BaselineToJson(b);
  // The [baseline] table of the exported file: a built-in world by name;
  // other sources by file name only (the report holds no path of the machine).
  json source;
  namespace fs = std::filesystem;
  const scenario::BaselineSource& s = file.baseline;
  const std::string kind = ToString(s.kind);
  source[kind] =
      s.kind == scenario::BaselineKind::kBuiltin ? s.builtin : fs::path(s.path).filename().string();
  if (s.year != 0 && s.kind == scenario::BaselineKind::kWiod) source["year"] = s.year;
  if (!s.map.empty()) source["map"] = fs::path(s.map).filename().string();
  if (!s.theta.empty()) source["theta"] = fs::path(s.theta).filename().string();
  if (!s.tariffs.empty()) source["tariffs"] = fs::path(s.tariffs).filename().string();
  if (s.zero_deficit_baseline) source["zero_deficit_baseline"] = true;
  data["source"] = source;
  data["builtin"] = s.kind == scenario::BaselineKind::kBuiltin;
  data["country_groups"] = file.country_groups;
  data["sector_groups"] = file.sector_groups;
  json scenarios = json::array();
  for (const scenario::ScenarioDef& def : file.scenarios) {
    json shocks = json::array();
    const ge::ShockSpec& sp = def.spec;
    for (const auto& t : sp.tariffs) {
      shocks.push_back({{"kind", "tariff"},
                        {"importer", t.importer},
                        {"exporter", t.exporter},
                        {"sector", t.sector},
                        {"mode", ModeName(t.mode)},
                        {"value", t.value},
                        {"allow_extreme", t.allow_extreme}});
    }
    for (const auto& t : sp.icebergs) {
      shocks.push_back({{"kind", "iceberg"},
                        {"importer", t.importer},
                        {"exporter", t.exporter},
                        {"sector", t.sector},
                        {"mode", "factor"},
                        {"value", t.d_hat}});
    }
    for (const auto& p : sp.productivity) {
      shocks.push_back({{"kind", "productivity"},
                        {"country", p.country},
                        {"sector", p.sector},
                        {"mode", "lambda_hat"},
                        {"value", p.lambda_hat}});
    }
    for (const auto& e : def.efficiency) {
      shocks.push_back({{"kind", "productivity"},
                        {"country", e.country},
                        {"sector", e.sector},
                        {"mode", "efficiency"},
                        {"value", e.change}});
    }
    for (const auto& sub : sp.subsidies) {
      shocks.push_back(
          {{"kind",
            ToString(sub.kind) == std::string("export") ? "export_subsidy" : "production_subsidy"},
           {"country", sub.country},
           {"sector", sub.sector},
           {"mode", sub.mode == ge::ShockMode::kLevel ? "rate" : "add"},
           {"value", sub.value}});
    }
    for (const auto& t : def.theta_scaling) {
      shocks.push_back(
          {{"kind", "theta"}, {"sector", t.sector}, {"mode", "multiply"}, {"value", t.factor}});
    }
    if (sp.deficit_rule == ge::DeficitRule::kZero) {
      shocks.push_back({{"kind", "deficits"}, {"mode", "zero"}});
    }
    if (sp.deficit_rule == ge::DeficitRule::kTargets) {
      for (const auto& d : sp.deficit_targets) {
        shocks.push_back({{"kind", "deficit"},
                          {"country", d.country},
                          {"mode", DeficitUnitName(d.unit)},
                          {"value", d.value},
                          {"residual", ToString(sp.deficit_residual)}});
      }
    }
    scenarios.push_back(
        {{"name", def.name}, {"description", def.description}, {"shocks", std::move(shocks)}});
  }
  data["scenarios"] = std::move(scenarios);
  return data;
}

json World2023ToJson(const scenario::World2023& w) {
  const ge::TariffWarBaseline& b = w.baseline;
  const int n = b.num_countries();
  json j;
  j["countries"] = b.countries;
  j["names"] = w.names;
  j["currency_unit"] = b.currency_unit;
  j["year"] = b.year;
  std::vector<double> flows(static_cast<size_t>(n) * n);
  for (int r = 0; r < n; ++r)
    for (int c = 0; c < n; ++c) flows[static_cast<size_t>(r) * n + c] = b.flows(r, c);
  j["flows"] = flows;  // X[j,i], exporter j (row), row-major
  j["nu"] = std::vector<double>(b.nu.data(), b.nu.data() + n);
  j["gdp"] = std::vector<double>(w.gdp.data(), w.gdp.data() + w.gdp.size());
  json schedules = json::object();
  for (const auto& [name, v] : w.schedules)
    schedules[name] = std::vector<double>(v.data(), v.data() + v.size());
  j["schedules"] = schedules;
  j["groups"] = w.groups;
  return j;
}

Result<scenario::World2023> World2023FromJson(const json& j) {
  if (!j.is_object()) return Status::InvalidArgument("world2023 JSON: expected an object");
  scenario::World2023 w;
  ge::TariffWarBaseline& b = w.baseline;
  RB_RETURN_IF_ERROR(Get(j, "countries", &b.countries));
  RB_RETURN_IF_ERROR(Get(j, "names", &w.names));
  RB_RETURN_IF_ERROR(Get(j, "currency_unit", &b.currency_unit));
  RB_RETURN_IF_ERROR(Get(j, "year", &b.year));
  std::vector<double> flows, nu, gdp;
  RB_RETURN_IF_ERROR(Get(j, "flows", &flows));
  RB_RETURN_IF_ERROR(Get(j, "nu", &nu));
  RB_RETURN_IF_ERROR(Get(j, "gdp", &gdp));
  const size_t n = b.countries.size();
  if (flows.size() != n * n || nu.size() != n || gdp.size() != n) {
    return Status::InvalidArgument(
        fmt::format("world2023 JSON: {} countries, {} flows, {} nu, {} gdp", n, flows.size(),
                    nu.size(), gdp.size()));
  }
  b.flows.resize(static_cast<Eigen::Index>(n), static_cast<Eigen::Index>(n));
  for (size_t r = 0; r < n; ++r)
    for (size_t c = 0; c < n; ++c)
      b.flows(static_cast<Eigen::Index>(r), static_cast<Eigen::Index>(c)) = flows[r * n + c];
  b.nu = Eigen::Map<const Eigen::VectorXd>(nu.data(), static_cast<Eigen::Index>(n));
  w.gdp = Eigen::Map<const Eigen::VectorXd>(gdp.data(), static_cast<Eigen::Index>(n));
  std::map<std::string, std::vector<double>> schedules;
  RB_RETURN_IF_ERROR(Get(j, "schedules", &schedules));
  for (const auto& [name, v] : schedules) {
    if (v.size() != n) {
      return Status::InvalidArgument(fmt::format(
          "world2023 JSON: schedule '{}' has {} rates for {} countries", name, v.size(), n));
    }
    w.schedules[name] = Eigen::Map<const Eigen::VectorXd>(v.data(), static_cast<Eigen::Index>(n));
  }
  RB_RETURN_IF_ERROR(Get(j, "groups", &w.groups));
  RB_RETURN_IF_ERROR(b.Validate());
  return w;
}

Result<json> TariffWarExplorerData(const scenario::TariffWarRun& run) {
  const scenario::ScenarioFile& file = run.file;
  json data;
  data["title"] = file.title;
  data["world"] = World2023ToJson(run.world);
  // The [model] table of the exported file: every option as the run used it.
  data["model"] = TariffWarOptionsJson<json>(file.tariff_war);
  data["source"] = {{"builtin", "world2023"}};
  data["country_groups"] = file.country_groups;
  json scenarios = json::array();
  for (const scenario::ScenarioDef& def : file.scenarios) {
    json shocks = json::array();
    size_t next = 0;  // tariff_schedule shocks in file order among the tariffs
    auto schedules_until = [&](size_t done) {
      while (next < def.schedule_tariffs.size() &&
             def.schedule_tariffs[next].after_tariffs <= done) {
        const scenario::ScheduleTariff& st = def.schedule_tariffs[next++];
        for (const auto& im : st.importers)
          for (const auto& ex : st.exporters)
            shocks.push_back({{"kind", "tariff_schedule"},
                              {"importer", im},
                              {"exporter", ex},
                              {"schedule", st.schedule},
                              {"mirror", st.mirror},
                              {"mode", "floor"},
                              {"value", st.floor}});
      }
    };
    for (size_t k = 0; k < def.spec.tariffs.size(); ++k) {
      schedules_until(k);
      const ge::TariffShock& t = def.spec.tariffs[k];
      shocks.push_back({{"kind", "tariff"},
                        {"importer", t.importer},
                        {"exporter", t.exporter},
                        {"mode", ModeName(t.mode)},
                        {"value", t.value},
                        {"allow_extreme", t.allow_extreme}});
    }
    schedules_until(def.spec.tariffs.size());
    scenarios.push_back(
        {{"name", def.name}, {"description", def.description}, {"shocks", std::move(shocks)}});
  }
  data["scenarios"] = std::move(scenarios);
  return data;
}

json SolveTariffWarExplorerScenario(const scenario::World2023& world, std::string_view toml,
                                    const std::string& source) {
  try {
    auto file = scenario::ParseScenario(toml, source);
    if (!file.ok()) return Invalid(file.status());
    if (auto refused = RefuseUnsolvable(*file, scenario::ModelKind::kTariffWar,
                                        "this explorer solves the tariff_war model only")) {
      return *refused;
    }
    auto groups = scenario::TariffWarGroups(*file, world);
    if (!groups.ok()) return Invalid(groups.status());
    const scenario::ScenarioDef& def = file->scenarios.front();
    auto out = scenario::SolveTariffWarScenario(*file, def, world, *groups);
    if (!out.ok()) {
      if (out.status().code() == StatusCode::kNotConverged) {
        return {{"status", "not_converged"}, {"message", out.status().message()}};
      }
      return Invalid(out.status());
    }
    json j;
    j["status"] = "ok";
    j["scenario"] = def.name;
    j["termination"] = ge::ToString(out->result.termination);
    j["iterations"] = out->result.iterations;
    j["residual"] = out->result.residual;
    j["solver_seconds"] = out->result.seconds;
    j["brief"] = out->result.BriefReport();
    json rows = json::array();
    for (const auto& r : out->tidy.rows) {
      rows.push_back({r.country, r.sector, r.variable, r.unit, r.baseline, r.counterfactual,
                      std::isfinite(r.pct_change) ? json(r.pct_change) : json(nullptr)});
    }
    j["rows"] = std::move(rows);
    j["headlines"] = out->headlines;
    j["groups"] = json::array();
    for (const auto& g : *groups) j["groups"].push_back(g.name);
    return j;
  } catch (const std::exception& e) {
    return {{"status", "error"}, {"message", fmt::format("internal error: {}", e.what())}};
  } catch (...) {
    return {{"status", "error"}, {"message", "internal error (unknown exception)"}};
  }
}

json SolveExplorerScenario(const ge::Baseline& baseline, std::string_view toml,
                           const std::string& source) {
  try {
    return Solve(baseline, toml, source);
  } catch (const std::exception& e) {
    return {{"status", "error"}, {"message", fmt::format("internal error: {}", e.what())}};
  } catch (...) {
    return {{"status", "error"}, {"message", "internal error (unknown exception)"}};
  }
}

}  // namespace rebalance::report
