#!/usr/bin/env bash
# The report in a real browser: renders the sample ReportDocument (all four
# chart types with error bars, two tables, labels that need escaping) with
# the real vega / vega-lite / vega-embed from report/web/node_modules, then
# report/web/check_report.mjs opens it in Debian's headless chromium via
# playwright-core and checks: no console errors or network requests, every
# chart rendered its marks (exact rect counts), the tables sort. The
# screenshot is kept as a test artifact in $REBALANCE_BUILD_DIR/report_browser/.
set -euo pipefail
: "${REBALANCE_SOURCE_DIR:?}" "${REBALANCE_BUILD_DIR:?}"
web="$REBALANCE_SOURCE_DIR/report/web"
out="$REBALANCE_BUILD_DIR/report_browser"
fail() { echo "report_browser: $*" >&2; exit 1; }

[ -x /usr/bin/chromium ] || fail "/usr/bin/chromium is missing; run scripts/setup.sh (apt-get install chromium)"
command -v node >/dev/null || fail "node is missing; run scripts/setup.sh (apt-get install nodejs npm)"
for f in vega/build/vega.min.js vega-lite/build/vega-lite.min.js \
         vega-embed/build/vega-embed.min.js playwright-core/package.json; do
  [ -f "$web/node_modules/$f" ] || fail "$web/node_modules/$f is missing; run scripts/fetch_web_assets.sh"
done
test_bin="$REBALANCE_BUILD_DIR/rebalance_report_test"
[ -x "$test_bin" ] || fail "$test_bin not built (cmake --build <dir> --target rebalance_report_test)"

rm -rf "$out"
mkdir -p "$out"
# The renderer must find the assets through its defaults, not an override.
env -u REBALANCE_WEB_ASSETS REBALANCE_REPORT_SAMPLE_OUT="$out" \
  "$test_bin" --gtest_filter=SampleReport.WriteForBrowserTest --gtest_brief=1 >"$out/render.log" 2>&1 ||
  { cat "$out/render.log" >&2; fail "rendering the sample report failed"; }
[ -s "$out/report.html" ] || fail "no report.html written (see $out/render.log)"

node "$web/check_report.mjs" "$out/report.html" "$out/report.png" "$out/expected.json"
[ -s "$out/report.png" ] || fail "no screenshot written"
echo "report_browser: screenshot $out/report.png"
