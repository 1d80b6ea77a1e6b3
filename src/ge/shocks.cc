// Resolution of labelled shocks (ShockSpec) into dense arrays (ShockSet) for
// the multi-sector model; see shocks.h for how each instrument enters the
// Caliendo & Parro (2015) equilibrium in changes.
#include "rebalance/ge/shocks.h"

#include <algorithm>
#include <cctype>
#include <cmath>

#include <fmt/format.h>

#include "rebalance/data/table.h"

namespace rebalance::ge {
namespace {

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string Trim(std::string_view s) {
  size_t a = 0, b = s.size();
  while (a < b && std::isspace(static_cast<unsigned char>(s[a]))) ++a;
  while (b > a && std::isspace(static_cast<unsigned char>(s[b - 1]))) --b;
  return std::string(s.substr(a, b - a));
}

}  // namespace

const char* ToString(ShockMode mode) {
  switch (mode) {
    case ShockMode::kLevel:
      return "level";
    case ShockMode::kChange:
      return "change";
    case ShockMode::kMultiply:
      return "multiply";
  }
  return "unknown";
}
Result<ShockMode> ShockModeFromString(std::string_view s) {
  const std::string l = Lower(s);
  if (l == "level") return ShockMode::kLevel;
  if (l == "change") return ShockMode::kChange;
  if (l == "multiply") return ShockMode::kMultiply;
  return Status::InvalidArgument(
      fmt::format("unknown shock mode '{}' (expected level, change or multiply)", s));
}

const char* ToString(SubsidyKind kind) {
  return kind == SubsidyKind::kProduction ? "production" : "export";
}
Result<SubsidyKind> SubsidyKindFromString(std::string_view s) {
  const std::string l = Lower(s);
  if (l == "production") return SubsidyKind::kProduction;
  if (l == "export") return SubsidyKind::kExport;
  return Status::InvalidArgument(
      fmt::format("unknown subsidy kind '{}' (expected production or export)", s));
}

const char* ToString(DeficitRule rule) {
  switch (rule) {
    case DeficitRule::kFixed:
      return "fixed";
    case DeficitRule::kZero:
      return "zero";
    case DeficitRule::kTargets:
      return "targets";
  }
  return "unknown";
}
Result<DeficitRule> DeficitRuleFromString(std::string_view s) {
  const std::string l = Lower(s);
  if (l == "fixed") return DeficitRule::kFixed;
  if (l == "zero") return DeficitRule::kZero;
  if (l == "targets") return DeficitRule::kTargets;
  return Status::InvalidArgument(
      fmt::format("unknown deficit rule '{}' (expected fixed, zero or targets)", s));
}

const char* ToString(DeficitUnit unit) {
  switch (unit) {
    case DeficitUnit::kLevel:
      return "level";
    case DeficitUnit::kShareOfWorldVa:
      return "share_of_world_gdp";
    case DeficitUnit::kShareOfOwnVa:
      return "share_of_gdp";
    case DeficitUnit::kMillionUsd:
      return "mn_usd";
    case DeficitUnit::kBillionUsd:
      return "bn_usd";
    case DeficitUnit::kMultiple:
      return "multiple";
  }
  return "unknown";
}
Result<DeficitUnit> DeficitUnitFromString(std::string_view s) {
  const std::string l = Lower(s);
  if (l == "level") return DeficitUnit::kLevel;
  if (l == "share_of_world_gdp") return DeficitUnit::kShareOfWorldVa;
  if (l == "share_of_gdp") return DeficitUnit::kShareOfOwnVa;
  if (l == "mn_usd") return DeficitUnit::kMillionUsd;
  if (l == "bn_usd") return DeficitUnit::kBillionUsd;
  if (l == "multiple") return DeficitUnit::kMultiple;
  return Status::InvalidArgument(
      fmt::format("unknown deficit unit '{}' (expected bn_usd, mn_usd, share_of_gdp, "
                  "share_of_world_gdp, multiple or level)",
                  s));
}

const char* ToString(DeficitResidual r) {
  return r == DeficitResidual::kError ? "error" : "proportional";
}
Result<DeficitResidual> DeficitResidualFromString(std::string_view s) {
  const std::string l = Lower(s);
  if (l == "error") return DeficitResidual::kError;
  if (l == "proportional") return DeficitResidual::kProportional;
  return Status::InvalidArgument(
      fmt::format("unknown deficit residual rule '{}' (expected error or proportional)", s));
}

Result<double> MillionUsdInCurrencyUnits(const std::string& currency_unit) {
  const std::string l = Lower(Trim(currency_unit));
  if (l == "million usd" || l == "usd million" || l == "mn usd") return 1.0;
  if (l == "billion usd" || l == "usd billion" || l == "bn usd") return 1e-3;
  if (l == "thousand usd" || l == "usd thousand") return 1e3;
  if (l == "usd") return 1e6;
  return Status::InvalidArgument(
      fmt::format("the baseline's currency unit is '{}', not a USD unit, so a target in "
                  "mn_usd or bn_usd cannot be converted; give it as share_of_gdp, "
                  "share_of_world_gdp or multiple",
                  currency_unit));
}

bool ShockSpec::empty() const {
  return tariffs.empty() && icebergs.empty() && productivity.empty() && subsidies.empty() &&
         deficit_rule == DeficitRule::kFixed;
}

Result<std::vector<int>> ResolveLabels(const std::vector<std::string>& labels,
                                       std::string_view label, std::string_view what) {
  const std::string l = Trim(label);
  std::vector<int> out;
  if (l == "*" || Lower(l) == "all") {
    out.resize(labels.size());
    for (size_t i = 0; i < labels.size(); ++i) out[i] = static_cast<int>(i);
    return out;
  }
  if (l.empty()) {
    return Status::InvalidArgument(fmt::format("empty {} label (use '*' for all)", what));
  }
  size_t pos = 0;
  while (pos <= l.size()) {
    size_t end = l.find(',', pos);
    if (end == std::string::npos) end = l.size();
    const std::string one = Trim(std::string_view(l).substr(pos, end - pos));
    pos = end + 1;
    int found = -1;
    for (size_t i = 0; i < labels.size(); ++i) {
      if (labels[i] == one) found = static_cast<int>(i);
    }
    if (found < 0) {
      const std::string lo = Lower(one);
      for (size_t i = 0; i < labels.size(); ++i) {
        if (Lower(labels[i]) == lo) found = static_cast<int>(i);
      }
    }
    if (found < 0) {
      const std::string near = data::NearestName(one, labels);
      return Status::NotFound(
          fmt::format("unknown {} '{}'{}", what, one,
                      near.empty() ? std::string() : fmt::format(" (did you mean '{}'?)", near)));
    }
    if (std::find(out.begin(), out.end(), found) == out.end()) out.push_back(found);
    if (end == l.size()) break;
  }
  return out;
}

Result<std::vector<int>> ResolveCountries(const Baseline& baseline, std::string_view label) {
  return ResolveLabels(baseline.countries, label, "country");
}
std::string SectorSynonym(const Baseline& b, std::string_view label) {
  const std::string l = Lower(Trim(label));
  // A sector's own name is never a synonym of another.
  for (const auto& s : b.sectors)
    if (Lower(s) == l) return "";
  auto find = [&](const std::string& name) -> std::string {
    const std::string n = Lower(name);
    for (size_t j = 0; j < b.sectors.size(); ++j) {
      if (Lower(b.sectors[j]) == n) return b.sectors[j];
      if (j < b.sector_names.size() && Lower(b.sector_names[j]) == n) return b.sectors[j];
    }
    return "";
  };
  if (b.sector_names.size() == b.sectors.size()) {
    for (size_t j = 0; j < b.sectors.size(); ++j)
      if (Lower(b.sector_names[j]) == l) return b.sectors[j];
  }
  // Talks' words -> the names of world2011 and of WIOD (2013 release).
  struct Synonym {
    std::vector<std::string> words;
    std::vector<std::string> targets;
  };
  static const std::vector<Synonym> kSynonyms = {
      {{"motor vehicles", "motor vehicle", "autos", "auto", "automobiles", "cars", "evs", "ev",
        "electric vehicles", "vehicles"},
       {"Transport equipment"}},
      {{"solar", "solar panels", "solar cells", "photovoltaics", "batteries", "battery",
        "electronics", "semiconductors", "chips", "electrical equipment"},
       {"Electrical and optical equipment"}},
      {{"steel", "aluminium", "aluminum", "metals", "iron and steel"},
       {"Basic and fabricated metals", "Basic Metals and Fabricated Metal"}},
  };
  for (const auto& syn : kSynonyms) {
    if (std::find(syn.words.begin(), syn.words.end(), l) == syn.words.end()) continue;
    for (const auto& t : syn.targets) {
      const std::string hit = find(t);
      if (!hit.empty()) return hit;
    }
  }
  return "";
}

std::string ValidSectorList(const Baseline& b) {
  std::string out;
  for (size_t j = 0; j < b.sectors.size(); ++j) {
    if (!out.empty()) out += ", ";
    out += "'" + b.sectors[j] + "'";
    if (j < b.sector_names.size() && !b.sector_names[j].empty() &&
        b.sector_names[j] != b.sectors[j]) {
      out += " (" + b.sector_names[j] + ")";
    }
  }
  return out;
}

Result<std::vector<int>> ResolveSectors(const Baseline& baseline, std::string_view label) {
  // Each comma-separated name may be a synonym or a long name.
  std::string rewritten;
  const std::string l = Trim(label);
  size_t pos = 0;
  while (pos <= l.size()) {
    size_t end = l.find(',', pos);
    if (end == std::string::npos) end = l.size();
    const std::string one = Trim(std::string_view(l).substr(pos, end - pos));
    const std::string syn = SectorSynonym(baseline, one);
    if (!rewritten.empty() || pos > 0) rewritten += ",";
    rewritten += syn.empty() ? one : syn;
    pos = end + 1;
    if (end == l.size()) break;
  }
  auto r = ResolveLabels(baseline.sectors, rewritten, "sector");
  if (!r.ok() && r.status().code() == StatusCode::kNotFound) {
    return Status::NotFound(
        fmt::format("{}; valid sectors: {}", r.status().message(), ValidSectorList(baseline)));
  }
  return r;
}

ShockSet ShockSet::None(const Baseline& b) {
  ShockSet s;
  const size_t N = b.countries.size(), J = b.sectors.size();
  s.tariff_new = b.tariff;
  s.d_hat.assign(J * N * N, 1.0);
  s.lambda_hat.assign(N * J, 1.0);
  s.production_subsidy_new =
      b.production_subsidy.empty() ? std::vector<double>(N * J, 0.0) : b.production_subsidy;
  s.export_subsidy_new =
      b.export_subsidy.empty() ? std::vector<double>(N * J, 0.0) : b.export_subsidy;
  s.deficit_new = b.deficit;
  return s;
}

Status ShockSet::Validate(const Baseline& b) const {
  const size_t N = b.countries.size(), J = b.sectors.size();
  if (tariff_new.size() != J * N * N || d_hat.size() != J * N * N || lambda_hat.size() != N * J ||
      production_subsidy_new.size() != N * J || export_subsidy_new.size() != N * J ||
      deficit_new.size() != N) {
    return Status::InvalidArgument(
        "shock set sizes do not match the baseline (resolve it against the "
        "same baseline)");
  }
  for (int j = 0; j < b.num_sectors(); ++j) {
    for (int n = 0; n < b.num_countries(); ++n) {
      for (int i = 0; i < b.num_countries(); ++i) {
        const size_t f = b.FlowIndex(j, n, i);
        if (!std::isfinite(tariff_new[f]) || tariff_new[f] <= -1.0) {
          return Status::InvalidArgument(
              fmt::format("new tariff of '{}' on '{}' from '{}' is {}; it must be > -1 "
                          "(-100%)",
                          b.countries[n], b.sectors[j], b.countries[i], tariff_new[f]));
        }
        if (!std::isfinite(d_hat[f]) || d_hat[f] <= 0.0) {
          return Status::InvalidArgument(
              fmt::format("iceberg change d_hat of '{}' from '{}' to '{}' is {}; it must be "
                          "> 0",
                          b.sectors[j], b.countries[i], b.countries[n], d_hat[f]));
        }
      }
      const size_t cs = b.CS(n, j);
      if (!std::isfinite(lambda_hat[cs]) || lambda_hat[cs] <= 0.0) {
        return Status::InvalidArgument(
            fmt::format("productivity change lambda_hat of '{}' in '{}' is {}; it must be "
                        "> 0",
                        b.countries[n], b.sectors[j], lambda_hat[cs]));
      }
      if (!std::isfinite(production_subsidy_new[cs]) || production_subsidy_new[cs] <= -1.0 ||
          !std::isfinite(export_subsidy_new[cs]) || export_subsidy_new[cs] <= -1.0) {
        return Status::InvalidArgument(fmt::format(
            "subsidy rates of '{}' in '{}' must be finite and > -1", b.countries[n], b.sectors[j]));
      }
    }
  }
  double world_va = 0.0, sum = 0.0;
  for (int n = 0; n < b.num_countries(); ++n) {
    if (!std::isfinite(deficit_new[n])) {
      return Status::InvalidArgument(
          fmt::format("new deficit of '{}' is not finite", b.countries[n]));
    }
    world_va += b.ValueAdded(n);
    sum += deficit_new[n];
  }
  if (std::fabs(sum) > 1e-9 * world_va) {
    return Status::InvalidArgument(
        fmt::format("new deficits sum to {} ({:.3g} of world value added); world deficits "
                    "must sum to zero",
                    sum, sum / world_va));
  }
  return Status::Ok();
}

Result<ShockSet> ResolveShocks(const Baseline& b, const ShockSpec& spec) {
  RB_RETURN_IF_ERROR(b.ValidateStructure());
  ShockSet s = ShockSet::None(b);
  s.name = spec.name;
  const int N = b.num_countries();

  // Wildcards and lists skip own pairs; an explicit single pair n == i is an
  // error because domestic sales carry no tariff or trade cost.
  auto pairs = [&](const std::string& imp, const std::string& exp, const std::string& sec,
                   const char* what, std::vector<size_t>* out) -> Status {
    RB_ASSIGN_OR_RETURN(std::vector<int> ns, ResolveCountries(b, imp));
    RB_ASSIGN_OR_RETURN(std::vector<int> is, ResolveCountries(b, exp));
    RB_ASSIGN_OR_RETURN(std::vector<int> js, ResolveSectors(b, sec));
    const bool single = ns.size() == 1 && is.size() == 1;
    if (single && ns[0] == is[0]) {
      return Status::InvalidArgument(
          fmt::format("{} shock with importer == exporter ('{}'): domestic sales have no "
                      "{}",
                      what, b.countries[ns[0]], what));
    }
    const bool single_sector = js.size() == 1;
    for (int j : js) {
      if (!b.tradable[j]) {
        if (single_sector) {
          return Status::InvalidArgument(
              fmt::format("{} shock on non-tradable sector '{}'", what, b.sectors[j]));
        }
        continue;
      }
      for (int n : ns)
        for (int i : is)
          if (n != i) out->push_back(b.FlowIndex(j, n, i));
    }
    return Status::Ok();
  };

  for (size_t k = 0; k < spec.tariffs.size(); ++k) {
    const TariffShock& t = spec.tariffs[k];
    const std::string ctx = t.origin.empty() ? fmt::format("tariff shock {}", k + 1) : t.origin;
    std::vector<size_t> idx;
    RB_RETURN_IF_ERROR(pairs(t.importer, t.exporter, t.sector, "tariff", &idx).WithContext(ctx));
    if (!std::isfinite(t.value)) {
      return Status::InvalidArgument(ctx + ": value is not finite");
    }
    for (size_t f : idx) {
      const double base = s.tariff_new[f];
      double v = base;
      switch (t.mode) {
        case ShockMode::kLevel:
          v = t.value;
          break;
        case ShockMode::kChange:
          v = v + t.value;
          break;
        case ShockMode::kMultiply:
          v = (1.0 + v) * t.value - 1.0;
          break;
      }
      const bool extreme = v < 0.0 || v > kMaxTariffRate;
      if (v <= -1.0 || (extreme && !t.allow_extreme)) {
        const int j = static_cast<int>(f / (static_cast<size_t>(N) * N));
        const int n = static_cast<int>((f / N) % N), i = static_cast<int>(f % N);
        // The pair, from the FlowIndex layout (j, n, i), for the message.
        const std::string pair =
            fmt::format("'{}' on '{}' from '{}'", b.countries[n], b.sectors[j], b.countries[i]);
        const std::string what =
            fmt::format("{}: the tariff of {} would become {:.6g}% (from {:.6g}%, {} {})", ctx,
                        pair, 100.0 * v, 100.0 * base, ToString(t.mode), t.value);
        if (v <= -1.0) {
          return Status::InvalidArgument(what +
                                         "; a rate at or below -100% is impossible (the buyer's "
                                         "price would be zero or negative)");
        }
        if (v < 0.0) {
          return Status::InvalidArgument(what +
                                         "; a negative rate is an import subsidy: write set = 0 "
                                         "(free trade) to remove the tariff, or allow_extreme "
                                         "if an import subsidy is meant")
              .WithOptions({"allow_extreme"});
        }
        return Status::InvalidArgument(
                   fmt::format("{}; rates above {:.0f}% need allow_extreme"
                               " (add is in rate points: 0.25 = +25 pp, 1.0 = +100 pp)",
                               what, 100.0 * kMaxTariffRate))
            .WithOptions({"allow_extreme"});
      }
      s.tariff_new[f] = v;
    }
  }
  for (size_t k = 0; k < spec.icebergs.size(); ++k) {
    const IcebergShock& t = spec.icebergs[k];
    const std::string ctx = fmt::format("iceberg shock {}", k + 1);
    if (!std::isfinite(t.d_hat) || t.d_hat <= 0.0) {
      return Status::InvalidArgument(fmt::format("{}: d_hat {} must be > 0", ctx, t.d_hat));
    }
    std::vector<size_t> idx;
    RB_RETURN_IF_ERROR(
        pairs(t.importer, t.exporter, t.sector, "trade cost", &idx).WithContext(ctx));
    for (size_t f : idx) s.d_hat[f] *= t.d_hat;
  }
  for (size_t k = 0; k < spec.productivity.size(); ++k) {
    const ProductivityShock& p = spec.productivity[k];
    const std::string ctx = fmt::format("productivity shock {}", k + 1);
    if (!std::isfinite(p.lambda_hat) || p.lambda_hat <= 0.0) {
      return Status::InvalidArgument(
          fmt::format("{}: lambda_hat {} must be > 0", ctx, p.lambda_hat));
    }
    auto cs = ResolveCountries(b, p.country);
    if (!cs.ok()) return cs.status().WithContext(ctx);
    auto js = ResolveSectors(b, p.sector);
    if (!js.ok()) return js.status().WithContext(ctx);
    for (int n : cs.value())
      for (int j : js.value()) s.lambda_hat[b.CS(n, j)] *= p.lambda_hat;
  }
  for (size_t k = 0; k < spec.subsidies.size(); ++k) {
    const SubsidyShock& p = spec.subsidies[k];
    const std::string ctx = fmt::format("{} subsidy shock {}", ToString(p.kind), k + 1);
    if (p.mode == ShockMode::kMultiply) {
      return Status::InvalidArgument(ctx +
                                     ": mode 'multiply' is not allowed "
                                     "for subsidies (use level or change)");
    }
    if (!std::isfinite(p.value)) {
      return Status::InvalidArgument(ctx + ": value is not finite");
    }
    auto cs = ResolveCountries(b, p.country);
    if (!cs.ok()) return cs.status().WithContext(ctx);
    auto js = ResolveSectors(b, p.sector);
    if (!js.ok()) return js.status().WithContext(ctx);
    std::vector<double>& target =
        p.kind == SubsidyKind::kProduction ? s.production_subsidy_new : s.export_subsidy_new;
    for (int n : cs.value()) {
      for (int j : js.value()) {
        double& v = target[b.CS(n, j)];
        v = p.mode == ShockMode::kLevel ? p.value : v + p.value;
        if (v <= -1.0) {
          return Status::InvalidArgument(
              fmt::format("{}: subsidy rate of '{}' in '{}' would be {} (must be > -1)", ctx,
                          b.countries[n], b.sectors[j], v));
        }
      }
    }
  }

  // Deficits.
  switch (spec.deficit_rule) {
    case DeficitRule::kFixed:
      if (!spec.deficit_targets.empty()) {
        return Status::InvalidArgument(
            "deficit targets given but the deficit rule is 'fixed' (use "
            "'targets')");
      }
      break;
    case DeficitRule::kZero:
      if (!spec.deficit_targets.empty()) {
        return Status::InvalidArgument(
            "deficit targets given but the deficit rule is 'zero' (use "
            "'targets')");
      }
      std::fill(s.deficit_new.begin(), s.deficit_new.end(), 0.0);
      break;
    case DeficitRule::kTargets: {
      if (spec.deficit_targets.empty()) {
        return Status::InvalidArgument("deficit rule 'targets' needs at least one country target");
      }
      std::vector<double> va(N);
      double world_va = 0.0;
      for (int n = 0; n < N; ++n) {
        va[n] = b.ValueAdded(n);
        world_va += va[n];
      }
      std::vector<char> targeted(N, 0);
      for (size_t k = 0; k < spec.deficit_targets.size(); ++k) {
        const DeficitTarget& t = spec.deficit_targets[k];
        const std::string ctx = fmt::format("deficit target {}", k + 1);
        if (!std::isfinite(t.value)) {
          return Status::InvalidArgument(ctx + ": value is not finite");
        }
        auto cs = ResolveCountries(b, t.country);
        if (!cs.ok()) return cs.status().WithContext(ctx);
        double per_mn_usd = 1.0;
        if (t.unit == DeficitUnit::kMillionUsd || t.unit == DeficitUnit::kBillionUsd) {
          auto f = MillionUsdInCurrencyUnits(b.currency_unit);
          if (!f.ok()) return f.status().WithContext(ctx);
          per_mn_usd = *f;
        }
        for (int n : cs.value()) {
          double d = t.value;
          if (t.unit == DeficitUnit::kShareOfWorldVa) d *= world_va;
          if (t.unit == DeficitUnit::kShareOfOwnVa) d *= va[n];
          if (t.unit == DeficitUnit::kMillionUsd) d *= per_mn_usd;
          if (t.unit == DeficitUnit::kBillionUsd) d *= 1e3 * per_mn_usd;
          if (t.unit == DeficitUnit::kMultiple) d *= b.deficit[n];
          s.deficit_new[n] = d;
          targeted[n] = 1;
        }
      }
      double sum = 0.0, free_va = 0.0;
      for (int n = 0; n < N; ++n) {
        sum += s.deficit_new[n];
        if (!targeted[n]) free_va += va[n];
      }
      if (std::fabs(sum) > 1e-9 * world_va) {
        if (spec.deficit_residual == DeficitResidual::kError) {
          return Status::InvalidArgument(
              fmt::format("deficit targets leave world deficits summing to {} ({:.3g} of "
                          "world value added); make them sum to zero or use residual rule "
                          "'proportional'",
                          sum, sum / world_va));
        }
        if (!(free_va > 0.0)) {
          return Status::InvalidArgument(
              "deficit targets cover every country and do not sum to zero");
        }
        for (int n = 0; n < N; ++n) {
          if (!targeted[n]) s.deficit_new[n] -= sum * va[n] / free_va;
        }
      }
      break;
    }
  }
  RB_RETURN_IF_ERROR(s.Validate(b));
  return s;
}

}  // namespace rebalance::ge
