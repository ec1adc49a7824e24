#!/usr/bin/python3
"""Write real-world model artifacts with the real ML libraries (Debian's
python3-torch, -sklearn, -pandas, -scipy, -joblib, -h5py, -numpy, -lz4).

Usage: /usr/bin/python3 gen_realworld.py OUTDIR

The committed fixtures in tests/realworld/fixtures/ were written by this script
(torch 1.13, scikit-learn 1.2, pandas 1.5, scipy 1.10, joblib 1.2, numpy 1.24).
CI does not have these libraries: the fixtures are committed, and this script is
kept so they can be regenerated and reviewed.

  benign/     what genuine projects publish: torch.save of state_dicts, whole
              modules and training checkpoints (zip and legacy formats), a
              TorchScript archive, an ONNX export, scikit-learn pipelines via
              pickle and joblib (every compressor), pandas/numpy/scipy/h5py data,
              and a transformers `training_args.bin` (+ the Trainer's
              optimizer/scheduler/rng/scaler files)
  malicious/  the same libraries carrying a payload: harmless if ever loaded
              (os.system("true"), builtins.eval("1+1"), builtins.print)
  executes_code/  genuine artifacts whose loading runs code stored in the file
              (an FX GraphModule: torch.load exec()s its source)

Nothing is ever loaded, unpickled or executed: objects are only dumped.
"""
import argparse
import collections
import dataclasses
import datetime
import enum
import io
import os
import pickle
import random
import sys
import types

import h5py
import joblib
import numpy as np
import pandas as pd
import scipy.sparse
import torch
import torch.nn as nn
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import RandomForestClassifier
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import FunctionTransformer, OneHotEncoder, StandardScaler

OUT = sys.argv[1] if len(sys.argv) > 1 else "fixtures"
B = os.path.join(OUT, "benign")
M = os.path.join(OUT, "malicious")
os.makedirs(B, exist_ok=True)
os.makedirs(M, exist_ok=True)

torch.manual_seed(0)
np.random.seed(0)
random.seed(0)


def wbytes(path, data):
    with open(path, "wb") as f:
        f.write(data)


# ---------------------------------------------------------------- torch --------
def small_net():
    return nn.Sequential(
        nn.Conv2d(1, 2, 3), nn.BatchNorm2d(2), nn.ReLU(), nn.Flatten(),
        nn.Linear(8, 4), nn.LayerNorm(4), nn.Dropout(0.1), nn.GELU(), nn.Linear(4, 2))


net = small_net()
torch.save(net.state_dict(), os.path.join(B, "torch_state_dict.pt"))
torch.save(net.state_dict(), os.path.join(B, "torch_state_dict_legacy.pt"),
           _use_new_zipfile_serialization=False)
torch.save(net, os.path.join(B, "torch_full_model.pt"))
torch.save(net, os.path.join(B, "torch_full_model_legacy.pt"), _use_new_zipfile_serialization=False)

lm = nn.ModuleDict({"emb": nn.Embedding(10, 4), "lstm": nn.LSTM(4, 4, batch_first=True),
                    "attn": nn.MultiheadAttention(4, 2), "head": nn.Linear(4, 3)})
torch.save(lm, os.path.join(B, "torch_full_model_rnn_attention.pt"))

# A training checkpoint: model + optimizer + scheduler + AMP scaler + args + RNG states.
opt = torch.optim.AdamW(net.parameters(), lr=1e-3)
for p in net.parameters():
    p.grad = torch.zeros_like(p)
