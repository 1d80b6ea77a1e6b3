// Dense group codes for fixed effects (fixest's "quf" idea).
//
// Every identifier column becomes an int64 key per observation (integer
// values as they are, text as its dictionary code); an interaction a^b^c
// combines the dense codes of its parts as code_a * G_b + code_b, ... and is
// densified again. Densifying uses a direct lookup table when the key range
// is small (at most max(4n, 2^24) slots) and a sort of (key, observation)
// pairs otherwise, so codes are always in increasing key order: results do
// not depend on the order of the rows. Singletons are found iteratively
// (Correia 2015, "Singletons, cluster-robust standard errors and fixed
// effects: a bad mix"); the rank of the dummy matrix uses connected
// components of the bipartite graph of the first two dimensions (Abowd,
// Creecy & Kramarz 2002), as reghdfe does.
// Global codes (observations split over processes): each process densifies
// its own keys, the sorted unique keys are all-gathered and merged, and every
// local code is mapped to its place in the merged list, so the codes are the
// single-process ones; the volume is the number of distinct keys, not rows.
// String identifiers first map to a global dictionary (the processes'
// dictionaries merged in process order). Singletons, group presence and the
// connected components then combine per-group counts or union-find forests
// over processes.
#include "rebalance/econ/fixed_effects.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstring>
#include <limits>
#include <map>
#include <numeric>
#include <string_view>
#include <unordered_map>

#include <fmt/format.h>
#include <omp.h>

#include "rebalance/core/huge_pages.h"

namespace rebalance::econ {
namespace {

// The rows [begin, end) of thread `tid` of `nt` in a loop over n items.
inline int64_t BlockBegin(int64_t n, int tid, int nt) { return n * tid / nt; }

// Replaces the keys key(0..n-1) by dense codes 0..G-1 in increasing key order
// (into codes, resized to n); returns G and the first observation of every
// group. key(i) may read codes[i] (an interaction of earlier codes): the
// lookup path writes a new array, and the sort path stores the keys first.
// The key range and the keys present are found with rows split over
// `threads` threads in fixed blocks, the codes written on one thread, once
// each (no zero fill first); they do not depend on the split.
template <class KeyFn>
int32_t DensifyBy(int64_t n, KeyFn key, std::vector<int32_t>& codes,
                  std::vector<int64_t>& first_obs, int threads) {
  first_obs.clear();
  if (n == 0) {
    codes.clear();
    return 0;
  }
  const int nt = std::max(1, std::min<int>(threads, static_cast<int>((n + 65535) / 65536)));
  std::vector<int64_t> lo(static_cast<size_t>(nt), std::numeric_limits<int64_t>::max()),
      hi(static_cast<size_t>(nt), std::numeric_limits<int64_t>::min());
#pragma omp parallel num_threads(nt)
  {
    const int tid = omp_get_thread_num(), nth = omp_get_num_threads();
    int64_t mn = std::numeric_limits<int64_t>::max(), mx = std::numeric_limits<int64_t>::min();
    for (int64_t i = BlockBegin(n, tid, nth); i < BlockBegin(n, tid + 1, nth); ++i) {
      const int64_t k = key(i);
      mn = std::min(mn, k), mx = std::max(mx, k);
    }
    lo[static_cast<size_t>(tid)] = mn, hi[static_cast<size_t>(tid)] = mx;
  }
  const int64_t mn = *std::min_element(lo.begin(), lo.end());
  const int64_t mx = *std::max_element(hi.begin(), hi.end());
  const uint64_t range = static_cast<uint64_t>(mx) - static_cast<uint64_t>(mn);
  const uint64_t limit = std::max<uint64_t>(static_cast<uint64_t>(4 * n), uint64_t{1} << 24);
  if (range < limit) {
    // Direct lookup: mark the keys present, number them in key order.
    std::vector<int32_t> slot(range + 1, -1);
#pragma omp parallel for num_threads(nt) schedule(static)
    for (int64_t i = 0; i < n; ++i) {
      std::atomic_ref<int32_t>(slot[static_cast<size_t>(key(i) - mn)])
          .store(0, std::memory_order_relaxed);
    }
    int32_t g = 0;
    for (auto& s : slot) {
      if (s == 0) s = g++;
    }
    // First observation of a group: the smallest i. The codes are written
    // once, in order (no zero fill first), to a new array: key(i) may read
    // the old one.
    first_obs.assign(static_cast<size_t>(g), std::numeric_limits<int64_t>::max());
    std::vector<int32_t> out;
    core::AppendGenerated(out, static_cast<size_t>(n), [&](size_t i) {
      const int32_t c = slot[static_cast<size_t>(key(static_cast<int64_t>(i)) - mn)];
      int64_t& first = first_obs[static_cast<size_t>(c)];
      first = std::min(first, static_cast<int64_t>(i));
      return c;
    });
    codes.swap(out);
    return g;
  }
  core::ResizeHuge(codes, static_cast<size_t>(n));
  std::vector<int64_t> keys(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) keys[static_cast<size_t>(i)] = key(i);
  std::vector<int64_t> order(static_cast<size_t>(n));
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](int64_t a, int64_t b) {
    return keys[static_cast<size_t>(a)] < keys[static_cast<size_t>(b)];
  });
  int32_t g = -1;
  int64_t prev = 0;
  for (int64_t k = 0; k < n; ++k) {
    const int64_t i = order[static_cast<size_t>(k)];
    const int64_t kv = keys[static_cast<size_t>(i)];
    if (k == 0 || kv != prev) {
      ++g;
      first_obs.push_back(i);
      prev = kv;
    }
    codes[static_cast<size_t>(i)] = g;
  }
  return g + 1;
}

