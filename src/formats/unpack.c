/*
 * unpack.c - bounded streaming decompression (see unpack.h).
 */
#include "unpack.h"

#include <bzlib.h>
#include <lzma.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>
#include <zstd.h>

#include "core/util.h"
#include "lz4.h"

#define IN_CHUNK (64u * 1024u)
#define RATIO_FLOOR (1u << 20) /* ratios are only judged past 1 MiB of output */
#define CHARGE_STEP (1u << 20)

struct wt_unpacker {
    wt_ctx *ctx;
    wt_codec codec;
    wt_reader *src;
    uint64_t in_off, in_end, in_start;
    uint8_t *in;
    size_t in_avail, in_pos;
    uint8_t *out;
    size_t out_len, out_cap;
    uint64_t cap;
    uint32_t ratio;
    uint64_t charged;
    wt_unpack_state state;
    bool inited;
    char err[128];
    union {
        z_stream z;
        bz_stream bz;
        lzma_stream lz;
    } s;
    ZSTD_DStream *zs;
    wt_lz4 *lz4;
};

const char *wt_codec_name(wt_codec c) {
    switch (c) {
    case WT_CODEC_DEFLATE_RAW: return "deflate";
    case WT_CODEC_ZLIB: return "zlib";
    case WT_CODEC_GZIP: return "gzip";
    case WT_CODEC_BZIP2: return "bzip2";
    case WT_CODEC_XZ: return "xz";
    case WT_CODEC_LZMA_ALONE: return "lzma";
    case WT_CODEC_LZMA_ZIP: return "lzma (zip)";
    case WT_CODEC_ZSTD: return "zstd";
    case WT_CODEC_LZ4: return "lz4";
    default: return "none";
    }
}

const char *wt_codec_ext(wt_codec c) {
    switch (c) {
    case WT_CODEC_GZIP: return ".gz";
    case WT_CODEC_BZIP2: return ".bz2";
    case WT_CODEC_XZ: return ".xz";
    case WT_CODEC_LZMA_ALONE: return ".lzma";
    case WT_CODEC_ZSTD: return ".zst";
    case WT_CODEC_LZ4: return ".lz4";
    case WT_CODEC_ZLIB: return ".z";
    default: return "";
    }
}

wt_codec wt_codec_sniff(const uint8_t *h, size_t n) {
    if (n >= 3 && h[0] == 0x1f && h[1] == 0x8b && h[2] == 8) return WT_CODEC_GZIP;
    if (n >= 4 && h[0] == 'B' && h[1] == 'Z' && h[2] == 'h' && h[3] >= '1' && h[3] <= '9') return WT_CODEC_BZIP2;
    if (n >= 6 && memcmp(h, "\xfd" "7zXZ\0", 6) == 0) return WT_CODEC_XZ;
    if (n >= 4 && memcmp(h, "\x28\xb5\x2f\xfd", 4) == 0) return WT_CODEC_ZSTD;
    if (n >= 4 && memcmp(h, "\x04\x22\x4d\x18", 4) == 0) return WT_CODEC_LZ4;
    /* lzma alone: properties byte (lc/lp/pb, < 225), dictionary size that is
     * a power of two or 2^n+2^(n-1) (what encoders write), then the 64-bit
     * uncompressed size (-1 = unknown, else a sane value). */
    if (n >= 13 && h[0] < 225) {
        uint32_t dict = (uint32_t)h[1] | (uint32_t)h[2] << 8 | (uint32_t)h[3] << 16 | (uint32_t)h[4] << 24;
        uint64_t usz = 0;
        for (int i = 0; i < 8; i++) usz |= (uint64_t)h[5 + i] << (8 * i);
        bool dict_ok = dict >= 4096 && (dict & (dict - 1)) == 0;
        if (!dict_ok && dict >= 4096) {
            uint32_t t = dict;
            while (t && !(t & 1)) t >>= 1;
            dict_ok = t == 3;
        }
        if (h[0] == 0x5d && dict_ok && (usz == UINT64_MAX || usz < (1ull << 40))) return WT_CODEC_LZMA_ALONE;
    }
    if (n >= 2 && (h[0] & 0x0f) == 8 && (h[0] >> 4) <= 7 && ((h[0] << 8) | h[1]) % 31 == 0 && !(h[1] & 0x20))
        return WT_CODEC_ZLIB;
    return WT_CODEC_NONE;
}

