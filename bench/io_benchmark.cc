// Input-output accounting benchmarks (issue 9 speed targets):
//   read a WIOD year + Leontief + TiVA            target <= 0.15 s
//   full bilateral WWZ on WIOD 2011               target <= 1 s
//   all 17 WIOD years                             target <= 10 s on 2 cores
//   synthetic ICIO-size table (77 x 45 = 3,465)   reported
// Run: build/bench/io_benchmark [--benchmark_filter=...]
// Time = wall clock; CPU = process CPU time summed over all threads
// (MeasureProcessCPUTime), so CPU / Time shows how many cores were used.
#include <random>

#include <benchmark/benchmark.h>

#include "rebalance/io_tables/accounting.h"
#include "rebalance/io_tables/io_table.h"

namespace {

namespace io = rebalance::io_tables;
const std::string kWiod = std::string(REBALANCE_DATA_DIR) + "/wiod2013_bquast";

io::AccountingOptions Opts() {
  io::AccountingOptions o;
  o.zero_output_policy = io::ZeroOutputPolicy::kDropInputs;
  return o;
}

const io::IoTable& Wiod2011() {
  static const io::IoTable t = *io::ReadWiod(kWiod, 2011);
  return t;
}

void BM_ReadWiodYear(benchmark::State& state) {
  for (auto _ : state) {
    auto t = io::ReadWiod(kWiod, 2011);
    if (!t.ok()) state.SkipWithError(t.status().ToString().c_str());
    benchmark::DoNotOptimize(t);
  }
}
BENCHMARK(BM_ReadWiodYear)->Unit(benchmark::kMillisecond)->UseRealTime()->MeasureProcessCPUTime();

void BM_ReadLeontiefTiva(benchmark::State& state) {
  for (auto _ : state) {
    auto t = io::ReadWiod(kWiod, 2011);
    auto sys = io::BuildLeontief(*t, Opts());
    auto tiva = io::ComputeTiva(*sys);
    if (!tiva.ok()) state.SkipWithError(tiva.status().ToString().c_str());
    benchmark::DoNotOptimize(tiva);
  }
}
BENCHMARK(BM_ReadLeontiefTiva)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime()
    ->MeasureProcessCPUTime();

void BM_LeontiefTiva(benchmark::State& state) {
  const io::IoTable& t = Wiod2011();
  for (auto _ : state) {
    auto sys = io::BuildLeontief(t, Opts());
    auto tiva = io::ComputeTiva(*sys);
    benchmark::DoNotOptimize(tiva);
  }
}
BENCHMARK(BM_LeontiefTiva)->Unit(benchmark::kMillisecond)->UseRealTime()->MeasureProcessCPUTime();

void BM_Kww(benchmark::State& state) {
  auto sys = io::BuildLeontief(Wiod2011(), Opts());
  for (auto _ : state) {
    auto k = io::ComputeKww(*sys);
    benchmark::DoNotOptimize(k);
  }
}
BENCHMARK(BM_Kww)->Unit(benchmark::kMillisecond)->UseRealTime()->MeasureProcessCPUTime();

void BM_DenseInverse(benchmark::State& state) {
  auto sys = io::BuildLeontief(Wiod2011(), Opts());
  for (auto _ : state) {
    Eigen::MatrixXd b = sys->Inverse();
    benchmark::DoNotOptimize(b.data());
  }
}
BENCHMARK(BM_DenseInverse)->Unit(benchmark::kMillisecond)->UseRealTime()->MeasureProcessCPUTime();

void BM_Wwz(benchmark::State& state) {
  auto sys = io::BuildLeontief(Wiod2011(), Opts());
  for (auto _ : state) {
    auto w = io::ComputeWwz(*sys);
    if (!w.ok()) state.SkipWithError(w.status().ToString().c_str());
    benchmark::DoNotOptimize(w);
  }
}
BENCHMARK(BM_Wwz)->Unit(benchmark::kMillisecond)->UseRealTime()->MeasureProcessCPUTime();

// All 17 years: read + Leontief + TiVA + KWW (+ WWZ when range(0) == 1).
void BM_AllYears(benchmark::State& state) {
  const bool wwz = state.range(0) == 1;
  for (auto _ : state) {
    for (int year = 1995; year <= 2011; ++year) {
      auto t = io::ReadWiod(kWiod, year);
      auto sys = io::BuildLeontief(*t, Opts());
      if (!sys.ok()) state.SkipWithError(sys.status().ToString().c_str());
      auto tiva = io::ComputeTiva(*sys);
      auto kww = io::ComputeKww(*sys);
      benchmark::DoNotOptimize(tiva);
      benchmark::DoNotOptimize(kww);
      if (wwz) {
        auto w = io::ComputeWwz(*sys);
        benchmark::DoNotOptimize(w);
      }
    }
  }
}
BENCHMARK(BM_AllYears)
    ->Arg(0)
    ->Arg(1)
    ->Unit(benchmark::kSecond)
    ->UseRealTime()
    ->MeasureProcessCPUTime()
    ->Iterations(1);

// Synthetic table of OECD ICIO size: 77 countries x 45 sectors = 3,465.
io::IoTable SyntheticIcio(int g, int n) {
  std::mt19937 rng(42);
  std::uniform_real_distribution<double> u(0.0, 1.0);
  const int m = g * n;
  Eigen::MatrixXd z(m, m), f(m, g);
  for (int j = 0; j < m; ++j) {
    for (int i = 0; i < m; ++i) z(i, j) = (i / n == j / n ? 10.0 : 0.05) * u(rng);
  }
  for (int j = 0; j < g; ++j) {
    for (int i = 0; i < m; ++i) f(i, j) = (i / n == j ? 400.0 : 2.0) * u(rng);
  }
  std::vector<std::string> c, s;
  for (int k = 0; k < g; ++k) c.push_back("C" + std::to_string(k));
  for (int k = 0; k < n; ++k) s.push_back("S" + std::to_string(k));
  Eigen::VectorXd x = z.rowwise().sum() + f.rowwise().sum();
  return *io::IoTable::FromMatrices(c, s, {"FD"}, std::move(z), std::move(f), std::move(x), 0,
                                    "<synthetic ICIO>");
}

void BM_IcioSizeLeontiefTiva(benchmark::State& state) {
  static const io::IoTable t = SyntheticIcio(77, 45);
  for (auto _ : state) {
    auto sys = io::BuildLeontief(t, Opts());
    auto tiva = io::ComputeTiva(*sys);
    if (!tiva.ok()) state.SkipWithError(tiva.status().ToString().c_str());
    benchmark::DoNotOptimize(tiva);
  }
}
BENCHMARK(BM_IcioSizeLeontiefTiva)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime()
    ->MeasureProcessCPUTime()
    ->Iterations(2);

void BM_IcioSizeWwz(benchmark::State& state) {
  static const io::IoTable t = SyntheticIcio(77, 45);
  auto sys = io::BuildLeontief(t, Opts());
  for (auto _ : state) {
    auto w = io::ComputeWwz(*sys);
    benchmark::DoNotOptimize(w);
  }
}
BENCHMARK(BM_IcioSizeWwz)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime()
    ->MeasureProcessCPUTime()
    ->Iterations(1);

}  // namespace

BENCHMARK_MAIN();
