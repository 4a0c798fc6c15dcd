#!/usr/bin/env python3
"""Makes the geometry reference data in Tests/Fixtures/geometry/ from dlib itself (and, for the
tiled pyramid and the score-map decoder, which dlib's Python API does not expose, from the numpy
reference /work/shared/tools/dlibref/ref.py, checked against dlib as DLIB-FORMAT.md §9 says).

Run from the repository root (after scripts/make-image-fixtures.py):
    FRS_MODELS=/work/shared/models python3 scripts/make-geometry-reference.py [DLIBREF_DIR]

Outputs (all small):
  resize.json                dlib.resize_image on an RGB photo and on a float plane: CRC-32 of outputs
  plane-37x53.f32            the float plane (little-endian float32, row-major)
  landmarks.json             dlib.shape_predictor parts for real and random boxes on two photos
  chips.json, chip-*.rgb     dlib.get_face_chip (150, padding 0.25): CRC-32 for many landmark sets,
                             raw 150x150x3 bytes for a few
  pyramid.json               tiled-pyramid layouts for several sizes, and the CRC-32 of the whole
                             float tensor for obama_small.jpg upsampled once
  detection.json             a synthetic score map and the detections dlib's to_label + NMS give
Python runs only here, to make reference data; the product never runs it.
"""
import json, math, os, sys, zlib
import numpy as np
import dlib
from PIL import Image

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, 'Tests', 'Fixtures', 'geometry')
IMAGES = os.path.join(ROOT, 'Tests', 'Fixtures', 'images')
REF = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, '..', 'shared', 'tools', 'dlibref')
MODELS = os.environ.get('FRS_MODELS', os.path.join(ROOT, '..', 'shared', 'models'))
os.environ['FRS_MODELS'] = MODELS
sys.path.insert(0, REF)
import ref  # noqa: E402

rng = np.random.default_rng(20261125)


def crc(a):
    return zlib.crc32(np.ascontiguousarray(a).tobytes())


def load(name):
    return np.asarray(Image.open(os.path.join(IMAGES, name)).convert('RGB'))


def resize_cases():
    img = load('obama_small.jpg')  # 240 x 320
    H, W = img.shape[:2]
    rgb = []
    for rows, cols in [(2 * H + 1, 2 * W + 2), (100, 133), (37, 500), (H, W), (7, 5), (1, 9), (9, 1), (301, 77)]:
        out = dlib.resize_image(img, rows, cols)
        rgb.append({'rows': rows, 'cols': cols, 'crc32': crc(out)})
    plane = rng.normal(0, 1, (37, 53)).astype(np.float32)
    plane.astype('<f4').tofile(os.path.join(OUT, 'plane-37x53.f32'))
    flt = []
    for rows, cols in [(30, 44), (25, 36), (75, 108), (37, 53), (5, 7), (1, 1), (1, 20), (64, 3)]:
        out = dlib.resize_image(plane, rows, cols).astype('<f4')
        flt.append({'rows': rows, 'cols': cols, 'crc32': crc(out), 'first': float(out[0, 0]), 'last': float(out[-1, -1])})
    json.dump({'rgb_source': 'obama_small.jpg', 'rgb': rgb, 'float_source': 'plane-37x53.f32',
               'float_rows': 37, 'float_cols': 53, 'float': flt},
              open(os.path.join(OUT, 'resize.json'), 'w'), indent=1)


