#!/usr/bin/env bash
# Memory of one face-search worker: the maximum resident set of `frs faces embed` (decode, detection
# with one upsample, landmarks and descriptors: a daemon worker's work on one probe) on a 4 MP and a
# 24 MP probe made from a fixture photo (obama.jpg scaled up, JPEG quality 90), beside the models
# alone (a 1x1-face-free tiny image); each run a fresh process, RUNS times, the median reported.
# A 24 MP probe is decoded at a reduced JPEG scale (the engine's detection pixel limit), as the
# daemon does.
#
#   scripts/bench-memory.sh [RUNS]      (default 3; release build; needs python3 with Pillow)
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/find-models.sh
runs=${1:-3}
swift build -c release 2>&1 | tail -1
work=$(mktemp -d /tmp/frs-bench-memory-XXXXXX)
trap 'rm -rf "$work"' EXIT
python3 - "$PWD/Tests/Fixtures/images/obama.jpg" "$work" <<'PY'
import sys
from PIL import Image
src, work = Image.open(sys.argv[1]).convert("RGB"), sys.argv[2]
for name, (w, h) in {"4mp": (2448, 1632), "24mp": (6000, 4000)}.items():
    canvas = Image.new("RGB", (w, h), (120, 120, 120))
    s = min(w / src.width, h / src.height) * 0.6
    img = src.resize((round(src.width * s), round(src.height * s)), Image.BICUBIC)
    canvas.paste(img, ((w - img.width) // 2, (h - img.height) // 3))
    canvas.save(f"{work}/{name}.jpg", quality=90)
Image.new("RGB", (64, 64), (120, 120, 120)).save(f"{work}/tiny.jpg", quality=90)
PY
echo "uptime: $(uptime)"
for name in tiny 4mp 24mp; do
  for ((r = 0; r < runs; r++)); do
    /usr/bin/time -f "%M %e" -o "$work/time" .build/release/frs faces embed "$work/$name.jpg" > "$work/out" 2>/dev/null
    cat "$work/time" >> "$work/$name.times"
  done
  faces=$(python3 -c 'import json,sys; print(len(json.loads(open(sys.argv[1]).read().splitlines()[0]).get("faces", [])))' "$work/out")
  sort -n "$work/$name.times" | awk -v n="$name" -v f="$faces" -v r="$runs" '{ k[NR] = $1; t[NR] = $2 } END {
    m = k[int((NR + 1) / 2)]; printf "%-5s max RSS %5.0f MiB (median of %d runs; %.0f-%.0f), %d face(s)\n", n, m / 1024, r, k[1] / 1024, k[NR] / 1024, f }'
done
echo "(tiny: the models and the process alone; a worker's share of a probe is the difference)"
