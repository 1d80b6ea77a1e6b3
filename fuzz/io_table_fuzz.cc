// Fuzz target: the input-output table readers. The first byte picks the
// reader (long in memory, WIOD, ICIO or decompr through a scratch file); the
// rest is the file. Errors carry a message; a table that reads has consistent
// shapes, unique labels and finite Z, F, x and v.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <set>
#include <string>

#include "fuzz_util.h"
#include "rebalance/io_tables/io_table.h"

using rebalance::fuzz::Check;
namespace io = rebalance::io_tables;

namespace {
void CheckTable(const io::IoTable& t) {
  const int n = t.size();
  Check(n >= 0, "negative size");
  Check(t.z.rows() == n && t.z.cols() == n, "Z is not (C*S)x(C*S)");
  Check(t.f.rows() == n && t.f.cols() == t.num_countries() * t.num_categories(),
        "F is not (C*S)x(C*K)");
  Check(t.x.size() == n && t.v.size() == n, "x or v has the wrong length");
  Check(t.z.allFinite() && t.f.allFinite() && t.x.allFinite() && t.v.allFinite(),
        "non-finite value in a table that read successfully");
  Check(std::set<std::string>(t.countries.begin(), t.countries.end()).size() == t.countries.size(),
        "duplicate country labels");
  Check(std::set<std::string>(t.sectors.begin(), t.sectors.end()).size() == t.sectors.size(),
        "duplicate sector labels");
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const int which = data[0] % 4;
  std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);
  rebalance::Result<io::IoTable> t = rebalance::Status::Internal("unset");
  switch (which) {
    case 0:
      t = io::ParseLong(std::string(text), "fuzz_long.csv", 2011);
      break;
    case 1:
      t = io::ReadWiod(rebalance::fuzz::WriteScratch("wiot2011.csv", text));
      break;
    case 2:
      t = io::ReadIcio(rebalance::fuzz::WriteScratch("icio.csv", text), 2011);
      break;
    default:
      t = io::ReadDecompr(rebalance::fuzz::WriteScratch("decompr.csv", text), 2011);
      break;
  }
  if (!t.ok()) {
    rebalance::fuzz::CheckError(t.status());
    return 0;
  }
  CheckTable(*t);
  return 0;
}
