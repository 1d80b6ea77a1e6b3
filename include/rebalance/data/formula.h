// Model formulas in fixest syntax and --where sample filters.
//
// Formula grammar (whitespace is free everywhere):
//   formula  := column '~' rhs [ '|' fe ( '+' fe )* ]
//   rhs      := [ '0' '+' ] term ( '+' term )* [ '-' '1' ]  |  '1'
//               ('1': no regressors; '0 +' or a final '- 1': no intercept)
//   term     := column | 'log' '(' column ')'
//   fe       := column ( '^' column )*            (interaction)
//   column   := [A-Za-z_.][A-Za-z0-9_.]*  |  '`' any text but '`' '`'
// e.g. "trade ~ log(dist) + cntg + rta | exporter^year + importer^year +
// pair_id".
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

// One regressor.
struct Term {
  enum class Kind { kColumn, kLog };
  Kind kind = Kind::kColumn;
  std::string column;  // the table column
  std::string text;    // the term as written, normalised: "log(dist)", "cntg"
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

// Values of a regressor per row; NaN where an input is missing, not finite,
// or log's argument is <= 0 (counted by the caller as missing).
// Unknown column => kNotFound naming the nearest column. String column =>
// kInvalidArgument.
Result<std::vector<double>> EvaluateTerm(const Table& table, const Term& term);

// The same values row by row, without materialising the column:
// reader(row) == EvaluateTerm(table, term)[row] (NaN compares aside). The
// table must outlive the reader.
class TermReader {
 public:
  double operator()(int64_t row) const {
    constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
    if (column_->IsMissing(row)) return kNaN;
    const size_t r = static_cast<size_t>(row);
    double v =
        column_->type == ColumnType::kF64 ? column_->f64[r] : static_cast<double>(column_->i64[r]);
    if (log_) v = v > 0 ? std::log(v) : kNaN;  // NaN fails v > 0
    return std::isfinite(v) ? v : kNaN;
  }

 private:
  friend Result<TermReader> MakeTermReader(const Table& table, const Term& term);
  const Column* column_ = nullptr;
  bool log_ = false;
};

// Errors as for EvaluateTerm.
Result<TermReader> MakeTermReader(const Table& table, const Term& term);

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
