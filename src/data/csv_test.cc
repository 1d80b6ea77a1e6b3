#include "rebalance/data/csv.h"

#include <cmath>
#include <string>

#include <gtest/gtest.h>

namespace rebalance::data {
namespace {

TEST(Csv, InfersTypesAndMissing) {
  auto t = ParseCsv("a,b,c\n1,2.5,x\n2,NA,y\n,3,x\n", "mem.csv");
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  ASSERT_EQ(t->num_rows(), 3);
  const Column& a = t->columns()[0];
  EXPECT_EQ(a.type, ColumnType::kI64);
  EXPECT_TRUE(a.IsMissing(2));
  EXPECT_FALSE(a.IsMissing(0));
  const Column& b = t->columns()[1];
  EXPECT_EQ(b.type, ColumnType::kF64);
  EXPECT_TRUE(b.IsMissing(1));
  EXPECT_DOUBLE_EQ(b.f64[2], 3.0);
  const Column& c = t->columns()[2];
  EXPECT_EQ(c.type, ColumnType::kString);
  EXPECT_EQ(c.codes[0], c.codes[2]);
  EXPECT_EQ(c.dictionary.size(), 2u);
}

TEST(Csv, QuotedFieldsAndCrlf) {
  auto t = ParseCsv("name,v\r\n\"a, b\",1\r\n\"say \"\"hi\"\"\",2\r\n", "q.csv");
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ(t->columns()[0].CellText(0), "a, b");
  EXPECT_EQ(t->columns()[0].CellText(1), "say \"hi\"");
  EXPECT_EQ(t->columns()[1].i64[1], 2);
}

TEST(Csv, TextInNumericColumnNamesLineAndColumn) {
  std::string text = "x,y\n";
  for (int i = 0; i < 20; ++i) text += std::to_string(i) + ",1\n";
  text += "5,abc\n";
  CsvOptions opt;
  opt.infer_rows = 10;
  auto t = ParseCsv(text, "data.csv", opt);
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.status().code(), StatusCode::kParseError);
  EXPECT_NE(t.status().message().find("data.csv:22:2"), std::string::npos) << t.status().message();
  EXPECT_NE(t.status().message().find("expected a number"), std::string::npos);
  EXPECT_NE(t.status().message().find("'abc'"), std::string::npos);
}

TEST(Csv, BadHeaderIsAnError) {
  auto dup = ParseCsv("a,b,a\n1,2,3\n", "h.csv");
  ASSERT_FALSE(dup.ok());
  EXPECT_NE(dup.status().message().find("duplicate column name 'a'"), std::string::npos);
  auto empty = ParseCsv("a,,c\n1,2,3\n", "h.csv");
  ASSERT_FALSE(empty.ok());
  EXPECT_NE(empty.status().message().find("h.csv:1:2"), std::string::npos);
}

TEST(Csv, WrongFieldCount) {
  auto t = ParseCsv("a,b\n1,2\n3\n", "f.csv");
  ASSERT_FALSE(t.ok());
  EXPECT_NE(t.status().message().find("f.csv:3"), std::string::npos);
  EXPECT_NE(t.status().message().find("expected 2 fields"), std::string::npos);
}

TEST(Csv, MissingFileIsNotFound) {
  auto t = ReadCsv("/nonexistent/trade.csv");
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.status().code(), StatusCode::kNotFound);
  EXPECT_NE(t.status().message().find("/nonexistent/trade.csv"), std::string::npos);
}

TEST(Csv, SelectUnknownColumnSuggests) {
  CsvOptions opt;
  opt.select = {"trad"};
  auto t = ParseCsv("trade,dist\n1,2\n", "s.csv", opt);
  ASSERT_FALSE(t.ok());
  EXPECT_NE(t.status().message().find("did you mean 'trade'"), std::string::npos);
}

TEST(Csv, IntegerColumnPromotedToFloatLater) {
  std::string text = "v\n";
  for (int i = 0; i < 5; ++i) text += "1\n";
  text += "2.5\n";
  CsvOptions opt;
  opt.infer_rows = 2;
  auto t = ParseCsv(text, "p.csv", opt);
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->columns()[0].type, ColumnType::kF64);
  EXPECT_DOUBLE_EQ(t->columns()[0].f64[5], 2.5);
}

