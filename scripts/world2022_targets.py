#!/usr/bin/python3
"""Targets for the world2022 nowcast (scripts/make_world2022.sh), in the format of
`rebalance data update` (docs/io_tables.md, "Updating a table").

Inputs (REBALANCE_DATA_DIR, default ../shared/data):
  adb_mrio_summary/summary.csv, economies.csv   ADB MRIO 2022 sector summary (million USD)
  imls2025_liberation_day/trade_cepii.csv, country_labels.csv   BACI goods trade 2023 (thousand USD)
  data/world2011/mapping.csv                    WIOD countries -> 18 regions, c1..c35 -> 14 sectors

Targets (million USD, 2022), per region r and sector k of world2011:
  output         x summed over the ADB economies of r and the ADB sectors of k (exact)
  value_added    va, likewise (exact); the intermediate inputs of the column are output - va
  block final sales   y: the row's sales to every final-demand column (relative_se 0.05)
  block domestic sales  e = ez + ey: the row's sales to its own region (Z and F columns), only for
                 regions that are one ADB economy (own-economy sales are by economy in the summary);
                 relative_se 0.05. Both soft: WIOD 2011 has structural zeros ADB does not (KOR mining
                 exports only negative cells, IDN utilities no exports, DEU mining final sales only at
                 home), which make these targets contradict each other when exact.
  block goods trade r -> s (r != s): sum over goods sectors (c1..c16) of r's exports, split over
                 partners by BACI 2023 shares: ADB 2022 goods exports of r's economies (x - e) times
                 BACI(r -> s) / BACI(r -> every partner of r's economies, own region included);
                 relative_se 0.05 (a different source and valuation, basic prices vs FOB)
ADB economies map to a region by ISO3 through mapping.csv (WIOD uses ROM for Romania: ROU -> EU); every
other economy, and ADB's rest of the world, goes to ROW; Croatia (not in WIOD) goes to ROW as in WIOD.
Taiwan is not in the BACI file (no WDI GDP): no trade targets from or to TWN.
"""
import os
import sys

import numpy as np
import pandas as pd

root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
data = os.environ.get("REBALANCE_DATA_DIR", os.path.join(root, "..", "shared", "data"))
out = sys.argv[1] if len(sys.argv) > 1 else "-"
year = 2022

mapping = pd.read_csv(os.path.join(root, "data", "world2011", "mapping.csv"))
cmap = dict(mapping[mapping.kind == "country"][["from", "to"]].values)
smap = dict(mapping[mapping.kind == "sector"][["from", "to"]].values)
cmap["ROU"] = cmap.pop("ROM")  # WIOD's code for Romania
regions = list(dict.fromkeys(mapping[mapping.kind == "country"]["to"]))
sectors = list(dict.fromkeys(mapping[mapping.kind == "sector"]["to"]))
goods = {f"c{i}" for i in range(1, 17)}

eco = pd.read_csv(os.path.join(data, "adb_mrio_summary", "economies.csv"), keep_default_na=False)
eco["region"] = [cmap.get(iso, "ROW") for iso in eco.iso3]
adb = pd.read_csv(os.path.join(data, "adb_mrio_summary", "summary.csv"))
adb = adb[adb.t == year].merge(eco[["s", "region"]], on="s")
adb["sector"] = [smap[f"c{i}"] for i in adb.i]
adb["exports"] = adb.x - adb.e
per_region_economies = eco.groupby("region").s.nunique()

rows = []
g = adb.groupby(["region", "sector"])[["x", "va", "y", "e"]].sum()
for r in regions:
    for k in sectors:
        x, va, y, e = g.loc[(r, k)]
        rows.append(("output", r, k, "", "", x, "", "output", f"output {r} {k}"))
        rows.append(("value_added", "", "", r, k, va, "", "uses", f"value_added {r} {k}"))
        rows.append(("block", r, k, "*", "*categories", y, "0.05", "final_sales", f"final sales {r} {k}"))
        if per_region_economies[r] == 1:
            rows.append(("block", r, k, r, "*", e, "0.05", "domestic_sales", f"domestic sales {r} {k}"))

# Goods trade: BACI 2023 shares of each region's exports, levels from ADB 2022.
labels = pd.read_csv(os.path.join(data, "imls2025_liberation_day", "country_labels.csv"), keep_default_na=False)
trade = pd.read_csv(os.path.join(data, "imls2025_liberation_day", "trade_cepii.csv")).fillna(0).values
reg_of = np.array([cmap.get(iso, "ROW") for iso in labels.iso3])
assert trade.shape == (len(labels), len(labels))
np.fill_diagonal(trade, 0)  # no own-country trade in BACI
goods_exports = adb[adb.i <= 16].groupby("region").exports.sum()
goods_sector_names = ";".join(dict.fromkeys(smap[f"c{i}"] for i in range(1, 17)))
for r in regions:
    if r == "TWN":
        continue
    from_r = trade[reg_of == r, :]
    total = from_r.sum()
    for s in regions:
        if s == r or s == "TWN":
            continue
        share = from_r[:, reg_of == s].sum() / total
        rows.append(("block", r, goods_sector_names, s, "*", goods_exports[r] * share, "0.05", "goods_trade",
                     f"goods {r}->{s}"))

df = pd.DataFrame(rows, columns=["kind", "from_country", "from_sector", "to_country", "to_column", "value",
                                 "relative_se", "group", "name"])
df.insert(6, "unit", "million_usd")
header = ("# world2022 targets: ADB MRIO 2022 sector summary (million USD) and BACI 2023 goods-trade shares; "
          "made by scripts/world2022_targets.py\n")
text = header + df.to_csv(index=False, float_format="%.10g")
if out == "-":
    sys.stdout.write(text)
else:
    with open(out, "w") as f:
        f.write(text)
    print(f"wrote {out}: {len(df)} targets for {year}", file=sys.stderr)