opt.step()
sched = torch.optim.lr_scheduler.StepLR(opt, step_size=10, gamma=0.5)
sched.step()
scaler = torch.cuda.amp.GradScaler(enabled=False)
ckpt_args = argparse.Namespace(lr=1e-3, epochs=3, data="/data/train", seed=0)
torch.save({
    "epoch": 3, "global_step": 120, "best_metric": 0.91,
    "model_state_dict": net.state_dict(),
    "optimizer_state_dict": opt.state_dict(),
    "scheduler_state_dict": sched.state_dict(),
    "scaler": scaler.state_dict(),
    "args": ckpt_args,
    "config": types.SimpleNamespace(hidden=64, dropout=0.1, name="tiny"),
    "torch_rng_state": torch.get_rng_state(),
    "numpy_rng_state": np.random.get_state(),
    "python_rng_state": random.getstate(),
}, os.path.join(B, "torch_training_checkpoint.pt"))
# Whole objects in a checkpoint (older scripts do this).
torch.save({"optimizer": opt, "scheduler": sched, "scaler": scaler},
           os.path.join(B, "torch_optimizer_objects.pt"))
# OneCycleLR / CosineAnnealing / ReduceLROnPlateau scheduler state dicts.
opt2 = torch.optim.SGD(net.parameters(), lr=0.1, momentum=0.9)
onecycle = torch.optim.lr_scheduler.OneCycleLR(opt2, max_lr=0.1, total_steps=10)
plateau = torch.optim.lr_scheduler.ReduceLROnPlateau(opt2)
torch.save({"onecycle": onecycle.state_dict(), "plateau": plateau.state_dict(),
            "sgd": opt2.state_dict()}, os.path.join(B, "torch_schedulers.pt"))

# Hyper-parameters holding callables (timm-style configs): a functools.partial of a
# layer class and a plain function, as the pickler writes them (partial(fn) + BUILD).
import functools  # noqa: E402

torch.save({"state_dict": net.state_dict(),
            "hparams": {"norm_layer": functools.partial(nn.LayerNorm, eps=1e-6),
                        "act": torch.nn.functional.relu, "dtype": torch.float16}},
           os.path.join(B, "torch_hparams_partial.pt"))

# Dynamic quantization (quantized layer classes, qint8 tensors, TorchBind packed params).
qnet = torch.quantization.quantize_dynamic(nn.Sequential(nn.Linear(4, 4), nn.ReLU(), nn.Linear(4, 2)),
                                           {nn.Linear}, dtype=torch.qint8)
torch.save(qnet, os.path.join(B, "torch_quantized_dynamic.pt"))
torch.save(qnet.state_dict(), os.path.join(B, "torch_quantized_state_dict.pt"))

# An FX GraphModule: torch.load exec()s the Python source stored in the pickle
# (torch.fx.graph_module.reduce_graph_module), so it is critical whatever the source says.
X_DIR = os.path.join(OUT, "executes_code")
os.makedirs(X_DIR, exist_ok=True)
import torch.fx  # noqa: E402

torch.save(torch.fx.symbolic_trace(nn.Sequential(nn.Linear(4, 4), nn.ReLU())),
           os.path.join(X_DIR, "torch_fx_graph_module.pt"))

# TorchScript
scripted = torch.jit.trace(nn.Sequential(nn.Linear(4, 3), nn.ReLU(), nn.Linear(3, 2)).eval(),
                           torch.zeros(1, 4))
torch.jit.save(scripted, os.path.join(B, "torchscript_traced.pt"))


