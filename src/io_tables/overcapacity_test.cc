// Overcapacity indicators: definitions checked by hand on a 2 x 2 table,
// missing values instead of NaN, the GE hook, flags and ranking.
#include "rebalance/io_tables/overcapacity.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace rebalance::io_tables {
namespace {

// Countries A, B; sectors m (manufacturing), s (services). Final demand one category.
IoTable Table2x2(int year, double a_m_to_b_fd) {
  Eigen::MatrixXd z(4, 4), f(4, 2);
  // rows/cols: A_m, A_s, B_m, B_s
  z << 10, 5, 8, 2,   //
      3, 6, 0, 1,     //
      2, 1, 10, 4,    //
      0, 0, 3, 7;
  f << 20, a_m_to_b_fd,  //
      30, 0,             //
      5, 40,             //
      0, 25;
  Eigen::VectorXd x = z.rowwise().sum() + f.rowwise().sum();
  auto t = IoTable::FromMatrices({"A", "B"}, {"m", "s"}, {"fd"}, z, f, x, year, "<test>");
  EXPECT_TRUE(t.ok());
  return *t;
}

TEST(Overcapacity, DefinitionsByHand) {
  IoTable t = Table2x2(2010, 30);
  auto res = ComputeOvercapacity({&t});
  ASSERT_TRUE(res.ok()) << res.status().ToString();
  const OvercapacityRow* am = nullptr;
  for (const auto& r : res->rows) {
    if (r.country == "A" && r.sector == "m") am = &r;
  }
  ASSERT_NE(am, nullptr);
  // A_m: output 10+5+8+2+20+30 = 75; exports to B = 8+2+30 = 40; imports of m from B_m into A:
  // 2+1 (B_m -> A industries) + 5 (B_m -> A final demand) = 8.
  EXPECT_DOUBLE_EQ(am->output, 75);
  EXPECT_DOUBLE_EQ(am->exports, 40);
  EXPECT_DOUBLE_EQ(am->imports, 8);
  EXPECT_DOUBLE_EQ(am->absorption, 75 - 40 + 8);
  EXPECT_DOUBLE_EQ(*am->self_sufficiency, 75.0 / 43.0);
  EXPECT_DOUBLE_EQ(*am->export_share, 40.0 / 75.0);
  EXPECT_DOUBLE_EQ(*am->net_exports_over_output, 32.0 / 75.0);
  // World exports of m = 40 (A) + 8 (B); world output of m = 75 + 62.
  EXPECT_DOUBLE_EQ(*am->world_export_share, 40.0 / 48.0);
  EXPECT_DOUBLE_EQ(*am->world_output_share, 75.0 / (75.0 + 62.0));
  EXPECT_FALSE(am->d_self_sufficiency.has_value());  // one year: no change
  EXPECT_FALSE(am->imbalance_output_share.has_value());  // no GE hook
  EXPECT_THAT(am->flags, ::testing::ElementsAre("self_sufficiency", "export_share", "net_exports"));
  EXPECT_EQ(am->rank, 1);
  // B_s exports nothing: world export share of s is 1/1 for A_s? A_s exports 1, B_s exports 0.
  for (const auto& r : res->rows) {
    if (r.country == "B" && r.sector == "s") {
      EXPECT_DOUBLE_EQ(*r.world_export_share, 0.0);
      EXPECT_TRUE(r.flags.empty());
    }
  }
}

TEST(Overcapacity, ChangesOverYearsAndHook) {
  IoTable t0 = Table2x2(2000, 10), t1 = Table2x2(2010, 30);
  OvercapacityOptions opt;
  opt.imbalance_share = [](const std::string& c, const std::string& s, int year) {
    return (c == "A" && s == "m" && year == 2010) ? std::optional<double>(-12.5) : std::nullopt;
  };
  auto res = ComputeOvercapacity({&t1, &t0}, opt);  // order does not matter
  ASSERT_TRUE(res.ok());
  EXPECT_EQ(res->first_year, 2000);
  EXPECT_EQ(res->last_year, 2010);
  EXPECT_EQ(res->panel.size(), 8u);
  const auto& top = res->rows.front();
  ASSERT_EQ(top.country + top.sector, "Am");
  // 2000: output 55, exports 20, imports 8 -> self-sufficiency 55/43.
  EXPECT_NEAR(*top.d_self_sufficiency, 75.0 / 43.0 - 55.0 / 43.0, 1e-12);
  EXPECT_NEAR(*top.d_export_share, 40.0 / 75.0 - 20.0 / 55.0, 1e-12);
  EXPECT_THAT(top.flags, ::testing::Contains("rising"));
  ASSERT_TRUE(top.imbalance_output_share.has_value());
  EXPECT_DOUBLE_EQ(*top.imbalance_output_share, -12.5);
  EXPECT_FALSE(res->rows.back().imbalance_output_share.has_value());
}

TEST(Overcapacity, BadInput) {
  EXPECT_FALSE(ComputeOvercapacity({}).ok());
  IoTable t = Table2x2(2000, 10);
  OvercapacityOptions opt;
  opt.export_share_threshold = 2;
  auto r = ComputeOvercapacity({&t}, opt);
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.status().message(), ::testing::HasSubstr("export_share_threshold"));
  IoTable other = t;
  other.sectors = {"m", "x"};
  EXPECT_FALSE(ComputeOvercapacity({&t, &other}).ok());
}

}  // namespace
}  // namespace rebalance::io_tables
