// Weighted within-transformation: conjugate gradients on the fixed-effect
// normal equations.
//
// Algorithm: the fixed-effect coefficients alpha of a column x solve the
// weighted normal equations D'WD alpha = D'Wx, where D holds one dummy per
// group of every dimension. They are solved by the conjugate-gradient method
// (Hestenes & Stiefel 1952) preconditioned with the diagonal of D'WD (the
// group weight sums; an exact solve for each dimension alone). This is the
// CG acceleration of alternating projections used by reghdfe/ppmlhdfe
// (Correia 2017; Correia, Guimarães & Zylkin 2020), here with the Jacobi
// preconditioner, which needs one pass over the data per iteration for any
// number of dimensions (a Gauss-Seidel sweep needs one per dimension). CG
// copes with weakly connected fixed-effect graphs and extreme weights
// (isolated small eigenvalues cost a few extra iterations) where
// Irons-Tuck-accelerated alternating projections stall, and its iterates
// stay in the range of D'WD, so the unidentified directions of the
// coefficients (one per extra dimension) never drift.
//
// Tricks: all columns (working outcome and regressors) share each pass, so
// codes and weights are read once for all of them; coefficients are
// interleaved by column; a pass runs over observations with OpenMP in fixed
// blocks of rows, each with its own group accumulator (no atomics), summed
// afterwards in block order (so the result is the same for any thread
// count: parallel_sum.h); the
// accumulator of a dimension whose codes come in runs of consecutive rows (a
// file sorted by pair) is summed in a register along each run. The state is
// in coefficient space (sum of group counts, not n): warm starts cost
// nothing. IRLS passes the previous step's alpha of the working outcome as
// the starting point, and re-demeans the already demeaned regressors under
// the new weights, which is exact because M_w(x - D a) = M_w x.
// Convergence: the preconditioned residual r'M^-1 r = sum_g W_g mean_g^2
// (weighted group means of the demeaned column) below (tol * ||x||_W)^2,
// checked per column; converged columns stop updating.
// Distribution: with observations split over processes, the group sums
// (weight sums, D'W(x - D a), D'W D p) are combined by the Reducer after the
// thread reduction: one allreduce of total_groups x columns doubles per CG
// iteration; everything else in the recurrence is in coefficient space and
// identical on every process.
// Limits: one dimension converges in one iteration (exact group means); the
// memory is two n-free vectors per column plus one accumulator per block.
#include "demean.h"

#include "parallel_sum.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <vector>

#include <omp.h>

