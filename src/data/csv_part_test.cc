// Reading a CSV file in parts (CsvOptions::part / parts, for distributed
// estimation): the parts concatenated equal the whole table for any number of
// parts, in memory, from a plain file (pread of the part only) and from gzip;
// types agree with a whole read after UnifyColumnTypes; error messages name
// the line of the whole file.
#include <zlib.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "rebalance/data/csv.h"

namespace rebalance::data {
namespace {

// A BOM, CRLF and LF line ends, blank lines, quoted fields with delimiters
// and doubled quotes, missing values, an integer column that turns float
// late (after the inference rows) and a text column.
std::string MakeText(int rows, uint32_t seed) {
  std::mt19937 rng(seed);
  std::string t = "\xEF\xBB\xBFid,name,x,late,code\n";
  for (int r = 0; r < rows; ++r) {
    if (rng() % 17 == 0) t += (rng() % 2) ? "\n" : "  \r\n";
    t += std::to_string(r) + ',';
    switch (rng() % 4) {
      case 0:
        t += "\"a, \"\"b\"\" " + std::to_string(rng() % 9) + '"';
        break;
      case 1:
        t += "NA";
        break;
      default:
        t += "n" + std::to_string(rng() % 13);
        break;
    }
    t += ',' + std::to_string(static_cast<double>(rng() % 100000) / 7.0) + ',';
    t += (r == rows - 3) ? std::string("2.5") : std::to_string(rng() % 50);
    t += ',' + ((rng() % 11 == 0) ? std::string("") : "c" + std::to_string(rng() % 5));
    t += (rng() % 3 == 0) ? "\r\n" : "\n";
  }
  return t;
}

std::vector<std::string> Cells(const Table& t, int64_t r) {
  std::vector<std::string> out;
  for (const auto& c : t.columns()) {
    out.push_back(c.IsMissing(r)                  ? "<NA>"
                  : c.type == ColumnType::kString ? c.CellText(r)
                                                  : std::to_string(c.AsDouble(r)));
  }
  return out;
}

// Reads every part with `read`, checks that the rows concatenate to `whole`
// and that the agreed types make every part's types equal to whole's.
template <typename Read>
void ExpectPartsMakeWhole(const Table& whole, int parts, Read read) {
  std::vector<Table> tables;
  std::vector<ColumnType> agreed(static_cast<size_t>(whole.num_columns()), ColumnType::kI64);
  for (int p = 0; p < parts; ++p) {
    Result<Table> t = read(p);
    ASSERT_TRUE(t.ok()) << "part " << p << " of " << parts << ": " << t.status().ToString();
    ASSERT_EQ(t->num_columns(), whole.num_columns());
    for (int c = 0; c < whole.num_columns(); ++c) {
      agreed[static_cast<size_t>(c)] =
          std::max(agreed[static_cast<size_t>(c)], t->columns()[static_cast<size_t>(c)].type,
                   [](ColumnType a, ColumnType b) {
                     auto rank = [](ColumnType x) {
                       return x == ColumnType::kI64 ? 0 : x == ColumnType::kF64 ? 1 : 2;
                     };
                     return rank(a) < rank(b);
                   });
    }
    tables.push_back(std::move(*t));
  }
  int64_t row = 0;
  for (int p = 0; p < parts; ++p) {
    Table& t = tables[static_cast<size_t>(p)];
    ASSERT_TRUE(UnifyColumnTypes(t, agreed).ok());
    for (int c = 0; c < whole.num_columns(); ++c) {
      EXPECT_EQ(t.columns()[static_cast<size_t>(c)].type,
                whole.columns()[static_cast<size_t>(c)].type)
          << "part " << p << " column " << c;
    }
    for (int64_t r = 0; r < t.num_rows(); ++r, ++row) {
      ASSERT_LT(row, whole.num_rows());
      ASSERT_EQ(Cells(t, r), Cells(whole, row)) << "part " << p << " of " << parts << ", row " << r;
    }
  }
  EXPECT_EQ(row, whole.num_rows()) << parts << " parts";
}

std::string TempPath(const std::string& name) {
  return (std::filesystem::temp_directory_path() / (name + "." + std::to_string(::getpid())))
      .string();
}

void WriteFile(const std::string& path, const std::string& text) {
  FILE* f = std::fopen(path.c_str(), "wb");
  ASSERT_NE(f, nullptr);
  ASSERT_EQ(std::fwrite(text.data(), 1, text.size(), f), text.size());
  std::fclose(f);
}

void WriteGzip(const std::string& path, const std::string& text) {
  gzFile gz = gzopen(path.c_str(), "wb");
  ASSERT_NE(gz, nullptr);
  ASSERT_EQ(gzwrite(gz, text.data(), static_cast<unsigned>(text.size())),
            static_cast<int>(text.size()));
  gzclose(gz);
}

TEST(CsvParts, InMemoryPartsMakeTheWholeTable) {
  const std::string text = MakeText(300, 1);
  CsvOptions opt;
  opt.infer_rows = 50;  // `late` is inferred integer, promoted by row 297
  auto whole = ParseCsv(text, "mem.csv", opt);
  ASSERT_TRUE(whole.ok()) << whole.status().ToString();
  ASSERT_EQ(whole->num_rows(), 300);
  EXPECT_EQ(whole->columns()[3].type, ColumnType::kF64);
  for (int parts : {1, 2, 3, 4, 7, 16, 299, 300, 301, 1000}) {
    ExpectPartsMakeWhole(*whole, parts, [&](int p) {
      CsvOptions o = opt;
      o.part = p;
      o.parts = parts;
      return ParseCsv(text, "mem.csv", o);
    });
  }
}

TEST(CsvParts, FilePartsMakeTheWholeTablePlainAndGzip) {
  // Over 1 MB, with more inference rows than the first MB holds, so the
  // head of a plain file is read in several steps.
  const std::string text = MakeText(40000, 2);
  const std::string plain = TempPath("rb_parts.csv"), gz = TempPath("rb_parts.csv.gz");
  WriteFile(plain, text);
  WriteGzip(gz, text);
  CsvOptions opt;
  opt.infer_rows = 36000;
  opt.threads = 3;
  auto whole = ReadCsv(plain, opt);
  ASSERT_TRUE(whole.ok()) << whole.status().ToString();
  ASSERT_EQ(whole->num_rows(), 40000);
  for (const std::string& path : {plain, gz}) {
    for (int parts : {2, 3, 8}) {
      ExpectPartsMakeWhole(*whole, parts, [&](int p) {
        CsvOptions o = opt;
        o.part = p;
        o.parts = parts;
        return ReadCsv(path, o);
      });
    }
  }
  std::remove(plain.c_str());
  std::remove(gz.c_str());
}

TEST(CsvParts, TypesComeFromTheFirstRowsOfTheFile) {
  // `id` is text in the first rows only: every part reads it as text, even a
  // part whose own rows are all numbers.
  std::string text = "id,v\nA1,1\n";
  for (int r = 0; r < 200; ++r) text += std::to_string(r) + "," + std::to_string(r) + "\n";
  for (int parts : {2, 5}) {
    CsvOptions o;
    o.part = parts - 1;
    o.parts = parts;
    auto t = ParseCsv(text, "mem.csv", o);
    ASSERT_TRUE(t.ok());
    EXPECT_EQ(t->columns()[0].type, ColumnType::kString);
    EXPECT_EQ(t->columns()[1].type, ColumnType::kI64);
  }
  // A type forced by the caller holds in every part.
  CsvOptions o;
  o.types["v"] = ColumnType::kF64;
  o.part = 1;
  o.parts = 2;
  auto t = ParseCsv(text, "mem.csv", o);
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->columns()[1].type, ColumnType::kF64);
  // Only i64 -> f64 is a valid agreement.
  std::vector<ColumnType> bad = {ColumnType::kI64, ColumnType::kF64};
  EXPECT_FALSE(UnifyColumnTypes(*t, bad).ok());
}

// The error of a bad cell on file line `line` (1-based), read as part `p`.
void ExpectErrorLine(const std::string& path, const std::string& text, int parts, int line,
                     const std::string& what) {
  bool seen = false;
  for (int p = 0; p < parts; ++p) {
    CsvOptions o;
    o.infer_rows = 5;
    o.part = p;
    o.parts = parts;
    auto t = path.empty() ? ParseCsv(text, "mem.csv", o) : ReadCsv(path, o);
    if (t.ok()) continue;
    EXPECT_FALSE(seen) << "two parts report the error";
    seen = true;
    const std::string where =
        (path.empty() ? std::string("mem.csv") : path) + ":" + std::to_string(line) + ":";
    EXPECT_NE(t.status().message().find(where), std::string::npos)
        << parts << " parts, part " << p << ": " << t.status().message();
    EXPECT_NE(t.status().message().find(what), std::string::npos) << t.status().message();
  }
  EXPECT_TRUE(seen) << parts << " parts: no part reported the error";
}

TEST(CsvParts, ErrorsNameTheLineOfTheWholeFile) {
  std::string text = "x,y\n";
  int line = 1;
  for (int i = 0; i < 5000; ++i) {
    text += std::to_string(i) + ",1\n";
    ++line;
    if (i % 100 == 0) {
      text += "\n";  // blank lines count as lines
      ++line;
    }
  }
  const std::string tail_ok = "7,2\n8,3\n";
  const std::string bad_number = text + "5,abc\n" + tail_ok;
  const std::string bad_quote = text + "5,\"open\n" + tail_ok;
  const int bad_line = line + 1;
  const std::string plain = TempPath("rb_parts_err.csv"), gz = TempPath("rb_parts_err.csv.gz");
  for (int parts : {1, 2, 3, 7}) {
    ExpectErrorLine("", bad_number, parts, bad_line, "expected a number");
    ExpectErrorLine("", bad_quote, parts, bad_line, "unterminated quoted field");
    WriteFile(plain, bad_number);
    ExpectErrorLine(plain, bad_number, parts, bad_line, "expected a number");
    WriteGzip(gz, bad_quote);
    ExpectErrorLine(gz, bad_quote, parts, bad_line, "unterminated quoted field");
  }
  std::remove(plain.c_str());
  std::remove(gz.c_str());
}

TEST(CsvParts, InvalidPartIsRejected) {
  CsvOptions o;
  o.part = 2;
  o.parts = 2;
  EXPECT_FALSE(ParseCsv("a\n1\n", "mem.csv", o).ok());
  o.part = 0;
  o.parts = 0;
  EXPECT_FALSE(o.Validate().ok());
}

}  // namespace
}  // namespace rebalance::data
