// Deterministic parallel sums over an index range.
#ifndef REBALANCE_SRC_ECON_PARALLEL_SUM_H_
#define REBALANCE_SRC_ECON_PARALLEL_SUM_H_

#include <array>
#include <cstdint>
#include <vector>

#include <omp.h>

namespace rebalance::econ {

// Returns the K sums that body(i, acc) adds to acc[0..K) over i in [0, n).
// Each thread takes one fixed contiguous block and the block sums are added
// in block order, so the result depends on the thread count only (never on
// timing, unlike an OpenMP reduction clause).
template <int K, typename Body>
std::array<double, K> BlockSums(int64_t n, int threads, Body body) {
  std::vector<std::array<double, K>> part(static_cast<size_t>(threads > 0 ? threads : 1));
#pragma omp parallel num_threads(static_cast <int>(part.size()))
  {
    const int tid = omp_get_thread_num();
    const int nt = omp_get_num_threads();
    std::array<double, K> acc{};
    const int64_t begin = n * tid / nt, end = n * (tid + 1) / nt;
    for (int64_t i = begin; i < end; ++i) body(i, acc.data());
    part[static_cast<size_t>(tid)] = acc;
  }
  std::array<double, K> out{};
  for (const auto& p : part)
    for (int c = 0; c < K; ++c) out[static_cast<size_t>(c)] += p[static_cast<size_t>(c)];
  return out;
}

// The sum of body(i) over i in [0, n), for bodies the compiler can
// vectorise (no calls): within a thread's fixed block, observation i adds to
// lane (i - begin) mod kLanes, so eight observations are done at a time, and
// the lanes, then the blocks, are added in order. The result depends on the
// thread count only (never on timing or on the alignment of the arrays).
inline constexpr int kLanes = 8;
#ifdef __clang__
// Builds without vectorisation (the sanitizer build, clang -O1) leave the
// `omp simd` loop scalar, which is correct; clang's notice is not wanted.
#pragma clang diagnostic push
#pragma clang diagnostic ignored "-Wpass-failed"
#endif
template <typename Body>
double LaneSum(int64_t n, int threads, Body body) {
  std::vector<double> part(static_cast<size_t>(threads > 0 ? threads : 1), 0.0);
#pragma omp parallel num_threads(static_cast <int>(part.size()))
  {
    const int tid = omp_get_thread_num();
    const int nt = omp_get_num_threads();
    const int64_t begin = n * tid / nt, end = n * (tid + 1) / nt;
    double lanes[kLanes] = {};
    int64_t i = begin;
    for (; i + kLanes <= end; i += kLanes) {
#pragma omp simd
      for (int l = 0; l < kLanes; ++l) lanes[l] += body(i + l);
    }
    for (int l = 0; i < end; ++i, ++l) lanes[l] += body(i);
    double s = 0;
    for (int l = 0; l < kLanes; ++l) s += lanes[l];
    part[static_cast<size_t>(tid)] = s;
  }
  double out = 0;
  for (const double p : part) out += p;
  return out;
}
#ifdef __clang__
#pragma clang diagnostic pop
#endif

}  // namespace rebalance::econ

#endif  // REBALANCE_SRC_ECON_PARALLEL_SUM_H_
