#!/usr/bin/env bash
# Light pages: every page type of the shipped content measured by Lighthouse in headless Chromium,
# with mobile emulation and slow-3G throttling (400 ms round trip, 400 kbit/s each way, the CPU
# slowed 4×): bytes transferred (compressed, as served), first and largest contentful paint, and
# the performance and accessibility scores. Prints a Markdown table for docs/PERFORMANCE.md.
#
# Usage: benches/pages.sh            (JURISDEX=path/to/jurisdex to skip the dist build)
# Needs: chromium, node and npm; installs Lighthouse into benches/.tools on first use.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
source benches/common.sh

tools=$repo/benches/.tools
lighthouse=$tools/node_modules/.bin/lighthouse
if [[ ! -x $lighthouse ]]; then
  npm install --silent --no-audit --no-fund --prefix "$tools" lighthouse@12 >/dev/null
fi
bin=${JURISDEX:-}
if [[ -z $bin ]]; then
  cargo build --profile dist --quiet --locked
  bin=$repo/target/dist/jurisdex
fi

make_work_dir jurisdex-pages
port=$(free_port)
"$bin" --out "$work/public" serve --addr "127.0.0.1:$port" >"$work/serve.log" 2>&1 &
server=$!
for _ in $(seq 1 300); do
  curl -fs "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break
  sleep 0.1
done
base=http://127.0.0.1:$port

# page type, address
pages=(
  "home and matrix|/"
  "entry|/jurisdictions/indonesia/"
  "topic|/topics/judicial_authorisation/"
  "compare|/compare/?j=indonesia,malaysia,singapore&t=judicial_authorisation,user_notice,appeal_redress"
  "search results|/search?q=judicial+authorisation"
  "collection|/collections/jakarta-2018-workshop/"
  "offline search|/search/?q=judicial+authorisation"
)

echo "| page | transferred | FCP | LCP | performance | accessibility |"
echo "|---|---:|---:|---:|---:|---:|"
for row in "${pages[@]}"; do
  name=${row%%|*}
  path=${row#*|}
  CHROME_PATH=${CHROMIUM:-/usr/bin/chromium} "$lighthouse" "$base$path" --quiet \
    --chrome-flags="--headless --no-sandbox" --form-factor=mobile \
    --only-categories=performance,accessibility --throttling-method=simulate \
    --throttling.rttMs=400 --throttling.throughputKbps=400 --throttling.cpuSlowdownMultiplier=4 \
    --output=json --output-path="$work/report.json" >/dev/null 2>&1
  python3 - "$name" "$work/report.json" <<'PY'
import json, sys
name, path = sys.argv[1], sys.argv[2]
report = json.load(open(path))
audits, scores = report["audits"], report["categories"]
kib = audits["total-byte-weight"]["numericValue"] / 1024
fcp = audits["first-contentful-paint"]["numericValue"] / 1000
lcp = audits["largest-contentful-paint"]["numericValue"] / 1000
print(f"| {name} | {kib:.1f} KiB | {fcp:.2f} s | {lcp:.2f} s | "
      f"{round(scores['performance']['score'] * 100)} | {round(scores['accessibility']['score'] * 100)} |")
PY
done
