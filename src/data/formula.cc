// Model formulas in fixest syntax ("y ~ x1 + log(x2) | fe1 + fe2^fe3").
//
// A hand-written scanner over the text (the grammar is in formula.h): one
// token of lookahead, every error names the 1-based character position of the
// offending token and what the grammar expected there, which is what a user
// needs to fix a formula typed on a command line. Terms are kept as written
// (normalised spacing) because they become coefficient names in the output.
#include "rebalance/data/formula.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <optional>
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

// Binding strength for printing: higher binds tighter.
int Precedence(Expr::Op op) {
  switch (op) {
    case Expr::Op::kInteract:
      return 0;
    case Expr::Op::kAdd:
    case Expr::Op::kSub:
      return 1;
    case Expr::Op::kMul:
    case Expr::Op::kDiv:
      return 2;
    case Expr::Op::kNeg:
      return 3;
    case Expr::Op::kPow:
      return 4;
    default:
      return 5;
  }
}

const char* FunctionName(Expr::Op op) {
  switch (op) {
    case Expr::Op::kLog:
      return "log";
    case Expr::Op::kExp:
      return "exp";
    case Expr::Op::kSqrt:
      return "sqrt";
    case Expr::Op::kLog1p:
      return "log1p";
    case Expr::Op::kI:
      return "I";
    default:
      return nullptr;
  }
}

// Normalised text, R's deparse spacing: "I(x^2)", "log(x + 1)", "a:b";
// parentheses only where precedence needs them, so the text parses back to
// the same tree.
std::string ExprText(const Expr& e) {
  auto wrap = [](const Expr& c, bool paren) {
    return paren ? "(" + ExprText(c) + ")" : ExprText(c);
  };
  const int p = Precedence(e.op);
  switch (e.op) {
    case Expr::Op::kColumn:
      return QuoteName(e.name);
    case Expr::Op::kNumber:
      return e.name;
    case Expr::Op::kNeg:
      return "-" + wrap(*e.a, Precedence(e.a->op) < 3);
    case Expr::Op::kPow:
      return wrap(*e.a, Precedence(e.a->op) <= p) + "^" + wrap(*e.b, Precedence(e.b->op) < 3);
    case Expr::Op::kInteract:
      return ExprText(*e.a) + ":" + ExprText(*e.b);
    case Expr::Op::kAdd:
    case Expr::Op::kSub:
    case Expr::Op::kMul:
    case Expr::Op::kDiv: {
      const char* op = e.op == Expr::Op::kAdd   ? " + "
                       : e.op == Expr::Op::kSub ? " - "
                       : e.op == Expr::Op::kMul ? " * "
                                                : " / ";
      return wrap(*e.a, Precedence(e.a->op) < p) + op + wrap(*e.b, Precedence(e.b->op) <= p);
    }
    default:
      return std::string(FunctionName(e.op)) + "(" + ExprText(*e.a) + ")";
  }
}

void ExprColumns(const Expr& e, std::vector<std::string>* out) {
  if (e.op == Expr::Op::kColumn) {
    if (std::find(out->begin(), out->end(), e.name) == out->end()) out->push_back(e.name);
    return;
  }
  if (e.a) ExprColumns(*e.a, out);
  if (e.b) ExprColumns(*e.b, out);
}

// True when `s` is a number as the formula grammar writes one: [-] digits
// [. digits] [e [+-] digits], with a digit before or after the point.
bool IsNumberText(const std::string& s) {
  size_t i = 0, digits = 0;
  if (i < s.size() && s[i] == '-') ++i;
  while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) ++i, ++digits;
  if (i < s.size() && s[i] == '.') {
    ++i;
    while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) ++i, ++digits;
  }
  if (digits == 0) return false;
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    size_t j = i + 1;
    if (j < s.size() && (s[j] == '+' || s[j] == '-')) ++j;
    const size_t start = j;
    while (j < s.size() && std::isdigit(static_cast<unsigned char>(s[j]))) ++j;
    if (j > start) i = j;
  }
  return i == s.size();
}

