#!/usr/bin/env bash
# Bulk run benchmark: one overnight-style job (`probe_dir`) of N fixture probes against the demo
# gallery, processed by `frs daemon --once` (release build). Prints images per minute.
#
# Usage: scripts/bench-bulk.sh [N]   (default 300 probes: the johns set's 55 photos and the fixture
#                                      group photos, cycled; copies get distinct names)
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-300}
export FRS_MODELS="${FRS_MODELS:-$PWD/models}"
swift build -c release 2>&1 | tail -1
frs() { .build/release/frs --spool "$spool" "$@"; }
spool=$(mktemp -d /tmp/frs-bench-bulk-XXXXXX)/spool
trap 'rm -rf "$(dirname "$spool")"' EXIT
frs init >/dev/null
frs agency add BENCH --name "Benchmark PD" >/dev/null
frs user add bulk1 --name "Overnight Runner" --agency BENCH --role analyst --uid "$(id -u)" \
  --vetted "$(date -u -d '-100 days' +%F)" --trained "$(date -u -d '-10 days' +%F)" >/dev/null
frs gallery enroll jobs/gallery/manifest.csv >/dev/null 2>&1
gallery=$(frs gallery stats --json)
mkdir -p "$spool/evidence/backlog"
mapfile -t sources < <(ls Tests/Fixtures/johns/*/*.jpg Tests/Fixtures/images/2008_002506.jpg Tests/Fixtures/images/2009_004587.jpg)
for ((i = 0; i < n; i++)); do cp "${sources[i % ${#sources[@]}]}" "$spool/evidence/backlog/probe-$i.jpg"; done
cat > "$spool/tmp/bulk.json" <<JOB
{ "version": 1, "requester": "bulk1", "purpose": "active-investigation", "case_number": "26-BULK-1",
  "offense": "robbery", "justification": "Backlog of unidentified suspects from the robbery series cameras",
  "probe_dir": "backlog", "max_candidates": 10 }
JOB
mv "$spool/tmp/bulk.json" "$spool/incoming/bulk.json"
start=$(date +%s.%N)
frs daemon --once 2>"$spool/../daemon.log" >/dev/null
end=$(date +%s.%N)
lines=$(wc -l < "$spool/outbox/results/bulk.jsonl")
faces=$(grep -o '"box"' "$spool/outbox/results/bulk.jsonl" | wc -l)
seconds=$(awk -v a="$start" -v b="$end" 'BEGIN { print b - a }')
printf 'bulk run: %d probes (%d records, %d faces) against gallery %s in %.1f s = %.0f images/minute on %d cores\n' \
  "$n" "$lines" "$faces" "$gallery" "$seconds" "$(awk -v n="$n" -v s="$seconds" 'BEGIN { print n * 60 / s }')" "$(nproc)"
grep "bulk progress" "$spool/../daemon.log" | tail -2
