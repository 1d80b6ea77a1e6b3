// Theta files and concordances; see theta.h.
#include "rebalance/scenario/theta.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <sstream>

#include <fmt/format.h>

#include "rebalance/core/atomic_file.h"
#include "rebalance/data/csv.h"
#include "rebalance/data/csv_write.h"
#include "rebalance/data/table.h"

namespace rebalance::scenario {
namespace {

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
    out.push_back(line);
  }
  while (!out.empty() && out.back().empty()) out.pop_back();
  return out;
}

}  // namespace

Result<ThetaTable> ReadThetaTable(const std::string& path, const std::string& names_path) {
  RB_ASSIGN_OR_RETURN(std::string text, data::ReadFileToString(path));
  ThetaTable t;
  if (!names_path.empty()) {
    RB_ASSIGN_OR_RETURN(std::string names, data::ReadFileToString(names_path));
    t.sectors = Lines(names);
    const auto values = Lines(text);
    if (values.size() > t.sectors.size()) {
      return Status::InvalidArgument(fmt::format("{} has {} values but {} names only {} sectors",
                                                 path, values.size(), names_path,
                                                 t.sectors.size()));
    }
    t.sectors.resize(values.size());
    for (size_t k = 0; k < values.size(); ++k) {
      char* end = nullptr;
      const double v = std::strtod(values[k].c_str(), &end);
      if (values[k].empty() || *end != '\0' || !std::isfinite(v) || v <= 0) {
        return Status::ParseError(
            fmt::format("{}:{}:1: expected a positive number, found '{}'", path, k + 1, values[k]));
      }
      t.theta.push_back(v);
    }
    return t;
  }
  return ParseThetaTable(text, path);
}

Result<ThetaTable> ParseThetaTable(std::string_view text, const std::string& source,
                                   const ThetaReadOptions& options) {
  data::CsvOptions opt;
  opt.threads = 1;
  opt.types["sector"] = data::ColumnType::kString;
  RB_ASSIGN_OR_RETURN(data::Table tab, data::ParseCsv(text, source, opt));
  RB_ASSIGN_OR_RETURN(const data::Column* sec, tab.GetColumn("sector"));
  const data::Column* th = nullptr;
  if (auto c = tab.GetColumn("theta"); c.ok())
    th = *c;
  else if (auto v = tab.GetColumn("value"); v.ok())
    th = *v;
  else
    return Status::NotFound(
        fmt::format("{}: theta file needs columns 'sector' and 'theta' (or 'value')", source));
  const data::Column* se = nullptr;
  if (auto c = tab.GetColumn("se"); c.ok() && options.read_se) se = *c;
  if (se == nullptr && options.require_se) {
    return Status::InvalidArgument(
        fmt::format("{}: a theta file for draws needs a column 'se' (standard errors)", source));
  }
  ThetaTable t;
  for (int64_t r = 0; r < tab.num_rows(); ++r) {
    const int64_t line = r + 2;
    const double v = th->AsDouble(r);
    if (!std::isfinite(v) || v <= 0) {
      return Status::InvalidArgument(
          fmt::format("{}:{}: theta '{}' of sector '{}' must be a finite number > 0", source, line,
                      th->CellText(r), sec->CellText(r)));
    }
    t.sectors.push_back(sec->CellText(r));
    t.theta.push_back(v);
    t.lines.push_back(line);
    if (se != nullptr) {
      const double s = se->AsDouble(r);
      if (!std::isfinite(s) || s < 0) {
        return Status::InvalidArgument(
            fmt::format("{}:{}: the standard error of '{}' must be >= 0, got '{}'", source, line,
                        sec->CellText(r), se->CellText(r)));
      }
      t.se.push_back(s);
    }
  }
  return t;
}

Result<ThetaTable> ReadThetaCsv(const std::string& path, const ThetaReadOptions& options) {
  RB_ASSIGN_OR_RETURN(std::string text, data::ReadFileToString(path));
  return ParseThetaTable(text, path, options);
}

