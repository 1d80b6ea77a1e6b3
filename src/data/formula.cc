// Model formulas in fixest syntax ("y ~ x1 + log(x2) | fe1 + fe2^fe3").
//
// A hand-written scanner over the text (the grammar is in formula.h): one
// token of lookahead, every error names the 1-based character position of the
// offending token and what the grammar expected there, which is what a user
// needs to fix a formula typed on a command line. Terms are kept as written
// (normalised spacing) because they become coefficient names in the output.
#include "rebalance/data/formula.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <limits>
#include <set>

namespace rebalance::data {
namespace {

// "formula:12: <message>\n  <text>\n  <caret>". `pos` is 0-based.
Status ErrorAt(std::string_view text, size_t pos, const std::string& message) {
  std::string caret(std::min(pos, text.size()), ' ');
  for (size_t i = 0; i < caret.size(); ++i) {
    if (text[i] == '\t') caret[i] = '\t';
  }
  return Status::ParseError(
      fmt::format("formula:{}: {}\n  {}\n  {}^", pos + 1, message, text, caret));
}

bool IsIdentStart(char c) {
  return std::isalpha(static_cast<unsigned char>(c)) || c == '_' || c == '.';
}
bool IsIdentChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.';
}

// A name is printed with backquotes when it is not a plain identifier.
std::string QuoteName(const std::string& name) {
  bool plain = !name.empty() && IsIdentStart(name[0]);
  for (char c : name) plain = plain && IsIdentChar(c);
  return plain ? name : "`" + name + "`";
}

// Describes the token at `pos` for messages: "'+'", "end of formula".
std::string Describe(std::string_view text, size_t pos) {
  if (pos >= text.size()) return "the end of the formula";
  if (IsIdentStart(text[pos])) {
    size_t end = pos;
    while (end < text.size() && IsIdentChar(text[end])) ++end;
    return fmt::format("'{}'", text.substr(pos, end - pos));
  }
  return fmt::format("'{}'", text.substr(pos, 1));
}

class FormulaParser {
 public:
  explicit FormulaParser(std::string_view text) : text_(text) {}

  Result<Formula> Parse() {
    Formula f;
    SkipSpace();
    if (pos_ >= text_.size()) {
      return ErrorAt(text_, pos_,
                     "the formula is empty; expected 'outcome ~ regressors | "
                     "fixed effects'");
    }
    RB_ASSIGN_OR_RETURN(f.lhs, Name("the outcome column"));
    SkipSpace();
    if (pos_ < text_.size() && text_[pos_] == '(') {
      return ErrorAt(text_, pos_,
                     "the outcome must be a plain column; functions are not "
                     "allowed left of '~'");
    }
    if (!Eat('~')) {
      return ErrorAt(text_, pos_,
                     fmt::format("expected '~' after the outcome '{}', found {}", f.lhs,
                                 Describe(text_, pos_)));
    }
    RB_RETURN_IF_ERROR(ParseRegressors(&f));
    SkipSpace();
    if (Eat('|')) RB_RETURN_IF_ERROR(ParseFixedEffects(&f));
    SkipSpace();
    if (pos_ < text_.size()) {
      if (text_[pos_] == '|') {
        return ErrorAt(text_, pos_,
                       "a second '|' is not supported (instrumental-variable "
                       "parts are not implemented)");
      }
      return ErrorAt(text_, pos_,
                     fmt::format("expected '+', '|' or the end of the formula, found {}",
                                 Describe(text_, pos_)));
    }
    return f;
  }

 private:
  void SkipSpace() {
    while (pos_ < text_.size() && std::isspace(static_cast<unsigned char>(text_[pos_]))) ++pos_;
  }
  bool Eat(char c) {
    SkipSpace();
    if (pos_ < text_.size() && text_[pos_] == c) {
      ++pos_;
      return true;
    }
    return false;
  }

  // A column name (plain identifier or `backquoted`). `what` says what the
  // grammar expected, for the error message.
  Result<std::string> Name(const std::string& what) {
    SkipSpace();
    if (pos_ < text_.size() && text_[pos_] == '`') {
      const size_t start = pos_;
      const size_t close = text_.find('`', pos_ + 1);
      if (close == std::string_view::npos) {
        return ErrorAt(text_, start, "unterminated `backquoted` column name");
      }
      if (close == pos_ + 1) return ErrorAt(text_, start, "empty `` column name");
      std::string name(text_.substr(pos_ + 1, close - pos_ - 1));
      pos_ = close + 1;
      return name;
    }
    if (pos_ >= text_.size() || !IsIdentStart(text_[pos_])) {
      return ErrorAt(text_, pos_,
                     fmt::format("expected {}, found {}", what, Describe(text_, pos_)));
    }
    const size_t start = pos_;
    while (pos_ < text_.size() && IsIdentChar(text_[pos_])) ++pos_;
    return std::string(text_.substr(start, pos_ - start));
  }