namespace rebalance::econ {

Demeaner::Demeaner(const FixedEffects* fe, int threads, Reducer* reducer, bool eliminate_runs,
                   int64_t block_rows)
    : fe_(fe),
      threads_(threads > 0 ? threads : omp_get_max_threads()),
      reducer_(reducer ? reducer : &LocalReducer()) {
  offsets_.assign(static_cast<size_t>(fe_->num_dims()) + 1, 0);
  for (int q = 0; q < fe_->num_dims(); ++q) {
    offsets_[static_cast<size_t>(q) + 1] = offsets_[static_cast<size_t>(q)] + fe_->num_groups[q];
  }
  // The dimension with the longest runs of equal codes in consecutive rows,
  // if they average 4 rows or more (see AccumulateFixed).
  const int64_t n = fe_->num_obs;
  int64_t best_runs = n / 4 + 1;
  for (int q = 0; q < fe_->num_dims() && n > 1; ++q) {
    const int32_t* c = fe_->codes[q].data();
    int64_t runs = 1;
#pragma omp parallel for num_threads(threads_) schedule(static) reduction(+ : runs)
    for (int64_t i = 1; i < n; ++i) runs += c[i] != c[i - 1];
    if (runs < best_runs) best_runs = runs, run_dim_ = q;
  }
  if (eliminate_runs) PlanElimination();
  // A power of two of blocks of at least block_rows rows, at most 16 (threads
  // beyond that wait during the passes). Automatic: 16 rows per coefficient
  // solved for, so that adding two blocks' accumulators (one per pass and
  // block) costs a few percent of the pass, and at least 2^14 rows. 1M rows
  // with 10,000 coefficients: 4 blocks; 10M: 16.
  const int64_t min_rows = block_rows == kAutoBlockRows
                               ? std::max<int64_t>(int64_t{1} << 14, 16 * SolveGroups())
                               : std::max<int64_t>(block_rows, 1);
  blocks_ = 1;
  while (blocks_ < 16 && n / (2 * blocks_) >= min_rows) blocks_ *= 2;
  block_acc_.resize(static_cast<size_t>(blocks_));
}

void Demeaner::PlanElimination() {
  eliminate_ = false;
  if (run_dim_ < 0 || fe_->num_dims() < 2 || reducer_->distributed()) return;
  const int64_t n = fe_->num_obs;
  const int32_t* c = fe_->codes[static_cast<size_t>(run_dim_)].data();
  std::vector<uint8_t> seen(static_cast<size_t>(fe_->num_groups[static_cast<size_t>(run_dim_)]), 0);
  run_start_.clear();
  run_code_.clear();
  max_run_ = 0;
  for (int64_t i = 0; i < n; ++i) {
    if (i > 0 && c[i] == c[i - 1]) continue;
    uint8_t& s = seen[static_cast<size_t>(c[i])];
    if (s) {  // a group in two runs: not eliminated
      run_start_.clear();
      run_code_.clear();
      return;
    }
    s = 1;
    if (!run_start_.empty()) max_run_ = std::max(max_run_, i - run_start_.back());
    run_start_.push_back(i);
    run_code_.push_back(c[i]);
  }
  if (run_start_.empty()) return;
  max_run_ = std::max(max_run_, n - run_start_.back());
  run_start_.push_back(n);
  // A run is buffered per thread (stride x max_run_ doubles); very long runs
  // (few large groups) gain little from the elimination.
  if (max_run_ > (int64_t{1} << 16)) {
    run_start_.clear();
    run_code_.clear();
    return;
  }
  solve_dims_.clear();
  solve_codes_.clear();
  solve_offsets_.assign(1, 0);
  for (int q = 0; q < fe_->num_dims(); ++q) {
    if (q == run_dim_) continue;
    solve_dims_.push_back(q);
    solve_codes_.push_back(fe_->codes[static_cast<size_t>(q)].data());
    solve_offsets_.push_back(solve_offsets_.back() + fe_->num_groups[static_cast<size_t>(q)]);
  }
  narrow_codes_.clear();
  narrow_ptrs_.clear();
  bool narrow = true;
  for (int q : solve_dims_) narrow = narrow && fe_->num_groups[static_cast<size_t>(q)] <= 65536;
  if (narrow) {
    narrow_codes_.resize(solve_dims_.size());
    for (size_t qs = 0; qs < solve_dims_.size(); ++qs) {
      const int32_t* from = solve_codes_[qs];
      auto& to = narrow_codes_[qs];
      to.resize(static_cast<size_t>(n));
      uint16_t* t = to.data();
#pragma omp parallel for num_threads(threads_) schedule(static)
      for (int64_t i = 0; i < n; ++i) t[i] = static_cast<uint16_t>(from[i]);
      narrow_ptrs_.push_back(t);
    }
  }
  run_buf_.resize(static_cast<size_t>(threads_));
  eliminate_ = true;
}

template <typename F>
void Demeaner::PassBlocks(int64_t size, F f) const {
  const int nt = PassThreads();
  const int per = blocks_ / nt;
  auto subtree = [&](int t) {
    for (int b = t * per; b < (t + 1) * per; ++b) {
      f(b, BlockAccumulator(b, size));
      // Blocks [b + 1 - 2 span, b + 1) complete an aligned pair of subtrees.
      for (int span = 1; span < per && (b + 1) % (2 * span) == 0; span *= 2)
        MergeBlocks(b + 1 - 2 * span, span, 0, size);
    }
  };
  if (nt == 1) {
    subtree(0);
    return;
  }
#pragma omp parallel num_threads(nt)
  {
    // A team smaller than asked for (nested parallelism, a thread limit)
    // still covers every subtree.
    const int got = omp_get_num_threads();
    for (int t = omp_get_thread_num(); t < nt; t += got) subtree(t);
  }
}

void Demeaner::SetWeights(const double* w) {
  w_ = w;
  weights_stale_ = true;  // summed by the next Demean (see UpdateWeightSums)
}

void Demeaner::FinishCross(int nc, std::vector<double>& cross) const {
  reducer_->SumDoubles(cross.data(), static_cast<int64_t>(cross.size()));
  for (int a = 0; a < nc; ++a)
    for (int b = a + 1; b < nc; ++b)
      cross[static_cast<size_t>(a * nc + b)] = cross[static_cast<size_t>(b * nc + a)];
}

void Demeaner::WeightedCrossAll(const std::vector<double*>& cols,
                                std::vector<double>& cross) const {
  const int nc = static_cast<int>(cols.size());
  const size_t ncc = static_cast<size_t>(nc) * static_cast<size_t>(nc);
  std::vector<double> part(static_cast<size_t>(blocks_) * ncc, 0.0);
  ForEachBlock(blocks_, threads_, [&](int blk) {
    double* acc = part.data() + static_cast<size_t>(blk) * ncc;
    for (int64_t i = RowBegin(blk); i < RowBegin(blk + 1); ++i) {
      const double wi = w_ ? w_[i] : 1.0;
      for (int a = 0; a < nc; ++a)
        for (int b = 0; b <= a; ++b)
          acc[a * nc + b] += wi * cols[static_cast<size_t>(a)][i] * cols[static_cast<size_t>(b)][i];
    }
  });
  cross.assign(ncc, 0.0);
  for (int blk = 0; blk < blocks_; ++blk)
    for (size_t e = 0; e < ncc; ++e) cross[e] += part[static_cast<size_t>(blk) * ncc + e];
  FinishCross(nc, cross);
}

void Demeaner::UpdateWeightSums() {
  weights_stale_ = false;
  if (eliminate_) {
    // Group weight sums of the dimensions the conjugate gradients solve for.
    const int64_t total = SolveGroups();
    const int nqs = static_cast<int>(solve_dims_.size());
    PassBlocks(total, [&](int blk, double* acc) {
      for (int qs = 0; qs < nqs; ++qs) {
        const int32_t* codes =
            fe_->codes[static_cast<size_t>(solve_dims_[static_cast<size_t>(qs)])].data();
        double* a = acc + solve_offsets_[static_cast<size_t>(qs)];
        for (int64_t i = RowBegin(blk); i < RowBegin(blk + 1); ++i) a[codes[i]] += w_ ? w_[i] : 1.0;
      }
    });
    ReduceBlocks(total, inv_wsum_);
    for (double& s : inv_wsum_) s = s > 0 ? 1.0 / s : 0.0;
    return;
  }
  const int64_t total = offsets_.back();
  // Group weight sums D'W 1 in one pass: D p = 1 for every observation when p
  // is 1 on the first dimension's groups and 0 elsewhere.
  std::vector<double> ones(static_cast<size_t>(total), 0.0);
  std::fill(ones.begin(), ones.begin() + offsets_[1], 1.0);
  MultiplyNormal(ones, 1, inv_wsum_);
  for (double& s : inv_wsum_) s = s > 0 ? 1.0 / s : 0.0;
}

namespace {

// Threads for work in coefficient space (sums of the per-block accumulators,
// CG vector updates) on `size` doubles. It is small next to a pass over the
// observations (40,000 doubles for the 1M-row panel with pair eliminated,
// about 50 us on one core, against 2 ms for the pass), and every parallel
// region costs a fork and a join: when the machine's cores are shared, a
// waiting thread loses its time slice at each one. So only large coefficient
// vectors are worked on in parallel.
int CoefficientThreads(int64_t size, int threads) {
  return size >= (int64_t{1} << 18) ? threads : 1;
}

// Per-block partial sums of up to 16 columns are kept in `part` at
// [block * kPartStride + column]; out[c] = their sum in block order.
constexpr size_t kPartStride = 16;
void SumBlockParts(const std::vector<double>& part, int blocks, int nc, double* out) {
  for (int c = 0; c < nc; ++c) out[c] = 0;
  for (int b = 0; b < blocks; ++b)
    for (int c = 0; c < nc; ++c)
      out[c] += part[static_cast<size_t>(b) * kPartStride + static_cast<size_t>(c)];
}

}  // namespace

int64_t Demeaner::RowBegin(int b) const { return BlockBegin(fe_->num_obs, b, blocks_); }

int Demeaner::PassThreads() const {
  int nt = 1;
  while (2 * nt <= std::min(threads_, blocks_)) nt *= 2;
  return nt;
}

void Demeaner::MergeBlocks(int left, int span, int64_t begin, int64_t end) const {
  // left += right over [begin, end); right is left zero.
  double* a = block_acc_[static_cast<size_t>(left)].data();
  double* b = block_acc_[static_cast<size_t>(left + span)].data();
  for (int64_t k = begin; k < end; ++k) {
    a[k] += b[k];
    b[k] = 0;
  }
}

double* Demeaner::BlockAccumulator(int b, int64_t size) const {
  auto& acc = block_acc_[static_cast<size_t>(b)];
  // Zero by invariant: ReduceBlocks clears what it reads.
  if (static_cast<int64_t>(acc.size()) < size) acc.resize(static_cast<size_t>(size), 0.0);
  return acc.data();
}

double* Demeaner::RunBuffer(int tid, int ld) const {
  auto& buf = run_buf_[static_cast<size_t>(tid)];
  const size_t size = static_cast<size_t>(max_run_) * static_cast<size_t>(ld);
  if (buf.size() < size) buf.resize(size);
  return buf.data();
}

void Demeaner::ReduceBlocks(int64_t size, std::vector<double>& out, const double* p, int nc,
                            double* dots) const {
  out.resize(static_cast<size_t>(size));
  // The pass left the sum of each thread's subtree of blocks in the subtree's
  // first accumulator (span blocks_ / PassThreads()); the levels above are
  // added here, elementwise, so in the same order for any thread count.
  const int span0 = blocks_ / PassThreads();
  // Coefficient space in fixed chunks too, for the dot products.
  const int chunks = FixedBlockCount(size);
  std::vector<double> part(dots ? static_cast<size_t>(chunks) * kPartStride : 0, 0.0);
  ForEachBlock(chunks, CoefficientThreads(size, threads_), [&](int chunk) {
    const int64_t begin = BlockBegin(size, chunk, chunks),
                  end = BlockBegin(size, chunk + 1, chunks);
    for (int span = span0; span < blocks_; span *= 2)
      for (int left = 0; left < blocks_; left += 2 * span) MergeBlocks(left, span, begin, end);
    double* o = out.data();
    double* a = block_acc_[0].data();
    for (int64_t k = begin; k < end; ++k) o[k] = a[k];
    std::fill(a + begin, a + end, 0.0);
    if (dots) {
      double d[16] = {0};
      int c = static_cast<int>(begin % nc);
      for (int64_t k = begin; k < end; ++k) {
        d[c] += p[k] * o[k];
        if (++c == nc) c = 0;
      }
      for (int c = 0; c < nc; ++c)
        part[static_cast<size_t>(chunk) * kPartStride + static_cast<size_t>(c)] = d[c];
    }
  });
  if (dots) SumBlockParts(part, chunks, nc, dots);
}

namespace {

// acc += D' W D p over observations [begin, end) (the hot loop of every CG
// iteration). kNq > 0 and kNc > 0 fix the numbers of dimensions and columns
// at compile time, so the group and column loops unroll into straight-line
// gathers and scatters; 0 handles any count (nc <= 16).
// Coefficients of nc interleaved columns are stored with stride
// Stride(nc): 3 columns are padded to 4 so that a group's coefficients are
// one 256-bit vector (the pad lane stays 0 throughout).
constexpr int Stride(int nc) { return nc == 3 ? 4 : nc; }

// Vec never crosses a non-inlined call boundary of another translation unit,
// so GCC's note about the ABI of 256-bit vectors without -mavx is moot.
#pragma GCC diagnostic ignored "-Wpsabi"
template <int kLd>
struct Lanes {
  typedef double Vec __attribute__((vector_size(kLd * sizeof(double))));
  static Vec Load(const double* p) {
    Vec v;
    __builtin_memcpy(&v, p, sizeof(Vec));
    return v;
  }
  static void Store(double* p, Vec v) { __builtin_memcpy(p, &v, sizeof(Vec)); }
};

// run: a dimension whose equal codes come in runs of consecutive rows (a
// file sorted by pair), or -1. Its accumulator is summed in a register along
// each run and added once at the run's end, instead of being read and written
// back by every row (a store-to-load chain through memory that bounds the
// loop's speed). With one run per group in [begin, end), as in a sorted file,
// the sums are the same, bit for bit (0 + s1 + s2 + ... in row order).
template <int kNq, int kNc, bool kResidual>
void AccumulateFixed(const FixedEffects& fe, const int64_t* off, const double* w, const double* p,
                     const double* const* xcols, int64_t begin, int64_t end, double* acc,
                     double* ssq, double pad, int run) {
  constexpr int kLd = Stride(kNc);
  // Plain local arrays with constant indexes after unrolling, so that GCC
  // keeps them in registers (a partial store / wide reload through memory
  // stalls store forwarding); a group's kLd coefficients move as one vector.
  const int32_t* codes[kNq];
  const double* pb[kNq];
  double* ab[kNq];
  const double* xc[kNc];
  double sq[kNc];
#pragma GCC unroll 8
  for (int q = 0; q < kNq; ++q) {
    codes[q] = fe.codes[q].data();
    pb[q] = p + off[q] * kLd;
    ab[q] = acc + off[q] * kLd;
  }
#pragma GCC unroll 8
  for (int c = 0; c < kNc; ++c) {
    xc[c] = kResidual ? xcols[c] : nullptr;
    sq[c] = 0;
  }
  if constexpr (kLd == 1) {
    int64_t run_g = -1;  // group of the current run
    double run_s = 0;    // its sum so far
    for (int64_t i = begin; i < end; ++i) {
      int64_t g[kNq];
#pragma GCC unroll 8
      for (int q = 0; q < kNq; ++q) g[q] = codes[q][i];
      double s = pb[0][g[0]];
#pragma GCC unroll 8
      for (int q = 1; q < kNq; ++q) s += pb[q][g[q]];
      const double wi = w ? w[i] : 1.0;
      if constexpr (kResidual) {
        const double xi = xc[0][i];
        sq[0] += wi * xi * xi;
        s = xi - s;
      }
      s *= wi;
#pragma GCC unroll 8
      for (int q = 0; q < kNq; ++q) {
        if (q != run) {
          ab[q][g[q]] += s;
        } else if (g[q] == run_g) {
          run_s += s;
        } else {
          if (run_g >= 0) ab[q][run_g] += run_s;
          run_g = g[q];
          run_s = s;
        }
      }
    }
    if (run_g >= 0) ab[run][run_g] += run_s;
  } else {
    using L = Lanes<kLd>;
    using Vec = typename L::Vec;
    int64_t run_g = -1;  // offset of the current run's group
    Vec run_s = {};      // its sums so far
    for (int64_t i = begin; i < end; ++i) {
      int64_t g[kNq];
#pragma GCC unroll 8
      for (int q = 0; q < kNq; ++q) g[q] = static_cast<int64_t>(codes[q][i]) * kLd;
      Vec s = L::Load(pb[0] + g[0]);
#pragma GCC unroll 8
      for (int q = 1; q < kNq; ++q) s += L::Load(pb[q] + g[q]);
      const double wi = w ? w[i] : 1.0;
      if constexpr (kResidual) {
        Vec xv = {};
#pragma GCC unroll 8
        for (int c = 0; c < kNc; ++c) {
          const double xi = xc[c][i];
          sq[c] += wi * xi * xi;
          xv[c] = xi;
        }
        if constexpr (kLd > kNc) xv[kNc] = pad;  // pad lane: sum of weights
        s = xv - s;
      }
      s *= wi;
#pragma GCC unroll 8
      for (int q = 0; q < kNq; ++q) {
        if (q != run) {
          L::Store(ab[q] + g[q], L::Load(ab[q] + g[q]) + s);
        } else if (g[q] == run_g) {
          run_s += s;
        } else {
          if (run_g >= 0) L::Store(ab[q] + run_g, L::Load(ab[q] + run_g) + run_s);
          run_g = g[q];
          run_s = s;
        }
      }
    }
    if (run_g >= 0) L::Store(ab[run] + run_g, L::Load(ab[run] + run_g) + run_s);
  }
  if constexpr (kResidual) {
#pragma GCC unroll 8
    for (int c = 0; c < kNc; ++c) ssq[c] += sq[c];
  }
}

// cr[a][b] += w v_a v_b (b <= a): one observation's weighted cross products
// of the new values of kNc columns; FlushCross adds them to cross (row-major).
template <int kNc>
[[gnu::always_inline]] inline void AddCross(double (&cr)[kNc][kNc], const double (&v)[kNc],
                                            double wi) {
#pragma GCC unroll 8
  for (int a = 0; a < kNc; ++a) {
    const double wa = wi * v[a];
#pragma GCC unroll 8
    for (int b = 0; b <= a; ++b) cr[a][b] += wa * v[b];
  }
}

template <int kNc>
void FlushCross(const double (&cr)[kNc][kNc], double* cross) {
  for (int a = 0; a < kNc; ++a)
    for (int b = 0; b <= a; ++b) cross[a * kNc + b] += cr[a][b];
}

// cols_c[i] -= (D alpha_c)_i over [begin, end); with kCross also
// cross[a kNc + b] += sum w_i x_ai x_bi (b <= a) of the new values.
template <int kNq, int kNc, bool kCross>
void SubtractFixed(const FixedEffects& fe, const int64_t* off, const double* alpha,
                   double* const* cols, int64_t begin, int64_t end, const double* w,
                   double* cross) {
  constexpr int kLd = Stride(kNc);
  const int32_t* codes[kNq];
  const double* ab[kNq];
  double* xc[kNc];
#pragma GCC unroll 8
  for (int q = 0; q < kNq; ++q) {
    codes[q] = fe.codes[q].data();
    ab[q] = alpha + off[q] * kLd;
  }
#pragma GCC unroll 8
  for (int c = 0; c < kNc; ++c) xc[c] = cols[c];
  double cr[kNc][kNc] = {};
  for (int64_t i = begin; i < end; ++i) {
    double s[kNc];
#pragma GCC unroll 8
    for (int c = 0; c < kNc; ++c) s[c] = ab[0][static_cast<int64_t>(codes[0][i]) * kLd + c];
#pragma GCC unroll 8
    for (int q = 1; q < kNq; ++q) {
      const int64_t g = static_cast<int64_t>(codes[q][i]) * kLd;
#pragma GCC unroll 8
      for (int c = 0; c < kNc; ++c) s[c] += ab[q][g + c];
    }
    double v[kNc];
#pragma GCC unroll 8
    for (int c = 0; c < kNc; ++c) {
      v[c] = xc[c][i] - s[c];
      xc[c][i] = v[c];
    }
    if constexpr (kCross) AddCross<kNc>(cr, v, w ? w[i] : 1.0);
  }
  if constexpr (kCross) FlushCross<kNc>(cr, cross);
}

// The same three kernels for any number of dimensions and columns
// (nc <= 16, stride Stride(nc)): acc += D'W D p, or with xcols acc += D'W (x - D p) and
// ssq += sum w x^2; and cols -= D alpha.
// s[c] = sum over dimensions of p's coefficient c of observation i's groups.
void GatherAny(const FixedEffects& fe, const int64_t* off, const double* p, int nc, int ld,
               int64_t i, double* s) {
  for (int c = 0; c < nc; ++c) s[c] = 0;
  for (int q = 0; q < fe.num_dims(); ++q) {
    const double* pq = p + (off[q] + fe.codes[q][static_cast<size_t>(i)]) * ld;
    for (int c = 0; c < nc; ++c) s[c] += pq[c];
  }
}

void AccumulateAny(const FixedEffects& fe, const int64_t* off, const double* w, const double* p,
                   const double* const* xcols, int nc, int64_t begin, int64_t end, double* acc,
                   double* ssq, double pad, int /*run*/) {
  const int nq = fe.num_dims();
  const int ld = Stride(nc);
  double s[16];
  for (int64_t i = begin; i < end; ++i) {
    GatherAny(fe, off, p, nc, ld, i, s);
    const double wi = w ? w[i] : 1.0;
    if (xcols) {
      for (int c = 0; c < nc; ++c) {
        const double xi = xcols[c][i];
        ssq[c] += wi * xi * xi;
        s[c] = xi - s[c];
      }
    }
    for (int c = 0; c < nc; ++c) s[c] *= wi;
    const double wpad = xcols && ld > nc ? pad * wi : 0.0;  // pad lane: sum of weights
    for (int q = 0; q < nq; ++q) {
      double* dst = acc + (off[q] + fe.codes[q][static_cast<size_t>(i)]) * ld;
      for (int c = 0; c < nc; ++c) dst[c] += s[c];
      if (ld > nc) dst[nc] += wpad;
    }
  }
}

void SubtractAny(const FixedEffects& fe, const int64_t* off, const double* alpha,
                 double* const* cols, int nc, int64_t begin, int64_t end, const double* w,
                 double* cross) {
  const int ld = Stride(nc);
  double s[16];
  for (int64_t i = begin; i < end; ++i) {
    GatherAny(fe, off, alpha, nc, ld, i, s);
    for (int c = 0; c < nc; ++c) {
      cols[c][i] -= s[c];
      s[c] = cols[c][i];
    }
    if (cross) {
      const double wi = w ? w[i] : 1.0;
      for (int a = 0; a < nc; ++a)
        for (int b = 0; b <= a; ++b) cross[a * nc + b] += wi * s[a] * s[b];
    }
  }
}

// Kernels specialised for small dimension and column counts.
struct Kernels {
  void (*accumulate)(const FixedEffects&, const int64_t*, const double*, const double*,
                     const double* const*, int, int64_t, int64_t, double*, double*, double, int);
  void (*subtract)(const FixedEffects&, const int64_t*, const double*, double* const*, int, int64_t,
                   int64_t, const double*, double*);
};

template <int kNq, int kNc>
Kernels MakeKernels() {
  Kernels k;
  k.accumulate = [](const FixedEffects& fe, const int64_t* off, const double* w, const double* p,
                    const double* const* xcols, int, int64_t begin, int64_t end, double* acc,
                    double* ssq, double pad, int run) {
    if (xcols) {
      AccumulateFixed<kNq, kNc, true>(fe, off, w, p, xcols, begin, end, acc, ssq, pad, run);
    } else {
      AccumulateFixed<kNq, kNc, false>(fe, off, w, p, xcols, begin, end, acc, ssq, pad, run);
    }
  };
  k.subtract = [](const FixedEffects& fe, const int64_t* off, const double* alpha,
                  double* const* cols, int, int64_t begin, int64_t end, const double* w,
                  double* cross) {
    if (cross) {
      SubtractFixed<kNq, kNc, true>(fe, off, alpha, cols, begin, end, w, cross);
    } else {
      SubtractFixed<kNq, kNc, false>(fe, off, alpha, cols, begin, end, w, cross);
    }
  };
  return k;
}

template <int kNq>
Kernels PickColumns(int nc) {
  switch (nc) {
    case 1:
      return MakeKernels<kNq, 1>();
    case 2:
      return MakeKernels<kNq, 2>();
    case 3:
      return MakeKernels<kNq, 3>();
    case 4:
      return MakeKernels<kNq, 4>();
    default:
      return Kernels{&AccumulateAny, &SubtractAny};
  }
}

Kernels PickKernels(int nq, int nc) {
  switch (nq) {
    case 1:
      return PickColumns<1>(nc);
    case 2:
      return PickColumns<2>(nc);
    case 3:
      return PickColumns<3>(nc);
    case 4:
      return PickColumns<4>(nc);
    case 5:
      return PickColumns<5>(nc);
    default:
      return Kernels{&AccumulateAny, &SubtractAny};
  }
}

// Exact elimination of a dimension whose groups are runs of consecutive
// rows (a file sorted by pair). Write D = [D1 Dr] with Dr the run dimension.
// For fixed coefficients b of the other dimensions, the best run
// coefficients are the weighted run means of x - D1 b, so the normal
// equations reduce to S b = D1' W M (x) with S = D1' W M D1, where M takes
// the weighted mean out of every run (the Schur complement of Dr'WDr, which
// is diagonal). The conjugate gradients solve this smaller system: one pass
// over the data forms S p (each run is gathered once into a buffer, its
// weighted mean taken, then scattered), the run dimension never needs a
// coefficient vector of its own, and its part of the residual is zero
// exactly. The Jacobi preconditioner and the convergence criterion keep the
// group weight sums of the solved dimensions, so the criterion measures the
// same weighted group means as without the elimination.
struct RunPlan {
  const int32_t* const* codes;    // the solved dimensions' codes
  const uint16_t* const* narrow;  // the same in 2 bytes (nullptr: a dimension has > 65,536 groups)
  const int64_t* off;             // their coefficient offsets (solve layout)
  int nq;                         // number of solved dimensions
  const int64_t* run_start;       // run r is rows [run_start[r], run_start[r + 1])

