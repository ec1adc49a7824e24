/* fuzz_hdf5.c - libFuzzer target: the hdf5 analyzer end to end, on an
 * in-memory artifact named "x.h5" (classification by content + name). */
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
