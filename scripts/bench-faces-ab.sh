#!/usr/bin/env bash
# A/B of two frs binaries on `frs bench faces`, run in turns (A, B, A, B, ...) so that a shared
# host's slow and fast periods fall on both alike: per binary, the median and best percent of the
# FMA peak of the detector's convolutions and of each stage, and in how many pairs B beat A.
# On a virtual machine whose neighbours move single runs by 10-15 %, one run of each proves
# nothing; eight pairs show a change of a few percent.
#
# Usage: scripts/bench-faces-ab.sh BINARY_A BINARY_B [PAIRS] [IMAGE...]
#   PAIRS: runs of each binary (default 8); IMAGE: default obama.jpg and obama2.jpg of
#   Tests/Fixtures/images. Each run is `frs bench faces --repeat 2 IMAGE...`.
# Models: $FRS_MODELS, else ./models, else ../shared/models. Build each binary with
# `swift build -c release` and copy it aside (e.g. cp .build/release/frs /tmp/frs-a) first.
set -euo pipefail
cd "$(dirname "$0")/.."
[ $# -ge 2 ] || { sed -n 2,12p "$0"; exit 2; }
A=$1 B=$2; shift 2
PAIRS=${1:-8}; [ $# -ge 1 ] && shift
IMAGES=("$@")
[ ${#IMAGES[@]} -gt 0 ] || IMAGES=(Tests/Fixtures/images/obama.jpg Tests/Fixtures/images/obama2.jpg)
. scripts/find-models.sh
runs=$(mktemp)
trap 'rm -f "$runs"' EXIT
echo "machine: $(nproc) CPUs; $(uptime)"
for i in $(seq "$PAIRS"); do
  for label in A B; do
    bin=$A; [ $label = B ] && bin=$B
    printf '%s ' $label >> "$runs"
    "$bin" bench faces --repeat 2 "${IMAGES[@]}" 2>/dev/null | tail -1 >> "$runs"
  done
done
python3 - "$runs" "$A" "$B" <<'PY'
import json, statistics, sys
runs = {"A": [], "B": []}
for line in open(sys.argv[1]):
    label, text = line.split(" ", 1)
    runs[label].append(json.loads(text))
names = [s["stage"].split()[0] for s in runs["A"][0]["stages"][1:]]
print("%-4s %-40s %8s %8s   %s" % ("", "binary", "median", "best", "per stage, median % of peak: " + " ".join(names)))
for label, path in (("A", sys.argv[2]), ("B", sys.argv[3])):
    total = [r["detector_convolutions_percent_of_peak"] for r in runs[label]]
    stages = [statistics.median(r["stages"][i + 1]["percent_of_peak"] for r in runs[label]) for i in range(len(names))]
    print("%-4s %-40s %7.1f%% %7.1f%%   %s" % (label, path[-40:], statistics.median(total), max(total),
                                             " ".join("%.1f" % s for s in stages)))
pairs = list(zip(runs["A"], runs["B"]))
wins = sum(b["detector_convolutions_percent_of_peak"] > a["detector_convolutions_percent_of_peak"] for a, b in pairs)
print("B above A in %d of %d pairs; convolution seconds B/A, median of the pairs: %.3f" % (wins, len(pairs),
      statistics.median(sum(s["seconds"] for s in b["stages"][1:]) / sum(s["seconds"] for s in a["stages"][1:])
                        for a, b in pairs)))
PY
