// HTML rendering of a ReportDocument: one self-contained, offline file.
//
// Layout: header (title, subtitle, contents), one <section> per document
// section (headline box, then paragraphs / figures / tables in order), then
// "Sources and provenance". The three Vega libraries are inlined in <head>;
// the page's own script (chart embedding and table sorting) runs at the end
// of <body>. A Content-Security-Policy forbids every network fetch, so a page
// that still tried to load something would fail loudly (console error) in the
// browser test instead of quietly depending on the network.
//
// The page publishes window.__rebalanceReport = {charts, rendered, errors}
// so tests (report/web/check_report.mjs) can wait for all charts.
#include "rebalance/report/html.h"

#include <fmt/format.h>

#include <chrono>
#include <cstdlib>
#include <ctime>
#include <filesystem>

#include "explorer_page.h"
#include "rebalance/core/atomic_file.h"
#include "rebalance/core/version.h"
#include "rebalance/data/csv.h"

namespace rebalance::report {
namespace {

constexpr const char* kFetchScript = "scripts/fetch_web_assets.sh";

struct LibrarySpec {
  const char* name;
  const char* build_file;
};
constexpr LibrarySpec kLibraries[] = {
    {"vega", "vega/build/vega.min.js"},
    {"vega-lite", "vega-lite/build/vega-lite.min.js"},
    {"vega-embed", "vega-embed/build/vega-embed.min.js"},
};

constexpr const char* kCss = R"CSS(
:root {
  --ink: #1f2933; --muted: #52606d; --line: #d9e2ec; --accent: #2f6f9f;
  --band: #f5f7fa; --head: #e4ebf2;
}
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; }
body {
  margin: 0 auto; padding: 2rem 1.5rem 4rem; max-width: 1180px; color: var(--ink);
  font: 16px/1.55 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue",
        "Noto Sans", "Liberation Sans", Arial, sans-serif;
  background: #fff;
}
header.report-header { border-bottom: 3px solid var(--accent); margin-bottom: 1.5rem; }
h1 { font-size: 2rem; line-height: 1.2; margin: 0 0 .3rem; }
.subtitle { color: var(--muted); font-size: 1.1rem; margin: 0 0 1rem; }
nav.toc { font-size: .95rem; margin: 0 0 1rem; }
nav.toc ol { margin: .3rem 0 0; padding-left: 1.4rem; columns: 2; column-gap: 2rem; }
nav.toc a { color: var(--accent); text-decoration: none; }
nav.toc a:hover { text-decoration: underline; }
section { margin: 2.5rem 0; }
h2 { font-size: 1.45rem; margin: 0 0 .8rem; padding-bottom: .25rem;
     border-bottom: 1px solid var(--line); }
.headlines { background: var(--band); border-left: 4px solid var(--accent);
             padding: .7rem 1rem; margin: 0 0 1.2rem; }
.headlines ul { margin: 0; padding-left: 1.1rem; }
.headlines li { margin: .2rem 0; font-weight: 500; }
p { margin: .6rem 0; max-width: 52rem; }
figure.chart { margin: 1.5rem 0; break-inside: avoid; page-break-inside: avoid; }
figure.chart figcaption { font-weight: 600; margin-bottom: .4rem; }
figure.chart .caption { color: var(--muted); font-size: .9rem; margin-top: .3rem; }
.vega-chart { overflow-x: auto; max-width: 100%; }
.chart-error { color: #b00020; border: 1px solid #b00020; padding: .6rem; }
.table-wrap { overflow-x: auto; margin: 1.2rem 0; max-width: 100%; }
table.sortable { border-collapse: collapse; font-size: .9rem;
                 font-variant-numeric: tabular-nums; min-width: 50%; }
table.sortable caption { text-align: left; font-weight: 600; padding: 0 0 .4rem; }
table.sortable th, table.sortable td { padding: .3rem .65rem; border-bottom: 1px solid var(--line); }
table.sortable thead th { background: var(--head); text-align: left; vertical-align: bottom;
                          position: sticky; top: 0; }
table.sortable th.num, table.sortable td.num { text-align: right; }
table.sortable tbody tr:nth-child(even) { background: var(--band); }
table.sortable tbody tr:hover { background: #e8f1f8; }
table.sortable th button { all: unset; cursor: pointer; font-weight: 600; display: inline-block; }
table.sortable th button:focus-visible { outline: 2px solid var(--accent); outline-offset: 2px; }
table.sortable th button::after { content: " \2195"; color: #9aa5b1; font-weight: 400; }
table.sortable th[aria-sort="ascending"] button::after { content: " \25B2"; color: var(--accent); }
table.sortable th[aria-sort="descending"] button::after { content: " \25BC"; color: var(--accent); }
.table-note { color: var(--muted); font-size: .85rem; margin-top: .3rem; }
table.sortable th .unit { display: block; font-weight: 400; font-size: .8rem; color: var(--muted); }
table.sortable thead tr.groups th { text-align: center; border-left: 2px solid #fff; position: static; }
table.sortable.grouped { font-size: .78rem; }
table.sortable.grouped th, table.sortable.grouped td { padding: .25rem .3rem; }
table.sortable.grouped th:not([aria-sort]) button::after { content: ""; }
table.sortable td .band { display: block; font-size: .75rem; color: var(--muted); white-space: nowrap; }
aside.box { border: 1px solid var(--line); border-left: 4px solid #b7791f; background: #fffaf0;
            padding: .6rem 1rem; margin: 1rem 0; max-width: 60rem; break-inside: avoid; }
aside.box.closure { border-left-color: var(--accent); background: var(--band); }
aside.box h3 { font-size: 1rem; margin: 0 0 .3rem; }
aside.box p { margin: .3rem 0; }
aside.box dl { display: grid; grid-template-columns: max-content 1fr; gap: .15rem 1rem; margin: .3rem 0; }
aside.box dt { font-weight: 600; }
aside.box dd { margin: 0; }
dl.provenance { display: grid; grid-template-columns: minmax(10rem, max-content) 1fr;
                gap: .3rem 1.2rem; font-size: .92rem; }
dl.provenance dt { font-weight: 600; }
dl.provenance dd { margin: 0; overflow-wrap: anywhere; }
footer { color: var(--muted); font-size: .85rem; border-top: 1px solid var(--line);
         margin-top: 3rem; padding-top: .8rem; }
@media print {
  body { max-width: none; padding: 0; font-size: 11pt; }
  nav.toc, .vega-embed details, .vega-actions { display: none !important; }
  section { margin: 1.2rem 0; }
  h2 { break-after: avoid; page-break-after: avoid; }
  .headlines { break-inside: avoid; }
  table.sortable thead th { position: static; }
  table.sortable.grouped { font-size: 7.5pt; }
  table.sortable tr { break-inside: avoid; }
  table.sortable th button::after { content: ""; }
  .table-wrap, .vega-chart { overflow: visible; }
  a { color: inherit; }
}
)CSS";

// Chart embedding and table sorting. Written for this page; no library.
constexpr const char* kPageScript = R"JS(
(function () {
  'use strict';
  var status = { charts: 0, rendered: 0, errors: [], done: false };
  window.__rebalanceReport = status;

  function fail(el, message) {
    status.errors.push(message);
    el.classList.add('chart-error');
    el.textContent = 'This chart could not be drawn: ' + message;
    console.error('rebalance report: ' + message);
  }

  var charts = document.querySelectorAll('div.vega-chart');
  status.charts = charts.length;
  var pending = [];
  charts.forEach(function (el) {
    if (typeof vegaEmbed !== 'function') {
      fail(el, el.id + ': the vega-embed library is missing from this page');
      return;
    }
    var spec;
    try {
      spec = JSON.parse(document.getElementById(el.dataset.spec).textContent);
    } catch (e) {
      fail(el, el.id + ': invalid chart JSON: ' + e);
      return;
    }
    pending.push(vegaEmbed(el, spec, {
      mode: 'vega-lite', renderer: 'svg',
      actions: { export: true, source: true, compiled: false, editor: false }
    }).then(function () {
      status.rendered += 1;
      el.dataset.rendered = 'true';
    }, function (err) {
      fail(el, el.id + ': ' + err);
    }));
  });
  Promise.all(pending).then(function () { status.done = true; });

  var collator = new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' });
  function sortKey(row, col) {
    var cell = row.cells[col];
    return cell.hasAttribute('data-sort') ? cell.getAttribute('data-sort')
                                          : cell.textContent.trim();
  }
  document.querySelectorAll('table.sortable').forEach(function (table) {
    // With column groups the sortable headers are the last header row.
    var headers = table.tHead.rows[table.tHead.rows.length - 1].cells;
    Array.prototype.forEach.call(headers, function (th, col) {
      var button = th.querySelector('button');
      button.addEventListener('click', function () {
        var numeric = th.dataset.type === 'number';
        var dir = th.getAttribute('aria-sort') === 'ascending' ? 'descending' : 'ascending';
        Array.prototype.forEach.call(headers, function (h) { h.removeAttribute('aria-sort'); });
        th.setAttribute('aria-sort', dir);
        var sign = dir === 'ascending' ? 1 : -1;
        var body = table.tBodies[0];
        var rows = Array.prototype.slice.call(body.rows);
        rows.sort(function (a, b) {
          var ka = sortKey(a, col), kb = sortKey(b, col);
          // Empty cells go last in both directions.
          if (ka === '' || kb === '') return (ka === '') - (kb === '');
          var d = numeric ? parseFloat(ka) - parseFloat(kb) : collator.compare(ka, kb);
          return sign * d;
        });
        rows.forEach(function (r) { body.appendChild(r); });
      });
    });
  });
})();
)JS";

// Blocks fetches of every kind; vega compiles expressions with Function(),
// hence 'unsafe-eval'. Exported PNG/SVG downloads use data: and blob: URLs.
constexpr const char* kContentSecurityPolicy =
    "default-src 'none'; script-src 'unsafe-inline' 'unsafe-eval'; "
    "style-src 'unsafe-inline'; img-src data: blob:; font-src data:";

bool ContainsNoCase(std::string_view haystack, std::string_view needle) {
  if (needle.size() > haystack.size()) return false;
  for (std::size_t i = 0; i + needle.size() <= haystack.size(); ++i) {
    bool match = true;
    for (std::size_t k = 0; k < needle.size() && match; ++k) {
      char a = haystack[i + k];
      if (a >= 'A' && a <= 'Z') a = static_cast<char>(a - 'A' + 'a');
      match = a == needle[k];
    }
    if (match) return true;
  }
  return false;
}

// Text for an HTML comment: "--" may not appear inside one.
std::string CommentSafe(std::string text) {
  std::size_t pos;
  while ((pos = text.find("--")) != std::string::npos) text.replace(pos, 2, "- -");
  return text;
}

std::string NowUtc() {
  std::time_t t = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M UTC", &tm);
  return buf;
}

std::string Anchor(std::size_t section_index) {
  return fmt::format("section-{}", section_index + 1);
}

void RenderTable(const ReportTable& table, std::string* out) {
  // A table with column groups (a comparison across scenarios) is set
  // tighter so that it fits the page width.
  *out += table.column_groups.empty()
              ? "<div class=\"table-wrap\"><table class=\"sortable\">\n"
              : "<div class=\"table-wrap\"><table class=\"sortable grouped\">\n";
  if (!table.caption.empty()) {
    *out += fmt::format("<caption>{}</caption>\n", EscapeHtml(table.caption));
  }
  *out += "<thead>";
  if (!table.column_groups.empty()) {
    // The group row is not sortable; the page script sorts on the last
    // header row.
    *out += "<tr class=\"groups\">";
    for (const ColumnGroup& g : table.column_groups) {
      *out +=
          fmt::format("<th scope=\"colgroup\" colspan=\"{}\">{}</th>", g.span, EscapeHtml(g.label));
    }
    *out += "</tr>";
  }
  *out += "<tr>";
  for (const ReportColumn& c : table.columns) {
    *out += fmt::format(
        "<th scope=\"col\" data-type=\"{}\"{}{}><button "
        "type=\"button\">{}</button>{}</th>",
        c.numeric ? "number" : "text", c.numeric ? " class=\"num\"" : "",
        c.description.empty() ? std::string()
                              : fmt::format(" title=\"{}\"", EscapeHtml(c.description)),
        EscapeHtml(c.name),
        c.unit.empty() ? std::string()
                       : fmt::format("<span class=\"unit\">{}</span>", EscapeHtml(c.unit)));
  }
  *out += "</tr></thead>\n<tbody>\n";
  for (const auto& row : table.rows) {
    *out += "<tr>";
    for (std::size_t c = 0; c < table.columns.size(); ++c) {
      const ReportColumn& col = table.columns[c];
      const ReportCell& cell = row[c];
      switch (cell.kind) {
        case ReportCell::Kind::kEmpty:
          *out += col.numeric ? "<td class=\"num\" data-sort=\"\"></td>" : "<td></td>";
          break;
        case ReportCell::Kind::kText:
          *out += fmt::format("<td>{}</td>", EscapeHtml(cell.text));
          break;
        case ReportCell::Kind::kNumber:
          // The exact value sorts; the formatted one is shown. A number in a
          // text column is shown with the shortest round-trip form.
          *out += col.numeric
                      ? fmt::format(
                            "<td class=\"num\" data-sort=\"{}\">{}{}</td>", cell.number,
                            EscapeHtml(FormatNumber(cell.number, col.format)),
                            cell.has_band
                                ? fmt::format("<span class=\"band\">{} to {}</span>",
                                              EscapeHtml(FormatNumber(cell.band_lo, col.format)),
                                              EscapeHtml(FormatNumber(cell.band_hi, col.format)))
                                : std::string())
                      : fmt::format("<td>{}</td>", cell.number);
          break;
      }
    }
    *out += "</tr>\n";
  }
  *out += "</tbody></table>\n";
  if (!table.note.empty()) {
    *out += fmt::format("<p class=\"table-note\">{}</p>\n", EscapeHtml(table.note));
  }
  *out += "</div>\n";
}

void RenderChart(const ReportChart& chart, int index, std::string* out) {
  const std::string id = fmt::format("chart-{}", index);
  *out += "<figure class=\"chart\">\n";
  if (!chart.title.empty()) {
    *out += fmt::format("<figcaption>{}</figcaption>\n", EscapeHtml(chart.title));
  }
  *out += fmt::format("<div class=\"vega-chart\" id=\"{0}\" data-spec=\"{0}-spec\"></div>\n", id);
  *out += fmt::format("<script type=\"application/json\" id=\"{}-spec\">{}</script>\n", id,
                      JsonForScript(chart.spec));
  if (!chart.caption.empty()) {
    *out += fmt::format("<p class=\"caption\">{}</p>\n", EscapeHtml(chart.caption));
  }
  *out += "</figure>\n";
}

void RenderBox(const ReportBox& box, std::string* out) {
  *out += fmt::format("<aside class=\"box {}\">\n", EscapeHtml(box.kind));
  if (!box.title.empty()) {
    *out += fmt::format("<h3>{}</h3>\n", EscapeHtml(box.title));
  }
  for (const std::string& p : box.paragraphs) {
    *out += fmt::format("<p>{}</p>\n", EscapeHtml(p));
  }
  if (!box.items.empty()) {
    *out += "<dl>\n";
    for (const auto& [label, text] : box.items) {
      *out += fmt::format("<dt>{}</dt><dd>{}</dd>\n", EscapeHtml(label), EscapeHtml(text));
    }
    *out += "</dl>\n";
  }
  *out += "</aside>\n";
}

Result<std::string> ReadRequired(const std::filesystem::path& path, const std::string& dir) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) {
    return Status::NotFound(
        fmt::format("report web asset '{}' is missing (looked in web assets directory "
                    "'{}'); "
                    "install vega, vega-lite and vega-embed with {} (or point ${} at a "
                    "node_modules directory that has them)",
                    path.string(), dir, kFetchScript, kWebAssetsEnv));
  }
  return data::ReadFileToString(path.string());
}

}  // namespace

