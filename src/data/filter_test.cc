#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <fstream>
#include <functional>
#include <random>
#include <string>
#include <vector>

#include "rebalance/data/csv.h"
#include "rebalance/data/formula.h"

namespace rebalance::data {
namespace {

// A small panel with text and numeric columns, and missing cells in both.
// Row-wise reference values are kept in plain vectors for the oracle below.
struct Panel {
  std::vector<std::string> exporter = {"USA", "CAN", "MEX", "USA", "CAN", "DEU", "USA", "ARG"};
  std::vector<std::string> importer = {"CAN", "CAN", "USA", "USA", "MEX", "USA", "DEU", "ARG"};
  std::vector<int64_t> year = {1986, 1990, 1991, 1994, 2006, 1986, 2002, 1990};
  std::vector<double> trade = {10.5, 0.0, 3.0, NAN, 7.25, 1e6, -2.0, 5.0};
  std::vector<int> label_missing = {0, 0, 1, 0, 0, 0, 0, 1};  // for `label`
  std::vector<std::string> label = {"b", "a", "", "c", "a", "bb", "B", ""};
  Table table;
  Panel() {
    EXPECT_TRUE(table.AddColumn(Table::StringColumn("exporter", exporter)).ok());
    // A different first-seen order gives importer another dictionary order.
    EXPECT_TRUE(table.AddColumn(Table::StringColumn("importer", importer)).ok());
    EXPECT_TRUE(table.AddColumn(Table::I64Column("year", year)).ok());
    EXPECT_TRUE(table.AddColumn(Table::F64Column("trade", trade)).ok());
    Column l = Table::StringColumn("label", label);
    l.missing.assign(label.size(), 0);
    for (size_t i = 0; i < label.size(); ++i) {
      if (label_missing[i]) {
        l.missing[i] = 1;
        l.codes[i] = -1;
      }
    }
    EXPECT_TRUE(table.AddColumn(std::move(l)).ok());
  }
  size_t n() const { return year.size(); }
};

std::vector<uint8_t> Keep(const Panel& p, const std::string& expr) {
  auto f = ParseFilter(expr);
  EXPECT_TRUE(f.ok()) << expr << ": " << f.status().ToString();
  if (!f.ok()) return {};
  auto keep = EvaluateFilter(p.table, *f);
  EXPECT_TRUE(keep.ok()) << expr << ": " << keep.status().ToString();
  return keep.ok() ? *keep : std::vector<uint8_t>{};
}

// Oracle: each expression next to a row-by-row C++ predicate written
// independently of the parser. Missing cells make a row fail (also under !).
struct Case {
  std::string expr;
  std::function<bool(const Panel&, size_t)> expected;
};

TEST(Filter, MatchesRowByRowOracle) {
  auto tr = [](const Panel& p, size_t i) { return !std::isnan(p.trade[i]); };
  auto lb = [](const Panel& p, size_t i) { return p.label_missing[i] == 0; };
  const std::vector<Case> cases = {
      {"exporter != importer",
       [](const Panel& p, size_t i) { return p.exporter[i] != p.importer[i]; }},
      {"exporter == importer",
       [](const Panel& p, size_t i) { return p.exporter[i] == p.importer[i]; }},
      {"exporter < importer",
       [](const Panel& p, size_t i) { return p.exporter[i] < p.importer[i]; }},
      {"exporter >= importer",
       [](const Panel& p, size_t i) { return p.exporter[i] >= p.importer[i]; }},
      {"year in {1986,1990,1994,1998,2002,2006}",
       [](const Panel& p, size_t i) { return p.year[i] % 4 == 2 && p.year[i] >= 1986; }},
      {"exporter != importer && year in {1986, 1990, 1994, 1998, 2002, 2006}",
       [](const Panel& p, size_t i) {
         return p.exporter[i] != p.importer[i] && (p.year[i] - 1986) % 4 == 0;
       }},
      {"year >= 1990", [](const Panel& p, size_t i) { return p.year[i] >= 1990; }},
      {"1990 < year", [](const Panel& p, size_t i) { return p.year[i] > 1990; }},
      {"year <= 1990.5", [](const Panel& p, size_t i) { return p.year[i] <= 1990; }},
      {"year == 1.99e3", [](const Panel& p, size_t i) { return p.year[i] == 1990; }},
      {"trade > 0", [=](const Panel& p, size_t i) { return tr(p, i) && p.trade[i] > 0; }},
      {"trade >= -2", [=](const Panel& p, size_t i) { return tr(p, i) && p.trade[i] >= -2; }},
      {"trade < year",
       [=](const Panel& p, size_t i) { return tr(p, i) && p.trade[i] < p.year[i]; }},
      {"!(trade > 0)", [=](const Panel& p, size_t i) { return tr(p, i) && !(p.trade[i] > 0); }},
      {"!!(trade > 0)", [=](const Panel& p, size_t i) { return tr(p, i) && p.trade[i] > 0; }},
      {"trade > 0 || year == 1994",
       [=](const Panel& p, size_t i) { return (tr(p, i) && p.trade[i] > 0) || p.year[i] == 1994; }},
      {"exporter == 'USA'", [](const Panel& p, size_t i) { return p.exporter[i] == "USA"; }},
      {"\"USA\" != exporter", [](const Panel& p, size_t i) { return p.exporter[i] != "USA"; }},
      {"exporter in {\"USA\", 'CAN'}",
       [](const Panel& p, size_t i) { return p.exporter[i] == "USA" || p.exporter[i] == "CAN"; }},
      {"!(exporter in {\"USA\"})", [](const Panel& p, size_t i) { return p.exporter[i] != "USA"; }},
      {"exporter > \"CAN\"", [](const Panel& p, size_t i) { return p.exporter[i] > "CAN"; }},
      {"exporter == \"usa\"", [](const Panel&, size_t) { return false; }},
      {"label == 'a'", [=](const Panel& p, size_t i) { return lb(p, i) && p.label[i] == "a"; }},
      {"!(label == 'a')", [=](const Panel& p, size_t i) { return lb(p, i) && p.label[i] != "a"; }},
      {"label < 'b'", [=](const Panel& p, size_t i) { return lb(p, i) && p.label[i] < "b"; }},
      {"label != exporter",
       [=](const Panel& p, size_t i) { return lb(p, i) && p.label[i] != p.exporter[i]; }},
      // Precedence: && binds tighter than ||.
      {"year == 1986 || year == 1990 && exporter == 'CAN'",
       [](const Panel& p, size_t i) {
         return p.year[i] == 1986 || (p.year[i] == 1990 && p.exporter[i] == "CAN");
       }},
      {"(year == 1986 || year == 1990) && exporter == 'CAN'",
       [](const Panel& p, size_t i) {
         return (p.year[i] == 1986 || p.year[i] == 1990) && p.exporter[i] == "CAN";
       }},
      {"!(year == 1986 || exporter == 'USA') && importer != 'ARG'",
       [](const Panel& p, size_t i) {
         return !(p.year[i] == 1986 || p.exporter[i] == "USA") && p.importer[i] != "ARG";
       }},
      // Kleene logic: unknown || true is true; unknown && false is false.
      {"trade > 0 || exporter == 'USA'",
       [=](const Panel& p, size_t i) {
         return (tr(p, i) && p.trade[i] > 0) || p.exporter[i] == "USA";
       }},
      {"!(trade > 0 && year < 1990)",
       [=](const Panel& p, size_t i) {
         const bool y = p.year[i] < 1990;
         if (!y) return true;  // false && anything is false, so ! is true
         return tr(p, i) && !(p.trade[i] > 0);
       }},
      {"`year` != 1990", [](const Panel& p, size_t i) { return p.year[i] != 1990; }},
  };
  Panel p;
  for (const auto& c : cases) {
    const std::vector<uint8_t> keep = Keep(p, c.expr);
    ASSERT_EQ(keep.size(), p.n()) << c.expr;
    for (size_t i = 0; i < p.n(); ++i) {
      EXPECT_EQ(keep[i] != 0, c.expected(p, i)) << c.expr << " row " << i;
    }
    // Round trip: the canonical text parses to a tree that prints the same and
    // selects the same rows.
    auto f = ParseFilter(c.expr);
    ASSERT_TRUE(f.ok());
    const std::string canon = f->ToString();
    auto g = ParseFilter(canon);
    ASSERT_TRUE(g.ok()) << c.expr << " -> " << canon << ": " << g.status().ToString();
    EXPECT_EQ(g->ToString(), canon) << c.expr;
    EXPECT_EQ(Keep(p, canon), keep) << c.expr << " -> " << canon;
  }
}

TEST(Filter, CanonicalTextUsesMinimalParentheses) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"exporter!=importer&&year in{1986,1990}", "exporter != importer && year in {1986, 1990}"},
      {"a == 1 || b == 2 && c == 3", "a == 1 || b == 2 && c == 3"},
      {"(a == 1 || b == 2) && c == 3", "(a == 1 || b == 2) && c == 3"},
      {"((a == 1))", "a == 1"},
      {"a == 1 && (b == 2 && c == 3)", "a == 1 && (b == 2 && c == 3)"},
      {"a == 1 || (b == 2 || c == 3)", "a == 1 || (b == 2 || c == 3)"},
      {"!(a == 1) || !(b == 2 && c == 3)", "!(a == 1) || !(b == 2 && c == 3)"},
      {"! ! (a == 1)", "!!(a == 1)"},
      {"5 > x", "x < 5"},
      {"'USA' == exporter", "exporter == \"USA\""},
      {"name == 'say \"hi\"'", "name == 'say \"hi\"'"},
      {"`my col` >= -1.5e-3", "`my col` >= -1.5e-3"},
      {"x in {'a', \"b\"}", "x in {\"a\", \"b\"}"},
  };
  for (const auto& [in, out] : cases) {
    auto f = ParseFilter(in);
    ASSERT_TRUE(f.ok()) << in << ": " << f.status().ToString();
    EXPECT_EQ(f->ToString(), out) << in;
    auto g = ParseFilter(f->ToString());
    ASSERT_TRUE(g.ok()) << g.status().ToString();
    EXPECT_EQ(g->ToString(), out);
  }
}

