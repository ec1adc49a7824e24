/*
 * fuzz_scan - the whole pipeline on arbitrary bytes: the input is scanned
 * with wt_scan_memory under several artifact names (plus one name-gated
 * format picked by the input's length), so classification (by name and by
 * content), every analyzer, nested containers and the text detectors all
 * see it. Invariants: every finding has a rule id and every
 * byte count stays within what exists.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "watchtower/watchtower.h"

/* The HDF5 library runs in a forked child that release builds confine with
 * RLIMIT_AS (skipped under ASan, which reserves terabytes of address space).
 * A hostile file makes libhdf5 ask for e.g. 67 GB: with RLIMIT_AS malloc
 * returns NULL and libhdf5 reports an error; give the ASan child the same
 * behaviour instead of an ASan out-of-memory death that libFuzzer records as
 * a crash of the (unaffected) parent. wt_xmalloc still aborts on NULL. */
const char *__asan_default_options(void);
const char *__asan_default_options(void) { return "allocator_may_return_null=1"; }

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    setenv("WT_HDF5_TIMEOUT_MS", "2000", 1); /* well under -timeout */
    return 0;
}

static const char *const names[] = {
    "x.pkl", "x.pt", "x.zip", "x.ipynb", "requirements.txt", "x.h5",
    "x.onnx", "x.gguf", "x.safetensors", "x.npy", "x.keras",
};
/* analyzers gated by name: one of these per input, chosen by its length */
static const char *const extra[] = {
    "x.msgpack", "x.tflite", "saved_model.pb", "x.pdmodel", "x.pdiparams", "x.joblib",
    "pyproject.toml", "poetry.lock", "Pipfile.lock", "environment.yml", "x.py", "config.json",
    "tokenizer_config.json", "x.tar.gz", "code/__torch__/x.py", "x.bin", "m.skops!schema.json",
    "model_config.yaml",
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    wt_scan_options o;
    wt_scan_options_default(&o);
    o.jobs = 1;
    o.osv_db = "/nonexistent/wt-fuzz-osv.db"; /* no dependency database I/O */
    o.limits.max_pickle_ops = 200000;
    o.limits.time_budget_ms = 5000;
    size_t nnames = sizeof names / sizeof names[0];
    for (size_t i = 0; i <= nnames; i++) {
        const char *name = i < nnames ? names[i] : extra[size % (sizeof extra / sizeof extra[0])];
        wt_scan_result *res = NULL;
        char *err = NULL;
        if (wt_scan_memory(name, data, size, &o, &res, &err) == WT_OK) {
            for (size_t k = 0; k < res->nfindings; k++)
                if (!res->findings[k] || !res->findings[k]->rule_id)
                    abort();
            wt_scan_result_free(res);
        }
        free(err);
    }
    return 0;
}
