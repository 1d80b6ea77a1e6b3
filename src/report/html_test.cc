#include "rebalance/report/html.h"

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <limits>

#include "rebalance/core/atomic_file.h"
#include "rebalance/core/version.h"
#include "rebalance/data/csv.h"
#include "sample_document.h"

namespace rebalance::report {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;

class TempDir {
 public:
  explicit TempDir(const std::string& tag) {
    path_ = fs::temp_directory_path() /
            ("rebalance_html_test_" + tag + "_" + std::to_string(::getpid()));
    fs::remove_all(path_);
    fs::create_directories(path_);
  }
  ~TempDir() { fs::remove_all(path_); }
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

void WriteText(const fs::path& path, const std::string& text) {
  fs::create_directories(path.parent_path());
  std::ofstream(path, std::ios::binary) << text;
}

// A node_modules layout with stand-in libraries (tests must not depend on
// the npm install; the browser test covers the real ones).
void MakeFakeAssets(const fs::path& dir, const std::string& vega_code = "window.vega={};") {
  WriteText(dir / "vega/build/vega.min.js", vega_code);
  WriteText(dir / "vega/package.json",
            R"({"name":"vega","version":"9.9.9","license":"BSD-3-Clause"})");
  WriteText(dir / "vega/LICENSE", "Copyright (c) -- test\n");
  WriteText(dir / "vega-lite/build/vega-lite.min.js", "window.vegaLite={};");
  WriteText(dir / "vega-lite/package.json", R"({"version":"8.8.8","license":"BSD-3-Clause"})");
  WriteText(dir / "vega-embed/build/vega-embed.min.js", "window.vegaEmbed=function(){};");
  WriteText(dir / "vega-embed/package.json", R"({"version":"7.7.7","license":"BSD-3-Clause"})");
}

std::size_t Count(const std::string& hay, const std::string& needle) {
  std::size_t n = 0;
  for (std::size_t p = hay.find(needle); p != std::string::npos; p = hay.find(needle, p + 1)) ++n;
  return n;
}

TEST(EscapeHtmlTest, EscapesTheFiveSpecialCharacters) {
  EXPECT_EQ(EscapeHtml("a<b>&\"c\"'d'"), "a&lt;b&gt;&amp;&quot;c&quot;&#39;d&#39;");
  EXPECT_EQ(EscapeHtml("Côte d’Ivoire"), "Côte d’Ivoire");  // UTF-8 untouched
  EXPECT_EQ(EscapeHtml(""), "");
}

TEST(JsonForScriptTest, CannotCloseTheScriptElement) {
  json v = {{"label", "</script><script>alert(1)</script><!-- & -->"},
            {"sep", "a\u2028b\u2029c"},
            {"n", 1.5}};
  const std::string text = JsonForScript(v);
  EXPECT_EQ(text.find('<'), std::string::npos) << text;
  EXPECT_EQ(text.find('>'), std::string::npos) << text;
  EXPECT_EQ(text.find('&'), std::string::npos) << text;
  EXPECT_EQ(text.find("\xE2\x80\xA8"), std::string::npos);
  EXPECT_NE(text.find("\\u2028"), std::string::npos);
  // The escapes are JSON: parsing gives the same value back.
  EXPECT_EQ(json::parse(text), v);
}

TEST(WebAssetsTest, MissingAssetsNameTheFileAndTheInstallScript) {
  TempDir dir("missing");
  auto assets = LoadWebAssets(dir.path().string());
  ASSERT_FALSE(assets.ok());
  EXPECT_EQ(assets.status().code(), StatusCode::kNotFound);
  const std::string& m = assets.status().message();
  EXPECT_NE(m.find("vega/build/vega.min.js"), std::string::npos) << m;
  EXPECT_NE(m.find("scripts/fetch_web_assets.sh"), std::string::npos) << m;
  EXPECT_NE(m.find("REBALANCE_WEB_ASSETS"), std::string::npos) << m;

  HtmlOptions check;
  check.web_assets_dir = dir.path().string();
  Status quick = CheckWebAssets(check);
  ASSERT_FALSE(quick.ok());
  EXPECT_NE(quick.message().find("scripts/fetch_web_assets.sh"), std::string::npos);

  // One library present, the next one missing: that one is named.
  MakeFakeAssets(dir.path());
  EXPECT_TRUE(CheckWebAssets(check).ok());
  fs::remove(dir.path() / "vega-embed/build/vega-embed.min.js");
  auto partial = LoadWebAssets(dir.path().string());
  ASSERT_FALSE(partial.ok());
  EXPECT_FALSE(CheckWebAssets(check).ok());
  EXPECT_NE(partial.status().message().find("vega-embed.min.js"), std::string::npos);

  // The renderer refuses too: never a page without its charts.
  Status st;
  ReportDocument doc = testing::MakeSampleDocument(&st);
  ASSERT_TRUE(st.ok()) << st.ToString();
  HtmlOptions options;
  options.web_assets_dir = dir.path().string();
  const std::string out = (dir.path() / "report.html").string();
  Status w = WriteHtmlReport(doc, out, false, options);
  ASSERT_FALSE(w.ok());
  EXPECT_NE(w.message().find("scripts/fetch_web_assets.sh"), std::string::npos);
  EXPECT_FALSE(fs::exists(out));
}

TEST(WebAssetsTest, RefusesCodeThatWouldEndItsScriptElement) {
  TempDir dir("unsafe");
  MakeFakeAssets(dir.path(), "var s='</SCRIPT>';");
  auto assets = LoadWebAssets(dir.path().string());
  ASSERT_FALSE(assets.ok());
  EXPECT_NE(assets.status().message().find("cannot be inlined"), std::string::npos);
}

TEST(WebAssetsTest, ResolutionOrderExplicitEnvFallback) {
  HtmlOptions o;
  o.fallback_web_assets_dir = "/fallback";
  ::unsetenv(kWebAssetsEnv);
  EXPECT_EQ(*ResolveWebAssetsDir(o), "/fallback");
  ::setenv(kWebAssetsEnv, "/from-env", 1);
  EXPECT_EQ(*ResolveWebAssetsDir(o), "/from-env");
  o.web_assets_dir = "/explicit";
  EXPECT_EQ(*ResolveWebAssetsDir(o), "/explicit");
  ::unsetenv(kWebAssetsEnv);
}

class RenderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    MakeFakeAssets(dir_.path());
    auto a = LoadWebAssets(dir_.path().string());
    ASSERT_TRUE(a.ok()) << a.status().ToString();
    assets_ = *a;
    Status st;
    doc_ = testing::MakeSampleDocument(&st);
    ASSERT_TRUE(st.ok()) << st.ToString();
  }
  TempDir dir_{"render"};
  WebAssets assets_;
  ReportDocument doc_;
};