// Replaces keys by dense codes 0..G-1 in increasing key order; returns G and
// the first observation of every group.
int32_t Densify(const std::vector<int64_t>& keys, std::vector<int32_t>& codes,
                std::vector<int64_t>& first_obs, int threads = 1) {
  codes.clear();
  return DensifyBy(
      static_cast<int64_t>(keys.size()), [&](int64_t i) { return keys[static_cast<size_t>(i)]; },
      codes, first_obs, threads);
}

// Checks that column `name` can serve as an identifier on `rows` (no missing
// value, integral values in a floating-point column), rows split over
// `threads` threads; the error names the first bad row.
Status CheckIdentifierRows(const data::Table& table, const data::Column& col,
                           const std::vector<int64_t>& rows, int threads) {
  const bool f64 = col.type == data::ColumnType::kF64;
  if (!f64 && col.missing.empty()) return Status::Ok();
  const int64_t n = static_cast<int64_t>(rows.size());
  const int nt = std::max(1, std::min<int>(threads, static_cast<int>((n + 65535) / 65536)));
  std::vector<int64_t> bad(static_cast<size_t>(nt), -1);  // first bad index per block
#pragma omp parallel num_threads(nt)
  {
    const int tid = omp_get_thread_num(), nth = omp_get_num_threads();
    for (int64_t k = BlockBegin(n, tid, nth); k < BlockBegin(n, tid + 1, nth); ++k) {
      const int64_t r = rows[static_cast<size_t>(k)];
      bool ok = !col.IsMissing(r);
      if (ok && f64) {
        const double v = col.f64[static_cast<size_t>(r)];
        ok = std::isfinite(v) && v == std::floor(v) && std::fabs(v) <= 9e15;
      }
      if (!ok) {
        bad[static_cast<size_t>(tid)] = k;
        break;
      }
    }
  }
  for (const int64_t k : bad) {
    if (k < 0) continue;
    const int64_t r = rows[static_cast<size_t>(k)];
    if (col.IsMissing(r)) {
      return Status::Internal(
          fmt::format("fixed-effect column '{}' is missing on a kept row", col.name));
    }
    return Status::InvalidArgument(
        fmt::format("{}: column '{}' is used as an identifier (fixed effect or "
                    "cluster) but row {} holds the non-integer value {}",
                    table.source.empty() ? "<table>" : table.source, col.name, r + 1,
                    col.f64[static_cast<size_t>(r)]));
  }
  return Status::Ok();
}

