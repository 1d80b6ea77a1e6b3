#include "rebalance/scenario/gravity_problem.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

namespace rebalance::scenario {
namespace {

TEST(GravityProblem, SelectsCoefficientsAndTheirVarianceBlock) {
  CostCoefficients all;
  all.names = {"a", "b", "c"};
  all.beta = Eigen::Vector3d(1, 2, 3);
  all.vcov.resize(3, 3);
  for (int r = 0; r < 3; ++r)
    for (int c = 0; c < 3; ++c) all.vcov(r, c) = 10 * r + c;
  auto sub = SelectCostCoefficients(all, {"c", "a"}, "est.json");
  ASSERT_TRUE(sub.ok()) << sub.status().ToString();
  EXPECT_EQ(sub->names, (std::vector<std::string>{"c", "a"}));
  EXPECT_EQ(sub->beta, Eigen::Vector2d(3, 1));
  EXPECT_EQ(sub->vcov(0, 0), 22);
  EXPECT_EQ(sub->vcov(0, 1), 20);
  EXPECT_EQ(sub->vcov(1, 0), 2);
  EXPECT_EQ(sub->vcov(1, 1), 0);
  auto every = SelectCostCoefficients(all, {}, "est.json");
  ASSERT_TRUE(every.ok());
  EXPECT_EQ(every->names, all.names);
  EXPECT_EQ(every->vcov, all.vcov);
  all.vcov.resize(0, 0);
  auto no_vcov = SelectCostCoefficients(all, {"b"}, "est.json");
  ASSERT_TRUE(no_vcov.ok());
  EXPECT_EQ(no_vcov->vcov.size(), 0);
  auto bad = SelectCostCoefficients(all, {"d"}, "est.json");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(bad.status().message(), "'d' is not a coefficient of est.json");
}

TEST(GravityProblem, ReadGravityTableSaysWhoseColumnIsMissing) {
  const std::string path =
      (std::filesystem::temp_directory_path() / ("rb_gp_" + std::to_string(::getpid()) + ".csv"))
          .string();
  std::ofstream(path) << "exporter,importer,trade,dist\nA,B,1,2\nB,A,3,4\n";
  ge::GravityTableSpec spec;
  spec.covariates = {"dist"};
  MissingGravityColumn missing;
  auto ok = ReadGravityTable(path, spec, 1, &missing);
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  EXPECT_EQ(ok->num_columns(), 4);
  EXPECT_EQ(missing.role, GravityColumnRole::kNone);
  struct Case {
    std::string exporter, flow, covariate;
    GravityColumnRole role;
    std::string name;
  };
  for (const auto& c :
       {Case{"exp", "trade", "dist", GravityColumnRole::kExporter, "exp"},
        Case{"exporter", "flow", "dist", GravityColumnRole::kFlow, "flow"},
        Case{"exporter", "trade", "lndist", GravityColumnRole::kCovariate, "lndist"}}) {
    ge::GravityTableSpec s;
    s.exporter = c.exporter;
    s.flow = c.flow;
    s.covariates = {c.covariate};
    auto r = ReadGravityTable(path, s, 1, &missing);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().code(), StatusCode::kNotFound);
    EXPECT_EQ(missing.role, c.role) << c.name;
    EXPECT_EQ(missing.name, c.name);
  }
  std::filesystem::remove(path);
}

}  // namespace
}  // namespace rebalance::scenario