bool wt_unpack_state_is_cap(wt_unpack_state s) {
    return s == WT_UNPACK_CAP_MEMBER || s == WT_UNPACK_CAP_RATIO || s == WT_UNPACK_CAP_TOTAL;
}

const char *wt_unpack_state_text(wt_unpack_state s) {
    switch (s) {
    case WT_UNPACK_RUNNING: return "running";
    case WT_UNPACK_END: return "complete";
    case WT_UNPACK_TRUNCATED: return "compressed stream is truncated";
    case WT_UNPACK_CORRUPT: return "compressed stream is corrupt";
    case WT_UNPACK_UNSUPPORTED: return "compression method not supported";
    case WT_UNPACK_CAP_MEMBER: return "decompressed size limit reached";
    case WT_UNPACK_CAP_RATIO: return "compression ratio limit reached";
    case WT_UNPACK_CAP_TOTAL: return "total unpacked budget spent";
    case WT_UNPACK_EXPIRED: return "time budget spent";
    }
    return "?";
}

static void set_err(wt_unpacker *u, wt_unpack_state st, const char *msg) {
    u->state = st;
    if (msg && !u->err[0]) snprintf(u->err, sizeof u->err, "%s", msg);
}

static bool dec_init(wt_unpacker *u) {
    memset(&u->s, 0, sizeof u->s);
    int rc;
    switch (u->codec) {
    case WT_CODEC_DEFLATE_RAW: rc = inflateInit2(&u->s.z, -15); break;
    case WT_CODEC_ZLIB: rc = inflateInit2(&u->s.z, 15); break;
    case WT_CODEC_GZIP: rc = inflateInit2(&u->s.z, 16 + 15); break;
    case WT_CODEC_BZIP2: rc = BZ2_bzDecompressInit(&u->s.bz, 0, 0) == BZ_OK ? Z_OK : -1; break;
    case WT_CODEC_XZ: {
        lzma_stream init = LZMA_STREAM_INIT;
        u->s.lz = init;
        rc = lzma_stream_decoder(&u->s.lz, UINT64_MAX, LZMA_CONCATENATED) == LZMA_OK ? Z_OK : -1;
        break;
    }
    case WT_CODEC_LZMA_ALONE: {
        lzma_stream init = LZMA_STREAM_INIT;
        u->s.lz = init;
        rc = lzma_alone_decoder(&u->s.lz, UINT64_MAX) == LZMA_OK ? Z_OK : -1;
        break;
    }
    case WT_CODEC_LZMA_ZIP: {
        /* 2 bytes version, 2 bytes properties size, properties, raw LZMA1. */
        uint8_t hdr[4 + 5];
        if (u->in_end - u->in_off < sizeof hdr || wt_reader_read_exact(u->src, u->in_off, hdr, sizeof hdr) != 0) {
            set_err(u, WT_UNPACK_TRUNCATED, "zip lzma header is truncated");
            return false;
        }
        unsigned psz = hdr[2] | hdr[3] << 8;
        if (psz != 5) { set_err(u, WT_UNPACK_CORRUPT, "zip lzma properties size is not 5"); return false; }
        lzma_filter f[2] = {{.id = LZMA_FILTER_LZMA1, .options = NULL}, {.id = LZMA_VLI_UNKNOWN, .options = NULL}};
        if (lzma_properties_decode(&f[0], NULL, hdr + 4, 5) != LZMA_OK) {
            set_err(u, WT_UNPACK_CORRUPT, "bad lzma properties");
            return false;
        }
        lzma_stream init = LZMA_STREAM_INIT;
        u->s.lz = init;
        rc = lzma_raw_decoder(&u->s.lz, f) == LZMA_OK ? Z_OK : -1;
        free(f[0].options);
        u->in_off += sizeof hdr;
        break;
    }
    case WT_CODEC_ZSTD:
        u->zs = ZSTD_createDStream();
        rc = u->zs && !ZSTD_isError(ZSTD_initDStream(u->zs)) ? Z_OK : -1;
        if (rc == Z_OK) ZSTD_DCtx_setParameter(u->zs, ZSTD_d_windowLogMax, 27); /* 128 MiB window at most */
        break;
    case WT_CODEC_LZ4:
        u->lz4 = wt_lz4_new();
        rc = Z_OK;
        break;
    default:
        set_err(u, WT_UNPACK_UNSUPPORTED, wt_codec_name(u->codec));
        return false;
    }
    if (rc != Z_OK) { set_err(u, WT_UNPACK_CORRUPT, "decoder initialisation failed"); return false; }
    u->inited = true;
    return true;
}

