/*
 * gguf.c - GGUF (llama.cpp) models: header, metadata key/values and tensor
 * infos, read through a small buffered cursor so only the header is read
 * (never the tensor data). Jinja chat templates (tokenizer.chat_template*)
 * go through the template check (CVE-2024-34359). Absurd counts, lengths
 * and offsets are reported, never allocated.
 */
#include <string.h>

#include "model_formats.h"

#define GG_BUF 65536
#define GG_MAX_KV 1000000ull
#define GG_MAX_TENSORS 10000000ull
#define GG_MAX_KEY 65536ull
#define GG_MAX_TEMPLATE (16ull << 20)
#define GG_MAX_DIMS 4
#define GG_MAX_ARRAY_DEPTH 3

typedef struct gcur {
    wt_reader *r;
    uint64_t size, pos;
    uint8_t buf[GG_BUF];
    uint64_t boff;
    size_t blen;
    bool eof;
} gcur;

static bool g_read(gcur *c, void *out, size_t n)
{
    uint8_t *o = out;
    while (n) {
        if (c->pos >= c->boff && c->pos < c->boff + c->blen) {
            size_t avail = (size_t)(c->boff + c->blen - c->pos);
            size_t k = avail < n ? avail : n;
            memcpy(o, c->buf + (c->pos - c->boff), k);
            o += k;
            n -= k;
            c->pos += k;
            continue;
        }
        if (c->pos >= c->size) {
            c->eof = true;
            return false;
        }
        uint64_t want = c->size - c->pos < GG_BUF ? c->size - c->pos : GG_BUF;
        long long got = wt_reader_read(c->r, c->pos, c->buf, (size_t)want);
        if (got <= 0) {
            c->eof = true;
            return false;
        }
        c->boff = c->pos;
        c->blen = (size_t)got;
    }
    return true;
}

static bool g_skip(gcur *c, uint64_t n)
{
    if (n > c->size - c->pos) {
        c->pos = c->size;
        c->eof = true;
        return false;
    }
    c->pos += n;
    return true;
}

