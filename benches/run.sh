#!/usr/bin/env bash
# The benchmark. For the shipped content and for generated corpora of N entries
# (`jurisdex gen-corpus N`): full build (wall, entries/s, peak RSS), `serve` start to first 200,
# edit-to-served time of one entry under `serve --watch`, and wrk load (64 connections) on
# /api/search and /search with a mixed, a cache-hostile and a broad query stream, /healthz as the ceiling,
# and server RSS; then a page and a search (16 connections) while hostile clients hold 10,000 idle
# and 1,000 slow-reading connections open, and the server's RSS under them. Then Debian's Hugo and Pagefind on the same entries,
# and (not in a smoke run) every page type in Lighthouse on slow 3G (benches/pages.sh). Prints figures; asserts
# nothing about time.
#
# Usage: [JURISDEX=binary] benches/run.sh [--smoke] [N ...]   (default N: 100 1000 10000; wrk runs of $SECS s, default 10;
#        $RUNS timed builds per size for jurisdex and for Hugo, default 3, the best kept)
#        --smoke: N = 100, one build, 1 s wrk runs, one edit, 1,000 + 100 hostile clients (at N = 100 only); Hugo and Pagefind only if already installed.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)
smoke=false
if [[ "${1:-}" == "--smoke" ]]; then smoke=true; shift; fi
# A smoke run holds the hostile clients once, beside the generated entries (25 s each time).
if $smoke; then sizes=(100); secs=1; edits=1; mixed_edits=4; SETTLE=0; hostile_on_shipped=false; else sizes=("${@:-100 1000 10000}"); secs="${SECS:-10}"; edits=5; mixed_edits=50; hostile_on_shipped=true; fi
read -r -a sizes <<<"${sizes[*]}"
conns=64
# Hostile clients of the load test: as many as the open-file limit allows, up to 10,000 + 1,000.
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
if $smoke; then idle=1000; slow=100; else idle=10000; slow=1000; fi
room=$(( $(ulimit -n) - 500 ))
if (( idle + slow > room )); then idle=$(( room * 10 / 11 )); slow=$(( room / 11 )); fi

source benches/common.sh
need wrk wrk
need curl curl
need /usr/bin/time time
have_hugo=true
if $smoke; then command -v hugo >/dev/null || have_hugo=false; else need hugo hugo; fi
pagefind=benches/.tools/node_modules/@pagefind/linux-x64/bin/pagefind_extended
if [[ ! -x $pagefind ]] && ! $smoke; then
  npm install --silent --prefix benches/.tools pagefind@1 >/dev/null
fi
have_pagefind=false; [[ -x $pagefind ]] && have_pagefind=true

# The figures come from the tuned `dist` profile. A smoke run only checks that the benchmark works,
# so it takes a debug build; JURISDEX=path names a binary already built (CI passes the one the
# tests built: a `cargo build` after `cargo test` compiles again, without the dev-dependencies'
# features).
if [[ -n ${JURISDEX:-} ]]; then
  bin=$(realpath "$JURISDEX")
else
  if $smoke; then profile=dev; dir=debug; else profile=dist; dir=dist; fi
  cargo build --profile "$profile" --quiet --locked
  bin=$repo/target/$dir/jurisdex
fi
make_work_dir jurisdex-bench

ms() { echo $(( ($(date +%s%N) - $1) / 1000000 )); }
# "VmRSS N MB (heap N, mapped files N), peak N MB" of a process.
rss_report() {
  awk '/^VmRSS/ {r=$2} /^RssAnon/ {a=$2} /^RssFile/ {f=$2} /^VmHWM/ {h=$2}
    END {printf "%.0f MB (anonymous %.0f, mapped files %.0f), peak %.0f MB", r/1024, a/1024, f/1024, h/1024}' "/proc/$1/status"
}
# ext4 without a journal (as on these machines: /sys/fs/ext4/<disk>/journal_task says <none>)
# does not reuse an inode freed in the last 60 s (360 s while its inode table block is unwritten):
# each new file scans past every such inode (the kernel's `recently_deleted`), so a build started
# soon after 20,000 files were removed spent a quarter of its time there.
# So nothing is removed while the benchmark runs: every build (ours, Hugo's, the servers') writes
# into a directory never used before, and the work directory goes at exit. Each timed build starts
# after a `sync` and a pause, so it does not pay for writing back the previous step's output.
settle() { sync; sleep "${SETTLE:-10}"; }

