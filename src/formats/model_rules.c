/*
 * model_rules.c - rule metadata of the non-pickle model formats, the TSV
 * rule-table loader they share, and small helpers (base64, names).
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/embedded.h"
#include "model_formats.h"

#define SC "ML06:2023 AI Supply Chain Attacks"
#define ATL_EXEC "AML.T0011.000 User Execution: Unsafe ML Artifacts"
#define ATL_SC "AML.T0010.003 ML Supply Chain Compromise: Model"
#define NIST_M "MANAGE 2.3"
#define NIST_MS "MEASURE 2.7"

static const wt_rule rules[] = {
    /* Keras */
    {"WT-KERAS-001", "KerasLambdaBytecode", WT_CAT_MODEL, WT_SEV_CRITICAL,
     "Keras Lambda layer carries serialized Python bytecode",
     "Loading the model unmarshals and runs attacker-supplied Python bytecode (CVE-2024-3660)",
     "CWE-94", SC, ATL_EXEC, NIST_M},
    {"WT-KERAS-002", "KerasLambdaLayer", WT_CAT_MODEL, WT_SEV_HIGH,
     "Keras Lambda layer calls a Python function by name",
     "The loader imports and calls the named function; safe only if the function is trusted",
     "CWE-94", SC, ATL_EXEC, NIST_M},
    {"WT-KERAS-003", "KerasCustomObject", WT_CAT_MODEL, WT_SEV_MEDIUM,
     "Keras layer or object class that is not a Keras built-in",
     "Custom objects need user code at load time; the model cannot run it by itself",
     "CWE-829", SC, ATL_SC, NIST_MS},
    {"WT-KERAS-004", "KerasDangerousModule", WT_CAT_MODEL, WT_SEV_CRITICAL,
     "Keras config imports a dangerous module or function",
     "Keras 3 imports `module` and looks up `class_name`/`function`; os, subprocess, builtins or safe-mode switches run code (CVE-2025-1550)",
     "CWE-502", SC, ATL_EXEC, NIST_M},
    {"WT-KERAS-005", "KerasExternalModule", WT_CAT_MODEL, WT_SEV_MEDIUM,
     "Keras config references a module outside Keras",
     "The loader imports a third-party module named by the file",
     "CWE-829", SC, ATL_SC, NIST_MS},
    {"WT-KERAS-006", "Hdf5ParserFailure", WT_CAT_MODEL, WT_SEV_HIGH,
     "The HDF5 parser crashed or timed out on this file",
     "A file that crashes or hangs libhdf5 in isolation likely targets HDF5 parser bugs in the loader",
     "CWE-20", SC, ATL_EXEC, NIST_M},
    {"WT-KERAS-007", "KerasMalformedConfig", WT_CAT_MODEL, WT_SEV_MEDIUM,
     "Keras model config or HDF5 structure is malformed",
     "The loader may fail or behave differently from this scanner",
     "CWE-20", SC, ATL_SC, NIST_MS},
    {"WT-KERAS-008", "KerasExternalResource", WT_CAT_MODEL, WT_SEV_HIGH,
     "Keras layer opens a file, directory or URL named by the model while it is loaded",
     "Deserialization reads local files or fetches URLs chosen by the model author even in safe_mode "
     "(TFSMLayer runs an external SavedModel; lookup vocabularies: CVE-2025-12058 file read and SSRF)",
     "CWE-73", SC, ATL_EXEC, NIST_M},
    /* skops */
    {"WT-SKOPS-001", "SkopsUnsafeType", WT_CAT_MODEL, WT_SEV_CRITICAL,
     "skops schema imports, constructs or calls a type or function that the pickle policy rates unsafe",
     "skops.io.load imports every __module__/__class__ of the schema (ObjectNode, FunctionNode, TypeNode, "
     "MethodNode, OperatorFuncNode); users pass trusted=get_untrusted_types() and skops' checks were bypassed "
     "(CVE-2025-54412, CVE-2025-54413). Severity per rules/pickle_globals.tsv; unknown types are low",
     "CWE-502", SC, ATL_EXEC, NIST_M},
    /* Hugging Face configs */
    {"WT-HF-001", "HfRemoteCodeOtherRepo", WT_CAT_MODEL, WT_SEV_HIGH,
     "auto_map / custom_pipelines load Python code from another repository",
     "With trust_remote_code, transformers downloads 'org/repo--module.Class' from that other repository and runs "
     "it: the code is outside the repository being reviewed and can change at any time",
     "CWE-829", SC, ATL_EXEC, NIST_M},
    {"WT-HF-002", "HfRemoteCode", WT_CAT_MODEL, WT_SEV_LOW,
     "auto_map / custom_pipelines need trust_remote_code (the repository's Python files run at load)",
     "Loading runs the repository's own .py files (scanned as code); informative on its own",
     "CWE-829", SC, ATL_EXEC, NIST_M},
    /* instantiate-style configs */
    {"WT-HYDRA-001", "ConfigInstantiatesDangerousTarget", WT_CAT_MODEL, WT_SEV_CRITICAL,
     "Model config names a dangerous callable in _target_ / target / cls",
     "Libraries that build models from metadata (Hydra/OmegaConf instantiate in NeMo, Uni2TS, FlexTok) import "
     "and call it at load time (CVE-2025-23304); severity per rules/pickle_globals.tsv",
     "CWE-94", SC, ATL_EXEC, NIST_M},
    {"WT-YAML-001", "YamlPythonTag", WT_CAT_MODEL, WT_SEV_MEDIUM,
     "YAML file carries a PyYAML python tag (!!python/object/apply, /new, /name, /module)",
     "yaml.load with an unsafe loader imports and calls the tagged callable (nested deserialization, modelscan issue "
     "338); plain configs never need the tag. Dangerous targets take their rules/pickle_globals.tsv severity",
     "CWE-502", SC, ATL_EXEC, NIST_M},
    /* TensorFlow */
    {"WT-TF-001", "TfUnsafeOp", WT_CAT_MODEL, WT_SEV_HIGH,
     "TensorFlow graph uses an op that touches files, the network, processes or Python",
     "Running the graph performs I/O or calls Python chosen by the model author (severity per op in tf_unsafe_ops.tsv)",
     "CWE-94", SC, ATL_EXEC, NIST_M},
    {"WT-TF-002", "TfCheckpointOpOutsideSaver", WT_CAT_MODEL, WT_SEV_HIGH,
     "Save/Restore op used outside the standard checkpoint functions",
     "Checkpoint ops read and write arbitrary files when wired into the inference graph",
     "CWE-73", SC, ATL_EXEC, NIST_M},
    {"WT-TF-003", "TfMalformedGraph", WT_CAT_MODEL, WT_SEV_MEDIUM,
     "TensorFlow protobuf is malformed",
     "TensorFlow would reject or misread the file; the scanner cannot vouch for it",
     "CWE-20", SC, ATL_SC, NIST_MS},
    /* ONNX */
    {"WT-ONNX-001", "OnnxCustomDomainOp", WT_CAT_MODEL, WT_SEV_MEDIUM,
     "ONNX operator from a non-standard domain",
     "Custom operators need a native library registered by the user; they run arbitrary native code",
     "CWE-829", SC, ATL_SC, NIST_MS},
    {"WT-ONNX-002", "OnnxExternalDataTraversal", WT_CAT_MODEL, WT_SEV_HIGH,
     "ONNX external_data location is absolute or escapes the model folder",
     "The runtime reads any file the path names (CVE-2024-27318, CVE-2022-25882)",
     "CWE-22", SC, ATL_EXEC, NIST_M},
    {"WT-ONNX-003", "OnnxEmbeddedFunction", WT_CAT_MODEL, WT_SEV_LOW,
     "ONNX model embeds local functions",
     "Functions are graphs of ONNX ops (no code), listed for review",
     "CWE-829", SC, ATL_SC, NIST_MS},
    {"WT-ONNX-004", "OnnxMalformed", WT_CAT_MODEL, WT_SEV_MEDIUM,
     "ONNX protobuf is malformed",
     "The runtime would reject or misread the file",
     "CWE-20", SC, ATL_SC, NIST_MS},
    /* GGUF */
    {"WT-GGUF-001", "GgufTemplateInjection", WT_CAT_MODEL, WT_SEV_CRITICAL,
     "GGUF Jinja chat template reaches Python internals",
     "Rendering the template outside a sandbox executes code (CVE-2024-34359, llama-cpp-python)",
     "CWE-1336", SC, ATL_EXEC, NIST_M},
    {"WT-GGUF-002", "GgufAbsurdHeader", WT_CAT_MODEL, WT_SEV_MEDIUM,
     "GGUF header declares absurd counts, lengths or offsets",
     "Such values trigger the heap overflows of vulnerable GGUF loaders (CVE-2024-25664 family)",
     "CWE-789", SC, ATL_EXEC, NIST_M},
    {"WT-GGUF-003", "GgufMalformed", WT_CAT_MODEL, WT_SEV_MEDIUM,
     "GGUF file is truncated or malformed",
     "The loader would reject or misread the file",
     "CWE-20", SC, ATL_SC, NIST_MS},
    {"WT-TEMPLATE-001", "ChatTemplateInjection", WT_CAT_MODEL, WT_SEV_CRITICAL,
     "Jinja chat template (tokenizer_config.json, .jinja) reaches Python internals",
     "Rendering the template outside a sandbox executes code (server-side template injection)",
     "CWE-1336", "LLM03:2025 Supply Chain; ML06:2023 AI Supply Chain Attacks", ATL_EXEC, NIST_M},
    /* safetensors */
    {"WT-SAFETENSORS-001", "SafetensorsBadHeader", WT_CAT_MODEL, WT_SEV_MEDIUM,
     "safetensors header length or JSON is invalid",
     "The reference loader rejects it; lenient loaders may misread it",
     "CWE-20", SC, ATL_SC, NIST_MS},
    {"WT-SAFETENSORS-002", "SafetensorsBadTensor", WT_CAT_MODEL, WT_SEV_MEDIUM,
     "safetensors tensor entry has a bad dtype, shape or byte range",
     "Overlapping, out-of-file or mis-sized ranges are how loader differentials and OOB reads start",
     "CWE-125", SC, ATL_SC, NIST_MS},
    {"WT-SAFETENSORS-003", "SafetensorsMetadataNotString", WT_CAT_MODEL, WT_SEV_LOW,
     "safetensors __metadata__ holds non-string values",
     "The specification allows only string to string; the reference loader rejects it",
     "CWE-20", SC, ATL_SC, NIST_MS},
    {"WT-SAFETENSORS-004", "SafetensorsDuplicateKey", WT_CAT_MODEL, WT_SEV_MEDIUM,
     "safetensors header repeats a key",
     "Two JSON parsers may pick different entries for the same tensor (parser differential)",
     "CWE-436", SC, ATL_SC, NIST_MS},
    /* TFLite */
    {"WT-TFLITE-001", "TfliteCustomOp", WT_CAT_MODEL, WT_SEV_MEDIUM,
     "TFLite model uses a custom operator",
     "Custom operators need native code registered by the application",
     "CWE-829", SC, ATL_SC, NIST_MS},
    {"WT-TFLITE-002", "TfliteFlexOp", WT_CAT_MODEL, WT_SEV_LOW,
     "TFLite model runs a TensorFlow op through the Flex delegate",
     "Flex ops run full TensorFlow kernels; severity follows tf_unsafe_ops.tsv for the op",
     "CWE-94", SC, ATL_EXEC, NIST_M},
    {"WT-TFLITE-003", "TfliteMalformed", WT_CAT_MODEL, WT_SEV_MEDIUM,
     "TFLite flatbuffer is malformed",
     "The interpreter would reject or misread the file",
     "CWE-20", SC, ATL_SC, NIST_MS},
    /* TorchScript */
    {"WT-TORCHSCRIPT-001", "TorchScriptDangerousCall", WT_CAT_MODEL, WT_SEV_CRITICAL,
     "TorchScript code references os, subprocess, builtins or eval",
     "Serialized TorchScript should only call torch ops; such names indicate a tampered archive",
     "CWE-94", SC, ATL_EXEC, NIST_M},
    {"WT-TORCHSCRIPT-002", "TorchScriptCustomOp", WT_CAT_MODEL, WT_SEV_MEDIUM,
     "TorchScript code calls a custom torch.ops namespace",
     "Custom ops run native code from a library the user must load",
     "CWE-829", SC, ATL_SC, NIST_MS},
    /* PaddlePaddle */
    {"WT-PADDLE-001", "PaddleUnsafeOp", WT_CAT_MODEL, WT_SEV_HIGH,
     "PaddlePaddle program uses py_func or file I/O ops",
     "py_func calls Python callables; save/load ops touch arbitrary files",
     "CWE-94", SC, ATL_EXEC, NIST_M},
    /* msgpack / misc */
    {"WT-MSGPACK-001", "MsgpackMalformed", WT_CAT_MODEL, WT_SEV_LOW,
     "Flax msgpack checkpoint is malformed",
     "msgpack cannot carry code; a malformed file only fails to load",
     "CWE-20", SC, ATL_SC, NIST_MS},
};

