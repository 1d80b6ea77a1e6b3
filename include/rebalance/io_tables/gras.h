// GRAS matrix balancing with block constraints of stated reliability.
//
// Problem. Given a prior matrix A (n x m, entries of any sign) and K
// constraints "the sum of X over block B_k equals t_k", where a block is the
// Cartesian product of a row set and a column set (a whole row, a whole
// column, or e.g. the goods rows of country A times the intermediate and
// final-demand columns of country B), find X closest to A in the GRAS sense:
//
//   min  sum_ij |a_ij| z_ij ln(z_ij / e),  z_ij = x_ij / a_ij        (1)
//   s.t. sum_{ij in B_k} x_ij = t_k      for exact constraints
//
// (Junius & Oosterhaven 2003, ESR 15(1), eq. 13, with the correction "/ e"
// of Lenzen, Wood & Gallego 2007, ESR 19(4), and the treatment of rows or
// columns without positive entries of Temurshoev, Miller & Bouwmeester 2013,
// ESR 25(3), "A note on the GRAS method"). Cells keep their sign; zero cells
// stay zero. The first-order conditions give
//
//   x_ij = a_ij exp( sign(a_ij) sum_{k: ij in B_k} lambda_k )          (2)
//
// i.e. positive cells are multiplied and negative cells divided by the
// product of the factors r_k = exp(lambda_k) of the blocks they lie in. With
// rows and columns only this is TMB's r-hat P s-hat - r-hat^-1 N s-hat^-1.
//
// Algorithm: cyclic coordinate ascent on the dual (Bregman's method; with
// rows and columns it is exactly GRAS's alternating row and column step).
// For an exact constraint, with P = sum of the positive cells of the block
// and N = sum of |negative cells|, the factor solving P r - N / r = t is
// r = (t + sqrt(t^2 + 4 P N)) / (2 P) (TMB 2013, eq. 6 and 7; r = -N / t when
// P = 0, r = t / P when N = 0).
//
// Conflicting constraints (KRAS, Lenzen, Gallego & Wood 2009, ESR 21(1), let
// each constraint carry a reliability). Here a constraint may carry a
// relative standard error s_k > 0 (soft): instead of holding exactly, it adds
// the penalty
//
//   |t_k| ((c_k - t_k) / t_k)^2 / (2 s_k^2),    c_k = sum over B_k of x  (3)
//
// to (1). Moving every cell of a block by a small relative amount d costs
// about |t| d^2 / 2 in (1), so s_k = 1 makes a relative miss of the target as
// costly as a uniform relative move of its cells, and s_k = 0.01 makes it
// 10,000 times as costly. The first-order conditions keep the form (2) with
// lambda_k = (t_k - c_k) / (s_k^2 |t_k|), and the coordinate step solves
// c_k(lambda_k) + s_k^2 |t_k| lambda_k = t_k (monotone; safeguarded Newton).
// Exact constraints that contradict each other have no solution; soft ones
// always do (the dual is strictly concave in their multipliers). This is a
// reliability-weighted minimum-information problem, not KRAS's exact
// algorithm (which adjusts conflicting targets within their standard errors
// step by step); the reliabilities play the same role.
//
// Conflict detection (before iterating, on the exact constraints; the
// result lists them and the termination says so, never silently):
//   - a block whose cells are all zero with a non-zero target;
//   - a block whose non-zero cells all have one sign and a target of the
//     other sign (GRAS keeps signs); a target of 0 there is met by setting
//     those cells to 0 before iterating (the minimum of (1), which scaling
//     reaches only in the limit; GrasOptions::zero_targets, listed in
//     GrasResult::zeroed), or is a conflict with zero_targets = false;
//   - two groups of constraints (GrasConstraint::group; the members of one
//     group must be disjoint) that cover the same cells with different
//     totals, e.g. row totals and column totals with different grand totals;
//   - a block inside the union of a group's members whose remainder (the
//     members' cells outside the block) has cells of one sign only while the
//     remainder's total (sum of the members' targets - the block's target) has
//     the other sign or is zero, e.g. goods exports of A to B above the total
//     output of A's goods sectors.
// After iterating, a run that does not reach the tolerance reports
// kMaxIterations with each constraint's error, so a conflict the checks
// cannot see (e.g. among three overlapping groups) still shows as a failure
// to converge with the offending constraints at the top of the error list.
//
// Limits. Blocks are row set x column set products (enough for rows,
// columns, bilateral and final-demand blocks); cells are dense (Eigen).
// Convergence of cyclic scaling can be slow when constraints are nearly
// contradictory; the iteration count and the error history say so.
#ifndef REBALANCE_IO_TABLES_GRAS_H_
#define REBALANCE_IO_TABLES_GRAS_H_

