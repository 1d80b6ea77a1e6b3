// Shared nonlinear solver tools of the GE models (DESIGN.md, "Solvers").
//
// The solvers know nothing of economics: a model supplies a residual
// function F(x) (Newton) or a fixed-point map G(x) (Anderson), a starting
// point (a warm start when re-solving a nearby problem, e.g. a Monte Carlo
// draw), and options. Every outcome of the mathematics is a field of
// SolverResult (kConverged / kMaxIterations / kDiverged); only invalid
// options make a call fail with a Status. Nothing here throws.
//
// Algorithms:
// - Newton's method with a backtracking (Armijo) line search on the merit
//   function 0.5 * |F|^2 (Dennis & Schnabel 1996, ch. 6). The Jacobian is
//   supplied analytically or approximated by forward differences; a singular
//   or non-finite step falls back to a steepest-descent direction.
// - Anderson acceleration of a fixed point x = G(x) (Anderson 1965; Walker &
//   Ni 2011, "Anderson acceleration for fixed-point iterations", SIAM J.
//   Numer. Anal. 49(4)), type II with memory m, damping beta, solved by a
//   column-pivoted QR least squares. Safeguards: the history is cleared
//   (a "restart") when the least-squares problem is ill conditioned or the
//   accelerated step increases the residual beyond `restart_growth` times the
//   best residual seen, in which case a plain damped step is taken.
#ifndef REBALANCE_GE_SOLVER_H_
#define REBALANCE_GE_SOLVER_H_

#include <Eigen/Dense>
#include <functional>
#include <string>

#include "rebalance/core/options.h"
#include "rebalance/core/status.h"

namespace rebalance::ge {

enum class SolverTermination {
  kConverged,      // residual norm <= tolerance
  kMaxIterations,  // iteration limit reached first: not a solution
  kDiverged,       // residual became non-finite or grew past the limit
};
const char* ToString(SolverTermination termination);
Result<SolverTermination> SolverTerminationFromString(const std::string& s);

// Residual F(x) (Newton) or fixed-point map G(x) (Anderson): writes the
// output (same size as x) into *out. A model signals that x lies outside
// its domain by writing non-finite values; the solvers then backtrack
// (Newton) or restart (Anderson) instead of accepting the point.
using VectorFunction = std::function<void(const Eigen::VectorXd& x, Eigen::VectorXd* out)>;
// Jacobian dF/dx at x, written into *jacobian (n x n).
using JacobianFunction = std::function<void(const Eigen::VectorXd& x, Eigen::MatrixXd* jacobian)>;

struct SolverOptions {
  // Convergence: ResidualNorm(F(x)) <= tolerance for Newton, and
  // ResidualNorm(G(x) - x) <= tolerance for fixed points. Models scale their
  // residuals (e.g. log market-clearing gaps) so this is a relative error.
  double tolerance = 1e-11;
  // Iteration limit; reaching it gives kMaxIterations.
  int max_iterations = 200;
  // Anderson: number of previous iterates kept (0 = plain damped iteration).
  int anderson_memory = 6;
  // Anderson: mixing parameter beta in (0, 1]; x+ = x + beta * (G(x) - x)
  // for the plain step and the analogous mix for the accelerated step.
  double damping = 1.0;
  // Anderson: a step whose residual exceeds restart_growth times the best
  // residual so far clears the history and falls back to a damped step.
  double restart_growth = 10.0;
  // Newton: smallest line-search step fraction before giving up the step.
  double min_step = 1e-10;
  // Newton: relative forward-difference step for the numerical Jacobian.
  double fd_step = 1e-7;
  // Both: a residual norm above this (or non-finite) is divergence.
  double divergence_limit = 1e12;

  // Every option within its record's bounds (SolverOptionTable), and
  // divergence_limit above the tolerance.
  Status Validate() const;
};

// The registry of SolverOptions (core/options.h).
const core::OptionTable<SolverOptions>& SolverOptionTable();

struct SolverResult {
  SolverTermination termination = SolverTermination::kMaxIterations;
  int iterations = 0;
  int function_evaluations = 0;
  int restarts = 0;  // Anderson history resets / Newton gradient fallbacks
  double residual_norm = 0.0;
  std::string message;

  bool converged() const { return termination == SolverTermination::kConverged; }
  // "converged in 7 iterations, residual 3.1e-14"
  std::string BriefReport() const;
};

// Max-abs norm used for every convergence test.
double ResidualNorm(const Eigen::VectorXd& residual);

// Solves F(x) = 0 by Newton's method with backtracking. *x is the starting
// point (warm start) and receives the last iterate. `jacobian` may be empty,
// in which case forward differences are used (n extra F evaluations).
[[nodiscard]] Result<SolverResult> SolveNewton(const VectorFunction& residual, Eigen::VectorXd* x,
                                               const SolverOptions& options,
                                               const JacobianFunction& jacobian = {});

// Solves x = G(x) by Anderson-accelerated (safeguarded) iteration. *x is the
// starting point and receives the last iterate.
[[nodiscard]] Result<SolverResult> SolveFixedPoint(const VectorFunction& map, Eigen::VectorXd* x,
                                                   const SolverOptions& options);

// Forward-difference Jacobian of `f` at x (used by SolveNewton; exposed so
// models can test their analytic Jacobians against it).
void FiniteDifferenceJacobian(const VectorFunction& f, const Eigen::VectorXd& x,
                              const Eigen::VectorXd& fx, double relative_step,
                              Eigen::MatrixXd* jacobian);

}  // namespace rebalance::ge

#endif  // REBALANCE_GE_SOLVER_H_
