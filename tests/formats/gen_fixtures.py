#!/usr/bin/python3
"""Generate model-format fixtures for tests/formats (run with /usr/bin/python3,
which sees Debian's python3-h5py, python3-onnx and python3-numpy).

Usage: gen_fixtures.py OUTDIR

"Malicious" fixtures are harmless if loaded: payloads call os.system("true")
or print. Nothing here loads, unpickles or executes the fixtures; marshal
bytecode is produced with compile() + marshal.dumps() (never run).
"""
import base64
import json
import marshal
import os
import struct
import sys
import zipfile

OUT = sys.argv[1] if len(sys.argv) > 1 else "fixtures"
os.makedirs(OUT, exist_ok=True)


def path(*p):
    full = os.path.join(OUT, *p)
    os.makedirs(os.path.dirname(full), exist_ok=True)
    return full


def write(rel, data):
    with open(path(rel), "wb") as f:
        f.write(data)


# ---------------------------------------------------------------- Keras ----
def dense_layer(name, units, act="relu", extra=None):
    cfg = {"name": name, "trainable": True, "dtype": "float32", "units": units,
           "activation": act, "use_bias": True,
           "kernel_initializer": {"class_name": "GlorotUniform", "config": {"seed": None}},
           "bias_initializer": {"class_name": "Zeros", "config": {}},
           "kernel_regularizer": None, "bias_regularizer": None,
           "activity_regularizer": None, "kernel_constraint": None, "bias_constraint": None}
    if extra:
        cfg.update(extra)
    return {"class_name": "Dense", "config": cfg}


def sequential(name, layers):
    return {"class_name": "Sequential", "config": {"name": name, "layers": layers}}


def input_layer(shape):
    return {"class_name": "InputLayer", "config": {"batch_input_shape": [None] + shape,
            "dtype": "float32", "sparse": False, "ragged": False, "name": "input_1"}}


LAMBDA_SRC = "lambda x: __import__('os').system('true') or x"
lam_code = compile(LAMBDA_SRC, "<lambda>", "eval").co_consts[0]
LAMBDA_B64 = base64.encodebytes(marshal.dumps(lam_code)).decode("ascii")  # like keras func_dump
BENIGN_LAMBDA_B64 = base64.encodebytes(marshal.dumps(
    compile("lambda x: x * 2.0", "<lambda>", "eval").co_consts[0])).decode("ascii")


def lambda_layer(name, fn_b64):
    return {"class_name": "Lambda", "config": {"name": name, "trainable": True, "dtype": "float32",
            "function": [fn_b64, None, None], "function_type": "lambda", "module": "__main__",
            "output_shape": None, "output_shape_type": "raw", "output_shape_module": None,
            "arguments": {}}}


TRAINING = {"loss": "categorical_crossentropy", "metrics": ["accuracy"], "weighted_metrics": None,
            "loss_weights": None, "optimizer_config": {"class_name": "Adam", "config": {
                "name": "Adam", "learning_rate": 0.001, "decay": 0.0, "beta_1": 0.9,
                "beta_2": 0.999, "epsilon": 1e-07, "amsgrad": False}}}


def keras_h5(rel, model_config, vlen=False, weights=True, extra=None):
    import h5py
    import numpy as np
    with h5py.File(path(rel), "w") as f:
        mc = json.dumps(model_config)
        tc = json.dumps(TRAINING)
        if vlen:  # newer h5py/Keras: str -> variable-length UTF-8
            f.attrs["model_config"] = mc
            f.attrs["training_config"] = tc
        else:     # Keras 2: .encode('utf8') -> fixed-length bytes
            f.attrs["model_config"] = mc.encode("utf8")
            f.attrs["training_config"] = tc.encode("utf8")
        f.attrs["keras_version"] = b"2.13.1"
        f.attrs["backend"] = b"tensorflow"
        if weights:
            g = f.create_group("model_weights")
            names = [l["config"]["name"] for l in model_config["config"]["layers"]
                     if l["class_name"] not in ("InputLayer",)]
            g.attrs["layer_names"] = np.array([n.encode() for n in names])
            g.attrs["backend"] = b"tensorflow"
            g.attrs["keras_version"] = b"2.13.1"
            for n in names:
                lg = g.create_group(n)
                lg.attrs["weight_names"] = np.array([f"{n}/kernel:0".encode(), f"{n}/bias:0".encode()])
                sg = lg.create_group(n)
                sg.create_dataset("kernel:0", data=np.ones((4, 4), dtype="float32"))
                sg.create_dataset("bias:0", data=np.zeros((4,), dtype="float32"))
        if extra:
            extra(f)


