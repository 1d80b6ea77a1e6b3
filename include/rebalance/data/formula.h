// Model formulas in fixest syntax and --where sample filters.
//
// Formula grammar (whitespace is free everywhere; fixest / R syntax):
//   formula  := column '~' rhs [ '|' fe ( '+' fe )* ]
//   rhs      := [ '0' '+' ] rterm ( '+' rterm )* [ '-' '1' ]  |  '1'
//               ('1': no regressors; '0 +' or a final '- 1': no intercept)
//   rterm    := inter ( '*' inter )*     a*b = a + b + a:b (all products)
//   inter    := factor ( ':' factor )*   product of the factors, named "a:b"
//   factor   := column | func '(' arith ')' | 'I' '(' arith ')' | ifactor
//   func     := 'log' | 'exp' | 'sqrt' | 'log1p'
//   ifactor  := 'i' '(' column [ ',' arith ] [ ',' [ 'ref' '=' ] levels ] ')'
//   levels   := level | 'c' '(' level ( ',' level )* ')'   level := number | "text"
//   arith    := ordinary arithmetic: + - * / ^ (power), unary -, numbers,
//               columns, func(...), parentheses (only inside I() and func())
//   fe       := column ( '^' column )*            (interaction)
//   column   := [A-Za-z_.][A-Za-z0-9_.]*  |  '`' any text but '`' '`'
// Terms are ordered by degree as R's terms() does ("y ~ a:b + c" lists c
// first). i(f) gives one dummy per level of f (less the reference levels),
// named "f::level"; i(f, x) gives x times each dummy, named "f::level:x"
// (fixest's names). Several models in one formula: sw(a, b) (stepwise: one
// model with a, one with b) and csw(a, b) (cumulative: a, then a + b), one of
// them per formula, expanded by ExpandFormulas.
// e.g. "trade ~ log(dist) + cntg + i(year, rta, ref = 1986) | exporter^year +
// importer^year + pair_id".
//
// Filter grammar (recursive descent; precedence ! > comparison > && > ||):
//   or       := and ( '||' and )*
//   and      := unary ( '&&' unary )*
//   unary    := '!' ( '!' ... | '(' or ')' )  |  '(' or ')'  |  compare
//   compare  := operand op operand  |  column 'in' '{' literal ( ',' literal )*
//   '}' op       := '==' | '!=' | '<' | '<=' | '>' | '>=' operand  := column |
//   number | quoted string ('x' or "x")
// A bare identifier is always a column reference (on either side); text is
// written in quotes. '!' takes a parenthesised condition ("!(year == 1990)"),
// because it binds tighter than a comparison and "!year == 1990" would
// otherwise silently mean something else.
//
// Errors of both parsers are kParseError messages of the form
// "formula:12: expected a column name after '+'" with the 1-based character
// position, followed by the text and a caret line.
#ifndef REBALANCE_DATA_FORMULA_H_
#define REBALANCE_DATA_FORMULA_H_

#include <cmath>
#include <cstdint>
#include <limits>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "rebalance/core/status.h"
#include "rebalance/data/table.h"