std::string EscapeHtml(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string JsonForScript(const nlohmann::json& value) {
  // error_handler::replace: invalid UTF-8 in a label becomes U+FFFD rather
  // than an exception escaping the renderer.
  const std::string text = value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    // '<', '>' and '&' occur only inside JSON strings, where \u escapes are
    // equivalent, so the parsed value is unchanged.
    if (c == '<') {
      out += "\\u003c";
    } else if (c == '>') {
      out += "\\u003e";
    } else if (c == '&') {
      out += "\\u0026";
    } else if (c == '\xE2' && i + 2 < text.size() && text[i + 1] == '\x80' &&
               (text[i + 2] == '\xA8' || text[i + 2] == '\xA9')) {
      out += text[i + 2] == '\xA8' ? "\\u2028" : "\\u2029";
      i += 2;
    } else {
      out += c;
    }
  }
  return out;
}

Status HtmlOptions::Validate() const { return Status::Ok(); }

Result<std::string> ResolveWebAssetsDir(const HtmlOptions& options) {
  if (!options.web_assets_dir.empty()) return options.web_assets_dir;
  if (const char* env = std::getenv(kWebAssetsEnv); env != nullptr && env[0] != '\0') {
    return std::string(env);
  }
  if (!options.fallback_web_assets_dir.empty()) return options.fallback_web_assets_dir;
#ifdef REBALANCE_SOURCE_DIR
  return std::string(REBALANCE_SOURCE_DIR "/report/web/node_modules");
#else
  return Status::NotFound(
      fmt::format("no directory for the report's web assets (vega, vega-lite, vega-embed): "
                  "set ${} to a node_modules directory installed by {}",
                  kWebAssetsEnv, kFetchScript));
#endif
}

