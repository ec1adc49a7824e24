/* fuzz_lz4.c - libFuzzer target: the LZ4 frame decoder through the unpacker
 * (bounded output), then end to end as a joblib file named "x.joblib". */
#include <stdlib.h>

#include "core/reader.h"
#include "formats/unpack.h"
#include "watchtower/watchtower.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
    wt_reader *r = wt_reader_new_mem(data, size, false);
    wt_unpacker *u = wt_unpacker_new(NULL, r, 0, size, WT_CODEC_LZ4, 8u << 20);
    wt_unpacker_fill_all(u);
    wt_unpacker_free(u);
    wt_reader_unref(r);

    wt_scan_options o;
    wt_scan_options_default(&o);
    o.jobs = 1;
    o.limits.time_budget_ms = 5000;
    wt_scan_result *res = NULL;
    char *err = NULL;
    if (wt_scan_memory("x.joblib", data, size, &o, &res, &err) == WT_OK)
        wt_scan_result_free(res);
    free(err);
    return 0;
}
