// Input-output accounting on an IoTable: the Leontief system, trade in value
// added (TiVA), gross vs value-added bilateral balances, and the
// decompositions of gross exports of Koopman, Wang & Wei (2014, AER 104(2),
// "Tracing Value-Added and Double Counting in Gross Exports", 9 terms,
// country totals) and Wang, Wei & Zhu (2013, NBER WP 19677, "Quantifying
// International Production Sharing at the Bilateral and Sector Levels", 16
// terms, bilateral x exporting sector).
//
// Notation (as the papers): G countries, N sectors, A = Z diag(x)^-1,
// B = (I - A)^-1 (global Leontief inverse), L^ss = (I - A^ss)^-1 (local),
// V = v / x (value-added coefficients), Y^sr = final demand of country r for
// products of s (N vector, summed over categories), E^sr = A^sr X^r + Y^sr
// (gross exports s -> r), E^s* = sum over r != s.
//
// Usage:
//   RB_ASSIGN_OR_RETURN(auto sys, BuildLeontief(table, {}));
//   RB_ASSIGN_OR_RETURN(auto tiva, ComputeTiva(sys));
//   RB_ASSIGN_OR_RETURN(auto kww, ComputeKww(sys));
//   RB_ASSIGN_OR_RETURN(auto wwz, ComputeWwz(sys));
#ifndef REBALANCE_IO_TABLES_ACCOUNTING_H_
#define REBALANCE_IO_TABLES_ACCOUNTING_H_

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include <Eigen/Dense>
#include <Eigen/LU>

#include "rebalance/core/status.h"
#include "rebalance/io_tables/io_table.h"

namespace rebalance::io_tables {

enum class OutputBasis {
  // x = row sums of Z and F (decompr, pymrio). The accounting identities
  // (X = BY, KWW/WWZ terms summing to exports, sum v = sum F) then hold to
  // rounding. v is recomputed as x - colsums(Z).
  kRowSums,
  // x as reported by the source. Identities then hold only up to the table's
  // row-balance discrepancy (see IoTable::validation).
  kReported,
};
const char* ToString(OutputBasis b);
Result<OutputBasis> OutputBasisFromString(const std::string& s);

// A sector with zero output (in the chosen basis) but positive intermediate
// inputs has no technical coefficients. WIOD 2002 LVA_c24: reported output
// 2, all its sales truncated to 0, one input cell of 1.
enum class ZeroOutputPolicy {
  kError,       // BuildLeontief fails, naming the sectors
  kDropInputs,  // the input cells are dropped (counted in LeontiefSystem) and
                // row sums recomputed, so identities hold on the repaired table
};
const char* ToString(ZeroOutputPolicy p);
Result<ZeroOutputPolicy> ZeroOutputPolicyFromString(const std::string& s);

struct AccountingOptions {
  // Which gross output defines A and v; see OutputBasis.
  OutputBasis output_basis = OutputBasis::kRowSums;
  // What to do with zero-output sectors that have intermediate inputs.
  ZeroOutputPolicy zero_output_policy = ZeroOutputPolicy::kError;
  // Smallest acceptable reciprocal condition estimate of I - A; below it the
  // system is reported as numerically singular (kNumericalError).
  double min_rcond = 1e-13;
  // A row-sum output within this fraction of the row's cell mass
  // (sum of |Z| and |F| of the row) is zero: set to 0 and listed in
  // LeontiefSystem::zeroed_output_sectors, then treated as any zero output
  // (zero_output_policy). 0 (default): only an exact 0 is zero. For tables
  // balanced to a zero row total (`data update`: a row met to GRAS's
  // tolerance ends at, e.g., -2e-16 x its mass instead of 0).
  double zero_output_tolerance = 0;
  Status Validate() const;
};

// The Leontief system of one table. The LU factorisation of I - A is kept;
// solves use it. The dense inverse B is computed only on request (Inverse()),
// e.g. by the WWZ decomposition which needs every block B^rt.
struct LeontiefSystem {
  int num_countries = 0;  // G
  int num_sectors = 0;    // N
  std::vector<std::string> countries, sectors;
  Eigen::MatrixXd a;                        // technical coefficients, GN x GN
  Eigen::VectorXd x;                        // output used (per options.output_basis)
  Eigen::VectorXd v;                        // value added = x - colsums(Z)
  Eigen::VectorXd va_coef;                  // V = v / x (0 where x = 0)
  Eigen::MatrixXd y;                        // final demand by destination, GN x G
  Eigen::PartialPivLU<Eigen::MatrixXd> lu;  // of I - A
  // Columns without intermediate inputs have A column 0 and V = 1 (v = x).
  int zero_output_sectors = 0;      // x = 0 and no inputs (V set to the limit 1)
  int negative_output_sectors = 0;  // x < 0 (negative inventories) and no inputs
  // AccountingOptions::zero_output_tolerance: rows whose output was within
  // it of 0 and set to 0 ("CYP_c8 (-2.2e-06 of 6)").
  std::vector<std::string> zeroed_output_sectors;
  double rcond = 0;  // reciprocal condition estimate of I - A
  // ZeroOutputPolicy::kDropInputs: what was dropped (sectors, cells, sum).
  std::vector<std::string> dropped_input_sectors;
  int64_t dropped_input_cells = 0;
  double dropped_input_total = 0;