Status CheckWebAssets(const HtmlOptions& options) {
  RB_ASSIGN_OR_RETURN(std::string dir, ResolveWebAssetsDir(options));
  for (const LibrarySpec& spec : kLibraries) {
    const std::filesystem::path file = std::filesystem::path(dir) / spec.build_file;
    std::error_code ec;
    if (!std::filesystem::is_regular_file(file, ec)) {
      return ReadRequired(file, dir).status();
    }
  }
  return Status::Ok();
}

Result<WebAssets> LoadWebAssets(const std::string& dir) {
  namespace fs = std::filesystem;
  WebAssets assets;
  for (const LibrarySpec& spec : kLibraries) {
    WebAssets::Library lib;
    lib.name = spec.name;
    const fs::path package_dir = fs::path(dir) / spec.name;
    RB_ASSIGN_OR_RETURN(lib.code, ReadRequired(fs::path(dir) / spec.build_file, dir));
    RB_ASSIGN_OR_RETURN(std::string package_text, ReadRequired(package_dir / "package.json", dir));
    nlohmann::json package = nlohmann::json::parse(package_text, nullptr, false);
    if (package.is_discarded() || !package.is_object()) {
      return Status::ParseError(
          fmt::format("{}: not valid JSON", (package_dir / "package.json").string()));
    }
    lib.version = package.value("version", "");
    if (package.contains("license") && package["license"].is_string()) {
      lib.license = package["license"].get<std::string>();
    }
    std::error_code ec;
    if (fs::is_regular_file(package_dir / "LICENSE", ec)) {
      RB_ASSIGN_OR_RETURN(lib.license_text,
                          data::ReadFileToString((package_dir / "LICENSE").string()));
    }
    // Either sequence would end or confuse the <script> element the code is
    // inlined into; minified builds do not contain them today.
    if (ContainsNoCase(lib.code, "</script") || lib.code.find("<!--") != std::string::npos) {
      return Status::FailedPrecondition(
          fmt::format("{}: contains '</script' or '<!--' and cannot be inlined "
                      "into the report",
                      (fs::path(dir) / spec.build_file).string()));
    }
    if (lib.code.empty()) {
      return Status::FailedPrecondition(fmt::format(
          "{}: empty file; rerun {}", (fs::path(dir) / spec.build_file).string(), kFetchScript));
    }
    assets.libraries.push_back(std::move(lib));
  }
  return assets;
}

