// Dense LU of I - A, solves and inverse for the Leontief system.
//
// Factorisation: right-looking blocked LU with partial pivoting (the
// algorithm of LAPACK's getrf), scheduled as a small task graph over column
// blocks of width nb. Task "factor j" factorises the panel of block j (rows
// j*nb..n; Eigen's recursive panel kernel); task "update p -> j" (p < j)
// applies the row swaps of panel p to block j, solves with L_pp and
// subtracts L_ip U_pj from the rows below (one GEMM). Block j can take
// update p once panel p is factorised and updates 0..p-1 are in; panel j can
// be factorised once all j updates are in. Threads take the ready task of the
// lowest block, which gives look-ahead for free (the next panel is factorised
// while the other thread still updates the trailing blocks), and a thread
// that is descheduled by the OS (shared machine) only delays the one task it
// holds: there is no barrier per step and no spin-wait inside GEMM. Eigen's
// own OpenMP GEMM, by contrast, synchronises its threads by busy-waiting
// inside every product; on two cores shared with other jobs that made the
// 1,435 x 1,435 WIOD factorisation 5-15 times slower than one thread.
// Row swaps of later panels are applied to the columns on their left at the
// end (delayed left pivoting), and skipped for panels without interchanges;
// the factors are those of LAPACK/Eigen up to rounding (no row is swapped on
// any WIOD year: I - A is close to column diagonally dominant).
//
// Inverse: B = (I - A)^-1 = U^-1 L^-1 P. Column r of L^-1 is zero above row r,
// so a chunk of columns r0..r0+w needs the forward solve only on rows r0..n
// ((n - r0)^2 w flops); the back solve with U is full (n^2 w). In all
// 4/3 n^3 flops instead of the 2 n^3 of solving against the identity; the
// chunks are independent and run in parallel (dynamic schedule, costliest
// first).
//
// Condition estimate and transposed solves work on the factors in place:
// Eigen 3.4's lu.transpose() and lu.rcond() copy the whole decomposition
// (Transpose holds it by value), an n x n copy per transposed solve.
//
// Threads: the team of parallel.h (OMP_NUM_THREADS of them; one inside a
// parallel region or a team). Below n = 512 Eigen's own LU and solves run on
// the calling thread. The panel kernel is Eigen 3.4's
// internal::partial_lu_impl; LuFromFactors fills PartialPivLU's protected
// members, so the result is an ordinary PartialPivLU.
#include "dense_lu.h"

#include "parallel.h"

#include <algorithm>
#include <atomic>
#include <memory>
#include <thread>
#include <vector>

#include <omp.h>

namespace rebalance::io_tables::internal {
namespace {

using Eigen::Index;
using Mat = Eigen::MatrixXd;
using Lu = Eigen::PartialPivLU<Mat>;
using PanelKernel = Eigen::internal::partial_lu_impl<double, Eigen::ColMajor, int>;

// Keeps Eigen's own products on the calling thread (its OpenMP GEMM would
// otherwise start a team for every large enough product). nthreads-var is a
// per-thread setting, so other threads are not affected.
class SequentialEigen {
 public:
  SequentialEigen() : saved_(omp_get_max_threads()) { omp_set_num_threads(1); }
  ~SequentialEigen() { omp_set_num_threads(saved_); }
  SequentialEigen(const SequentialEigen&) = delete;
  SequentialEigen& operator=(const SequentialEigen&) = delete;

 private:
  int saved_;
};

// Below this order one thread is as fast (Eigen's blocked LU, solves).
constexpr Eigen::Index kParallelOrder = 512;

// Eigen keeps the factors in protected members; this fills them from ours.
class LuFromFactors : public Lu {
 public:
  LuFromFactors(Mat&& factors, const std::vector<int>& transpositions, int num_swaps,
                double l1_norm) {
    const Index n = factors.rows();
    m_lu = std::move(factors);
    m_rowsTranspositions.resize(n);
    for (Index i = 0; i < n; ++i) m_rowsTranspositions.coeffRef(i) = transpositions[i];
    m_p = m_rowsTranspositions;
    m_l1_norm = l1_norm;
    m_det_p = (num_swaps % 2) ? -1 : 1;
    m_isInitialized = true;
  }
};

// Block width: GEMMs of nb columns are efficient from about 64; wider blocks
// mean fewer panels on the critical path of the task graph but less
// parallelism in the last steps.
Index BlockWidth(Index n) {
  if (n <= 2048) return 96;
  if (n <= 6000) return 160;
  return 256;
}

// Applies transpositions t[k0..k1) to the rows of columns [c0, c1).
void SwapRows(Mat& a, const int* t, Index k0, Index k1, Index c0, Index c1) {
  for (Index j = c0; j < c1; ++j) {
    double* col = a.col(j).data();
    for (Index i = k0; i < k1; ++i) {
      const Index p = t[i];
      if (p != i) std::swap(col[i], col[p]);
    }
  }
}

class BlockedLu {
 public:
  BlockedLu(Mat& a, std::vector<int>& t) : a_(a), t_(t), n_(a.rows()), nb_(BlockWidth(n_)) {
    num_blocks_ = static_cast<int>((n_ + nb_ - 1) / nb_);
    applied_ = std::make_unique<std::atomic<int>[]>(num_blocks_);
    factored_ = std::make_unique<std::atomic<bool>[]>(num_blocks_);
    busy_ = std::make_unique<std::atomic<bool>[]>(num_blocks_);
    swaps_.assign(num_blocks_, 0);
    for (int j = 0; j < num_blocks_; ++j) {
      applied_[j].store(0);
      factored_[j].store(false);
      busy_[j].store(false);
    }
  }

