#!/usr/bin/env bash
# The report in a real browser: renders the sample ReportDocument (all four
# chart types with error bars, two tables, labels that need escaping) with
# the real vega / vega-lite / vega-embed from report/web/node_modules, then
# report/web/check_report.mjs opens it in Debian's headless chromium via
# playwright-core and checks: no console errors or network requests, every
# chart rendered its marks (exact rect counts), the tables sort. The
# screenshot is kept as a test artifact in $REBALANCE_BUILD_DIR/report_browser/.
#
# Then the briefing of the default `rebalance run` (with its theta ranges),
# opened offline the same way, with the briefing checks: the comparison table
# has exactly the focus regions of data/world2011/briefing.toml, units are
# visible in every numeric table header (also in print) and in a chart axis or
# legend title, every scenario shows its closure, and the file holds no
# absolute path (none of the source, data, build or output folders). Its
# 2023 part: a section "2023: tariff war (world2023, IMLS 2025 model)" with one
# table (USA, CHN, non-US, EU, RoW) and one closure per scenario of
# data/world2023/briefing.toml, and every section naming its world first
# (--world2023). A screenshot of each section is saved in report_browser/briefing/.
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

# The briefing of `rebalance run`.
: "${REBALANCE:?}"
run_dir=$(mktemp -d)
trap 'rm -rf "$run_dir"' EXIT
(cd "$run_dir" && "$REBALANCE" run --quiet --out briefing-out >stdout.txt) ||
  fail "rebalance run failed"
focus=$(/usr/bin/python3 -c 'import sys, tomllib; print(",".join(tomllib.load(open(sys.argv[1], "rb"))["briefing"]["focus"]))' \
  "$REBALANCE_SOURCE_DIR/data/world2022/briefing.toml")
[ -n "$focus" ] || fail "no focus regions in data/world2022/briefing.toml"
forbid="$REBALANCE_SOURCE_DIR,$REBALANCE_BUILD_DIR,$run_dir,${REBALANCE_DATA_DIR:-$REBALANCE_SOURCE_DIR},$HOME"
scenarios2023=$(/usr/bin/python3 -c 'import sys, tomllib; print(len(tomllib.load(open(sys.argv[1], "rb"))["scenario"]))' \
  "$REBALANCE_SOURCE_DIR/data/world2023/briefing.toml")
node "$web/check_report.mjs" "$run_dir/briefing-out/report.html" "$out/briefing.png" \
  --sections "$out/briefing" --focus "$focus" --forbid "$forbid" --world2023 "$scenarios2023"
# run.json is mailed with the report: no path of this machine either.
for f in "$REBALANCE_SOURCE_DIR" "$run_dir" "$HOME"; do
  for j in run.json world2023/run.json; do
    if grep -qF "$f" "$run_dir/briefing-out/$j"; then fail "$j contains the local path $f"; fi
  done
done
ls "$out/briefing"/*.png >/dev/null 2>&1 || fail "no section screenshots in $out/briefing"
echo "report_browser: briefing screenshots in $out/briefing"
