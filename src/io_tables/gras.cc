// GRAS with block constraints; see include/rebalance/io_tables/gras.h for the
// problem, the papers and the conflict checks.
//
// Implementation notes. X is kept column-major (Eigen), and every block is
// visited column by column. The state is X itself plus one log multiplier
// lambda_k per constraint (needed for the soft constraints' first-order
// condition and reported as r_k = exp(lambda_k)). A sweep updates the
// groups in order of first appearance, the members of a group (disjoint)
// together; the residual of each constraint is measured
// just before its update, so a sweep whose largest residual is within the
// tolerance ends the iteration (the final errors are then recomputed
// exactly on the result).
#include "rebalance/io_tables/gras.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <map>
#include <queue>

#include <fmt/format.h>

namespace rebalance::io_tables {
namespace {

struct BlockSums {
  double pos = 0;  // sum of positive cells
  double neg = 0;  // sum of |negative cells|
  int64_t nonzero = 0;
};

BlockSums SumBlock(const Eigen::MatrixXd& x, const GrasConstraint& c) {
  BlockSums s;
  for (int j : c.cols) {
    const double* col = x.col(j).data();
    for (int i : c.rows) {
      const double v = col[i];
      if (v > 0) {
        s.pos += v;
        ++s.nonzero;
      } else if (v < 0) {
        s.neg -= v;
        ++s.nonzero;
      }
    }
  }
  return s;
}

void ScaleBlock(Eigen::MatrixXd* x, const GrasConstraint& c, double r) {
  const double inv = 1.0 / r;
  for (int j : c.cols) {
    double* col = x->col(j).data();
    for (int i : c.rows) {
      double& v = col[i];
      if (v > 0) {
        v *= r;
      } else if (v < 0) {
        v *= inv;
      }
    }
  }
}

// Weight of the soft penalty's first-order term: s^2 |t| (|t| replaced by the
// block's sum of |a| when the target is 0).
double SoftWeight(const GrasConstraint& c, double scale) {
  return c.relative_se * c.relative_se * scale;
}

// Solves P e^d - N e^-d + w (lambda + d) = t for d (w > 0): the left side is
// increasing without bound in both directions, so the root is bracketed by
// doubling and found by Newton steps kept inside the bracket.
double SolveSoftStep(double p, double n, double w, double lambda, double t) {
  auto g = [&](double d) { return p * std::exp(d) - n * std::exp(-d) + w * (lambda + d) - t; };
  auto dg = [&](double d) { return p * std::exp(d) + n * std::exp(-d) + w; };
  double lo = -1, hi = 1;
  while (g(lo) > 0 && lo > -700) lo *= 2;
  while (g(hi) < 0 && hi < 700) hi *= 2;
  double d = 0;
  if (d <= lo || d >= hi) d = 0.5 * (lo + hi);
  for (int it = 0; it < 200; ++it) {
    const double gd = g(d);
    if (gd == 0) break;
    if (gd > 0)
      hi = d;
    else
      lo = d;
    double next = d - gd / dg(d);
    if (!(next > lo && next < hi)) next = 0.5 * (lo + hi);
    if (std::abs(next - d) <= 1e-15 * (1 + std::abs(d))) {
      d = next;
      break;
    }
    d = next;
  }
  return d;
}

std::string Names(const std::vector<GrasConstraint>& cs, const std::vector<int>& idx,
                  size_t max_names = 4) {
  std::string out;
  for (size_t i = 0; i < idx.size() && i < max_names; ++i) {
    if (i) out += ", ";
    out += cs[idx[i]].name;
  }
  if (idx.size() > max_names) out += fmt::format(", ... ({} in all)", idx.size());
  return out;
}

}  // namespace

Status GrasOptions::Validate() const {
  if (!(tolerance > 0) || !std::isfinite(tolerance)) {
    return Status::InvalidArgument(
        fmt::format("GrasOptions::tolerance = {} must be positive", tolerance));
  }
  if (max_iterations < 1) {
    return Status::InvalidArgument(
        fmt::format("GrasOptions::max_iterations = {} must be >= 1", max_iterations));
  }
  if (top_moved < 0) {
    return Status::InvalidArgument(
        fmt::format("GrasOptions::top_moved = {} must be >= 0", top_moved));
  }
  if (!(conflict_tolerance >= 0) || !std::isfinite(conflict_tolerance)) {
    return Status::InvalidArgument(
        fmt::format("GrasOptions::conflict_tolerance = {} must be >= 0", conflict_tolerance));
  }
  return Status::Ok();
}

const char* ToString(GrasTermination t) {
  switch (t) {
    case GrasTermination::kConverged:
      return "converged";
    case GrasTermination::kMaxIterations:
      return "max_iterations";
    case GrasTermination::kConflicting:
      return "conflicting";
  }
  return "unknown";
}

std::vector<GrasConstraint> RowColumnConstraints(const Eigen::VectorXd& u,
                                                 const Eigen::VectorXd& v) {
  std::vector<GrasConstraint> cs;
  std::vector<int> all_rows(u.size()), all_cols(v.size());
  for (int i = 0; i < u.size(); ++i) all_rows[i] = i;
  for (int j = 0; j < v.size(); ++j) all_cols[j] = j;
  for (int i = 0; i < u.size(); ++i) {
    cs.push_back({fmt::format("row {}", i + 1), "row", {i}, all_cols, u[i], 0});
  }
  for (int j = 0; j < v.size(); ++j) {
    cs.push_back({fmt::format("column {}", j + 1), "column", all_rows, {j}, v[j], 0});
  }
  return cs;
}

std::vector<GrasConflict> FindGrasConflicts(const Eigen::MatrixXd& a,
                                            const std::vector<GrasConstraint>& cs, double tol) {
  std::vector<GrasConflict> out;
  const int64_t n = a.rows();
  const int64_t cells = a.size();
  std::vector<BlockSums> sums(cs.size());
  std::vector<int> exact;
  for (size_t k = 0; k < cs.size(); ++k) {
    if (cs[k].relative_se > 0) continue;
    exact.push_back(static_cast<int>(k));
    sums[k] = SumBlock(a, cs[k]);
  }
  // Sign feasibility of a total over cells with positive mass p and negative
  // mass q: the message when `t` cannot be reached (empty string if it can).
  auto sign_problem = [&](double p, double q, double t, double scale) -> std::string {
    const double eps = tol * std::max(scale, 1e-300);
    if (p == 0 && q == 0) {
      return std::abs(t) > eps ? fmt::format("all cells are zero but the total must be {:.10g}", t)
                               : "";
    }
    if (q == 0 && t <= eps) {
      return fmt::format(
          "all non-zero cells are positive (sum {:.10g}) but the total must be {:.10g}", p, t);
    }
    if (p == 0 && t >= -eps) {
      return fmt::format(
          "all non-zero cells are negative (sum {:.10g}) but the total must be {:.10g}", -q, t);
    }
    return "";
  };
  for (int k : exact) {
    const auto& s = sums[k];
    std::string why =
        sign_problem(s.pos, s.neg, cs[k].target, std::max(std::abs(cs[k].target), s.pos + s.neg));
    if (!why.empty()) {
      out.push_back({s.nonzero == 0 ? "empty_block" : "sign",
                     {cs[k].name},
                     s.pos - s.neg,
                     cs[k].target,
                     fmt::format("constraint '{}': {}", cs[k].name, why)});
    }
  }
  // Groups of exact constraints and the owner of each cell in each group.
  std::map<std::string, std::vector<int>> groups;
  for (int k : exact) groups[cs[k].group].push_back(k);
  if (groups.size() < 1) return out;
  std::vector<std::string> gnames;
  std::vector<std::vector<int32_t>> owner;
  for (const auto& [g, members] : groups) {
    gnames.push_back(g);
    std::vector<int32_t> own(cells, -1);
    for (int k : members) {
      for (int j : cs[k].cols) {
        for (int i : cs[k].rows) own[static_cast<int64_t>(j) * n + i] = k;
      }
    }
    owner.push_back(std::move(own));
  }
  const int num_groups = static_cast<int>(gnames.size());
  // Group against group: the cells (non-zero in A) covered by g1 inside
  // those covered by g2; the remainder must be able to carry the difference.
  for (int g1 = 0; g1 < num_groups; ++g1) {
    for (int g2 = 0; g2 < num_groups; ++g2) {
      if (g1 == g2) continue;
      bool inside = true;
      double rem_p = 0, rem_q = 0;
      for (int64_t c = 0; c < cells && inside; ++c) {
        const double v = a.data()[c];
        if (v == 0) continue;
        const bool in1 = owner[g1][c] >= 0, in2 = owner[g2][c] >= 0;
        if (in1 && !in2) inside = false;
        if (!in1 && in2) (v > 0 ? rem_p : rem_q) += std::abs(v);
      }
      if (!inside) continue;
      // Members of g2 partly outside g1's cells add their whole target; the
      // remainder masses count exactly the cells outside g1.
      double t1 = 0, t2 = 0, scale = 0;
      for (int k : groups[gnames[g1]])
        t1 += cs[k].target, scale = std::max(scale, std::abs(cs[k].target));
      for (int k : groups[gnames[g2]])
        t2 += cs[k].target, scale = std::max(scale, std::abs(cs[k].target));
      scale = std::max({scale, std::abs(t1), std::abs(t2)});
      if (g1 > g2 && rem_p == 0 && rem_q == 0) continue;  // same cells: reported once
      std::string why = sign_problem(rem_p, rem_q, t2 - t1, scale);
      if (why.empty()) continue;
      GrasConflict c;
      c.kind = "group_totals";
      c.constraints = {gnames[g1], gnames[g2]};
      c.lhs = t1;
      c.rhs = t2;
      if (rem_p == 0 && rem_q == 0) {
        c.message = fmt::format(
            "groups '{}' and '{}' cover the same cells but their totals differ: {:.10g} vs "
            "{:.10g} (difference {:.6g})",
            gnames[g1], gnames[g2], t1, t2, t2 - t1);
      } else {
        c.message = fmt::format(
            "group '{}' (total {:.10g}) lies inside group '{}' (total {:.10g}); the cells "
            "between them: {}",
            gnames[g1], t1, gnames[g2], t2, why);
      }
      out.push_back(std::move(c));
    }
  }
  // A block inside the union of some members of another group.
  std::vector<char> seen;
  for (int k : exact) {
    for (int g = 0; g < num_groups; ++g) {
      if (gnames[g] == cs[k].group) continue;
      const auto& own = owner[g];
      std::vector<int> members;
      bool covered = true, any = false;
      for (int j : cs[k].cols) {
        for (int i : cs[k].rows) {
          const int64_t c = static_cast<int64_t>(j) * n + i;
          if (a.data()[c] == 0) continue;
          any = true;
          if (own[c] < 0) {
            covered = false;
            break;
          }
          if (members.empty() || members.back() != own[c]) members.push_back(own[c]);
        }
        if (!covered) break;
      }
      if (!covered || !any) continue;
      std::sort(members.begin(), members.end());
      members.erase(std::unique(members.begin(), members.end()), members.end());
      double p = -sums[k].pos, q = -sums[k].neg, t = -cs[k].target, scale = std::abs(cs[k].target);
      for (int m : members) {
        p += sums[m].pos;
        q += sums[m].neg;
        t += cs[m].target;
        scale = std::max(scale, std::abs(cs[m].target));
      }
      // Rounding of the masses: treat tiny leftovers as zero.
      const double mass = p + q + sums[k].pos + sums[k].neg;
      if (std::abs(p) <= 1e-12 * mass) p = 0;
      if (std::abs(q) <= 1e-12 * mass) q = 0;
      std::string why = sign_problem(p, q, t, scale);
      if (why.empty()) continue;
      std::vector<int> involved = {k};
      involved.insert(involved.end(), members.begin(), members.end());
      GrasConflict c;
      c.kind = "remainder";
      for (int m : involved) c.constraints.push_back(cs[m].name);
      c.lhs = cs[k].target;
      c.rhs = t + cs[k].target;
      c.message = fmt::format(
          "constraint '{}' (target {:.10g}) lies inside {} of group '{}' (total {:.10g}); the "
          "rest of their cells: {}",
          cs[k].name, cs[k].target, Names(cs, members), gnames[g], t + cs[k].target, why);
      out.push_back(std::move(c));
    }
  }
  return out;
}

Result<GrasResult> Gras(const Eigen::MatrixXd& a, const std::vector<GrasConstraint>& cs,
                        const GrasOptions& options) {
  const auto start = std::chrono::steady_clock::now();
  RB_RETURN_IF_ERROR(options.Validate());
  if (!a.allFinite()) return Status::NumericalError("GRAS: the prior matrix has non-finite cells");
  const int n = static_cast<int>(a.rows()), m = static_cast<int>(a.cols());
  for (size_t k = 0; k < cs.size(); ++k) {
    const auto& c = cs[k];
    const std::string label =
        c.name.empty() ? fmt::format("constraint {}", k + 1) : "constraint '" + c.name + "'";
    if (c.rows.empty() || c.cols.empty()) return Status::InvalidArgument(label + " has no cells");
    for (int i : c.rows) {
      if (i < 0 || i >= n)
        return Status::InvalidArgument(fmt::format("{}: row {} outside 0..{}", label, i, n - 1));
    }
    for (int j : c.cols) {
      if (j < 0 || j >= m)
        return Status::InvalidArgument(fmt::format("{}: column {} outside 0..{}", label, j, m - 1));
    }
    auto dup = [](std::vector<int> v) {
      std::sort(v.begin(), v.end());
      return std::adjacent_find(v.begin(), v.end()) != v.end();
    };
    if (dup(c.rows) || dup(c.cols))
      return Status::InvalidArgument(label + " lists a row or column twice");
    if (!std::isfinite(c.target))
      return Status::InvalidArgument(label + " has a non-finite target");
    if (!(c.relative_se >= 0) || !std::isfinite(c.relative_se)) {
      return Status::InvalidArgument(
          fmt::format("{}: relative_se = {} must be >= 0", label, c.relative_se));
    }
  }
  // Members of a group must be disjoint.
  {
    std::map<std::string, std::vector<int>> groups;
    for (size_t k = 0; k < cs.size(); ++k) groups[cs[k].group].push_back(static_cast<int>(k));
    std::vector<int32_t> own;
    for (const auto& [g, members] : groups) {
      if (members.size() < 2) continue;
      own.assign(static_cast<size_t>(n) * m, -1);
      for (int k : members) {
        for (int j : cs[k].cols) {
          for (int i : cs[k].rows) {
            int32_t& o = own[static_cast<int64_t>(j) * n + i];
            if (o >= 0) {
              return Status::InvalidArgument(
                  fmt::format("constraints '{}' and '{}' of group '{}' overlap (row {}, column "
                              "{}); the members of a group "
                              "must be disjoint (put overlapping constraints in different groups)",
                              cs[o].name, cs[k].name, g, i, j));
            }
            o = k;
          }
        }
      }
    }
  }

  GrasResult r;
  // Exact targets of zero (|t| <= conflict_tolerance x the block's mass) over
  // cells of one sign: the objective (1) is continuous at z = 0 (z ln(z/e) ->
  // 0), so the minimum puts every such cell at 0, a limit the scaling steps
  // only approach. Those cells are set to 0 first and listed (r.zeroed);
  // repeated because zeroing can leave another such block.
  Eigen::MatrixXd zeroed_prior;
  const Eigen::MatrixXd* prior = &a;
  for (bool changed = options.zero_targets; changed;) {
    changed = false;
    for (const auto& c : cs) {
      if (c.relative_se > 0) continue;
      const BlockSums s = SumBlock(*prior, c);
      if (s.nonzero == 0 || (s.pos > 0 && s.neg > 0)) continue;
      if (std::abs(c.target) > options.conflict_tolerance * (s.pos + s.neg)) continue;
      if (prior != &zeroed_prior) {
        zeroed_prior = a;
        prior = &zeroed_prior;
      }
      for (int j : c.cols) {
        for (int i : c.rows) zeroed_prior(i, j) = 0;
      }
      r.zeroed.push_back({c.name, s.nonzero, s.pos - s.neg});
      changed = true;
    }
  }
  const Eigen::MatrixXd& p = *prior;
  r.conflicts = FindGrasConflicts(p, cs, options.conflict_tolerance);
  const int num_k = static_cast<int>(cs.size());
  std::vector<double> scale(num_k), weight(num_k), lambda(num_k, 0.0);
  for (int k = 0; k < num_k; ++k) {
    const BlockSums s = SumBlock(p, cs[k]);
    scale[k] = std::max(std::abs(cs[k].target), s.pos + s.neg);
    if (scale[k] == 0) scale[k] = 1;  // empty block with target 0: nothing to do
    weight[k] = SoftWeight(cs[k], std::abs(cs[k].target) > 0 ? std::abs(cs[k].target) : scale[k]);
  }
  r.x = p;
  const bool conflicting = !r.conflicts.empty();
  if (!conflicting || options.iterate_on_conflict) {
    // Disjoint members of a group do not interact, so a group is updated at
    // once; a group covering at least a quarter of the cells is swept in two
    // sequential passes over X with an owner array (rows of a column-major
    // matrix would otherwise be read with a stride), the others block by
    // block. Groups go in order of first appearance.
    struct SweepGroup {
      std::vector<int> members;
      std::vector<int32_t> owner;  // dense groups: local member index or -1
    };
    std::vector<SweepGroup> sweep;
    {
      std::map<std::string, int> index;
      for (int k = 0; k < num_k; ++k) {
        auto [it, fresh] = index.emplace(cs[k].group, static_cast<int>(sweep.size()));
        if (fresh) sweep.emplace_back();
        sweep[it->second].members.push_back(k);
      }
      for (auto& g : sweep) {
        int64_t covered = 0;
        for (int k : g.members)
          covered += static_cast<int64_t>(cs[k].rows.size()) * cs[k].cols.size();
        if (g.members.size() < 2 || covered * 4 < a.size()) continue;
        g.owner.assign(a.size(), -1);
        for (size_t l = 0; l < g.members.size(); ++l) {
          const auto& c = cs[g.members[l]];
          for (int j : c.cols) {
            for (int i : c.rows) g.owner[static_cast<int64_t>(j) * n + i] = static_cast<int32_t>(l);
          }
        }
      }
    }
    // Log factor of constraint k given its block's sums (0: no step).
    auto step = [&](int k, const BlockSums& s) {
      const double t = cs[k].target;
      double d = 0;
      if (weight[k] > 0) {
        d = SolveSoftStep(s.pos, s.neg, weight[k], lambda[k], t);
      } else if (s.pos > 0 && s.neg > 0) {
        d = std::log((t + std::sqrt(t * t + 4 * s.pos * s.neg)) / (2 * s.pos));
      } else if (s.pos > 0 && t > 0) {
        d = std::log(t / s.pos);
      } else if (s.neg > 0 && t < 0) {
        d = std::log(-s.neg / t);
      }  // else: unreachable target (reported by the checks)
      return std::isfinite(d) ? d : 0.0;
    };
    std::vector<BlockSums> sums;
    std::vector<double> factor;
    for (int it = 1; it <= options.max_iterations; ++it) {
      double worst = 0;
      int worst_k = -1;
      auto residual = [&](int k, const BlockSums& s) {
        const double res =
            std::abs(s.pos - s.neg - cs[k].target + weight[k] * lambda[k]) / scale[k];
        if (res > worst) {
          worst = res;
          worst_k = k;
        }
      };
      for (const auto& g : sweep) {
        if (g.owner.empty()) {
          for (int k : g.members) {
            const BlockSums s = SumBlock(r.x, cs[k]);
            residual(k, s);
            const double d = step(k, s);
            if (d == 0) continue;
            lambda[k] += d;
            ScaleBlock(&r.x, cs[k], std::exp(d));
          }
          continue;
        }
        const size_t num_m = g.members.size();
        sums.assign(num_m, BlockSums());
        double* xd = r.x.data();
        const int64_t cells = r.x.size();
        for (int64_t c = 0; c < cells; ++c) {
          const int32_t o = g.owner[c];
          if (o < 0) continue;
          const double v = xd[c];
          if (v > 0) {
            sums[o].pos += v;
          } else if (v < 0) {
            sums[o].neg -= v;
          }
        }
        factor.assign(num_m, 1.0);
        bool any = false;
        for (size_t l = 0; l < num_m; ++l) {
          const int k = g.members[l];
          residual(k, sums[l]);
          const double d = step(k, sums[l]);
          if (d == 0) continue;
          lambda[k] += d;
          factor[l] = std::exp(d);
          any = true;
        }
        if (!any) continue;
        for (int64_t c = 0; c < cells; ++c) {
          const int32_t o = g.owner[c];
          if (o < 0) continue;
          double& v = xd[c];
          if (v > 0) {
            v *= factor[o];
          } else if (v < 0) {
            v /= factor[o];
          }
        }
      }
      r.iterations = it;
      r.history.push_back({it, worst, worst_k >= 0 ? cs[worst_k].name : std::string()});
      if (worst <= options.tolerance) break;
      if (it % 64 == 0 && !r.x.allFinite()) {
        r.message = "cells overflowed while iterating (the constraints cannot be met)";
        break;
      }
    }
  }
  // Final errors on the result.
  r.max_relative_error = 0;
  double max_soft_residual = 0;
  for (int k = 0; k < num_k; ++k) {
    const auto& c = cs[k];
    const BlockSums s = SumBlock(r.x, c), s0 = SumBlock(a, c);
    GrasConstraintReport rep;
    rep.name = c.name;
    rep.group = c.group;
    rep.target = c.target;
    rep.achieved = s.pos - s.neg;
    rep.prior = s0.pos - s0.neg;
    rep.relative_error = (rep.achieved - c.target) / std::max(std::abs(c.target), 1e-300);
    rep.relative_se = c.relative_se;
    rep.multiplier = std::exp(lambda[k]);
    const double dev = std::abs(rep.achieved - c.target) / scale[k];
    if (weight[k] > 0) {
      max_soft_residual = std::max(
          max_soft_residual, std::abs(rep.achieved - c.target + weight[k] * lambda[k]) / scale[k]);
    } else {
      r.max_relative_error = std::max(r.max_relative_error, dev);
    }
    r.constraints.push_back(std::move(rep));
  }
  const bool finite = r.x.allFinite();
  const bool met = finite && r.max_relative_error <= options.tolerance * 10 &&
                   max_soft_residual <= options.tolerance * 10;
  if (conflicting) {
    r.termination = GrasTermination::kConflicting;
    r.message = fmt::format("{} conflict(s) among the exact constraints (first: {}); {}",
                            r.conflicts.size(), r.conflicts.front().message,
                            options.iterate_on_conflict
                                ? fmt::format("best effort after {} sweeps, largest error {:.3g}",
                                              r.iterations, r.max_relative_error)
                                : "not iterated");
  } else if (met &&
             (r.history.empty() || r.history.back().max_relative_residual <= options.tolerance)) {
    r.termination = GrasTermination::kConverged;
    r.message = fmt::format(
        "converged in {} sweeps; largest error of an exact constraint {:.3g} (relative)",
        r.iterations, r.max_relative_error);
  } else {
    r.termination = GrasTermination::kMaxIterations;
    if (r.message.empty()) {
      r.message = fmt::format(
          "not converged after {} sweeps: largest relative residual {:.3g} (tolerance {:.3g}); "
          "the constraints with the largest errors may contradict each other",
          r.iterations, r.history.empty() ? 0.0 : r.history.back().max_relative_residual,
          options.tolerance);
    }
  }
  // Cells that moved most (absolute change).
  if (options.top_moved > 0) {
    using Item = std::pair<double, int64_t>;
    std::priority_queue<Item, std::vector<Item>, std::greater<>> heap;
    for (int64_t c = 0; c < a.size(); ++c) {
      const double d = std::abs(r.x.data()[c] - a.data()[c]);
      if (d == 0 || !std::isfinite(d)) continue;
      if (static_cast<int>(heap.size()) < options.top_moved) {
        heap.push({d, c});
      } else if (d > heap.top().first) {
        heap.pop();
        heap.push({d, c});
      }
    }
    while (!heap.empty()) {
      const int64_t c = heap.top().second;
      heap.pop();
      r.moved.push_back(
          {static_cast<int>(c % n), static_cast<int>(c / n), a.data()[c], r.x.data()[c]});
    }
    std::reverse(r.moved.begin(), r.moved.end());
  }
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return r;
}

std::string GrasResult::BriefReport() const {
  std::string out = fmt::format("GRAS: {} ({} sweeps, {:.3f} s): {}", ToString(termination),
                                iterations, seconds, message);
  if (!zeroed.empty()) {
    int64_t cells = 0;
    for (const auto& z : zeroed) cells += z.cells;
    out += fmt::format("; {} zero target(s) over cells of one sign: {} cells set to 0 (first: {})",
                       zeroed.size(), cells, zeroed.front().constraint);
  }
  return out;
}

}  // namespace rebalance::io_tables