#include <cstdint>
#include <string>
#include <vector>

#include <Eigen/Dense>

#include "rebalance/core/status.h"

namespace rebalance::io_tables {

// One constraint: sum over rows x cols of X = target.
struct GrasConstraint {
  std::string name;       // shown in reports, e.g. "row USA_c1"
  std::string group;      // members of one group must be disjoint
  std::vector<int> rows;  // row indices (distinct)
  std::vector<int> cols;  // column indices (distinct)
  double target = 0;
  // Relative standard error of the target, see (3). 0 = exact.
  double relative_se = 0;
};

struct GrasOptions {
  // Convergence: every exact constraint's |c_k - t_k| and every soft one's
  // first-order residual |c_k - t_k + s_k^2 |t_k| lambda_k| at most
  // tolerance * max(|t_k|, sum over the block of |a|).
  double tolerance = 1e-10;
  // Sweeps over all constraints.
  int max_iterations = 10000;
  // How many cells to list in GrasResult::moved (largest |x - a|).
  int top_moved = 20;
  // A conflict is a difference larger than this, relative to the larger
  // total involved.
  double conflict_tolerance = 1e-9;
  // Keep iterating (best effort) when the checks find conflicting exact
  // constraints; otherwise stop before the first sweep.
  bool iterate_on_conflict = true;
  // An exact target of zero (within conflict_tolerance of its block's mass)
  // over cells of one sign sets those cells to 0 before iterating (the
  // minimum of (1), which the scaling steps reach only in the limit); listed
  // in GrasResult::zeroed. false: reported as a "sign" conflict instead.
  bool zero_targets = true;
  Status Validate() const;
};

enum class GrasTermination {
  kConverged,      // every constraint within tolerance
  kMaxIterations,  // not converged after max_iterations sweeps
  kConflicting,    // exact constraints contradict each other (see conflicts)
};
const char* ToString(GrasTermination t);

struct GrasConstraintReport {
  std::string name, group;
  double target = 0;
  double achieved = 0;        // sum over the block of the result
  double prior = 0;           // sum over the block of A
  double relative_error = 0;  // (achieved - target) / max(|target|, tiny)
  double relative_se = 0;
  double multiplier = 1;  // r_k = exp(lambda_k)
};

struct GrasConflict {
  std::string kind;                      // "empty_block", "sign", "group_totals", "remainder"
  std::vector<std::string> constraints;  // names involved
  double lhs = 0, rhs = 0;               // the two totals that should agree (or the sign)
  std::string message;
};

// Cells set to 0 because their block's exact target is zero (GrasOptions::
// zero_targets).
struct GrasZeroedBlock {
  std::string constraint;
  int64_t cells = 0;  // non-zero cells set to 0
  double prior = 0;   // their sum in the prior
};

struct GrasMovedCell {
  int row = 0, col = 0;
  double prior = 0, updated = 0;
};

struct GrasIteration {
  int iteration = 0;
  double max_relative_residual = 0;  // over constraints, measured in the sweep
  std::string worst_constraint;
};

struct GrasResult {
  Eigen::MatrixXd x;  // the balanced matrix
  GrasTermination termination = GrasTermination::kMaxIterations;
  std::string message;
  int iterations = 0;
  double max_relative_error = 0;                  // over exact constraints, final
  std::vector<GrasConstraintReport> constraints;  // in input order
  std::vector<GrasConflict> conflicts;
  std::vector<GrasZeroedBlock> zeroed;  // zero targets over one-sign cells
  std::vector<GrasMovedCell> moved;     // largest |x - a| first
  std::vector<GrasIteration> history;
  double seconds = 0;
  bool converged() const { return termination == GrasTermination::kConverged; }
  std::string BriefReport() const;
};

// Checks shapes and indices (Status on bad input), runs the conflict checks,
// then iterates. A is n x m; every index must be within it.
Result<GrasResult> Gras(const Eigen::MatrixXd& a, const std::vector<GrasConstraint>& constraints,
                        const GrasOptions& options = {});

// The conflict checks alone (exact constraints only).
std::vector<GrasConflict> FindGrasConflicts(const Eigen::MatrixXd& a,
                                            const std::vector<GrasConstraint>& constraints,
                                            double conflict_tolerance = 1e-9);

// Row-and-column GRAS (TMB 2013): row totals u (n) and column totals v (m),
// exact. Groups "row" and "column".
std::vector<GrasConstraint> RowColumnConstraints(const Eigen::VectorXd& u,
                                                 const Eigen::VectorXd& v);

}  // namespace rebalance::io_tables

#endif  // REBALANCE_IO_TABLES_GRAS_H_
