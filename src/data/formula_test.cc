#include "rebalance/data/formula.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <string>
#include <vector>

namespace rebalance::data {
namespace {

TEST(Formula, ParsesTheGravityExample) {
  auto f = ParseFormula(
      "trade ~ log(dist) + cntg + rta | exporter^year + importer^year + "
      "pair_id");
  ASSERT_TRUE(f.ok()) << f.status().ToString();
  EXPECT_EQ(f->lhs, "trade");
  ASSERT_EQ(f->regressors.size(), 3u);
  EXPECT_EQ(f->regressors[0].kind, Term::Kind::kLog);
  EXPECT_EQ(f->regressors[0].column, "dist");
  EXPECT_EQ(f->regressors[0].text, "log(dist)");
  EXPECT_EQ(f->regressors[1].kind, Term::Kind::kColumn);
  EXPECT_EQ(f->regressors[1].column, "cntg");
  EXPECT_EQ(f->regressors[1].text, "cntg");
  EXPECT_EQ(f->regressors[2].text, "rta");
  ASSERT_EQ(f->fixed_effects.size(), 3u);
  EXPECT_EQ(f->fixed_effects[0].columns, (std::vector<std::string>{"exporter", "year"}));
  EXPECT_EQ(f->fixed_effects[0].text, "exporter^year");
  EXPECT_EQ(f->fixed_effects[1].text, "importer^year");
  EXPECT_EQ(f->fixed_effects[2].columns, (std::vector<std::string>{"pair_id"}));
  EXPECT_EQ(f->Columns(), (std::vector<std::string>{"trade", "dist", "cntg", "rta", "exporter",
                                                    "year", "importer", "pair_id"}));
  EXPECT_EQ(f->ToString(),
            "trade ~ log(dist) + cntg + rta | exporter^year + importer^year + "
            "pair_id");
}

TEST(Formula, WhitespaceIsFree) {
  auto a = ParseFormula("trade~log(dist)+cntg|exporter^year+pair_id");
  auto b = ParseFormula("  trade  ~\tlog ( dist )  +cntg |  exporter ^ year +\n pair_id  ");
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  ASSERT_TRUE(b.ok()) << b.status().ToString();
  EXPECT_EQ(a->ToString(), b->ToString());
  EXPECT_EQ(b->regressors[0].text, "log(dist)");
  EXPECT_EQ(b->fixed_effects[0].text, "exporter^year");
}

TEST(Formula, RoundTripsEveryForm) {
  const std::vector<std::string> examples = {
      "trade ~ log(dist) + cntg + rta | exporter^year + importer^year + "
      "pair_id",
      "y ~ x1 + x2 | exp_year + imp_year + pair",
      "y ~ x1 + x2 | exp_sec_year + imp_sec_year + pair_sec",
      "y ~ 1 | a + b^c",
      "y ~ x",
      "y ~ log(x) + z",
      "`my y` ~ `x 1` + log(`x 2`) | `id a`^b",
      "y.var ~ x_1 + .z | a.b",
      "y ~ 0 + x",
      "y ~ 0 + x + log(z) | a",
  };
  for (const auto& text : examples) {
    auto f = ParseFormula(text);
    ASSERT_TRUE(f.ok()) << text << ": " << f.status().ToString();
    EXPECT_EQ(f->ToString(), text);
    auto g = ParseFormula(f->ToString());
    ASSERT_TRUE(g.ok()) << g.status().ToString();
    EXPECT_EQ(g->lhs, f->lhs);
    ASSERT_EQ(g->regressors.size(), f->regressors.size());
    for (size_t i = 0; i < f->regressors.size(); ++i) {
      EXPECT_EQ(g->regressors[i].column, f->regressors[i].column);
      EXPECT_EQ(g->regressors[i].kind, f->regressors[i].kind);
      EXPECT_EQ(g->regressors[i].text, f->regressors[i].text);
    }
    EXPECT_EQ(g->intercept, f->intercept);
    ASSERT_EQ(g->fixed_effects.size(), f->fixed_effects.size());
    for (size_t i = 0; i < f->fixed_effects.size(); ++i) {
      EXPECT_EQ(g->fixed_effects[i].columns, f->fixed_effects[i].columns);
    }
  }
}

TEST(Formula, FixedEffectsOnlyAndNoFixedEffects) {
  auto f = ParseFormula("y ~ 1 | a + b");
  ASSERT_TRUE(f.ok()) << f.status().ToString();
  EXPECT_TRUE(f->regressors.empty());
  EXPECT_EQ(f->fixed_effects.size(), 2u);
  auto g = ParseFormula("y ~ x + log(z)");
  ASSERT_TRUE(g.ok()) << g.status().ToString();
  EXPECT_TRUE(g->fixed_effects.empty());
  EXPECT_EQ(g->Columns(), (std::vector<std::string>{"y", "x", "z"}));
  // A column used twice (as regressor and in a fixed effect) is listed once.
  auto h = ParseFormula("y ~ year + log(year) | year^country");
  ASSERT_TRUE(h.ok()) << h.status().ToString();
  EXPECT_EQ(h->Columns(), (std::vector<std::string>{"y", "year", "country"}));
}

TEST(Formula, NoInterceptSpellings) {
  for (const char* text :
       {"y ~ 0 + x + z", "y ~ x + z - 1", "y ~ x + z -1", "y~0+x+z", "y ~ x + z - 1 | a"}) {
    auto f = ParseFormula(text);
    ASSERT_TRUE(f.ok()) << text << ": " << f.status().ToString();
    EXPECT_FALSE(f->intercept) << text;
    ASSERT_EQ(f->regressors.size(), 2u) << text;
    EXPECT_EQ(f->regressors[1].column, "z") << text;
  }
  auto f = ParseFormula("y ~ x + z - 1");
  ASSERT_TRUE(f.ok());
  EXPECT_EQ(f->ToString(), "y ~ 0 + x + z");
  auto g = ParseFormula("y ~ x + z");
  ASSERT_TRUE(g.ok());
  EXPECT_TRUE(g->intercept);
}

struct BadFormula {
  std::string text;
  int position;         // 1-based
  std::string message;  // a substring of the error
};

TEST(Formula, ErrorsNamePositionAndExpectation) {
  const std::vector<BadFormula> cases = {
      {"", 1, "the formula is empty"},
      {"   ", 4, "the formula is empty"},
      {"trade ~ x + ", 13, "expected a column name or log(column) after '+'"},
      {"trade ~ x +| a", 12, "expected a column name or log(column) after '+', found '|'"},
      {"trade x", 7, "expected '~' after the outcome 'trade', found 'x'"},
      {"~ x", 1, "expected the outcome column"},
      {"y ~ | a", 5, "expected a column name or log(column) after '~'"},
      {"y ~", 4, "after '~', found the end of the formula"},
      {"trade ~ expp(x)", 9, "unknown function 'expp'; supported: log, exp, sqrt, log1p"},
      {"trade ~ sqr (x)", 9, "unknown function 'sqr'"},
      {"trade ~ x + x", 13, "duplicate regressor 'x'"},
      {"trade ~ log(x) + log( x )", 18, "duplicate regressor 'log(x)'"},
      {"y ~ x | a + a", 13, "duplicate fixed effect 'a'"},
      {"y ~ x | a^b + b^a", 15, "duplicate fixed effect 'b^a'"},
      {"y ~ x | a^b^a", 13, "column 'a' appears twice in the interaction"},
      {"y ~ y", 5, "the outcome 'y' cannot also be a regressor"},
      {"y ~ log(y)", 5, "the outcome 'y' cannot also be a regressor"},
      {"y ~ x | a + y", 13, "the outcome 'y' cannot also be a fixed effect"},
      {"y ~ x | a^y", 11, "the outcome 'y' cannot also be a fixed effect"},
      {"y ~ x | a ^  a", 14, "column 'a' appears twice in the interaction"},
      {"y ~ x |", 8, "expected a fixed-effect column name after '|'"},
      {"y ~ x | a +", 12, "expected a fixed-effect column name after '+'"},
      {"y ~ x | a^", 11, "expected a column name after '^'"},
      {"y ~ log(x", 10, "expected ')' to close log("},
      {"y ~ log()", 9, "expected a column name inside log( )"},
      {"y ~ x^2", 6, "write a power as I(x^2)"},
      {"y ~ 2 * x", 5, "a number may only appear inside I( )"},
      {"y ~ i(f, keep = 3)", 10, "i(): argument 'keep' is not supported"},
      {"y ~ i(f, ref = abc)", 16, "expected a reference level"},
      {"y ~ i(f, x, 1, 2)", 16, "i(): too many arguments"},
      {"y ~ i(f):x", 10, "i() cannot be part of a ':' interaction"},
      {"y ~ x:i(f)", 7, "i() cannot be part of a ':' interaction"},
      {"y ~ i(f)*x", 5, "i() cannot be part of a '*' interaction"},
      {"y ~ log(i(f))", 9, "i() stands alone as a term"},
      {"y ~ sw(a, b)", 5, "sw() gives several models"},
      {"y ~ I(x^)", 9, "expected a column name inside I( )"},
      {"y ~ I((x + 1)", 14, "expected ')' to close I("},
      {"y ~ x:y", 5, "the outcome 'y' cannot also be a regressor"},
      {"y ~ i(y)", 5, "the outcome 'y' cannot also be a regressor"},
      {"y ~ log(2) + x", 5, "regressor 'log(2)' uses no column"},
      {"y ~ x + x:z + z:x", 15, "duplicate regressor 'z:x'"},
      {"y ~ x | a | z", 11, "a second '|' is not supported"},
      {"log(y) ~ x", 4, "the outcome must be a plain column"},
      {"y ~ `x", 5, "unterminated `backquoted` column name"},
      {"y ~ 1 + x", 5, "a constant may only stand alone"},
      {"y ~ x | f(a)", 9, "functions are not allowed in fixed effects"},
      {"y ~ x z", 7, "expected '+', '|' or the end of the formula, found 'z'"},
      {"y ~ x | a z", 11, "expected '+', '|' or the end of the formula"},
      {"y ~ x - z", 7, "operator '-' is only supported as a final '- 1'"},
      {"y ~ x - 1 + z", 7, "operator '-' is only supported as a final '- 1'"},
      {"y ~ 0 + x - 1", 11, "the intercept is removed twice"},
      {"y ~ 0 x", 5, "'0' (no intercept) must be followed by '+ regressors'"},
      {"y ~ 0", 5, "'0' (no intercept) must be followed by '+ regressors'"},
      {"y ~ 0 + | a", 9, "expected a column name or log(column) after '+'"},
  };
  for (const auto& c : cases) {
    auto f = ParseFormula(c.text);
    ASSERT_FALSE(f.ok()) << "accepted: '" << c.text << "'";
    EXPECT_EQ(f.status().code(), StatusCode::kParseError) << c.text;
    const std::string& m = f.status().message();
    EXPECT_EQ(m.rfind("formula:" + std::to_string(c.position) + ": ", 0), 0u)
        << "'" << c.text << "' -> " << m;
    EXPECT_NE(m.find(c.message), std::string::npos) << "'" << c.text << "' -> " << m;
  }
}

TEST(Formula, ErrorShowsCaretUnderTheProblem) {
  auto f = ParseFormula("trade ~ dist + ");
  ASSERT_FALSE(f.ok());
  EXPECT_NE(f.status().message().find("\n  trade ~ dist + \n                 ^"), std::string::npos)
      << f.status().message();
}

Table TermTable() {
  Table t;
  EXPECT_TRUE(t.AddColumn(Table::F64Column("dist", {100.0, 0.0, -1.0, NAN, 2.5, INFINITY})).ok());
  EXPECT_TRUE(t.AddColumn(Table::I64Column("year", {1986, 1990, 1994, 1998, 2002, 2006})).ok());
  EXPECT_TRUE(t.AddColumn(Table::StringColumn("exporter", {"A", "B", "C", "D", "E", "F"})).ok());
  return t;
}

TEST(Formula, EvaluateTermColumnAndLog) {
  const Table t = TermTable();
  auto f = ParseFormula("y ~ dist + log(dist) + year + log(year)");
  ASSERT_TRUE(f.ok());
  auto plain = EvaluateTerm(t, f->regressors[0]);
  ASSERT_TRUE(plain.ok()) << plain.status().ToString();
  EXPECT_EQ((*plain)[0], 100.0);
  EXPECT_EQ((*plain)[1], 0.0);
  EXPECT_EQ((*plain)[2], -1.0);
  EXPECT_TRUE(std::isnan((*plain)[3]));  // missing
  EXPECT_TRUE(std::isnan((*plain)[5]));  // not finite counts as missing
  auto lg = EvaluateTerm(t, f->regressors[1]);
  ASSERT_TRUE(lg.ok());
  EXPECT_DOUBLE_EQ((*lg)[0], std::log(100.0));
  EXPECT_TRUE(std::isnan((*lg)[1]));  // log(0)
  EXPECT_TRUE(std::isnan((*lg)[2]));  // log(-1)
  EXPECT_TRUE(std::isnan((*lg)[3]));
  EXPECT_DOUBLE_EQ((*lg)[4], std::log(2.5));
  auto yr = EvaluateTerm(t, f->regressors[2]);
  ASSERT_TRUE(yr.ok());
  EXPECT_EQ((*yr)[5], 2006.0);
  auto lyr = EvaluateTerm(t, f->regressors[3]);
  ASSERT_TRUE(lyr.ok());
  EXPECT_DOUBLE_EQ((*lyr)[0], std::log(1986.0));
}

TEST(Formula, EvaluateTermErrors) {
  const Table t = TermTable();
  Term unknown;
  unknown.kind = Term::Kind::kLog, unknown.column = "dits", unknown.text = "log(dits)";
  auto r = EvaluateTerm(t, unknown);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kNotFound);
  EXPECT_NE(r.status().message().find("'dits'"), std::string::npos);
  EXPECT_NE(r.status().message().find("did you mean 'dist'"), std::string::npos)
      << r.status().message();
  Term text;
  text.column = "exporter", text.text = "exporter";
  auto s = EvaluateTerm(t, text);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.status().message().find("column 'exporter' holds text"), std::string::npos)
      << s.status().message();
}

