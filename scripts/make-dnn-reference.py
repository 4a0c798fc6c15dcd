#!/usr/bin/env python3
"""Makes the reference data for the DNN tests (Tests/Fixtures/dnn/) with dlib itself.

Descriptors: for each face, the 150x150 chip from dlib.get_face_chip (5-point landmarks on the
dlib CNN detector's rectangle, upsample 1) and dlib's descriptor of that chip
(face_recognition_model_v1.compute_face_descriptor accepts a 150x150 chip directly). Chips are
saved as raw interleaved RGB (67,500 bytes), descriptors in descriptors.json.

Detector: a 120x160 crop of obama_small.jpg, turned into dlib's tiled pyramid tensor by the numpy
reference (shared/tools/dlibref/ref.py, which matches dlib's scores to ~2e-6), and the score map
of its forward pass. Saved as float32 little-endian planes plus a JSON with the shapes.

Usage: FRS_MODELS=/work/shared/models python3 scripts/make-dnn-reference.py
Reference-data generation only; nothing here runs in the product.
"""
import json, os, sys
import numpy as np
import dlib
from PIL import Image

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
OUT = os.path.join(REPO, 'Tests', 'Fixtures', 'dnn')
SHARED = os.environ.get('FRS_SHARED', os.path.join(REPO, '..', 'shared'))
MODELS = os.environ.get('FRS_MODELS', os.path.join(SHARED, 'models'))
EXAMPLES = os.path.join(SHARED, 'fixtures', 'face_recognition', 'examples')
sys.path.insert(0, os.path.join(SHARED, 'tools', 'dlibref'))
os.environ.setdefault('FRS_MODELS', MODELS)
import ref  # noqa: E402


def load(name):
    return np.array(Image.open(os.path.join(EXAMPLES, name)).convert('RGB'))


def descriptors():
    detector = dlib.cnn_face_detection_model_v1(os.path.join(MODELS, 'mmod_human_face_detector.dat'))
    sp = dlib.shape_predictor(os.path.join(MODELS, 'shape_predictor_5_face_landmarks.dat'))
    facerec = dlib.face_recognition_model_v1(os.path.join(MODELS, 'dlib_face_recognition_resnet_model_v1.dat'))
    faces = []
    for image in ('obama_small.jpg', 'two_people.jpg'):
        img = load(image)
        dets = sorted(detector(img, 1), key=lambda d: d.rect.left())
        for i, d in enumerate(dets):
            shape = sp(img, d.rect)
            chip = dlib.get_face_chip(img, shape, size=150, padding=0.25)
            assert chip.shape == (150, 150, 3) and chip.dtype == np.uint8
            desc = facerec.compute_face_descriptor(chip)
            name = '%s-%d.rgb' % (os.path.splitext(image)[0], i)
            with open(os.path.join(OUT, name), 'wb') as f:
                f.write(np.ascontiguousarray(chip).tobytes())
            r = d.rect
            faces.append({'chip': name, 'image': image,
                          'rect': [r.left(), r.top(), r.right(), r.bottom()],
                          'descriptor': [float(v) for v in desc]})
            print(name, 'descriptor[0:4] =', list(desc)[:4])
    with open(os.path.join(OUT, 'descriptors.json'), 'w') as f:
        json.dump({'source': 'dlib %s get_face_chip(size=150, padding=0.25) + compute_face_descriptor(chip)'
                   % dlib.__version__, 'faces': faces}, f, indent=1)


def detector_case():
    img = load('obama_small.jpg')[40:160, 60:220]  # 120x160 crop around the face
    mmod = ref.MMOD(os.path.join(MODELS, 'mmod_human_face_detector.dat'))
    x, rects = mmod.to_tensor(img)
    scores = mmod.forward(x)[0, 0].astype(np.float32)
    x = x[0].astype('<f4')
    with open(os.path.join(OUT, 'detector-input.bin'), 'wb') as f:
        f.write(x.tobytes())
    with open(os.path.join(OUT, 'detector-scores.bin'), 'wb') as f:
        f.write(scores.astype('<f4').tobytes())
    meta = {'source': 'obama_small.jpg[40:160, 60:220], tiled pyramid and forward pass of shared/tools/dlibref/ref.py',
            'input': {'channels': 3, 'rows': int(x.shape[1]), 'cols': int(x.shape[2])},
            'scores': {'rows': int(scores.shape[0]), 'cols': int(scores.shape[1])},
            'max_score': float(scores.max()),
            'positive_cells': int((scores > 0).sum())}
    with open(os.path.join(OUT, 'detector.json'), 'w') as f:
        json.dump(meta, f, indent=1)
    print('detector case', meta)


if __name__ == '__main__':
    os.makedirs(OUT, exist_ok=True)
    descriptors()
    detector_case()