// Dense codes of column `col` on `rows` (checked by CheckIdentifierRows),
// its values read in place (no array of keys).
// every_row: rows[i] == i for every i (the table's rows read in order, not
// looked up in rows: half the bytes read).
int32_t DensifyColumn(const data::Column& col, const std::vector<int64_t>& rows, bool every_row,
                      std::vector<int32_t>& codes, std::vector<int64_t>& first_obs, int threads) {
  const int64_t n = static_cast<int64_t>(rows.size());
  if (every_row && col.type == data::ColumnType::kI64) {
    return DensifyBy(
        n, [&](int64_t i) { return col.i64[static_cast<size_t>(i)]; }, codes, first_obs, threads);
  }
  auto row = [&](int64_t i) { return static_cast<size_t>(rows[static_cast<size_t>(i)]); };
  switch (col.type) {
    case data::ColumnType::kString:
      return DensifyBy(
          n, [&](int64_t i) { return static_cast<int64_t>(col.codes[row(i)]); }, codes, first_obs,
          threads);
    case data::ColumnType::kI64:
      return DensifyBy(
          n, [&](int64_t i) { return col.i64[row(i)]; }, codes, first_obs, threads);
    case data::ColumnType::kF64:
      break;
  }
  return DensifyBy(
      n, [&](int64_t i) { return static_cast<int64_t>(col.f64[row(i)]); }, codes, first_obs,
      threads);
}

Status ColumnKeys(const data::Table& table, const std::string& name,
                  const std::vector<int64_t>& rows, std::vector<int64_t>& keys) {
  RB_ASSIGN_OR_RETURN(const data::Column* col, table.GetColumn(name));
  core::ResizeHuge(keys, rows.size());
  for (size_t k = 0; k < rows.size(); ++k) {
    const int64_t r = rows[k];
    if (col->IsMissing(r)) {
      return Status::Internal(
          fmt::format("fixed-effect column '{}' is missing on a kept row", name));
    }
    switch (col->type) {
      case data::ColumnType::kString:
        keys[k] = col->codes[static_cast<size_t>(r)];
        break;
      case data::ColumnType::kI64:
        keys[k] = col->i64[static_cast<size_t>(r)];
        break;
      case data::ColumnType::kF64: {
        const double v = col->f64[static_cast<size_t>(r)];
        if (!std::isfinite(v) || v != std::floor(v) || std::fabs(v) > 9e15) {
          return Status::InvalidArgument(
              fmt::format("{}: column '{}' is used as an identifier (fixed effect or "
                          "cluster) but row {} holds the non-integer value {}",
                          table.source.empty() ? "<table>" : table.source, name, r + 1, v));
        }
        keys[k] = static_cast<int64_t>(v);
        break;
      }
    }
  }
  return Status::Ok();
}

// --- Global codes (observations split over processes) -----------------------

template <typename T>
std::string_view AsBytes(const std::vector<T>& v) {
  return {reinterpret_cast<const char*>(v.data()), v.size() * sizeof(T)};
}

template <typename T>
void AppendFromBytes(const std::string& bytes, std::vector<T>& out) {
  const size_t count = bytes.size() / sizeof(T);
  const size_t old = out.size();
  out.resize(old + count);
  if (count > 0) std::memcpy(out.data() + old, bytes.data(), count * sizeof(T));
}

// Checks what ColumnKeys would reject (before any collective call, so that
// every process learns of an error on one of them).
Status CheckIdentifier(const data::Table& table, const std::string& name,
                       const std::vector<int64_t>& rows, int64_t first_row) {
  RB_ASSIGN_OR_RETURN(const data::Column* col, table.GetColumn(name));
  for (const int64_t r : rows) {
    if (col->IsMissing(r)) {
      return Status::Internal(
          fmt::format("fixed-effect column '{}' is missing on a kept row", name));
    }
    if (col->type != data::ColumnType::kF64) continue;
    const double v = col->f64[static_cast<size_t>(r)];
    if (!std::isfinite(v) || v != std::floor(v) || std::fabs(v) > 9e15) {
      return Status::InvalidArgument(
          fmt::format("{}: column '{}' is used as an identifier (fixed effect or "
                      "cluster) but row {} holds the non-integer value {}",
                      table.source.empty() ? "<table>" : table.source, name, first_row + r + 1, v));
    }
  }
  return Status::Ok();
}

