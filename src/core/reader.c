#include "reader.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util.h"

static _Atomic uint64_t g_bytes_read;

uint64_t wt_reader_bytes_read_total(void) { return atomic_load(&g_bytes_read); }
void wt_reader_account(uint64_t n) { atomic_fetch_add(&g_bytes_read, n); }

typedef enum { R_FILE, R_MEM, R_SUB, R_CUSTOM } rkind;

struct wt_reader {
    rkind kind;
    _Atomic int refs;
    uint64_t size;
    /* R_FILE */
    int fd;
    const uint8_t *map; /* NULL when mmap failed: pread */
    /* R_MEM */
    const uint8_t *mem;
    bool owned;
    /* R_SUB */
    wt_reader *parent;
    uint64_t off;
    /* R_CUSTOM */
    const wt_reader_ops *ops;
    void *self;
    /* view scratch buffer for non-mapped readers */
    uint8_t *scratch;
    size_t scratch_cap;
    /* R_FILE: byte ranges already delivered, so each byte counts once in
     * "bytes read" however often analyzers look at it (sorted, merged;
     * past MAX_SPANS the counter falls back to counting every delivery) */
    pthread_mutex_t span_lock;
    struct span { uint64_t a, b; } *spans;
    size_t nspans, spans_cap;
};

#define MAX_SPANS 4096

/* Count the bytes of [off, off+len) not delivered before. */
static void account_file(wt_reader *r, uint64_t off, uint64_t len) {
    if (len == 0) return;
    uint64_t a = off, b = off + len, fresh = 0;
    pthread_mutex_lock(&r->span_lock);
    if (r->nspans >= MAX_SPANS) {
        pthread_mutex_unlock(&r->span_lock);
        wt_reader_account(len);
        return;
    }
    /* find the first span that ends at or after a */
    size_t lo = 0, hi = r->nspans;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (r->spans[mid].b < a) lo = mid + 1;
        else hi = mid;
    }
    size_t i = lo, j = lo;
    uint64_t na = a, nb = b, cur = a;
    while (j < r->nspans && r->spans[j].a <= b) {
        if (r->spans[j].a > cur) fresh += r->spans[j].a - cur;
        if (r->spans[j].b > cur) cur = r->spans[j].b;
        if (r->spans[j].a < na) na = r->spans[j].a;
        if (r->spans[j].b > nb) nb = r->spans[j].b;
        j++;
    }
    if (cur < b) fresh += b - cur;
    /* replace spans[i, j) with [na, nb) */
    if (j == i) {
        if (r->nspans == r->spans_cap) {
            r->spans_cap = r->spans_cap ? r->spans_cap * 2 : 16;
            r->spans = wt_xrealloc(r->spans, r->spans_cap * sizeof *r->spans);
        }
        memmove(r->spans + i + 1, r->spans + i, (r->nspans - i) * sizeof *r->spans);
        r->nspans++;
    } else if (j > i + 1) {
        memmove(r->spans + i + 1, r->spans + j, (r->nspans - j) * sizeof *r->spans);
        r->nspans -= j - i - 1;
    }
    r->spans[i].a = na;
    r->spans[i].b = nb;
    pthread_mutex_unlock(&r->span_lock);
    wt_reader_account(fresh);
}

/* The base file reader under sub-readers, with the offset translated. */
static wt_reader *base_file(wt_reader *r, uint64_t *off) {
    while (r->kind == R_SUB) {
        *off += r->off;
        r = r->parent;
    }
    return r->kind == R_FILE ? r : NULL;
}

static wt_reader *rnew(rkind k, uint64_t size) {
    wt_reader *r = wt_xcalloc(1, sizeof *r);
    r->kind = k;
    r->size = size;
    r->fd = -1;
    atomic_store(&r->refs, 1);
    return r;
}

wt_reader *wt_reader_open_file(const char *path, char **err) {
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0) {
        if (err) *err = wt_xasprintf("cannot open %s: %s", path, strerror(errno));
        return NULL;
    }
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        if (err) *err = wt_xasprintf("%s is not a regular file", path);
        close(fd);
        return NULL;
    }
    wt_reader *r = rnew(R_FILE, (uint64_t)st.st_size);
    r->fd = fd;
    pthread_mutex_init(&r->span_lock, NULL);
    if (st.st_size > 0) {
        void *m = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
        if (m != MAP_FAILED) {
            r->map = m;
            madvise(m, (size_t)st.st_size, MADV_RANDOM);
        }
    }
    return r;
}

wt_reader *wt_reader_new_mem(const void *buf, size_t len, bool owned) {
    wt_reader *r = rnew(R_MEM, len);
    r->mem = buf;
    r->owned = owned;
    return r;
}

