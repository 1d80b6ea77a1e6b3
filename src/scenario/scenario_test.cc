#include "rebalance/scenario/scenario.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "rebalance/scenario/run.h"

namespace rebalance::scenario {
namespace {

constexpr const char* kGood = R"(title = "t"
[baseline]
builtin = "world2011"
[model]
type = "multisector"
[groups.countries]
na = ["USA", "MEX"]
[groups.sectors]
metal = ["Metals"]
[[scenario]]
name = "a"
shocks = [
  { tariff = { importer = "na", exporter = "CHN", sectors = "metal", add = 0.25 } },
  { iceberg = { importer = "USA", exporter = ["CHN"], change = 0.1 } },
  { productivity = { country = "CHN", sector = "Metals", efficiency = 0.05 } },
  { production_subsidy = { country = "CHN", sectors = ["Metals"], rate = 0.1 } },
  { export_subsidy = { country = "CHN", sectors = "*", add = 0.02 } },
]
[[scenario]]
name = "b"
shocks = [ { deficit = { country = ["USA", "CHN"], target = 0 } } ]
[[scenario]]
name = "c"
shocks = [ { deficits = "zero" } ]
)";

ge::Baseline TinyBaseline() {
  ge::Baseline b;
  b.countries = {"USA", "MEX", "CHN"};
  b.sectors = {"Metals", "Services"};
  b.theta = {4.0, 8.0};
  return b;
}

TEST(Scenario, ParsesEveryShockKind) {
  auto f = ParseScenario(kGood, "good.toml");
  ASSERT_TRUE(f.ok()) << f.status().ToString();
  ASSERT_EQ(f->scenarios.size(), 3u);
  const auto& a = f->scenarios[0];
  // group "na" expands to two importers
  ASSERT_EQ(a.spec.tariffs.size(), 2u);
  EXPECT_EQ(a.spec.tariffs[0].importer, "USA");
  EXPECT_EQ(a.spec.tariffs[1].importer, "MEX");
  EXPECT_EQ(a.spec.tariffs[0].sector, "Metals");
  EXPECT_EQ(a.spec.tariffs[0].mode, ge::ShockMode::kChange);
  EXPECT_DOUBLE_EQ(a.spec.tariffs[0].value, 0.25);
  ASSERT_EQ(a.spec.icebergs.size(), 1u);
  EXPECT_DOUBLE_EQ(a.spec.icebergs[0].d_hat, 1.1);
  EXPECT_EQ(a.spec.icebergs[0].sector, "*");
  ASSERT_EQ(a.efficiency.size(), 1u);
  ASSERT_EQ(a.spec.subsidies.size(), 2u);
  EXPECT_EQ(a.spec.subsidies[1].kind, ge::SubsidyKind::kExport);
  EXPECT_EQ(a.spec.subsidies[1].mode, ge::ShockMode::kChange);
  const auto& b = f->scenarios[1];
  EXPECT_EQ(b.spec.deficit_rule, ge::DeficitRule::kTargets);
  ASSERT_EQ(b.spec.deficit_targets.size(), 2u);
  EXPECT_EQ(f->scenarios[2].spec.deficit_rule, ge::DeficitRule::kZero);
  EXPECT_TRUE(CheckLabels(*f, TinyBaseline()).ok());
}

TEST(Scenario, DeficitMultiplesAndNamedUnits) {
  const std::string text = R"([[scenario]]
name = "halve"
shocks = [ { deficit = { country = "CHN", multiply = 0.5 } } ]
[[scenario]]
name = "bn"
shocks = [ { deficit = { country = "CHN", target = -147.5, unit = "bn_usd" } } ]
[[scenario]]
name = "mn"
shocks = [ { deficit = { country = "CHN", target = -147500, unit = "mn_usd" } } ]
)";
  auto f = ParseScenario(text, "u.toml");
  ASSERT_TRUE(f.ok()) << f.status().ToString();
  ASSERT_EQ(f->scenarios.size(), 3u);
  const auto& half = f->scenarios[0].spec.deficit_targets;
  ASSERT_EQ(half.size(), 1u);
  EXPECT_EQ(half[0].unit, ge::DeficitUnit::kMultiple);
  EXPECT_DOUBLE_EQ(half[0].value, 0.5);
  EXPECT_EQ(f->scenarios[1].spec.deficit_targets[0].unit, ge::DeficitUnit::kBillionUsd);
  EXPECT_DOUBLE_EQ(f->scenarios[1].spec.deficit_targets[0].value, -147.5);
  EXPECT_EQ(f->scenarios[2].spec.deficit_targets[0].unit, ge::DeficitUnit::kMillionUsd);
}