TEST_F(RenderTest, ChartsAreEmbeddedAsParseableJsonEqualToTheSpecs) {
  auto html = RenderHtml(doc_, assets_);
  ASSERT_TRUE(html.ok()) << html.status().ToString();
  std::vector<json> specs;
  for (const auto& s : doc_.sections) {
    for (const auto& b : s.blocks) {
      if (const auto* c = std::get_if<ReportChart>(&b)) specs.push_back(c->spec);
    }
  }
  ASSERT_EQ(specs.size(), 4u);
  EXPECT_EQ(Count(*html, "<div class=\"vega-chart\""), 4u);
  // Plain string search: std::regex recurses per character and overflows
  // the stack on a page this size under AddressSanitizer.
  const std::string open = "<script type=\"application/json\" id=\"chart-";
  std::size_t found = 0;
  for (std::size_t p = html->find(open); p != std::string::npos; p = html->find(open, p + 1)) {
    const std::size_t id_start = p + open.size();
    const std::size_t id_end = html->find("-spec\">", id_start);
    ASSERT_NE(id_end, std::string::npos);
    const int index = std::stoi(html->substr(id_start, id_end - id_start));
    ASSERT_GE(index, 1);
    ASSERT_LE(index, 4);
    const std::size_t body = id_end + 7;
    const std::size_t close = html->find("</script>", body);
    ASSERT_NE(close, std::string::npos);
    EXPECT_EQ(json::parse(html->substr(body, close - body)),
              specs[static_cast<std::size_t>(index - 1)]);
    ++found;
  }
  EXPECT_EQ(found, 4u);
}

