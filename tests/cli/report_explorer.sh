#!/usr/bin/env bash
# The what-if explorer of report.html, in Debian's headless chromium
# (report/web/check_explorer.mjs, playwright-core), against the command:
#   - `rebalance run` (the default briefing with its 2023 part, no theta
#     draws) writes a report with the WebAssembly explorer embedded;
#   - in the panel of "US tariffs on China", the page's numbers for the
#     scenario as run equal the run's results.csv (same scenario, same rows);
#   - the US tariff on Chinese transport equipment goes from +100 pp to +50 pp
#     in the page; the downloaded scenario file, run by `rebalance run`, gives
#     the page's numbers (baseline, counterfactual and % change of every
#     country and country-sector row) to 1e-9 relative, and the downloaded
#     CSV holds the same numbers as the page;
#   - a +250 pp tariff is refused next to its control with exactly the message
#     `rebalance run` prints for the downloaded file (exit code 2);
#   - theta scaling: every sector's theta x 0.5 added in the page; the
#     downloaded file run by the command gives the page's numbers to 1e-9
#     relative; a factor of 0 is refused with the command's message;
#   - the 2023 part (one-sector tariff_war model on world2023, "US-China
#     tariff war"): the page's numbers as run equal world2023/results.csv;
#     the US tariff on everyone set from 10% to 20% in the page, the
#     downloaded file run by the command gives the page's numbers to 1e-9
#     relative; -150% is refused with the command's message;
#   - a report written without the module says the explorer is missing.
# Screenshots and timings are kept in $REBALANCE_BUILD_DIR/report_explorer/.
set -euo pipefail
: "${REBALANCE:?}" "${REBALANCE_SOURCE_DIR:?}" "${REBALANCE_BUILD_DIR:?}"
web="$REBALANCE_SOURCE_DIR/report/web"
out="$REBALANCE_BUILD_DIR/report_explorer"
fail() { echo "report_explorer: $*" >&2; exit 1; }
module="$REBALANCE_BUILD_DIR/wasm/rebalance_explorer.js"
[ -x /usr/bin/chromium ] || fail "/usr/bin/chromium is missing; run scripts/setup.sh"
[ -f "$web/node_modules/playwright-core/package.json" ] || fail "run scripts/fetch_web_assets.sh"
[ -s "$module" ] || fail "$module not built (scripts/build_wasm.sh; needs Debian's emscripten)"

rm -rf "$out"
mkdir -p "$out"
run_dir=$(mktemp -d)
trap 'rm -rf "$run_dir"' EXIT
(cd "$run_dir" && "$REBALANCE" run --quiet --draws 0 --out run >/dev/null) ||
  fail "rebalance run failed"
grep -q 'id="explorer-data"' "$run_dir/run/report.html" || fail "report.html has no explorer"
grep -q 'data-model="tariff_war"' "$run_dir/run/report.html" || fail "report.html has no 2023 explorer"
node "$web/check_explorer.mjs" "$run_dir/run/report.html" "$out" --war "US-China tariff war"

# The 2023 part's edited scenario through the command.
cp "$out/whatif_war.toml" "$run_dir/"
(cd "$run_dir" && "$REBALANCE" run whatif_war.toml --quiet --out cli_war >/dev/null) ||
  fail "rebalance run whatif_war.toml failed"
grep -q 'set = 0.2' "$out/whatif_war.toml" || fail "the downloaded 2023 scenario does not hold set = 0.2"

# The downloaded scenario through the command.
cp "$out/whatif.toml" "$run_dir/"
(cd "$run_dir" && "$REBALANCE" run whatif.toml --quiet --draws 0 --out cli >/dev/null) ||
  fail "rebalance run whatif.toml failed"
# The downloaded scenario with theta scaled (every sector's theta x 0.5).
grep -qF 'theta = { sectors = "*", multiply = 0.5 }' "$out/whatif_theta.toml" ||
  fail "the downloaded scenario does not hold the theta scaling"
cp "$out/whatif_theta.toml" "$run_dir/"
(cd "$run_dir" && "$REBALANCE" run whatif_theta.toml --quiet --draws 0 --out cli_theta >/dev/null) ||
  fail "rebalance run whatif_theta.toml failed"
/usr/bin/python3 - "$run_dir/run/results.csv" "$out/page_initial.json" \
  "$run_dir/cli/results.csv" "$out/page_results.json" "$out/whatif_results.csv" \
  "$run_dir/cli_theta/results.csv" "$out/page_theta.json" \
  "$run_dir/run/world2023/results.csv" "$out/page_war_initial.json" \
  "$run_dir/cli_war/results.csv" "$out/page_war.json" <<'EOF'
import csv, json, math, sys

def cli_rows(path, scenario):
    rows = {}
    for r in csv.DictReader(open(path)):
        if r["scenario"] == scenario and r["partner"] == "":
            rows[(r["country"], r["sector"], r["variable"])] = r
    return rows