// Random formulas from the grammar must parse and round-trip; random
// single-character mutations must parse (and round-trip) or fail with a
// kParseError naming a position inside the text or just past it.
std::string RandomFormula(std::mt19937_64& rng) {
  static const std::vector<std::string> names = {"x", "z", "dist", "`q r`", "a.b", "w_1"};
  static const std::vector<std::string> fes = {"a", "b", "c", "d^e", "f^g^h", "`i j`"};
  std::vector<std::string> pool = names;
  std::shuffle(pool.begin(), pool.end(), rng);
  std::string s = "y ~ ";
  const int k = static_cast<int>(rng() % 4);
  if (k == 0) s += "1";
  for (int i = 0; i < k; ++i) {
    s += (i ? " + " : "") +
         (rng() % 2 ? "log(" + pool[static_cast<size_t>(i)] + ")" : pool[static_cast<size_t>(i)]);
  }
  std::vector<std::string> fpool = fes;
  std::shuffle(fpool.begin(), fpool.end(), rng);
  const int m = static_cast<int>(rng() % 4);
  for (int i = 0; i < m; ++i) s += (i ? " + " : " | ") + fpool[static_cast<size_t>(i)];
  return s;
}

TEST(Formula, RandomFormulasRoundTripAndMutationsFailCleanly) {
  std::mt19937_64 rng(6789);
  const std::string alphabet = "yxa1 ~+|^()*`.:-loIi,=2\"";
  int mutants_accepted = 0, mutants_rejected = 0;
  for (int iter = 0; iter < 3000; ++iter) {
    const std::string text = RandomFormula(rng);
    auto f = ParseFormula(text);
    ASSERT_TRUE(f.ok()) << text << ": " << f.status().ToString();
    EXPECT_EQ(f->ToString(), text);
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
      auto h = ParseFormula(mutant);
      if (h.ok()) {
        ++mutants_accepted;
        auto g = ParseFormula(h->ToString());
        ASSERT_TRUE(g.ok()) << mutant << " -> " << h->ToString() << ": " << g.status().ToString();
        EXPECT_EQ(g->ToString(), h->ToString()) << mutant;
        EXPECT_EQ(g->Columns(), h->Columns()) << mutant;
        continue;
      }
      ++mutants_rejected;
      ASSERT_EQ(h.status().code(), StatusCode::kParseError) << mutant;
      const std::string& msg = h.status().message();
      ASSERT_EQ(msg.rfind("formula:", 0), 0u) << mutant << " -> " << msg;
      const int pos = std::stoi(msg.substr(8));
      EXPECT_GE(pos, 1) << mutant;
      EXPECT_LE(pos, static_cast<int>(mutant.size()) + 1) << mutant << " -> " << msg;
    }
  }
  EXPECT_GT(mutants_accepted, 100);
  EXPECT_GT(mutants_rejected, 100);
}

}  // namespace
}  // namespace rebalance::data