TEST_F(RenderTest, DocumentTextIsEscapedAndScriptsBalanced) {
  auto html = RenderHtml(doc_, assets_);
  ASSERT_TRUE(html.ok());
  // The label "Rest of world </script><b>x</b>" appears only escaped.
  EXPECT_EQ(html->find("<b>x</b>"), std::string::npos);
  EXPECT_NE(html->find("Rest of world &lt;/script&gt;&lt;b&gt;x&lt;/b&gt;"), std::string::npos);
  EXPECT_NE(html->find("<title>Balanced growth briefing &lt;sample&gt; &amp; test</title>"),
            std::string::npos);
  // Every <script> opened is closed exactly once: 3 libraries + 4 specs + page
  // script.
  EXPECT_EQ(Count(*html, "<script"), 8u);
  EXPECT_EQ(Count(*html, "</script>"), 8u);
  // Licences are kept, in comments that "--" cannot break.
  EXPECT_NE(html->find("<!-- vega 9.9.9 (BSD-3-Clause)\nCopyright (c) - - test"),
            std::string::npos);
}

TEST_F(RenderTest, TablesCarryExactSortKeysAndFormattedText) {
  auto html = RenderHtml(doc_, assets_);
  ASSERT_TRUE(html.ok());
  EXPECT_EQ(Count(*html, "<table class=\"sortable\">"), 2u);
  EXPECT_NE(html->find("<th scope=\"col\" data-type=\"number\" class=\"num\" "
                       "title=\"Share of the "
                       "sector&#39;s output matched by the trade "
                       "surplus\"><button type=\"button\">"
                       "Share carried by imbalance</button></th>"),
            std::string::npos);
  // First welfare row: the exact value sorts, the rounded one shows.
  const testing::SampleData data = testing::MakeSampleData();
  const ge::TidyRow& r = data.tidy.rows[0];
  const std::string cell = fmt::format("<td class=\"num\" data-sort=\"{}\">{}</td>", r.pct_change,
                                       FormatNumber(r.pct_change, testing::Nf(2, true)));
  EXPECT_NE(html->find(cell), std::string::npos) << cell;
  EXPECT_NE(html->find("<td class=\"num\" data-sort=\"\"></td>"), std::string::npos);
}

