// --where sample filters: a tokenizer, a recursive-descent parser and a
// column-at-a-time evaluator.
//
// Grammar and precedence (! > comparison > && > ||) are in formula.h. The
// parser builds an immutable tree; every node remembers the 1-based position
// of its text so that type errors found later, against a concrete table, can
// still point at the offending part of the expression.
//
// Evaluation is vectorised: each node yields one byte per row holding a
// three-valued (Kleene) truth value, so a 10M-row filter costs a few passes
// over byte arrays. Text columns are dictionary-encoded, so a comparison with
// a constant is decided once per dictionary entry and then looked up by code;
// a comparison of two text columns maps both dictionaries into one sorted
// ranking and compares ranks.
#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <functional>
#include <unordered_set>

#include "rebalance/data/formula.h"

namespace rebalance::data {

namespace {
enum class CmpOp { kEq, kNe, kLt, kLe, kGt, kGe };

const char* OpText(CmpOp op) {
  switch (op) {
    case CmpOp::kEq:
      return "==";
    case CmpOp::kNe:
      return "!=";
    case CmpOp::kLt:
      return "<";
    case CmpOp::kLe:
      return "<=";
    case CmpOp::kGt:
      return ">";
    case CmpOp::kGe:
      return ">=";
  }
  return "?";
}

// The operator with its operands swapped: (5 < x) == (x > 5).
CmpOp Mirror(CmpOp op) {
  switch (op) {
    case CmpOp::kLt:
      return CmpOp::kGt;
    case CmpOp::kLe:
      return CmpOp::kGe;
    case CmpOp::kGt:
      return CmpOp::kLt;
    case CmpOp::kGe:
      return CmpOp::kLe;
    default:
      return op;
  }
}

// Calls f with a comparison functor for `op`, so that the row loops are
// instantiated once per operator instead of switching per row.
template <typename F>
void DispatchOp(CmpOp op, F&& f) {
  switch (op) {
    case CmpOp::kEq:
      f(std::equal_to<>());
      break;
    case CmpOp::kNe:
      f(std::not_equal_to<>());
      break;
    case CmpOp::kLt:
      f(std::less<>());
      break;
    case CmpOp::kLe:
      f(std::less_equal<>());
      break;
    case CmpOp::kGt:
      f(std::greater<>());
      break;
    case CmpOp::kGe:
      f(std::greater_equal<>());
      break;
  }
}

struct Operand {
  enum class Kind { kColumn, kNumber, kString };
  Kind kind = Kind::kColumn;
  std::string text;       // column name, number as written, or string contents
  double number = 0;      // kNumber
  bool integral = false;  // kNumber fits int64 exactly
  int64_t integer = 0;
  size_t pos = 0;  // 0-based position in the expression
};

bool IsIdentStart(char c) { return std::isalpha(static_cast<unsigned char>(c)) || c == '_'; }
bool IsIdentChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.';
}
std::string QuoteName(const std::string& name) {
  bool plain = !name.empty() && IsIdentStart(name[0]) && name != "in";
  for (char c : name) plain = plain && IsIdentChar(c);
  return plain ? name : "`" + name + "`";
}
std::string QuoteString(const std::string& s) {
  return s.find('"') == std::string::npos ? "\"" + s + "\"" : "'" + s + "'";
}
std::string OperandText(const Operand& o) {
  switch (o.kind) {
    case Operand::Kind::kColumn:
      return QuoteName(o.text);
    case Operand::Kind::kNumber:
      return o.text;
    case Operand::Kind::kString:
      return QuoteString(o.text);
  }
  return "";
}

Status ErrorAt(std::string_view text, size_t pos, const std::string& message,
               StatusCode code = StatusCode::kParseError) {
  // Long expressions are shown as a window of 60 characters each side.
  constexpr size_t kWindow = 60;
  pos = std::min(pos, text.size());
  const size_t from = pos > kWindow ? pos - kWindow : 0;
  const size_t to = std::min(text.size(), pos + kWindow);
  const std::string lead = from > 0 ? "..." : "";
  const std::string tail = to < text.size() ? "..." : "";
  const std::string_view shown = text.substr(from, to - from);
  std::string caret(lead.size() + (pos - from), ' ');
  for (size_t i = 0; i < pos - from; ++i) {
    if (shown[i] == '\t') caret[lead.size() + i] = '\t';
  }
  return Status(code, fmt::format("where:{}: {}\n  {}{}{}\n  {}^", pos + 1, message, lead, shown,
                                  tail, caret));
}

}  // namespace

