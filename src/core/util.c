#include "util.h"

#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static void oom(size_t n) {
    fprintf(stderr, "watchtower: out of memory allocating %zu bytes\n", n);
    abort();
}

void *wt_xmalloc(size_t n) {
    void *p = malloc(n ? n : 1);
    if (!p) oom(n);
    return p;
}

void *wt_xcalloc(size_t n, size_t sz) {
    void *p = calloc(n ? n : 1, sz ? sz : 1);
    if (!p) oom(n * sz);
    return p;
}

void *wt_xrealloc(void *p, size_t n) {
    void *q = realloc(p, n ? n : 1);
    if (!q) oom(n);
    return q;
}

char *wt_xstrdup(const char *s) { return wt_xstrndup(s, strlen(s)); }

char *wt_xstrndup(const char *s, size_t n) {
    char *p = wt_xmalloc(n + 1);
    memcpy(p, s, n);
    p[n] = 0;
    return p;
}

char *wt_xvasprintf(const char *fmt, va_list ap) {
    va_list ap2;
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap2);
    va_end(ap2);
    if (n < 0) n = 0;
    char *p = wt_xmalloc((size_t)n + 1);
    vsnprintf(p, (size_t)n + 1, fmt, ap);
    return p;
}

char *wt_xasprintf(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    char *p = wt_xvasprintf(fmt, ap);
    va_end(ap);
    return p;
}

void wt_buf_init(wt_buf *b) { b->data = NULL; b->len = b->cap = 0; }
void wt_buf_free(wt_buf *b) { free(b->data); wt_buf_init(b); }

void wt_buf_reserve(wt_buf *b, size_t extra) {
    if (b->len + extra + 1 <= b->cap) return;
    size_t cap = b->cap ? b->cap : 64;
    while (cap < b->len + extra + 1) {
        if (cap > SIZE_MAX / 2) oom(b->len + extra);
        cap *= 2;
    }
    b->data = wt_xrealloc(b->data, cap);
    b->cap = cap;
}

void wt_buf_append(wt_buf *b, const void *p, size_t n) {
    wt_buf_reserve(b, n);
    if (n) memcpy(b->data + b->len, p, n);
    b->len += n;
    b->data[b->len] = 0;
}

void wt_buf_puts(wt_buf *b, const char *s) { wt_buf_append(b, s, strlen(s)); }
void wt_buf_putc(wt_buf *b, char c) { wt_buf_append(b, &c, 1); }

void wt_buf_printf(wt_buf *b, const char *fmt, ...) {
    /* Append exactly what vsnprintf produced, embedded NULs (%c of 0)
     * included: finding fingerprints use NUL as a field separator. */
    va_list ap, ap2;
    va_start(ap, fmt);
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n > 0) {
        wt_buf_reserve(b, (size_t)n);
        vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap2);
        b->len += (size_t)n;
    } else if (!b->data) {
        wt_buf_reserve(b, 0);
        b->data[0] = 0;
    }
    va_end(ap2);
}

char *wt_buf_steal(wt_buf *b) {
    if (!b->data) return wt_xstrdup("");
    char *p = b->data;
    wt_buf_init(b);
    return p;
}

void wt_vec_push(wt_vec *v, void *p) {
    if (v->len == v->cap) {
        v->cap = v->cap ? v->cap * 2 : 16;
        v->items = wt_xrealloc(v->items, v->cap * sizeof *v->items);
    }
    v->items[v->len++] = p;
}

void wt_vec_free(wt_vec *v, void (*fn)(void *)) {
    if (fn)
        for (size_t i = 0; i < v->len; i++) fn(v->items[i]);
    free(v->items);
    v->items = NULL;
    v->len = v->cap = 0;
}

void wt_sha256_hex(const void *data, size_t len, char out[65]) {
    unsigned char md[32];
    unsigned int mdlen = 0;
    EVP_Digest(data, len, md, &mdlen, EVP_sha256(), NULL);
    static const char hex[] = "0123456789abcdef";
    for (int i = 0; i < 32; i++) {
        out[2 * i] = hex[md[i] >> 4];
        out[2 * i + 1] = hex[md[i] & 15];
    }
    out[64] = 0;
}

uint64_t wt_now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

char *wt_shorten(const void *s, size_t n, size_t max) {
    const unsigned char *p = s;
    wt_buf b;
    wt_buf_init(&b);
    size_t i;
    for (i = 0; i < n && b.len < max; i++) {
        unsigned char c = p[i];
        if (c == '\\') wt_buf_puts(&b, "\\\\");
        else if (c == '\n') wt_buf_puts(&b, "\\n");
        else if (c == '\t') wt_buf_puts(&b, "\\t");
        else if (c == '\r') wt_buf_puts(&b, "\\r");
        else if (c < 0x20 || c == 0x7f) wt_buf_printf(&b, "\\x%02x", c);
        else if (c >= 0x80) {
            /* keep valid UTF-8 sequences, escape the rest */
            size_t need = c >= 0xf0 && c < 0xf5 ? 4 : c >= 0xe0 ? 3 : c >= 0xc2 && c < 0xe0 ? 2 : 0;
            bool ok = need && i + need <= n;
            for (size_t k = 1; ok && k < need; k++)
                if ((p[i + k] & 0xc0) != 0x80) ok = false;
            if (ok) { wt_buf_append(&b, p + i, need); i += need - 1; }
            else wt_buf_printf(&b, "\\x%02x", c);
        } else wt_buf_putc(&b, (char)c);
    }
    if (i < n) wt_buf_puts(&b, "...");
    return wt_buf_steal(&b);
}

char *wt_mask_secret(const char *s, size_t n, size_t keep) {
    if (keep > n) keep = n;
    size_t stars = n - keep;
    if (stars > 8) stars = 8;
    if (stars < 4) stars = 4;
    char *clean = wt_shorten(s, keep, keep * 4 + 4);
    char *out = wt_xmalloc(strlen(clean) + stars + 1);
    strcpy(out, clean);
    memset(out + strlen(clean), '*', stars);
    out[strlen(clean) + stars] = 0;
    free(clean);
    return out;
}

bool wt_str_endswith_ci(const char *s, const char *suffix) {
    size_t a = strlen(s), b = strlen(suffix);
    return a >= b && strcasecmp(s + a - b, suffix) == 0;
}

bool wt_str_startswith(const char *s, const char *prefix) { return strncmp(s, prefix, strlen(prefix)) == 0; }

const char *wt_basename(const char *path) {
    const char *b = path;
    for (const char *p = path; *p; p++)
        if (*p == '/' || *p == '!') b = p + 1;
    return b;
}

const char *wt_extension(const char *name) {
    const char *b = wt_basename(name);
    const char *dot = strrchr(b, '.');
    return dot && dot != b ? dot : "";
}

int wt_ncpus(void) {
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? (int)n : 1;
}
