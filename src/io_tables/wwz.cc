// Wang, Wei & Zhu (2013), "Quantifying International Production Sharing at
// the Bilateral and Sector Levels", NBER WP 19677, eq. (37): the 16 terms of
// bilateral gross exports E^sr at the level of the exporting sector.
//
// Structure used (our own derivation of an efficient evaluation, not the
// paper's code): the domestic value added of s routed through r's
// intermediates, (V^s L^ss)' # A^sr X^r, is split by where the output
// X^r = sum_t sum_u B^rt Y^tu ends up (terms T2..T9 are the eight cells of
// the t in {r, s, other} x u in {r, s, t, other} partition). For a fixed
// importer r all products H(t,u) = B^rt Y^tu are formed once (G small
// N x N x G GEMMs), and each (s, r) pair then needs only sums and
// differences of H columns plus one N x N x 8 product with A^sr: O(G^3 N^2)
// in all after the dense inverse. The inverse B = (I - A)^-1 is the only
// n^3 step; it is computed from the LU factors (4/3 n^3, dense_lu.cc), in
// column chunks in parallel. The importer loop is spread over the team
// (parallel.h; each r writes its own rows).
//
// The terms add up to E^sr exactly when x = B Y and X^r = L^rr (Y^rr +
// E^r*), i.e. with OutputBasis::kRowSums; this is tested on every WIOD year.
#include <atomic>

#include <fmt/format.h>

#include "parallel.h"
#include "rebalance/io_tables/accounting.h"

