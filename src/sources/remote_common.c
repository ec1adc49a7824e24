/*
 * remote_common.c - entry lists shared by the HTTP-backed sources
 * (Hugging Face, S3): each entry's data is the object's URL and opening an
 * entry makes an HTTP range reader (see http.h).
 */
#include <stdlib.h>
#include <string.h>

#include "core/util.h"
#include "sources/remote.h"

const char *wt_getenv_nonempty(const char *name) {
    const char *v = getenv(name);
    return v && *v ? v : NULL;
}

static wt_reader *remote_open(wt_source *s, size_t i, char **err) {
    if (i >= s->nentries) {
        if (err) *err = wt_xstrdup("no such entry");
        return NULL;
    }
    wt_remote_impl *im = s->impl;
    const wt_source_entry *e = &s->entries[i];
    return wt_http_reader_new(im->client, e->data, e->size, im->max_whole);
}

static int cmp_name(const void *key, const void *elem) {
    return strcmp(key, ((const wt_source_entry *)elem)->name);
}

static wt_reader *remote_open_path(wt_source *s, const char *relpath) {
    if (!relpath) return NULL;
    const wt_source_entry *e = bsearch(relpath, s->entries, s->nentries, sizeof *s->entries, cmp_name);
    if (!e) return NULL;
    return remote_open(s, (size_t)(e - s->entries), NULL);
}

/* wt_source_free() frees names, notes, the entry array and repo_url. */
static void remote_destroy(wt_source *s) {
    wt_remote_impl *im = s->impl;
    for (size_t i = 0; i < s->nentries; i++) {
        free(s->entries[i].data);
        s->entries[i].data = NULL;
    }
    if (im) {
        wt_http_client_unref(im->client);
        free(im);
    }
    s->impl = NULL;
}

wt_source *wt_remote_source_new(const char *repo_type, const char *repo_url, wt_http_client *c,
                                const wt_scan_options *opt) {
    wt_source *s = wt_xcalloc(1, sizeof *s);
    wt_remote_impl *im = wt_xcalloc(1, sizeof *im);
    im->client = c;
    im->max_whole = opt ? opt->limits.max_file_size : 0;
    if (opt && opt->cancel) wt_http_client_set_cancel(c, opt->cancel);
    s->repo_type = repo_type;
    s->repo_url = wt_xstrdup(repo_url ? repo_url : "");
    s->open = remote_open;
    s->open_path = remote_open_path;
    s->destroy = remote_destroy;
    s->impl = im;
    return s;
}

void wt_remote_add(wt_source *s, size_t *cap, const char *name, uint64_t size, char *url) {
    if (s->nentries == *cap) {
        *cap = *cap ? *cap * 2 : 64;
        s->entries = wt_xrealloc(s->entries, *cap * sizeof *s->entries);
    }
    wt_source_entry *e = &s->entries[s->nentries++];
    memset(e, 0, sizeof *e);
    e->name = wt_xstrdup(name);
    e->size = size;
    e->data = url;
}

static int cmp_entries(const void *a, const void *b) {
    return strcmp(((const wt_source_entry *)a)->name, ((const wt_source_entry *)b)->name);
}

void wt_remote_finish(wt_source *s) {
    /* sorted by strcmp: open_path() relies on bsearch with the same order */
    if (s->nentries > 1) qsort(s->entries, s->nentries, sizeof *s->entries, cmp_entries);
}