static size_t get_rules(const wt_rule **out)
{
    *out = rules;
    return sizeof rules / sizeof rules[0];
}

const wt_rule_table wt_formats_rule_table = {"formats", get_rules};

/* ---- TSV tables ---- */
struct cached_table {
    char name[64];
    wt_fmt_table t;
};
static struct cached_table g_tables[32];
static size_t g_ntables;
static pthread_mutex_t g_tables_mu = PTHREAD_MUTEX_INITIALIZER;

static void parse_table(const char *text, size_t len, size_t ncols, wt_fmt_table *t)
{
    size_t cap = 0;
    t->ncols = ncols;
    t->nrows = 0;
    t->cells = NULL;
    if (!text)
        return;
    char *copy = wt_xstrndup(text, len); /* lives for the process */
    char *save = NULL;
    for (char *line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        size_t l = strlen(line);
        if (l && line[l - 1] == '\r')
            line[--l] = 0;
        if (l == 0 || line[0] == '#')
            continue;
        if (t->nrows == cap) {
            cap = cap ? cap * 2 : 64;
            t->cells = wt_xrealloc(t->cells, cap * ncols * sizeof *t->cells);
        }
        const char **row = t->cells + t->nrows * ncols;
        char *p = line;
        for (size_t c = 0; c < ncols; c++) {
            if (!p) {
                row[c] = "";
                continue;
            }
            char *tab = (c + 1 < ncols) ? strchr(p, '\t') : NULL;
            if (tab)
                *tab = 0;
            row[c] = p;
            p = tab ? tab + 1 : NULL;
        }
        t->nrows++;
    }
}

