// The options registry (include/rebalance/core/options.h): messages, text
// forms and the Markdown/plain listings generated from the records.
#include "rebalance/core/options.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <limits>

namespace rebalance::core {
namespace {

// Shortest round-trip form of a double ("1e-08", "0.5", "1000").
std::string NumberText(double v) {
  if (std::isnan(v)) return "nan";
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  return fmt::format("{}", v);
}

std::string BoundText(const OptionRecord& r, double v) {
  return r.type == OptionType::kInt ? fmt::format("{}", static_cast<int64_t>(v)) : NumberText(v);
}

size_t EditDistance(std::string_view a, std::string_view b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diag = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      const size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diag = up;
    }
  }
  return row[b.size()];
}

// The rule of the bounds: "in (0, 1)", ">= 1", "<= 100".
std::string BoundRule(const OptionRecord& r) {
  if (r.lower && r.upper) {
    return fmt::format("in {}{}, {}{}", r.lower->inclusive ? '[' : '(',
                       BoundText(r, r.lower->value), BoundText(r, r.upper->value),
                       r.upper->inclusive ? ']' : ')');
  }
  if (r.lower)
    return fmt::format("{} {}", r.lower->inclusive ? ">=" : ">", BoundText(r, r.lower->value));
  if (r.upper)
    return fmt::format("{} {}", r.upper->inclusive ? "<=" : "<", BoundText(r, r.upper->value));
  return "";
}

const char* TypeWord(OptionType t) {
  switch (t) {
    case OptionType::kBool:
      return "true or false";
    case OptionType::kInt:
      return "a whole number";
    case OptionType::kDouble:
      return "a number";
    case OptionType::kString:
      return "text";
    case OptionType::kEnum:
      return "one of the listed values";
  }
  return "a value";
}

std::string MarkdownCell(std::string s) {
  std::string out;
  for (char c : s) {
    if (c == '|') {
      out += "\\|";
    } else if (c == '\n') {
      out += ' ';
    } else {
      out += c;
    }
  }
  return out;
}

}  // namespace

const char* ToString(OptionType type) {
  switch (type) {
    case OptionType::kBool:
      return "bool";
    case OptionType::kInt:
      return "int";
    case OptionType::kDouble:
      return "double";
    case OptionType::kString:
      return "string";
    case OptionType::kEnum:
      return "enum";
  }
  return "?";
}

std::string OptionValueText(const OptionValue& value) {
  if (const bool* b = std::get_if<bool>(&value)) return *b ? "true" : "false";
  if (const int64_t* i = std::get_if<int64_t>(&value)) return fmt::format("{}", *i);
  if (const double* d = std::get_if<double>(&value)) return NumberText(*d);
  return std::get<std::string>(value);
}

std::string OptionRecord::CliFlag() const {
  if (!flag.empty()) return flag;
  std::string f = "--" + name;
  std::replace(f.begin(), f.end(), '_', '-');
  return f;
}

std::string OptionRecord::DefaultText() const {
  if (type == OptionType::kString && std::get<std::string>(default_value).empty()) return "(none)";
  return OptionValueText(default_value);
}

std::string OptionRecord::RangeText() const {
  std::string rule;
  if (type == OptionType::kEnum) {
    rule = fmt::format("{}", fmt::join(allowed, ", "));
    if (!synonyms.empty()) {
      std::vector<std::string> syn;
      for (const auto& [s, v] : synonyms) syn.push_back(fmt::format("{} = {}", s, v));
      rule += fmt::format(" ({})", fmt::join(syn, ", "));
    }
    return rule;
  }
  rule = BoundRule(*this);
  if (rule.rfind("in ", 0) == 0) rule.erase(0, 3);  // "(0, 1)", not "in (0, 1)"
  if (!bound_note.empty()) rule += rule.empty() ? bound_note : " (" + bound_note + ")";
  return rule;
}