class TinyScripted(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(4, 2)

    def forward(self, x):
        if x.sum() > 0:
            return torch.relu(self.fc(x))
        return self.fc(x) * 2


torch.jit.save(torch.jit.script(TinyScripted()), os.path.join(B, "torchscript_scripted.pt"))

# ONNX export (works offline)
try:
    torch.onnx.export(nn.Sequential(nn.Linear(4, 3), nn.ReLU()).eval(), torch.zeros(1, 4),
                      os.path.join(B, "torch_export.onnx"), opset_version=13,
                      input_names=["x"], output_names=["y"])
except Exception as e:  # pragma: no cover - depends on the installed torch
    print("onnx export skipped:", e, file=sys.stderr)


# ------------------------------------------- transformers Trainer outputs --------
# transformers/accelerate are not packaged by Debian: reproduce their classes
# under their real module names so the pickler writes the same opcode stream
# (GLOBAL module+qualname, NEWOBJ for the dataclass, REDUCE for each enum).
def fake_module(name):
    parts = name.split(".")
    for i in range(1, len(parts) + 1):
        n = ".".join(parts[:i])
        if n not in sys.modules:
            sys.modules[n] = types.ModuleType(n)
    return sys.modules[name]


def place(cls, module):
    cls.__module__ = module
    setattr(fake_module(module), cls.__name__, cls)
    return cls


class ExplicitEnum(str, enum.Enum):
    pass


IntervalStrategy = place(ExplicitEnum("IntervalStrategy", {"NO": "no", "STEPS": "steps", "EPOCH": "epoch"}),
                         "transformers.trainer_utils")
SchedulerType = place(ExplicitEnum("SchedulerType", {"LINEAR": "linear", "COSINE": "cosine"}),
                      "transformers.trainer_utils")
HubStrategy = place(ExplicitEnum("HubStrategy", {"END": "end", "EVERY_SAVE": "every_save"}),
                    "transformers.trainer_utils")
FSDPOption = place(ExplicitEnum("FSDPOption", {"FULL_SHARD": "full_shard"}), "transformers.trainer_utils")
OptimizerNames = place(ExplicitEnum("OptimizerNames", {"ADAMW_TORCH": "adamw_torch"}), "transformers.training_args")
DebugOption = place(ExplicitEnum("DebugOption", {"UNDERFLOW_OVERFLOW": "underflow_overflow"}),
                    "transformers.debug_utils")
DistributedType = place(ExplicitEnum("DistributedType", {"NO": "NO", "MULTI_GPU": "MULTI_GPU"}),
                        "accelerate.utils.dataclasses")


@dataclasses.dataclass
class AcceleratorConfig:
    split_batches: bool = False
    dispatch_batches: object = None
    even_batches: bool = True
    use_seedable_sampler: bool = True
    non_blocking: bool = False
    gradient_accumulation_kwargs: object = None


place(AcceleratorConfig, "transformers.trainer_pt_utils")


class PartialState:
    _shared_state = {}


place(PartialState, "accelerate.state")


@dataclasses.dataclass
class TrainingArguments:
    output_dir: str = "outputs"
    overwrite_output_dir: bool = False
    do_train: bool = True
    do_eval: bool = True
    evaluation_strategy: object = IntervalStrategy.STEPS
    per_device_train_batch_size: int = 8
    gradient_accumulation_steps: int = 1
    learning_rate: float = 5e-5
    weight_decay: float = 0.0
    num_train_epochs: float = 3.0
    max_steps: int = -1
    lr_scheduler_type: object = SchedulerType.LINEAR
    lr_scheduler_kwargs: dict = dataclasses.field(default_factory=dict)
    warmup_ratio: float = 0.0
    logging_dir: str = "outputs/runs/Nov27_16-00-00"
    logging_strategy: object = IntervalStrategy.STEPS
    save_strategy: object = IntervalStrategy.EPOCH
    seed: int = 42
    fp16: bool = False
    debug: list = dataclasses.field(default_factory=list)
    fsdp: list = dataclasses.field(default_factory=list)
    fsdp_config: dict = dataclasses.field(default_factory=lambda: {"min_num_params": 0, "xla": False})
    report_to: list = dataclasses.field(default_factory=lambda: ["tensorboard"])
    hub_strategy: object = HubStrategy.EVERY_SAVE
    optim: object = OptimizerNames.ADAMW_TORCH
    accelerator_config: object = dataclasses.field(default_factory=AcceleratorConfig)
    push_to_hub: bool = False


place(TrainingArguments, "transformers.training_args")


@dataclasses.dataclass
class Seq2SeqTrainingArguments(TrainingArguments):
    predict_with_generate: bool = True
    generation_max_length: int = 128


place(Seq2SeqTrainingArguments, "transformers.training_args_seq2seq")


def training_args(cls=TrainingArguments):
    a = cls()
    a.debug = [DebugOption.UNDERFLOW_OVERFLOW] if cls is Seq2SeqTrainingArguments else []
    a.fsdp = []
    a._n_gpu = 0
    # the cached_property TrainingArguments._setup_devices stores in __dict__
    a.__dict__["__cached__setup_devices"] = torch.device("cpu")
    st = PartialState()
    st.__dict__.update({"_cpu": True, "backend": None, "device": torch.device("cpu"), "debug": False,
                        "distributed_type": DistributedType.NO, "num_processes": 1, "process_index": 0,
                        "local_process_index": 0, "fork_launched": False})
    a.distributed_state = st
    a.deepspeed_plugin = None
    return a


class HfTrainerDeepSpeedConfig:
    pass


@dataclasses.dataclass
class DeepSpeedPlugin:
    hf_ds_config: object = None
    gradient_accumulation_steps: int = 1
    zero_stage: int = 2
    zero3_init_flag: bool = False


place(HfTrainerDeepSpeedConfig, "transformers.integrations.deepspeed")
place(DeepSpeedPlugin, "accelerate.utils.dataclasses")
ds_args = training_args()
ds_cfg = HfTrainerDeepSpeedConfig()
ds_cfg.__dict__.update({"config": {"zero_optimization": {"stage": 2}, "train_batch_size": "auto"},
                        "_stage": 2, "_offload": False, "_dtype": torch.bfloat16, "mismatches": []})
ds_args.hf_deepspeed_config = ds_cfg
ds_args.deepspeed_plugin = DeepSpeedPlugin(hf_ds_config=ds_cfg)
ds_args.deepspeed = "ds_config.json"
torch.save(ds_args, os.path.join(B, "training_args_deepspeed.bin"))
torch.save(training_args(), os.path.join(B, "training_args.bin"))
torch.save(training_args(Seq2SeqTrainingArguments), os.path.join(B, "training_args_seq2seq.bin"))
wbytes(os.path.join(B, "training_args_p4.pkl"), pickle.dumps(training_args(), protocol=4))
# What the Trainer writes next to it in checkpoint-N/ folders.
lam = torch.optim.lr_scheduler.LambdaLR(opt, lambda s: 1.0)
torch.save(opt.state_dict(), os.path.join(B, "optimizer.pt"))
torch.save(lam.state_dict(), os.path.join(B, "scheduler.pt"))
torch.save({"python": random.getstate(), "numpy": np.random.get_state(), "cpu": torch.random.get_rng_state()},
           os.path.join(B, "rng_state.pth"))
torch.save(scaler.state_dict(), os.path.join(B, "scaler.pt"))

# Lightning / Stable Diffusion style checkpoint: callbacks keyed by the callback class
# (pytorch_lightning 1.x), hyper-parameters as AttributeDict and an omegaconf config.
from omegaconf import OmegaConf  # noqa: E402  (Debian python3-omegaconf)


class ModelCheckpoint:
    pass


class AttributeDict(dict):
    pass


place(ModelCheckpoint, "pytorch_lightning.callbacks.model_checkpoint")
place(AttributeDict, "pytorch_lightning.utilities.parsing")
torch.save({
    "epoch": 5, "global_step": 1000, "pytorch-lightning_version": "1.4.2",
    "state_dict": net.state_dict(),
    "callbacks": {ModelCheckpoint: {"monitor": "val/loss", "best_model_score": torch.tensor(0.25),
                                    "best_model_path": "/ckpt/epoch=5.ckpt", "current_score": torch.tensor(0.25),
                                    "dirpath": "/ckpt"}},
    "optimizer_states": [opt.state_dict()], "lr_schedulers": [sched.state_dict()],
    "hparams_name": "kwargs",
    "hyper_parameters": AttributeDict(lr=1e-3, hidden=64),
    "cfg": OmegaConf.create({"model": {"lr": 0.1, "layers": [1, 2]}, "name": "run", "ref": "${name}"}),
}, os.path.join(B, "lightning_checkpoint.ckpt"))

# ----------------------------------------------------------- scikit-learn --------
rng = np.random.RandomState(0)
X = rng.normal(size=(40, 3))
y = (X[:, 0] > 0).astype(int)
pipe = Pipeline([("scale", StandardScaler()), ("clf", LogisticRegression())]).fit(X, y)
forest = RandomForestClassifier(n_estimators=3, max_depth=3, random_state=0).fit(X, y)
frame = pd.DataFrame({"num": rng.normal(size=40), "cat": rng.choice(["a", "b", "c"], 40),
                      "miss": np.where(rng.rand(40) > 0.8, np.nan, 1.0)})
ct = Pipeline([
    ("prep", ColumnTransformer([
        ("num", Pipeline([("imp", SimpleImputer()), ("sc", StandardScaler())]), ["num", "miss"]),
        ("cat", OneHotEncoder(handle_unknown="ignore"), ["cat"])])),
    ("clf", LogisticRegression())]).fit(frame, y)
ft = Pipeline([("log", FunctionTransformer(np.log1p, inverse_func=np.expm1)),
               ("clf", LogisticRegression())]).fit(np.abs(X), y)

import xgboost  # noqa: E402  (Debian python3-xgboost)

xgb = xgboost.XGBClassifier(n_estimators=2, max_depth=2).fit(X, y)
wbytes(os.path.join(B, "xgboost_classifier.pkl"), pickle.dumps(xgb, protocol=4))
for name, obj in [("sklearn_pipeline_logreg", pipe), ("sklearn_random_forest", forest),
                  ("sklearn_column_transformer", ct), ("sklearn_function_transformer", ft)]:
    wbytes(os.path.join(B, name + ".pkl"), pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL))
    joblib.dump(obj, os.path.join(B, name + ".joblib"))
