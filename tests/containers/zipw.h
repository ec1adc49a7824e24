/*
 * zipw.h - a tiny ZIP writer for container tests: stored and deflated
 * members, with knobs to build the hostile layouts the zip reader must
 * survive (wrong CRC, local/central disagreement, flag bits, hidden local
 * entries, prepended junk, overlapping entries, ZIP64 records).
 */
#ifndef WT_TEST_ZIPW_H
#define WT_TEST_ZIPW_H

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "core/util.h"

typedef struct zw_opts {
    uint16_t method;        /* 0 stored, 8 deflate */
    uint16_t flags;         /* general purpose bits in both headers */
    uint16_t local_flags;   /* extra bits only in the local header */
    bool bad_crc;           /* write a wrong CRC in both headers */
    const char *local_name; /* different name in the local header */
    int local_method;       /* >= 0: different method in the local header */
    bool hidden;            /* local header only, no central record */
    bool central_usize_set; /* override the central uncompressed size */
    uint32_t central_usize;
    const uint8_t *packed;  /* already-compressed data for `method` (bzip2, lzma, zstd, xz) */
    size_t packed_len;
} zw_opts;

typedef struct zw_cd {
    char *name;
    uint64_t off, csize, usize;
    uint32_t crc;
    uint16_t method, flags;
} zw_cd;

typedef struct zw {
    wt_buf b;
    zw_cd cd[256];
    int n;
    bool zip64;
} zw;

static inline void zw_put16(wt_buf *b, uint16_t v) { uint8_t x[2] = {(uint8_t)v, (uint8_t)(v >> 8)}; wt_buf_append(b, x, 2); }
static inline void zw_put32(wt_buf *b, uint32_t v) { zw_put16(b, (uint16_t)v); zw_put16(b, (uint16_t)(v >> 16)); }
static inline void zw_put64(wt_buf *b, uint64_t v) { zw_put32(b, (uint32_t)v); zw_put32(b, (uint32_t)(v >> 32)); }

static inline void zw_init(zw *z) { memset(z, 0, sizeof *z); wt_buf_init(&z->b); }
static inline void zw_junk(zw *z, const void *p, size_t n) { wt_buf_append(&z->b, p, n); }

static inline uint8_t *zw_deflate(const void *data, size_t len, size_t *out) {
    z_stream s;
    memset(&s, 0, sizeof s);
    deflateInit2(&s, 9, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY);
    size_t cap = deflateBound(&s, len) + 16;
    uint8_t *o = malloc(cap);
    s.next_in = (Bytef *)data;
    s.avail_in = (uInt)len;
    s.next_out = o;
    s.avail_out = (uInt)cap;
    deflate(&s, Z_FINISH);
    *out = cap - s.avail_out;
    deflateEnd(&s);
    return o;
}

/* Add a member; returns its index in the central directory (-1 if hidden). */
static inline int zw_add(zw *z, const char *name, const void *data, size_t len, const zw_opts *o) {
    zw_opts def = {0};
    def.local_method = -1;
    if (!o) o = &def;
    uint32_t crc = (uint32_t)crc32(0, data, (uInt)len);
    if (o->bad_crc) crc ^= 0xdeadbeef;
    size_t clen = len;
    uint8_t *cdata = NULL;
    if (o->method == 8) cdata = zw_deflate(data, len, &clen);
    if (o->packed) { cdata = malloc(o->packed_len ? o->packed_len : 1); memcpy(cdata, o->packed, o->packed_len); clen = o->packed_len; }
    const char *lname = o->local_name ? o->local_name : name;
    uint16_t lmethod = o->local_method >= 0 ? (uint16_t)o->local_method : o->method;
    uint64_t off = z->b.len;
    zw_put32(&z->b, 0x04034b50);
    zw_put16(&z->b, 20);
    zw_put16(&z->b, o->flags | o->local_flags);
    zw_put16(&z->b, lmethod);
    zw_put32(&z->b, 0);
    zw_put32(&z->b, crc);
    zw_put32(&z->b, (uint32_t)clen);
    zw_put32(&z->b, (uint32_t)len);
    zw_put16(&z->b, (uint16_t)strlen(lname));
    zw_put16(&z->b, 0);
    wt_buf_puts(&z->b, lname);
    wt_buf_append(&z->b, cdata ? cdata : data, clen);
    free(cdata);
    if (o->hidden) return -1;
    zw_cd *c = &z->cd[z->n];
    c->name = wt_xstrdup(name);
    c->off = off;
    c->csize = clen;
    c->usize = o->central_usize_set ? o->central_usize : len;
    c->crc = crc;
    c->method = o->method;
    c->flags = o->flags;
    return z->n++;
}

/* A second central record pointing at member idx's local header. */
static inline void zw_alias(zw *z, const char *name, int idx) {
    z->cd[z->n] = z->cd[idx];
    z->cd[z->n].name = wt_xstrdup(name);
    z->n++;
}