static void dec_end(wt_unpacker *u) {
    if (!u->inited) return;
    switch (u->codec) {
    case WT_CODEC_DEFLATE_RAW: case WT_CODEC_ZLIB: case WT_CODEC_GZIP: inflateEnd(&u->s.z); break;
    case WT_CODEC_BZIP2: BZ2_bzDecompressEnd(&u->s.bz); break;
    case WT_CODEC_XZ: case WT_CODEC_LZMA_ALONE: case WT_CODEC_LZMA_ZIP: lzma_end(&u->s.lz); break;
    case WT_CODEC_ZSTD: ZSTD_freeDStream(u->zs); u->zs = NULL; break;
    case WT_CODEC_LZ4: wt_lz4_free(u->lz4); u->lz4 = NULL; break;
    default: break;
    }
    u->inited = false;
}

wt_unpacker *wt_unpacker_new(wt_ctx *ctx, wt_reader *src, uint64_t off, uint64_t len, wt_codec codec, uint64_t cap) {
    wt_unpacker *u = wt_xcalloc(1, sizeof *u);
    const wt_limits *l = ctx ? wt_ctx_limits(ctx) : NULL;
    u->ctx = ctx;
    u->codec = codec;
    u->src = wt_reader_ref(src);
    uint64_t sz = wt_reader_size(src);
    if (off > sz) off = sz;
    if (len > sz - off) len = sz - off;
    u->in_off = u->in_start = off;
    u->in_end = off + len;
    u->cap = cap;
    if (l && l->max_member_size && (!u->cap || u->cap > l->max_member_size)) u->cap = l->max_member_size;
    if (!u->cap) u->cap = 1ull << 30;
    if (u->cap > SIZE_MAX / 2) u->cap = SIZE_MAX / 2;
    u->ratio = l ? l->max_ratio : 0;
    u->in = wt_xmalloc(IN_CHUNK);
    dec_init(u);
    return u;
}

void wt_unpacker_free(wt_unpacker *u) {
    if (!u) return;
    dec_end(u);
    wt_reader_unref(u->src);
    free(u->in);
    free(u->out);
    free(u);
}

static bool refill(wt_unpacker *u) {
    if (u->in_pos < u->in_avail) return true;
    if (u->in_off >= u->in_end) return false;
    size_t n = u->in_end - u->in_off > IN_CHUNK ? IN_CHUNK : (size_t)(u->in_end - u->in_off);
    long long got = wt_reader_read(u->src, u->in_off, u->in, n);
    if (got <= 0) { u->in_end = u->in_off; return false; }
    u->in_off += (uint64_t)got;
    u->in_avail = (size_t)got;
    u->in_pos = 0;
    return true;
}

/* One decoder step: consume from u->in, write into out[0..room). Returns
 * bytes produced; sets *end on end of stream, *bad on error. */
