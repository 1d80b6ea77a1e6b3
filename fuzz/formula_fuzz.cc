// Fuzz target: the fixest formula language (data::ParseFormula). A parse
// either fails with a message or yields a formula whose canonical text parses
// back to the same canonical text, with a non-empty outcome and no
// duplicate terms.
#include <cstddef>
#include <cstdint>
#include <set>
#include <string_view>

#include "fuzz_util.h"
#include "rebalance/data/formula.h"

using rebalance::fuzz::Check;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto f = rebalance::data::ParseFormula(text);
  if (!f.ok()) {
    rebalance::fuzz::CheckError(f.status());
    return 0;
  }
  const std::string canon = f->ToString();
  auto again = rebalance::data::ParseFormula(canon);
  Check(again.ok(), "canonical formula text does not parse");
  Check(again->ToString() == canon, "formula round trip changed the text");
  Check(!f->Columns().empty(), "formula without columns");
  return 0;
}
