#!/usr/bin/env bash
# Booking-photo enrollment benchmark: throughput of `frs gallery enroll` with the booking-photo
# pipeline and with the full one, on the same photos in the same run, and the parity of the two
# (`frs bench faces --booking`: same largest face, same box, descriptor distance).
#
# The photo set (built with ImageMagick `convert` into a temporary folder, deterministic):
#  - booking-like: each of the 55 johns photos (../shared/fixtures/dlib/examples/johns, 150x150, one
#    face whose detector box is about 85 % of the width) upscaled (Triangle filter) and padded with
#    grey to a portrait or landscape canvas of 600-1000 px, four ways: 600x600 on 800x1000 (box ~64 %
#    of the width), 450x450 on 1000x900 (box 35-38 %, off centre), 750x750 on 760x1000 (box ~84 %, near
#    the top) and 330x330 on 600x750 (box ~47 %, JPEG quality 85): 220 photos;
#  - natural photos as they are: every single-person JPEG of ../shared/fixtures/face_recognition
#    (knn_examples train and test, obama at 240p-1080p, obama, obama2, obama_small, biden), some with
#    faces under 20 % of the width, which must fall back to the full pipeline: 19 photos.
# The two sets are timed separately (the throughput target is for booking photos; the natural set
# shows what the fallback costs), then together.
#
# Usage: scripts/bench-enroll.sh [--count N] [--detail]
#   --count N: the first N booking-like photos only, no natural ones; --detail: also
#   `frs bench faces --booking` on every photo (both pipelines one photo at a time, with the reason
#   for each fallback; doubles the run time)
# The booking pipeline is timed before and after the full one, wall and CPU time (user + sys): on a
# shared machine the CPU-time ratio is the steadier figure. Models: $FRS_MODELS, else ./models, else
# ../shared/models.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/find-models.sh
fixtures="${FRS_FIXTURES:-$PWD/../shared/fixtures}"
[ -d "$fixtures" ] || fixtures=/work/shared/fixtures
# ImageMagick's convert (a stand-in earlier in PATH may only print PNGs: prefer the package's binary).
convert=/usr/bin/convert
[ -x "$convert" ] || convert=$(command -v convert) || { echo "bench-enroll: needs ImageMagick (apt-get install imagemagick)" >&2; exit 1; }
swift build -c release 2>&1 | tail -1
work=$(mktemp -d /tmp/frs-bench-enroll-XXXXXX)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/photos"