// A reference level as written back: numbers bare, text in quotes.
std::string LevelText(const std::string& level) {
  if (IsNumberText(level)) return level;
  return level.find('"') == std::string::npos ? "\"" + level + "\"" : "'" + level + "'";
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

  using ExprPtr = std::shared_ptr<const Expr>;
  static constexpr int kMaxDepth = 32;  // nesting of parentheses and operators

  static ExprPtr Node(Expr::Op op, ExprPtr a = nullptr, ExprPtr b = nullptr) {
    auto e = std::make_shared<Expr>();
    e->op = op;
    e->a = std::move(a);
    e->b = std::move(b);
    return e;
  }

  bool AtNumber() const {
    if (pos_ >= text_.size()) return false;
    const char c = text_[pos_];
    return std::isdigit(static_cast<unsigned char>(c)) ||
           (c == '.' && pos_ + 1 < text_.size() &&
            std::isdigit(static_cast<unsigned char>(text_[pos_ + 1])));
  }

  // A number as written: digits, an optional fraction and exponent.
  ExprPtr Number() {
    const size_t start = pos_;
    auto digits = [&] {
      while (pos_ < text_.size() && std::isdigit(static_cast<unsigned char>(text_[pos_]))) ++pos_;
    };
    digits();
    if (pos_ < text_.size() && text_[pos_] == '.') ++pos_, digits();
    if (pos_ < text_.size() && (text_[pos_] == 'e' || text_[pos_] == 'E')) {
      size_t p = pos_ + 1;
      if (p < text_.size() && (text_[p] == '+' || text_[p] == '-')) ++p;
      if (p < text_.size() && std::isdigit(static_cast<unsigned char>(text_[p]))) {
        pos_ = p;
        digits();
      }
    }
    auto e = std::make_shared<Expr>();
    e->op = Expr::Op::kNumber;
    e->name = std::string(text_.substr(start, pos_ - start));
    e->number = std::strtod(e->name.c_str(), nullptr);
    return e;
  }

  static bool IsMultiModel(const std::string& name) {
    return name == "sw" || name == "csw" || name == "sw0" || name == "csw0";
  }

  // name '(' already seen (pos_ at '('): a function of an arithmetic
  // expression. `name_pos` is where the name starts.
  Result<ExprPtr> Function(const std::string& name, size_t name_pos, int depth) {
    Expr::Op op;
    if (name == "log") {
      op = Expr::Op::kLog;
    } else if (name == "exp") {
      op = Expr::Op::kExp;
    } else if (name == "sqrt") {
      op = Expr::Op::kSqrt;
    } else if (name == "log1p") {
      op = Expr::Op::kLog1p;
    } else if (name == "I") {
      op = Expr::Op::kI;
    } else if (name == "i") {
      return ErrorAt(text_, name_pos,
                     "i() stands alone as a term; interact it with a variable as i(f, x)");
    } else if (IsMultiModel(name)) {
      return ErrorAt(text_, name_pos,
                     fmt::format("{}() gives several models; it may appear once, at the top "
                                 "level of the formula, where several models are accepted "
                                 "(rebalance estimate -f, rb.estimate)",
                                 name));
    } else {
      return ErrorAt(text_, name_pos,
                     fmt::format("unknown function '{}'; supported: log, exp, sqrt, log1p, "
                                 "I() (arithmetic) and i() (factor dummies)",
                                 name));
    }
    ++pos_;  // '('
    SkipSpace();
    if (pos_ < text_.size() && text_[pos_] == ')') {
      return ErrorAt(text_, pos_, fmt::format("expected a column name inside {}( )", name));
    }
    RB_ASSIGN_OR_RETURN(ExprPtr arg, Sum(depth + 1, name));
    if (!Eat(')')) {
      return ErrorAt(
          text_, pos_,
          fmt::format("expected ')' to close {}(, found {}", name, Describe(text_, pos_)));
    }
    return Node(op, std::move(arg));
  }

  // Arithmetic inside I() and functions: sum := product (('+'|'-') product)*.
  Result<ExprPtr> Sum(int depth, const std::string& inside) {
    RB_ASSIGN_OR_RETURN(ExprPtr left, Product(depth, inside));
    while (true) {
      SkipSpace();
      if (pos_ >= text_.size() || (text_[pos_] != '+' && text_[pos_] != '-')) return left;
      const Expr::Op op = text_[pos_++] == '+' ? Expr::Op::kAdd : Expr::Op::kSub;
      RB_ASSIGN_OR_RETURN(ExprPtr right, Product(depth, inside));
      left = Node(op, std::move(left), std::move(right));
    }
  }
  Result<ExprPtr> Product(int depth, const std::string& inside) {
    RB_ASSIGN_OR_RETURN(ExprPtr left, Unary(depth, inside));
    while (true) {
      SkipSpace();
      if (pos_ >= text_.size() || (text_[pos_] != '*' && text_[pos_] != '/')) return left;
      const Expr::Op op = text_[pos_++] == '*' ? Expr::Op::kMul : Expr::Op::kDiv;
      RB_ASSIGN_OR_RETURN(ExprPtr right, Unary(depth, inside));
      left = Node(op, std::move(left), std::move(right));
    }
  }
  Result<ExprPtr> Unary(int depth, const std::string& inside) {
    SkipSpace();
    if (depth > kMaxDepth) return ErrorAt(text_, pos_, "expression nested too deeply");
    if (pos_ < text_.size() && text_[pos_] == '-') {
      ++pos_;
      RB_ASSIGN_OR_RETURN(ExprPtr a, Unary(depth + 1, inside));
      return Node(Expr::Op::kNeg, std::move(a));
    }
    RB_ASSIGN_OR_RETURN(ExprPtr base, Atom(depth, inside));
    if (!Eat('^')) return base;
    RB_ASSIGN_OR_RETURN(ExprPtr power, Unary(depth + 1, inside));
    return Node(Expr::Op::kPow, std::move(base), std::move(power));
  }
  Result<ExprPtr> Atom(int depth, const std::string& inside) {
    SkipSpace();
    if (AtNumber()) return Number();
    if (pos_ < text_.size() && text_[pos_] == '(') {
      ++pos_;
      RB_ASSIGN_OR_RETURN(ExprPtr e, Sum(depth + 1, inside));
      if (!Eat(')')) {
        return ErrorAt(text_, pos_, fmt::format("expected ')', found {}", Describe(text_, pos_)));
      }
      return e;
    }
    const size_t name_pos = pos_;
    RB_ASSIGN_OR_RETURN(std::string name, Name(fmt::format("a column name inside {}( )", inside)));
    SkipSpace();
    if (pos_ < text_.size() && text_[pos_] == '(' && text_[name_pos] != '`') {
      return Function(name, name_pos, depth + 1);
    }
    auto e = std::make_shared<Expr>();
    e->op = Expr::Op::kColumn;
    e->name = std::move(name);
    return ExprPtr(std::move(e));
  }

  // Reference levels of i(): a number, a quoted text, or c(level, ...).
  Status Levels(std::vector<std::string>* out) {
    SkipSpace();
    bool list = false;
    if (pos_ + 1 < text_.size() && text_[pos_] == 'c') {
      size_t p = pos_ + 1;
      while (p < text_.size() && std::isspace(static_cast<unsigned char>(text_[p]))) ++p;
      if (p < text_.size() && text_[p] == '(') pos_ = p + 1, list = true;
    }
    while (true) {
      SkipSpace();
      const size_t start = pos_;
      if (pos_ < text_.size() && (text_[pos_] == '"' || text_[pos_] == '\'')) {
        const char q = text_[pos_];
        const size_t close = text_.find(q, pos_ + 1);
        if (close == std::string_view::npos) {
          return ErrorAt(text_, start, "unterminated quoted level");
        }
        out->emplace_back(text_.substr(pos_ + 1, close - pos_ - 1));
        pos_ = close + 1;
      } else {
        if (pos_ < text_.size() && text_[pos_] == '-') ++pos_;
        if (!AtNumber()) {
          return ErrorAt(text_, start,
                         fmt::format("expected a reference level (a number or \"text\"), found {}",
                                     Describe(text_, start)));
        }
        Number();
        out->emplace_back(text_.substr(start, pos_ - start));
      }
      if (!list) return Status::Ok();
      if (Eat(')')) return Status::Ok();
      if (!Eat(',')) {
        return ErrorAt(text_, pos_,
                       fmt::format("expected ',' or ')' in c( ), found {}", Describe(text_, pos_)));
      }
    }
  }

  // i(f), i(f, x), i(f, ref = level), i(f, x, ref = level), i(f, x, level);
  // pos_ at '('. fixest's argument order: factor first.
  Result<Term> FactorTerm() {
    ++pos_;
    Term term;
    term.kind = Term::Kind::kFactor;
    RB_ASSIGN_OR_RETURN(term.column, Name("the factor column inside i( )"));
    SkipSpace();
    if (pos_ < text_.size() && text_[pos_] == '(') {
      return ErrorAt(text_, pos_, "the factor of i( ) must be a column");
    }
    bool have_ref = false;
    int positional = 0;
    while (Eat(',')) {
      SkipSpace();
      // A named argument: identifier '=' (not '==').
      size_t p = pos_;
      while (p < text_.size() && IsIdentChar(text_[p])) ++p;
      size_t q = p;
      while (q < text_.size() && std::isspace(static_cast<unsigned char>(text_[q]))) ++q;
      if (p > pos_ && IsIdentStart(text_[pos_]) && q < text_.size() && text_[q] == '=' &&
          (q + 1 >= text_.size() || text_[q + 1] != '=')) {
        const std::string arg(text_.substr(pos_, p - pos_));
        if (arg != "ref") {
          return ErrorAt(text_, pos_,
                         fmt::format("i(): argument '{}' is not supported; supported: i(f), "
                                     "i(f, x), i(f, ref = level), i(f, x, ref = level)",
                                     arg));
        }
        if (have_ref) return ErrorAt(text_, pos_, "i(): ref is given twice");
        pos_ = q + 1;
        RB_RETURN_IF_ERROR(Levels(&term.ref));
        have_ref = true;
        continue;
      }
      if (positional == 0 && !have_ref) {
        RB_ASSIGN_OR_RETURN(term.expr, Sum(1, "i"));
      } else if (positional == 1 && !have_ref) {
        RB_RETURN_IF_ERROR(Levels(&term.ref));
        have_ref = true;
      } else {
        return ErrorAt(text_, pos_, "i(): too many arguments; supported: i(f, x, ref = level)");
      }
      ++positional;
    }
    if (!Eat(')')) {
      return ErrorAt(text_, pos_,
                     fmt::format("expected ',' or ')' in i( ), found {}", Describe(text_, pos_)));
    }
    term.text = "i(" + QuoteName(term.column);
    if (term.expr) term.text += ", " + ExprText(*term.expr);
    if (!term.ref.empty()) {
      std::vector<std::string> shown;
      for (const auto& r : term.ref) shown.push_back(LevelText(r));
      term.text +=
          ", ref = " +
          (shown.size() == 1 ? shown[0] : "c(" + fmt::format("{}", fmt::join(shown, ", ")) + ")");
    }
    term.text += ")";
    return term;
  }

  // A factor of a term: column, func(...), I(...) or i(...). `term_pos` is
  // where the term starts; i() is returned in *factor_term.
  Result<ExprPtr> Factor(char sep, std::optional<Term>* factor_term) {
    SkipSpace();
    const size_t name_pos = pos_;
    if (AtNumber()) {
      return ErrorAt(text_, pos_,
                     "a number may only appear inside I( ) or a function, e.g. I(2 * x)");
    }
    if (pos_ >= text_.size() || text_[pos_] == '|' || text_[pos_] == '+') {
      return ErrorAt(text_, pos_,
                     fmt::format("expected a column name or log(column) {}, found {}", After(sep),
                                 Describe(text_, pos_)));
    }
    RB_ASSIGN_OR_RETURN(std::string name,
                        Name(fmt::format("a column name or log(column) {}", After(sep))));
    SkipSpace();
    if (pos_ < text_.size() && text_[pos_] == '(' && text_[name_pos] != '`') {
      if (name == "i") {
        RB_ASSIGN_OR_RETURN(Term t, FactorTerm());
        *factor_term = std::move(t);
        return ExprPtr{};
      }
      return Function(name, name_pos, 1);
    }
    auto e = std::make_shared<Expr>();
    e->op = Expr::Op::kColumn;
    e->name = std::move(name);
    return ExprPtr(std::move(e));
  }

  // One term as written: factors joined by ':' ("a:log(b)").
  struct Written {
    std::vector<ExprPtr> factors;  // empty for i()
    std::optional<Term> factor_term;
  };
  Result<Written> Interaction(char sep) {
    Written w;
    while (true) {
      const size_t at = pos_;
      std::optional<Term> ft;
      RB_ASSIGN_OR_RETURN(ExprPtr e, Factor(sep, &ft));
      if (ft) {
        if (!w.factors.empty() || w.factor_term) {
          return ErrorAt(text_, at, "i() cannot be part of a ':' interaction; write i(f, x)");
        }
        w.factor_term = std::move(ft);
      } else {
        if (w.factor_term) {
          return ErrorAt(text_, at, "i() cannot be part of a ':' interaction; write i(f, x)");
        }
        w.factors.push_back(std::move(e));
      }
      SkipSpace();
      if (pos_ < text_.size() && text_[pos_] == '^') {
        return ErrorAt(text_, pos_,
                       "'^' in the regressors: write a power as I(x^2) (fixed effects are "
                       "interacted with '^' after '|')");
      }
      if (!Eat(':')) return w;
      sep = ':';
    }
  }

  static Term MakeTerm(const std::vector<ExprPtr>& factors) {
    Term term;
    ExprPtr e = factors[0];
    for (size_t i = 1; i < factors.size(); ++i) e = Node(Expr::Op::kInteract, e, factors[i]);
    term.text = ExprText(*e);
    if (e->op == Expr::Op::kColumn) {
      term.kind = Term::Kind::kColumn;
      term.column = e->name;
    } else if (e->op == Expr::Op::kLog && e->a->op == Expr::Op::kColumn) {
      term.kind = Term::Kind::kLog;
      term.column = e->a->name;
    } else {
      term.kind = Term::Kind::kExpr;
      term.expr = e;
      const std::vector<std::string> cols = term.Columns();
      if (!cols.empty()) term.column = cols[0];
    }
    return term;
  }

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
    std::vector<size_t> degree;  // factors per term, for R's ordering
    auto finish = [&]() {
      std::vector<size_t> order(f->regressors.size());
      for (size_t i = 0; i < order.size(); ++i) order[i] = i;
      std::stable_sort(order.begin(), order.end(),
                       [&](size_t a, size_t b) { return degree[a] < degree[b]; });
      std::vector<Term> sorted;
      for (size_t i : order) sorted.push_back(std::move(f->regressors[i]));
      f->regressors = std::move(sorted);
      return Status::Ok();
    };
    while (true) {
      SkipSpace();
      const size_t term_pos = pos_;
      // rterm := inter ('*' inter)*
      std::vector<Written> parts;
      while (true) {
        const size_t part_pos = pos_;
        RB_ASSIGN_OR_RETURN(Written w, Interaction(sep));
        parts.push_back(std::move(w));
        if (!Eat('*')) break;
        if (parts.back().factor_term) {
          return ErrorAt(text_, part_pos, "i() cannot be part of a '*' interaction; write i(f, x)");
        }
        sep = '*';
      }
      if (parts.size() > 1 && parts.back().factor_term) {
        return ErrorAt(text_, term_pos, "i() cannot be part of a '*' interaction; write i(f, x)");
      }
      if (parts.size() > 6) {
        return ErrorAt(text_, term_pos, "at most 6 factors may be joined by '*'");
      }
      struct Expanded {
        Term term;
        size_t degree;
        std::string key;  // identity of the term for duplicates
      };
      std::vector<Expanded> terms;
      if (parts.size() == 1 && parts[0].factor_term) {
        std::string key = parts[0].factor_term->text;
        terms.push_back({std::move(*parts[0].factor_term), 1, std::move(key)});
      } else {
        // a*b*c = every product of a non-empty subset, smaller first.
        const unsigned m = static_cast<unsigned>(parts.size());
        for (unsigned mask = 1; mask < (1u << m); ++mask) {
          std::vector<ExprPtr> factors;
          for (unsigned j = 0; j < m; ++j) {
            if (mask & (1u << j)) {
              for (const auto& e : parts[j].factors) factors.push_back(e);
            }
          }
          // a:b and b:a are one term (R): the key is the sorted factor texts.
          std::vector<std::string> key;
          for (const auto& e : factors) key.push_back(ExprText(*e));
          std::sort(key.begin(), key.end());
          terms.push_back(
              {MakeTerm(factors), factors.size(), fmt::format("{}", fmt::join(key, ":"))});
        }
        std::stable_sort(terms.begin(), terms.end(),
                         [](const Expanded& a, const Expanded& b) { return a.degree < b.degree; });
      }
      for (auto& [term, d, key] : terms) {
        if (term.Columns().empty()) {
          return ErrorAt(text_, term_pos,
                         fmt::format("regressor '{}' uses no column (a constant is the intercept)",
                                     term.text));
        }
        for (const auto& c : term.Columns()) {
          if (c == f->lhs) {
            return ErrorAt(text_, term_pos,
                           fmt::format("the outcome '{}' cannot also be a regressor", f->lhs));
          }
        }
        if (!seen.insert(key).second) {
          if (parts.size() == 1) {
            return ErrorAt(text_, term_pos, fmt::format("duplicate regressor '{}'", term.text));
          }
          continue;  // a*b repeats a term written elsewhere: as R, once
        }
        f->regressors.push_back(std::move(term));
        degree.push_back(d);
      }
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
          return finish();
        }
        return ErrorAt(text_, minus_pos,
                       "operator '-' is only supported as a final '- 1' (no "
                       "intercept); regressors are joined by '+'");
      }
      if (!Eat('+')) return finish();
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

