// Theta files (theta.h): the writer.
#include "rebalance/scenario/theta.h"

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace rebalance::scenario {
namespace {

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
