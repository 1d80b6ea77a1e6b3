// Deterministic parallel sums over an index range: the same bits for any
// thread count.
//
// A floating-point sum depends on the order of its additions. Every sum over
// observations (and over coefficient vectors) is therefore cut into fixed
// blocks whose number and bounds depend on the length of the range only, never
// on the thread count: each block is summed in index order into its own
// partial, and the partials are added in block order. Threads take whole
// blocks (thread t of nt: blocks [count t / nt, count (t + 1) / nt)), so 1, 2
// or 64 threads add the same numbers in the same order; threads beyond the
// block count wait.
#ifndef REBALANCE_SRC_ECON_PARALLEL_SUM_H_
#define REBALANCE_SRC_ECON_PARALLEL_SUM_H_

#include <algorithm>
#include <array>
#include <cstdint>
#include <vector>

#include <omp.h>

namespace rebalance::econ {

// Blocks of at least kMinBlockRows indices, at most kMaxSumBlocks of them:
// partials of a few doubles are cheap, so sums use many blocks (room for up
// to 64 threads).
inline constexpr int64_t kMinBlockRows = 4096;
inline constexpr int kMaxSumBlocks = 64;

// The number of blocks of [0, n) for partials costing little (fixed by n and
// max_blocks only).
inline int FixedBlockCount(int64_t n, int max_blocks = kMaxSumBlocks) {
  return static_cast<int>(std::clamp<int64_t>(n / kMinBlockRows, 1, max_blocks));
}
inline int64_t BlockBegin(int64_t n, int block, int count) { return n * block / count; }

// Calls f(block) for every block in [0, count) on `threads` threads, each
// thread taking a contiguous range of blocks in order (f(block) must only
// write its own block's partial).
template <typename F>
void ForEachBlock(int count, int threads, F f) {
  const int nt = std::max(1, std::min(threads > 0 ? threads : omp_get_max_threads(), count));
  if (nt == 1) {
    for (int b = 0; b < count; ++b) f(b);
    return;
  }
#pragma omp parallel num_threads(nt)
  {
    const int tid = omp_get_thread_num();
    const int nth = omp_get_num_threads();
    for (int b = count * tid / nth; b < count * (tid + 1) / nth; ++b) f(b);
  }
}

// Returns the K sums that body(i, acc) adds to acc[0..K) over i in [0, n).
template <int K, typename Body>
std::array<double, K> BlockSums(int64_t n, int threads, Body body) {
  const int count = FixedBlockCount(n);
  std::vector<std::array<double, K>> part(static_cast<size_t>(count));
  ForEachBlock(count, threads, [&](int b) {
    std::array<double, K> acc{};
    const int64_t end = BlockBegin(n, b + 1, count);
    for (int64_t i = BlockBegin(n, b, count); i < end; ++i) body(i, acc.data());
    part[static_cast<size_t>(b)] = acc;
  });
  std::array<double, K> out{};
  for (const auto& p : part)
    for (int c = 0; c < K; ++c) out[static_cast<size_t>(c)] += p[static_cast<size_t>(c)];
  return out;
}

// The sum over the fixed blocks of [0, n) of block_sum(begin, end), one block
// per call, added in block order.
template <typename BlockSum>
double SumOverBlocks(int64_t n, int threads, BlockSum block_sum) {
  const int count = FixedBlockCount(n);
  std::vector<double> part(static_cast<size_t>(count), 0.0);
  ForEachBlock(count, threads, [&](int b) {
    part[static_cast<size_t>(b)] = block_sum(BlockBegin(n, b, count), BlockBegin(n, b + 1, count));
  });
  double out = 0;
  for (const double p : part) out += p;
  return out;
}

// The sum of body(i) over i in [0, n), for bodies the compiler can
// vectorise (no calls): within a block, observation i adds to lane
// (i - begin) mod kLanes, so eight observations are done at a time, and the
// lanes, then the blocks, are added in order.
inline constexpr int kLanes = 8;
#ifdef __clang__
// Builds without vectorisation (the sanitizer build, clang -O1) leave the
// `omp simd` loop scalar, which is correct; clang's notice is not wanted.
#pragma clang diagnostic push
#pragma clang diagnostic ignored "-Wpass-failed"
#endif
template <typename Body>
double LaneSum(int64_t n, int threads, Body body) {
  return SumOverBlocks(n, threads, [&](int64_t begin, int64_t end) {
    double lanes[kLanes] = {};
    int64_t i = begin;
    for (; i + kLanes <= end; i += kLanes) {
#pragma omp simd
      for (int l = 0; l < kLanes; ++l) lanes[l] += body(i + l);
    }
    for (int l = 0; i < end; ++i, ++l) lanes[l] += body(i);
    double s = 0;
    for (int l = 0; l < kLanes; ++l) s += lanes[l];
    return s;
  });
}
#ifdef __clang__
#pragma clang diagnostic pop
#endif

}  // namespace rebalance::econ

#endif  // REBALANCE_SRC_ECON_PARALLEL_SUM_H_