TEST(Filter, ColumnsAreListedOnce) {
  auto f = ParseFilter(
      "exporter != importer && year in {1986} || !(exporter == 'USA') && 1 < "
      "trade");
  ASSERT_TRUE(f.ok());
  EXPECT_EQ(f->Columns(), (std::vector<std::string>{"exporter", "importer", "year", "trade"}));
  EXPECT_EQ(f->text,
            "exporter != importer && year in {1986} || !(exporter == 'USA') && "
            "1 < trade");
}

TEST(Filter, IntegerColumnsCompareExactly) {
  // 2^53 + 1 is not representable as a double; an integer column compared
  // with an integer constant must still tell it from 2^53.
  Table t;
  ASSERT_TRUE(t.AddColumn(Table::I64Column("id", {9007199254740992LL, 9007199254740993LL})).ok());
  auto f = ParseFilter("id == 9007199254740993");
  ASSERT_TRUE(f.ok());
  auto keep = EvaluateFilter(t, *f);
  ASSERT_TRUE(keep.ok());
  EXPECT_EQ(*keep, (std::vector<uint8_t>{0, 1}));
  auto g = ParseFilter("id in {9007199254740992}");
  ASSERT_TRUE(g.ok());
  EXPECT_EQ(*EvaluateFilter(t, *g), (std::vector<uint8_t>{1, 0}));
}

