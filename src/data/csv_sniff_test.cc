#include "rebalance/data/csv_sniff.h"

#include <gtest/gtest.h>
#include <zlib.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include "rebalance/data/csv.h"

namespace rebalance::data {
namespace {

TEST(CsvSniff, ParsesSeparatorOptions) {
  EXPECT_EQ(*ParseSeparator("auto"), '\0');
  EXPECT_EQ(*ParseSeparator(""), '\0');
  EXPECT_EQ(*ParseSeparator(","), ',');
  EXPECT_EQ(*ParseSeparator("semicolon"), ';');
  EXPECT_EQ(*ParseSeparator(";"), ';');
  EXPECT_EQ(*ParseSeparator("tab"), '\t');
  EXPECT_EQ(*ParseSeparator("\\t"), '\t');
  EXPECT_EQ(*ParseSeparator("\t"), '\t');
  EXPECT_EQ(*ParseSeparator("|"), '|');
  auto bad = ParseSeparator(":");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(bad.status().message().find("separator ':'"), std::string::npos);
}

TEST(CsvSniff, DetectsTheSeparatorOfTheHeader) {
  EXPECT_EQ(DetectSeparator("exporter,importer,trade"), ',');
  EXPECT_EQ(DetectSeparator("exporter;importer;pair_id;trade"), ';');
  EXPECT_EQ(DetectSeparator("exporter\timporter\ttrade\r"), '\t');
  EXPECT_EQ(DetectSeparator("a|b|c"), '|');
  EXPECT_EQ(DetectSeparator("\xEF\xBB\xBF"
                            "a;b"),
            ';');                            // BOM ignored
  EXPECT_EQ(DetectSeparator("trade"), ',');  // one column
  // Inside quotes a candidate does not count: two ';' fields, one quoted ','.
  EXPECT_EQ(DetectSeparator("\"a,b,c\";x;y"), ';');
  // Ties go to the earlier candidate (',' before ';').
  EXPECT_EQ(DetectSeparator("a;b,c"), ',');
}

TEST(CsvSniff, RefusesAOneColumnHeaderHoldingAnotherSeparator) {
  auto st = CheckHeaderSeparator("exporter;importer;trade", ',', "flows.csv");
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(st.message().find("flows.csv: line 1: the header 'exporter;importer;trade' has no ','"),
            std::string::npos)
      << st.message();
  EXPECT_NE(st.message().find("looks ';'-separated"), std::string::npos) << st.message();
  EXPECT_TRUE(CheckHeaderSeparator("trade", ',', "f").ok());  // one column, nothing else
  EXPECT_TRUE(CheckHeaderSeparator("a;b,c", ',', "f").ok());  // ',' present
  EXPECT_FALSE(CheckHeaderSeparator("a,b", '\t', "f").ok());
}

class CsvSniffFiles : public ::testing::Test {
 protected:
  std::filesystem::path dir_ =
      std::filesystem::temp_directory_path() / ("rebalance_sniff_" + std::to_string(::getpid()));
  void SetUp() override { std::filesystem::create_directories(dir_); }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string Write(const std::string& name, const std::string& text) {
    const std::string p = (dir_ / name).string();
    std::ofstream(p, std::ios::binary) << text;
    return p;
  }
};

TEST_F(CsvSniffFiles, ResolvesAndReadsSemicolonTabAndGzipFiles) {
  const std::string comma = Write("c.csv", "a,b\n1,2.5\n3,4\n");
  const std::string semi = Write("s.csv",
                                 "\xEF\xBB\xBF"
                                 "a;b\r\n1;2.5\r\n3;4\r\n");
  const std::string tab = Write("t.tsv", "a\tb\n1\t2.5\n3\t4\n");
  const std::string gz = (dir_ / "s.csv.gz").string();
  {
    gzFile f = gzopen(gz.c_str(), "wb");
    const std::string text = "a|b\n1|2.5\n3|4\n";
    gzwrite(f, text.data(), static_cast<unsigned>(text.size()));
    gzclose(f);
  }
  auto header = ReadHeaderLine(semi);
  ASSERT_TRUE(header.ok()) << header.status().ToString();
  EXPECT_EQ(*header,
            "\xEF\xBB\xBF"
            "a;b");
  const auto want = ReadCsv(comma);
  ASSERT_TRUE(want.ok()) << want.status().ToString();
  for (const auto& [path, sep] : std::vector<std::pair<std::string, char>>{
           {comma, ','}, {semi, ';'}, {tab, '\t'}, {gz, '|'}}) {
    auto resolved = ResolveSeparator(path, "auto");
    ASSERT_TRUE(resolved.ok()) << path << ": " << resolved.status().ToString();
    EXPECT_EQ(*resolved, sep) << path;
    CsvOptions opt;
    opt.delimiter = *resolved;
    auto t = ReadCsv(path, opt);
    ASSERT_TRUE(t.ok()) << path << ": " << t.status().ToString();
    ASSERT_EQ(t->num_columns(), 2) << path;
    for (int c = 0; c < 2; ++c) {
      EXPECT_EQ(t->columns()[c].name, want->columns()[c].name) << path;
      for (int64_t r = 0; r < 2; ++r) {
        EXPECT_EQ(t->columns()[c].AsDouble(r), want->columns()[c].AsDouble(r)) << path;
      }
    }
  }
  auto refused = ResolveSeparator(semi, ",");
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.status().message().find("looks ';'-separated"), std::string::npos);
  // A path that is not a readable regular file is left to the reader.
  auto missing = ResolveSeparator((dir_ / "nope.csv").string(), "auto");
  ASSERT_TRUE(missing.ok());
  EXPECT_EQ(*missing, ',');
  auto dir = ResolveSeparator(dir_.string(), ";");
  ASSERT_TRUE(dir.ok());
  EXPECT_EQ(*dir, ';');
  EXPECT_EQ(ReadHeaderLine((dir_ / "nope.csv").string()).status().code(), StatusCode::kIoError);
}

}  // namespace
}  // namespace rebalance::data
