// Year lists and the years of a WIOD folder (see table_years.h).
#include "rebalance/io_tables/table_years.h"

#include <algorithm>
#include <filesystem>
#include <regex>
#include <set>

#include <fmt/format.h>

namespace rebalance::io_tables {

namespace fs = std::filesystem;

Result<std::vector<int>> ParseYearList(const std::string& spec) {
  std::set<int> years;
  static const std::regex range(R"(^\s*(\d{4})\s*(?:-\s*(\d{4}))?\s*$)");
  size_t pos = 0;
  while (pos <= spec.size()) {
    size_t comma = spec.find(',', pos);
    if (comma == std::string::npos) comma = spec.size();
    const std::string part = spec.substr(pos, comma - pos);
    std::smatch m;
    if (!std::regex_match(part, m, range)) {
      return Status::InvalidArgument(
          fmt::format("'{}' is not a year or a range (e.g. 2011, 2005,2011 or 1995-2011)", part));
    }
    const int a = std::stoi(m[1]), b = m[2].matched ? std::stoi(m[2]) : a;
    if (b < a) return Status::InvalidArgument(fmt::format("empty range '{}'", part));
    for (int y = a; y <= b; ++y) years.insert(y);
    pos = comma + 1;
  }
  return std::vector<int>(years.begin(), years.end());
}

Result<std::vector<IoTable>> ReadWiodYears(const std::string& path, const std::vector<int>& years) {
  std::vector<IoTable> tables;
  std::error_code ec;
  if (!fs::is_directory(path, ec)) {
    if (years.size() > 1) {
      return Status::InvalidArgument(
          fmt::format("several years need a directory of wiotYYYY files, not the file {}", path));
    }
    RB_ASSIGN_OR_RETURN(IoTable t, ReadWiod(path, years.empty() ? 0 : years[0]));
    tables.push_back(std::move(t));
    return tables;
  }
  std::vector<int> found = years;
  if (found.empty()) {  // every wiotYYYY.csv(.gz) in the directory
    static const std::regex name(R"(^wiot(\d{4})\.csv(\.gz)?$)");
    for (const auto& entry : fs::directory_iterator(path, ec)) {
      std::smatch m;
      const std::string fname = entry.path().filename().string();
      if (std::regex_match(fname, m, name)) found.push_back(std::stoi(m[1]));
    }
    std::sort(found.begin(), found.end());
    if (found.empty()) {
      return Status::NotFound(fmt::format("no wiotYYYY.csv.gz files in {}", path));
    }
  }
  for (int y : found) {
    RB_ASSIGN_OR_RETURN(IoTable t, ReadWiod(path, y));
    tables.push_back(std::move(t));
  }
  return tables;
}

}  // namespace rebalance::io_tables
