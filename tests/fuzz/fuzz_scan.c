/*
 * fuzz_scan - the whole pipeline on arbitrary bytes: the input is scanned
 * with wt_scan_memory under several artifact names, so classification (by
 * name and by content), every analyzer, nested containers and the text
 * detectors all see it. Invariants: every finding has a rule id and every
 * byte count stays within what exists.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "watchtower/watchtower.h"

static const char *const names[] = {
    "x.pkl", "x.pt", "x.zip", "x.ipynb", "requirements.txt", "x.h5",
    "x.onnx", "x.gguf", "x.safetensors", "x.npy", "x.keras",
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    wt_scan_options o;
    wt_scan_options_default(&o);
    o.jobs = 1;
    o.osv_db = "/nonexistent/wt-fuzz-osv.db"; /* no dependency database I/O */
    o.limits.max_pickle_ops = 200000;
    o.limits.time_budget_ms = 5000;
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        wt_scan_result *res = NULL;
        char *err = NULL;
        if (wt_scan_memory(names[i], data, size, &o, &res, &err) == WT_OK) {
            for (size_t k = 0; k < res->nfindings; k++)
                if (!res->findings[k] || !res->findings[k]->rule_id)
                    abort();
            wt_scan_result_free(res);
        }
        free(err);
    }
    return 0;
}
