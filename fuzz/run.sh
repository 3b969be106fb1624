#!/usr/bin/env bash
# Runs every fuzz target for a bounded time, starting from the committed seeds.
#   fuzz/run.sh [SECONDS_PER_TARGET] [--smoke]   (default 60)
# --smoke: the targets built without optimisation, which compiles in a fraction of the time of the
# optimised build and runs the same checks on fewer inputs; long runs use the default. (CI runs the
# targets' checks on the seeds and inputs derived from them in the tests: tests/suite/fuzz_smoke.rs.)
# The targets are built once, then run two at a time (JOBS=n to change it).
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

targets=(front_matter query build_entry query_language)
cargo fuzz build "${build[@]}" --sanitizer none
jobs_at_once="${JOBS:-2}"

run_target() {
  local target=$1 log="fuzz/artifacts/$1/run.log"
  mkdir -p "fuzz/corpus/$target" "fuzz/artifacts/$target"
  cargo fuzz run "${build[@]}" --sanitizer none "$target" "fuzz/corpus/$target" "fuzz/seeds/$target" -- \
    -max_total_time="$seconds" -max_len=8192 -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
    >"$log" 2>&1
}

failed=()
for ((i = 0; i < ${#targets[@]}; i += jobs_at_once)); do
  batch=("${targets[@]:i:jobs_at_once}")
  pids=()
  for target in "${batch[@]}"; do
    echo "== fuzz $target for ${seconds}s"
    run_target "$target" &
    pids+=($!)
  done
  for j in "${!batch[@]}"; do
    target=${batch[$j]}
    if wait "${pids[$j]}"; then
      echo "-- $target"
      grep -E '^stat::(number_of_executed_units|average_exec_per_sec|peak_rss_mb)' "fuzz/artifacts/$target/run.log"
    else
      tail -n 40 "fuzz/artifacts/$target/run.log" >&2
      echo "fuzz target $target failed; the input that broke it is under fuzz/artifacts/$target/" >&2
      failed+=("$target")
    fi
  done
done
[[ ${#failed[@]} -eq 0 ]]
