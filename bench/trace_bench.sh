#!/usr/bin/env bash
# End-to-end correlation benchmark over simulated logs of four sites (two SIP
# Servers that log their SIP dialogs and pass calls to each other over SIP,
# every print style mixed):
# `calltrail trace ID` (every file read, legs linked, one interaction printed)
# and `calltrail interactions` (every interaction printed as JSON), against
# `rg -c AttributeISLinkList` over the same files, timed in the same run.
# Prints the median ratios.
#
#   bench/trace_bench.sh [SIZE] [BINARY]     SIZE defaults to 1G (simulate --size)
#
# Data is generated once into bench/data/trace-SIZE/ (git-ignored).
set -euo pipefail

size="${1:-1G}"
here="$(cd "$(dirname "$0")" && pwd)"
binary="${2:-$here/../build/calltrail}"
data="$here/data/trace-mixed-$size"
runs="${RUNS:-5}"

command -v rg >/dev/null || { echo "trace_bench: rg (ripgrep) is needed" >&2; exit 2; }
[ -x "$binary" ] || { echo "trace_bench: no calltrail binary at $binary" >&2; exit 2; }

if [ ! -f "$data/truth.json" ]; then
  rm -rf "$data"
  "$binary" simulate --out "$data" --sites 4 --size "$size" --seed 42 --style mixed -q
fi
logs=()
while IFS= read -r f; do logs+=("$f"); done < <(find "$data" -name '*.log*' | sort)
bytes=$(cat "${logs[@]}" | wc -c)
echo "data: ${#logs[@]} files, $bytes bytes, $(nproc) cores"

# Trace the CallUUID of the first call in the first file.
id=$(grep -a -m1 -o "AttributeCallUUID[[:space:]]*'[^']*'" "${logs[0]}" | sed "s/.*'\\(.*\\)'/\\1/")
echo "trace id: $id"

# Warm the page cache so both tools read from memory.
cat "${logs[@]}" > /dev/null

if command -v hyperfine >/dev/null; then
  json="$(mktemp)"
  hyperfine --warmup 1 --runs "$runs" --export-json "$json" \
    -n rg "rg -c AttributeISLinkList ${logs[*]}" \
    -n trace "$binary trace -q $id ${logs[*]} > /dev/null" \
    -n interactions "$binary interactions -q ${logs[*]} > /dev/null" >&2
  python3 - "$json" "$bytes" <<'PY'
import json, statistics, sys
r = {x["command"]: x for x in json.load(open(sys.argv[1]))["results"]}
mb = int(sys.argv[2]) / 1e6
rg = statistics.median(r["rg"]["times"])
print(f"rg -c AttributeISLinkList  median {rg:.3f} s  ({mb / rg:.0f} MB/s)")
for name in ("trace", "interactions"):
    t = statistics.median(r[name]["times"])
    print(f"calltrail {name:<16} median {t:.3f} s  ({mb / t:.0f} MB/s)  ratio to rg {t / rg:.1f}")
PY
  rm -f "$json"
else
  time_of() { local s e; s=$(date +%s.%N); "$@" > /dev/null; e=$(date +%s.%N); echo "$e - $s" | bc; }
  rg_t=(); ct_t=()
  for _ in $(seq "$runs"); do
    rg_t+=("$(time_of rg -c AttributeISLinkList "${logs[@]}")")
    ct_t+=("$(time_of "$binary" trace -q "$id" "${logs[@]}")")
  done
  med() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
  rg_m=$(med "${rg_t[@]}"); ct_m=$(med "${ct_t[@]}")
  echo "rg median $rg_m s, calltrail trace median $ct_m s, ratio $(echo "scale=2; $ct_m / $rg_m" | bc)"
fi
