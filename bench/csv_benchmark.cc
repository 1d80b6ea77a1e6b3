// Benchmark of data::ReadCsv on the panels of bench/generate_panels.sh
// (bench/out/gravity_1m.csv, 39 MB, and gravity_10m.csv, 574 MB: integers and
// one double column) and their .csv.gz versions when present (GZIP=1
// bench/generate_panels.sh). Reports bytes/s of CSV text (counters) with 1
// and 2 threads; the whole read is timed (file read, inflation, parsing).
// The *_estimate cases read only the 6 columns `rebalance estimate -f 'y ~ x1
// + x2 | exp_year + imp_year + pair'` reads, as it reads them.
// Target of issue 20: >= 1 GB/s of numeric CSV on 2 cores. Run, e.g.:
//   build/bench/csv_benchmark --benchmark_filter=10m_estimate
// Missing files are skipped. Figures: docs/estimation.md ("Issue 20: where
// the time goes, and the CSV reader"). The loop reads in one process, so the
// columns' pages are partly reused from the previous iteration; a fresh
// process pays their first touch (2-4 ms per MB on the project's VMs).
#include <filesystem>
#include <string>

#include <benchmark/benchmark.h>

#include "rebalance/data/csv.h"

namespace {

// estimate: only the 6 columns that `rebalance estimate -f 'y ~ x1 + x2 |
// exp_year + imp_year + pair'` reads, as it reads them (y, x1, x2 as f64).
void BM_ReadCsv(benchmark::State& state, const char* name, bool estimate = false) {
  const std::string path = std::string(REBALANCE_SOURCE_DIR) + "/bench/out/" + name;
  if (!std::filesystem::exists(path)) {
    state.SkipWithError((path + " is missing: run bench/generate_panels.sh").c_str());
    return;
  }
  rebalance::data::CsvOptions opt;
  opt.threads = static_cast<int>(state.range(0));
  if (estimate) {
    opt.select = {"y", "x1", "x2", "exp_year", "imp_year", "pair"};
    for (const char* c : {"y", "x1", "x2"}) opt.types[c] = rebalance::data::ColumnType::kF64;
  }
  int64_t rows = 0;
  for (auto _ : state) {
    auto t = rebalance::data::ReadCsv(path, opt);
    if (!t.ok()) {
      state.SkipWithError(t.status().ToString().c_str());
      return;
    }
    rows = t->num_rows();
    benchmark::DoNotOptimize(t->columns().data());
  }
  // Bytes of CSV text (the inflated size for .gz: counted from the .csv when present).
  std::string plain = path;
  if (plain.size() > 3 && plain.compare(plain.size() - 3, 3, ".gz") == 0)
    plain.resize(plain.size() - 3);
  if (std::filesystem::exists(plain)) {
    state.SetBytesProcessed(state.iterations() *
                            static_cast<int64_t>(std::filesystem::file_size(plain)));
  }
  state.counters["rows"] = static_cast<double>(rows);
}

BENCHMARK_CAPTURE(BM_ReadCsv, 1m, "gravity_1m.csv")
    ->Arg(1)
    ->Arg(2)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime()
    ->MeasureProcessCPUTime();
BENCHMARK_CAPTURE(BM_ReadCsv, 10m, "gravity_10m.csv")
    ->Arg(1)
    ->Arg(2)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime()
    ->MeasureProcessCPUTime()
    ->Iterations(3);
BENCHMARK_CAPTURE(BM_ReadCsv, 1m_estimate, "gravity_1m.csv", true)
    ->Arg(1)
    ->Arg(2)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime()
    ->MeasureProcessCPUTime();
BENCHMARK_CAPTURE(BM_ReadCsv, 10m_estimate, "gravity_10m.csv", true)
    ->Arg(1)
    ->Arg(2)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime()
    ->MeasureProcessCPUTime()
    ->Iterations(3);
BENCHMARK_CAPTURE(BM_ReadCsv, 10m_gz_estimate, "gravity_10m.csv.gz", true)
    ->Arg(2)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime()
    ->MeasureProcessCPUTime()
    ->Iterations(2);
BENCHMARK_CAPTURE(BM_ReadCsv, 1m_gz, "gravity_1m.csv.gz")
    ->Arg(2)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime()
    ->MeasureProcessCPUTime();

}  // namespace

BENCHMARK_MAIN();