TEST(Scenario, TariffOriginAndAllowExtreme) {
  const std::string text =
      "[[scenario]]\nname = \"big\"\nshocks = [\n  { tariff = { importer = \"USA\", exporter = "
      "\"CHN\", add = 100, "
      "allow_extreme = true } },\n]\n";
  auto f = ParseScenario(text, "x.toml");
  ASSERT_TRUE(f.ok()) << f.status().ToString();
  const auto& t = f->scenarios[0].spec.tariffs.at(0);
  EXPECT_TRUE(t.allow_extreme);
  // The origin names the file, line, column, scenario and option.
  EXPECT_EQ(t.origin, "x.toml:4:58: scenario 'big', key 'scenario[0].shocks[0].tariff.add'");
}

TEST(Scenario, SectorSynonymsResolveWithANote) {
  ge::Baseline b = TinyBaseline();
  b.sectors = {"Transport equipment", "Electrical and optical equipment",
               "Basic and fabricated metals", "Services"};
  b.theta = {8.22, 9.63, 5.1, 8.22};
  const std::string text =
      "[[scenario]]\nname = \"x\"\nshocks = [ { tariff = { importer = \"USA\", exporter = \"CHN\", "
      "sectors = "
      "[\"EVs\", \"solar panels\", \"Steel\"], add = 0.5 } } ]\n";
  auto f = ParseScenario(text, "syn.toml");
  ASSERT_TRUE(f.ok()) << f.status().ToString();
  ASSERT_TRUE(CheckLabels(*f, b).ok()) << CheckLabels(*f, b).ToString();
  const auto notes = SynonymNotes(*f, b);
  ASSERT_EQ(notes.size(), 3u);
  EXPECT_NE(notes[0].find("sector 'EVs' read as 'Transport equipment'"), std::string::npos)
      << notes[0];
  EXPECT_NE(notes[1].find("'solar panels' read as 'Electrical and optical equipment'"),
            std::string::npos);
  EXPECT_NE(notes[2].find("'Steel' read as 'Basic and fabricated metals'"), std::string::npos);
  // An unknown sector lists the valid names.
  auto g = ParseScenario(
      "[[scenario]]\nname=\"x\"\nshocks=[{tariff={importer=\"USA\",exporter=\"CHN\",sectors="
      "\"Shipbuilding\",add=0.1}}]\n",
      "u.toml");
  ASSERT_TRUE(g.ok());
  Status s = CheckLabels(*g, b);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(
      s.message().find(
          "Valid sectors: 'Transport equipment', 'Electrical and optical equipment', 'Basic and "
          "fabricated metals', 'Services'"),
      std::string::npos)
      << s.message();
}

TEST(Scenario, EfficiencyBecomesLambdaHatWithTheta) {
  auto f = ParseScenario(kGood, "good.toml");
  ASSERT_TRUE(f.ok());
  auto spec = BuildShockSpec(f->scenarios[0], TinyBaseline());
  ASSERT_TRUE(spec.ok()) << spec.status().ToString();
  ASSERT_EQ(spec->productivity.size(), 1u);
  EXPECT_NEAR(spec->productivity[0].lambda_hat, std::pow(1.05, 4.0), 1e-14);
}

