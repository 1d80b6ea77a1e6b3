#include "rebalance/data/csv.h"

#include <bit>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

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

// Issue 20: the reader's fused loop reads a number as it finds the field
// (digits by a loop, others by std::from_chars from the field start, taken
// only when the number ends at the delimiter); every value must be the
// double std::from_chars gives for the whole cell, bit for bit (random
// decimals of 2-30 digits with 1-20 after the point, signs, exact halfway
// cases between two doubles, and exact expansions of doubles), in f64
// and in i64-inferred-then-promoted columns, with 1 and 2 threads.
TEST(Csv, DecimalsReadExactlyAsFromCharsReadsThem) {
  std::mt19937_64 rng(20261206);
  std::vector<std::string> cells = {"0.5",
                                    "-0.0",
                                    "0.0",
                                    "1.0",
                                    "9007199254740993.0",
                                    "0.1",
                                    "0.30000000000000004",
                                    "1.7976931348623157",
                                    "9999999999999999999.9",
                                    "0.0000000000000000001",
                                    "4503599627370496.5",
                                    "4503599627370497.5",
                                    "2.2250738585072014",
                                    "123456789012345678.9"};
  // Exact decimal expansions of doubles and of midpoints between neighbours.
  for (int i = 0; i < 2000; ++i) {
    const double v = std::ldexp(static_cast<double>(rng() >> 11), -static_cast<int>(rng() % 60));
    char buf[64];
    auto r = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::fixed, 17);
    cells.emplace_back(buf, r.ptr);
    // Exact midpoints between neighbouring doubles (ties to even): odd
    // integers in [2^53, 2^54), and x.5 for x in [2^52, 2^53).
    const uint64_t big = (uint64_t{1} << 53) + (rng() >> 12);
    cells.push_back(std::to_string(big | 1) + ".0");
    cells.push_back(std::to_string((uint64_t{1} << 52) + (rng() >> 12)) + ".50");
  }
  for (int i = 0; i < 200000; ++i) {
    const int int_digits = 1 + static_cast<int>(rng() % 10);
    const int frac_digits = 1 + static_cast<int>(rng() % 20);
    std::string s = (rng() % 4 == 0) ? "-" : "";
    for (int d = 0; d < int_digits; ++d) s += static_cast<char>('0' + rng() % 10);
    s += '.';
    for (int d = 0; d < frac_digits; ++d) s += static_cast<char>('0' + rng() % 10);
    cells.push_back(s);
  }
  std::string text = "x,y\n";
  for (size_t i = 0; i < cells.size(); ++i) text += std::to_string(i) + "," + cells[i] + "\n";
  for (int threads : {1, 2}) {
    CsvOptions opt;
    opt.threads = threads;
    auto t = ParseCsv(text, "dec.csv", opt);
    ASSERT_TRUE(t.ok()) << t.status().ToString();
    const Column& y = t->columns()[1];
    ASSERT_EQ(y.type, ColumnType::kF64);
    ASSERT_EQ(y.f64.size(), cells.size());
    int mismatches = 0;
    for (size_t i = 0; i < cells.size(); ++i) {
      double want = 0;
      const auto [p, ec] =
          std::from_chars(cells[i].data(), cells[i].data() + cells[i].size(), want);
      ASSERT_TRUE(ec == std::errc() && p == cells[i].data() + cells[i].size()) << cells[i];
      if (std::bit_cast<uint64_t>(y.f64[i]) != std::bit_cast<uint64_t>(want) && ++mismatches < 10)
        ADD_FAILURE() << cells[i] << ": read " << y.f64[i] << ", from_chars " << want;
    }
    EXPECT_EQ(mismatches, 0);
  }
}

}  // namespace
}  // namespace rebalance::data
