// Leontief, TiVA, KWW and WWZ on small tables: decompr's leather table
// (published number), dense-inverse oracles written straight from the papers'
// formulas (slow, obvious), and bad input.
#include "rebalance/io_tables/accounting.h"

#include <random>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace rebalance::io_tables {
namespace {

using Eigen::MatrixXd;
using Eigen::VectorXd;
using ::testing::HasSubstr;

const std::string kLeather =
    std::string(REBALANCE_DATA_DIR) + "/decompr_leather_example/leather_icio.csv";

// Random G x N table with two final-demand categories; x = row sums.
IoTable RandomTable(int g, int n, unsigned seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<double> u(0.0, 1.0);
  const int m = g * n;
  MatrixXd z(m, m), f(m, 2 * g);
  for (int i = 0; i < m; ++i) {
    for (int j = 0; j < m; ++j) z(i, j) = (i / n == j / n ? 20.0 : 3.0) * u(rng);
    for (int j = 0; j < 2 * g; ++j) f(i, j) = (i / n == j / 2 ? 60.0 : 6.0) * u(rng);
  }
  std::vector<std::string> c, s;
  for (int k = 0; k < g; ++k) c.push_back("C" + std::to_string(k));
  for (int k = 0; k < n; ++k) s.push_back("s" + std::to_string(k));
  VectorXd x = z.rowwise().sum() + f.rowwise().sum();
  auto t = IoTable::FromMatrices(c, s, {"cons", "inv"}, z, f, x, 2000, "<random>");
  EXPECT_TRUE(t.ok());
  return *t;
}

TEST(Leontief, DecomprLeatherElement) {
  // decompr's leather example: element (1,1) of diag(v/x) L diag(e) = 28.52278, the value added
  // of Argentina's agriculture embodied in its own agricultural exports (e = intermediate and
  // final sales outside Argentina).
  auto t = ReadDecompr(kLeather);
  ASSERT_TRUE(t.ok());
  auto sys = BuildLeontief(*t);
  ASSERT_TRUE(sys.ok()) << sys.status().ToString();
  const VectorXd e = sys->GrossExports();
  // (L diag(e))_{11} = L_11 e_1: one transposed solve gives row 1 of L.
  VectorXd unit = VectorXd::Zero(9);
  unit[0] = 1;
  const VectorXd l_row1 = sys->SolveTransposed(unit);
  const double element = sys->va_coef[0] * l_row1[0] * e[0];
  EXPECT_NEAR(element, 28.52278, 5e-6);
  // e_1 by hand: Argentina agriculture's sales to Turkey and Germany.
  EXPECT_NEAR(e[0], 3.2 + 4.3 + 0.4 + 3.1 + 2.8 + 4.9 + 6.1 + 8.4, 1e-12);
}

TEST(Leontief, DenseInverseEqualsLuPath) {
  for (auto [g, n] : {std::pair{3, 3}, std::pair{4, 5}}) {
    IoTable t = RandomTable(g, n, 7u + g);
    auto sys = BuildLeontief(t);
    ASSERT_TRUE(sys.ok());
    const MatrixXd b = sys->Inverse();
    MatrixXd i_minus_a = -sys->a;
    i_minus_a.diagonal().array() += 1;
    EXPECT_LT((b * i_minus_a - MatrixXd::Identity(g * n, g * n)).cwiseAbs().maxCoeff(), 1e-12);
    const MatrixXd by_lu = sys->Solve(sys->y), by_inv = b * sys->y;
    EXPECT_LT((by_lu - by_inv).cwiseAbs().maxCoeff(), 1e-10 * by_inv.cwiseAbs().maxCoeff());
    // X = B Y (row-sum basis).
    EXPECT_LT((by_lu.rowwise().sum() - sys->x).cwiseAbs().maxCoeff(), 1e-10 * sys->x.maxCoeff());
    auto tiva = ComputeTiva(*sys);
    ASSERT_TRUE(tiva.ok());
    const MatrixXd va_inv = sys->va_coef.asDiagonal() * by_inv;
    EXPECT_LT((tiva->va_in_final_demand - va_inv).cwiseAbs().maxCoeff(),
              1e-10 * va_inv.cwiseAbs().maxCoeff());
  }
}

TEST(Leontief, ZeroOutputWithUseIsAnError) {
  IoTable t = RandomTable(2, 2, 3u);
  t.x[3] = 0;  // reported zero output, but column 3 of Z is positive
  t.v = t.x - t.z.colwise().sum().transpose();
  AccountingOptions opt;
  opt.output_basis = OutputBasis::kReported;
  auto sys = BuildLeontief(t, opt);
  ASSERT_FALSE(sys.ok());
  EXPECT_THAT(sys.status().message(), HasSubstr("1 sectors have zero output but positive"));
  EXPECT_THAT(sys.status().message(), HasSubstr("C1_s1"));
}

TEST(Leontief, ZeroOutputWithoutUseIsInactive) {
  IoTable t = RandomTable(2, 2, 5u);
  t.z.row(3).setZero();
  t.z.col(3).setZero();
  t.f.row(3).setZero();
  t.x = t.RowSums();
  t.v = t.x - t.z.colwise().sum().transpose();
  auto sys = BuildLeontief(t);
  ASSERT_TRUE(sys.ok()) << sys.status().ToString();
  EXPECT_EQ(sys->zero_output_sectors, 1);
  EXPECT_EQ(sys->va_coef[3], 1);  // 0/0 resolved to the limit of a sector without inputs
  auto tiva = ComputeTiva(*sys);
  ASSERT_TRUE(tiva.ok());
  EXPECT_TRUE(tiva->va_in_final_demand.allFinite());
  EXPECT_NEAR(tiva->va_in_final_demand.sum(), t.f.sum(), 1e-12 * t.f.sum());
}

TEST(Leontief, SalesOfAZeroOutputSectorKeepIdentities) {
  // As WIOD's LUX_c5 in 1996: no output, no inputs, +1 final sales abroad and -1 inventories at
  // home. V = 1 for that sector keeps "value added in exports = exports" exact.
  IoTable t = RandomTable(2, 2, 5u);
  t.z.row(3).setZero();
  t.z.col(3).setZero();
  t.f.row(3).setZero();
  t.f(3, 0) = 1;   // C1_s1 -> C0 cons (export)
  t.f(3, 3) = -1;  // C1_s1 -> C1 inv (home inventories)
  t.x = t.RowSums();
  t.v = t.x - t.z.colwise().sum().transpose();
  ASSERT_EQ(t.x[3], 0);
  auto sys = BuildLeontief(t);
  ASSERT_TRUE(sys.ok()) << sys.status().ToString();
  auto kww = ComputeKww(*sys);
  ASSERT_TRUE(kww.ok());
  for (const auto& k : kww->countries) {
    EXPECT_NEAR(k.Sum(), k.gross_exports, 1e-12 * k.gross_exports) << k.country;
  }
  // Negative row sum (inventories) without inputs is accepted and counted.
  t.f(3, 3) = -3;
  t.x = t.RowSums();
  t.x[3] = 0;  // reported output 0, row sum -2 (as LUX_c5 in WIOD 1995)
  t.v = t.x - t.z.colwise().sum().transpose();
  sys = BuildLeontief(t);
  ASSERT_TRUE(sys.ok()) << sys.status().ToString();
  EXPECT_EQ(sys->negative_output_sectors, 1);
  kww = ComputeKww(*sys);
  ASSERT_TRUE(kww.ok());
  for (const auto& k : kww->countries) {
    EXPECT_NEAR(k.Sum(), k.gross_exports, 1e-12 * std::abs(k.gross_exports)) << k.country;
  }
}

// KWW eq. (36) evaluated literally with the dense inverse.
std::array<double, 9> KwwOracle(const LeontiefSystem& sys, int s) {
  const int g = sys.num_countries, n = sys.num_sectors;
  const MatrixXd b = sys.Inverse();
  auto B = [&](int p, int q) { return b.block(p * n, q * n, n, n); };
  auto A = [&](int p, int q) { return sys.a.block(p * n, q * n, n, n); };
  auto Y = [&](int p, int q) { return VectorXd(sys.y.block(p * n, q, n, 1)); };
  auto V = [&](int p) { return Eigen::RowVectorXd(sys.va_coef.segment(p * n, n).transpose()); };
  auto L = [&](int p) {
    MatrixXd m = MatrixXd::Identity(n, n) - A(p, p);
    return MatrixXd(m.inverse());
  };
  auto Etot = [&](int p) {
    VectorXd e = VectorXd::Zero(n);
    for (int q = 0; q < g; ++q) {
      if (q != p) e += A(p, q) * sys.x.segment(q * n, n) + Y(p, q);
    }
    return e;
  };
  std::array<double, 9> t{};
  for (int r = 0; r < g; ++r) {
    if (r == s) continue;
    t[0] += V(s) * B(s, s) * Y(s, r);
    t[1] += V(s) * B(s, r) * Y(r, r);
    for (int u = 0; u < g; ++u) {
      if (u != s && u != r) t[2] += V(s) * B(s, r) * Y(r, u);
    }
    t[3] += V(s) * B(s, r) * Y(r, s);
    t[4] += V(s) * B(s, r) * A(r, s) * L(s) * Y(s, s);
    t[5] += V(s) * B(s, r) * A(r, s) * L(s) * Etot(s);
    for (int u = 0; u < g; ++u) {
      if (u == s) continue;
      t[6] += V(u) * B(u, s) * Y(s, r);
      t[7] += V(u) * B(u, s) * A(s, r) * L(r) * Y(r, r);
      t[8] += V(u) * B(u, s) * A(s, r) * L(r) * Etot(r);
    }
  }
  return t;
}

TEST(Kww, MatchesLiteralFormulaAndSumsToExports) {
  IoTable t = RandomTable(4, 3, 11u);
  auto sys = BuildLeontief(t);
  ASSERT_TRUE(sys.ok());
  auto kww = ComputeKww(*sys);
  ASSERT_TRUE(kww.ok()) << kww.status().ToString();
  for (int s = 0; s < 4; ++s) {
    const auto oracle = KwwOracle(*sys, s);
    const KwwCountry& k = kww->countries[s];
    for (int j = 0; j < 9; ++j) {
      EXPECT_NEAR(k.terms[j], oracle[j], 1e-10 * k.gross_exports) << "s=" << s << " term " << j + 1;
    }
    EXPECT_NEAR(k.Sum(), k.gross_exports, 1e-10 * k.gross_exports);
  }
}

// WWZ eq. (37) evaluated literally (explicit sums over t and u) with the dense inverse.
MatrixXd WwzOracle(const LeontiefSystem& sys, int s, int r) {
  const int g = sys.num_countries, n = sys.num_sectors;
  const MatrixXd b = sys.Inverse();
  auto B = [&](int p, int q) { return MatrixXd(b.block(p * n, q * n, n, n)); };
  auto A = [&](int p, int q) { return MatrixXd(sys.a.block(p * n, q * n, n, n)); };
  auto Y = [&](int p, int q) { return VectorXd(sys.y.block(p * n, q, n, 1)); };
  auto V = [&](int p) { return VectorXd(sys.va_coef.segment(p * n, n)); };
  auto L = [&](int p) { return MatrixXd((MatrixXd::Identity(n, n) - A(p, p)).inverse()); };
  auto X = [&](int p) { return VectorXd(sys.x.segment(p * n, n)); };
  auto Etot = [&](int p) {
    VectorXd e = VectorXd::Zero(n);
    for (int q = 0; q < g; ++q) {
      if (q != p) e += A(p, q) * X(q) + Y(p, q);
    }
    return e;
  };
  const VectorXd vl = (V(s).transpose() * L(s)).transpose();
  const VectorXd vb_ss = (V(s).transpose() * B(s, s)).transpose();
  const VectorXd vb_rs = (V(r).transpose() * B(r, s)).transpose();
  VectorXd vb_o = VectorXd::Zero(n);
  for (int t = 0; t < g; ++t) {
    if (t != s && t != r) vb_o += (V(t).transpose() * B(t, s)).transpose();
  }
  VectorXd z3 = VectorXd::Zero(n), z4 = z3, z5 = z3, z7 = z3, z9 = z3;
  for (int t = 0; t < g; ++t) {
    if (t != s && t != r) {
      z3 += B(r, t) * Y(t, t);
      z4 += B(r, r) * Y(r, t);
      z7 += B(r, t) * Y(t, s);
      for (int u = 0; u < g; ++u) {
        if (u != s && u != t) z5 += B(r, t) * Y(t, u);
      }
    }
    if (t != s) z9 += B(r, s) * Y(s, t);
  }
  MatrixXd out(n, 16);
  out.col(0) = vb_ss.cwiseProduct(Y(s, r));
  out.col(1) = vl.cwiseProduct(A(s, r) * B(r, r) * Y(r, r));
  out.col(2) = vl.cwiseProduct(A(s, r) * z3);
  out.col(3) = vl.cwiseProduct(A(s, r) * z4);
  out.col(4) = vl.cwiseProduct(A(s, r) * z5);
  out.col(5) = vl.cwiseProduct(A(s, r) * B(r, r) * Y(r, s));
  out.col(6) = vl.cwiseProduct(A(s, r) * z7);
  out.col(7) = vl.cwiseProduct(A(s, r) * B(r, s) * Y(s, s));
  out.col(8) = vl.cwiseProduct(A(s, r) * z9);
  out.col(9) = (vb_ss - vl).cwiseProduct(A(s, r) * X(r));
  out.col(10) = vb_rs.cwiseProduct(Y(s, r));
  out.col(11) = vb_rs.cwiseProduct(A(s, r) * L(r) * Y(r, r));
  out.col(12) = vb_rs.cwiseProduct(A(s, r) * L(r) * Etot(r));
  out.col(13) = vb_o.cwiseProduct(Y(s, r));
  out.col(14) = vb_o.cwiseProduct(A(s, r) * L(r) * Y(r, r));
  out.col(15) = vb_o.cwiseProduct(A(s, r) * L(r) * Etot(r));
  return out;
}

TEST(Wwz, MatchesLiteralFormulaSumsToExportsAndAgreesWithKww) {
  IoTable t = RandomTable(4, 3, 19u);
  auto sys = BuildLeontief(t);
  ASSERT_TRUE(sys.ok());
  auto wwz = ComputeWwz(*sys);
  ASSERT_TRUE(wwz.ok()) << wwz.status().ToString();
  auto kww = ComputeKww(*sys);
  ASSERT_TRUE(kww.ok());
  const MatrixXd e_bil = sys->BilateralExports();
  for (int s = 0; s < 4; ++s) {
    double fva = 0, fdc = 0;
    for (int r = 0; r < 4; ++r) {
      if (r == s) continue;
      const MatrixXd oracle = WwzOracle(*sys, s, r);
      const MatrixXd got = wwz->terms.middleRows(wwz->Row(s, r, 0), 3);
      const double scale = e_bil.block(s * 3, r, 3, 1).sum();
      EXPECT_LT((got - oracle).cwiseAbs().maxCoeff(), 1e-10 * scale) << s << "->" << r;
      const VectorXd sum = got.rowwise().sum();
      const VectorXd e = e_bil.block(s * 3, r, 3, 1);
      EXPECT_LT((sum - e).cwiseAbs().maxCoeff(), 1e-10 * scale);
      EXPECT_LT((wwz->exports.segment(wwz->Row(s, r, 0), 3) - e).cwiseAbs().maxCoeff(),
                1e-12 * scale);
      fva += got.col(10).sum() + got.col(11).sum() + got.col(13).sum() + got.col(14).sum();
      fdc += got.col(12).sum() + got.col(15).sum();
    }
    // Aggregated over partners and sectors, WWZ's foreign parts are KWW's terms 7+8 and 9.
    const KwwCountry& k = kww->countries[s];
    EXPECT_NEAR(fva, k.Fva(), 1e-10 * k.gross_exports);
    EXPECT_NEAR(fdc, k.terms[8], 1e-10 * k.gross_exports);
  }
}

TEST(Wwz, LeatherTableSumsToExports) {
  auto t = ReadDecompr(kLeather);
  ASSERT_TRUE(t.ok());
  auto sys = BuildLeontief(*t);
  ASSERT_TRUE(sys.ok());
  auto wwz = ComputeWwz(*sys);
  ASSERT_TRUE(wwz.ok());
  const VectorXd sum = wwz->terms.rowwise().sum();
  EXPECT_LT((sum - wwz->exports).cwiseAbs().maxCoeff(), 1e-10 * wwz->exports.maxCoeff());
  EXPECT_NEAR(wwz->exports.sum(), sys->GrossExports().sum(), 1e-10);
}

}  // namespace
}  // namespace rebalance::io_tables

