// CLI flags generated from an options registry (core/options.h): one flag per
// record, named by the record's CliFlag(), documented by its doc, default and
// bounds, and checked at parse time by the record itself, so that a bad value
// reads "--tol: must be in (0, 1), got 2", the words the library, Python and
// scenario files use under the option's name. Apply() stores the given values
// in the options struct.
#ifndef REBALANCE_APP_OPTION_FLAGS_H_
#define REBALANCE_APP_OPTION_FLAGS_H_

#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "rebalance/core/options.h"

namespace rebalance::app {

template <class T>
class OptionFlags {
 public:
  explicit OptionFlags(const core::OptionTable<T>& table) : table_(table) {}

  // Adds a flag for every record of the table except those in `skip`.
  // The returned pointers are owned by `sub`; keep `this` alive as long.
  void AddTo(CLI::App* sub, const std::vector<std::string>& skip = {}) {
    for (const core::OptionRecord& r : table_.records()) {
      if (std::find(skip.begin(), skip.end(), r.name) != skip.end()) continue;
      const std::string range = r.RangeText();
      std::string help = r.doc;
      if (!range.empty()) help += fmt::format(" [{}]", range);
      CLI::Option* opt = sub->add_option(r.CliFlag(), given_[r.name], help);
      opt->default_str(r.DefaultText());
      opt->type_name(r.type == core::OptionType::kBool     ? "BOOL"
                     : r.type == core::OptionType::kInt    ? "INT"
                     : r.type == core::OptionType::kDouble ? "NUMBER"
                                                           : "TEXT");
      opt->check(CLI::Validator(
          [r](std::string& text) -> std::string {
            auto v = r.Parse(text, "-");  // message "-: <rule>"; the flag is added by CLI11
            return v.ok() ? std::string() : v.status().message().substr(3);
          },
          "", r.name));
      flags_[r.name] = opt;
    }
  }

  // The option CLI11 made for `name` (to mark it required, say).
  CLI::Option* Flag(const std::string& name) const {
    auto it = flags_.find(name);
    return it == flags_.end() ? nullptr : it->second;
  }
  bool Given(const std::string& name) const {
    const CLI::Option* f = Flag(name);
    return f != nullptr && f->count() > 0;
  }

  // Stores every value given on the command line in *options (checked
  // again, naming the flag).
  Status Apply(T* options) const {
    for (const auto& [name, flag] : flags_) {
      if (flag->count() == 0) continue;
      RB_RETURN_IF_ERROR(
          table_.SetText(options, name, given_.at(name), table_.Find(name)->CliFlag()));
    }
    return Status::Ok();
  }

 private:
  const core::OptionTable<T>& table_;
  std::map<std::string, std::string> given_;
  std::map<std::string, CLI::Option*> flags_;
};

}  // namespace rebalance::app

#endif  // REBALANCE_APP_OPTION_FLAGS_H_