// Dense codes 0..G-1 in increasing key order over the keys of every
// process; returns G. global_keys (optional) receives the G sorted keys.
int32_t GlobalDensify(const std::vector<int64_t>& keys, std::vector<int32_t>& codes,
                      Reducer& reducer, std::vector<int64_t>* global_keys) {
  std::vector<int64_t> first;
  const int32_t g_local = Densify(keys, codes, first);
  std::vector<int64_t> mine(static_cast<size_t>(g_local));
  for (int32_t g = 0; g < g_local; ++g) {
    mine[static_cast<size_t>(g)] = keys[static_cast<size_t>(first[static_cast<size_t>(g)])];
  }
  std::vector<std::string> all;
  reducer.AllGatherBytes(AsBytes(mine), all);
  std::vector<int64_t> merged;
  for (const auto& b : all) AppendFromBytes(b, merged);
  all.clear();
  std::sort(merged.begin(), merged.end());
  merged.erase(std::unique(merged.begin(), merged.end()), merged.end());
  // Both lists are sorted: one walk maps every local group to its place.
  std::vector<int32_t> to_global(static_cast<size_t>(g_local));
  size_t j = 0;
  for (size_t g = 0; g < mine.size(); ++g) {
    while (merged[j] < mine[g]) ++j;
    to_global[g] = static_cast<int32_t>(j);
  }
  for (auto& c : codes) c = to_global[static_cast<size_t>(c)];
  const auto total = static_cast<int32_t>(merged.size());
  if (global_keys) *global_keys = std::move(merged);
  return total;
}

// A string column's dictionary merged over processes in process order
// (first appearance); to_global maps this process's codes.
struct GlobalDictionary {
  std::vector<int32_t> to_global;
  std::vector<std::string> words;
};

GlobalDictionary MergeDictionaries(const data::Column& col, Reducer& reducer) {
  std::string mine;
  for (const auto& w : col.dictionary) {
    const auto len = static_cast<uint32_t>(w.size());
    mine.append(reinterpret_cast<const char*>(&len), sizeof(len));
    mine += w;
  }
  std::vector<std::string> all;
  reducer.AllGatherBytes(mine, all);
  GlobalDictionary d;
  std::unordered_map<std::string_view, int32_t> index;
  for (const auto& b : all) {
    size_t pos = 0;
    while (pos + sizeof(uint32_t) <= b.size()) {
      uint32_t len = 0;
      std::memcpy(&len, b.data() + pos, sizeof(len));
      pos += sizeof(len);
      d.words.emplace_back(b.substr(pos, len));
      pos += len;
    }
  }
  // Words are appended first, indexed second: string_views into a vector
  // that stops growing.
  std::vector<std::string> unique;
  unique.reserve(d.words.size());
  index.reserve(d.words.size());
  for (auto& w : d.words) {
    if (index.emplace(w, static_cast<int32_t>(unique.size())).second) unique.push_back(w);
  }
  d.to_global.resize(col.dictionary.size());
  for (size_t k = 0; k < col.dictionary.size(); ++k) {
    d.to_global[k] = index.at(col.dictionary[k]);
  }
  index.clear();
  d.words = std::move(unique);
  return d;
}

// The text of an identifier key as Column::CellText prints the cell.
std::string KeyText(const data::Column& col, int64_t key, const GlobalDictionary* dict) {
  switch (col.type) {
    case data::ColumnType::kString:
      return dict->words[static_cast<size_t>(key)];
    case data::ColumnType::kI64:
      return fmt::format("{}", key);
    case data::ColumnType::kF64:
      return fmt::format("{}", static_cast<double>(key));
  }
  return "";
}

