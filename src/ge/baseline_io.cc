// Baseline from a multi-region input-output table (WIOD layout via
// io_tables): the data of the Caliendo & Parro (2015) model read off an
// inter-country IO table, as in e.g. Caliendo, Parro, Rossi-Hansberg &
// Sarte (2018). Bilateral sector flows are sales of (i, j) to country n
// over all of n's users (industries and final-demand categories); gamma^{k,j}
// is n's use of sector-k inputs (any origin) per unit of j's gross output;
// value added is gross output minus inputs; alpha is n's final-demand
// composition. With non-negative cells the result clears every goods market
// exactly (the table's own accounting identities), and deficits are imports
// minus exports.
// Limits: IO tables are at basic prices without tariffs (add a tariff file);
// negative cells (inventory changes) are clipped to zero and reported, as
// are cells whose inputs exceed output (value added clipped to zero).
#include <cmath>

#include <fmt/format.h>

#include "rebalance/ge/baseline.h"
#include "rebalance/io_tables/io_table.h"

namespace rebalance::ge {

Status IoBaselineOptions::Validate() const {
  for (size_t j = 0; j < theta.size(); ++j) {
    if (!std::isfinite(theta[j]) || theta[j] <= 0.0) {
      return Status::InvalidArgument(
          fmt::format("theta of sector {} is {}; it must be finite and > 0", j + 1, theta[j]));
    }
  }
  return Status::Ok();
}

Result<Baseline> BaselineFromIoTable(const io_tables::IoTable& t, const IoBaselineOptions& options,
                                     IoBaselineReport* report) {
  RB_RETURN_IF_ERROR(options.Validate());
  const int N = t.num_countries(), J = t.num_sectors(), K = t.num_categories();
  if (N < 1 || J < 1) return Status::InvalidArgument("input-output table is empty");
  if (options.theta.size() != static_cast<size_t>(J)) {
    if (options.theta.size() < static_cast<size_t>(J)) {
      return Status::InvalidArgument(
          fmt::format("no trade elasticity theta for sector '{}' ({} thetas for {} sectors)",
                      t.sectors[options.theta.size()], options.theta.size(), J));
    }
    return Status::InvalidArgument(
        fmt::format("{} trade elasticities theta for {} sectors", options.theta.size(), J));
  }
  if (t.z.rows() != N * J || t.z.cols() != N * J || t.f.rows() != N * J || t.f.cols() != N * K) {
    return Status::InvalidArgument("input-output table matrices have wrong shapes");
  }
  IoBaselineReport rep;
  auto clip = [&](double v) {
    if (!std::isfinite(v)) return v;
    if (v < 0.0 && options.clip_negative) {
      ++rep.clipped_negative_cells;
      rep.clipped_negative_value += v;
      return 0.0;
    }
    return v;
  };

  Baseline b;
  b.countries = t.countries;
  b.sectors = t.sectors;
  if (t.sector_names.size() == t.sectors.size()) b.sector_names = t.sector_names;
  b.currency_unit = "million USD";
  const size_t nf = static_cast<size_t>(J) * N * N, ncs = static_cast<size_t>(N) * J;
  b.flow.assign(nf, 0.0);
  b.tariff.assign(nf, 0.0);
  b.va_share.assign(ncs, 0.0);
  b.io_share.assign(ncs * J, 0.0);
  b.alpha.assign(ncs, 0.0);
  b.deficit.assign(N, 0.0);
  b.theta = options.theta;
  b.tradable.assign(J, false);

  // inputs(n, k, j): n's sector j use of sector-k goods from any origin.
  std::vector<double> inputs(ncs * J, 0.0), final_use(ncs, 0.0);
  for (int i = 0; i < N; ++i) {
    for (int j = 0; j < J; ++j) {
      const int row = t.Index(i, j);
      for (int n = 0; n < N; ++n) {
        double sales = 0.0;
        for (int s = 0; s < J; ++s) {
          const double z = clip(t.z(row, t.Index(n, s)));
          if (!std::isfinite(z)) {
            return Status::InvalidArgument(
                fmt::format("non-finite cell in Z at row {}", t.Label(row)));
          }
          if (z < 0.0) {
            return Status::InvalidArgument(
                fmt::format("negative intermediate use {} of {} by {}_{}", z, t.Label(row),
                            t.countries[n], t.sectors[s]));
          }
          sales += z;
          inputs[b.IoIndex(n, j, s)] += z;
        }
        for (int k = 0; k < K; ++k) {
          const double f = clip(t.f(row, n * K + k));
          if (!std::isfinite(f)) {
            return Status::InvalidArgument(
                fmt::format("non-finite cell in F at row {}", t.Label(row)));
          }
          if (f < 0.0) {
            return Status::InvalidArgument(
                fmt::format("negative final demand {} for {} in {} (set clip_negative)", f,
                            t.Label(row), t.countries[n]));
          }
          sales += f;
          final_use[b.CS(n, j)] += f;
        }
        b.flow[b.FlowIndex(j, n, i)] = sales;
        if (n != i && sales > 0.0) b.tradable[j] = true;
      }
    }
  }
  int clipped_va = 0;
  for (int n = 0; n < N; ++n) {
    double fd_total = 0.0;
    for (int j = 0; j < J; ++j) fd_total += final_use[b.CS(n, j)];
    if (!(fd_total > 0.0)) {
      return Status::InvalidArgument(
          fmt::format("country '{}' has no final demand", t.countries[n]));
    }
    for (int j = 0; j < J; ++j) {
      b.alpha[b.CS(n, j)] = final_use[b.CS(n, j)] / fd_total;
      const double y = b.GrossOutput(n, j);
      if (!(y > 0.0)) {
        b.va_share[b.CS(n, j)] = 1.0;  // no output: cost = value added only
        continue;
      }
      double in = 0.0;
      for (int k = 0; k < J; ++k) in += inputs[b.IoIndex(n, k, j)];
      double scale = 1.0 / y;
      if (in > y) {
        ++clipped_va;
        scale = 1.0 / in;
      }
      for (int k = 0; k < J; ++k)
        b.io_share[b.IoIndex(n, k, j)] = inputs[b.IoIndex(n, k, j)] * scale;
      b.va_share[b.CS(n, j)] = std::max(0.0, 1.0 - in * scale);
    }
  }
  for (int n = 0; n < N; ++n) b.deficit[n] = b.Imports(n) - b.Exports(n);
  rep.clipped_value_added_cells = clipped_va;
  if (report != nullptr) *report = rep;
  RB_RETURN_IF_ERROR(b.ValidateStructure().WithContext(t.source));
  return b;
}

}  // namespace rebalance::ge
