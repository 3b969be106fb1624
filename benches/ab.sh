#!/usr/bin/env bash
# A/B comparison of two or more jurisdex binaries on the cache-hostile stream, taken in turns so that
# this machine's drift hits each alike: for each round and binary, `serve` a fresh build of one
# content directory, run wrk (2 threads, 64 connections) with benches/hostile.lua on /api/search
# (or $JX_PATH), and print req/s, p50, p99, the server's CPU per request (user + system time from
# /proc/<pid>/stat) and its peak RSS. Prints figures; asserts nothing.
#
# Usage: benches/ab.sh CONTENT_DIR BINARY[=CONTENT[=TEMPLATES]]...   ($ROUNDS rounds, default 3; $SECS s per run, default 10)
# e.g.   target/release/jurisdex gen-corpus 10000 --content /tmp/c10k
#        benches/ab.sh /tmp/c10k /tmp/jurisdex-before target/release/jurisdex
# A binary written BINARY=CONTENT=TEMPLATES serves its own content and templates (a version whose
# schema differs, with the corpus its own gen-corpus wrote); the query words come from CONTENT_DIR.
set -euo pipefail
cd "$(dirname "$0")/.."
if [[ $# -lt 2 ]]; then
  sed -n 2,10p "$0" | sed 's/^# \{0,1\}//'
  exit 2
fi
content=$1; shift
source benches/common.sh
need wrk wrk
make_work_dir jurisdex-ab
hostile_words "$content" "$work/words.txt"
port=$(free_port)
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
for round in $(seq "${ROUNDS:-3}"); do
  for spec in "$@"; do
    IFS='=' read -r bin served templates <<<"$spec"
    served=${served:-$content}
    templates=${templates:-templates}
    rm -rf "$work/out" "$work/out.old"
    "$bin" serve --addr "127.0.0.1:$port" --content "$served" --templates "$templates" --out "$work/out" >"$work/serve.log" 2>&1 &
    server=$!
    until curl -sf "http://127.0.0.1:$port/healthz" >/dev/null; do
      kill -0 "$server" 2>/dev/null || { cat "$work/serve.log"; exit 1; }
      sleep 0.2
    done
    sync; sleep 2
    before=$(cpu_ticks "$server")
    result=$(JX_PATH="${JX_PATH:-/api/search}" JX_WORDS="$work/words.txt" \
      wrk -t2 -c64 -d"${SECS:-10}s" --latency -s benches/hostile.lua "http://127.0.0.1:$port")
    ticks=$(( $(cpu_ticks "$server") - before ))
    peak=$(awk '/^VmHWM/ {printf "%.0f", $2 / 1024}' "/proc/$server/status")
    awk -v round="$round" -v bin="$bin" -v ticks="$ticks" -v hz="$(getconf CLK_TCK)" -v peak="$peak" '
      /requests in/ {n=$1} /Requests\/sec/ {rps=$2} $1=="50%" {p50=$2} $1=="99%" {p99=$2}
      END {printf "round %d  %-40s %7.0f req/s  p50 %-8s p99 %-8s CPU %.3f ms/request  peak RSS %s MB\n",
        round, bin, rps, p50, p99, ticks * 1000 / hz / n, peak}' <<<"$result"
    kill "$server"; wait "$server" 2>/dev/null || true; server=0
  done
done