TEST_F(RenderTest, UnitsGroupsBandsAndBoxesAreVisibleText) {
  ReportDocument d = doc_;
  ReportTable t;
  t.caption = "Compared";
  t.columns = {ReportColumn::TextColumn("Region"),
               ReportColumn::NumberColumn("Welfare", testing::Nf(2, true), "", "% change"),
               ReportColumn::NumberColumn("Balance", testing::Nf(1, true), "", "bn USD")};
  t.column_groups = {{"", 1}, {"Scenario <A>", 2}};
  t.rows = {{ReportCell::Text("USA"), ReportCell::NumberWithBand(0.25, -0.25, 0.5),
             ReportCell::Number(-1.0)},
            {ReportCell::Text("CHN"), ReportCell::Number(1.5), ReportCell::Empty()}};
  ReportBox box;
  box.kind = "closure";
  box.title = "Closure";
  box.paragraphs = {"Held & fixed."};
  box.items = {{"Numeraire", "world GDP"}};
  d.sections[0].AddTable(t);
  d.sections[0].AddBox(box);
  auto html = RenderHtml(d, assets_);
  ASSERT_TRUE(html.ok()) << html.status().ToString();
  EXPECT_NE(html->find("<tr class=\"groups\"><th scope=\"colgroup\" colspan=\"1\"></th>"
                       "<th scope=\"colgroup\" colspan=\"2\">Scenario &lt;A&gt;</th></tr>"),
            std::string::npos);
  EXPECT_NE(
      html->find(
          "<button type=\"button\">Welfare</button><span class=\"unit\">% change</span></th>"),
      std::string::npos);
  EXPECT_NE(html->find("<td class=\"num\" data-sort=\"0.25\">+0.25<span class=\"band\">-0.25 to "
                       "+0.50</span></td>"),
            std::string::npos);
  EXPECT_NE(
      html->find("<aside class=\"box closure\">\n<h3>Closure</h3>\n<p>Held &amp; fixed.</p>\n<dl>\n"
                 "<dt>Numeraire</dt><dd>world GDP</dd>"),
      std::string::npos);
  // The page script sorts on the last header row.
  EXPECT_NE(html->find("table.tHead.rows[table.tHead.rows.length - 1].cells"), std::string::npos);

  // Groups that do not span the columns, and bands that are not ranges, are refused.
  ReportTable bad = t;
  bad.column_groups = {{"", 1}, {"x", 1}};
  EXPECT_NE(bad.Validate().message().find("span 2 columns but the table has 3"), std::string::npos)
      << bad.Validate().message();
  bad.column_groups = {{"", 0}, {"x", 3}};
  EXPECT_FALSE(bad.Validate().ok());
  bad = t;
  bad.rows[0][1] = ReportCell::NumberWithBand(0.25, 0.5, -0.25);
  EXPECT_NE(bad.Validate().message().find("low <= high"), std::string::npos);
  bad.rows[0][1] = ReportCell::NumberWithBand(0.25, -0.1, std::numeric_limits<double>::infinity());
  EXPECT_FALSE(bad.Validate().ok());
}

TEST_F(RenderTest, ProvenanceVersionAndDate) {
  auto html = RenderHtml(doc_, assets_);
  ASSERT_TRUE(html.ok());
  EXPECT_NE(html->find("<dt>Software</dt><dd>rebalance " REBALANCE_VERSION "</dd>"),
            std::string::npos);
  EXPECT_NE(html->find("<dt>Generated</dt><dd>2026-01-01 00:00 UTC</dd>"), std::string::npos);
  EXPECT_NE(html->find("Timmer et al. 2015"), std::string::npos);
  EXPECT_NE(html->find("vega 9.9.9 (BSD-3-Clause), vega-lite 8.8.8"), std::string::npos);
  EXPECT_NE(html->find("Content-Security-Policy"), std::string::npos);
}

TEST_F(RenderTest, InvalidDocumentsAreRefused) {
  ReportDocument d = doc_;
  ReportTable t;
  t.caption = "Broken";
  t.columns = {ReportColumn::TextColumn("a"), ReportColumn::NumberColumn("b")};
  t.rows = {{ReportCell::Text("x"), ReportCell::Number(std::numeric_limits<double>::quiet_NaN())}};
  d.sections[1].AddTable(t);
  auto nan = RenderHtml(d, assets_);
  ASSERT_FALSE(nan.ok());
  EXPECT_NE(nan.status().message().find("table 'Broken': row 1, column 'b' is nan"),
            std::string::npos)
      << nan.status().message();
  EXPECT_NE(nan.status().message().find("section 2 'Overcapacity'"), std::string::npos);

  d = doc_;
  t.rows = {{ReportCell::Text("x")}};
  d.sections[0].AddTable(t);
  auto ragged = RenderHtml(d, assets_);
  ASSERT_FALSE(ragged.ok());
  EXPECT_NE(ragged.status().message().find("row 1 has 1 cells but the table has 2 columns"),
            std::string::npos);

  d = doc_;
  t.rows = {{ReportCell::Text("x"), ReportCell::Text("y")}};
  d.sections[0].AddTable(t);
  EXPECT_FALSE(RenderHtml(d, assets_).ok());  // text in a numeric column

  d = doc_;
  d.sections[0].AddChart(
      {"Remote", "", json{{"layer", json::array({{{"data", {{"url", "http://x/y.csv"}}}}})}}});
  auto remote = RenderHtml(d, assets_);
  ASSERT_FALSE(remote.ok());
  EXPECT_NE(remote.status().message().find("'/layer/0/data' is loaded from a URL"),
            std::string::npos)
      << remote.status().message();

  d = doc_;
  d.title.clear();
  EXPECT_FALSE(RenderHtml(d, assets_).ok());

  WebAssets two = assets_;
  two.libraries.pop_back();
  EXPECT_FALSE(RenderHtml(doc_, two).ok());
}

