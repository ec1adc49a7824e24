#!/usr/bin/python3
"""Regenerate the seed corpora of fuzz_zip, fuzz_npy and fuzz_tar.

Run with /usr/bin/python3 from the repository root:
    /usr/bin/python3 tests/containers/gen_fuzz_seeds.py
Payloads are harmless (os.system('true')); nothing is ever loaded.
"""
import gzip, io, os, struct, tarfile, zipfile, zlib

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fuzz", "corpus")
EVIL = b"cos\nsystem\n(S'true'\ntR."
BENIGN = b"\x80\x02}q\x00."


def npy(descr, shape, payload):
    hdr = "{'descr': %s, 'fortran_order': False, 'shape': %s, }" % (descr, shape)
    total = 10 + len(hdr) + 1
    hdr += " " * ((64 - total % 64) % 64) + "\n"
    return b"\x93NUMPY\x01\x00" + struct.pack("<H", len(hdr)) + hdr.encode() + payload


def write(sub, name, data):
    d = os.path.join(ROOT, sub)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def zbytes(members, compress=zipfile.ZIP_STORED):
    b = io.BytesIO()
    with zipfile.ZipFile(b, "w", compress) as z:
        for n, d in members:
            z.writestr(zipfile.ZipInfo(n, date_time=(2020, 1, 1, 0, 0, 0)), d, compress_type=compress)
    return b.getvalue()


obj = npy("'|O'", "(1,)", EVIL)
num = npy("'<f4'", "(2, 2)", b"\0" * 16)
write("npy", "object.npy", obj)
write("npy", "float.npy", num)
write("npy", "structured.npy", npy("[('a', '<i4'), ('b', [('c', '|O')], (2,))]", "(1,)", EVIL))
v2h = b"{'descr': '<U3', 'fortran_order': True, 'shape': (1,)}\n"
write("npy", "v2.npy", b"\x93NUMPY\x02\x00" + struct.pack("<I", len(v2h)) + v2h + b"\0" * 12)

torch = [("archive/data.pkl", BENIGN), ("archive/byteorder", b"little"), ("archive/data/0", b"\0" * 16),
         ("archive/version", b"3\n"), ("archive/extra.npy", obj)]
write("zip", "torch.pt", zbytes(torch))
write("zip", "deflated.npz", zbytes([("a.npy", num), ("b.npy", obj)], zipfile.ZIP_DEFLATED))
hidden = zbytes([("a.txt", b"x")])
write("zip", "junk_prefix.zip", b"#!/bin/sh\nexit 0\n" + hidden)
write("zip", "nested.zip", zbytes([("inner.pt", zbytes(torch))]))

tb = io.BytesIO()
with tarfile.open(fileobj=tb, mode="w", format=tarfile.GNU_FORMAT) as t:
    rec = b"\x80\x02(X\x01\x00\x00\x000X\x03\x00\x00\x00cpuctorch\nFloatStorage\nt." + struct.pack("<q", 2) + b"\0" * 8
    ten = b"\x80\x02(K\x00X\x01\x00\x00\x000ctorch\nFloatTensor\nt." + struct.pack("<ii", 1, 0) + struct.pack("<qqq", 2, 1, 0)
    for n, d in [("sys_info", BENIGN), ("pickle", EVIL), ("storages", b"\x80\x02K\x01." + rec),
                 ("tensors", b"\x80\x02K\x01." + ten),
                 ("d/" + "x" * 120 + ".npy", obj)]:
        ti = tarfile.TarInfo(n)
        ti.size = len(d)
        t.addfile(ti, io.BytesIO(d))
write("tar", "legacy_torch.tar", tb.getvalue())
pb = io.BytesIO()
with tarfile.open(fileobj=pb, mode="w", format=tarfile.PAX_FORMAT) as t:
    ti = tarfile.TarInfo("p\u00e9/obj.npy")
    ti.size = len(obj)
    t.addfile(ti, io.BytesIO(obj))
write("tar", "pax.tar", pb.getvalue())
write("tar", "bundle.tar.gz", gzip.compress(pb.getvalue(), mtime=0))
write("tar", "joblib.z", zlib.compress(obj))

# a 7z holding a small checkpoint (7z from p7zip-full), and an xz stream
import lzma, shutil, subprocess, tempfile
write("tar", "pickle.xz", lzma.compress(EVIL))
if shutil.which("7z"):
    with tempfile.TemporaryDirectory() as td:
        with open(os.path.join(td, "m.pt"), "wb") as f:
            f.write(zbytes(torch[:2]))
        subprocess.run(["7z", "a", "-bd", "-bso0", "-bsp0", os.path.join(td, "m.7z"), "m.pt"], cwd=td, check=True)
        with open(os.path.join(td, "m.7z"), "rb") as f:
            write("tar", "checkpoint.7z", f.read())
