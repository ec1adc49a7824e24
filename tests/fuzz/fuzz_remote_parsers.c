/*
 * fuzz_remote_parsers.c - what remote servers send back is hostile input:
 * S3 ListObjectsV2 XML pages, Link headers (Hugging Face pagination) and Git
 * LFS pointer files. The first input byte picks the parser.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sources/remote.h"

static void on_key(void *ud, const char *key, uint64_t size) {
    size_t *n = ud;
    *n += strlen(key) + (size_t)(size & 1);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 1) return 0;
    uint8_t which = data[0] % 3;
    const char *p = (const char *)data + 1;
    size_t n = size - 1;
    if (which == 0) {
        size_t total = 0;
        bool truncated;
        char *next = NULL;
        (void)wt_s3_parse_list_page(p, n, on_key, &total, &truncated, &next);
        free(next);
    } else if (which == 1) {
        free(wt_http_parse_link_next(p, n));
    } else {
        uint64_t sz;
        (void)wt_git_lfs_pointer((const uint8_t *)p, n, &sz);
    }
    return 0;
}
