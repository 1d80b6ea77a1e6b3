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
// interleaved by column; a pass runs over observations with OpenMP and
// per-thread group accumulators (no atomics), summed afterwards. The state is
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
// memory is two n-free vectors per column plus one accumulator per thread.
#include "demean.h"

#include <algorithm>
#include <cmath>

#include <omp.h>

namespace rebalance::econ {

Demeaner::Demeaner(const FixedEffects* fe, int threads, Reducer* reducer)
    : fe_(fe),
      threads_(threads > 0 ? threads : omp_get_max_threads()),
      reducer_(reducer ? reducer : &LocalReducer()) {
  offsets_.assign(static_cast<size_t>(fe_->num_dims()) + 1, 0);
  for (int q = 0; q < fe_->num_dims(); ++q) {
    offsets_[static_cast<size_t>(q) + 1] =
        offsets_[static_cast<size_t>(q)] + fe_->num_groups[q];
  }
  thread_acc_.resize(static_cast<size_t>(threads_));
}

void Demeaner::SetWeights(const double* w) {
  w_ = w;
  const int64_t total = offsets_.back();
  inv_wsum_.assign(static_cast<size_t>(total), 0.0);
  const int64_t n = fe_->num_obs;
  for (int q = 0; q < fe_->num_dims(); ++q) {
    double* s = inv_wsum_.data() + offsets_[static_cast<size_t>(q)];
    const int32_t* code = fe_->codes[q].data();
    for (int64_t i = 0; i < n; ++i) s[code[i]] += w ? w[i] : 1.0;
  }
  reducer_->SumDoubles(inv_wsum_.data(), total);
  for (double& s : inv_wsum_) s = s > 0 ? 1.0 / s : 0.0;
}

void Demeaner::ReduceThreads(int64_t size, std::vector<double>& out) const {
  out.resize(static_cast<size_t>(size));
  const int nt = static_cast<int>(thread_acc_.size());
#pragma omp parallel for num_threads(threads_) schedule(static)
  for (int64_t k = 0; k < size; ++k) {
    double s = 0;
    for (int t = 0; t < nt; ++t) {
      const auto& acc = thread_acc_[static_cast<size_t>(t)];
      if (!acc.empty()) s += acc[static_cast<size_t>(k)];
    }
    out[static_cast<size_t>(k)] = s;
  }
}

namespace {

// acc += D' W D p over observations [begin, end) (the hot loop of every CG
// iteration). kNc > 0 fixes the number of columns at compile time so the
// column loops unroll; kNc == 0 handles any count up to 16.
template <int kNc>
void AccumulateNormal(const FixedEffects& fe, const int64_t* off, const double* w,
                      const double* p, int nc_dynamic, int64_t begin, int64_t end,
                      double* acc) {
  const int nc = kNc > 0 ? kNc : nc_dynamic;
  const int nq = fe.num_dims();
  const int32_t* codes[8];
  for (int q = 0; q < nq && q < 8; ++q) codes[q] = fe.codes[q].data();
  double s[16];
  for (int64_t i = begin; i < end; ++i) {
    for (int c = 0; c < nc; ++c) s[c] = 0;
    for (int q = 0; q < nq; ++q) {
      const int32_t g = q < 8 ? codes[q][i] : fe.codes[q][static_cast<size_t>(i)];
      const double* pq = p + (off[q] + g) * nc;
      for (int c = 0; c < nc; ++c) s[c] += pq[c];
    }
    const double wi = w ? w[i] : 1.0;
    for (int c = 0; c < nc; ++c) s[c] *= wi;
    for (int q = 0; q < nq; ++q) {
      const int32_t g = q < 8 ? codes[q][i] : fe.codes[q][static_cast<size_t>(i)];
      double* dst = acc + (off[q] + g) * nc;
      for (int c = 0; c < nc; ++c) dst[c] += s[c];
    }
  }
}

}  // namespace

void Demeaner::MultiplyNormal(const std::vector<double>& p, int nc,
                              std::vector<double>& out) const {
  const int64_t n = fe_->num_obs;
  const int64_t size = offsets_.back() * nc;
  const int64_t* off = offsets_.data();
#pragma omp parallel num_threads(threads_)
  {
    const int tid = omp_get_thread_num();
    const int nt = omp_get_num_threads();
    auto& acc = thread_acc_[static_cast<size_t>(tid)];
    acc.assign(static_cast<size_t>(size), 0.0);
    const int64_t begin = n * tid / nt, end = n * (tid + 1) / nt;
    switch (nc) {
      case 1: AccumulateNormal<1>(*fe_, off, w_, p.data(), nc, begin, end, acc.data()); break;
      case 2: AccumulateNormal<2>(*fe_, off, w_, p.data(), nc, begin, end, acc.data()); break;
      case 3: AccumulateNormal<3>(*fe_, off, w_, p.data(), nc, begin, end, acc.data()); break;
      case 4: AccumulateNormal<4>(*fe_, off, w_, p.data(), nc, begin, end, acc.data()); break;
      default: AccumulateNormal<0>(*fe_, off, w_, p.data(), nc, begin, end, acc.data()); break;
    }
  }
  ReduceThreads(size, out);
  for (auto& acc : thread_acc_) acc.clear();  // keep capacity only
  reducer_->SumDoubles(out.data(), size);
}

void Demeaner::Residual(const std::vector<double*>& cols,
                        const std::vector<double>& alpha,
                        std::vector<double>& out,
                        std::vector<double>& ssq) const {
  const int nc = static_cast<int>(cols.size());
  const int64_t n = fe_->num_obs;
  const int nq = fe_->num_dims();
  const int64_t size = offsets_.back() * nc;
  const int64_t* off = offsets_.data();
  ssq.assign(static_cast<size_t>(nc), 0.0);
  std::vector<std::vector<double>> ssq_t(static_cast<size_t>(threads_),
                                         std::vector<double>(static_cast<size_t>(nc), 0.0));
#pragma omp parallel num_threads(threads_)
  {
    const int tid = omp_get_thread_num();
    auto& acc = thread_acc_[static_cast<size_t>(tid)];
    auto& my_ssq = ssq_t[static_cast<size_t>(tid)];
    acc.assign(static_cast<size_t>(size), 0.0);
    double s[16];
#pragma omp for schedule(static)
    for (int64_t i = 0; i < n; ++i) {
      const double wi = w_ ? w_[i] : 1.0;
      for (int c = 0; c < nc; ++c) {
        const double xi = cols[static_cast<size_t>(c)][i];
        s[c] = xi;
        my_ssq[static_cast<size_t>(c)] += wi * xi * xi;
      }
      for (int q = 0; q < nq; ++q) {
        const double* aq = alpha.data() + (off[q] + fe_->codes[q][static_cast<size_t>(i)]) * nc;
        for (int c = 0; c < nc; ++c) s[c] -= aq[c];
      }
      for (int c = 0; c < nc; ++c) s[c] *= wi;
      for (int q = 0; q < nq; ++q) {
        double* dst = acc.data() + (off[q] + fe_->codes[q][static_cast<size_t>(i)]) * nc;
        for (int c = 0; c < nc; ++c) dst[c] += s[c];
      }
    }
  }
  ReduceThreads(size, out);
  for (auto& acc : thread_acc_) acc.clear();
  for (const auto& t : ssq_t)
    for (int c = 0; c < nc; ++c) ssq[static_cast<size_t>(c)] += t[static_cast<size_t>(c)];
  reducer_->SumDoubles(out.data(), size);
  reducer_->SumDoubles(ssq.data(), nc);
}

DemeanReport Demeaner::Demean(const std::vector<double*>& cols,
                              std::vector<std::vector<double>>& alphas,
                              double tol, int max_iter) {
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
      const DemeanReport r = Demean(part, part_alpha, tol, max_iter);
      for (size_t c = start; c < end; ++c) alphas[c] = std::move(part_alpha[c - start]);
      report.iterations = std::max(report.iterations, r.iterations);
      report.converged = report.converged && r.converged;
    }
    return report;
  }
  const int nc = static_cast<int>(cols.size());
  const int nq = fe_->num_dims();
  const int64_t total = offsets_.back();
  if (nc == 0 || nq == 0) return report;
  alphas.resize(static_cast<size_t>(nc));
  const size_t size = static_cast<size_t>(total * nc);

  // Interleaved coefficients, starting point from `alphas`.
  std::vector<double> x(size, 0.0);
  for (int c = 0; c < nc; ++c) {
    auto& al = alphas[static_cast<size_t>(c)];
    if (static_cast<int64_t>(al.size()) != total) al.assign(static_cast<size_t>(total), 0.0);
    for (int64_t k = 0; k < total; ++k) x[static_cast<size_t>(k * nc + c)] = al[static_cast<size_t>(k)];
  }

  // Preconditioned conjugate gradients, one recurrence per column.
  std::vector<double> r, z(size), p(size), q;
  std::vector<double> ssq;
  Residual(cols, x, r, ssq);
  std::vector<double> rz(static_cast<size_t>(nc), 0.0), target(static_cast<size_t>(nc));
  std::vector<uint8_t> active(static_cast<size_t>(nc), 1);
  for (int64_t g = 0; g < total; ++g) {
    const double iw = inv_wsum_[static_cast<size_t>(g)];
    for (int c = 0; c < nc; ++c) {
      const size_t k = static_cast<size_t>(g * nc + c);
      z[k] = r[k] * iw;
      p[k] = z[k];
      rz[static_cast<size_t>(c)] += r[k] * z[k];
    }
  }
  int num_active = 0;
  for (int c = 0; c < nc; ++c) {
    target[static_cast<size_t>(c)] = tol * tol * ssq[static_cast<size_t>(c)];
    if (rz[static_cast<size_t>(c)] <= target[static_cast<size_t>(c)]) active[static_cast<size_t>(c)] = 0;
    num_active += active[static_cast<size_t>(c)];
  }
  std::vector<double> pq(static_cast<size_t>(nc)), step(static_cast<size_t>(nc)),
      rz_new(static_cast<size_t>(nc));
  while (num_active > 0 && report.iterations < max_iter) {
    MultiplyNormal(p, nc, q);
    ++report.iterations;
    std::fill(pq.begin(), pq.end(), 0.0);
    for (int64_t g = 0; g < total; ++g) {
      for (int c = 0; c < nc; ++c) {
        const size_t k = static_cast<size_t>(g * nc + c);
        pq[static_cast<size_t>(c)] += p[k] * q[k];
      }
    }
    for (int c = 0; c < nc; ++c) {
      step[static_cast<size_t>(c)] =
          active[static_cast<size_t>(c)] && pq[static_cast<size_t>(c)] > 0
              ? rz[static_cast<size_t>(c)] / pq[static_cast<size_t>(c)]
              : 0.0;
    }
    std::fill(rz_new.begin(), rz_new.end(), 0.0);
    for (int64_t g = 0; g < total; ++g) {
      const double iw = inv_wsum_[static_cast<size_t>(g)];
      for (int c = 0; c < nc; ++c) {
        const size_t k = static_cast<size_t>(g * nc + c);
        x[k] += step[static_cast<size_t>(c)] * p[k];
        r[k] -= step[static_cast<size_t>(c)] * q[k];
        z[k] = r[k] * iw;
        rz_new[static_cast<size_t>(c)] += r[k] * z[k];
      }
    }
    num_active = 0;
    for (int c = 0; c < nc; ++c) {
      const size_t cc = static_cast<size_t>(c);
      if (!active[cc]) continue;
      // A column whose recurrence breaks down (p'Ap = 0) has no component
      // left to remove.
      if (rz_new[cc] <= target[cc] || !(pq[cc] > 0)) {
        active[cc] = 0;
        continue;
      }
      ++num_active;
    }
    for (int c = 0; c < nc; ++c) {
      const size_t cc = static_cast<size_t>(c);
      if (!active[cc]) continue;
      const double beta = rz_new[cc] / rz[cc];
      for (int64_t g = 0; g < total; ++g) {
        const size_t k = static_cast<size_t>(g * nc + c);
        p[k] = z[k] + beta * p[k];
      }
    }
    for (int c = 0; c < nc; ++c) rz[static_cast<size_t>(c)] = rz_new[static_cast<size_t>(c)];
  }
  report.converged = num_active == 0;

  // x_c <- x_c - D alpha_c, and hand the coefficients back.
  const int64_t n = fe_->num_obs;
  const int64_t* off = offsets_.data();
#pragma omp parallel for num_threads(threads_) schedule(static)
  for (int64_t i = 0; i < n; ++i) {
    double s[16];
    for (int c = 0; c < nc; ++c) s[c] = 0;
    for (int p2 = 0; p2 < nq; ++p2) {
      const double* ap = x.data() + (off[p2] + fe_->codes[p2][static_cast<size_t>(i)]) * nc;
      for (int c = 0; c < nc; ++c) s[c] += ap[c];
    }
    for (int c = 0; c < nc; ++c) cols[static_cast<size_t>(c)][i] -= s[c];
  }
  for (int c = 0; c < nc; ++c) {
    auto& al = alphas[static_cast<size_t>(c)];
    for (int64_t k = 0; k < total; ++k) al[static_cast<size_t>(k)] = x[static_cast<size_t>(k * nc + c)];
  }
  return report;
}

}  // namespace rebalance::econ
