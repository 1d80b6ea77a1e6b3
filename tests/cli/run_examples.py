#!/usr/bin/env python3
"""Runs, as printed, every example of every `rebalance ... --help` (mode "help") or every command of README.md's
"Examples of every command" and "Python" sections and its Python example (mode "readme"), or the golden runs of
the CLI tests listed in tests/cli/golden_runs.txt (mode "golden"), or both of the last two (mode "all").

  run_examples.py MODE [--keep DIR]

--keep DIR makes the sandbox in DIR (which must not exist) and keeps it: the outputs stay in DIR/work and each
command's stdout, stderr and exit code in DIR/logs/NNN.{cmd,stdout,stderr,rc} (scripts/compare_outputs.sh compares
two such folders). $REBALANCE_PYTHON_DIR, if set, is the Python module folder (default $REBALANCE_BUILD_DIR/python).

Commands run from a sandbox that looks like the source folder: data/, examples/, tests/ and bench/ link to the
source tree, ../shared/data to $REBALANCE_DATA_DIR, build/rebalance and `rebalance` on PATH to the binary under test,
build/python to the built module. Outputs go to the sandbox. A line ending in '\\' continues on the next; '#' lines are
comments; an annotation after three spaces, "   (needs a build with MPI)", is not part of the command, and an
`mpirun` line is skipped when mpirun is not installed or the binary was built without MPI. Identical commands run
once. Exit 1 naming every command that failed, with its output.
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

REBALANCE = os.environ["REBALANCE"]
SRC = os.environ["REBALANCE_SOURCE_DIR"]
DATA = os.environ.get("REBALANCE_DATA_DIR") or os.path.join(SRC, "..", "shared", "data")
BUILD = os.environ.get("REBALANCE_BUILD_DIR", os.path.dirname(REBALANCE))
PYTHON_DIR = os.environ.get("REBALANCE_PYTHON_DIR") or os.path.join(BUILD, "python")


def sandbox(keep=None):
    if keep:
        root = os.path.abspath(keep)
        os.makedirs(root)  # fails if it exists: a kept sandbox is never reused
        os.makedirs(os.path.join(root, "logs"))
    else:
        root = tempfile.mkdtemp(prefix="rb-examples-")
    work = os.path.join(root, "work")
    os.makedirs(os.path.join(root, "shared"))
    os.symlink(os.path.abspath(DATA), os.path.join(root, "shared", "data"))
    os.makedirs(os.path.join(work, "build"))
    for d in ("data", "examples", "tests", "bench", "scripts"):
        os.symlink(os.path.join(SRC, d), os.path.join(work, d))
    os.symlink(REBALANCE, os.path.join(work, "build", "rebalance"))
    if os.path.isdir(PYTHON_DIR):
        os.symlink(os.path.abspath(PYTHON_DIR), os.path.join(work, "build", "python"))
    bindir = os.path.join(root, "bin")
    os.makedirs(bindir)
    os.symlink(REBALANCE, os.path.join(bindir, "rebalance"))
    return root, work, bindir


def join_continuations(lines):
    out, cur = [], ""
    for raw in lines:
        line = raw.strip()
        if cur:
            cur += " " + line
        else:
            cur = line
        if cur.endswith("\\"):
            cur = cur[:-1].rstrip()
            continue
        out.append(cur)
        cur = ""
    if cur:
        out.append(cur)
    return out


def strip_annotation(cmd):
    return re.split(r"\s{3,}\(", cmd)[0].strip()


def help_text(args):
    r = subprocess.run([REBALANCE, *args, "--help"], capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit(f"rebalance {' '.join(args)} --help failed: {r.stderr}")
    return r.stdout


def subcommands(text):
    """Names listed under "Subcommands:" in CLI11's help (two-space indent; descriptions are indented further)."""
    names, inside = [], False
    for line in text.splitlines():
        if line.strip().lower().startswith("subcommands"):
            inside = True
            continue
        if inside:
            if line.strip() and not line.startswith(" "):
                break
            m = re.match(r"^  (\S+)(\s{2,}|$)", line)
            if m:
                names.append(m.group(1))
    return names


def help_examples():
    cmds, seen = [], set()
    todo = [[]]
    while todo:
        args = todo.pop(0)
        text = help_text(args)
        # The root help has examples too; a subcommand's also appear in the root listing (deduplicated).
        lines, inside = [], False
        for line in text.splitlines():
            if re.match(r"^\s*Examples?\b.*:\s*$", line):
                inside = True
                continue
            if inside:
                if not line.strip() or not line.startswith("  "):
                    inside = False  # a blank or unindented line ends the examples
                    continue
                lines.append(line)
        for c in join_continuations(lines):
            if c.startswith("rebalance ") or c.startswith("mpirun "):
                c = strip_annotation(re.sub(r"\s+#.*$", "", c))
                if c not in seen:
                    seen.add(c)
                    cmds.append((" ".join(args), c))
        for sub in subcommands(text):
            todo.append(args + [sub])
    return cmds