TEST(Filter, WorksOnTablesReadFromCsv) {
  auto t = ParseCsv(
      "exporter,importer,year,trade\nUSA,CAN,1986,1\nCAN,CAN,1986,2\nCAN,USA,"
      "1987,NA\n",
      "mem.csv");
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  auto f = ParseFilter("exporter != importer && year in {1986,1987}");
  ASSERT_TRUE(f.ok());
  auto keep = EvaluateFilter(*t, *f);
  ASSERT_TRUE(keep.ok()) << keep.status().ToString();
  EXPECT_EQ(*keep, (std::vector<uint8_t>{1, 0, 1}));
  auto g = ParseFilter("trade >= 1");
  EXPECT_EQ(*EvaluateFilter(*t, *g), (std::vector<uint8_t>{1, 1, 0}));
}

struct BadExpr {
  std::string text;
  int position;  // 1-based
  std::string message;
};

TEST(Filter, ParseErrorsNamePosition) {
  const std::vector<BadExpr> cases = {
      {"", 1, "the expression is empty"},
      {"year ==", 8, "expected a column name, a number or quoted text after '=='"},
      {"year = 1990", 6, "expected '==' to compare"},
      {"year == 1990 & x == 1", 14, "expected '&&'"},
      {"year == 1990 | x == 1", 14, "expected '||'"},
      {"(year == 1990", 1, "unmatched '(': missing ')'"},
      {"year == 1990)", 13, "unmatched ')'"},
      {"!year == 1990", 2, "'!' applies to a parenthesised condition"},
      {"year in {}", 10, "empty list after 'in'"},
      {"year in {1, 'a'}", 13, "only numbers or only quoted text"},
      {"year in 1990", 9, "expected '{' after 'in'"},
      {"year in {1990", 14, "expected ',' or '}' in the 'in' list"},
      {"year in {USA}", 10,
       "expected a number or quoted text in the 'in' list, found 'USA' (write "
       "text in quotes)"},
      {"1 == 2", 1, "compares two constants"},
      {"'a' != \"b\"", 1, "compares two constants"},
      {"a < b < c", 7, "comparisons cannot be chained"},
      {"exporter == 'USA", 13, "unterminated text"},
      {"x == 1.2.3", 6, "malformed number '1.2.3'"},
      {"x == 12abc", 6, "malformed number"},
      {"a == b ||", 10, "expected a condition after '||'"},
      {"a == b && ", 11, "expected a condition after '&&'"},
      {"&& a == b", 1, "expected a condition"},
      {"year", 5, "expected a comparison (== != < <= > >= or in) after 'year'"},
      {"year 1990", 6, "expected a comparison"},
      {"year == 1990 year", 14, "expected '&&', '||' or the end of the expression"},
      {"year @ 1", 6, "unexpected character '@'"},
      {"()", 2, "empty parentheses"},
      {"(a == 1 b", 9, "expected ')', '&&' or '||'"},
      {"1 in {1}", 1, "the left side of 'in' must be a column"},
      {"`year == 1", 1, "unterminated `backquoted` column name"},
  };
  for (const auto& c : cases) {
    auto f = ParseFilter(c.text);
    ASSERT_FALSE(f.ok()) << "accepted: '" << c.text << "'";
    EXPECT_EQ(f.status().code(), StatusCode::kParseError) << c.text;
    const std::string& m = f.status().message();
    EXPECT_EQ(m.rfind("where:" + std::to_string(c.position) + ": ", 0), 0u)
        << "'" << c.text << "' -> " << m;
    EXPECT_NE(m.find(c.message), std::string::npos) << "'" << c.text << "' -> " << m;
  }
}

