"""rb.read_io_table / rb.diagnose against the balances and overcapacity
indicators `rebalance run` writes for world2011, plus accounting identities."""
import csv

import numpy as np
import pytest

import rebalance as rb
from conftest import close


def test_diagnose_matches_cli_and_identities(world, world_run, source_dir):
    _, out = world_run
    table = world.io_table
    assert table is not None
    d = rb.diagnose(table)
    bal = d["balances"].set_index(["reporter", "partner"])
    want = list(csv.DictReader(open(out / "balances.csv")))
    assert len(want) == len(bal)
    for r in want:
        got = bal.loc[(r["reporter"], r["partner"])]
        for k in ("gross_exports", "gross_imports", "gross_balance", "va_exports", "va_imports", "va_balance"):
            assert close(got[k], float(r[k])), (r["reporter"], r["partner"], k)
    # A country's total balance is the same in gross and value-added terms.
    tot = d["balances"].groupby("reporter")[["gross_balance", "va_balance"]].sum()
    scale = d["balances"].gross_exports.abs().max()
    assert (tot.gross_balance - tot.va_balance).abs().max() <= 1e-9 * scale
    oc = d["overcapacity"].set_index(["country", "sector"])
    want_oc = list(csv.DictReader(open(out / "overcapacity.csv")))
    assert len(want_oc) == len(oc)
    for r in want_oc:
        got = oc.loc[(r["country"], r["sector"])]
        for k in ("output_musd", "exports_musd", "imports_musd", "absorption_musd", "excess_output_musd",
                  "excess_output_dva_musd", "self_sufficiency_ratio", "export_share", "dva_share",
                  "world_export_share", "world_output_share", "net_exports_over_output_ratio"):
            if r[k] == "":
                assert np.isnan(got[k])
            else:
                assert close(got[k], float(r[k])), (r["country"], r["sector"], k)
    # KWW: the nine terms add up to gross exports.
    k = d["kww"]
    terms = k[list(rb._native.KwwResult.term_names())].sum(axis=1)
    assert np.allclose(terms, k.gross_exports, rtol=1e-9, atol=0)


def test_read_io_table(source_dir):
    t = rb.read_io_table(f"{source_dir}/data/world2011/world2011.csv.gz")
    n = len(t.countries) * len(t.sectors)
    assert t.z.shape == (n, n) and t.x.shape == (n,) and np.isfinite(t.z).all()
    with pytest.raises(rb.InputError):
        rb.read_io_table(f"{source_dir}/data/world2011/no_such_file.csv")
    with pytest.raises(rb.InputError):
        rb.read_io_table(f"{source_dir}/data/world2011/world2011.csv.gz", format="xlsx")
    with pytest.raises(rb.InputError, match="IoTable"):
        rb.diagnose("not a table")
