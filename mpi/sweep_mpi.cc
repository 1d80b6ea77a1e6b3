// Distributed sweeps over MPI ranks; see driver.h.
#include <mpi.h>

#include <chrono>
#include <cstdlib>
#include <cstring>

#include <fmt/format.h>

#include "rebalance/mpi/driver.h"

namespace rebalance::mpi {
namespace {

void FinalizeAtExit() {
  int finalized = 0;
  MPI_Finalized(&finalized);
  if (!finalized) MPI_Finalize();
}

// Packs a slice into bytes: begin, end, ok flags, values, then the failure
// strings as (length, bytes) pairs.
std::vector<char> Pack(const scenario::DrawSlice& s) {
  std::vector<char> out;
  auto put = [&](const void* p, size_t n) {
    const char* c = static_cast<const char*>(p);
    out.insert(out.end(), c, c + n);
  };
  put(&s.begin, sizeof s.begin);
  put(&s.end, sizeof s.end);
  const uint64_t nv = s.values.size();
  put(&nv, sizeof nv);
  put(s.ok.data(), s.ok.size());
  put(s.values.data(), s.values.size() * sizeof(double));
  for (const auto& f : s.failure) {
    const uint64_t len = f.size();
    put(&len, sizeof len);
    put(f.data(), f.size());
  }
  return out;
}

scenario::DrawSlice Unpack(const char* p) {
  scenario::DrawSlice s;
  auto get = [&](void* dst, size_t n) {
    std::memcpy(dst, p, n);
    p += n;
  };
  get(&s.begin, sizeof s.begin);
  get(&s.end, sizeof s.end);
  uint64_t nv = 0;
  get(&nv, sizeof nv);
  const size_t n = static_cast<size_t>(s.end - s.begin);
  s.ok.resize(n);
  get(s.ok.data(), n);
  s.values.resize(nv);
  get(s.values.data(), nv * sizeof(double));
  s.failure.resize(n);
  for (size_t k = 0; k < n; ++k) {
    uint64_t len = 0;
    get(&len, sizeof len);
    s.failure[k].assign(p, len);
    p += len;
  }
  return s;
}

}  // namespace

bool LaunchedByMpirun() {
  return std::getenv("OMPI_COMM_WORLD_SIZE") != nullptr || std::getenv("PMI_SIZE") != nullptr ||
         std::getenv("PMIX_RANK") != nullptr;
}

Status EnsureInitialized() {
  int initialized = 0;
  MPI_Initialized(&initialized);
  if (initialized) return Status::Ok();
  int provided = 0;
  if (MPI_Init_thread(nullptr, nullptr, MPI_THREAD_FUNNELED, &provided) != MPI_SUCCESS) {
    return Status::Internal("MPI_Init_thread failed");
  }
  std::atexit(FinalizeAtExit);
  return Status::Ok();
}

int Rank() {
  int r = 0;
  MPI_Comm_rank(MPI_COMM_WORLD, &r);
  return r;
}

int Size() {
  int s = 1;
  MPI_Comm_size(MPI_COMM_WORLD, &s);
  return s;
}

Result<scenario::SweepResult> RunSweepDistributed(const scenario::ScenarioFile& file,
                                                  const scenario::SweepOptions& options) {
  RB_RETURN_IF_ERROR(EnsureInitialized());
  if (options.grid.has_value()) {
    // Grids are small: every rank could run them, but only rank 0 does.
    if (Rank() == 0) return scenario::RunSweep(file, options);
    scenario::SweepResult empty;
    return empty;
  }
  const auto t0 = std::chrono::steady_clock::now();
  const int rank = Rank(), size = Size();
  scenario::SweepResult out;
  // Every rank prepares the point solution itself (cheap, deterministic), so
  // only the draws' numbers travel.
  auto point = scenario::PrepareSweep(file, options);
  int ok_local = point.ok() ? 1 : 0, ok_all = 0;
  MPI_Allreduce(&ok_local, &ok_all, 1, MPI_INT, MPI_MIN, MPI_COMM_WORLD);
  if (!point.ok()) return point.status();
  if (!ok_all)
    return Status::Internal(fmt::format("rank {}: another rank failed to prepare the sweep", rank));
  out.point = std::move(point).value();
  out.draws_requested = options.draws;
  out.seed = options.seed;
  out.theta_file = options.theta_file;
  const int64_t D = options.draws;
  const int64_t begin = D * rank / size, end = D * (rank + 1) / size;
  auto slice = scenario::RunDraws(out.point, file, options, begin, end);
  ok_local = slice.ok() ? 1 : 0;
  MPI_Allreduce(&ok_local, &ok_all, 1, MPI_INT, MPI_MIN, MPI_COMM_WORLD);
  if (!slice.ok()) return slice.status();
  if (!ok_all)
    return Status::Internal(fmt::format("rank {}: another rank's draws could not run", rank));
  const std::vector<char> bytes = Pack(*slice);
  int my_len = static_cast<int>(bytes.size());
  std::vector<int> lens(static_cast<size_t>(size)), displs(static_cast<size_t>(size));
  MPI_Gather(&my_len, 1, MPI_INT, lens.data(), 1, MPI_INT, 0, MPI_COMM_WORLD);
  std::vector<char> all;
  if (rank == 0) {
    int total = 0;
    for (int r = 0; r < size; ++r) {
      displs[static_cast<size_t>(r)] = total;
      total += lens[static_cast<size_t>(r)];
    }
    all.resize(static_cast<size_t>(total));
  }
  MPI_Gatherv(bytes.data(), my_len, MPI_CHAR, all.data(), lens.data(), displs.data(), MPI_CHAR, 0,
              MPI_COMM_WORLD);
  if (rank == 0) {
    std::vector<scenario::DrawSlice> slices;
    for (int r = 0; r < size; ++r)
      slices.push_back(Unpack(all.data() + displs[static_cast<size_t>(r)]));
    for (const auto& s : slices) {
      for (size_t k = 0; k < s.ok.size(); ++k) {
        if (!s.ok[k]) {
          ++out.draws_failed;
          out.failures.push_back(
              fmt::format("draw {}: {}", s.begin + static_cast<int64_t>(k), s.failure[k]));
        }
      }
    }
    RB_ASSIGN_OR_RETURN(out.bands, scenario::SummarizeDraws(slices, out.point.results.rows.size()));
  }
  out.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return out;
}

}  // namespace rebalance::mpi