benign_seq = sequential("sequential", [input_layer([8]), dense_layer("dense", 16),
                                       dense_layer("dense_1", 4, "softmax")])
conv_cfg = {"class_name": "Functional", "config": {"name": "model", "layers": [
    {"class_name": "InputLayer", "name": "input_1", "inbound_nodes": [],
     "config": {"batch_input_shape": [None, 28, 28, 1], "dtype": "float32", "name": "input_1"}},
    {"class_name": "Conv2D", "name": "conv2d", "inbound_nodes": [[["input_1", 0, 0, {}]]],
     "config": {"name": "conv2d", "filters": 8, "kernel_size": [3, 3], "strides": [1, 1],
                "padding": "valid", "activation": "relu",
                "kernel_initializer": {"class_name": "GlorotUniform", "config": {"seed": None}}}},
    {"class_name": "MaxPooling2D", "name": "max_pooling2d", "inbound_nodes": [[["conv2d", 0, 0, {}]]],
     "config": {"name": "max_pooling2d", "pool_size": [2, 2]}},
    {"class_name": "Flatten", "name": "flatten", "inbound_nodes": [[["max_pooling2d", 0, 0, {}]]],
     "config": {"name": "flatten"}},
    {"class_name": "Dense", "name": "dense", "inbound_nodes": [[["flatten", 0, 0, {}]]],
     "config": {"name": "dense", "units": 10, "activation": "softmax"}}],
    "input_layers": [["input_1", 0, 0]], "output_layers": [["dense", 0, 0]]}}

import h5py  # noqa: E402
keras_h5("keras/benign_dense.h5", benign_seq)
keras_h5("keras/benign_conv.h5", conv_cfg, vlen=True)
keras_h5("keras/benign_lambda_math.h5", sequential("s", [input_layer([4]), lambda_layer("double", BENIGN_LAMBDA_B64)]),
         weights=False)
keras_h5("keras/lambda_bytecode.h5", sequential("s", [input_layer([4]), dense_layer("dense", 4),
                                                      lambda_layer("evil_lambda", LAMBDA_B64)]), weights=False)
keras_h5("keras/lambda_os_system.h5", sequential("s", [input_layer([4]), {
    "class_name": "Lambda", "config": {"name": "shell", "function": "system", "function_type": "function",
                                       "module": "os", "arguments": {}}}]), weights=False)
keras_h5("keras/custom_layer.h5", sequential("s", [input_layer([4]), {
    "class_name": "MyAttention", "config": {"name": "my_attention", "units": 4}}]), weights=False)
# Lambda hidden in TimeDistributed inside a nested Sequential inside a Functional model
nested = {"class_name": "Functional", "config": {"name": "outer", "layers": [
    {"class_name": "InputLayer", "name": "in", "config": {"name": "in"}, "inbound_nodes": []},
    {"class_name": "Sequential", "name": "inner", "inbound_nodes": [[["in", 0, 0, {}]]],
     "config": {"name": "inner", "layers": [
         {"class_name": "Bidirectional", "config": {"name": "bi", "layer":
             {"class_name": "TimeDistributed", "config": {"name": "td", "layer":
                 lambda_layer("deep_lambda", LAMBDA_B64)}}}}]}}]}}
keras_h5("keras/nested_lambda.h5", nested, weights=False)

# a pickle stored in an HDF5 attribute (opaque) and in a uint8 dataset
EVIL_PICKLE = b"\x80\x02cos\nsystem\nq\x00X\x04\x00\x00\x00trueq\x01\x85q\x02Rq\x03."


def add_pickles(f):
    import numpy as np
    f["model_weights"].attrs["optimizer_state"] = np.void(EVIL_PICKLE)
    f.create_dataset("blob", data=np.frombuffer(EVIL_PICKLE, dtype=np.uint8))


keras_h5("keras/pickle_in_h5.h5", benign_seq, extra=add_pickles)


def add_cycle(f):
    f["model_weights"]["loop"] = f["model_weights"]  # hard link to itself
    f["model_weights"]["dense"]["up"] = f["/"]


keras_h5("keras/self_reference.h5", benign_seq, extra=add_cycle)


def add_external(f):
    import h5py
    f.create_dataset("ext", shape=(16,), dtype="uint8", external=[("/etc/passwd", 0, 16)])


keras_h5("keras/external_storage.h5", benign_seq, extra=add_external)
# HDF5 of the .keras kind (Keras 2 `model.save("m.keras")` in h5 mode) and a 512-byte user block
with open(path("keras/lambda_bytecode.h5"), "rb") as f:
    write("keras/legacy_lambda.keras", f.read())
