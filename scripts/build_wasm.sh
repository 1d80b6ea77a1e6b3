#!/usr/bin/env bash
# Builds the what-if explorer of report.html: the multi-sector model, the
# one-sector tariff_war model and the scenario library compiled to
# WebAssembly with Debian's emscripten, as one JavaScript file with the
# module inlined (SINGLE_FILE), which the report writer embeds in
# report.html (docs/report.md).
#   scripts/build_wasm.sh [OUT_DIR]     default OUT_DIR: build/wasm
# Writes OUT_DIR/rebalance_explorer.js. The module is compiled synchronously
# from the inlined bytes (WASM_ASYNC_COMPILATION=0): the asynchronous path
# would fetch() its data: URL, which the report's Content-Security-Policy
# forbids (connect-src 'none'). Objects are kept in OUT_DIR/obj and
# rebuilt only when a source or header is newer, two at a time.
# Needs em++ (apt-get install emscripten; scripts/setup.sh installs it).
# Notes (../shared/notes/emscripten.md): Debian's emscripten has a frozen
# prebuilt cache (no ports: no zlib), Eigen is built scalar (its SSE path does
# not compile here), and NODE_PATH must reach Debian's acorn when a newer
# Node.js is first on PATH.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
out="${1:-$root/build/wasm}"
mkdir -p "$out/obj"
if ! command -v em++ >/dev/null; then
  echo "build_wasm: em++ not found; install Debian's emscripten (scripts/setup.sh)" >&2
  exit 1
fi
export NODE_PATH="${NODE_PATH:-/usr/share/nodejs}"
srcs=(
  src/wasm/explorer_main.cc src/wasm/no_files.cc
  src/report/explorer.cc src/report/charts.cc src/report/tidy_writer.cc src/report/document.cc
  src/scenario/scenario.cc src/scenario/tariff_war_run.cc
  src/ge/baseline.cc src/ge/shocks.cc src/ge/multisector.cc src/ge/multisector_report.cc
  src/ge/solver.cc src/ge/tidy.cc src/ge/tariff_war.cc src/ge/options.cc
  src/data/table.cc src/core/status.cc src/core/text.cc src/core/atomic_file.cc src/core/options.cc
)
version=$(sed -n 's/^project(rebalance VERSION \([0-9.]*\).*/\1/p' "$root/CMakeLists.txt")
mkdir -p "$out/generated/rebalance/core"
sed "s/@PROJECT_VERSION@/$version/g; s/@[A-Za-z_]*@//g" "$root/include/rebalance/core/version.h.in" \
  >"$out/generated/rebalance/core/version.h.tmp"
cmp -s "$out/generated/rebalance/core/version.h.tmp" "$out/generated/rebalance/core/version.h" ||
  mv "$out/generated/rebalance/core/version.h.tmp" "$out/generated/rebalance/core/version.h"
rm -f "$out/generated/rebalance/core/version.h.tmp"
# Header-only libraries from Debian, without the rest of /usr/include (the
# sysroot has its own C library headers).
mkdir -p "$out/include"
for lib in fmt nlohmann toml++; do ln -sfn "/usr/include/$lib" "$out/include/$lib"; done
cxxflags=(-std=c++20 -msimd128 -fexceptions -DNDEBUG -DEIGEN_DONT_VECTORIZE
  -DFMT_HEADER_ONLY -DTOML_HEADER_ONLY=1 -Wno-unknown-pragmas
  -I"$root/include" -I"$root/src/wasm/include" -I"$out/generated" -I"$out/include" -I/usr/include/eigen3)
# ccache, when installed, as scripts/build.sh uses it (REBALANCE_CCACHE=0: not).
emxx=em++
if [ "${REBALANCE_CCACHE:-1}" != 0 ] && command -v ccache >/dev/null; then
  emxx="ccache em++"
  export CCACHE_BASEDIR="$root" CCACHE_NOHASHDIR=1
fi
export root out emxx
export cxxflags_str="${cxxflags[*]}"
# One object per source, rebuilt when the source or any header it read (the
# .d file) is newer.
compile() {
  local src="$1" obj="$out/obj/$(echo "$1" | tr / _).o"
  if [ -f "$obj" ] && [ -f "$obj.d" ]; then
    local stale=0
    for dep in $(sed -e 's/\\$//' -e 's/^[^:]*://' "$obj.d"); do
      [ "$dep" -nt "$obj" ] && { stale=1; break; }
    done
    [ $stale = 0 ] && return 0
  fi
  # The solver's files for speed; the parser, charts and JSON for size.
  local opt=-Oz
  case "$src" in src/ge/multisector*.cc | src/ge/solver.cc | src/ge/shocks.cc | src/ge/baseline.cc) opt=-O3 ;; esac
  # shellcheck disable=SC2086
  $emxx $cxxflags_str $opt -MMD -MF "$obj.d" -c "$root/$src" -o "$obj"
}
export -f compile
printf '%s\n' "${srcs[@]}" | xargs -P 2 -I{} bash -c 'compile {}'
objs=()
for s in "${srcs[@]}"; do objs+=("$out/obj/$(echo "$s" | tr / _).o"); done
newest=0
[ "$root/scripts/build_wasm.sh" -nt "$out/rebalance_explorer.js" ] && newest=1
for o in "${objs[@]}"; do [ "$o" -nt "$out/rebalance_explorer.js" ] && newest=1; done
if [ ! -f "$out/rebalance_explorer.js" ] || [ $newest = 1 ]; then
  em++ "${objs[@]}" -O3 -fexceptions -o "$out/rebalance_explorer.js.tmp.js" \
    -sMODULARIZE=1 -sEXPORT_NAME=RebalanceExplorer -sSINGLE_FILE=1 -sALLOW_MEMORY_GROWTH=1 \
    -sWASM_ASYNC_COMPILATION=0 -sENVIRONMENT=web,node -sEXPORTED_FUNCTIONS=_rb_explorer_load,_rb_explorer_solve,_rb_explorer_load_war,_rb_explorer_solve_war,_malloc,_free \
    -sEXPORTED_RUNTIME_METHODS=stringToUTF8,lengthBytesUTF8,UTF8ToString
  # The runtime's default $HOME, "/home/web_user", reads as a path of the
  # machine in a report that must hold none; the module never reads $HOME.
  sed -i 's#"/home/web_user"#"/"#g' "$out/rebalance_explorer.js.tmp.js"
  if grep -qi -e '</script' -e '<!--' "$out/rebalance_explorer.js.tmp.js"; then
    echo "build_wasm: the module's JavaScript holds '</script' or '<!--'; it cannot be inlined" >&2
    exit 1
  fi
  mv "$out/rebalance_explorer.js.tmp.js" "$out/rebalance_explorer.js"
fi
echo "build_wasm: $out/rebalance_explorer.js ($(wc -c <"$out/rebalance_explorer.js") bytes)" >&2
