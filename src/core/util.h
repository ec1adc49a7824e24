/*
 * util.h - small shared helpers: checked allocation, growable buffers and
 * string builders, overflow-checked arithmetic, hashing, time.
 */
#ifndef WT_UTIL_H
#define WT_UTIL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Allocation that aborts on OOM (the scanner bounds sizes before allocating,
 * so OOM here is a bug or a machine problem, not hostile input). */
void *wt_xmalloc(size_t n);
void *wt_xcalloc(size_t n, size_t sz);
void *wt_xrealloc(void *p, size_t n);
char *wt_xstrdup(const char *s);
char *wt_xstrndup(const char *s, size_t n);
char *wt_xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
char *wt_xvasprintf(const char *fmt, va_list ap);

/* Overflow-checked arithmetic: return false on overflow. */
static inline bool wt_add_ok(uint64_t a, uint64_t b, uint64_t *r) { return !__builtin_add_overflow(a, b, r); }
static inline bool wt_mul_ok(uint64_t a, uint64_t b, uint64_t *r) { return !__builtin_mul_overflow(a, b, r); }

/* Growable byte buffer / string builder. Always NUL-terminated. */
typedef struct wt_buf {
    char *data;
    size_t len;
    size_t cap;
} wt_buf;
void wt_buf_init(wt_buf *b);
void wt_buf_free(wt_buf *b);
void wt_buf_reserve(wt_buf *b, size_t extra);
void wt_buf_append(wt_buf *b, const void *p, size_t n);
void wt_buf_puts(wt_buf *b, const char *s);
void wt_buf_putc(wt_buf *b, char c);
void wt_buf_printf(wt_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
char *wt_buf_steal(wt_buf *b);

/* Pointer vector. */
typedef struct wt_vec {
    void **items;
    size_t len;
    size_t cap;
} wt_vec;
void wt_vec_push(wt_vec *v, void *p);
void wt_vec_free(wt_vec *v, void (*fn)(void *));

/* SHA-256 of data as 64 lowercase hex chars + NUL into out[65]. */
void wt_sha256_hex(const void *data, size_t len, char out[65]);

/* Monotonic clock in nanoseconds. */
uint64_t wt_now_ns(void);

/* Printable, shortened copy of bytes for evidence: non-printables escaped
 * as \xNN, cut to max chars with "..." appended. */
char *wt_shorten(const void *s, size_t n, size_t max);

/* Mask a secret: first `keep` characters then '*' (at most 8 of them). */
char *wt_mask_secret(const char *s, size_t n, size_t keep);

/* Case-insensitive ASCII suffix test. */
bool wt_str_endswith_ci(const char *s, const char *suffix);
bool wt_str_startswith(const char *s, const char *prefix);
/* Basename pointer within path (after last '/' or '!'). */
const char *wt_basename(const char *path);
/* Extension including the dot (".pkl", case as written), or "". Compare
 * with strcasecmp. */
const char *wt_extension(const char *name);

/* Number of CPU cores online. */
int wt_ncpus(void);

#endif
