#!/usr/bin/python3
"""Trade balances of the world2022 nowcast, and a cross-check of its goods balances against BACI 2023
(scripts/make_world2022.sh writes data/world2022/balance_check.csv with it).

The nowcast's trade balances are NOT targets of its GRAS update: they follow from ADB MRIO 2022 exports by
economy (x - own-economy sales), BACI 2023 destination shares of goods, and WIOD 2011's structure for services
and for Taiwan (not in BACI). This table shows them beside the only other shipped source of balances, BACI
2023 goods trade between 194 countries (data/world2023, from ../shared/data/imls2025_liberation_day), so a
reader can see how far the nowcast's goods balances are from an observed goods balance one year later.
No balance-of-payments statistics are shipped: services balances are not checked against anything.

Inputs: data/world2022/world2022.csv.gz (million USD, 2022), data/world2023/world2023.csv.gz (thousand USD,
2023; off-diagonal cells are BACI's), data/world2011/mapping.csv (countries -> the 18 regions).
Output columns (billion current USD; exports and imports are cross-border flows between the 18 regions, so
trade inside EU24 and inside ROW is not counted):
  region, nowcast_gs_exports_2022, nowcast_gs_imports_2022, nowcast_gs_balance_2022 (goods and services),
  nowcast_goods_exports_2022, nowcast_goods_imports_2022, nowcast_goods_balance_2022 (WIOD c1-c16),
  baci_goods_exports_2023, baci_goods_imports_2023, baci_goods_balance_2023 (empty for TWN: not in BACI's
  194 countries), goods_balance_difference (nowcast 2022 - BACI 2023).
"""
import os
import sys

import pandas as pd

root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
out = sys.argv[1] if len(sys.argv) > 1 else "-"

mapping = pd.read_csv(os.path.join(root, "data", "world2011", "mapping.csv"))
countries = mapping[mapping.kind == "country"]
cmap = dict(countries[["from", "to"]].values)
cmap["ROU"] = cmap.pop("ROM")  # WIOD's code for Romania
regions = list(dict.fromkeys(countries["to"]))
sectors = mapping[mapping.kind == "sector"]
goods = set(sectors[sectors["from"].str[1:].astype(int) <= 16]["to"])
services = set(sectors["to"]) - goods
assert not goods & services, "a region sector mixes WIOD goods and services sectors"

w = pd.read_csv(os.path.join(root, "data", "world2022", "world2022.csv.gz"))
cross = w[w.from_country != w.to_country]
g = cross[cross.from_sector.isin(goods)]


def flows(df, scale):
    ex = df.groupby("from_country").value.sum() / scale
    im = df.groupby("to_country").value.sum() / scale
    return ex.reindex(regions, fill_value=0.0), im.reindex(regions, fill_value=0.0)


gs_ex, gs_im = flows(cross, 1e3)  # million -> billion USD
go_ex, go_im = flows(g, 1e3)

b = pd.read_csv(os.path.join(root, "data", "world2023", "world2023.csv.gz"))
b = b[b.exporter != b.importer].copy()
b["from_country"] = [cmap.get(c, "ROW") for c in b.exporter]
b["to_country"] = [cmap.get(c, "ROW") for c in b.importer]
b = b[b.from_country != b.to_country]
ba_ex, ba_im = flows(b, 1e6)  # thousand -> billion USD
in_baci = set(b.from_country) | set(b.to_country)

rows = []
for r in regions:
    baci = r in in_baci
    rows.append({
        "region": r,
        "nowcast_gs_exports_2022": gs_ex[r], "nowcast_gs_imports_2022": gs_im[r],
        "nowcast_gs_balance_2022": gs_ex[r] - gs_im[r],
        "nowcast_goods_exports_2022": go_ex[r], "nowcast_goods_imports_2022": go_im[r],
        "nowcast_goods_balance_2022": go_ex[r] - go_im[r],
        "baci_goods_exports_2023": ba_ex[r] if baci else None,
        "baci_goods_imports_2023": ba_im[r] if baci else None,
        "baci_goods_balance_2023": ba_ex[r] - ba_im[r] if baci else None,
        "goods_balance_difference": (go_ex[r] - go_im[r]) - (ba_ex[r] - ba_im[r]) if baci else None,
    })
df = pd.DataFrame(rows)
header = ("# world2022 trade balances (billion current USD; nowcast 2022 vs BACI 2023 goods, between the 18 regions);"
          " made by scripts/world2022_balances.py\n")
text = header + df.to_csv(index=False, float_format="%.3f")
if out == "-":
    sys.stdout.write(text)
else:
    with open(out, "w") as f:
        f.write(text)
    print(f"wrote {out}", file=sys.stderr)
