// Readers, validation and aggregation of IoTable.
#include "rebalance/io_tables/io_table.h"

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace rebalance::io_tables {
namespace {

using ::testing::HasSubstr;

const std::string kData = REBALANCE_DATA_DIR;
const std::string kSource = REBALANCE_SOURCE_DIR;
const std::string kLeather = kData + "/decompr_leather_example/leather_icio.csv";
const std::string kIcio = kSource + "/tests/golden/icio_small/icio_small.csv";

std::string TempFile(const std::string& name, const std::string& text) {
  const auto dir = std::filesystem::temp_directory_path() / "rebalance_io_test";
  std::filesystem::create_directories(dir);
  const std::string path = (dir / name).string();
  std::ofstream(path) << text;
  return path;
}

std::string Slurp(const std::string& path) {
  std::ifstream in(path);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

const ValidationIssue* FindIssue(const ValidationReport& r, const std::string& check) {
  for (const auto& i : r.issues) {
    if (i.check == check) return &i;
  }
  return nullptr;
}

TEST(ReadDecompr, LeatherTable) {
  auto t = ReadDecompr(kLeather);
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ(t->countries, (std::vector<std::string>{"Argentina", "Turkey", "Germany"}));
  EXPECT_EQ(t->sectors, (std::vector<std::string>{"Agriculture", "Textile_and_Leather",
                                                  "Transport_Equipment"}));
  EXPECT_EQ(t->categories, std::vector<std::string>{"FD"});
  EXPECT_DOUBLE_EQ(t->z(0, 0), 16.1);
  EXPECT_DOUBLE_EQ(t->z(8, 8), 51.3);
  EXPECT_DOUBLE_EQ(t->f(3, 1), 29.5);  // Turkey.Agriculture -> FD.Turkey
  EXPECT_DOUBLE_EQ(t->x[0], 77.7);
  // v = x - column sums of Z: column 1 sums to 25.4.
  EXPECT_NEAR(t->v[0], 77.7 - 25.4, 1e-12);
  EXPECT_FALSE(t->validation.HasErrors());
  EXPECT_LT(t->validation.row_balance_max_abs, 1e-12);
}

TEST(ReadIcio, SyntheticSmallTable) {
  auto t = ReadIcio(kIcio, 2020);
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ(t->countries, (std::vector<std::string>{"AUS", "CHN", "USA"}));
  EXPECT_EQ(t->sectors, (std::vector<std::string>{"A01_02", "C26", "G45T47"}));
  EXPECT_EQ(t->categories,
            (std::vector<std::string>{"HFCE", "NPISH", "GGFC", "GFCF", "INVNT", "DPABR"}));
  const double out[] = {261, 272, 272, 272, 279, 257, 268, 268, 268};
  const double va[] = {145, 150, 155, 152, 164, 136, 144, 149, 154};
  for (int j = 0; j < 9; ++j) {
    EXPECT_DOUBLE_EQ(t->x[j], out[j]);
    EXPECT_DOUBLE_EQ(t->v[j], va[j] + (j % 3) + 1) << j;  // v = VA + TLS
  }
  EXPECT_DOUBLE_EQ(t->f(4, 6 + 4), -3);  // CHN_C26 -> CHN_INVNT
  // Negative inventories are not reported; everything balances.
  EXPECT_TRUE(t->validation.issues.empty()) << t->validation.ToString();
}

TEST(ReadIcio, LabelMismatchIsAnError) {
  std::string text = Slurp(kIcio);
  const size_t p = text.find("USA_C26");
  text.replace(p, 7, "USA_C27");
  auto t = ReadIcio(TempFile("icio_bad_label.csv", text));
  ASSERT_FALSE(t.ok());
  EXPECT_THAT(t.status().message(), HasSubstr("label mismatch"));
  EXPECT_THAT(t.status().message(), HasSubstr("USA_C26"));
}

TEST(ReadIcio, WrongShapeIsAnError) {
  // Drop the last data row (USA_G45T47): the grid is incomplete.
  std::string text = Slurp(kIcio);
  const size_t p = text.find("\nUSA_G45T47,");
  const size_t e = text.find('\n', p + 1);
  text.erase(p, e - p);
  auto t = ReadIcio(TempFile("icio_bad_shape.csv", text));
  ASSERT_FALSE(t.ok());
  EXPECT_THAT(t.status().message(), HasSubstr("wrong shape"));
  EXPECT_THAT(t.status().message(), HasSubstr("USA_G45T47"));
}

TEST(ReadIcio, ColumnDiscrepancyIsAWarningWithSize) {
  std::string text = Slurp(kIcio);
  // Change VA of the first column from 145 to 140: OUT row no longer = Z + TLS + VA.
  const size_t p = text.find("\nVA,145,");
  text.replace(p, 8, "\nVA,140,");
  auto t = ReadIcio(TempFile("icio_bad_va.csv", text));
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  const ValidationIssue* i = FindIssue(t->validation, "column_balance");
  ASSERT_NE(i, nullptr) << t->validation.ToString();
  EXPECT_EQ(i->count, 1);
  EXPECT_DOUBLE_EQ(i->max_abs, 5);
}

TEST(FromMatrices, WrongShape) {
  auto t = IoTable::FromMatrices({"A", "B"}, {"s"}, {"fd"}, Eigen::MatrixXd::Ones(2, 3),
                                 Eigen::MatrixXd::Ones(2, 2), Eigen::VectorXd::Ones(2) * 10, 0,
                                 "<memory>");
  ASSERT_FALSE(t.ok());
  EXPECT_THAT(t.status().message(), HasSubstr("Z is 2 x 3, expected 2 x 2"));
}

TEST(FromMatrices, NegativeOutputIsAnError) {
  Eigen::VectorXd x(2);
  x << 10, -1;
  auto t = IoTable::FromMatrices({"A", "B"}, {"s"}, {"fd"}, Eigen::MatrixXd::Zero(2, 2),
                                 Eigen::MatrixXd::Zero(2, 2), x, 0, "<memory>");
  ASSERT_FALSE(t.ok());
  EXPECT_THAT(t.status().message(), HasSubstr("negative gross output"));
  EXPECT_THAT(t.status().message(), HasSubstr("B_s"));
}

TEST(ReadLong, ZeroOutputWithUseIsAWarningWithCount) {
  const std::string text =
      "from_country,from_sector,to_country,to_sector_or_category,value\n"
      "A,s1,A,s1,1\nA,s1,A,s2,2\nA,s1,A,fd,7\nA,s2,A,s1,1\nA,s2,B,fd,1\n"
      "B,s1,B,s2,3\nB,s1,B,fd,5\nB,s2,A,fd,0\n"
      "A,s1,A,OUTPUT,10\nA,s2,A,OUTPUT,2\nB,s1,B,OUTPUT,8\nB,s2,B,OUTPUT,0\n";
  auto t = ParseLong(text, "zero.csv");
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  const ValidationIssue* i = FindIssue(t->validation, "zero_output_with_use");
  ASSERT_NE(i, nullptr) << t->validation.ToString();
  EXPECT_EQ(i->count, 1);
  EXPECT_THAT(i->message, HasSubstr("B_s2"));
}

TEST(ReadLong, LabelMismatchAndDuplicates) {
  auto t = ParseLong(
      "from_country,from_sector,to_country,to_sector_or_category,value\nA,s,A,s,1\nA,s,C,fd,1\n",
      "bad.csv");
  ASSERT_FALSE(t.ok());
  EXPECT_THAT(t.status().message(), HasSubstr("bad.csv:3:3: label mismatch"));
  t = ParseLong(
      "from_country,from_sector,to_country,to_sector_or_category,value\nA,s,A,s,1\nA,s,A,fd,1\n"
      "A,s,A,s,2\n",
      "dup.csv");
  ASSERT_FALSE(t.ok());
  EXPECT_THAT(t.status().message(), HasSubstr("dup.csv:4: duplicate"));
}

TEST(ReadLong, RoundTripThroughLongFormat) {
  auto t = ReadDecompr(kLeather);
  ASSERT_TRUE(t.ok());
  auto back = ParseLong(ToLongCsv(*t), "roundtrip.csv");
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->countries, t->countries);
  EXPECT_EQ(back->sectors, t->sectors);
  EXPECT_EQ(back->categories, t->categories);
  EXPECT_EQ((back->z - t->z).cwiseAbs().maxCoeff(), 0.0);
  EXPECT_EQ((back->f - t->f).cwiseAbs().maxCoeff(), 0.0);
  EXPECT_EQ((back->x - t->x).cwiseAbs().maxCoeff(), 0.0);
}

TEST(Aggregate, SumsAndKeepsIdentities) {
  auto t = ReadDecompr(kLeather);
  ASSERT_TRUE(t.ok());
  auto m = ParseMapping(
      "kind,from,to\ncountry,Argentina,South\ncountry,Turkey,South\ncountry,Germany,North\n"
      "sector,Agriculture,Primary\nsector,Textile_and_Leather,Manuf\n"
      "sector,Transport_Equipment,Manuf\n",
      "map.csv");
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  auto a = t->Aggregate(*m);
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  EXPECT_EQ(a->countries, (std::vector<std::string>{"South", "North"}));
  EXPECT_EQ(a->sectors, (std::vector<std::string>{"Primary", "Manuf"}));
  EXPECT_NEAR(a->z.sum(), t->z.sum(), 1e-10);
  EXPECT_NEAR(a->f.sum(), t->f.sum(), 1e-10);
  EXPECT_NEAR(a->v.sum(), t->v.sum(), 1e-10);
  // South Manuf -> North Primary = sum over {ARG,TUR} x {Tex,Trans} rows and DEU Agri column.
  double expect = 0;
  for (int c : {0, 1}) {
    for (int s : {1, 2}) expect += t->z(c * 3 + s, 6);
  }
  EXPECT_NEAR(a->z(1, 2), expect, 1e-12);
  // Final demand of North (category FD) from South Primary = ARG+TUR agriculture -> FD.Germany.
  EXPECT_NEAR(a->f(0, 1), t->f(0, 2) + t->f(3, 2), 1e-12);
}

TEST(Aggregate, UnmappedLabelsAreListed) {
  auto t = ReadDecompr(kLeather);
  ASSERT_TRUE(t.ok());
  auto m = ParseMapping("kind,from,to\ncountry,Argentina,South\n", "map.csv");
  ASSERT_TRUE(m.ok());
  auto a = t->Aggregate(*m);
  ASSERT_FALSE(a.ok());
  EXPECT_THAT(a.status().message(), HasSubstr("2 country labels unmapped: Turkey, Germany"));
  auto bad = ParseMapping("kind,from,to\nregion,Argentina,South\n", "map.csv");
  ASSERT_FALSE(bad.ok());
  EXPECT_THAT(bad.status().message(), HasSubstr("map.csv:2:1"));
}

TEST(ReadWiod, Year2011ShapeAndDiscrepancy) {
  auto t = ReadWiod(kData + "/wiod2013_bquast", 2011);
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ(t->num_countries(), 41);
  EXPECT_EQ(t->num_sectors(), 35);
  EXPECT_EQ(t->categories,
            (std::vector<std::string>{"CONS_h", "CONS_np", "CONS_g", "GFCF", "INVEN"}));
  EXPECT_EQ(t->year, 2011);
  ASSERT_EQ(t->sector_names.size(), 35u);
  EXPECT_EQ(t->sector_names[13], "Electrical and Optical Equipment");
  // Truncated integer cells: output - row sums within [-7, 113] (shared/data README).
  const Eigen::VectorXd d = t->x - t->RowSums();
  EXPECT_GE(d.minCoeff(), -7);
  EXPECT_LE(d.maxCoeff(), 113);
  const ValidationIssue* i = FindIssue(t->validation, "row_balance");
  ASSERT_NE(i, nullptr);
  EXPECT_GT(i->count, 1000);
  EXPECT_NEAR(i->total, d.sum(), 1e-6 * std::abs(d.sum()));
  EXPECT_DOUBLE_EQ(i->max_abs, d.cwiseAbs().maxCoeff());
  // Negative inventories give no warning; six negative GFCF cells do (sum -492, counted
  // independently with a Python csv loop over wiot2011.csv.gz).
  const ValidationIssue* neg = FindIssue(t->validation, "negative_final_demand");
  ASSERT_NE(neg, nullptr);
  EXPECT_EQ(neg->count, 6);
  EXPECT_DOUBLE_EQ(neg->total, -492);
  EXPECT_EQ(FindIssue(t->validation, "negative_z"), nullptr);
}

TEST(DetectFormat, AllLayouts) {
  EXPECT_EQ(*DetectFormat(kLeather), TableFormat::kDecompr);
  EXPECT_EQ(*DetectFormat(kIcio), TableFormat::kIcio);
  EXPECT_EQ(*DetectFormat(kData + "/wiod2013_bquast/wiot1995.csv.gz"), TableFormat::kWiod);
  EXPECT_EQ(*DetectFormat(TempFile("long.csv",
                                   "from_country,from_sector,to_country,to_sector_or_category,"
                                   "value\nA,s,A,fd,1\n")),
            TableFormat::kLong);
}

// Issue 15: the fast WIOD path had its own gzip loop and read a cut file as a
// smaller table. wiot2011.csv.gz cut at 100 random offsets (fixed seed): every
// cut is an error that names the file.
TEST(Readers, TruncatedWiodNeverReadsAsASmallerTable) {
  const std::string src = kData + "/wiod2013_bquast/wiot2011.csv.gz";
  if (!std::filesystem::exists(src)) GTEST_SKIP() << src << " not found";
  const std::string bytes = Slurp(src);
  auto full = ReadWiod(src, 0);
  ASSERT_TRUE(full.ok()) << full.status().ToString();
  ASSERT_EQ(full->num_countries(), 41);
  const auto dir = std::filesystem::temp_directory_path() / "rebalance_io_test_cut";
  std::filesystem::create_directories(dir);
  const std::string path = (dir / "wiot2011.csv.gz").string();
  std::mt19937_64 rng(20261206);
  std::uniform_int_distribution<size_t> offset(0, bytes.size() - 1);
  for (int i = 0; i < 100; ++i) {
    const size_t cut = offset(rng);
    {
      std::ofstream out(path, std::ios::binary | std::ios::trunc);
      out.write(bytes.data(), static_cast<std::streamsize>(cut));
    }
    auto t = ReadWiod(path, 0);
    ASSERT_FALSE(t.ok()) << "cut at byte " << cut << " of " << bytes.size()
                         << " read as a table of " << t->num_countries() << " countries x "
                         << t->num_sectors() << " sectors";
    EXPECT_THAT(t.status().message(), HasSubstr("wiot2011.csv.gz"));
    EXPECT_THAT(t.status().message(), HasSubstr("byte"));
  }
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace rebalance::io_tables
