#!/usr/bin/env bash
# jurisdex's client-side search against Pagefind's on the same generated entries: index bytes on
# disk, bytes a query fetches and time to the first result in headless Chromium (benches/offline.mjs),
# the same five queries for both, each in a fresh browser context, both served over loopback by
# Python's http.server (no compression). Pagefind indexes jurisdex's own entry pages
# (`--glob 'jurisdictions/**/*.html'`), and its page loads the data of the first 20 results, as many
# as jurisdex's offline search shows. Prints figures; asserts nothing.
#
# usage: benches/offline.sh [N...]   (default: 1000 10000)
# Needs node, /usr/bin/chromium and tests/browser/node_modules (npm ci --prefix tests/browser);
# installs Pagefind with npm into benches/.tools/ (git-ignored) if missing.
set -euo pipefail
cd "$(dirname "$0")/.."
sizes=("$@"); [[ ${#sizes[@]} -gt 0 ]] || sizes=(1000 10000)
queries=("blocking" "judicial authorisation" "removal order" "transparency report" "magistrate notice")

cargo build --release --locked --quiet
bin=target/release/jurisdex
pagefind=benches/.tools/node_modules/@pagefind/linux-x64/bin/pagefind_extended
[[ -x $pagefind ]] || npm install --silent --prefix benches/.tools pagefind@1 >/dev/null
work=$(mktemp -d /tmp/jurisdex-offline-bench.XXXXXX)
server=0
trap '[[ $server != 0 ]] && kill "$server"; rm -rf "$work"' EXIT

bytes() { find "$@" -type f -printf '%s\n' | awk '{s += $1; n++} END {printf "%d %d\n", s, n}'; }

echo "== $($bin --version); pagefind $("$pagefind" --version | cut -d' ' -f2); $(/usr/bin/chromium --version 2>/dev/null)"
for n in "${sizes[@]}"; do
  content="$work/content-$n" out="$work/out-$n"
  $bin gen-corpus "$n" --content "$content" >/dev/null
  /usr/bin/time -f '%e %M' -o "$work/time" $bin build --static-search always --content "$content" --out "$out" >/dev/null 2>&1
  read -r build_s build_kb <"$work/time"
  start=$(date +%s.%N)
  "$pagefind" --site "$out" --glob 'jurisdictions/**/*.html' --quiet
  pf_s=$(echo "$(date +%s.%N) - $start" | bc)
  cat >"$out/pagefind-search.html" <<'HTML'
<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Pagefind</title></head>
<body><ol id="hits"></ol><script type="module">
const pagefind = await import("/pagefind/pagefind.js");
const search = await pagefind.search(new URLSearchParams(location.search).get("q"));
const data = await Promise.all(search.results.slice(0, 20).map((r) => r.data()));
for (const d of data) {
  const li = document.createElement("li");
  li.className = "hit";
  li.textContent = `${d.meta.title}: ${d.excerpt}`;
  document.getElementById("hits").appendChild(li);
}
document.body.dataset.done = "1";
</script></body></html>
HTML
  read -r jx_bytes jx_files < <(bytes "$out/assets/search" "$out/assets/offline-search.js")
  # Pagefind's search needs its index, fragments, WebAssembly and pagefind.js, not its UI files.
  read -r pf_bytes pf_files < <(bytes "$out/pagefind" -not -name '*ui*' -not -name '*highlight*')
  echo "-- N = $n: $(grep -o '"docs":[0-9]*' "$out/assets/search/index.js" | cut -d: -f2) units in jurisdex's client index; jurisdex build (both indexes) ${build_s} s, peak RSS $((build_kb / 1024)) MB; Pagefind indexing ${pf_s} s"
  echo "index on disk: jurisdex $jx_bytes bytes in $jx_files files; Pagefind $pf_bytes bytes in $pf_files files; ratio $(echo "scale=2; $jx_bytes / $pf_bytes" | bc)"
  port=$((18000 + RANDOM % 1000))
  python3 -m http.server --bind 127.0.0.1 "$port" --directory "$out" >/dev/null 2>&1 &
  server=$!
  sleep 1
  node benches/offline.mjs jurisdex "http://127.0.0.1:$port/search/index.html" "${queries[@]}" >"$work/jx.jsonl"
  node benches/offline.mjs pagefind "http://127.0.0.1:$port/pagefind-search.html" "${queries[@]}" >"$work/pf.jsonl"
  kill "$server"; wait "$server" 2>/dev/null || true; server=0
  cat "$work/jx.jsonl" "$work/pf.jsonl"
  node -e '
    const fs = require("fs");
    const read = (f) => fs.readFileSync(f, "utf8").trim().split("\n").map(JSON.parse);
    const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };
    const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;
    const [jx, pf] = [read(process.argv[1]), read(process.argv[2])];
    const line = (name, f) => console.log(`${name}: jurisdex ${f(jx).toFixed(0)}, Pagefind ${f(pf).toFixed(0)}, ratio ${(f(jx) / f(pf)).toFixed(2)}`);
    line("bytes a query fetches (mean)", (r) => mean(r.map((x) => x.bytes)));
    line("time to first result, ms (median)", (r) => median(r.map((x) => x.ms)));
  ' "$work/jx.jsonl" "$work/pf.jsonl"
done
