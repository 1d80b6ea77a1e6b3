// Tests of shock resolution against a Baseline's labels (shocks.h).
#include "rebalance/ge/shocks.h"

#include <cmath>
#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace rebalance::ge {
namespace {

// 3 countries x 3 sectors (the last non-tradable), consistent accounts are
// not needed for resolution, only the structure.
Baseline Small() {
  Baseline b;
  b.countries = {"China", "USA", "Germany"};
  b.sectors = {"Solar", "Autos", "Services"};
  const int N = 3, J = 3;
  b.flow.assign(J * N * N, 0.0);
  b.tariff.assign(J * N * N, 0.0);
  for (int j = 0; j < J; ++j)
    for (int n = 0; n < N; ++n)
      for (int i = 0; i < N; ++i) {
        if (n == i)
          b.flow[b.FlowIndex(j, n, i)] = 100.0;
        else if (j < 2)
          b.flow[b.FlowIndex(j, n, i)] = 10.0 + n + 2 * i;
        if (n != i && j < 2) b.tariff[b.FlowIndex(j, n, i)] = 0.05;
      }
  b.va_share.assign(N * J, 0.5);
  b.io_share.assign(N * J * J, 0.5 / J);
  b.alpha.assign(N * J, 1.0 / J);
  b.theta = {4.0, 5.0, 6.0};
  b.tradable = {true, true, false};
  b.deficit.assign(N, 0.0);
  for (int n = 0; n < N; ++n) b.deficit[n] = b.Imports(n) - b.Exports(n);
  return b;
}

TEST(ShocksTest, NoneIsNeutral) {
  const Baseline b = Small();
  const ShockSet s = ShockSet::None(b);
  EXPECT_TRUE(s.Validate(b).ok());
  EXPECT_EQ(s.tariff_new, b.tariff);
  EXPECT_EQ(s.deficit_new, b.deficit);
}

TEST(ShocksTest, TariffsCombineInOrder) {
  const Baseline b = Small();
  ShockSpec spec;
  spec.tariffs.push_back({"USA", "China", "*", ShockMode::kChange, 0.25});
  spec.tariffs.push_back({"USA", "China", "Solar", ShockMode::kLevel, 1.0});
  spec.tariffs.push_back({"China", "USA,Germany", "Autos", ShockMode::kMultiply, 1.1});
  auto s = ResolveShocks(b, spec);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_DOUBLE_EQ(s->tariff_new[b.FlowIndex(0, 1, 0)], 1.0);
  EXPECT_DOUBLE_EQ(s->tariff_new[b.FlowIndex(1, 1, 0)], 0.30);
  EXPECT_DOUBLE_EQ(s->tariff_new[b.FlowIndex(2, 1, 0)], 0.0);  // non-tradable skipped
  EXPECT_NEAR(s->tariff_new[b.FlowIndex(1, 0, 1)], 1.05 * 1.1 - 1.0, 1e-15);
  EXPECT_NEAR(s->tariff_new[b.FlowIndex(1, 0, 2)], 1.05 * 1.1 - 1.0, 1e-15);
  EXPECT_DOUBLE_EQ(s->tariff_new[b.FlowIndex(0, 0, 1)], 0.05);  // untouched
  // A cut below zero is never floored: it is refused, naming the pair and
  // the origin, unless an import subsidy is meant (allow_extreme).
  ShockSpec cut;
  cut.tariffs.push_back({"*", "*", "*", ShockMode::kChange, -0.5, false, "key 'cut.add'"});
  auto c = ResolveShocks(b, cut);
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find(
                "key 'cut.add': the tariff of 'China' on 'Solar' from 'USA' would become -45%"),
            std::string::npos)
      << c.status().message();
  EXPECT_NE(c.status().message().find("import subsidy"), std::string::npos);
  cut.tariffs[0].allow_extreme = true;
  auto subsidy = ResolveShocks(b, cut);
  ASSERT_TRUE(subsidy.ok()) << subsidy.status().ToString();
  EXPECT_DOUBLE_EQ(subsidy->tariff_new[b.FlowIndex(0, 0, 1)], 0.05 - 0.5);
  EXPECT_DOUBLE_EQ(subsidy->tariff_new[b.FlowIndex(0, 0, 0)], 0.0);  // own pair untouched
}

