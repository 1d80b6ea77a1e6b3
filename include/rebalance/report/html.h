// RenderHtml: one self-contained HTML file from a ReportDocument.
//
// The page inlines vega, vega-lite and vega-embed (the minified UMD builds of
// the npm packages installed by scripts/fetch_web_assets.sh), so it opens
// offline and can be mailed as one file. Charts are Vega-Lite specs embedded
// as JSON in <script type="application/json"> blocks and rendered to SVG
// (crisp in print); tables sort on a header click with a few lines of inline
// JavaScript; the CSS is print-friendly (no page breaks inside figures,
// controls hidden).
//
// Escaping: all document text goes through EscapeHtml; chart JSON escapes
// '<', '>' and '&' as \u003c, \u003e, \u0026 so no "</script>" or "<!--" can
// end or confuse the JSON block; the inlined libraries are checked to contain
// neither sequence (they would otherwise end their <script> element early).
//
// Missing assets are an error naming the file and the script that installs
// them: a report without charts is never produced silently.
#ifndef REBALANCE_REPORT_HTML_H_
#define REBALANCE_REPORT_HTML_H_

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "rebalance/core/status.h"
#include "rebalance/report/document.h"

namespace rebalance::report {

// Environment variable that overrides where the web assets are read from.
inline constexpr const char* kWebAssetsEnv = "REBALANCE_WEB_ASSETS";

struct HtmlOptions {
  // A node_modules directory holding vega/build/vega.min.js,
  // vega-lite/build/vega-lite.min.js and vega-embed/build/vega-embed.min.js.
  // When set it wins over everything else (an explicit user choice).
  std::string web_assets_dir;
  // Used when web_assets_dir is empty and $REBALANCE_WEB_ASSETS is unset.
  // Front doors set it to their source tree's report/web/node_modules
  // (REBALANCE_SOURCE_DIR "/report/web/node_modules"). When this is empty
  // too, the library falls back to the directory compiled into it, if any.
  std::string fallback_web_assets_dir;
  // The what-if explorer's module (rebalance_explorer.js, built by
  // scripts/build_wasm.sh), embedded when the document has an explorer.
  // Empty: $REBALANCE_EXPLORER_MODULE, else the file the build compiled in.
  // A missing module leaves a report whose explorer panels say why.
  std::string explorer_module;

  Status Validate() const;
};

// Environment variable naming the explorer's module file.
inline constexpr const char* kExplorerModuleEnv = "REBALANCE_EXPLORER_MODULE";

// The directory the assets are read from under `options` and the current
// environment, or an error saying how to set it.
Result<std::string> ResolveWebAssetsDir(const HtmlOptions& options);

// The JavaScript libraries the report inlines, with their versions and
// licences (read from each package.json and LICENSE).
struct WebAssets {
  struct Library {
    std::string name;     // "vega"
    std::string version;  // "6.4.0"
    std::string license;  // "BSD-3-Clause"
    std::string license_text;
    std::string code;  // the minified UMD build
  };
  std::vector<Library> libraries;  // vega, vega-lite, vega-embed, in load order
  // The what-if explorer's module (JavaScript with the WebAssembly inlined),
  // or empty with `explorer_missing` saying why.
  std::string explorer_code;
  std::string explorer_missing = "the WebAssembly module was not loaded";
};

// Reads the explorer's module per `options` into `assets` (explorer_code, or
// explorer_missing naming the file and how to build it). Never fails: a
// report without its explorer says so in the page.
void LoadExplorerModule(const HtmlOptions& options, WebAssets* assets);

// Resolves the directory and checks that the three library files exist,
// without reading them: for front doors to fail before long work.
Status CheckWebAssets(const HtmlOptions& options);

// Reads and checks the three libraries from `dir`. A missing file is a
// kNotFound error naming it and scripts/fetch_web_assets.sh.
Result<WebAssets> LoadWebAssets(const std::string& dir);

// Renders the document with the given assets (pure; for tests).
Result<std::string> RenderHtml(const ReportDocument& doc, const WebAssets& assets);

// Loads the assets per `options` and renders.
Result<std::string> RenderHtml(const ReportDocument& doc, const HtmlOptions& options = {});

// Renders and writes atomically; fails if `path` exists and !force.
Status WriteHtmlReport(const ReportDocument& doc, const std::string& path, bool force,
                       const HtmlOptions& options = {});

// &, <, >, " and ' as entities: safe in element text and quoted attributes.
std::string EscapeHtml(std::string_view text);

// JSON text safe to place inside a <script> element: '<', '>', '&' and the
// JavaScript line separators U+2028/U+2029 are written as \uXXXX escapes.
std::string JsonForScript(const nlohmann::json& value);

}  // namespace rebalance::report

#endif  // REBALANCE_REPORT_HTML_H_
