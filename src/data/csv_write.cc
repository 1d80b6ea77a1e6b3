// CSV output; see include/rebalance/data/csv_write.h for the conventions.
#include "rebalance/data/csv_write.h"

#include <iterator>

#include <fmt/format.h>

#include "rebalance/core/atomic_file.h"

namespace rebalance::data {

std::string CsvField(std::string_view text) {
  if (text.find_first_of(",\"\r\n") == std::string_view::npos) return std::string(text);
  std::string out = "\"";
  for (char c : text) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
  return out;
}

std::string RoundTripDouble(double value) { return fmt::format("{}", value); }

Status WriteCsv(const Table& table, const std::string& path) {
  std::string out;
  for (int c = 0; c < table.num_columns(); ++c) {
    if (c) out += ',';
    out += CsvField(table.columns()[static_cast<size_t>(c)].name);
  }
  out += '\n';
  for (int64_t r = 0; r < table.num_rows(); ++r) {
    for (int c = 0; c < table.num_columns(); ++c) {
      if (c) out += ',';
      const Column& col = table.columns()[static_cast<size_t>(c)];
      if (col.IsMissing(r)) continue;
      if (col.type == ColumnType::kF64) {
        fmt::format_to(std::back_inserter(out), "{}", col.f64[static_cast<size_t>(r)]);
      } else {
        out += CsvField(col.CellText(r));
      }
    }
    out += '\n';
  }
  return core::WriteFileAtomic(path, out, /*force=*/true);
}

}  // namespace rebalance::data