TEST(ShocksTest, TariffBounds) {
  const Baseline b = Small();
  // Above 200% needs allow_extreme: add = 100 is +10,000 pp.
  ShockSpec big;
  big.tariffs.push_back({"USA", "China", "Solar", ShockMode::kChange, 100.0});
  auto r = ResolveShocks(b, big);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("would become 10005%"), std::string::npos)
      << r.status().message();
  EXPECT_NE(r.status().message().find("allow_extreme"), std::string::npos);
  big.tariffs[0].allow_extreme = true;
  auto allowed = ResolveShocks(b, big);
  ASSERT_TRUE(allowed.ok());
  EXPECT_DOUBLE_EQ(allowed->tariff_new[b.FlowIndex(0, 1, 0)], 100.05);
  // Exactly at the bound is allowed without the flag.
  ShockSpec edge;
  edge.tariffs.push_back({"USA", "China", "Solar", ShockMode::kLevel, kMaxTariffRate});
  EXPECT_TRUE(ResolveShocks(b, edge).ok());
  // At or below -100% is refused even with allow_extreme (from a zero base
  // as well: never a silent no-op).
  for (double add : {-1.05, -2.0}) {
    ShockSpec low;
    low.tariffs.push_back(
        {"USA", "China", "Solar", ShockMode::kChange, add, true, "--tariff 'USA:China:Solar=-2'"});
    auto l = ResolveShocks(b, low);
    ASSERT_FALSE(l.ok());
    EXPECT_NE(l.status().message().find("--tariff 'USA:China:Solar=-2'"), std::string::npos);
    EXPECT_NE(l.status().message().find("at or below -100%"), std::string::npos)
        << l.status().message();
  }
}

TEST(ShocksTest, SectorLongNamesAndSynonyms) {
  Baseline b = Small();
  b.sectors = {"c14", "c15", "c30"};
  b.sector_names = {"Electrical and Optical Equipment", "Transport Equipment", "Renting of M&Eq"};
  EXPECT_EQ(SectorSynonym(b, "transport equipment"), "c15");  // WIOD's long name
  EXPECT_EQ(SectorSynonym(b, "EVs"), "c15");
  EXPECT_EQ(SectorSynonym(b, "solar panels"), "c14");
  EXPECT_EQ(SectorSynonym(b, "c15"), "");    // a sector's own code is no synonym
  EXPECT_EQ(SectorSynonym(b, "steel"), "");  // no metals sector here
  auto js = ResolveSectors(b, "Transport Equipment,batteries");
  ASSERT_TRUE(js.ok()) << js.status().ToString();
  EXPECT_EQ(*js, (std::vector<int>{1, 0}));
  auto bad = ResolveSectors(b, "Shipbuilding");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find(
                "valid sectors: 'c14' (Electrical and Optical Equipment), 'c15' (Transport "
                "Equipment), 'c30' (Renting of M&Eq)"),
            std::string::npos)
      << bad.status().message();
}

TEST(ShocksTest, DeficitUnits) {
  Baseline b = Small();
  b.currency_unit = "million USD";
  const double d_china = b.deficit[0];
  ASSERT_NE(d_china, 0.0);
  auto resolve = [&](DeficitUnit unit, double value) {
    ShockSpec s;
    s.deficit_rule = DeficitRule::kTargets;
    s.deficit_residual = DeficitResidual::kProportional;
    s.deficit_targets.push_back({"China", unit, value});
    return ResolveShocks(b, s);
  };
  auto half = resolve(DeficitUnit::kMultiple, 0.5);
  ASSERT_TRUE(half.ok()) << half.status().ToString();
  EXPECT_DOUBLE_EQ(half->deficit_new[0], 0.5 * d_china);
  auto bn = resolve(DeficitUnit::kBillionUsd, -0.002);  // a surplus of 2 million USD
  ASSERT_TRUE(bn.ok());
  EXPECT_DOUBLE_EQ(bn->deficit_new[0], -2.0);
  auto mn = resolve(DeficitUnit::kMillionUsd, -2.0);
  ASSERT_TRUE(mn.ok());
  EXPECT_DOUBLE_EQ(mn->deficit_new[0], -2.0);
  b.currency_unit = "USD";
  auto bn_in_usd = resolve(DeficitUnit::kBillionUsd, -0.002);
  ASSERT_TRUE(bn_in_usd.ok());
  EXPECT_DOUBLE_EQ(bn_in_usd->deficit_new[0], -2e6);
  b.currency_unit = "EUR";
  auto bn_in_eur = resolve(DeficitUnit::kBillionUsd, 1.0);
  ASSERT_FALSE(bn_in_eur.ok());
  EXPECT_NE(bn_in_eur.status().message().find("'EUR', not a USD unit"), std::string::npos);
  EXPECT_EQ(DeficitUnitFromString("bn_usd").value(), DeficitUnit::kBillionUsd);
  EXPECT_EQ(std::string(ToString(DeficitUnit::kMultiple)), "multiple");
}

