// FixedEffects: dense 32-bit group codes per fixed-effect dimension.
//
// Built once from a Table and a formula's fixed-effect terms, then compacted
// in place as observations are dropped (singletons, separation), so every
// IRLS step reads one int32 array per dimension. Clusters of a clustered
// variance use the same type.
// Observations split over processes (distributed estimation): every process
// holds its own rows, and BuildGlobalFixedEffects gives every process the
// same codes (those a single process holding all rows would give) without
// any process seeing all rows; Compact, MarkSingletons and FixedEffectRank
// then take the Reducer and decide on global group counts.
#ifndef REBALANCE_ECON_FIXED_EFFECTS_H_
#define REBALANCE_ECON_FIXED_EFFECTS_H_

#include <cstdint>
#include <string>
#include <vector>

#include "rebalance/core/status.h"
#include "rebalance/data/formula.h"
#include "rebalance/data/table.h"
#include "rebalance/econ/reducer.h"

namespace rebalance::econ {

struct FixedEffects {
  int64_t num_obs = 0;
  // Per dimension: its name ("exporter^year"), the columns it combines, the
  // group code of every observation (0..num_groups-1, dense, in increasing
  // order of the identifier values) and one table row per group (for labels).
  // With global codes (BuildGlobalFixedEffects) a group's rows may all be on
  // other processes: group_row then indexes `labels` instead.
  std::vector<std::string> names;
  std::vector<std::vector<std::string>> columns;
  std::vector<std::vector<int32_t>> codes;
  std::vector<int32_t> num_groups;
  std::vector<std::vector<int64_t>> group_row;
  // Global codes only: the label of every group as first built (empty when
  // labels were not requested).
  std::vector<std::vector<std::string>> labels;

  int num_dims() const { return static_cast<int>(codes.size()); }
  int64_t total_groups() const;

  // Keeps the observations with keep[i] != 0 and renumbers the groups
  // densely (groups that lose all their observations disappear). With a
  // distributed `reducer` a group disappears only when it has lost its
  // observations on every process, so the codes stay global.
  // threads: at most this many threads (0 = all cores).
  void Compact(const std::vector<uint8_t>& keep, Reducer* reducer = nullptr, int threads = 0);

  // Number of observations in every group of dimension q.
  std::vector<int64_t> GroupCounts(int q) const;

  // Label of group g of dimension q, e.g. "USA^1990".
  std::string Label(const data::Table& table, int q, int32_t g) const;
};

// Builds the codes of `terms` for the table rows `rows` (every row must be
// non-missing in the term's columns). String or integer columns are accepted;
// a floating-point column must hold integral values. The rows are split over
// `threads` threads (0 = all cores); the codes do not depend on it.
Result<FixedEffects> BuildFixedEffects(const data::Table& table,
                                       const std::vector<data::FixedEffectTerm>& terms,
                                       const std::vector<int64_t>& rows, int threads = 0);

// The same codes as BuildFixedEffects on the rows of all processes together,
// when each process passes its own table and rows: integer identifiers take
// dense codes in increasing value order over the union of every process's
// values (all-gathered once per column), string identifiers the codes of the
// global dictionary (every process's dictionary merged in process order, so
// with processes holding consecutive parts of a file it is the whole file's
// first-appearance order, as for one process), and an interaction a^b
// combines global codes as one process does. With `with_labels` every group's
// label is kept in FixedEffects::labels. Every process must call it with the
// same terms; an error on one process (a non-integer identifier) is returned
// on every process, naming the row as first_row + row + 1 (first_row: the
// index in the whole input of this process's first table row). A
// non-distributed reducer gives BuildFixedEffects.
Result<FixedEffects> BuildGlobalFixedEffects(const data::Table& table,
                                             const std::vector<data::FixedEffectTerm>& terms,
                                             const std::vector<int64_t>& rows, Reducer& reducer,
                                             bool with_labels, int64_t first_row);

// Replaces int64 keys by dense codes 0..G-1 in increasing key order; returns
// G. first_obs[g] is the first observation of group g.
int32_t DenseCodes(const std::vector<int64_t>& keys, std::vector<int32_t>& codes,
                   std::vector<int64_t>& first_obs);

// One-dimensional FixedEffects with a single group (the intercept).
FixedEffects InterceptOnly(int64_t num_obs, int64_t first_row);

// Observations that are alone in their group in some dimension, found
// iteratively (dropping one singleton can create another). Returns the number
// marked (on this process); keep[i] is set to 0 for them. A distributed
// `reducer` sums the group counts over processes at every pass, so the
// observations marked are those one process holding all rows would mark.
// threads: at most this many threads (0 = all cores).
int64_t MarkSingletons(const FixedEffects& fe, std::vector<uint8_t>& keep,
                       Reducer* reducer = nullptr, int threads = 0);

// Rank of the fixed-effect dummy matrix as Stata's reghdfe counts it: exact
// for the first two dimensions (G1 + G2 - connected components), one
// redundant level for every further dimension. A distributed `reducer`
// joins the connected components found on every process.
int64_t FixedEffectRank(const FixedEffects& fe, Reducer* reducer = nullptr);

}  // namespace rebalance::econ

#endif  // REBALANCE_ECON_FIXED_EFFECTS_H_