const wt_fmt_table *wt_fmt_table_get(const char *name, size_t ncols)
{
    pthread_mutex_lock(&g_tables_mu);
    for (size_t i = 0; i < g_ntables; i++) {
        if (strcmp(g_tables[i].name, name) == 0) {
            pthread_mutex_unlock(&g_tables_mu);
            return &g_tables[i].t;
        }
    }
    static wt_fmt_table empty;
    const wt_fmt_table *res = &empty;
    if (g_ntables < sizeof g_tables / sizeof g_tables[0]) {
        struct cached_table *ct = &g_tables[g_ntables];
        snprintf(ct->name, sizeof ct->name, "%s", name);
        size_t len = 0;
        const char *text = wt_rules_text(name, &len);
        parse_table(text, len, ncols, &ct->t);
        g_ntables++;
        res = &ct->t;
    }
    pthread_mutex_unlock(&g_tables_mu);
    return res;
}

long wt_fmt_table_find(const wt_fmt_table *t, const char *key)
{
    for (size_t i = 0; i < t->nrows; i++)
        if (strcmp(wt_fmt_cell(t, i, 0), key) == 0)
            return (long)i;
    return -1;
}

long wt_fmt_table_find_prefix(const wt_fmt_table *t, const char *key)
{
    long best = -1;
    size_t bestlen = 0;
    for (size_t i = 0; i < t->nrows; i++) {
        const char *c = wt_fmt_cell(t, i, 0);
        size_t l = strlen(c);
        if (l == 0 || strncmp(c, key, l) != 0)
            continue;
        if (key[l] != 0 && key[l] != '.')
            continue;
        if (l > bestlen) {
            best = (long)i;
            bestlen = l;
        }
    }
    return best;
}

/* ---- base64 ---- */
static int b64v(unsigned char c)
{
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+' || c == '-') return 62;
    if (c == '/' || c == '_') return 63;
    return -1;
}

uint8_t *wt_fmt_b64_decode(const char *s, size_t n, size_t *outlen)
{
    uint8_t *out = wt_xmalloc(n / 4 * 3 + 4);
    size_t o = 0;
    uint32_t acc = 0;
    int bits = 0, pad = 0;
    size_t nchars = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '\n' || c == '\r' || c == ' ' || c == '\t')
            continue;
        if (c == '=') {
            pad++;
            continue;
        }
        int v = b64v(c);
        if (v < 0 || pad) {
            free(out);
            return NULL;
        }
        nchars++;
        acc = (acc << 6) | (uint32_t)v;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out[o++] = (uint8_t)(acc >> bits);
        }
    }
    if (nchars == 0 || pad > 2 || nchars % 4 == 1) {
        free(out);
        return NULL;
    }
    *outlen = o;
    return out;
}

bool wt_fmt_name_is(const char *name, const char *base)
{
    return strcasecmp(wt_basename(name), base) == 0;
}
