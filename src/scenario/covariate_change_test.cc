#include "rebalance/scenario/covariate_change.h"

#include <string>
#include <utility>

#include <gtest/gtest.h>

namespace rebalance::scenario {
namespace {

TEST(CovariateChangeTest, ParsesEveryPairAndPairLists) {
  auto a = ParseCovariateChange("INTL_BRDR=0");
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->covariate, "INTL_BRDR");
  EXPECT_EQ(a->value, 0.0);
  EXPECT_TRUE(a->pairs.empty());
  auto b = ParseCovariateChange("RTA=1:USA-CHN, CAN>MEX");
  ASSERT_TRUE(b.ok()) << b.status().ToString();
  ASSERT_EQ(b->pairs.size(), 3u);
  EXPECT_EQ(b->pairs[0], (std::pair<std::string, std::string>{"USA", "CHN"}));
  EXPECT_EQ(b->pairs[1], (std::pair<std::string, std::string>{"CHN", "USA"}));
  EXPECT_EQ(b->pairs[2], (std::pair<std::string, std::string>{"CAN", "MEX"}));
  EXPECT_FALSE(ParseCovariateChange("RTA").ok());
  EXPECT_FALSE(ParseCovariateChange("RTA=x").ok());
  EXPECT_FALSE(ParseCovariateChange("RTA=1:USA").ok());
  EXPECT_FALSE(ParseCovariateChange("RTA=1:USA-CHN,").ok());
}

}  // namespace
}  // namespace rebalance::scenario
