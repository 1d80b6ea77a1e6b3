// Tidy CSV / JSON writers. See include/rebalance/report/tidy_writer.h for the
// conventions; this file only enforces them.
#include "rebalance/report/tidy_writer.h"

#include <fmt/format.h>

#include <cmath>
#include <string_view>

#include "rebalance/core/atomic_file.h"

namespace rebalance::report {
namespace {

constexpr std::string_view kTidyHeader =
    "scenario,country,partner,sector,variable,unit,baseline,counterfactual,"
    "pct_change";
constexpr std::string_view kBandHeader = ",mean,sd,p05,p50,p95";

std::string RowLabel(const ge::TidyTable& table, std::size_t i) {
  const ge::TidyRow& r = table.rows[i];
  std::string label = fmt::format("row {} (scenario '{}', variable '{}', country '{}'", i + 1,
                                  r.scenario, r.variable, r.country);
  if (!r.partner.empty()) label += fmt::format(", partner '{}'", r.partner);
  if (!r.sector.empty()) label += fmt::format(", sector '{}'", r.sector);
  label += ")";
  return label;
}

bool UseBands(const BandTable* bands) { return bands != nullptr && !bands->empty(); }

// pct_change is the one column allowed to be NaN (undefined: zero baseline).
bool PctChangeIsUndefined(double v) { return std::isnan(v); }

}  // namespace

Status ValidateTidyForOutput(const ge::TidyTable& table, const BandTable* bands) {
  for (std::size_t i = 0; i < table.rows.size(); ++i) {
    const ge::TidyRow& r = table.rows[i];
    const std::pair<const char*, const std::string*> labels[] = {{"scenario", &r.scenario},
                                                                 {"country", &r.country},
                                                                 {"partner", &r.partner},
                                                                 {"sector", &r.sector},
                                                                 {"variable", &r.variable}};
    for (const auto& [name, text] : labels) {
      if (text->find_first_of("\r\n") != std::string::npos) {
        return Status::InvalidArgument(
            fmt::format("{}: the {} label contains a line break, which CSV "
                        "readers (rebalance's "
                        "included) do not accept inside a field",
                        RowLabel(table, i), name));
      }
    }
    if (!std::isfinite(r.baseline)) {
      return Status::NumericalError(
          fmt::format("{}: baseline is {}; refusing to write a non-finite value",
                      RowLabel(table, i), r.baseline));
    }
    if (!std::isfinite(r.counterfactual)) {
      return Status::NumericalError(
          fmt::format("{}: counterfactual is {}; refusing to write a non-finite value",
                      RowLabel(table, i), r.counterfactual));
    }
    if (std::isinf(r.pct_change)) {
      return Status::NumericalError(
          fmt::format("{}: pct_change is {}; refusing to write a non-finite value (only "
                      "NaN, meaning undefined for a zero baseline, is written, as an "
                      "empty cell)",
                      RowLabel(table, i), r.pct_change));
    }
    if (std::isnan(r.pct_change) && !(r.baseline == 0.0 && r.counterfactual != 0.0)) {
      return Status::NumericalError(
          fmt::format("{}: pct_change is NaN although the baseline is {} and the "
                      "counterfactual {}; NaN is reserved for a zero baseline",
                      RowLabel(table, i), r.baseline, r.counterfactual));
    }
  }
  if (!UseBands(bands)) return Status::Ok();
  for (const auto& [index, band] : bands->by_row) {
    if (index >= table.rows.size()) {
      return Status::InvalidArgument(fmt::format(
          "band for row {} but the tidy table has only {} rows", index + 1, table.rows.size()));
    }
    const double values[] = {band.mean, band.sd, band.p05, band.p50, band.p95};
    const char* names[] = {"mean", "sd", "p05", "p50", "p95"};
    for (int k = 0; k < 5; ++k) {
      if (!std::isfinite(values[k])) {
        return Status::NumericalError(
            fmt::format("{}: band {} of {} is {}; refusing to write a non-finite value",
                        RowLabel(table, index), names[k], bands->quantity, values[k]));
      }
    }
    if (band.sd < 0.0) {
      return Status::InvalidArgument(
          fmt::format("{}: band sd is negative ({})", RowLabel(table, index), band.sd));
    }
    if (!(band.p05 <= band.p50 && band.p50 <= band.p95)) {
      return Status::InvalidArgument(
          fmt::format("{}: band quantiles out of order (p05 {}, p50 {}, p95 {})",
                      RowLabel(table, index), band.p05, band.p50, band.p95));
    }
  }
  return Status::Ok();
}

Result<std::string> FormatTidyCsv(const ge::TidyTable& table, const BandTable* bands) {
  RB_RETURN_IF_ERROR(ValidateTidyForOutput(table, bands));
  const bool with_bands = UseBands(bands);
  std::string out;
  out.reserve(64 * (table.rows.size() + 1));
  out += kTidyHeader;
  if (with_bands) out += kBandHeader;
  out += '\n';
  std::map<std::size_t, Band>::const_iterator it;
  if (with_bands) it = bands->by_row.begin();
  for (std::size_t i = 0; i < table.rows.size(); ++i) {
    const ge::TidyRow& r = table.rows[i];
    out += CsvField(r.scenario);
    out += ',';
    out += CsvField(r.country);
    out += ',';
    out += CsvField(r.partner);
    out += ',';
    out += CsvField(r.sector);
    out += ',';
    out += CsvField(r.variable);
    out += ',';
    out += CsvField(r.unit);
    out += ',';
    out += RoundTripDouble(r.baseline);
    out += ',';
    out += RoundTripDouble(r.counterfactual);
    out += ',';
    if (!PctChangeIsUndefined(r.pct_change)) out += RoundTripDouble(r.pct_change);
    if (with_bands) {
      if (it != bands->by_row.end() && it->first == i) {
        const Band& b = it->second;
        for (double v : {b.mean, b.sd, b.p05, b.p50, b.p95}) {
          out += ',';
          out += RoundTripDouble(v);
        }
        ++it;
      } else {
        out += ",,,,,";
      }
    }
    out += '\n';
  }
  return out;
}

Result<nlohmann::ordered_json> TidyToJson(const ge::TidyTable& table, const BandTable* bands) {
  RB_RETURN_IF_ERROR(ValidateTidyForOutput(table, bands));
  const bool with_bands = UseBands(bands);
  nlohmann::ordered_json rows = nlohmann::ordered_json::array();
  for (std::size_t i = 0; i < table.rows.size(); ++i) {
    const ge::TidyRow& r = table.rows[i];
    // ordered_json keeps the CSV column order, so the file reads the same.
    nlohmann::ordered_json row = nlohmann::ordered_json::object();
    row["scenario"] = r.scenario;
    row["country"] = r.country;
    row["partner"] = r.partner;
    row["sector"] = r.sector;
    row["variable"] = r.variable;
    row["unit"] = r.unit;
    row["baseline"] = r.baseline;
    row["counterfactual"] = r.counterfactual;
    row["pct_change"] = PctChangeIsUndefined(r.pct_change) ? nlohmann::ordered_json(nullptr)
                                                           : nlohmann::ordered_json(r.pct_change);
    if (with_bands) {
      auto found = bands->by_row.find(i);
      if (found != bands->by_row.end()) {
        row["mean"] = found->second.mean;
        row["sd"] = found->second.sd;
        row["p05"] = found->second.p05;
        row["p50"] = found->second.p50;
        row["p95"] = found->second.p95;
      } else {
        for (const char* k : {"mean", "sd", "p05", "p50", "p95"}) {
          row[k] = nullptr;
        }
      }
    }
    rows.push_back(std::move(row));
  }
  return rows;
}

Status WriteTidyCsv(const ge::TidyTable& table, const std::string& path, bool force,
                    const BandTable* bands) {
  RB_RETURN_IF_ERROR(core::CheckWritable(path, force));
  auto text = FormatTidyCsv(table, bands);
  if (!text.ok()) return text.status().WithContext(path);
  return core::WriteFileAtomic(path, *text, force);
}

Status WriteTidyJson(const ge::TidyTable& table, const std::string& path, bool force,
                     const BandTable* bands) {
  RB_RETURN_IF_ERROR(core::CheckWritable(path, force));
  auto json = TidyToJson(table, bands);
  if (!json.ok()) return json.status().WithContext(path);
  // One compact row per line: a third of the size of an indented dump (the
  // default briefing has ~60k rows) and still readable and diffable.
  // nlohmann's serializer writes doubles in the shortest round-trip form.
  std::string text = "[";
  for (std::size_t i = 0; i < json->size(); ++i) {
    text += i == 0 ? "\n" : ",\n";
    text += (*json)[i].dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  }
  text += "\n]\n";
  return core::WriteFileAtomic(path, text, force);
}

}  // namespace rebalance::report