struct Filter::Node {
  enum class Kind { kAnd, kOr, kNot, kCompare, kIn };
  Kind kind = Kind::kCompare;
  std::shared_ptr<const Node> a, b;  // kAnd/kOr: a, b; kNot: a
  Operand left, right;               // kCompare (left is always a column
                                     // unless both are columns); kIn: left
  CmpOp op = CmpOp::kEq;
  std::vector<Operand> list;  // kIn (all numbers or all strings)
  size_t pos = 0;
};

namespace {
using Node = Filter::Node;
using NodePtr = std::shared_ptr<const Node>;

// ----------------------------------------------------------------- tokens
enum class Tok {
  kIdent,
  kNumber,
  kString,
  kLParen,
  kRParen,
  kLBrace,
  kRBrace,
  kComma,
  kAnd,
  kOr,
  kNot,
  kOp,
  kEnd
};

struct Token {
  Tok kind = Tok::kEnd;
  std::string text;  // identifier / string contents / number / operator
  CmpOp op = CmpOp::kEq;
  size_t pos = 0;
  bool quoted = false;  // a `backquoted` name, never a keyword
};

std::string Describe(const Token& t) {
  switch (t.kind) {
    case Tok::kEnd:
      return "the end of the expression";
    case Tok::kString:
      return fmt::format("the text {}", QuoteString(t.text));
    case Tok::kAnd:
      return "'&&'";
    case Tok::kOr:
      return "'||'";
    case Tok::kNot:
      return "'!'";
    default:
      return fmt::format("'{}'", t.text);
  }
}

Result<std::vector<Token>> Tokenize(std::string_view s) {
  std::vector<Token> out;
  size_t i = 0;
  auto push = [&out](Tok k, std::string text, size_t pos, CmpOp op = CmpOp::kEq) {
    Token t;
    t.kind = k;
    t.text = std::move(text);
    t.pos = pos;
    t.op = op;
    out.push_back(std::move(t));
  };
  while (i < s.size()) {
    const char c = s[i];
    const char n = i + 1 < s.size() ? s[i + 1] : '\0';
    if (std::isspace(static_cast<unsigned char>(c))) {
      ++i;
    } else if (IsIdentStart(c)) {
      const size_t start = i;
      while (i < s.size() && IsIdentChar(s[i])) ++i;
      push(Tok::kIdent, std::string(s.substr(start, i - start)), start);
    } else if (c == '`') {
      const size_t close = s.find('`', i + 1);
      if (close == std::string_view::npos)
        return ErrorAt(s, i, "unterminated `backquoted` column name");
      if (close == i + 1) return ErrorAt(s, i, "empty `` column name");
      push(Tok::kIdent, std::string(s.substr(i + 1, close - i - 1)), i);
      out.back().quoted = true;
      i = close + 1;
    } else if (std::isdigit(static_cast<unsigned char>(c)) || c == '.' ||
               ((c == '-' || c == '+') &&
                (std::isdigit(static_cast<unsigned char>(n)) || n == '.'))) {
      const size_t start = i;
      if (c == '-' || c == '+') ++i;
      while (i < s.size() && (std::isdigit(static_cast<unsigned char>(s[i])) || s[i] == '.')) ++i;
      if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
        size_t j = i + 1;
        if (j < s.size() && (s[j] == '+' || s[j] == '-')) ++j;
        if (j < s.size() && std::isdigit(static_cast<unsigned char>(s[j]))) {
          i = j;
          while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) ++i;
        }
      }
      if (i < s.size() && IsIdentChar(s[i])) {
        return ErrorAt(s, start,
                       fmt::format("malformed number '{}'", s.substr(start, i + 1 - start)));
      }
      push(Tok::kNumber, std::string(s.substr(start, i - start)), start);
    } else if (c == '"' || c == '\'') {
      const size_t close = s.find(c, i + 1);
      if (close == std::string_view::npos) {
        return ErrorAt(s, i, fmt::format("unterminated text: missing the closing {}", c));
      }
      push(Tok::kString, std::string(s.substr(i + 1, close - i - 1)), i);
      i = close + 1;
    } else if (c == '(') {
      push(Tok::kLParen, "(", i);
      ++i;
    } else if (c == ')') {
      push(Tok::kRParen, ")", i);
      ++i;
    } else if (c == '{') {
      push(Tok::kLBrace, "{", i);
      ++i;
    } else if (c == '}') {
      push(Tok::kRBrace, "}", i);
      ++i;
    } else if (c == ',') {
      push(Tok::kComma, ",", i);
      ++i;
    } else if (c == '&') {
      if (n != '&') return ErrorAt(s, i, "expected '&&' (a single '&' is not an operator)");
      push(Tok::kAnd, "&&", i);
      i += 2;
    } else if (c == '|') {
      if (n != '|') return ErrorAt(s, i, "expected '||' (a single '|' is not an operator)");
      push(Tok::kOr, "||", i);
      i += 2;
    } else if (c == '=') {
      if (n != '=')
        return ErrorAt(s, i, "expected '==' to compare (a single '=' is not an operator)");
      push(Tok::kOp, "==", i, CmpOp::kEq);
      i += 2;
    } else if (c == '!') {
      if (n == '=') {
        push(Tok::kOp, "!=", i, CmpOp::kNe);
        i += 2;
      } else {
        push(Tok::kNot, "!", i);
        ++i;
      }
    } else if (c == '<' || c == '>') {
      const bool eq = n == '=';
      const CmpOp op = c == '<' ? (eq ? CmpOp::kLe : CmpOp::kLt) : (eq ? CmpOp::kGe : CmpOp::kGt);
      push(Tok::kOp, OpText(op), i, op);
      i += eq ? 2 : 1;
    } else {
      return ErrorAt(s, i, fmt::format("unexpected character '{}'", c));
    }
  }
  push(Tok::kEnd, "", s.size());
  return out;
}