def random_boxes(H, W, face, n):
    l, t, r, b = face
    boxes = [face]
    for _ in range(n):
        if rng.random() < 0.7:  # jittered around the face
            s = rng.uniform(0.5, 1.6)
            w = max(4, int((r - l) * s)); h = max(4, int((b - t) * s * rng.uniform(0.8, 1.25)))
            cx = (l + r) / 2 + rng.normal(0, (r - l) * 0.2); cy = (t + b) / 2 + rng.normal(0, (b - t) * 0.2)
            bl = int(cx - w / 2); bt = int(cy - h / 2)
            boxes.append((bl, bt, bl + w, bt + h))
        else:  # anywhere, possibly partly off the image
            w = int(rng.integers(5, W)); h = int(rng.integers(5, H))
            bl = int(rng.integers(-w // 2, W - w // 2)); bt = int(rng.integers(-h // 2, H - h // 2))
            boxes.append((bl, bt, bl + w, bt + h))
    return boxes


def landmark_cases(sp):
    cases = []
    for name, face in [('obama_small.jpg', (94, 64, 211, 182)), ('obama.jpg', (354, 135, 599, 379))]:
        img = load(name)
        H, W = img.shape[:2]
        for box in random_boxes(H, W, face, 60):
            shape = sp(img, dlib.rectangle(*box))
            cases.append({'image': name, 'box': list(box), 'parts': [[p.x, p.y] for p in shape.parts()]})
    json.dump({'model': 'shape_predictor_5_face_landmarks.dat', 'cases': cases},
              open(os.path.join(OUT, 'landmarks.json'), 'w'), indent=0)
    return cases


def chip_cases(sp):
    cases = []
    raw_written = 0
    for name, face in [('obama_small.jpg', (94, 64, 211, 182)), ('obama.jpg', (354, 135, 599, 379))]:
        img = load(name)
        H, W = img.shape[:2]
        base = np.array([[p.x, p.y] for p in sp(img, dlib.rectangle(*face)).parts()], np.float64)
        sets = [base]
        for _ in range(24):  # random similarity transforms of the real landmarks
            s = math.exp(rng.uniform(math.log(0.3), math.log(3.5)))
            a = rng.uniform(-1.0, 1.0)
            R = s * np.array([[math.cos(a), -math.sin(a)], [math.sin(a), math.cos(a)]])
            c = base.mean(0)
            shift = rng.normal(0, [W * 0.25, H * 0.25])
            pts = (base - c) @ R.T + c + shift + rng.normal(0, 1.5, base.shape)
            sets.append(pts)
        for pts in sets:
            parts = [[int(round(x)), int(round(y))] for x, y in pts]
            det = dlib.full_object_detection(dlib.rectangle(0, 0, 10, 10), [dlib.point(x, y) for x, y in parts])
            chip = dlib.get_face_chip(img, det, size=150, padding=0.25)
            case = {'image': name, 'parts': parts, 'crc32': crc(chip)}
            if raw_written < 4 and (raw_written < 2 or len(cases) % 7 == 3):
                fname = f'chip-{raw_written}.rgb'
                chip.tofile(os.path.join(OUT, fname))
                case['raw'] = fname
                raw_written += 1
            cases.append(case)
    json.dump({'size': 150, 'padding': 0.25, 'cases': cases}, open(os.path.join(OUT, 'chips.json'), 'w'), indent=0)


def score_map_size(n):
    for _ in range(3):
        n = (n - 5) // 2 + 1
    return n


def pyramid_and_detection_cases():
    layouts = []
    for nr, nc in [(481, 642), (2275, 1822), (240, 320), (30, 40), (6, 200), (200, 6), (5, 5), (1, 1), (4, 100), (3963, 1942)]:
        rects, NR, NC = ref.tiled_pyramid_rects(nr, nc)
        layouts.append({'rows': nr, 'cols': nc, 'tensor_rows': NR, 'tensor_cols': NC, 'rects': [list(r) for r in rects]})
    mmod = ref.MMOD(os.path.join(MODELS, 'mmod_human_face_detector.dat'))
    img = load('obama_small.jpg')
    up = ref.pyramid_up_rgb(img)
    assert np.array_equal(up, dlib.resize_image(img, 2 * img.shape[0] + 1, 2 * img.shape[1] + 2))
    x, rects = mmod.to_tensor(up)
    avg = [float(np.float32(mmod.inp[k])) for k in ('avg_red', 'avg_green', 'avg_blue')]
    tensor = {'image': 'obama_small.jpg', 'upsampled_rows': up.shape[0], 'upsampled_cols': up.shape[1],
              'tensor_rows': x.shape[2], 'tensor_cols': x.shape[3], 'avg_rgb': avg,
              'rects': [list(r) for r in rects], 'crc32': crc(x.astype('<f4')),
              'samples': [[c, r, q, float(x[0, c, r, q])] for c, r, q in
                          [(0, 11, 11), (1, 500, 300), (2, 1700, 600), (0, 0, 0), (1, 1600, 600)]]}
    json.dump({'padding': 10, 'outer_padding': 11, 'layouts': layouts, 'tensor': tensor},
              open(os.path.join(OUT, 'pyramid.json'), 'w'), indent=0)

    # A synthetic score map for that tensor: background −1, clusters of positive scores (so NMS
    # has overlapping candidates), and isolated positives in several pyramid levels.
    R, C = score_map_size(x.shape[2]), score_map_size(x.shape[3])
    out = np.full((R, C), -1.0, np.float32)
    for _ in range(12):
        r0 = int(rng.integers(1, R - 1)); c0 = int(rng.integers(1, C - 1))
        peak = rng.uniform(0.2, 2.0)
        for dr in (-1, 0, 1):
            for dc in (-1, 0, 1):
                out[r0 + dr, c0 + dc] = np.float32(peak - 0.3 * (abs(dr) + abs(dc)) + rng.uniform(0, 0.01))
    for _ in range(25):
        out[int(rng.integers(0, R)), int(rng.integers(0, C))] = np.float32(rng.uniform(0.001, 1.5))
    w, h = mmod.loss['detector_windows'][0][:2]
    iou, pc = mmod.loss['overlaps_nms']
    dets = []
    for r, c in zip(*np.nonzero(out > 0)):
        score = float(out[r, c])
        px = c * 8 + 14.0; py = r * 8 + 14.0
        d = (px - (w - 1) / 2, py - (h - 1) / 2, px + (w - 1) / 2, py + (h - 1) / 2)
        cx, cy = ref.to_point((d[0] + d[2]) / 2, (d[1] + d[3]) / 2)
        idx = ref.nearest_rect(rects, (cx, cy))
        ox, oy = rects[idx][0], rects[idx][1]
        up_ = []
        for (X, Y) in [(d[0] - ox, d[1] - oy), (d[2] - ox, d[3] - oy)]:
            for _ in range(idx):
                X = X * (6 / 5.0) + 0.3; Y = Y * (6 / 5.0) + 0.3
            up_.append((X, Y))
        d = (min(up_[0][0], up_[1][0]), min(up_[0][1], up_[1][1]), max(up_[0][0], up_[1][0]), max(up_[0][1], up_[1][1]))
        dets.append((score, d, idx))
    dets.sort(key=lambda t: -t[0])
    kept = []
    for score, d, idx in dets:
        rr = ref.drect_to_rect(d)
        if any(ref.overlaps(k['rect'], rr, iou, pc) for k in kept):
            continue
        kept.append({'rect': list(rr), 'confidence': score, 'level': idx})
    H, W = img.shape[:2]
    for k in kept:
        l, t, r, b = [float(v) for v in k['rect']]
        down = ref.drect_to_rect((l / 2 - 1.25, t / 2 - 0.75, r / 2 - 1.25, b / 2 - 0.75))
        k['rect_down'] = list(down)
        k['trimmed'] = [max(down[0], 0), max(down[1], 0), min(down[2], W), min(down[3], H)]
    positives = [[int(r), int(c), float(out[r, c])] for r, c in zip(*np.nonzero(out > 0))]
    json.dump({'score_rows': R, 'score_cols': C, 'background': -1.0, 'positives': positives,
               'window': [w, h], 'nms_iou': iou, 'nms_percent_covered': pc,
               'image_width': W, 'image_height': H, 'candidates': len(dets), 'detections': kept},
              open(os.path.join(OUT, 'detection.json'), 'w'), indent=0)


def main():
    os.makedirs(OUT, exist_ok=True)
    sp = dlib.shape_predictor(os.path.join(MODELS, 'shape_predictor_5_face_landmarks.dat'))
    resize_cases()
    landmark_cases(sp)
    chip_cases(sp)
    pyramid_and_detection_cases()
    print('wrote', sorted(os.listdir(OUT)))


if __name__ == '__main__':
    main()
