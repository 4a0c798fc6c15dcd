#!/usr/bin/env bash
# Booking-transaction import benchmark: throughput of `frs gallery import` (ANSI/NIST-ITL
# transactions) against `frs gallery enroll` (a CSV of the same JPEGs), in the same run, alternating,
# and the parity of the two galleries (the same faces, boxes and descriptors by image SHA-256).
#
# The photo set (Pillow, deterministic, into a temporary folder): the 55 johns photos
# (../shared/fixtures/dlib/examples/johns, 150x150, one face) each upscaled and cropped or padded
# eight ways to booking-like photos of 480-1000 px, and the single-person photos of
# ../shared/fixtures/face_recognition (knn train/test, obama at 240p-1080p, obama, obama2,
# obama_small, biden) and Tests/Fixtures/images (obama, obama2, biden) four ways (quality 95,
# centre crop, grey padding, quality 80). One transaction per photo, written by
# the Python below: version 0400 (every fifth 0201, with two-digit Type-1 tags), a Type-1, a Type-2
# (2.015 SID per person: a person's photos are one subject, as the manifest's subject_id; name,
# date of birth), a binary Type-4 fingerprint record of 2-30 KB to step over in every other one,
# and the Type-10 FACE record (JPEGB, photo date, SAP 10, POS F) holding the JPEG's bytes.
#
# Usage: scripts/bench-import.sh [--rounds N] [--workers N]
#   --rounds N: timed runs of each command, alternating enroll, import, enroll, import, ... (default 3)
#   --workers N: passed to both commands (default: the number of cores)
# Each run starts from a fresh spool. Reported: wall and CPU time per run, the medians, the
# throughput ratio import/enroll from the medians and the median of the per-round ratios, and
# the load before and after (the machine is shared: alternate runs are what make the ratio fair).
# Target: import >= 90 % of enroll's throughput. Models: $FRS_MODELS, else ./models, else ../shared/models.
set -euo pipefail
cd "$(dirname "$0")/.."
export FRS_MODELS="${FRS_MODELS:-$PWD/models}"
if [ ! -f "$FRS_MODELS/mmod_human_face_detector.dat" ] && [ -f ../shared/models/mmod_human_face_detector.dat ]; then
  FRS_MODELS=$(cd ../shared/models && pwd)
fi
fixtures="${FRS_FIXTURES:-$PWD/../shared/fixtures}"
[ -d "$fixtures" ] || fixtures=/work/shared/fixtures
python3 -c 'import PIL' 2>/dev/null || { echo "bench-import: needs Pillow (pip install pillow) to build the photos" >&2; exit 1; }
rounds=3 workers=$(nproc)
while (($#)); do
  case "$1" in
    --rounds) rounds=$2; shift 2 ;;
    --workers) workers=$2; shift 2 ;;
    *) echo "usage: scripts/bench-import.sh [--rounds N] [--workers N]" >&2; exit 2 ;;
  esac
done
swift build -c release 2>&1 | tail -1
work=$(mktemp -d /tmp/frs-bench-import-XXXXXX)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/photos" "$work/transactions"

# photos/<person>__<n>.jpg, made with Pillow (deterministic).
python3 - "$work/photos" "$fixtures" <<'PY'
import glob, os, sys
from PIL import Image
out, fixtures = sys.argv[1], sys.argv[2]
n = 0
def save(im, person, quality=90):
    global n
    n += 1
    im.convert("RGB").save(os.path.join(out, "%s__%04d.jpg" % (person, n)), quality=quality)
