/*
 * remote_common.c - entry lists shared by the HTTP-backed sources
 * (Hugging Face, S3): each entry's data is the object's URL and opening an
 * entry makes an HTTP range reader (see http.h).
 *
 * The scan opens entries in index order from several worker threads and
 * reads the first bytes of every one (classification). Opening entry i
 * therefore fetches the first block of the next PREFETCH_WINDOW eligible
 * entries in parallel (libcurl multi, PREFETCH_PARALLEL connections) and
 * seeds each reader's cache with it: the same bytes the scan would read one
 * request at a time, without waiting for each round trip in turn.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"
#include "sources/remote.h"

#define PREFETCH_WINDOW 32
#define PREFETCH_PARALLEL 8

enum { HEAD_NONE = 0, HEAD_INFLIGHT, HEAD_READY, HEAD_TAKEN };

typedef struct head_slot {
    int state;
    uint8_t *data;
    size_t len;
} head_slot;

typedef struct remote_impl {
    wt_remote_impl pub; /* first: wt_remote_impl * casts */
    uint64_t max_file_size;
    wt_ignore *ig;      /* --exclude patterns, applied while listing */
    bool prefetch;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    head_slot *heads;   /* one per entry, after wt_remote_finish */
} remote_impl;

const char *wt_getenv_nonempty(const char *name) {
    const char *v = getenv(name);
    return v && *v ? v : NULL;
}

static bool eligible(const remote_impl *im, const wt_source_entry *e) {
    return e->size > 0 && !e->note && !(im->max_file_size && e->size > im->max_file_size);
}

/* Claim a window of entries from i and fetch their first blocks. Called
 * and returns with im->mu held. */
static void prefetch_window(wt_source *s, remote_impl *im, size_t i) {
    wt_http_prefetch_item items[PREFETCH_WINDOW];
    size_t idx[PREFETCH_WINDOW];
    size_t n = 0;
    for (size_t j = i; j < s->nentries && n < PREFETCH_WINDOW; j++) {
        if (im->heads[j].state != HEAD_NONE) continue;
        if (!eligible(im, &s->entries[j])) {
            im->heads[j].state = HEAD_TAKEN;
            continue;
        }
        im->heads[j].state = HEAD_INFLIGHT;
        items[n].url = s->entries[j].data;
        items[n].want = s->entries[j].size < WT_HTTP_BLOCK_SIZE ? s->entries[j].size : WT_HTTP_BLOCK_SIZE;
        idx[n++] = j;
    }
    if (n == 0) return;
    pthread_mutex_unlock(&im->mu);
    wt_http_prefetch(im->pub.client, items, n, PREFETCH_PARALLEL);
    pthread_mutex_lock(&im->mu);
    for (size_t k = 0; k < n; k++) {
        head_slot *h = &im->heads[idx[k]];
        h->data = items[k].data;
        h->len = items[k].len;
        h->state = HEAD_READY;
    }
    pthread_cond_broadcast(&im->cv);
}

static wt_reader *remote_open(wt_source *s, size_t i, char **err) {
    if (i >= s->nentries) {
        if (err) *err = wt_xstrdup("no such entry");
        return NULL;
    }
    remote_impl *im = s->impl;
    const wt_source_entry *e = &s->entries[i];
    if (!im->prefetch || !im->heads) return wt_http_reader_new(im->pub.client, e->data, e->size, im->pub.max_whole);
    uint8_t *head = NULL;
    size_t headlen = 0;
    pthread_mutex_lock(&im->mu);
    if (im->heads[i].state == HEAD_NONE) prefetch_window(s, im, i);
    while (im->heads[i].state == HEAD_INFLIGHT) pthread_cond_wait(&im->cv, &im->mu);
    if (im->heads[i].state == HEAD_READY) {
        head = im->heads[i].data;
        headlen = im->heads[i].len;
        im->heads[i].data = NULL;
        im->heads[i].state = HEAD_TAKEN;
    }
    pthread_mutex_unlock(&im->mu);
    return wt_http_reader_new_seeded(im->pub.client, e->data, e->size, im->pub.max_whole, head, headlen);
}

static int cmp_name(const void *key, const void *elem) {
    return strcmp(key, ((const wt_source_entry *)elem)->name);
}

static wt_reader *remote_open_path(wt_source *s, const char *relpath) {
    if (!relpath || !s->nentries) return NULL; /* entries is NULL when empty */
    const wt_source_entry *e = bsearch(relpath, s->entries, s->nentries, sizeof *s->entries, cmp_name);
    if (!e) return NULL;
    /* a sibling lookup: no window prefetch (it is not the scan order) */
    remote_impl *im = s->impl;
    return wt_http_reader_new(im->pub.client, e->data, e->size, im->pub.max_whole);
}

/* wt_source_free() frees names, notes, the entry array and repo_url. */
static void remote_destroy(wt_source *s) {
    remote_impl *im = s->impl;
    for (size_t i = 0; i < s->nentries; i++) {
        free(s->entries[i].data);
        s->entries[i].data = NULL;
        if (im && im->heads) free(im->heads[i].data);
    }
    if (im) {
        wt_http_client_unref(im->pub.client);
        if (im->ig) wt_ignore_free(im->ig);
        free(im->heads);
        pthread_mutex_destroy(&im->mu);
        pthread_cond_destroy(&im->cv);
        free(im);
    }
    s->impl = NULL;
}

wt_source *wt_remote_source_new(const char *repo_type, const char *repo_url, wt_http_client *c,
                                const wt_scan_options *opt) {
    wt_source *s = wt_xcalloc(1, sizeof *s);
    remote_impl *im = wt_xcalloc(1, sizeof *im);
    im->pub.client = c;
    im->pub.max_whole = opt ? opt->limits.max_file_size : 0;
    im->max_file_size = opt ? opt->limits.max_file_size : 0;
    if (opt && opt->cancel) wt_http_client_set_cancel(c, opt->cancel);
    if (opt && opt->nexcludes) {
        im->ig = wt_ignore_new();
        for (size_t i = 0; i < opt->nexcludes; i++) wt_ignore_add_pattern(im->ig, opt->excludes[i], "");
    }
    const char *pf = getenv("WT_HTTP_PREFETCH"); /* "0" turns the window prefetch off */
    im->prefetch = !(pf && strcmp(pf, "0") == 0);
    pthread_mutex_init(&im->mu, NULL);
    pthread_cond_init(&im->cv, NULL);
    s->repo_type = repo_type;
    s->repo_url = wt_xstrdup(repo_url ? repo_url : "");
    s->open = remote_open;
    s->open_path = remote_open_path;
    s->destroy = remote_destroy;
    s->impl = im;
    return s;
}

/* gitignore-style excludes: the name itself or any parent folder. */
static bool excluded(const remote_impl *im, const char *name) {
    if (!im->ig) return false;
    if (wt_ignore_match(im->ig, name, false)) return true;
    char *p = wt_xstrdup(name);
    bool hit = false;
    for (char *sl = strchr(p, '/'); sl && !hit; sl = strchr(sl + 1, '/')) {
        *sl = 0;
        if (*p) hit = wt_ignore_match(im->ig, p, true);
        *sl = '/';
    }
    free(p);
    return hit;
}

void wt_remote_add(wt_source *s, size_t *cap, const char *name, uint64_t size, char *url) {
    remote_impl *im = s->impl;
    if (excluded(im, name)) {
        free(url);
        return;
    }
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
    remote_impl *im = s->impl;
    im->heads = wt_xcalloc(s->nentries ? s->nentries : 1, sizeof *im->heads);
}
