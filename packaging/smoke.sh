#!/usr/bin/env bash
# Check a built app from outside the source tree: version, sample letters written by the app
# itself, parse, import (its worker processes), the team server's client (psycopg with its own
# libpq), then an offscreen start that opens the demo database and quits, and the same start on
# Xvfb with Qt's xcb platform where xvfb-run exists.
# Prints the bundle size and start-up times.
#
#   packaging/smoke.sh dist/imr-desk/imr-desk
set -euo pipefail
if [[ $# -ne 1 || ! -x "$1" ]]; then
  echo "usage: packaging/smoke.sh PATH/TO/imr-desk" >&2
  exit 2
fi
app="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
init="$(dirname "$0")/../imr_desk/__init__.py"
expected_version="$(sed -n 's/^__version__ = "\(.*\)"$/\1/p' "$init")"

work="$(mktemp -d "${TMPDIR:-/tmp}/imr-desk-smoke.XXXXXX")"
trap 'rm -rf "$work"' EXIT
cd "$work"
# No checkout on the path, a throwaway home (settings, default database), no display.
export HOME="$work/home" XDG_DATA_HOME="$work/home/data" XDG_CONFIG_HOME="$work/home/config"
export QT_QPA_PLATFORM=offscreen
unset PYTHONPATH PYTHONHOME VIRTUAL_ENV
mkdir -p "$HOME"

limit=()  # a time limit where coreutils' timeout exists (not on stock macOS)
if command -v timeout >/dev/null 2>&1; then limit=(timeout 180); fi
step() {  # step NAME COMMAND...: run it (a worker that restarts the app would hang)
  local name="$1"
  shift
  if ! ${limit[@]+"${limit[@]}"} "$@" >"$work/$name.out" 2>"$work/$name.err"; then
    echo "smoke: $name failed: $*" >&2
    cat "$work/$name.out" "$work/$name.err" >&2
    exit 1
  fi
}
expect() {  # expect NAME TEXT: the step's output holds TEXT
  grep -qF -- "$2" "$work/$1.out" || {
    echo "smoke: $1 printed no '$2':" >&2
    cat "$work/$1.out" "$work/$1.err" >&2
    exit 1
  }
}
now_ms() {  # wall clock in milliseconds (bash 5's EPOCHREALTIME, else Python's clock)
  if [[ -n "${EPOCHREALTIME:-}" ]]; then
    local now="${EPOCHREALTIME/[.,]/}"
    echo $((now / 1000))
  else
    python3 -c 'import time; print(int(time.time() * 1000))'
  fi
}
millis() {  # millis RUNS COMMAND...: mean wall time of RUNS runs, in milliseconds
  local runs="$1" start end
  shift
  start=$(now_ms)
  for _ in $(seq "$runs"); do "$@" >/dev/null 2>&1; done
  end=$(now_ms)
  echo $(((end - start) / runs))
}

step version "$app" --version
expect version "imr-desk $expected_version"

step samples "$app" samples --out letters --count 3 --seed 7
letter="$(find letters -name '*.pdf' | sort | head -n 1)"
case_number="$(basename "$letter" .pdf)"
step parse "$app" parse --json "$letter"
expect parse "\"case_number\": \"$case_number\""

step import "$app" import letters --db imported.db --workers 2
expect import "imported 3,"

# The team server's client: the sub-commands load, and psycopg's C implementation with its own
# libpq (PSYCOPG_IMPL=binary: no fallback to a system libpq) gets as far as the network, where
# nothing listens on port 1: the one-line "cannot connect ... Connection refused", never an
# ImportError.
step team_help "$app" team --help
expect team_help "init"
step db_help "$app" db copy --help
expect db_help "--from SRC"
if PSYCOPG_IMPL=binary ${limit[@]+"${limit[@]}"} "$app" stats --db postgresql://smoke@127.0.0.1:1/imr \
  >"$work/server.out" 2>"$work/server.err"; then
  echo "smoke: stats on a server that is not there succeeded" >&2
  exit 1
fi
if ! grep -qF "cannot connect to the team server" "$work/server.err" \
  || grep -q "Error\|Traceback" "$work/server.err" \
  || [[ "$(wc -l <"$work/server.err")" -ne 1 ]]; then
  echo "smoke: the server client did not load or did not say it cannot connect:" >&2
  cat "$work/server.out" "$work/server.err" >&2
  exit 1
fi

step demo "$app" demo --dir demo --count 4 --smoke
expect demo "smoke ok: 4 letters"
step open "$app" --db demo/demo.db --smoke
expect open "smoke ok: 4 letters"
# The same start on a real X server (Xvfb) with Qt's xcb platform, a Linux desktop's, where
# xvfb-run exists. The bundle carries most of that platform's libraries (PyInstaller copies the
# build machine's, so build where packaging/debian-packages.txt is installed); libxcb1, libgl1 and
# libegl1 come from the desktop.
x_server=0
if command -v xvfb-run >/dev/null 2>&1; then
  x_server=1
  step open_x env QT_QPA_PLATFORM=xcb xvfb-run -a "$app" --db demo/demo.db --smoke
  expect open_x "smoke ok: 4 letters"
fi

bundle="$(dirname "$app")"
echo "smoke ok: $app"
echo "  bundle size: $(du -sh "$bundle" | cut -f1)"
echo "  --version: $(millis 10 "$app" --version) ms (mean of 10)"
echo "  parse one letter: $(millis 5 "$app" parse --json "$letter") ms (mean of 5)"
start_ms="$(millis 5 "$app" --db demo/demo.db --smoke)"
echo "  window start, open demo.db, quit: $start_ms ms (mean of 5)"
if [[ "$x_server" == 1 ]]; then
  x_ms="$(millis 3 env QT_QPA_PLATFORM=xcb xvfb-run -a "$app" --db demo/demo.db --smoke)"
  echo "  the same on Xvfb (xcb), the X server's start included: $x_ms ms (mean of 3)"
else
  echo "  no xvfb-run: the start on a real X server was not checked"
fi