wt_reader *wt_reader_new_sub(wt_reader *parent, uint64_t off, uint64_t len) {
    uint64_t psize = wt_reader_size(parent);
    if (off > psize) off = psize;
    if (len > psize - off) len = psize - off;
    wt_reader *r = rnew(R_SUB, len);
    r->parent = wt_reader_ref(parent);
    r->off = off;
    return r;
}

wt_reader *wt_reader_new_custom(const wt_reader_ops *ops, void *self, uint64_t size) {
    wt_reader *r = rnew(R_CUSTOM, size);
    r->ops = ops;
    r->self = self;
    return r;
}

wt_reader *wt_reader_ref(wt_reader *r) {
    if (r) atomic_fetch_add(&r->refs, 1);
    return r;
}

void wt_reader_unref(wt_reader *r) {
    if (!r || atomic_fetch_sub(&r->refs, 1) != 1) return;
    switch (r->kind) {
    case R_FILE:
        if (r->map) munmap((void *)r->map, (size_t)r->size);
        if (r->fd >= 0) close(r->fd);
        pthread_mutex_destroy(&r->span_lock);
        free(r->spans);
        break;
    case R_MEM:
        if (r->owned) free((void *)r->mem);
        break;
    case R_SUB:
        wt_reader_unref(r->parent);
        break;
    case R_CUSTOM:
        if (r->ops->close) r->ops->close(r->self);
        break;
    }
    free(r->scratch);
    free(r);
}

uint64_t wt_reader_size(const wt_reader *r) { return r ? r->size : 0; }

/* Clamp [off, off+len) to the reader; returns the available length. */
static size_t clamp(const wt_reader *r, uint64_t off, size_t len) {
    if (off >= r->size) return 0;
    uint64_t avail = r->size - off;
    return len > avail ? (size_t)avail : len;
}

/* Direct pointer if the bytes live in memory (mmap, mem, sub of those). */
static const uint8_t *direct(wt_reader *r, uint64_t off, size_t len) {
    switch (r->kind) {
    case R_FILE: return r->map ? r->map + off : NULL;
    case R_MEM: return r->mem + off;
    case R_SUB: {
        wt_reader *p = r->parent;
        uint64_t o = r->off + off;
        return clamp(p, o, len) == len ? direct(p, o, len) : NULL;
    }
    case R_CUSTOM: return r->ops->map ? r->ops->map(r->self, off, len) : NULL;
    }
    return NULL;
}

static void account(wt_reader *r, uint64_t off, uint64_t len) {
    wt_reader *b = base_file(r, &off);
    if (b) account_file(b, off, len);
}

long long wt_reader_read(wt_reader *r, uint64_t off, void *buf, size_t len) {
    len = clamp(r, off, len);
    if (len == 0) return 0;
    const uint8_t *d = direct(r, off, len);
    if (d) {
        memcpy(buf, d, len);
        account(r, off, len);
        return (long long)len;
    }
    switch (r->kind) {
    case R_FILE: {
        size_t done = 0;
        while (done < len) {
            ssize_t n = pread(r->fd, (uint8_t *)buf + done, len - done, (off_t)(off + done));
            if (n < 0 && errno == EINTR) continue;
            if (n <= 0) break;
            done += (size_t)n;
        }
        account_file(r, off, done);
        return done ? (long long)done : -1;
    }
    case R_SUB: return wt_reader_read(r->parent, r->off + off, buf, len);
    case R_CUSTOM: return r->ops->read_at(r->self, off, buf, len);
    case R_MEM: break;
    }
    return -1;
}

int wt_reader_read_exact(wt_reader *r, uint64_t off, void *buf, size_t len) {
    if (len == 0) return 0;
    return wt_reader_read(r, off, buf, len) == (long long)len ? 0 : -1;
}

const uint8_t *wt_reader_view(wt_reader *r, uint64_t off, size_t len) {
    if (!r || clamp(r, off, len) != len) return NULL;
    if (len == 0) return r->scratch ? r->scratch : (const uint8_t *)"";
    const uint8_t *d = direct(r, off, len);
    if (d) {
        account(r, off, len);
        return d;
    }
    if (r->scratch_cap < len) {
        free(r->scratch);
        r->scratch = wt_xmalloc(len);
        r->scratch_cap = len;
    }
    if (wt_reader_read_exact(r, off, r->scratch, len) != 0) return NULL;
    return r->scratch;
}

uint8_t *wt_reader_slurp(wt_reader *r, uint64_t max, size_t *len) {
    uint64_t n = wt_reader_size(r);
    if (n > max || n > SIZE_MAX - 1) return NULL;
    uint8_t *buf = wt_xmalloc((size_t)n + 1);
    if (wt_reader_read_exact(r, 0, buf, (size_t)n) != 0) {
        free(buf);
        return NULL;
    }
    buf[n] = 0;
    if (len) *len = (size_t)n;
    return buf;
}
