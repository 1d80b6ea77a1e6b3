// Newton with backtracking and safeguarded Anderson acceleration: the shared
// solver tools of the GE models. Algorithms, references and safeguards are
// described in include/rebalance/ge/solver.h.
//
// Implementation notes:
// - The Newton system is solved by partial-pivoting LU; the step is checked
//   (finite, and J*dx reproduces -F to 1e-6 relative) because partial
//   pivoting does not report singularity. A failed check falls back to the
//   steepest-descent direction -J'F of the merit function.
// - The line search uses Armijo's condition with safeguarded quadratic
//   interpolation of the merit function (step shrinks by 10%..50%).
// - Anderson keeps differences of residuals and of map values in circular
//   column buffers; the least-squares coefficients come from a
//   column-pivoted QR whose rank decides whether the history is usable.
#include "rebalance/ge/solver.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <deque>
#include <limits>
#include <vector>

namespace rebalance::ge {

const char* ToString(SolverTermination termination) {
  switch (termination) {
    case SolverTermination::kConverged:
      return "converged";
    case SolverTermination::kMaxIterations:
      return "max_iterations";
    case SolverTermination::kDiverged:
      return "diverged";
  }
  return "unknown";
}

Result<SolverTermination> SolverTerminationFromString(const std::string& s) {
  if (s == "converged") return SolverTermination::kConverged;
  if (s == "max_iterations") return SolverTermination::kMaxIterations;
  if (s == "diverged") return SolverTermination::kDiverged;
  return Status::InvalidArgument(
      fmt::format("unknown solver termination '{}' (expected converged, max_iterations "
                  "or diverged)",
                  s));
}

std::string SolverResult::BriefReport() const {
  std::string s = fmt::format("{} after {} iterations, residual {:.3g}", ToString(termination),
                              iterations, residual_norm);
  if (restarts > 0) s += fmt::format(", {} restarts", restarts);
  if (!message.empty()) s += ": " + message;
  return s;
}

double ResidualNorm(const Eigen::VectorXd& residual) {
  double norm = 0.0;
  for (Eigen::Index i = 0; i < residual.size(); ++i) {
    const double a = std::fabs(residual[i]);
    if (!std::isfinite(a)) return std::numeric_limits<double>::infinity();
    norm = std::max(norm, a);
  }
  return norm;
}

void FiniteDifferenceJacobian(const VectorFunction& f, const Eigen::VectorXd& x,
                              const Eigen::VectorXd& fx, double relative_step,
                              Eigen::MatrixXd* jacobian) {
  const Eigen::Index n = x.size();
  jacobian->resize(fx.size(), n);
  Eigen::VectorXd xh = x;
  Eigen::VectorXd fh(fx.size());
  for (Eigen::Index k = 0; k < n; ++k) {
    const double h = relative_step * std::max(1.0, std::fabs(x[k]));
    xh[k] = x[k] + h;
    f(xh, &fh);
    jacobian->col(k) = (fh - fx) / h;
    xh[k] = x[k];
  }
}

namespace {

bool AllFinite(const Eigen::VectorXd& v) { return v.allFinite(); }

// The stopping test both solvers make at the top of every iteration: records
// the iteration and norm, and returns true with the termination set when the
// residual norm meets the tolerance or the iteration limit is reached.
bool StopIterating(int iter, double norm, const SolverOptions& options, SolverResult& result) {
  result.iterations = iter;
  result.residual_norm = norm;
  if (norm <= options.tolerance) {
    result.termination = SolverTermination::kConverged;
    return true;
  }
  if (iter >= options.max_iterations) {
    result.termination = SolverTermination::kMaxIterations;
    result.message = "iteration limit reached";
    return true;
  }
  return false;
}

}  // namespace

Result<SolverResult> SolveNewton(const VectorFunction& residual, Eigen::VectorXd* x,
                                 const SolverOptions& options, const JacobianFunction& jacobian) {
  RB_RETURN_IF_ERROR(options.Validate());
  if (x == nullptr || x->size() == 0) {
    return Status::InvalidArgument("SolveNewton needs a non-empty start point");
  }
  if (!x->allFinite()) {
    return Status::InvalidArgument("SolveNewton: start point is not finite");
  }
  const Eigen::Index n = x->size();
  SolverResult result;
  Eigen::VectorXd f(n), f_trial(n), x_trial(n), dx(n), grad(n);
  Eigen::MatrixXd jac(n, n);
  residual(*x, &f);
  ++result.function_evaluations;
  if (f.size() != n) {
    return Status::InvalidArgument(
        fmt::format("SolveNewton: residual has size {}, unknowns {}", f.size(), n));
  }
  double norm = ResidualNorm(f);
  if (!std::isfinite(norm)) {
    result.termination = SolverTermination::kDiverged;
    result.residual_norm = norm;
    result.message = "residual is not finite at the starting point";
    return result;
  }
  for (int iter = 0;; ++iter) {
    if (StopIterating(iter, norm, options, result)) return result;
    if (jacobian) {
      jacobian(*x, &jac);
    } else {
      FiniteDifferenceJacobian(residual, *x, f, options.fd_step, &jac);
      result.function_evaluations += static_cast<int>(n);
    }
    if (!jac.allFinite()) {
      result.termination = SolverTermination::kDiverged;
      result.message = "Jacobian is not finite";
      return result;
    }
    grad.noalias() = jac.transpose() * f;  // gradient of 0.5 |F|^2
    Eigen::PartialPivLU<Eigen::MatrixXd> lu(jac);
    dx = lu.solve(-f);
    bool newton_ok = dx.allFinite();
    if (newton_ok) {
      const double solve_err = (jac * dx + f).norm();
      newton_ok = solve_err <= 1e-6 * std::max(f.norm(), 1e-300);
    }
    const double merit0 = 0.5 * f.squaredNorm();
    // Candidate directions: the Newton step, then steepest descent on the
    // merit function scaled to the length a Gauss-Newton step would have.
    std::vector<Eigen::VectorXd> directions;
    if (newton_ok) directions.push_back(dx);
    {
      const Eigen::VectorXd jg = jac * grad;
      const double denom = jg.squaredNorm();
      if (denom > 0.0 && std::isfinite(denom)) {
        directions.push_back(-grad * (grad.squaredNorm() / denom));
      }
    }
    bool accepted = false;
    for (size_t d = 0; d < directions.size() && !accepted; ++d) {
      const Eigen::VectorXd& dir = directions[d];
      if (d > 0 || !newton_ok) ++result.restarts;
      const double slope = grad.dot(dir);
      if (!(slope < 0.0)) continue;
      double lambda = 1.0;
      while (lambda >= options.min_step) {
        x_trial = *x + lambda * dir;
        residual(x_trial, &f_trial);
        ++result.function_evaluations;
        if (AllFinite(f_trial)) {
          const double merit = 0.5 * f_trial.squaredNorm();
          if (merit <= merit0 + 1e-4 * lambda * slope) {
            accepted = true;
            break;
          }
          // Quadratic model of the merit along dir, safeguarded.
          const double denom2 = 2.0 * (merit - merit0 - slope * lambda);
          const double next = denom2 > 0.0 ? -slope * lambda * lambda / denom2 : 0.5 * lambda;
          lambda = std::clamp(next, 0.1 * lambda, 0.5 * lambda);
        } else {
          lambda *= 0.25;
        }
      }
    }
    if (!accepted) {
      result.termination = SolverTermination::kDiverged;
      result.message =
          "line search could not reduce the residual (stalled at a "
          "non-solution)";
      return result;
    }
    *x = x_trial;
    f = f_trial;
    norm = ResidualNorm(f);
    if (!(norm <= options.divergence_limit)) {
      result.iterations = iter + 1;
      result.residual_norm = norm;
      result.termination = SolverTermination::kDiverged;
      result.message = "residual exceeded the divergence limit";
      return result;
    }
  }
}

Result<SolverResult> SolveFixedPoint(const VectorFunction& map, Eigen::VectorXd* x,
                                     const SolverOptions& options) {
  RB_RETURN_IF_ERROR(options.Validate());
  if (x == nullptr || x->size() == 0) {
    return Status::InvalidArgument("SolveFixedPoint needs a non-empty start point");
  }
  if (!x->allFinite()) {
    return Status::InvalidArgument("SolveFixedPoint: start point is not finite");
  }
  const Eigen::Index n = x->size();
  const int m = options.anderson_memory;
  const double beta = options.damping;
  SolverResult result;
  Eigen::VectorXd g(n), f(n), g_prev(n), f_prev(n);
  std::deque<Eigen::VectorXd> dF, dG;  // newest at the back

  map(*x, &g);
  ++result.function_evaluations;
  if (g.size() != n) {
    return Status::InvalidArgument(
        fmt::format("SolveFixedPoint: map has size {}, unknowns {}", g.size(), n));
  }
  f = g - *x;
  double norm = ResidualNorm(f);
  if (!std::isfinite(norm)) {
    result.termination = SolverTermination::kDiverged;
    result.residual_norm = norm;
    result.message = "map is not finite at the starting point";
    return result;
  }
  Eigen::VectorXd best_x = *x, best_g = g;
  double best_norm = norm;
  bool have_prev = false;

  for (int iter = 0;; ++iter) {
    if (StopIterating(iter, norm, options, result)) {
      if (result.termination == SolverTermination::kMaxIterations) {
        *x = best_x;  // the best iterate, not the last
        result.residual_norm = best_norm;
      }
      return result;
    }
    if (have_prev && m > 0) {
      dF.push_back(f - f_prev);
      dG.push_back(g - g_prev);
      if (static_cast<int>(dF.size()) > m) {
        dF.pop_front();
        dG.pop_front();
      }
    }
    Eigen::VectorXd x_next;
    bool accelerated = false;
    if (!dF.empty()) {
      const Eigen::Index k = static_cast<Eigen::Index>(dF.size());
      Eigen::MatrixXd F(n, k), G(n, k);
      for (Eigen::Index c = 0; c < k; ++c) {
        F.col(c) = dF[static_cast<size_t>(c)];
        G.col(c) = dG[static_cast<size_t>(c)];
      }
      Eigen::ColPivHouseholderQR<Eigen::MatrixXd> qr(F);
      qr.setThreshold(1e-12);
      if (qr.rank() == k) {
        const Eigen::VectorXd gamma = qr.solve(f);
        if (gamma.allFinite()) {
          x_next = (g - G * gamma) - (1.0 - beta) * (f - F * gamma);
          accelerated = x_next.allFinite();
        }
      } else {
        dF.clear();
        dG.clear();
        ++result.restarts;
      }
    }
    if (!accelerated) x_next = *x + beta * f;

    g_prev = g;
    f_prev = f;
    have_prev = true;
    *x = x_next;
    map(*x, &g);
    ++result.function_evaluations;
    f = g - *x;
    norm = ResidualNorm(f);
    if (!std::isfinite(norm) || norm > options.restart_growth * best_norm) {
      // Safeguard: return to the best iterate, forget the history and take a
      // plain damped step from there.
      ++result.restarts;
      dF.clear();
      dG.clear();
      have_prev = false;
      *x = best_x + beta * (best_g - best_x);
      map(*x, &g);
      ++result.function_evaluations;
      f = g - *x;
      norm = ResidualNorm(f);
      if (!std::isfinite(norm) || norm > options.divergence_limit) {
        result.iterations = iter + 1;
        result.residual_norm = norm;
        result.termination = SolverTermination::kDiverged;
        result.message = "fixed-point map diverged from the best iterate";
        *x = best_x;
        return result;
      }
    }
    if (norm < best_norm) {
      best_norm = norm;
      best_x = *x;
      best_g = g;
    }
  }
}

}  // namespace rebalance::ge
