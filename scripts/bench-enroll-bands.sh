#!/usr/bin/env bash
# Booking-photo enrollment by framing band: `frs gallery enroll` with the booking-photo pipeline
# against the full one, on real photos cropped and padded so the face is 20-25, 25-35, 35-50 or
# >= 50 % of the width, each band timed on its own in the same run, and the parity of the two
# pipelines (same box, landmarks and descriptor, bit for bit).
#
# The photo set (made with Pillow into a temporary folder, deterministic): every one-face source
# photo of ../shared/fixtures — the 55 johns (150x150), the face_recognition portraits (obama,
# obama2, biden, knn_examples' train folders, test_images' obama3) and the FACE images of the four
# NIST ANSI/NIST-ITL reference transactions (mugshots, one 768x1024) — with the largest face's box
# found by `frs faces detect` (the full pipeline). Each source gives one photo per band: scaled and
# placed on a canvas 560-1000 px wide (portrait 4:5, or landscape 5:4 for some), cropped where it
# is larger, grey where it is not, the face off centre by a few per cent; JPEG quality 85-92.
# The band of a photo is the one of its face as the full pipeline finds it (box width / image
# width), not the one it was made for.
#
# Usage: scripts/bench-enroll-bands.sh [--per-band N] [--make-only | --reuse]
#   --per-band N: N sources per band (default all); --make-only: make the photos and manifests
#   (manifest-<band>.csv) and stop (with FRS_BENCH_DIR, for `frs bench faces --booking` on them);
#   --reuse: time the photos and manifests an earlier run left in FRS_BENCH_DIR (its spools,
#   timings and logs are removed first) instead of making them again
# FRS_BENCH_DIR=DIR keeps the photos, spools and logs in DIR (emptied first) instead of a temporary folder.
# FRS_BIN=PATH times that frs binary instead of building this tree's release binary.
# Exits 1, after every band, when any photo's box, landmarks or descriptor differ between the
# pipelines (or one pipeline enrolled a photo the other did not).
# Models: $FRS_MODELS, else ./models, else ../shared/models. Needs python3 with Pillow.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/find-models.sh
fixtures="${FRS_FIXTURES:-$PWD/../shared/fixtures}"
[ -d "$fixtures" ] || fixtures=/work/shared/fixtures
python3 -c 'import PIL' 2>/dev/null || { echo "bench-enroll-bands: needs Pillow (pip install pillow)" >&2; exit 1; }
per_band=0 make_only=0 reuse=0
while (($#)); do
  case "$1" in
    --per-band) per_band=$2; shift 2 ;;
    --make-only) make_only=1; shift ;;
    --reuse) reuse=1; shift ;;
    *) echo "usage: scripts/bench-enroll-bands.sh [--per-band N] [--make-only | --reuse]" >&2; exit 2 ;;
  esac
done
if ((reuse)) && { [ -z "${FRS_BENCH_DIR:-}" ] || ! ls "$FRS_BENCH_DIR"/manifest-*.csv >/dev/null 2>&1; }; then
  echo "bench-enroll-bands: --reuse needs FRS_BENCH_DIR with the manifests of an earlier run" >&2; exit 2
fi
if [ -n "${FRS_BIN:-}" ]; then  # a binary kept aside (e.g. the one before a change), not rebuilt
  frs=$(realpath "$FRS_BIN")
else
  swift build -c release 2>&1 | tail -1
  frs=$PWD/.build/release/frs
fi
if ((reuse)); then
  work=$FRS_BENCH_DIR; rm -rf "$work"/spool-* "$work"/time-* "$work"/enroll-* "$work"/peak.json
elif [ -n "${FRS_BENCH_DIR:-}" ]; then  # kept for a look at the photos afterwards
  work=$FRS_BENCH_DIR; rm -rf "$work"; mkdir -p "$work"
else
  work=$(mktemp -d /tmp/frs-bench-bands-XXXXXX)
  trap 'rm -rf "$work"' EXIT
fi
if ((reuse)); then
  echo "photos and manifests of an earlier run: $(ls "$work"/manifest-*.csv | wc -l) bands, $(cat "$work"/manifest-*.csv | grep -vc ^subject_id) photos"
else
mkdir -p "$work/sources" "$work/photos"