namespace rebalance::data {
namespace {

TEST(FormulaLanguage, InteractionsExpandAndOrderByDegreeAsR) {
  auto f = ParseFormula("y ~ a*b + c");
  ASSERT_TRUE(f.ok()) << f.status().ToString();
  std::vector<std::string> names;
  for (const auto& t : f->regressors) names.push_back(t.text);
  EXPECT_EQ(names, (std::vector<std::string>{"a", "b", "c", "a:b"}));
  EXPECT_EQ(f->regressors[3].kind, Term::Kind::kExpr);
  EXPECT_EQ(f->regressors[3].Columns(), (std::vector<std::string>{"a", "b"}));
  auto g = ParseFormula("y ~ a*b*log(c)");
  ASSERT_TRUE(g.ok()) << g.status().ToString();
  names.clear();
  for (const auto& t : g->regressors) names.push_back(t.text);
  EXPECT_EQ(names, (std::vector<std::string>{"a", "b", "log(c)", "a:b", "a:log(c)", "b:log(c)",
                                             "a:b:log(c)"}));
  // A main effect written again next to a*b is kept once, as in R.
  auto h = ParseFormula("y ~ a + a*b");
  ASSERT_TRUE(h.ok()) << h.status().ToString();
  EXPECT_EQ(h->ToString(), "y ~ a + b + a:b");
}

TEST(FormulaLanguage, FunctionsPowersAndFactorsRoundTrip) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"y ~ I(x^2) + I(x ^ 3)", "y ~ I(x^2) + I(x^3)"},
      {"y ~ exp(x) + sqrt(z) + log1p(w)", "y ~ exp(x) + sqrt(z) + log1p(w)"},
      {"y ~ log(x+1)", "y ~ log(x + 1)"},
      {"y ~ I((a+b)*c) + I(a - (b - c)) + I(-a^2) + I(a^-1) + I(2.5e-3 * a / b)",
       "y ~ I((a + b) * c) + I(a - (b - c)) + I(-a^2) + I(a^-1) + I(2.5e-3 * a / b)"},
      {"y ~ x + i(year)", "y ~ x + i(year)"},
      {"y ~ i(year, rta)", "y ~ i(year, rta)"},
      {"y ~ i(year,rta,ref=1986)", "y ~ i(year, rta, ref = 1986)"},
      {"y ~ i(year, rta, 1986)", "y ~ i(year, rta, ref = 1986)"},
      {"y ~ i(year, ref = c(1986, 1990))", "y ~ i(year, ref = c(1986, 1990))"},
      {"y ~ i(iso, ref = 'USA')", "y ~ i(iso, ref = \"USA\")"},
      {"y ~ i(year, log(dist), ref = -1)", "y ~ i(year, log(dist), ref = -1)"},
      {"y ~ log(dist):rta + x", "y ~ x + log(dist):rta"},
  };
  for (const auto& [text, canon] : cases) {
    auto f = ParseFormula(text);
    ASSERT_TRUE(f.ok()) << text << ": " << f.status().ToString();
    EXPECT_EQ(f->ToString(), canon) << text;
    auto g = ParseFormula(f->ToString());
    ASSERT_TRUE(g.ok()) << canon << ": " << g.status().ToString();
    EXPECT_EQ(g->ToString(), canon);
  }
  auto f = ParseFormula("y ~ i(year, rta, ref = 1986)");
  ASSERT_TRUE(f.ok());
  EXPECT_EQ(f->regressors[0].kind, Term::Kind::kFactor);
  EXPECT_EQ(f->regressors[0].column, "year");
  EXPECT_EQ(f->regressors[0].ref, (std::vector<std::string>{"1986"}));
  EXPECT_EQ(f->Columns(), (std::vector<std::string>{"y", "year", "rta"}));
}

