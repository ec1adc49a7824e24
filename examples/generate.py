#!/usr/bin/python3
"""Generate Watchtower's bundled example artifacts (harmless if loaded).

Run with Debian's /usr/bin/python3 (numpy and h5py come from python3-numpy and
python3-h5py). Every "malicious" payload only calls harmless functions such as
print or `true`; nothing here is ever loaded by the generator.
Output is deterministic so the committed files only change when this script does.
"""
import io
import json
import os
import pickle
import struct
import sys
import zipfile
import zlib

OUT = os.path.dirname(os.path.abspath(__file__))
FIXED_TIME = (2024, 1, 1, 0, 0, 0)


def w(rel, data):
    path = os.path.join(OUT, rel)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(data)


def global_op(module, name):
    return b"c" + module.encode() + b"\n" + name.encode() + b"\n"


def malicious_pickle(module="os", name="system", arg="true"):
    # PROTO 2, GLOBAL module name, arg tuple, REDUCE, STOP
    s = arg.encode()
    return (b"\x80\x02" + global_op(module, name) + b"X" + struct.pack("<I", len(s)) + s
            + b"\x85R.")


def torch_like_state_dict():
    # The shape of a real PyTorch state_dict pickle: OrderedDict of tensors
    # rebuilt by torch._utils._rebuild_tensor_v2 with persistent storage ids.
    p = b"\x80\x02" + global_op("collections", "OrderedDict") + b")R"
    p += b"q\x00("  # memo, MARK
    for i, name in enumerate(["layer.weight", "layer.bias"]):
        n = name.encode()
        p += b"X" + struct.pack("<I", len(n)) + n
        p += global_op("torch._utils", "_rebuild_tensor_v2")
        # (persistent_id, offset, size, stride, requires_grad, hooks)
        pid = (b"(X\x07\x00\x00\x00storage" + global_op("torch", "FloatStorage")
               + b"X\x01\x00\x00\x00" + str(i).encode() + b"X\x03\x00\x00\x00cpuK\x04tQ")
        p += b"(" + pid + b"K\x00K\x04\x85K\x01\x85\x89" + global_op("collections", "OrderedDict") + b")Rt" + b"R"
    p += b"u."
    return p


def torch_zip(pickle_bytes, top="archive"):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED) as z:
        for name, data in [(f"{top}/data.pkl", pickle_bytes), (f"{top}/byteorder", b"little"),
                           (f"{top}/data/0", struct.pack("<4f", 1, 2, 3, 4)),
                           (f"{top}/data/1", struct.pack("<4f", 0, 0, 0, 0)),
                           (f"{top}/version", b"3\n")]:
            zi = zipfile.ZipInfo(name, FIXED_TIME)
            z.writestr(zi, data)
    return buf.getvalue()


def notebook():
    cells = [
        {"cell_type": "markdown", "id": "intro", "metadata": {},
         "source": ["# Churn model\n", "Contact the owner at jane.doe@example.org\n"]},
        {"cell_type": "code", "id": "setup", "metadata": {}, "execution_count": 1, "outputs": [],
         "source": ["!pip install -q pyyaml==5.3 requests==2.19.0\n"]},
        {"cell_type": "code", "id": "load", "metadata": {}, "execution_count": 2, "outputs": [],
         "source": ["import pickle, yaml\n",
                    "AWS_ACCESS_KEY_ID = \"AKIA" + "2E4RPLX7QM5TNV3B\"\n",
                    "model = pickle.load(open('model.pkl', 'rb'))\n",
                    "cfg = yaml.load(open('cfg.yaml'))\n"]},
        {"cell_type": "code", "id": "peek", "metadata": {}, "execution_count": 3,
         "source": ["df.head()\n"],
         "outputs": [{"output_type": "execute_result", "execution_count": 3, "metadata": {},
                      "data": {"text/plain": ["   name        email                 ssn\n",
                                              "0  Alice Smith alice@corp-mail.com  123-45-6789\n",
                                              "1  Bob Jones   bob@corp-mail.com    234-56-7890\n"]}}]},
    ]
    nb = {"cells": cells, "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3"}},
          "nbformat": 4, "nbformat_minor": 5}
    return (json.dumps(nb, indent=1) + "\n").encode()


def lambda_bytecode():
    # What Keras 2 writes for a Lambda layer: base64 of marshal.dumps(code).
    # The code only prints; it is compiled here, never run.
    import base64
    import marshal
    code = compile("lambda x: print('harmless')", "<lambda>", "eval").co_consts[0]
    return base64.b64encode(marshal.dumps(code)).decode() + "\n"


def keras_h5(path):
    try:
        import h5py
        import numpy as np
    except ImportError:
        return
    config = {"class_name": "Sequential", "config": {"name": "seq", "layers": [
        {"class_name": "InputLayer", "config": {"batch_input_shape": [None, 4], "name": "in"}},
        {"class_name": "Lambda", "config": {"name": "lambda", "function": [lambda_bytecode(), None, None],
                                           "function_type": "lambda", "arguments": {}}},
        {"class_name": "Dense", "config": {"name": "dense", "units": 1}}]}}
    # No timestamps anywhere, so the file is byte-for-byte reproducible.
    fcpl = h5py.h5p.create(h5py.h5p.FILE_CREATE)
    fcpl.set_obj_track_times(False)
    gcpl = h5py.h5p.create(h5py.h5p.GROUP_CREATE)
    gcpl.set_obj_track_times(False)
    fid = h5py.h5f.create(path.encode(), h5py.h5f.ACC_TRUNC, fcpl=fcpl)
    with h5py.File(fid) as f:
        f.attrs["keras_version"] = "2.11.0"
        f.attrs["backend"] = "tensorflow"
        f.attrs["model_config"] = json.dumps(config)
        g = h5py.Group(h5py.h5g.create(f.id, b"model_weights", gcpl=gcpl))
        d = h5py.Group(h5py.h5g.create(g.id, b"dense", gcpl=gcpl))
        d.create_dataset("kernel", data=np.zeros((4, 1), dtype="float32"), track_times=False)


def main():
    w("models/malicious_model.pkl", malicious_pickle("os", "system", "true"))
    w("models/disguised_as_image.jpg", malicious_pickle("builtins", "exec", "print('harmless')"))
    w("models/clean_state_dict.pt", torch_zip(torch_like_state_dict()))
    w("models/backdoored_checkpoint.bin",
      torch_zip(malicious_pickle("subprocess", "getoutput", "true"), top="weights"))
    # joblib.dump(obj, f, compress=("zlib", 3)) writes a plain zlib stream of the pickle
    w("models/compressed.joblib", zlib.compress(malicious_pickle("posix", "system", "true"), 3))
    keras_h5(os.path.join(OUT, "models/lambda_layer.h5"))
    w("notebooks/churn_analysis.ipynb", notebook())
    w("requirements.txt", b"# pinned versions with known advisories\n"
      b"tensorflow==2.4.0\npillow==8.0.0\npyyaml==5.3\njinja2==2.10\nrequests==2.19.0\nurllib3==1.24.1\n"
      b"numpy>=1.20\n")
    w("config/settings.env", b"DATABASE_URL=postgres://admin:s3cr3tPassw0rd@db.internal:5432/prod\n"
      b"DEBUG=false\n")


if __name__ == "__main__":
    sys.exit(main())