i=0
add() {  # set: booking or natural
  i=$((i + 1)); printf 'S-%04d,photos/%04d.jpg,bench,2026-01-01\n' "$i" "$i" >> "$work/manifest-$1.csv"
}
for set in booking natural; do echo "subject_id,image,source,captured" > "$work/manifest-$set.csv"; done
for f in "$fixtures"/dlib/examples/johns/*/*.jpg; do
  add booking; "$convert" "$f" -filter Triangle -resize 600x600 -background 'rgb(128,128,128)' -gravity center -extent 800x1000 -quality 90 "$work/photos/$(printf %04d $i).jpg"
  add booking; "$convert" "$f" -filter Triangle -resize 450x450 -background 'rgb(110,120,130)' -gravity west -extent 1000x900-200+0 -quality 90 "$work/photos/$(printf %04d $i).jpg"
  add booking; "$convert" "$f" -filter Triangle -resize 750x750 -background 'rgb(150,150,140)' -gravity north -extent 760x1000+0-60 -quality 90 "$work/photos/$(printf %04d $i).jpg"
  add booking; "$convert" "$f" -filter Triangle -resize 330x330 -background 'rgb(90,90,100)' -gravity center -extent 600x750+0-40 -quality 85 "$work/photos/$(printf %04d $i).jpg"
done
for f in "$fixtures"/face_recognition/examples/knn_examples/{train/*,test}/*.jpg \
         "$fixtures"/face_recognition/examples/{obama-240p,obama-480p,obama-720p,obama-1080p,obama,obama2,obama_small,biden}.jpg; do
  case "$f" in *obama_and_biden*|*two_people*) continue ;; esac
  add natural; cp "$f" "$work/photos/$(printf %04d $i).jpg"
done
limit=0 detail=0
while (($#)); do
  case "$1" in
    --count) limit=$2; shift 2 ;;
    --detail) detail=1; shift ;;
    *) echo "usage: scripts/bench-enroll.sh [--count N] [--detail]" >&2; exit 2 ;;
  esac
done
if ((limit > 0)); then
  head -$((limit + 1)) "$work/manifest-booking.csv" > "$work/m" && mv "$work/m" "$work/manifest-booking.csv"
  head -1 "$work/manifest-natural.csv" > "$work/m" && mv "$work/m" "$work/manifest-natural.csv"
fi
declare -A count
for set in booking natural; do count[$set]=$(($(wc -l < "$work/manifest-$set.csv") - 1)); done
echo "photos: ${count[booking]} booking-like, ${count[natural]} natural ($(ls "$work"/photos | wc -l) built)"
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"

enroll() {  # set pipeline [run] -> "wall-seconds cpu-seconds" (cpu = user + sys of the enroll process)
  local tag="$1-$2${3:-}" spool="$work/spool-$1-$2${3:-}"
  .build/release/frs --spool "$spool" init >/dev/null
  /usr/bin/time -f "%e %U %S" -o "$work/time-$tag" .build/release/frs --spool "$spool" gallery enroll \
    --pipeline "$2" "$work/manifest-$1.csv" >"$work/enroll-$tag.out" 2>"$work/enroll-$tag.err" || true
  awk '{ printf "%.2f %.2f", $1, $2 + $3 }' "$work/time-$tag"
}
show() {  # label photos "wall cpu"
  set -- "$1" "$2" $3
  awk -v l="$1" -v n="$2" -v w="$3" -v c="$4" \
    'BEGIN { printf "  %-14s %7.1f s wall (%.2f photos/s), %7.1f CPU-s (%.3f CPU-s per photo)\n", l, w, n / w, c, c / n }'
}
ratio() {  # label full booking booking2
  awk -v l="$1" -v f="$2" -v a="$3" -v b="$4" 'BEGIN { split(f, F, " "); split(a, A, " "); split(b, B, " ");
    printf "%s: full / booking (mean of the two booking runs): %.1fx wall, %.1fx CPU time\n", l,
      F[1] / ((A[1] + B[1]) / 2), F[2] / ((A[2] + B[2]) / 2) }'
}
echo "uptime: $(uptime)"
booking=$(enroll booking booking)
full=$(enroll booking full)
booking2=$(enroll booking booking 2)
echo "uptime: $(uptime)"
echo "gallery enroll, ${count[booking]} booking-like photos (one face, box 35-84 % of the width):"
show booking "${count[booking]}" "$booking"; show full "${count[booking]}" "$full"; show "booking again" "${count[booking]}" "$booking2"
ratio "booking-like photos" "$full" "$booking" "$booking2"
echo "  full:    $(tail -1 "$work/enroll-booking-full.out")"
echo "  booking: $(tail -1 "$work/enroll-booking-booking.out")"
if ((count[natural] > 0)); then
  nbooking=$(enroll natural booking)
  nfull=$(enroll natural full)
  echo "gallery enroll, ${count[natural]} natural photos (many with faces under 20 % of the width: the fallback's cost):"
  show booking "${count[natural]}" "$nbooking"; show full "${count[natural]}" "$nfull"
  ratio "natural photos" "$nfull" "$nbooking" "$nbooking"
  echo "  full:    $(tail -1 "$work/enroll-natural-full.out")"
  echo "  booking: $(tail -1 "$work/enroll-natural-booking.out")"
  awk -v a="$booking" -v b="$nbooking" -v f="$full" -v g="$nfull" 'BEGIN { split(a, A, " "); split(b, B, " "); split(f, F, " "); split(g, G, " ");
    printf "all photos: full / booking %.1fx wall, %.1fx CPU time\n", (F[1] + G[1]) / (A[1] + B[1]), (F[2] + G[2]) / (A[2] + B[2]) }'
fi

# Parity: the two galleries, photo by photo (the enrolled face's box, landmarks and descriptor).
for set in booking natural; do
  ((count[$set] > 0)) || continue
  echo "parity, $set photos:"
  python3 - "$work/spool-$set-full/state/frs.sqlite" "$work/spool-$set-booking/state/frs.sqlite" <<'PY'
import math, sqlite3, struct, sys
def faces(db):  # by image SHA-256 (duplicate photos are enrolled once, under either path)
    q = ("SELECT i.sha256, f.box_left, f.box_top, f.box_right, f.box_bottom, f.landmarks, f.descriptor "
         "FROM gallery_images i JOIN gallery_faces f ON f.image_id = i.id")
    return {r[0]: (r[1:5], r[5], struct.unpack("<128f", r[6])) for r in sqlite3.connect(db).execute(q)}
full, booking = faces(sys.argv[1]), faces(sys.argv[2])
same_box = same_bits = within = 0
worst = 0.0
for path, (box, marks, d) in full.items():
    if path not in booking:
        print("  only the full pipeline enrolled", path); continue
    b, bm, e = booking[path]
    dist = math.sqrt(sum((x - y) ** 2 for x, y in zip(d, e)))
    worst = max(worst, dist)
    same_box += b == box
    same_bits += b == box and bm == marks and e == d
    within += dist <= 0.03 and b == box
    if b != box or dist > 0.03:
        print(f"  differs: {path} full {box} booking {b} distance {dist:.4f}")
for path in booking.keys() - full.keys():
    print("  only the booking pipeline enrolled", path)
print(f"  {len(full)} photos enrolled by the full pipeline, {len(booking)} by the booking one; "
      f"same box {same_box}, same box and descriptor within 0.03 {within} ({100 * within / max(len(full), 1):.1f} %), "
      f"bit-identical box, landmarks and descriptor {same_bits}; largest descriptor distance {worst:.6f}")
PY
done

# With --detail: both pipelines on every photo, one after another (each using every core), with the
# reason for every fallback to the full pipeline.
if ((detail)); then
  mapfile -t photos < <(tail -q -n +2 "$work"/manifest-{booking,natural}.csv | cut -d, -f2 | sed "s|^|$work/|")
  .build/release/frs bench faces --booking "${photos[@]}" > "$work/parity.jsonl"
  python3 - "$work/parity.jsonl" <<'PY'
import collections, json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
summary, rows = rows[-1], rows[:-1]
fallbacks = collections.Counter(r["fallback"].split(":")[0].split(" px")[0] for r in rows if r["fallback"])
print(f"detail: {sum(1 for r in rows if not r['fallback'])} short path, fallbacks: "
      + ", ".join(f"{k} ({v})" for k, v in fallbacks.most_common()))
print(f"  one photo at a time: full {summary['full_seconds']:.1f} s, booking {summary['booking_seconds']:.1f} s, "
      f"speed-up {summary['speedup']:.1f}x; same box {summary['same_box']}/{summary['with_faces']}, max distance {summary['max_distance']}")
PY
fi
