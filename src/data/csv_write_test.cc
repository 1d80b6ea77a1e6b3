#include "rebalance/data/csv_write.h"

#include <cstdlib>
#include <filesystem>
#include <string>

#include <gtest/gtest.h>

#include "rebalance/data/csv.h"

namespace rebalance::data {
namespace {

TEST(CsvWrite, FieldIsQuotedPerRfc4180) {
  EXPECT_EQ(CsvField("plain text"), "plain text");
  EXPECT_EQ(CsvField(""), "");
  EXPECT_EQ(CsvField("a,b"), "\"a,b\"");
  EXPECT_EQ(CsvField("say \"hi\""), "\"say \"\"hi\"\"\"");
  EXPECT_EQ(CsvField("cr\r"), "\"cr\r\"");
  EXPECT_EQ(CsvField("lf\n"), "\"lf\n\"");
}

TEST(CsvWrite, DoublesRoundTrip) {
  for (double v : {0.1, 1.0 / 3.0, 1e300, -2.5e-310, 123456789.0}) {
    EXPECT_EQ(std::strtod(RoundTripDouble(v).c_str(), nullptr), v) << RoundTripDouble(v);
  }
  EXPECT_EQ(RoundTripDouble(0.1), "0.1");
}

// What WriteCsv writes, ReadCsv reads back: labels with commas and quotes,
// missing cells, doubles to the bit.
TEST(CsvWrite, TableRoundTripsThroughTheReader) {
  auto t =
      ParseCsv("name,x\n\"a,b\",0.1\n\"say \"\"hi\"\"\",\nplain,3.0000000000000004\n", "mem.csv");
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  const std::string path =
      (std::filesystem::temp_directory_path() / "rebalance_csv_write_test.csv").string();
  ASSERT_TRUE(WriteCsv(*t, path).ok());
  auto back = ReadCsv(path);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  ASSERT_EQ(back->num_rows(), 3);
  for (int64_t r = 0; r < 3; ++r) {
    EXPECT_EQ(back->columns()[0].CellText(r), t->columns()[0].CellText(r));
    EXPECT_EQ(back->columns()[1].IsMissing(r), t->columns()[1].IsMissing(r));
    if (!t->columns()[1].IsMissing(r)) {
      EXPECT_EQ(back->columns()[1].AsDouble(r), t->columns()[1].AsDouble(r));
    }
  }
  std::filesystem::remove(path);
}

}  // namespace
}  // namespace rebalance::data
