// The WebAssembly entry of report.html's what-if explorer (built by
// scripts/build_wasm.sh with Debian's emscripten; docs/report.md). Two C
// functions for JavaScript's cwrap, each taking and returning UTF-8 text:
//   rb_explorer_load(baseline_json)  -> {"status": "ok"} or an error
//   rb_explorer_solve(scenario_toml) -> report::SolveExplorerScenario's JSON
//   rb_explorer_load_war(world_json) -> {"status": "ok"} or an error
//   rb_explorer_solve_war(scenario_toml) -> SolveTariffWarExplorerScenario's
// (the multi-sector baseline and the tariff_war world are held side by side).
// Every outcome, an exception included, is a status in the returned JSON:
// an exception escaping to JavaScript would arrive as a bare number.
#include <emscripten/emscripten.h>

#include <exception>
#include <optional>
#include <string>

#include "rebalance/report/explorer.h"
#include "rebalance/scenario/world2023.h"

namespace {

std::optional<rebalance::ge::Baseline> g_baseline;
std::optional<rebalance::scenario::World2023> g_world;
std::string g_out;  // the last answer; valid until the next call

const char* Answer(const nlohmann::json& j) {
  g_out = j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return g_out.c_str();
}

}  // namespace

extern "C" {

EMSCRIPTEN_KEEPALIVE const char* rb_explorer_load(const char* baseline_json) {
  try {
    auto b = rebalance::report::BaselineFromJson(nlohmann::json::parse(baseline_json));
    if (!b.ok()) return Answer({{"status", "error"}, {"message", b.status().message()}});
    b->FillDefaults();
    g_baseline = std::move(b).value();
    return Answer({{"status", "ok"},
                   {"countries", g_baseline->num_countries()},
                   {"sectors", g_baseline->num_sectors()}});
  } catch (const std::exception& e) {
    return Answer({{"status", "error"}, {"message", std::string("baseline: ") + e.what()}});
  } catch (...) {
    return Answer({{"status", "error"}, {"message", "baseline: unknown exception"}});
  }
}

EMSCRIPTEN_KEEPALIVE const char* rb_explorer_solve(const char* scenario_toml) {
  if (!g_baseline.has_value()) {
    return Answer({{"status", "error"}, {"message", "no baseline loaded"}});
  }
  return Answer(rebalance::report::SolveExplorerScenario(*g_baseline, scenario_toml));
}

EMSCRIPTEN_KEEPALIVE const char* rb_explorer_load_war(const char* world_json) {
  try {
    auto w = rebalance::report::World2023FromJson(nlohmann::json::parse(world_json));
    if (!w.ok()) return Answer({{"status", "error"}, {"message", w.status().message()}});
    g_world = std::move(w).value();
    return Answer({{"status", "ok"}, {"countries", g_world->baseline.num_countries()}});
  } catch (const std::exception& e) {
    return Answer({{"status", "error"}, {"message", std::string("world2023: ") + e.what()}});
  } catch (...) {
    return Answer({{"status", "error"}, {"message", "world2023: unknown exception"}});
  }
}

EMSCRIPTEN_KEEPALIVE const char* rb_explorer_solve_war(const char* scenario_toml) {
  if (!g_world.has_value()) {
    return Answer({{"status", "error"}, {"message", "no world2023 loaded"}});
  }
  return Answer(rebalance::report::SolveTariffWarExplorerScenario(*g_world, scenario_toml));
}

}  // extern "C"