  int size() const { return num_countries * num_sectors; }
  // (I - A)^-1 rhs.
  Eigen::MatrixXd Solve(const Eigen::MatrixXd& rhs) const;
  // (I - A)^-T rhs.
  Eigen::MatrixXd SolveTransposed(const Eigen::MatrixXd& rhs) const;
  // The dense B = (I - A)^-1 (4/3 n^3 flops from the LU factors, column
  // chunks in parallel).
  Eigen::MatrixXd Inverse() const;
  // Gross exports by country-sector: intermediate and final sales outside
  // the own country, GN (the e of decompr).
  Eigen::VectorXd GrossExports() const;
  // Bilateral gross exports by exporting country-sector: GN x G, column r =
  // E^sr for rows of s (zero for r = s).
  Eigen::MatrixXd BilateralExports() const;
};

// Builds A, V and the LU of I - A. Errors: negative output of a sector with
// intermediate inputs; zero output with
// positive intermediate use (message gives the count and first labels);
// numerically singular I - A; non-finite values.
Result<LeontiefSystem> BuildLeontief(const IoTable& table, const AccountingOptions& options = {});

// Trade in value added.
struct TivaResult {
  // Value added of origin country-sector i embodied in the final demand of
  // destination country r: diag(V) B Y, GN x G.
  Eigen::MatrixXd va_in_final_demand;
  // Country-level: VA of origin s absorbed by final demand of r, G x G
  // (diagonal = VA absorbed at home). VAX_sr = value-added exports s -> r.
  Eigen::MatrixXd va_by_origin_destination;
  // Gross bilateral exports, G x G (diagonal 0).
  Eigen::MatrixXd gross_exports;
  Eigen::VectorXd gdp;           // sum of v by country, G
  Eigen::VectorXd final_demand;  // sum of Y by destination, G
};
Result<TivaResult> ComputeTiva(const LeontiefSystem& system);

// One row of the side-by-side bilateral balance table (s = reporter).
struct BilateralBalance {
  std::string reporter, partner;
  double gross_exports = 0, gross_imports = 0, gross_balance = 0;
  double va_exports = 0, va_imports = 0, va_balance = 0;
};
// All ordered pairs s != r.
std::vector<BilateralBalance> BilateralBalances(const LeontiefSystem& system,
                                                const TivaResult& tiva);

// KWW (2014), eq. (36): the nine terms of country s's gross exports E^s*.
//  1 DVA in final goods exports            V^s B^ss sum_r Y^sr
//  2 DVA in intermediates absorbed by r    V^s sum_r B^sr Y^rr
//  3 DVA in intermediates re-exported      V^s sum_r sum_t!=s,r B^sr Y^rt
//  4 DVA returning home in final imports   V^s sum_r B^sr Y^rs
//  5 DVA returning home in intermediates   V^s sum_r B^sr A^rs L^ss Y^ss
//  6 domestic pure double counting         V^s sum_r B^sr A^rs L^ss E^s*
//  7 FVA in final goods exports            sum_t!=s V^t B^ts sum_r Y^sr
//  8 FVA in intermediate exports           sum_t!=s V^t B^ts sum_r A^sr L^rr Y^rr
//  9 foreign pure double counting          sum_t!=s V^t B^ts sum_r A^sr L^rr E^r*
// DVA = 1..5, VAX = 1..3, FVA = 7+8, PDC = 6+9; the nine sum to E^s*.
struct KwwCountry {
  std::string country;
  double gross_exports = 0;
  std::array<double, 9> terms{};
  double Dva() const;  // 1..5
  double Vax() const;  // 1..3
  double Fva() const;  // 7+8
  double Pdc() const;  // 6+9
  double Sum() const;
};
struct KwwResult {
  std::vector<KwwCountry> countries;
  static const std::array<const char*, 9>& TermNames();
};
Result<KwwResult> ComputeKww(const LeontiefSystem& system);

// WWZ (2013), eq. (37): bilateral exports E^sr of each sector of s split in
// 16 terms (N vectors, # = element-wise product):
//  T1  DVA_FIN     (V^s B^ss)' # Y^sr
//  T2  DVA_INT     (V^s L^ss)' # A^sr B^rr Y^rr
//  T3  DVA_INTrexI1 (V^s L^ss)' # A^sr sum_t!=s,r B^rt Y^tt
//  T4  DVA_INTrexF (V^s L^ss)' # A^sr B^rr sum_t!=s,r Y^rt
//  T5  DVA_INTrexI2 (V^s L^ss)' # A^sr sum_t!=s,r B^rt sum_u!=s,t Y^tu
//  T6  RDV_FIN     (V^s L^ss)' # A^sr B^rr Y^rs
//  T7  RDV_FIN2    (V^s L^ss)' # A^sr sum_t!=s,r B^rt Y^ts
//  T8  RDV_INT     (V^s L^ss)' # A^sr B^rs Y^ss
//  T9  DDC_FIN     (V^s L^ss)' # A^sr B^rs sum_t!=s Y^st
//  T10 DDC_INT     (V^s B^ss - V^s L^ss)' # A^sr X^r
//  T11 MVA_FIN     (V^r B^rs)' # Y^sr
//  T12 MVA_INT     (V^r B^rs)' # A^sr L^rr Y^rr
//  T13 MDC         (V^r B^rs)' # A^sr L^rr E^r*
//  T14 OVA_FIN     (sum_t!=s,r V^t B^ts)' # Y^sr
//  T15 OVA_INT     (sum_t!=s,r V^t B^ts)' # A^sr L^rr Y^rr
//  T16 ODC         (sum_t!=s,r V^t B^ts)' # A^sr L^rr E^r*
// DVA = T1..T8, DDC = T9+T10, FVA = T11+T12+T14+T15, FDC = T13+T16.
struct WwzResult {
  int num_countries = 0, num_sectors = 0;
  std::vector<std::string> countries, sectors;
  // Row (s * G + r) * N + i: exporter s, importer r, exporting sector i;
  // 16 columns T1..T16. Rows with s == r are zero.
  Eigen::MatrixXd terms;
  // E^sr by the same rows.
  Eigen::VectorXd exports;
  int Row(int s, int r, int i) const { return (s * num_countries + r) * num_sectors + i; }
  static const std::array<const char*, 16>& TermNames();
};
// Computes the dense inverse B once (the terms need every block B^rt), then
// works block by block, O(G^3 N^2) after the inverse.
Result<WwzResult> ComputeWwz(const LeontiefSystem& system);

}  // namespace rebalance::io_tables

#endif  // REBALANCE_IO_TABLES_ACCOUNTING_H_