// ----------------------------------------------------------------- parser
class FilterParser {
 public:
  FilterParser(std::string_view text, std::vector<Token> tokens)
      : text_(text), toks_(std::move(tokens)) {}

  Result<NodePtr> Parse() {
    if (Peek().kind == Tok::kEnd) {
      return ErrorAt(text_, 0,
                     "the expression is empty; expected a condition such as "
                     "'year >= 1990'");
    }
    RB_ASSIGN_OR_RETURN(NodePtr root, ParseOr());
    const Token& t = Peek();
    if (t.kind == Tok::kRParen) return ErrorAt(text_, t.pos, "unmatched ')'");
    if (t.kind != Tok::kEnd) {
      return ErrorAt(
          text_, t.pos,
          fmt::format("expected '&&', '||' or the end of the expression, found {}", Describe(t)));
    }
    return root;
  }

 private:
  const Token& Peek() const { return toks_[i_]; }
  const Token& Next() { return toks_[i_ < toks_.size() - 1 ? i_++ : i_]; }
  bool IsKeywordIn(const Token& t) const {
    return t.kind == Tok::kIdent && t.text == "in" && !t.quoted;
  }

  // Limits that keep the recursive parser, evaluator and tree destructor
  // within the stack: nesting of '(' and '!', and the number of '&&'/'||'
  // (a chain of them is a tree as deep as it is long).
  static constexpr int kMaxNesting = 200;
  static constexpr int kMaxOperators = 2000;

  Status CountOperator(const Token& op) {
    if (++operators_ > kMaxOperators) {
      return ErrorAt(text_, op.pos,
                     fmt::format("more than {} '&&'/'||' operators in one "
                                 "expression; use 'column in {{...}}' for long "
                                 "lists of values",
                                 kMaxOperators));
    }
    return Status::Ok();
  }

  Result<NodePtr> ParseOr() {
    RB_ASSIGN_OR_RETURN(NodePtr left, ParseAnd());
    while (Peek().kind == Tok::kOr) {
      const Token& op = Next();
      RB_RETURN_IF_ERROR(CountOperator(op));
      if (Peek().kind == Tok::kEnd || Peek().kind == Tok::kRParen) {
        return ErrorAt(text_, Peek().pos,
                       fmt::format("expected a condition after '||', found {}", Describe(Peek())));
      }
      RB_ASSIGN_OR_RETURN(NodePtr right, ParseAnd());
      auto node = std::make_shared<Node>();
      node->kind = Node::Kind::kOr;
      node->a = std::move(left);
      node->b = std::move(right);
      node->pos = op.pos;
      left = std::move(node);
    }
    return left;
  }

