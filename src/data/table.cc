#include "rebalance/data/table.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <unordered_map>

#include <fmt/format.h>

namespace rebalance::data {

const char* ToString(ColumnType type) {
  switch (type) {
    case ColumnType::kF64:
      return "f64";
    case ColumnType::kI64:
      return "i64";
    case ColumnType::kString:
      return "string";
  }
  return "unknown";
}

Result<ColumnType> ColumnTypeFromString(std::string_view s) {
  if (s == "f64" || s == "double" || s == "float") return ColumnType::kF64;
  if (s == "i64" || s == "int" || s == "integer") return ColumnType::kI64;
  if (s == "string" || s == "str" || s == "text") return ColumnType::kString;
  return Status::InvalidArgument(
      fmt::format("unknown column type '{}' (expected f64, i64 or string)", s));
}

int64_t Column::size() const {
  switch (type) {
    case ColumnType::kF64:
      return static_cast<int64_t>(f64.size());
    case ColumnType::kI64:
      return static_cast<int64_t>(i64.size());
    case ColumnType::kString:
      return static_cast<int64_t>(codes.size());
  }
  return 0;
}

int64_t Column::CountMissing() const {
  return static_cast<int64_t>(std::count(missing.begin(), missing.end(), 1));
}

double Column::AsDouble(int64_t row) const {
  if (IsMissing(row)) return std::numeric_limits<double>::quiet_NaN();
  switch (type) {
    case ColumnType::kF64:
      return f64[static_cast<size_t>(row)];
    case ColumnType::kI64:
      return static_cast<double>(i64[static_cast<size_t>(row)]);
    case ColumnType::kString:
      return std::numeric_limits<double>::quiet_NaN();
  }
  return std::numeric_limits<double>::quiet_NaN();
}

std::string Column::CellText(int64_t row) const {
  if (IsMissing(row)) return "";
  const auto r = static_cast<size_t>(row);
  switch (type) {
    case ColumnType::kF64:
      return fmt::format("{}", f64[r]);
    case ColumnType::kI64:
      return fmt::format("{}", i64[r]);
    case ColumnType::kString:
      return codes[r] < 0 ? "" : dictionary[static_cast<size_t>(codes[r])];
  }
  return "";
}

int Table::FindColumn(std::string_view name) const {
  for (size_t i = 0; i < columns_.size(); ++i) {
    if (columns_[i].name == name) return static_cast<int>(i);
  }
  return -1;
}

Result<const Column*> Table::GetColumn(std::string_view name) const {
  const int idx = FindColumn(name);
  if (idx >= 0) return &columns_[static_cast<size_t>(idx)];
  std::vector<std::string> names;
  names.reserve(columns_.size());
  for (const auto& c : columns_) names.push_back(c.name);
  const std::string nearest = NearestName(name, names);
  std::string msg = fmt::format("unknown column '{}'", name);
  if (!source.empty()) msg += fmt::format(" in {}", source);
  if (!nearest.empty()) msg += fmt::format("; did you mean '{}'?", nearest);
  return Status::NotFound(msg);
}

Status Table::AddColumn(Column column) {
  if (FindColumn(column.name) >= 0) {
    return Status::InvalidArgument(fmt::format("duplicate column name '{}'", column.name));
  }
  if (columns_.empty() && num_rows_ == 0) {
    num_rows_ = column.size();
  } else if (column.size() != num_rows_) {
    return Status::InvalidArgument(fmt::format("column '{}' has {} rows, the table has {}",
                                               column.name, column.size(), num_rows_));
  }
  if (!column.missing.empty() && static_cast<int64_t>(column.missing.size()) != num_rows_) {
    return Status::Internal("missing mask size mismatch");
  }
  columns_.push_back(std::move(column));
  return Status::Ok();
}

Column Table::F64Column(std::string name, std::vector<double> values) {
  Column c;
  c.name = std::move(name);
  c.type = ColumnType::kF64;
  bool any_nan = false;
  for (double v : values) any_nan |= std::isnan(v);
  if (any_nan) {
    c.missing.resize(values.size());
    for (size_t i = 0; i < values.size(); ++i) c.missing[i] = std::isnan(values[i]);
  }
  c.f64 = std::move(values);
  return c;
}

Column Table::I64Column(std::string name, std::vector<int64_t> values) {
  Column c;
  c.name = std::move(name);
  c.type = ColumnType::kI64;
  c.i64 = std::move(values);
  return c;
}

Column Table::StringColumn(std::string name, const std::vector<std::string>& values) {
  Column c;
  c.name = std::move(name);
  c.type = ColumnType::kString;
  std::unordered_map<std::string, int32_t> index;
  c.codes.reserve(values.size());
  for (const auto& v : values) {
    auto [it, inserted] = index.emplace(v, static_cast<int32_t>(c.dictionary.size()));
    if (inserted) c.dictionary.push_back(v);
    c.codes.push_back(it->second);
  }
  return c;
}

Table Table::Filter(const std::vector<uint8_t>& keep) const {
  Table out;
  out.source = source;
  int64_t n = 0;
  for (uint8_t k : keep) n += (k != 0);
  out.num_rows_ = n;
  for (const auto& col : columns_) {
    Column c;
    c.name = col.name;
    c.type = col.type;
    c.dictionary = col.dictionary;
    const bool has_missing = !col.missing.empty();
    for (size_t i = 0; i < keep.size(); ++i) {
      if (!keep[i]) continue;
      switch (col.type) {
        case ColumnType::kF64:
          c.f64.push_back(col.f64[i]);
          break;
        case ColumnType::kI64:
          c.i64.push_back(col.i64[i]);
          break;
        case ColumnType::kString:
          c.codes.push_back(col.codes[i]);
          break;
      }
      if (has_missing) c.missing.push_back(col.missing[i]);
    }
    out.columns_.push_back(std::move(c));
  }
  return out;
}

namespace {
size_t EditDistance(std::string_view a, std::string_view b) {
  std::vector<size_t> prev(b.size() + 1), cur(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) prev[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      const char ca = static_cast<char>(std::tolower(a[i - 1]));
      const char cb = static_cast<char>(std::tolower(b[j - 1]));
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca == cb ? 0 : 1)});
    }
    std::swap(prev, cur);
  }
  return prev[b.size()];
}
}  // namespace

std::string NearestName(std::string_view name, const std::vector<std::string>& candidates) {
  std::string best;
  size_t best_d = std::numeric_limits<size_t>::max();
  for (const auto& c : candidates) {
    const size_t d = EditDistance(name, c);
    if (d < best_d) {
      best_d = d;
      best = c;
    }
  }
  return best;
}

}  // namespace rebalance::data
