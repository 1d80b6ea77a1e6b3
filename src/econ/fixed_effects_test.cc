// Tests of BuildFixedEffects against a slow obvious method (a std::map from
// the identifier values, or tuples of them for an interaction, to their rank
// in increasing order), with 1 and 2 threads: the codes, group counts and
// first rows must be the same whatever the thread count; and the error on a
// non-integer identifier names the first bad row whatever the thread count.
#include <cstdint>
#include <map>
#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "rebalance/data/table.h"
#include "rebalance/econ/fixed_effects.h"

namespace rebalance::econ {
namespace {

// 200,000 rows: enough for several row blocks per thread.
constexpr int64_t kRows = 200000;

data::Table MakeTable(unsigned seed) {
  std::mt19937_64 rng(seed);
  std::vector<int64_t> small(kRows), wide(kRows);
  std::vector<double> f(kRows);
  std::vector<std::string> s(kRows);
  for (int64_t i = 0; i < kRows; ++i) {
    small[static_cast<size_t>(i)] = 1990 + static_cast<int64_t>(rng() % 30);
    // Spread over 2^50: the sort path, not the lookup table.
    wide[static_cast<size_t>(i)] = static_cast<int64_t>(rng() % 5000) << 38;
    f[static_cast<size_t>(i)] = static_cast<double>(static_cast<int64_t>(rng() % 700) - 350);
    s[static_cast<size_t>(i)] = "c" + std::to_string(rng() % 150);
  }
  data::Table t;
  EXPECT_TRUE(t.AddColumn(data::Table::I64Column("small", small)).ok());
  EXPECT_TRUE(t.AddColumn(data::Table::I64Column("wide", wide)).ok());
  EXPECT_TRUE(t.AddColumn(data::Table::F64Column("f", f)).ok());
  EXPECT_TRUE(t.AddColumn(data::Table::StringColumn("s", s)).ok());
  return t;
}

// The key of a cell in the order the codes follow: the value, or the string's
// dictionary code.
int64_t Key(const data::Column& c, int64_t r) {
  switch (c.type) {
    case data::ColumnType::kString:
      return c.codes[static_cast<size_t>(r)];
    case data::ColumnType::kI64:
      return c.i64[static_cast<size_t>(r)];
    case data::ColumnType::kF64:
      break;
  }
  return static_cast<int64_t>(c.f64[static_cast<size_t>(r)]);
}

// Reference codes of one term on `rows`.
struct Reference {
  std::vector<int32_t> codes;
  std::vector<int64_t> group_row;
};
Reference Slow(const data::Table& t, const std::vector<std::string>& cols,
               const std::vector<int64_t>& rows) {
  std::map<std::vector<int64_t>, int64_t> first;  // key tuple -> first row
  std::vector<std::vector<int64_t>> keys;
  for (const int64_t r : rows) {
    std::vector<int64_t> k;
    for (const auto& c : cols) k.push_back(Key(**t.GetColumn(c), r));
    first.emplace(k, r);
    keys.push_back(std::move(k));
  }
  std::map<std::vector<int64_t>, int32_t> rank;
  Reference ref;
  for (const auto& [k, r] : first) {
    rank.emplace(k, static_cast<int32_t>(rank.size()));
    ref.group_row.push_back(r);
  }
  for (const auto& k : keys) ref.codes.push_back(rank.at(k));
  return ref;
}

TEST(BuildFixedEffects, SameCodesAsSlowReferenceWithOneAndTwoThreads) {
  const data::Table t = MakeTable(7);
  // Every third row (the rows passed need not be all rows).
  std::vector<int64_t> rows;
  for (int64_t r = 0; r < kRows; r += 3) rows.push_back(r);
  const std::vector<data::FixedEffectTerm> terms = {{{"small"}, "small"},
                                                    {{"wide"}, "wide"},
                                                    {{"f"}, "f"},
                                                    {{"s"}, "s"},
                                                    {{"s", "small"}, "s^small"},
                                                    {{"small", "f", "s"}, "small^f^s"},
                                                    {{"wide", "small"}, "wide^small"}};
  for (const int threads : {1, 2}) {
    auto fe = BuildFixedEffects(t, terms, rows, threads);
    ASSERT_TRUE(fe.ok()) << fe.status().ToString();
    ASSERT_EQ(fe->num_dims(), static_cast<int>(terms.size()));
    EXPECT_EQ(fe->num_obs, static_cast<int64_t>(rows.size()));
    for (size_t q = 0; q < terms.size(); ++q) {
      const Reference ref = Slow(t, terms[q].columns, rows);
      EXPECT_EQ(fe->names[q], terms[q].text);
      EXPECT_EQ(fe->num_groups[q], static_cast<int32_t>(ref.group_row.size())) << terms[q].text;
      EXPECT_EQ(fe->codes[q], ref.codes) << terms[q].text << ", " << threads << " threads";
      EXPECT_EQ(fe->group_row[q], ref.group_row) << terms[q].text << ", " << threads << " threads";
    }
  }
}

TEST(BuildFixedEffects, NonIntegerIdentifierNamesTheFirstBadRow) {
  data::Table t = MakeTable(11);
  auto& f = t.mutable_columns()[2].f64;
  f[150001] = 0.5;  // in the second thread's block
  f[170000] = 2.25;
  std::vector<int64_t> rows(kRows);
  for (int64_t r = 0; r < kRows; ++r) rows[static_cast<size_t>(r)] = r;
  for (const int threads : {1, 2}) {
    auto fe = BuildFixedEffects(t, {{{"small", "f"}, "small^f"}}, rows, threads);
    ASSERT_FALSE(fe.ok());
    EXPECT_NE(fe.status().message().find("row 150002 holds the non-integer value 0.5"),
              std::string::npos)
        << fe.status().message();
  }
  f[3] = -1.5;  // now the first
  for (const int threads : {1, 2}) {
    auto fe = BuildFixedEffects(t, {{{"f"}, "f"}}, rows, threads);
    ASSERT_FALSE(fe.ok());
    EXPECT_NE(fe.status().message().find("row 4 holds the non-integer value -1.5"),
              std::string::npos)
        << fe.status().message();
  }
}

}  // namespace
}  // namespace rebalance::econ