  Result<NodePtr> ParseAnd() {
    RB_ASSIGN_OR_RETURN(NodePtr left, ParseUnary());
    while (Peek().kind == Tok::kAnd) {
      const Token& op = Next();
      RB_RETURN_IF_ERROR(CountOperator(op));
      if (Peek().kind == Tok::kEnd || Peek().kind == Tok::kRParen) {
        return ErrorAt(text_, Peek().pos,
                       fmt::format("expected a condition after '&&', found {}", Describe(Peek())));
      }
      RB_ASSIGN_OR_RETURN(NodePtr right, ParseUnary());
      auto node = std::make_shared<Node>();
      node->kind = Node::Kind::kAnd;
      node->a = std::move(left);
      node->b = std::move(right);
      node->pos = op.pos;
      left = std::move(node);
    }
    return left;
  }

  Result<NodePtr> ParseUnary() {
    const Token& t = Peek();
    if (t.kind == Tok::kNot || t.kind == Tok::kLParen) {
      if (depth_ >= kMaxNesting) {
        return ErrorAt(text_, t.pos,
                       fmt::format("'(' and '!' nested more than {} levels deep", kMaxNesting));
      }
      ++depth_;
      Result<NodePtr> r = ParseNested();
      --depth_;
      return r;
    }
    return ParseComparison();
  }

  // '!' or '(' at the current token.
  Result<NodePtr> ParseNested() {
    const Token& t = Peek();
    if (t.kind == Tok::kNot) {
      Next();
      const Token& u = Peek();
      if (u.kind != Tok::kNot && u.kind != Tok::kLParen) {
        return ErrorAt(text_, u.pos,
                       fmt::format("'!' applies to a parenthesised condition, "
                                   "e.g. !(year == 1990); found {}",
                                   Describe(u)));
      }
      RB_ASSIGN_OR_RETURN(NodePtr inner, ParseUnary());
      auto node = std::make_shared<Node>();
      node->kind = Node::Kind::kNot;
      node->a = std::move(inner);
      node->pos = t.pos;
      return NodePtr(std::move(node));
    }
    if (t.kind == Tok::kLParen) {
      const size_t open = t.pos;
      Next();
      if (Peek().kind == Tok::kRParen) {
        return ErrorAt(text_, Peek().pos, "empty parentheses; expected a condition");
      }
      RB_ASSIGN_OR_RETURN(NodePtr inner, ParseOr());
      if (Peek().kind != Tok::kRParen) {
        if (Peek().kind == Tok::kEnd) {
          return ErrorAt(text_, open, "unmatched '(': missing ')'");
        }
        return ErrorAt(text_, Peek().pos,
                       fmt::format("expected ')', '&&' or '||', found {}", Describe(Peek())));
      }
      Next();
      return inner;
    }
    return ParseComparison();
  }

  Result<Operand> ParseOperand(const std::string& after) {
    const Token& t = Peek();
    Operand o;
    o.pos = t.pos;
    switch (t.kind) {
      case Tok::kIdent:
        if (IsKeywordIn(t)) break;
        o.kind = Operand::Kind::kColumn;
        o.text = t.text;
        Next();
        return o;
      case Tok::kString:
        o.kind = Operand::Kind::kString;
        o.text = t.text;
        Next();
        return o;
      case Tok::kNumber: {
        o.kind = Operand::Kind::kNumber;
        o.text = t.text;
        const char* b = t.text.data() + (t.text[0] == '+' ? 1 : 0);
        const char* e = t.text.data() + t.text.size();
        auto [p, ec] = std::from_chars(b, e, o.number);
        if (ec != std::errc() || p != e || !std::isfinite(o.number)) {
          return ErrorAt(text_, t.pos, fmt::format("malformed number '{}'", t.text));
        }
        int64_t iv = 0;
        auto [p2, ec2] = std::from_chars(b, e, iv);
        o.integral = ec2 == std::errc() && p2 == e;
        o.integer = iv;
        Next();
        return o;
      }
      default:
        break;
    }
    return ErrorAt(text_, t.pos,
                   fmt::format("expected a column name, a number or quoted text {}, found {}",
                               after, Describe(t)));
  }