int64_t MarkSingletonsGlobal(const FixedEffects& fe, std::vector<uint8_t>& keep, Reducer& reducer) {
  int64_t marked = 0;
  const int64_t n = fe.num_obs;
  std::vector<int64_t> counts;
  bool changed = true;
  while (changed) {
    int64_t changed_here = 0;
    for (int q = 0; q < fe.num_dims(); ++q) {
      const auto& cq = fe.codes[q];
      counts.assign(static_cast<size_t>(fe.num_groups[q]), 0);
      for (int64_t i = 0; i < n; ++i) {
        if (keep[static_cast<size_t>(i)]) ++counts[static_cast<size_t>(cq[i])];
      }
      reducer.SumInt64s(counts.data(), static_cast<int64_t>(counts.size()));
      for (int64_t i = 0; i < n; ++i) {
        if (keep[static_cast<size_t>(i)] && counts[static_cast<size_t>(cq[i])] == 1) {
          keep[static_cast<size_t>(i)] = 0;
          ++marked;
          changed_here = 1;
        }
      }
    }
    reducer.SumInt64s(&changed_here, 1);
    changed = changed_here > 0;
  }
  return marked;
}

int32_t Find(std::vector<int32_t>& parent, int32_t x) {
  while (parent[static_cast<size_t>(x)] != x) {
    parent[static_cast<size_t>(x)] = parent[static_cast<size_t>(parent[static_cast<size_t>(x)])];
    x = parent[static_cast<size_t>(x)];
  }
  return x;
}

// Each process's union-find forest of the first two dimensions, reduced to
// the root of every node, is all-gathered and the forests joined.
int64_t FixedEffectRankGlobal(const FixedEffects& fe, Reducer& reducer) {
  int64_t rank = fe.num_groups[0];
  if (fe.num_dims() >= 2) {
    const int32_t g0 = fe.num_groups[0], g1 = fe.num_groups[1];
    std::vector<int32_t> parent(static_cast<size_t>(g0 + g1));
    std::iota(parent.begin(), parent.end(), 0);
    for (int64_t i = 0; i < fe.num_obs; ++i) {
      const int32_t a = Find(parent, fe.codes[0][static_cast<size_t>(i)]);
      const int32_t b = Find(parent, g0 + fe.codes[1][static_cast<size_t>(i)]);
      if (a != b) parent[static_cast<size_t>(a)] = b;
    }
    for (int32_t x = 0; x < g0 + g1; ++x) parent[static_cast<size_t>(x)] = Find(parent, x);
    std::vector<std::string> all;
    reducer.AllGatherBytes(AsBytes(parent), all);
    std::iota(parent.begin(), parent.end(), 0);
    int64_t components = g0 + g1;
    std::vector<int32_t> root;
    for (const auto& b : all) {
      root.clear();
      AppendFromBytes(b, root);
      for (int32_t x = 0; x < static_cast<int32_t>(root.size()); ++x) {
        const int32_t a = Find(parent, x);
        const int32_t c = Find(parent, root[static_cast<size_t>(x)]);
        if (a != c) {
          parent[static_cast<size_t>(a)] = c;
          --components;
        }
      }
    }
    rank += g1 - components;
  }
  for (int q = 2; q < fe.num_dims(); ++q) rank += fe.num_groups[q] - 1;
  return rank;
}

}  // namespace

int32_t DenseCodes(const std::vector<int64_t>& keys, std::vector<int32_t>& codes,
                   std::vector<int64_t>& first_obs) {
  return Densify(keys, codes, first_obs);
}

int64_t FixedEffects::total_groups() const {
  int64_t t = 0;
  for (int32_t g : num_groups) t += g;
  return t;
}

std::vector<int64_t> FixedEffects::GroupCounts(int q) const {
  std::vector<int64_t> counts(static_cast<size_t>(num_groups[q]), 0);
  for (int32_t c : codes[q]) ++counts[static_cast<size_t>(c)];
  return counts;
}

