/* fuzz_savedmodel.c - libFuzzer target: the savedmodel analyzer end to end, on an
 * in-memory artifact named "saved_model.pb" (classification by content + name). */
#include <stdlib.h>

#include "watchtower/watchtower.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
    wt_scan_options o;
    wt_scan_options_default(&o);
    o.jobs = 1;
    o.limits.time_budget_ms = 5000;
    wt_scan_result *r = NULL;
    char *err = NULL;
    if (wt_scan_memory("saved_model.pb", data, size, &o, &r, &err) == WT_OK)
        wt_scan_result_free(r);
    free(err);
    return 0;
}
