#!/usr/bin/env python3
"""Compares two folders kept by `tests/cli/run_examples.py all --keep DIR` (see scripts/compare_outputs.sh) byte for
byte, after the normalisations of NORMALISE below and nothing else. Prints each file that differs or exists on one
side only, with a short unified diff, and exits 1 if any does, 0 if none.

  compare_outputs.py BEFORE_DIR AFTER_DIR

Symbolic links (the sandbox's links to data/, examples/, the binary, the Python module) are not followed. A .gz file
is compared by its decompressed bytes (gzip headers hold a modification time).
"""
import difflib
import fnmatch
import gzip
import os
import re
import sys

# The one declared normalisation list: (file patterns, regular expression, replacement, why it varies).
# Each rule applies only to files whose path (relative to the kept folder) matches one of its patterns; CSV outputs
# match none. Everything not listed here must be identical, byte for byte. Keep it as narrow as possible;
# docs/ci.md explains each rule. Found by comparing a binary with itself (two runs differ only in these).
TEXT = ("logs/*.stdout", "logs/*.stderr", "work/*.txt", "work/*.json", "work/*.html")
NORMALISE = [
    # Wall-clock durations: "seconds" fields of run records and summary lines; "0.161 s", "1.29 ms", "[   0.097 s]"
    # in solver reports, progress and timing lines, on the terminal, in run.json and in the report.
    (TEXT, r'"seconds": ?-?[0-9.eE+-]+', '"seconds": <seconds>', "wall-clock time"),
    (TEXT, r"\b[0-9]+\.[0-9]+ (m?s)\b", r"<time> \1", "wall-clock time"),
    # The report's generation time, "2026-12-06 11:12 UTC" (report/html.cc: "Generated" in the provenance, footer).
    (("work/*.html",), r"\b[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2} UTC\b", "<date> UTC", "time of the run"),
]
# mpirun's ranks write to one stderr: the order of their lines depends on the scheduler, so the stderr of an
# `mpirun` command is compared as a sorted list of lines (every line must still be there, as many times).
SORT_STDERR_OF = ("mpirun ",)


def walk(root):
    out = {}
    for d, dirs, files in os.walk(root):
        for name in files + [x for x in dirs if os.path.islink(os.path.join(d, x))]:
            p = os.path.join(d, name)
            rel = os.path.relpath(p, root)
            if os.path.islink(p):
                continue
            out[rel] = p
    return out


def content(root, path, rel):
    with open(path, "rb") as f:
        data = f.read()
    if rel.endswith(".gz"):
        try:
            data = gzip.decompress(data)
        except OSError:
            pass  # not gzip after all: compare the bytes
    for patterns, regex, repl, _ in NORMALISE:
        if any(fnmatch.fnmatch(rel, p) for p in patterns):
            data = re.sub(regex.encode(), repl.encode(), data)
    if rel.startswith("logs/") and rel.endswith(".stderr"):
        cmd = os.path.join(root, rel[:-len(".stderr")] + ".cmd")
        if os.path.exists(cmd) and open(cmd, encoding="utf-8").read().startswith(SORT_STDERR_OF):
            data = b"\n".join(sorted(data.split(b"\n")))
    return data


def short_diff(a, b, rel):
    try:
        la = a.decode("utf-8").splitlines()
        lb = b.decode("utf-8").splitlines()
    except UnicodeDecodeError:
        return f"  (binary: {len(a)} vs {len(b)} bytes)"
    first = ""
    for k, (x, y) in enumerate(zip(la, lb)):
        if x != y:  # the first differing line, and in a CSV its first differing field
            first = f"  first difference: line {k + 1}"
            if rel.endswith(".csv"):
                fx, fy, head = x.split(","), y.split(","), la[0].split(",")
                j = next((j for j in range(min(len(fx), len(fy))) if fx[j] != fy[j]), min(len(fx), len(fy)))
                name = head[j] if j < len(head) else "?"
                first += f", field {j + 1} ({name}): {fx[j] if j < len(fx) else ''} -> {fy[j] if j < len(fy) else ''}"
            break
    lines = list(difflib.unified_diff(la, lb, "before/" + rel, "after/" + rel, n=1, lineterm=""))
    shown = [l if len(l) <= 300 else l[:300] + " [...]" for l in lines[:24]]
    if len(lines) > 24:
        shown.append(f"  ... {len(lines) - 24} more diff lines")
    return "\n".join(([first] if first else []) + ["  " + l for l in shown])


def main():
    before, after = sys.argv[1], sys.argv[2]
    fa, fb = walk(before), walk(after)
    bad = 0
    for rel in sorted(set(fa) | set(fb)):
        if rel not in fb:
            print(f"ONLY BEFORE: {rel}")
            bad += 1
        elif rel not in fa:
            print(f"ONLY AFTER: {rel}")
            bad += 1
        else:
            a, b = content(before, fa[rel], rel), content(after, fb[rel], rel)
            if a != b:
                print(f"DIFFERS: {rel}")
                if rel.startswith("logs/"):
                    cmd = os.path.join(before, rel.rsplit(".", 1)[0] + ".cmd")
                    if os.path.exists(cmd):
                        print("  command: " + open(cmd, encoding="utf-8").read().strip()[:300])
                print(short_diff(a, b, rel))
                bad += 1
    n = len(set(fa) | set(fb))
    if bad:
        print(f"compare_outputs: {bad} of {n} files differ")
        sys.exit(1)
    print(f"compare_outputs: all {n} files identical ({len(NORMALISE)} normalisation rules)")


if __name__ == "__main__":
    main()
