#!/usr/bin/env bash
# Bulk run benchmark: one overnight-style job (`probe_dir`) of N fixture probes against the demo
# gallery, processed by `frs daemon --once` (release build). Prints images per minute.
#
# Usage: scripts/bench-bulk.sh [N]   (default 300 probes: the johns set's 55 photos and the fixture
#                                      group photos, cycled; copies get distinct names)
#        scripts/bench-bulk.sh --surveillance [N] [M]
#   surveillance-like probes instead (default 60): 1280x720 stills, one face of 5-20 % of the width
#   (the johns and face_recognition portraits, scaled, over a blurred crop of the fixture dogs.jpg,
#   JPEG quality 80), then dlib 20 (pip dlib-bin + face_recognition: cnn detection with one upsample, and the
#   descriptors) on the first M of the same files (default 8) in the same run: probes per minute of
#   each, their ratio, and the FMA peak and load beside them; and `frs bench faces` on those M probes:
#   each detector convolution's percent of the FMA peak measured beside it, and their median (in
#   wall time, and per second of processor time).
#   With FRS_BASELINE=/path/to/another/frs, also whether `frs faces embed` on those M probes gives
#   the same bytes with both builds. Needs python3 with Pillow (and dlib).
set -euo pipefail
cd "$(dirname "$0")/.."
surveillance=0
if [ "${1:-}" = --surveillance ]; then surveillance=1; shift; fi
n=${1:-$([ $surveillance = 1 ] && echo 60 || echo 300)}
m=${2:-8}
. scripts/find-models.sh
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
mkdir -p "$spool/evidence/BENCH/backlog"  # the agency's evidence folder (a job may search only its own agency's)
if ((surveillance)); then
  sources=$(ls Tests/Fixtures/johns/*/*.jpg Tests/Fixtures/images/obama.jpg Tests/Fixtures/images/obama2.jpg Tests/Fixtures/images/biden.jpg)
  # shellcheck disable=SC2086
  .build/release/frs faces detect $sources > "$spool/../sources.jsonl"
  python3 - "$spool/../sources.jsonl" "$spool/evidence/BENCH/backlog" "$n" Tests/Fixtures/images <<'PY'
import json, random, sys
from PIL import Image, ImageFilter
lines, out, n, images = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
rng = random.Random(25)
faces = []
for line in open(lines):
    r = json.loads(line)
    if len(r.get("faces") or []) == 1:
        faces.append((r["image"], r["faces"][0]["box"]))
dogs = Image.open(f"{images}/dogs.jpg").convert("RGB")  # a scene with no human face
for i in range(n):
    path, (l, t, r, b) = faces[i % len(faces)]
    W, H = 1280, 720
    cw, ch = rng.randrange(dogs.width // 2, dogs.width + 1), rng.randrange(dogs.height // 2, dogs.height + 1)
    cx, cy = rng.randrange(0, dogs.width - cw + 1), rng.randrange(0, dogs.height - ch + 1)
    scene = dogs.crop((cx, cy, cx + cw, cy + ch)).resize((W, H), Image.BILINEAR).filter(ImageFilter.GaussianBlur(3))
    if i % 2: scene = scene.transpose(Image.FLIP_LEFT_RIGHT)
    frac = rng.uniform(0.05, 0.20)
    src = Image.open(path).convert("RGB")
    s = frac * W / (r - l + 1)
    # The face and some of its surroundings (as much of the photo as there is).
    img = src.resize((max(1, round(src.width * s)), max(1, round(src.height * s))), Image.BICUBIC)
    x = rng.randrange(0, max(1, W - img.width)); y = rng.randrange(0, max(1, H - img.height))
    scene.paste(img, (x, y))
    scene.save(f"{out}/probe-{i}.jpg", quality=80)
PY
else
  mapfile -t sources < <(ls Tests/Fixtures/johns/*/*.jpg Tests/Fixtures/images/2008_002506.jpg Tests/Fixtures/images/2009_004587.jpg)
  for ((i = 0; i < n; i++)); do cp "${sources[i % ${#sources[@]}]}" "$spool/evidence/BENCH/backlog/probe-$i.jpg"; done
fi
echo "load before: $(uptime)"
cat > "$spool/tmp/bulk.json" <<JOB
{ "version": 1, "requester": "bulk1", "purpose": "active-investigation", "case_number": "26-BULK-1",
  "offense": "robbery", "justification": "Backlog of unidentified suspects from the robbery series cameras",
  "probe_dir": "BENCH/backlog", "max_candidates": 10 }
JOB
mv "$spool/tmp/bulk.json" "$spool/incoming/bulk.json"
start=$(date +%s.%N)
/usr/bin/time -f "%U %S %M" -o "$spool/../daemon.time" .build/release/frs --spool "$spool" daemon --once \
  2>"$spool/../daemon.log" >/dev/null