  // Returns the number of row interchanges.
  int Run(int threads) {
    threads_ = threads;
    RunTeam(threads, [this](int) { Work(); });
    // Delayed left pivoting: block q's columns get the swaps of panels q+1... (none at all
    // when I - A is column diagonally dominant, as the WIOD tables).
    int total = 0;
    for (int s : swaps_) total += s;
    if (total > 0) {
      ParallelFor(num_blocks_ - 1, threads, [this](int64_t q) {
        for (int p = static_cast<int>(q) + 1; p < num_blocks_; ++p) {
          if (swaps_[p] > 0) {
            SwapRows(a_, t_.data(), Start(p), Start(p) + Width(p), Start(q), Start(q) + Width(q));
          }
        }
      });
    }
    return total;
  }

 private:
  Index Start(int j) const { return j * nb_; }
  Index Width(int j) const { return std::min(nb_, n_ - Start(j)); }

  void Factor(int j) {
    const Index k = Start(j), w = Width(j);
    int swaps = 0;
    PanelKernel::blocked_lu(n_ - k, w, &a_.coeffRef(k, k), a_.outerStride(), t_.data() + k, swaps,
                            16);
    for (Index i = k; i < k + w; ++i) t_[i] += static_cast<int>(k);
    swaps_[j] = swaps;
  }

  // Update p applied to blocks j0..j1-1 (adjacent columns, one GEMM).
  void Update(int p, int j0, int j1) {
    const Index k = Start(p), bs = Width(p), c0 = Start(j0), w = Start(j1 - 1) + Width(j1 - 1) - c0;
    if (swaps_[p] > 0) SwapRows(a_, t_.data(), k, k + bs, c0, c0 + w);
    auto u12 = a_.block(k, c0, bs, w);
    a_.block(k, k, bs, bs).triangularView<Eigen::UnitLower>().solveInPlace(u12);
    const Index below = n_ - k - bs;
    if (below > 0) {
      a_.block(k + bs, c0, below, w).noalias() -= a_.block(k + bs, k, below, bs) * u12;
    }
  }

  // One thread's loop: take the ready task of the lowest block until every
  // panel is factorised.
  void Work() {
    int idle = 0;
    while (done_.load(std::memory_order_acquire) < num_blocks_) {
      bool worked = false;
      for (int j = 0; j < num_blocks_ && !worked; ++j) {
        if (factored_[j].load(std::memory_order_acquire)) continue;
        const int p = applied_[j].load(std::memory_order_acquire);
        if (p < j && !factored_[p].load(std::memory_order_acquire)) continue;
        if (busy_[j].exchange(true, std::memory_order_acquire)) continue;
        // Re-check under the claim (another thread may have moved block j on).
        const int q = applied_[j].load(std::memory_order_relaxed);
        if (factored_[j].load(std::memory_order_relaxed)) {
          // nothing to do
        } else if (q == j) {
          Factor(j);
          factored_[j].store(true, std::memory_order_release);
          done_.fetch_add(1, std::memory_order_release);
          worked = true;
        } else if (factored_[q].load(std::memory_order_acquire)) {
          // Blocks right of j that wait for the same update join it: one wider GEMM packs
          // L_ip once. The next panel (j = q + 1) goes alone so it is factorised early.
          int j_end = j + 1;
          if (j != q + 1) {
            const int max_run = std::max(1, (num_blocks_ - j) / (2 * threads_));
            while (j_end < num_blocks_ && j_end - j < max_run &&
                   applied_[j_end].load(std::memory_order_acquire) == q) {
              if (busy_[j_end].exchange(true, std::memory_order_acquire)) break;
              if (applied_[j_end].load(std::memory_order_relaxed) != q) {
                busy_[j_end].store(false, std::memory_order_release);
                break;
              }
              ++j_end;
            }
          }
          Update(q, j, j_end);
          for (int b = j; b < j_end; ++b) {
            applied_[b].store(q + 1, std::memory_order_release);
            if (b > j) busy_[b].store(false, std::memory_order_release);
          }
          worked = true;
        }
        busy_[j].store(false, std::memory_order_release);
      }
      if (worked) {
        idle = 0;
      } else if (++idle > 64) {
        std::this_thread::yield();  // waiting for a panel; give the core away
      }
    }
  }

