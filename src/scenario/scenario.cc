// Scenario-file parser (TOML via toml++). Every error names the file, line,
// column and key; unknown keys suggest the nearest valid key. Groups are
// expanded here; labels are checked against a Baseline in CheckLabels.
#include "rebalance/scenario/scenario.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <filesystem>
#include <set>

#include <fmt/format.h>
#include <toml++/toml.h>

#include "rebalance/data/csv.h"
#include "rebalance/data/table.h"

namespace rebalance::scenario {
namespace {

namespace fs = std::filesystem;

class Parser {
 public:
  explicit Parser(std::string source) : source_(std::move(source)) {}

  Status Error(const toml::node* node, const std::string& key, const std::string& msg) const {
    int line = 0, col = 0;
    if (node != nullptr) {
      line = static_cast<int>(node->source().begin.line);
      col = static_cast<int>(node->source().begin.column);
    }
    if (line > 0) {
      return Status::InvalidArgument(
          fmt::format("{}:{}:{}: key '{}': {}", source_, line, col, key, msg));
    }
    return Status::InvalidArgument(fmt::format("{}: key '{}': {}", source_, key, msg));
  }

  Status CheckKeys(const toml::table& table, const std::string& where,
                   const std::vector<std::string>& allowed) const {
    for (const auto& [k, v] : table) {
      const std::string key(k.str());
      if (std::find(allowed.begin(), allowed.end(), key) == allowed.end()) {
        const std::string full = where.empty() ? key : where + "." + key;
        return Error(&v, full,
                     fmt::format("unknown key '{}'; valid keys here: {}; did you mean '{}'?", key,
                                 fmt::join(allowed, ", "), data::NearestName(key, allowed)));
      }
    }
    return Status::Ok();
  }

  Result<std::string> GetString(const toml::table& t, const std::string& where,
                                const std::string& key, bool required,
                                std::string fallback = "") const {
    const toml::node* n = t.get(key);
    if (n == nullptr) {
      if (required)
        return Error(&t, where.empty() ? key : where + "." + key, "is required but missing");
      return fallback;
    }
    if (!n->is_string()) {
      return Error(n, where.empty() ? key : where + "." + key, "expected a string");
    }
    return std::string(*n->value<std::string>());
  }

  Result<double> GetNumber(const toml::node* n, const std::string& key) const {
    if (n->is_integer()) return static_cast<double>(*n->value<int64_t>());
    if (n->is_floating_point()) {
      const double v = *n->value<double>();
      if (!std::isfinite(v)) return Error(n, key, "expected a finite number");
      return v;
    }
    return Error(n, key, "expected a number");
  }

  // A selector: a string (label, group name, "*"), or an array of strings.
  // Returns labels with groups expanded.
  Result<std::vector<std::string>> GetSelector(const toml::node* n, const std::string& key,
                                               bool sector, std::vector<LabelRef>* refs) const {
    std::vector<const toml::node*> items;
    if (n->is_string()) {
      items.push_back(n);
    } else if (const toml::array* arr = n->as_array()) {
      if (arr->empty()) return Error(n, key, "an empty list selects nothing");
      for (const auto& e : *arr) items.push_back(&e);
    } else {
      return Error(n, key,
                   fmt::format("expected a {} name, a group name, \"*\" or a list of names",
                               sector ? "sector" : "country"));
    }
    const auto& groups = sector ? file_->sector_groups : file_->country_groups;
    std::vector<std::string> out;
    for (const toml::node* item : items) {
      if (!item->is_string()) return Error(item, key, "expected a string");
      const std::string s(*item->value<std::string>());
      if (s.empty()) return Error(item, key, "an empty name selects nothing");
      auto g = groups.find(s);
      std::vector<std::string> expanded =
          g != groups.end() ? g->second : std::vector<std::string>{s};
      for (const auto& label : expanded) {
        out.push_back(label);
        if (label != "*") {
          refs->push_back(LabelRef{label, sector, key, static_cast<int>(item->source().begin.line),
                                   static_cast<int>(item->source().begin.column)});
        }
      }
    }
    return out;
  }

  Status ParseGroups(const toml::table& groups) {
    RB_RETURN_IF_ERROR(CheckKeys(groups, "groups", {"countries", "sectors"}));
    for (const char* kind : {"countries", "sectors"}) {
      const toml::node* n = groups.get(kind);
      if (n == nullptr) continue;
      const toml::table* t = n->as_table();
      const std::string where = std::string("groups.") + kind;
      if (t == nullptr) return Error(n, where, "expected a table of name = [members]");
      auto& dest = std::string(kind) == "countries" ? file_->country_groups : file_->sector_groups;
      for (const auto& [k, v] : *t) {
        const std::string name(k.str());
        const std::string key = where + "." + name;
        const toml::array* arr = v.as_array();
        if (arr == nullptr || arr->empty())
          return Error(&v, key, "expected a non-empty list of names");
        std::vector<std::string> members;
        for (const auto& e : *arr) {
          if (!e.is_string()) return Error(&e, key, "expected a string");
          const std::string m(*e.value<std::string>());
          members.push_back(m);
          group_refs_.push_back(LabelRef{m, std::string(kind) == "sectors", key,
                                         static_cast<int>(e.source().begin.line),
                                         static_cast<int>(e.source().begin.column)});
        }
        dest[name] = members;
      }
    }
    return Status::Ok();
  }