with h5py.File(path("keras/userblock.h5"), "w", userblock_size=512) as f:
    f.attrs["model_config"] = json.dumps(sequential("s", [lambda_layer("ub_lambda", LAMBDA_B64)])).encode()
with open(path("keras/benign_dense.h5"), "rb") as f:
    data = f.read()
write("keras/truncated.h5", data[: len(data) // 3])
write("keras/garbage.h5", b"\x89HDF\r\n\x1a\n" + bytes(range(256)) * 8)
write("keras/model_config_not_json.h5", b"")
keras_h5("keras/model_config_not_json.h5", benign_seq)
import h5py  # noqa: E402
with h5py.File(path("keras/model_config_not_json.h5"), "a") as f:
    f.attrs["model_config"] = b"{not json"
# 1 GB of weights (sparse on disk: only the last element of each dataset is written)
with h5py.File(path("keras/big_weights.h5"), "w") as f:
    f.attrs["model_config"] = json.dumps(benign_seq).encode()
    f.attrs["keras_version"] = b"2.13.1"
    for i in range(10):
        d = f.create_dataset(f"model_weights/w{i}", shape=(25_000_000,), dtype="float32")
        d[-1] = 1.0
with h5py.File(path("keras/plain_data.h5"), "w") as f:
    import numpy as np
    f.create_dataset("x", data=np.arange(10))

# Keras 3 .keras configs
def k3(module, cls, config, registered=None):
    return {"module": module, "class_name": cls, "config": config, "registered_name": registered}


k3_benign = k3("keras", "Sequential", {"name": "sequential", "trainable": True, "dtype": "float32", "layers": [
    k3("keras.layers", "InputLayer", {"batch_shape": [None, 8], "dtype": "float32", "name": "input_layer"}),
    k3("keras.layers", "Dense", {"name": "dense", "units": 4,
                                 "activation": "relu",
                                 "kernel_initializer": k3("keras.initializers", "GlorotUniform", {"seed": None}),
                                 "dtype": k3("keras", "DTypePolicy", {"name": "float32"})}),
    k3("keras.layers", "Activation", {"name": "act", "activation": k3("keras.activations", "function", "relu", "function")})],
    "build_input_shape": [None, 8]})
k3_benign["build_config"] = {"input_shape": [None, 8]}
k3_benign["compile_config"] = {"optimizer": k3("keras.optimizers", "Adam", {"name": "adam", "learning_rate": 0.001}),
                               "loss": "mse", "metrics": None}
k3_lambda = k3("keras", "Sequential", {"name": "s", "layers": [
    k3("keras.layers", "Lambda", {"name": "k3_lambda", "function": {"class_name": "__lambda__", "config": {
        "code": LAMBDA_B64, "defaults": None, "closure": None}}, "arguments": {}})]})
k3_act_lambda = k3("keras", "Sequential", {"name": "s", "layers": [
    k3("keras.layers", "Dense", {"name": "dense_act", "units": 1, "activation": {
        "class_name": "__lambda__", "config": {"code": LAMBDA_B64, "defaults": None, "closure": None}}})]})
k3_os = k3("keras", "Sequential", {"name": "s", "layers": [
    k3("keras.layers", "Dense", {"name": "d", "units": 1,
                                 "activation": k3("os", "function", "system", "system")})]})
k3_toggle = k3("keras", "Sequential", {"name": "s", "layers": [
    k3("keras.layers", "Dense", {"name": "d", "units": 1, "activation": k3("keras.config", "function",
                                                                          "enable_unsafe_deserialization", None)})]})
k3_external = k3("keras", "Sequential", {"name": "s", "layers": [
    k3("my_package.layers", "MyLayer", {"name": "mine"}, "MyPackage>MyLayer")]})
META = {"keras_version": "3.3.3", "date_saved": "2024-05-01@12:00:00"}
for name, cfg in [("benign", k3_benign), ("lambda", k3_lambda), ("activation_lambda", k3_act_lambda), ("os_module", k3_os),
                  ("unsafe_toggle", k3_toggle), ("external", k3_external)]:
    write(f"keras3/{name}_config.json", json.dumps(cfg, indent=2).encode())
    with zipfile.ZipFile(path(f"keras3/{name}.keras"), "w") as z:
        z.writestr("metadata.json", json.dumps(META))
        z.writestr("config.json", json.dumps(cfg))
        z.writestr("model.weights.h5", open(path("keras/plain_data.h5"), "rb").read())
write("keras3/metadata.json", json.dumps(META).encode())
write("keras3/bad_config.json", b'{"class_name": "Sequential", "config": {"layers": [')

# --------------------------------------------------------------- protobuf --
def varint(n):
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def fld(num, wire, payload):
    key = varint((num << 3) | wire)
    if wire == 0:
        return key + varint(payload)
    if wire == 2:
        if isinstance(payload, str):
            payload = payload.encode()
        return key + varint(len(payload)) + payload
    raise ValueError(wire)


def msg(*fields):
    return b"".join(fields)


def node(name, op, inputs=(), attrs=None):
    return msg(fld(1, 2, name), fld(2, 2, op), *[fld(3, 2, i) for i in inputs])


def function(name, nodes):
    sig = msg(fld(1, 2, name))
    return msg(fld(1, 2, sig), *[fld(3, 2, n) for n in nodes])


def graph(nodes, functions=()):
    lib = msg(*[fld(1, 2, f) for f in functions])
    g = msg(*[fld(1, 2, n) for n in nodes])
    if functions:
        g += fld(2, 2, lib)
    return g + fld(4, 2, msg(fld(1, 0, 1087)))


def saved_model(g, object_graph=None):
    meta_info = msg(fld(1, 2, "serve"), fld(4, 2, "serve"), fld(5, 2, "2.13.0"))
    mg = msg(fld(1, 2, meta_info), fld(2, 2, g))
    mg += fld(3, 2, msg(fld(1, 2, "saver_filename:0"), fld(2, 2, "StatefulPartitionedCall_1:0"),
                        fld(3, 2, "StatefulPartitionedCall_2")))
    if object_graph:
        mg += fld(7, 2, object_graph)
    return msg(fld(1, 0, 1), fld(2, 2, mg))


STD_FUNCS = [
    function("__inference__traced_save_1234", [
        node("saver_filename", "Placeholder"), node("StaticRegexFullMatch", "StaticRegexFullMatch"),
        node("Const", "Const"), node("StringJoin", "StringJoin"), node("ShardedFilename", "ShardedFilename"),
        node("SaveV2", "SaveV2"), node("MergeV2Checkpoints/checkpoint_prefixes", "Pack"),
        node("MergeV2Checkpoints", "MergeV2Checkpoints"), node("Identity", "Identity")]),
    function("__inference__traced_restore_5678", [
        node("RestoreV2", "RestoreV2"), node("AssignVariableOp", "AssignVariableOp"),
        node("Identity_1", "Identity")]),
    function("__inference_serving_default_999", [
        node("dense/MatMul/ReadVariableOp", "ReadVariableOp"), node("dense/MatMul", "MatMul"),
        node("dense/BiasAdd", "BiasAdd"), node("dense/Relu", "Relu")]),
]
STD_NODES = [node("serving_default_x", "Placeholder"), node("StatefulPartitionedCall", "StatefulPartitionedCall"),
             node("saver_filename", "Placeholder"), node("StatefulPartitionedCall_1", "StatefulPartitionedCall"),
             node("StatefulPartitionedCall_2", "StatefulPartitionedCall"),
             # TF1-style saver scope
             node("save/Const", "Const"), node("save/SaveV2", "SaveV2"), node("save/RestoreV2", "RestoreV2"),
             node("save/restore_all", "NoOp")]
write("tf/benign/saved_model.pb", saved_model(graph(STD_NODES, STD_FUNCS)))
write("tf/benign/fingerprint.pb", msg(fld(1, 0, 123456789), fld(2, 0, 987654321)))
write("tf/benign/variables/variables.index", b"\x00" * 64)
write("tf/benign/variables/variables.data-00000-of-00001", b"\x00" * 256)

evil_funcs = STD_FUNCS + [function("__inference_serve_evil_42", [
    node("py", "PyFunc"), node("leak", "SaveV2")])]
evil_nodes = STD_NODES + [node("read", "ReadFile"), node("write", "WriteFile"), node("write2", "WriteFile")]
write("tf/malicious/saved_model.pb", saved_model(graph(evil_nodes, evil_funcs)))

# keras_metadata.pb with a Lambda layer (SavedMetadata { nodes { node_path, identifier, metadata } })
lam_meta = json.dumps({"class_name": "Lambda", "name": "evil_lambda", "trainable": True,
                       "config": lambda_layer("evil_lambda", LAMBDA_B64)["config"]})
seq_meta = json.dumps({"class_name": "Sequential", "name": "sequential", "config": {"name": "sequential"}})
write("tf/keras_lambda/saved_model.pb", saved_model(graph(STD_NODES, STD_FUNCS)))
write("tf/keras_lambda/keras_metadata.pb", msg(
    fld(1, 2, msg(fld(3, 2, "root"), fld(4, 2, "_tf_keras_sequential"), fld(5, 2, seq_meta))),
    fld(1, 2, msg(fld(3, 2, "root.layer-0"), fld(4, 2, "_tf_keras_layer"), fld(5, 2, lam_meta)))))
# object graph: SavedObject { user_object (4) { identifier (1), metadata (3) } } (TF 2.x Keras models)
og = msg(fld(1, 2, msg(fld(4, 2, msg(fld(1, 2, "_tf_keras_sequential"), fld(3, 2, seq_meta))))),
         fld(1, 2, msg(fld(4, 2, msg(fld(1, 2, "_tf_keras_layer"), fld(3, 2, lam_meta))))))
write("tf/object_graph_lambda/saved_model.pb", saved_model(graph(STD_NODES, STD_FUNCS), object_graph=og))
# frozen GraphDef
write("tf/frozen_graph.pb", graph([node("input", "Placeholder"), node("path", "Const"), node("rf", "ReadFile", ["path"]),
                                   node("out", "Identity", ["rf"])]))
write("tf/benign_frozen.pb", graph([node("input", "Placeholder"), node("w", "Const"),
                                    node("mm", "MatMul", ["input", "w"]), node("out", "Softmax", ["mm"])]))
write("tf/truncated/saved_model.pb", saved_model(graph(evil_nodes, evil_funcs))[:200])

# ------------------------------------------------------------------ ONNX ---
import onnx  # noqa: E402
from onnx import TensorProto, helper  # noqa: E402


def onnx_model(nodes, inits=(), functions=(), opsets=None):
    x = helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 3, 8, 8])
    y = helper.make_tensor_value_info("y", TensorProto.FLOAT, None)
    g = helper.make_graph(nodes, "g", [x], [y], initializer=list(inits))
    kw = {}
    if functions:
        kw["functions"] = list(functions)
    m = helper.make_model(g, opset_imports=opsets or [helper.make_opsetid("", 17)], producer_name="pytorch", **kw)
    return m.SerializeToString()


