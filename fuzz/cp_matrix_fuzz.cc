// Fuzz target: the Caliendo-Parro readers (src/scenario/baseline_files.cc), in memory
// through the entry points the file readers call. The first byte picks:
//   % 4 == 0 or 1: scenario::ParseCpMatrix, CP's matrix tokenizer (what
//      ReadCpMatrices and ReadCpTariffs run on every file), with the wanted
//      shape from the byte's upper bits (rows = bits 2-4, cols = bits 5-7,
//      0 = any);
//   % 4 == 2: scenario::ParseThetaFile (what ReadThetaFile runs), sectors a,b,c;
//   % 4 == 3: the file path once in 64 inputs (first byte 3, 67, 131 or 195:
//      the input as xbilat1993.txt in a scratch directory whose other CP
//      files are empty; ReadCpMatrices must fail), else ParseCpMatrix with
//      the xbilat shape (620 x 31).
// No .gz file: data::ReadFileToString inflates into 16 MiB blocks, which cost
// milliseconds per input under ASan; on a non-gzip file zlib passes the
// bytes through unchanged to the same tokenizer.
// Errors carry a message (the matrix ones start with the source name). A
// matrix that parses has the wanted shape, rows * cols finite values, and
// its values printed back parse to the same matrix; a theta file that reads
// has one finite theta > 0 per sector.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>

#include "fuzz_util.h"
#include "rebalance/scenario/baseline_files.h"
#include "rebalance/scenario/theta.h"

using rebalance::fuzz::Check;
namespace scenario = rebalance::scenario;

namespace {
constexpr char kSource[] = "xbilat1993.txt";

std::string CpDir() {
  static const std::string dir = [] {
    const auto d = rebalance::fuzz::ScratchDir() / "cp";
    std::filesystem::create_directories(d);
    for (const char* f : {"tariffs1993.txt", "IO.txt", "B.txt", "GO.txt", "T.txt", "alphas.csv"}) {
      rebalance::fuzz::WriteScratch(std::string("cp/") + f, "");
    }
    return d.string();
  }();
  return dir;
}

void FuzzFiles(std::string_view text) {
  const std::string dir = CpDir();
  rebalance::fuzz::WriteScratch("cp/xbilat1993.txt", text);
  auto b = scenario::ReadCpMatrices(dir);
  // The other files are empty, so a success would be a bug.
  Check(!b.ok(), "ReadCpMatrices accepted empty companion files");
  rebalance::fuzz::CheckError(b.status());
}

void FuzzMatrix(std::string_view text, int want_rows, int want_cols) {
  auto m = scenario::ParseCpMatrix(text, kSource, want_rows, want_cols);
  if (!m.ok()) {
    rebalance::fuzz::CheckError(m.status());
    Check(m.status().message().rfind(kSource, 0) == 0,
          "matrix error does not start with the source name");
    return;
  }
  Check(m->rows >= 0 && m->cols >= 0, "negative matrix shape");
  Check(want_rows <= 0 || m->rows == want_rows, "matrix rows not as wanted");
  Check(want_cols <= 0 || m->cols == want_cols, "matrix cols not as wanted");
  Check(m->values.size() == static_cast<size_t>(m->rows) * static_cast<size_t>(m->cols),
        "matrix values are not rows x cols");
  Check(m->rows > 0 || m->values.empty(), "values without rows");
  Check(m->rows == 0 || m->cols > 0, "rows without columns");
  for (double x : m->values) Check(std::isfinite(x), "non-finite matrix value");
  // Round trip: shortest exact decimal text, blanks and newlines.
  std::string again;
  for (int r = 0; r < m->rows; ++r) {
    for (int c = 0; c < m->cols; ++c) {
      again += fmt::format("{}{}", c ? " " : "", (*m)(r, c));
    }
    again += '\n';
  }
  auto m2 = scenario::ParseCpMatrix(again, kSource, want_rows, want_cols);
  Check(m2.ok(), "printed matrix does not parse");
  Check(m2->rows == m->rows && m2->cols == m->cols, "printed matrix has another shape");
  Check(m2->values == m->values, "printed matrix has other values");
}

void FuzzTheta(std::string_view text) {
  const std::vector<std::string> sectors = {"a", "b", "c"};
  auto theta = scenario::ParseThetaFile(text, "theta.csv", sectors);
  if (!theta.ok()) {
    rebalance::fuzz::CheckError(theta.status());
    return;
  }
  Check(theta->size() == sectors.size(), "one theta per sector");
  for (double t : *theta) {
    Check(std::isfinite(t) && t > 0.0, "theta not finite and > 0");
  }
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const unsigned first = data[0];
  std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);
  switch (first % 4) {
    case 0:
    case 1:
      FuzzMatrix(text, static_cast<int>((first >> 2) & 7u), static_cast<int>((first >> 5) & 7u));
      break;
    case 2:
      FuzzTheta(text);
      break;
    default:
      // Files are slow (a write, six lookups and reads): 4 of the 64
      // first-byte values with % 4 == 3 take that path.
      if ((first & 0x3c) == 0) {
        FuzzFiles(text);
      } else {
        FuzzMatrix(text, 620, 31);
      }
      break;
  }
  return 0;
}