  Result<NodePtr> ParseComparison() {
    const Token& first = Peek();
    if (first.kind == Tok::kEnd || first.kind == Tok::kRParen || first.kind == Tok::kAnd ||
        first.kind == Tok::kOr) {
      return ErrorAt(
          text_, first.pos,
          fmt::format("expected a condition such as 'year >= 1990', found {}", Describe(first)));
    }
    RB_ASSIGN_OR_RETURN(Operand left, ParseOperand("to start a condition"));
    auto node = std::make_shared<Node>();
    node->pos = left.pos;
    const Token& t = Peek();
    if (IsKeywordIn(t)) {
      if (left.kind != Operand::Kind::kColumn) {
        return ErrorAt(text_, left.pos, "the left side of 'in' must be a column");
      }
      Next();
      if (Peek().kind != Tok::kLBrace) {
        return ErrorAt(text_, Peek().pos,
                       fmt::format("expected '{{' after 'in', found {}", Describe(Peek())));
      }
      Next();
      node->kind = Node::Kind::kIn;
      node->left = std::move(left);
      while (true) {
        const Token& v = Peek();
        if (v.kind == Tok::kRBrace && node->list.empty()) {
          return ErrorAt(text_, v.pos, "empty list after 'in'; expected numbers or quoted text");
        }
        if (v.kind != Tok::kNumber && v.kind != Tok::kString) {
          return ErrorAt(
              text_, v.pos,
              fmt::format("expected a number or quoted text in the 'in' list, found "
                          "{}{}",
                          Describe(v), v.kind == Tok::kIdent ? " (write text in quotes)" : ""));
        }
        RB_ASSIGN_OR_RETURN(Operand item, ParseOperand("in the list"));
        if (!node->list.empty() && item.kind != node->list.front().kind) {
          return ErrorAt(text_, item.pos,
                         "an 'in' list must hold only numbers or only quoted text");
        }
        node->list.push_back(std::move(item));
        const Token& sep = Peek();
        if (sep.kind == Tok::kComma) {
          Next();
          continue;
        }
        if (sep.kind == Tok::kRBrace) {
          Next();
          break;
        }
        return ErrorAt(
            text_, sep.pos,
            fmt::format("expected ',' or '}}' in the 'in' list, found {}", Describe(sep)));
      }
      return NodePtr(std::move(node));
    }
    if (t.kind != Tok::kOp) {
      if (left.kind == Operand::Kind::kColumn) {
        return ErrorAt(text_, t.pos,
                       fmt::format("expected a comparison (== != < <= > >= or "
                                   "in) after '{}', found {}",
                                   left.text, Describe(t)));
      }
      return ErrorAt(text_, t.pos,
                     fmt::format("expected a comparison operator after {}, found {}",
                                 OperandText(left), Describe(t)));
    }
    const CmpOp op = t.op;
    Next();
    RB_ASSIGN_OR_RETURN(Operand right, ParseOperand(fmt::format("after '{}'", OpText(op))));
    if (left.kind != Operand::Kind::kColumn && right.kind != Operand::Kind::kColumn) {
      return ErrorAt(text_, left.pos,
                     fmt::format("the condition {} {} {} compares two constants; one side "
                                 "must be a column",
                                 OperandText(left), OpText(op), OperandText(right)));
    }
    if (Peek().kind == Tok::kOp) {
      return ErrorAt(text_, Peek().pos, "comparisons cannot be chained; join them with '&&'");
    }
    node->kind = Node::Kind::kCompare;
    if (left.kind != Operand::Kind::kColumn) {
      // Constant on the left: store as column op' constant.
      node->left = std::move(right);
      node->right = std::move(left);
      node->op = Mirror(op);
    } else {
      node->left = std::move(left);
      node->right = std::move(right);
      node->op = op;
    }
    return NodePtr(std::move(node));
  }

  std::string_view text_;
  std::vector<Token> toks_;
  size_t i_ = 0;
  int depth_ = 0;
  int operators_ = 0;
};

// ----------------------------------------------------------------- printing
// Precedence: 1 ||, 2 &&, 3 unary / comparison.
int Level(const Node& n) {
  switch (n.kind) {
    case Node::Kind::kOr:
      return 1;
    case Node::Kind::kAnd:
      return 2;
    default:
      return 3;
  }
}