for comp in ["zlib", "gzip", "bz2", "xz", "lzma", "lz4"]:
    joblib.dump(pipe, os.path.join(B, "sklearn_pipeline_logreg.%s.joblib" % comp), compress=(comp, 3))
joblib.dump(forest, os.path.join(B, "sklearn_random_forest.z.joblib"), compress=3)

# ------------------------------------------------------ pandas / numpy / scipy ----
df = pd.DataFrame({
    "f": np.arange(5, dtype=np.float32), "i": np.arange(5), "s": list("abcde"),
    "cat": pd.Categorical(list("xyxyx")), "t": pd.date_range("2024-01-01", periods=5, tz="UTC"),
    "td": pd.to_timedelta(np.arange(5), unit="s"), "b": [True, False] * 2 + [True],
    "n": pd.array([1, None, 3, 4, 5], dtype="Int64")})
df.attrs["source"] = "survey-2024"
df.to_pickle(os.path.join(B, "pandas_dataframe.pkl"))
import dateutil.tz  # noqa: E402  (pandas dependency)

pd.DataFrame({"o": pd.array(["x", pd.NA], dtype=object), "p": pd.period_range("2024-01", periods=2, freq="M"),
              "iv": pd.interval_range(0, 2), "du": pd.date_range("2024", periods=2, tz=dateutil.tz.gettz("Europe/Paris")),
              "utc": pd.date_range("2024", periods=2, tz=dateutil.tz.tzutc()),
              "sp": pd.arrays.SparseArray([0, 1])}).to_pickle(os.path.join(B, "pandas_tz_na_sparse.pkl"))
