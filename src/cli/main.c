/* Minimal bootstrap CLI: replaced by the full CLI (cli_scan.c). */
#include <stdio.h>
#include <string.h>

#include "watchtower/watchtower.h"

int main(int argc, char **argv) {
    if (argc < 3 || strcmp(argv[1], "scan") != 0) {
        fprintf(stderr, "usage: watchtower scan TARGET...\n");
        return 2;
    }
    wt_scan_options o;
    wt_scan_options_default(&o);
    wt_scan_result *r = NULL;
    char *err = NULL;
    if (wt_scan((const char *const *)argv + 2, (size_t)argc - 2, &o, &r, &err) != WT_OK) {
        fprintf(stderr, "watchtower: %s\n", err ? err : "scan failed");
        return 2;
    }
    for (size_t i = 0; i < r->nfindings; i++) {
        const wt_finding *f = r->findings[i];
        printf("%-8s %-14s %s: %s%s%s\n", wt_severity_name(f->severity), f->rule_id, f->artifact, f->message,
               f->evidence ? " | " : "", f->evidence ? f->evidence : "");
    }
    printf("%zu artifacts, %zu findings, %llu bytes read\n", r->artifacts, r->nfindings,
           (unsigned long long)r->bytes_read);
    int rc = wt_result_count_at_least(r, WT_SEV_HIGH) ? 1 : 0;
    wt_scan_result_free(r);
    return rc;
}