# 1. The sources, as JPEG files (the NIST FACE records cut out of their transactions).
python3 - "$fixtures" "$work/sources" <<'PY'
import glob, io, os, shutil, sys
from PIL import Image
fixtures, out = sys.argv[1], sys.argv[2]
paths = sorted(glob.glob(f"{fixtures}/dlib/examples/johns/*/*.jpg"))
fr = f"{fixtures}/face_recognition"
paths += [f"{fr}/examples/{n}" for n in ("obama.jpg", "obama2.jpg", "biden.jpg", "obama-1080p.jpg")]
paths += sorted(glob.glob(f"{fr}/examples/knn_examples/train/*/*.jp*g")) + [f"{fr}/tests/test_images/obama3.jpg"]
n = 0
for p in paths:
    n += 1
    shutil.copy(p, f"{out}/{n:03d}.jpg")
for name in ("face_jpb_DOM_GMT_DCS.an2", "valid1.3.an2", "valid1.9.an2", "valid1.11.an2"):
    data = open(f"{fixtures}/ansi-nist/{name}", "rb").read()
    i = data.find(b"\xff\xd8\xff"); j = data.find(b"\xff\xd9", i)
    if i < 0 or j < 0: continue
    Image.open(io.BytesIO(data[i:j + 2])).convert("RGB").save(f"{out}/nist-{name[:-4]}.jpg", quality=95)
