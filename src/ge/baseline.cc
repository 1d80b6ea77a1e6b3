// Baseline accounts and consistency checks for the multi-sector GE model
// (Caliendo & Parro 2015, REStud, section 3 accounting; see baseline.h for
// the conventions). Every error names the country and sector concerned.
#include "rebalance/ge/baseline.h"

#include <algorithm>
#include <cmath>
#include <set>

#include <fmt/format.h>

namespace rebalance::ge {

double Baseline::ProductionSubsidy(int n, int j) const {
  return production_subsidy.empty() ? 0.0 : production_subsidy[CS(n, j)];
}
double Baseline::ExportSubsidy(int n, int j) const {
  return export_subsidy.empty() ? 0.0 : export_subsidy[CS(n, j)];
}
double Baseline::Iceberg(int j, int n, int i) const {
  return iceberg.empty() ? 1.0 : iceberg[FlowIndex(j, n, i)];
}

double Baseline::Expenditure(int n, int j) const {
  const int N = num_countries();
  double x = 0.0;
  for (int i = 0; i < N; ++i) {
    const size_t f = FlowIndex(j, n, i);
    x += flow[f] * (1.0 + tariff[f]);
  }
  return x;
}

double Baseline::GrossOutput(int i, int j) const {
  const int N = num_countries();
  const double s = ProductionSubsidy(i, j), e = ExportSubsidy(i, j);
  double y = 0.0;
  for (int n = 0; n < N; ++n) {
    y += flow[FlowIndex(j, n, i)] * (1.0 + s + (n != i ? e : 0.0));
  }
  return y;
}

double Baseline::ValueAdded(int n) const {
  double va = 0.0;
  for (int j = 0; j < num_sectors(); ++j) {
    va += va_share[CS(n, j)] * GrossOutput(n, j);
  }
  return va;
}

double Baseline::TariffRevenue(int n) const {
  double r = 0.0;
  for (int j = 0; j < num_sectors(); ++j) {
    for (int i = 0; i < num_countries(); ++i) {
      const size_t f = FlowIndex(j, n, i);
      r += tariff[f] * flow[f];
    }
  }
  return r;
}

double Baseline::SubsidyCost(int n) const {
  double s = 0.0;
  for (int j = 0; j < num_sectors(); ++j) {
    const double ps = ProductionSubsidy(n, j), es = ExportSubsidy(n, j);
    if (ps == 0.0 && es == 0.0) continue;
    for (int m = 0; m < num_countries(); ++m) {
      s += (ps + (m != n ? es : 0.0)) * flow[FlowIndex(j, m, n)];
    }
  }
  return s;
}

double Baseline::Exports(int i) const {
  double e = 0.0;
  for (int j = 0; j < num_sectors(); ++j) {
    for (int n = 0; n < num_countries(); ++n) {
      if (n != i) e += flow[FlowIndex(j, n, i)];
    }
  }
  return e;
}

double Baseline::Imports(int n) const {
  double m = 0.0;
  for (int j = 0; j < num_sectors(); ++j) {
    for (int i = 0; i < num_countries(); ++i) {
      if (n != i) m += flow[FlowIndex(j, n, i)];
    }
  }
  return m;
}

double Baseline::Income(int n) const {
  return ValueAdded(n) + TariffRevenue(n) - SubsidyCost(n) + deficit[n];
}

void Baseline::FillDefaults() {
  const size_t nf = flow.size();
  const size_t ncs = countries.size() * sectors.size();
  if (iceberg.empty()) iceberg.assign(nf, 1.0);
  if (production_subsidy.empty()) production_subsidy.assign(ncs, 0.0);
  if (export_subsidy.empty()) export_subsidy.assign(ncs, 0.0);
}

namespace {

Status CheckLabels(const std::vector<std::string>& labels, const char* what) {
  if (labels.empty()) {
    return Status::InvalidArgument(fmt::format("baseline has no {}", what));
  }
  std::set<std::string> seen;
  for (size_t i = 0; i < labels.size(); ++i) {
    if (labels[i].empty()) {
      return Status::InvalidArgument(fmt::format("baseline {} label {} is empty", what, i + 1));
    }
    if (!seen.insert(labels[i]).second) {
      return Status::InvalidArgument(
          fmt::format("baseline {} label '{}' appears twice", what, labels[i]));
    }
  }
  return Status::Ok();
}

Status CheckSize(size_t got, size_t want, const char* what) {
  if (got != want) {
    return Status::InvalidArgument(
        fmt::format("baseline field '{}' has {} values, expected {}", what, got, want));
  }
  return Status::Ok();
}

}  // namespace

Status Baseline::ValidateStructure(double tol) const {
  RB_RETURN_IF_ERROR(CheckLabels(countries, "country"));
  RB_RETURN_IF_ERROR(CheckLabels(sectors, "sector"));
  const int N = num_countries(), J = num_sectors();
  const size_t nf = static_cast<size_t>(J) * N * N;
  const size_t ncs = static_cast<size_t>(N) * J;
  RB_RETURN_IF_ERROR(CheckSize(flow.size(), nf, "flow"));
  RB_RETURN_IF_ERROR(CheckSize(tariff.size(), nf, "tariff"));
  if (!iceberg.empty()) RB_RETURN_IF_ERROR(CheckSize(iceberg.size(), nf, "iceberg"));
  RB_RETURN_IF_ERROR(CheckSize(va_share.size(), ncs, "va_share"));
  RB_RETURN_IF_ERROR(CheckSize(io_share.size(), ncs * J, "io_share"));
  RB_RETURN_IF_ERROR(CheckSize(alpha.size(), ncs, "alpha"));
  RB_RETURN_IF_ERROR(CheckSize(deficit.size(), static_cast<size_t>(N), "deficit"));
  RB_RETURN_IF_ERROR(CheckSize(tradable.size(), static_cast<size_t>(J), "tradable"));
  if (!production_subsidy.empty())
    RB_RETURN_IF_ERROR(CheckSize(production_subsidy.size(), ncs, "production_subsidy"));
  if (!export_subsidy.empty())
    RB_RETURN_IF_ERROR(CheckSize(export_subsidy.size(), ncs, "export_subsidy"));
  if (theta.size() != static_cast<size_t>(J)) {
    if (theta.size() < static_cast<size_t>(J)) {
      return Status::InvalidArgument(
          fmt::format("no trade elasticity theta for sector '{}' ({} thetas for {} sectors)",
                      sectors[theta.size()], theta.size(), J));
    }
    return Status::InvalidArgument(
        fmt::format("{} trade elasticities theta for {} sectors", theta.size(), J));
  }
  for (int j = 0; j < J; ++j) {
    if (!std::isfinite(theta[j]) || theta[j] <= 0.0) {
      return Status::InvalidArgument(
          fmt::format("trade elasticity theta of sector '{}' is {}; it must be finite and > 0",
                      sectors[j], theta[j]));
    }
  }
  // Flows and tariffs.
  for (int j = 0; j < J; ++j) {
    for (int n = 0; n < N; ++n) {
      for (int i = 0; i < N; ++i) {
        const size_t f = FlowIndex(j, n, i);
        if (!std::isfinite(flow[f]) || flow[f] < 0.0) {
          return Status::InvalidArgument(
              fmt::format("flow of sector '{}' from '{}' to '{}' is {}; flows must be "
                          "finite and non-negative",
                          sectors[j], countries[i], countries[n], flow[f]));
        }
        if (!std::isfinite(tariff[f]) || tariff[f] < 0.0) {
          return Status::InvalidArgument(
              fmt::format("tariff of '{}' on sector '{}' from '{}' is {}; tariffs must be "
                          "finite rates >= 0",
                          countries[n], sectors[j], countries[i], tariff[f]));
        }
        if (!iceberg.empty() && (!std::isfinite(iceberg[f]) || iceberg[f] <= 0)) {
          return Status::InvalidArgument(
              fmt::format("iceberg cost of sector '{}' from '{}' to '{}' is {}; must be > 0",
                          sectors[j], countries[i], countries[n], iceberg[f]));
        }
        if (!tradable[j] && n != i && flow[f] != 0.0) {
          return Status::InvalidArgument(
              fmt::format("non-tradable sector '{}' has an international flow from '{}' "
                          "to '{}' ({})",
                          sectors[j], countries[i], countries[n], flow[f]));
        }
      }
    }
  }
  // Shares.
  for (int n = 0; n < N; ++n) {
    double alpha_sum = 0.0;
    for (int j = 0; j < J; ++j) {
      const double g = va_share[CS(n, j)];
      if (!std::isfinite(g) || g < 0.0 || g > 1.0) {
        return Status::InvalidArgument(
            fmt::format("value-added share of '{}' in sector '{}' is {}; it must lie in "
                        "[0, 1]",
                        countries[n], sectors[j], g));
      }
      const double a = alpha[CS(n, j)];
      if (!std::isfinite(a) || a < 0.0) {
        return Status::InvalidArgument(
            fmt::format("final-demand share alpha of '{}' in sector '{}' is {}; it must be "
                        ">= 0",
                        countries[n], sectors[j], a));
      }
      alpha_sum += a;
      double io_sum = 0.0;
      for (int k = 0; k < J; ++k) {
        const double s = io_share[IoIndex(n, k, j)];
        if (!std::isfinite(s) || s < -negative_io_tolerance) {
          return Status::InvalidArgument(
              fmt::format("input-output share of input '{}' in sector '{}' of '{}' is {}; "
                          "it must be >= {}",
                          sectors[k], sectors[j], countries[n], s, -negative_io_tolerance));
        }
        io_sum += s;
      }
      // Sectors with zero output may carry no cost structure at all.
      const bool empty_sector = io_sum == 0.0 && g == 0.0;
      if (!empty_sector && std::fabs(io_sum + g - 1.0) > tol) {
        return Status::InvalidArgument(
            fmt::format("cost shares of sector '{}' in '{}' do not sum to one: value added "
                        "{} + inputs {} = {}",
                        sectors[j], countries[n], g, io_sum, g + io_sum));
      }
      const double ps = ProductionSubsidy(n, j), es = ExportSubsidy(n, j);
      if (!std::isfinite(ps) || ps <= -1.0 || !std::isfinite(es) || es <= -1.0) {
        return Status::InvalidArgument(
            fmt::format("subsidy rates of '{}' in sector '{}' must be finite and > -1",
                        countries[n], sectors[j]));
      }
    }
    if (std::fabs(alpha_sum - 1.0) > tol) {
      return Status::InvalidArgument(fmt::format(
          "final-demand shares alpha of '{}' sum to {}, not 1", countries[n], alpha_sum));
    }
  }
  // Deficits: finite, summing to zero, equal to imports - exports.
  double world_va = 0.0, dsum = 0.0;
  for (int n = 0; n < N; ++n) {
    if (!std::isfinite(deficit[n])) {
      return Status::InvalidArgument(fmt::format("deficit of '{}' is not finite", countries[n]));
    }
    world_va += ValueAdded(n);
    dsum += deficit[n];
  }
  if (!(world_va > 0.0)) {
    return Status::InvalidArgument("world value added is not positive");
  }
  for (int n = 0; n < N; ++n) {
    const double implied = Imports(n) - Exports(n);
    if (std::fabs(implied - deficit[n]) > tol * world_va / N) {
      return Status::InvalidArgument(
          fmt::format("deficit of '{}' is {} but imports - exports from the flows is {}",
                      countries[n], deficit[n], implied));
    }
  }
  if (std::fabs(dsum) > tol * world_va) {
    return Status::InvalidArgument(fmt::format("deficits sum to {}, not zero", dsum));
  }
  return Status::Ok();
}

Status Baseline::Validate(double tol) const {
  RB_RETURN_IF_ERROR(ValidateStructure(tol));
  const int N = num_countries(), J = num_sectors();
  std::vector<double> y(static_cast<size_t>(N) * J);
  double world_y = 0.0;
  for (int n = 0; n < N; ++n) {
    for (int j = 0; j < J; ++j) {
      y[CS(n, j)] = GrossOutput(n, j);
      world_y += y[CS(n, j)];
    }
  }
  const double scale = world_y / (static_cast<double>(N) * J);
  for (int n = 0; n < N; ++n) {
    const double income = Income(n);
    for (int j = 0; j < J; ++j) {
      double demand = alpha[CS(n, j)] * income;
      for (int k = 0; k < J; ++k) demand += io_share[IoIndex(n, j, k)] * y[CS(n, k)];
      const double x = Expenditure(n, j);
      if (std::fabs(x - demand) > tol * scale) {
        return Status::FailedPrecondition(
            fmt::format("goods market of sector '{}' in '{}' does not clear: expenditure "
                        "{} vs intermediate + final demand {} (relative gap {:.3g}); raw "
                        "data need SolveBaseYear first",
                        sectors[j], countries[n], x, demand, (x - demand) / scale));
      }
    }
  }
  return Status::Ok();
}

Result<int> DeriveFinalDemandShares(Baseline* baseline) {
  Baseline& b = *baseline;
  const int N = b.num_countries(), J = b.num_sectors();
  if (b.va_share.size() != static_cast<size_t>(N) * J ||
      b.io_share.size() != static_cast<size_t>(N) * J * J ||
      b.flow.size() != static_cast<size_t>(J) * N * N) {
    return Status::InvalidArgument(
        "DeriveFinalDemandShares: baseline sizes do not match its labels");
  }
  b.alpha.assign(static_cast<size_t>(N) * J, 0.0);
  int clipped = 0;
  for (int n = 0; n < N; ++n) {
    std::vector<double> y(J);
    for (int k = 0; k < J; ++k) y[k] = b.GrossOutput(n, k);
    double total = 0.0;
    for (int j = 0; j < J; ++j) {
      double inter = 0.0;
      for (int k = 0; k < J; ++k) inter += b.io_share[b.IoIndex(n, j, k)] * y[k];
      double fd = b.Expenditure(n, j) - inter;
      if (fd < 0.0) {
        fd = 0.0;
        ++clipped;
      }
      b.alpha[b.CS(n, j)] = fd;
      total += fd;
    }
    if (!(total > 0.0)) {
      return Status::FailedPrecondition(
          fmt::format("final demand of '{}' is not positive in any sector: expenditure is "
                      "all used as intermediate inputs",
                      b.countries[n]));
    }
    for (int j = 0; j < J; ++j) b.alpha[b.CS(n, j)] /= total;
  }
  return clipped;
}

}  // namespace rebalance::ge
