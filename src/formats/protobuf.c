/*
 * protobuf.c - bounded protobuf wire-format walker (see protobuf.h).
 */
#include "protobuf.h"

#include <string.h>

void wt_pb_init(wt_pb *pb, const uint8_t *p, size_t len)
{
    pb->p = p;
    pb->len = p ? len : 0;
    pb->pos = 0;
    pb->error = false;
}

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

/* Skip a group body up to its matching end tag (bounded nesting). */
static bool skip_group(wt_pb *pb, uint32_t num, int depth)
{
    if (depth > 32)
        return false;
    while (pb->pos < pb->len) {
        uint64_t tag;
        if (!wt_pb_varint(pb->p, pb->len, &pb->pos, &tag))
            return false;
        int wire = (int)(tag & 7);
        uint32_t n = (uint32_t)(tag >> 3);
        uint64_t v;
        if (n == 0 || (tag >> 3) > 0x1fffffff)
            return false; /* field 0 is invalid everywhere */
        switch (wire) {
        case WT_PB_VARINT:
            if (!wt_pb_varint(pb->p, pb->len, &pb->pos, &v))
                return false;
            break;
        case WT_PB_I64:
            if (pb->len - pb->pos < 8)
                return false;
            pb->pos += 8;
            break;
        case WT_PB_I32:
            if (pb->len - pb->pos < 4)
                return false;
            pb->pos += 4;
            break;
        case WT_PB_LEN:
            if (!wt_pb_varint(pb->p, pb->len, &pb->pos, &v) || v > pb->len - pb->pos)
                return false;
            pb->pos += (size_t)v;
            break;
        case WT_PB_SGROUP:
            if (!skip_group(pb, n, depth + 1))
                return false;
            break;
        case WT_PB_EGROUP:
            return n == num;
        default:
            return false;
        }
    }
    return false;
}

int wt_pb_next(wt_pb *pb, wt_pb_field *f)
{
    if (pb->error)
        return -1;
    if (pb->pos >= pb->len)
        return 0;
    f->off = pb->pos;
    f->data = NULL;
    f->len = 0;
    f->v = 0;
    uint64_t tag;
    if (!wt_pb_varint(pb->p, pb->len, &pb->pos, &tag) || (tag >> 3) == 0 || (tag >> 3) > 0x1fffffff)
        goto bad;
    f->num = (uint32_t)(tag >> 3);
    f->wire = (int)(tag & 7);
    switch (f->wire) {
    case WT_PB_VARINT:
        if (!wt_pb_varint(pb->p, pb->len, &pb->pos, &f->v))
            goto bad;
        return 1;
    case WT_PB_I64:
        if (pb->len - pb->pos < 8)
            goto bad;
        for (int i = 7; i >= 0; i--)
            f->v = (f->v << 8) | pb->p[pb->pos + (size_t)i];
        pb->pos += 8;
        return 1;
    case WT_PB_I32:
        if (pb->len - pb->pos < 4)
            goto bad;
        for (int i = 3; i >= 0; i--)
            f->v = (f->v << 8) | pb->p[pb->pos + (size_t)i];
        pb->pos += 4;
        return 1;
    case WT_PB_LEN: {
        uint64_t l;
        if (!wt_pb_varint(pb->p, pb->len, &pb->pos, &l) || l > pb->len - pb->pos)
            goto bad;
        f->data = pb->p + pb->pos;
        f->len = (size_t)l;
        pb->pos += (size_t)l;
        return 1;
    }
    case WT_PB_SGROUP: {
        size_t start = pb->pos;
        if (!skip_group(pb, f->num, 0))
            goto bad;
        f->data = pb->p + start;
        f->len = pb->pos - start;
        return 1;
    }
    default:
        goto bad;
    }
bad:
    pb->error = true;
    return -1;
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

/* ---- reader-backed walker ---- */
#include "core/reader.h"

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

static bool pbr_skip_group(wt_pbr *pb, uint32_t num, int depth);

static bool pbr_field(wt_pbr *pb, wt_pbr_field *f, int depth)
{
    size_t got = 0;
    const uint8_t *p = win_get(pb->src, pb->pos, 24, &got);
    if (!p)
        return false;
    if ((uint64_t)got > pb->end - pb->pos)
        got = (size_t)(pb->end - pb->pos);
    size_t q = 0;
    uint64_t tag;
    if (!wt_pb_varint(p, got, &q, &tag) || (tag >> 3) == 0 || (tag >> 3) > 0x1fffffff)
        return false;
    f->tag_off = pb->pos;
    f->num = (uint32_t)(tag >> 3);
    f->wire = (int)(tag & 7);
    f->v = 0;
    f->off = 0;
    f->len = 0;
    switch (f->wire) {
    case WT_PB_VARINT:
        if (!wt_pb_varint(p, got, &q, &f->v))
            return false;
        pb->pos += q;
        return true;
    case WT_PB_I64:
    case WT_PB_I32: {
        size_t w = f->wire == WT_PB_I64 ? 8 : 4;
        if (got - q < w)
            return false;
        for (size_t i = w; i-- > 0;)
            f->v = (f->v << 8) | p[q + i];
        pb->pos += q + w;
        return true;
    }
    case WT_PB_LEN: {
        uint64_t l;
        if (!wt_pb_varint(p, got, &q, &l))
            return false;
        uint64_t start = pb->pos + q;
        if (l > pb->end - start)
            return false;
        f->off = start;
        f->len = l;
        pb->pos = start + l;
        return true;
    }
    case WT_PB_SGROUP: {
        pb->pos += q;
        uint64_t start = pb->pos;
        if (!pbr_skip_group(pb, f->num, depth + 1))
            return false;
        f->off = start;
        f->len = pb->pos - start;
        return true;
    }
    default:
        return false;
    }
}

static bool pbr_skip_group(wt_pbr *pb, uint32_t num, int depth)
{
    if (depth > 32)
        return false;
    while (pb->pos < pb->end) {
        size_t got = 0;
        const uint8_t *p = win_get(pb->src, pb->pos, 12, &got);
        if (!p)
            return false;
        size_t q = 0;
        uint64_t tag;
        if (!wt_pb_varint(p, got, &q, &tag))
            return false;
        if ((tag & 7) == WT_PB_EGROUP) {
            pb->pos += q;
            return (uint32_t)(tag >> 3) == num;
        }
        wt_pbr_field f;
        if (!pbr_field(pb, &f, depth))
            return false;
    }
    return false;
}

int wt_pbr_next(wt_pbr *pb, wt_pbr_field *f)
{
    if (pb->error)
        return -1;
    if (pb->pos >= pb->end)
        return 0;
    /* -1: a top-level group body is nesting level 0, as in skip_group() */
    if (!pbr_field(pb, f, -1)) {
        pb->error = true;
        return -1;
    }
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