TEST(ShocksTest, OtherInstruments) {
  const Baseline b = Small();
  ShockSpec spec;
  spec.icebergs.push_back({"Germany", "*", "Autos", 0.9});
  spec.productivity.push_back({"China", "Solar", 1.5});
  spec.subsidies.push_back({SubsidyKind::kProduction, "China", "Solar", ShockMode::kLevel, 0.2});
  spec.subsidies.push_back({SubsidyKind::kExport, "China", "Solar", ShockMode::kChange, 0.1});
  auto s = ResolveShocks(b, spec);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_DOUBLE_EQ(s->d_hat[b.FlowIndex(1, 2, 0)], 0.9);
  EXPECT_DOUBLE_EQ(s->d_hat[b.FlowIndex(1, 2, 2)], 1.0);  // own pair skipped
  EXPECT_DOUBLE_EQ(s->lambda_hat[b.CS(0, 0)], 1.5);
  EXPECT_DOUBLE_EQ(s->production_subsidy_new[b.CS(0, 0)], 0.2);
  EXPECT_DOUBLE_EQ(s->export_subsidy_new[b.CS(0, 0)], 0.1);
}

TEST(ShocksTest, Deficits) {
  const Baseline b = Small();
  ShockSpec zero;
  zero.deficit_rule = DeficitRule::kZero;
  auto z = ResolveShocks(b, zero);
  ASSERT_TRUE(z.ok());
  for (double d : z->deficit_new) EXPECT_EQ(d, 0.0);

  ShockSpec targets;
  targets.deficit_rule = DeficitRule::kTargets;
  targets.deficit_targets.push_back({"China", DeficitUnit::kShareOfOwnVa, 0.0});
  auto err = ResolveShocks(b, targets);
  if (std::fabs(b.deficit[0]) > 0.0) {
    ASSERT_FALSE(err.ok());
    EXPECT_NE(err.status().message().find("sum"), std::string::npos);
  }
  targets.deficit_residual = DeficitResidual::kProportional;
  auto t = ResolveShocks(b, targets);
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ(t->deficit_new[0], 0.0);
  double sum = 0.0;
  for (double d : t->deficit_new) sum += d;
  EXPECT_NEAR(sum, 0.0, 1e-12);
  // Untargeted countries absorb the residual in proportion to value added.
  const double va1 = b.ValueAdded(1), va2 = b.ValueAdded(2);
  EXPECT_NEAR((t->deficit_new[1] - b.deficit[1]) / (t->deficit_new[2] - b.deficit[2]), va1 / va2,
              1e-9);
}

TEST(ShocksTest, UnknownLabelsNameTheNearest) {
  const Baseline b = Small();
  ShockSpec spec;
  spec.tariffs.push_back({"USA", "Chna", "*", ShockMode::kChange, 0.25});
  auto s = ResolveShocks(b, spec);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().code(), StatusCode::kNotFound);
  EXPECT_NE(s.status().message().find("unknown country 'Chna' (did you mean 'China'?)"),
            std::string::npos)
      << s.status().message();
  EXPECT_NE(s.status().message().find("tariff shock 1"), std::string::npos);

  ShockSpec sec;
  sec.productivity.push_back({"China", "Solr", 1.1});
  auto p = ResolveShocks(b, sec);
  ASSERT_FALSE(p.ok());
  EXPECT_NE(p.status().message().find("unknown sector 'Solr' (did you mean 'Solar'?)"),
            std::string::npos)
      << p.status().message();
  // Case-insensitive match is accepted.
  auto ci = ResolveCountries(b, "usa");
  ASSERT_TRUE(ci.ok());
  EXPECT_EQ(ci.value(), std::vector<int>{1});
}

TEST(ShocksTest, InvalidValuesAreErrors) {
  const Baseline b = Small();
  {
    ShockSpec s;
    s.tariffs.push_back({"USA", "USA", "Solar", ShockMode::kLevel, 0.1});
    auto r = ResolveShocks(b, s);
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.status().message().find("importer == exporter"), std::string::npos);
  }
  {
    ShockSpec s;
    s.tariffs.push_back({"USA", "China", "Services", ShockMode::kLevel, 0.1});
    auto r = ResolveShocks(b, s);
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.status().message().find("non-tradable sector 'Services'"), std::string::npos);
  }
  {
    ShockSpec s;
    s.productivity.push_back({"China", "Solar", -1.0});
    EXPECT_FALSE(ResolveShocks(b, s).ok());
  }
  {
    ShockSpec s;
    s.subsidies.push_back({SubsidyKind::kProduction, "China", "Solar", ShockMode::kLevel, -1.5});
    EXPECT_FALSE(ResolveShocks(b, s).ok());
  }
  {
    ShockSpec s;
    s.deficit_rule = DeficitRule::kFixed;
    s.deficit_targets.push_back({"China", DeficitUnit::kLevel, 0.0});
    EXPECT_FALSE(ResolveShocks(b, s).ok());
  }
  EXPECT_FALSE(ShockModeFromString("sideways").ok());
  EXPECT_EQ(DeficitRuleFromString("zero").value(), DeficitRule::kZero);
  EXPECT_EQ(std::string(ToString(DeficitUnit::kShareOfWorldVa)), "share_of_world_gdp");
}

}  // namespace
}  // namespace rebalance::ge
