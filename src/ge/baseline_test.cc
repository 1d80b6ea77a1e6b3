// Tests of the multi-sector Baseline: readers (CP matrices, CP tidy, IO
// table, theta and tariff files), CP's data completion (step 1), and the
// consistency checks with their error messages.
#include "rebalance/ge/baseline.h"
#include "rebalance/scenario/baseline_files.h"
#include "rebalance/scenario/theta.h"

#include <cmath>
#include <filesystem>
#include <fstream>
#include <string>

#include <gtest/gtest.h>

#include "rebalance/io_tables/io_table.h"

namespace rebalance::ge {
namespace {

// The file readers are in scenario/ (ge reads no file).
using scenario::ApplyTariffFile;
using scenario::CpMatrixOptions;
using scenario::ReadCpMatrices;
using scenario::ReadCpTariffs;
using scenario::ReadCpTidy;
using scenario::ReadThetaFile;

const std::string kCpDir = std::string(REBALANCE_DATA_DIR) + "/caliendo_parro2015";

std::string TempFile(const std::string& name, const std::string& content) {
  const auto dir = std::filesystem::temp_directory_path() / "rebalance_baseline_test";
  std::filesystem::create_directories(dir);
  const std::string path = (dir / name).string();
  std::ofstream(path) << content;
  return path;
}

// A small consistent economy built by hand: 2 countries, 2 sectors, no
// tariffs, balanced trade, every identity exact.
Baseline TwoByTwo() {
  Baseline b;
  b.countries = {"Home", "Foreign"};
  b.sectors = {"Goods", "Services"};
  b.flow.assign(8, 0.0);
  b.tariff.assign(8, 0.0);
  b.va_share = {0.5, 0.5, 0.5, 0.5};
  // io(n, k, j): each sector uses half of its output as inputs, split
  // equally between the two sectors.
  b.io_share.assign(8, 0.25);
  b.alpha = {0.5, 0.5, 0.5, 0.5};
  b.deficit = {0.0, 0.0};
  b.theta = {4.0, 4.0};
  b.tradable = {true, false};
  // Symmetric countries: goods 60 domestic + 20 traded each way, services 80.
  // X_n^goods = 80, X_n^services = 80; Y = 80 each; demand for each good:
  // 0.25 * 80 + 0.25 * 80 + 0.5 * I (I = VA = 80) = 80.
  b.flow[b.FlowIndex(0, 0, 0)] = 60.0;
  b.flow[b.FlowIndex(0, 1, 1)] = 60.0;
  b.flow[b.FlowIndex(0, 0, 1)] = 20.0;
  b.flow[b.FlowIndex(0, 1, 0)] = 20.0;
  b.flow[b.FlowIndex(1, 0, 0)] = 80.0;
  b.flow[b.FlowIndex(1, 1, 1)] = 80.0;
  return b;
}

TEST(BaselineTest, HandBuiltEconomyIsConsistent) {
  const Baseline b = TwoByTwo();
  ASSERT_TRUE(b.Validate(1e-12).ok()) << b.Validate().message();
  EXPECT_DOUBLE_EQ(b.GrossOutput(0, 0), 80.0);
  EXPECT_DOUBLE_EQ(b.Expenditure(1, 0), 80.0);
  EXPECT_DOUBLE_EQ(b.ValueAdded(0), 80.0);
  EXPECT_DOUBLE_EQ(b.Exports(0), 20.0);
  EXPECT_DOUBLE_EQ(b.Income(1), 80.0);
}

TEST(BaselineTest, ErrorsNameCountryAndSector) {
  {
    Baseline b = TwoByTwo();
    b.alpha[b.CS(1, 0)] = 0.7;
    Status s = b.Validate();
    ASSERT_FALSE(s.ok());
    EXPECT_NE(s.message().find("alpha of 'Foreign' sum to"), std::string::npos) << s.message();
  }
  {
    Baseline b = TwoByTwo();
    b.flow[b.FlowIndex(0, 1, 0)] = -1.0;
    Status s = b.Validate();
    ASSERT_FALSE(s.ok());
    EXPECT_NE(s.message().find("flow of sector 'Goods' from 'Home' to 'Foreign' is -1"),
              std::string::npos)
        << s.message();
  }
  {
    Baseline b = TwoByTwo();
    b.theta.pop_back();
    Status s = b.Validate();
    ASSERT_FALSE(s.ok());
    EXPECT_NE(s.message().find("no trade elasticity theta for sector 'Services'"),
              std::string::npos)
        << s.message();
  }
  {
    Baseline b = TwoByTwo();
    b.theta[0] = 0.0;
    Status s = b.Validate();
    ASSERT_FALSE(s.ok());
    EXPECT_NE(s.message().find("theta of sector 'Goods'"), std::string::npos) << s.message();
  }
  {
    Baseline b = TwoByTwo();
    b.va_share[b.CS(0, 1)] = 0.6;  // 0.6 + 0.5 inputs != 1
    Status s = b.Validate();
    ASSERT_FALSE(s.ok());
    EXPECT_NE(s.message().find("cost shares of sector 'Services' in 'Home'"), std::string::npos)
        << s.message();
  }
  {
    Baseline b = TwoByTwo();
    b.io_share[b.IoIndex(1, 0, 0)] = -0.1;
    b.io_share[b.IoIndex(1, 1, 0)] = 0.6;
    Status s = b.Validate();
    ASSERT_FALSE(s.ok());
    EXPECT_NE(s.message().find("input 'Goods' in sector 'Goods' of 'Foreign'"), std::string::npos)
        << s.message();
  }
  {
    Baseline b = TwoByTwo();
    b.flow[b.FlowIndex(1, 0, 1)] = 5.0;  // services are non-tradable
    Status s = b.ValidateStructure();
    ASSERT_FALSE(s.ok());
    EXPECT_NE(s.message().find("non-tradable sector 'Services'"), std::string::npos) << s.message();
  }
  {
    Baseline b = TwoByTwo();
    b.deficit = {1.0, -1.0};
    Status s = b.Validate();
    ASSERT_FALSE(s.ok());
    EXPECT_NE(s.message().find("deficit of 'Home'"), std::string::npos) << s.message();
  }
  {
    Baseline b = TwoByTwo();
    b.flow[b.FlowIndex(1, 0, 0)] = 90.0;  // excess supply of Home services
    Status s = b.Validate();
    ASSERT_FALSE(s.ok());
    EXPECT_NE(s.message().find("does not clear"), std::string::npos) << s.message();
    EXPECT_TRUE(b.ValidateStructure().ok());
  }
}

TEST(CpReaderTest, MatricesCompleteTheDataAsCpDo) {
  auto b = ReadCpMatrices(kCpDir + "/original_matrices");
  ASSERT_TRUE(b.ok()) << b.status().ToString();
  EXPECT_EQ(b->num_countries(), 31);
  EXPECT_EQ(b->num_sectors(), 40);
  EXPECT_EQ(b->countries[19], "Mexico");
  EXPECT_EQ(b->sectors[17], "Auto");
  EXPECT_DOUBLE_EQ(b->theta[6], 64.85);
  EXPECT_DOUBLE_EQ(b->theta[25], 8.22);
  EXPECT_TRUE(b->tradable[19]);
  EXPECT_FALSE(b->tradable[20]);
  // Argentina agriculture: gross output 21,690,853,094 USD (GO.txt) and the
  // tidy package's domestic sales 19,135,411,036 = GO - exports.
  EXPECT_NEAR(b->GrossOutput(0, 0), 21690853094.0, 1.0);
  EXPECT_NEAR(b->flow[b->FlowIndex(0, 0, 0)], 19135411036.0, 1.0);
  // Tariff Argentina on Australian agriculture: 4.166667 percent.
  EXPECT_NEAR(b->tariff[b->FlowIndex(0, 0, 1)], 0.04166667, 1e-15);
  // World deficits sum to zero.
  double sum = 0.0, va = 0.0;
  for (int n = 0; n < 31; ++n) {
    sum += b->deficit[n];
    va += b->ValueAdded(n);
  }
  EXPECT_LT(std::fabs(sum), 1e-12 * va);
}

TEST(CpReaderTest, DerivedFinalDemandSharesEqualCpAlphas) {
  auto given = ReadCpMatrices(kCpDir + "/original_matrices");
  CpMatrixOptions o;
  o.derive_alpha = true;
  auto derived = ReadCpMatrices(kCpDir + "/original_matrices", o);
  ASSERT_TRUE(given.ok() && derived.ok());
  for (size_t c = 0; c < given->alpha.size(); ++c) {
    EXPECT_NEAR(derived->alpha[c], given->alpha[c], 1e-12) << c;
  }
  // Some cells are negative and clipped (CP's "negatives set to 0").
  Baseline copy = given.value();
  auto clipped = DeriveFinalDemandShares(&copy);
  ASSERT_TRUE(clipped.ok());
  EXPECT_GT(clipped.value(), 0);
}

TEST(CpReaderTest, TidyFormatEqualsMatrices) {
  auto m = ReadCpMatrices(kCpDir + "/original_matrices");
  auto t = ReadCpTidy(kCpDir + "/tidy_paulofelipe_cp2015");
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  // Same order; the tidy package spells the last region "Row", CP "ROW"
  // (labels resolve case-insensitively in shocks).
  ASSERT_EQ(t->countries.size(), m->countries.size());
  for (size_t n = 0; n + 1 < m->countries.size(); ++n) ASSERT_EQ(t->countries[n], m->countries[n]);
  EXPECT_EQ(t->countries.back(), "Row");
  ASSERT_EQ(t->sectors, m->sectors);
  for (size_t f = 0; f < m->flow.size(); ++f) {
    ASSERT_NEAR(t->flow[f], m->flow[f], 1e-9 * (1.0 + m->flow[f])) << f;
    ASSERT_NEAR(t->tariff[f], m->tariff[f], 1e-8) << f;
  }
  // The tidy shares are recomputed from values (VA / (VA + inputs)); CP's
  // IO columns sum to one only to 1.6e-6, which bounds the agreement.
  for (size_t c = 0; c < m->va_share.size(); ++c) {
    ASSERT_NEAR(t->va_share[c], m->va_share[c], 2e-6) << c;
    ASSERT_NEAR(t->alpha[c], m->alpha[c], 1e-8) << c;
  }
  for (size_t c = 0; c < m->io_share.size(); ++c) {
    ASSERT_NEAR(t->io_share[c], m->io_share[c], 2e-6) << c;
  }
  for (int j = 0; j < 40; ++j) EXPECT_DOUBLE_EQ(t->theta[j], m->theta[j]);
}

TEST(CpReaderTest, BadFilesGiveClearErrors) {
  auto missing = ReadCpMatrices("/nonexistent/dir");
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find("xbilat1993.txt"), std::string::npos);

