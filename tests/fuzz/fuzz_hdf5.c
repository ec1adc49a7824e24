/* fuzz_hdf5.c - libFuzzer target: the hdf5 analyzer end to end, on an
 * in-memory artifact named "x.h5" (classification by content + name). */
#include <stdlib.h>

#include "watchtower/watchtower.h"

/* keep the isolated HDF5 child well under libFuzzer's per-input timeout */
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    setenv("WT_HDF5_TIMEOUT_MS", "2000", 1);
    return 0;
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
    wt_scan_options o;
    wt_scan_options_default(&o);
    o.jobs = 1;
    o.limits.time_budget_ms = 5000;
    wt_scan_result *r = NULL;
    char *err = NULL;
    if (wt_scan_memory("x.h5", data, size, &o, &r, &err) == WT_OK)
        wt_scan_result_free(r);
    free(err);
    return 0;
}