def readme_commands():
    text = open(os.path.join(SRC, "README.md"), encoding="utf-8").read()
    cmds = []
    for section in ("## Examples of every command", "## Python"):
        body = text.split(section, 1)[1].split("\n## ", 1)[0]
        for lang, block in re.findall(r"```(\w+)\n(.*?)```", body, flags=re.S):
            if lang == "sh":
                lines = [l for l in block.splitlines() if l.strip() and not l.strip().startswith("#")]
                for c in join_continuations(lines):
                    c = strip_annotation(re.sub(r"\s+#.*$", "", c))
                    if c.startswith("scripts/build.sh") or c.startswith("ctest "):
                        continue  # the build under test is built, and this is the test suite itself
                    cmds.append((section, c))
            elif lang == "python":
                cmds.append((section, "PYTHON:" + block))
    return cmds


def golden_commands():
    path = os.path.join(SRC, "tests", "cli", "golden_runs.txt")
    lines = [l for l in open(path, encoding="utf-8") if l.strip() and not l.strip().startswith("#")]
    return [("golden_runs.txt", c) for c in join_continuations(lines)]


def main():
    args = sys.argv[1:]
    keep = None
    if "--keep" in args:
        i = args.index("--keep")
        keep = args[i + 1]
        del args[i:i + 2]
    mode = args[0]
    if mode == "help":
        cmds = help_examples()
    elif mode == "readme":
        cmds = readme_commands()
    elif mode == "golden":
        cmds = golden_commands()
    elif mode == "all":
        cmds = readme_commands() + golden_commands()
    else:
        sys.exit(f"unknown mode '{mode}' (help, readme, golden or all)")
    if len(cmds) < 5:
        sys.exit(f"found only {len(cmds)} commands: the extraction is broken")
    root, work, bindir = sandbox(keep)
    env = dict(os.environ, PATH=bindir + os.pathsep + os.environ["PATH"],
               PYTHONPATH=os.path.join(work, "build", "python"),
               OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1", REBALANCE_DATA_DIR=DATA)
    has_mpi = shutil.which("mpirun") is not None and \
        "libmpi" in subprocess.run(["ldd", REBALANCE], capture_output=True, text=True).stdout
    failed = []
    # An example may read what a later one writes (`rebalance theta --se-from theta_cp.csv` needs the
    # `rebalance elasticity` example, listed after it): failures are retried once after all others.
    retry = []
    try:
        for attempt, todo in enumerate((cmds, retry)):
            failed = []
            run_list(todo, work, env, has_mpi, failed, retry if attempt == 0 else None,
                     os.path.join(root, "logs") if keep else None, cmds)
    finally:
        if not keep:
            shutil.rmtree(root, ignore_errors=True)
    for shown, rc, out, err in failed:
        print(f"\nFAILED (exit {rc}): {shown}\n--- stdout\n{out}\n--- stderr\n{err}")
    sys.exit(1 if failed else 0)


def run_list(cmds, work, env, has_mpi, failed, retry, logs, all_cmds):
    for where, c in cmds:
        t0 = time.time()
        if c.startswith("PYTHON:"):
            script = os.path.join(work, "readme_example.py")
            open(script, "w").write(c[len("PYTHON:"):])
            argv = ["/usr/bin/python3", script]
            shown = "README Python example"
        else:
            if "mpirun " in c and not has_mpi:
                print(f"skip (no MPI): {c}")
                continue
            argv = ["bash", "-c", "set -euo pipefail; " + c]
            shown = c
        r = subprocess.run(argv, cwd=work, env=env, capture_output=True, text=True)
        dt = time.time() - t0
        if logs:  # numbered by the command's place in the full list, so a retry overwrites its first attempt
            stem = os.path.join(logs, f"{all_cmds.index((where, c)):03d}")
            for ext, text in (("cmd", c + "\n"), ("stdout", r.stdout), ("stderr", r.stderr),
                              ("rc", f"{r.returncode}\n")):
                with open(f"{stem}.{ext}", "w", encoding="utf-8") as f:
                    f.write(text)
        print(f"[{'ok' if r.returncode == 0 else 'FAIL'} {dt:5.1f} s] ({where}) {shown}")
        if r.returncode != 0:
            if retry is not None:
                retry.append((where, c))
            else:
                failed.append((shown, r.returncode, r.stdout[-2000:], r.stderr[-2000:]))


if __name__ == "__main__":
    main()
