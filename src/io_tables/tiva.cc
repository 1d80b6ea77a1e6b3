// Trade in value added (Johnson & Noguera 2012, "Accounting for
// intermediates", JIE 86(2); OECD-WTO TiVA): value added of origin
// country-sector i embodied in the final demand of country r is
// V_i (B Y)_ir, computed as one LU solve with G right-hand sides
// (B Y = (I - A)^-1 Y), no inverse. Value-added exports s -> r are the sum
// over s's sectors; the bilateral value-added balance VAX_sr - VAX_rs sits
// beside the gross balance E^sr - E^rs. A country's total value-added balance
// equals its total gross balance (GDP - final demand); bilateral ones differ.
#include <fmt/format.h>

#include "rebalance/io_tables/accounting.h"

namespace rebalance::io_tables {

Result<TivaResult> ComputeTiva(const LeontiefSystem& sys) {
  const int g = sys.num_countries, ns = sys.num_sectors;
  TivaResult out;
  const Eigen::MatrixXd by = sys.Solve(sys.y);  // output needed for each destination's FD
  out.va_in_final_demand = sys.va_coef.asDiagonal() * by;
  if (!out.va_in_final_demand.allFinite()) {
    return Status::NumericalError("value added in final demand is not finite");
  }
  out.va_by_origin_destination.resize(g, g);
  for (int s = 0; s < g; ++s) {
    out.va_by_origin_destination.row(s) =
        out.va_in_final_demand.middleRows(s * ns, ns).colwise().sum();
  }
  const Eigen::MatrixXd e = sys.BilateralExports();
  out.gross_exports.resize(g, g);
  out.gdp.resize(g);
  for (int s = 0; s < g; ++s) {
    out.gross_exports.row(s) = e.middleRows(s * ns, ns).colwise().sum();
    out.gdp[s] = sys.v.segment(s * ns, ns).sum();
  }
  out.final_demand = sys.y.colwise().sum().transpose();
  return out;
}

std::vector<BilateralBalance> BilateralBalances(const LeontiefSystem& sys, const TivaResult& tiva) {
  std::vector<BilateralBalance> rows;
  const int g = sys.num_countries;
  rows.reserve(static_cast<size_t>(g) * (g - 1));
  for (int s = 0; s < g; ++s) {
    for (int r = 0; r < g; ++r) {
      if (r == s) continue;
      BilateralBalance b;
      b.reporter = sys.countries[s];
      b.partner = sys.countries[r];
      b.gross_exports = tiva.gross_exports(s, r);
      b.gross_imports = tiva.gross_exports(r, s);
      b.gross_balance = b.gross_exports - b.gross_imports;
      b.va_exports = tiva.va_by_origin_destination(s, r);
      b.va_imports = tiva.va_by_origin_destination(r, s);
      b.va_balance = b.va_exports - b.va_imports;
      rows.push_back(std::move(b));
    }
  }
  return rows;
}

}  // namespace rebalance::io_tables