TEST(Scenario, UnknownCountrySuggestsNearestWithLineAndKey) {
  const std::string text =
      "[[scenario]]\nname = \"x\"\nshocks = [\n  { tariff = { importer = \"USA\", exporter = "
      "\"CHA\", add = 0.1 } },\n]\n";
  auto f = ParseScenario(text, "s.toml");
  ASSERT_TRUE(f.ok()) << f.status().ToString();
  Status s = CheckLabels(*f, TinyBaseline());
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("s.toml:4:"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("scenario[0].shocks[0].tariff.exporter"), std::string::npos)
      << s.message();
  EXPECT_NE(s.message().find("did you mean 'CHN'"), std::string::npos) << s.message();
}

TEST(Scenario, UnknownSectorSuggestsNearest) {
  const std::string text =
      "[[scenario]]\nname = \"x\"\nshocks = [ { production_subsidy = { country = \"CHN\", sectors "
      "= [\"Metal\"], rate = 0.1 } } ]\n";
  auto f = ParseScenario(text, "s.toml");
  ASSERT_TRUE(f.ok());
  Status s = CheckLabels(*f, TinyBaseline());
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("unknown sector 'Metal'; did you mean 'Metals'"), std::string::npos)
      << s.message();
  EXPECT_NE(s.message().find("s.toml:3:"), std::string::npos) << s.message();
}

struct BadCase {
  const char* name;
  const char* text;
  const char* expect;  // substring of the message
};

class BadScenario : public ::testing::TestWithParam<BadCase> {};

TEST_P(BadScenario, GivesPreciseError) {
  const BadCase& c = GetParam();
  auto f = ParseScenario(c.text, "bad.toml");
  ASSERT_FALSE(f.ok()) << c.name;
  EXPECT_NE(f.status().message().find("bad.toml"), std::string::npos) << f.status().message();
  EXPECT_NE(f.status().message().find(c.expect), std::string::npos)
      << c.name << ": " << f.status().message();
}