std::string Print(const Node& n) {
  auto child = [](const Node& c, int min_level) {
    std::string s = Print(c);
    return Level(c) < min_level ? "(" + s + ")" : s;
  };
  switch (n.kind) {
    case Node::Kind::kOr:
      return child(*n.a, 1) + " || " + child(*n.b, 2);
    case Node::Kind::kAnd:
      return child(*n.a, 2) + " && " + child(*n.b, 3);
    case Node::Kind::kNot:
      return n.a->kind == Node::Kind::kNot ? "!" + Print(*n.a) : "!(" + Print(*n.a) + ")";
    case Node::Kind::kCompare:
      return OperandText(n.left) + " " + OpText(n.op) + " " + OperandText(n.right);
    case Node::Kind::kIn: {
      std::string s = OperandText(n.left) + " in {";
      for (size_t i = 0; i < n.list.size(); ++i) {
        if (i) s += ", ";
        s += OperandText(n.list[i]);
      }
      return s + "}";
    }
  }
  return "";
}

void CollectColumns(const Node& n, std::vector<std::string>* out) {
  auto add = [out](const Operand& o) {
    if (o.kind == Operand::Kind::kColumn &&
        std::find(out->begin(), out->end(), o.text) == out->end()) {
      out->push_back(o.text);
    }
  };
  switch (n.kind) {
    case Node::Kind::kOr:
    case Node::Kind::kAnd:
      CollectColumns(*n.a, out);
      CollectColumns(*n.b, out);
      break;
    case Node::Kind::kNot:
      CollectColumns(*n.a, out);
      break;
    case Node::Kind::kCompare:
      add(n.left);
      add(n.right);
      break;
    case Node::Kind::kIn:
      add(n.left);
      break;
  }
}

// --------------------------------------------------------------- evaluation
constexpr uint8_t kFalse = 0, kTrue = 1, kUnknown = 2;
using Truth = std::vector<uint8_t>;

class Evaluator {
 public:
  Evaluator(const Table& table, std::string_view text) : table_(table), text_(text) {}

  Result<Truth> Eval(const Node& n) {
    switch (n.kind) {
      case Node::Kind::kAnd:
      case Node::Kind::kOr: {
        RB_ASSIGN_OR_RETURN(Truth a, Eval(*n.a));
        RB_ASSIGN_OR_RETURN(Truth b, Eval(*n.b));
        const bool is_and = n.kind == Node::Kind::kAnd;
        const uint8_t dominant = is_and ? kFalse : kTrue;
        for (size_t i = 0; i < a.size(); ++i) {
          if (a[i] == dominant || b[i] == dominant) {
            a[i] = dominant;
          } else if (a[i] == kUnknown || b[i] == kUnknown) {
            a[i] = kUnknown;
          }  // else both are the non-dominant value, which a[i] already is
        }
        return a;
      }
      case Node::Kind::kNot: {
        RB_ASSIGN_OR_RETURN(Truth a, Eval(*n.a));
        for (auto& v : a) v = v == kUnknown ? kUnknown : static_cast<uint8_t>(1 - v);
        return a;
      }
      case Node::Kind::kCompare:
        return EvalCompare(n);
      case Node::Kind::kIn:
        return EvalIn(n);
    }
    return Status::Internal("bad filter node");
  }

 private:
  size_t rows() const { return static_cast<size_t>(table_.num_rows()); }

  Result<const Column*> Lookup(const Operand& o) {
    auto col = table_.GetColumn(o.text);
    if (!col.ok()) return ErrorAt(text_, o.pos, col.status().message(), StatusCode::kNotFound);
    return col;
  }

  Status TypeError(const Operand& at, const std::string& message) {
    return ErrorAt(text_, at.pos, message, StatusCode::kInvalidArgument);
  }

  // Per-row truth of `cmp(value(row), ...)`, unknown where missing.
  template <typename Get, typename Cmp>
  Truth Loop(const Column& c, Get get, Cmp cmp) {
    Truth out(rows());
    const bool has_missing = !c.missing.empty();
    for (size_t i = 0; i < out.size(); ++i) {
      if (has_missing && c.missing[i]) {
        out[i] = kUnknown;
      } else {
        out[i] = get(i, cmp);
      }
    }
    return out;
  }

