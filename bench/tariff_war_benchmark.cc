// Benchmarks of the IMLS (2025) tariff-war model (ge/tariff_war.h) on the
// 194-country world2023 baseline (issue 17 targets): one equilibrium of
// Table 1 case 1 (582 unknowns, cold start, one thread; target <= 10 ms),
// the lump-sum case, and the five cases of the example scenario files in
// a row (target: the paper's baseline tables <= 1 s). Counters report the
// solver's iterations and map evaluations.
#include <benchmark/benchmark.h>

#include <string>

#include "rebalance/ge/tariff_war.h"
#include "rebalance/scenario/world2023.h"

namespace rebalance::ge {
namespace {

struct Case {
  scenario::World2023 world;
  Eigen::MatrixXd ustr, war_cn, war_cn108;
  bool ok = false;
};

const Case& Get() {
  static const Case* c = [] {
    auto* out = new Case;
    auto w = scenario::LoadWorld2023(std::string(REBALANCE_SOURCE_DIR) + "/data/world2023");
    if (!w.ok()) return out;
    out->world = *w;
    const auto& b = out->world.baseline;
    const int n = b.num_countries();
    int us = 0, cn = 0;
    for (int i = 0; i < n; ++i) {
      if (b.countries[i] == "USA") us = i;
      if (b.countries[i] == "CHN") cn = i;
    }
    const Eigen::VectorXd& rate = out->world.schedules.at("liberation_day");
    out->ustr = Eigen::MatrixXd::Zero(n, n);
    out->war_cn = Eigen::MatrixXd::Zero(n, n);
    for (int j = 0; j < n; ++j) {
      if (j == us) continue;
      out->ustr(j, us) = std::max(0.1, rate(j));
      out->war_cn(j, us) = 0.1;
      out->war_cn(us, j) = 0.1;
    }
    out->war_cn(cn, us) = out->war_cn(us, cn) = rate(cn);
    out->war_cn108 = out->war_cn;
    out->war_cn108(cn, us) = out->war_cn108(us, cn) = 1.08;
    out->ok = true;
    return out;
  }();
  return *c;
}

void Solve(benchmark::State& state, const Eigen::MatrixXd& t, RevenueUse use) {
  const Case& c = Get();
  if (!c.ok) {
    state.SkipWithError("data/world2023 not found");
    return;
  }
  TariffWarOptions o;
  o.revenue = use;
  TariffWarResult last;
  for (auto _ : state) {
    auto r = SolveTariffWar(c.world.baseline, {t}, o);
    if (!r.ok() || !r->converged()) {
      state.SkipWithError("solve failed");
      return;
    }
    last = *r;
    benchmark::DoNotOptimize(last.w_hat.data());
  }
  state.counters["iterations"] = last.iterations;
  state.counters["evaluations"] = last.function_evaluations;
  state.counters["equation_error"] = last.max_equation_error;
}

void BM_Table1Case1IncomeTax(benchmark::State& state) {
  Solve(state, Get().ustr, RevenueUse::kIncomeTax);
}
void BM_Table1Case2LumpSum(benchmark::State& state) {
  Solve(state, Get().ustr, RevenueUse::kLumpSum);
}
void BM_UsChinaWar(benchmark::State& state) { Solve(state, Get().war_cn, RevenueUse::kIncomeTax); }
void BM_UsChinaWar108(benchmark::State& state) {
  Solve(state, Get().war_cn108, RevenueUse::kIncomeTax);
}

BENCHMARK(BM_Table1Case1IncomeTax)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Table1Case2LumpSum)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_UsChinaWar)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_UsChinaWar108)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace rebalance::ge

BENCHMARK_MAIN();