  std::string ResolvePath(const std::string& p) const {
    if (p.empty() || fs::path(p).is_absolute()) return p;
    const fs::path base = fs::path(source_).parent_path();
    return (base / p).lexically_normal().string();
  }

  Status ParseBaseline(const toml::table& t) {
    RB_RETURN_IF_ERROR(CheckKeys(t, "baseline",
                                 {"builtin", "wiod", "icio", "long", "cp", "cp_tidy", "year", "map",
                                  "theta", "tariffs", "zero_deficit_baseline"}));
    BaselineSource& b = file_->baseline;
    int kinds = 0;
    const std::vector<std::pair<const char*, BaselineKind>> options = {
        {"builtin", BaselineKind::kBuiltin}, {"wiod", BaselineKind::kWiod},
        {"icio", BaselineKind::kIcio},       {"long", BaselineKind::kLong},
        {"cp", BaselineKind::kCp},           {"cp_tidy", BaselineKind::kCpTidy}};
    for (const auto& [key, kind] : options) {
      if (t.get(key) == nullptr) continue;
      ++kinds;
      RB_ASSIGN_OR_RETURN(std::string value, GetString(t, "baseline", key, true));
      b.kind = kind;
      if (kind == BaselineKind::kBuiltin)
        b.builtin = value;
      else
        b.path = ResolvePath(value);
    }
    if (kinds > 1) {
      return Error(&t, "baseline", "give exactly one of builtin, wiod, icio, long, cp, cp_tidy");
    }
    if (const toml::node* y = t.get("year")) {
      if (!y->is_integer()) return Error(y, "baseline.year", "expected an integer year");
      b.year = static_cast<int>(*y->value<int64_t>());
    }
    RB_ASSIGN_OR_RETURN(std::string map, GetString(t, "baseline", "map", false));
    RB_ASSIGN_OR_RETURN(std::string theta, GetString(t, "baseline", "theta", false));
    RB_ASSIGN_OR_RETURN(std::string tariffs, GetString(t, "baseline", "tariffs", false));
    b.map = ResolvePath(map);
    b.theta = ResolvePath(theta);
    b.tariffs = ResolvePath(tariffs);
    if (const toml::node* z = t.get("zero_deficit_baseline")) {
      if (!z->is_boolean())
        return Error(z, "baseline.zero_deficit_baseline", "expected true or false");
      b.zero_deficit_baseline = *z->value<bool>();
    }
    if (b.kind == BaselineKind::kWiod && b.year == 0) {
      // wiotYYYY.csv.gz
      const std::string name = fs::path(b.path).filename().string();
      for (size_t i = 0; i + 4 <= name.size(); ++i) {
        if (std::isdigit(static_cast<unsigned char>(name[i])) && i + 4 <= name.size() &&
            std::all_of(name.begin() + static_cast<long>(i),
                        name.begin() + static_cast<long>(i + 4),
                        [](char c) { return std::isdigit(static_cast<unsigned char>(c)); })) {
          b.year = std::stoi(name.substr(i, 4));
          break;
        }
      }
    }
    return Status::Ok();
  }

  // The tariff_war model's keys of [model] (ge::TariffWarOptions).
  Status ParseTariffWarModel(const toml::table& t) {
    const std::vector<std::string> keys = {"epsilon", "kappa",        "psi",
                                           "theta",   "pass_through", "nu_in_pass_through",
                                           "revenue", "deficit",      "numeraire"};
    ge::TariffWarOptions& o = file_->tariff_war;
    for (const auto& key : keys) {
      const toml::node* n = t.get(key);
      if (n == nullptr) continue;
      const std::string k = "model." + key;
      if (file_->model != ModelKind::kTariffWar) {
        return Error(n, k, "is an option of type = \"tariff_war\" only");
      }
      if (key == "revenue" || key == "deficit" || key == "numeraire") {
        RB_ASSIGN_OR_RETURN(std::string v, GetString(t, "model", key, true));
        Status st;
        if (key == "revenue") {
          auto r = ge::RevenueUseFromString(v);
          st = r.status();
          if (r.ok()) o.revenue = *r;
        } else if (key == "deficit") {
          auto r = ge::DeficitScalingFromString(v);
          st = r.status();
          if (r.ok()) o.deficit = *r;
        } else {
          auto r = ge::TariffWarNumeraireFromString(v);
          st = r.status();
          if (r.ok()) o.numeraire = *r;
        }
        if (!st.ok()) return Error(n, k, st.message());
      } else if (key == "nu_in_pass_through") {
        if (!n->is_boolean()) return Error(n, k, "expected true or false");
        o.nu_in_pass_through = *n->value<bool>();
      } else {
        RB_ASSIGN_OR_RETURN(double v, GetNumber(n, k));
        if (key == "epsilon") o.epsilon = v;
        if (key == "kappa") o.kappa = v;
        if (key == "psi") o.psi = v;
        if (key == "theta") o.theta = v;
        if (key == "pass_through") o.pass_through = v;
      }
    }
    if (file_->model == ModelKind::kTariffWar) {
      if (const toml::node* sg = t.get("sigma")) {
        return Error(sg, "model.sigma",
                     "the tariff_war model takes its trade elasticity as epsilon, not sigma");
      }
      const Status st = o.Validate();
      if (!st.ok()) return Error(&t, "model", st.message());
    }
    return Status::Ok();
  }

