// Benchmarks of the one-sector gravity GE (issue 3 speed targets):
// - the 69-country full-endowment solve of Yotov et al. (2016) ch. 2 app. 1
//   (baseline resistances + conditional + full GE; target <= 20 ms);
// - 1,000 Monte Carlo draws of beta on that application (target <= 10 s on
//   2 cores).
// The PPML estimate (beta, vcov) is computed once in setup with
// econ::Estimate, as `rebalance gravity --estimate` would read it.
#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstdlib>
#include <memory>

#include "rebalance/data/csv.h"
#include "rebalance/econ/ppml.h"
#include "rebalance/ge/gravity.h"
#include "rebalance/ge/gravity_draws.h"
#include "rebalance/ge/gravity_input.h"

namespace rebalance::ge {
namespace {

struct Setup {
  GravityInput input;
  TradeCosts costs;
  GravityOptions options;
  GravityResult point;
  bool ok = false;
};

const Setup& Get() {
  static const Setup* s = [] {
    auto* st = new Setup;
    auto table = data::ReadCsv(REBALANCE_DATA_DIR
                               "/yotov2016_agtpa/ch2_app1_trade_without_border_2006.csv.gz");
    if (!table.ok()) {
      std::fprintf(stderr, "%s\n", table.status().ToString().c_str());
      return st;
    }
    econ::EstimateOptions eo;
    eo.formula = "trade ~ ln_DIST + CNTG + INTL_BRDR | exporter + importer";
    auto est = econ::Estimate(*table, eo);
    if (!est.ok() || !est->converged()) {
      std::fprintf(stderr, "estimate failed\n");
      return st;
    }
    GravityTableSpec spec;
    spec.covariates = {"ln_DIST", "CNTG", "INTL_BRDR"};
    auto in = GravityInputFromTable(*table, spec);
    if (!in.ok()) return st;
    st->input = std::move(in).value();
    st->input.covariates.beta.resize(3);
    for (int k = 0; k < 3; ++k) st->input.covariates.beta[k] = est->coefficients[k].estimate;
    st->input.covariates.vcov = est->vcov;
    if (!ApplyCovariateChanges(st->input.data.countries, {{"INTL_BRDR", 0.0, {}}},
                               &st->input.covariates)
             .ok()) {
      return st;
    }
    st->costs = *st->input.covariates.Costs(st->input.covariates.beta);
    st->options.sigma = 7.0;
    st->options.reference = "ZZZ";
    auto r = SolveGravityOrError(st->input.data, st->costs, st->options);
    if (!r.ok()) return st;
    st->point = std::move(r).value();
    st->ok = true;
    return st;
  }();
  return *s;
}

void BM_GravityFullSolve69(benchmark::State& state) {
  const Setup& s = Get();
  if (!s.ok) {
    state.SkipWithError("setup failed");
    return;
  }
  GravityOptions o = s.options;
  o.closure = static_cast<DeficitClosure>(state.range(0));
  for (auto _ : state) {
    auto r = SolveGravityOrError(s.input.data, s.costs, o);
    if (!r.ok()) {
      state.SkipWithError(r.status().ToString().c_str());
      return;
    }
    benchmark::DoNotOptimize(r->full.real_gdp.data());
  }
  state.SetLabel(ToString(o.closure));
}
BENCHMARK(BM_GravityFullSolve69)->Arg(0)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond);

void BM_GravityDraws1000(benchmark::State& state) {
  const Setup& s = Get();
  if (!s.ok) {
    state.SkipWithError("setup failed");
    return;
  }
  GravityDrawOptions d;
  d.draws = 1000;
  d.seed = 42;
  d.threads = static_cast<int>(state.range(0));
  int failed = 0;
  for (auto _ : state) {
    auto r = DrawGravity(s.input.data, s.input.covariates, s.options, s.point, d);
    if (!r.ok()) {
      state.SkipWithError(r.status().ToString().c_str());
      return;
    }
    failed = r->failed;
    benchmark::DoNotOptimize(r->bands.data());
  }
  state.counters["failed_draws"] = failed;
}
BENCHMARK(BM_GravityDraws1000)->Arg(1)->Arg(2)->Unit(benchmark::kSecond)->Iterations(1);

}  // namespace
}  // namespace rebalance::ge

BENCHMARK_MAIN();
