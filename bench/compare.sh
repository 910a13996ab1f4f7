#!/usr/bin/env bash
# Compares two calltrail binaries on the data of bench/trace_bench.sh, for a
# shared, noisy machine: rounds of `rg -c`, then `trace ID` and
# `interactions` by each binary, one after the other, so that a change in the
# machine's load falls on all of them alike (hyperfine runs each command's
# runs back to back). Prints the median wall time of each, its ratio to rg
# and the new binary's time over the old one's.
#
#   bench/compare.sh OLD [NEW] [SIZE]      NEW: build/calltrail, SIZE: 1G
#   ROUNDS=9 bench/compare.sh /tmp/calltrail-before
#
# OLD is typically the binary of an earlier commit:
#   git worktree add /tmp/before REV && cmake -S /tmp/before -B /tmp/before/build -G Ninja \
#     -DCMAKE_BUILD_TYPE=RelWithDebInfo && cmake --build /tmp/before/build --target calltrail
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
old="${1:?usage: bench/compare.sh OLD [NEW] [SIZE]}"
new="${2:-$here/../build/calltrail}"
size="${3:-1G}"
data="$here/data/trace-mixed-$size"
rounds="${ROUNDS:-7}"

command -v rg >/dev/null || { echo "compare: rg (ripgrep) is needed" >&2; exit 2; }
for b in "$old" "$new"; do
  [ -x "$b" ] || { echo "compare: no calltrail binary at $b" >&2; exit 2; }
done
[ -f "$data/truth.json" ] || "$here/trace_bench.sh" "$size" "$new" > /dev/null

python3 - "$old" "$new" "$data" "$rounds" <<'PY'
import glob, os, statistics, subprocess, sys, time

old, new, data, rounds = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
logs = sorted(glob.glob(os.path.join(data, "*.log*")))
size = sum(os.path.getsize(f) for f in logs)
with open(logs[0], "rb") as f:
    head = f.read(1 << 20).decode("latin-1")
at = head.index("AttributeCallUUID")
quote = head.index("'", at)
call_id = head[quote + 1:head.index("'", quote + 1)]

commands = {
    "rg -c": ["rg", "-c", "AttributeISLinkList", *logs],
    "trace (old)": [old, "trace", "-q", call_id, *logs],
    "trace (new)": [new, "trace", "-q", call_id, *logs],
    "interactions (old)": [old, "interactions", "-q", *logs],
    "interactions (new)": [new, "interactions", "-q", *logs],
}
times = {name: [] for name in commands}
for f in logs:  # warm the page cache
    with open(f, "rb") as h:
        while h.read(1 << 24):
            pass
for r in range(rounds + 1):
    for name, cmd in commands.items():
        start = time.perf_counter()
        subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
        if r > 0:  # the first round warms up
            times[name].append(time.perf_counter() - start)

print(f"data: {len(logs)} files, {size:,} bytes; {rounds} rounds; load {os.getloadavg()[0]:.1f}")
median = {name: statistics.median(t) for name, t in times.items()}
rg = median["rg -c"]
for name, m in median.items():
    line = f"{name:<20} median {m:7.3f} s  (min {min(times[name]):.3f})  {m / rg:5.1f}x rg"
    if name.endswith("(new)"):
        line += f"  new/old {m / median[name.replace('new', 'old')]:.2f}"
    print(line)
PY
