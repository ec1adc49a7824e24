#!/usr/bin/python3
"""Write real-format container fixtures into OUTDIR with the real libraries
(numpy, joblib, zipfile, tarfile, gzip/bz2/lzma). Used by test_real_files.c.

    /usr/bin/python3 gen_real_fixtures.py OUTDIR

"Malicious" objects reduce to os.system('true') or builtins.print: harmless
even if someone loaded them, and nothing here loads anything.
"""
import io, os, sys, tarfile, zipfile

import joblib
import numpy as np

out = sys.argv[1]
os.makedirs(out, exist_ok=True)


class Evil:
    def __reduce__(self):
        return (os.system, ("true",))


def p(name):
    return os.path.join(out, name)


# numpy
np.save(p("weights.npy"), np.arange(12, dtype=np.float32).reshape(3, 4))
np.save(p("objects.npy"), np.array([print, 1], dtype=object), allow_pickle=True)
np.savez(p("arrays.npz"), a=np.ones(3), b=np.zeros((2, 2), dtype=np.int16))
np.savez_compressed(p("mixed.npz"), a=np.ones(3), o=np.array([Evil()], dtype=object))

# joblib: benign model-like dict and a malicious object, in every codec
benign = {"coef": np.linspace(0, 1, 50), "classes": np.arange(3), "name": "model"}
joblib.dump(benign, p("benign.joblib"))
for codec in ("zlib", "gzip", "bz2", "lzma", "xz"):
    joblib.dump(benign, p("benign_%s.joblib" % codec), compress=(codec, 3))
    joblib.dump({"x": Evil(), "arr": np.arange(4)}, p("evil_%s.joblib" % codec), compress=(codec, 3))

# a PyTorch-shaped zip written by zipfile (what torch.save produces, by hand)
state = (b"\x80\x02ccollections\nOrderedDict\nq\x00)Rq\x01(X\x06\x00\x00\x00weightq\x02"
         b"ctorch._utils\n_rebuild_tensor_v2\nq\x03((X\x07\x00\x00\x00storageq\x04ctorch\nFloatStorage\nq\x05"
         b"X\x01\x00\x00\x000q\x06X\x03\x00\x00\x00cpuq\x07K\x04tq\x08QK\x00K\x04\x85K\x01\x85\x89"
         b"ccollections\nOrderedDict\nq\t)Rq\ntq\x0bRq\x0cu.")
with zipfile.ZipFile(p("model.pt"), "w") as z:
    z.writestr("model/data.pkl", state)
    z.writestr("model/byteorder", "little")
    z.writestr("model/data/0", np.arange(4, dtype=np.float32).tobytes())
    z.writestr("model/version", "3\n")
    z.writestr("model/.data/serialization_id", "0123456789")
with open(p("objects.npy"), "rb") as f:
    obj_npy = f.read()

# legacy torch tar, and ordinary compressed tars holding the checkpoint
for mode, name in (("w", "legacy.tar"), ("w:gz", "bundle.tar.gz"), ("w:bz2", "bundle.tar.bz2"), ("w:xz", "bundle.tar.xz")):
    with tarfile.open(p(name), mode) as t:
        if name == "legacy.tar":
            members = [("sys_info", b"\x80\x02}q\x00."), ("pickle", state), ("storages", b"\x80\x02K\x00."),
                       ("tensors", b"\x80\x02K\x00.")]
        else:
            with open(p("model.pt"), "rb") as f:
                members = [("ckpt/model.pt", f.read()), ("ckpt/objects.npy", obj_npy)]
        for n, d in members:
            ti = tarfile.TarInfo(n)
            ti.size = len(d)
            t.addfile(ti, io.BytesIO(d))