  // { tariff_schedule = { importer, exporter, schedule, floor, mirror } }.
  Status ParseScheduleTariff(const toml::table& t, const std::string& k, ScenarioDef* def) {
    RB_RETURN_IF_ERROR(CheckKeys(t, k, {"importer", "exporter", "schedule", "floor", "mirror"}));
    ScheduleTariff st;
    for (const char* field : {"importer", "exporter"}) {
      const toml::node* n = t.get(field);
      if (n == nullptr) return Error(&t, k + "." + field, "is required but missing");
      RB_ASSIGN_OR_RETURN(auto labels, GetSelector(n, k + "." + field, false, &def->labels));
      (std::string(field) == "importer" ? st.importers : st.exporters) = labels;
    }
    RB_ASSIGN_OR_RETURN(st.schedule, GetString(t, k, "schedule", true));
    if (const toml::node* f = t.get("floor")) {
      RB_ASSIGN_OR_RETURN(st.floor, GetNumber(f, k + ".floor"));
      if (!(st.floor >= 0)) return Error(f, k + ".floor", "a tariff floor must be >= 0");
    }
    if (const toml::node* m = t.get("mirror")) {
      if (!m->is_boolean()) return Error(m, k + ".mirror", "expected true or false");
      st.mirror = *m->value<bool>();
    }
    st.after_tariffs = def->spec.tariffs.size();
    def->schedule_tariffs.push_back(std::move(st));
    return Status::Ok();
  }

  // [solver]: keys and checks of the options registry (MultisectorOptionTable),
  // so a bad value reads as on the CLI and in Python ("must be > 0, got -1").
  Status ParseSolver(const toml::node& node) {
    const toml::table* t = node.as_table();
    if (t == nullptr) return Error(&node, "solver", "expected a table");
    if (file_->model != ModelKind::kMultiSector) {
      return Error(&node, "solver", "the [solver] table sets the multi-sector model's options");
    }
    const auto& table = ge::MultisectorOptionTable();
    std::vector<std::string> names;
    for (const auto& r : table.records()) names.push_back(r.name);
    RB_RETURN_IF_ERROR(CheckKeys(*t, "solver", names));
    for (const auto& [k, v] : *t) {
      const std::string key(k.str());
      core::OptionValue value;
      if (v.is_boolean()) {
        value = *v.value<bool>();
      } else if (v.is_integer()) {
        value = *v.value<int64_t>();
      } else if (v.is_floating_point()) {
        value = *v.value<double>();
      } else if (v.is_string()) {
        value = std::string(*v.value<std::string>());
      } else {
        return Error(&v, "solver." + key, "expected a number, true or false, or a string");
      }
      auto checked = table.Find(key)->Convert(value, key);
      if (!checked.ok()) {
        // The record's words without its "key: " prefix (Error names the key).
        return Error(&v, "solver." + key, checked.status().message().substr(key.size() + 2));
      }
      file_->solver.emplace_back(key, *checked);
    }
    return Status::Ok();
  }

  Status ParseModel(const toml::table& t) {
    RB_RETURN_IF_ERROR(
        CheckKeys(t, "model",
                  {"type", "sigma", "epsilon", "kappa", "psi", "theta", "pass_through",
                   "nu_in_pass_through", "revenue", "deficit", "numeraire"}));
    RB_ASSIGN_OR_RETURN(std::string type, GetString(t, "model", "type", false, "multisector"));
    auto kind = ModelKindFromString(type);
    if (!kind.ok()) return Error(t.get("type"), "model.type", kind.status().message());
    file_->model = *kind;
    RB_RETURN_IF_ERROR(ParseTariffWarModel(t));
    if (const toml::node* s = t.get("sigma")) {
      RB_ASSIGN_OR_RETURN(double sigma, GetNumber(s, "model.sigma"));
      if (!(sigma > 1.0))
        return Error(s, "model.sigma", fmt::format("sigma must be > 1, got {}", sigma));
      file_->sigma = sigma;
    }
    if (file_->model == ModelKind::kGravity && file_->sigma == 0) {
      return Error(&t, "model.sigma", "the gravity model needs sigma (> 1)");
    }
    return Status::Ok();
  }

