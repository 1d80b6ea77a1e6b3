// Table: columnar data with typed columns and explicit missingness.
//
// Every command's tabular input passes through this type. Numeric columns are
// f64 or i64; text columns are dictionary-encoded (int32 codes into a string
// dictionary, fixest's "quf" idea), so identifiers of any kind become dense
// group codes cheaply. Missingness is explicit: a per-row byte mask that is
// empty when the column has no missing value.
#ifndef REBALANCE_DATA_TABLE_H_
#define REBALANCE_DATA_TABLE_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "rebalance/core/status.h"

namespace rebalance::data {

enum class ColumnType { kF64, kI64, kString };
const char* ToString(ColumnType type);
Result<ColumnType> ColumnTypeFromString(std::string_view s);

struct Column {
  std::string name;
  ColumnType type = ColumnType::kF64;
  std::vector<double> f64;     // kF64 values (NaN where missing)
  std::vector<int64_t> i64;    // kI64 values (0 where missing)
  std::vector<int32_t> codes;  // kString codes into `dictionary` (-1 missing)
  std::vector<std::string> dictionary;
  std::vector<uint8_t> missing;  // 1 = missing; empty means none missing

  int64_t size() const;
  bool IsMissing(int64_t row) const {
    return !missing.empty() && missing[static_cast<size_t>(row)] != 0;
  }
  int64_t CountMissing() const;
  // Value as double (kF64/kI64); NaN for missing or for string columns.
  double AsDouble(int64_t row) const;
  // Text form of a cell ("" for missing), for messages and output.
  std::string CellText(int64_t row) const;
};

class Table {
 public:
  Table() = default;

  int64_t num_rows() const { return num_rows_; }
  int num_columns() const { return static_cast<int>(columns_.size()); }
  const std::vector<Column>& columns() const { return columns_; }
  std::vector<Column>& mutable_columns() { return columns_; }

  // Index of a column, or -1.
  int FindColumn(std::string_view name) const;
  // The column, or NotFound naming the nearest existing column.
  Result<const Column*> GetColumn(std::string_view name) const;

  // Appends a column; its size must equal num_rows() (or set it if empty).
  Status AddColumn(Column column);

  // Convenience builders for tests and front doors.
  static Column F64Column(std::string name, std::vector<double> values);
  static Column I64Column(std::string name, std::vector<int64_t> values);
  static Column StringColumn(std::string name, const std::vector<std::string>& values);

  // Keeps the rows where keep[row] != 0, in order.
  Table Filter(const std::vector<uint8_t>& keep) const;

  // Where the data came from (a file path, "<memory>", ...), for messages.
  std::string source;

 private:
  int64_t num_rows_ = 0;
  std::vector<Column> columns_;
};

// The valid name closest to `name` by edit distance, for "did you mean"
// messages; empty when `candidates` is empty.
std::string NearestName(std::string_view name, const std::vector<std::string>& candidates);

}  // namespace rebalance::data

#endif  // REBALANCE_DATA_TABLE_H_