TEST(Filter, EvaluationErrorsNameTheColumn) {
  Panel p;
  struct Bad {
    std::string text;
    StatusCode code;
    std::string message;
  };
  const std::vector<Bad> cases = {
      {"exporter == 5", StatusCode::kInvalidArgument,
       "where:1: column 'exporter' holds text but is compared with the number "
       "5"},
      {"year == 'x'", StatusCode::kInvalidArgument,
       "where:1: column 'year' is numeric but is compared with the text \"x\""},
      {"year != exporter", StatusCode::kInvalidArgument,
       "column 'year' is numeric but column 'exporter' holds text"},
      {"year in {'1990'}", StatusCode::kInvalidArgument,
       "column 'year' is numeric but its 'in' list holds text"},
      {"exporter in {1}", StatusCode::kInvalidArgument,
       "column 'exporter' holds text but its 'in' list holds numbers"},
      {"yaer == 1990", StatusCode::kNotFound, "unknown column 'yaer'"},
      {"year > 1 && exporter != imprter", StatusCode::kNotFound,
       "where:25: unknown column 'imprter'"},
      {"exporter == USA", StatusCode::kNotFound, "unknown column 'USA'"},
  };
  for (const auto& c : cases) {
    auto f = ParseFilter(c.text);
    ASSERT_TRUE(f.ok()) << c.text << ": " << f.status().ToString();
    auto keep = EvaluateFilter(p.table, *f);
    ASSERT_FALSE(keep.ok()) << c.text;
    EXPECT_EQ(keep.status().code(), c.code) << c.text << ": " << keep.status().ToString();
    EXPECT_NE(keep.status().message().find(c.message), std::string::npos)
        << c.text << " -> " << keep.status().message();
  }
  auto f = ParseFilter("exporter != imprter");
  auto keep = EvaluateFilter(p.table, *f);
  EXPECT_NE(keep.status().message().find("did you mean 'importer'"), std::string::npos)
      << keep.status().message();
}

// Random expressions from the grammar must parse and round-trip through
// ToString; random single-character mutations of them must either parse (and
// round-trip) or fail with a kParseError naming a position inside the text
// or just past it. Never a crash (this also runs under AddressSanitizer).
std::string RandomFilter(std::mt19937_64& rng, int depth) {
  static const std::vector<std::string> cols = {"year", "exporter", "`a b`", "trade"};
  static const std::vector<std::string> ops = {"==", "!=", "<", "<=", ">", ">="};
  static const std::vector<std::string> lits = {"1990", "-2.5", "1e3", "'USA'", "\"x y\"", "0"};
  const int choice = depth > 3 ? static_cast<int>(rng() % 2) : static_cast<int>(rng() % 6);
  const auto pick = [&rng](const std::vector<std::string>& v) { return v[rng() % v.size()]; };
  switch (choice) {
    case 0:
      return pick(cols) + " " + pick(ops) + " " + (rng() % 2 ? pick(lits) : pick(cols));
    case 1: {
      const bool text = rng() % 2;
      std::string s = pick(cols) + " in {";
      const int n = 1 + static_cast<int>(rng() % 3);
      for (int k = 0; k < n; ++k) s += (k ? "," : "") + std::string(text ? "'v'" : "7");
      return s + "}";
    }
    case 2:
      return RandomFilter(rng, depth + 1) + " && " + RandomFilter(rng, depth + 1);
    case 3:
      return RandomFilter(rng, depth + 1) + " || " + RandomFilter(rng, depth + 1);
    case 4:
      return "!(" + RandomFilter(rng, depth + 1) + ")";
    default:
      return "(" + RandomFilter(rng, depth + 1) + ")";
  }
}

