/* common.h - scanning helpers shared by the container tests. */
#ifndef WT_TEST_CONTAINERS_COMMON_H
#define WT_TEST_CONTAINERS_COMMON_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

/* Scan memory with tweaked limits. */
static inline wt_scan_result *scan_lim(const char *name, const void *buf, size_t len, const wt_limits *lim) {
    wt_scan_options o;
    wt_scan_options_default(&o);
    o.jobs = 1;
    if (lim) o.limits = *lim;
    wt_scan_result *r = NULL;
    char *err = NULL;
    if (wt_scan_memory(name, buf, len, &o, &r, &err) != WT_OK) {
        fprintf(stderr, "scan failed: %s\n", err ? err : "?");
        exit(2);
    }
    return r;
}

static inline const char *kind_of(const wt_scan_result *r, const char *name) {
    for (size_t i = 0; i < r->ninfos; i++)
        if (strcmp(r->infos[i].name, name) == 0) return r->infos[i].kind;
    return "(none)";
}

/* Number of artifacts an analyzer ran on (children included). */
static inline unsigned long long ran(const wt_scan_result *r, const char *analyzer) {
    for (size_t i = 0; i < r->nstats; i++)
        if (strcmp(r->stats[i].name, analyzer) == 0) return (unsigned long long)r->stats[i].artifacts;
    return 0;
}

/* Findings at or above medium that are not in the given rule family. */
static inline size_t count_medium_plus(const wt_scan_result *r) { return wt_result_count_at_least(r, WT_SEV_MEDIUM); }

#endif
