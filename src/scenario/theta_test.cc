// The one theta reader (theta.h): every command's theta goes through
// ParseThetaTable; the model's, the draws' and the CLI's views differ only in
// how the rows are aligned to a baseline's sectors.
#include "rebalance/scenario/theta.h"

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace rebalance::scenario {
namespace {

std::string TempFile(const std::string& name, const std::string& content) {
  const auto dir = std::filesystem::temp_directory_path() / "rebalance_theta_test";
  std::filesystem::create_directories(dir);
  const std::string path = (dir / name).string();
  std::ofstream(path, std::ios::binary) << content;
  return path;
}

TEST(ThetaReader, ReadsRowsInFileOrderWithOptionalSe) {
  auto t = ParseThetaTable("sector,theta,se\nB,4,0.5\nA,8.25,0\n", "t.csv");
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ(t->sectors, (std::vector<std::string>{"B", "A"}));
  EXPECT_EQ(t->theta, (std::vector<double>{4, 8.25}));
  EXPECT_EQ(t->se, (std::vector<double>{0.5, 0}));
  EXPECT_EQ(t->lines, (std::vector<int64_t>{2, 3}));
  ThetaReadOptions no_se;
  no_se.read_se = false;
  auto u = ParseThetaTable("sector,value,se\nB,4,-1\n", "u.csv", no_se);
  ASSERT_TRUE(u.ok()) << u.status().ToString();  // se ignored, not checked
  EXPECT_TRUE(u->se.empty());
  EXPECT_EQ(u->theta, (std::vector<double>{4}));
}

TEST(ThetaReader, BadRowsNameFileAndLine) {
  auto neg = ParseThetaTable("sector,theta\nA,1\nB,-4\n", "neg.csv");
  ASSERT_FALSE(neg.ok());
  EXPECT_NE(neg.status().message().find("neg.csv:3: theta '-4' of sector 'B'"), std::string::npos)
      << neg.status().message();
  auto se = ParseThetaTable("sector,theta,se\nA,1,x\n", "se.csv");
  ASSERT_FALSE(se.ok());
  EXPECT_NE(se.status().message().find("se.csv:2: the standard error of 'A' must be >= 0"),
            std::string::npos)
      << se.status().message();
  ThetaReadOptions need_se;
  need_se.require_se = true;
  auto none = ParseThetaTable("sector,theta\nA,1\n", "none.csv", need_se);
  ASSERT_FALSE(none.ok());
  EXPECT_NE(none.status().message().find("needs a column 'se'"), std::string::npos);
  auto cols = ParseThetaTable("sector,beta\nA,1\n", "cols.csv");
  ASSERT_FALSE(cols.ok());
  EXPECT_NE(cols.status().message().find("needs columns 'sector' and 'theta'"), std::string::npos);
}

TEST(ThetaReader, AlignsToSectors) {
  auto t = ParseThetaTable("sector,theta,se\nC,2,0.1\nB,4,0.5\nA,8,1\nA,9,2\n", "t.csv");
  ASSERT_TRUE(t.ok());
  auto a = AlignThetaToSectors(*t, "t.csv", {"A", "B"}, /*allow_extra=*/true);
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  EXPECT_EQ(a->theta, (std::vector<double>{9, 4}));  // a repeated sector keeps its last row
  EXPECT_EQ(a->se, (std::vector<double>{2, 0.5}));
  auto strict = AlignThetaToSectors(*t, "t.csv", {"A", "B"});
  ASSERT_FALSE(strict.ok());
  EXPECT_NE(strict.status().message().find("t.csv:2: unknown sector 'C'"), std::string::npos)
      << strict.status().message();
  auto missing = AlignThetaToSectors(*t, "t.csv", {"A", "B", "C", "D"});
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find("t.csv: no trade elasticity theta for sector 'D'"),
            std::string::npos);
}

// The three front views agree on one file: the model's theta (ReadThetaFile),
// the draws' (ReadThetaDistribution is tested in sweep_test.cc) and the CLI's
// table (ReadThetaTable).
TEST(ThetaReader, ModelAndTableViewsAgree) {
  const std::string path = TempFile("agree.csv", "sector,theta\nServices,8.2\nGoods,4\n");
  auto model = ReadThetaFile(path, {"Goods", "Services"});
  ASSERT_TRUE(model.ok()) << model.status().ToString();
  auto table = ReadThetaTable(path);
  ASSERT_TRUE(table.ok());
  EXPECT_EQ(*model, (std::vector<double>{table->theta[1], table->theta[0]}));
}

// WriteThetaCsv quotes per RFC 4180 (embedded quotes doubled), so a sector
// label with a comma or a quote reads back as written.
TEST(ThetaWriter, LabelsWithQuotesAndCommasRoundTrip) {
  ThetaTable t;
  t.sectors = {"Machinery, n.e.c.", "the \"Other\" sector", "Plain"};
  t.theta = {4.75, 8.22, 1.0 / 3.0};
  t.se = {0.5, 0.0, 0.25};
  const std::string path =
      (std::filesystem::temp_directory_path() / "rebalance_theta_writer_test.csv").string();
  ASSERT_TRUE(WriteThetaCsv(t, path, /*force=*/true).ok());
  auto back = ReadThetaTable(path);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->sectors, t.sectors);
  EXPECT_EQ(back->theta, t.theta);
  EXPECT_EQ(back->se, t.se);
  std::filesystem::remove(path);
}

}  // namespace
}  // namespace rebalance::scenario