TEST(FormulaLanguage, ExpandFormulasStepwiseAndCumulative) {
  auto sw = ExpandFormulas("y ~ x + sw(a, log(b)) | f");
  ASSERT_TRUE(sw.ok()) << sw.status().ToString();
  ASSERT_EQ(sw->size(), 2u);
  EXPECT_EQ((*sw)[0].ToString(), "y ~ x + a | f");
  EXPECT_EQ((*sw)[1].ToString(), "y ~ x + log(b) | f");
  auto csw = ExpandFormulas("y ~ csw(a, b + c, i(d, ref = 1)) | f");
  ASSERT_TRUE(csw.ok()) << csw.status().ToString();
  ASSERT_EQ(csw->size(), 3u);
  EXPECT_EQ((*csw)[0].ToString(), "y ~ a | f");
  EXPECT_EQ((*csw)[1].ToString(), "y ~ a + b + c | f");
  EXPECT_EQ((*csw)[2].ToString(), "y ~ a + b + c + i(d, ref = 1) | f");
  auto fe = ExpandFormulas("y ~ x | csw(a, b^c)");
  ASSERT_TRUE(fe.ok()) << fe.status().ToString();
  ASSERT_EQ(fe->size(), 2u);
  EXPECT_EQ((*fe)[1].ToString(), "y ~ x | a + b^c");
  auto one = ExpandFormulas("y ~ x | f");
  ASSERT_TRUE(one.ok());
  EXPECT_EQ(one->size(), 1u);
  // A column named like the function is not a call.
  auto col = ExpandFormulas("y ~ sw + `csw(a)`");
  ASSERT_TRUE(col.ok()) << col.status().ToString();
  EXPECT_EQ(col->size(), 1u);
  for (const char* bad : {"y ~ sw(a) + csw(b)", "y ~ sw(a, )", "y ~ sw(a, b", "y ~ sw(a, b))"}) {
    auto r = ExpandFormulas(bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.status().code(), StatusCode::kParseError) << bad;
  }
  EXPECT_NE(ExpandFormulas("y ~ sw(a) + csw(b)").status().message().find("only one"),
            std::string::npos);
}