namespace rebalance::io_tables {

const std::array<const char*, 16>& WwzResult::TermNames() {
  static const std::array<const char*, 16> kNames = {
      "DVA_FIN",  "DVA_INT", "DVA_INTrexI1", "DVA_INTrexF", "DVA_INTrexI2", "RDV_FIN",
      "RDV_FIN2", "RDV_INT", "DDC_FIN",      "DDC_INT",     "MVA_FIN",      "MVA_INT",
      "MDC",      "OVA_FIN", "OVA_INT",      "ODC"};
  return kNames;
}

Result<WwzResult> ComputeWwz(const LeontiefSystem& sys) {
  const int g = sys.num_countries, ns = sys.num_sectors, n = sys.size();
  WwzResult out;
  out.num_countries = g;
  out.num_sectors = ns;
  out.countries = sys.countries;
  out.sectors = sys.sectors;
  out.terms = Eigen::MatrixXd::Zero(static_cast<Eigen::Index>(g) * g * ns, 16);
  out.exports = Eigen::VectorXd::Zero(static_cast<Eigen::Index>(g) * g * ns);

  const Eigen::MatrixXd b = sys.Inverse();
  // VB (G x n): row t = V^t B^t. ; vb_col_sum = u V B = 1 (up to rounding).
  Eigen::MatrixXd vb(g, n);
  for (int t = 0; t < g; ++t) {
    vb.row(t) = sys.va_coef.segment(t * ns, ns).transpose() * b.middleRows(t * ns, ns);
  }
  const Eigen::RowVectorXd vb_col_sum = vb.colwise().sum();
  const Eigen::MatrixXd e_bil = sys.BilateralExports();
  const Eigen::VectorXd e_tot = e_bil.rowwise().sum();
  // Local inverses: V^s L^ss, L^rr Y^rr, L^rr E^r*.
  Eigen::MatrixXd vl(ns, g), ly(ns, g), le(ns, g);
  for (int s = 0; s < g; ++s) {
    Eigen::MatrixXd local = -sys.a.block(s * ns, s * ns, ns, ns);
    local.diagonal().array() += 1.0;
    Eigen::PartialPivLU<Eigen::MatrixXd> llu(local);
    vl.col(s) = llu.transpose().solve(Eigen::VectorXd(sys.va_coef.segment(s * ns, ns)));
    ly.col(s) = llu.solve(Eigen::VectorXd(sys.y.block(s * ns, s, ns, 1)));
    le.col(s) = llu.solve(Eigen::VectorXd(e_tot.segment(s * ns, ns)));
  }

  std::atomic<bool> finite{true};
  internal::ParallelFor(g, internal::TeamSize(), [&](int64_t task) {
    const int r = static_cast<int>(task);
    // h.col(t * g + u) = B^rt Y^tu.
    Eigen::MatrixXd h(ns, static_cast<Eigen::Index>(g) * g);
    for (int t = 0; t < g; ++t) {
      h.middleCols(static_cast<Eigen::Index>(t) * g, g).noalias() =
          b.block(r * ns, t * ns, ns, ns) * sys.y.middleRows(t * ns, ns);
    }
    auto H = [&](int t, int u) { return h.col(static_cast<Eigen::Index>(t) * g + u); };
    Eigen::MatrixXd hu(ns, g);                             // column t = B^rt Y^t*
    Eigen::MatrixXd col_s = Eigen::MatrixXd::Zero(ns, g);  // column u = sum_t B^rt Y^tu
    Eigen::VectorXd s_diag = Eigen::VectorXd::Zero(ns);
    for (int t = 0; t < g; ++t) {
      hu.col(t) = h.middleCols(static_cast<Eigen::Index>(t) * g, g).rowwise().sum();
      col_s += h.middleCols(static_cast<Eigen::Index>(t) * g, g);
      s_diag += H(t, t);
    }
    const Eigen::VectorXd s_hu = hu.rowwise().sum();
    const Eigen::VectorXd x_r = sys.x.segment(r * ns, ns);
    Eigen::MatrixXd zm(ns, 11), az(ns, 11);
    for (int s = 0; s < g; ++s) {
      if (s == r) continue;
      const auto a_sr = sys.a.block(s * ns, r * ns, ns, ns);
      zm.col(0) = H(r, r);                        // T2
      zm.col(1) = s_diag - H(s, s) - H(r, r);     // T3
      zm.col(2) = hu.col(r) - H(r, s) - H(r, r);  // T4
      zm.col(3) = (s_hu - hu.col(s) - hu.col(r)) - (col_s.col(s) - H(s, s) - H(r, s)) -
                  (s_diag - H(s, s) - H(r, r));      // T5
      zm.col(4) = H(r, s);                           // T6
      zm.col(5) = col_s.col(s) - H(s, s) - H(r, s);  // T7
      zm.col(6) = H(s, s);                           // T8
      zm.col(7) = hu.col(s) - H(s, s);               // T9
      zm.col(8) = x_r;                               // T10, exports
      zm.col(9) = ly.col(r);                         // T12, T15
      zm.col(10) = le.col(r);                        // T13, T16
      az.noalias() = a_sr * zm;
      const auto y_sr = sys.y.block(s * ns, r, ns, 1);
      const Eigen::VectorXd vb_ss = vb.block(s, s * ns, 1, ns).transpose();
      const Eigen::VectorXd vb_rs = vb.block(r, s * ns, 1, ns).transpose();
      const Eigen::VectorXd vb_other = vb_col_sum.segment(s * ns, ns).transpose() - vb_ss - vb_rs;
      const Eigen::Index row0 = out.Row(s, r, 0);
      auto term = [&](int k) { return out.terms.block(row0, k, ns, 1); };
      term(0) = vb_ss.cwiseProduct(y_sr);
      for (int k = 1; k <= 8; ++k) term(k) = vl.col(s).cwiseProduct(az.col(k - 1));
      term(9) = (vb_ss - vl.col(s)).cwiseProduct(az.col(8));
      term(10) = vb_rs.cwiseProduct(y_sr);
      term(11) = vb_rs.cwiseProduct(az.col(9));
      term(12) = vb_rs.cwiseProduct(az.col(10));
      term(13) = vb_other.cwiseProduct(y_sr);
      term(14) = vb_other.cwiseProduct(az.col(9));
      term(15) = vb_other.cwiseProduct(az.col(10));
      out.exports.segment(row0, ns) = y_sr + az.col(8);
      if (!out.terms.middleRows(row0, ns).allFinite()) finite = false;
    }
  });
  if (!finite) return Status::NumericalError("WWZ decomposition produced non-finite terms");
  return out;
}

}  // namespace rebalance::io_tables