static size_t dec_step(wt_unpacker *u, uint8_t *out, size_t room, bool *end, bool *bad) {
    size_t in_left = u->in_avail - u->in_pos;
    const uint8_t *in = u->in + u->in_pos;
    size_t produced = 0, used = 0;
    switch (u->codec) {
    case WT_CODEC_DEFLATE_RAW: case WT_CODEC_ZLIB: case WT_CODEC_GZIP: {
        z_stream *z = &u->s.z;
        z->next_in = (Bytef *)in;
        z->avail_in = (uInt)in_left;
        z->next_out = out;
        z->avail_out = (uInt)room;
        int rc = inflate(z, Z_NO_FLUSH);
        used = in_left - z->avail_in;
        produced = room - z->avail_out;
        if (rc == Z_STREAM_END) *end = true;
        else if (rc != Z_OK && !(rc == Z_BUF_ERROR && (produced || used))) {
            if (rc != Z_BUF_ERROR) { *bad = true; set_err(u, WT_UNPACK_CORRUPT, z->msg ? z->msg : "inflate error"); }
        }
        break;
    }
    case WT_CODEC_BZIP2: {
        bz_stream *b = &u->s.bz;
        b->next_in = (char *)in;
        b->avail_in = (unsigned)in_left;
        b->next_out = (char *)out;
        b->avail_out = (unsigned)room;
        int rc = BZ2_bzDecompress(b);
        used = in_left - b->avail_in;
        produced = room - b->avail_out;
        if (rc == BZ_STREAM_END) *end = true;
        else if (rc != BZ_OK) { *bad = true; set_err(u, WT_UNPACK_CORRUPT, "bzip2 data error"); }
        break;
    }
    case WT_CODEC_XZ: case WT_CODEC_LZMA_ALONE: case WT_CODEC_LZMA_ZIP: {
        lzma_stream *s = &u->s.lz;
        s->next_in = in;
        s->avail_in = in_left;
        s->next_out = out;
        s->avail_out = room;
        /* LZMA_FINISH lets the concatenated xz decoder end at end of input. */
        bool last = u->in_off >= u->in_end;
        lzma_ret rc = lzma_code(s, last ? LZMA_FINISH : LZMA_RUN);
        used = in_left - s->avail_in;
        produced = room - s->avail_out;
        if (rc == LZMA_STREAM_END) *end = true;
        else if (rc != LZMA_OK && !(rc == LZMA_BUF_ERROR && (produced || used))) {
            if (rc == LZMA_BUF_ERROR) break;
            *bad = true;
            set_err(u, WT_UNPACK_CORRUPT, rc == LZMA_MEMLIMIT_ERROR ? "lzma memory limit" : "lzma data error");
        }
        break;
    }
    case WT_CODEC_ZSTD: {
        ZSTD_inBuffer ib = {in, in_left, 0};
        ZSTD_outBuffer ob = {out, room, 0};
        size_t rc = ZSTD_decompressStream(u->zs, &ob, &ib);
        used = ib.pos;
        produced = ob.pos;
        if (ZSTD_isError(rc)) { *bad = true; set_err(u, WT_UNPACK_CORRUPT, ZSTD_getErrorName(rc)); }
        else if (rc == 0 && u->in_pos + used >= u->in_avail && u->in_off >= u->in_end) *end = true;
        break;
    }
    case WT_CODEC_LZ4: {
        wt_lz4_status st = wt_lz4_step(u->lz4, in, in_left, &used, out, room, &produced);
        if (st == WT_LZ4_END) *end = true;
        else if (st == WT_LZ4_ERROR) { *bad = true; set_err(u, WT_UNPACK_CORRUPT, wt_lz4_error(u->lz4)); }
        break;
    }
    default:
        *bad = true;
        break;
    }
    u->in_pos += used;
    return produced;
}

/* Restart the decoder for a following concatenated member (gzip, bzip2). */
static bool next_member(wt_unpacker *u) {
    /* lz4.frame reads concatenated frames; the decoder is ready for the next one */
    if (u->codec == WT_CODEC_LZ4) return refill(u);
    if (u->codec != WT_CODEC_GZIP && u->codec != WT_CODEC_BZIP2) return false;
    if (!refill(u)) return false;
    size_t left = u->in_avail - u->in_pos;
    const uint8_t *p = u->in + u->in_pos;
    if (u->codec == WT_CODEC_GZIP && !(left >= 2 && p[0] == 0x1f && p[1] == 0x8b)) return false;
    if (u->codec == WT_CODEC_BZIP2 && !(left >= 3 && p[0] == 'B' && p[1] == 'Z' && p[2] == 'h')) return false;
    dec_end(u);
    return dec_init(u);
}

#define STEP_MAX (1u << 20)

static bool over_ratio(const wt_unpacker *u) {
    uint64_t consumed = wt_unpacker_consumed(u);
    return u->ratio && u->out_len > RATIO_FLOOR && u->out_len / (consumed ? consumed : 1) > u->ratio;
}