TEST(Filter, RandomExpressionsRoundTripAndMutationsFailCleanly) {
  std::mt19937_64 rng(12345);
  const std::string alphabet = "ay1 .'\"`(){},=!<>&|-+@e";
  int mutants_accepted = 0, mutants_rejected = 0;
  for (int iter = 0; iter < 3000; ++iter) {
    const std::string text = RandomFilter(rng, 0);
    auto f = ParseFilter(text);
    ASSERT_TRUE(f.ok()) << text << ": " << f.status().ToString();
    auto g = ParseFilter(f->ToString());
    ASSERT_TRUE(g.ok()) << text << " -> " << f->ToString() << ": " << g.status().ToString();
    EXPECT_EQ(g->ToString(), f->ToString()) << text;
    EXPECT_EQ(g->Columns(), f->Columns()) << text;
    for (int m = 0; m < 5; ++m) {
      std::string mutant = text;
      const size_t at = rng() % (mutant.size() + 1);
      switch (rng() % 3) {
        case 0:
          if (at < mutant.size()) mutant.erase(at, 1);
          break;
        case 1:
          mutant.insert(at, 1, alphabet[rng() % alphabet.size()]);
          break;
        default:
          if (at < mutant.size()) mutant[at] = alphabet[rng() % alphabet.size()];
          break;
      }
      auto h = ParseFilter(mutant);
      if (h.ok()) {
        ++mutants_accepted;
        auto k = ParseFilter(h->ToString());
        ASSERT_TRUE(k.ok()) << mutant << " -> " << h->ToString() << ": " << k.status().ToString();
        EXPECT_EQ(k->ToString(), h->ToString()) << mutant;
        continue;
      }
      ++mutants_rejected;
      ASSERT_EQ(h.status().code(), StatusCode::kParseError) << mutant;
      const std::string& msg = h.status().message();
      ASSERT_EQ(msg.rfind("where:", 0), 0u) << mutant << " -> " << msg;
      const int pos = std::stoi(msg.substr(6));
      EXPECT_GE(pos, 1) << mutant;
      EXPECT_LE(pos, static_cast<int>(mutant.size()) + 1) << mutant << " -> " << msg;
    }
  }
  EXPECT_GT(mutants_accepted, 100);
  EXPECT_GT(mutants_rejected, 100);
}

// Regression (fuzz/corpus/filter/deep_parens_regression.txt, found by
// filter_fuzz):
// deep nesting and very long && / || chains used to recurse without limit and
// overflow the stack; they are parse errors naming the position.
TEST(Filter, NestingAndChainLimitsAreParseErrors) {
  const std::string deep_parens(100000, '(');
  auto a = ParseFilter(deep_parens);
  ASSERT_FALSE(a.ok());
  EXPECT_NE(a.status().message().find("nested more than 200 levels"), std::string::npos)
      << a.status().message();
  EXPECT_NE(a.status().message().find("where:201:"), std::string::npos) << a.status().message();

  std::string nots;
  for (int i = 0; i < 50000; ++i) nots += "!";
  nots += "(x == 1)";
  auto b = ParseFilter(nots);
  ASSERT_FALSE(b.ok());
  EXPECT_NE(b.status().message().find("nested more than 200 levels"), std::string::npos);

  // 200 levels are still fine.
  std::string ok = std::string(200, '(') + "x == 1" + std::string(200, ')');
  EXPECT_TRUE(ParseFilter(ok).ok());

  std::string chain = "x == 0";
  for (int i = 1; i <= 2000; ++i) chain += " || x == " + std::to_string(i);
  EXPECT_TRUE(ParseFilter(chain).ok());
  chain += " || x == -1";
  auto c = ParseFilter(chain);
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find("more than 2000 '&&'/'||' operators"), std::string::npos)
      << c.status().message();

  // The fuzz reproducer itself.
  std::ifstream in(
      std::string(REBALANCE_SOURCE_DIR) + "/fuzz/corpus/filter/deep_parens_regression.txt",
      std::ios::binary);
  ASSERT_TRUE(in.good());
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_FALSE(ParseFilter(text).ok());
}

}  // namespace
}  // namespace rebalance::data
