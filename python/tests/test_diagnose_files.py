"""rb.write_diagnose writes the same files as `rebalance diagnose`, byte for byte (both call
report::Diagnose, report/diagnose.h), and returns the summary the command prints."""
import os

import rebalance as rb
from rebalance import _native
from conftest import run_cli


def _same_files(cli_dir, py_dir, wwz):
    names = ["balances.csv", "kww.csv", "tiva.csv", "overcapacity.csv", "overcapacity_panel.csv",
             "validation.csv", "diagnose.json"] + (["wwz.csv"] if wwz else [])
    assert sorted(os.listdir(cli_dir)) == sorted(names)
    assert sorted(os.listdir(py_dir)) == sorted(names)
    for n in names:
        a = open(os.path.join(cli_dir, n), "rb").read()
        b = open(os.path.join(py_dir, n), "rb").read()
        assert len(a) > 0 and a == b, n


def test_write_diagnose_equals_cli_wiod2011(cli, data_dir, tmp_path):
    wiot = os.path.join(data_dir, "wiod2013_bquast", "wiot2011.csv.gz")
    proc = run_cli(cli, "diagnose", "--wiod", wiot, "--out", str(tmp_path / "cli"), "--top", "3")
    summary = rb.write_diagnose(rb.read_io_table(wiot, "wiod"), tmp_path / "py", top=3)
    _same_files(tmp_path / "cli", tmp_path / "py", wwz=False)
    assert proc.stdout == summary + f"Wrote 7 files to {tmp_path / 'cli'}\n"
    assert "CHN" in summary  # not two empty outputs


def test_write_diagnose_equals_cli_icio_wwz_options(cli, source_dir, tmp_path):
    icio = os.path.join(source_dir, "tests", "golden", "icio_small", "icio_small.csv")
    run_cli(cli, "diagnose", "--icio", icio, "--wwz", "--all-sectors", "--rank-by", "excess_output_dva",
            "--output-basis", "reported", "--export-share-threshold", "0.3", "--out", str(tmp_path / "cli"))
    oc = _native.OvercapacityOptions()
    oc.rank_by = "excess_output_dva"
    oc.rank_by_group = False
    oc.export_share_threshold = 0.3
    rb.write_diagnose(rb.read_io_table(icio, "icio"), tmp_path / "py", wwz=True, output_basis="reported",
                      overcapacity=oc)
    _same_files(tmp_path / "cli", tmp_path / "py", wwz=True)


def test_write_diagnose_equals_cli_years_and_map(cli, data_dir, source_dir, tmp_path):
    wiod = os.path.join(data_dir, "wiod2013_bquast")
    mapping = os.path.join(source_dir, "data", "world2011", "mapping.csv")
    run_cli(cli, "diagnose", "--wiod", wiod, "--years", "2010-2011", "--map", mapping, "--out", str(tmp_path / "cli"))
    m = _native.read_mapping(mapping)
    tables = [t.aggregate(m) for t in _native.read_wiod_years(wiod, _native.parse_year_list("2010-2011"))]
    assert [t.year for t in tables] == [2010, 2011]
    rb.write_diagnose(tables, tmp_path / "py")
    _same_files(tmp_path / "cli", tmp_path / "py", wwz=False)
    # Existing files are not overwritten without force.
    try:
        rb.write_diagnose(tables, tmp_path / "py")
        raise AssertionError("overwrote without force")
    except rb.InputError as e:
        assert "force" in str(e)
    rb.write_diagnose(tables, tmp_path / "py", force=True)
