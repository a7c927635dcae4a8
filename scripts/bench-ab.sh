#!/usr/bin/env bash
# Times two crible binaries in alternation on the same documents, the way docs/PERFORMANCE.md
# compares a change with the binary before it: this machine's speed drifts by more between two
# blocks of runs than most changes move it, so the binaries take turns, round after round.
#
#   scripts/bench-ab.sh OLD_BINARY NEW_BINARY [DOCUMENTS.jsonl] [ROUNDS]
#
# Each round runs `crible bench --documents DOCUMENTS --repetitions 3 --format json` with each
# binary in turn (OLD then NEW), and the three timed runs of `pipeline-1-job` of every round are
# pooled per binary. Prints, per binary, the minimum and the median in milliseconds, then the
# ratios OLD ÷ NEW (above 1: NEW is faster). Each round's run of each binary is a process of its
# own, so it also prints, per binary, the spread of the speed-up with all jobs over one job across
# those processes, beside the host reference's in the same processes (the two-job loss on this
# machine is drawn once per process: a few pairs in one process cannot show it).
# DOCUMENTS defaults to .build/bench/documents.jsonl
# (written by scripts/bench-peers.sh); ROUNDS to 8. Rules: $CRIBLE_RULES, else the bundled ones.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ $# -lt 2 ]; then
  echo "usage: scripts/bench-ab.sh OLD_BINARY NEW_BINARY [DOCUMENTS.jsonl] [ROUNDS]" >&2
  exit 2
fi
old=$1
new=$2
documents=${3:-.build/bench/documents.jsonl}
rounds=${4:-8}
for binary in "$old" "$new"; do
  if [ ! -x "$binary" ]; then
    echo "bench-ab: $binary is not an executable" >&2
    exit 2
  fi
done
if [ ! -f "$documents" ]; then
  echo "bench-ab: $documents does not exist (scripts/bench-peers.sh writes .build/bench/documents.jsonl)" >&2
  exit 2
fi
if ! [[ "$rounds" =~ ^[1-9][0-9]*$ ]]; then
  echo "bench-ab: ROUNDS must be a positive whole number, not '$rounds'" >&2
  exit 2
fi
export CRIBLE_RULES="${CRIBLE_RULES:-$PWD/Rules}"

samples=$(mktemp -d)
trap 'rm -rf "$samples"' EXIT
for round in $(seq 1 "$rounds"); do
  for side in old new; do
    binary=$old
    [ "$side" = new ] && binary=$new
    "$binary" bench --documents "$documents" --repetitions 3 --format json > "$samples/$side.$round.json"
  done
  echo "bench-ab: round $round of $rounds done" >&2
done

python3 - "$samples" "$rounds" "$old" "$new" "$documents" <<'PY'
import json, statistics, sys
folder, rounds, old, new, documents = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5]
seconds, speed_ups = {}, {}
for side in ("old", "new"):
    values, ratios = [], []
    for round in range(1, rounds + 1):
        with open(f"{folder}/{side}.{round}.json") as file:
            report = json.load(file)
        measurements = {m["id"]: m for m in report["measurements"]}
        values += measurements["pipeline-1-job"]["seconds"]
        for entry in report.get("speed_ups") or []:
            if str(entry.get("id", "")).startswith("pipeline-"):
                ratios.append((entry["jobs"], entry["median_paired_ratio"], entry.get("host_reference_ratio")))
    seconds[side] = values
    speed_ups[side] = ratios
print(f"documents: {documents}; {rounds} rounds, 3 timed runs of pipeline-1-job each")
for side, binary in (("old", old), ("new", new)):
    values = seconds[side]
    print(f"{side} ({binary}): n={len(values)} min={min(values) * 1000:.1f} ms median={statistics.median(values) * 1000:.1f} ms")
print(f"old ÷ new: min {min(seconds['old']) / min(seconds['new']):.3f}×, "
      f"median {statistics.median(seconds['old']) / statistics.median(seconds['new']):.3f}×")
for side, binary in (("old", old), ("new", new)):
    ratios = speed_ups[side]
    if not ratios:
        continue
    jobs = ratios[0][0]
    pipeline = sorted(r[1] for r in ratios)
    hosts = sorted(r[2] for r in ratios if isinstance(r[2], (int, float)))
    host = f"; host reference min {hosts[0]:.2f}× median {statistics.median(hosts):.2f}×" if hosts else ""
    print(f"{side}: {jobs} jobs ÷ 1 over {len(pipeline)} processes: min {pipeline[0]:.2f}× median "
          f"{statistics.median(pipeline):.2f}×, under 1.8× in {sum(r < 1.8 for r in pipeline)}{host}")
PY