  template <typename Code>
  const Code* Codes(int q) const {
    if constexpr (sizeof(Code) == 2) {
      return narrow[q];
    } else {
      return codes[q];
    }
  }
};

// acc += D1' W M D1 p over runs [rb, re), or with xcols acc += D1' W M (x -
// D1 p) and ssq += sum w x^2 (pad lane: sum of weights when pad = 1). buf
// holds a run (its length x Stride(kNc) doubles).
template <int kNq, int kNc, bool kResidual, typename Code>
void AccumulateRuns(const RunPlan& rp, const double* w, const double* p, const double* const* xcols,
                    int64_t rb, int64_t re, double* acc, double* ssq, double pad, double* buf) {
  constexpr int kLd = Stride(kNc);
  using L = Lanes<kLd>;
  using Vec = typename L::Vec;
  const Code* codes[kNq];
  const double* pb[kNq];
  double* ab[kNq];
  const double* xc[kNc];
  double sq[kNc];
#pragma GCC unroll 8
  for (int q = 0; q < kNq; ++q) {
    codes[q] = rp.Codes<Code>(q);
    pb[q] = p + rp.off[q] * kLd;
    ab[q] = acc + rp.off[q] * kLd;
  }
#pragma GCC unroll 8
  for (int c = 0; c < kNc; ++c) {
    xc[c] = kResidual ? xcols[c] : nullptr;
    sq[c] = 0;
  }
  if constexpr (kLd == 1) {
    // One column in scalars: GCC keeps a one-lane vector sum in memory (a
    // store-to-load chain per row).
    for (int64_t r = rb; r < re; ++r) {
      const int64_t s0 = rp.run_start[r], s1 = rp.run_start[r + 1];
      double sum = 0, wsum = 0;
      for (int64_t i = s0; i < s1; ++i) {
        double t = pb[0][codes[0][i]];
#pragma GCC unroll 8
        for (int q = 1; q < kNq; ++q) t += pb[q][codes[q][i]];
        const double wi = w ? w[i] : 1.0;
        if constexpr (kResidual) {
          const double xi = xc[0][i];
          sq[0] += wi * xi * xi;
          t = xi - t;
        }
        buf[i - s0] = t;
        sum += wi * t;
        wsum += wi;
      }
      const double mean = wsum > 0 ? sum / wsum : 0.0;
      for (int64_t i = s0; i < s1; ++i) {
        const double v = (buf[i - s0] - mean) * (w ? w[i] : 1.0);
#pragma GCC unroll 8
        for (int q = 0; q < kNq; ++q) ab[q][codes[q][i]] += v;
      }
    }
    if constexpr (kResidual) ssq[0] += sq[0];
    return;
  }
  for (int64_t r = rb; r < re; ++r) {
    const int64_t s0 = rp.run_start[r], s1 = rp.run_start[r + 1];
    Vec sum = {};
    double wsum = 0;
    for (int64_t i = s0; i < s1; ++i) {
      Vec t = L::Load(pb[0] + static_cast<int64_t>(codes[0][i]) * kLd);
#pragma GCC unroll 8
      for (int q = 1; q < kNq; ++q) t += L::Load(pb[q] + static_cast<int64_t>(codes[q][i]) * kLd);
      const double wi = w ? w[i] : 1.0;
      if constexpr (kResidual) {
        Vec xv = {};
#pragma GCC unroll 8
        for (int c = 0; c < kNc; ++c) {
          const double xi = xc[c][i];
          sq[c] += wi * xi * xi;
          xv[c] = xi;
        }
        t = xv - t;
      }
      L::Store(buf + (i - s0) * kLd, t);
      sum += wi * t;
      wsum += wi;
    }
    const Vec mean = wsum > 0 ? sum / wsum : Vec{};
    for (int64_t i = s0; i < s1; ++i) {
      const double wi = w ? w[i] : 1.0;
      Vec v = (L::Load(buf + (i - s0) * kLd) - mean) * wi;
      if constexpr (kResidual && kLd > kNc) v[kNc] = pad * wi;
#pragma GCC unroll 8
      for (int q = 0; q < kNq; ++q) {
        double* a = ab[q] + static_cast<int64_t>(codes[q][i]) * kLd;
        L::Store(a, L::Load(a) + v);
      }
    }
  }
  if constexpr (kResidual) {
#pragma GCC unroll 8
    for (int c = 0; c < kNc; ++c) ssq[c] += sq[c];
  }
}

// cols_c <- M (cols_c - D1 alpha_c) over runs [rb, re), the run means into
// run_alpha[r * Stride(kNc) + c]; with kCross also cross[a kNc + b] += sum
// w x_a x_b (b <= a) of the new values.
template <int kNq, int kNc, bool kCross, typename Code>
void SubtractRuns(const RunPlan& rp, const double* alpha, double* const* cols, int64_t rb,
                  int64_t re, const double* w, double* cross, double* run_alpha) {
  constexpr int kLd = Stride(kNc);
  const Code* codes[kNq];
  const double* ab[kNq];
  double* xc[kNc];
#pragma GCC unroll 8
  for (int q = 0; q < kNq; ++q) {
    codes[q] = rp.Codes<Code>(q);
    ab[q] = alpha + rp.off[q] * kLd;
  }
#pragma GCC unroll 8
  for (int c = 0; c < kNc; ++c) xc[c] = cols[c];
  double cr[kNc][kNc] = {};
  for (int64_t r = rb; r < re; ++r) {
    const int64_t s0 = rp.run_start[r], s1 = rp.run_start[r + 1];
    double sum[kNc] = {};
    double wsum = 0;
    for (int64_t i = s0; i < s1; ++i) {
      const double wi = w ? w[i] : 1.0;
#pragma GCC unroll 8
      for (int c = 0; c < kNc; ++c) {
        double s = ab[0][static_cast<int64_t>(codes[0][i]) * kLd + c];
#pragma GCC unroll 8
        for (int q = 1; q < kNq; ++q) s += ab[q][static_cast<int64_t>(codes[q][i]) * kLd + c];
        const double v = xc[c][i] - s;
        xc[c][i] = v;
        sum[c] += wi * v;
      }
      wsum += wi;
    }
    double mean[kNc];
#pragma GCC unroll 8
    for (int c = 0; c < kNc; ++c) {
      mean[c] = wsum > 0 ? sum[c] / wsum : 0.0;
      run_alpha[r * kLd + c] = mean[c];
    }
    for (int64_t i = s0; i < s1; ++i) {
      double v[kNc];
#pragma GCC unroll 8
      for (int c = 0; c < kNc; ++c) {
        v[c] = xc[c][i] - mean[c];
        xc[c][i] = v[c];
      }
      if constexpr (kCross) AddCross<kNc>(cr, v, w ? w[i] : 1.0);
    }
  }
  if constexpr (kCross) FlushCross<kNc>(cr, cross);
}

// The same for any number of solved dimensions and columns (nc <= 16).
void AccumulateRunsAny(const RunPlan& rp, const double* w, const double* p,
                       const double* const* xcols, int nc, int64_t rb, int64_t re, double* acc,
                       double* ssq, double pad, double* buf) {
  const int ld = Stride(nc);
  for (int64_t r = rb; r < re; ++r) {
    const int64_t s0 = rp.run_start[r], s1 = rp.run_start[r + 1];
    double sum[16] = {0};
    double wsum = 0;
    for (int64_t i = s0; i < s1; ++i) {
      double* t = buf + (i - s0) * ld;
      for (int c = 0; c < ld; ++c) t[c] = 0;
      for (int q = 0; q < rp.nq; ++q) {
        const double* pq = p + (rp.off[q] + rp.codes[q][i]) * ld;
        for (int c = 0; c < nc; ++c) t[c] += pq[c];
      }
      const double wi = w ? w[i] : 1.0;
      if (xcols) {
        for (int c = 0; c < nc; ++c) {
          const double xi = xcols[c][i];
          ssq[c] += wi * xi * xi;
          t[c] = xi - t[c];
        }
      }
      for (int c = 0; c < nc; ++c) sum[c] += wi * t[c];
      wsum += wi;
    }
    for (int c = 0; c < nc; ++c) sum[c] = wsum > 0 ? sum[c] / wsum : 0.0;
    for (int64_t i = s0; i < s1; ++i) {
      const double wi = w ? w[i] : 1.0;
      const double* t = buf + (i - s0) * ld;
      for (int q = 0; q < rp.nq; ++q) {
        double* dst = acc + (rp.off[q] + rp.codes[q][i]) * ld;
        for (int c = 0; c < nc; ++c) dst[c] += (t[c] - sum[c]) * wi;
        if (xcols && ld > nc) dst[nc] += pad * wi;
      }
    }
  }
}

void SubtractRunsAny(const RunPlan& rp, const double* alpha, double* const* cols, int nc,
                     int64_t rb, int64_t re, const double* w, double* cross, double* run_alpha) {
  const int ld = Stride(nc);
  for (int64_t r = rb; r < re; ++r) {
    const int64_t s0 = rp.run_start[r], s1 = rp.run_start[r + 1];
    double sum[16] = {0};
    double wsum = 0;
    for (int64_t i = s0; i < s1; ++i) {
      const double wi = w ? w[i] : 1.0;
      for (int c = 0; c < nc; ++c) {
        double s = 0;
        for (int q = 0; q < rp.nq; ++q) s += alpha[(rp.off[q] + rp.codes[q][i]) * ld + c];
        cols[c][i] -= s;
        sum[c] += wi * cols[c][i];
      }
      wsum += wi;
    }
    for (int c = 0; c < nc; ++c) {
      sum[c] = wsum > 0 ? sum[c] / wsum : 0.0;
      run_alpha[r * ld + c] = sum[c];
    }
    for (int64_t i = s0; i < s1; ++i) {
      for (int c = 0; c < nc; ++c) cols[c][i] -= sum[c];
      if (cross) {
        const double wi = w ? w[i] : 1.0;
        for (int a = 0; a < nc; ++a)
          for (int b = 0; b <= a; ++b) cross[a * nc + b] += wi * cols[a][i] * cols[b][i];
      }
    }
  }
}

struct RunKernels {
  void (*accumulate)(const RunPlan&, const double*, const double*, const double* const*, int,
                     int64_t, int64_t, double*, double*, double, double*);
  void (*subtract)(const RunPlan&, const double*, double* const*, int, int64_t, int64_t,
                   const double*, double*, double*);
};

template <int kNq, int kNc, typename Code>
RunKernels MakeRunKernels() {
  RunKernels k;
  k.accumulate = [](const RunPlan& rp, const double* w, const double* p, const double* const* xcols,
                    int, int64_t rb, int64_t re, double* acc, double* ssq, double pad,
                    double* buf) {
    if (xcols) {
      AccumulateRuns<kNq, kNc, true, Code>(rp, w, p, xcols, rb, re, acc, ssq, pad, buf);
    } else {
      AccumulateRuns<kNq, kNc, false, Code>(rp, w, p, xcols, rb, re, acc, ssq, pad, buf);
    }
  };
  k.subtract = [](const RunPlan& rp, const double* alpha, double* const* cols, int, int64_t rb,
                  int64_t re, const double* w, double* cross, double* run_alpha) {
    if (cross) {
      SubtractRuns<kNq, kNc, true, Code>(rp, alpha, cols, rb, re, w, cross, run_alpha);
    } else {
      SubtractRuns<kNq, kNc, false, Code>(rp, alpha, cols, rb, re, w, cross, run_alpha);
    }
  };
  return k;
}

template <int kNq, typename Code>
RunKernels PickRunColumns(int nc) {
  switch (nc) {
    case 1:
      return MakeRunKernels<kNq, 1, Code>();
    case 2:
      return MakeRunKernels<kNq, 2, Code>();
    case 3:
      return MakeRunKernels<kNq, 3, Code>();
    case 4:
      return MakeRunKernels<kNq, 4, Code>();
    default:
      return RunKernels{&AccumulateRunsAny, &SubtractRunsAny};
  }
}

template <typename Code>
RunKernels PickRunDimensions(int nq, int nc) {
  switch (nq) {
    case 1:
      return PickRunColumns<1, Code>(nc);
    case 2:
      return PickRunColumns<2, Code>(nc);
    case 3:
      return PickRunColumns<3, Code>(nc);
    case 4:
      return PickRunColumns<4, Code>(nc);
    default:
      return RunKernels{&AccumulateRunsAny, &SubtractRunsAny};
  }
}

// Codes of 2 bytes where every solved dimension has them (fewer bytes per
// pass: the passes over a large file are bound by memory bandwidth).
RunKernels PickRunKernels(const RunPlan& plan, int nc) {
  return plan.narrow ? PickRunDimensions<uint16_t>(plan.nq, nc)
                     : PickRunDimensions<int32_t>(plan.nq, nc);
}

RunPlan PlanOf(const std::vector<const int32_t*>& codes, const std::vector<const uint16_t*>& narrow,
               const std::vector<int64_t>& off, const std::vector<int64_t>& run_start) {
  return RunPlan{codes.data(), narrow.empty() ? nullptr : narrow.data(), off.data(),
                 static_cast<int>(codes.size()), run_start.data()};
}

}  // namespace

int64_t Demeaner::RunBegin(int b) const {
  // The first run starting at or after block b's first row.
  const int64_t runs = static_cast<int64_t>(run_start_.size()) - 1;
  if (b >= blocks_) return runs;
  return std::lower_bound(run_start_.begin(), run_start_.end() - 1, RowBegin(b)) -
         run_start_.begin();
}

void Demeaner::AccumulateBlocks(const double* p, const double* const* xcols, int nc,
                                double* ssq_parts, double pad) const {
  const int ld = Stride(nc);
  const int64_t size = SolveGroups() * ld;
  if (eliminate_) {
    const RunPlan plan = PlanOf(solve_codes_, narrow_ptrs_, solve_offsets_, run_start_);
    const RunKernels kernels = PickRunKernels(plan, nc);
    PassBlocks(size, [&](int b, double* acc) {
      kernels.accumulate(plan, w_, p, xcols, nc, RunBegin(b), RunBegin(b + 1), acc,
                         ssq_parts ? ssq_parts + static_cast<size_t>(b) * kPartStride : nullptr,
                         pad, RunBuffer(omp_get_thread_num(), ld));
    });
    return;
  }
  const int64_t* off = offsets_.data();
  const Kernels kernels = PickKernels(fe_->num_dims(), nc);
  PassBlocks(size, [&](int b, double* acc) {
    kernels.accumulate(*fe_, off, w_, p, xcols, nc, RowBegin(b), RowBegin(b + 1), acc,
                       ssq_parts ? ssq_parts + static_cast<size_t>(b) * kPartStride : nullptr, pad,
                       run_dim_);
  });
}

void Demeaner::MultiplyNormal(const std::vector<double>& p, int nc, std::vector<double>& out,
                              double* pq) const {
  const int ld = Stride(nc);
  const int64_t size = SolveGroups() * ld;
  AccumulateBlocks(p.data(), nullptr, nc, nullptr, 0.0);
  if (!reducer_->distributed()) {
    ReduceBlocks(size, out, p.data(), ld, pq);  // p'q in the same sweep
    return;
  }
  ReduceBlocks(size, out);
  reducer_->SumDoubles(out.data(), size);
  if (pq) {
    for (int c = 0; c < ld; ++c) pq[c] = 0;
    for (int64_t k = 0; k < size; ++k)
      pq[k % ld] += p[static_cast<size_t>(k)] * out[static_cast<size_t>(k)];
  }
}

void Demeaner::Residual(const std::vector<double*>& cols, const std::vector<double>& alpha,
                        std::vector<double>& out, std::vector<double>& ssq, bool weight_sums) {
  const int nc = static_cast<int>(cols.size());
  const int ld = Stride(nc);
  const int64_t size = SolveGroups() * ld;
  const double pad = weight_sums ? 1.0 : 0.0;
  std::vector<double> ssq_t(static_cast<size_t>(blocks_) * kPartStride, 0.0);
  AccumulateBlocks(alpha.data(), cols.data(), nc, ssq_t.data(), pad);
  ReduceBlocks(size, out);
  ssq.resize(static_cast<size_t>(nc));
  SumBlockParts(ssq_t, blocks_, nc, ssq.data());
  reducer_->SumDoubles(out.data(), size);
  reducer_->SumDoubles(ssq.data(), nc);
  if (weight_sums) {
    // The pad lane holds the group weight sums; it must be 0 for the CG.
    const int64_t total = SolveGroups();
    inv_wsum_.resize(static_cast<size_t>(total));
    for (int64_t g = 0; g < total; ++g) {
      double& v = out[static_cast<size_t>(g * ld + nc)];
      inv_wsum_[static_cast<size_t>(g)] = v > 0 ? 1.0 / v : 0.0;
      v = 0;
    }
    weights_stale_ = false;
  }
}

DemeanReport Demeaner::Demean(const std::vector<double*>& cols,
                              std::vector<std::vector<double>>& alphas, double tol, int max_iter,
                              std::vector<double>* cross) {
  return Demean(cols, alphas, std::vector<double>(cols.size(), tol), max_iter, cross);
}

DemeanReport Demeaner::Demean(const std::vector<double*>& cols,
                              std::vector<std::vector<double>>& alphas,
                              const std::vector<double>& tols, int max_iter,
                              std::vector<double>* cross) {
  DemeanReport report;
  constexpr int kMaxColumns = 16;  // size of the per-observation scratch
  if (cols.size() > kMaxColumns) {
    alphas.resize(cols.size());
    for (size_t start = 0; start < cols.size(); start += kMaxColumns) {
      const size_t end = std::min(cols.size(), start + kMaxColumns);
      std::vector<double*> part(cols.begin() + static_cast<std::ptrdiff_t>(start),
                                cols.begin() + static_cast<std::ptrdiff_t>(end));
      std::vector<std::vector<double>> part_alpha(
          alphas.begin() + static_cast<std::ptrdiff_t>(start),
          alphas.begin() + static_cast<std::ptrdiff_t>(end));
      const std::vector<double> part_tols(tols.begin() + static_cast<std::ptrdiff_t>(start),
                                          tols.begin() + static_cast<std::ptrdiff_t>(end));
      const DemeanReport r = Demean(part, part_alpha, part_tols, max_iter);
      for (size_t c = start; c < end; ++c) alphas[c] = std::move(part_alpha[c - start]);
      report.iterations = std::max(report.iterations, r.iterations);
      report.converged = report.converged && r.converged;
    }
    if (cross) WeightedCrossAll(cols, *cross);
    return report;
  }
  const int nc = static_cast<int>(cols.size());
  const int nq = fe_->num_dims();
  const int64_t full_total = offsets_.back();
  if (nc == 0 || nq == 0) {
    if (cross) WeightedCrossAll(cols, *cross);
    return report;
  }
  alphas.resize(static_cast<size_t>(nc));
  const int ld = Stride(nc);  // pad lanes stay 0
  // The conjugate gradients' coefficients: every dimension's, or all but the
  // eliminated one's (solve_offsets_).
  const int64_t total = SolveGroups();
  const size_t size = static_cast<size_t>(total * ld);
  auto for_each_solved = [&](auto&& f) {  // f(full index, solve index) per group
    if (!eliminate_) {
      for (int64_t k = 0; k < total; ++k) f(k, k);
      return;
    }
    for (size_t qs = 0; qs < solve_dims_.size(); ++qs) {
      const int64_t from = offsets_[static_cast<size_t>(solve_dims_[qs])];
      const int64_t to = solve_offsets_[qs];
      for (int64_t g = 0; g < solve_offsets_[qs + 1] - to; ++g) f(from + g, to + g);
    }
  };

  // Interleaved coefficients, starting point from `alphas`.
  std::vector<double> x(size, 0.0);
  for (int c = 0; c < nc; ++c) {
    auto& al = alphas[static_cast<size_t>(c)];
    if (static_cast<int64_t>(al.size()) != full_total) {
      al.assign(static_cast<size_t>(full_total), 0.0);
    }
    for_each_solved([&](int64_t k, int64_t j) {
      x[static_cast<size_t>(j * ld + c)] = al[static_cast<size_t>(k)];
    });
  }

  // Preconditioned conjugate gradients, one recurrence per column. New
  // weights are summed in the residual pass (in the pad lane) when there is
  // one, else in a pass of their own.
  const bool weights_in_residual = weights_stale_ && ld > nc;
  if (weights_stale_ && !weights_in_residual) UpdateWeightSums();
  std::vector<double> r, z(size), p(size), q;
  std::vector<double> ssq;
  Residual(cols, x, r, ssq, weights_in_residual);
  std::vector<double> rz(static_cast<size_t>(nc), 0.0), target(static_cast<size_t>(nc));
  std::vector<uint8_t> active(static_cast<size_t>(nc), 1);
  for (int64_t g = 0; g < total; ++g) {
    const double iw = inv_wsum_[static_cast<size_t>(g)];
    for (int c = 0; c < nc; ++c) {
      const size_t k = static_cast<size_t>(g * ld + c);
      z[k] = r[k] * iw;
      p[k] = z[k];
      rz[static_cast<size_t>(c)] += r[k] * z[k];
    }
  }
  int num_active = 0;
  for (int c = 0; c < nc; ++c) {
    const double tol = tols[static_cast<size_t>(c)];
    target[static_cast<size_t>(c)] = tol * tol * ssq[static_cast<size_t>(c)];
    if (rz[static_cast<size_t>(c)] <= target[static_cast<size_t>(c)])
      active[static_cast<size_t>(c)] = 0;
    num_active += active[static_cast<size_t>(c)];
  }
  std::vector<double> pq(static_cast<size_t>(ld)), step(static_cast<size_t>(nc)),
      rz_new(static_cast<size_t>(nc)), beta(static_cast<size_t>(nc));
  // Coefficient-space updates run in parallel over groups; the dot products
  // are sums over fixed chunks (BlockSums: the same for any thread count).
  double* xp = x.data();
  double* rp = r.data();
  double* zp = z.data();
  double* pp = p.data();
  const double* iwp = inv_wsum_.data();
  const int threads = CoefficientThreads(total * ld, threads_);
  while (num_active > 0 && report.iterations < max_iter) {
    MultiplyNormal(p, nc, q, pq.data());
    ++report.iterations;
    const double* qp = q.data();
    for (int c = 0; c < nc; ++c) {
      step[static_cast<size_t>(c)] =
          active[static_cast<size_t>(c)] && pq[static_cast<size_t>(c)] > 0
              ? rz[static_cast<size_t>(c)] / pq[static_cast<size_t>(c)]
              : 0.0;
    }
    const double* stp = step.data();
    const auto sums = BlockSums<16>(total, threads, [&](int64_t g, double* acc) {
      const double iw = iwp[g];
      for (int c = 0; c < nc; ++c) {
        const size_t k = static_cast<size_t>(g * ld + c);
        xp[k] += stp[c] * pp[k];
        rp[k] -= stp[c] * qp[k];
        zp[k] = rp[k] * iw;
        acc[c] += rp[k] * zp[k];
      }
    });
    std::copy(sums.begin(), sums.begin() + nc, rz_new.begin());
    num_active = 0;
    for (int c = 0; c < nc; ++c) {
      const size_t cc = static_cast<size_t>(c);
      beta[cc] = 0;
      if (!active[cc]) continue;
      // A column whose recurrence breaks down (p'Ap = 0) has no component
      // left to remove.
      if (rz_new[cc] <= target[cc] || !(pq[cc] > 0)) {
        active[cc] = 0;
        continue;
      }
      beta[cc] = rz_new[cc] / rz[cc];
      ++num_active;
    }
    if (num_active > 0) {
      const double* bp = beta.data();
      const uint8_t* ap = active.data();
#pragma omp parallel for num_threads(threads) schedule(static)
      for (int64_t g = 0; g < total; ++g) {
        for (int c = 0; c < nc; ++c) {
          if (!ap[c]) continue;
          const size_t k = static_cast<size_t>(g * ld + c);
          pp[k] = zp[k] + bp[c] * pp[k];
        }
      }
    }
    for (int c = 0; c < nc; ++c) rz[static_cast<size_t>(c)] = rz_new[static_cast<size_t>(c)];
  }
  report.converged = num_active == 0;

  // x_c <- x_c - D alpha_c (with the cross products of the results when
  // asked), and hand the coefficients back.
  const int64_t* off = offsets_.data();
  const Kernels kernels = PickKernels(nq, nc);
  double* const* xcols = cols.data();
  const size_t ncc = static_cast<size_t>(nc) * static_cast<size_t>(nc);
  std::vector<double> cross_t(cross ? static_cast<size_t>(blocks_) * ncc : 0, 0.0);
  // With the elimination, the run coefficients are the weighted run means of
  // x - D1 alpha, formed in the same pass (run r's in run_alpha[r * ld + c]).
  std::vector<double> run_alpha;
  if (eliminate_) {
    run_alpha.resize(run_code_.size() * static_cast<size_t>(ld));
    const RunPlan plan = PlanOf(solve_codes_, narrow_ptrs_, solve_offsets_, run_start_);
    const RunKernels run_kernels = PickRunKernels(plan, nc);
    ForEachBlock(blocks_, threads_, [&](int b) {
      run_kernels.subtract(plan, x.data(), xcols, nc, RunBegin(b), RunBegin(b + 1), w_,
                           cross ? cross_t.data() + static_cast<size_t>(b) * ncc : nullptr,
                           run_alpha.data());
    });
  } else {
    ForEachBlock(blocks_, threads_, [&](int b) {
      kernels.subtract(*fe_, off, x.data(), xcols, nc, RowBegin(b), RowBegin(b + 1), w_,
                       cross ? cross_t.data() + static_cast<size_t>(b) * ncc : nullptr);
    });
  }
  if (cross) {
    cross->assign(ncc, 0.0);
    for (int b = 0; b < blocks_; ++b)
      for (size_t e = 0; e < ncc; ++e) (*cross)[e] += cross_t[static_cast<size_t>(b) * ncc + e];
    FinishCross(nc, *cross);
  }
  for (int c = 0; c < nc; ++c) {
    auto& al = alphas[static_cast<size_t>(c)];
    for_each_solved([&](int64_t k, int64_t j) {
      al[static_cast<size_t>(k)] = x[static_cast<size_t>(j * ld + c)];
    });
    if (eliminate_) {
      const int64_t base = offsets_[static_cast<size_t>(run_dim_)];
      for (size_t r = 0; r < run_code_.size(); ++r) {
        al[static_cast<size_t>(base + run_code_[r])] =
            run_alpha[r * static_cast<size_t>(ld) + static_cast<size_t>(c)];
      }
    }
  }
  return report;
}

}  // namespace rebalance::econ