w = helper.make_tensor("w", TensorProto.FLOAT, [4, 3, 3, 3], [0.1] * 108)
write("onnx/benign.onnx", onnx_model([helper.make_node("Conv", ["x", "w"], ["c"]),
                                      helper.make_node("Relu", ["c"], ["y"])], [w]))
write("onnx/custom_op.onnx", onnx_model([helper.make_node("RunShell", ["x"], ["y"], domain="com.evil")],
                                        opsets=[helper.make_opsetid("", 17), helper.make_opsetid("com.evil", 1)]))
ms_ok = onnx_model([helper.make_node("FusedConv", ["x", "w"], ["y"], domain="com.microsoft")], [w],
                   opsets=[helper.make_opsetid("", 17), helper.make_opsetid("com.microsoft", 1)])
write("onnx/contrib_op.onnx", ms_ok)


def ext_tensor(name, location):
    t = TensorProto()
    t.name = name
    t.data_type = TensorProto.FLOAT
    t.dims.extend([4])
    t.data_location = TensorProto.EXTERNAL
    e = t.external_data.add()
    e.key = "location"
    e.value = location
    e = t.external_data.add()
    e.key = "length"
    e.value = "16"
    return t


write("onnx/external_traversal.onnx", onnx_model([helper.make_node("Add", ["x", "a"], ["s"]),
                                                  helper.make_node("Add", ["s", "b"], ["y"])],
                                                 [ext_tensor("a", "../../../../etc/passwd"),
                                                  ext_tensor("b", "/etc/shadow")]))
