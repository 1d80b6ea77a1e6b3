// The options registry: each option of the library declared once, in the
// manner of HiGHS' OptionRecord (name, description, type, default, bounds).
// A record's name (snake_case) is the option's one name: the field of its
// options struct, the TOML key and the Python keyword; its CLI flag is
// `--kebab-case` of the name unless the record gives another. Validation
// messages are generated from the record, so every front door says the same
// words: "tolerance: must be in (0, 1), got 2". The library names an option
// by its record name; a front door passes its own spelling (the CLI its
// flag) to Check / Parse / Set and gets the same message under that name.
//
// OptionTable<T> binds the records of one options struct T to its fields:
// Set / Get by name, and Validate(const T&) that checks every field against
// its record (the structs' Validate() functions delegate to it).
// `rebalance options` and docs/options.md list every table (Markdown()).
#ifndef REBALANCE_CORE_OPTIONS_H_
#define REBALANCE_CORE_OPTIONS_H_

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

#include "rebalance/core/status.h"

namespace rebalance::core {

enum class OptionType { kBool, kInt, kDouble, kString, kEnum };
const char* ToString(OptionType type);  // "bool", "int", "double", "string", "enum"

// A value of any option type (kEnum values are strings).
using OptionValue = std::variant<bool, int64_t, double, std::string>;
// "true", "12", "1e-08", "hetero": the value as a user would write it.
std::string OptionValueText(const OptionValue& value);

struct OptionBound {
  double value = 0;
  bool inclusive = true;
};

struct OptionRecord {
  // snake_case; the struct field, the TOML key and the Python keyword.
  std::string name;
  // One paragraph: what the option does, its unit and what 0 or a bound means.
  std::string doc;
  OptionType type = OptionType::kDouble;
  OptionValue default_value = 0.0;
  // Bounds of kInt / kDouble options (none when empty). kInt options are
  // also limited to the range of int.
  std::optional<OptionBound> lower, upper;
  // A remark shown with the bounds in messages and docs ("0 = all cores").
  std::string bound_note;
  // kEnum: the accepted values, and synonyms read as one of them.
  std::vector<std::string> allowed;
  std::vector<std::pair<std::string, std::string>> synonyms;  // synonym, value
  // CLI flag; empty: "--" + the name with '_' turned into '-'.
  std::string flag;

  std::string CliFlag() const;
  std::string DefaultText() const;
  // "(0, 1)", "[0, 100]", ">= 1", "> 1 (elasticity)", "poisson, gaussian"; ""
  // when the option has no bounds.
  std::string RangeText() const;
  // The violated rule as text ("must be in (0, 1), got 2"), "" if `value` is
  // valid. Integers are accepted for kDouble options.
  std::string Violation(const OptionValue& value) const;
  // InvalidArgument "SPELLING: <violation>" (spelling defaults to the name).
  Status Check(const OptionValue& value, std::string_view spelling = {}) const;
  // Reads the text form (a CLI argument): true/false/1/0, a whole number, a
  // finite number, text or one of `allowed`; then Check. Enum synonyms are
  // returned as the value they stand for.
  Result<OptionValue> Parse(std::string_view text, std::string_view spelling = {}) const;
  // A Python or TOML value as the option's type (int -> double, enum
  // synonym -> value) and checked.
  Result<OptionValue> Convert(const OptionValue& value, std::string_view spelling = {}) const;
};

// The records of one options struct, in declaration order.
class OptionRecords {
 public:
  OptionRecords(std::string group, std::string doc)
      : group_(std::move(group)), doc_(std::move(doc)) {}
  const std::string& group() const { return group_; }
  const std::string& doc() const { return doc_; }
  const std::vector<OptionRecord>& records() const { return records_; }
  const OptionRecord* Find(std::string_view name) const;
  // Find, or NotFound "unknown option 'x' of <group>; valid options: ...;
  // did you mean 'y'?".
  Result<const OptionRecord*> Lookup(std::string_view name) const;
  // A Markdown section: "## group", its doc, and a table of the options with
  // type, default, bounds, doc and the three spellings.
  std::string Markdown() const;
  // Plain text for `rebalance options`.
  std::string Text() const;

 protected:
  void AddRecord(OptionRecord record);

