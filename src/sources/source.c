/*
 * source.c - pick the source backend for a target.
 */
#include <stdlib.h>
#include <string.h>

#include "core/util.h"
#include "source.h"
#include "sources/remote.h"

static int cmp_entries(const void *a, const void *b) {
    return strcmp(((const wt_source_entry *)a)->name, ((const wt_source_entry *)b)->name);
}

void wt_source_sort(wt_source *s) { if (s->nentries) qsort(s->entries, s->nentries, sizeof *s->entries, cmp_entries); }

int wt_source_open(const wt_target *t, const wt_scan_options *opt, wt_source **out, char **err) {
    *out = NULL;
    switch (t->kind) {
    case WT_TARGET_LOCAL: return wt_source_local_open(t->location, opt, out, err);
    case WT_TARGET_GIT: return wt_source_git_open(t, opt, out, err);
    case WT_TARGET_HUGGINGFACE: return wt_source_hf_open(t, opt, out, err);
    case WT_TARGET_S3: return wt_source_s3_open(t, opt, out, err);
    }
    return WT_ERR_USAGE;
}

void wt_source_free(wt_source *s) {
    if (!s) return;
    if (s->destroy) s->destroy(s);
    for (size_t i = 0; i < s->nentries; i++) {
        free(s->entries[i].name);
        free(s->entries[i].note);
    }
    free(s->entries);
    free(s->repo_url);
    free(s);
}