Table DesignTable() {
  Table t;
  EXPECT_TRUE(t.AddColumn(Table::F64Column("x", {1.0, 4.0, -2.0, NAN, 0.5, 3.0})).ok());
  EXPECT_TRUE(t.AddColumn(Table::F64Column("z", {2.0, 0.0, 1.0, 1.0, -1.0, 2.0})).ok());
  EXPECT_TRUE(t.AddColumn(Table::I64Column("year", {1990, 1986, 1994, 1990, 1986, 1994})).ok());
  EXPECT_TRUE(
      t.AddColumn(Table::StringColumn("iso", {"USA", "CAN", "MEX", "CAN", "USA", "MEX"})).ok());
  return t;
}

TEST(FormulaLanguage, ExpressionValuesAgainstDirectFormulas) {
  const Table t = DesignTable();
  const std::vector<double> x = {1.0, 4.0, -2.0, NAN, 0.5, 3.0},
                            z = {2.0, 0.0, 1.0, 1.0, -1.0, 2.0};
  struct Case {
    const char* term;
    double (*value)(double, double);
  };
  const std::vector<Case> cases = {
      {"x:z", [](double a, double b) { return a * b; }},
      {"I(x^2)", [](double a, double) { return a * a; }},
      {"exp(x)", [](double a, double) { return std::exp(a); }},
      {"sqrt(x)", [](double a, double) { return a >= 0 ? std::sqrt(a) : NAN; }},
      {"log1p(z)", [](double, double b) { return b > -1 ? std::log1p(b) : NAN; }},
      {"log(x):z", [](double a, double b) { return a > 0 ? std::log(a) * b : NAN; }},
      {"I((x + 1) / z)", [](double a, double b) { return (a + 1) / b; }},
      {"I(-x^2 + 3 * z)", [](double a, double b) { return -(a * a) + 3 * b; }},
      {"I(2^x)", [](double a, double) { return std::pow(2.0, a); }},
  };
  for (const auto& c : cases) {
    auto f = ParseFormula(std::string("y ~ ") + c.term);
    ASSERT_TRUE(f.ok()) << c.term << ": " << f.status().ToString();
    ASSERT_EQ(f->regressors.size(), 1u);
    auto v = EvaluateTerm(t, f->regressors[0]);
    ASSERT_TRUE(v.ok()) << c.term << ": " << v.status().ToString();
    for (size_t i = 0; i < x.size(); ++i) {
      const double want = c.value(x[i], z[i]);
      if (!std::isfinite(want)) {
        EXPECT_TRUE(std::isnan((*v)[i])) << c.term << " row " << i;
      } else {
        EXPECT_NEAR((*v)[i], want, 1e-15 * (1 + std::fabs(want))) << c.term << " row " << i;
      }
    }
  }
  auto bad = ParseFormula("y ~ x:iso");
  ASSERT_TRUE(bad.ok());
  auto r = EvaluateTerm(t, bad->regressors[0]);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("column 'iso' holds text"), std::string::npos);
}