void LoadExplorerModule(const HtmlOptions& options, WebAssets* assets) {
  std::string path = options.explorer_module;
  if (const char* env = std::getenv(kExplorerModuleEnv);
      path.empty() && env != nullptr && env[0] != '\0') {
    path = env;
  }
#ifdef REBALANCE_EXPLORER_MODULE_DEFAULT
  if (path.empty()) path = REBALANCE_EXPLORER_MODULE_DEFAULT;
#endif
  assets->explorer_code.clear();
  const std::string how =
      "build it with scripts/build_wasm.sh (needs Debian's emscripten; scripts/setup.sh installs "
      "it) and rerun";
  if (path.empty()) {
    assets->explorer_missing = "no WebAssembly module was given to the report writer; " + how;
    return;
  }
  const std::string name = std::filesystem::path(path).filename().string();
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) {
    assets->explorer_missing =
        fmt::format("its WebAssembly module {} was not built; {}", name, how);
    return;
  }
  auto code = data::ReadFileToString(path);
  if (!code.ok() || code->empty()) {
    assets->explorer_missing = fmt::format("its WebAssembly module {} could not be read", name);
    return;
  }
  if (ContainsNoCase(*code, "</script") || code->find("<!--") != std::string::npos) {
    assets->explorer_missing = fmt::format(
        "its WebAssembly module {} holds '</script' or '<!--' and cannot be inlined", name);
    return;
  }
  assets->explorer_code = std::move(code).value();
  assets->explorer_missing.clear();
}