const BadCase kBadCases[] = {
    {"toml_syntax", "[[scenario]\nname = 1\n", "bad.toml:1:"},
    {"no_scenarios", "title = \"x\"\n", "defines no [[scenario]]"},
    {"unknown_top_key", "titel = \"x\"\n[[scenario]]\nname=\"a\"\nshocks=[{deficits=\"zero\"}]\n",
     "did you mean 'title'"},
    {"unknown_shock_kind",
     "[[scenario]]\nname=\"a\"\nshocks=[{tarif={importer=\"USA\",exporter=\"CHN\",add=0.1}}]\n",
     "did you mean 'tariff'"},
    {"missing_name", "[[scenario]]\nshocks=[{deficits=\"zero\"}]\n",
     "scenario[0].name': is required"},
    {"duplicate_name",
     "[[scenario]]\nname=\"a\"\nshocks=[{deficits=\"zero\"}]\n[[scenario]]\nname=\"a\"\nshocks=[{"
     "deficits=\"zero\"}]\n",
     "duplicate scenario name 'a'"},
    {"empty_shocks", "[[scenario]]\nname=\"a\"\nshocks=[]\n", "at least one shock"},
    {"tariff_without_mode",
     "[[scenario]]\nname=\"a\"\nshocks=[{tariff={importer=\"USA\",exporter=\"CHN\"}}]\n",
     "exactly one of add"},
    {"tariff_two_modes",
     "[[scenario]]\nname=\"a\"\nshocks=[{tariff={importer=\"USA\",exporter=\"CHN\",add=0.1,set=0.2}"
     "}]\n",
     "exactly one of add"},
    {"tariff_missing_importer",
     "[[scenario]]\nname=\"a\"\nshocks=[{tariff={exporter=\"CHN\",add=0.1}}]\n",
     "tariff.importer': is required"},
    {"tariff_value_text",
     "[[scenario]]\nname=\"a\"\nshocks=[{tariff={importer=\"USA\",exporter=\"CHN\",add=\"ten\"}}]"
     "\n",
     "tariff.add': expected a number"},
    {"tariff_level_below_minus_one",
     "[[scenario]]\nname=\"a\"\nshocks=[{tariff={importer=\"USA\",exporter=\"CHN\",set=-1.5}}]\n",
     "tariff.set': a tariff rate must be above -1 (-100%)"},
    {"allow_extreme_not_bool",
     "[[scenario]]\nname=\"a\"\nshocks=[{tariff={importer=\"USA\",exporter=\"CHN\",add=3,allow_"
     "extreme=1}}]\n",
     "tariff.allow_extreme': expected true or false"},
    {"unknown_tariff_field",
     "[[scenario]]\nname=\"a\"\nshocks=[{tariff={importer=\"USA\",exporter=\"CHN\",add=0.1,sectr="
     "\"x\"}}]\n",
     "did you mean 'sector'"},
    {"sector_and_sectors",
     "[[scenario]]\nname=\"a\"\nshocks=[{tariff={importer=\"USA\",exporter=\"CHN\",add=0.1,sector="
     "\"x\",sectors=[\"y\"]}}]\n",
     "either 'sector' or 'sectors'"},
    {"empty_selector_list",
     "[[scenario]]\nname=\"a\"\nshocks=[{tariff={importer=[],exporter=\"CHN\",add=0.1}}]\n",
     "selects nothing"},
    {"selector_number",
     "[[scenario]]\nname=\"a\"\nshocks=[{tariff={importer=5,exporter=\"CHN\",add=0.1}}]\n",
     "expected a country name"},
    {"iceberg_nonpositive",
     "[[scenario]]\nname=\"a\"\nshocks=[{iceberg={importer=\"USA\",exporter=\"CHN\",factor=0}}]\n",
     "must be > 0"},
    {"deficit_without_target", "[[scenario]]\nname=\"a\"\nshocks=[{deficit={country=\"CHN\"}}]\n",
     "give exactly one of target (a deficit in the named unit"},
    {"deficit_target_and_multiply",
     "[[scenario]]\nname=\"a\"\nshocks=[{deficit={country=\"CHN\",target=0,multiply=0.5}}]\n",
     "give exactly one of target"},
    {"deficit_bad_unit",
     "[[scenario]]\nname=\"a\"\nshocks=[{deficit={country=\"CHN\",target=0,unit=\"percent\"}}]\n",
     "expected bn_usd, mn_usd, share_of_gdp or share_of_world_gdp, got 'percent'"},
    {"deficit_level_unit",
     "[[scenario]]\nname=\"a\"\nshocks=[{deficit={country=\"CHN\",target=-147.5,unit=\"level\"}}]"
     "\n",
     "name the unit"},
    {"deficit_target_without_unit",
     "[[scenario]]\nname=\"a\"\nshocks=[{deficit={country=\"CHN\",target=-147.5}}]\n",
     "deficit.unit': target = -147.5 needs a unit: unit = \"bn_usd\" (billion USD)"},
    {"deficit_multiply_with_unit",
     "[[scenario]]\nname=\"a\"\nshocks=[{deficit={country=\"CHN\",multiply=0.5,unit=\"bn_usd\"}}]"
     "\n",
     "takes no unit"},
    {"deficit_negative_multiple",
     "[[scenario]]\nname=\"a\"\nshocks=[{deficit={country=\"CHN\",multiply=-1}}]\n",
     "deficit.multiply': a negative multiple"},
    {"deficits_bad_value", "[[scenario]]\nname=\"a\"\nshocks=[{deficits=\"balanced\"}]\n",
     "expected \"zero\" or \"fixed\""},
    {"subsidy_rate_and_add",
     "[[scenario]]\nname=\"a\"\nshocks=[{production_subsidy={country=\"CHN\",rate=0.1,add=0.1}}]\n",
     "exactly one of rate"},
    {"shock_two_kinds", "[[scenario]]\nname=\"a\"\nshocks=[{deficits=\"zero\", tariff={}}]\n",
     "one key naming its kind"},
    {"model_unknown",
     "[model]\ntype=\"cge\"\n[[scenario]]\nname=\"a\"\nshocks=[{deficits=\"zero\"}]\n",
     "unknown model 'cge'"},
    {"gravity_sigma_le_1",
     "[model]\ntype=\"gravity\"\nsigma=1\n[[scenario]]\nname=\"a\"\nshocks=[{deficits=\"zero\"}]\n",
     "sigma must be > 1"},
    {"two_baselines",
     "[baseline]\nbuiltin=\"world2011\"\nwiod=\"x.csv.gz\"\n[[scenario]]\nname=\"a\"\nshocks=[{"
     "deficits=\"zero\"}]\n",
     "exactly one of builtin"},
    {"theta_factor_zero", "[[scenario]]\nname=\"a\"\nshocks=[{theta={sectors=\"*\",multiply=0}}]\n",
     "bad.toml:3:38: key 'scenario[0].shocks[0].theta.multiply': a factor on theta must be > 0 "
     "(theta > 0), got 0"},
    {"theta_factor_negative", "[[scenario]]\nname=\"a\"\nshocks=[{theta={multiply=-2}}]\n",
     "theta.multiply': a factor on theta must be > 0 (theta > 0), got -2"},
    {"theta_factor_missing", "[[scenario]]\nname=\"a\"\nshocks=[{theta={sectors=\"*\"}}]\n",
     "theta.multiply': is required"},
    {"theta_factor_text", "[[scenario]]\nname=\"a\"\nshocks=[{theta={multiply=\"half\"}}]\n",
     "theta.multiply': expected a number"},
    {"theta_unknown_key", "[[scenario]]\nname=\"a\"\nshocks=[{theta={mulitply=0.5}}]\n",
     "did you mean 'multiply'"},
    {"theta_tariff_war",
     "[model]\ntype=\"tariff_war\"\n[[scenario]]\nname=\"a\"\nshocks=[{theta={multiply=0.5}}]"
     "\n",
     "the tariff_war model takes its trade elasticity from [model] epsilon"},
    {"group_not_list",
     "[groups.countries]\nna=\"USA\"\n[[scenario]]\nname=\"a\"\nshocks=[{deficits=\"zero\"}]\n",
     "non-empty list"},
};

