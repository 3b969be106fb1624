#!/usr/bin/env bash
# History at scale: the build of N generated entries (default 10,000) whose content is a git
# repository with a synthetic history of three commits on three days (every entry; then a rating
# changed, with a changelog line, in 2% of the entries; then in another 2%), against a copy of the
# same final text outside a repository (both written by `cp -r`, so neither is favoured by where
# the files lie on disk). Builds in turns (plain, history, plain, ...), best wall time and
# highest peak RSS of RUNS (default 3) each, the least CPU time (user + system), and what the
# history added to the output.
# Prints figures; asserts nothing.
#
# Usage: benches/history.sh [N]      (JURISDEX=path/to/jurisdex to skip the dist build)
# Needs: git (to write the synthetic history, and for the build to read it).
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
source benches/common.sh

n=${1:-10000}
runs=${RUNS:-3}
bin=${JURISDEX:-}
if [[ -z $bin ]]; then
  cargo build --profile dist --quiet --locked
  bin=$repo/target/dist/jurisdex
fi

make_work_dir jurisdex-history
"$bin" gen-corpus "$n" --content "$work/generated" >/dev/null
mkdir -p "$work/repo"
cp -r "$work/generated" "$work/repo/content"
rm -rf "$work/generated"

commit() { # day, message
  (cd "$work/repo" && git add -A && GIT_AUTHOR_DATE="$1T12:00:00Z" GIT_COMMITTER_DATE="$1T12:00:00Z" \
    git -c user.name=bench -c user.email=bench@example.org -c gc.auto=0 commit -q -m "$2")
}
# Changes the first safeguard's rating of every 50th entry from `offset`, with a changelog line.
revise() { # offset, day
  python3 - "$work/repo/content/jurisdictions" "$1" "$2" <<'PY'
import os, re, sys
folder, offset, day = sys.argv[1], int(sys.argv[2]), sys.argv[3]
following = {"yes": "partial", "partial": "no", "no": "yes", "unknown": "silent", "silent": "unknown"}
for name in sorted(os.listdir(folder))[offset::50]:
    path = os.path.join(folder, name)
    text = open(path).read()
    text = re.sub(r'(\n    value: ")([a-z]+)(")', lambda m: m[1] + following[m[2]] + m[3], text, count=1)
    text = text.replace("changelog:\n", f"changelog:\n  - date: {day}\n    change: Rating revised.\n", 1)
    open(path, "w").write(text)
PY
}
git -C "$work/repo" init -q -b main
commit 2026-11-01 "Generated corpus"
revise 0 2026-11-02
commit 2026-11-02 "Revised ratings"
revise 1 2026-11-03
commit 2026-11-03 "Revised ratings again"
# Packed, as a clone is, before any build (and no automatic gc packing it during one).
git -C "$work/repo" gc --quiet
cp -r "$work/repo/content" "$work/plain"

measure() { # content dir, output dir → "wall_seconds peak_kb cpu_seconds"
  sync
  sleep "${PAUSE:-10}"
  /usr/bin/time -f "%e %M %U %S" -o "$work/time" "$bin" --content "$1" --out "$2" build >/dev/null 2>&1
  read -r wall kb user sys <"$work/time"
  echo "$wall $kb $(python3 -c "print(round($user + $sys, 2))")"
}
least() { python3 -c "print(min($1, $2))"; }
best_plain=999999; best_history=999999; cpu_plain=999999; cpu_history=999999; peak_plain=0; peak_history=0
for run in $(seq 1 "$runs"); do
  read -r secs kb cpu < <(measure "$work/plain" "$work/out-plain-$run")
  echo "plain build $run: ${secs} s, ${cpu} s of CPU, ${kb} KB"
  best_plain=$(least "$best_plain" "$secs"); cpu_plain=$(least "$cpu_plain" "$cpu")
  peak_plain=$(( kb > peak_plain ? kb : peak_plain ))
  read -r secs kb cpu < <(measure "$work/repo/content" "$work/out-history-$run")
  echo "history build $run: ${secs} s, ${cpu} s of CPU, ${kb} KB"
  best_history=$(least "$best_history" "$secs"); cpu_history=$(least "$cpu_history" "$cpu")
  peak_history=$(( kb > peak_history ? kb : peak_history ))
done
files() { find "$1" -type f | wc -l; }
files() { find "$1" -type f | wc -l; } # an output directory

echo
echo "| N = $n | without a repository | with three commits of history |"
echo "|---|---:|---:|"
echo "| full build, wall (best of $runs) | ${best_plain} s | ${best_history} s |"
echo "| CPU, user + system (least of $runs) | ${cpu_plain} s | ${cpu_history} s |"
echo "| peak RSS (highest of $runs) | $((peak_plain / 1024)) MB | $((peak_history / 1024)) MB |"
echo "| files written | $(files "$work/out-plain-1") | $(files "$work/out-history-1") |"
echo "| past versions shown in full | 0 | $(find "$work/out-history-1/jurisdictions" -path '*/as-of/*' -name index.html | xargs grep -L 'http-equiv="refresh"' | wc -l) |"
python3 -c "print(f'history / plain: {$best_history / $best_plain:.3f} wall, {$cpu_history / $cpu_plain:.3f} CPU')"