def pad(im, size, w, h, colour, dx=0, dy=0, quality=90, person=""):
    face = im.resize((size, size), Image.BILINEAR)
    canvas = Image.new("RGB", (w, h), colour)
    canvas.paste(face, ((w - size) // 2 + dx, (h - size) // 2 + dy))
    save(canvas, person, quality)
for f in sorted(glob.glob(os.path.join(fixtures, "dlib/examples/johns/*/*.jpg"))):
    p = os.path.basename(os.path.dirname(f))
    im = Image.open(f).convert("RGB")
    pad(im, 600, 800, 1000, (128, 128, 128), person=p)
    pad(im, 450, 1000, 900, (110, 120, 130), dx=-200, person=p)
    pad(im, 750, 760, 1000, (150, 150, 140), dy=-100, person=p)
    pad(im, 330, 600, 750, (90, 90, 100), dy=-40, quality=85, person=p)
    big = im.resize((640, 640), Image.BILINEAR)
    save(big.crop((40, 40, 600, 600)), p, 92)
    pad(im, 520, 640, 800, (200, 200, 200), dy=120, quality=88, person=p)
    pad(im.resize((700, 700), Image.BILINEAR).crop((50, 30, 650, 690)), 600, 720, 900, (60, 60, 60), person=p)
    pad(im, 400, 480, 600, (128, 140, 128), dx=40, quality=95, person=p)
natural = sorted(glob.glob(os.path.join(fixtures, "face_recognition/examples/knn_examples/train/*/*.jpg"))
                 + glob.glob(os.path.join(fixtures, "face_recognition/examples/knn_examples/test/*.jpg"))
                 + [os.path.join(fixtures, "face_recognition/examples", x + ".jpg") for x in
                    ["obama-240p", "obama-480p", "obama-720p", "obama-1080p", "obama", "obama2", "obama_small", "biden"]]
                 + ["Tests/Fixtures/images/%s.jpg" % x for x in ["obama", "obama2", "biden"]])
for f in natural:
    if "obama_and_biden" in f or "two_people" in f or not os.path.exists(f):
        continue
    p = os.path.basename(os.path.dirname(f)) if "/train/" in f else os.path.basename(f).split(".")[0].split("-")[0].split("_")[0].rstrip("0123456789")
    im = Image.open(f).convert("RGB")
    w, h = im.size
    save(im, p, 95)
    save(im.crop((w // 10, h // 10, w - w // 10, h - h // 10)), p)
    canvas = Image.new("RGB", (w * 5 // 4, h * 5 // 4), (128, 128, 128))
    canvas.paste(im, (w // 8, h // 8))
    save(canvas, p)
    save(im, p, 80)
print(f"photos: {n}")
PY
python3 - "$work" <<'PY'
import hashlib, os, random, sys
work = sys.argv[1]
random.seed(23)
FS, GS, RS, US = b"\x1c", b"\x1d", b"\x1e", b"\x1f"

def tagged(rtype, fields, two_digit=False):
    """A tagged record: LEN first (its own digits counted), GS between fields, FS at the end."""
    fmt = (lambda n: f"{rtype}.{n:02d}") if two_digit else (lambda n: f"{rtype}.{n:03d}")
    body = b"".join(GS + fmt(n).encode() + b":" + v for n, v in fields) + FS
    prefix = fmt(1).encode() + b":"
    length = len(prefix) + len(body) + 1
    while len(prefix) + len(str(length)) + len(body) != length:
        length = len(prefix) + len(str(length)) + len(body)
    return prefix + str(length).encode() + body

persons = {}
with open(os.path.join(work, "manifest.csv"), "w") as manifest:
    manifest.write("subject_id,image,source,captured\n")
    for k, name in enumerate(sorted(os.listdir(os.path.join(work, "photos")))):
        person = name.split("__")[0]
        number = persons.setdefault(person, len(persons) + 1)
        sid = "NY%08d" % number
        jpeg = open(os.path.join(work, "photos", name), "rb").read()
        old = k % 5 == 4
        records, cnt = [], ["1" + "\x1f"]
        t2 = tagged(2, [(2, b"00"), (15, sid.encode()), (18, person.upper().replace("_", ",").encode()),
                        (22, b"19%02d%02d%02d" % (50 + number % 40, 1 + number % 12, 1 + number % 28))])
        records.append((2, 0, t2))
        if k % 2 == 0:
            size = random.randint(2000, 30000)
            records.append((4, 1, size.to_bytes(4, "big") + bytes([1]) + bytes(random.getrandbits(8) for _ in range(size - 5))))
        t10 = tagged(10, [(2, b"02"), (3, b"FACE"), (4, b"NY0303000"), (5, b"2026%02d%02d" % (1 + k % 12, 1 + k % 28)),
                          (6, b"0"), (7, b"0"), (8, b"1"), (9, b"1"), (10, b"1"), (11, b"JPEGB"), (12, b"YCC"),
                          (13, b"10"), (20, b"F"), (999, jpeg)])
        records.append((10, 2, t10))
        cnt = "1\x1f%d" % len(records) + "".join("\x1e%d\x1f%02d" % (t, idc) for t, idc, _ in records)
        t1 = tagged(1, [(2, b"0201" if old else b"0400"), (3, cnt.encode()), (4, b"CAR"), (5, b"20260101"),
                        (7, b"DAI000000"), (8, b"NY0303000"), (9, b"T%06d" % k), (11, b"19.69"), (12, b"19.69")],
                    two_digit=old)
        with open(os.path.join(work, "transactions", "%04d.%s" % (k, "eft" if old else "an2")), "wb") as out:
            out.write(t1 + b"".join(r for _, _, r in records))
        manifest.write(f"sid:{sid},photos/{name},ORI NY0303000,2026-01-01\n")
print(f"transactions: {k + 1} from {len(persons)} people")
PY
count=$(ls "$work/transactions" | wc -l)
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'); workers $workers"

run() {  # enroll|import round -> "wall cpu"
  local spool="$work/spool-$1-$2"
  .build/release/frs --spool "$spool" init >/dev/null
  if [ "$1" = enroll ]; then
    /usr/bin/time -f "%e %U %S" -o "$work/time-$1-$2" .build/release/frs --spool "$spool" gallery enroll \
      --workers "$workers" "$work/manifest.csv" >"$work/$1-$2.out" 2>"$work/$1-$2.err" || true
  else
    /usr/bin/time -f "%e %U %S" -o "$work/time-$1-$2" .build/release/frs --spool "$spool" gallery import \
      --workers "$workers" "$work/transactions" >"$work/$1-$2.out" 2>"$work/$1-$2.err" || true
  fi
  awk '{ printf "%.2f %.2f", $1, $2 + $3 }' "$work/time-$1-$2"
}
echo "uptime before: $(uptime)"
walls_e=() walls_i=() cpus_e=() cpus_i=() ratios=()
for r in $(seq 1 "$rounds"); do
  read -r we ce <<<"$(run enroll "$r")"
  read -r wi ci <<<"$(run import "$r")"
  walls_e+=("$we"); cpus_e+=("$ce"); walls_i+=("$wi"); cpus_i+=("$ci")
  ratios+=("$(awk -v e="$we" -v i="$wi" 'BEGIN { printf "%.3f", e / i }')")
  printf 'round %d: enroll %6.1f s wall %7.1f CPU-s | import %6.1f s wall %7.1f CPU-s | import/enroll throughput %s  (load %s)\n' \
    "$r" "$we" "$ce" "$wi" "$ci" "${ratios[-1]}" "$(cut -d' ' -f1-3 /proc/loadavg)"
done
echo "uptime after: $(uptime)"
median() { printf '%s\n' "$@" | sort -g | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
me=$(median "${walls_e[@]}") mi=$(median "${walls_i[@]}") mce=$(median "${cpus_e[@]}") mci=$(median "${cpus_i[@]}") mr=$(median "${ratios[@]}")
awk -v n="$count" -v me="$me" -v mi="$mi" -v mce="$mce" -v mci="$mci" -v mr="$mr" 'BEGIN {
  printf "gallery enroll: median %.1f s wall (%.2f photos/s), %.1f CPU-s\n", me, n / me, mce
  printf "gallery import: median %.1f s wall (%.2f transactions/s), %.1f CPU-s\n", mi, n / mi, mci
  printf "import throughput / enroll throughput: %.1f %% (medians), %.1f %% (median of the rounds), CPU %.1f %%; target >= 90 %%\n",
    100 * me / mi, 100 * mr, 100 * mce / mci }'
echo "enroll: $(tail -1 "$work/enroll-1.out")"
echo "import: $(tail -1 "$work/import-1.out")"

# Parity: the same images (by SHA-256: the Type-10 data is the JPEG file) have the same faces.
python3 - "$work/spool-enroll-1/state/frs.sqlite" "$work/spool-import-1/state/frs.sqlite" <<'PY'
import sqlite3, sys
def faces(db):
    q = ("SELECT i.sha256, s.subject, f.box_left, f.box_top, f.box_right, f.box_bottom, f.descriptor "
         "FROM gallery_faces f JOIN gallery_images i ON f.image_id = i.id JOIN gallery_subjects s ON i.subject_id = s.id")
    return {r[0]: r[1:] for r in sqlite3.connect(db).execute(q)}
e, i = faces(sys.argv[1]), faces(sys.argv[2])
same = sum(1 for k in e if k in i and e[k] == i[k])
print(f"parity: enroll {len(e)} faces, import {len(i)} faces, identical (subject, box, descriptor) {same}")
sys.exit(0 if same == len(e) == len(i) else 1)
PY