void FixedEffects::Compact(const std::vector<uint8_t>& keep, Reducer* reducer, int threads) {
  const bool global = reducer != nullptr && reducer->distributed();
  int64_t m = 0;
  for (uint8_t k : keep) m += k != 0;
  const int nt = std::min(threads > 0 ? threads : omp_get_max_threads(), std::max(1, num_dims()));
  // Dimensions are independent: in parallel, except with a reducer, whose
  // collective calls must come in the same order on every process.
#pragma omp parallel for num_threads(nt) schedule(dynamic) if (!global && nt > 1)
  for (int q = 0; q < num_dims(); ++q) {
    auto& cq = codes[q];
    std::vector<int32_t> remap(static_cast<size_t>(num_groups[q]), -1);
    for (int64_t i = 0; i < num_obs; ++i) {
      if (keep[static_cast<size_t>(i)]) remap[static_cast<size_t>(cq[i])] = 0;
    }
    if (global) {
      std::vector<int64_t> present(remap.size());
      for (size_t g = 0; g < remap.size(); ++g) present[g] = remap[g] == 0;
      reducer->SumInt64s(present.data(), static_cast<int64_t>(present.size()));
      for (size_t g = 0; g < remap.size(); ++g) remap[g] = present[g] > 0 ? 0 : -1;
    }
    int32_t g = 0;
    std::vector<int64_t> rows;
    for (size_t old = 0; old < remap.size(); ++old) {
      if (remap[old] == 0) {
        remap[old] = g++;
        rows.push_back(group_row[q][old]);
      }
    }
    int64_t j = 0;
    for (int64_t i = 0; i < num_obs; ++i) {
      if (keep[static_cast<size_t>(i)]) {
        cq[static_cast<size_t>(j++)] = remap[static_cast<size_t>(cq[i])];
      }
    }
    // Not shrunk to fit: that would copy the codes into fresh pages.
    cq.resize(static_cast<size_t>(j));
    num_groups[q] = g;
    group_row[q] = std::move(rows);
  }
  num_obs = m;
}

std::string FixedEffects::Label(const data::Table& table, int q, int32_t g) const {
  const int64_t row = group_row[q][static_cast<size_t>(g)];
  if (!labels.empty()) return labels[static_cast<size_t>(q)][static_cast<size_t>(row)];
  std::string out;
  for (size_t c = 0; c < columns[q].size(); ++c) {
    if (c) out += '^';
    const int idx = table.FindColumn(columns[q][c]);
    out += idx >= 0 ? table.columns()[static_cast<size_t>(idx)].CellText(row) : std::string("1");
  }
  return out;
}

Result<FixedEffects> BuildFixedEffects(const data::Table& table,
                                       const std::vector<data::FixedEffectTerm>& terms,
                                       const std::vector<int64_t>& rows, int threads) {
  FixedEffects fe;
  fe.num_obs = static_cast<int64_t>(rows.size());
  const size_t nt = terms.size();
  for (const auto& term : terms) {
    if (term.columns.empty()) {
      return Status::InvalidArgument(fmt::format("fixed effect '{}' names no column", term.text));
    }
  }
  fe.codes.resize(nt);
  fe.num_groups.resize(nt);
  fe.group_row.resize(nt);
  // One term after another, each split over the threads by rows (3 terms on
  // 2 threads took as long as 2 terms; the large arrays are allocated by the
  // calling thread, whose freed memory the next arrays reuse).
  const int nth = threads > 0 ? threads : omp_get_max_threads();
  std::vector<int64_t> first, part_first;
  std::vector<int32_t> part_codes;
  bool every_row = fe.num_obs == table.num_rows();
  for (int64_t i = 0; every_row && i < fe.num_obs; ++i)
    every_row = rows[static_cast<size_t>(i)] == i;
  for (size_t t = 0; t < nt; ++t) {
    const auto& term = terms[t];
    std::vector<int32_t> codes;
    int32_t g = 0;
    for (size_t c = 0; c < term.columns.size(); ++c) {
      RB_ASSIGN_OR_RETURN(const data::Column* col, table.GetColumn(term.columns[c]));
      RB_RETURN_IF_ERROR(CheckIdentifierRows(table, *col, rows, nth));
      if (c == 0) {
        g = DensifyColumn(*col, rows, every_row, codes, first, nth);
        continue;
      }
      // a^b: the codes of a and of b combined as code_a * G_b + code_b.
      const int32_t gp = DensifyColumn(*col, rows, every_row, part_codes, part_first, nth);
      g = DensifyBy(
          fe.num_obs,
          [&](int64_t i) {
            return static_cast<int64_t>(codes[static_cast<size_t>(i)]) * gp +
                   part_codes[static_cast<size_t>(i)];
          },
          codes, first, nth);
    }
    std::vector<int64_t> group_row(first.size());
    for (size_t k = 0; k < first.size(); ++k) {
      group_row[k] = rows[static_cast<size_t>(first[k])];
    }
    fe.codes[t] = std::move(codes);
    fe.num_groups[t] = g;
    fe.group_row[t] = std::move(group_row);
  }
  for (const auto& term : terms) {
    fe.names.push_back(term.text);
    fe.columns.push_back(term.columns);
  }
  return fe;
}