import zoneinfo  # noqa: E402

# datetime with a zoneinfo zone: pickled as getattr(ZoneInfo, '_unpickle')('Europe/Paris', 1)
torch.save({"created": datetime.datetime(2024, 1, 1, tzinfo=zoneinfo.ZoneInfo("Europe/Paris")),
            "state_dict": net.state_dict()}, os.path.join(B, "torch_zoneinfo_timestamp.pt"))
pd.Series([1.0, 2.0], index=pd.MultiIndex.from_tuples([("a", 1), ("b", 2)])).to_pickle(
    os.path.join(B, "pandas_series_multiindex.pkl"))
df.to_pickle(os.path.join(B, "pandas_dataframe.pkl.gz"), compression="gzip")

np.save(os.path.join(B, "numpy_plain.npy"), np.arange(24, dtype=np.float32).reshape(2, 3, 4))
np.save(os.path.join(B, "numpy_object.npy"), np.array([{"label": "cat", "id": 1}, [1, 2], "x", None],
                                                      dtype=object), allow_pickle=True)
np.savez(os.path.join(B, "numpy_arrays.npz"), w=np.ones((3, 3)), b=np.zeros(3, dtype=np.int8))
np.savez_compressed(os.path.join(B, "numpy_object_compressed.npz"), w=np.ones(4),
                    meta=np.array([{"classes": ["a", "b"]}], dtype=object))