# wrk run → "req/s p50 p99 non2xx" ($CONNS connections, default $conns)
load() { # name, url or "-s script url"
  local result
  result=$(wrk -t2 -c"${CONNS:-$conns}" -d"${secs}s" --latency "${@:2}")
  awk -v name="$1" '
    /Requests\/sec/ {rps=$2} $1=="50%" {p50=$2} $1=="99%" {p99=$2}
    /Non-2xx/ {bad=$NF} /Socket errors/ {sock=$0}
    END {printf "  %-34s %9.0f req/s  p50 %-8s p99 %-8s non-2xx %s%s\n", name, rps, p50, p99, bad+0, (sock ? "  " sock : "")}' <<<"$result"
}

# Full builds, jurisdex's and Hugo's, are timed $RUNS times (default 3, fresh output each time)
# at every size, and the best is kept: the growth and the ratios then compare like with like.
# The two take turns (jurisdex, Hugo, jurisdex, Hugo, ...), so that this machine's drift (25% or
# more within an hour) hits both alike.
runs=${RUNS:-3}
if $smoke; then runs=1; fi

# One timed run of the command, after settle(): "seconds peak-KB" into $work/time.
timed() {
  settle
  /usr/bin/time -f "%e %M" -o "$work/time" "$@" >/dev/null 2>"$work/build.log" \
    || { cat "$work/build.log"; exit 1; }
}

# Whether seconds $1 beat the best so far, $2 (none yet: empty).
faster() { [[ -z $2 ]] || awk "BEGIN{exit !($1 < $2)}"; }

# Full builds, in turns with Hugo's when $4 is true: jurisdex's best wall time of $runs and the
# highest peak RSS of any of them; Hugo's best and its peak RSS, kept for hugo_bench.
build_bench() { # content dir, label, entries, with Hugo (true/false)
  local best="" rss=0 run secs_run kb
  hugo_s=""; hugo_kb=""
  if $4; then hugo_site "$1" "$3"; fi
  for run in $(seq "$runs"); do
    timed "$bin" build --content "$1" --out "$work/out-$3-$run"
    read -r secs_run kb <"$work/time"
    if faster "$secs_run" "$best"; then best=$secs_run; fi
    if (( kb / 1024 > rss )); then rss=$((kb / 1024)); fi
    if $4; then
      timed hugo --quiet --source "$hugo" --destination "$hugo/public-$run"
      read -r secs_run kb <"$work/time"
      if faster "$secs_run" "$hugo_s"; then hugo_s=$secs_run; hugo_kb=$kb; fi
    fi
  done
  printf "  %-34s %7.2f s  %8.0f entries/s  peak RSS %s MB  (best of %d; RSS: highest)\n" "full build $2" "$best" \
    "$(awk "BEGIN{print $3 / ($best > 0 ? $best : 0.001)}")" "$rss" "$runs"
  echo "$best" >"$work/jx-$3"
}