  Result<Truth> EvalCompare(const Node& n) {
    RB_ASSIGN_OR_RETURN(const Column* lc, Lookup(n.left));
    const Column& c = *lc;
    const Operand& r = n.right;
    Truth out;
    const bool numeric = c.type != ColumnType::kString;
    if (r.kind == Operand::Kind::kNumber) {
      if (!numeric) {
        return TypeError(n.left, fmt::format("column '{}' holds text but is compared with the "
                                             "number {}; write text in quotes, e.g. '{}'",
                                             n.left.text, r.text, r.text));
      }
      DispatchOp(n.op, [&](auto cmp) {
        if (c.type == ColumnType::kI64 && r.integral) {
          out = Loop(
              c, [&](size_t i, auto f) -> uint8_t { return f(c.i64[i], r.integer); }, cmp);
        } else if (c.type == ColumnType::kI64) {
          out = Loop(
              c,
              [&](size_t i, auto f) -> uint8_t {
                return f(static_cast<double>(c.i64[i]), r.number);
              },
              cmp);
        } else {
          out = Loop(
              c,
              [&](size_t i, auto f) -> uint8_t {
                const double v = c.f64[i];
                return std::isnan(v) ? kUnknown : f(v, r.number);
              },
              cmp);
        }
      });
      return out;
    }
    if (r.kind == Operand::Kind::kString) {
      if (numeric) {
        return TypeError(n.left,
                         fmt::format("column '{}' is numeric but is compared with the text {}",
                                     n.left.text, QuoteString(r.text)));
      }
      // Decide once per dictionary entry.
      std::vector<uint8_t> by_code(c.dictionary.size());
      DispatchOp(n.op, [&](auto cmp) {
        for (size_t k = 0; k < by_code.size(); ++k) {
          by_code[k] = cmp(std::string_view(c.dictionary[k]), std::string_view(r.text));
        }
      });
      return ByCode(c, by_code);
    }
    // Column against column.
    RB_ASSIGN_OR_RETURN(const Column* rc_ptr, Lookup(r));
    const Column& rc = *rc_ptr;
    const bool rnumeric = rc.type != ColumnType::kString;
    if (numeric != rnumeric) {
      return TypeError(n.left,
                       fmt::format("column '{}' {} but column '{}' {}; they cannot be compared",
                                   n.left.text, numeric ? "is numeric" : "holds text", r.text,
                                   rnumeric ? "is numeric" : "holds text"));
    }
    out.assign(rows(), kUnknown);
    if (numeric) {
      DispatchOp(n.op, [&](auto cmp) {
        if (c.type == ColumnType::kI64 && rc.type == ColumnType::kI64) {
          for (size_t i = 0; i < out.size(); ++i) {
            if (c.IsMissing(static_cast<int64_t>(i)) || rc.IsMissing(static_cast<int64_t>(i)))
              continue;
            out[i] = cmp(c.i64[i], rc.i64[i]);
          }
        } else {
          for (size_t i = 0; i < out.size(); ++i) {
            const double a = c.AsDouble(static_cast<int64_t>(i));
            const double b = rc.AsDouble(static_cast<int64_t>(i));
            if (std::isnan(a) || std::isnan(b)) continue;
            out[i] = cmp(a, b);
          }
        }
      });
      return out;
    }
    // Two text columns: rank the union of both dictionaries so that
    // comparing ranks equals comparing texts.
    std::vector<std::string_view> all;
    all.reserve(c.dictionary.size() + rc.dictionary.size());
    for (const auto& s : c.dictionary) all.push_back(s);
    for (const auto& s : rc.dictionary) all.push_back(s);
    std::sort(all.begin(), all.end());
    all.erase(std::unique(all.begin(), all.end()), all.end());
    auto ranks = [&all](const Column& col) {
      std::vector<int32_t> rank(col.dictionary.size());
      for (size_t k = 0; k < rank.size(); ++k) {
        rank[k] = static_cast<int32_t>(
            std::lower_bound(all.begin(), all.end(), std::string_view(col.dictionary[k])) -
            all.begin());
      }
      return rank;
    };
    const std::vector<int32_t> lrank = ranks(c), rrank = ranks(rc);
    DispatchOp(n.op, [&](auto cmp) {
      for (size_t i = 0; i < out.size(); ++i) {
        const int32_t a = c.codes[i], b = rc.codes[i];
        if (a < 0 || b < 0 || c.IsMissing(static_cast<int64_t>(i)) ||
            rc.IsMissing(static_cast<int64_t>(i)))
          continue;
        out[i] = cmp(lrank[static_cast<size_t>(a)], rrank[static_cast<size_t>(b)]);
      }
    });
    return out;
  }

