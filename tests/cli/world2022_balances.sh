#!/usr/bin/env bash
# data/world2022/balance_check.csv (the nowcast's trade balances beside BACI 2023 goods balances, which
# the briefing's note and provenance quote) is what scripts/world2022_balances.py makes from the committed
# tables, and its goods-and-services balances agree with `rebalance diagnose`'s bilateral gross balances
# of the same table summed over partners (an independent computation, in C++) to 0.001 bn USD (the file
# rounds to 3 decimals, 0.0005).
set -euo pipefail
src=${REBALANCE_SOURCE_DIR:?}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
/usr/bin/python3 "$src/scripts/world2022_balances.py" "$out/balance_check.csv" 2> /dev/null
cmp "$out/balance_check.csv" "$src/data/world2022/balance_check.csv"
"$REBALANCE" diagnose --long "$src/data/world2022/world2022.csv.gz" --out "$out/diag" > /dev/null
/usr/bin/python3 - "$out/diag/balances.csv" "$src/data/world2022/balance_check.csv" <<'PY'
import sys
import pandas as pd
d = pd.read_csv(sys.argv[1])
c = pd.read_csv(sys.argv[2], comment="#").set_index("region")
assert len(c) == 18, len(c)
gross = d.groupby("reporter").gross_balance.sum() / 1e3  # million -> billion USD
for r in c.index:
    assert abs(gross[r] - c.loc[r, "nowcast_gs_balance_2022"]) < 1e-3, (r, gross[r], c.loc[r])
    # Columns agree with each other: balance = exports - imports, goods within goods and services.
    for kind in ("nowcast_gs", "nowcast_goods", "baci_goods"):
        e, i, b = (c.loc[r, f"{kind}_{x}_{2023 if kind == 'baci_goods' else 2022}"]
                   for x in ("exports", "imports", "balance"))
        if kind == "baci_goods" and r == "TWN":
            assert pd.isna(e) and pd.isna(i) and pd.isna(b), c.loc[r]  # Taiwan: not in BACI's 194 countries
            continue
        assert abs(e - i - b) < 2e-3, (r, kind, e, i, b)
assert abs(c.goods_balance_difference.sum() - (c.nowcast_goods_balance_2022 - c.baci_goods_balance_2023).sum()) < 0.05
# World exports equal world imports (cross-border flows between the 18 regions).
assert abs(c.nowcast_gs_balance_2022.sum()) < 0.02, c.nowcast_gs_balance_2022.sum()
PY
