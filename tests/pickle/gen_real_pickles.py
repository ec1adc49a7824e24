"""Write real pickles made by CPython's pickler (pickle.dumps only; nothing
is ever loaded) into the directory given as argv[1]:

  benign/   numpy arrays in protocols 0-5 (protocol 5 also with out-of-band
            buffers), state-dict-shaped OrderedDicts, plain containers, a
            long benign pickle, a text file that must not be taken for a pickle
  evil/     __reduce__ payloads (harmless if ever run: `true`, print)
"""
import collections
import os
import pickle
import sys

import numpy as np

out = sys.argv[1]
b = os.path.join(out, "benign")
e = os.path.join(out, "evil")
os.makedirs(b, exist_ok=True)
os.makedirs(e, exist_ok=True)


def w(path, data):
    with open(path, "wb") as f:
        f.write(data)


arrays = {
    "f32": np.arange(12, dtype=np.float32).reshape(3, 4),
    "i64": np.arange(5, dtype=np.int64),
    "rec": np.zeros(3, dtype=[("a", "<i4"), ("b", "<f8")]),
    "scalar": np.float64(1.5),
}
for p in range(6):
    w(os.path.join(b, "numpy_p%d.pkl" % p), pickle.dumps(arrays, protocol=p))
    sd = collections.OrderedDict(("layer%d.weight" % i, arrays["f32"]) for i in range(4))
    w(os.path.join(b, "state_dict_p%d.pkl" % p), pickle.dumps(sd, protocol=p))
    plain = {"a": [1, 2.5, "x", b"y", None, True, (1, 2)], "s": {1, 2}, "f": frozenset([3]),
             "big": 2 ** 100, "neg": -12345678901, "c": complex(1, 2), "ba": bytearray(b"ab")}
    w(os.path.join(b, "plain_p%d.pkl" % p), pickle.dumps(plain, protocol=p))

bufs = []
w(os.path.join(b, "numpy_p5_oob.pkl"),
  pickle.dumps(arrays["f32"], protocol=5, buffer_callback=bufs.append))
long_obj = [("token%d" % i, i, float(i)) for i in range(200000)]
w(os.path.join(b, "long.pkl"), pickle.dumps(long_obj, protocol=4))
# Several pickles in a row, like the legacy torch stream.
w(os.path.join(b, "concatenated.pkl"),
  pickle.dumps(119547037146038801333356, protocol=2) + pickle.dumps(1001, protocol=2)
  + pickle.dumps({"protocol_version": 1001}, protocol=2) + pickle.dumps(["0", "1"], protocol=2))
try:
    import joblib  # Debian python3-joblib; dump only
except ImportError:
    joblib = None
if joblib is not None:
    joblib.dump({"w": np.arange(1000, dtype=np.float64).reshape(10, 100), "i": np.arange(7, dtype=np.int32),
                 "o": np.array([1, "x", None], dtype=object), "u": np.array(["ab", "c"])},
                os.path.join(b, "model.joblib"))
with open(os.path.join(b, "notes.txt"), "w") as f:
    f.write("(these are notes)\nI think the model is fine.\ncmake it\n")


class System:
    def __reduce__(self):
        return (os.system, ("true",))


class Eval:
    def __reduce__(self):
        import builtins
        return (builtins.eval, ("print('x')",))


for p in range(6):
    w(os.path.join(e, "os_system_p%d.pkl" % p), pickle.dumps(System(), protocol=p))
w(os.path.join(e, "eval_in_state_dict.pkl"),
  pickle.dumps(collections.OrderedDict(w=arrays["f32"], x=Eval()), protocol=2))
if joblib is not None:
    joblib.dump({"w": np.arange(10.0), "o": np.array([1, System()], dtype=object)}, os.path.join(e, "evil.joblib"))
w(os.path.join(e, "after_benign_stream.pkl"),
  pickle.dumps({"ok": 1}, protocol=2) + pickle.dumps(System(), protocol=2))
w(os.path.join(e, "nested_loads.pkl"),
  pickle.dumps(type("N", (), {"__reduce__": lambda self: (pickle.loads, (pickle.dumps(System(), protocol=4),))})(),
               protocol=4))
