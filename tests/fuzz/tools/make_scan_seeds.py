#!/usr/bin/python3
"""Write the small seed corpus of fuzz_scan (tests/fuzz/corpus/scan/).

One small valid sample per format the pipeline classifies. Payloads are
harmless (builtins.print); nothing here is ever loaded by the scanner.
Run with /usr/bin/python3 (Debian's numpy/h5py/onnx).
"""
import io
import json
import os
import struct
import sys
import zipfile

out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..", "corpus", "scan")
os.makedirs(out, exist_ok=True)


def put(name, data):
    with open(os.path.join(out, name), "wb") as f:
        f.write(data)


# pickle protocol 2: builtins.print("hi") via REDUCE (hand-written, never loaded)
pkl = b"\x80\x02cbuiltins\nprint\nq\x00X\x02\x00\x00\x00hiq\x01\x85q\x02Rq\x03."
put("pickle_reduce.pkl", pkl)

# torch-style zip: archive/data.pkl + archive/version
bio = io.BytesIO()
with zipfile.ZipFile(bio, "w", zipfile.ZIP_STORED) as z:
    z.writestr("archive/data.pkl", pkl)
    z.writestr("archive/version", "3\n")
put("torch_zip.pt", bio.getvalue())

# keras v3: config.json with a Lambda layer, deflated
bio = io.BytesIO()
with zipfile.ZipFile(bio, "w", zipfile.ZIP_DEFLATED) as z:
    z.writestr("metadata.json", json.dumps({"keras_version": "3.0.0"}))
    z.writestr("config.json", json.dumps({"class_name": "Sequential", "config": {"layers": [
        {"class_name": "Lambda", "config": {"function": {"class_name": "__lambda__",
         "config": {"code": "print('hi')"}}}}]}}))
put("model.keras", bio.getvalue())

# notebook with a shell magic and an inline key-like string
nb = {"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [
    {"cell_type": "code", "metadata": {}, "execution_count": 1, "outputs": [],
     "source": ["!pip install requests==2.0.0\n", "import pickle\n", "pickle.loads(b'')\n"]},
    {"cell_type": "markdown", "metadata": {}, "source": ["# title"]}]}
put("nb.ipynb", json.dumps(nb).encode())

put("requirements.txt", b"requests==2.19.0\n-r other.txt\nnumpy>=1.0; python_version < '3.8'\n"
    b"git+https://example.com/x.git#egg=x\n--index-url http://example.com/simple\n")

# gguf v3: 1 kv (general.architecture), 1 tensor
def gstr(s):
    b = s.encode()
    return struct.pack("<Q", len(b)) + b
g = b"GGUF" + struct.pack("<IQQ", 3, 1, 1)
g += gstr("general.architecture") + struct.pack("<I", 8) + gstr("llama")
g += gstr("t") + struct.pack("<I", 1) + struct.pack("<Q", 4) + struct.pack("<IQ", 0, 0)
g += b"\0" * ((32 - len(g) % 32) % 32) + b"\0" * 16
put("tiny.gguf", g)

# safetensors: one F32 tensor of 2 elements
hdr = json.dumps({"__metadata__": {"format": "pt"},
                  "w": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]}}).encode()
put("tiny.safetensors", struct.pack("<Q", len(hdr)) + hdr + b"\0" * 8)

try:
    import numpy as np
    bio = io.BytesIO()
    np.save(bio, np.arange(4, dtype=np.int32))
    put("arr.npy", bio.getvalue())
    bio = io.BytesIO()
    np.save(bio, np.array([1, "a"], dtype=object), allow_pickle=True)
    put("obj.npy", bio.getvalue())
except ImportError:
    pass

try:
    import h5py
    p = os.path.join(out, "tiny.h5")
    with h5py.File(p, "w") as f:
        f.attrs["model_config"] = json.dumps({"class_name": "Sequential", "config": {"layers": [
            {"class_name": "Lambda", "config": {"function": "print"}}]}})
        f.create_dataset("w", data=[1.0, 2.0])
except ImportError:
    pass

try:
    import onnx
    from onnx import helper, TensorProto
    n = helper.make_node("Relu", ["x"], ["y"])
    gr = helper.make_graph([n], "g", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1])],
                           [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1])])
    m = helper.make_model(gr)
    put("tiny.onnx", m.SerializeToString())
except ImportError:
    pass
