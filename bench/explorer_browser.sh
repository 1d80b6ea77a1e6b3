#!/usr/bin/env bash
# Issue 21 speed figures for report.html's what-if explorer in Debian's
# headless Chromium (report/web/check_explorer.mjs: the page's own clock
# around the module call, and around call + redraw), with the native solve
# beside them (`rebalance run whatif.toml --draws 0`, run.json
# scenarios[].seconds, the solver's own clock):
#  - world2011 and world2022 (18 x 14), the default briefing's "US tariffs on
#    China": the US tariff on Chinese transport equipment +100 pp -> +50 pp
#    (target <= 300 ms);
#  - WIOD 2011 at 41 regions x 35 industries (data/wiod35/theta.csv): a
#    +100 pp US tariff on Chinese transport equipment (c15) -> +50 pp
#    (target <= 2 s).
# Each report is checked as the test does (parity is left to the test); the
# figures are medians over N re-solves. Not a timed test: the machine is
# shared, so the load average is printed with every line.
# Usage: bench/explorer_browser.sh [N]   (default 6); BUILD_DIR, REBALANCE_DATA_DIR
# Results: bench/out/explorer_browser.txt (and each run's timings.json)
set -euo pipefail
cd "$(dirname "$0")/.."
B=${BUILD_DIR:-build}
RB="$(realpath "$B/rebalance")"
DATA=$(realpath "${REBALANCE_DATA_DIR:-../shared/data}")
N=${1:-6}
mkdir -p bench/out
tmp=${KEEP_TMP:-$(mktemp -d)}; [ -n "${KEEP_TMP:-}" ] || trap 'rm -rf "$tmp"' EXIT; mkdir -p "$tmp"
report=bench/out/explorer_browser.txt
: > "$report"
load() { cut -d' ' -f1-3 /proc/loadavg; }
cat > "$tmp/wiod.toml" <<TOML
title = "WIOD 2011, 41 regions x 35 industries: US tariff on Chinese transport equipment"
[baseline]
wiod = "$DATA/wiod2013_bquast/wiot2011.csv.gz"
theta = "$(realpath data/wiod35/theta.csv)"
[model]
type = "multisector"
[[scenario]]
name = "US tariff on China"
shocks = [ { tariff = { importer = "USA", exporter = "CHN", sectors = ["c15"], add = 1.0 } } ]
TOML
one() {  # label, shock, report dir, run args...
  local label=$1 shock=$2 dir=$3; shift 3
  (cd "$tmp" && "$RB" run "$@" --quiet --draws 0 --out "$dir" --force >/dev/null)
  local scen="US tariffs on China"
  [ "$label" = "WIOD 2011 41x35" ] && scen="US tariff on China"
  node report/web/check_explorer.mjs "$tmp/$dir/report.html" "$tmp/$dir/check" --scenario "$scen" \
    --shock "$shock" --repeat "$N" >"$tmp/$dir.log" 2>&1 || { cat "$tmp/$dir.log"; exit 1; }
  # The native solve of the same edited scenario (its downloaded file).
  cp "$tmp/$dir/check/whatif.toml" "$tmp/whatif_$dir.toml"
  [ "$label" = "WIOD 2011 41x35" ] && sed -i "s#^wiod = .*#wiod = \"$DATA/wiod2013_bquast/wiot2011.csv.gz\"#; s#^theta = .*#theta = \"$(realpath data/wiod35/theta.csv)\"#" "$tmp/whatif_$dir.toml"
  local native=()
  for _ in 1 2 3; do
    (cd "$tmp" && "$RB" run "whatif_$dir.toml" --quiet --draws 0 --out "native_$dir" --force --no-html >/dev/null)
    native+=("$(/usr/bin/python3 -c 'import json,sys; print("%.1f" % (1000 * json.load(open(sys.argv[1]))["scenarios"][0]["seconds"]))' "$tmp/native_$dir/run.json")")
  done
  /usr/bin/python3 - "$tmp/$dir/check/timings.json" "$label" "${native[*]}" "$(load)" "$(stat -c %s "$tmp/$dir/report.html")" <<'PY' | tee -a "$report"
import json, sys
t = json.load(open(sys.argv[1]))
label, native, load, size = sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5])
print(f"{label}: Chromium re-solve median {t['solve_ms_median']:.0f} ms (max {t['solve_ms_max']:.0f}), "
      f"with redraw {t['total_ms_median']:.0f} ms, over {len(t['runs'])} edits; native solve {native} ms "
      f"(3 runs); report {size/1e6:.2f} MB, first chart {t['report_first_chart_ms']} ms after navigation; "
      f"load average {load}")
PY
}
echo "explorer re-solves in headless Chromium ($(chromium --version 2>/dev/null | head -1)), $(nproc) cores" | tee -a "$report"
one "world2011 18x14" "USA:CHN:Transport equipment" w2011 --world world2011 --no-2023
one "world2022 18x14" "USA:CHN:Transport equipment" w2022 --world world2022 --no-2023
one "WIOD 2011 41x35" "USA:CHN:c15" wiod wiod.toml
