// Distributed estimation: rank r reads part r of the file, and econ::Estimate
// runs with an MPI reducer.
//
// Reading: data::ReadCsv with part = rank, parts = ranks (a plain file is
// read with pread, only the header, the type-inference rows and the part's
// own bytes); the column types are agreed with one allreduce (an integer
// column promoted to f64 in one part is promoted everywhere), and the row
// offsets of the parts with one more.
// Estimation: every reduction is an element-wise sum (or max/min) of a
// fixed-size array that does not depend on the number of observations:
// group weight sums and the conjugate-gradient products D'W D p (sum of the
// fixed-effect group counts times the number of columns demeaned together,
// 8 bytes each), X~'W X~ and X~'W z (k (k + 1) doubles), the deviance, and
// cluster score sums (clusters x k). While the fixed effects are built, the
// sets of identifier values (and string dictionaries) of every process are
// exchanged once with MPI_Allgatherv, and the singleton and separation
// checks add group-count allreduces. Large arrays are sent in chunks below
// 2^31 elements. Payload bytes and time in MPI are counted per process and
// per phase (docs/cluster.md gives the per-iteration formula).
#include "rebalance/mpi/estimate.h"

#include <algorithm>
#include <chrono>
#include <climits>
#include <cstring>

#include <fmt/format.h>
#include <mpi.h>

#include "rebalance/mpi/driver.h"

