// Estimate(): the PPML / OLS-HDFE pipeline behind `rebalance estimate`.
//
// Steps, each counting what it drops (nothing is dropped silently):
//  1. `where` filter (dropped.filtered).
//  2. Missing values in any used column, including log() of a value <= 0
//     (dropped.missing); zero observation weights (dropped.zero_weight).
//     Negative outcomes (Poisson) and negative weights are errors naming the
//     row. So is an infinite cell (inf, -inf, or a number beyond the range of
//     double such as 1e999) in the outcome, a regressor's column, the weights
//     or the offset: infinity is never an observed value but an upstream
//     error (a division by zero, an exported log(0)), and dropping it as
//     "missing" would change the sample behind the user's back.
//  3. Repeated until nothing changes: for Poisson, fixed-effect groups with
//     an all-zero outcome (dropped.separated; this comes first, so an
//     observation alone in its group with y = 0 counts as separated);
//     singletons in any fixed-effect dimension, iteratively
//     (dropped.singleton); then the iterated-rectifier (ReLU) separation
//     check (dropped.separated; separation.cc).
//  4. IRLS (irls.cc) with the within-transformation of demean.cc;
//     collinear regressors are dropped and listed in result.collinear.
//  5. Variance (vcov.cc), log-likelihoods, fitted values.
//  6. Fixed-effect estimates: alternating projections (unit weights) of the
//     final eta - offset - x b onto the fixed effects, normalised so that the
//     first group of every dimension after the first is 0 (the first
//     dimension absorbs the level). With disconnected fixed-effect graphs
//     more normalisations would be needed; the values then are one of the
//     equivalent solutions (the fitted values are unaffected).
// With no fixed effects in the formula, an intercept is estimated as a
// one-group fixed effect named "(Intercept)".
// Distribution (econ::Distribution, `--distributed`): every process holds
// its own rows (a part of the input file) and runs every step on them; no
// process sees all rows. Steps 1-2 are row-local (an error on one process's
// row is returned on all of them, naming the row of the whole input). Group
// codes are global (BuildGlobalFixedEffects: the union of every process's
// identifier values, in the single-process order). In step 3 every decision
// uses group counts, zero-outcome flags and ReLU sums combined over
// processes, repeated until no process drops anything, so the dropped
// observations are those a single process holding all rows would drop. Steps 4-6 combine every sum
// over observations through the Reducer. Dropped counts and nobs are global totals; sample_rows,
// separated_rows and fitted are this process's share. Limits: the work split follows the file; a
// --where that keeps one process's part only leaves the others idle (nothing is moved between
// processes).
// Threads: with options.threads = 0 (the default) a problem of fewer than
// kOneThreadRows rows (input rows, then estimation-sample rows) runs on one
// thread. Its parallel regions last microseconds, so every barrier costs more
// than the work it splits, and on a shared machine a thread descheduled by
// another process stalls each barrier for a scheduler time slice: a
// 4,761-row estimate took 2-5 s on two busy cores instead of 0.08 s. Larger
// problems keep all threads (and libgomp's default wait policy, which the
// program cannot change after start-up: OMP_WAIT_POLICY and GOMP_SPINCOUNT are
// read when libgomp is loaded).
#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <optional>
#include <set>

#include <fmt/format.h>
#include <omp.h>

#include "count_logs.h"
#include "demean.h"
#include "irls.h"
#include "parallel_sum.h"
#include "rebalance/core/huge_pages.h"
#include "rebalance/data/formula.h"
#include "rebalance/econ/fixed_effects.h"
#include "rebalance/econ/ppml.h"
#include "separation.h"
#include "vcov.h"
#include "vector_math.h"

namespace rebalance::econ {
namespace {

constexpr int64_t kOneThreadRows = 50000;

// The estimation sample in contiguous arrays.
struct Sample {
  std::vector<int64_t> rows;
  std::vector<double> x, pw, off;
  // The outcome: y_own, or (nothing dropped in selection) the table's own
  // column, not copied.
  const double* y = nullptr;
  std::vector<double> y_own;
  int k = 0;

  int64_t n() const { return static_cast<int64_t>(rows.size()); }

