#!/usr/bin/env bash
# `rebalance estimate` on bad input: every case must fail with a non-zero
# exit code and a message that says what is wrong and where.
set -euo pipefail
: "${REBALANCE:?path of the rebalance binary}"
: "${REBALANCE_DATA_DIR:?path of ../shared/data}"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"
failures=0

# expect_error NAME EXIT_CODE MESSAGE_SUBSTRING -- ARGS...
# EXIT_CODE "nonzero" accepts any non-zero code.
expect_error() {
  local name=$1 code=$2 message=$3
  shift 4
  local rc=0
  "$REBALANCE" estimate "$@" --quiet >"$tmp/out" 2>"$tmp/err" || rc=$?
  if [[ $rc -eq 0 ]]; then
    echo "FAIL [$name]: exit code 0"; failures=$((failures + 1)); return
  fi
  if [[ $code != nonzero && $rc -ne $code ]]; then
    echo "FAIL [$name]: exit code $rc, expected $code"; cat "$tmp/err"; failures=$((failures + 1)); return
  fi
  if ! grep -qF -- "$message" "$tmp/err"; then
    echo "FAIL [$name]: stderr lacks '$message':"; cat "$tmp/err"; failures=$((failures + 1)); return
  fi
  if [[ -s "$tmp/out" ]]; then
    echo "FAIL [$name]: printed results on stdout:"; cat "$tmp/out"; failures=$((failures + 1)); return
  fi
  echo "ok [$name]"
}

# A small valid panel: y count, x numeric, id and year identifiers.
/usr/bin/python3 -c '
import random
random.seed(7)
rows = ["y,x,id,year"]
for i in range(60):
    rows.append("%d,%.4f,%d,%d" % (random.randint(0, 9), random.random(), i % 6, 2000 + i % 10))
open("good.csv", "w").write("\n".join(rows) + "\n")
text = list(rows); text[40] = "3,abc,2,2004"      # data line 41 of the file
open("text.csv", "w").write("\n".join(text) + "\n")
neg = list(rows); neg[7] = "-2,0.5,2,2004"        # 7th data row
open("neg.csv", "w").write("\n".join(neg) + "\n")
'
printf 'y,,x\n1,2,3\n' >badheader.csv
printf 'y,x,y\n1,2,3\n' >dupheader.csv

expect_error "missing file" 2 "cannot open 'missing.csv'" -- missing.csv -f 'y ~ x'
expect_error "bad header (empty name)" 2 "badheader.csv:1:2: bad header: column 2 has an empty name" -- \
  badheader.csv -f 'y ~ x'
expect_error "bad header (duplicate name)" 2 "dupheader.csv:1:3: bad header: duplicate column name 'y'" -- \
  dupheader.csv -f 'y ~ x'
expect_error "text in a numeric column" 2 "text.csv:41:2: expected a number in column 'x'" -- \
  text.csv -f 'y ~ x | id'
expect_error "negative outcome" 2 "row 7: outcome 'y' is negative (-2)" -- neg.csv -f 'y ~ x | id'
expect_error "unknown column in formula" 2 "formula: good.csv: no column 'xx' in the header; did you mean 'x'?" -- \
  good.csv -f 'y ~ log(xx) | id'
expect_error "unknown fixed-effect column" 2 "no column 'idd' in the header; did you mean 'id'?" -- \
  good.csv -f 'y ~ x | idd'
expect_error "unknown column in --where" 2 "--where: good.csv: no column 'yaer' in the header; did you mean 'year'?" -- \
  good.csv -f 'y ~ x | id' --where 'yaer > 2000'
expect_error "unknown cluster column" 2 "--vcov: good.csv: no column 'idd'" -- \
  good.csv -f 'y ~ x | id' --vcov cluster:idd
expect_error "formula syntax" 2 "formula:9: expected a column name or log(column) after '+'" -- \
  good.csv -f 'y ~ x + | id'
expect_error "unknown function" 2 "unknown function 'expo'; supported: log, exp, sqrt, log1p" -- \
  good.csv -f 'y ~ expo(x) | id'
expect_error "--where syntax" 2 "where:6: expected '==' to compare" -- \
  good.csv -f 'y ~ x | id' --where 'year = 2001'
expect_error "--where type error" 2 "column 'year' is numeric but is compared with the text" -- \
  good.csv -f 'y ~ x | id' --where 'year == "2001"'
expect_error "every observation dropped" 2 "every observation was dropped" -- \
  good.csv -f 'y ~ x | id' --where 'year > 3000'
expect_error "bad --family" 2 "--family: must be one of poisson, gaussian, got 'logit'" -- good.csv -f 'y ~ x' --family logit
expect_error "bad --tol" 2 "--tol: must be in (0, 1), got -1" -- good.csv -f 'y ~ x' --tol -1
expect_error "bad --max-iter" 2 "--max-iter: must be >= 1, got 0" -- good.csv -f 'y ~ x' --max-iter 0
expect_error "bad --vcov" 2 "expected hetero (or robust), iid, cluster:COL" -- good.csv -f 'y ~ x' --vcov sandwich

# Iteration limit: reported as non-convergence (exit code 3), never as a
# result: nothing on stdout and no JSON written.
expect_error "iteration limit" 3 "estimation stopped without converging (max_iterations) after 1 iterations" -- \
  good.csv -f 'y ~ x | id' --max-iter 1 --json notconv.json
if [[ -e notconv.json ]]; then echo "FAIL [iteration limit]: wrote notconv.json"; failures=$((failures + 1)); fi

# Existing output without --force: refused before estimating, file untouched.
echo 'keep me' >exists.json
expect_error "existing output" 2 "output 'exists.json' already exists; pass --force to overwrite it" -- \
  good.csv -f 'y ~ x | id' --json exists.json
[[ "$(cat exists.json)" == 'keep me' ]] || { echo "FAIL [existing output]: file changed"; failures=$((failures + 1)); }
# ... and checked before reading the data: a missing input is not even opened.
expect_error "existing output checked first" 2 "already exists" -- missing.csv -f 'y ~ x' --save-fe exists.json
expect_error "same output twice" 2 "--json and --save-fe name the same file 'a.out'" -- \
  good.csv -f 'y ~ x | id' --json a.out --save-fe a.out

if [[ $failures -ne 0 ]]; then echo "$failures case(s) failed"; exit 1; fi
echo "all bad-input cases ok"
