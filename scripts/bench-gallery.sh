#!/bin/sh
# A gallery of a million faces in the real store (SQLite), through the daemon's own loader:
# database size, rebuild from the database, cold start from the cache file, enrolling one face
# and removing a subject until a search sees the new version (target <= 2 s), resident memory.
#
#   scripts/bench-gallery.sh [FACES] [DIR]      (defaults: 1000000, /tmp/frs-bench-gallery)
#
# The database is kept in DIR and reused by later runs (delete DIR, or pass FRS_FRESH=1, to build
# it again). Release build; the last line is JSON. Timings are noisy on a shared machine: the
# load average is printed before and after.
set -eu
cd "$(dirname "$0")/.."
FACES=${1:-1000000}
DIR=${2:-/tmp/frs-bench-gallery}
mkdir -p "$DIR"
swift build -c release >/dev/null
echo "load: $(uptime)"
FRESH=""
if [ "${FRS_FRESH:-0}" = 1 ]; then FRESH="--fresh"; fi
./.build/release/frs bench gallery --faces "$FACES" --dir "$DIR" $FRESH
echo "load: $(uptime)" >&2