  void Compact(const std::vector<uint8_t>& keep, int threads) {
    const int64_t n_old = n();
    int64_t m = 0;
    for (uint8_t kf : keep) m += kf != 0;
    if (y_own.empty() && m > 0) {
      // The table's column is left as it is: the kept values go to a copy.
      y_own.resize(static_cast<size_t>(m));
      int64_t j = 0;
      for (int64_t i = 0; i < n_old; ++i) {
        if (keep[static_cast<size_t>(i)]) y_own[static_cast<size_t>(j++)] = y[i];
      }
      y = y_own.data();
    }
    double* yo = y_own.size() == static_cast<size_t>(n_old) ? y_own.data() : nullptr;
    // Two tasks: rows, y, weights and offsets; and the regressors, which
    // share one buffer and are moved in place column by column in order (a
    // column's new block never overlaps an unread value of a later column).
#pragma omp parallel sections num_threads(std::min(threads, 2))
    {
#pragma omp section
      {
        int64_t j = 0;
        for (int64_t i = 0; i < n_old; ++i) {
          if (!keep[static_cast<size_t>(i)]) continue;
          rows[static_cast<size_t>(j)] = rows[static_cast<size_t>(i)];
          if (yo) yo[j] = yo[i];
          if (!pw.empty()) pw[static_cast<size_t>(j)] = pw[static_cast<size_t>(i)];
          if (!off.empty()) off[static_cast<size_t>(j)] = off[static_cast<size_t>(i)];
          ++j;
        }
      }
#pragma omp section
      {
        for (int c = 0; c < k; ++c) {
          int64_t j = 0;
          for (int64_t i = 0; i < n_old; ++i) {
            if (keep[static_cast<size_t>(i)])
              x[static_cast<size_t>(c * m + j++)] = x[static_cast<size_t>(c * n_old + i)];
          }
        }
      }
    }
    rows.resize(static_cast<size_t>(m));
    if (yo) y_own.resize(static_cast<size_t>(m));
    y = y_own.data();
    if (!pw.empty()) pw.resize(static_cast<size_t>(m));
    if (!off.empty()) off.resize(static_cast<size_t>(m));
    x.resize(static_cast<size_t>(m * k));
  }
};

std::string SourceName(const data::Table& table) {
  return table.source.empty() ? std::string("<table>") : table.source;
}

Result<const data::Column*> NumericColumn(const data::Table& table, const std::string& name,
                                          const char* role) {
  RB_ASSIGN_OR_RETURN(const data::Column* col, table.GetColumn(name));
  if (col->type == data::ColumnType::kString) {
    return Status::InvalidArgument(
        fmt::format("{}: the {} column '{}' holds text; a numeric column is required",
                    SourceName(table), role, name));
  }
  return col;
}

double NormalTwoSidedP(double z) { return std::erfc(std::fabs(z) / std::sqrt(2.0)); }

// Dropped counts summed over processes.
DroppedCounts GlobalDropped(const DroppedCounts& d, Reducer& reducer) {
  int64_t v[5] = {d.missing, d.filtered, d.singleton, d.separated, d.zero_weight};
  reducer.SumInt64s(v, 5);
  DroppedCounts g;
  g.missing = v[0], g.filtered = v[1], g.singleton = v[2], g.separated = v[3], g.zero_weight = v[4];
  return g;
}

// Frees the values of column `name` of `owned` (nullptr: the table is not
// ours, nothing is freed).
void ReleaseColumn(data::Table* owned, const std::string& name) {
  if (owned == nullptr) return;
  const int idx = owned->FindColumn(name);
  if (idx < 0) return;
  data::Column& c = owned->mutable_columns()[static_cast<size_t>(idx)];
  std::vector<double>().swap(c.f64);
  std::vector<int64_t>().swap(c.i64);
  std::vector<int32_t>().swap(c.codes);
  std::vector<uint8_t>().swap(c.missing);
}

Result<EstimateResult> EstimateImpl(const data::Table& table, data::Table* owned,
                                    const EstimateOptions& options,
                                    const Distribution& distribution);

}  // namespace

Result<EstimateResult> Estimate(const data::Table& table, const EstimateOptions& options) {
  return EstimateImpl(table, nullptr, options, Distribution{});
}

Result<EstimateResult> Estimate(data::Table&& table, const EstimateOptions& options) {
  return EstimateImpl(table, &table, options, Distribution{});
}

Result<EstimateResult> Estimate(const data::Table& table, const EstimateOptions& options,
                                const Distribution& distribution) {
  return EstimateImpl(table, nullptr, options, distribution);
}

namespace {

// owned: the same table when the caller gave it up (its columns are freed
// after their last use), else nullptr.
Result<EstimateResult> EstimateImpl(const data::Table& table, data::Table* owned,
                                    const EstimateOptions& options,
                                    const Distribution& distribution) {
  const auto t0 = std::chrono::steady_clock::now();
  if (distribution.size < 1 || distribution.rank < 0 || distribution.rank >= distribution.size ||
      (distribution.size > 1 && distribution.reducer == nullptr) || distribution.first_row < 0) {
    return Status::InvalidArgument(
        fmt::format("distributed estimation: invalid rank {} of {} processes", distribution.rank,
                    distribution.size));
  }
  Reducer* reducer = distribution.reducer ? distribution.reducer : &LocalReducer();
  // Each process holds its own rows: decisions use global counts.
  const bool split = distribution.size > 1;
  Reducer* global = split ? reducer : nullptr;  // for the per-group helpers
  const int64_t first_row = distribution.first_row;
  RB_RETURN_IF_ERROR(options.Validate());
  RB_ASSIGN_OR_RETURN(data::Formula formula, data::ParseFormula(options.formula));
  RB_ASSIGN_OR_RETURN(VcovSpec vspec, ParseVcov(options.vcov));
  const int64_t num_rows = table.num_rows();
  int threads = options.threads > 0         ? options.threads
                : num_rows < kOneThreadRows ? 1
                                            : omp_get_max_threads();
  const bool poisson = options.family == Family::kPoisson;
  IterationLog log(options.iteration_callback, t0);
  auto phase = [&](const char* what) {
    IterationRecord r;
    r.seconds = log.Seconds();
    r.text = fmt::format("[{:8.3f} s] {}", r.seconds, what);
    log.Add(std::move(r));
  };
  reducer->Phase("sample selection");

  EstimateResult res;
  res.formula = formula.ToString();
  res.family = options.family;
  res.vcov_type = vspec.text;
  std::vector<uint8_t> keep(static_cast<size_t>(num_rows), 1);
  Sample s;
  // Design columns: one per coefficient (an i() term gives one per level).
  if (split) {
    for (const auto& t : formula.regressors) {
      if (t.kind == data::Term::Kind::kFactor) {
        return Status::InvalidArgument(
            fmt::format("regressor '{}': i() dummies are not supported in distributed "
                        "estimation (each process would see its own levels)",
                        t.text));
      }
    }
  }
  // The levels of i() terms come from the --where sample (as fixest's subset).
  std::vector<uint8_t> where_rows;
  bool factors = false;
  for (const auto& t : formula.regressors) factors = factors || t.kind == data::Term::Kind::kFactor;
  if (factors && !options.where.empty()) {
    RB_ASSIGN_OR_RETURN(data::Filter filter, data::ParseFilter(options.where));
    RB_ASSIGN_OR_RETURN(where_rows, data::EvaluateFilter(table, filter));
  }
  RB_ASSIGN_OR_RETURN(
      std::vector<data::DesignColumn> design,
      data::ExpandRegressors(table, formula, where_rows.empty() ? nullptr : &where_rows));
  s.k = static_cast<int>(design.size());
  const int k = s.k;
  const data::Column* ycol = nullptr;
  const data::Column* wcol = nullptr;
  const data::Column* ocol = nullptr;
  std::vector<data::TermReader> xs;  // regressors, read row by row

  // Steps 1-2 are row-local; with several processes an error on one of them
  // (a negative outcome on its rows) is returned on all of them.
  auto select = [&]() -> Status {
    // 1. Filter.
    if (!options.where.empty()) {
      RB_ASSIGN_OR_RETURN(data::Filter filter, data::ParseFilter(options.where));
      RB_ASSIGN_OR_RETURN(keep, data::EvaluateFilter(table, filter));
      for (uint8_t kf : keep) res.dropped.filtered += kf == 0;
    }

    // 2. Columns and missing values.
    RB_ASSIGN_OR_RETURN(ycol, NumericColumn(table, formula.lhs, "outcome"));
    for (const auto& d : design) xs.push_back(d.reader);
    if (!options.weights.empty()) {
      RB_ASSIGN_OR_RETURN(wcol, NumericColumn(table, options.weights, "weights"));
    }
    if (!options.offset.empty()) {
      RB_ASSIGN_OR_RETURN(ocol, NumericColumn(table, options.offset, "offset"));
    }
    std::vector<const data::Column*> id_cols;
    for (const auto& fe : formula.fixed_effects) {
      for (const auto& c : fe.columns) {
        RB_ASSIGN_OR_RETURN(const data::Column* col, table.GetColumn(c));
        id_cols.push_back(col);
      }
    }
    for (const auto& c : vspec.cluster_columns) {
      RB_ASSIGN_OR_RETURN(const data::Column* col, table.GetColumn(c));
      id_cols.push_back(col);
    }

    // Columns whose cells must not be infinite (value columns of the model).
    std::vector<std::pair<const data::Column*, std::string>> value_cols;
    value_cols.emplace_back(ycol, "outcome '" + formula.lhs + "'");
    for (const auto& term : formula.regressors) {
      for (const auto& c : term.Columns()) {
        RB_ASSIGN_OR_RETURN(const data::Column* col, table.GetColumn(c));
        value_cols.emplace_back(col, "regressor column '" + c + "'");
      }
    }
    if (wcol) value_cols.emplace_back(wcol, "weight '" + options.weights + "'");
    if (ocol) value_cols.emplace_back(ocol, "offset '" + options.offset + "'");

    // What the row pass need not read (the same decisions, made per column):
    // only floating-point cells can be infinite; an integer column without a
    // missing cell, or a regressor that is such a column as it is, is always
    // finite; an identifier column without a missing cell is never missing.
    std::vector<size_t> inf_cols, x_checked;
    for (size_t v = 0; v < value_cols.size(); ++v) {
      if (value_cols[v].first->type == data::ColumnType::kF64) inf_cols.push_back(v);
    }
    for (int c = 0; c < k; ++c) {
      const data::Term& term = formula.regressors[design[static_cast<size_t>(c)].term];
      const int idx = term.kind == data::Term::Kind::kColumn ? table.FindColumn(term.column) : -1;
      const data::Column* col = idx >= 0 ? &table.columns()[static_cast<size_t>(idx)] : nullptr;
      if (col == nullptr || col->type != data::ColumnType::kI64 || !col->missing.empty())
        x_checked.push_back(static_cast<size_t>(c));
    }
    std::erase_if(id_cols, [](const data::Column* col) { return col->missing.empty(); });

    // Rows in `threads` fixed blocks: the first pass clears keep[] for
    // dropped rows and counts, the second lists the kept rows in order. The
    // first bad row (lowest index) decides the error.
    enum class Bad { kNone, kNegativeOutcome, kNegativeWeight, kInfinite };
    struct Block {
      int64_t kept = 0, missing = 0, zero_weight = 0;
      int64_t bad_row = -1;
      Bad bad = Bad::kNone;
      double bad_value = 0;
      size_t bad_col = 0;
    };
    std::vector<Block> blocks(static_cast<size_t>(threads));
#pragma omp parallel num_threads(threads)
    {
      const int tid = omp_get_thread_num();
      const int nt = omp_get_num_threads();
      Block& b = blocks[static_cast<size_t>(tid)];
      const int64_t begin = num_rows * tid / nt, end = num_rows * (tid + 1) / nt;
      for (int64_t r = begin; r < end; ++r) {
        if (!keep[static_cast<size_t>(r)]) continue;
        for (const size_t v : inf_cols) {
          const data::Column* col = value_cols[v].first;
          if (!col->IsMissing(r) && std::isinf(col->f64[static_cast<size_t>(r)])) {
            b.bad = Bad::kInfinite, b.bad_row = r, b.bad_col = v;
            b.bad_value = col->f64[static_cast<size_t>(r)];
            break;
          }
        }
        if (b.bad != Bad::kNone) break;
        const double yv = ycol->AsDouble(r);
        bool missing = !std::isfinite(yv);
        for (const size_t c : x_checked) missing = missing || !std::isfinite(xs[c](r));
        if (wcol && !missing) missing = !std::isfinite(wcol->AsDouble(r));
        if (ocol && !missing) missing = !std::isfinite(ocol->AsDouble(r));
        for (const auto* col : id_cols) missing = missing || col->IsMissing(r);
        if (missing) {
          keep[static_cast<size_t>(r)] = 0;
          ++b.missing;
          continue;
        }
        if (poisson && yv < 0) {
          b.bad = Bad::kNegativeOutcome, b.bad_row = r, b.bad_value = yv;
          break;
        }
        if (wcol) {
          const double wv = wcol->AsDouble(r);
          if (wv < 0) {
            b.bad = Bad::kNegativeWeight, b.bad_row = r, b.bad_value = wv;
            break;
          }
          if (wv == 0) {
            keep[static_cast<size_t>(r)] = 0;
            ++b.zero_weight;
            continue;
          }
        }
        ++b.kept;
      }
    }
    size_t total = 0;
    for (const Block& b : blocks) {
      if (b.bad == Bad::kNegativeOutcome) {
        return Status::InvalidArgument(
            fmt::format("{}: row {}: outcome '{}' is negative ({}); Poisson regression needs "
                        "y >= 0",
                        SourceName(table), first_row + b.bad_row + 1, formula.lhs, b.bad_value));
      }
      if (b.bad == Bad::kInfinite) {
        return Status::InvalidArgument(
                   fmt::format(
                       "{}: row {}: {} is {} infinite (a cell written as 'inf', or a number beyond "
                       "the range of double such as 1e999); infinite values are not dropped as "
                       "missing: fix the input, or leave the row out with where",
                       SourceName(table), first_row + b.bad_row + 1, value_cols[b.bad_col].second,
                       b.bad_value > 0 ? "positive" : "negative"))
            .WithOptions({"where"});
      }
      if (b.bad == Bad::kNegativeWeight) {
        return Status::InvalidArgument(fmt::format("{}: row {}: weight '{}' is negative ({})",
                                                   SourceName(table), first_row + b.bad_row + 1,
                                                   options.weights, b.bad_value));
      }
      res.dropped.missing += b.missing;
      res.dropped.zero_weight += b.zero_weight;
      total += static_cast<size_t>(b.kept);
    }
    if (total == static_cast<size_t>(num_rows)) {
      // Every row kept: written once (no zero fill first).
      core::AppendGenerated(s.rows, total, [](size_t i) { return static_cast<int64_t>(i); });
      return Status::Ok();
    }
    core::ResizeHuge(s.rows, total);
#pragma omp parallel num_threads(threads)
    {
      const int tid = omp_get_thread_num();
      const int nt = omp_get_num_threads();
      const int64_t begin = num_rows * tid / nt, end = num_rows * (tid + 1) / nt;
      size_t j = 0;
      for (int t = 0; t < tid; ++t) j += static_cast<size_t>(blocks[static_cast<size_t>(t)].kept);
      for (int64_t r = begin; r < end; ++r) {
        if (keep[static_cast<size_t>(r)]) s.rows[j++] = r;
      }
    }
    return Status::Ok();
  };
  RB_RETURN_IF_ERROR(AgreeOnStatus(select(), *reducer));
  keep = std::vector<uint8_t>();  // s.rows lists the kept rows
  // Observations over all processes.
  auto global_n = [&]() {
    int64_t m = s.n();
    if (split) reducer->SumInt64s(&m, 1);
    return m;
  };
  const int64_t n0 = s.n();
  if (global_n() == 0) {
    const DroppedCounts d = split ? GlobalDropped(res.dropped, *reducer) : res.dropped;
    return Status::FailedPrecondition(
        fmt::format("{}: every observation was dropped before estimation ({} filtered, {} "
                    "with missing values, {} with zero weight)",
                    SourceName(table), d.filtered, d.missing, d.zero_weight));
  }
  // Columns read again later: the regressors' (reload_x, the fixed-effect
  // recovery) and, for their labels, the fixed effects'. With a table given
  // up by the caller (owned) every other column is freed once the fixed
  // effects are coded.
  std::set<std::string> reg_cols, fe_cols;
  for (const auto& t : formula.regressors) {
    for (const auto& c : t.Columns()) reg_cols.insert(c);
  }
  for (const auto& f : formula.fixed_effects) fe_cols.insert(f.columns.begin(), f.columns.end());
  auto read_later = [&](const std::string& name) {
    return reg_cols.count(name) > 0 || (options.keep_fixed_effects && fe_cols.count(name) > 0);
  };
  // Nothing dropped: the outcome is the table's column (8 bytes a row less).
  const bool y_view = n0 == num_rows && ycol->type == data::ColumnType::kF64;
  bool y_in_table = y_view;  // s.y points into the table
  if (y_view) {
    s.y = ycol->f64.data();
  } else {
    core::ResizeHuge(s.y_own, static_cast<size_t>(n0));
    s.y = s.y_own.data();
  }
  // The regressors column by column, each value written once (no zero fill).
  s.x.clear();
  core::ReserveHuge(s.x, static_cast<size_t>(n0 * k));
  for (int c = 0; c < k; ++c) {
    const data::TermReader& x = xs[static_cast<size_t>(c)];
    if (n0 == num_rows) {  // every row kept: s.rows[i] == i
      core::AppendGenerated(s.x, static_cast<size_t>(n0),
                            [&](size_t i) { return x(static_cast<int64_t>(i)); });
    } else {
      core::AppendGenerated(s.x, static_cast<size_t>(n0), [&](size_t i) { return x(s.rows[i]); });
    }
  }
  if (wcol) s.pw.resize(static_cast<size_t>(n0));
  if (ocol) s.off.resize(static_cast<size_t>(n0));
  if (!y_view || wcol || ocol) {
#pragma omp parallel for num_threads(threads) schedule(static)
    for (int64_t i = 0; i < n0; ++i) {
      const int64_t r = s.rows[static_cast<size_t>(i)];
      if (!y_view) s.y_own[static_cast<size_t>(i)] = ycol->AsDouble(r);
      if (wcol) s.pw[static_cast<size_t>(i)] = wcol->AsDouble(r);
      if (ocol) s.off[static_cast<size_t>(i)] = ocol->AsDouble(r);
    }
  }
  // A table given up by the caller: its outcome column is taken over (the
  // values stay where they are) unless a column read later is the same.
  if (y_view && owned != nullptr && reg_cols.count(formula.lhs) == 0 &&
      fe_cols.count(formula.lhs) == 0 &&
      std::find(vspec.cluster_columns.begin(), vspec.cluster_columns.end(), formula.lhs) ==
          vspec.cluster_columns.end()) {
    const int idx = owned->FindColumn(formula.lhs);
    s.y_own = std::move(owned->mutable_columns()[static_cast<size_t>(idx)].f64);
    s.y = s.y_own.data();
    y_in_table = false;
  }

  phase("sample selected");
  reducer->Phase("fixed effects");
  // Fixed effects (or the intercept) and clusters.
  FixedEffects fe;
  if (formula.fixed_effects.empty()) {
    // "y ~ 0 + x" (no constant): zero fixed-effect dimensions.
    if (formula.intercept) {
      fe = InterceptOnly(n0, n0 > 0 ? s.rows[0] : 0);
      if (split) fe.num_groups[0] = 1;  // the global sample is not empty
    } else {
      fe.num_obs = n0;
    }
  } else if (split) {
    RB_ASSIGN_OR_RETURN(fe, BuildGlobalFixedEffects(table, formula.fixed_effects, s.rows, *reducer,
                                                    options.keep_fixed_effects, first_row));
  } else {
    RB_ASSIGN_OR_RETURN(fe, BuildFixedEffects(table, formula.fixed_effects, s.rows, threads));
  }
  FixedEffects clusters;
  if (vspec.type == VcovType::kCluster) {
    std::vector<data::FixedEffectTerm> terms;
    for (const auto& c : vspec.cluster_columns) terms.push_back({{c}, c});
    if (split) {
      RB_ASSIGN_OR_RETURN(
          clusters, BuildGlobalFixedEffects(table, terms, s.rows, *reducer, false, first_row));
    } else {
      RB_ASSIGN_OR_RETURN(clusters, BuildFixedEffects(table, terms, s.rows, threads));
    }
  }

  if (owned != nullptr) {
    std::vector<std::string> names;
    for (const auto& c : owned->columns()) names.push_back(c.name);
    for (const auto& name : names) {
      if (!read_later(name) && !(y_in_table && name == formula.lhs)) {
        ReleaseColumn(owned, name);
      }
    }
  }

  phase("fixed effects built");
  reducer->Phase("singletons and separation");
  // 3. Singletons and separation, until nothing changes (on any process).
  auto compact = [&](const std::vector<uint8_t>& k_mask) {
    s.Compact(k_mask, threads);
    fe.Compact(k_mask, global, threads);
    if (clusters.num_dims() > 0) clusters.Compact(k_mask, global, threads);
    clusters.num_obs = s.n();
  };
  auto any_process = [&](int64_t v) {
    if (split) reducer->SumInt64s(&v, 1);
    return v;
  };
  const bool has_fe = !formula.fixed_effects.empty();
  int64_t n_left = global_n();
  // Set by the last rectifier run, which is on the final sample.
  std::optional<std::vector<int>> noncollinear;
  // The rectifier demeans s.x in place (IRLS then starts from those values:
  // M_w (x - D a) = M_w x); a later run, after rows were dropped, reads the raw
  // regressors again, since its collinearity check scales by their sums of
  // squares.
  bool x_raw = true;
  auto reload_x = [&]() {
    const int64_t m = s.n();
#pragma omp parallel for num_threads(threads) schedule(static)
    for (int64_t i = 0; i < m; ++i) {
      const int64_t r = s.rows[static_cast<size_t>(i)];
      for (int c = 0; c < k; ++c)
        s.x[static_cast<size_t>(c * m + i)] = xs[static_cast<size_t>(c)](r);
    }
    x_raw = true;
  };
  // Only singletons drop observations with y > 0: after a pass that dropped
  // none, no group can have lost its last positive outcome, and the
  // zero-outcome check is not repeated (one process: with several, every
  // process repeats it, as they must take the same branches).
  bool positives_changed = true;
  for (;;) {
    std::vector<uint8_t> mask(static_cast<size_t>(s.n()), 1);
    int64_t dropped = 0;
    if (poisson && options.check_separation && positives_changed) {
      positives_changed = split;
      const std::vector<uint8_t> before = mask;
      const int64_t zg = MarkZeroOutcomeGroups(fe, s.y, mask, global, threads);
      for (int64_t i = 0; i < s.n() && zg > 0; ++i) {
        if (before[static_cast<size_t>(i)] && !mask[static_cast<size_t>(i)]) {
          res.separated_rows.push_back(first_row + s.rows[static_cast<size_t>(i)]);
        }
      }
      res.dropped.separated += zg;
      dropped += zg;
    }
    // After the zero-outcome groups, so that an observation alone in its group
    // with y = 0 counts as separated (its fitted mean is 0), not as a
    // singleton.
    if (options.drop_singletons && has_fe) {
      const int64_t sing = MarkSingletons(fe, mask, global, threads);
      positives_changed = positives_changed || sing > 0;
      res.dropped.singleton += sing;
      dropped += sing;
    }
    if (any_process(dropped) > 0) {
      compact(mask);
      n_left = global_n();
      if (n_left == 0) break;
      continue;
    }
    if (!(poisson && options.check_separation)) break;
    std::vector<uint8_t> relu_mask(static_cast<size_t>(s.n()), 1);
    if (!x_raw) reload_x();
    x_raw = false;
    RB_ASSIGN_OR_RETURN(
        int64_t marked,
        MarkReluSeparated(fe, s.y, s.x, s.k, threads, options.max_separation_iterations, &log,
                          relu_mask, global, &noncollinear, options.eliminate_runs));
    if (any_process(marked) == 0) break;
    res.dropped.separated += marked;
    for (int64_t i = 0; i < s.n(); ++i) {
      if (!relu_mask[static_cast<size_t>(i)])
        res.separated_rows.push_back(first_row + s.rows[static_cast<size_t>(i)]);
    }
    compact(relu_mask);
    n_left = global_n();
    if (n_left == 0) break;
  }
  if (owned != nullptr && !options.keep_fixed_effects) {
    // The regressors' columns are read again only by the fixed-effect recovery.
    for (const auto& name : reg_cols) {
      if (!(y_in_table && name == formula.lhs)) ReleaseColumn(owned, name);
    }
  }
  if (split) res.dropped = GlobalDropped(res.dropped, *reducer);
  if (n_left == 0) {
    return Status::FailedPrecondition(
        fmt::format("{}: every observation was dropped ({} filtered, {} missing, {} "
                    "singleton, {} separated, {} zero weight)",
                    SourceName(table), res.dropped.filtered, res.dropped.missing,
                    res.dropped.singleton, res.dropped.separated, res.dropped.zero_weight));
  }
  const int64_t n = n_left;
  res.nobs = n;
  {
    IterationRecord r;
    r.kind = IterationRecord::Kind::kSample;
    r.text = fmt::format(
        "estimation sample: {} observations ({} filtered, {} missing, "
        "{} singleton, {} separated, {} zero weight)",
        n, res.dropped.filtered, res.dropped.missing, res.dropped.singleton, res.dropped.separated,
        res.dropped.zero_weight);
    log.Add(std::move(r));
  }

  phase("singletons and separation done");
  res.num_fe_params = FixedEffectRank(fe, global);
  reducer->Phase("irls");
  const int64_t n_local = s.n();
  if (options.threads == 0 && n_local < kOneThreadRows) threads = 1;
  EstimateOptions irls_options = options;
  irls_options.threads = threads;
  // 4. IRLS.
  Demeaner demeaner(&fe, threads, reducer, options.eliminate_runs);
  IrlsInput in;
  in.family = options.family;
  in.n = n_local;
  in.reducer = reducer;
  in.y = s.y;
  in.prior_w = s.pw.empty() ? nullptr : s.pw.data();
  in.offset = s.off.empty() ? nullptr : s.off.data();
  in.x = &s.x;
  in.k = s.k;
  if (noncollinear) in.kept = &*noncollinear;
  in.log = &log;
  IrlsOutput irls = RunIrls(in, irls_options, demeaner);
  res.termination = irls.termination;
  res.message = irls.message;
  res.iterations = irls.iterations;
  res.demean_iterations = irls.demean_iterations;
  res.deviance = irls.deviance;
  // The sample's rows, handed over (not copied) once nothing else reads s.rows.
  auto hand_over_rows = [&]() {
    res.sample_rows = std::move(s.rows);
    if (first_row != 0) {
      for (auto& r : res.sample_rows) r += first_row;
    }
  };
  std::sort(res.separated_rows.begin(), res.separated_rows.end());
  if (!res.converged()) {
    hand_over_rows();
    res.iteration_log = log.records();
    res.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    return res;
  }
  const int kk = static_cast<int>(irls.kept.size());
  for (int c = 0, j = 0; c < k; ++c) {
    if (j < kk && irls.kept[static_cast<size_t>(j)] == c) {
      ++j;
    } else {
      res.collinear.push_back(design[static_cast<size_t>(c)].name);
    }
  }

  phase("IRLS done");
  reducer->Phase("variance");
  // 5. Variance.
  const double* pw = in.prior_w;
  std::vector<double> score;
  core::ResizeHuge(score, static_cast<size_t>(n_local));
  // Fitted means (Poisson), kept for the log-likelihoods below.
  std::vector<double> mu;
  core::ResizeHuge(mu, poisson ? static_cast<size_t>(n_local) : 0);
  if (poisson) {
    // exp(eta) by ExpArray (glibc's libmvec), as IRLS's deviance pass.
    constexpr int64_t kPiece = 4096;
#pragma omp parallel for num_threads(threads) schedule(static)
    for (int64_t b = 0; b < n_local; b += kPiece) {
      ExpArray(irls.eta.data() + b, mu.data() + b, std::min(kPiece, n_local - b));
    }
  }
  // The residual sum of squares and, for the log-likelihoods below, the null
  // model's totals sum w, sum w y and sum w exp(offset), in one pass.
  const auto rss_totals = BlockSums<4>(n_local, threads, [&](int64_t i, double* acc) {
    const double yi = s.y[static_cast<size_t>(i)];
    const double eta = irls.eta[static_cast<size_t>(i)];
    const double wi = pw ? pw[i] : 1.0;
    double r;
    if (poisson) {
      r = yi - mu[static_cast<size_t>(i)];
    } else {
      r = yi - eta;
    }
    score[static_cast<size_t>(i)] = wi * r;
    acc[0] += wi * r * r;
    acc[1] += wi;
    acc[2] += wi * yi;
    acc[3] += wi * (s.off.empty() ? 1.0 : std::exp(s.off[static_cast<size_t>(i)]));
  });
  double rss = rss_totals[0];
  reducer->SumDoubles(&rss, 1);
  VcovInput vin;
  vin.family = options.family;
  vin.ssc = options.ssc;
  vin.n = n_local;
  vin.n_global = n;
  vin.reducer = reducer;
  vin.k = kk;
  vin.x = s.x.data();
  vin.w = irls.w.data();
  vin.score = score.data();
  vin.rss = rss;
  vin.xtwx = irls.xtwx;
  vin.fe_rank = res.num_fe_params;
  vin.fe = &fe;
  vin.clusters = vspec.type == VcovType::kCluster ? &clusters : nullptr;
  vin.threads = threads;
  RB_ASSIGN_OR_RETURN(VcovOutput vout, ComputeVcov(vspec, vin));
  res.vcov = vout.vcov;
  res.num_clusters = vout.min_clusters;
  if (vout.eigen_fixed) {
    res.message +=
        (res.message.empty() ? "" : "; ") + std::string(
                                                "multiway clustered variance was not positive "
                                                "semi-definite: negative eigenvalues set to 0");
  }
  constexpr double kZ975 = 1.959963984540054;
  for (int j = 0; j < kk; ++j) {
    Coefficient co;
    co.name = design[static_cast<size_t>(irls.kept[static_cast<size_t>(j)])].name;
    co.estimate = irls.beta(j);
    co.std_error = std::sqrt(std::max(0.0, res.vcov(j, j)));
    co.z = co.std_error > 0 ? co.estimate / co.std_error : 0.0;
    co.p_value = co.std_error > 0 ? NormalTwoSidedP(co.z) : 1.0;
    co.ci_low = co.estimate - kZ975 * co.std_error;
    co.ci_high = co.estimate + kZ975 * co.std_error;
    res.coefficients.push_back(co);
  }

  // Log-likelihoods. Null model: intercept (plus offset) only.
  {
    double totals[3] = {rss_totals[1], rss_totals[2], rss_totals[3]};
    reducer->SumDoubles(totals, 3);
    const double sw = totals[0], swy = totals[1], swe = totals[2];
    if (poisson) {
      const double c0 = std::log(swy / swe);
      const double mu0 = swy / swe;  // exp(c0): the null model's mean without offset
      const CountLogs count_logs;
      auto sums = BlockSums<3>(n_local, threads, [&](int64_t i, double* acc) {
        const double wi = pw ? pw[i] : 1.0;
        const double yi = s.y[static_cast<size_t>(i)];
        const double eta = irls.eta[static_cast<size_t>(i)];
        const double o = s.off.empty() ? 0.0 : s.off[static_cast<size_t>(i)];
        const double eta0 = c0 + o;
        const double m0 = s.off.empty() ? mu0 : std::exp(eta0);
        const double lg = count_logs.LogFactorial(yi);
        acc[0] += wi * (yi * eta - mu[static_cast<size_t>(i)] - lg);
        acc[1] += wi * (yi * eta0 - m0 - lg);
        acc[2] += 2 * wi * ((yi > 0 ? yi * (count_logs.Log(yi) - eta0) : 0.0) - (yi - m0));
      });
      reducer->SumDoubles(sums.data(), 3);
      const double ll = sums[0], ll0 = sums[1], dev0 = sums[2];
      res.loglik = ll;
      res.null_deviance = dev0;
      res.pseudo_r2 = ll0 != 0 ? 1 - ll / ll0 : 0.0;
    } else {
      const double ybar = swy / sw;
      double tss = BlockSums<1>(n_local, threads, [&](int64_t i, double* acc) {
        const double d = s.y[static_cast<size_t>(i)] - ybar;
        acc[0] += (pw ? pw[i] : 1.0) * d * d;
      })[0];
      reducer->SumDoubles(&tss, 1);
      const double nd = static_cast<double>(n);
      res.loglik = -0.5 * nd * (std::log(2 * M_PI * rss / nd) + 1);
      res.null_deviance = tss;
      res.r2 = tss > 0 ? 1 - rss / tss : 0.0;
      res.pseudo_r2 = res.r2;
    }
  }
  score.clear();
  score.shrink_to_fit();
  mu.clear();
  mu.shrink_to_fit();

  phase("variance done");
  reducer->Phase("fixed-effect recovery");
  // 6. Fixed effects and fitted values.
  if (options.keep_fixed_effects) {
    std::vector<double> part(static_cast<size_t>(n_local));
    for (int64_t i = 0; i < n_local; ++i) {
      part[static_cast<size_t>(i)] =
          irls.eta[static_cast<size_t>(i)] - (s.off.empty() ? 0.0 : s.off[static_cast<size_t>(i)]);
    }
    for (int j = 0; j < kk; ++j) {
      const data::TermReader& x = xs[static_cast<size_t>(irls.kept[static_cast<size_t>(j)])];
      for (int64_t i = 0; i < n_local; ++i) {
        part[static_cast<size_t>(i)] -= x(s.rows[static_cast<size_t>(i)]) * irls.beta(j);
      }
    }
    // Plain conjugate gradients from zero: with several connected components
    // of the fixed-effect graph (e.g. exporter^year + importer^year: one per
    // year) the coefficients are identified only up to one constant per
    // component and dimension, and CG from zero gives the minimum-norm ones,
    // which the normalisation below then shifts. The exact elimination of a
    // sorted dimension would pick another, equally valid, set.
    Demeaner unit(&fe, threads, reducer, /*eliminate_runs=*/false);
    unit.SetWeights(nullptr);
    std::vector<std::vector<double>> alpha(1);
    std::vector<double*> cols{part.data()};
    const DemeanReport r =
        unit.Demean(cols, alpha, options.demean_tolerance, options.max_demean_iterations);
    res.demean_iterations += r.iterations;
    double max_resid = 0, max_part = 0;
    for (int64_t i = 0; i < n_local; ++i)
      max_resid = std::max(max_resid, std::fabs(part[static_cast<size_t>(i)]));
    reducer->MaxDoubles(&max_resid, 1);
    for (double a : alpha[0]) max_part = std::max(max_part, std::fabs(a));
    if (!r.converged || max_resid > 1e-6 * (1 + max_part)) {
      res.message +=
          (res.message.empty() ? "" : "; ") + fmt::format(
                                                  "fixed-effect recovery is inaccurate (largest "
                                                  "residual {:.2e})",
                                                  max_resid);
    }
    const auto& off = demeaner.offsets();
    std::vector<double>& a = alpha[0];
    for (int q = 1; q < fe.num_dims(); ++q) {
      const double c0 = a[static_cast<size_t>(off[static_cast<size_t>(q)])];
      for (int64_t g = 0; g < fe.num_groups[q]; ++g)
        a[static_cast<size_t>(off[static_cast<size_t>(q)] + g)] -= c0;
      for (int64_t g = 0; g < fe.num_groups[0]; ++g) a[static_cast<size_t>(g)] += c0;
    }
    for (int q = 0; q < fe.num_dims(); ++q) {
      FixedEffectEstimates est;
      est.name = fe.names[static_cast<size_t>(q)];
      for (int32_t g = 0; g < fe.num_groups[q]; ++g) {
        est.labels.push_back(has_fe ? fe.Label(table, q, g) : std::string("(Intercept)"));
        est.values.push_back(a[static_cast<size_t>(off[static_cast<size_t>(q)] + g)]);
      }
      res.fixed_effects.push_back(std::move(est));
    }
  }
  if (options.keep_fitted) {
    res.fitted.resize(static_cast<size_t>(n_local));
    if (poisson) {
      ExpArray(irls.eta.data(), res.fitted.data(), n_local);  // the means above
    } else {
      std::copy(irls.eta.begin(), irls.eta.begin() + n_local, res.fitted.begin());
    }
  }
  hand_over_rows();
  phase("fixed effects recovered");
  reducer->Phase("");
  res.iteration_log = log.records();
  res.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return res;
}

}  // namespace

}  // namespace rebalance::econ
