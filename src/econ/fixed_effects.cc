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
#include "rebalance/econ/fixed_effects.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include <fmt/format.h>

namespace rebalance::econ {
namespace {

// Replaces keys by dense codes 0..G-1 in increasing key order; returns G and
// the first observation of every group.
int32_t Densify(const std::vector<int64_t>& keys, std::vector<int32_t>& codes,
                std::vector<int64_t>& first_obs) {
  const int64_t n = static_cast<int64_t>(keys.size());
  codes.assign(static_cast<size_t>(n), 0);
  first_obs.clear();
  if (n == 0) return 0;
  const auto [mn_it, mx_it] = std::minmax_element(keys.begin(), keys.end());
  const int64_t mn = *mn_it, mx = *mx_it;
  const uint64_t range = static_cast<uint64_t>(mx) - static_cast<uint64_t>(mn);
  const uint64_t limit =
      std::max<uint64_t>(static_cast<uint64_t>(4 * n), uint64_t{1} << 24);
  if (range < limit) {
    std::vector<int32_t> slot(range + 1, -1);
    for (int64_t i = 0; i < n; ++i) slot[static_cast<size_t>(keys[i] - mn)] = 0;
    int32_t g = 0;
    for (auto& s : slot) {
      if (s == 0) s = g++;
    }
    first_obs.assign(static_cast<size_t>(g), -1);
    for (int64_t i = 0; i < n; ++i) {
      const int32_t c = slot[static_cast<size_t>(keys[i] - mn)];
      codes[static_cast<size_t>(i)] = c;
      if (first_obs[static_cast<size_t>(c)] < 0) first_obs[static_cast<size_t>(c)] = i;
    }
    return g;
  }
  std::vector<int64_t> order(static_cast<size_t>(n));
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](int64_t a, int64_t b) {
    return keys[static_cast<size_t>(a)] < keys[static_cast<size_t>(b)];
  });
  int32_t g = -1;
  int64_t prev = 0;
  for (int64_t k = 0; k < n; ++k) {
    const int64_t i = order[static_cast<size_t>(k)];
    const int64_t key = keys[static_cast<size_t>(i)];
    if (k == 0 || key != prev) {
      ++g;
      first_obs.push_back(i);
      prev = key;
    }
    codes[static_cast<size_t>(i)] = g;
  }
  return g + 1;
}

Status ColumnKeys(const data::Table& table, const std::string& name,
                  const std::vector<int64_t>& rows, std::vector<int64_t>& keys) {
  RB_ASSIGN_OR_RETURN(const data::Column* col, table.GetColumn(name));
  keys.resize(rows.size());
  for (size_t k = 0; k < rows.size(); ++k) {
    const int64_t r = rows[k];
    if (col->IsMissing(r)) {
      return Status::Internal(fmt::format(
          "fixed-effect column '{}' is missing on a kept row", name));
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
          return Status::InvalidArgument(fmt::format(
              "{}: column '{}' is used as an identifier (fixed effect or "
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

void FixedEffects::Compact(const std::vector<uint8_t>& keep) {
  int64_t m = 0;
  for (int q = 0; q < num_dims(); ++q) {
    auto& cq = codes[q];
    std::vector<int32_t> remap(static_cast<size_t>(num_groups[q]), -1);
    for (int64_t i = 0; i < num_obs; ++i) {
      if (keep[static_cast<size_t>(i)]) remap[static_cast<size_t>(cq[i])] = 0;
    }
    int32_t g = 0;
    std::vector<int64_t> rows;
    for (size_t old = 0; old < remap.size(); ++old) {
      if (remap[old] == 0) {
        remap[old] = g++;
        rows.push_back(group_row[q][old]);
      }
    }
    m = 0;
    for (int64_t i = 0; i < num_obs; ++i) {
      if (keep[static_cast<size_t>(i)]) {
        cq[static_cast<size_t>(m++)] = remap[static_cast<size_t>(cq[i])];
      }
    }
    cq.resize(static_cast<size_t>(m));
    cq.shrink_to_fit();
    num_groups[q] = g;
    group_row[q] = std::move(rows);
  }
  if (num_dims() == 0) {
    for (uint8_t k : keep) m += k != 0;
  }
  num_obs = m;
}

std::string FixedEffects::Label(const data::Table& table, int q,
                                int32_t g) const {
  const int64_t row = group_row[q][static_cast<size_t>(g)];
  std::string out;
  for (size_t c = 0; c < columns[q].size(); ++c) {
    if (c) out += '^';
    const int idx = table.FindColumn(columns[q][c]);
    out += idx >= 0 ? table.columns()[static_cast<size_t>(idx)].CellText(row)
                    : std::string("1");
  }
  return out;
}

Result<FixedEffects> BuildFixedEffects(
    const data::Table& table, const std::vector<data::FixedEffectTerm>& terms,
    const std::vector<int64_t>& rows) {
  FixedEffects fe;
  fe.num_obs = static_cast<int64_t>(rows.size());
  std::vector<int64_t> keys, part;
  std::vector<int32_t> codes, part_codes;
  std::vector<int64_t> first, part_first;
  for (const auto& term : terms) {
    if (term.columns.empty()) {
      return Status::InvalidArgument(
          fmt::format("fixed effect '{}' names no column", term.text));
    }
    RB_RETURN_IF_ERROR(ColumnKeys(table, term.columns[0], rows, keys));
    int32_t g = Densify(keys, codes, first);
    for (size_t c = 1; c < term.columns.size(); ++c) {
      RB_RETURN_IF_ERROR(ColumnKeys(table, term.columns[c], rows, part));
      const int32_t gp = Densify(part, part_codes, part_first);
      for (size_t i = 0; i < rows.size(); ++i) {
        keys[i] = static_cast<int64_t>(codes[i]) * gp + part_codes[i];
      }
      g = Densify(keys, codes, first);
    }
    std::vector<int64_t> group_row(first.size());
    for (size_t k = 0; k < first.size(); ++k) {
      group_row[k] = rows[static_cast<size_t>(first[k])];
    }
    fe.names.push_back(term.text);
    fe.columns.push_back(term.columns);
    fe.codes.push_back(codes);
    fe.num_groups.push_back(g);
    fe.group_row.push_back(std::move(group_row));
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

int64_t MarkSingletons(const FixedEffects& fe, std::vector<uint8_t>& keep) {
  int64_t marked = 0;
  const int64_t n = fe.num_obs;
  std::vector<int32_t> counts;
  bool changed = true;
  while (changed) {
    changed = false;
    for (int q = 0; q < fe.num_dims(); ++q) {
      const auto& cq = fe.codes[q];
      counts.assign(static_cast<size_t>(fe.num_groups[q]), 0);
      for (int64_t i = 0; i < n; ++i) {
        if (keep[static_cast<size_t>(i)]) ++counts[static_cast<size_t>(cq[i])];
      }
      for (int64_t i = 0; i < n; ++i) {
        if (keep[static_cast<size_t>(i)] && counts[static_cast<size_t>(cq[i])] == 1) {
          keep[static_cast<size_t>(i)] = 0;
          ++marked;
          changed = true;
        }
      }
    }
  }
  return marked;
}

int64_t FixedEffectRank(const FixedEffects& fe) {
  if (fe.num_dims() == 0) return 0;
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
