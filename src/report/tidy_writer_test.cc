#include "rebalance/report/tidy_writer.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <limits>

#include "rebalance/data/csv.h"

namespace rebalance::report {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

bool SameBits(double a, double b) { return std::memcmp(&a, &b, sizeof a) == 0; }

// Splits one CSV line that has no quoted fields.
std::vector<std::string> SplitPlain(const std::string& line) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (true) {
    std::size_t comma = line.find(',', start);
    out.push_back(line.substr(start, comma - start));
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return out;
}

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t nl = text.find('\n', start);
    out.push_back(text.substr(start, nl - start));
    start = nl + 1;
  }
  return out;
}

class TempDir {
 public:
  TempDir() {
    path_ = std::filesystem::temp_directory_path() /
            ("rebalance_tidy_writer_test_" + std::to_string(::getpid()));
    std::filesystem::create_directories(path_);
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  std::string File(const std::string& name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

TEST(TidyCsvTest, HeaderAndPlainRow) {
  ge::TidyTable t;
  t.Add("s1", "USA", "", "", "welfare", 2.0, 2.5);
  ge::AssignUnits(&t, "million USD");
  auto csv = FormatTidyCsv(t);
  ASSERT_TRUE(csv.ok()) << csv.status().ToString();
  EXPECT_EQ(*csv,
            "scenario,country,partner,sector,variable,unit,baseline,counterfactual,"
            "pct_change\n"
            "s1,USA,,,welfare,million USD,2,2.5,25\n");
}

TEST(TidyCsvTest, QuotesFieldsPerRfc4180AndReadsBack) {
  ge::TidyTable t;
  t.Add("tariffs, \"high\"", "Korea, Rep.", "CHN", "Metals", "output", 1.0, 1.5);
  auto csv = FormatTidyCsv(t);
  ASSERT_TRUE(csv.ok());
  EXPECT_NE(csv->find("\"tariffs, \"\"high\"\"\",\"Korea, "
                      "Rep.\",CHN,Metals,output,,1,1.5,50\n"),
            std::string::npos)
      << *csv;
  // The project's own reader recovers every field.
  auto table = data::ParseCsv(*csv, "<memory>");
  ASSERT_TRUE(table.ok()) << table.status().ToString();
  ASSERT_EQ(table->num_rows(), 1);
  EXPECT_EQ((*table->GetColumn("scenario"))->CellText(0), "tariffs, \"high\"");
  EXPECT_EQ((*table->GetColumn("country"))->CellText(0), "Korea, Rep.");
  EXPECT_EQ((*table->GetColumn("sector"))->CellText(0), "Metals");
  EXPECT_DOUBLE_EQ((*table->GetColumn("pct_change"))->AsDouble(0), 50.0);
}

TEST(TidyCsvTest, DoublesRoundTripExactly) {
  const std::vector<double> values = {
      0.1,      1.0 / 3.0, 2.0 / 3.0 * 1e-300,     123456789.123456789,
      -7.0e-12, 5e-324,    1.2345678901234567e300, std::nextafter(1.0, 2.0),
      -0.0};
  ge::TidyTable t;
  for (double v : values) t.Add("s", "c", "", "", "x", v, v * 0.75);
  auto csv = FormatTidyCsv(t);
  ASSERT_TRUE(csv.ok()) << csv.status().ToString();
  auto lines = Lines(*csv);
  ASSERT_EQ(lines.size(), values.size() + 1);
  auto json = TidyToJson(t);
  ASSERT_TRUE(json.ok());
  const auto reparsed = nlohmann::json::parse(json->dump());
  for (std::size_t i = 0; i < values.size(); ++i) {
    auto cells = SplitPlain(lines[i + 1]);
    ASSERT_EQ(cells.size(), 9u);
    const ge::TidyRow& r = t.rows[i];
    EXPECT_TRUE(SameBits(std::strtod(cells[6].c_str(), nullptr), r.baseline)) << cells[6];
    EXPECT_TRUE(SameBits(std::strtod(cells[7].c_str(), nullptr), r.counterfactual)) << cells[7];
    if (!std::isnan(r.pct_change)) {
      EXPECT_TRUE(SameBits(std::strtod(cells[8].c_str(), nullptr), r.pct_change)) << cells[8];
      EXPECT_TRUE(SameBits(reparsed[i]["pct_change"].get<double>(), r.pct_change));
    }
    EXPECT_TRUE(SameBits(reparsed[i]["baseline"].get<double>(), r.baseline));
    EXPECT_TRUE(SameBits(reparsed[i]["counterfactual"].get<double>(), r.counterfactual));
  }
}

TEST(TidyCsvTest, UndefinedPctChangeIsEmptyCellAndJsonNull) {
  ge::TidyTable t;
  t.Add("s", "CHN", "", "", "trade_balance", 0.0, 5.0);  // zero baseline
  t.Add("s", "USA", "", "", "trade_balance", 0.0, 0.0);  // 0 -> 0 is 0 %
  ASSERT_TRUE(std::isnan(t.rows[0].pct_change));
  auto csv = FormatTidyCsv(t);
  ASSERT_TRUE(csv.ok()) << csv.status().ToString();
  auto lines = Lines(*csv);
  EXPECT_EQ(lines[1], "s,CHN,,,trade_balance,,0,5,");
  EXPECT_EQ(lines[2], "s,USA,,,trade_balance,,0,0,0");
  auto json = TidyToJson(t);
  ASSERT_TRUE(json.ok());
  EXPECT_TRUE((*json)[0]["pct_change"].is_null());
  EXPECT_EQ((*json)[1]["pct_change"].get<double>(), 0.0);
  // Keys in CSV column order.
  std::vector<std::string> keys;
  for (auto it = (*json)[0].begin(); it != (*json)[0].end(); ++it) keys.push_back(it.key());
  EXPECT_EQ(keys, (std::vector<std::string>{"scenario", "country", "partner", "sector", "variable",
                                            "unit", "baseline", "counterfactual", "pct_change"}));
}

TEST(TidyCsvTest, RefusesNonFiniteValuesNamingTheRow) {
  ge::TidyTable t;
  t.Add("s", "USA", "", "", "welfare", 1.0, 1.1);
  t.Add("s", "DEU", "", "Mining", "output", 1.0, kInf);
  auto csv = FormatTidyCsv(t);
  ASSERT_FALSE(csv.ok());
  EXPECT_EQ(csv.status().code(), StatusCode::kNumericalError);
  const std::string& m = csv.status().message();
  EXPECT_NE(m.find("row 2"), std::string::npos) << m;
  EXPECT_NE(m.find("'output'"), std::string::npos) << m;
  EXPECT_NE(m.find("'DEU'"), std::string::npos) << m;
  EXPECT_NE(m.find("'Mining'"), std::string::npos) << m;
  EXPECT_NE(m.find("counterfactual"), std::string::npos) << m;

  ge::TidyTable nan_base;
  nan_base.Add("s", "JPN", "", "", "real_wage", kNaN, 1.0);
  auto j = TidyToJson(nan_base);
  ASSERT_FALSE(j.ok());
  EXPECT_NE(j.status().message().find("baseline is nan"), std::string::npos)
      << j.status().message();

  // NaN pct_change is only legal for a zero baseline.
  ge::TidyTable bad_pct;
  bad_pct.rows.push_back({"s", "MEX", "", "", "welfare", 2.0, 3.0, kNaN});
  auto b = FormatTidyCsv(bad_pct);
  ASSERT_FALSE(b.ok());
  EXPECT_NE(b.status().message().find("reserved for a zero baseline"), std::string::npos);

  ge::TidyTable inf_pct;
  inf_pct.rows.push_back({"s", "MEX", "", "", "welfare", 2.0, 3.0, -kInf});
  EXPECT_FALSE(FormatTidyCsv(inf_pct).ok());
}

TEST(TidyCsvTest, RefusesLineBreaksInLabels) {
  // The project's CSV reader (and many others) cannot read a quoted field
  // spanning lines, so a label with a line break is an error, not a file.
  ge::TidyTable t;
  t.Add("s", "USA", "", "Line\nbreak", "output", 1.0, 1.5);
  auto csv = FormatTidyCsv(t);
  ASSERT_FALSE(csv.ok());
  EXPECT_NE(csv.status().message().find("row 1"), std::string::npos);
  EXPECT_NE(csv.status().message().find("sector"), std::string::npos);
  EXPECT_NE(csv.status().message().find("line break"), std::string::npos);
}

TEST(TidyCsvTest, BandColumns) {
  ge::TidyTable t;
  t.Add("s", "USA", "", "", "welfare", 1.0, 0.99);
  t.Add("s", "CHN", "", "", "welfare", 1.0, 0.98);
  BandTable bands;
  bands.by_row[1] = Band{-2.0, 0.25, -2.5, -2.0, -1.5};
  auto csv = FormatTidyCsv(t, &bands);
  ASSERT_TRUE(csv.ok()) << csv.status().ToString();
  auto lines = Lines(*csv);
  EXPECT_EQ(lines[0],
            "scenario,country,partner,sector,variable,unit,baseline,counterfactual,"
            "pct_change,"
            "mean,sd,p05,p50,p95");
  EXPECT_EQ(SplitPlain(lines[1]).size(), 14u);
  EXPECT_EQ(lines[1].substr(lines[1].size() - 5), ",,,,,");
  EXPECT_EQ(lines[2].substr(lines[2].find(",-2,")), ",-2,0.25,-2.5,-2,-1.5");
  auto json = TidyToJson(t, &bands);
  ASSERT_TRUE(json.ok());
  EXPECT_TRUE((*json)[0]["p95"].is_null());
  EXPECT_EQ((*json)[1]["sd"].get<double>(), 0.25);

  // An empty BandTable adds no columns.
  BandTable none;
  auto plain = FormatTidyCsv(t, &none);
  ASSERT_TRUE(plain.ok());
  EXPECT_EQ(Lines(*plain)[0].find("mean"), std::string::npos);
}

TEST(TidyCsvTest, BandErrors) {
  ge::TidyTable t;
  t.Add("s", "USA", "", "", "welfare", 1.0, 0.99);
  BandTable out_of_range;
  out_of_range.by_row[3] = Band{};
  auto a = FormatTidyCsv(t, &out_of_range);
  ASSERT_FALSE(a.ok());
  EXPECT_NE(a.status().message().find("band for row 4"), std::string::npos);

  BandTable nan_band;
  nan_band.by_row[0] = Band{0.0, kNaN, 0.0, 0.0, 0.0};
  auto b = TidyToJson(t, &nan_band);
  ASSERT_FALSE(b.ok());
  EXPECT_NE(b.status().message().find("band sd"), std::string::npos) << b.status().message();
  EXPECT_NE(b.status().message().find("'USA'"), std::string::npos);

  BandTable unordered;
  unordered.by_row[0] = Band{0.0, 1.0, 1.0, 0.0, 2.0};
  auto c = FormatTidyCsv(t, &unordered);
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find("out of order"), std::string::npos);
}

TEST(TidyFileTest, WritesAtomicallyAndRespectsForce) {
  TempDir dir;
  ge::TidyTable t;
  t.Add("s", "USA", "", "", "welfare", 1.0, 1.01);
  const std::string csv_path = dir.File("results.csv");
  const std::string json_path = dir.File("results.json");
  ASSERT_TRUE(WriteTidyCsv(t, csv_path, false).ok());
  ASSERT_TRUE(WriteTidyJson(t, json_path, false).ok());
  auto csv_text = data::ReadFileToString(csv_path);
  ASSERT_TRUE(csv_text.ok());
  EXPECT_EQ(*csv_text, *FormatTidyCsv(t));
  auto json_text = data::ReadFileToString(json_path);
  ASSERT_TRUE(json_text.ok());
  EXPECT_EQ(nlohmann::json::parse(*json_text), nlohmann::json::parse(TidyToJson(t)->dump()));

  Status again = WriteTidyCsv(t, csv_path, false);
  EXPECT_FALSE(again.ok());
  // The library names its option (force), never a CLI flag.
  EXPECT_NE(again.message().find("pass force to overwrite it"), std::string::npos);
  EXPECT_EQ(again.options(), std::vector<std::string>{"force"});
  t.Add("s", "CHN", "", "", "welfare", 1.0, 1.02);
  ASSERT_TRUE(WriteTidyCsv(t, csv_path, true).ok());
  EXPECT_EQ(Lines(*data::ReadFileToString(csv_path)).size(), 3u);

  // An empty table is a valid, empty file of each kind.
  ASSERT_TRUE(WriteTidyJson(ge::TidyTable{}, dir.File("empty.json"), false).ok());
  EXPECT_EQ(nlohmann::json::parse(*data::ReadFileToString(dir.File("empty.json"))),
            nlohmann::json::array());
  std::filesystem::remove(dir.File("empty.json"));

  // A refused table leaves no file (and no temporary) behind.
  ge::TidyTable bad;
  bad.Add("s", "USA", "", "", "welfare", kNaN, 1.0);
  Status s = WriteTidyJson(bad, dir.File("bad.json"), false);
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("bad.json"), std::string::npos);
  int files = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir.File(""))) {
    (void)e;
    ++files;
  }
  EXPECT_EQ(files, 2);
}

// Issue 15: nlohmann's dump() threw on a label that is not UTF-8 (the CLI
// terminated). The readers reject such labels now; the writer, as a last
// line, replaces the bad bytes with U+FFFD.
TEST(TidyJson, InvalidUtf8LabelIsReplacedNotThrown) {
  TempDir dir;
  ge::TidyTable t;
  t.Add("s", "C\xf4te d'Ivoire", "", "", "welfare", 1.0, 1.01);
  const std::string path = dir.File("latin1.json");
  Status s = WriteTidyJson(t, path, false);
  ASSERT_TRUE(s.ok()) << s.ToString();
  auto text = data::ReadFileToString(path);
  ASSERT_TRUE(text.ok());
  EXPECT_NE(text->find("C\xef\xbf\xbdte d'Ivoire"), std::string::npos) << *text;
  EXPECT_TRUE(nlohmann::json::accept(*text));
}

}  // namespace
}  // namespace rebalance::report
