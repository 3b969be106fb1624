#!/usr/bin/env bash
# Runs every fuzz target for a bounded time, starting from the committed seeds.
#   fuzz/run.sh [SECONDS_PER_TARGET] [--smoke]   (default 60)
# --smoke (CI): the targets built without optimisation, which compiles in a fraction of the time
# of the optimised build and runs the same checks on fewer inputs; long runs use the default.
# New interesting inputs go to fuzz/corpus/<target>/ (git-ignored); a crash is saved under
# fuzz/artifacts/<target>/ and makes this script fail.
# cargo-fuzz wants nightly flags; RUSTC_BOOTSTRAP lets the one stable toolchain accept them.
# No sanitizer (`-s none`): the crate forbids `unsafe`, so the fuzzers hunt panics, hangs and
# broken invariants (the asserts in fuzz_targets/), which need no instrumentation of memory.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-60}"
build=()
if [[ "${2:-}" == "--smoke" ]]; then build=(--dev); fi

if ! command -v cargo-fuzz >/dev/null 2>&1; then
  cargo install cargo-fuzz --locked --quiet --debug
fi
export RUSTC_BOOTSTRAP=1

for target in front_matter query build_entry query_language; do
  mkdir -p "fuzz/corpus/$target"
  echo "== fuzz $target for ${seconds}s"
  mkdir -p "fuzz/artifacts/$target"
  log="fuzz/artifacts/$target/run.log"
  if ! cargo fuzz run "${build[@]}" --sanitizer none "$target" "fuzz/corpus/$target" "fuzz/seeds/$target" -- \
    -max_total_time="$seconds" -max_len=8192 -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
    >"$log" 2>&1; then
    tail -n 40 "$log" >&2
    echo "fuzz target $target failed; the input that broke it is under fuzz/artifacts/$target/" >&2
    exit 1
  fi
  grep -E '^stat::(number_of_executed_units|average_exec_per_sec|peak_rss_mb)' "$log"
done
