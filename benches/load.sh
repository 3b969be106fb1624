#!/usr/bin/env bash
# Load test: wrk against a release `jurisdex serve` on loopback: /api/search (mixed query set),
# a jurisdiction page and /healthz, at 64 and 256 connections. Prints req/s, p50, p99 and errors.
# Exits non-zero if any run had a non-2xx answer or a socket error.
# Usage: benches/load.sh [SECONDS]   (default 30; CI smoke: JURISDEX=target/debug/jurisdex benches/load.sh 2)
# JURISDEX names the binary to test; by default a release build is made and used.
set -euo pipefail
cd "$(dirname "$0")/.."
secs="${1:-30}"
source benches/common.sh
need wrk wrk
if [ -z "${JURISDEX:-}" ]; then
  cargo build --release --quiet
  JURISDEX=target/release/jurisdex
fi
failed=0
make_work_dir jurisdex-load
port=$(free_port)
"$JURISDEX" serve --addr "127.0.0.1:$port" --out "$work/public" >/dev/null 2>&1 &
server=$!
until curl -sf "http://127.0.0.1:$port/healthz" >/dev/null; do sleep 0.05; done
base="http://127.0.0.1:$port"
for conns in 64 256; do
  echo "== $conns connections, ${secs}s, 2 threads"
  for target in "/api/search (mixed):-s benches/mixed.lua $base" "/jurisdictions/indonesia/:$base/jurisdictions/indonesia/" "/healthz:$base/healthz"; do
    name="${target%%:*}"; args="${target#*:}"
    result=$(wrk -t2 -c"$conns" -d"${secs}s" --latency $args)
    rps=$(awk '/Requests\/sec/ {print $2}' <<<"$result")
    p50=$(awk '$1=="50%" {print $2}' <<<"$result")
    p99=$(awk '$1=="99%" {print $2}' <<<"$result")
    non2xx=$(awk '/Non-2xx/ {print $NF}' <<<"$result"); non2xx=${non2xx:-0}
    errors=$(awk '/Socket errors/ {print}' <<<"$result"); errors=${errors:-none}
    printf '%-28s %10s req/s  p50 %-8s p99 %-8s non-2xx %s  socket errors: %s\n' "$name" "$rps" "$p50" "$p99" "$non2xx" "$errors"
    if [ "$non2xx" != 0 ] || [ "$errors" != none ]; then failed=1; fi
  done
done
echo "== server RSS: $(awk '/VmRSS/ {print $2 " kB"}' /proc/$server/status)"
if [ "$failed" != 0 ]; then
  echo "FAILED: some answers were not 2xx or a socket failed" >&2
  exit 1
fi