TEST(NumberFormatTest, Formats) {
  EXPECT_EQ(FormatNumber(1234567.891, {}), "1,234,567.89");
  EXPECT_EQ(FormatNumber(-1234.6, testing::Nf(0)), "-1,235");
  EXPECT_EQ(FormatNumber(-0.001, {}), "0.00");
  EXPECT_EQ(FormatNumber(0.5, testing::Nf(2, true)), "+0.50");
  EXPECT_EQ(FormatNumber(0.0, testing::Nf(2, true)), "0.00");
  EXPECT_EQ(FormatNumber(-2.26, testing::Nf(1, true)), "-2.3");
  EXPECT_EQ(FormatNumber(2500.0, testing::Nf(1, false, " bn", 1e-3)), "2.5 bn");
  EXPECT_EQ(FormatNumber(999.999, testing::Nf(2)), "1,000.00");
  EXPECT_EQ(FormatNumber(12.5, testing::Nf(1, false, "%", 1.0, false)), "12.5%");
  EXPECT_FALSE(testing::Nf(-1).Validate().ok());
  EXPECT_FALSE(testing::Nf(2, false, "", 0.0).Validate().ok());
}

// Writes the sample report with the real npm assets for the browser test
// (tests/cli/report_browser.sh sets REBALANCE_REPORT_SAMPLE_OUT). Skipped in
// plain unit runs, which must not depend on the npm install.
TEST(SampleReport, WriteForBrowserTest) {
  const char* out_dir = std::getenv("REBALANCE_REPORT_SAMPLE_OUT");
  if (out_dir == nullptr || out_dir[0] == '\0') {
    GTEST_SKIP() << "REBALANCE_REPORT_SAMPLE_OUT not set (run by "
                    "tests/cli/report_browser.sh)";
  }
  Status st;
  ReportDocument doc = testing::MakeSampleDocument(&st);
  ASSERT_TRUE(st.ok()) << st.ToString();
  HtmlOptions options;
  options.fallback_web_assets_dir = REBALANCE_SOURCE_DIR "/report/web/node_modules";
  ASSERT_TRUE(core::EnsureDirectory(out_dir).ok());
  const std::string path = std::string(out_dir) + "/report.html";
  Status w = WriteHtmlReport(doc, path, /*force=*/true, options);
  ASSERT_TRUE(w.ok()) << w.ToString();
  // The expected mark counts, for the browser check: one rect per datum in
  // every chart (bars, heatmap cells).
  json expected = json::array();
  for (const auto& s : doc.sections) {
    for (const auto& b : s.blocks) {
      if (const auto* c = std::get_if<ReportChart>(&b)) {
        expected.push_back({{"title", c->title}, {"rects", c->spec["data"]["values"].size()}});
      }
    }
  }
  std::ofstream(std::string(out_dir) + "/expected.json") << expected.dump(1) << "\n";
}

}  // namespace
}  // namespace rebalance::report
