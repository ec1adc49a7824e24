/*
 * protobuf.c - bounded protobuf wire-format walker (see protobuf.h).
 *
 * One field decoder serves both walkers: it reads bytes through a fetch
 * callback, which for wt_pb is the caller's buffer and for wt_pbr a small
 * window over a wt_reader. The two walkers therefore accept and reject
 * exactly the same inputs (fuzz_protobuf checks this).
 */
#include "protobuf.h"

#include <string.h>

#include "core/reader.h"

bool wt_pb_varint(const uint8_t *p, size_t len, size_t *pos, uint64_t *out)
{
    uint64_t v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
        if (*pos >= len)
            return false;
        uint8_t b = p[(*pos)++];
        v |= (uint64_t)(b & 0x7f) << shift;
        if (!(b & 0x80)) {
            *out = v;
            return true;
        }
    }
    return false; /* more than 10 bytes */
}

/* ---- the shared decoder ---- */

/* Pointer to up to `want` bytes at off (fewer near the end of the source);
 * *got = count; NULL when nothing can be read. */
typedef const uint8_t *(*pb_fetch_fn)(void *ctx, uint64_t off, size_t want, size_t *got);

typedef struct pb_raw {
    uint32_t num;
    int wire;
    uint64_t v, off, len, tag_off;
} pb_raw;

enum { PB_MAX_GROUP_DEPTH = 32, PB_MAX_FIELD_HEAD = 24 };

/* Fetch the head of a field at pos, clamped to the walk's end. */
static const uint8_t *head(pb_fetch_fn fetch, void *ctx, uint64_t pos, uint64_t end, size_t want, size_t *got)
{
    const uint8_t *p = fetch(ctx, pos, want, got);
    if (!p)
        return NULL;
    if ((uint64_t)*got > end - pos)
        *got = (size_t)(end - pos);
    return p;
}

/* Fetch the head of a field at pos and decode its tag (field numbers
 * 1..2^29-1); *q is the offset just past the tag. */
static const uint8_t *read_tag(pb_fetch_fn fetch, void *ctx, uint64_t pos, uint64_t end, size_t want, size_t *got,
                               size_t *q, uint64_t *tag)
{
    const uint8_t *p = head(fetch, ctx, pos, end, want, got);
    *q = 0;
    if (!p || !wt_pb_varint(p, *got, q, tag) || (*tag >> 3) == 0 || (*tag >> 3) > 0x1fffffff)
        return NULL;
    return p;
}

static bool raw_skip_group(pb_fetch_fn fetch, void *ctx, uint64_t *pos, uint64_t end, uint32_t num, int depth);

/* Decode the field at *pos (< end) and advance past it. A group's payload is
 * its body up to and including the matching end tag. depth is the nesting
 * level of the group this field sits in (-1 at a message's top level). */
static bool raw_field(pb_fetch_fn fetch, void *ctx, uint64_t *pos, uint64_t end, int depth, pb_raw *f)
{
    size_t got = 0, q = 0;
    uint64_t tag;
    const uint8_t *p = read_tag(fetch, ctx, *pos, end, PB_MAX_FIELD_HEAD, &got, &q, &tag);
    if (!p)
        return false;
    f->tag_off = *pos;
    f->num = (uint32_t)(tag >> 3);
    f->wire = (int)(tag & 7);
    f->v = 0;
    f->off = 0;
    f->len = 0;
    switch (f->wire) {
    case WT_PB_VARINT:
        if (!wt_pb_varint(p, got, &q, &f->v))
            return false;
        *pos += q;
        return true;
    case WT_PB_I64:
    case WT_PB_I32: {
        size_t w = f->wire == WT_PB_I64 ? 8 : 4;
        if (got - q < w)
            return false;
        for (size_t i = w; i-- > 0;)
            f->v = (f->v << 8) | p[q + i];
        *pos += q + w;
        return true;
    }
    case WT_PB_LEN: {
        uint64_t l;
        if (!wt_pb_varint(p, got, &q, &l))
            return false;
        uint64_t start = *pos + q;
        if (l > end - start)
            return false;
        f->off = start;
        f->len = l;
        *pos = start + l;
        return true;
    }
    case WT_PB_SGROUP: {
        *pos += q;
        uint64_t start = *pos;
        if (!raw_skip_group(fetch, ctx, pos, end, f->num, depth + 1))
            return false;
        f->off = start; /* the body, up to and including the end tag */
        f->len = *pos - start;
        return true;
    }
    default: /* a stray end-group tag, or wire types 6 and 7 */
        return false;
    }
}

static bool raw_skip_group(pb_fetch_fn fetch, void *ctx, uint64_t *pos, uint64_t end, uint32_t num, int depth)
{
    if (depth > PB_MAX_GROUP_DEPTH)
        return false;
    while (*pos < end) {
        size_t got = 0, q = 0;
        uint64_t tag;
        if (!read_tag(fetch, ctx, *pos, end, 12, &got, &q, &tag))
            return false;
        if ((tag & 7) == WT_PB_EGROUP) {
            *pos += q;
            return (uint32_t)(tag >> 3) == num;
        }
        pb_raw f;
        if (!raw_field(fetch, ctx, pos, end, depth, &f))
            return false;
    }
    return false;
}

/* ---- the pointer walker ---- */

typedef struct mem_src {
    const uint8_t *p;
    size_t len;
} mem_src;