 private:
  std::string group_, doc_;
  std::vector<OptionRecord> records_;
};

// Records bound to the fields of T.
template <class T>
class OptionTable : public OptionRecords {
 public:
  using Getter = std::function<OptionValue(const T&)>;
  using Setter = std::function<void(T&, const OptionValue&)>;
  using OptionRecords::OptionRecords;

  // `field` is a callable T& -> X& (a lambda returning the field, so that
  // nested fields such as o.solver.tolerance bind as well).
  template <class F>
  OptionTable& Bool(OptionRecord r, F field) {
    r.type = OptionType::kBool;
    return Add(
        std::move(r), [field](const T& o) { return OptionValue(field(const_cast<T&>(o))); },
        [field](T& o, const OptionValue& v) { field(o) = std::get<bool>(v); });
  }
  template <class F>
  OptionTable& Int(OptionRecord r, F field) {
    r.type = OptionType::kInt;
    return Add(
        std::move(r),
        [field](const T& o) { return OptionValue(static_cast<int64_t>(field(const_cast<T&>(o)))); },
        [field](T& o, const OptionValue& v) {
          using X = std::remove_reference_t<decltype(field(o))>;
          field(o) = static_cast<X>(std::get<int64_t>(v));
        });
  }
  template <class F>
  OptionTable& Double(OptionRecord r, F field) {
    r.type = OptionType::kDouble;
    return Add(
        std::move(r), [field](const T& o) { return OptionValue(field(const_cast<T&>(o))); },
        [field](T& o, const OptionValue& v) { field(o) = std::get<double>(v); });
  }
  template <class F>
  OptionTable& String(OptionRecord r, F field) {
    r.type = OptionType::kString;
    return Add(
        std::move(r), [field](const T& o) { return OptionValue(field(const_cast<T&>(o))); },
        [field](T& o, const OptionValue& v) { field(o) = std::get<std::string>(v); });
  }
  // An enum field: `get` gives its value's name, `set` stores a name of
  // `allowed` (already checked).
  OptionTable& Enum(OptionRecord r, std::function<std::string(const T&)> get,
                    std::function<void(T&, const std::string&)> set) {
    r.type = OptionType::kEnum;
    return Add(
        std::move(r), [get](const T& o) { return OptionValue(get(o)); },
        [set](T& o, const OptionValue& v) { set(o, std::get<std::string>(v)); });
  }

  // Converts, checks and stores `value` in the field named `name`.
  Status Set(T* options, std::string_view name, const OptionValue& value,
             std::string_view spelling = {}) const {
    RB_ASSIGN_OR_RETURN(const OptionRecord* r, Lookup(name));
    RB_ASSIGN_OR_RETURN(OptionValue v, r->Convert(value, spelling));
    setters_[static_cast<size_t>(r - records().data())](*options, v);
    return Status::Ok();
  }
  // As Set, from the text form (a CLI argument).
  Status SetText(T* options, std::string_view name, std::string_view text,
                 std::string_view spelling = {}) const {
    RB_ASSIGN_OR_RETURN(const OptionRecord* r, Lookup(name));
    RB_ASSIGN_OR_RETURN(OptionValue v, r->Parse(text, spelling));
    setters_[static_cast<size_t>(r - records().data())](*options, v);
    return Status::Ok();
  }
  Result<OptionValue> Get(const T& options, std::string_view name) const {
    RB_ASSIGN_OR_RETURN(const OptionRecord* r, Lookup(name));
    return getters_[static_cast<size_t>(r - records().data())](options);
  }
  // Checks every bound field of `options` against its record, in order.
  Status Validate(const T& options) const {
    for (size_t i = 0; i < records().size(); ++i) {
      RB_RETURN_IF_ERROR(records()[i].Check(getters_[i](options)));
    }
    return Status::Ok();
  }

 private:
  OptionTable& Add(OptionRecord r, Getter get, Setter set) {
    AddRecord(std::move(r));
    getters_.push_back(std::move(get));
    setters_.push_back(std::move(set));
    return *this;
  }
  std::vector<Getter> getters_;
  std::vector<Setter> setters_;
};

// The message of `status` with each option of status.options() rendered by
// `spell` (name -> the front door's spelling): the option's name is replaced
// where it stands as a word outside 'quoted' text, so quoted user input is
// never changed.
std::string RenderOptionNames(const Status& status,
                              const std::function<std::string(const std::string&)>& spell);

}  // namespace rebalance::core

#endif  // REBALANCE_CORE_OPTIONS_H_
