/*
 * msgpack.c - Flax/msgpack checkpoints (.msgpack). msgpack holds maps,
 * arrays, numbers, strings and opaque ext blobs (Flax uses ext types for
 * ndarrays): it cannot carry code. The structure is walked with bounded
 * depth and every length checked against the file, skipping blob payloads
 * without reading them; a valid file passes clean.
 */
#include <string.h>

#include "model_formats.h"

#define MP_MAX_DEPTH 64
#define MP_MAX_ITEMS 50000000ull

typedef struct mp {
    wt_reader *r;
    uint64_t size, pos, items;
    bool bad, deep;
    wt_ctx *ctx;
} mp;

static bool rd(mp *m, void *out, size_t n)
{
    if (m->pos > m->size || m->size - m->pos < n || wt_reader_read_exact(m->r, m->pos, out, n) != 0) {
        m->bad = true;
        return false;
    }
    m->pos += n;
    return true;
}

static uint64_t be(const uint8_t *b, int n)
{
    uint64_t v = 0;
    for (int i = 0; i < n; i++)
        v = (v << 8) | b[i];
    return v;
}

static bool skipn(mp *m, uint64_t n)
{
    if (n > m->size - m->pos) {
        m->bad = true;
        return false;
    }
    m->pos += n;
    return true;
}

static bool value(mp *m, int depth);

static bool items(mp *m, uint64_t n, int depth)
{
    if (n > m->size - m->pos) { /* every item is at least one byte */
        m->bad = true;
        return false;
    }
    for (uint64_t i = 0; i < n; i++) {
        if (!value(m, depth + 1))
            return false;
        if ((m->items & 65535) == 0 && wt_ctx_expired(m->ctx))
            return false;
    }
    return true;
}

static bool value(mp *m, int depth)
{
    if (depth > MP_MAX_DEPTH) {
        m->deep = true;
        return false;
    }
    if (++m->items > MP_MAX_ITEMS)
        return false;
    uint8_t t, b[8];
    if (!rd(m, &t, 1))
        return false;
    if (t <= 0x7f || t >= 0xe0 || t == 0xc0 || t == 0xc2 || t == 0xc3)
        return true;
    if (t >= 0x80 && t <= 0x8f)
        return items(m, 2ull * (t & 0x0f), depth);
    if (t >= 0x90 && t <= 0x9f)
        return items(m, t & 0x0f, depth);
    if (t >= 0xa0 && t <= 0xbf)
        return skipn(m, t & 0x1f);
    switch (t) {
    case 0xc4: case 0xd9: return rd(m, b, 1) && skipn(m, b[0]);
    case 0xc5: case 0xda: return rd(m, b, 2) && skipn(m, be(b, 2));
    case 0xc6: case 0xdb: return rd(m, b, 4) && skipn(m, be(b, 4));
    case 0xc7: return rd(m, b, 2) && skipn(m, b[0]);
    case 0xc8: return rd(m, b, 3) && skipn(m, be(b, 2));
    case 0xc9: return rd(m, b, 5) && skipn(m, be(b, 4));
    case 0xca: return skipn(m, 4);
    case 0xcb: return skipn(m, 8);
    case 0xcc: case 0xd0: return skipn(m, 1);
    case 0xcd: case 0xd1: return skipn(m, 2);
    case 0xce: case 0xd2: return skipn(m, 4);
    case 0xcf: case 0xd3: return skipn(m, 8);
    case 0xd4: return skipn(m, 2);
    case 0xd5: return skipn(m, 3);
    case 0xd6: return skipn(m, 5);
    case 0xd7: return skipn(m, 9);
    case 0xd8: return skipn(m, 17);
    case 0xdc: return rd(m, b, 2) && items(m, be(b, 2), depth);
    case 0xdd: return rd(m, b, 4) && items(m, be(b, 4), depth);
    case 0xde: return rd(m, b, 2) && items(m, 2 * be(b, 2), depth);
    case 0xdf: return rd(m, b, 4) && items(m, 2 * be(b, 4), depth);
    default: m->bad = true; return false; /* 0xc1 never used */
    }
}

static int mp_probe(const char *name, const uint8_t *head, size_t headlen, uint64_t size)
{
    (void)size;
    if (!wt_str_endswith_ci(name, ".msgpack") || headlen < 1)
        return 0;
    uint8_t t = head[0];
    return ((t >= 0x80 && t <= 0x8f) || t == 0xde || t == 0xdf) ? 85 : 20;
}

static int mp_analyze(wt_ctx *ctx, wt_reader *r)
{
    mp m = {r, wt_reader_size(r), 0, 0, false, false, ctx};
    wt_ctx_set_kind(ctx, "flax-msgpack");
    bool ok = value(&m, 0);
    if (m.deep)
        wt_emit_limit(ctx, "msgpack nesting depth", MP_MAX_DEPTH + 1, MP_MAX_DEPTH);
    else if (m.items > MP_MAX_ITEMS)
        wt_emit_limit(ctx, "msgpack items", m.items, MP_MAX_ITEMS);
    else if (!ok || m.bad || m.pos != m.size) {
        wt_location loc = wt_loc_offset(m.pos);
        wt_emit(ctx, "WT-MSGPACK-001", WT_SEV_NONE, &loc, NULL, "%s at byte %llu",
                m.pos != m.size && ok ? "trailing bytes after the msgpack object" : "msgpack structure is truncated or invalid",
                (unsigned long long)m.pos);
    }
    return WT_OK;
}

const wt_analyzer wt_msgpack_analyzer = {
    .name = "flax-msgpack",
    .klass = WT_CLASS_MODEL,
    .exclusive = true,
    .probe = mp_probe,
    .analyze = mp_analyze,
};
