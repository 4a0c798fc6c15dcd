#!/bin/sh
# A gallery of a million faces in the real store (SQLite), through the daemon's own loader:
# database size, rebuild from the database, cold start from the cache file, enrolling one face
# and removing a subject until a search sees the new version (target <= 2 s), resident memory.
# Then the daemon's searcher on that gallery with each scan precision, in turns, each run a fresh
# process (`frs bench scan`): its resident memory once loaded (face engine included) and the time
# of one probe, float16 (the daemon's default) against float32, medians and their ratio.
#
#   scripts/bench-gallery.sh [FACES] [DIR] [ROUNDS]   (defaults: 1000000, /tmp/frs-bench-gallery, 3)
#
# The database is kept in DIR and reused by later runs (delete DIR, or pass FRS_FRESH=1, to build
# it again); FRS_SCAN_ONLY=1 skips the store part. Models (for the searcher's face engine):
# $FRS_MODELS, else ./models, else ../shared/models. Release build; the JSON lines are on stdout.
# Timings are noisy on a shared machine: the load average is printed before and after.
set -eu
cd "$(dirname "$0")/.."
. scripts/find-models.sh
FACES=${1:-1000000}
DIR=${2:-/tmp/frs-bench-gallery}
ROUNDS=${3:-3}
mkdir -p "$DIR"
swift build -c release >/dev/null
echo "load: $(uptime)" >&2
FRESH=""
if [ "${FRS_FRESH:-0}" = 1 ]; then FRESH="--fresh"; fi
if [ "${FRS_SCAN_ONLY:-0}" != 1 ]; then
    ./.build/release/frs bench gallery --faces "$FACES" --dir "$DIR" $FRESH
fi
LINES=$(mktemp)
trap 'rm -f "$LINES"' EXIT
round=1
while [ "$round" -le "$ROUNDS" ]; do
    for scan in f32 f16; do
        ./.build/release/frs bench scan --dir "$DIR" --scan "$scan" | tee -a "$LINES"
    done
    round=$((round + 1))
done
python3 - "$LINES" <<'PY'
import json, statistics, sys
runs = [json.loads(line) for line in open(sys.argv[1]) if line.startswith("{")]
def med(scan, key):
    return statistics.median(r[key] for r in runs if r["scan"] == scan)
for scan in ("f32", "f16"):
    print(f"{scan}: {sum(r['scan'] == scan for r in runs)} runs, RSS loaded {med(scan, 'rss_loaded_kib') / 1024:.0f} MiB "
          f"(after the probes {med(scan, 'rss_searched_kib') / 1024:.0f} MiB, before the load {med(scan, 'rss_start_kib') / 1024:.0f}), "
          f"one probe {med(scan, 'probe_ms_median'):.2f} ms (median of the runs' medians), load {med(scan, 'load_seconds'):.2f} s",
          file=sys.stderr)
print(f"f16/f32: RSS loaded {med('f16', 'rss_loaded_kib') / med('f32', 'rss_loaded_kib'):.3f}, "
      f"one probe {med('f16', 'probe_ms_median') / med('f32', 'probe_ms_median'):.3f}", file=sys.stderr)
PY
echo "load: $(uptime)" >&2