write("onnx/external_ok.onnx", onnx_model([helper.make_node("Add", ["x", "a"], ["y"])],
                                          [ext_tensor("a", "weights/model.onnx.data")]))
fn = helper.make_function("local.fns", "MyRelu", ["X"], ["Y"], [helper.make_node("Relu", ["X"], ["Y"])],
                          [helper.make_opsetid("", 17)])
write("onnx/local_function.onnx", onnx_model([helper.make_node("MyRelu", ["x"], ["y"], domain="local.fns")],
                                              functions=[fn],
                                              opsets=[helper.make_opsetid("", 17), helper.make_opsetid("local.fns", 1)]))
then_g = helper.make_graph([helper.make_node("Steal", ["x"], ["t"], domain="com.evil")], "then", [],
                           [helper.make_tensor_value_info("t", TensorProto.FLOAT, None)])
else_g = helper.make_graph([helper.make_node("Identity", ["x"], ["e"])], "else", [],
                           [helper.make_tensor_value_info("e", TensorProto.FLOAT, None)])
write("onnx/subgraph_custom.onnx", onnx_model([helper.make_node("Constant", [], ["cond"],
                                               value=helper.make_tensor("c", TensorProto.BOOL, [], [True])),
                                               helper.make_node("If", ["cond"], ["y"], then_branch=then_g,
                                                                else_branch=else_g)]))