static const uint8_t *mem_fetch(void *ctx, uint64_t off, size_t want, size_t *got)
{
    const mem_src *m = ctx;
    if (off >= m->len) {
        *got = 0;
        return NULL;
    }
    size_t avail = m->len - (size_t)off;
    *got = avail < want ? avail : want;
    return m->p + off;
}

void wt_pb_init(wt_pb *pb, const uint8_t *p, size_t len)
{
    pb->p = p;
    pb->len = p ? len : 0;
    pb->pos = 0;
    pb->error = false;
}

int wt_pb_next(wt_pb *pb, wt_pb_field *f)
{
    if (pb->error)
        return -1;
    if (pb->pos >= pb->len)
        return 0;
    mem_src m = {pb->p, pb->len};
    uint64_t pos = pb->pos;
    pb_raw r;
    if (!raw_field(mem_fetch, &m, &pos, pb->len, -1, &r)) {
        pb->error = true;
        return -1;
    }
    pb->pos = (size_t)pos;
    f->num = r.num;
    f->wire = r.wire;
    f->v = r.v;
    f->off = (size_t)r.tag_off;
    f->data = (r.wire == WT_PB_LEN || r.wire == WT_PB_SGROUP) ? pb->p + r.off : NULL;
    f->len = (size_t)r.len;
    return 1;
}

bool wt_pb_looks_like_message(const uint8_t *p, size_t len, int max_fields, uint32_t max_num)
{
    if (!p || len == 0)
        return false;
    wt_pb pb;
    wt_pb_field f;
    wt_pb_init(&pb, p, len);
    int n = 0, rc;
    while ((rc = wt_pb_next(&pb, &f)) == 1) {
        if (f.wire == WT_PB_SGROUP || (max_num && f.num > max_num))
            return false;
        if (++n >= max_fields)
            return true;
    }
    return rc == 0 && n > 0;
}

bool wt_pb_find(const uint8_t *p, size_t len, uint32_t num, wt_pb_field *out)
{
    wt_pb pb;
    wt_pb_init(&pb, p, len);
    while (wt_pb_next(&pb, out) == 1)
        if (out->num == num && out->wire == WT_PB_LEN)
            return true;
    return false;
}

/* ---- the reader-backed walker ---- */

void wt_pbr_src_init(wt_pbr_src *s, struct wt_reader *r)
{
    s->r = r;
    s->size = wt_reader_size(r);
    s->woff = 0;
    s->wlen = 0;
}

void wt_pbr_init(wt_pbr *pb, wt_pbr_src *src, uint64_t off, uint64_t len)
{
    pb->src = src;
    pb->pos = off;
    pb->end = (off <= src->size && len <= src->size - off) ? off + len : src->size;
    pb->error = off > src->size;
}

/* Pointer to up to `want` bytes at off (fewer near the end); *got = count. */
static const uint8_t *win_get(wt_pbr_src *s, uint64_t off, size_t want, size_t *got)
{
    if (off >= s->size) {
        *got = 0;
        return NULL;
    }
    if (want > sizeof s->win)
        want = sizeof s->win;
    if (!(off >= s->woff && off + want <= s->woff + s->wlen) &&
        !(off >= s->woff && off < s->woff + s->wlen && s->woff + s->wlen == s->size)) {
        /* sequential reads fill the whole window; a jump (past a skipped
         * payload such as tensor data) reads a small one */
        uint64_t cap = (off == s->woff + s->wlen) ? sizeof s->win : 256;
        if (cap < want)
            cap = want;
        uint64_t n = s->size - off < cap ? s->size - off : cap;
        long long r = wt_reader_read(s->r, off, s->win, (size_t)n);
        if (r <= 0) {
            s->wlen = 0;
            *got = 0;
            return NULL;
        }
        s->woff = off;
        s->wlen = (size_t)r;
    }
    size_t avail = (size_t)(s->woff + s->wlen - off);
    *got = avail < want ? avail : want;
    return s->win + (off - s->woff);
}

static const uint8_t *win_fetch(void *ctx, uint64_t off, size_t want, size_t *got)
{
    return win_get(ctx, off, want, got);
}

int wt_pbr_next(wt_pbr *pb, wt_pbr_field *f)
{
    if (pb->error)
        return -1;
    if (pb->pos >= pb->end)
        return 0;
    pb_raw r;
    if (!raw_field(win_fetch, pb->src, &pb->pos, pb->end, -1, &r)) {
        pb->error = true;
        return -1;
    }
    f->num = r.num;
    f->wire = r.wire;
    f->v = r.v;
    f->off = r.off;
    f->len = r.len;
    f->tag_off = r.tag_off;
    return 1;
}

size_t wt_pbr_bytes(wt_pbr_src *s, const wt_pbr_field *f, char *buf, size_t cap)
{
    if (cap == 0)
        return 0;
    size_t n = f->len < cap - 1 ? (size_t)f->len : cap - 1;
    buf[0] = 0;
    size_t got = 0;
    const uint8_t *p = n <= sizeof s->win ? win_get(s, f->off, n, &got) : NULL;
    if (p && got == n)
        memcpy(buf, p, n);
    else if (n && wt_reader_read_exact(s->r, f->off, buf, n) != 0)
        return 0;
    buf[n] = 0;
    return n;
}

bool wt_pbr_find(wt_pbr_src *s, uint64_t off, uint64_t len, uint32_t num, wt_pbr_field *out)
{
    wt_pbr pb;
    wt_pbr_init(&pb, s, off, len);
    while (wt_pbr_next(&pb, out) == 1)
        if (out->num == num && out->wire == WT_PB_LEN)
            return true;
    return false;
}
