"""Errors at the Python front door (docs/robustness.md, "Front doors"): a C++
exception that escapes the library becomes rebalance.InternalError, and error
messages that quote input bytes are valid, printable Python strings."""
import gzip

import pytest

import rebalance
from rebalance import _native


def test_escaped_cpp_exception_is_internal_error():
    with pytest.raises(rebalance.InternalError, match="internal error: boom"):
        _native._throw_cpp_exception("boom")
    assert issubclass(rebalance.InternalError, rebalance.RebalanceError)


def test_truncated_gzip_is_input_error(tmp_path):
    rows = "".join(f"{i},{i * 2}\n" for i in range(2000))
    data = gzip.compress(("a,b\n" + rows).encode())
    path = tmp_path / "cut.csv.gz"
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(rebalance.InputError, match="truncated"):
        _native.read_csv(str(path))


def test_binary_bytes_in_messages_are_escaped(tmp_path):
    path = tmp_path / "bin.csv"
    path.write_bytes(b"a,b\n1,\x01\xff\xfe\n")
    with pytest.raises(rebalance.InputError) as err:
        _native.read_csv(str(path))
    assert "\\xff" in str(err.value)