Result<FixedEffects> BuildGlobalFixedEffects(const data::Table& table,
                                             const std::vector<data::FixedEffectTerm>& terms,
                                             const std::vector<int64_t>& rows, Reducer& reducer,
                                             bool with_labels, int64_t first_row) {
  if (!reducer.distributed()) return BuildFixedEffects(table, terms, rows);
  // Errors first (every process takes the same branch), then the collective
  // part, which cannot fail.
  Status local = Status::Ok();
  for (const auto& term : terms) {
    if (term.columns.empty()) {
      return Status::InvalidArgument(fmt::format("fixed effect '{}' names no column", term.text));
    }
    for (const auto& c : term.columns) {
      if (local.ok()) local = CheckIdentifier(table, c, rows, first_row);
    }
  }
  RB_RETURN_IF_ERROR(AgreeOnStatus(local, reducer));

  std::map<std::string, GlobalDictionary> dictionaries;
  // Keys of column `name` on the kept rows, string codes made global.
  auto global_keys = [&](const std::string& name, std::vector<int64_t>& keys,
                         const data::Column** col, const GlobalDictionary** dict) -> Status {
    RB_RETURN_IF_ERROR(ColumnKeys(table, name, rows, keys));
    *col = *table.GetColumn(name);
    *dict = nullptr;
    if ((*col)->type == data::ColumnType::kString) {
      auto it = dictionaries.find(name);
      if (it == dictionaries.end()) {
        it = dictionaries.emplace(name, MergeDictionaries(**col, reducer)).first;
      }
      for (auto& k : keys) k = it->second.to_global[static_cast<size_t>(k)];
      *dict = &it->second;
    }
    return Status::Ok();
  };

  FixedEffects fe;
  fe.num_obs = static_cast<int64_t>(rows.size());
  std::vector<int64_t> keys, part, values, part_values;
  std::vector<int32_t> codes, part_codes;
  for (const auto& term : terms) {
    const data::Column* col = nullptr;
    const GlobalDictionary* dict = nullptr;
    RB_RETURN_IF_ERROR(global_keys(term.columns[0], keys, &col, &dict));
    int32_t g = GlobalDensify(keys, codes, reducer, with_labels ? &values : nullptr);
    std::vector<std::string> labels;
    if (with_labels) {
      labels.resize(static_cast<size_t>(g));
      for (int32_t k = 0; k < g; ++k)
        labels[static_cast<size_t>(k)] = KeyText(*col, values[static_cast<size_t>(k)], dict);
    }
    for (size_t c = 1; c < term.columns.size(); ++c) {
      RB_RETURN_IF_ERROR(global_keys(term.columns[c], part, &col, &dict));
      const int32_t gp =
          GlobalDensify(part, part_codes, reducer, with_labels ? &part_values : nullptr);
      for (size_t i = 0; i < rows.size(); ++i) {
        keys[i] = static_cast<int64_t>(codes[i]) * gp + part_codes[i];
      }
      g = GlobalDensify(keys, codes, reducer, with_labels ? &values : nullptr);
      if (with_labels) {
        // values[k] = (code of the columns so far) * gp + code of this column.
        std::vector<std::string> joined(static_cast<size_t>(g));
        for (int32_t k = 0; k < g; ++k) {
          const int64_t v = values[static_cast<size_t>(k)];
          joined[static_cast<size_t>(k)] =
              labels[static_cast<size_t>(v / gp)] + '^' +
              KeyText(*col, part_values[static_cast<size_t>(v % gp)], dict);
        }
        labels = std::move(joined);
      }
    }
    std::vector<int64_t> group_row(static_cast<size_t>(g));
    std::iota(group_row.begin(), group_row.end(), 0);
    fe.names.push_back(term.text);
    fe.columns.push_back(term.columns);
    fe.codes.push_back(codes);
    fe.num_groups.push_back(g);
    fe.group_row.push_back(std::move(group_row));
    if (with_labels) fe.labels.push_back(std::move(labels));
  }
  return fe;
}