end=$(date +%s.%N)
lines=$(wc -l < "$spool/outbox/results/bulk.jsonl")
faces=$(grep -o '"box"' "$spool/outbox/results/bulk.jsonl" | wc -l)
seconds=$(awk -v a="$start" -v b="$end" 'BEGIN { print b - a }')
printf 'bulk run: %d probes (%d records, %d faces) against gallery %s in %.1f s = %.0f images/minute on %d cores\n' \
  "$n" "$lines" "$faces" "$gallery" "$seconds" "$(awk -v n="$n" -v s="$seconds" 'BEGIN { print n * 60 / s }')" "$(nproc)"
grep "bulk progress" "$spool/../daemon.log" | tail -2
read -r user sys rss < "$spool/../daemon.time"
echo "daemon: user $user s, system $sys s (page faults, zeroing), maximum RSS $((rss / 1024)) MiB ($(nproc) workers)"
echo "load after: $(uptime)"
if ((surveillance)); then
  # The detector's convolutions on the first M of the same probes, each against the FMA peak
  # measured beside it in this run (`frs bench faces`: per stage, then their median).
  mapfile -t measured < <(for ((i = 0; i < m && i < n; i++)); do echo "$spool/evidence/BENCH/backlog/probe-$i.jpg"; done)
  peak=$(.build/release/frs bench faces "${measured[@]}" | tail -1)
  python3 - "$peak" <<'PY'
import json, statistics, sys
d = json.loads(sys.argv[1])
convs = [s for s in d["stages"] if s["gflop"] > 0]
print(f"detector convolutions on {d['images']} of the probes ({d['faces']} faces): "
      + ", ".join(f"{s['stage'].split()[0]} {s['percent_of_peak']:.1f} %" for s in convs)
      + f" of the FMA peak ({d['fma_peak_gflops_adjacent']:.1f} GFLOP/s on every core, measured beside each run)")
print(f"  median over the {len(convs)} convolutions {statistics.median(s['percent_of_peak'] for s in convs):.1f} %, "
      f"conv7 {convs[-1]['percent_of_peak']:.1f} %, all together {d['detector_convolutions_percent_of_peak']:.1f} %; "
      f"detection {d['detect_seconds']:.2f} s")
if "fma_peak_gflops_per_cpu_second" in d:
    print("  per second of processor time (steadier while others load the machine): "
          + ", ".join(f"{s['stage'].split()[0]} {s['percent_of_peak_per_cpu_second']:.1f} %" for s in convs)
          + f"; median {statistics.median(s['percent_of_peak_per_cpu_second'] for s in convs):.1f} %, "
          f"all together {d['detector_convolutions_percent_of_peak_per_cpu_second']:.1f} % "
          f"(peak {d['fma_peak_gflops_per_cpu_second']:.1f} GFLOP per processor-second)")
PY
  if [ -n "${FRS_BASELINE:-}" ]; then
    # Results beside another build's (e.g. today's main): boxes, confidences and descriptors, bit for bit.
    "$FRS_BASELINE" faces embed "${measured[@]}" > "$spool/../baseline.jsonl" 2>/dev/null
    .build/release/frs faces embed "${measured[@]}" > "$spool/../this.jsonl" 2>/dev/null
    if cmp -s "$spool/../baseline.jsonl" "$spool/../this.jsonl"; then
      echo "faces embed on those probes: bit-identical to $FRS_BASELINE"
    else
      echo "faces embed on those probes: DIFFERS from $FRS_BASELINE"
    fi
  fi
  python3 - "$spool/evidence/BENCH/backlog" "$m" "$n" "$seconds" "$peak" <<'PY'
import json, sys, time
import numpy as np
from PIL import Image
import face_recognition
folder, m, n, frs_seconds, peak = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4]), json.loads(sys.argv[5])
found = 0
start = time.perf_counter()
for i in range(m):
    img = np.asarray(Image.open(f"{folder}/probe-{i}.jpg").convert("RGB"))
    locations = face_recognition.face_locations(img, 1, "cnn")
    face_recognition.face_encodings(img, locations)
    found += len(locations)
dlib = time.perf_counter() - start
frs_rate, dlib_rate = n * 60 / frs_seconds, m * 60 / dlib
print(f"dlib 20 (face_recognition cnn, upsample 1, descriptors): {m} of the same probes in {dlib:.1f} s = "
      f"{dlib_rate:.1f} probes/minute ({found} faces)")
print(f"frs / dlib: {frs_rate / dlib_rate:.1f}x probes per minute (frs {frs_rate:.1f}, whole job through the daemon; "
      f"dlib one process, its own threads); FMA peak beside it: {peak['fma_peak_gflops']:.1f} GFLOP/s on every core")
PY
  echo "load at the end: $(uptime)"
fi