  // One `{ kind = { ... } }` entry of a scenario's shocks list.
  Status ParseShock(const toml::node& node, const std::string& key, ScenarioDef* def) {
    const toml::table* outer = node.as_table();
    if (outer == nullptr || outer->size() != 1) {
      return Error(&node, key,
                   "each shock is a table with one key naming its kind, e.g. { tariff = { importer "
                   "= \"USA\", "
                   "exporter = \"CHN\", sectors = [\"Transport equipment\"], add = 1.0 } }");
    }
    // Keep the iterator alive: toml++'s iterators hand out proxies that live
    // inside the iterator object.
    const auto first = outer->cbegin();
    const std::string kind(first->first.str());
    const toml::node& kval = first->second;
    const std::string k = key + "." + kind;
    static const std::vector<std::string> kKinds = {
        "tariff",         "iceberg", "productivity", "production_subsidy",
        "export_subsidy", "deficit", "deficits",     "tariff_schedule",
        "theta"};
    if (kind == "deficits") {
      // { deficits = "zero" } or "fixed"
      if (!kval.is_string()) return Error(&kval, k, "expected \"zero\" or \"fixed\"");
      const std::string v(*kval.value<std::string>());
      if (v == "zero")
        def->spec.deficit_rule = ge::DeficitRule::kZero;
      else if (v == "fixed")
        def->spec.deficit_rule = ge::DeficitRule::kFixed;
      else
        return Error(&kval, k, fmt::format("expected \"zero\" or \"fixed\", got \"{}\"", v));
      return Status::Ok();
    }
    const toml::table* t = kval.as_table();
    if (t == nullptr) {
      if (std::find(kKinds.begin(), kKinds.end(), kind) == kKinds.end()) {
        return Error(&kval, k,
                     fmt::format("unknown shock kind '{}'; valid kinds: {}; did you mean '{}'?",
                                 kind, fmt::join(kKinds, ", "), data::NearestName(kind, kKinds)));
      }
      return Error(&kval, k, "expected a table of the shock's fields");
    }
    auto sel = [&](const char* field, bool sector, bool required,
                   std::vector<std::string> fallback) -> Result<std::vector<std::string>> {
      const toml::node* n = t->get(field);
      if (n == nullptr) {
        if (required) return Error(t, k + "." + field, "is required but missing");
        return fallback;
      }
      return GetSelector(n, k + "." + field, sector, &def->labels);
    };
    auto sectors = [&]() -> Result<std::vector<std::string>> {
      if (t->get("sector") != nullptr && t->get("sectors") != nullptr) {
        return Error(t, k, "give either 'sector' or 'sectors', not both");
      }
      if (t->get("sector") != nullptr) return sel("sector", true, false, {"*"});
      return sel("sectors", true, false, {"*"});
    };
    auto number = [&](const char* field) -> Result<double> {
      return GetNumber(t->get(field), k + "." + field);
    };
    if (kind == "tariff_schedule") return ParseScheduleTariff(*t, k, def);
    if (kind == "theta") {
      RB_RETURN_IF_ERROR(CheckKeys(*t, k, {"sector", "sectors", "multiply"}));
      if (file_->model == ModelKind::kTariffWar) {
        return Error(&kval, k,
                     "the tariff_war model takes its trade elasticity from [model] epsilon; "
                     "theta scaling is for the multisector and gravity models");
      }
      RB_ASSIGN_OR_RETURN(auto secs, sectors());
      const toml::node* m = t->get("multiply");
      if (m == nullptr) {
        return Error(t, k + ".multiply",
                     "is required: the factor on the sectors' trade elasticity theta (0.5 = "
                     "half, 2 = double)");
      }
      RB_ASSIGN_OR_RETURN(double factor, number("multiply"));
      if (!(factor > 0)) {
        return Error(m, k + ".multiply",
                     fmt::format("a factor on theta must be > 0 (theta > 0), got {}", factor));
      }
      const auto& src = m->source().begin;
      const std::string origin = fmt::format("{}:{}:{}: scenario '{}', key '{}.multiply'", source_,
                                             src.line, src.column, def->name, k);
      for (const auto& s : secs) def->theta_scaling.push_back(ThetaScaling{s, factor, origin});
      return Status::Ok();
    }
    if (kind == "tariff" || kind == "iceberg") {
      const bool tariff = kind == "tariff";
      const std::vector<std::string> allowed =
          tariff ? std::vector<std::string>{"importer", "exporter", "sector",   "sectors",
                                            "add",      "set",      "multiply", "allow_extreme"}
                 : std::vector<std::string>{"importer", "exporter", "sector",
                                            "sectors",  "change",   "factor"};
      RB_RETURN_IF_ERROR(CheckKeys(*t, k, allowed));
      RB_ASSIGN_OR_RETURN(auto importers, sel("importer", false, true, {}));
      RB_ASSIGN_OR_RETURN(auto exporters, sel("exporter", false, true, {}));
      RB_ASSIGN_OR_RETURN(auto secs, sectors());
      if (tariff) {
        int modes = 0;
        ge::ShockMode mode = ge::ShockMode::kChange;
        double value = 0;
        std::string origin;
        for (const auto& [field, m] : std::vector<std::pair<const char*, ge::ShockMode>>{
                 {"add", ge::ShockMode::kChange},
                 {"set", ge::ShockMode::kLevel},
                 {"multiply", ge::ShockMode::kMultiply}}) {
          if (t->get(field) == nullptr) continue;
          ++modes;
          mode = m;
          RB_ASSIGN_OR_RETURN(value, number(field));
          if (m == ge::ShockMode::kLevel && !(value > -1)) {
            return Error(t->get(field), k + "." + field,
                         "a tariff rate must be above -1 (-100%); 0.25 = 25%");
          }
          if (m == ge::ShockMode::kMultiply && value <= 0)
            return Error(t->get(field), k + "." + field, "a factor must be > 0");
          const auto& src = t->get(field)->source().begin;
          origin = fmt::format("{}:{}:{}: scenario '{}', key '{}.{}'", source_, src.line,
                               src.column, def->name, k, field);
        }
        if (modes != 1)
          return Error(t, k,
                       "give exactly one of add (rate points: 0.25 = +25 pp), set (new rate: 0.25 "
                       "= 25%) or multiply (factor on 1+tariff)");
        bool allow_extreme = false;
        if (const toml::node* x = t->get("allow_extreme")) {
          if (!x->is_boolean()) return Error(x, k + ".allow_extreme", "expected true or false");
          allow_extreme = *x->value<bool>();
        }
        for (const auto& im : importers)
          for (const auto& ex : exporters)
            for (const auto& s : secs) {
              def->spec.tariffs.push_back(
                  ge::TariffShock{im, ex, s, mode, value, allow_extreme, origin});
            }
      } else {
        double d_hat = 0;
        if ((t->get("change") != nullptr) == (t->get("factor") != nullptr)) {
          return Error(t, k, "give exactly one of change (0.10 = costs +10%) or factor (new/old)");
        }
        if (t->get("change") != nullptr) {
          RB_ASSIGN_OR_RETURN(double c, number("change"));
          d_hat = 1.0 + c;
        } else {
          RB_ASSIGN_OR_RETURN(d_hat, number("factor"));
        }
        if (!(d_hat > 0))
          return Error(t, k, fmt::format("the cost factor must be > 0, got {}", d_hat));
        for (const auto& im : importers)
          for (const auto& ex : exporters)
            for (const auto& s : secs)
              def->spec.icebergs.push_back(ge::IcebergShock{im, ex, s, d_hat});
      }
      return Status::Ok();
    }
    if (kind == "productivity") {
      RB_RETURN_IF_ERROR(
          CheckKeys(*t, k, {"country", "sector", "sectors", "lambda_hat", "efficiency"}));
      RB_ASSIGN_OR_RETURN(auto countries, sel("country", false, true, {}));
      RB_ASSIGN_OR_RETURN(auto secs, sectors());
      if ((t->get("lambda_hat") != nullptr) == (t->get("efficiency") != nullptr)) {
        return Error(t, k,
                     "give exactly one of efficiency (0.05 = +5% Hicks-neutral) or lambda_hat (EK "
                     "technology factor)");
      }
      if (t->get("lambda_hat") != nullptr) {
        RB_ASSIGN_OR_RETURN(double lh, number("lambda_hat"));
        if (!(lh > 0)) return Error(t->get("lambda_hat"), k + ".lambda_hat", "must be > 0");
        for (const auto& c : countries)
          for (const auto& s : secs)
            def->spec.productivity.push_back(ge::ProductivityShock{c, s, lh});
      } else {
        RB_ASSIGN_OR_RETURN(double g, number("efficiency"));
        if (!(g > -1)) return Error(t->get("efficiency"), k + ".efficiency", "must be > -1");
        for (const auto& c : countries)
          for (const auto& s : secs) def->efficiency.push_back(EfficiencyShock{c, s, g});
      }
      return Status::Ok();
    }
    if (kind == "production_subsidy" || kind == "export_subsidy") {
      RB_RETURN_IF_ERROR(CheckKeys(*t, k, {"country", "sector", "sectors", "rate", "add"}));
      RB_ASSIGN_OR_RETURN(auto countries, sel("country", false, true, {}));
      RB_ASSIGN_OR_RETURN(auto secs, sectors());
      if ((t->get("rate") != nullptr) == (t->get("add") != nullptr)) {
        return Error(t, k,
                     "give exactly one of rate (new ad-valorem rate, 0.10 = 10%) or add (change in "
                     "the rate)");
      }
      const bool level = t->get("rate") != nullptr;
      RB_ASSIGN_OR_RETURN(double v, number(level ? "rate" : "add"));
      if (level && !(v > -1)) return Error(t->get("rate"), k + ".rate", "must be > -1");
      for (const auto& c : countries)
        for (const auto& s : secs)
          def->spec.subsidies.push_back(
              ge::SubsidyShock{kind == "production_subsidy" ? ge::SubsidyKind::kProduction
                                                            : ge::SubsidyKind::kExport,
                               c, s, level ? ge::ShockMode::kLevel : ge::ShockMode::kChange, v});
      return Status::Ok();
    }
    if (kind == "deficit") {
      RB_RETURN_IF_ERROR(CheckKeys(*t, k, {"country", "target", "unit", "multiply", "residual"}));
      RB_ASSIGN_OR_RETURN(auto countries, sel("country", false, true, {}));
      const toml::node* target_n = t->get("target");
      const toml::node* multiply_n = t->get("multiply");
      if ((target_n != nullptr) == (multiply_n != nullptr)) {
        return Error(t, k,
                     "give exactly one of target (a deficit in the named unit: target = 0 is "
                     "balanced trade) or "
                     "multiply (a multiple of the baseline deficit: 0.5 = halved)");
      }
      ge::DeficitUnit unit = ge::DeficitUnit::kMultiple;
      double target = 0;
      if (multiply_n != nullptr) {
        if (t->get("unit") != nullptr) {
          return Error(t->get("unit"), k + ".unit",
                       "multiply is a factor on the baseline deficit and takes no unit");
        }
        RB_ASSIGN_OR_RETURN(target, number("multiply"));
        if (target < 0) {
          return Error(multiply_n, k + ".multiply",
                       fmt::format("a negative multiple ({}) turns a deficit into a surplus; give "
                                   "a target in bn_usd "
                                   "or share_of_gdp instead",
                                   target));
        }
      } else {
        RB_ASSIGN_OR_RETURN(target, number("target"));
        const toml::node* unit_n = t->get("unit");
        if (unit_n == nullptr && target != 0) {
          return Error(
              target_n, k + ".unit",
              fmt::format(
                  "target = {} needs a unit: unit = \"bn_usd\" (billion USD), \"mn_usd\" (million "
                  "USD), \"share_of_gdp\" (fraction of the country's baseline GDP, 0.03 = 3%) or "
                  "\"share_of_world_gdp\"",
                  target));
        }
        RB_ASSIGN_OR_RETURN(std::string unit_s, GetString(*t, k, "unit", false, "bn_usd"));
        if (unit_s == "bn_usd")
          unit = ge::DeficitUnit::kBillionUsd;
        else if (unit_s == "mn_usd")
          unit = ge::DeficitUnit::kMillionUsd;
        else if (unit_s == "share_of_gdp")
          unit = ge::DeficitUnit::kShareOfOwnVa;
        else if (unit_s == "share_of_world_gdp")
          unit = ge::DeficitUnit::kShareOfWorldVa;
        else {
          return Error(
              unit_n, k + ".unit",
              fmt::format("expected bn_usd, mn_usd, share_of_gdp or share_of_world_gdp, got '{}'{}",
                          unit_s,
                          unit_s == "level"
                              ? " (a level in the baseline's own currency unit is not accepted: "
                                "name the unit)"
                              : ""));
        }
        // A zero target is zero in any unit; bn_usd only keeps the record explicit.
        if (unit_n == nullptr) unit = ge::DeficitUnit::kShareOfOwnVa;
      }
      RB_ASSIGN_OR_RETURN(std::string residual,
                          GetString(*t, k, "residual", false, "proportional"));
      if (residual == "proportional")
        def->spec.deficit_residual = ge::DeficitResidual::kProportional;
      else if (residual == "error")
        def->spec.deficit_residual = ge::DeficitResidual::kError;
      else
        return Error(t->get("residual"), k + ".residual",
                     fmt::format("expected proportional or error, got '{}'", residual));
      def->spec.deficit_rule = ge::DeficitRule::kTargets;
      for (const auto& c : countries) {
        if (c == "*")
          return Error(
              t->get("country"), k + ".country",
              "name the countries whose deficit is targeted (use { deficits = \"zero\" } for all)");
        def->spec.deficit_targets.push_back(ge::DeficitTarget{c, unit, target});
      }
      return Status::Ok();
    }
    return Error(&kval, k,
                 fmt::format("unknown shock kind '{}'; valid kinds: {}; did you mean '{}'?", kind,
                             fmt::join(kKinds, ", "), data::NearestName(kind, kKinds)));
  }