INSTANTIATE_TEST_SUITE_P(Catalogue, BadScenario, ::testing::ValuesIn(kBadCases),
                         [](const auto& info) { return std::string(info.param.name); });

TEST(Scenario, BaselinePathsAreRelativeToTheFile) {
  auto f = ParseScenario(
      "[baseline]\nwiod=\"data/"
      "wiot2009.csv.gz\"\n[[scenario]]\nname=\"a\"\nshocks=[{deficits=\"zero\"}]\n",
      "/home/u/proj/s.toml");
  ASSERT_TRUE(f.ok()) << f.status().ToString();
  EXPECT_EQ(f->baseline.kind, BaselineKind::kWiod);
  EXPECT_EQ(f->baseline.path, "/home/u/proj/data/wiot2009.csv.gz");
  EXPECT_EQ(f->baseline.year, 2009);
}

TEST(Scenario, ShippedExamplesParse) {
  namespace fs = std::filesystem;
  int n = 0;
  for (const char* dir : {"/data/world2011", "/data/world2022", "/examples/scenarios"}) {
    const fs::path p = fs::path(REBALANCE_SOURCE_DIR + std::string(dir));
    if (!fs::exists(p)) continue;
    for (const auto& e : fs::directory_iterator(p)) {
      if (e.path().extension() != ".toml") continue;
      auto f = ParseScenarioFile(e.path().string());
      EXPECT_TRUE(f.ok()) << f.status().ToString();
      ++n;
    }
  }
  EXPECT_GE(n, 1);
}