Result<ThetaTable> AlignThetaToSectors(const ThetaTable& table, const std::string& source,
                                       const std::vector<std::string>& sectors, bool allow_extra) {
  std::map<std::string, size_t> index;
  for (size_t j = 0; j < sectors.size(); ++j) index[sectors[j]] = j;
  const bool with_se = !table.se.empty();
  ThetaTable out;
  out.sectors = sectors;
  out.theta.assign(sectors.size(), std::nan(""));
  if (with_se) out.se.assign(sectors.size(), std::nan(""));
  for (size_t r = 0; r < table.sectors.size(); ++r) {
    auto it = index.find(table.sectors[r]);
    if (it == index.end()) {
      if (allow_extra) continue;
      const std::string where =
          r < table.lines.size() ? fmt::format("{}:{}", source, table.lines[r]) : source;
      const std::string near = data::NearestName(table.sectors[r], sectors);
      return Status::NotFound(
          fmt::format("{}: unknown sector '{}'{}", where, table.sectors[r],
                      near.empty() ? "" : fmt::format(" (did you mean '{}'?)", near)));
    }
    out.theta[it->second] = table.theta[r];
    if (with_se) out.se[it->second] = table.se[r];
  }
  for (size_t j = 0; j < sectors.size(); ++j) {
    if (std::isnan(out.theta[j])) {
      return Status::InvalidArgument(
          fmt::format("{}: no trade elasticity theta for sector '{}'", source, sectors[j]));
    }
  }
  return out;
}

Result<std::vector<double>> ParseThetaFile(std::string_view text, const std::string& source,
                                           const std::vector<std::string>& sectors) {
  ThetaReadOptions opt;
  opt.read_se = false;
  RB_ASSIGN_OR_RETURN(ThetaTable t, ParseThetaTable(text, source, opt));
  RB_ASSIGN_OR_RETURN(ThetaTable aligned, AlignThetaToSectors(t, source, sectors));
  return std::move(aligned.theta);
}

Result<std::vector<double>> ReadThetaFile(const std::string& path,
                                          const std::vector<std::string>& sectors) {
  RB_ASSIGN_OR_RETURN(std::string text, data::ReadFileToString(path));
  return ParseThetaFile(text, path, sectors);
}

Result<ThetaTable> MapTheta(const ThetaTable& source, const std::string& concordance_path,
                            const ThetaConcordanceOptions& options) {
  data::CsvOptions opt;
  opt.types["sector"] = data::ColumnType::kString;
  opt.types["cp_sectors"] = data::ColumnType::kString;
  RB_ASSIGN_OR_RETURN(data::Table tab, data::ReadCsv(concordance_path, opt));
  RB_ASSIGN_OR_RETURN(const data::Column* sec, tab.GetColumn("sector"));
  RB_ASSIGN_OR_RETURN(const data::Column* src, tab.GetColumn("cp_sectors"));
  ThetaTable out;
  const bool with_se = !source.se.empty();
  for (int64_t r = 0; r < tab.num_rows(); ++r) {
    const std::string target = sec->CellText(r);
    const std::string list = src->CellText(r);
    out.sectors.push_back(target);
    if (list == "NONTRADABLE") {
      out.theta.push_back(options.nontradable_theta);
      if (with_se) out.se.push_back(0.0);
      continue;
    }
    double sum = 0, ss = 0;
    int k = 0;
    size_t pos = 0;
    while (pos <= list.size()) {
      const size_t semi = list.find(';', pos);
      const std::string name =
          list.substr(pos, semi == std::string::npos ? std::string::npos : semi - pos);
      auto it = std::find(source.sectors.begin(), source.sectors.end(), name);
      if (it == source.sectors.end()) {
        return Status::NotFound(fmt::format("{}:{}: unknown source sector '{}'; did you mean '{}'?",
                                            concordance_path, r + 2, name,
                                            data::NearestName(name, source.sectors)));
      }
      const size_t idx = static_cast<size_t>(it - source.sectors.begin());
      sum += source.theta[idx];
      if (with_se) ss += source.se[idx] * source.se[idx];
      ++k;
      if (semi == std::string::npos) break;
      pos = semi + 1;
    }
    out.theta.push_back(sum / k);
    if (with_se) out.se.push_back(std::sqrt(ss) / k);
  }
  return out;
}

Status WriteThetaCsv(const ThetaTable& table, const std::string& path, bool force) {
  std::string out = table.se.empty() ? "sector,theta\n" : "sector,theta,se\n";
  for (size_t j = 0; j < table.sectors.size(); ++j) {
    const std::string& s = table.sectors[j];
    const std::string name = data::CsvField(s);
    if (table.se.empty())
      out += fmt::format("{},{}\n", name, table.theta[j]);
    else
      out += fmt::format("{},{},{}\n", name, table.theta[j], table.se[j]);
  }
  return core::WriteFileAtomic(path, out, force);
}

}  // namespace rebalance::scenario