print(f"{len(os.listdir(out))} source photos", file=sys.stderr)
PY
"$frs" faces detect "$work"/sources/*.jpg > "$work/sources.jsonl"

# 2. The band photos.
python3 - "$work" "$per_band" <<'PY'
import json, random, sys
from PIL import Image
work, per_band = sys.argv[1], int(sys.argv[2])
bands = [("20-25", 0.195, 0.24), ("25-35", 0.255, 0.345), ("35-50", 0.355, 0.49), ("50+", 0.51, 0.80)]
rng = random.Random(20261207)
sources = []
for line in open(f"{work}/sources.jsonl"):
    r = json.loads(line)
    faces = r.get("faces") or []
    if not faces: continue
    big = max(faces, key=lambda f: f["box"][2] - f["box"][0])
    others = [f for f in faces if f is not big and (f["box"][2] - f["box"][0]) > 0.5 * (big["box"][2] - big["box"][0])]
    if others: continue  # one face only
    sources.append((r["image"], big["box"]))
manifests = {b[0]: [] for b in bands}
n = 0
for band, lo, hi in bands:
    chosen = sources if per_band <= 0 else sources[:per_band]
    for path, (l, t, r, b) in chosen:
        src = Image.open(path).convert("RGB")
        bw, bh = r - l + 1, b - t + 1
        frac = rng.uniform(lo, hi)
        landscape = rng.random() < 0.25
        W = rng.randrange(560, 1001)
        H = int(W * (0.8 if landscape else 1.25))
        s = frac * W / bw
        img = src.resize((max(1, round(src.width * s)), max(1, round(src.height * s))), Image.BICUBIC)
        # The face's centre at (45-55 %, 35-50 %) of the canvas.
        cx, cy = (l + r) / 2 * s, (t + b) / 2 * s
        ox = int(rng.uniform(0.45, 0.55) * W - cx)
        oy = int(rng.uniform(0.35, 0.50) * H - cy)
        grey = rng.randrange(90, 170)
        canvas = Image.new("RGB", (W, H), (grey, grey + rng.randrange(-10, 11), grey + rng.randrange(-10, 11)))
        canvas.paste(img, (ox, oy))
        n += 1
        name = f"photos/{n:04d}.jpg"
        canvas.save(f"{work}/{name}", quality=rng.randrange(85, 93))
        manifests[band].append(name)
with open(f"{work}/photos.txt", "w") as f:
    for band in manifests:
        for name in manifests[band]: f.write(f"{band} {name}\n")
print(f"{n} photos from {len(sources)} one-face sources", file=sys.stderr)
PY

# 3. Each photo's band, from the full pipeline's largest face.
cut -d' ' -f2 "$work/photos.txt" | sed "s|^|$work/|" | xargs "$frs" faces detect > "$work/photos.jsonl"
python3 - "$work" <<'PY'
import json, sys
work = sys.argv[1]
def band(f):
    return "under-20" if f < 0.2 else "20-25" if f < 0.25 else "25-35" if f < 0.35 else "35-50" if f < 0.5 else "50+"
counts = {}
manifests = {}
for line in open(f"{work}/photos.jsonl"):
    r = json.loads(line)
    faces = r.get("faces") or []
    if not faces: b = "no-face"
    else:
        big = max(faces, key=lambda f: f["box"][2] - f["box"][0])
        b = band((big["box"][2] - big["box"][0] + 1) / r["width"])
    counts[b] = counts.get(b, 0) + 1
    name = r["image"][len(work) + 1:]
    manifests.setdefault(b, []).append(name)
for b, names in manifests.items():
    with open(f"{work}/manifest-{b}.csv", "w") as f:
        f.write("subject_id,image,source,captured\n")
        for i, name in enumerate(names):
            f.write(f"S-{b}-{i:04d},{name},bench,2026-01-01\n")
print("photos by band of the full pipeline's face: " + ", ".join(f"{b} {counts[b]}" for b in sorted(counts)))
PY

fi
((make_only)) && exit 0
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
"$frs" bench faces --repeat 1 "$fixtures/face_recognition/examples/obama_small.jpg" | tail -1 > "$work/peak.json"
python3 - "$work/peak.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
print(f"FMA peak (frs bench faces): {d['fma_peak_gflops']:.1f} GFLOP/s on every core, {d['fma_peak_gflops_1_thread']:.1f} on one")
PY
enroll() {  # band pipeline run -> "wall cpu"
  local tag="$1-$2-$3" spool="$work/spool-$1-$2-$3"
  "$frs" --spool "$spool" init >/dev/null
  (cd "$work" && /usr/bin/time -f "%e %U %S" -o "$work/time-$tag" "$frs" --spool "$spool" gallery enroll \
    --pipeline "$2" "$work/manifest-$1.csv" >"$work/enroll-$tag.out" 2>"$work/enroll-$tag.err") || true
  awk '{ printf "%.2f %.2f", $1, $2 + $3 }' "$work/time-$tag"
}
echo "uptime: $(uptime)"
parity_failed=""
for band in 20-25 25-35 35-50 50+; do
  [ -f "$work/manifest-$band.csv" ] || continue
  n=$(($(wc -l < "$work/manifest-$band.csv") - 1))
  b1=$(enroll "$band" booking 1); f1=$(enroll "$band" full 1); b2=$(enroll "$band" booking 2)
  awk -v band="$band" -v n="$n" -v a="$b1" -v f="$f1" -v b="$b2" 'BEGIN { split(a, A, " "); split(f, F, " "); split(b, B, " ");
    printf "band %-6s %3d photos: booking %.1f s / %.1f s wall (%.3f CPU-s per photo), full %.1f s wall (%.3f CPU-s per photo): %.1fx wall, %.1fx CPU\n",
      band, n, A[1], B[1], (A[2] + B[2]) / 2 / n, F[1], F[2] / n, F[1] / ((A[1] + B[1]) / 2), F[2] / ((A[2] + B[2]) / 2) }'
  if python3 - "$work/spool-$band-full-1/state/frs.sqlite" "$work/spool-$band-booking-1/state/frs.sqlite" <<'PY'
import sqlite3, sys
def faces(db):
    q = ("SELECT i.sha256, f.box_left, f.box_top, f.box_right, f.box_bottom, f.landmarks, f.descriptor "
         "FROM gallery_images i JOIN gallery_faces f ON f.image_id = i.id")
    return {r[0]: r[1:] for r in sqlite3.connect(db).execute(q)}
full, booking = faces(sys.argv[1]), faces(sys.argv[2])
same = sum(1 for k, v in full.items() if booking.get(k) == v)
print(f"    parity: {len(full)} enrolled by the full pipeline, {len(booking)} by the booking one, "
      f"bit-identical box, landmarks and descriptor {same}" + ("" if same == len(full) == len(booking) else "  <-- DIFFERS"))
for k in sorted(set(full) | set(booking)):
    if full.get(k) != booking.get(k):
        print(f"    DIFFERS: image sha256 {k}: full {full.get(k, 'not enrolled')!s:.80} booking {booking.get(k, 'not enrolled')!s:.80}")
sys.exit(0 if same == len(full) == len(booking) else 1)
PY
  then :; else parity_failed="$parity_failed $band"; fi
done
echo "uptime: $(uptime)"
if [ -n "$parity_failed" ]; then
  echo "bench-enroll-bands: PARITY FAILED in band(s)$parity_failed: the booking pipeline enrolled a different box, landmarks or descriptor than the full one" >&2
  exit 1
fi
