#!/usr/bin/env bash
# How `calltrail interactions` scales with its input: time and peak memory per
# gigabyte over growing prefixes of one simulated world (four sites, every
# print style mixed, the SIP Servers logging their dialogs), from 100 MB to
# 2 GB, with `rg -c AttributeISLinkList` over the same files in the same run.
# A cost linear in the input keeps the seconds per GB flat: the table gives
# each size's figure against the 1 GB one, and a plot of them.
#
#   bench/scaling_bench.sh [BINARY]        RUNS=3 by default
#
# Data is generated once into bench/data/scaling-2G/ (git-ignored). A prefix
# takes each site's segments in time order, one round of sites after another,
# until it reaches its size: every prefix is the same world over a shorter
# time.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
binary="${1:-$here/../build/calltrail}"
data="$here/data/scaling-2G"
runs="${RUNS:-3}"

command -v rg >/dev/null || { echo "scaling_bench: rg (ripgrep) is needed" >&2; exit 2; }
command -v hyperfine >/dev/null || { echo "scaling_bench: hyperfine is needed" >&2; exit 2; }
[ -x "$binary" ] || { echo "scaling_bench: no calltrail binary at $binary" >&2; exit 2; }

if [ ! -f "$data/truth.json" ]; then
  rm -rf "$data"
  "$binary" simulate --out "$data" --sites 4 --size 2G --seed 43 --style mixed \
    --segment-size 16M -q
fi

results="$(mktemp -d)"
trap 'rm -rf "$results"' EXIT
for size in 100M 250M 500M 1G 2G; do
  # Prefix: round-robin over the sites' segments (file names are
  # APP.YYYYMMDD_HHMMSS_mmm.log, so name order is time order per site).
  mapfile -t files < <(python3 - "$data" "$size" <<'PY'
import os, sys
data, size = sys.argv[1], sys.argv[2]
want = int(float(size[:-1]) * {"M": 1e6, "G": 1e9}[size[-1]])
sites = {}
for f in sorted(os.listdir(data)):
    if ".log" in f:
        sites.setdefault(f.split(".")[0], []).append(os.path.join(data, f))
total, k, out = 0, 0, []
while total < want and any(k < len(v) for v in sites.values()):
    for v in sites.values():
        if k < len(v) and total < want:
            out.append(v[k])
            total += os.path.getsize(v[k])
    k += 1
print("\n".join(out))
PY
  )
  bytes=$(cat "${files[@]}" | wc -c)
  cat "${files[@]}" > /dev/null  # the page cache holds them for both tools
  hyperfine --warmup 1 --runs "$runs" --export-json "$results/$size.json" \
    -n rg "rg -c AttributeISLinkList ${files[*]}" \
    -n interactions "$binary interactions -q ${files[*]} > /dev/null" >&2
  # One more run for the peak memory and, from --stats, the seconds of reading
  # and of the build.
  report=$( { /usr/bin/time -f %M "$binary" interactions -q --stats "${files[@]}" > /dev/null; } 2>&1)
  peak=$(tail -1 <<< "$report")
  read_s=$(awk '$1 == "read" { print $2 }' <<< "$report")
  build_s=$(awk '$1 == "build" { print $2 }' <<< "$report")
  echo "$size ${#files[@]} $bytes $peak ${read_s:-nan} ${build_s:-nan}" >> "$results/sizes"
done

python3 - "$results" <<'PY'
import json, statistics, sys
d = sys.argv[1]
rows = []
for line in open(f"{d}/sizes"):
    size, files, nbytes, peak_kb, read_s, build_s = line.split()
    r = {x["command"]: x for x in json.load(open(f"{d}/{size}.json"))["results"]}
    t = statistics.median(r["interactions"]["times"])
    rg = statistics.median(r["rg"]["times"])
    gb = int(nbytes) / 1e9
    rows.append((size, int(files), int(nbytes), rg, t, t / gb, int(peak_kb),
                 float(read_s) / gb, float(build_s) / gb))
ref = next(r[5] for r in rows if r[0] == "1G")
print("| prefix | files | bytes | rg -c | interactions | ratio to rg | s per GB | vs 1 GB "
      "| reading, s per GB | build, s per GB | peak (KiB, /usr/bin/time) | peak / input |")
print("|---|---|---|---|---|---|---|---|---|---|---|---|")
for size, files, nbytes, rg, t, per_gb, peak, read_gb, build_gb in rows:
    print(f"| {size} | {files} | {nbytes:,} | {rg:.3f} s | {t:.3f} s | {t / rg:.1f}x "
          f"| {per_gb:.2f} s | {100 * (per_gb / ref - 1):+.0f} % | {read_gb:.2f} s "
          f"| {build_gb:.2f} s | {peak:,} KiB | {peak * 1024 / nbytes:.3f}x |")
print()
print("seconds per GB, each # 0.1 s; the last line marks the 1 GB figure (|) and +-15 % ([ ]):")
lo, mid, hi = round(ref * 0.85 * 10), round(ref * 10), round(ref * 1.15 * 10)
for size, _, _, _, _, per_gb, *_ in rows:
    print(f"  {size:>5} {'#' * round(per_gb * 10)} {per_gb:.2f}")
print("        " + "".join("[" if i == lo else "]" if i == hi else "|" if i == mid else "-"
                          for i in range(1, hi + 1)))
PY
