#!/bin/sh
# bench/repeat_run.sh -- the repeat-run goal (issue 14): with fresh history, a second run over
# the same corpus makes no request and takes <= 10% of the first run's time.
#
# Measured with the shared harness (../shared/bench, see its README; root, loopback only): its
# run.sh starts the realistic farm (-F --urls) and runs, N times, a pair: the FIRST run into an
# emptied archive folder, then the REPEAT run with the same command (history younger than
# --max-age, so every verdict is reused). It prints both medians, the farm's request count of
# every run, and repeat/first per pair and as the median of the pairs.
#
#   bench/repeat_run.sh [RUNS]                      (default 3)
#
# Env: BENCH_SHARED (default <repo>/../shared/bench), BENCH_DATA (default /tmp/benchdata; the
# corpus is $BENCH_DATA/c10k, made by the shared README's gen_corpus.py line), LINKCHECK (default
# <repo>/.venv/bin/linkcheck), BENCH_PY (python for the farm; default /tmp/benchpy/bin/python,
# else python3), BENCH_OUT (default /tmp/bench-out-repeat).
set -eu
REPO=$(cd "$(dirname "$0")/.." && pwd)
SHARED=${BENCH_SHARED:-$REPO/../shared/bench}
DATA=${BENCH_DATA:-/tmp/benchdata}
C=$DATA/c10k
LC=${LINKCHECK:-$REPO/.venv/bin/linkcheck}
RUNS=${1:-3}
if [ -z "${BENCH_PY:-}" ]; then
  if [ -x /tmp/benchpy/bin/python ]; then BENCH_PY=/tmp/benchpy/bin/python; else BENCH_PY=$(command -v python3); fi
fi
BENCH_OUT=${BENCH_OUT:-/tmp/bench-out-repeat}
export BENCH_PY BENCH_OUT LINKCHECK_NETWORK_ALLOW_PRIVATE=true
[ -f "$C/urls.txt" ] || { echo "no corpus in $C: see $SHARED/README.md (gen_corpus.py)" >&2; exit 2; }
WORK=$(mktemp -d /tmp/bench-repeat.XXXXXX)   # no config.toml of this repository is read
trap 'rm -rf "$WORK"' EXIT
ARCHIVE=$WORK/archive
ARGS="check $C/md --max-concurrency 128 --host-concurrency 10 --max-age 1h --archive-dir $ARCHIVE --format json --output $WORK/report.json"
rm -f "$BENCH_OUT/repeat.jsonl" "$BENCH_OUT/repeat.pairs.jsonl"
cd "$WORK"
"$SHARED/run.sh" -s repeat -n "$RUNS" -w 0 -F "--urls=$C/urls.txt" \
  -L first -V "$LC $ARGS" -B repeat -- sh -c "rm -rf $ARCHIVE && exec $LC $ARGS"
"$BENCH_PY" - "$BENCH_OUT/repeat.jsonl" <<'EOF'
import json, statistics, sys
runs = [json.loads(line) for line in open(sys.argv[1])]
first = [r for r in runs if r["label"] == "first"]
repeat = [r for r in runs if r["label"] == "repeat"]
ratios = [b["wall_s"] / a["wall_s"] for a, b in zip(first, repeat)]
cpu_ratios = [b["cpu_s"] / max(a["cpu_s"], 1e-3) for a, b in zip(first, repeat)]
for a, b, q, c in zip(first, repeat, ratios, cpu_ratios):
    print(f"pair {a['run']}: first {a['wall_s']:.3f} s wall / {a['cpu_s']:.2f} s CPU ({a['farm']['requests']} requests), "
          f"repeat {b['wall_s']:.3f} s / {b['cpu_s']:.2f} s ({b['farm']['requests']} requests), "
          f"repeat/first {q:.3f} wall, {c:.3f} CPU")
median = statistics.median(ratios)
zero = all(b["farm"]["requests"] == 0 for b in repeat)
print(f"median: first {statistics.median(a['wall_s'] for a in first):.3f} s, "
      f"repeat {statistics.median(b['wall_s'] for b in repeat):.3f} s, repeat/first {median:.3f} wall, "
      f"{statistics.median(cpu_ratios):.3f} CPU (goal: wall <= 0.10 and 0 requests: {'met' if median <= 0.10 and zero else 'NOT MET'})")
EOF