  Mat& a_;
  std::vector<int>& t_;
  const Index n_, nb_;
  int num_blocks_ = 0;
  int threads_ = 1;
  std::unique_ptr<std::atomic<int>[]> applied_;
  std::unique_ptr<std::atomic<bool>[]> factored_, busy_;
  std::atomic<int> done_{0};
  std::vector<int> swaps_;
};

}  // namespace

int DenseThreads() { return TeamSize(); }

Lu FactorLu(Mat m, int threads, double l1_norm) {
  const Index n = m.rows();
  if (threads <= 0) threads = DenseThreads();
  if (n < kParallelOrder) {
    SequentialEigen sequential;
    return Lu(m);
  }
  if (l1_norm < 0) l1_norm = m.cwiseAbs().colwise().sum().maxCoeff();
  std::vector<int> t(n);
  BlockedLu blocked(m, t);
  const int swaps = blocked.Run(threads);
  LuFromFactors out(std::move(m), t, swaps, l1_norm);
  return Lu(static_cast<Lu&&>(out));
}

namespace {

// lu^-T rhs straight from the factors (lu.transpose() would copy them).
template <typename Rhs>
Mat SolveTransposedNoCopy(const Lu& lu, const Rhs& rhs) {
  Mat out(rhs.rows(), rhs.cols());
  lu._solve_impl_transposed<false>(rhs, out);
  return out;
}

// What Eigen's condition estimator needs of a decomposition, by reference.
struct LuByReference {
  using MatrixType = Mat;
  using Scalar = double;
  using RealScalar = double;
  struct Transposed {
    const Lu& lu;
    Eigen::VectorXd solve(const Eigen::VectorXd& b) const { return SolveTransposedNoCopy(lu, b); }
  };
  const Lu& lu;
  Index rows() const { return lu.rows(); }
  Index cols() const { return lu.cols(); }
  Eigen::VectorXd solve(const Eigen::VectorXd& b) const { return lu.solve(b); }
  Transposed adjoint() const { return {lu}; }
};

}  // namespace

double RcondLu(const Lu& lu, double l1_norm) {
  return Eigen::internal::rcond_estimate_helper(l1_norm, LuByReference{lu});
}

Mat SolveLu(const Lu& lu, const Mat& rhs, bool transposed) {
  const Index n = lu.rows(), k = rhs.cols();
  const int threads = DenseThreads();
  // Below this much work a second thread costs more than it saves.
  if (threads == 1 || k < 8 || n < kParallelOrder) {
    SequentialEigen sequential;
    return transposed ? SolveTransposedNoCopy(lu, rhs) : Mat(lu.solve(rhs));
  }
  Mat out(n, k);
  const Index chunk = std::max<Index>(4, (k + 2 * threads - 1) / (2 * threads));
  const Index num_chunks = (k + chunk - 1) / chunk;
  ParallelFor(num_chunks, threads, [&](int64_t c) {
    const Index c0 = c * chunk, w = std::min(chunk, k - c0);
    if (transposed) {
      out.middleCols(c0, w) = SolveTransposedNoCopy(lu, rhs.middleCols(c0, w));
    } else {
      out.middleCols(c0, w) = lu.solve(rhs.middleCols(c0, w));
    }
  });
  return out;
}

Mat InverseLu(const Lu& lu) {
  const Index n = lu.rows();
  if (n < kParallelOrder) {
    SequentialEigen sequential;
    return lu.inverse();
  }
  const Mat& f = lu.matrixLU();
  // P e_c = e_{ind[c]}, so column c of B = U^-1 L^-1 P is column ind[c] of
  // W = U^-1 L^-1.
  const auto& ind = lu.permutationP().indices();
  std::vector<Index> dest(n);
  for (Index c = 0; c < n; ++c) dest[ind[c]] = c;
  Mat b(n, n);
  const Index chunk = 64;
  const Index num_chunks = (n + chunk - 1) / chunk;
  ParallelFor(num_chunks, DenseThreads(), [&](int64_t c) {
    const Index r0 = c * chunk, w = std::min(chunk, n - r0);
    Mat x = Mat::Zero(n, w);
    x.block(r0, 0, w, w).setIdentity();
    auto tail = x.bottomRows(n - r0);
    f.bottomRightCorner(n - r0, n - r0).triangularView<Eigen::UnitLower>().solveInPlace(tail);
    f.triangularView<Eigen::Upper>().solveInPlace(x);
    for (Index k = 0; k < w; ++k) b.col(dest[r0 + k]) = x.col(k);
  });
  return b;
}

}  // namespace rebalance::io_tables::internal