TEST(FormulaLanguage, FactorDummiesNamedAsFixest) {
  const Table t = DesignTable();
  auto f = ParseFormula("y ~ i(year) + i(year, x, ref = 1990) + i(iso, ref = \"USA\") + z");
  ASSERT_TRUE(f.ok()) << f.status().ToString();
  auto d = ExpandRegressors(t, *f);
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  std::vector<std::string> names;
  for (const auto& c : *d) names.push_back(c.name);
  EXPECT_EQ(names,
            (std::vector<std::string>{"year::1986", "year::1990", "year::1994", "year::1986:x",
                                      "year::1994:x", "iso::CAN", "iso::MEX", "z"}));
  const std::vector<double> year = {1990, 1986, 1994, 1990, 1986, 1994};
  const std::vector<double> x = {1.0, 4.0, -2.0, NAN, 0.5, 3.0};
  const std::vector<std::string> iso = {"USA", "CAN", "MEX", "CAN", "USA", "MEX"};
  for (int64_t r = 0; r < 6; ++r) {
    const size_t i = static_cast<size_t>(r);
    EXPECT_EQ((*d)[0].reader(r), year[i] == 1986 ? 1.0 : 0.0);
    EXPECT_EQ((*d)[2].reader(r), year[i] == 1994 ? 1.0 : 0.0);
    if (std::isnan(x[i])) {
      EXPECT_TRUE(std::isnan((*d)[3].reader(r)));  // x missing: the row is missing
    } else {
      EXPECT_EQ((*d)[3].reader(r), year[i] == 1986 ? x[i] : 0.0);
      EXPECT_EQ((*d)[4].reader(r), year[i] == 1994 ? x[i] : 0.0);
    }
    EXPECT_EQ((*d)[6].reader(r), iso[i] == "MEX" ? 1.0 : 0.0);
    EXPECT_EQ((*d)[5].term, 2u);
  }
  auto g = ParseFormula("y ~ i(year, ref = 1989)");
  ASSERT_TRUE(g.ok());
  auto e = ExpandRegressors(t, *g);
  ASSERT_FALSE(e.ok());
  EXPECT_EQ(e.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(e.status().message().find(
                "the reference level '1989' does not occur in column 'year' (levels: 1986, 1990, "
                "1994)"),
            std::string::npos)
      << e.status().message();
  // Levels come from the flagged rows only (the --where sample).
  const std::vector<uint8_t> rows = {1, 0, 1, 1, 0, 1};  // no 1986
  auto w = ExpandRegressors(t, *g, nullptr);
  ASSERT_FALSE(w.ok());
  auto only = ParseFormula("y ~ i(year)");
  ASSERT_TRUE(only.ok());
  auto sub = ExpandRegressors(t, *only, &rows);
  ASSERT_TRUE(sub.ok()) << sub.status().ToString();
  ASSERT_EQ(sub->size(), 2u);
  EXPECT_EQ((*sub)[0].name, "year::1990");
  EXPECT_EQ((*sub)[1].name, "year::1994");
  const std::vector<uint8_t> short_rows = {1, 0};
  EXPECT_FALSE(ExpandRegressors(t, *only, &short_rows).ok());
  auto h = ParseFormula("y ~ i(year)");
  ASSERT_TRUE(h.ok());
  auto m = EvaluateTerm(t, h->regressors[0]);
  ASSERT_FALSE(m.ok());
  EXPECT_NE(m.status().message().find("ExpandRegressors"), std::string::npos);
}

}  // namespace
}  // namespace rebalance::data
