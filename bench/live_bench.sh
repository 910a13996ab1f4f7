#!/usr/bin/env bash
# Live ingest benchmark: `calltrail serve` in one process, bench_live in
# another pushing the events of simulated logs (events-json, one connection
# per site, batches of BATCH events) as fast as the server takes them. Reports
# per run the sustained events/s and the latency from the POST of an
# interaction's first event to its `created` update on the SSE stream, then
# the medians. Baseline in the same run: `calltrail interactions` over the
# same files (events/s of the batch correlation, parsing included).
#
#   bench/live_bench.sh [INTERACTIONS] [BUILD_DIR]   INTERACTIONS defaults to 40000
#   STORE=sqlite bench/live_bench.sh ...              serve --db a fresh SQLite file each run
#
# Data is generated once into bench/data/live-INTERACTIONS/ (git-ignored).
set -euo pipefail

n="${1:-40000}"
here="$(cd "$(dirname "$0")" && pwd)"
build="${2:-$here/../build}"
binary="$build/calltrail"
client="$build/bench/bench_live"
data="$here/data/live-$n"
runs="${RUNS:-5}"
batch="${BATCH:-200}"
store="${STORE:-}"

[ -x "$binary" ] && [ -x "$client" ] || { echo "live_bench: build first ($binary, $client)" >&2; exit 2; }
if [ ! -f "$data/truth.json" ]; then
  rm -rf "$data"
  "$binary" simulate -q --out "$data" --interactions "$n" --seed 5 >/dev/null
fi
logs=()
while IFS= read -r f; do logs+=("$f"); done < <(find "$data" -name '*.log' | sort)
echo "data: ${#logs[@]} files, $(cat "${logs[@]}" | wc -c) bytes, $(nproc) cores, batch $batch${store:+, store $store}"

rates=()
p99s=()
p50s=()
for ((i = 1; i <= runs; i++)); do
  err=$(mktemp)
  db_args=()
  if [ "$store" = sqlite ]; then
    db=$(mktemp -d)
    db_args=(--db "$db/store.db")
  fi
  "$binary" serve --listen 127.0.0.1:0 "${db_args[@]}" 2>"$err" &
  server=$!
  port=""
  for _ in $(seq 100); do
    port=$(sed -n 's|.*http://127.0.0.1:\([0-9]*\)/.*|\1|p' "$err")
    [ -n "$port" ] && break
    sleep 0.05
  done
  out=$("$client" --port "$port" --seconds 30 --batch "$batch" --connections "${#logs[@]}" "${logs[@]}")
  kill -TERM "$server"
  wait "$server" || true
  rm -f "$err"
  [ "$store" = sqlite ] && rm -rf "$db"
  echo "run $i: $out" | tr '\n' ' '
  echo
  rates+=("$(sed -n 's/.*s: \([0-9]*\) events\/s.*/\1/p' <<<"$out")")
  p50s+=("$(sed -n 's/.*p50 \([0-9.]*\).*/\1/p' <<<"$out")")
  p99s+=("$(sed -n 's/.*p99 \([0-9.]*\).*/\1/p' <<<"$out")")
done
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
events=$("$binary" events --format jsonl "${logs[@]}" 2>/dev/null | wc -l)
start=$(date +%s.%N)
"$binary" interactions "${logs[@]}" --format jsonl >/dev/null
end=$(date +%s.%N)
batch_rate=$(awk -v e="$events" -v s="$start" -v t="$end" 'BEGIN {printf "%.0f", e / (t - s)}')
live=$(median "${rates[@]}")
echo "median of $runs: $live events/s pushed, created latency p50 $(median "${p50s[@]}") ms, p99 $(median "${p99s[@]}") ms"
echo "baseline: calltrail interactions over the same files: $batch_rate events/s ($events events)"
awk -v a="$live" -v b="$batch_rate" 'BEGIN {printf "ratio live/batch: %.2f\n", a / b}'