sp = scipy.sparse.random(20, 20, density=0.1, format="csr", random_state=0)
scipy.sparse.save_npz(os.path.join(B, "scipy_sparse_csr.npz"), sp)
wbytes(os.path.join(B, "scipy_sparse.pkl"),
       pickle.dumps({"csr": sp, "coo": sp.tocoo(), "csc": sp.tocsc(), "lil": sp.tolil()}, protocol=4))

with h5py.File(os.path.join(B, "h5py_dataset.h5"), "w") as h:
    h.create_dataset("features", data=np.arange(30, dtype=np.float32).reshape(10, 3))
    g = h.create_group("meta")
    g.attrs["description"] = "feature store export"
    g.create_dataset("labels", data=np.array([b"a", b"b"]))

# ------------------------------------------------------------------ malicious ----


class OsSystem:
    def __reduce__(self):
        return (os.system, ("true",))


class HostileModule(nn.Linear):
    """An nn.Module subclass whose pickling runs a command."""

    def __reduce__(self):
        return (os.system, ("true",))


class HostileAttr:
    def __reduce__(self):
        import builtins
        return (builtins.eval, ("1+1",))


wbytes(os.path.join(M, "reduce_os_system.pkl"), pickle.dumps(OsSystem(), protocol=4))
bad_net = small_net()
bad_net.add_module("extra", HostileModule(2, 2))
torch.save(bad_net, os.path.join(M, "torch_module_hostile_reduce.pt"))
torch.save(bad_net, os.path.join(M, "torch_module_hostile_reduce_legacy.pt"), _use_new_zipfile_serialization=False)
torch.save({"model_state_dict": net.state_dict(), "epoch": 1, "args": OsSystem()},
           os.path.join(M, "torch_checkpoint_payload.pt"))
ta = training_args()
ta.report_to = [OsSystem()]
torch.save(ta, os.path.join(M, "training_args_payload.bin"))

evil_ft = Pipeline([("f", FunctionTransformer(func=eval)), ("clf", LogisticRegression())])
wbytes(os.path.join(M, "sklearn_function_transformer_eval.pkl"), pickle.dumps(evil_ft, protocol=4))
joblib.dump(evil_ft, os.path.join(M, "sklearn_function_transformer_eval.joblib"))
joblib.dump(evil_ft, os.path.join(M, "sklearn_function_transformer_eval.xz.joblib"), compress=("xz", 3))
joblib.dump(evil_ft, os.path.join(M, "sklearn_function_transformer_eval.lz4.joblib"), compress=("lz4", 3))

torch.save({"state_dict": net.state_dict(), "hparams": {"act": functools.partial(os.system, "true")}},
           os.path.join(M, "torch_hparams_partial_os_system.pt"))
evil_df = pd.DataFrame({"a": [1, 2]})
evil_df.attrs["hook"] = HostileAttr()
evil_df.to_pickle(os.path.join(M, "pandas_attrs_hostile.pkl"))
np.save(os.path.join(M, "numpy_object_payload.npy"), np.array([1, OsSystem()], dtype=object), allow_pickle=True)
np.savez(os.path.join(M, "numpy_object_payload.npz"), w=np.ones(2), o=np.array([OsSystem()], dtype=object))