uint64_t wt_unpacker_fill(wt_unpacker *u, uint64_t want) {
    if (want > u->cap) want = u->cap;
    while (u->state == WT_UNPACK_RUNNING && u->out_len < want) {
        if (u->ctx && wt_ctx_expired(u->ctx)) { u->state = WT_UNPACK_EXPIRED; break; }
        if (u->ctx && wt_ctx_unpack_spent(u->ctx)) { u->state = WT_UNPACK_CAP_TOTAL; break; }
        if (!u->inited) { u->state = WT_UNPACK_CORRUPT; break; }
        bool have_in = refill(u);
        /* decode in steps of at most 1 MiB so budgets are checked often */
        uint64_t step = want - u->out_len;
        if (step < IN_CHUNK) step = IN_CHUNK;
        if (step > STEP_MAX) step = STEP_MAX;
        if (step > u->cap - u->out_len) step = u->cap - u->out_len;
        if (step == 0) { u->state = WT_UNPACK_CAP_MEMBER; break; }
        if (u->out_len + step > u->out_cap) {
            uint64_t nc = u->out_cap ? u->out_cap * 2 : IN_CHUNK;
            if (nc < u->out_len + step) nc = u->out_len + step;
            if (nc > u->cap) nc = u->cap;
            u->out = wt_xrealloc(u->out, (size_t)nc + 1);
            u->out_cap = (size_t)nc;
        }
        bool end = false, bad = false;
        size_t before_pos = u->in_pos;
        size_t got = dec_step(u, u->out + u->out_len, (size_t)step, &end, &bad);
        u->out_len += got;
        if (over_ratio(u)) { u->state = WT_UNPACK_CAP_RATIO; break; }
        if (u->ctx && u->out_len - u->charged >= CHARGE_STEP) {
            uint64_t n = u->out_len - u->charged;
            u->charged = u->out_len;
            if (!wt_ctx_charge_unpacked(u->ctx, n)) { u->state = WT_UNPACK_CAP_TOTAL; break; }
        }
        if (bad) { if (u->state == WT_UNPACK_RUNNING) u->state = WT_UNPACK_CORRUPT; break; }
        if (end) {
            if (!next_member(u)) u->state = WT_UNPACK_END;
            continue;
        }
        if (got == 0 && u->in_pos == before_pos) {
            /* no progress: out of input, or a decoder that will not move */
            u->state = have_in ? WT_UNPACK_CORRUPT : WT_UNPACK_TRUNCATED;
            if (have_in) set_err(u, WT_UNPACK_CORRUPT, "decoder made no progress");
            break;
        }
        if (u->out_len >= u->cap) {
            /* exactly at the cap: stop unless the stream also ends here */
            bool e2 = false, b2 = false;
            uint8_t probe;
            refill(u);
            size_t more = dec_step(u, &probe, 1, &e2, &b2);
            if (more) u->state = WT_UNPACK_CAP_MEMBER;
            else if (e2) u->state = WT_UNPACK_END;
            else if (b2) u->state = WT_UNPACK_CORRUPT;
            else u->state = WT_UNPACK_CAP_MEMBER;
            break;
        }
    }
    if (u->ctx && u->out_len > u->charged && u->state != WT_UNPACK_RUNNING && u->state != WT_UNPACK_CAP_TOTAL) {
        uint64_t n = u->out_len - u->charged;
        u->charged = u->out_len;
        if (!wt_ctx_charge_unpacked(u->ctx, n) && u->state == WT_UNPACK_END) u->state = WT_UNPACK_CAP_TOTAL;
    }
    return u->out_len;
}

uint64_t wt_unpacker_fill_all(wt_unpacker *u) { return wt_unpacker_fill(u, UINT64_MAX); }
wt_unpack_state wt_unpacker_state(const wt_unpacker *u) { return u->state; }
const char *wt_unpacker_error(const wt_unpacker *u) { return u->err; }
uint64_t wt_unpacker_consumed(const wt_unpacker *u) {
    return u->in_off - u->in_start - (u->in_avail - u->in_pos);
}

const uint8_t *wt_unpacker_data(const wt_unpacker *u, size_t *len) {
    if (len) *len = u->out_len;
    return u->out;
}

wt_reader *wt_unpacker_take_reader(wt_unpacker *u) {
    uint8_t *buf = u->out ? u->out : wt_xmalloc(1);
    size_t n = u->out_len;
    u->out = NULL;
    u->out_len = u->out_cap = 0;
    return wt_reader_new_mem(buf, n, true);
}

/* ---- lazy reader ---- */
typedef struct {
    wt_unpacker *u;
    uint64_t size;
} lazy;

static long long lazy_read(void *self, uint64_t off, void *buf, size_t len) {
    lazy *z = self;
    if (off >= z->size) return 0;
    if (len > z->size - off) len = (size_t)(z->size - off);
    uint64_t have = wt_unpacker_fill(z->u, off + len);
    if (have <= off) return 0;
    if (len > have - off) len = (size_t)(have - off);
    memcpy(buf, z->u->out + off, len);
    return (long long)len;
}

/* Zero-copy only once the buffer can no longer move: decoding has stopped,
 * or everything this reader can deliver is decoded (reads never ask for
 * more). Before that a later read may grow the buffer under a pointer handed
 * out earlier, so the reader falls back to its own copy. */