std::vector<std::string> Term::Columns() const {
  std::vector<std::string> out;
  if (kind != Kind::kExpr) out.push_back(column);
  if (expr) ExprColumns(*expr, &out);
  return out;
}

std::vector<std::string> Formula::Columns() const {
  std::vector<std::string> out;
  auto add = [&out](const std::string& c) {
    if (std::find(out.begin(), out.end(), c) == out.end()) out.push_back(c);
  };
  add(lhs);
  for (const auto& t : regressors) {
    for (const auto& c : t.Columns()) add(c);
  }
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

Result<std::vector<Formula>> ExpandFormulas(std::string_view text) {
  // Find sw( / csw( at any depth, outside backquotes and quoted levels.
  size_t found = std::string_view::npos, open = 0;
  bool cumulative = false;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '`' || c == '"' || c == '\'') {
      const size_t close = text.find(c, i + 1);
      if (close == std::string_view::npos) break;  // the parser reports it
      i = close;
      continue;
    }
    if (!IsIdentStart(c) || (i > 0 && IsIdentChar(text[i - 1]))) continue;
    size_t end = i;
    while (end < text.size() && IsIdentChar(text[end])) ++end;
    const std::string_view name = text.substr(i, end - i);
    size_t p = end;
    while (p < text.size() && std::isspace(static_cast<unsigned char>(text[p]))) ++p;
    if ((name == "sw" || name == "csw") && p < text.size() && text[p] == '(') {
      if (found != std::string_view::npos) {
        return ErrorAt(text, i, "only one sw() or csw() may appear in a formula");
      }
      found = i, open = p, cumulative = name == "csw";
    }
    i = end - 1;
  }
  if (found == std::string_view::npos) {
    RB_ASSIGN_OR_RETURN(Formula f, ParseFormula(text));
    return std::vector<Formula>{std::move(f)};
  }
  // Arguments: split at commas of depth 0 up to the matching ')'.
  std::vector<std::string> args;
  size_t depth = 0, start = open + 1, close = std::string_view::npos;
  for (size_t i = open + 1; i < text.size() && close == std::string_view::npos; ++i) {
    const char c = text[i];
    if (c == '`' || c == '"' || c == '\'') {
      const size_t q = text.find(c, i + 1);
      if (q == std::string_view::npos) break;
      i = q;
    } else if (c == '(') {
      ++depth;
    } else if (c == ')' && depth > 0) {
      --depth;
    } else if ((c == ')' || c == ',') && depth == 0) {
      std::string arg(text.substr(start, i - start));
      const size_t a = arg.find_first_not_of(" \t\r\n");
      if (a == std::string::npos) {
        return ErrorAt(text, start, "expected a term in sw( ) / csw( ), found an empty argument");
      }
      args.push_back(arg.substr(a, arg.find_last_not_of(" \t\r\n") - a + 1));
      start = i + 1;
      if (c == ')') close = i;
    }
  }
  if (close == std::string_view::npos) {
    return ErrorAt(text, open, "expected ')' to close sw( / csw(");
  }
  std::vector<Formula> out;
  std::string acc;
  for (const auto& arg : args) {
    acc = cumulative && !acc.empty() ? acc + " + " + arg : arg;
    const std::string model =
        std::string(text.substr(0, found)) + acc + std::string(text.substr(close + 1));
    RB_ASSIGN_OR_RETURN(Formula f, ParseFormula(model));
    out.push_back(std::move(f));
  }
  return out;
}

