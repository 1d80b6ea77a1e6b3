// Tests of the in-memory entry points of the CP readers that fuzz/
// cp_matrix_fuzz.cc drives (ParseCpMatrix, ParseThetaFile): the file readers
// must give the same result and the same message as the text parsers, so a
// fuzz run in memory covers the real readers. Inputs found by the fuzzer that
// once failed belong here too.
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "rebalance/scenario/baseline_files.h"
#include "rebalance/scenario/theta.h"

namespace rebalance::scenario {

using ge::Baseline;
namespace {

std::string TempFile(const std::string& name, const std::string& content) {
  const auto dir = std::filesystem::temp_directory_path() / "rebalance_cp_reader_fuzz_test";
  std::filesystem::create_directories(dir);
  const std::string path = (dir / name).string();
  std::ofstream(path, std::ios::binary) << content;
  return path;
}

class CpReaderTextTest : public ::testing::Test {
 protected:
  static void TearDownTestSuite() {
    std::error_code ec;
    std::filesystem::remove_all(
        std::filesystem::temp_directory_path() / "rebalance_cp_reader_fuzz_test", ec);
  }
};

TEST_F(CpReaderTextTest, ParsesBlanksTabsCommasAndCrlf) {
  auto m = ParseCpMatrix(" 1.5,\t-2e-3\r\n\r\n0x1p3,7\r\n", "m.txt", 2, 2);
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  EXPECT_EQ(m->rows, 2);
  EXPECT_EQ(m->cols, 2);
  EXPECT_EQ(m->values, (std::vector<double>{1.5, -2e-3, 8.0, 7.0}));
  EXPECT_DOUBLE_EQ((*m)(1, 0), 8.0);

  auto empty = ParseCpMatrix("\n \n", "e.txt");
  ASSERT_TRUE(empty.ok());
  EXPECT_EQ(empty->rows, 0);
  EXPECT_TRUE(empty->values.empty());
}

TEST_F(CpReaderTextTest, MatrixErrorsNameSourceLineAndColumn) {
  struct Case {
    std::string text;
    int rows, cols;
    std::string message;
  };
  const std::vector<Case> cases = {
      {"0 5\n3 x\n", 0, 0, "m.txt:2:2: expected a number, found 'x'"},
      {"1 2x\n", 0, 0, "m.txt:1:2: expected a number, found '2x'"},
      {"1e999 2\n", 0, 0, "m.txt:1:1: value is not finite"},
      {"nan\n", 0, 0, "m.txt:1:1: value is not finite"},
      {"1 2\n3\n", 0, 0, "m.txt:2: 1 values, expected 2 as on the first line"},
      {"1 2\n", 2, 2, "m.txt: matrix is 1x2, expected 2x2"},
      {"", 0, 3, "m.txt: matrix is 0x0, expected 0x3"},
  };
  for (const Case& c : cases) {
    auto m = ParseCpMatrix(c.text, "m.txt", c.rows, c.cols);
    ASSERT_FALSE(m.ok()) << c.text;
    EXPECT_EQ(m.status().message(), c.message) << c.text;
  }
  // An embedded NUL byte ends its line, as in the file reader.
  auto nul = ParseCpMatrix(std::string("1 2\n3 4\0 junk\n", 14), "m.txt", 2, 2);
  ASSERT_TRUE(nul.ok()) << nul.status().ToString();
  EXPECT_EQ(nul->values, (std::vector<double>{1, 2, 3, 4}));
}

// ReadCpTariffs reads its file with ParseCpMatrix: same shape check, same
// messages with the path as the source.
TEST_F(CpReaderTextTest, TariffFileMatchesTextParser) {
  Baseline like;
  like.countries = {"A", "B"};
  like.sectors = {"Goods", "Services"};
  like.tradable = {true, false};
  const std::vector<std::string> texts = {"0 5\n3 0\n", "0 5\n3 x\n", "0 5\n", "0 5\n1e999 0\n",
                                          "0,5\r\n3,0\r\n"};
  for (size_t k = 0; k < texts.size(); ++k) {
    const std::string path = TempFile("tariffs" + std::to_string(k) + ".txt", texts[k]);
    auto from_file = ReadCpTariffs(path, like);
    auto from_text = ParseCpMatrix(texts[k], path, 2, 2);
    ASSERT_EQ(from_file.ok(), from_text.ok()) << texts[k];
    if (!from_file.ok()) {
      EXPECT_EQ(from_file.status().message(), from_text.status().message());
    } else {
      EXPECT_DOUBLE_EQ(from_file.value()[like.FlowIndex(0, 1, 0)], from_text->values[2] / 100.0);
    }
  }
}

TEST_F(CpReaderTextTest, ThetaFileMatchesTextParser) {
  const std::vector<std::string> sectors = {"Goods", "Services"};
  const std::vector<std::string> texts = {
      "sector,theta\nServices,8.2\nGoods,4\n",
      "sector,value\nServices,8.2\nGoods,4\n",
      "sector,theta\nGoods,4\n",
      "sector,theta\nGods,4\nServices,1\n",
      "sector,theta\nGoods,-4\nServices,1\n",
      "sector,elasticity\nGoods,4\n",
      "",
      "sector,theta\nGoods,nan\nServices,1\n",
  };
  for (size_t k = 0; k < texts.size(); ++k) {
    const std::string path = TempFile("theta" + std::to_string(k) + ".csv", texts[k]);
    auto from_file = ReadThetaFile(path, sectors);
    auto from_text = ParseThetaFile(texts[k], path, sectors);
    ASSERT_EQ(from_file.ok(), from_text.ok()) << texts[k];
    if (from_file.ok()) {
      EXPECT_EQ(from_file.value(), from_text.value());
    } else {
      EXPECT_EQ(from_file.status().message(), from_text.status().message());
      EXPECT_EQ(from_file.status().message().rfind(path, 0), 0u) << from_file.status().message();
    }
  }
}

}  // namespace
}  // namespace rebalance::scenario