def compare(what, cli, page):
    rows = cli_rows(cli, page["scenario"])
    assert rows, f"{what}: no rows of '{page['scenario']}' in {cli}"
    worst = 0.0
    seen = 0
    for country, sector, variable, unit, base, cf, pct in page["rows"]:
        r = rows.get((country, sector, variable))
        assert r is not None, f"{what}: page row {country}/{sector}/{variable} not in the CLI's results"
        assert r["unit"] == unit, f"{what}: unit of {variable}: {r['unit']} vs {unit}"
        for name, a, b in (("baseline", base, r["baseline"]), ("counterfactual", cf, r["counterfactual"]),
                           ("pct_change", pct, r["pct_change"])):
            if a is None or b == "":
                assert a is None and b == "", f"{what}: {country}/{sector}/{variable} {name}: {a} vs '{b}'"
                continue
            b = float(b)
            scale = max(abs(a), abs(b))
            if name == "pct_change":
                scale = max(scale, 1.0)  # percent: 1e-9 of one point near zero
            rel = abs(a - b) / scale if scale > 0 else 0.0
            worst = max(worst, rel)
            assert rel <= 1e-9, f"{what}: {country}/{sector}/{variable} {name}: page {a!r}, CLI {b!r} (rel {rel:.2e})"
        seen += 1
    assert seen == len(rows), f"{what}: page has {seen} rows, the CLI {len(rows)}"
    print(f"report_explorer: {what}: {seen} rows equal to the CLI's, max relative difference {worst:.2e}")

run_csv, initial, cli_csv, page, page_csv = sys.argv[1:6]
compare("scenario as run", run_csv, json.load(open(initial)))
page = json.load(open(page))
compare("edited scenario (+50 pp)", cli_csv, page)
# The downloaded CSV carries exactly the page's numbers.
got = {(r["country"], r["sector"], r["variable"]): r for r in csv.DictReader(open(page_csv))}
for country, sector, variable, unit, base, cf, pct in page["rows"]:
    r = got[(country, sector, variable)]
    assert float(r["baseline"]) == base and float(r["counterfactual"]) == cf, (country, sector, variable)
    assert (r["pct_change"] == "") == (pct is None)
assert len(got) == len(page["rows"])
compare("theta x 0.5, all sectors", sys.argv[6], json.load(open(sys.argv[7])))
compare("2023 tariff_war scenario as run", sys.argv[8], json.load(open(sys.argv[9])))
compare("2023 tariff_war scenario edited (US tariff on all 20%)", sys.argv[10], json.load(open(sys.argv[11])))
EOF
grep -q 'add = 0.5' "$out/whatif.toml" || fail "the downloaded scenario does not hold add = 0.5"

# The refused value: the command prints the page's message for the same file.
cp "$out/whatif_bad.toml" "$run_dir/whatif.toml"
set +e
(cd "$run_dir" && "$REBALANCE" run whatif.toml --quiet --draws 0 --out bad --force >/dev/null 2>"$out/bad_cli.txt")
code=$?
set -e
[ "$code" = 2 ] || fail "rebalance run of the refused scenario exited $code (expected 2)"
message=$(cat "$out/bad_message.txt")
grep -qF -- "$message" "$out/bad_cli.txt" ||
  fail "the page's message differs from the CLI's: page '$message', CLI '$(cat "$out/bad_cli.txt")'"

# The refused theta factor: the same message from the command.
cp "$out/whatif_theta_bad.toml" "$run_dir/whatif.toml"
set +e
(cd "$run_dir" && "$REBALANCE" run whatif.toml --quiet --draws 0 --out bad --force >/dev/null 2>"$out/theta_bad_cli.txt")
code=$?
set -e
[ "$code" = 2 ] || fail "rebalance run of the refused theta factor exited $code (expected 2)"
message=$(cat "$out/theta_bad_message.txt")
grep -qF -- "$message" "$out/theta_bad_cli.txt" ||
  fail "the page's theta message differs from the CLI's: page '$message', CLI '$(cat "$out/theta_bad_cli.txt")'"

# The refused 2023 tariff: the same message from the command.
cp "$out/whatif_war_bad.toml" "$run_dir/whatif.toml"
set +e
(cd "$run_dir" && "$REBALANCE" run whatif.toml --quiet --out bad_war --force >/dev/null 2>"$out/war_bad_cli.txt")
code=$?
set -e
[ "$code" = 2 ] || fail "rebalance run of the refused 2023 scenario exited $code (expected 2)"
message=$(cat "$out/war_bad_message.txt")
grep -qF -- "$message" "$out/war_bad_cli.txt" ||
  fail "the page's 2023 message differs from the CLI's: page '$message', CLI '$(cat "$out/war_bad_cli.txt")'"

# Without the module, the report says the explorer is missing and why.
(cd "$run_dir" && REBALANCE_EXPLORER_MODULE="$run_dir/none.js" "$REBALANCE" run --quiet --draws 0 \
  --no-2023 --out nomodule >/dev/null) || fail "rebalance run without the module failed"
grep -q 'The what-if explorer is missing from this report: its WebAssembly module none.js was not built' \
  "$run_dir/nomodule/report.html" || fail "no 'explorer missing' notice"
if grep -q 'id="explorer-data"' "$run_dir/nomodule/report.html"; then fail "explorer data without module"; fi
echo "report_explorer: ok ($(cat "$out/timings.json" | tr -d '\n '))"
