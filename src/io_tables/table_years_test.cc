// Year lists and the years of a WIOD folder (table_years.h).
#include "rebalance/io_tables/table_years.h"

#include <filesystem>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace rebalance::io_tables {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

TEST(ParseYearList, RangesAndListsSortedWithoutRepeats) {
  auto y = ParseYearList("2011, 1995-1997,1996");
  ASSERT_TRUE(y.ok()) << y.status().message();
  EXPECT_THAT(*y, ElementsAre(1995, 1996, 1997, 2011));
  EXPECT_THAT(*ParseYearList("2008"), ElementsAre(2008));
}

TEST(ParseYearList, BadPartsNamed) {
  auto a = ParseYearList("2011,20x1");
  ASSERT_FALSE(a.ok());
  EXPECT_THAT(a.status().message(), HasSubstr("'20x1' is not a year or a range"));
  auto b = ParseYearList("2011-2005");
  ASSERT_FALSE(b.ok());
  EXPECT_THAT(b.status().message(), HasSubstr("empty range '2011-2005'"));
  EXPECT_FALSE(ParseYearList("").ok());
}

TEST(ReadWiodYears, EveryYearOfTheFolderOldestFirstOrTheOnesAsked) {
  const std::string dir = std::string(REBALANCE_DATA_DIR) + "/wiod2013_bquast";
  auto asked = ReadWiodYears(dir, {2010, 2011});
  ASSERT_TRUE(asked.ok()) << asked.status().message();
  ASSERT_EQ(asked->size(), 2u);
  EXPECT_EQ((*asked)[0].year, 2010);
  EXPECT_EQ((*asked)[1].year, 2011);
  // A file gives its own year; several years need the folder.
  auto one = ReadWiodYears(dir + "/wiot2011.csv.gz", {});
  ASSERT_TRUE(one.ok()) << one.status().message();
  EXPECT_EQ(one->front().year, 2011);
  EXPECT_FALSE(ReadWiodYears(dir + "/wiot2011.csv.gz", {2010, 2011}).ok());
  // A folder without wiotYYYY files.
  const auto empty = std::filesystem::temp_directory_path() / "rebalance_no_wiod";
  std::filesystem::create_directories(empty);
  auto none = ReadWiodYears(empty.string(), {});
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.status().code(), StatusCode::kNotFound);
  EXPECT_THAT(none.status().message(), HasSubstr("no wiotYYYY.csv.gz files"));
}

}  // namespace
}  // namespace rebalance::io_tables
