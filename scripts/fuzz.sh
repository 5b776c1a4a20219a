#!/usr/bin/env bash
# make fuzz / make fuzz-smoke: builds the libFuzzer targets (tests/fuzz, the "fuzz" preset:
# clang with -fsanitize=fuzzer,address,undefined) and runs each, then prints one table row
# per target: executions, coverage (edges, features), corpus size, crashes.
#
#   scripts/fuzz.sh                 each target for FUZZ_SECONDS (default 60), corpus kept
#                                   in build/fuzz/corpus/<target> between runs
#   scripts/fuzz.sh --smoke         each target for 10 s from the seeds only (CI)
#   FUZZ_RUNS=10000000 FUZZ_SECONDS=1800 scripts/fuzz.sh json sse   up to 10M runs or 30 min
#
# A crash leaves its input in build/fuzz/artifacts/<target>/ and makes the script fail;
# every crash found becomes a unit test (see docs/benchmarks.md, "Fuzzing").
set -euo pipefail
cd "$(dirname "$0")/.."
smoke=0
if [ "${1:-}" = "--smoke" ]; then smoke=1; shift; fi
seconds=${FUZZ_SECONDS:-60}
[ "$smoke" = 1 ] && seconds=${FUZZ_SECONDS:-10}
runs=${FUZZ_RUNS:--1}
targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=(json query sse ws_frame markdown boot)

[ -f build/fuzz/build.ninja ] || cmake --preset fuzz >/dev/null
cmake --build --preset fuzz >/dev/null

bin=build/fuzz/tests/fuzz
printf '| %-9s | %7s | %12s | %9s | %6s | %7s | %7s | %-7s |\n' target seconds executions "exec/s" edges features corpus crashes
printf '|%s|%s|%s|%s|%s|%s|%s|%s|\n' ----------- --------- -------------- ----------- -------- --------- --------- ---------
failed=0
for t in "${targets[@]}"; do
  seeds=tests/fuzz/corpus/$t
  if [ "$smoke" = 1 ]; then
    corpus=$(mktemp -d)
    cp "$seeds"/* "$corpus"/
  else
    corpus=build/fuzz/corpus/$t
    mkdir -p "$corpus"
    cp -n "$seeds"/* "$corpus"/ 2>/dev/null || true
  fi
  artifacts=build/fuzz/artifacts/$t
  mkdir -p "$artifacts"
  dict=()
  case $t in
    json | ws_frame | boot) dict=(-dict=tests/fuzz/json.dict) ;;
    sse) dict=(-dict=tests/fuzz/sse.dict) ;;
    query) dict=(-dict=tests/fuzz/query.dict) ;;
    markdown) dict=(-dict=tests/fuzz/markdown.dict) ;;
  esac
  log=build/fuzz/fuzz_$t.log
  stamp=$(mktemp)
  start=$(date +%s.%N)
  status=0
  "$bin/fuzz_$t" "$corpus" "${dict[@]}" -max_total_time="$seconds" -runs="$runs" \
    -print_final_stats=1 -timeout=10 -rss_limit_mb=2048 -artifact_prefix="$artifacts/" \
    >"$log" 2>&1 || status=$?
  elapsed=$(awk -v s="$start" -v e="$(date +%s.%N)" 'BEGIN { printf "%.0f", e - s }')
  execs=$(awk '/stat::number_of_executed_units/ { print $2 }' "$log" | tail -1)
  last=$(grep -E '^#[0-9]+' "$log" | tail -1)
  cov=$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<<"$last")
  ft=$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<<"$last")
  size=$(find "$corpus" -type f | wc -l)
  crashes=$(find "$artifacts" -type f -newer "$stamp" | wc -l)
  rm -f "$stamp"
  [ "$status" != 0 ] && crashes=$((crashes > 0 ? crashes : 1))
  per_s=$(awk -v n="${execs:-0}" -v s="$elapsed" 'BEGIN { printf "%.0f", (s > 0 ? n / s : 0) }')
  printf '| %-9s | %7s | %12s | %9s | %6s | %7s | %7s | %-7s |\n' "$t" "$elapsed" "${execs:-?}" \
    "$per_s" "${cov:-?}" "${ft:-?}" "$size" "$crashes"
  if [ "$status" != 0 ] || [ "$crashes" != 0 ]; then
    failed=1
    grep -E 'ERROR|SUMMARY|Test unit written' "$log" | sed 's/^/    /' | head -5
  fi
  [ "$smoke" = 1 ] && rm -rf "$corpus"
done
exit $failed