TEST(Csv, ParallelParseMatchesSerial) {
  std::string text = "id,v,s\n";
  for (int i = 0; i < 200000; ++i) {
    text +=
        std::to_string(i) + "," + std::to_string(i * 0.5) + ",c" + std::to_string(i % 37) + "\n";
  }
  CsvOptions one, many;
  one.threads = 1;
  many.threads = 4;
  auto a = ParseCsv(text, "p.csv", one);
  auto b = ParseCsv(text, "p.csv", many);
  ASSERT_TRUE(a.ok() && b.ok());
  ASSERT_EQ(a->num_rows(), 200000);
  ASSERT_EQ(b->num_rows(), 200000);
  EXPECT_EQ(a->columns()[0].i64, b->columns()[0].i64);
  EXPECT_EQ(a->columns()[1].f64, b->columns()[1].f64);
  EXPECT_EQ(a->columns()[2].codes, b->columns()[2].codes);
  EXPECT_EQ(a->columns()[2].dictionary, b->columns()[2].dictionary);
}

TEST(Csv, ReadsGzipYotovData) {
  const std::string path =
      std::string(REBALANCE_DATA_DIR) + "/yotov2016_agtpa/agtpa_applications.csv.gz";
  auto t = ReadCsv(path);
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ(t->num_rows(), 99981);
  auto exporter = t->GetColumn("exporter");
  ASSERT_TRUE(exporter.ok());
  EXPECT_EQ((*exporter)->type, ColumnType::kString);
  EXPECT_EQ((*exporter)->dictionary.size(), 69u);
}

// Issue 15: labels must be UTF-8 (the JSON writers and the HTML report need
// it); a field that is not is an error with file, line and column.
TEST(Csv, LabelThatIsNotUtf8IsAnErrorWithThePlace) {
  auto t = ParseCsv("country,v\nUSA,1\nC\xf4te d'Ivoire,2\n", "latin1.csv");
  ASSERT_FALSE(t.ok());
  EXPECT_NE(t.status().message().find("latin1.csv:3:1"), std::string::npos) << t.status().message();
  EXPECT_NE(t.status().message().find("not valid UTF-8"), std::string::npos);
  EXPECT_NE(t.status().message().find("\\xf4"), std::string::npos) << "raw byte echoed";
  auto h = ParseCsv("a,\xff\xfe\n1,2\n", "bin.csv");
  ASSERT_FALSE(h.ok());
  EXPECT_NE(h.status().message().find("bin.csv:1:2"), std::string::npos) << h.status().message();
  // Well-formed UTF-8 is kept byte for byte.
  auto ok = ParseCsv("country,v\nC\xc3\xb4te d'Ivoire,2\n", "utf8.csv");
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  EXPECT_EQ(ok->columns()[0].CellText(0), "C\xc3\xb4te d'Ivoire");
}

// Issue 15: a number beyond the range of double was read as 0.
TEST(Csv, OverflowingNumberIsInfiniteNotZero) {
  auto t = ParseCsv("x\n1.5\n1e999\n-1e999\n1e-999\n", "big.csv");
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  const Column& x = t->columns()[0];
  ASSERT_EQ(x.type, ColumnType::kF64);
  EXPECT_TRUE(std::isinf(x.f64[1]) && x.f64[1] > 0);
  EXPECT_TRUE(std::isinf(x.f64[2]) && x.f64[2] < 0);
  EXPECT_EQ(x.f64[3], 0.0);
}

// Issue 15: a message that quotes a binary cell escapes its bytes.
TEST(Csv, MessagesQuotingCellsArePrintable) {
  CsvOptions opt;
  opt.types = {{"y", ColumnType::kF64}};
  auto t = ParseCsv("x,y\n1,2\n3,\x01\x02\x1b[2J\n", "ctl.csv", opt);
  ASSERT_FALSE(t.ok());
  const std::string& m = t.status().message();
  for (char c : m) EXPECT_FALSE(static_cast<unsigned char>(c) < 0x20 && c != '\n') << m;
  EXPECT_NE(m.find("\\x1b"), std::string::npos) << m;
}

}  // namespace
}  // namespace rebalance::data
