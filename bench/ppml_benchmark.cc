// Benchmark of econ::Estimate (PPML with three high-dimensional fixed
// effects) on synthetic structural-gravity panels generated in-process with
// the data-generating process of issue 2 (the same as bench/gravity_panel):
// 200 countries x 200 partners x 25 years = 1M rows, and with 10 sectors
// 10M rows; fepois-equivalent formula
//   y ~ x1 + x2 | exp_year + imp_year + pair            (1M)
//   y ~ x1 + x2 | exp_sec_year + imp_sec_year + pair_sec (10M)
// Reference (issue 2, fixest 0.12.2, 2 threads): 1.71 s and 23.9 s; targets
// 0.6 s and 8 s. Run, e.g.:
//   ppml_benchmark --benchmark_filter=Ppml/1M
//   /usr/bin/time -v ppml_benchmark --benchmark_filter=Ppml/10M
// Arguments: sectors (0 or 10), threads. Set REBALANCE_BENCH_VERBOSE=1 for
// the estimator's progress and phase timings on stderr.
// PpmlFile/1M and PpmlFile/10M estimate the files of bench/generate_panels.sh
// (bench/out/gravity_1m.csv, gravity_10m.csv; the draw the fixest reference
// is compared on) with y ~ x1 + x2 | exp_year + imp_year + pair; the file is
// read once, outside the timed loop; they are skipped when it is missing.
#include <cmath>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include <benchmark/benchmark.h>

#include "rebalance/data/csv.h"
#include "rebalance/data/table.h"
#include "rebalance/econ/ppml.h"

