#!/usr/bin/env python3
"""Writes Tests/Fixtures/ansi-nist/expected.txt: every record and field of the reference transactions
in Tests/Fixtures/ansi-nist/*.an2, read by this independent reader (ANSI/NIST-ITL traditional
encoding), for the ANSINIST reader test to match byte for byte.

One line per field of a tagged record:   FILE RECORD TYPE IDC TAG OFFSET LENGTH SHA256-PREFIX
and per binary record (Types 3-8):        FILE RECORD TYPE IDC binary OFFSET LENGTH SHA256-PREFIX
OFFSET/LENGTH are the field value's (after the colon, before GS/FS) or the binary record's bytes;
the hash is the first 16 hex digits of their SHA-256.

    scripts/ansi-nist-reference.py            # rewrite the file
    scripts/ansi-nist-reference.py --check    # exit 1 when it differs
"""
import glob, hashlib, os, re, sys

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
DIR = os.path.join(ROOT, "Tests", "Fixtures", "ansi-nist")
FS, GS, RS, US = b"\x1c", b"\x1d", b"\x1e", b"\x1f"


def h(b):
    return hashlib.sha256(b).hexdigest()[:16]


def tagged(data, pos, rtype):
    """Fields of the tagged record at pos: (tag, offset, bytes), and its end."""
    m = re.match(rb"(\d+)\.(\d+):(\d+)" + GS, data[pos:pos + 40])
    assert m and int(m.group(1)) == rtype and int(m.group(2)) == 1, (pos, data[pos:pos + 20])
    end = pos + int(m.group(3))
    assert data[end - 1:end] == FS
    body, fields, i = data[pos:end - 1], [], 0
    while i < len(body):
        colon = body.index(b":", i)
        tag = body[i:colon].decode()
        if int(tag.split(".")[1]) == 999:
            fields.append((tag, pos + colon + 1, body[colon + 1:]))
            break
        gs = body.find(GS, colon)
        stop = len(body) if gs < 0 else gs
        fields.append((tag, pos + colon + 1, body[colon + 1:stop]))
        i = stop + 1
    return fields, end


def read(path):
    data = open(path, "rb").read()
    name = os.path.basename(path)
    lines = []
    fields, pos = tagged(data, 0, 1)
    cnt = dict((int(t.split(".")[1]), v) for t, _, v in fields)[3]
    listed = [tuple(int(x) for x in s.split(US)) for s in cnt.split(RS)][1:]
    for t, o, v in fields:
        lines.append(f"{name} 0 1 - {t} {o} {len(v)} {h(v)}")
    for index, (rtype, idc) in enumerate(listed, start=1):
        if 3 <= rtype <= 8:
            length = int.from_bytes(data[pos:pos + 4], "big")
            assert data[pos + 4] == idc
            lines.append(f"{name} {index} {rtype} {idc} binary {pos} {length} {h(data[pos:pos + length])}")
            pos += length
            continue
        fields, end = tagged(data, pos, rtype)
        for t, o, v in fields:
            lines.append(f"{name} {index} {rtype} {idc} {t} {o} {len(v)} {h(v)}")
        pos = end
    assert pos == len(data), f"{name}: {len(data) - pos} bytes after the last record"
    return lines


def main():
    out = []
    for path in sorted(glob.glob(os.path.join(DIR, "*.an2"))):
        out += read(path)
    text = "\n".join(out) + "\n"
    target = os.path.join(DIR, "expected.txt")
    if "--check" in sys.argv:
        sys.exit(0 if open(target).read() == text else 1)
    open(target, "w").write(text)
    print(f"{target}: {len(out)} lines")


main()
