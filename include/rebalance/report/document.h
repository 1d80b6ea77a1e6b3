// ReportDocument: a generic, format-free model of rebalance's report.
//
// Front doors (`rebalance run`, Python) fill a document with sections of
// headline sentences, paragraphs, tables and Vega-Lite charts, plus the
// provenance of the data and parameters; html.h renders it to one
// self-contained HTML file. Nothing here knows about economics: the chart
// builders in charts.h turn tidy results into Vega-Lite specs.
#ifndef REBALANCE_REPORT_DOCUMENT_H_
#define REBALANCE_REPORT_DOCUMENT_H_

#include <nlohmann/json.hpp>
#include <string>
#include <variant>
#include <vector>

#include "rebalance/core/status.h"

namespace rebalance::report {

// How a numeric table column is displayed. Sorting always uses the exact
// value, never the displayed text.
struct NumberFormat {
  // Digits after the decimal point.
  int decimals = 2;
  // Group thousands with commas ("1,234,567.89").
  bool thousands_separator = true;
  // Show "+" on positive numbers (for changes).
  bool show_sign = false;
  // Multiplies the value before display (e.g. 1e-3 to show $bn from $m).
  double scale = 1.0;
  // Appended to the number, e.g. "%" or " bn".
  std::string suffix;

  Status Validate() const;
};

// Formats `value` (finite) with `format`.
std::string FormatNumber(double value, const NumberFormat& format);

// One table cell: empty, text or a finite number. A number may carry an
// uncertainty band [band_lo, band_hi] (e.g. the 5th and 95th percentiles
// over parameter draws), printed under it in the column's format.
struct ReportCell {
  enum class Kind { kEmpty, kText, kNumber };
  Kind kind = Kind::kEmpty;
  std::string text;
  double number = 0.0;
  bool has_band = false;
  double band_lo = 0.0, band_hi = 0.0;

  static ReportCell Empty() { return ReportCell{}; }
  static ReportCell Text(std::string t) { return ReportCell{Kind::kText, std::move(t), 0.0}; }
  static ReportCell Number(double v) { return ReportCell{Kind::kNumber, {}, v}; }
  static ReportCell NumberWithBand(double v, double lo, double hi) {
    return ReportCell{Kind::kNumber, {}, v, true, lo, hi};
  }
};

struct ReportColumn {
  std::string name;
  // Numeric columns are right-aligned and sort numerically; text columns
  // sort alphabetically.
  bool numeric = false;
  NumberFormat format;
  // Optional hover text explaining the column (definition).
  std::string description;
  // The unit, printed in the visible header under the name ("%", "bn USD"),
  // so that it survives printing (hover text does not).
  std::string unit;

  static ReportColumn TextColumn(std::string name, std::string description = {});
  static ReportColumn NumberColumn(std::string name, NumberFormat format = {},
                                   std::string description = {}, std::string unit = {});
};

// A header cell spanning `span` adjacent columns (e.g. one scenario's
// columns in a comparison table).
struct ColumnGroup {
  std::string label;
  int span = 1;
};

struct ReportTable {
  std::string caption;
  std::vector<ReportColumn> columns;
  std::vector<std::vector<ReportCell>> rows;
  // Small print under the table (sources, units, definitions).
  std::string note;
  // Optional first header row grouping the columns; when given, the spans
  // are >= 1 and add up to the number of columns.
  std::vector<ColumnGroup> column_groups;

  // Every row has one cell per column; numeric columns hold numbers or empty
  // cells; numbers are finite. Messages name the table, row and column.
  Status Validate() const;
};

// A Vega-Lite chart. The spec must carry its data inline ("values" or
// top-level "datasets"): a "url" data source is refused because the report
// must work offline.
struct ReportChart {
  std::string title;
  std::string caption;
  nlohmann::json spec;

  Status Validate() const;
};

struct ReportParagraph {
  std::string text;
};

// A framed box of labelled statements (an assumptions box, a scenario's
// closure): an optional title, paragraphs, then "label: text" items.
struct ReportBox {
  std::string title;
  std::vector<std::string> paragraphs;
  std::vector<std::pair<std::string, std::string>> items;
  // CSS class of the box: "assumptions" or "closure" (styling only).
  std::string kind = "assumptions";
};

using ReportBlock = std::variant<ReportParagraph, ReportTable, ReportChart, ReportBox>;

struct ReportSection {
  std::string title;
  // One-sentence findings shown first, in a highlighted box.
  std::vector<std::string> headlines;
  // Paragraphs, tables and charts in reading order.
  std::vector<ReportBlock> blocks;
  // Index into ReportDocument::explorer["scenarios"] of the scenario whose
  // what-if explorer closes this section (-1: none).
  int explorer_scenario = -1;
  // Indices into ReportDocument::explorer["tariff_war"]["scenarios"] of the
  // one-sector tariff_war scenarios whose explorers close this section.
  std::vector<int> explorer_tariff_war;

  void AddParagraph(std::string text);
  void AddTable(ReportTable table);
  void AddChart(ReportChart chart);
  void AddBox(ReportBox box);
};

// A provenance entry: data sources with citations, parameters, versions.
struct ProvenanceItem {
  std::string key;
  std::string value;
  // Optional address of the source (shown as a link; not fetched).
  std::string link;
};

struct ReportDocument {
  std::string title;
  std::string subtitle;
  std::vector<ProvenanceItem> provenance;
  std::vector<ReportSection> sections;
  // UTC timestamp shown in the provenance list; empty means "now" at render
  // time. Tests set it for reproducible output.
  std::string generated_utc;
  // The what-if explorer's data (report/explorer.h ExplorerData; null: no
  // explorer). The renderer embeds it with the WebAssembly module.
  nlohmann::json explorer;

  Status Validate() const;
};

}  // namespace rebalance::report

#endif  // REBALANCE_REPORT_DOCUMENT_H_
