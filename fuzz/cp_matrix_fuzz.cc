// Fuzz target: the Caliendo-Parro readers (src/ge/cp_reader.cc). The first
// byte picks the file the input becomes:
//   0: xbilat1993.txt in a directory whose other CP files exist (empty), so
//      ReadCpMatrices runs its matrix tokenizer on the input first;
//   1: the same with the input as a gzip-named file that is not gzip;
//   2: a theta file (ReadThetaFile, sectors a,b,c).
// Errors carry a message; a theta file that reads has one finite theta per
// sector.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>

#include "fuzz_util.h"
#include "rebalance/ge/baseline.h"

using rebalance::fuzz::Check;

namespace {
std::string CpDir() {
  static const std::string dir = [] {
    const auto d = rebalance::fuzz::ScratchDir() / "cp";
    std::filesystem::create_directories(d);
    for (const char* f : {"tariffs1993.txt", "IO.txt", "B.txt", "GO.txt",
                          "T.txt", "alphas.csv"}) {
      rebalance::fuzz::WriteScratch(std::string("cp/") + f, "");
    }
    return d.string();
  }();
  return dir;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const int which = data[0] % 3;
  std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);
  if (which <= 1) {
    const std::string dir = CpDir();
    std::error_code ec;
    std::filesystem::remove(dir + "/xbilat1993.txt", ec);
    std::filesystem::remove(dir + "/xbilat1993.txt.gz", ec);
    rebalance::fuzz::WriteScratch(
        which == 0 ? "cp/xbilat1993.txt" : "cp/xbilat1993.txt.gz", text);
    auto b = rebalance::ge::ReadCpMatrices(dir);
    // The other files are empty, so a success would be a bug.
    Check(!b.ok(), "ReadCpMatrices accepted empty companion files");
    rebalance::fuzz::CheckError(b.status());
    return 0;
  }
  const std::vector<std::string> sectors = {"a", "b", "c"};
  auto theta = rebalance::ge::ReadThetaFile(
      rebalance::fuzz::WriteScratch("theta.csv", text), sectors);
  if (!theta.ok()) {
    rebalance::fuzz::CheckError(theta.status());
    return 0;
  }
  Check(theta->size() == sectors.size(), "one theta per sector");
  for (double t : *theta) Check(std::isfinite(t), "non-finite theta");
  return 0;
}
