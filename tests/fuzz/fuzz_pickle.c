/*
 * fuzz_pickle.c - libFuzzer target: the pickle probe, decoder and symbolic
 * VM on arbitrary bytes (silent run, then a full scan with findings).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "core/reader.h"
#include "formats/pickle/pickle.h"
#include "formats/pickle/pickle_vm.h"
#include "watchtower/watchtower.h"

static void scan_mem(const uint8_t *data, size_t size) {
    wt_scan_options o;
    wt_scan_options_default(&o);
    o.jobs = 1;
    o.limits.max_pickle_ops = 200000;
    wt_scan_result *res = NULL;
    char *err = NULL;
    if (wt_scan_memory("fuzz.pkl", data, size, &o, &res, &err) == WT_OK) wt_scan_result_free(res);
    free(err);
}

/* The first scan builds the text detectors' pattern databases (seconds under
 * ASan on a loaded machine): do it before the per-input timeout applies. */
int LLVMFuzzerInitialize(int *argc, char ***argv) {
    (void)argc;
    (void)argv;
    static const char warm[] = "warm up: key = \"value\"\n";
    scan_mem((const uint8_t *)warm, sizeof warm - 1);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    wt_reader *r = wt_reader_new_mem(data, size, false);
    if (r) {
        uint64_t used = 0;
        (void)wt_pickle_scan(NULL, r, 0, &used);
        wt_reader_unref(r);
    }
    /* the full pipeline (findings, evidence) only for inputs the pickle
     * analyzer claims: other analyzers have their own fuzz targets */
    if (wt_pickle_probe("fuzz.pkl", data, size < 4096 ? size : 4096, size) > 0) scan_mem(data, size);
    return 0;
}