  // What the grammar expects after `sep` ('~', '+', '|', '^').
  static std::string After(char sep) { return fmt::format("after '{}'", sep); }

  Status ParseRegressors(Formula* f) {
    SkipSpace();
    // "y ~ 1 | fe": no regressors (fixed effects only).
    if (pos_ < text_.size() && text_[pos_] == '1') {
      size_t p = pos_ + 1;
      while (p < text_.size() && std::isspace(static_cast<unsigned char>(text_[p]))) ++p;
      if (p >= text_.size() || text_[p] == '|') {
        pos_ = p;
        return Status::Ok();
      }
      return ErrorAt(text_, pos_,
                     "a constant may only stand alone ('y ~ 1 | fe'); expected "
                     "a column name or log(column)");
    }
    char sep = '~';
    // "y ~ 0 + x": no intercept (fixest / R syntax). A column name cannot
    // start with a digit, so a leading '0' is unambiguous.
    if (pos_ < text_.size() && text_[pos_] == '0') {
      const size_t zero_pos = pos_;
      ++pos_;
      if (!Eat('+')) {
        return ErrorAt(text_, zero_pos,
                       "'0' (no intercept) must be followed by '+ regressors', "
                       "e.g. 'y ~ 0 + x'");
      }
      f->intercept = false;
      sep = '+';
    }
    std::set<std::string> seen;
    while (true) {
      SkipSpace();
      const size_t term_pos = pos_;
      if (pos_ >= text_.size() || text_[pos_] == '|' || text_[pos_] == '+') {
        return ErrorAt(text_, pos_,
                       fmt::format("expected a column name or log(column) {}, found {}", After(sep),
                                   Describe(text_, pos_)));
      }
      RB_ASSIGN_OR_RETURN(std::string name,
                          Name(fmt::format("a column name or log(column) {}", After(sep))));
      Term term;
      SkipSpace();
      if (pos_ < text_.size() && text_[pos_] == '(') {
        if (name != "log") {
          return ErrorAt(text_, term_pos,
                         fmt::format("unknown function '{}'; supported: log(column)", name));
        }
        ++pos_;
        RB_ASSIGN_OR_RETURN(term.column, Name("a column name inside log( )"));
        SkipSpace();
        if (pos_ < text_.size() && text_[pos_] == '(') {
          return ErrorAt(text_, pos_, "functions cannot be nested; supported: log(column)");
        }
        if (!Eat(')')) {
          return ErrorAt(
              text_, pos_,
              fmt::format("expected ')' to close log(, found {}", Describe(text_, pos_)));
        }
        term.kind = Term::Kind::kLog;
        term.text = "log(" + QuoteName(term.column) + ")";
      } else {
        term.kind = Term::Kind::kColumn;
        term.column = name;
        term.text = QuoteName(name);
      }
      if (term.column == f->lhs) {
        return ErrorAt(text_, term_pos,
                       fmt::format("the outcome '{}' cannot also be a regressor", f->lhs));
      }
      if (!seen.insert(term.text).second) {
        return ErrorAt(text_, term_pos, fmt::format("duplicate regressor '{}'", term.text));
      }
      f->regressors.push_back(std::move(term));
      SkipSpace();
      // "y ~ x - 1": no intercept; only as the last regressor term.
      if (pos_ < text_.size() && text_[pos_] == '-') {
        const size_t minus_pos = pos_;
        size_t p = pos_ + 1;
        while (p < text_.size() && std::isspace(static_cast<unsigned char>(text_[p]))) ++p;
        size_t after = p + 1;
        while (after < text_.size() && std::isspace(static_cast<unsigned char>(text_[after])))
          ++after;
        if (p < text_.size() && text_[p] == '1' && (after >= text_.size() || text_[after] == '|')) {
          if (!f->intercept) {
            return ErrorAt(text_, minus_pos, "the intercept is removed twice ('0 +' and '- 1')");
          }
          f->intercept = false;
          pos_ = p + 1;
          return Status::Ok();
        }
        return ErrorAt(text_, minus_pos,
                       "operator '-' is only supported as a final '- 1' (no "
                       "intercept); regressors are joined by '+'");
      }
      if (pos_ < text_.size() && (text_[pos_] == '*' || text_[pos_] == ':')) {
        return ErrorAt(text_, pos_,
                       fmt::format("operator '{}' is not supported; regressors are joined by '+'",
                                   text_[pos_]));
      }
      if (!Eat('+')) return Status::Ok();
      sep = '+';
    }
  }

