// Accounting identities on every year of WIOD 2013 (1995-2011, 41 x 35).
// With x = row sums (OutputBasis::kRowSums) they must hold to rounding:
//   sum of value added = world final demand (GDP);
//   VA by origin embodied in final demand sums, by origin country, to its GDP;
//   domestic + foreign value added in exports = gross exports (V B = u);
//   KWW's 9 terms sum to each country's gross exports;
//   WWZ's 16 terms sum to every bilateral-sector gross export flow;
//   WWZ's foreign value added aggregated = KWW's (independent code paths:
//   dense inverse vs transposed LU solve);
//   each country's value-added balance equals its gross balance, and the
//   value-added balances of all countries sum to zero.
#include <cmath>

#include <gtest/gtest.h>

#include "rebalance/io_tables/accounting.h"

namespace rebalance::io_tables {
namespace {

const std::string kWiod = std::string(REBALANCE_DATA_DIR) + "/wiod2013_bquast";
constexpr double kRel = 1e-8;

class WiodYear : public ::testing::TestWithParam<int> {};

TEST_P(WiodYear, Identities) {
  const int year = GetParam();
  auto t = ReadWiod(kWiod, year);
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  AccountingOptions opt;
  opt.zero_output_policy = ZeroOutputPolicy::kDropInputs;
  auto sys = BuildLeontief(*t, opt);
  ASSERT_TRUE(sys.ok()) << sys.status().ToString();
  // Only 2002 has a zero-output sector with inputs (LVA_c24, one cell of 1; checked with a
  // Python csv loop); the strict default refuses it.
  if (year == 2002) {
    EXPECT_EQ(sys->dropped_input_sectors, std::vector<std::string>{"LVA_c24"});
    EXPECT_EQ(sys->dropped_input_cells, 1);
    EXPECT_EQ(sys->dropped_input_total, 1);
    EXPECT_FALSE(BuildLeontief(*t).ok());
  } else {
    EXPECT_TRUE(sys->dropped_input_sectors.empty());
  }
  const int g = sys->num_countries, n = sys->num_sectors;

  const double world_fd = t->f.sum();
  EXPECT_NEAR(sys->v.sum(), world_fd, kRel * world_fd);
  EXPECT_LT((sys->Solve(sys->y).rowwise().sum() - sys->x).cwiseAbs().maxCoeff(),
            kRel * sys->x.maxCoeff());  // X = B Y
  // With the reported output the gap is exactly the table's row discrepancy.
  EXPECT_NEAR(t->v.sum() - world_fd, t->validation.row_balance_total, 1e-6 * world_fd);

  auto tiva = ComputeTiva(*sys);
  ASSERT_TRUE(tiva.ok());
  EXPECT_NEAR(tiva->va_in_final_demand.sum(), world_fd, kRel * world_fd);
  const Eigen::VectorXd vax_by_origin = tiva->va_by_origin_destination.rowwise().sum();
  EXPECT_LT((vax_by_origin - tiva->gdp).cwiseAbs().maxCoeff(), kRel * tiva->gdp.maxCoeff());

  auto kww = ComputeKww(*sys);
  ASSERT_TRUE(kww.ok());
  Eigen::MatrixXd vblk = Eigen::MatrixXd::Zero(g * n, g);
  for (int c = 0; c < g; ++c) vblk.block(c * n, c, n, 1) = sys->va_coef.segment(c * n, n);
  const Eigen::MatrixXd vb = sys->SolveTransposed(vblk).transpose();
  const Eigen::VectorXd e_tot = sys->GrossExports();
  double va_balance_total = 0, world_exports = 0;
  for (int s = 0; s < g; ++s) {
    const KwwCountry& k = kww->countries[s];
    world_exports += k.gross_exports;
    EXPECT_NEAR(k.Sum(), k.gross_exports, kRel * k.gross_exports) << k.country;
    // Direct split: DVA = V^s B^ss E^s*, FVA = sum_t!=s V^t B^ts E^s*; they sum to E^s* and
    // equal KWW's terms 1-6 and 7-9.
    const Eigen::VectorXd e_s = e_tot.segment(s * n, n);
    const double dva = vb.row(s).segment(s * n, n).dot(e_s);
    const double fva = (vb.middleCols(s * n, n).colwise().sum() - vb.row(s).segment(s * n, n))
                           .dot(e_s.transpose());
    EXPECT_NEAR(dva + fva, k.gross_exports, kRel * k.gross_exports) << k.country;
    EXPECT_NEAR(dva, k.Dva() + k.terms[5], kRel * k.gross_exports) << k.country;
    EXPECT_NEAR(fva, k.Fva() + k.terms[8], kRel * k.gross_exports) << k.country;
    EXPECT_GT(fva, 0);
    const double va_bal =
        tiva->va_by_origin_destination.row(s).sum() - tiva->va_by_origin_destination(s, s) -
        (tiva->va_by_origin_destination.col(s).sum() - tiva->va_by_origin_destination(s, s));
    const double gross_bal = tiva->gross_exports.row(s).sum() - tiva->gross_exports.col(s).sum();
    EXPECT_NEAR(va_bal, gross_bal, kRel * k.gross_exports) << k.country;
    va_balance_total += va_bal;
  }
  EXPECT_NEAR(va_balance_total, 0.0, kRel * world_exports);

  auto wwz = ComputeWwz(*sys);
  ASSERT_TRUE(wwz.ok());
  const Eigen::MatrixXd e_bil = sys->BilateralExports();
  double worst = 0;
  for (int s = 0; s < g; ++s) {
    double fva = 0;
    for (int r = 0; r < g; ++r) {
      if (r == s) continue;
      for (int i = 0; i < n; ++i) {
        const int row = wwz->Row(s, r, i);
        const double e = e_bil(s * n + i, r);
        const double sum = wwz->terms.row(row).sum();
        worst = std::max(worst, std::abs(sum - e) / std::max(std::abs(e), 1.0));
        fva +=
            wwz->terms(row, 10) + wwz->terms(row, 11) + wwz->terms(row, 13) + wwz->terms(row, 14);
      }
    }
    const KwwCountry& k = kww->countries[s];
    EXPECT_NEAR(fva, k.Fva(), kRel * k.gross_exports) << k.country;
  }
  EXPECT_LT(worst, kRel) << "WWZ terms vs bilateral-sector exports, worst relative error";
}

INSTANTIATE_TEST_SUITE_P(AllYears, WiodYear, ::testing::Range(1995, 2012));

}  // namespace
}  // namespace rebalance::io_tables