std::string OptionRecord::Violation(const OptionValue& value) const {
  switch (type) {
    case OptionType::kBool:
      if (!std::holds_alternative<bool>(value)) {
        return fmt::format("expected true or false, got '{}'", OptionValueText(value));
      }
      return "";
    case OptionType::kString:
      if (!std::holds_alternative<std::string>(value)) {
        return fmt::format("expected text, got {}", OptionValueText(value));
      }
      return "";
    case OptionType::kEnum: {
      const std::string* s = std::get_if<std::string>(&value);
      if (s != nullptr && std::find(allowed.begin(), allowed.end(), *s) != allowed.end()) return "";
      return fmt::format("must be one of {}, got '{}'", fmt::join(allowed, ", "),
                         OptionValueText(value));
    }
    case OptionType::kInt:
    case OptionType::kDouble:
      break;
  }
  double v = 0;
  if (const int64_t* i = std::get_if<int64_t>(&value)) {
    v = static_cast<double>(*i);
  } else if (const double* d = std::get_if<double>(&value);
             d != nullptr && type == OptionType::kDouble) {
    v = *d;
  } else {
    return fmt::format("expected {}, got '{}'", TypeWord(type), OptionValueText(value));
  }
  if (!std::isfinite(v)) return fmt::format("expected a finite number, got {}", NumberText(v));
  const bool below = lower && (lower->inclusive ? v < lower->value : v <= lower->value);
  const bool above = upper && (upper->inclusive ? v > upper->value : v >= upper->value);
  const bool out_of_int = type == OptionType::kInt && (v < std::numeric_limits<int>::min() ||
                                                       v > std::numeric_limits<int>::max());
  if (below || above || out_of_int) {
    std::string rule = BoundRule(*this);
    if (rule.empty()) rule = "within the range of int";
    return fmt::format("must be {}{}, got {}", rule,
                       bound_note.empty() ? "" : " (" + bound_note + ")", OptionValueText(value));
  }
  return "";
}

Status OptionRecord::Check(const OptionValue& value, std::string_view spelling) const {
  const std::string v = Violation(value);
  if (v.empty()) return Status::Ok();
  return Status::InvalidArgument(
      fmt::format("{}: {}", spelling.empty() ? std::string_view(name) : spelling, v));
}

Result<OptionValue> OptionRecord::Convert(const OptionValue& value,
                                          std::string_view spelling) const {
  OptionValue v = value;
  if (type == OptionType::kDouble) {
    if (const int64_t* i = std::get_if<int64_t>(&value)) v = static_cast<double>(*i);
  } else if (type == OptionType::kEnum) {
    if (const std::string* s = std::get_if<std::string>(&value)) {
      for (const auto& [syn, target] : synonyms) {
        if (*s == syn) v = target;
      }
    }
  } else if (type == OptionType::kInt) {
    // 3.0 from Python or TOML is the whole number 3.
    if (const double* d = std::get_if<double>(&value);
        d != nullptr && std::isfinite(*d) && std::trunc(*d) == *d && std::fabs(*d) < 9e15) {
      v = static_cast<int64_t>(*d);
    }
  }
  RB_RETURN_IF_ERROR(Check(v, spelling));
  return v;
}

Result<OptionValue> OptionRecord::Parse(std::string_view text, std::string_view spelling) const {
  const std::string_view who = spelling.empty() ? std::string_view(name) : spelling;
  auto bad = [&](const char* what) {
    return Status::InvalidArgument(fmt::format("{}: expected {}, got '{}'", who, what, text));
  };
  switch (type) {
    case OptionType::kBool:
      if (text == "true" || text == "1") return Convert(true, spelling);
      if (text == "false" || text == "0") return Convert(false, spelling);
      return bad("true or false");
    case OptionType::kString:
    case OptionType::kEnum:
      return Convert(std::string(text), spelling);
    case OptionType::kInt: {
      int64_t v = 0;
      const auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
      if (ec != std::errc() || p != text.data() + text.size()) return bad("a whole number");
      return Convert(v, spelling);
    }
    case OptionType::kDouble: {
      // strtod, not from_chars: the WebAssembly build's libc++ has no
      // floating-point from_chars.
      const std::string copy(text);
      char* end = nullptr;
      const double v = copy.empty() || std::isspace(static_cast<unsigned char>(copy[0])) != 0
                           ? std::nan("")
                           : std::strtod(copy.c_str(), &end);
      if (end != copy.c_str() + copy.size() || !std::isfinite(v)) return bad("a finite number");
      return Convert(v, spelling);
    }
  }
  return bad("a value");
}

