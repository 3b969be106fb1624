#!/usr/bin/env bash
# The first run, as a new user meets it: a fresh clone of this repository with an empty target
# directory (the registry already fetched: `cargo fetch` first, untimed), then
#   1. `cargo run --release -- serve`, timed to the first 200 from /healthz;
#   2. the README's test command, `cargo test --locked`, timed to its end (the build included);
#   3. with --dist, `cargo build --profile dist`, the tuned build, timed.
# Each step is also run with `--timings` so its long poles can be read in
# <clone>/target/cargo-timings/ (kept with --keep).
#
# Usage: benches/first-run.sh [--dist] [--keep]
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
source benches/common.sh

dist=false
keep=false
for arg in "$@"; do
  case $arg in
    --dist) dist=true ;;
    --keep) keep=true ;;
    *) echo "usage: benches/first-run.sh [--dist] [--keep]" >&2; exit 2 ;;
  esac
done

make_work_dir jurisdex-first-run
if $keep; then trap - EXIT; echo "== kept: $work"; fi
git clone --quiet "$repo" "$work/clone"
cd "$work/clone"
cargo fetch --locked --quiet
# What the whole test suite needs beside Rust, fetched untimed like the registry: the browser
# tests' packages, and the corpora in ../shared when this checkout has them.
npm ci --prefix tests/browser --no-audit --no-fund --loglevel=error --ignore-scripts >/dev/null
if [[ -d $repo/../shared ]]; then ln -s "$(realpath "$repo/../shared")" "$work/shared"; fi
echo "== machine: $(nproc) cores ($(lscpu | sed -n 's/^Model name: *//p')); $(cargo --version)"

now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN {printf "%.0f s", b - a}'; }

port=$(free_port)
start=$(now)
cargo run --release --locked --quiet --timings -- serve --addr "127.0.0.1:$port" >"$work/serve.log" 2>&1 &
server=$!
until curl -fs "http://127.0.0.1:$port/healthz" >/dev/null 2>&1; do
  if ! kill -0 "$server" 2>/dev/null; then cat "$work/serve.log" >&2; exit 1; fi
  sleep 0.2
done
echo "cargo run --release -- serve, to the first 200: $(since "$start")"
kill "$server"; wait "$server" 2>/dev/null || true; server=0

start=$(now)
cargo test --locked --quiet --timings >"$work/test.log" 2>&1 || { tail -40 "$work/test.log" >&2; exit 1; }
echo "cargo test --locked (build and run): $(since "$start")"

if $dist; then
  start=$(now)
  cargo build --profile dist --locked --quiet --timings
  echo "cargo build --profile dist: $(since "$start")"
fi
echo "== the builds' timings: $work/clone/target/cargo-timings/"