// One step of a compiled expression, evaluated on a stack.
struct TermReader::Instruction {
  Expr::Op op;
  const Column* column = nullptr;  // kColumn
  double number = 0;               // kNumber
};

namespace {

constexpr int kMaxStack = 64;

// Postfix code of `e` with columns bound; the deepest stack is tracked.
Status Compile(const Table& table, const Expr& e, const std::string& term_text,
               std::vector<TermReader::Instruction>* code, int* depth, int* max_depth) {
  if (e.op == Expr::Op::kColumn) {
    RB_ASSIGN_OR_RETURN(const Column* col, table.GetColumn(e.name));
    if (col->type == ColumnType::kString) {
      return Status::InvalidArgument(
          fmt::format("regressor '{}': column '{}' holds text (e.g. '{}'), a "
                      "number was expected",
                      term_text, e.name, col->dictionary.empty() ? "" : col->dictionary[0]));
    }
    code->push_back({e.op, col, 0});
    *max_depth = std::max(*max_depth, ++*depth);
    return Status::Ok();
  }
  if (e.op == Expr::Op::kNumber) {
    code->push_back({e.op, nullptr, e.number});
    *max_depth = std::max(*max_depth, ++*depth);
    return Status::Ok();
  }
  if (e.a) RB_RETURN_IF_ERROR(Compile(table, *e.a, term_text, code, depth, max_depth));
  if (e.b) {
    RB_RETURN_IF_ERROR(Compile(table, *e.b, term_text, code, depth, max_depth));
    --*depth;
  }
  if (e.op != Expr::Op::kI) code->push_back({e.op, nullptr, 0});
  return Status::Ok();
}

Result<std::shared_ptr<const std::vector<TermReader::Instruction>>> CompileTerm(
    const Table& table, const Expr& e, const std::string& term_text) {
  auto code = std::make_shared<std::vector<TermReader::Instruction>>();
  int depth = 0, max_depth = 0;
  RB_RETURN_IF_ERROR(Compile(table, e, term_text, code.get(), &depth, &max_depth));
  if (max_depth > kMaxStack) {
    return Status::InvalidArgument(fmt::format("regressor '{}' is nested too deeply", term_text));
  }
  return std::shared_ptr<const std::vector<TermReader::Instruction>>(std::move(code));
}

double Run(const std::vector<TermReader::Instruction>& code, int64_t row) {
  constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
  double stack[kMaxStack];
  int top = -1;
  const size_t r = static_cast<size_t>(row);
  for (const auto& in : code) {
    switch (in.op) {
      case Expr::Op::kColumn: {
        const Column* c = in.column;
        if (c->IsMissing(row)) return kNaN;
        stack[++top] = c->type == ColumnType::kF64 ? c->f64[r] : static_cast<double>(c->i64[r]);
        break;
      }
      case Expr::Op::kNumber:
        stack[++top] = in.number;
        break;
      case Expr::Op::kLog:
        stack[top] = stack[top] > 0 ? std::log(stack[top]) : kNaN;
        break;
      case Expr::Op::kLog1p:
        stack[top] = stack[top] > -1 ? std::log1p(stack[top]) : kNaN;
        break;
      case Expr::Op::kSqrt:
        stack[top] = stack[top] >= 0 ? std::sqrt(stack[top]) : kNaN;
        break;
      case Expr::Op::kExp:
        stack[top] = std::exp(stack[top]);
        break;
      case Expr::Op::kNeg:
        stack[top] = -stack[top];
        break;
      case Expr::Op::kAdd:
        --top, stack[top] += stack[top + 1];
        break;
      case Expr::Op::kSub:
        --top, stack[top] -= stack[top + 1];
        break;
      case Expr::Op::kMul:
      case Expr::Op::kInteract:
        --top, stack[top] *= stack[top + 1];
        break;
      case Expr::Op::kDiv:
        --top, stack[top] /= stack[top + 1];
        break;
      case Expr::Op::kPow:
        --top, stack[top] = std::pow(stack[top], stack[top + 1]);
        break;
      case Expr::Op::kI:
        break;
    }
  }
  return stack[0];
}

}  // namespace