static bool g_u32(gcur *c, uint32_t *v)
{
    uint8_t b[4];
    if (!g_read(c, b, 4))
        return false;
    *v = (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
    return true;
}

static bool g_u64(gcur *c, uint64_t *v)
{
    uint8_t b[8];
    if (!g_read(c, b, 8))
        return false;
    *v = 0;
    for (int i = 7; i >= 0; i--)
        *v = (*v << 8) | b[i];
    return true;
}

typedef struct gg {
    wt_ctx *ctx;
    gcur *c;
    uint32_t version;
    uint32_t alignment;
    bool stop;
    size_t absurd;
} gg;

static bool g_len(gg *g, uint64_t *n)
{
    if (g->version == 1) {
        uint32_t v;
        if (!g_u32(g->c, &v))
            return false;
        *n = v;
        return true;
    }
    return g_u64(g->c, n);
}

static void absurd(gg *g, uint64_t off, const char *fmt, unsigned long long v, unsigned long long lim)
{
    g->stop = true;
    if (g->absurd++ > 8)
        return;
    wt_location loc = wt_loc_offset(off);
    char ev[64];
    snprintf(ev, sizeof ev, "%llu", v);
    wt_emit(g->ctx, "WT-GGUF-002", WT_SEV_NONE, &loc, ev, fmt, v, lim);
}

static void truncated(gg *g, const char *what)
{
    g->stop = true;
    wt_location loc = wt_loc_offset(g->c->pos);
    wt_emit(g->ctx, "WT-GGUF-003", WT_SEV_NONE, &loc, NULL, "GGUF file truncated or malformed while reading %s", what);
}

static const size_t type_size[13] = {1, 1, 2, 2, 4, 4, 4, 1, 0, 0, 8, 8, 8};

static void check_template(gg *g, const char *key, const char *tpl, size_t n, uint64_t off)
{
    wt_jinja_hit hits[32];
    size_t nh = wt_jinja_check(tpl, n, hits, 32);
    if (nh > 32)
        nh = 32;
    /* one finding per distinct token */
    for (size_t i = 0; i < nh; i++) {
        bool dup = false;
        for (size_t k = 0; k < i; k++)
            if (hits[k].token == hits[i].token)
                dup = true;
        if (dup)
            continue;
        size_t s = hits[i].offset > 40 ? hits[i].offset - 40 : 0;
        size_t e = hits[i].offset + 60 < n ? hits[i].offset + 60 : n;
        char *ev = wt_shorten(tpl + s, e - s, 120);
        wt_location loc = wt_loc_offset(off + hits[i].offset);
        const char *tok = strcmp(hits[i].token, "*") == 0 ? "dunder attribute" : hits[i].token;
        wt_emit(g->ctx, "WT-GGUF-001", hits[i].severity, &loc, ev, "%s Jinja template uses '%s': %s", key, tok,
                hits[i].reason);
        free(ev);
    }
}

static bool is_template_key(const char *k)
{
    return strncmp(k, "tokenizer.chat_template", 23) == 0;
}

static bool read_value(gg *g, uint32_t type, const char *key, int depth)
{
    gcur *c = g->c;
    if (type < 13 && type != 8 && type != 9)
        return g_skip(c, type_size[type]);
    if (type == 8) {
        uint64_t n;
        uint64_t off = c->pos;
        if (!g_len(g, &n))
            return false;
        if (n > c->size - c->pos) {
            absurd(g, off, "string length %llu is larger than the rest of the file (%llu bytes)", n,
                   c->size - c->pos);
            return false;
        }
        if (key && is_template_key(key)) {
            if (n > GG_MAX_TEMPLATE) {
                absurd(g, off, "chat template length %llu exceeds %llu", n, GG_MAX_TEMPLATE);
                return false;
            }
            char *t = wt_xmalloc((size_t)n + 1);
            uint64_t toff = c->pos;
            bool ok = g_read(c, t, (size_t)n);
            t[n] = 0;
            if (ok)
                check_template(g, key, t, (size_t)n, toff);
            free(t);
            return ok;
        }
        return g_skip(c, n);
    }
    if (type == 9) {
        uint32_t et;
        uint64_t count, off = c->pos;
        if (!g_u32(c, &et) || !g_len(g, &count))
            return false;
        if (depth >= GG_MAX_ARRAY_DEPTH) {
            absurd(g, off, "arrays nested %llu deep (limit %llu)", (unsigned long long)depth + 1, GG_MAX_ARRAY_DEPTH);
            return false;
        }
        if (et > 12) {
            truncated(g, "an array element type");
            return false;
        }
        uint64_t minsz = (et == 8 || et == 9) ? (g->version == 1 ? 4 : 8) : type_size[et];
        if (minsz && count > (c->size - c->pos) / minsz) {
            absurd(g, off, "array of %llu elements cannot fit in the rest of the file (%llu bytes)", count,
                   c->size - c->pos);
            return false;
        }
        if (et != 8 && et != 9) {
            uint64_t total;
            if (!wt_mul_ok(count, type_size[et], &total))
                return false;
            return g_skip(c, total);
        }
        for (uint64_t i = 0; i < count; i++) {
            if (!read_value(g, et, (key && is_template_key(key)) ? key : NULL, depth + 1))
                return false;
            if ((i & 4095) == 0 && wt_ctx_expired(g->ctx))
                return false;
        }
        return true;
    }
    truncated(g, "a value type");
    return false;
}

/* ggml type -> (block size, bytes per block); 0 = unknown */
static const struct { uint32_t blk, bytes; } ggml_types[] = {
    [0] = {1, 4},     [1] = {1, 2},     [2] = {32, 18},   [3] = {32, 20},   [6] = {32, 22},
    [7] = {32, 24},   [8] = {32, 34},   [9] = {32, 36},   [10] = {256, 84}, [11] = {256, 110},
    [12] = {256, 144}, [13] = {256, 176}, [14] = {256, 210}, [15] = {256, 292}, [16] = {256, 66},
    [17] = {256, 74}, [18] = {256, 98}, [19] = {256, 50},  [20] = {32, 18},  [21] = {256, 110},
    [22] = {256, 82}, [23] = {256, 136}, [24] = {1, 1},   [25] = {1, 2},    [26] = {1, 4},
    [27] = {1, 8},    [28] = {1, 8},    [29] = {256, 56}, [30] = {1, 2},    [34] = {256, 54},
    [35] = {256, 66}, [39] = {32, 17},
};
#define GGML_NTYPES (sizeof ggml_types / sizeof ggml_types[0])

static void read_tensors(gg *g, uint64_t ntensors)
{
    gcur *c = g->c;
    typedef struct { uint64_t off, bytes; char name[64]; } tinfo;
    size_t keep = ntensors < 100000 ? (size_t)ntensors : 100000;
    tinfo *ts = wt_xcalloc(keep ? keep : 1, sizeof *ts);
    size_t nts = 0;
    for (uint64_t i = 0; i < ntensors && !g->stop; i++) {
        uint64_t nl, off0 = c->pos;
        if (!g_len(g, &nl)) {
            truncated(g, "tensor infos");
            break;
        }
        if (nl > GG_MAX_KEY) {
            absurd(g, off0, "tensor name length %llu exceeds %llu", nl, GG_MAX_KEY);
            break;
        }
        char name[64] = "";
        size_t take = nl < 63 ? (size_t)nl : 63;
        if (!g_read(c, name, take) || !g_skip(c, nl - take)) {
            truncated(g, "tensor infos");
            break;
        }
        name[take] = 0;
        uint32_t nd;
        if (!g_u32(c, &nd)) {
            truncated(g, "tensor infos");
            break;
        }
        if (nd == 0 || nd > GG_MAX_DIMS) {
            absurd(g, off0, "tensor has %llu dimensions (GGML supports %llu)", nd, GG_MAX_DIMS);
            break;
        }
        uint64_t ne = 1;
        bool ovf = false;
        for (uint32_t d = 0; d < nd; d++) {
            uint64_t dim;
            if (!g_len(g, &dim)) {
                truncated(g, "tensor dimensions");
                break;
            }
            if (!wt_mul_ok(ne, dim, &ne))
                ovf = true;
        }
        uint32_t type;
        uint64_t toff;
        if (g->stop || !g_u32(c, &type) || !g_u64(c, &toff)) {
            if (!g->stop)
                truncated(g, "tensor infos");
            break;
        }
        if (ovf) {
            absurd(g, off0, "tensor element count overflows 64 bits (%llu dims, limit %llu)", nd, 0);
            break;
        }
        uint64_t bytes = 0;
        if (type < GGML_NTYPES && ggml_types[type].blk) {
            uint64_t blocks = (ne + ggml_types[type].blk - 1) / ggml_types[type].blk;
            if (!wt_mul_ok(blocks, ggml_types[type].bytes, &bytes)) {
                absurd(g, off0, "tensor byte size overflows (%llu elements, limit %llu)", ne, 0);
                break;
            }
        }
        if (nts < keep) {
            ts[nts].off = toff;
            ts[nts].bytes = bytes;
            snprintf(ts[nts].name, sizeof ts[nts].name, "%s", name);
            nts++;
        }
        if ((i & 4095) == 0 && wt_ctx_expired(g->ctx))
            break;
    }
    if (!g->stop) {
        uint64_t align = g->alignment ? g->alignment : 32;
        uint64_t data = (c->pos + align - 1) / align * align;
        size_t bad = 0;
        for (size_t i = 0; i < nts; i++) {
            uint64_t end;
            if (!wt_add_ok(data, ts[i].off, &end) || !wt_add_ok(end, ts[i].bytes, &end) || end > c->size) {
                if (bad++ < 3) {
                    wt_location loc = wt_loc_offset(data);
                    char ev[128];
                    snprintf(ev, sizeof ev, "%s @%llu+%llu", ts[i].name, (unsigned long long)ts[i].off,
                             (unsigned long long)ts[i].bytes);
                    wt_emit(g->ctx, "WT-GGUF-002", WT_SEV_NONE, &loc, ev,
                            "tensor '%s' data range lies outside the file (%llu bytes)", ts[i].name,
                            (unsigned long long)c->size);
                }
            }
        }
    }
    free(ts);
}

static int gguf_probe(const char *name, const uint8_t *head, size_t headlen, uint64_t size)
{
    if (headlen >= 8 && memcmp(head, "GGUF", 4) == 0)
        return 95;
    (void)size;
    return wt_str_endswith_ci(name, ".gguf") ? 20 : 0;
}

static int gguf_analyze(wt_ctx *ctx, wt_reader *r)
{
    gcur *c = wt_xcalloc(1, sizeof *c);
    c->r = r;
    c->size = wt_reader_size(r);
    gg g = {ctx, c, 0, 32, false, 0};
    char magic[4];
    wt_ctx_set_kind(ctx, "gguf");
    if (!g_read(c, magic, 4) || memcmp(magic, "GGUF", 4) != 0) {
        wt_emit(ctx, "WT-GGUF-003", WT_SEV_NONE, NULL, NULL, "file named .gguf does not start with the GGUF magic");
        free(c);
        return WT_OK;
    }
    uint64_t ntensors = 0, nkv = 0;
    if (!g_u32(c, &g.version)) {
        truncated(&g, "the header");
        free(c);
        return WT_OK;
    }
    if (g.version < 1 || g.version > 3) {
        wt_emit(ctx, "WT-GGUF-003", WT_SEV_NONE, NULL, NULL, "unsupported GGUF version %u", g.version);
        free(c);
        return WT_OK;
    }
    char kind[32];
    snprintf(kind, sizeof kind, "gguf v%u", g.version);
    wt_ctx_set_kind(ctx, kind);
    if (!g_len(&g, &ntensors) || !g_len(&g, &nkv)) {
        truncated(&g, "the header");
        free(c);
        return WT_OK;
    }
    /* absurd header counts are reported; the metadata that is there is still
     * read (a loader parses key/values before it trips over the count) */
    bool bad_tensors = false;
    if (nkv > GG_MAX_KV || nkv > c->size / 12) {
        absurd(&g, 8, "metadata key/value count %llu is absurd (limit %llu)", nkv, GG_MAX_KV);
        g.stop = false;
    }
    if (ntensors > GG_MAX_TENSORS || ntensors > c->size / 24) {
        absurd(&g, 8, "tensor count %llu is absurd (limit %llu)", ntensors, GG_MAX_TENSORS);
        g.stop = false;
        bad_tensors = true;
    }
    for (uint64_t i = 0; i < nkv && !g.stop; i++) {
        uint64_t kl, off = c->pos;
        if (!g_len(&g, &kl)) {
            truncated(&g, "a metadata key");
            break;
        }
        if (kl > GG_MAX_KEY) {
            absurd(&g, off, "metadata key length %llu exceeds %llu", kl, GG_MAX_KEY);
            break;
        }
        if (kl > c->size - c->pos) {
            truncated(&g, "a metadata key");
            break;
        }
        char *key = wt_xmalloc((size_t)kl + 1);
        uint32_t type = 0;
        bool ok = g_read(c, key, (size_t)kl) && g_u32(c, &type);
        key[kl] = 0;
        if (ok && strcmp(key, "general.alignment") == 0 && type == 4) {
            uint32_t a;
            ok = g_u32(c, &a);
            if (ok && (a == 0 || (a & (a - 1)) != 0))
                absurd(&g, off, "general.alignment %llu is not a power of two (limit %llu)", a, 1ull << 31);
            else if (ok)
                g.alignment = a;
        } else if (ok) {
            ok = read_value(&g, type, key, 0);
        }
        free(key);
        if (!ok && !g.stop) {
            truncated(&g, "metadata values");
            break;
        }
        if ((i & 1023) == 0 && wt_ctx_expired(ctx))
            break;
    }
    if (!g.stop && !bad_tensors)
        read_tensors(&g, ntensors);
    free(c);
    return WT_OK;
}

const wt_analyzer wt_gguf_analyzer = {
    .name = "gguf",
    .klass = WT_CLASS_MODEL,
    .exclusive = true,
    .probe = gguf_probe,
    .analyze = gguf_analyze,
};
