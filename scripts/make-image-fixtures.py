#!/usr/bin/env python3
"""Makes the small test images in Tests/Fixtures/images/ and the pixels PIL decodes from them.

Run from the repository root:  python3 scripts/make-image-fixtures.py [SHARED_FIXTURES_DIR]

Writes small synthetic JPEGs (colour 4:2:0 / 4:2:2 / 4:4:4, progressive, greyscale, CMYK, each of
the 8 EXIF orientations), damaged inputs (truncated JPEG, random bytes, a PNG, an empty file, a
JPEG header declaring 60000x60000 pixels), copies two real photos, and writes `expected.json`:
for every decodable file, the size and CRC-32 of PIL's pixels,
`ImageOps.exif_transpose(Image.open(f)).convert('RGB').tobytes()` -- the pixels the Swift decoder
must give (PIL itself ignores EXIF orientation; frs applies it, and exif_transpose is that).
Python is used only here, to make reference data; the product never runs it.
"""
import io, json, os, shutil, sys, zlib
import numpy as np
from PIL import Image, ImageOps

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, 'Tests', 'Fixtures', 'images')
SHARED = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, '..', 'shared', 'fixtures')


def pattern(w, h, seed):
    """A deterministic, non-symmetric colour test image (gradients, a block, noise)."""
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:h, 0:w]
    img = np.zeros((h, w, 3), np.uint8)
    img[..., 0] = (x * 255 // max(w - 1, 1)).astype(np.uint8)
    img[..., 1] = (y * 255 // max(h - 1, 1)).astype(np.uint8)
    img[..., 2] = ((x + 2 * y) * 7 % 256).astype(np.uint8)
    img[: h // 3, : w // 4] = (250, 30, 20)  # a red block in the top-left corner
    noise = rng.integers(-20, 21, size=img.shape)
    return Image.fromarray(np.clip(img.astype(int) + noise, 0, 255).astype(np.uint8), 'RGB')


def save(name, data):
    with open(os.path.join(OUT, name), 'wb') as f:
        f.write(data)


def jpeg_bytes(img, **kw):
    b = io.BytesIO()
    img.save(b, 'JPEG', **kw)
    return b.getvalue()


def main():
    os.makedirs(OUT, exist_ok=True)
    expected = {}
    base = pattern(40, 28, 1)
    files = {
        'rgb420.jpg': jpeg_bytes(base, quality=90, subsampling=2),
        'rgb422.jpg': jpeg_bytes(base, quality=90, subsampling=1),
        'rgb444.jpg': jpeg_bytes(base, quality=95, subsampling=0),
        'progressive.jpg': jpeg_bytes(pattern(45, 33, 2), quality=85, progressive=True),
        'gray.jpg': jpeg_bytes(pattern(30, 22, 3).convert('L'), quality=90),
        'cmyk.jpg': jpeg_bytes(pattern(26, 18, 4).convert('CMYK'), quality=90),
    }
    for o in range(1, 9):
        exif = Image.Exif()
        exif[0x0112] = o
        files[f'orientation-{o}.jpg'] = jpeg_bytes(pattern(24, 14, 10 + o), quality=92, exif=exif.tobytes())
    for name, data in files.items():
        save(name, data)
    for name in ['obama_small.jpg', 'obama.jpg']:
        shutil.copyfile(os.path.join(SHARED, 'face_recognition', 'examples', name), os.path.join(OUT, name))
    for name in sorted(os.listdir(OUT)):
        if not name.endswith('.jpg'):
            continue
        with Image.open(os.path.join(OUT, name)) as im:
            orientation = im.getexif().get(0x0112, 1)
            mode = im.mode
            rgb = ImageOps.exif_transpose(im).convert('RGB')
            raw = rgb.tobytes()
            expected[name] = {'width': rgb.width, 'height': rgb.height, 'mode': mode,
                              'orientation': orientation, 'crc32': zlib.crc32(raw)}
            if orientation == 1:
                # Half-size decode: PIL's draft mode uses the same libjpeg DCT scaling.
                im2 = Image.open(os.path.join(OUT, name))
                im2.draft(im2.mode, (im2.width // 2, im2.height // 2))
                half = im2.convert('RGB')
                if half.size != rgb.size:
                    expected[name]['half'] = {'width': half.width, 'height': half.height,
                                              'crc32': zlib.crc32(half.tobytes())}

    # Damaged and foreign inputs.
    big = jpeg_bytes(pattern(64, 64, 5), quality=90)
    save('truncated.jpg', big[: len(big) * 6 // 10])
    save('header-only.jpg', big[:200])
    save('random.bin', np.random.default_rng(7).integers(0, 256, 4096, dtype=np.uint8).tobytes())
    b = io.BytesIO(); pattern(8, 8, 6).save(b, 'PNG'); save('image.png', b.getvalue())
    save('empty.jpg', b'')
    # A valid small JPEG whose SOF0 is patched to declare 60000 x 60000 pixels.
    bomb = bytearray(jpeg_bytes(pattern(16, 16, 8), quality=50))
    i = bomb.index(b'\xff\xc0')
    bomb[i + 5:i + 7] = (60000).to_bytes(2, 'big')  # height
    bomb[i + 7:i + 9] = (60000).to_bytes(2, 'big')  # width
    save('bomb-60000.jpg', bytes(bomb))

    with open(os.path.join(OUT, 'expected.json'), 'w') as f:
        json.dump(expected, f, indent=1, sort_keys=True)
    print(json.dumps(expected, indent=1, sort_keys=True))


if __name__ == '__main__':
    main()