Result<std::string> RenderHtml(const ReportDocument& doc, const WebAssets& assets) {
  RB_RETURN_IF_ERROR(doc.Validate());
  if (assets.libraries.size() != std::size(kLibraries)) {
    return Status::InvalidArgument(
        fmt::format("report: expected the {} libraries vega, vega-lite, "
                    "vega-embed; got {} (load them "
                    "with LoadWebAssets)",
                    std::size(kLibraries), assets.libraries.size()));
  }
  for (std::size_t i = 0; i < std::size(kLibraries); ++i) {
    if (assets.libraries[i].name != kLibraries[i].name) {
      return Status::InvalidArgument(fmt::format("report: library {} is '{}', expected '{}'", i + 1,
                                                 assets.libraries[i].name, kLibraries[i].name));
    }
  }

  std::string out;
  out.reserve(1 << 20);
  out += "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n";
  out +=
      "<meta name=\"viewport\" content=\"width=device-width, "
      "initial-scale=1\">\n";
  out += fmt::format("<meta http-equiv=\"Content-Security-Policy\" content=\"{}\">\n",
                     kContentSecurityPolicy);
  out += fmt::format("<meta name=\"generator\" content=\"rebalance {}\">\n", REBALANCE_VERSION);
  out += fmt::format("<title>{}</title>\n", EscapeHtml(doc.title));
  out += fmt::format("<style>{}</style>\n", kCss);
  const bool explorer = !doc.explorer.is_null();
  if (explorer) out += fmt::format("<style>{}</style>\n", internal::ExplorerCss());
  for (const WebAssets::Library& lib : assets.libraries) {
    out += fmt::format("<!-- {} {} ({})\n{}-->\n", lib.name, lib.version, lib.license,
                       CommentSafe(lib.license_text));
    out += "<script>\n";
    out += lib.code;
    out += "\n</script>\n";
  }
  out += "</head>\n<body>\n<header class=\"report-header\">\n";
  out += fmt::format("<h1>{}</h1>\n", EscapeHtml(doc.title));
  if (!doc.subtitle.empty()) {
    out += fmt::format("<p class=\"subtitle\">{}</p>\n", EscapeHtml(doc.subtitle));
  }
  out +=
      "<nav class=\"toc\" "
      "aria-label=\"Contents\"><strong>Contents</strong><ol>\n";
  for (std::size_t s = 0; s < doc.sections.size(); ++s) {
    out += fmt::format("<li><a href=\"#{}\">{}</a></li>\n", Anchor(s),
                       EscapeHtml(doc.sections[s].title));
  }
  out +=
      "<li><a href=\"#provenance\">Sources and "
      "provenance</a></li>\n</ol></nav>\n";
  out += "</header>\n<main>\n";

  int chart_index = 0;
  for (std::size_t s = 0; s < doc.sections.size(); ++s) {
    const ReportSection& section = doc.sections[s];
    out += fmt::format("<section id=\"{}\">\n<h2>{}</h2>\n", Anchor(s), EscapeHtml(section.title));
    if (!section.headlines.empty()) {
      out += "<div class=\"headlines\"><ul>\n";
      for (const std::string& h : section.headlines) {
        out += fmt::format("<li>{}</li>\n", EscapeHtml(h));
      }
      out += "</ul></div>\n";
    }
    for (const ReportBlock& block : section.blocks) {
      if (const auto* p = std::get_if<ReportParagraph>(&block)) {
        out += fmt::format("<p>{}</p>\n", EscapeHtml(p->text));
      } else if (const auto* t = std::get_if<ReportTable>(&block)) {
        RenderTable(*t, &out);
      } else if (const auto* c = std::get_if<ReportChart>(&block)) {
        RenderChart(*c, ++chart_index, &out);
      } else if (const auto* b = std::get_if<ReportBox>(&block)) {
        RenderBox(*b, &out);
      }
    }
    if (explorer && section.explorer_scenario >= 0) {
      internal::RenderExplorerPanel(section.explorer_scenario,
                                    assets.explorer_code.empty() ? assets.explorer_missing : "",
                                    &out);
    }
    for (int k : explorer ? section.explorer_tariff_war : std::vector<int>{}) {
      internal::RenderExplorerPanel(k, assets.explorer_code.empty() ? assets.explorer_missing : "",
                                    &out, "tariff_war");
    }
    out += "</section>\n";
  }

  const std::string generated = doc.generated_utc.empty() ? NowUtc() : doc.generated_utc;
  out +=
      "<section id=\"provenance\">\n<h2>Sources and provenance</h2>\n<dl "
      "class=\"provenance\">\n";
  auto item = [&out](const std::string& key, const std::string& value, const std::string& link) {
    out += fmt::format("<dt>{}</dt><dd>{}", EscapeHtml(key), EscapeHtml(value));
    if (!link.empty()) {
      out += fmt::format(" (<a href=\"{0}\">{0}</a>)", EscapeHtml(link));
    }
    out += "</dd>\n";
  };
  for (const ProvenanceItem& p : doc.provenance) item(p.key, p.value, p.link);
  item("Software", fmt::format("rebalance {}", REBALANCE_VERSION), "");
  item("Generated", generated, "");
  std::string libs;
  for (const WebAssets::Library& lib : assets.libraries) {
    if (!libs.empty()) libs += ", ";
    libs += fmt::format("{} {}", lib.name, lib.version);
    if (!lib.license.empty()) libs += fmt::format(" ({})", lib.license);
  }
  item("Charts drawn with", libs + ", inlined in this file", "");
  out += "</dl>\n</section>\n</main>\n";
  out += fmt::format("<footer>Generated by rebalance {} on {}.</footer>\n", REBALANCE_VERSION,
                     EscapeHtml(generated));
  out += fmt::format("<script>{}</script>\n", kPageScript);
  if (explorer && !assets.explorer_code.empty()) {
    internal::RenderExplorerScripts(doc.explorer, assets.explorer_code, &out);
  }
  out += "</body>\n</html>\n";
  return out;
}

Result<std::string> RenderHtml(const ReportDocument& doc, const HtmlOptions& options) {
  RB_RETURN_IF_ERROR(options.Validate());
  RB_RETURN_IF_ERROR(doc.Validate());
  RB_ASSIGN_OR_RETURN(std::string dir, ResolveWebAssetsDir(options));
  RB_ASSIGN_OR_RETURN(WebAssets assets, LoadWebAssets(dir));
  if (!doc.explorer.is_null()) LoadExplorerModule(options, &assets);
  return RenderHtml(doc, assets);
}

Status WriteHtmlReport(const ReportDocument& doc, const std::string& path, bool force,
                       const HtmlOptions& options) {
  RB_RETURN_IF_ERROR(core::CheckWritable(path, force));
  auto html = RenderHtml(doc, options);
  if (!html.ok()) return html.status().WithContext(path);
  return core::WriteFileAtomic(path, *html, force);
}

}  // namespace rebalance::report
