// Benchmarks of the multi-sector Caliendo-Parro model (issue 4 targets):
// - CP's NAFTA counterfactual (31 countries x 40 sectors) from the
//   zero-deficit 1993 base year, one thread, cold start (target <= 0.3 s);
// - CP's base-year calibration steps 2 and 3;
// - a 41-region x 35-sector WIOD 2011 baseline with a 25% US tariff on China
//   (target <= 0.3 s);
// - 1,000 re-solves of the NAFTA counterfactual with perturbed theta
//   (theta_j x exp(0.1 z)), warm-started, on 2 threads (target <= 60 s).
#include <benchmark/benchmark.h>

#include <cmath>
#include <random>
#include <string>
#include <vector>

#include "rebalance/ge/baseline.h"
#include "rebalance/ge/multisector.h"
#include "rebalance/ge/shocks.h"
#include "rebalance/io_tables/io_table.h"
#include "rebalance/scenario/baseline_files.h"

namespace rebalance::ge {
namespace {

// The file readers are in scenario/ (ge reads no file).
using scenario::ReadCpMatrices;
using scenario::ReadCpTariffs;

const std::string kCp = std::string(REBALANCE_DATA_DIR) + "/caliendo_parro2015/original_matrices";

struct NaftaCase {
  Baseline raw, with_deficits, base;
  ShockSet shocks;
  bool ok = false;
};

const NaftaCase& Nafta() {
  static const NaftaCase* c = [] {
    auto* nc = new NaftaCase;
    auto raw = ReadCpMatrices(kCp);
    if (!raw.ok()) return nc;
    nc->raw = raw.value();
    auto b2 = SolveBaseYear(nc->raw);
    if (!b2.ok()) return nc;
    nc->with_deficits = b2.value();
    auto b3 = ZeroDeficitBaseline(nc->with_deficits);
    if (!b3.ok()) return nc;
    nc->base = b3.value();
    auto t05 = ReadCpTariffs(kCp + "/tariffs2005.txt.gz", nc->base);
    if (!t05.ok()) return nc;
    nc->shocks = ShockSet::None(nc->base);
    nc->shocks.name = "nafta";
    const std::vector<int> nafta = {4, 19, 29};
    for (int j = 0; j < nc->base.num_sectors(); ++j)
      for (int n : nafta)
        for (int i : nafta)
          if (n != i)
            nc->shocks.tariff_new[nc->base.FlowIndex(j, n, i)] =
                t05.value()[nc->base.FlowIndex(j, n, i)];
    nc->ok = true;
    return nc;
  }();
  return *c;
}

void Report(benchmark::State& state, const MultisectorSolution& s) {
  state.counters["iterations"] = s.iterations;
  state.counters["inner_sweeps"] = s.inner_iterations;
  state.counters["residual"] = s.residual;
}

void BM_CpNaftaCounterfactual(benchmark::State& state) {
  const NaftaCase& c = Nafta();
  if (!c.ok) {
    state.SkipWithError("could not build the CP baseline");
    return;
  }
  MultisectorOptions o;
  o.threads = 1;
  MultisectorSolution last;
  for (auto _ : state) {
    auto s = SolveMultisector(c.base, c.shocks, o);
    if (!s.ok() || !s->converged()) {
      state.SkipWithError("NAFTA solve failed");
      return;
    }
    last = std::move(s).value();
  }
  Report(state, last);
  state.counters["mexico_welfare_pct"] = 100 * (last.welfare_hat[19] - 1);
}
BENCHMARK(BM_CpNaftaCounterfactual)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_CpBaseYearCalibration(benchmark::State& state) {
  const NaftaCase& c = Nafta();
  if (!c.ok) {
    state.SkipWithError("could not build the CP baseline");
    return;
  }
  for (auto _ : state) {
    auto b2 = SolveBaseYear(c.raw);
    auto b3 = ZeroDeficitBaseline(b2.value());
    benchmark::DoNotOptimize(b3.ok());
  }
}
BENCHMARK(BM_CpBaseYearCalibration)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_WiodTariffCounterfactual(benchmark::State& state) {
  static Baseline* base = [] {
    auto* b = new Baseline;
    auto io =
        io_tables::ReadWiod(std::string(REBALANCE_DATA_DIR) + "/wiod2013_bquast/wiot2011.csv.gz");
    if (!io.ok()) return b;
    IoBaselineOptions o;
    // CP-like elasticities: 5 for goods (c1..c16), 8.22 for services.
    for (int j = 0; j < io->num_sectors(); ++j) o.theta.push_back(j < 16 ? 5.0 : 8.22);
    auto raw = BaselineFromIoTable(io.value(), o);
    if (!raw.ok()) return b;
    auto consistent = SolveBaseYear(raw.value());
    if (consistent.ok()) *b = consistent.value();
    return b;
  }();
  if (base->countries.empty()) {
    state.SkipWithError("could not build the WIOD baseline");
    return;
  }
  ShockSpec spec;
  spec.name = "us_tariff_china";
  spec.tariffs.push_back({"USA", "CHN", "*", ShockMode::kChange, 0.25});
  auto shocks = ResolveShocks(*base, spec);
  if (!shocks.ok()) {
    state.SkipWithError(shocks.status().message().c_str());
    return;
  }
  MultisectorOptions o;
  o.threads = 1;
  MultisectorSolution last;
  for (auto _ : state) {
    auto s = SolveMultisector(*base, shocks.value(), o);
    if (!s.ok() || !s->converged()) {
      state.SkipWithError("WIOD solve failed");
      return;
    }
    last = std::move(s).value();
  }
  Report(state, last);
}
BENCHMARK(BM_WiodTariffCounterfactual)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_ThetaSweep1000TwoThreads(benchmark::State& state) {
  const NaftaCase& c = Nafta();
  if (!c.ok) {
    state.SkipWithError("could not build the CP baseline");
    return;
  }
  const int draws = 1000;
  MultisectorOptions o;
  o.threads = 1;  // parallel over draws
  auto point = SolveMultisector(c.base, c.shocks, o);
  if (!point.ok() || !point->converged()) {
    state.SkipWithError("point solve failed");
    return;
  }
  std::vector<std::vector<double>> thetas(draws, c.base.theta);
  std::mt19937 rng(20150101);
  std::normal_distribution<double> z(0.0, 1.0);
  for (auto& th : thetas)
    for (double& t : th) t *= std::exp(0.1 * z(rng));
  int failed = 0;
  double iterations = 0;
  for (auto _ : state) {
    failed = 0;
    iterations = 0;
#pragma omp parallel for num_threads(2) schedule(dynamic, 8) reduction(+ : failed, iterations)
    for (int d = 0; d < draws; ++d) {
      Baseline b = c.base;
      b.theta = thetas[d];
      auto s = SolveMultisector(b, c.shocks, o, &point.value());
      if (!s.ok() || !s->converged()) {
        ++failed;
      } else {
        iterations += s->iterations;
      }
    }
  }
  state.counters["failed"] = failed;
  state.counters["mean_iterations"] = iterations / draws;
}
BENCHMARK(BM_ThetaSweep1000TwoThreads)->Unit(benchmark::kSecond)->UseRealTime()->Iterations(1);

}  // namespace
}  // namespace rebalance::ge

BENCHMARK_MAIN();