deep = helper.make_graph([helper.make_node("Custom", ["x"], ["y"], domain="com.evil")], "leaf", [], [])
for i in range(40):
    deep = helper.make_graph([helper.make_node("If", ["c"], ["y"], then_branch=deep, else_branch=else_g)], f"g{i}", [], [])
m = helper.make_model(deep, opset_imports=[helper.make_opsetid("", 17)])
write("onnx/deep_subgraphs.onnx", m.SerializeToString())
write("onnx/truncated.onnx", open(path("onnx/benign.onnx"), "rb").read()[:100])

# ------------------------------------------------------------------ GGUF ---
def gstr(s):
    b = s.encode() if isinstance(s, str) else s
    return struct.pack("<Q", len(b)) + b


def gkv(key, typ, val):
    out = gstr(key) + struct.pack("<I", typ)
    if typ == 8:
        out += gstr(val)
    elif typ == 4:
        out += struct.pack("<I", val)
    elif typ == 9:
        et, items = val
        out += struct.pack("<IQ", et, len(items))
        for it in items:
            out += gstr(it) if et == 8 else struct.pack("<i", it)
    return out


CHAT_OK = ("{% if messages[0]['role'] == 'system' %}{% set loop_messages = messages[1:] %}"
           "{% set system_message = messages[0]['content'] %}{% else %}{% set loop_messages = messages %}"
           "{% set system_message = false %}{% endif %}{% set ns = namespace(found=false) %}"
           "{% for message in loop_messages %}{% if (message['role'] == 'user') != (loop.index0 % 2 == 0) %}"
           "{{ raise_exception('Conversation roles must alternate user/assistant/user/assistant/...') }}{% endif %}"
           "{% if loop.index0 == 0 and system_message != false %}{% set content = '<<SYS>>\\n' + system_message + "
           "'\\n<</SYS>>\\n\\n' + message['content'] %}{% else %}{% set content = message['content'] %}{% endif %}"
           "{% if message['role'] == 'user' %}{{ bos_token + '[INST] ' + content.strip() + ' [/INST]' }}"
           "{% elif message['role'] == 'assistant' %}{{ ' ' + content.strip() + ' ' + eos_token }}{% endif %}"
           "{% endfor %}{# the os module is not used #}")
CHAT_EVIL = ("{% for x in ().__class__.__base__.__subclasses__() %}{% if \"warning\" in x.__name__ %}"
             "{{ x()._module.__builtins__['__import__']('os').popen(\"true\").read() }}{% endif %}{% endfor %}")
CHAT_OBFUSCATED = "{{ ()|attr('__cla' ~ 'ss__') }}{{ cycler['\\x5f\\x5finit\\x5f\\x5f'] }}"


def gguf(kvs, tensors=((b"tok_embd.weight", [4, 4], 0),), version=3, nkv=None, ntensors=None, pad_data=True):
    body = b"GGUF" + struct.pack("<I", version)
    body += struct.pack("<QQ", len(tensors) if ntensors is None else ntensors, len(kvs) if nkv is None else nkv)
    for k in kvs:
        body += k
    off = 0
    for name, dims, typ in tensors:
        body += gstr(name) + struct.pack("<I", len(dims)) + b"".join(struct.pack("<Q", d) for d in dims)
        body += struct.pack("<IQ", typ, off)
        n = 1
        for d in dims:
            n *= d
        off += n * 4
    if pad_data:
        body += b"\x00" * ((32 - len(body) % 32) % 32)
        body += b"\x00" * off
    return body


base_kvs = [gkv("general.architecture", 8, "llama"), gkv("general.name", 8, "tiny"),
            gkv("general.alignment", 4, 32),
            gkv("tokenizer.ggml.model", 8, "llama"),
            gkv("tokenizer.ggml.tokens", 9, (8, ["<unk>", "<s>", "</s>", "hello", "world"])),
            gkv("tokenizer.ggml.token_type", 9, (5, [2, 3, 3, 1, 1]))]