static inline uint8_t *zw_finish(zw *z, size_t *len) {
    uint64_t cd_off = z->b.len;
    for (int i = 0; i < z->n; i++) {
        zw_cd *c = &z->cd[i];
        zw_put32(&z->b, 0x02014b50);
        zw_put16(&z->b, z->zip64 ? 45 : 20);
        zw_put16(&z->b, z->zip64 ? 45 : 20);
        zw_put16(&z->b, c->flags);
        zw_put16(&z->b, c->method);
        zw_put32(&z->b, 0);
        zw_put32(&z->b, c->crc);
        zw_put32(&z->b, z->zip64 ? 0xffffffffu : (uint32_t)c->csize);
        zw_put32(&z->b, z->zip64 ? 0xffffffffu : (uint32_t)c->usize);
        zw_put16(&z->b, (uint16_t)strlen(c->name));
        zw_put16(&z->b, z->zip64 ? 28 : 0);
        zw_put16(&z->b, 0);
        zw_put16(&z->b, 0);
        zw_put16(&z->b, 0);
        zw_put32(&z->b, 0);
        zw_put32(&z->b, z->zip64 ? 0xffffffffu : (uint32_t)c->off);
        wt_buf_puts(&z->b, c->name);
        if (z->zip64) {
            zw_put16(&z->b, 1);
            zw_put16(&z->b, 24);
            zw_put64(&z->b, c->usize);
            zw_put64(&z->b, c->csize);
            zw_put64(&z->b, c->off);
        }
        free(c->name);
    }
    uint64_t cd_size = z->b.len - cd_off;
    if (z->zip64) {
        uint64_t rec = z->b.len;
        zw_put32(&z->b, 0x06064b50);
        zw_put64(&z->b, 44);
        zw_put16(&z->b, 45);
        zw_put16(&z->b, 45);
        zw_put32(&z->b, 0);
        zw_put32(&z->b, 0);
        zw_put64(&z->b, (uint64_t)z->n);
        zw_put64(&z->b, (uint64_t)z->n);
        zw_put64(&z->b, cd_size);
        zw_put64(&z->b, cd_off);
        zw_put32(&z->b, 0x07064b50);
        zw_put32(&z->b, 0);
        zw_put64(&z->b, rec);
        zw_put32(&z->b, 1);
    }
    zw_put32(&z->b, 0x06054b50);
    zw_put16(&z->b, 0);
    zw_put16(&z->b, 0);
    zw_put16(&z->b, z->zip64 ? 0xffff : (uint16_t)z->n);
    zw_put16(&z->b, z->zip64 ? 0xffff : (uint16_t)z->n);
    zw_put32(&z->b, z->zip64 ? 0xffffffffu : (uint32_t)cd_size);
    zw_put32(&z->b, z->zip64 ? 0xffffffffu : (uint32_t)cd_off);
    zw_put16(&z->b, 0);
    *len = z->b.len;
    return (uint8_t *)wt_buf_steal(&z->b);
}

/* ---- payloads ---- */
/* A benign protocol-2 pickle: {} */
static const uint8_t PK_BENIGN[] = {0x80, 0x02, '}', 'q', 0x00, '.'};
/* The classic malicious protocol-0 pickle: os.system('true') (harmless) */
static const char PK_EVIL[] = "cos\nsystem\n(S'true'\ntR.";
#define PK_EVIL_LEN (sizeof PK_EVIL - 1)

/* A .npy object array whose payload is `payload` (a pickle). */
static inline uint8_t *npy_object(const void *payload, size_t plen, size_t *len) {
    const char *hdr = "{'descr': '|O', 'fortran_order': False, 'shape': (1,), }";
    size_t hl = strlen(hdr), total = 10 + hl + 1;
    size_t pad = (64 - total % 64) % 64;
    size_t H = hl + pad + 1;
    uint8_t *b = malloc(10 + H + plen);
    memcpy(b, "\x93NUMPY\x01\x00", 8);
    b[8] = (uint8_t)H;
    b[9] = (uint8_t)(H >> 8);
    memcpy(b + 10, hdr, hl);
    memset(b + 10 + hl, ' ', pad);
    b[10 + hl + pad] = '\n';
    memcpy(b + 10 + H, payload, plen);
    *len = 10 + H + plen;
    return b;
}

/* A numeric .npy: n little-endian float32 zeros (declares `declared`). */
static inline uint8_t *npy_f4(size_t n, size_t declared, size_t *len) {
    char hdr[128];
    int hl = snprintf(hdr, sizeof hdr, "{'descr': '<f4', 'fortran_order': False, 'shape': (%zu,), }", declared);
    size_t total = 10 + (size_t)hl + 1, pad = (64 - total % 64) % 64, H = (size_t)hl + pad + 1;
    uint8_t *b = calloc(1, 10 + H + n * 4);
    memcpy(b, "\x93NUMPY\x01\x00", 8);
    b[8] = (uint8_t)H;
    b[9] = (uint8_t)(H >> 8);
    memcpy(b + 10, hdr, (size_t)hl);
    memset(b + 10 + hl, ' ', pad);
    b[10 + hl + pad] = '\n';
    *len = 10 + H + n * 4;
    return b;
}

static inline bool have_pickle_analyzer(void);
#include "core/analyzer.h"
static inline bool have_pickle_analyzer(void) { return wt_analyzer_by_name("pickle") != NULL; }

#endif