# A normal client (16 connections) on a page and a search while hostile clients hold $idle idle
# connections (sending nothing, reopened whenever the server closes them) and $slow that ask for
# the matrix export or a page and never read: the server's bounds at work. Then its memory.
hostile_bench() { # base url, a page's path
  local port=${1##*:}
  echo "  with $idle idle and $slow slow-reading connections held open (benches/hold.py):"
  python3 benches/hold.py 127.0.0.1 "$port" "$idle" "$slow" $((2 * secs + 20)) /export/matrix.csv "$2" >"$work/hold.out" &
  local holder=$!
  sleep 12 # every connection opened, the idle ones past their first header-read timeout
  CONNS=16 load "  $2 (a page)" "$1$2"
  CONNS=16 JX_PATH=/api/search load "  /api/search (mixed)" -s benches/mixed.lua "$1"
  echo "    server RSS under them               $(rss_report "$server")"
  wait "$holder"
  sed 's/^/    held: /' "$work/hold.out"
}

serve_bench() { # content dir, entries, with hostile clients (true/false)
  local port base entry
  port=$(free_port); base="http://127.0.0.1:$port"
  settle
  local start; start=$(date +%s%N)
  "$bin" serve --watch --addr "127.0.0.1:$port" --content "$1" --out "$work/served-$2" >"$work/serve.log" 2>&1 &
  server=$!
  until curl -sf "$base/healthz" >/dev/null; do
    kill -0 "$server" 2>/dev/null || { cat "$work/serve.log"; exit 1; }
    sleep 0.01
  done
  echo "  serve start to first 200            $(ms "$start") ms (includes the build)"
  # The edits measure the rebuild, not the disk writing back the build just made (1.6 GB at
  # 10,000 entries, due 30 s after it was written, in the middle of the edits).
  sync
  entry=$(find "$1/jurisdictions" -name "*.md" -printf "%f\n" | sort | sed -n 1p)
  echo "  edit analysis to served (watch)     $(python3 benches/incremental.py "$base" "$1/jurisdictions/$entry" "$edits" body)"
  echo "  edit summary to served (watch)      $(python3 benches/incremental.py "$base" "$1/jurisdictions/$entry" "$edits" summary)"
  echo "  mixed edits to served (watch)       $(python3 benches/incremental.py "$base" "$1/jurisdictions/$entry" "$mixed_edits" mixed)"
  # The build and the edits leave up to a gigabyte of output to write back; the loads measure the
  # server, not the disk flushing it.
  sync
  hostile_words "$1" "$work/words.txt"
  broad_words "$1" "$work/broad.txt"
  for path in /api/search /search; do
    JX_PATH=$path load "$path mixed" -s benches/mixed.lua "$base"
    JX_PATH=$path JX_WORDS="$work/words.txt" load "$path cache-hostile" -s benches/hostile.lua "$base"
    JX_PATH=$path JX_WORDS="$work/broad.txt" JX_STREAM=broad load "$path broad" -s benches/hostile.lua "$base"
  done
  load "/jurisdictions/${entry%.md}/ (a page)" "$base/jurisdictions/${entry%.md}/"
  load "/healthz (ceiling)" "$base/healthz"
  echo "  server RSS after the load           $(rss_report "$server")"
  if $3; then hostile_bench "$base" "/jurisdictions/${entry%.md}/"; fi
  kill "$server"; wait "$server" 2>/dev/null || true; server=0
}

# Hugo: the same entry files (YAML front matter + Markdown) with tiny layouts that show the front
# matter, the body, a home page listing every entry and a section list.
hugo_site() { # content dir, entries → $hugo, a new directory
  hugo="$work/hugo-$2"; mkdir -p "$hugo/content" "$hugo/layouts/_default"
  cp -r "$1/jurisdictions" "$hugo/content/jurisdictions"
  cat >"$hugo/config.toml" <<'EOF'
baseURL = "http://127.0.0.1/"
title = "jurisdex (Hugo comparison)"
disableKinds = ["taxonomy", "term", "RSS", "sitemap", "robotsTXT"]
EOF
  cat >"$hugo/layouts/_default/baseof.html" <<'EOF'
<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{{ .Title }}</title></head>
<body><main data-pagefind-body>{{ block "main" . }}{{ end }}</main></body></html>
EOF
  cat >"$hugo/layouts/_default/single.html" <<'EOF'
{{ define "main" }}<h1>{{ .Params.name }}</h1><p>{{ .Params.summary }}</p>
<h2>Instruments</h2>{{ range .Params.instruments }}<section id="instrument-{{ .id }}"><h3>{{ .title }}</h3><p>{{ .citation }}</p>
<ul>{{ range .key_provisions }}<li>{{ .section }}: {{ .gist }}</li>{{ end }}</ul></section>{{ end }}
<h2>Powers</h2>{{ range $i, $p := .Params.powers }}<section id="power-{{ add $i 1 }}"><h3>{{ $p.authority }}</h3><p>{{ $p.grounds }}</p></section>{{ end }}
<h2>Safeguards</h2>{{ range $k, $s := .Params.safeguards }}<section id="safeguard-{{ $k }}"><h3>{{ $k }}: {{ $s.value }}</h3><p>{{ $s.note }}</p></section>{{ end }}
<h2>Sources</h2><ul>{{ range .Params.sources }}<li id="source-{{ .id }}">{{ .title }}, {{ .publisher }}</li>{{ end }}</ul>
{{ .Content }}{{ end }}
EOF
  cat >"$hugo/layouts/_default/list.html" <<'EOF'
{{ define "main" }}<h1>{{ .Title }}</h1><ul>{{ range .Pages }}<li><a href="{{ .RelPermalink }}">{{ .Params.name }}</a></li>{{ end }}</ul>{{ end }}
EOF
  cat >"$hugo/layouts/index.html" <<'EOF'
{{ define "main" }}<table>{{ range where .Site.RegularPages "Section" "jurisdictions" }}<tr><td><a href="{{ .RelPermalink }}">{{ .Params.name }}</a></td>{{ range $k, $s := .Params.safeguards }}<td>{{ $s.value }}</td>{{ end }}</tr>{{ end }}</table>{{ end }}
EOF
}

# Hugo's best build (timed by build_bench, in turns with jurisdex's), then Pagefind over its
# output, and the ratios.
hugo_bench() { # entries
  printf "  %-34s %7.2f s  peak RSS %s MB  (best of %d, in turns with jurisdex's)\n" "Hugo build" "$hugo_s" "$((hugo_kb / 1024))" "$runs"
  local jx; jx=$(cat "$work/jx-$1")
  if $have_pagefind; then
    timed "$pagefind" --site "$hugo/public-1" --quiet
    read -r pf_s pf_kb <"$work/time"
    printf "  %-34s %7.2f s  peak RSS %s MB\n" "Pagefind indexing Hugo's output" "$pf_s" "$((pf_kb / 1024))"
    awk -v jx="$jx" -v h="$hugo_s" -v p="$pf_s" 'BEGIN {printf "  %-34s %.2f (Hugo + Pagefind %.2f s); over Hugo alone %.2f\n", "jurisdex time over Hugo + Pagefind", jx / (h + p), h + p, jx / h}'
  else
    awk -v jx="$jx" -v h="$hugo_s" 'BEGIN {printf "  %-34s %.2f (Pagefind not installed)\n", "jurisdex time over Hugo alone", jx / h}'
  fi
}

echo "== machine: $(nproc) cores ($(lscpu | sed -n 's/^Model name: *//p')), $(free -g | awk '/Mem:/ {print $2}') GiB, $(uname -sr)"
echo "== $($bin --version); $(hugo version 2>/dev/null | cut -d' ' -f1-2 || echo 'no hugo'); pagefind $($have_pagefind && "$pagefind" --version | cut -d' ' -f2 || echo 'not installed')"
echo "== wrk: 2 threads, $conns connections, ${secs} s per run"

shipped=$(ls content/jurisdictions | wc -l)
cp -r content "$work/shipped" # the edit test writes into the content it serves
echo "== shipped content ($shipped entries)"
build_bench "$work/shipped" "(shipped)" "$shipped" false
serve_bench "$work/shipped" "$shipped" "$hostile_on_shipped"

for n in "${sizes[@]}"; do
  "$bin" gen-corpus "$n" --content "$work/c$n" 2>/dev/null
  echo "== N = $n generated entries ($(du -sm "$work/c$n" | cut -f1) MB of content)"
  build_bench "$work/c$n" "" "$n" "$have_hugo"
  serve_bench "$work/c$n" "$n" true
  if $have_hugo; then hugo_bench "$n"; fi
done

if [[ ${#sizes[@]} -gt 1 ]]; then
  echo "== growth of the full build time"
  prev=""
  for n in "${sizes[@]}"; do
    t=$(cat "$work/jx-$n")
    if [[ -n $prev ]]; then
      awk -v a="$prev" -v b="$t" -v pn="$pn" -v n="$n" 'BEGIN {printf "  %d → %d entries: %.1f× the time for %.0f× the entries\n", pn, n, b / a, n / pn}'
    fi
    prev=$t; pn=$n
  done
fi

# Light pages: each page type of the shipped content in Lighthouse on slow 3G (a full run only:
# it installs Lighthouse on first use and takes about two minutes).
if ! $smoke; then
  echo "== light pages (benches/pages.sh: mobile, slow 3G, the shipped content)"
  JURISDEX=$bin benches/pages.sh
fi