write("gguf/benign.gguf", gguf(base_kvs + [gkv("tokenizer.chat_template", 8, CHAT_OK)]))
write("gguf/template_rce.gguf", gguf(base_kvs + [gkv("tokenizer.chat_template", 8, CHAT_EVIL)]))
write("gguf/template_obfuscated.gguf", gguf(base_kvs + [gkv("tokenizer.chat_template.tool_use", 8, CHAT_OBFUSCATED)]))
write("gguf/absurd_kv_count.gguf", gguf(base_kvs, nkv=1 << 60))
write("gguf/absurd_tensors_evil_template.gguf", gguf(base_kvs + [gkv("tokenizer.chat_template", 8, CHAT_EVIL)],
                                                     ntensors=1 << 62))
write("gguf/absurd_string.gguf", gguf([gstr("general.name")[:8 + 12] + struct.pack("<I", 8) +
                                       struct.pack("<Q", 1 << 62) + b"x"]))
write("gguf/absurd_array.gguf", gguf([gstr("tokenizer.ggml.tokens") + struct.pack("<I", 9) +
                                      struct.pack("<IQ", 8, 1 << 50)]))
nested = gstr("x.nested") + struct.pack("<I", 9)
for _ in range(5):
    nested += struct.pack("<IQ", 9, 1)
nested += struct.pack("<IQ", 4, 1) + struct.pack("<I", 7)
write("gguf/nested_arrays.gguf", gguf([nested]))
write("gguf/tensor_oob.gguf", gguf(base_kvs, tensors=((b"big", [1 << 20, 1 << 10], 0),), pad_data=False))
# GGUF v1: 32-bit counts and lengths
def gguf_v1(kvs_v1):
    body = b"GGUF" + struct.pack("<III", 1, 0, len(kvs_v1))
    for k, v in kvs_v1:
        kb, vb = k.encode(), v.encode()
        body += struct.pack("<I", len(kb)) + kb + struct.pack("<I", 8) + struct.pack("<I", len(vb)) + vb
    return body


write("gguf/v1_benign.gguf", gguf_v1([("general.architecture", "llama"), ("tokenizer.chat_template", CHAT_OK)]))
write("gguf/v1_evil.gguf", gguf_v1([("general.architecture", "llama"), ("tokenizer.chat_template", CHAT_EVIL)]))
write("gguf/truncated.gguf", gguf(base_kvs + [gkv("tokenizer.chat_template", 8, CHAT_OK)])[:150])

# ----------------------------------------------------------- safetensors ---
def st(header, data_len=None, raw_header=None, pad=0):
    h = raw_header if raw_header is not None else json.dumps(header, separators=(",", ":")).encode()
    h += b" " * pad
    if data_len is None:
        data_len = 0
        for k, v in header.items():
            if k != "__metadata__":
                data_len = max(data_len, v["data_offsets"][1])
    return struct.pack("<Q", len(h)) + h + b"\x00" * data_len


ok_hdr = {"__metadata__": {"format": "pt"},
          "a": {"dtype": "F32", "shape": [2, 2], "data_offsets": [0, 16]},
          "b": {"dtype": "BF16", "shape": [4], "data_offsets": [16, 24]}}
write("safetensors/valid.safetensors", st(ok_hdr, pad=5))
write("safetensors/overlap.safetensors", st({"a": {"dtype": "F32", "shape": [4], "data_offsets": [0, 16]},
                                             "b": {"dtype": "F32", "shape": [4], "data_offsets": [8, 24]}}))
write("safetensors/gap.safetensors", st({"a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]},
                                         "b": {"dtype": "F32", "shape": [2], "data_offsets": [16, 24]}}))
write("safetensors/out_of_file.safetensors", st({"a": {"dtype": "F32", "shape": [1024], "data_offsets": [0, 4096]}},
                                                data_len=64))
write("safetensors/bad_dtype.safetensors", st({"a": {"dtype": "PYOBJ", "shape": [2], "data_offsets": [0, 8]}}))
write("safetensors/shape_mismatch.safetensors", st({"a": {"dtype": "F32", "shape": [3], "data_offsets": [0, 8]}}))
write("safetensors/metadata_not_string.safetensors", st({"__metadata__": {"n": 1},
                                                         "a": {"dtype": "U8", "shape": [1], "data_offsets": [0, 1]}}))
write("safetensors/duplicate_key.safetensors",
      st(None, data_len=8, raw_header=b'{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},'
                                       b'"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}'))
write("safetensors/bad_json.safetensors", st(None, data_len=8, raw_header=b'{"a": {"dtype": "F32",'))
write("safetensors/huge_header.safetensors", struct.pack("<Q", 1 << 40) + b'{"a":1}')
write("safetensors/header_beyond_file.safetensors", struct.pack("<Q", 5000) + b'{"a":{}}' + b"\x00" * 100)
write("safetensors/trailing.safetensors", st(ok_hdr)[:] + b"\x00" * 32)