FixedEffects InterceptOnly(int64_t num_obs, int64_t first_row) {
  FixedEffects fe;
  fe.num_obs = num_obs;
  fe.names.push_back("(Intercept)");
  fe.columns.push_back({"(Intercept)"});
  fe.codes.emplace_back(static_cast<size_t>(num_obs), 0);
  fe.num_groups.push_back(num_obs > 0 ? 1 : 0);
  fe.group_row.push_back({first_row});
  return fe;
}

int64_t MarkSingletons(const FixedEffects& fe, std::vector<uint8_t>& keep, Reducer* reducer,
                       int threads) {
  if (reducer != nullptr && reducer->distributed()) {
    return MarkSingletonsGlobal(fe, keep, *reducer);
  }
  int64_t marked = 0;
  const int64_t n = fe.num_obs;
  std::vector<int32_t> counts;
  bool changed = true;
  // Counts per thread block (integers: the result does not depend on the
  // split), then marking in parallel.
  const int nt = threads > 0 ? threads : omp_get_max_threads();
  std::vector<std::vector<int32_t>> part(static_cast<size_t>(nt));
  while (changed) {
    changed = false;
    for (int q = 0; q < fe.num_dims(); ++q) {
      const auto& cq = fe.codes[q];
      const size_t groups = static_cast<size_t>(fe.num_groups[q]);
#pragma omp parallel num_threads(nt)
      {
        const int tid = omp_get_thread_num();
        const int nth = omp_get_num_threads();
        auto& c = part[static_cast<size_t>(tid)];
        c.assign(groups, 0);
        for (int64_t i = n * tid / nth; i < n * (tid + 1) / nth; ++i) {
          if (keep[static_cast<size_t>(i)]) ++c[static_cast<size_t>(cq[i])];
        }
      }
      counts.assign(groups, 0);
      for (const auto& c : part) {
        if (c.size() != groups) continue;  // a thread the runtime did not start
        for (size_t g = 0; g < groups; ++g) counts[g] += c[g];
      }
      int64_t marked_here = 0;
#pragma omp parallel for num_threads(nt) schedule(static) reduction(+ : marked_here)
      for (int64_t i = 0; i < n; ++i) {
        if (keep[static_cast<size_t>(i)] && counts[static_cast<size_t>(cq[i])] == 1) {
          keep[static_cast<size_t>(i)] = 0;
          ++marked_here;
        }
      }
      marked += marked_here;
      changed = changed || marked_here > 0;
    }
  }
  return marked;
}

int64_t FixedEffectRank(const FixedEffects& fe, Reducer* reducer) {
  if (fe.num_dims() == 0) return 0;
  if (reducer != nullptr && reducer->distributed()) return FixedEffectRankGlobal(fe, *reducer);
  int64_t rank = fe.num_groups[0];
  if (fe.num_dims() >= 2) {
    // Union-find over the groups of dimensions 0 and 1.
    const int32_t g0 = fe.num_groups[0], g1 = fe.num_groups[1];
    std::vector<int32_t> parent(static_cast<size_t>(g0 + g1));
    std::iota(parent.begin(), parent.end(), 0);
    auto find = [&](int32_t x) {
      while (parent[static_cast<size_t>(x)] != x) {
        parent[static_cast<size_t>(x)] =
            parent[static_cast<size_t>(parent[static_cast<size_t>(x)])];
        x = parent[static_cast<size_t>(x)];
      }
      return x;
    };
    int64_t components = g0 + g1;
    for (int64_t i = 0; i < fe.num_obs; ++i) {
      const int32_t a = find(fe.codes[0][static_cast<size_t>(i)]);
      const int32_t b = find(g0 + fe.codes[1][static_cast<size_t>(i)]);
      if (a != b) {
        parent[static_cast<size_t>(a)] = b;
        --components;
      }
    }
    rank += g1 - components;
  }
  for (int q = 2; q < fe.num_dims(); ++q) rank += fe.num_groups[q] - 1;
  return rank;
}

}  // namespace rebalance::econ
