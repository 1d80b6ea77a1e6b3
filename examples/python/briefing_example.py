"""A notebook-style tour of rebalance from Python.

Run with Debian's interpreter and the module on the path, e.g.

    PYTHONPATH=build/python REBALANCE_DATA_DIR=/path/to/shared/data \
        /usr/bin/python3 examples/python/briefing_example.py

Cells: (1) estimate a structural gravity equation by PPML, (2) turn the
border coefficient into a general-equilibrium counterfactual, (3) diagnose
the built-in world2011 input-output table (value-added balances,
overcapacity), (4) simulate US tariffs on China with the multi-sector model.
"""
import os

import pandas as pd

import rebalance as rb

pd.set_option("display.width", 120)
data_dir = os.environ.get("REBALANCE_DATA_DIR")
if not data_dir:
    raise SystemExit("set REBALANCE_DATA_DIR to the shared data folder (see README)")

# %% 1. Gravity estimation: Yotov et al. (2016) ch. 2, trade without borders.
borders = pd.read_csv(f"{data_dir}/yotov2016_agtpa/ch2_app1_trade_without_border_2006.csv.gz", float_precision="round_trip")
est = rb.estimate(borders, "trade ~ ln_DIST + CNTG + INTL_BRDR | exporter + importer", threads=1)
print(est.summary())
print(est.tidy())

# %% 2. General equilibrium: remove international borders (INTL_BRDR -> 0).
ge = rb.gravity(borders, estimate=est, set=["INTL_BRDR=0"], sigma=7, reference="ZZZ")
welfare = ge.results[ge.results.partner.isna() & (ge.results.variable == "real_gdp_full")].set_index("country")["pct_change"]
print("Real GDP change without borders (%), largest five:")
print(welfare.sort_values(ascending=False).head())

# %% 3. Diagnose the built-in world2011 table.
world = rb.Baseline.builtin("world2011")
print(world)
diag = rb.diagnose(world.io_table)
bal = diag["balances"]
print("Bilateral balances with the USA, gross vs value added:")
print(bal[bal.partner == "USA"][["reporter", "gross_balance", "va_balance"]].head(10))
print("Manufacturing overcapacity: output above domestic absorption (millions of USD; shares are fractions):")
oc = diag["overcapacity"]
print(oc[oc.group == "manufacturing"][["rank", "country", "sector", "excess_output_musd", "excess_output_dva_musd",
                                       "export_share", "flags"]].head(5).to_string(index=False))

# %% 4. Simulate US tariffs on Chinese transport equipment.
scenario = {"scenario": [{
    "name": "US tariffs on Chinese vehicles",
    "shocks": [{"tariff": {"importer": "USA", "exporter": "CHN",
                           "sectors": ["Transport equipment"], "add": 1.0}}],
}]}
res = rb.simulate(world, scenario)
headline = res[res.partner.isna() & res.sector.isna() & res.country.isin(["USA", "CHN"])
               & res.variable.isin(["real_wage", "value_added", "exports", "imports", "trade_balance"])]
print(headline[["country", "variable", "baseline", "counterfactual", "pct_change"]].to_string(index=False))