  Baseline like = TwoByTwo();
  const std::string bad = TempFile("tariffs_bad.txt", "0 5\n3 x\n");
  auto t = ReadCpTariffs(bad, like);
  ASSERT_FALSE(t.ok());
  EXPECT_NE(t.status().message().find("tariffs_bad.txt:2:2"), std::string::npos)
      << t.status().message();
}

TEST(ThetaFileTest, ReadsAndNamesMissingSector) {
  const std::vector<std::string> sectors = {"Goods", "Services"};
  auto ok =
      ReadThetaFile(TempFile("theta_ok.csv", "sector,theta\nServices,8.2\nGoods,4\n"), sectors);
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  EXPECT_DOUBLE_EQ(ok.value()[0], 4.0);
  EXPECT_DOUBLE_EQ(ok.value()[1], 8.2);
  auto missing = ReadThetaFile(TempFile("theta_missing.csv", "sector,theta\nGoods,4\n"), sectors);
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find("no trade elasticity theta for sector 'Services'"),
            std::string::npos)
      << missing.status().message();
  auto unknown = ReadThetaFile(TempFile("theta_unknown.csv", "sector,theta\nGods,4\n"), sectors);
  ASSERT_FALSE(unknown.ok());
  EXPECT_NE(unknown.status().message().find("did you mean 'Goods'"), std::string::npos)
      << unknown.status().message();
  auto negative =
      ReadThetaFile(TempFile("theta_neg.csv", "sector,theta\nGoods,-4\nServices,1\n"), sectors);
  ASSERT_FALSE(negative.ok());
  EXPECT_NE(negative.status().message().find("theta_neg.csv:2"), std::string::npos);
}

