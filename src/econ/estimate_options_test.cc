// The registry of EstimateOptions (econ::EstimateOptionTable): its defaults
// are the struct's, Validate speaks through it, and its flags are the CLI's.
#include <gtest/gtest.h>

#include <string>

#include "rebalance/econ/ppml.h"

namespace rebalance::econ {
namespace {

TEST(EstimateOptionsTest, RecordsMatchTheStruct) {
  const auto& table = EstimateOptionTable();
  const EstimateOptions fresh;
  for (const auto& r : table.records()) {
    EXPECT_EQ(*table.Get(fresh, r.name), r.default_value) << r.name;
  }
  for (const char* name : {"family", "vcov", "ssc", "tolerance", "max_iterations",
                           "demean_tolerance", "max_demean_iterations", "check_separation",
                           "max_separation_iterations", "drop_singletons", "threads"}) {
    EXPECT_NE(table.Find(name), nullptr) << name;
  }
  EXPECT_EQ(table.Find("tolerance")->CliFlag(), "--tol");
  EXPECT_EQ(table.Find("max_iterations")->CliFlag(), "--max-iter");
  EXPECT_EQ(table.Find("drop_singletons")->CliFlag(), "--drop-singletons");
  EXPECT_EQ(table.Find("demean_tolerance")->CliFlag(), "--demean-tolerance");
}

TEST(EstimateOptionsTest, ValidateNamesTheOption) {
  EstimateOptions o;
  o.formula = "y ~ x";
  EXPECT_TRUE(o.Validate().ok());
  o.demean_tolerance = 2;
  EXPECT_EQ(o.Validate().message(), "demean_tolerance: must be in (0, 1), got 2");
  o.demean_tolerance = 1e-10;
  o.max_separation_iterations = 0;
  EXPECT_EQ(o.Validate().message(), "max_separation_iterations: must be >= 1, got 0");
  o.max_separation_iterations = 10;
  o.threads = -1;
  EXPECT_EQ(o.Validate().message(), "threads: must be >= 0 (0 = all cores), got -1");
  // Set stores enums by name (synonyms too) and refuses unknown ones.
  EstimateOptions p;
  ASSERT_TRUE(EstimateOptionTable().Set(&p, "family", std::string("ols")).ok());
  EXPECT_EQ(p.family, Family::kGaussian);
  EXPECT_EQ(EstimateOptionTable().Set(&p, "ssc", std::string("sas")).message(),
            "ssc: must be one of stata, fixest, got 'sas'");
  ASSERT_TRUE(EstimateOptionTable().Set(&p, "drop_singletons", false).ok());
  EXPECT_FALSE(p.drop_singletons);
}

}  // namespace
}  // namespace rebalance::econ
