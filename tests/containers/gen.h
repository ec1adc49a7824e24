/*
 * gen.h - generators for container tests and the benchmark: a ustar
 * writer, a real-shaped PyTorch state_dict pickle, and a sparse on-disk
 * PyTorch zip checkpoint of any size (stored storages are holes, so a 2 GB
 * checkpoint costs no disk).
 */
#ifndef WT_TEST_GEN_H
#define WT_TEST_GEN_H

#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "core/util.h"

/* ---- ustar ---- */
static inline void tarw_add(wt_buf *b, const char *name, const void *data, size_t len, char type) {
    uint8_t h[512];
    memset(h, 0, sizeof h);
    snprintf((char *)h, 100, "%s", name);
    snprintf((char *)h + 100, 8, "%07o", 0644);
    snprintf((char *)h + 108, 8, "%07o", 0);
    snprintf((char *)h + 116, 8, "%07o", 0);
    char num[32];
    snprintf(num, sizeof num, "%011llo", (unsigned long long)len & 077777777777ull);
    memcpy(h + 124, num, 12);
    memcpy(h + 136, "00000000000", 12);
    h[156] = (uint8_t)type;
    memcpy(h + 257, "ustar\0" "00", 8);
    memset(h + 148, ' ', 8);
    unsigned sum = 0;
    for (int i = 0; i < 512; i++) sum += h[i];
    snprintf(num, sizeof num, "%06o", sum & 0777777u);
    memcpy(h + 148, num, 7);
    h[155] = ' ';
    wt_buf_append(b, h, 512);
    wt_buf_append(b, data, len);
    static const uint8_t zero[512];
    if (len % 512) wt_buf_append(b, zero, 512 - len % 512);
}

static inline void tarw_end(wt_buf *b) {
    static const uint8_t zero[1024];
    wt_buf_append(b, zero, 1024);
}

/* ---- a real-shaped state_dict pickle (protocol 2, one tensor) ---- */
static inline size_t torch_state_dict_pickle(uint8_t *out, size_t cap) {
    wt_buf b;
    wt_buf_init(&b);
#define PUT(s) wt_buf_append(&b, s, sizeof s - 1)
#define PUTX(s) do { uint32_t n = (uint32_t)(sizeof s - 1); uint8_t l[4] = {(uint8_t)n, 0, 0, 0}; wt_buf_putc(&b, 'X'); wt_buf_append(&b, l, 4); PUT(s); } while (0)
    PUT("\x80\x02" "ccollections\nOrderedDict\nq\x00)Rq\x01(");
    PUTX("weight");
    PUT("ctorch._utils\n_rebuild_tensor_v2\nq\x02((");
    PUTX("storage");
    PUT("ctorch\nFloatStorage\nq\x03");
    PUTX("0");
    PUTX("cpu");
    PUT("K\x04tQK\x00K\x04\x85K\x01\x85\x89" "ccollections\nOrderedDict\n)RtRu.");
#undef PUT
#undef PUTX
    size_t n = b.len < cap ? b.len : cap;
    memcpy(out, b.data, n);
    wt_buf_free(&b);
    return n;
}

/* ---- sparse PyTorch zip on disk ---- */
static inline void gen_put16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); }
static inline void gen_put32(uint8_t *p, uint32_t v) { gen_put16(p, (uint16_t)v); gen_put16(p + 2, (uint16_t)(v >> 16)); }

static inline uint32_t crc_zeros(uint64_t n) {
    static uint8_t zero[1 << 16];
    uLong one = crc32(0, zero, sizeof zero), c = crc32(0, NULL, 0);
    while (n >= sizeof zero) { c = crc32_combine(c, one, sizeof zero); n -= sizeof zero; }
    if (n) c = crc32(c, zero, (uInt)n);
    return (uint32_t)c;
}

typedef struct gen_member { char name[96]; uint64_t off, size; uint32_t crc; } gen_member;

/* Write <top>/data.pkl, byteorder, version, .data/serialization_id and
 * nstorages stored storages of storage_size zero bytes (holes). Returns 0. */
static inline int gen_sparse_torch_zip(const char *path, const char *top, int nstorages, uint64_t storage_size) {
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0) return -1;
    gen_member *m = calloc((size_t)nstorages + 4, sizeof *m);
    uint8_t pkl[512];
    size_t pl = torch_state_dict_pickle(pkl, sizeof pkl);
    struct { const char *rel; const void *data; uint64_t len; } small[] = {
        {"data.pkl", pkl, pl}, {"byteorder", "little", 6}, {".data/version", "3\n", 2},
        {".data/serialization_id", "1234567890123456789012345678901234567890", 40}};
    uint64_t off = 0;
    int n = 0;
    for (int i = 0; i < 4 + nstorages; i++) {
        gen_member *e = &m[n++];
        const void *data = NULL;
        if (i < 4) {
            snprintf(e->name, sizeof e->name, "%s/%s", top, small[i].rel);
            e->size = small[i].len;
            data = small[i].data;
            e->crc = (uint32_t)crc32(0, data, (uInt)e->size);
        } else {
            snprintf(e->name, sizeof e->name, "%s/data/%d", top, i - 4);
            e->size = storage_size;
            e->crc = crc_zeros(storage_size);
        }
        e->off = off;
        uint8_t h[30] = {0};
        gen_put32(h, 0x04034b50);
        gen_put16(h + 4, 20);
        gen_put32(h + 14, e->crc);
        gen_put32(h + 18, (uint32_t)e->size);
        gen_put32(h + 22, (uint32_t)e->size);
        gen_put16(h + 26, (uint16_t)strlen(e->name));
        if (pwrite(fd, h, 30, (off_t)off) != 30) goto fail;
        if (pwrite(fd, e->name, strlen(e->name), (off_t)off + 30) != (ssize_t)strlen(e->name)) goto fail;
        off += 30 + strlen(e->name);
        if (data && pwrite(fd, data, e->size, (off_t)off) != (ssize_t)e->size) goto fail;
        off += e->size;
    }
    uint64_t cd = off;
    for (int i = 0; i < n; i++) {
        uint8_t c[46] = {0};
        gen_put32(c, 0x02014b50);
        gen_put16(c + 4, 20);
        gen_put16(c + 6, 20);
        gen_put32(c + 16, m[i].crc);
        gen_put32(c + 20, (uint32_t)m[i].size);
        gen_put32(c + 24, (uint32_t)m[i].size);
        gen_put16(c + 28, (uint16_t)strlen(m[i].name));
        gen_put32(c + 42, (uint32_t)m[i].off);
        if (pwrite(fd, c, 46, (off_t)off) != 46) goto fail;
        if (pwrite(fd, m[i].name, strlen(m[i].name), (off_t)off + 46) != (ssize_t)strlen(m[i].name)) goto fail;
        off += 46 + strlen(m[i].name);
    }
    uint8_t e[22] = {0};
    gen_put32(e, 0x06054b50);
    gen_put16(e + 8, (uint16_t)n);
    gen_put16(e + 10, (uint16_t)n);
    gen_put32(e + 12, (uint32_t)(off - cd));
    gen_put32(e + 16, (uint32_t)cd);
    if (pwrite(fd, e, 22, (off_t)off) != 22) goto fail;
    free(m);
    return close(fd);
fail:
    free(m);
    close(fd);
    return -1;
}

#endif