  Status ParseScenarios(const toml::node& node) {
    const toml::array* arr = node.as_array();
    if (arr == nullptr) return Error(&node, "scenario", "expected [[scenario]] tables");
    std::set<std::string> names;
    int idx = 0;
    for (const auto& entry : *arr) {
      const std::string key = fmt::format("scenario[{}]", idx);
      const toml::table* t = entry.as_table();
      if (t == nullptr) return Error(&entry, key, "expected a table");
      RB_RETURN_IF_ERROR(CheckKeys(*t, key, {"name", "description", "shocks"}));
      ScenarioDef def;
      def.line = static_cast<int>(t->source().begin.line);
      RB_ASSIGN_OR_RETURN(def.name, GetString(*t, key, "name", true));
      if (def.name.empty()) return Error(t->get("name"), key + ".name", "must not be empty");
      if (!names.insert(def.name).second) {
        return Error(t->get("name"), key + ".name",
                     fmt::format("duplicate scenario name '{}'", def.name));
      }
      RB_ASSIGN_OR_RETURN(def.description, GetString(*t, key, "description", false));
      def.spec.name = def.name;
      const toml::node* shocks = t->get("shocks");
      if (shocks == nullptr) return Error(t, key + ".shocks", "is required (a list of shocks)");
      const toml::array* sa = shocks->as_array();
      if (sa == nullptr) return Error(shocks, key + ".shocks", "expected a list of shocks");
      if (sa->empty()) return Error(shocks, key + ".shocks", "a scenario needs at least one shock");
      int si = 0;
      for (const auto& s : *sa) {
        RB_RETURN_IF_ERROR(ParseShock(s, fmt::format("{}.shocks[{}]", key, si), &def));
        ++si;
      }
      file_->scenarios.push_back(std::move(def));
      ++idx;
    }
    return Status::Ok();
  }