TEST(Scenario, ThetaScalingParsesAndComposes) {
  const std::string text =
      "[groups.sectors]\nm = [\"Metals\"]\n[[scenario]]\nname = \"x\"\nshocks = [\n"
      "  { theta = { multiply = 0.5 } },\n"
      "  { theta = { sectors = \"m\", multiply = 3 } },\n"
      "  { productivity = { country = \"CHN\", sector = \"Metals\", efficiency = 0.05 } },\n]\n";
  auto f = ParseScenario(text, "s.toml");
  ASSERT_TRUE(f.ok()) << f.status().ToString();
  ASSERT_TRUE(CheckLabels(*f, TinyBaseline()).ok());
  const ScenarioDef& def = f->scenarios[0];
  ASSERT_EQ(def.theta_scaling.size(), 2u);
  EXPECT_EQ(def.theta_scaling[0].sector, "*");
  EXPECT_EQ(def.theta_scaling[1].sector, "Metals");  // the group expanded
  EXPECT_EQ(def.theta_scaling[1].origin,
            "s.toml:7:41: scenario 'x', key 'scenario[0].shocks[1].theta.multiply'");
  auto b = ScaleTheta(TinyBaseline(), def.theta_scaling);
  ASSERT_TRUE(b.ok()) << b.status().ToString();
  EXPECT_EQ(b->theta[0], 4.0 * 0.5 * 3);  // factors on one sector multiply
  EXPECT_EQ(b->theta[1], 8.0 * 0.5);
  // Efficiency shocks use the scaled theta, as a theta file with those
  // values would: lambda_hat = 1.05^(4 * 1.5).
  auto spec = BuildShockSpec(def, *b);
  ASSERT_TRUE(spec.ok());
  EXPECT_NEAR(spec->productivity[0].lambda_hat, std::pow(1.05, 6.0), 1e-14);
  // No scaling: the baseline unchanged.
  auto same = ScaleTheta(TinyBaseline(), {});
  ASSERT_TRUE(same.ok());
  EXPECT_EQ(same->theta, TinyBaseline().theta);
  // A sector the baseline lacks: CheckLabels names the place.
  auto g = ParseScenario(
      "[[scenario]]\nname = \"x\"\nshocks = [ { theta = { sector = \"Metal\", multiply = 2 } } ]\n",
      "s.toml");
  ASSERT_TRUE(g.ok());
  Status st = CheckLabels(*g, TinyBaseline());
  EXPECT_NE(st.message().find("s.toml:3:33: key 'scenario[0].shocks[0].theta.sector': unknown "
                              "sector 'Metal'; did you mean 'Metals'"),
            std::string::npos)
      << st.message();
}