  Status ParseFixedEffects(Formula* f) {
    char sep = '|';
    std::set<std::vector<std::string>> seen;  // sorted column sets: a^b == b^a
    while (true) {
      SkipSpace();
      const size_t fe_pos = pos_;
      FixedEffectTerm fe;
      RB_ASSIGN_OR_RETURN(std::string first,
                          Name(fmt::format("a fixed-effect column name {}", After(sep))));
      if (first == f->lhs) {
        return ErrorAt(text_, fe_pos,
                       fmt::format("the outcome '{}' cannot also be a fixed effect", f->lhs));
      }
      fe.columns.push_back(first);
      while (true) {
        SkipSpace();
        if (pos_ < text_.size() && text_[pos_] == '(') {
          return ErrorAt(text_, fe_pos,
                         fmt::format("functions are not allowed in fixed effects ('{}('); "
                                     "write columns joined by '^'",
                                     first));
        }
        if (!Eat('^')) break;
        SkipSpace();
        const size_t col_pos = pos_;
        RB_ASSIGN_OR_RETURN(std::string col, Name("a column name after '^'"));
        if (col == f->lhs) {
          return ErrorAt(text_, col_pos,
                         fmt::format("the outcome '{}' cannot also be a fixed effect", f->lhs));
        }
        if (std::find(fe.columns.begin(), fe.columns.end(), col) != fe.columns.end()) {
          return ErrorAt(text_, col_pos,
                         fmt::format("column '{}' appears twice in the interaction", col));
        }
        fe.columns.push_back(col);
      }
      for (size_t i = 0; i < fe.columns.size(); ++i) {
        if (i) fe.text += '^';
        fe.text += QuoteName(fe.columns[i]);
      }
      std::vector<std::string> key = fe.columns;
      std::sort(key.begin(), key.end());
      if (!seen.insert(key).second) {
        return ErrorAt(text_, fe_pos, fmt::format("duplicate fixed effect '{}'", fe.text));
      }
      f->fixed_effects.push_back(std::move(fe));
      SkipSpace();
      if (pos_ < text_.size() && (text_[pos_] == '*' || text_[pos_] == ':')) {
        return ErrorAt(text_, pos_,
                       fmt::format("operator '{}' is not supported in fixed "
                                   "effects; interactions use '^'",
                                   text_[pos_]));
      }
      if (!Eat('+')) return Status::Ok();
      sep = '+';
    }
  }

  std::string_view text_;
  size_t pos_ = 0;
};

}  // namespace

std::vector<std::string> Formula::Columns() const {
  std::vector<std::string> out;
  auto add = [&out](const std::string& c) {
    if (std::find(out.begin(), out.end(), c) == out.end()) out.push_back(c);
  };
  add(lhs);
  for (const auto& t : regressors) add(t.column);
  for (const auto& fe : fixed_effects) {
    for (const auto& c : fe.columns) add(c);
  }
  return out;
}

std::string Formula::ToString() const {
  std::string s = QuoteName(lhs) + " ~ ";
  if (regressors.empty()) {
    s += "1";
  } else {
    if (!intercept) s += "0 + ";
    for (size_t i = 0; i < regressors.size(); ++i) {
      if (i) s += " + ";
      s += regressors[i].text;
    }
  }
  if (!fixed_effects.empty()) {
    s += " | ";
    for (size_t i = 0; i < fixed_effects.size(); ++i) {
      if (i) s += " + ";
      s += fixed_effects[i].text;
    }
  }
  return s;
}

Result<Formula> ParseFormula(std::string_view text) { return FormulaParser(text).Parse(); }

Result<TermReader> MakeTermReader(const Table& table, const Term& term) {
  RB_ASSIGN_OR_RETURN(const Column* col, table.GetColumn(term.column));
  if (col->type == ColumnType::kString) {
    return Status::InvalidArgument(
        fmt::format("regressor '{}': column '{}' holds text (e.g. '{}'), a "
                    "number was expected",
                    term.text, term.column, col->dictionary.empty() ? "" : col->dictionary[0]));
  }
  TermReader reader;
  reader.column_ = col;
  reader.log_ = term.kind == Term::Kind::kLog;
  return reader;
}

Result<std::vector<double>> EvaluateTerm(const Table& table, const Term& term) {
  RB_ASSIGN_OR_RETURN(const TermReader reader, MakeTermReader(table, term));
  std::vector<double> out(static_cast<size_t>(table.num_rows()));
  for (size_t i = 0; i < out.size(); ++i) out[i] = reader(static_cast<int64_t>(i));
  return out;
}

}  // namespace rebalance::data
