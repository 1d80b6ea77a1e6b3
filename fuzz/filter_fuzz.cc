// Fuzz target: the --where filter language (data::ParseFilter) and its
// evaluation (data::EvaluateFilter) on a tiny table with an integer, a real,
// a text column and missing cells. A parse either fails with a message or
// round-trips through its canonical text; evaluation either fails with a
// message or returns one 0/1 flag per row, identical for the re-parsed
// canonical form.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fuzz_util.h"
#include "rebalance/data/csv.h"
#include "rebalance/data/formula.h"

using rebalance::fuzz::Check;

namespace {
const rebalance::data::Table& TinyTable() {
  static const rebalance::data::Table table = [] {
    rebalance::data::CsvOptions opt;
    opt.threads = 1;
    auto t = rebalance::data::ParseCsv(
        "year,trade,exporter,importer\n"
        "1986,1.5,USA,CAN\n"
        "1990,,CAN,USA\n"
        "1994,-0.25,MEX,\n"
        ",1e300,USA,USA\n",
        "tiny.csv", opt);
    if (!t.ok()) std::abort();
    return *t;
  }();
  return table;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto f = rebalance::data::ParseFilter(text);
  if (!f.ok()) {
    rebalance::fuzz::CheckError(f.status());
    return 0;
  }
  const std::string canon = f->ToString();
  auto again = rebalance::data::ParseFilter(canon);
  Check(again.ok(), "canonical filter text does not parse");
  Check(again->ToString() == canon, "filter round trip changed the text");
  auto keep = rebalance::data::EvaluateFilter(TinyTable(), *f);
  auto keep2 = rebalance::data::EvaluateFilter(TinyTable(), *again);
  Check(keep.ok() == keep2.ok(), "canonical filter evaluates differently");
  if (!keep.ok()) {
    rebalance::fuzz::CheckError(keep.status());
    return 0;
  }
  Check(static_cast<int64_t>(keep->size()) == TinyTable().num_rows(),
        "filter result size differs from the row count");
  for (size_t i = 0; i < keep->size(); ++i) {
    Check((*keep)[i] <= 1, "filter flag not 0/1");
    Check((*keep)[i] == (*keep2)[i], "canonical filter keeps other rows");
  }
  return 0;
}
