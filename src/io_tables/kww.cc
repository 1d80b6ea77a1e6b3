// Koopman, Wang & Wei (2014), "Tracing Value-Added and Double Counting in
// Gross Exports", AER 104(2):459-494, eq. (36): nine terms of a country's
// gross exports E^s*.
//
// Everything is expressed through VB (the G x GN matrix of rows V^t B^t.,
// value added of country t per unit of final output of each country-sector),
// which is one transposed LU solve with G right-hand sides: no inverse. The
// local inverses L^ss = (I - A^ss)^-1 are N x N and factorised per country.
// With V B = u (columns of VB sum to one) the split E = V^s B^ss E + sum_t!=s
// V^t B^ts E holds term by term; terms 1-6 re-express V^s B^ss E^s* through
// X^r = B^r. Y and X^s = L^ss (Y^ss + E^s*), so they sum to exports exactly
// only when x = B Y (OutputBasis::kRowSums).
#include <fmt/format.h>

#include "rebalance/io_tables/accounting.h"

namespace rebalance::io_tables {

double KwwCountry::Dva() const { return terms[0] + terms[1] + terms[2] + terms[3] + terms[4]; }
double KwwCountry::Vax() const { return terms[0] + terms[1] + terms[2]; }
double KwwCountry::Fva() const { return terms[6] + terms[7]; }
double KwwCountry::Pdc() const { return terms[5] + terms[8]; }
double KwwCountry::Sum() const {
  double s = 0;
  for (double t : terms) s += t;
  return s;
}

const std::array<const char*, 9>& KwwResult::TermNames() {
  static const std::array<const char*, 9> kNames = {
      "dva_final", "dva_int_absorbed", "dva_int_reexported",
      "rdv_final", "rdv_int",          "domestic_double_counting",
      "fva_final", "fva_int",          "foreign_double_counting"};
  return kNames;
}

Result<KwwResult> ComputeKww(const LeontiefSystem& sys) {
  const int g = sys.num_countries, ns = sys.num_sectors, n = sys.size();
  // VB^T = B^T V_blk^T, column t = V restricted to country t.
  Eigen::MatrixXd vblk = Eigen::MatrixXd::Zero(n, g);
  for (int t = 0; t < g; ++t) vblk.block(t * ns, t, ns, 1) = sys.va_coef.segment(t * ns, ns);
  const Eigen::MatrixXd vb = sys.SolveTransposed(vblk).transpose();  // G x n
  const Eigen::MatrixXd e_bil = sys.BilateralExports();
  const Eigen::VectorXd e_tot = e_bil.rowwise().sum();
  // Local Leontief pieces per country: L^ss Y^ss and L^ss E^s*.
  Eigen::MatrixXd ly(ns, g), le(ns, g);
  for (int s = 0; s < g; ++s) {
    Eigen::MatrixXd local = -sys.a.block(s * ns, s * ns, ns, ns);
    local.diagonal().array() += 1.0;
    Eigen::PartialPivLU<Eigen::MatrixXd> llu(local);
    ly.col(s) = llu.solve(sys.y.block(s * ns, s, ns, 1));
    le.col(s) = llu.solve(e_tot.segment(s * ns, ns));
  }
  auto ysr = [&](int s, int r) { return sys.y.block(s * ns, r, ns, 1); };
  auto arow = [&](int s, int r) { return sys.a.block(s * ns, r * ns, ns, ns); };
  KwwResult out;
  out.countries.resize(g);
  for (int s = 0; s < g; ++s) {
    KwwCountry& k = out.countries[s];
    k.country = sys.countries[s];
    k.gross_exports = e_tot.segment(s * ns, ns).sum();
    Eigen::VectorXd final_exports = Eigen::VectorXd::Zero(ns);
    Eigen::VectorXd int_fva = Eigen::VectorXd::Zero(ns), int_fdc = Eigen::VectorXd::Zero(ns);
    for (int r = 0; r < g; ++r) {
      if (r == s) continue;
      final_exports += ysr(s, r);
      int_fva += arow(s, r) * ly.col(r);
      int_fdc += arow(s, r) * le.col(r);
      const auto vb_sr = vb.block(s, r * ns, 1, ns);  // V^s B^sr
      k.terms[1] += (vb_sr * ysr(r, r))(0, 0);
      Eigen::VectorXd third = Eigen::VectorXd::Zero(ns);
      for (int t = 0; t < g; ++t) {
        if (t != s && t != r) third += ysr(r, t);
      }
      k.terms[2] += (vb_sr * third)(0, 0);
      k.terms[3] += (vb_sr * ysr(r, s))(0, 0);
      k.terms[4] += (vb_sr * (arow(r, s) * ly.col(s)))(0, 0);
      k.terms[5] += (vb_sr * (arow(r, s) * le.col(s)))(0, 0);
    }
    const Eigen::RowVectorXd vb_ss = vb.block(s, s * ns, 1, ns);
    const Eigen::RowVectorXd fv = vb.middleCols(s * ns, ns).colwise().sum() - vb_ss;
    k.terms[0] = vb_ss * final_exports;
    k.terms[6] = fv * final_exports;
    k.terms[7] = fv * int_fva;
    k.terms[8] = fv * int_fdc;
    for (double t : k.terms) {
      if (!std::isfinite(t)) {
        return Status::NumericalError(fmt::format("KWW term for {} is not finite", k.country));
      }
    }
  }
  return out;
}

}  // namespace rebalance::io_tables