double TermReader::Slow(int64_t row) const {
  constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
  double v = 1.0;
  if (program_ != nullptr) {
    v = Run(*program_, row);
    if (!std::isfinite(v)) return kNaN;
  }
  if (factor_ != nullptr) {
    if (factor_->IsMissing(row)) return kNaN;
    const size_t r = static_cast<size_t>(row);
    bool hit;
    switch (factor_->type) {
      case ColumnType::kString:
        if (factor_->codes[r] < 0) return kNaN;
        hit = factor_->codes[r] == level_code_;
        break;
      case ColumnType::kI64:
        hit = factor_->i64[r] == level_i64_;
        break;
      default:
        if (std::isnan(factor_->f64[r])) return kNaN;
        hit = factor_->f64[r] == level_f64_;
        break;
    }
    return hit ? v : 0.0;
  }
  return v;
}

Result<TermReader> MakeTermReader(const Table& table, const Term& term) {
  if (term.kind == Term::Kind::kFactor) {
    return Status::InvalidArgument(
        fmt::format("regressor '{}' gives one column per level of '{}'; expand it with "
                    "ExpandRegressors",
                    term.text, term.column));
  }
  TermReader reader;
  if (term.kind == Term::Kind::kExpr) {
    RB_ASSIGN_OR_RETURN(reader.program_, CompileTerm(table, *term.expr, term.text));
    return reader;
  }
  RB_ASSIGN_OR_RETURN(const Column* col, table.GetColumn(term.column));
  if (col->type == ColumnType::kString) {
    return Status::InvalidArgument(
        fmt::format("regressor '{}': column '{}' holds text (e.g. '{}'), a "
                    "number was expected",
                    term.text, term.column, col->dictionary.empty() ? "" : col->dictionary[0]));
  }
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

// Builds the readers of an i() term (friend of TermReader).
struct DesignBuilder {
  static constexpr size_t kMaxLevels = 1000;

  struct Level {
    std::string text;
    int32_t code = -1;
    int64_t i64 = 0;
    double f64 = 0;
  };

  // Distinct non-missing values of the factor, sorted (numbers by value,
  // text bytewise).
  static std::vector<Level> Levels(const Column& col, const std::vector<uint8_t>* rows) {
    std::vector<Level> out;
    const int64_t n = col.size();
    auto skip = [rows](int64_t r) { return rows != nullptr && !(*rows)[static_cast<size_t>(r)]; };
    if (col.type == ColumnType::kString) {
      std::vector<uint8_t> used(col.dictionary.size(), 0);
      for (int64_t r = 0; r < n; ++r) {
        const int32_t c = col.codes[static_cast<size_t>(r)];
        if (c >= 0 && !col.IsMissing(r) && !skip(r)) used[static_cast<size_t>(c)] = 1;
      }
      for (size_t c = 0; c < used.size(); ++c) {
        if (used[c]) out.push_back({col.dictionary[c], static_cast<int32_t>(c), 0, 0});
      }
      std::sort(out.begin(), out.end(),
                [](const Level& a, const Level& b) { return a.text < b.text; });
    } else if (col.type == ColumnType::kI64) {
      std::set<int64_t> values;
      for (int64_t r = 0; r < n; ++r) {
        if (!col.IsMissing(r) && !skip(r)) values.insert(col.i64[static_cast<size_t>(r)]);
      }
      for (int64_t v : values) out.push_back({fmt::format("{}", v), -1, v, 0});
    } else {
      std::set<double> values;
      for (int64_t r = 0; r < n; ++r) {
        const double v = col.f64[static_cast<size_t>(r)];
        if (!col.IsMissing(r) && !std::isnan(v) && !skip(r)) values.insert(v);
      }
      for (double v : values) out.push_back({fmt::format("{}", v), -1, 0, v});
    }
    return out;
  }

  static bool Matches(const Column& col, const Level& level, const std::string& ref) {
    if (col.type == ColumnType::kString) return level.text == ref;
    char* end = nullptr;
    const double v = std::strtod(ref.c_str(), &end);
    if (ref.empty() || end != ref.c_str() + ref.size()) return false;
    return col.type == ColumnType::kI64 ? static_cast<double>(level.i64) == v : level.f64 == v;
  }

  static Status Expand(const Table& table, const Term& term, size_t index,
                       const std::vector<uint8_t>* rows, std::vector<DesignColumn>* out) {
    RB_ASSIGN_OR_RETURN(const Column* col, table.GetColumn(term.column));
    std::shared_ptr<const std::vector<TermReader::Instruction>> program;
    std::string suffix;
    if (term.expr) {
      RB_ASSIGN_OR_RETURN(program, CompileTerm(table, *term.expr, term.text));
      suffix = ":" + ExprText(*term.expr);
    }
    const std::vector<Level> levels = Levels(*col, rows);
    std::vector<uint8_t> is_ref(levels.size(), 0);
    for (const auto& ref : term.ref) {
      bool found = false;
      for (size_t l = 0; l < levels.size(); ++l) {
        if (Matches(*col, levels[l], ref)) is_ref[l] = 1, found = true;
      }
      if (!found) {
        std::string shown;
        for (size_t l = 0; l < levels.size() && l < 8; ++l) {
          shown += (l ? ", " : "") + levels[l].text;
        }
        if (levels.size() > 8) shown += fmt::format(", ... ({} levels)", levels.size());
        return Status::InvalidArgument(
            fmt::format("regressor '{}': the reference level '{}' does not occur in column '{}' "
                        "(levels: {})",
                        term.text, ref, term.column, shown.empty() ? "none" : shown));
      }
    }
    const size_t kept =
        levels.size() - static_cast<size_t>(std::count(is_ref.begin(), is_ref.end(), 1));
    if (kept > kMaxLevels) {
      return Status::InvalidArgument(
          fmt::format("regressor '{}': column '{}' has {} levels, more than {} dummies; absorb it "
                      "as a fixed effect ('| {}') instead",
                      term.text, term.column, levels.size(), kMaxLevels, term.column));
    }
    for (size_t l = 0; l < levels.size(); ++l) {
      if (is_ref[l]) continue;
      DesignColumn d;
      d.name = term.column + "::" + levels[l].text + suffix;
      d.term = index;
      d.reader.program_ = program;
      d.reader.factor_ = col;
      d.reader.level_code_ = levels[l].code;
      d.reader.level_i64_ = levels[l].i64;
      d.reader.level_f64_ = levels[l].f64;
      out->push_back(std::move(d));
    }
    return Status::Ok();
  }
};

Result<std::vector<DesignColumn>> ExpandRegressors(const Table& table, const Formula& formula,
                                                   const std::vector<uint8_t>* rows) {
  if (rows != nullptr && static_cast<int64_t>(rows->size()) != table.num_rows()) {
    return Status::InvalidArgument(
        fmt::format("ExpandRegressors: {} row flags for {} rows", rows->size(), table.num_rows()));
  }
  std::vector<DesignColumn> out;
  for (size_t i = 0; i < formula.regressors.size(); ++i) {
    const Term& term = formula.regressors[i];
    if (term.kind == Term::Kind::kFactor) {
      RB_RETURN_IF_ERROR(DesignBuilder::Expand(table, term, i, rows, &out));
      continue;
    }
    DesignColumn d;
    d.name = term.text;
    d.term = i;
    RB_ASSIGN_OR_RETURN(d.reader, MakeTermReader(table, term));
    out.push_back(std::move(d));
  }
  return out;
}

}  // namespace rebalance::data
