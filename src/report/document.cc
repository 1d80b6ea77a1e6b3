// The report document model: number formatting and validation. Validation
// runs before rendering so that a bad document fails with a message naming
// the section, table, row and column instead of producing a broken page.
#include "rebalance/report/document.h"

#include <fmt/format.h>

#include <cmath>

namespace rebalance::report {
namespace {

// Looks for a "data" object with a "url" anywhere in a Vega-Lite spec (top
// level, layers, facets, lookup transforms).
bool FindUrlData(const nlohmann::json& node, std::string* where, const std::string& path) {
  if (node.is_object()) {
    for (auto it = node.begin(); it != node.end(); ++it) {
      const std::string child = path + "/" + it.key();
      if (it.key() == "data" && it->is_object() && it->contains("url")) {
        *where = child;
        return true;
      }
      if (FindUrlData(*it, where, child)) return true;
    }
  } else if (node.is_array()) {
    for (std::size_t i = 0; i < node.size(); ++i) {
      if (FindUrlData(node[i], where, fmt::format("{}/{}", path, i))) {
        return true;
      }
    }
  }
  return false;
}

// Inserts thousands separators into the integer part of a plain decimal.
std::string GroupThousands(const std::string& digits) {
  std::size_t start = (!digits.empty() && digits[0] == '-') ? 1 : 0;
  std::size_t dot = digits.find('.');
  std::size_t int_end = dot == std::string::npos ? digits.size() : dot;
  std::string out = digits.substr(0, start);
  const std::size_t n = int_end - start;
  for (std::size_t i = 0; i < n; ++i) {
    if (i > 0 && (n - i) % 3 == 0) out += ',';
    out += digits[start + i];
  }
  out += digits.substr(int_end);
  return out;
}

}  // namespace

Status NumberFormat::Validate() const {
  if (decimals < 0 || decimals > 17) {
    return Status::InvalidArgument(
        fmt::format("number format: decimals must be in [0, 17], got {}", decimals));
  }
  if (!std::isfinite(scale) || scale == 0.0) {
    return Status::InvalidArgument(
        fmt::format("number format: scale must be finite and non-zero, got {}", scale));
  }
  return Status::Ok();
}

std::string FormatNumber(double value, const NumberFormat& format) {
  double v = value * format.scale;
  std::string text = fmt::format("{:.{}f}", v, format.decimals);
  // "-0.00" reads as a sign error in a table of changes: show it as zero.
  if (text[0] == '-' && text.find_first_not_of("-0.") == std::string::npos) {
    text.erase(0, 1);
  }
  if (format.thousands_separator) text = GroupThousands(text);
  if (format.show_sign && text[0] != '-' && text.find_first_not_of("0.,") != std::string::npos) {
    text = "+" + text;
  }
  return text + format.suffix;
}

ReportColumn ReportColumn::TextColumn(std::string name, std::string description) {
  ReportColumn c;
  c.name = std::move(name);
  c.description = std::move(description);
  return c;
}

ReportColumn ReportColumn::NumberColumn(std::string name, NumberFormat format,
                                        std::string description, std::string unit) {
  ReportColumn c;
  c.unit = std::move(unit);
  c.name = std::move(name);
  c.numeric = true;
  c.format = std::move(format);
  c.description = std::move(description);
  return c;
}

Status ReportTable::Validate() const {
  const std::string label = caption.empty() ? "table" : fmt::format("table '{}'", caption);
  if (columns.empty()) {
    return Status::InvalidArgument(fmt::format("{}: has no columns", label));
  }
  for (const ReportColumn& c : columns) {
    if (c.numeric) {
      Status s = c.format.Validate();
      if (!s.ok()) return s.WithContext(fmt::format("{}, column '{}'", label, c.name));
    }
  }
  if (!column_groups.empty()) {
    std::size_t spanned = 0;
    for (const ColumnGroup& g : column_groups) {
      if (g.span < 1) {
        return Status::InvalidArgument(
            fmt::format("{}: column group '{}' spans {} columns; a group spans at least 1", label,
                        g.label, g.span));
      }
      spanned += static_cast<std::size_t>(g.span);
    }
    if (spanned != columns.size()) {
      return Status::InvalidArgument(
          fmt::format("{}: the column groups span {} columns but the table "
                      "has {}",
                      label, spanned, columns.size()));
    }
  }
  for (std::size_t r = 0; r < rows.size(); ++r) {
    if (rows[r].size() != columns.size()) {
      return Status::InvalidArgument(
          fmt::format("{}: row {} has {} cells but the table has {} columns", label, r + 1,
                      rows[r].size(), columns.size()));
    }
    for (std::size_t c = 0; c < columns.size(); ++c) {
      const ReportCell& cell = rows[r][c];
      if (cell.kind == ReportCell::Kind::kNumber && cell.has_band &&
          (!std::isfinite(cell.band_lo) || !std::isfinite(cell.band_hi) ||
           cell.band_lo > cell.band_hi)) {
        return Status::NumericalError(
            fmt::format("{}: row {}, column '{}' has the band [{}, {}]; a band is two "
                        "finite numbers, low <= high",
                        label, r + 1, columns[c].name, cell.band_lo, cell.band_hi));
      }
      if (cell.kind == ReportCell::Kind::kNumber && !std::isfinite(cell.number)) {
        return Status::NumericalError(
            fmt::format("{}: row {}, column '{}' is {}; use an empty cell for an undefined "
                        "value",
                        label, r + 1, columns[c].name, cell.number));
      }
      if (columns[c].numeric && cell.kind == ReportCell::Kind::kText) {
        return Status::InvalidArgument(
            fmt::format("{}: row {}, column '{}' is numeric but the cell holds text '{}'", label,
                        r + 1, columns[c].name, cell.text));
      }
    }
  }
  return Status::Ok();
}

Status ReportChart::Validate() const {
  const std::string label = title.empty() ? "chart" : fmt::format("chart '{}'", title);
  if (!spec.is_object()) {
    return Status::InvalidArgument(
        fmt::format("{}: the Vega-Lite spec must be a JSON object", label));
  }
  std::string where;
  if (FindUrlData(spec, &where, "")) {
    return Status::InvalidArgument(
        fmt::format("{}: data at '{}' is loaded from a URL; the report must work offline, "
                    "so embed the data as \"values\"",
                    label, where));
  }
  return Status::Ok();
}

void ReportSection::AddParagraph(std::string text) {
  blocks.emplace_back(ReportParagraph{std::move(text)});
}
void ReportSection::AddTable(ReportTable table) { blocks.emplace_back(std::move(table)); }
void ReportSection::AddChart(ReportChart chart) { blocks.emplace_back(std::move(chart)); }
void ReportSection::AddBox(ReportBox box) { blocks.emplace_back(std::move(box)); }

Status ReportDocument::Validate() const {
  if (title.empty()) {
    return Status::InvalidArgument("report: the document has no title");
  }
  for (std::size_t s = 0; s < sections.size(); ++s) {
    const std::string label = fmt::format("report section {} '{}'", s + 1, sections[s].title);
    for (const ReportBlock& block : sections[s].blocks) {
      Status st;
      if (const auto* t = std::get_if<ReportTable>(&block)) st = t->Validate();
      if (const auto* c = std::get_if<ReportChart>(&block)) st = c->Validate();
      if (!st.ok()) return st.WithContext(label);
    }
  }
  return Status::Ok();
}

}  // namespace rebalance::report