# ---------------------------------------------------------------- TFLite ---
from tflite_fixture import tflite  # noqa: E402  (shared with tests/bypass)


write("tflite/benign.tflite", tflite([(3, None), (9, None), (25, None)]))  # CONV_2D, FULLY_CONNECTED, SOFTMAX
write("tflite/custom_op.tflite", tflite([(3, None), (32, "MyNativeOp")]))
write("tflite/flex_readfile.tflite", tflite([(32, "FlexReadFile"), (32, "FlexAddV2")]))
write("tflite/truncated.tflite", tflite([(32, "MyNativeOp")])[:30])
huge = bytearray(tflite([(32, "MyNativeOp")]))
vec = struct.unpack_from("<I", huge, 24)[0] + 24  # operator_codes uoffset lives at byte 24
struct.pack_into("<I", huge, vec, 0xFFFFFFFF)
write("tflite/huge_vector.tflite", bytes(huge))

# ------------------------------------------------------------ TorchScript --
TS_OK = ("class Model(Module):\n  __parameters__ = [\"weight\", ]\n  weight : Tensor\n"
         "  def forward(self: __torch__.Model, x: Tensor) -> Tensor:\n"
         "    # os.system is not called here\n"
         "    y = torch.ops.aten.relu(torch.matmul(x, self.weight))\n"
         "    return torch.ops.torchvision.nms(y, y, 0.5)\n")
TS_EVIL = ("class Model(Module):\n  def forward(self: __torch__.Model, x: Tensor) -> Tensor:\n"
           "    _0 = os.system(\"true\")\n    z = torch.ops.evil_ns.run_shell(x)\n    return eval(\"x\")\n")
write("torchscript/benign.py", TS_OK.encode())
write("torchscript/evil.py", TS_EVIL.encode())
for nm, code in [("benign", TS_OK), ("evil", TS_EVIL)]:
    with zipfile.ZipFile(path(f"torchscript/{nm}_script.pt"), "w") as z:
        z.writestr("archive/data.pkl", b"\x80\x02}q\x00.")
        z.writestr("archive/code/__torch__/model.py", code)
        z.writestr("archive/constants.pkl", b"\x80\x02)q\x00.")
        z.writestr("archive/version", "3\n")

# -------------------------------------------------------- msgpack / misc ---
write("misc/flax.msgpack", b"\x82\xa6params\x81\xa5dense\x81\xa6kernel\xc7\x05\x01abcde\xa4step\x01")
write("misc/flax_truncated.msgpack", b"\x82\xa6params\x81\xa5dense\x81\xa6kernel\xc7\xff\x01abc")
write("misc/lgbm.txt", b"tree\nversion=v3\nnum_class=1\nnum_tree_per_iteration=1\nlabel_index=0\n"
      b"max_feature_idx=3\nobjective=binary sigmoid:1\nfeature_names=a b c d\n\nTree=0\nnum_leaves=2\n")
write("misc/xgb.json", json.dumps({"learner": {"attributes": {}, "feature_names": [],
                                              "gradient_booster": {"name": "gbtree", "model": {"trees": []}},
                                              "objective": {"name": "binary:logistic"}},
                                  "version": [1, 7, 6]}).encode())
# Paddle ProgramDesc { blocks { idx=0 parent_idx=-1 ops { type="py_func" } ops { type="relu" } } }
def pd_op(t):
    return fld(4, 2, msg(fld(3, 2, t)))


write("misc/inference.pdmodel", msg(fld(1, 2, msg(fld(1, 0, 0), pd_op("feed"), pd_op("py_func"), pd_op("relu"),
                                                   pd_op("fetch")))))
write("misc/benign.pdmodel", msg(fld(1, 2, msg(fld(1, 0, 0), pd_op("feed"), pd_op("conv2d"), pd_op("fetch")))))
write("misc/model.pdiparams", b"\x00" * 64)
# a .keras inside a zip inside a tar: members go back to classification at any depth
import io  # noqa: E402
import tarfile  # noqa: E402
zbuf = io.BytesIO()
with zipfile.ZipFile(zbuf, "w") as z:
    z.write(path("keras3/lambda.keras"), "models/lambda.keras")
with tarfile.open(path("nested/bundle.tar"), "w") as t:
    info = tarfile.TarInfo("inner/archive.zip")
    info.size = len(zbuf.getvalue())
    info.mtime = 0
    t.addfile(info, io.BytesIO(zbuf.getvalue()))
print("fixtures written to", OUT)