namespace rebalance::mpi {
namespace {

double Now() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

template <typename T>
void Allreduce(T* v, int64_t n, MPI_Datatype type, MPI_Op op, CommStats& stats) {
  const double t0 = Now();
  constexpr int64_t kChunk = INT_MAX / 2;
  for (int64_t start = 0; start < n; start += kChunk) {
    const int count = static_cast<int>(std::min(kChunk, n - start));
    MPI_Allreduce(MPI_IN_PLACE, v + start, count, type, op, MPI_COMM_WORLD);
    ++stats.allreduce_calls;
  }
  stats.bytes += n * static_cast<int64_t>(sizeof(T));
  stats.seconds += Now() - t0;
}

CommStats Minus(const CommStats& a, const CommStats& b) {
  CommStats d;
  d.allreduce_calls = a.allreduce_calls - b.allreduce_calls;
  d.allgather_calls = a.allgather_calls - b.allgather_calls;
  d.bytes = a.bytes - b.bytes;
  d.seconds = a.seconds - b.seconds;
  return d;
}

int TypeCode(data::ColumnType t) {
  switch (t) {
    case data::ColumnType::kI64:
      return 0;
    case data::ColumnType::kF64:
      return 1;
    case data::ColumnType::kString:
      return 2;
  }
  return 2;
}

data::ColumnType CodeType(int64_t c) {
  return c == 0   ? data::ColumnType::kI64
         : c == 1 ? data::ColumnType::kF64
                  : data::ColumnType::kString;
}

}  // namespace

MpiReducer::MpiReducer() : open_time_(Now()) {}

void MpiReducer::SumDoubles(double* v, int64_t n) { Allreduce(v, n, MPI_DOUBLE, MPI_SUM, stats_); }
void MpiReducer::SumInt64s(int64_t* v, int64_t n) { Allreduce(v, n, MPI_INT64_T, MPI_SUM, stats_); }
void MpiReducer::MaxDoubles(double* v, int64_t n) { Allreduce(v, n, MPI_DOUBLE, MPI_MAX, stats_); }
void MpiReducer::MinInt64s(int64_t* v, int64_t n) { Allreduce(v, n, MPI_INT64_T, MPI_MIN, stats_); }
bool MpiReducer::distributed() const { return Size() > 1; }

void MpiReducer::AllGatherBytes(std::string_view mine, std::vector<std::string>& all) {
  const double t0 = Now();
  const int size = Size(), rank = Rank();
  std::vector<int64_t> sizes(static_cast<size_t>(size));
  int64_t my_size = static_cast<int64_t>(mine.size());
  MPI_Allgather(&my_size, 1, MPI_INT64_T, sizes.data(), 1, MPI_INT64_T, MPI_COMM_WORLD);
  all.assign(static_cast<size_t>(size), std::string());
  int64_t largest = 0, total = 0;
  for (int r = 0; r < size; ++r) {
    all[static_cast<size_t>(r)].resize(static_cast<size_t>(sizes[static_cast<size_t>(r)]));
    largest = std::max(largest, sizes[static_cast<size_t>(r)]);
    total += sizes[static_cast<size_t>(r)];
  }
  // Rounds of at most `chunk` bytes per process, so that the counts and
  // displacements of MPI_Allgatherv fit in an int.
  const int64_t chunk = std::max<int64_t>(1, (INT_MAX / 2) / size);
  std::vector<int> counts(static_cast<size_t>(size)), displs(static_cast<size_t>(size));
  std::vector<char> buf;
  for (int64_t off = 0; off < largest; off += chunk) {
    int sum = 0;
    for (int r = 0; r < size; ++r) {
      const int64_t left = std::max<int64_t>(0, sizes[static_cast<size_t>(r)] - off);
      counts[static_cast<size_t>(r)] = static_cast<int>(std::min(chunk, left));
      displs[static_cast<size_t>(r)] = sum;
      sum += counts[static_cast<size_t>(r)];
    }
    buf.resize(static_cast<size_t>(std::max(1, sum)));
    const int my_count = counts[static_cast<size_t>(rank)];
    MPI_Allgatherv(my_count > 0 ? mine.data() + off : mine.data(), my_count, MPI_BYTE, buf.data(),
                   counts.data(), displs.data(), MPI_BYTE, MPI_COMM_WORLD);
    for (int r = 0; r < size; ++r) {
      if (counts[static_cast<size_t>(r)] == 0) continue;
      std::memcpy(all[static_cast<size_t>(r)].data() + off,
                  buf.data() + displs[static_cast<size_t>(r)],
                  static_cast<size_t>(counts[static_cast<size_t>(r)]));
    }
  }
  ++stats_.allgather_calls;
  stats_.bytes += total;
  stats_.seconds += Now() - t0;
}

void MpiReducer::Phase(const char* name) {
  const double now = Now();
  if (!open_phase_.empty()) {
    phases_.push_back({open_phase_, Minus(stats_, open_comm_), now - open_time_});
  }
  open_phase_ = name;
  open_comm_ = stats_;
  open_time_ = now;
}

Result<CsvShare> ReadCsvShare(const std::string& path, data::CsvOptions options, CommStats* stats) {
  RB_RETURN_IF_ERROR(EnsureInitialized());
  MpiReducer reducer;
  options.part = Rank();
  options.parts = Size();
  auto table = data::ReadCsv(path, options);
  RB_RETURN_IF_ERROR(econ::AgreeOnStatus(table.ok() ? Status::Ok() : table.status(), reducer));
  CsvShare share;
  share.table = std::move(*table);
  // Types: the largest code over the parts (i64 < f64 < string).
  const int nc = share.table.num_columns();
  std::vector<int64_t> neg(static_cast<size_t>(nc));
  for (int c = 0; c < nc; ++c) {
    neg[static_cast<size_t>(c)] = -TypeCode(share.table.columns()[static_cast<size_t>(c)].type);
  }
  reducer.MinInt64s(neg.data(), nc);
  std::vector<data::ColumnType> types(static_cast<size_t>(nc));
  for (int c = 0; c < nc; ++c)
    types[static_cast<size_t>(c)] = CodeType(-neg[static_cast<size_t>(c)]);
  RB_RETURN_IF_ERROR(econ::AgreeOnStatus(data::UnifyColumnTypes(share.table, types), reducer));
  // Row offsets of the parts.
  std::vector<int64_t> rows(static_cast<size_t>(Size()), 0);
  rows[static_cast<size_t>(Rank())] = share.table.num_rows();
  reducer.SumInt64s(rows.data(), Size());
  for (int r = 0; r < Size(); ++r) {
    if (r < Rank()) share.first_row += rows[static_cast<size_t>(r)];
    share.total_rows += rows[static_cast<size_t>(r)];
  }
  if (stats) *stats = reducer.stats();
  return share;
}

Result<econ::EstimateResult> EstimateDistributed(const data::Table& table,
                                                 const econ::EstimateOptions& options,
                                                 int64_t first_row, CommStats* stats,
                                                 std::vector<PhaseStats>* phases) {
  RB_RETURN_IF_ERROR(EnsureInitialized());
  MpiReducer reducer;
  econ::Distribution dist;
  dist.rank = Rank();
  dist.size = Size();
  dist.reducer = &reducer;
  dist.first_row = first_row;
  auto result = econ::Estimate(table, options, dist);
  reducer.Phase("");  // closes the last phase
  if (stats) *stats = reducer.stats();
  if (phases) *phases = reducer.phases();
  return result;
}

Status AgreeAcrossRanks(const Status& local) {
  RB_RETURN_IF_ERROR(EnsureInitialized());
  MpiReducer reducer;
  return econ::AgreeOnStatus(local, reducer);
}

Status GatherFitted(econ::EstimateResult& result) {
  RB_RETURN_IF_ERROR(EnsureInitialized());
  const int size = Size(), rank = Rank();
  if (result.fitted.size() != result.sample_rows.size()) {
    return Status::Internal(fmt::format("{} fitted values for {} sample rows", result.fitted.size(),
                                        result.sample_rows.size()));
  }
  if (size == 1) return Status::Ok();
  int64_t mine = static_cast<int64_t>(result.fitted.size());
  std::vector<int64_t> sizes(static_cast<size_t>(size));
  MPI_Allgather(&mine, 1, MPI_INT64_T, sizes.data(), 1, MPI_INT64_T, MPI_COMM_WORLD);
  int64_t total = 0;
  for (int64_t s : sizes) total += s;
  if (total > INT_MAX) {
    return Status::InvalidArgument(
        fmt::format("--save-fitted: {} fitted values are more than one MPI gather carries", total));
  }
  std::vector<int> counts(static_cast<size_t>(size)), displs(static_cast<size_t>(size));
  for (int r = 0, at = 0; r < size; ++r) {
    counts[static_cast<size_t>(r)] = static_cast<int>(sizes[static_cast<size_t>(r)]);
    displs[static_cast<size_t>(r)] = at;
    at += counts[static_cast<size_t>(r)];
  }
  std::vector<int64_t> rows(rank == 0 ? static_cast<size_t>(total) : 0);
  std::vector<double> fitted(rank == 0 ? static_cast<size_t>(total) : 0);
  MPI_Gatherv(result.sample_rows.data(), static_cast<int>(mine), MPI_INT64_T, rows.data(),
              counts.data(), displs.data(), MPI_INT64_T, 0, MPI_COMM_WORLD);
  MPI_Gatherv(result.fitted.data(), static_cast<int>(mine), MPI_DOUBLE, fitted.data(),
              counts.data(), displs.data(), MPI_DOUBLE, 0, MPI_COMM_WORLD);
  if (rank == 0) {
    result.sample_rows = std::move(rows);
    result.fitted = std::move(fitted);
  }
  return Status::Ok();
}

}  // namespace rebalance::mpi