// The independent reference of theta scaling: a scenario that multiplies
// theta by c gives the numbers of the same scenario run on a baseline whose
// theta file holds theta * c (written to 17 digits, so the same doubles):
// for all sectors, and for one sector; a scenario of the same file without a
// theta shock is unaffected.
TEST(Run, ThetaScalingEqualsAThetaFileTimesTheFactor) {
  namespace fs = std::filesystem;
  const std::string data = std::string(REBALANCE_SOURCE_DIR) + "/data";
  const fs::path dir = fs::path(testing::TempDir()) / "theta_scaling";
  fs::create_directories(dir);
  const std::string shocks =
      "{ tariff = { importer = \"USA\", exporter = \"CHN\", sectors = [\"Transport "
      "equipment\"], add = 0.5 } }, { productivity = { country = \"CHN\", sector = \"Metals\", "
      "efficiency = 0.05 } }";
  RunOptions ro;
  ro.data_dir = data;
  ro.bilateral = true;
  ro.imbalance_shares = false;
  struct Case {
    const char* sector;  // "*" or one sector
    double c;
  };
  for (const Case& k : {Case{"*", 0.5}, Case{"Transport equipment", 1.7}}) {
    // The theta file with the scaled values.
    std::ifstream in(data + "/world2011/theta.csv");
    std::string line, out = "sector,theta\n";
    std::getline(in, line);
    while (std::getline(in, line)) {
      const auto comma = line.rfind(',');
      const std::string sector = line.substr(0, comma);
      double theta = std::stod(line.substr(comma + 1));
      if (std::string(k.sector) == "*" || sector == k.sector) theta *= k.c;
      out += fmt::format("{},{:.17g}\n", sector, theta);
    }
    std::ofstream(dir / "scaled.csv") << out;
    const std::string scaled_text = fmt::format(
        "[baseline]\nbuiltin = \"world2011\"\n[[scenario]]\nname = \"s\"\nshocks = [ {}, {{ "
        "theta = {{ sectors = \"{}\", multiply = {:.17g} }} }} ]\n[[scenario]]\nname = "
        "\"plain\"\nshocks = [ {} ]\n",
        shocks, k.sector, k.c, shocks);
    const std::string file_text = fmt::format(
        "[baseline]\nbuiltin = \"world2011\"\ntheta = \"scaled.csv\"\n[[scenario]]\nname = "
        "\"s\"\nshocks = [ {} ]\n",
        shocks);
    const std::string plain_text = fmt::format(
        "[baseline]\nbuiltin = \"world2011\"\n[[scenario]]\nname = \"plain\"\nshocks = [ {} ]\n",
        shocks);
    auto parse = [&](const std::string& t) {
      auto f = ParseScenario(t, (dir / "s.toml").string());
      EXPECT_TRUE(f.ok()) << f.status().ToString();
      return *f;
    };
    auto a = RunScenarios(parse(scaled_text), ro);
    auto b = RunScenarios(parse(file_text), ro);
    auto p = RunScenarios(parse(plain_text), ro);
    ASSERT_TRUE(a.ok() && b.ok() && p.ok())
        << a.status().ToString() << b.status().ToString() << p.status().ToString();
    // The file's scenario "s" against the reference, and "plain" against a
    // run without theta shocks.
    const auto& as = a->scenarios[0].tidy.rows;
    const auto& bs = b->scenarios[0].tidy.rows;
    const auto& ap = a->scenarios[1].tidy.rows;
    const auto& pp = p->scenarios[0].tidy.rows;
    ASSERT_EQ(as.size(), bs.size());
    ASSERT_EQ(ap.size(), pp.size());
    double worst = 0;
    int moved = 0;
    for (size_t r = 0; r < as.size(); ++r) {
      ASSERT_EQ(as[r].country + as[r].partner + as[r].sector + as[r].variable,
                bs[r].country + bs[r].partner + bs[r].sector + bs[r].variable);
      for (auto [x, y] : {std::pair{as[r].baseline, bs[r].baseline},
                          std::pair{as[r].counterfactual, bs[r].counterfactual}}) {
        if (!std::isfinite(x) && !std::isfinite(y)) continue;
        const double scale = std::max({std::fabs(x), std::fabs(y), 1e-300});
        worst = std::max(worst, std::fabs(x - y) / scale);
      }
      // theta moved the numbers (the test can fail).
      if (std::isfinite(as[r].pct_change) &&
          std::fabs(as[r].pct_change - ap[r].pct_change) > 1e-6) {
        ++moved;
      }
    }
    EXPECT_LE(worst, 1e-12) << k.sector;
    EXPECT_GT(moved, 50) << k.sector;
    for (size_t r = 0; r < ap.size(); ++r) {
      EXPECT_EQ(ap[r].counterfactual, pp[r].counterfactual) << r;  // bit for bit
    }
    // The closure says what was scaled.
    bool said = false;
    for (const auto& h : a->scenarios[0].closure.held_fixed) {
      said |= h.find(fmt::format("scaled by this scenario: {} x {:g}",
                                 std::string(k.sector) == "*" ? "all sectors" : k.sector, k.c)) !=
              std::string::npos;
    }
    EXPECT_TRUE(said);
    std::printf("theta x %g (%s): max relative difference to the theta file's run %.3g\n", k.c,
                k.sector, worst);
  }
  fs::remove_all(dir);
}

