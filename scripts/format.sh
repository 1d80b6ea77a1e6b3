#!/usr/bin/env bash
# Formats the C++ sources (*.cc, *.h, *.h.in under app/ bench/ fuzz/ include/
# mpi/ python/native/ src/) with clang-format and the repository's
# .clang-format.
#   scripts/format.sh            # rewrite the files in place
#   scripts/format.sh --check    # list the files that are not formatted; exit 1 if any
#   scripts/format.sh FILE...    # only these files (either mode)
# CLANG_FORMAT=clang-format-14 picks the binary (default: clang-format).
set -euo pipefail
cd "$(dirname "$0")/.."
CF=${CLANG_FORMAT:-clang-format}
check=0
if [ "${1:-}" = --check ]; then check=1; shift; fi
if ! command -v "$CF" >/dev/null; then
  echo "format: '$CF' not found (Debian package clang-format)" >&2
  exit 2
fi
if [ $# -gt 0 ]; then
  files=("$@")
else
  mapfile -t files < <(git ls-files -- 'app/*.cc' 'app/*.h' 'bench/*.cc' 'bench/*.h' 'fuzz/*.cc' \
    'fuzz/*.h' 'include/*.h' 'include/*.h.in' 'mpi/*.cc' 'mpi/*.h' 'python/native/*.cc' \
    'python/native/*.h' 'src/*.cc' 'src/*.h')
fi
if [ $check = 0 ]; then
  "$CF" -i --style=file "${files[@]}"
  exit 0
fi
# One clang-format run for all files; its diagnostics name each file that differs.
mapfile -t bad < <("$CF" --style=file --dry-run "${files[@]}" 2>&1 |
  sed -n 's/^\(.*\):[0-9]*:[0-9]*: \(warning\|error\): code should be clang-formatted.*/\1/p' | sort -u)
if [ ${#bad[@]} -gt 0 ]; then
  printf '%s\n' "${bad[@]}"
  echo "format: ${#bad[@]} of ${#files[@]} files are not formatted (run scripts/format.sh)" >&2
  exit 1
fi
echo "format: all ${#files[@]} files formatted" >&2