namespace rebalance::data {

// A numeric expression of columns (a regressor, the variable of i(f, x), a
// function's argument). Trees are immutable and shared.
struct Expr {
  enum class Op {
    kColumn,
    kNumber,
    kLog,
    kExp,
    kSqrt,
    kLog1p,
    kI,  // leaves and functions
    kAdd,
    kSub,
    kMul,
    kDiv,
    kPow,
    kNeg,      // arithmetic (inside I())
    kInteract  // a:b (value a * b)
  };
  Op op = Op::kColumn;
  std::string name;  // kColumn: the column; kNumber: the number as written
  double number = 0;
  std::shared_ptr<const Expr> a, b;  // operands (a only for functions, kI, kNeg)
};

// One regressor as written; expands to one or more design columns
// (ExpandRegressors): an i() term gives one per level.
struct Term {
  enum class Kind {
    kColumn,  // x
    kLog,     // log(x)
    kExpr,    // any other expression: x:z, I(x^2), sqrt(x), log(x):z
    kFactor   // i(f), i(f, x), i(f, x, ref = level)
  };
  Kind kind = Kind::kColumn;
  std::string column;  // kColumn/kLog: the column; kFactor: the factor; kExpr: first column
  std::string text;    // the term as written, normalised: "log(dist)", "cntg", "x:z"
  std::shared_ptr<const Expr> expr;  // kExpr: the value; kFactor: x (null for i(f))
  std::vector<std::string> ref;      // kFactor: reference levels as written (no dummy)
  // Every column the term reads, in order of appearance.
  std::vector<std::string> Columns() const;
};

// One fixed-effect dimension.
struct FixedEffectTerm {
  std::vector<std::string> columns;  // {"exporter","year"} for exporter^year
  std::string text;                  // "exporter^year"
};

struct Formula {
  std::string lhs;                             // outcome column
  std::vector<Term> regressors;                // may be empty (FE only)
  std::vector<FixedEffectTerm> fixed_effects;  // may be empty
  // False for "y ~ 0 + x" or "y ~ x - 1": with no fixed effects the model
  // has no constant (Stata's `regress y x, nocons`). With fixed effects the
  // constant is absorbed anyway and this has no effect.
  bool intercept = true;
  // Every column used, deduplicated, in order of appearance.
  std::vector<std::string> Columns() const;
  // Canonical text, e.g. "y ~ x1 + log(x2) | a + b^c"; parses back to the
  // same Formula.
  std::string ToString() const;
};

// Parses fixest syntax: "y ~ x1 + log(x2) | a + b^c". Errors are kParseError
// naming the 1-based character position and what was expected. Duplicate
// terms, a column repeated inside an interaction, the outcome used as a
// regressor and unknown functions are errors.
Result<Formula> ParseFormula(std::string_view text);

// The formulas of a text that may hold one sw() or csw() (fixest's stepwise
// and cumulative stepwise): "y ~ x + sw(a, b) | f" gives "y ~ x + a | f" and
// "y ~ x + b | f"; csw(a, b) gives "... + a" and "... + a + b". A text
// without them gives itself. Each result is parsed with ParseFormula.
Result<std::vector<Formula>> ExpandFormulas(std::string_view text);

class TermReader;

// Values of a one-column regressor (every kind but kFactor) per row; NaN
// where an input is missing, not finite, or the value is not finite (log's
// argument <= 0, sqrt of a negative number, division by zero; counted by the
// caller as missing).
// Unknown column => kNotFound naming the nearest column. String column =>
// kInvalidArgument. A kFactor term => kInvalidArgument (use ExpandRegressors).
Result<std::vector<double>> EvaluateTerm(const Table& table, const Term& term);

// The same values row by row, without materialising the column:
// reader(row) == EvaluateTerm(table, term)[row] (NaN compares aside). The
// table must outlive the reader.
class TermReader {
 public:
  double operator()(int64_t row) const {
    constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
    if (program_ != nullptr || factor_ != nullptr) return Slow(row);
    if (column_->IsMissing(row)) return kNaN;
    const size_t r = static_cast<size_t>(row);
    double v =
        column_->type == ColumnType::kF64 ? column_->f64[r] : static_cast<double>(column_->i64[r]);
    if (log_) v = v > 0 ? std::log(v) : kNaN;  // NaN fails v > 0
    return std::isfinite(v) ? v : kNaN;
  }

  struct Instruction;  // one step of a compiled expression (formula.cc)

 private:
  friend Result<TermReader> MakeTermReader(const Table& table, const Term& term);
  friend struct DesignBuilder;
  double Slow(int64_t row) const;
  const Column* column_ = nullptr;
  bool log_ = false;
  // A compiled expression (postfix), or null for a plain column / log.
  std::shared_ptr<const std::vector<Instruction>> program_;
  // i(f, ...): the value is program (or 1) where f == level, 0 elsewhere.
  const Column* factor_ = nullptr;
  int32_t level_code_ = -1;  // string factor
  int64_t level_i64_ = 0;    // integer factor
  double level_f64_ = 0;     // floating-point factor
};

// Errors as for EvaluateTerm.
Result<TermReader> MakeTermReader(const Table& table, const Term& term);

// One column of the design matrix: one coefficient.
struct DesignColumn {
  std::string name;  // "log(dist)", "x:z", "year::1990:rta"
  size_t term = 0;   // index into Formula::regressors
  TermReader reader;
};

// The design columns of the formula's regressors, in order: one per term, an
// i() term one per level of its factor found in the table (levels sorted:
// numbers by value, text bytewise), reference levels left out. A reference
// level that does not occur, a factor with more than 1000 levels (use a fixed
// effect) are
// kInvalidArgument errors.
// `rows`, when given, holds one flag per table row: levels are taken from
// the flagged rows only (the --where sample), as fixest takes them from its
// subset.
Result<std::vector<DesignColumn>> ExpandRegressors(const Table& table, const Formula& formula,
                                                   const std::vector<uint8_t>* rows = nullptr);

// A parsed --where expression: comparisons (== != < <= > >=) of a column
// with a number, a quoted string ('x' or "x"), or another column;
// `col in {1986, 1990}` / `col in {"USA","CAN"}`; && || ! and parentheses.
struct Filter {
  struct Node;  // expression tree, defined in filter.cc
  std::shared_ptr<const Node> root;
  std::string text;  // as given
  // Every column the expression references, deduplicated, in order.
  std::vector<std::string> Columns() const;
  // Canonical text (minimal parentheses); parses back to the same tree.
  std::string ToString() const;
};

Result<Filter> ParseFilter(std::string_view text);

// keep[i] = 1 if row i passes. Logic is three-valued (Kleene): a comparison
// involving a missing cell is unknown, `!unknown` is unknown, and a row is
// kept only when the whole expression is true; so a comparison with a missing
// cell never keeps a row, also under negation. Text columns compare by their
// dictionary text (== exact, < etc. bytewise lexicographic); numbers compare
// as doubles (exactly for integer columns against integer constants).
// Type errors (text column vs number, numeric column vs text) are
// kInvalidArgument naming the column. Unknown column => kNotFound with the
// nearest name.
Result<std::vector<uint8_t>> EvaluateFilter(const Table& table, const Filter& filter);

}  // namespace rebalance::data

#endif  // REBALANCE_DATA_FORMULA_H_