namespace rebalance::io_tables {
namespace {

TEST(Leontief, DropInputsPolicyRepairsZeroOutputWithUse) {
  IoTable t = RandomTable(2, 2, 23u);
  t.z.row(3).setZero();  // C1_s1 sells nothing (row sum 0) but buys inputs
  t.f.row(3).setZero();
  t.x = t.RowSums();
  t.x[3] = 2;  // reported output as WIOD's truncated LVA_c24
  t.v = t.x - t.z.colwise().sum().transpose();
  auto strict = BuildLeontief(t);
  ASSERT_FALSE(strict.ok());
  EXPECT_THAT(strict.status().message(), HasSubstr("C1_s1"));
  AccountingOptions opt;
  opt.zero_output_policy = ZeroOutputPolicy::kDropInputs;
  auto sys = BuildLeontief(t, opt);
  ASSERT_TRUE(sys.ok()) << sys.status().ToString();
  EXPECT_EQ(sys->dropped_input_sectors, std::vector<std::string>{"C1_s1"});
  EXPECT_EQ(sys->dropped_input_cells, 3);
  EXPECT_NEAR(sys->dropped_input_total, t.z.col(3).sum(), 1e-12);
  EXPECT_NEAR(sys->v.sum(), t.f.sum(), 1e-12 * t.f.sum());
  auto kww = ComputeKww(*sys);
  ASSERT_TRUE(kww.ok());
  for (const auto& k : kww->countries) {
    EXPECT_NEAR(k.Sum(), k.gross_exports, 1e-12 * k.gross_exports);
  }
}

// A row balanced to a zero total ends at a rounding residual (here -2e-13
// of a mass of 6: +4 of sales against -2 of inventories, and a little less):
// not zero for the exact test, so a negative output with inputs (an error);
// with zero_output_tolerance it is 0, listed, and kDropInputs repairs it.
TEST(Leontief, ZeroOutputToleranceTakesARoundingResidualAsZero) {
  IoTable t = RandomTable(2, 2, 29u);
  t.z.row(3).setZero();
  t.f.row(3).setZero();
  t.z(3, 0) = 2;
  t.f(3, 0) = 2;
  t.f(3, 1) = -4 - 2e-13;  // inventories
  t.x = t.RowSums();
  t.x[3] = 0;
  t.v = t.x - t.z.colwise().sum().transpose();
  AccountingOptions opt;
  opt.zero_output_policy = ZeroOutputPolicy::kDropInputs;
  auto strict = BuildLeontief(t, opt);
  ASSERT_FALSE(strict.ok());
  EXPECT_THAT(strict.status().message(), HasSubstr("negative output"));
  opt.zero_output_tolerance = 1e-9;
  auto sys = BuildLeontief(t, opt);
  ASSERT_TRUE(sys.ok()) << sys.status().ToString();
  ASSERT_EQ(sys->zeroed_output_sectors.size(), 1u);
  EXPECT_THAT(sys->zeroed_output_sectors[0], HasSubstr("C1_s1 (-2e-13 of 8"));
  EXPECT_EQ(sys->x[3], 0);
  EXPECT_EQ(sys->dropped_input_sectors, std::vector<std::string>{"C1_s1"});
  // A residual above the tolerance is not zero.
  opt.zero_output_tolerance = 1e-15;
  EXPECT_FALSE(BuildLeontief(t, opt).ok());
  opt.zero_output_tolerance = -1;
  EXPECT_FALSE(BuildLeontief(t, opt).ok());
}

}  // namespace
}  // namespace rebalance::io_tables
