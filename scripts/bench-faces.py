#!/usr/bin/env python3
"""Face engine speed: dlib 20 (face_recognition, cnn, upsample 1) and frs on the same images, one run.

For each image: dlib's `face_locations(img, 1, "cnn")` (detection) and `face_encodings(img, locations)`
(landmarks + chip + descriptor per face), then `frs bench faces` on the same files (same work, decoded by
frs itself). Prints a table and the ratios dlib/frs (> 1 means frs is faster).

Usage: swift build -c release && python3 scripts/bench-faces.py [--repeat N] [IMAGE ...]
Defaults to a few fixture images of different sizes.
"""
import argparse
import json
import os
import subprocess
import sys
import time

import numpy as np
from PIL import Image, ImageOps
import face_recognition

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
DEFAULT = ["obama_small.jpg", "2008_002506.jpg", "two_people.jpg", "obama.jpg"]


def load(path):
    return np.asarray(ImageOps.exif_transpose(Image.open(path)).convert("RGB"))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=1, help="runs per image for each engine (best is kept)")
    ap.add_argument("--frs", default=os.path.join(ROOT, ".build", "release", "frs"))
    ap.add_argument("images", nargs="*")
    a = ap.parse_args()
    images = a.images or [os.path.join(ROOT, "Tests", "Fixtures", "images", n) for n in DEFAULT]

    env = dict(os.environ)
    env.setdefault("FRS_MODELS", os.path.join(ROOT, "models"))
    out = subprocess.run([a.frs, "bench", "faces", "--repeat", str(a.repeat)] + images,
                         check=True, capture_output=True, text=True, env=env).stdout
    frs = {}
    for line in out.splitlines():
        rec = json.loads(line)
        if "image" in rec:
            frs[rec["image"]] = rec

    rows = []
    for path in images:
        img = load(path)
        best_d = best_e = float("inf")
        for _ in range(a.repeat):
            t0 = time.perf_counter()
            locs = face_recognition.face_locations(img, 1, "cnn")
            t1 = time.perf_counter()
            face_recognition.face_encodings(img, locs)
            t2 = time.perf_counter()
            best_d, best_e = min(best_d, t1 - t0), min(best_e, t2 - t1)
        f = frs[path]
        rows.append((os.path.basename(path), img.shape[1], img.shape[0], len(locs), f["faces"],
                     best_d, f["detect_seconds"], best_e, f["describe_seconds"]))

    print(f"{'image':22} {'size':>10} {'faces':>9} {'dlib det s':>10} {'frs det s':>9} {'ratio':>6}"
          f" {'dlib enc s':>10} {'frs enc s':>9} {'ratio':>6}")
    td = tf = ed = ef = 0.0
    nd = nf = 0
    for name, w, h, n_dlib, n_frs, d_dlib, d_frs, e_dlib, e_frs in rows:
        print(f"{name:22} {w:>4}x{h:<5} {n_dlib:>4}/{n_frs:<4} {d_dlib:>10.3f} {d_frs:>9.3f} {d_dlib / d_frs:>6.1f}"
              f" {e_dlib:>10.3f} {e_frs:>9.3f} {e_dlib / max(e_frs, 1e-9):>6.1f}")
        td += d_dlib; tf += d_frs; ed += e_dlib; ef += e_frs; nd += n_dlib; nf += n_frs
    print(f"{'total':22} {'':>10} {nd:>4}/{nf:<4} {td:>10.3f} {tf:>9.3f} {td / tf:>6.1f}"
          f" {ed:>10.3f} {ef:>9.3f} {ed / max(ef, 1e-9):>6.1f}")
    print(json.dumps({"dlib_detect_s": td, "frs_detect_s": tf, "detect_ratio": td / tf,
                      "dlib_encode_s_per_face": ed / max(nd, 1), "frs_encode_s_per_face": ef / max(nf, 1),
                      "encode_ratio": (ed / max(nd, 1)) / max(ef / max(nf, 1), 1e-9),
                      "total_ratio": (td + ed) / (tf + ef)}))


if __name__ == "__main__":
    sys.exit(main())
