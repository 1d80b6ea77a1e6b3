"""A small TOML writer for scenario dicts.

``tomllib`` only reads TOML, so ``rb.simulate`` serialises a scenario dict
to TOML text here and hands it to the engine's parser (``ParseScenario``):
validation and error messages are then exactly those of scenario files.
Only what scenario files use is supported: tables, arrays of tables, inline
tables, arrays, strings, numbers and booleans.
"""
from __future__ import annotations

import math
import numbers
from typing import Any, List, Mapping

from . import _native


def dumps(doc: Mapping[str, Any]) -> str:
    """Serialises a mapping to TOML text (raises InputError on values TOML cannot hold)."""
    if not isinstance(doc, Mapping):
        raise _native.InputError(f"a scenario must be a dict, not {type(doc).__name__}")
    lines: List[str] = []
    _table(doc, [], lines)
    return "\n".join(lines) + "\n"


def _key(k: Any) -> str:
    if not isinstance(k, str):
        raise _native.InputError(f"scenario keys must be strings, not {k!r}")
    if k and all(c.isalnum() or c in "-_" for c in k) and k.isascii():
        return k
    return _string(k)


def _string(s: str) -> str:
    out = ['"']
    for c in s:
        if c == '"':
            out.append('\\"')
        elif c == "\\":
            out.append("\\\\")
        elif c == "\n":
            out.append("\\n")
        elif c == "\t":
            out.append("\\t")
        elif ord(c) < 0x20 or ord(c) == 0x7F:
            out.append(f"\\u{ord(c):04X}")
        else:
            out.append(c)
    out.append('"')
    return "".join(out)


def _is_table_array(v: Any) -> bool:
    return isinstance(v, (list, tuple)) and len(v) > 0 and all(isinstance(x, Mapping) for x in v)


def _table(d: Mapping[str, Any], path: List[str], lines: List[str]) -> None:
    # Plain values first (they belong to the current table), then sub-tables.
    for k, v in d.items():
        if isinstance(v, Mapping) or _is_table_array(v):
            continue
        lines.append(f"{_key(k)} = {_value(v, path + [str(k)])}")
    for k, v in d.items():
        if isinstance(v, Mapping):
            lines.append("")
            lines.append("[" + ".".join(_key(p) for p in path + [k]) + "]")
            _table(v, path + [k], lines)
        elif _is_table_array(v):
            for item in v:
                lines.append("")
                lines.append("[[" + ".".join(_key(p) for p in path + [k]) + "]]")
                _table(item, path + [k], lines)


def _value(v: Any, where: List[str]) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, str):
        return _string(v)
    if isinstance(v, numbers.Integral):
        return str(int(v))
    if isinstance(v, numbers.Real):
        x = float(v)
        if not math.isfinite(x):
            raise _native.InputError(f"scenario key '{'.'.join(where)}': {x} is not a finite number")
        return repr(x)  # shortest round-trip text
    if isinstance(v, Mapping):
        return "{ " + ", ".join(f"{_key(k)} = {_value(x, where + [str(k)])}" for k, x in v.items()) + " }"
    if isinstance(v, (list, tuple)):
        return "[" + ", ".join(_value(x, where + [f"[{i}]"]) for i, x in enumerate(v)) + "]"
    raise _native.InputError(
        f"scenario key '{'.'.join(where)}': cannot write a {type(v).__name__} ({v!r}) to TOML; "
        "use str, int, float, bool, list or dict")
