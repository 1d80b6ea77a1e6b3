// Overcapacity indicators: definitions checked by hand and against a dense
// inverse on a 2 x 2 table, negative inventory cells, re-exports, sector
// groups, ranking by the excess in USD, the GE hook, the CSV's units.
#include "rebalance/io_tables/overcapacity.h"

#include <algorithm>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace rebalance::io_tables {
namespace {

// Countries A, B; sectors m (manufacturing), s (services). Final demand one category.
IoTable Table2x2(int year, double a_m_to_b_fd, double a_m_to_a_fd = 20) {
  Eigen::MatrixXd z(4, 4), f(4, 2);
  // rows/cols: A_m, A_s, B_m, B_s
  z << 10, 5, 8, 2,  //
      3, 6, 0, 1,    //
      2, 1, 10, 4,   //
      0, 0, 3, 7;
  f << a_m_to_a_fd, a_m_to_b_fd,  //
      30, 0,                      //
      5, 40,                      //
      0, 25;
  Eigen::VectorXd x = z.rowwise().sum() + f.rowwise().sum();
  ValidationOptions vo;
  vo.inventory_categories = {"fd"};
  auto t = IoTable::FromMatrices({"A", "B"}, {"m", "s"}, {"fd"}, z, f, x, year, "<test>", vo);
  EXPECT_TRUE(t.ok()) << t.status().ToString();
  return *t;
}

OvercapacityOptions Groups() {
  OvercapacityOptions o;
  o.sector_groups = {{"m", SectorGroup::kManufacturing}, {"s", SectorGroup::kServices}};
  return o;
}

const OvercapacityRow& Find(const std::vector<OvercapacityRow>& rows, const std::string& c,
                            const std::string& s) {
  for (const auto& r : rows) {
    if (r.country == c && r.sector == s) return r;
  }
  ADD_FAILURE() << "no row " << c << " " << s;
  return rows.front();
}

TEST(Overcapacity, DefinitionsByHand) {
  IoTable t = Table2x2(2010, 30);
  auto res = ComputeOvercapacity({&t}, Groups());
  ASSERT_TRUE(res.ok()) << res.status().ToString();
  const OvercapacityRow& am = Find(res->rows, "A", "m");
  // A_m: output 10+5+8+2+20+30 = 75; exports to B = 8+2+30 = 40; imports of m from B_m into A:
  // 2+1 (B_m -> A industries) + 5 (B_m -> A final demand) = 8.
  EXPECT_DOUBLE_EQ(am.output, 75);
  EXPECT_DOUBLE_EQ(am.exports, 40);
  EXPECT_DOUBLE_EQ(am.imports, 8);
  EXPECT_DOUBLE_EQ(am.absorption, 75 - 40 + 8);
  EXPECT_DOUBLE_EQ(am.excess_output, 32);
  EXPECT_DOUBLE_EQ(am.clipped_negative, 0);
  EXPECT_DOUBLE_EQ(*am.self_sufficiency, 75.0 / 43.0);
  EXPECT_DOUBLE_EQ(*am.export_share, 40.0 / 75.0);
  EXPECT_DOUBLE_EQ(*am.import_share, 8.0 / 43.0);
  EXPECT_DOUBLE_EQ(*am.net_exports_over_output, 32.0 / 75.0);
  // World exports of m = 40 (A) + 8 (B); world output of m = 75 + 62; absorption = output.
  EXPECT_DOUBLE_EQ(*am.world_export_share, 40.0 / 48.0);
  EXPECT_DOUBLE_EQ(*am.world_output_share, 75.0 / 137.0);
  EXPECT_DOUBLE_EQ(*am.world_absorption_share, 43.0 / 137.0);
  // RCA: A exports 40 of m and 1 of s (A_s -> B_s); B exports 8 of m and none of s.
  EXPECT_NEAR(*am.rca, (40.0 / 41.0) / (48.0 / 49.0), 1e-14);
  EXPECT_FALSE(am.d_self_sufficiency.has_value());  // one year: no change
  EXPECT_FALSE(am.imbalance_share.has_value());     // no GE hook
  EXPECT_THAT(am.flags, ::testing::ElementsAre("self_sufficiency", "export_share", "net_exports"));
  EXPECT_EQ(am.group, SectorGroup::kManufacturing);
  EXPECT_EQ(am.rank, 1);

  // Value added against a dense inverse: B = (I - A)^-1, V = 1 - colsums(A).
  Eigen::VectorXd x = t.z.rowwise().sum() + t.f.rowwise().sum();
  Eigen::MatrixXd a = t.z * x.cwiseInverse().asDiagonal();
  Eigen::MatrixXd b = (Eigen::MatrixXd::Identity(4, 4) - a).inverse();
  Eigen::RowVectorXd v = Eigen::RowVectorXd::Ones(4) - a.colwise().sum();
  for (const auto& r : res->rows) {
    const int c = r.country == "A" ? 0 : 1, i = 2 * c + (r.sector == "m" ? 0 : 1);
    double dom = 0, all = 0;
    for (int j = 0; j < 4; ++j) {
      all += v[j] * b(j, i);
      if (j / 2 == c) dom += v[j] * b(j, i);
    }
    EXPECT_NEAR(all, 1.0, 1e-14);  // V B = u
    EXPECT_NEAR(*r.dva_share, dom, 1e-13) << r.country << r.sector;
    EXPECT_NEAR(r.exports_dva, dom * r.exports, 1e-12);
    EXPECT_NEAR(r.excess_output_dva, dom * r.excess_output, 1e-12);
    // Output absorbed by the other country's final demand: (B Y)_{i, other} / x_i.
    const Eigen::MatrixXd y = t.FinalDemandByCountry();
    const Eigen::MatrixXd by = b * y;
    EXPECT_NEAR(*r.foreign_final_demand_share, by(i, 1 - c) / x[i], 1e-13);
  }
  // B_s exports nothing.
  const OvercapacityRow& bs = Find(res->rows, "B", "s");
  EXPECT_DOUBLE_EQ(*bs.world_export_share, 0.0);
  EXPECT_TRUE(bs.flags.empty());
}

TEST(Overcapacity, NegativeInventoryCellsAreClippedAndShown) {
  // A_m's home final demand is an inventory drawdown of -40: the row sums to 10 + 5 + 8 + 2 - 40
  // + 30 = 15, below its sales to B (40): an export share of 267% without the clip.
  IoTable t = Table2x2(2010, 30, -40);
  ASSERT_LT(t.x[0], 40);
  auto res = ComputeOvercapacity({&t}, Groups());
  ASSERT_TRUE(res.ok()) << res.status().ToString();
  const OvercapacityRow& am = Find(res->rows, "A", "m");
  EXPECT_DOUBLE_EQ(am.clipped_negative, 40);
  EXPECT_DOUBLE_EQ(am.output, 10 + 5 + 8 + 2 + 30);  // sales after the clip
  EXPECT_DOUBLE_EQ(am.exports, 40);
  EXPECT_DOUBLE_EQ(*am.export_share, 40.0 / 55.0);
  EXPECT_DOUBLE_EQ(am.absorption, 55 - 40 + 8);
  for (const auto& r : res->rows) {
    for (const auto& s : {r.export_share, r.import_share, r.dva_share, r.foreign_final_demand_share,
                          r.world_output_share, r.world_absorption_share, r.world_export_share}) {
      ASSERT_TRUE(s.has_value());
      EXPECT_GE(*s, 0.0);
      EXPECT_LE(*s, 1.0);
    }
  }
}

TEST(Overcapacity, ReexportsAloneDoNotFlag) {
  // B_m: large exports (40 to A is not it: B_m sells 2+1+5 = 8 to A) -- make A a hub: A_m imports
  // 50 of B_m and exports 40: export share 40/75 >= 0.5, but net exports -18 < 0.
  IoTable t = Table2x2(2010, 30);
  t.f(2, 0) = 55;  // B_m -> A final demand
  t.x[2] = t.z.row(2).sum() + t.f.row(2).sum();
  auto res = ComputeOvercapacity({&t}, Groups());
  ASSERT_TRUE(res.ok());
  const OvercapacityRow& am = Find(res->rows, "A", "m");
  ASSERT_GE(*am.export_share, 0.5);
  ASSERT_LT(am.excess_output, 0);
  EXPECT_THAT(am.flags, ::testing::Not(::testing::Contains("export_share")));
}

TEST(Overcapacity, GroupsAndRankingByExcessInUsd) {
  IoTable t = Table2x2(2010, 30);
  OvercapacityOptions opt = Groups();
  auto res = ComputeOvercapacity({&t}, opt);
  ASSERT_TRUE(res.ok());
  // Manufacturing first, ranked 1, 2 by excess output; then services, ranked 1, 2.
  ASSERT_EQ(res->rows.size(), 4u);
  EXPECT_EQ(res->rows[0].group, SectorGroup::kManufacturing);
  EXPECT_EQ(res->rows[1].group, SectorGroup::kManufacturing);
  EXPECT_EQ(res->rows[2].group, SectorGroup::kServices);
  EXPECT_EQ(res->rows[0].rank, 1);
  EXPECT_EQ(res->rows[1].rank, 2);
  EXPECT_EQ(res->rows[2].rank, 1);
  EXPECT_GE(res->rows[0].excess_output, res->rows[1].excess_output);
  EXPECT_GE(res->rows[2].excess_output, res->rows[3].excess_output);
  // One ranking over every sector.
  opt.rank_by_group = false;
  auto all = ComputeOvercapacity({&t}, opt);
  ASSERT_TRUE(all.ok());
  for (size_t i = 0; i < all->rows.size(); ++i) {
    EXPECT_EQ(all->rows[i].rank, static_cast<int>(i) + 1);
    if (i > 0) {
      EXPECT_GE(all->rows[i - 1].excess_output, all->rows[i].excess_output);
    }
  }
  // A tiny sector with a huge ratio does not top a large excess: A_s made to sell almost all
  // of its output abroad, but little in USD.
  IoTable u = Table2x2(2010, 30);
  u.f(1, 0) = 0.1;
  u.z(1, 0) = u.z(1, 1) = 0.1;
  u.z(1, 3) = 5;
  u.x[1] = u.z.row(1).sum() + u.f.row(1).sum();
  opt.rank_by_group = false;
  auto tiny = ComputeOvercapacity({&u}, opt);
  ASSERT_TRUE(tiny.ok());
  const OvercapacityRow& as = Find(tiny->rows, "A", "s");
  ASSERT_GT(*as.net_exports_over_output, *Find(tiny->rows, "A", "m").net_exports_over_output);
  EXPECT_EQ(tiny->rows.front().country + tiny->rows.front().sector, "Am");
  // Ranking in domestic value added.
  opt.rank_by = OvercapacityRanking::kExcessOutputDva;
  auto dva = ComputeOvercapacity({&t}, opt);
  ASSERT_TRUE(dva.ok());
  for (size_t i = 1; i < dva->rows.size(); ++i) {
    EXPECT_GE(dva->rows[i - 1].excess_output_dva, dva->rows[i].excess_output_dva);
  }
}

TEST(Overcapacity, ClassifySector) {
  EXPECT_EQ(ClassifySector("c1"), SectorGroup::kResources);
  EXPECT_EQ(ClassifySector("c2"), SectorGroup::kResources);
  EXPECT_EQ(ClassifySector("c3"), SectorGroup::kManufacturing);
  EXPECT_EQ(ClassifySector("c14"), SectorGroup::kManufacturing);
  EXPECT_EQ(ClassifySector("c16"), SectorGroup::kManufacturing);
  EXPECT_EQ(ClassifySector("c17"), SectorGroup::kServices);
  EXPECT_EQ(ClassifySector("c35"), SectorGroup::kServices);
  EXPECT_EQ(ClassifySector("c36"), SectorGroup::kUnclassified);
  EXPECT_EQ(ClassifySector("A01_02"), SectorGroup::kResources);
  EXPECT_EQ(ClassifySector("D05T06"), SectorGroup::kResources);
  EXPECT_EQ(ClassifySector("C26"), SectorGroup::kManufacturing);
  EXPECT_EQ(ClassifySector("D10T12"), SectorGroup::kManufacturing);
  EXPECT_EQ(ClassifySector("D35"), SectorGroup::kServices);
  EXPECT_EQ(ClassifySector("G45T47"), SectorGroup::kServices);
  EXPECT_EQ(ClassifySector("Mining"), SectorGroup::kResources);
  EXPECT_EQ(ClassifySector("Electrical and optical equipment"), SectorGroup::kManufacturing);
  EXPECT_EQ(ClassifySector("Trade and transport services"), SectorGroup::kServices);
  EXPECT_EQ(ClassifySector("m"), SectorGroup::kUnclassified);
  EXPECT_EQ(*SectorGroupFromString("resources"), SectorGroup::kResources);
  EXPECT_FALSE(SectorGroupFromString("mfg").ok());
  EXPECT_EQ(*OvercapacityRankingFromString("excess_output_dva"),
            OvercapacityRanking::kExcessOutputDva);
  EXPECT_FALSE(OvercapacityRankingFromString("ratio").ok());
}

TEST(Overcapacity, ChangesOverYearsAndHook) {
  IoTable t0 = Table2x2(2000, 10), t1 = Table2x2(2010, 30);
  OvercapacityOptions opt = Groups();
  opt.imbalance_share = [](const std::string& c, const std::string& s, int year) {
    return (c == "A" && s == "m" && year == 2010) ? std::optional<double>(0.125) : std::nullopt;
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
  EXPECT_NEAR(*top.d_excess_output, 32.0 - 12.0, 1e-12);
  EXPECT_THAT(top.flags, ::testing::Contains("rising"));
  ASSERT_TRUE(top.imbalance_share.has_value());
  EXPECT_DOUBLE_EQ(*top.imbalance_share, 0.125);
  EXPECT_FALSE(res->rows.back().imbalance_share.has_value());
  // The panel is ranked within each year, with no changes.
  for (const auto& r : res->panel) {
    EXPECT_GE(r.rank, 1);
    EXPECT_FALSE(r.d_self_sufficiency.has_value());
  }
}

TEST(Overcapacity, CsvNamesItsUnits) {
  IoTable t = Table2x2(2010, 30);
  auto res = ComputeOvercapacity({&t}, Groups());
  ASSERT_TRUE(res.ok());
  const std::string csv = OvercapacityCsv(*res);
  const std::string header = csv.substr(0, csv.find('\n'));
  EXPECT_THAT(header, ::testing::StartsWith(
                          "year,first_year,group,rank,country,sector,sector_name,output_musd,"));
  EXPECT_THAT(header,
              ::testing::HasSubstr("excess_output_musd,exports_dva_musd,excess_output_dva_musd"));
  EXPECT_THAT(header, ::testing::HasSubstr("export_share,import_share,dva_share"));
  EXPECT_THAT(header, ::testing::HasSubstr("self_sufficiency_ratio"));
  EXPECT_THAT(header, ::testing::EndsWith("imbalance_share,flags"));
  EXPECT_EQ(std::count(csv.begin(), csv.end(), '\n'), 5);
  // Every line has as many fields as the header (no text field holds a comma here).
  const auto fields = std::count(header.begin(), header.end(), ',');
  size_t pos = 0;
  while (pos < csv.size()) {
    const size_t end = csv.find('\n', pos);
    const std::string line = csv.substr(pos, end - pos);
    EXPECT_EQ(std::count(line.begin(), line.end(), ','), fields) << line;
    pos = end + 1;
  }
  EXPECT_THAT(csv, ::testing::HasSubstr("\n2010,2010,manufacturing,1,A,m,,75,40,8,43,32,"));
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
