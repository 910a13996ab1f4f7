#!/usr/bin/env bash
# How `calltrail interactions` scales with its input: time and peak memory per
# gigabyte over growing prefixes of one simulated world (four sites, every
# print style mixed, the SIP Servers logging their dialogs), from 100 MB to
# 2 GB, with `rg -c AttributeISLinkList` over the same files in the same run.
# A cost linear in the input keeps the seconds per GB flat: the table gives
# each size's figure against the 1 GB one, and a plot of them.
#
#   bench/scaling_bench.sh [BINARY]        RUNS=5 by default
#
# The sizes are timed round by round (each round: rg, then interactions, over
# every prefix in turn), so that a change in the machine's load falls on every
# size alike; each figure is the median of its RUNS rounds, after one round
# that warms up. One more run of each size gives the peak memory
# (/usr/bin/time) and, from --stats, the seconds of reading and of the build.
#
# Data is generated once into bench/data/scaling-2G/ (git-ignored). A prefix
# takes the segments of every site in the order they start until it reaches
# its size: every prefix is the same world over a shorter time.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
binary="${1:-$here/../build/calltrail}"
data="$here/data/scaling-2G"
runs="${RUNS:-5}"

command -v rg >/dev/null || { echo "scaling_bench: rg (ripgrep) is needed" >&2; exit 2; }
[ -x /usr/bin/time ] || { echo "scaling_bench: /usr/bin/time (package time) is needed" >&2; exit 2; }
[ -x "$binary" ] || { echo "scaling_bench: no calltrail binary at $binary" >&2; exit 2; }

if [ ! -f "$data/truth.json" ]; then
  rm -rf "$data"
  "$binary" simulate --out "$data" --sites 4 --size 2G --seed 43 --style mixed \
    --segment-size 16M -q
fi

python3 - "$binary" "$data" "$runs" <<'PY'
import os, re, statistics, subprocess, sys, time

binary, data, runs = sys.argv[1], sys.argv[2], int(sys.argv[3])
sizes = ["100M", "250M", "500M", "1G", "2G"]

# Prefix: the segments of every site in the order of the UTC time their
# headers give, until the prefix reaches its size: every site's traffic up to
# one moment, the same world over a shorter time. (Taking the sites' segments
# in rounds instead gives the sites that log slowly a longer time than the
# others: a prefix of another mix of traffic.)
def started(f):
    with open(f, "rb") as h:
        head = h.read(4096).decode("latin-1")
    m = re.search(r"(?:UTC time:|Start time \(UTC\):)\s*(\S+)", head)
    if not m:
        sys.exit(f"scaling_bench: no UTC time in the header of {f}")
    return (m.group(1), f)
logs = sorted((os.path.join(data, f) for f in os.listdir(data) if ".log" in f), key=started)
prefixes = {}
for size in sizes:
    want = int(float(size[:-1]) * {"M": 1e6, "G": 1e9}[size[-1]])
    total, out = 0, []
    for f in logs:
        if total >= want:
            break
        out.append(f)
        total += os.path.getsize(f)
    prefixes[size] = out

for f in prefixes["2G"]:  # the page cache holds them for both tools
    with open(f, "rb") as h:
        while h.read(1 << 24):
            pass

def timed(cmd, ok=(0,)):
    start = time.perf_counter()
    p = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    took = time.perf_counter() - start
    if p.returncode not in ok:
        sys.exit(f"scaling_bench: {cmd[0]} {cmd[1]} exited with {p.returncode}")
    return took

times = {(size, tool): [] for size in sizes for tool in ("rg", "interactions")}
for r in range(runs + 1):
    for size in sizes:
        files = prefixes[size]
        t_rg = timed(["rg", "-c", "AttributeISLinkList", *files], ok=(0, 1))
        t_ct = timed([binary, "interactions", "-q", *files])
        if r > 0:  # the first round warms up
            times[(size, "rg")].append(t_rg)
            times[(size, "interactions")].append(t_ct)
    print(f"scaling_bench: round {r + 1} of {runs + 1} done", file=sys.stderr)

rows = []
for size in sizes:
    files = prefixes[size]
    nbytes = sum(os.path.getsize(f) for f in files)
    # One more run for the peak memory and, from --stats, the seconds of
    # reading and of the build.
    p = subprocess.run(["/usr/bin/time", "-f", "%M", binary, "interactions", "-q", "--stats",
                        *files], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    report = p.stderr.splitlines()
    if p.returncode != 0 or not report or not report[-1].isdigit():
        sys.exit(f"scaling_bench: interactions --stats over {size} failed:\n{p.stderr}")
    peak = int(report[-1])
    step = {l.split()[0]: float(l.split()[1]) for l in report
            if l.startswith("  ") and not l.startswith("   ") and l.split()[0] in ("read", "build")}
    t = statistics.median(times[(size, "interactions")])
    rg = statistics.median(times[(size, "rg")])
    gb = nbytes / 1e9
    rows.append((size, len(files), nbytes, rg, t, t / gb, peak,
                 step.get("read", float("nan")) / gb, step.get("build", float("nan")) / gb))

ref = next(r[5] for r in rows if r[0] == "1G")
print(f"medians of {runs} rounds, each size in turn in every round")
print("| prefix | files | bytes | rg -c | interactions | ratio to rg | s per GB | vs 1 GB "
      "| reading, s per GB | build, s per GB | peak (KiB, /usr/bin/time) | peak / input |")
print("|---|---|---|---|---|---|---|---|---|---|---|---|")
for size, files, nbytes, rg, t, per_gb, peak, read_gb, build_gb in rows:
    print(f"| {size} | {files} | {nbytes:,} | {rg:.3f} s | {t:.3f} s | {t / rg:.1f}x "
          f"| {per_gb:.2f} s | {100 * (per_gb / ref - 1):+.0f} % | {read_gb:.2f} s "
          f"| {build_gb:.2f} s | {peak:,} KiB | {peak * 1024 / nbytes:.3f}x |")
print()
worst = max(abs(r[5] / ref - 1) for r in rows)
print(f"largest difference from the 1 GB figure: {100 * worst:.0f} % "
      f"({'within' if worst <= 0.15 else 'outside'} +-15 %)")
# One # is a fiftieth of the 1 GB figure, whatever the machine's speed.
unit = ref / 50
print(f"seconds per GB, each # {unit:.3f} s; the last line marks the 1 GB figure (|) and "
      "+-15 % ([ ]):")
lo, mid, hi = round(0.85 * 50), 50, round(1.15 * 50)
for size, _, _, _, _, per_gb, *_ in rows:
    print(f"  {size:>5} {'#' * round(per_gb / unit)} {per_gb:.2f}")
print("        " + "".join("[" if i == lo else "]" if i == hi else "|" if i == mid else "-"
                          for i in range(1, hi + 1)))
PY