// The default briefing's world: world2022 only when its back-casting figures
// say the method beats both naive alternatives on bilateral value-added
// balances for every starting year (and GRAS converged); otherwise world2011,
// with the reason.
TEST(Run, World2022BackcastDecidesTheDefaultBriefing) {
  namespace fs = std::filesystem;
  const fs::path dir = fs::path(testing::TempDir()) / "w22_choice";
  fs::remove_all(dir);
  fs::create_directories(dir / "world2022");
  std::ofstream(dir / "world2022" / "world2022.csv.gz") << "";
  std::ofstream(dir / "world2022" / "briefing.toml") << "";
  const std::string head =
      "recipe,countries,sectors,from_year,to_year,method,cell_wape,z_wape,f_wape,va_balance_wape,"
      "gross_balance_wape,self_sufficiency_mae,export_share_mae,flag_agreement,material_rows,"
      "gras_termination,gras_sweeps\n";
  auto write = [&](const std::string& rows) {
    std::ofstream(dir / "world2022" / "backcast.csv") << head << rows;
  };
  auto row = [](int from, const char* method, double va, const char* term) {
    return fmt::format("issue,18,14,{},2011,{},0.1,0.1,0.1,{},0.2,0.05,0.03,0.9,236,{},900\n", from,
                       method, va, term);
  };
  write(row(2005, "gras", 0.25, "converged") + row(2005, "scaled", 0.65, "converged") +
        row(2005, "unchanged", 0.61, "converged") + row(2008, "gras", 0.22, "converged") +
        row(2008, "scaled", 0.51, "converged") + row(2008, "unchanged", 0.48, "converged"));
  NowcastBackcast ok = World2022Backcast(dir.string());
  EXPECT_TRUE(ok.found && ok.passes) << ok.reason;
  EXPECT_NE(ok.summary.find("WIOD 2008 -> 2011 at 18 x 14: bilateral value-added balances 22.0 % "
                            "off (old table scaled to world output 51.0 %, unchanged 48.0 %)"),
            std::string::npos)
      << ok.summary;
  EXPECT_EQ(fs::path(DefaultBriefingPath(dir.string())).parent_path().filename(), "world2022");
  EXPECT_EQ(fs::path(DefaultBriefingPath(dir.string(), "world2011")).parent_path().filename(),
            "world2011");
  // 2005 no better than the unchanged table: fails, says which.
  write(row(2005, "gras", 0.62, "converged") + row(2005, "scaled", 0.65, "converged") +
        row(2005, "unchanged", 0.61, "converged") + row(2008, "gras", 0.22, "converged") +
        row(2008, "scaled", 0.51, "converged") + row(2008, "unchanged", 0.48, "converged"));
  NowcastBackcast bad = World2022Backcast(dir.string());
  EXPECT_TRUE(bad.found);
  EXPECT_FALSE(bad.passes);
  EXPECT_NE(bad.reason.find("2005 -> 2011: the update's bilateral value-added balances (62.0 % "
                            "off) do not beat"),
            std::string::npos)
      << bad.reason;
  EXPECT_EQ(fs::path(DefaultBriefingPath(dir.string())).parent_path().filename(), "world2011");
  // GRAS did not converge: fails.
  write(row(2008, "gras", 0.22, "max_iterations") + row(2008, "scaled", 0.51, "max_iterations") +
        row(2008, "unchanged", 0.48, "max_iterations"));
  NowcastBackcast nc = World2022Backcast(dir.string());
  EXPECT_FALSE(nc.passes);
  EXPECT_NE(nc.reason.find("GRAS max_iterations"), std::string::npos) << nc.reason;
  // No figures: not found, world2011.
  fs::remove(dir / "world2022" / "backcast.csv");
  NowcastBackcast none = World2022Backcast(dir.string());
  EXPECT_FALSE(none.found || none.passes);
  EXPECT_EQ(fs::path(DefaultBriefingPath(dir.string())).parent_path().filename(), "world2011");
  fs::remove_all(dir);
  // The shipped figures pass.
  NowcastBackcast shipped = World2022Backcast(std::string(REBALANCE_SOURCE_DIR) + "/data");
  EXPECT_TRUE(shipped.found && shipped.passes) << shipped.reason;
}

}  // namespace
}  // namespace rebalance::scenario