static const uint8_t *lazy_map(void *self, uint64_t off, size_t len) {
    lazy *z = self;
    if (off > z->size || len > z->size - off) return NULL;
    uint64_t have = wt_unpacker_fill(z->u, off + len);
    if (have < off + len || (z->u->state == WT_UNPACK_RUNNING && have < z->size)) return NULL;
    return z->u->out + off;
}

static void lazy_close(void *self) {
    lazy *z = self;
    wt_unpacker_free(z->u);
    free(z);
}

static const wt_reader_ops lazy_ops = {lazy_read, lazy_map, lazy_close};

wt_reader *wt_unpacker_lazy_reader(wt_unpacker *u, uint64_t size) {
    lazy *z = wt_xcalloc(1, sizeof *z);
    z->u = u;
    z->size = size;
    return wt_reader_new_custom(&lazy_ops, z, size);
}

char *wt_member_name_clean(char *s) {
    for (unsigned char *p = (unsigned char *)s; *p; p++)
        if (*p < 0x20 || *p == 0x7f) *p = '?';
    return s;
}

/* ---- whole streams ---- */
char *wt_unpack_child_name(wt_ctx *ctx, wt_codec codec) {
    const char *base = wt_ctx_basename(ctx);
    static const struct { const char *ext, *repl; } map[] = {
        {".tgz", ".tar"}, {".tbz2", ".tar"}, {".tbz", ".tar"}, {".txz", ".tar"}, {".tzst", ".tar"},
        {".gz", ""}, {".gzip", ""}, {".bz2", ""}, {".xz", ""}, {".zst", ""}, {".zstd", ""}, {".lzma", ""},
        {".z", ""}, {".lz4", ""}};
    size_t bl = strlen(base);
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++) {
        size_t el = strlen(map[i].ext);
        if (bl > el && wt_str_endswith_ci(base, map[i].ext))
            return wt_xasprintf("%.*s%s", (int)(bl - el), base, map[i].repl);
    }
    (void)codec;
    return wt_xstrdup(bl ? base : "data");
}

int wt_unpack_scan_stream(wt_ctx *ctx, wt_reader *r, uint64_t off, wt_codec codec, const wt_stream_rules *rules) {
    uint64_t size = wt_reader_size(r);
    if (off > size) off = size;
    if (codec == WT_CODEC_NONE) {
        wt_location loc = wt_loc_offset(off);
        wt_emit(ctx, rules->unscannable, WT_SEV_NONE, &loc, wt_codec_name(codec),
                "%s-compressed data cannot be decoded by this build; the content was not scanned",
                wt_codec_name(codec));
        return WT_OK;
    }
    wt_unpacker *u = wt_unpacker_new(ctx, r, off, size - off, codec, 0);
    wt_unpacker_fill_all(u);
    wt_unpack_state st = wt_unpacker_state(u);
    size_t outlen;
    wt_unpacker_data(u, &outlen);
    wt_location loc = wt_loc_offset(off);
    if (st == WT_UNPACK_CAP_MEMBER) {
        wt_emit_limit(ctx, "decompressed stream size", outlen, u->cap);
    } else if (st == WT_UNPACK_CAP_RATIO) {
        wt_emit(ctx, rules->bomb, WT_SEV_NONE, &loc, wt_codec_name(codec),
                "%s stream: %s after %zu bytes from %llu compressed; only that prefix is scanned", wt_codec_name(codec),
                wt_unpack_state_text(st), outlen, (unsigned long long)wt_unpacker_consumed(u));
    } else if (st == WT_UNPACK_CORRUPT || st == WT_UNPACK_TRUNCATED || st == WT_UNPACK_UNSUPPORTED) {
        const char *e = wt_unpacker_error(u);
        wt_emit(ctx, outlen ? rules->corrupt : rules->unscannable, WT_SEV_NONE, &loc, wt_codec_name(codec),
                "%s stream: %s%s%s; %zu decoded bytes %s", wt_codec_name(codec), wt_unpack_state_text(st),
                e[0] ? ": " : "", e, outlen, outlen ? "were scanned (a loader acts on them before failing)" : "");
    }
    if (outlen) {
        char *name = wt_unpack_child_name(ctx, codec);
        wt_reader *child = wt_unpacker_take_reader(u);
        wt_scan_child(ctx, name, child);
        wt_reader_unref(child);
        free(name);
    }
    wt_unpacker_free(u);
    return WT_OK;
}