TEST(TariffFileTest, AppliesWildcardsAndSkipsOwnPairs) {
  Baseline b = TwoByTwo();
  const std::string path =
      TempFile("tariffs.csv", "importer,exporter,sector,tariff\nHome,*,Goods,0.1\n*,Home,*,0.05\n");
  ASSERT_TRUE(ApplyTariffFile(path, &b).ok());
  EXPECT_DOUBLE_EQ(b.tariff[b.FlowIndex(0, 0, 1)], 0.1);
  EXPECT_DOUBLE_EQ(b.tariff[b.FlowIndex(0, 1, 0)], 0.05);
  EXPECT_DOUBLE_EQ(b.tariff[b.FlowIndex(0, 0, 0)], 0.0);
  EXPECT_DOUBLE_EQ(b.tariff[b.FlowIndex(1, 1, 0)], 0.0);  // non-tradable
  const std::string bad =
      TempFile("tariffs_bad.csv", "importer,exporter,sector,tariff\nHome,Foriegn,Goods,0.1\n");
  Status s = ApplyTariffFile(bad, &b);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("did you mean 'Foreign'"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("tariffs_bad.csv:2"), std::string::npos) << s.message();
}

// An IO table in the WIOD layout (2 countries x 2 sectors, 2 final-demand
// categories, one negative inventory cell) becomes a baseline that clears
// every market exactly, with the clipped cell reported.
TEST(IoBaselineTest, FromIoTableClearsMarkets) {
  io_tables::IoTable t;
  t.countries = {"AAA", "BBB"};
  t.sectors = {"c1", "c2"};
  t.categories = {"CONS_h", "INVEN"};
  t.z.resize(4, 4);
  t.z << 10, 5, 3, 1, 4, 12, 2, 6, 2, 1, 15, 7, 3, 4, 5, 9;
  t.f.resize(4, 4);
  t.f << 30, -2, 8, 1, 20, 1, 6, 0, 7, 0, 40, 2, 5, 1, 25, 3;
  t.x = t.z.rowwise().sum() + t.f.rowwise().sum();
  t.v = t.x - t.z.colwise().sum().transpose();
  IoBaselineOptions o;
  o.theta = {5.0, 5.0};
  IoBaselineReport rep;
  auto b = BaselineFromIoTable(t, o, &rep);
  ASSERT_TRUE(b.ok()) << b.status().ToString();
  EXPECT_EQ(rep.clipped_negative_cells, 1);
  EXPECT_DOUBLE_EQ(rep.clipped_negative_value, -2.0);
  EXPECT_TRUE(b->Validate(1e-12).ok()) << b->Validate(1e-12).message();
  // AAA c1 sold to BBB: Z row 0 over BBB's industries + F row 0 over BBB's
  // categories = 3 + 1 + 8 + 1.
  EXPECT_DOUBLE_EQ(b->flow[b->FlowIndex(0, 1, 0)], 13.0);
  IoBaselineOptions no_theta;
  no_theta.theta = {5.0};
  auto err = BaselineFromIoTable(t, no_theta);
  ASSERT_FALSE(err.ok());
  EXPECT_NE(err.status().message().find("no trade elasticity theta for sector 'c2'"),
            std::string::npos);
}

}  // namespace
}  // namespace rebalance::ge
