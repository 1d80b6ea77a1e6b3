// Monte Carlo draws of the gravity coefficients; see gravity_draws.h. Draw d
// uses the stream core::GravityDrawSeed(seed, d) and the bands are
// core::Summarize with Moments::kTwoPass (core/uncertainty.h).
#include "rebalance/ge/gravity_draws.h"

#include <fmt/format.h>
#include <omp.h>

#include <algorithm>
#include <chrono>
#include <cmath>

namespace rebalance::ge {

Status GravityDrawOptions::Validate() const {
  if (draws < 1) {
    return Status::InvalidArgument(fmt::format("draws must be at least 1, got {}", draws))
        .WithOptions({"draws"});
  }
  if (threads < 0) {
    return Status::InvalidArgument(fmt::format("threads must be >= 0, got {}", threads));
  }
  return Status::Ok();
}

std::string GravityDrawsResult::BriefReport() const {
  return fmt::format("{} draws: {} converged, {} failed ({:.2f} s)", requested, succeeded, failed,
                     seconds);
}

Result<GravityDrawsResult> DrawGravity(const GravityData& data, const CovariateCosts& costs,
                                       const GravityOptions& options, const GravityResult& point,
                                       const GravityDrawOptions& draw_options) {
  RB_RETURN_IF_ERROR(draw_options.Validate());
  const Eigen::Index n = static_cast<Eigen::Index>(data.countries.size());
  RB_RETURN_IF_ERROR(costs.Validate(n));
  if (!point.converged()) {
    return Status::FailedPrecondition("draws need a converged point solution to start from");
  }
  const Eigen::Index k = costs.beta.size();
  if (costs.vcov.rows() != k || costs.vcov.cols() != k || k == 0) {
    return Status::InvalidArgument(
        fmt::format("draws need the {}x{} covariance matrix of the coefficients", k, k));
  }
  if (!costs.vcov.allFinite()) {
    return Status::InvalidArgument("vcov has non-finite entries");
  }
  // Factor V = L L'. Cholesky first; a semi-definite V (e.g. a coefficient
  // fixed by construction) falls back to the eigen-decomposition.
  Eigen::MatrixXd sym = 0.5 * (costs.vcov + costs.vcov.transpose());
  Eigen::MatrixXd chol;
  Eigen::LLT<Eigen::MatrixXd> llt(sym);
  if (llt.info() == Eigen::Success) {
    chol = llt.matrixL();
  } else {
    Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> es(sym);
    const Eigen::VectorXd ev = es.eigenvalues();
    const double tol = 1e-10 * std::max(1.0, ev.cwiseAbs().maxCoeff());
    if (ev.minCoeff() < -tol) {
      return Status::InvalidArgument(fmt::format(
          "vcov is not positive semi-definite (smallest eigenvalue {:.3g})", ev.minCoeff()));
    }
    chol = es.eigenvectors() * ev.cwiseMax(0.0).cwiseSqrt().asDiagonal();
  }

  const auto start = std::chrono::steady_clock::now();
  const bool bilateral = draw_options.bilateral;
  const size_t rows = TidyGravity(point, "", bilateral).rows.size();
  const int d_total = draw_options.draws;
  std::vector<std::vector<double>> values(static_cast<size_t>(d_total));
  std::vector<std::string> errors(static_cast<size_t>(d_total));
  std::vector<uint8_t> good(static_cast<size_t>(d_total), 0);
  const int threads = draw_options.threads > 0 ? draw_options.threads : omp_get_max_threads();

#pragma omp parallel for schedule(dynamic, 4) num_threads(threads)
  for (int d = 0; d < d_total; ++d) {
    core::NormalStream rng(core::GravityDrawSeed(draw_options.seed, static_cast<uint64_t>(d)),
                           core::UnitInterval::kRejectZero);
    Eigen::VectorXd z(k);
    for (Eigen::Index c = 0; c < k; ++c) z[c] = rng.Next();
    const Eigen::VectorXd beta = costs.beta + chol * z;
    auto tc = costs.Costs(beta);
    if (!tc.ok()) {
      errors[static_cast<size_t>(d)] = tc.status().message();
      continue;
    }
    auto res = SolveGravity(data, *tc, options, &point);
    if (!res.ok()) {
      errors[static_cast<size_t>(d)] = res.status().message();
      continue;
    }
    if (!res->converged()) {
      errors[static_cast<size_t>(d)] = res->message;
      continue;
    }
    const TidyTable tt = TidyGravity(*res, "", bilateral);
    std::vector<double>& v = values[static_cast<size_t>(d)];
    v.resize(rows);
    bool finite = tt.rows.size() == rows;
    for (size_t r = 0; r < rows && finite; ++r) {
      v[r] = tt.rows[r].pct_change;
      // An undefined change (zero baseline and counterfactual non-zero) is
      // possible only for bilateral rows with zero flows; 0/0 rows are 0.
      if (!std::isfinite(v[r])) finite = false;
    }
    if (!finite) {
      errors[static_cast<size_t>(d)] = "non-finite percentage change";
      values[static_cast<size_t>(d)].clear();
      continue;
    }
    good[static_cast<size_t>(d)] = 1;
  }

  GravityDrawsResult out;
  out.requested = d_total;
  for (int d = 0; d < d_total; ++d) {
    if (good[static_cast<size_t>(d)]) {
      ++out.succeeded;
    } else {
      ++out.failed;
      if (out.failure_messages.size() < 20) {
        out.failure_messages.push_back(
            fmt::format("draw {}: {}", d, errors[static_cast<size_t>(d)]));
      }
    }
  }
  if (out.succeeded > 0) {
    out.bands.resize(rows);
    std::vector<double> col;
    col.reserve(static_cast<size_t>(out.succeeded));
    for (size_t r = 0; r < rows; ++r) {
      col.clear();
      for (int d = 0; d < d_total; ++d) {
        if (good[static_cast<size_t>(d)]) {
          col.push_back(values[static_cast<size_t>(d)][r]);
        }
      }
      out.bands[r] = core::Summarize(&col, core::Moments::kTwoPass);
    }
  }
  out.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return out;
}

}  // namespace rebalance::ge