  Result<ScenarioFile> Parse(std::string_view text) {
    ScenarioFile file;
    file.path = source_;
    file_ = &file;
    toml::table root;
    try {
      root = toml::parse(text, source_);
    } catch (const toml::parse_error& e) {
      return Status::ParseError(fmt::format("{}:{}:{}: {}", source_, e.source().begin.line,
                                            e.source().begin.column, e.description()));
    }
    RB_RETURN_IF_ERROR(CheckKeys(
        root, "", {"title", "baseline", "model", "groups", "scenario", "briefing", "solver"}));
    RB_ASSIGN_OR_RETURN(file.title, GetString(root, "", "title", false, file.title));
    if (const toml::node* g = root.get("groups")) {
      if (!g->is_table()) return Error(g, "groups", "expected a table");
      RB_RETURN_IF_ERROR(ParseGroups(*g->as_table()));
    }
    if (const toml::node* b = root.get("baseline")) {
      if (!b->is_table()) return Error(b, "baseline", "expected a table");
      RB_RETURN_IF_ERROR(ParseBaseline(*b->as_table()));
    }
    if (const toml::node* m = root.get("model")) {
      if (!m->is_table()) return Error(m, "model", "expected a table");
      RB_RETURN_IF_ERROR(ParseModel(*m->as_table()));
    }
    if (const toml::node* br = root.get("briefing")) {
      const toml::table* t = br->as_table();
      if (t == nullptr) return Error(br, "briefing", "expected a table");
      RB_RETURN_IF_ERROR(CheckKeys(*t, "briefing", {"focus"}));
      if (const toml::node* f = t->get("focus")) {
        RB_ASSIGN_OR_RETURN(file.focus_countries,
                            GetSelector(f, "briefing.focus", false, &focus_refs_));
      }
    }
    if (const toml::node* sv = root.get("solver")) RB_RETURN_IF_ERROR(ParseSolver(*sv));
    const toml::node* sc = root.get("scenario");
    if (sc == nullptr) return Error(nullptr, "scenario", "the file defines no [[scenario]]");
    RB_RETURN_IF_ERROR(ParseScenarios(*sc));
    // Group members and focus countries are checked like shock labels.
    if (!file.scenarios.empty()) {
      auto& first = file.scenarios.front().labels;
      first.insert(first.end(), group_refs_.begin(), group_refs_.end());
      first.insert(first.end(), focus_refs_.begin(), focus_refs_.end());
    }
    return file;
  }

