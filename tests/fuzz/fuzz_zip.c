/* fuzz_zip.c - libFuzzer target: scan the input as an artifact named
 * "fuzz.pt" (classification by content still decides the analyzer; the
 * seeds in corpus/zip/ steer it to the zip parser). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "watchtower/watchtower.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    wt_scan_options o;
    wt_scan_options_default(&o);
    o.jobs = 1;
    o.limits.max_member_size = 4u << 20;
    o.limits.max_total_unpacked = 16u << 20;
    o.limits.time_budget_ms = 2000;
    wt_scan_result *r = NULL;
    char *err = NULL;
    if (wt_scan_memory("fuzz.pt", data, size, &o, &r, &err) == WT_OK) wt_scan_result_free(r);
    else free(err);
    return 0;
}
