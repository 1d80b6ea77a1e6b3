// Fuzz target: CSV parsing (plain text path; gzip is zlib's job) and the
// invariants of a successful parse.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "rebalance/data/csv.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  rebalance::data::CsvOptions opt;
  opt.threads = 1;
  opt.infer_rows = 3;
  auto table = rebalance::data::ParseCsv(text, "fuzz.csv", opt);
  if (!table.ok()) {
    if (table.status().message().empty()) std::abort();
    return 0;
  }
  for (const auto& col : table->columns()) {
    if (col.size() != table->num_rows()) std::abort();
    if (!col.missing.empty() && static_cast<int64_t>(col.missing.size()) != table->num_rows())
      std::abort();
    for (int32_t code : col.codes) {
      if (code < -1 || code >= static_cast<int32_t>(col.dictionary.size())) std::abort();
    }
  }
  return 0;
}