const OptionRecord* OptionRecords::Find(std::string_view name) const {
  for (const auto& r : records_) {
    if (r.name == name) return &r;
  }
  return nullptr;
}

Result<const OptionRecord*> OptionRecords::Lookup(std::string_view name) const {
  if (const OptionRecord* r = Find(name)) return r;
  std::vector<std::string> names;
  std::string nearest;
  size_t best = std::string::npos;
  for (const auto& r : records_) {
    names.push_back(r.name);
    const size_t d = EditDistance(name, r.name);
    if (d < best) best = d, nearest = r.name;
  }
  return Status::NotFound(
      fmt::format("unknown option '{}' of {}; valid options: {}; did you mean '{}'?", name, group_,
                  fmt::join(names, ", "), nearest));
}

void OptionRecords::AddRecord(OptionRecord record) {
  if (Find(record.name) != nullptr) std::abort();  // declared twice: a bug of the table
  records_.push_back(std::move(record));
}

std::string OptionRecords::Markdown() const {
  std::string out = fmt::format("## {}\n\n{}\n\n", group_, doc_);
  out += "| name | CLI flag | type | default | allowed | description |\n";
  out += "|---|---|---|---|---|---|\n";
  for (const auto& r : records_) {
    out += fmt::format("| `{}` | `{}` | {} | `{}` | {} | {} |\n", r.name, r.CliFlag(),
                       ToString(r.type), r.DefaultText(), MarkdownCell(r.RangeText()),
                       MarkdownCell(r.doc));
  }
  return out;
}

std::string OptionRecords::Text() const {
  std::string out = fmt::format("{}: {}\n", group_, doc_);
  for (const auto& r : records_) {
    const std::string range = r.RangeText();
    out += fmt::format("  {} ({}, default {}{}), CLI {}\n      {}\n", r.name, ToString(r.type),
                       r.DefaultText(), range.empty() ? "" : "; " + range, r.CliFlag(), r.doc);
  }
  return out;
}

std::string RenderOptionNames(const Status& status,
                              const std::function<std::string(const std::string&)>& spell) {
  std::string text = status.message();
  for (const std::string& name : status.options()) {
    if (name.empty()) continue;
    const std::string spelled = spell(name);
    std::string out;
    bool quoted = false;
    auto word_char = [](char c) {
      return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_' || c == '-';
    };
    for (size_t i = 0; i < text.size();) {
      // A quote opens after a non-word character and closes before one
      // (apostrophes inside words, "model's", are not quotes).
      if (text[i] == '\'') {
        const bool before = i > 0 && word_char(text[i - 1]);
        const bool after = i + 1 < text.size() && word_char(text[i + 1]);
        if (!quoted && !before) {
          quoted = true;
        } else if (quoted && !after) {
          quoted = false;
        }
        out += text[i++];
        continue;
      }
      if (!quoted && text.compare(i, name.size(), name) == 0 &&
          (i == 0 || !word_char(text[i - 1])) &&
          (i + name.size() == text.size() || !word_char(text[i + name.size()]))) {
        out += spelled;
        i += name.size();
        continue;
      }
      out += text[i++];
    }
    text = std::move(out);
  }
  return text;
}

}  // namespace rebalance::core