  Truth ByCode(const Column& c, const std::vector<uint8_t>& by_code) {
    Truth out(rows());
    for (size_t i = 0; i < out.size(); ++i) {
      const int32_t code = c.codes[i];
      out[i] = (code < 0 || c.IsMissing(static_cast<int64_t>(i)))
                   ? kUnknown
                   : by_code[static_cast<size_t>(code)];
    }
    return out;
  }

  Result<Truth> EvalIn(const Node& n) {
    RB_ASSIGN_OR_RETURN(const Column* lc, Lookup(n.left));
    const Column& c = *lc;
    const bool numeric = c.type != ColumnType::kString;
    const bool list_numbers = n.list.front().kind == Operand::Kind::kNumber;
    if (numeric && !list_numbers) {
      return TypeError(
          n.left, fmt::format("column '{}' is numeric but its 'in' list holds text", n.left.text));
    }
    if (!numeric && list_numbers) {
      return TypeError(n.left, fmt::format("column '{}' holds text but its 'in' list "
                                           "holds numbers; write text in quotes",
                                           n.left.text));
    }
    if (!numeric) {
      std::unordered_set<std::string_view> set;
      for (const auto& o : n.list) set.insert(o.text);
      std::vector<uint8_t> by_code(c.dictionary.size());
      for (size_t k = 0; k < by_code.size(); ++k)
        by_code[k] = set.count(c.dictionary[k]) ? kTrue : kFalse;
      return ByCode(c, by_code);
    }
    bool all_integral = true;
    std::vector<int64_t> ints;
    std::vector<double> dbls;
    for (const auto& o : n.list) {
      all_integral = all_integral && o.integral;
      ints.push_back(o.integer);
      dbls.push_back(o.number);
    }
    std::sort(ints.begin(), ints.end());
    std::sort(dbls.begin(), dbls.end());
    if (c.type == ColumnType::kI64 && all_integral) {
      if (ints.size() <= 16) {
        // Short lists (years): a branch-free scan beats a binary search.
        return Loop(
            c,
            [&](size_t i, auto) -> uint8_t {
              const int64_t v = c.i64[i];
              uint8_t hit = 0;
              for (int64_t w : ints) hit |= static_cast<uint8_t>(v == w);
              return hit;
            },
            0);
      }
      return Loop(
          c,
          [&](size_t i, auto) -> uint8_t {
            return std::binary_search(ints.begin(), ints.end(), c.i64[i]);
          },
          0);
    }
    return Loop(
        c,
        [&](size_t i, auto) -> uint8_t {
          const double v = c.AsDouble(static_cast<int64_t>(i));
          return std::isnan(v) ? kUnknown : std::binary_search(dbls.begin(), dbls.end(), v);
        },
        0);
  }

  const Table& table_;
  std::string_view text_;
};

}  // namespace

std::vector<std::string> Filter::Columns() const {
  std::vector<std::string> out;
  if (root) CollectColumns(*root, &out);
  return out;
}

std::string Filter::ToString() const { return root ? Print(*root) : ""; }

Result<Filter> ParseFilter(std::string_view text) {
  RB_ASSIGN_OR_RETURN(std::vector<Token> tokens, Tokenize(text));
  FilterParser parser(text, std::move(tokens));
  RB_ASSIGN_OR_RETURN(NodePtr root, parser.Parse());
  Filter f;
  f.root = std::move(root);
  f.text = std::string(text);
  return f;
}

Result<std::vector<uint8_t>> EvaluateFilter(const Table& table, const Filter& filter) {
  if (!filter.root) return Status::InvalidArgument("empty filter (not parsed)");
  Evaluator ev(table, filter.text);
  RB_ASSIGN_OR_RETURN(Truth truth, ev.Eval(*filter.root));
  for (auto& v : truth) v = v == kTrue ? 1 : 0;
  return truth;
}

}  // namespace rebalance::data