namespace {

using rebalance::data::Table;

// Issue 2's generator: effects a_i + N(0, .2^2) (exporter-year), g_j +
// N(0, .2^2) (importer-year), -(log dist - mean) + N(0, .5^2) (pair), each
// + N(0, .3^2) per sector; x1 = .3 a - .3 g + .2 pair + N(0,1); x2 an RTA
// dummy switching on in a random year (or never); y ~ Poisson(exp(.5 - .8 x1
// + .4 x2 + effects)).
Table MakePanel(int sectors, unsigned seed) {
  constexpr int kC = 200, kT = 25;
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> normal(0.0, 1.0);
  std::uniform_real_distribution<double> unif(0.0, 100.0);
  std::vector<double> px(kC), py(kC), a(kC), g(kC);
  for (int i = 0; i < kC; ++i) {
    px[i] = unif(rng);
    py[i] = unif(rng);
    a[i] = normal(rng);
    g[i] = normal(rng);
  }
  std::vector<double> ld(kC * kC);
  double mean_ld = 0;
  for (int i = 0; i < kC; ++i)
    for (int j = 0; j < kC; ++j) {
      ld[i * kC + j] = std::log(std::hypot(px[i] - px[j], py[i] - py[j]) + 1);
      mean_ld += ld[i * kC + j];
    }
  mean_ld /= kC * kC;
  const int s_count = std::max(1, sectors);
  std::vector<double> ex(kC * kT * s_count), im(kC * kT * s_count);
  std::vector<double> ex_base(kC * kT), im_base(kC * kT);
  for (int i = 0; i < kC; ++i)
    for (int t = 0; t < kT; ++t) {
      ex_base[i * kT + t] = a[i] + 0.2 * normal(rng);
      im_base[i * kT + t] = g[i] + 0.2 * normal(rng);
    }
  for (int i = 0; i < kC; ++i)
    for (int s = 0; s < s_count; ++s)
      for (int t = 0; t < kT; ++t) {
        const double extra_e = sectors > 0 ? 0.3 * normal(rng) : 0.0;
        const double extra_i = sectors > 0 ? 0.3 * normal(rng) : 0.0;
        ex[(i * s_count + s) * kT + t] = ex_base[i * kT + t] + extra_e;
        im[(i * s_count + s) * kT + t] = im_base[i * kT + t] + extra_i;
      }
  const int64_t n = static_cast<int64_t>(kC) * kC * kT * s_count;
  std::vector<double> y(n), x1(n), x2(n);
  std::vector<int64_t> fe_e(n), fe_i(n), fe_p(n);
  int64_t row = 0;
  std::uniform_int_distribution<int> switch_year(0, 2 * kT);
  for (int i = 0; i < kC; ++i)
    for (int j = 0; j < kC; ++j) {
      const int rta_from = switch_year(rng);
      const double pair_base = -(ld[i * kC + j] - mean_ld) + 0.5 * normal(rng);
      for (int s = 0; s < s_count; ++s) {
        const double pair = pair_base + (sectors > 0 ? 0.3 * normal(rng) : 0.0);
        for (int t = 0; t < kT; ++t) {
          const double e = ex[(i * s_count + s) * kT + t];
          const double m = im[(j * s_count + s) * kT + t];
          const double xv1 = 0.3 * e - 0.3 * m + 0.2 * pair + normal(rng);
          const double xv2 = t >= rta_from ? 1.0 : 0.0;
          std::poisson_distribution<int> pois(std::exp(0.5 - 0.8 * xv1 + 0.4 * xv2 + e + m + pair));
          y[row] = pois(rng);
          x1[row] = xv1;
          x2[row] = xv2;
          fe_e[row] = (static_cast<int64_t>(i) * s_count + s) * kT + t;
          fe_i[row] = (static_cast<int64_t>(j) * s_count + s) * kT + t;
          fe_p[row] = (static_cast<int64_t>(i) * kC + j) * s_count + s;
          ++row;
        }
      }
    }
  Table table;
  const bool sec = sectors > 0;
  (void)table.AddColumn(Table::F64Column("y", std::move(y)));
  (void)table.AddColumn(Table::F64Column("x1", std::move(x1)));
  (void)table.AddColumn(Table::F64Column("x2", std::move(x2)));
  (void)table.AddColumn(Table::I64Column(sec ? "exp_sec_year" : "exp_year", std::move(fe_e)));
  (void)table.AddColumn(Table::I64Column(sec ? "imp_sec_year" : "imp_year", std::move(fe_i)));
  (void)table.AddColumn(Table::I64Column(sec ? "pair_sec" : "pair", std::move(fe_p)));
  return table;
}

// The timed loop: estimates `formula` on `table` and reports the sample,
// iteration counts and coefficients as counters.
void TimeEstimate(benchmark::State& state, const Table& table, const char* formula, int threads) {
  rebalance::econ::EstimateOptions opt;
  opt.formula = formula;
  opt.vcov = "iid";
  opt.threads = threads;
  if (std::getenv("REBALANCE_BENCH_VERBOSE") != nullptr) {
    opt.iteration_callback = [](const rebalance::econ::IterationRecord& r) {
      std::fprintf(stderr, "%s\n", r.text.c_str());
    };
  }
  for (auto _ : state) {
    auto res = rebalance::econ::Estimate(table, opt);
    if (!res.ok() || !res->converged()) {
      state.SkipWithError(res.ok() ? res->message.c_str() : res.status().ToString().c_str());
      break;
    }
    state.counters["nobs"] = static_cast<double>(res->nobs);
    state.counters["irls_iter"] = res->iterations;
    state.counters["cg_iter"] = static_cast<double>(res->demean_iterations);
    state.counters["b_x1"] = res->coefficients[0].estimate;
    state.counters["b_x2"] = res->coefficients[1].estimate;
    benchmark::DoNotOptimize(res);
  }
}

void BM_Ppml(benchmark::State& state) {
  const int sectors = static_cast<int>(state.range(0));
  const int threads = static_cast<int>(state.range(1));
  const Table table = MakePanel(sectors, 2024);
  TimeEstimate(state, table,
               sectors > 0 ? "y ~ x1 + x2 | exp_sec_year + imp_sec_year + pair_sec"
                           : "y ~ x1 + x2 | exp_year + imp_year + pair",
               threads);
}

void BM_PpmlFile(benchmark::State& state, const char* name) {
  const int threads = static_cast<int>(state.range(0));
  const std::string path = std::string(REBALANCE_SOURCE_DIR) + "/bench/out/" + name;
  auto table = rebalance::data::ReadCsv(path);
  if (!table.ok()) {
    state.SkipWithError((table.status().ToString() + " (run bench/generate_panels.sh)").c_str());
    return;
  }
  TimeEstimate(state, *table, "y ~ x1 + x2 | exp_year + imp_year + pair", threads);
}

BENCHMARK_CAPTURE(BM_PpmlFile, 1M, "gravity_1m.csv")
    ->Name("PpmlFile/1M")
    ->Arg(2)
    ->Arg(1)
    ->Unit(benchmark::kMillisecond)
    ->Iterations(1)
    ->UseRealTime();
BENCHMARK_CAPTURE(BM_PpmlFile, 10M, "gravity_10m.csv")
    ->Name("PpmlFile/10M")
    ->Arg(2)
    ->Unit(benchmark::kSecond)
    ->Iterations(1)
    ->UseRealTime();

BENCHMARK(BM_Ppml)
    ->Name("Ppml/1M")
    ->Args({0, 2})
    ->Args({0, 1})
    ->Unit(benchmark::kMillisecond)
    ->Iterations(1)
    ->UseRealTime();
BENCHMARK(BM_Ppml)
    ->Name("Ppml/10M")
    ->Args({10, 2})
    ->Args({10, 1})
    ->Unit(benchmark::kSecond)
    ->Iterations(1)
    ->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