 private:
  std::string source_;
  ScenarioFile* file_ = nullptr;
  std::vector<LabelRef> group_refs_;
  std::vector<LabelRef> focus_refs_;
};

}  // namespace

const char* ToString(ModelKind kind) {
  if (kind == ModelKind::kTariffWar) return "tariff_war";
  return kind == ModelKind::kGravity ? "gravity" : "multisector";
}

Result<ModelKind> ModelKindFromString(std::string_view s) {
  if (s == "multisector" || s == "multi-sector" || s == "caliendo-parro")
    return ModelKind::kMultiSector;
  if (s == "gravity" || s == "one-sector") return ModelKind::kGravity;
  if (s == "tariff_war") return ModelKind::kTariffWar;
  return Status::InvalidArgument(
      fmt::format("unknown model '{}'; expected multisector, gravity or tariff_war", s));
}

const char* ToString(BaselineKind kind) {
  switch (kind) {
    case BaselineKind::kBuiltin:
      return "builtin";
    case BaselineKind::kWiod:
      return "wiod";
    case BaselineKind::kIcio:
      return "icio";
    case BaselineKind::kLong:
      return "long";
    case BaselineKind::kCp:
      return "cp";
    case BaselineKind::kCpTidy:
      return "cp_tidy";
  }
  return "unknown";
}

Result<ScenarioFile> ParseScenario(std::string_view text, const std::string& source) {
  Parser parser(source);
  return parser.Parse(text);
}

Result<ScenarioFile> ParseScenarioFile(const std::string& path) {
  auto text = data::ReadFileToString(path);
  if (!text.ok()) return text.status();
  return ParseScenario(*text, path);
}

ge::MultisectorOptions SolverWithFile(const ScenarioFile& file, ge::MultisectorOptions base) {
  for (const auto& [key, value] : file.solver) {
    // Checked when parsed: Set cannot fail here.
    (void)ge::MultisectorOptionTable().Set(&base, key, value);
  }
  return base;
}

Status CheckLabels(const ScenarioFile& file, const ge::Baseline& baseline) {
  for (const auto& def : file.scenarios) {
    for (const auto& ref : def.labels) {
      const auto& valid = ref.is_sector ? baseline.sectors : baseline.countries;
      bool found = false;
      for (const auto& v : valid) {
        if (v == ref.label) {
          found = true;
          break;
        }
      }
      if (!found && ref.is_sector && !ge::SectorSynonym(baseline, ref.label).empty()) found = true;
      if (!found) {
        return Status::NotFound(fmt::format(
            "{}:{}:{}: key '{}': unknown {} '{}'; did you mean '{}'? Valid {}: {}", file.path,
            ref.line, ref.column, ref.key, ref.is_sector ? "sector" : "country", ref.label,
            data::NearestName(ref.label, valid), ref.is_sector ? "sectors" : "countries",
            ref.is_sector ? ge::ValidSectorList(baseline)
                          : fmt::format("{}", fmt::join(valid, ", "))));
      }
    }
  }
  return Status::Ok();
}

std::vector<std::string> SynonymNotes(const ScenarioFile& file, const ge::Baseline& baseline) {
  std::vector<std::string> notes;
  for (const auto& def : file.scenarios) {
    for (const auto& ref : def.labels) {
      if (!ref.is_sector || std::find(baseline.sectors.begin(), baseline.sectors.end(),
                                      ref.label) != baseline.sectors.end()) {
        continue;
      }
      const std::string canonical = ge::SectorSynonym(baseline, ref.label);
      if (canonical.empty()) continue;
      const std::string note = fmt::format("{}:{}:{}: sector '{}' read as '{}'", file.path,
                                           ref.line, ref.column, ref.label, canonical);
      if (std::find(notes.begin(), notes.end(), note) == notes.end()) notes.push_back(note);
    }
  }
  return notes;
}

Result<ge::Baseline> ScaleTheta(const ge::Baseline& baseline,
                                const std::vector<ThetaScaling>& scaling) {
  ge::Baseline out = baseline;
  for (const ThetaScaling& s : scaling) {
    if (!(s.factor > 0) || !std::isfinite(s.factor)) {
      return Status::InvalidArgument(
          fmt::format("{}: a factor on theta must be > 0 (theta > 0), got {}", s.origin, s.factor));
    }
    auto secs = ge::ResolveSectors(out, s.sector);
    if (!secs.ok()) return secs.status().WithContext(s.origin);
    for (int j : *secs) out.theta[static_cast<size_t>(j)] *= s.factor;
  }
  return out;
}

Result<ge::ShockSpec> BuildShockSpec(const ScenarioDef& def, const ge::Baseline& baseline) {
  ge::ShockSpec spec = def.spec;
  for (const auto& e : def.efficiency) {
    RB_ASSIGN_OR_RETURN(std::vector<int> secs, ge::ResolveSectors(baseline, e.sector));
    for (int j : secs) {
      const double lambda_hat = std::pow(1.0 + e.change, baseline.theta[static_cast<size_t>(j)]);
      spec.productivity.push_back(
          ge::ProductivityShock{e.country, baseline.sectors[static_cast<size_t>(j)], lambda_hat});
    }
  }
  return spec;
}

}  // namespace rebalance::scenario
