#!/usr/bin/env bash
# Benchmark: release build time of the shipped content, then /api/search and /search latency
# over a mixed query set against a real `jurisdex serve`. Prints figures; asserts nothing about time.
# Usage: benches/run.sh [ROUNDS]   (ROUNDS of the 40-query set, default 20)
set -euo pipefail
cd "$(dirname "$0")/.."
rounds="${1:-20}"
cargo build --release --quiet
bin=target/release/jurisdex
out=$(mktemp -d)
trap 'kill "${server:-0}" 2>/dev/null || true; rm -rf "$out"' EXIT

echo "== machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, $(uname -sr)"
echo "== full build of content/ (load + validate + render + write + links + index), 5 runs"
for i in 1 2 3 4 5; do
  start=$(date +%s%N)
  "$bin" build --out "$out/public" >/dev/null 2>&1
  echo "run $i: $(( ($(date +%s%N) - start) / 1000000 )) ms (wall, whole process)"
done

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
start=$(date +%s%N)
"$bin" serve --addr "127.0.0.1:$port" --out "$out/served" >/dev/null 2>&1 &
server=$!
until curl -sf "http://127.0.0.1:$port/healthz" >/dev/null; do sleep 0.02; done
echo "== serve start to first 200: $(( ($(date +%s%N) - start) / 1000000 )) ms (includes the build)"
echo "== latency, sequential, ${rounds} rounds of $(wc -l < benches/queries.txt) queries"
python3 benches/search_latency.py "http://127.0.0.1:$port" benches/queries.txt "$rounds"
echo "== server RSS: $(awk '/VmRSS/ {print $2 " kB"}' /proc/$server/status)"
